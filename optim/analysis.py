"""Where real-world prices sit on a front, and what each trades away.

For an observed price (a single value or a band on one decision, e.g. CMS's $45-$64 for
``p``), :func:`locate` enumerates the price's completions (the other decisions on their
ladder, or a seeded sample when they have none), keeps the feasible ones, and tells

* whether any completion is on the front (nondominated against it) or all are dominated;
* the range of the other decisions over the completions on the front;
* the *compromise* completion (closest to the ideal point in objectives scaled to the
  front's range) and its objective values, and the change in each objective against a
  baseline price's compromise (by default the access-maximizing value ``v_e``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optim.front import ParetoFront
from optim.problem import PricingProblem
from optim.spec import ObservedPrice


@dataclass(frozen=True)
class Location:
    """Where one observed price sits.

    Attributes
    ----------
    name, variable, low, high
        The observed price or band (USD per use).
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


def _completions(problem: PricingProblem, var: int, low: float, high: float,
                 n_sample: int, seed: int) -> np.ndarray:
    b = problem.bounds[var]
    if problem.exact_capable:
        ladders = problem.ladders()
        own = ladders[var]
        own = own[(own >= low - 1e-9) & (own <= high + 1e-9)]
        if own.size == 0 or low == high:
            own = np.array([low])
        ladders[var] = own
        total = int(np.prod([len(x) for x in ladders], dtype=float))
        if total <= 2_000_000:
            mesh = np.meshgrid(*ladders, indexing="ij")
            return np.column_stack([m.ravel() for m in mesh])
    rng = np.random.default_rng(seed)
    lo, hi = problem.lower.copy(), problem.upper.copy()
    lo[var], hi[var] = max(low, b.lower) if low < high else low, high
    return lo + rng.random((n_sample, problem.n_var)) * (hi - lo)


def _compromise(F_min: np.ndarray, ideal: np.ndarray, span: np.ndarray) -> int:
    d = np.linalg.norm((F_min - ideal) / span, axis=1)
    return int(np.argmin(d))


def locate(
    problem: PricingProblem,
    front: ParetoFront,
    observed: ObservedPrice,
    baseline: ObservedPrice | None = None,
    n_sample: int = 50_000,
    seed: int = 0,
) -> Location:
    """Locate ``observed`` against ``front`` (see module docstring)."""
    from optim.indicators import nondominated_mask
    from optim.problem import FEASIBILITY_TOL

    var = problem.decision_names.index(observed.variable)
    X = _completions(problem, var, observed.low, observed.high, n_sample, seed)
    ev = problem.evaluate(X, report=False)
    feas = problem.feasible(ev)
    names = problem.objective_names
    if not feas.any():
        G = problem.constraint_matrix(ev, scaled=True)
        violated = tuple(g.name for j, g in enumerate(problem.guardrails)
                         if np.all(G[:, j] > FEASIBILITY_TOL))
        return Location(observed.name, observed.variable, observed.low, observed.high, False,
                        False, violated, {}, {}, {}, {})
    Xf = X[feas]
    Ff = problem.minimization_matrix(ev)[feas]
    Pf = front.minimization_matrix()
    both = np.vstack([Pf, Ff])
    nd = nondominated_mask_weak(both)[len(Pf):]
    on = Xf[nd]
    ranges = {n: (float(on[:, j].min()), float(on[:, j].max()))
              for j, n in enumerate(problem.decision_names) if j != var and len(on)}
    ideal = Pf.min(axis=0)
    span = np.where(Pf.max(axis=0) > ideal, Pf.max(axis=0) - ideal, 1.0)
    cand = Ff[nondominated_mask(Ff)]
    cx = Xf[nondominated_mask(Ff)]
    i = _compromise(cand, ideal, span)
    signs = np.array([1.0 if s == "min" else -1.0 for s in problem.senses])
    comp = dict(zip(names, (cand[i] * signs).tolist(), strict=True))
    comp_dec = dict(zip(problem.decision_names, cx[i].tolist(), strict=True))
    delta: dict[str, float] = {}
    if baseline is not None:
        base = locate(problem, front, baseline, None, n_sample, seed)
        if base.feasible:
            delta = {n: comp[n] - base.compromise[n] for n in names}
    return Location(observed.name, observed.variable, observed.low, observed.high, True,
                    bool(len(on)), (), ranges, comp, comp_dec, delta)


def nondominated_mask_weak(F: np.ndarray) -> np.ndarray:
    """Rows not strictly dominated by another row (duplicates all kept)."""
    import moocore

    return np.asarray(moocore.is_nondominated(F, maximise=False, keep_weakly=True))
