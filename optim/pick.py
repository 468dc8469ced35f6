"""Pick one point of a Pareto front by a stated rule, and say why it won.

Every rule works on the front's objective matrix alone (pure numpy), so it applies to a
front from any backend. Objectives are first put in *minimization form* (maximized ones
negated) and *normalized to the front*: ``z = (F - ideal) / (nadir - ideal)`` with the
ideal and nadir points taken over the front's own points, so ``z = 0`` is the best value
on the front and ``z = 1`` the worst, for every objective (a constant column gets
``z = 0``). All rules are scale free in that sense: changing a unit (USD to thousand USD)
never changes a pick.

Rules (``method``):

``knee``
    The point furthest below the hyperplane ``sum_i z_i = 1`` through the front's
    normalized extreme points: the smallest ``sum_i z_i``. With two objectives this is the
    point furthest from the straight line joining the two ends of the front (Das 1999);
    with more, the hyperplane through the unit points is a stated approximation.
``weights``
    Weighted Chebyshev: the smallest ``max_i w_i z_i`` (weights normalized to sum 1;
    equal by default).
``asf``
    Achievement scalarizing function (Wierzbicki) from a reference point ``r`` in natural
    units: the smallest ``max_i w_i (z_i - z(r)_i) + rho * sum_i w_i (z_i - z(r)_i)``,
    ``rho = 1e-6``.
``nash``
    Nash bargaining: the largest ``sum_i log(gain_i)`` (the product of gains) over the
    points that improve on the *disagreement point* ``d`` for every objective, with
    ``gain_i = d_i - F_i`` in minimization form (a stakeholder's gain over the status quo).
``kalai-smorodinsky``
    The largest ``min_i gain_i / (ideal_i - d_i)``: every stakeholder gets the same share
    of the most it could get on the front, as far as the front allows.
``nearest``
    The point whose decisions are closest to given values (e.g. ``p = 55``), each
    decision's distance divided by its range on the front.
``best-nmb``
    The largest net monetary benefit (an array the caller supplies, e.g. from
    :mod:`paretoprice.app.readout`) among points where a condition holds (creator NPV >= 0).

Ties (equal scores within ``1e-12`` relative) are broken by the *balance* score, the
smaller ``max_i z_i`` (the point whose worst-served stakeholder is least far from its best
value on the front: equal-weight Chebyshev), then by the smaller ``sum_i z_i``, then by the
lower row index (fronts sort their rows by the objectives, so the result is deterministic).
The balance score, not the sum, breaks ties because a price that only moves money from one
stakeholder to another (the creator's fee between provider and creator) leaves the sum
nearly flat and would send a sum-based tie-break to an extreme: the scripts' old
"compromise" did exactly that and put the creator at its worst NPV at $55.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from paretoprice.optim.errors import ParameterError

if TYPE_CHECKING:
    from paretoprice.optim.front import ParetoFront

logger = logging.getLogger(__name__)

METHODS: tuple[str, ...] = (
    "knee", "weights", "asf", "nash", "kalai-smorodinsky", "nearest", "best-nmb",
)
"""Names of the pick rules."""

ASF_RHO = 1e-6
"""Augmentation term of the achievement scalarizing function (avoids weakly Pareto points)."""

TIE_RTOL = 1e-12
"""Relative tolerance under which two scores count as tied."""


@dataclass(frozen=True)
class Pick:
    """One picked point and the reasons.

    Attributes
    ----------
    method
        The rule (one of :data:`METHODS`).
    index
        Row of the point in the front.
    objectives
        Objective name -> value at the point (natural units and senses).
    decisions
        Decision name -> value at the point (the decisions' own units).
    score, score_label
        The rule's score at the point and what it measures (smaller or larger is better as
        the label says).
    why
        One or two sentences: why this point won under the rule.
    parameters
        The rule's inputs (weights, reference point, disagreement point, target decisions,
        willingness to pay), JSON-ready.
    runner_up
        Row of the second-best point under the same rule (``None`` with one candidate).
    candidates
        How many points the rule could choose from (after its conditions).
    """

    method: str
    index: int
    objectives: dict[str, float]
    decisions: dict[str, float]
    score: float
    score_label: str
    why: str
    parameters: dict[str, Any] = field(default_factory=dict)
    runner_up: int | None = None
    candidates: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "method": self.method, "index": self.index, "objectives": self.objectives,
            "decisions": self.decisions, "score": self.score, "score_label": self.score_label,
            "why": self.why, "parameters": self.parameters, "runner_up": self.runner_up,
            "candidates": self.candidates,
        }


# --------------------------------------------------------------------------- helpers
def normalized(front: ParetoFront) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(z, ideal, nadir)``: the front normalized to its ideal (0) and nadir (1) point,
    all in minimization form (maximized objectives negated)."""
    F = front.minimization_matrix()
    if F.shape[0] == 0:
        raise ParameterError("front", "at least one point", "an empty front",
                             fix="solve the problem first (or relax its guardrails).",
                             owner="pick()")
    ideal = F.min(axis=0)
    nadir = F.max(axis=0)
    span = np.where(nadir > ideal, nadir - ideal, 1.0)
    return (F - ideal) / span, ideal, nadir


def _argbest(score: np.ndarray, z: np.ndarray, candidates: np.ndarray,
             larger: bool) -> tuple[int, int | None]:
    """Best and runner-up rows among ``candidates`` (bool mask); ties by the balance score
    ``max_i z_i``, then ``sum_i z_i``, then the row index."""
    rows = np.flatnonzero(candidates)
    s = score[rows] * (-1.0 if larger else 1.0)
    # lexsort: last key is primary. Round scores to the tie tolerance first.
    scale = max(float(np.max(np.abs(s))), 1e-300) if s.size else 1.0
    s_key = np.round(s / (scale * TIE_RTOL)) if np.isfinite(scale) else s
    zr = z[rows]
    order = np.lexsort((rows, zr.sum(axis=1), zr.max(axis=1), s_key))
    best = int(rows[order[0]])
    second = int(rows[order[1]]) if len(order) > 1 else None
    return best, second


def _objective_vector(front: ParetoFront, values: Mapping[str, float] | Sequence[float],
                      what: str, method: str) -> np.ndarray:
    """Natural-unit values per objective (a mapping by name or a sequence in order), in
    minimization form."""
    names = list(front.objective_names)
    if isinstance(values, Mapping):
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise ParameterError(f"{what}.{unknown[0]}", f"one of the front's objectives {names}",
                                 repr(unknown[0]), fix=f"give {what} for {', '.join(names)}.",
                                 owner=f"pick(method='{method}')")
        missing = [n for n in names if n not in values]
        if missing:
            raise ParameterError(what, f"a value for every objective {names}",
                                 f"none for {', '.join(missing)}",
                                 fix=f"add {missing[0]}=VALUE.", owner=f"pick(method='{method}')")
        vec = np.array([float(values[n]) for n in names])
    else:
        vec = np.asarray(list(values), dtype=float)
        if vec.shape != (len(names),):
            raise ParameterError(what, f"{len(names)} values ({', '.join(names)})",
                                 f"{vec.size} values", fix="give one value per objective.",
                                 owner=f"pick(method='{method}')")
    signs = np.array([1.0 if s == "min" else -1.0 for s in front.senses])
    return vec * signs


def _weights(front: ParetoFront, weights: Mapping[str, float] | Sequence[float] | None,
             method: str) -> np.ndarray:
    k = len(front.objective_names)
    if weights is None:
        return np.full(k, 1.0 / k)
    if isinstance(weights, Mapping):
        unknown = sorted(set(weights) - set(front.objective_names))
        if unknown:
            raise ParameterError(f"weights.{unknown[0]}",
                                 f"one of the front's objectives {list(front.objective_names)}",
                                 repr(unknown[0]), fix="name an objective of the front.",
                                 owner=f"pick(method='{method}')")
        w = np.array([float(weights.get(n, 0.0)) for n in front.objective_names])
    else:
        w = np.asarray(list(weights), dtype=float)
        if w.shape != (k,):
            raise ParameterError("weights", f"{k} weights ({', '.join(front.objective_names)})",
                                 f"{w.size} weights", fix="give one weight per objective.",
                                 owner=f"pick(method='{method}')")
    if np.any(w < 0) or not np.isfinite(w).all() or w.sum() <= 0:
        raise ParameterError("weights", "non-negative numbers, at least one above 0",
                             str(w.tolist()), fix="e.g. payer_spend=1,creator_npv=1.",
                             owner=f"pick(method='{method}')")
    return w / w.sum()


def _fmt(v: float) -> str:
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:,.3g} billion"
    if a >= 1e6:
        return f"{v / 1e6:,.3g} million"
    if a >= 100:
        return f"{v:,.0f}"
    return f"{v:,.4g}"


def _result(front: ParetoFront, method: str, best: int, second: int | None, score: np.ndarray,
            label: str, why: str, parameters: dict[str, Any], n_cand: int) -> Pick:
    return Pick(
        method=method, index=best,
        objectives={n: float(front.objectives[best, j])
                    for j, n in enumerate(front.objective_names)},
        decisions={n: float(front.decisions[best, j])
                   for j, n in enumerate(front.decision_names)},
        score=float(score[best]), score_label=label, why=why, parameters=parameters,
        runner_up=second, candidates=n_cand,
    )


# --------------------------------------------------------------------------- rules
def status_quo_gains(front: ParetoFront, disagreement: np.ndarray) -> np.ndarray:
    """``(n, k)`` gains over the disagreement point (minimization form ``d - F``: > 0 is
    better than the status quo for that objective's stakeholder)."""
    return disagreement - front.minimization_matrix()


def pick(
    front: ParetoFront,
    method: str = "knee",
    *,
    weights: Mapping[str, float] | Sequence[float] | None = None,
    reference: Mapping[str, float] | Sequence[float] | None = None,
    disagreement: Mapping[str, float] | Sequence[float] | None = None,
    disagreement_label: str = "",
    near: Mapping[str, float] | None = None,
    nmb: np.ndarray | None = None,
    nmb_label: str = "net monetary benefit",
    condition: np.ndarray | None = None,
    condition_label: str = "",
) -> Pick:
    """Pick one point of ``front`` by ``method`` (see the module docstring for the rules).

    Parameters
    ----------
    weights
        ``weights`` and ``asf``: objective -> weight (or a sequence in objective order);
        equal weights by default.
    reference
        ``asf``: the reference (aspiration) point, objective -> value in natural units.
    disagreement
        ``nash`` and ``kalai-smorodinsky``: the disagreement (status-quo) point, objective
        -> value in natural units. Default: the front's nadir (the worst value of each
        objective on the front), stated in the result.
    disagreement_label
        Words for where ``disagreement`` comes from (e.g. "today, without the AI").
    near
        ``nearest``: decision -> target value in the decision's unit (e.g. ``{"p": 55}``).
    nmb, nmb_label
        ``best-nmb``: ``(n,)`` net monetary benefit of each point (currency per year) and
        what it is.
    condition, condition_label
        ``best-nmb`` (and optionally any rule): boolean ``(n,)`` mask of admissible points
        and its wording (e.g. "creator NPV >= 0").

    Returns
    -------
    Pick
        The point, its score and a plain-words reason.

    Examples
    --------
    >>> from paretoprice.optim.front import ParetoFront, Provenance
    >>> fr = ParetoFront(("cost", "gain"), ("min", "max"), ("USD", "share"),
    ...                  [[0, 0.0], [1, 0.8], [4, 1.0]], ("p",), ("USD",), [[0], [1], [4]],
    ...                  {}, {}, Provenance("toy", "", "manual"))
    >>> pick(fr, "knee").decisions
    {'p': 1.0}
    """
    if method not in METHODS:
        raise ParameterError("method", f"one of {', '.join(METHODS)}", repr(method),
                             fix="e.g. --method knee.", owner="pick()")
    z, ideal, nadir = normalized(front)
    n, k = z.shape
    knee = z.sum(axis=1)
    cand = np.ones(n, dtype=bool) if condition is None else np.asarray(condition, dtype=bool)
    if cand.shape != (n,):
        raise ParameterError("condition", f"a boolean mask of {n} points", f"shape {cand.shape}",
                             fix="one value per front point.", owner=f"pick(method='{method}')")
    cond_words = f" among the {int(cand.sum())} points where {condition_label}" \
        if condition is not None and condition_label else ""
    if not cand.any():
        holds = condition_label or "the condition holds"
        raise ParameterError("condition", f"at least one point where {holds}", "none on the front",
                             fix="relax the condition or the guardrails.",
                             owner=f"pick(method='{method}')")
    names = list(front.objective_names)
    params: dict[str, Any] = {"normalization": "front ideal (0) to nadir (1), minimization form"}
    if condition_label:
        params["condition"] = condition_label

    if method == "knee":
        best, second = _argbest(knee, z, cand, larger=False)
        why = (f"smallest sum of objectives normalized to the front (sum z = {knee[best]:.3f} of "
               f"{k}){cond_words}: the point furthest below the plane through the front's "
               "extreme points, where giving any stakeholder more costs another the most")
        return _result(front, method, best, second, knee, "sum of normalized objectives "
                       "(smaller is better)", why, params, int(cand.sum()))

    if method in {"weights", "asf"}:
        w = _weights(front, weights, method)
        params["weights"] = dict(zip(names, w.tolist(), strict=True))
        if method == "weights":
            score = np.max(w * z, axis=1)
            best, second = _argbest(score, z, cand, larger=False)
            worst = names[int(np.argmax(w * z[best]))]
            why = (f"smallest weighted Chebyshev distance to the front's ideal point "
                   f"(max_i w_i z_i = {score[best]:.4f}){cond_words}; its largest weighted "
                   f"shortfall is on {worst}")
            return _result(front, method, best, second, score, "weighted Chebyshev distance "
                           "(smaller is better)", why, params, int(cand.sum()))
        if reference is None:
            raise ParameterError("reference", "a reference point, objective=value for every "
                                 "objective", "nothing",
                                 fix="e.g. --reference payer_spend=2e8,creator_npv=0,...",
                                 owner="pick(method='asf')")
        r = _objective_vector(front, reference, "reference", method)
        span = np.where(nadir > ideal, nadir - ideal, 1.0)
        zr = (r - ideal) / span
        d = w * (z - zr)
        score = d.max(axis=1) + ASF_RHO * d.sum(axis=1)
        best, second = _argbest(score, z, cand, larger=False)
        params["reference"] = dict(zip(names, [float(v) for v in r * np.where(
            np.array(front.senses) == "min", 1.0, -1.0)], strict=True))
        verdict = "meets or beats the reference on every objective" if score[best] <= 0 \
            else "falls short of the reference on at least one objective"
        why = (f"best achievement of the reference point (ASF = {score[best]:.4f}; <= 0 means "
               f"every aspiration met){cond_words}; it {verdict}")
        return _result(front, method, best, second, score, "achievement scalarizing function "
                       "(smaller is better)", why, params, int(cand.sum()))

    if method in {"nash", "kalai-smorodinsky"}:
        if disagreement is None:
            d = nadir.copy()
            label = disagreement_label or "the front's nadir (worst value of each objective " \
                "on the front)"
        else:
            d = _objective_vector(front, disagreement, "disagreement", method)
            label = disagreement_label or "given"
        signs = np.where(np.array(front.senses) == "min", 1.0, -1.0)
        params["disagreement"] = dict(zip(names, (d * signs).tolist(), strict=True))
        params["disagreement_source"] = label
        gains = d - front.minimization_matrix()
        # with the nadir as disagreement point, the nadir's own coordinate has gain 0 for
        # its extreme points; a point must gain strictly on every objective to bargain.
        improving = np.all(gains > 0, axis=1) & cand
        if not improving.any():
            raise ParameterError(
                "disagreement", "a status quo that some front point beats on every objective",
                f"{label}: no front point gains on all of {', '.join(names)}",
                fix="state a worse disagreement point (--disagreement name=value,...) or use "
                    "--method knee.", owner=f"pick(method='{method}')")
        span = np.where(nadir > ideal, nadir - ideal, 1.0)
        if method == "nash":
            with np.errstate(divide="ignore", invalid="ignore"):
                score = np.where(improving[:, None], np.log(np.where(gains > 0, gains, 1.0)
                                                            / span), -np.inf).sum(axis=1)
            best, second = _argbest(score, z, improving, larger=True)
            why = (f"largest product of the stakeholders' gains over the disagreement point "
                   f"({label}){cond_words}; {int(improving.sum())} of {n} points improve on it "
                   "for every objective")
            return _result(front, method, best, second, score, "sum of log gains over the "
                           "disagreement point, gains scaled by the front's range (larger is "
                           "better)", why, params, int(improving.sum()))
        best_gain = np.where(improving[:, None], gains, -np.inf).max(axis=0)
        rel = gains / np.where(best_gain > 0, best_gain, 1.0)
        score = np.where(improving, rel.min(axis=1), -np.inf)
        best, second = _argbest(score, z, improving, larger=True)
        low = names[int(np.argmin(rel[best]))]
        why = (f"every stakeholder gets at least {100 * score[best]:.1f}% of the largest gain the "
               f"front offers it over the disagreement point ({label}){cond_words}; the "
               f"smallest share goes to {low}")
        return _result(front, method, best, second, score, "smallest share of the best "
                       "available gain (larger is better)", why, params, int(improving.sum()))

    if method == "nearest":
        if not near:
            raise ParameterError("near", "decision=value, e.g. p=55", "nothing",
                                 fix="e.g. --near p=55.", owner="pick(method='nearest')")
        cols = []
        for name, target in near.items():
            if name not in front.decision_names:
                raise ParameterError(f"near.{name}", f"a decision of the front "
                                     f"({', '.join(front.decision_names)})", repr(name),
                                     fix="name a decision, e.g. --near p=55.",
                                     owner="pick(method='nearest')")
            x = front.decisions[:, front.decision_names.index(name)]
            rng = float(x.max() - x.min()) or max(abs(float(target)), 1.0)
            cols.append((x - float(target)) / rng)
        score = np.sqrt(np.sum(np.square(np.column_stack(cols)), axis=1))
        best, second = _argbest(score, z, cand, larger=False)
        ties = int(np.sum(np.isclose(score[cand], score[best], rtol=0, atol=1e-12)))
        params["near"] = {k2: float(v) for k2, v in near.items()}
        target = ", ".join(f"{k2} = {v:g}" for k2, v in near.items())
        why = f"closest front point to {target}{cond_words}"
        if ties > 1:
            why += (f"; {ties} front points are equally close, and among them this one is the "
                    "most balanced (smallest worst normalized shortfall, max_i z_i = "
                    f"{z[best].max():.3f})")
        return _result(front, method, best, second, score, "distance to the target, each "
                       "decision scaled by its range on the front (smaller is better)", why,
                       params, int(cand.sum()))

    # best-nmb
    if nmb is None:
        raise ParameterError("nmb", "the net monetary benefit of each point", "nothing",
                             fix="compute it with paretoprice.app.readout.nmb_column(problem, "
                                 "front).", owner="pick(method='best-nmb')")
    v = np.asarray(nmb, dtype=float)
    if v.shape != (n,):
        raise ParameterError("nmb", f"{n} values", f"shape {v.shape}",
                             fix="one value per front point.", owner="pick(method='best-nmb')")
    ok = cand & np.isfinite(v)
    if not ok.any():
        raise ParameterError("nmb", "a finite value on at least one admissible point",
                             "none", fix="check the value inputs (wtp_per_qaly, "
                             "qaly_gain_per_patient).", owner="pick(method='best-nmb')")
    best, second = _argbest(np.where(ok, v, -np.inf), z, ok, larger=True)
    why = f"largest {nmb_label} ({_fmt(v[best])}){cond_words}"
    return _result(front, method, best, second, v, f"{nmb_label} (larger is better)", why,
                   params, int(ok.sum()))


def tradeoffs(front: ParetoFront, picks: Sequence[Pick]) -> dict[str, dict[str, dict[str, float]]]:
    """What each pick gives up against each other pick.

    Returns ``{pick method: {other method: {objective: change}}}`` where ``change`` is the
    other pick's value minus this pick's, in natural units, signed so that a positive number
    is what this pick *gives up* (the other pick is better by that much on that objective).
    Objectives where this pick is at least as good are left out.
    """
    out: dict[str, dict[str, dict[str, float]]] = {}
    for a in picks:
        fa = front.minimization_matrix()[a.index]
        row: dict[str, dict[str, float]] = {}
        for b in picks:
            if b is a or b.index == a.index:
                continue
            fb = front.minimization_matrix()[b.index]
            worse = fa - fb  # > 0: a is worse (minimization form)
            lost = {nm: float(worse[j]) for j, nm in enumerate(front.objective_names)
                    if worse[j] > 0}
            if lost:
                row[b.method] = lost
        out[a.method] = row
    return out


__all__ = ["ASF_RHO", "METHODS", "Pick", "normalized", "pick", "status_quo_gains", "tradeoffs"]
