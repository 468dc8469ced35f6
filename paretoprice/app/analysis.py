"""Where real-world prices sit on a front, and what each trades away.

For an observed price (a single value or a band on one decision, e.g. CMS's $45-$64 for
``p``), or several decisions observed together (a mapping ``{"p": 420.0, "f": (50, 80)}``
of decision -> value or ``(low, high)`` band), :func:`locate` enumerates the completions
(the other decisions on their ladder, or a seeded sample when they have none), keeps the
feasible ones, and tells

* whether any completion is on the front (nondominated against it) or all are dominated;
* the range of the other decisions over the completions on the front;
* the *compromise* completion and its objective values, and the change in each objective
  against a baseline price's compromise (by default the access-maximizing value ``v_e``).

The compromise is defined as the most balanced completion: among the completions on the
front (else among those not dominated by another completion), the smallest worst
shortfall ``max_i z_i`` with every objective normalized to the front's ideal (0) and nadir
(1) point, ties broken by the smaller ``sum_i z_i``, then the first in ladder order. This
is the tie-break rule of :mod:`paretoprice.optim.pick`; unlike a Euclidean distance to the
ideal point it does not send a price that only moves money between provider and creator
to an extreme fee.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.problem import PricingProblem, ladder_product
from paretoprice.optim.spec import ObservedPrice


@dataclass(frozen=True)
class Location:
    """Where one observed price sits.

    Attributes
    ----------
    name, variable, low, high
        The observed price or band, in the decision's own unit (e.g. USD per use). With
        several observed decisions, ``variable`` joins their names with ``", "`` and
        ``low``/``high`` are the first one's; ``fixed`` holds them all.
    feasible
        Whether any completion meets every guardrail.
    on_front
        Whether any feasible completion is Pareto-optimal (not dominated by the front).
    violated
        Guardrails every completion violates (when infeasible).
    other_ranges
        Decision -> (min, max) over the completions on the front.
    compromise
        Objective -> value at the compromise completion (natural units).
    compromise_decisions
        Decision -> value at the compromise completion.
    delta
        Objective -> compromise value minus the baseline's compromise value.
    fixed
        Observed decision -> (low, high).
    """

    name: str
    variable: str
    low: float
    high: float
    feasible: bool
    on_front: bool
    violated: tuple[str, ...]
    other_ranges: dict[str, tuple[float, float]]
    compromise: dict[str, float]
    compromise_decisions: dict[str, float]
    delta: dict[str, float]
    fixed: dict[str, tuple[float, float]] = field(default_factory=dict)


Observed = ObservedPrice | Mapping[str, float | tuple[float, float]]


def _fixed(problem: PricingProblem,
           observed: Observed) -> tuple[str, dict[str, tuple[float, float]]]:
    """Name and ``decision -> (low, high)`` of an observation; unknown decisions raise."""
    if isinstance(observed, ObservedPrice):
        name, raw = observed.name, {observed.variable: (observed.low, observed.high)}
        raw.update({k: (float(v), float(v)) for k, v in observed.jointly.items()})
    else:
        raw = {}
        for k, v in observed.items():
            lo, hi = (v, v) if np.isscalar(v) else tuple(v)  # type: ignore[misc]
            raw[k] = (float(lo), float(hi))
        name = ", ".join(f"{k} = {lo:g}" if lo == hi else f"{k} = {lo:g}-{hi:g}"
                         for k, (lo, hi) in raw.items())
    if not raw:
        raise ParameterError("observed", "at least one decision -> value", "an empty mapping",
                             fix="name the observed decision(s), e.g. {'p': 45.0}.",
                             owner="locate()")
    for k, (lo, hi) in raw.items():
        if k not in problem.decision_names:
            raise ParameterError(f"observed.{k}", f"a decision of problem '{problem.name}' "
                                 f"({', '.join(problem.decision_names)})", repr(k),
                                 fix="name a decision of the problem.", owner="locate()")
        if lo > hi:
            raise ParameterError(f"observed.{k}", "a value or a (low, high) band with "
                                 "low <= high", f"({lo:g}, {hi:g})",
                                 fix="swap the two ends.", owner="locate()")
    return name, raw


def _completions(problem: PricingProblem, fixed: Mapping[int, tuple[float, float]],
                 n_sample: int, seed: int) -> np.ndarray:
    """Candidates with the decisions in ``fixed`` (index -> (low, high)) held to their
    value or band and the others free: the ladder grid when small, else a seeded sample."""
    if problem.exact_capable:
        ladders = problem.ladders()
        for var, (low, high) in fixed.items():
            own = ladders[var]
            own = own[(own >= low - 1e-9) & (own <= high + 1e-9)]
            if own.size == 0 or low == high:
                own = np.array([low])
            ladders[var] = own
        total = math.prod(len(x) for x in ladders)
        if total <= 2_000_000:
            return ladder_product(ladders, 0, total)
    rng = np.random.default_rng(seed)
    lo, hi = problem.lower.copy(), problem.upper.copy()
    for var, (low, high) in fixed.items():
        lo[var], hi[var] = max(low, problem.bounds[var].lower) if low < high else low, high
    return lo + rng.random((n_sample, problem.n_var)) * (hi - lo)


def _compromise(F_min: np.ndarray, ideal: np.ndarray, span: np.ndarray) -> int:
    """Row with the smallest ``max_i z_i``, then smallest ``sum_i z_i``, then first."""
    z = (F_min - ideal) / span
    order = np.lexsort((np.arange(len(z)), z.sum(axis=1), z.max(axis=1)))
    return int(order[0])


def locate(
    problem: PricingProblem,
    front: ParetoFront,
    observed: Observed,
    baseline: Observed | Location | None = None,
    n_sample: int = 50_000,
    seed: int = 0,
) -> Location:
    """Locate ``observed`` against ``front`` (see module docstring).

    Parameters
    ----------
    observed
        An :class:`~paretoprice.optim.spec.ObservedPrice` on one decision, or a mapping of several
        decisions to a value or a ``(low, high)`` band (each in its decision's unit).
    baseline
        What ``delta`` is measured against: an observation like ``observed``, or an
        already computed :class:`Location` (reused as is, e.g. one baseline for many
        observed prices). ``None``: no ``delta``.
    n_sample, seed
        Size and seed of the random completions when the ladder grid is too large or the
        problem has no ladder.
    """
    from paretoprice.optim.indicators import minimization_signs, nondominated_mask
    from paretoprice.optim.problem import FEASIBILITY_TOL

    obs_name, fixed = _fixed(problem, observed)
    first_lo, first_hi = next(iter(fixed.values()))
    variable = ", ".join(fixed)
    idx = {problem.decision_names.index(k): v for k, v in fixed.items()}
    X = _completions(problem, idx, n_sample, seed)
    ev = problem.evaluate(X, report=False)
    feas = problem.feasible(ev)
    names = problem.objective_names
    if not feas.any():
        G = problem.constraint_matrix(ev, scaled=True)
        violated = tuple(g.name for j, g in enumerate(problem.guardrails)
                         if np.all(G[:, j] > FEASIBILITY_TOL))
        return Location(obs_name, variable, first_lo, first_hi, False,
                        False, violated, {}, {}, {}, {}, fixed)
    Xf = X[feas]
    Ff = problem.minimization_matrix(ev)[feas]
    Pf = front.minimization_matrix()
    both = np.vstack([Pf, Ff])
    nd = nondominated_mask_weak(both)[len(Pf):]
    on = Xf[nd]
    ranges = {n: (float(on[:, j].min()), float(on[:, j].max()))
              for j, n in enumerate(problem.decision_names) if j not in idx and len(on)}
    ideal = Pf.min(axis=0)
    span = np.where(Pf.max(axis=0) > ideal, Pf.max(axis=0) - ideal, 1.0)
    pool = nd if nd.any() else nondominated_mask(Ff)
    cand = Ff[pool]
    cx = Xf[pool]
    i = _compromise(cand, ideal, span)
    comp = dict(zip(names, (cand[i] * minimization_signs(problem.senses)).tolist(),
                    strict=True))
    comp_dec = dict(zip(problem.decision_names, cx[i].tolist(), strict=True))
    delta: dict[str, float] = {}
    if baseline is not None:
        base = (baseline if isinstance(baseline, Location)
                else locate(problem, front, baseline, None, n_sample, seed))
        if base.feasible:
            delta = {n: comp[n] - base.compromise[n] for n in names}
    return Location(obs_name, variable, first_lo, first_hi, True,
                    bool(len(on)), (), ranges, comp, comp_dec, delta, fixed)


def nondominated_mask_weak(F: np.ndarray) -> np.ndarray:
    """Rows not strictly dominated by another row (duplicates all kept)."""
    import moocore

    return np.asarray(moocore.is_nondominated(F, maximise=False, keep_weakly=True))
