"""Exact fronts of 0-1 multi-objective knapsacks by bounded dynamic programming.

A model qualifies when every variable is binary and every constraint is a *packing* row,
``sum_j a_ij x_j <= b_i`` with ``a_ij >= 0`` (a row with only non-positive coefficients
and a lower bound is the same after a sign change): the multi-objective multidimensional
knapsack (MOKP) of the benchmark literature, and any selection of services under budgets.

The items are taken one at a time by the merge of :mod:`~paretoprice.solvers.exact.merge`,
one two-option group per item (leave it, take it). A partial decision over the first
``t`` items is described by its *state*: the objective sums so far and the capacity used
so far. A state that is no better in every objective and uses no less of every capacity
than another is dropped, infeasible states are dropped, and a use small enough that every
remaining item still fits is clipped to that floor (so such states tie). Two rules of
Bazgan, Hugot and Vanderpooten (2009), "Solving efficiently the 0-1 multi-objective
knapsack problem", *Computers & Operations Research* 36(1), keep the states few:

* **item order**: items are ranked in each objective by profit per weighted use
  (``c_j / sum_i a_ij / b_i``) and taken in the order of their summed ranks, so good
  items come first and the states' values separate early;
* **bounds**: each state's best completion is bounded, objective by objective, by the
  linear-relaxation (Dantzig) bound of every single capacity row, the smallest one kept.
  Every state is also completed greedily (remaining items in order while they fit); these
  feasible points form a running archive. A state whose bound vector ``u`` is dominated
  by an archive point ``y`` (``y >= u`` and ``y != u``) can only lead to dominated
  points, and is dropped (the merge's :class:`~paretoprice.solvers.exact.merge.StateBound`
  hook, before its dominance filter).

Every nondominated point is found (one decision per distinct objective vector), with no
MILP. The objectives must be integer-valued (exact mode) so sums and comparisons are
exact. The cost grows with the number of states, bounded by ``max_states``: past it, or
past ``time_limit``, the search stops and says so, and the caller uses the MILP search.

Importing this module loads numpy and scipy only (moocore, for the dominance filters,
when :func:`knapsack_front` runs).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from paretoprice.solvers.exact.config import DP_MAX_STATES

if TYPE_CHECKING:
    from paretoprice.solvers.exact.merge import MergeStopped

logger = logging.getLogger(__name__)

DEFAULT_MAX_STATES = DP_MAX_STATES
"""Largest number of partial decisions kept after any item (the back-pointers of every
item are kept too: about 5 bytes per state and item)."""

_CHUNK = 2_000
"""States whose bounds are compared with the archive at once."""


@dataclass(frozen=True)
class PackingForm:
    """A pure 0-1 packing model: ``max P x`` (every row of ``P``), ``W x <= b``, ``x``
    binary.

    Attributes
    ----------
    profits
        ``(k, n)`` objective coefficients in maximization form.
    weights
        ``(m, n)`` non-negative uses of each capacity row.
    capacities
        ``(m,)`` right-hand sides (non-negative).
    """

    profits: np.ndarray
    weights: np.ndarray
    capacities: np.ndarray


def packing_form(G: np.ndarray, A: sparse.csr_array | np.ndarray, row_lower: np.ndarray,
                 row_upper: np.ndarray, col_lower: np.ndarray, col_upper: np.ndarray,
                 integer: np.ndarray) -> PackingForm | None:
    """The packing form of a model, or ``None`` when it is not a pure 0-1 packing model.

    ``G`` holds the objectives in maximization form; rows read ``row_lower <= A x <=
    row_upper``. A row of non-negative coefficients must have a lower bound of at most 0
    (it is then never binding); a row of non-positive coefficients an upper bound of at
    least 0 (it is negated). Rows with no finite capacity are dropped."""
    if not (np.all(integer) and np.all(col_lower == 0) and np.all(col_upper == 1)):
        return None
    A = sparse.csr_array(A, dtype=float)
    n = G.shape[1]
    if A.shape[0]:
        # implicit zeros count: a row of non-negative coefficients has min >= 0
        lo_coef = np.asarray(A.min(axis=1).toarray()).reshape(-1)
        hi_coef = np.asarray(A.max(axis=1).toarray()).reshape(-1)
    else:
        lo_coef = hi_coef = np.zeros(0)
    pos = lo_coef >= 0  # non-negative row: sum(a x) <= row_upper
    neg = ~pos & (hi_coef <= 0)  # non-positive row: sum(-a x) <= -row_lower
    if not np.all(pos | neg) or np.any(pos & (row_lower > 0)) or np.any(neg & (row_upper < 0)):
        return None  # mixed signs, or a row that forces something to be taken
    sign = np.where(pos, 1.0, -1.0)
    caps = np.where(pos, row_upper, -row_lower)
    rows = np.flatnonzero(np.isfinite(caps))  # rows without a capacity never bind
    if np.any(caps[rows] < 0):
        return None  # infeasible: the MILP search says so with its own error
    weights = (A[rows].toarray() * sign[rows, None]).reshape(rows.size, n)
    return PackingForm(profits=np.asarray(G, dtype=float).copy(), weights=weights,
                       capacities=caps[rows].astype(float))


@dataclass(frozen=True)
class KnapsackResult:
    """Every nondominated point of a 0-1 packing model.

    Attributes
    ----------
    x
        ``(n_points, n)`` 0/1 decisions, one row per point.
    values
        ``(n_points, k)`` objective sums, maximization form.
    states
        Partial decisions kept after each item, in the order the items were taken.
    pruned
        Partial decisions dropped by the bounds (the dominance filter's drops not
        included).
    seconds
        Wall time.
    """

    x: np.ndarray
    values: np.ndarray
    states: tuple[int, ...]
    pruned: int
    seconds: float


def item_order(profits: np.ndarray, weights: np.ndarray, capacities: np.ndarray
               ) -> np.ndarray:
    """Items by the sum of their ranks, over objectives, of profit per weighted use
    (best first; ties by index)."""
    n = profits.shape[1]
    scale = np.where(capacities > 0, capacities, 1.0)
    use = (weights / scale[:, None]).sum(axis=0) if weights.size else np.zeros(n)
    ratio = profits / np.maximum(use, 1e-12)
    ranks = np.argsort(np.argsort(-ratio, axis=1, kind="stable"), axis=1, kind="stable")
    return np.lexsort((np.arange(n), ranks.sum(axis=0)))


class _Bounds:
    """Dantzig bounds of the items after position ``t``, for every (objective, row)."""

    def __init__(self, profits: np.ndarray, weights: np.ndarray, order: np.ndarray) -> None:
        self.profits = np.maximum(profits[:, order], 0.0)  # (k, n), taken order
        self.weights = weights[:, order]  # (m, n)

    def upper(self, t: int, values: np.ndarray, slack: np.ndarray) -> np.ndarray:
        """``(S, k)`` upper bounds of the states after item ``t`` (their values plus the
        best fractional completion by the remaining items, smallest over the rows)."""
        c = self.profits[:, t + 1:]
        S, k = values.shape
        best = np.tile(c.sum(axis=1), (S, 1))  # no row: every remaining item
        for i in range(self.weights.shape[0]):
            a = self.weights[i, t + 1:]
            free = a <= 0
            for j in range(k):
                cj = c[j]
                take = ~free & (cj > 0)
                ratio = cj[take] / a[take]
                srt = np.argsort(-ratio, kind="stable")
                w, p, r = a[take][srt], cj[take][srt], ratio[srt]
                cum_w = np.concatenate([[0.0], np.cumsum(w)])
                cum_p = np.concatenate([[0.0], np.cumsum(p)])
                s = np.maximum(slack[:, i], 0.0)
                q = np.searchsorted(cum_w, s, side="right") - 1  # whole items that fit
                frac = np.where(q < r.size,
                                (s - cum_w[q]) * r[np.minimum(q, max(r.size - 1, 0))]
                                if r.size else 0.0, 0.0)
                bound = cj[free].sum() + cum_p[q] + frac
                np.minimum(best[:, j], bound, out=best[:, j])
        return values + np.floor(best + 1e-9)


def _dominated_by_archive(upper: np.ndarray, archive: np.ndarray) -> np.ndarray:
    """Mask of bound vectors ``u`` with an archive point ``y >= u``, ``y != u`` (integer
    values: ``y >= u`` and ``sum(y) > sum(u)``)."""
    out = np.zeros(upper.shape[0], dtype=bool)
    if archive.shape[0] == 0:
        return out
    # only bounds not above the archive's best values can be dominated
    cand = np.flatnonzero(np.all(upper <= archive.max(axis=0), axis=1))
    total = archive.sum(axis=1)
    cols = [np.ascontiguousarray(archive[:, j]) for j in range(archive.shape[1])]
    for s in range(0, cand.size, _CHUNK):
        idx = cand[s:s + _CHUNK]
        u = upper[idx]
        hit = total[None, :] > u.sum(axis=1)[:, None]
        for j, col in enumerate(cols):  # one 2-D comparison per objective
            hit &= col[None, :] >= u[:, j, None]
        out[idx] = hit.any(axis=1)
    return out


def _greedy(values: np.ndarray, used: np.ndarray, profits: np.ndarray, weights: np.ndarray,
            capacities: np.ndarray, rest: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """Values of the states completed by the items ``rest`` (in order) while they fit."""
    v, u = values.copy(), used.copy()
    for j in rest:
        if np.all(profits[:, j] <= 0):
            continue
        fits = np.all(u + weights[:, j] <= capacities + tol, axis=1)
        v[fits] += profits[:, j]
        u[fits] += weights[:, j]
    return v


class _PackingBound:
    """The knapsack's :class:`~paretoprice.solvers.exact.merge.StateBound`: drops the
    candidates whose bound vector an archive point dominates, and completes every kept
    state greedily to grow the archive (maximization form inside, the merge minimizes)."""

    def __init__(self, form: PackingForm, order: np.ndarray, tol: np.ndarray) -> None:
        self.form, self.order, self.tol = form, order, tol
        self.bounds = _Bounds(form.profits, form.weights, order)
        self.archive = np.zeros((0, form.profits.shape[0]))
        self.pruned = 0

    def drop(self, g: int, V: np.ndarray, U: np.ndarray) -> np.ndarray:
        if g + 1 >= self.order.size:  # the last item: every candidate is a full decision
            return np.zeros(V.shape[0], dtype=bool)
        out = _dominated_by_archive(
            self.bounds.upper(g, -V, self.form.capacities - U), self.archive)
        self.pruned += int(out.sum())
        return out

    def update(self, g: int, V: np.ndarray, U: np.ndarray) -> None:
        from paretoprice.optim.indicators import nondominated_mask

        if g + 1 >= self.order.size:
            return
        f = self.form
        done = _greedy(-V, U, f.profits, f.weights, f.capacities, self.order[g + 1:],
                       self.tol)
        both = np.vstack([self.archive, done])
        self.archive = both[nondominated_mask(-both)]


def knapsack_front(form: PackingForm, *, max_states: int = DEFAULT_MAX_STATES,
                   time_limit: float | None = None) -> KnapsackResult | MergeStopped:
    """Nondominated points of a 0-1 multi-objective packing model, exactly: the merge of
    :mod:`~paretoprice.solvers.exact.merge` over one two-option group per item (leave it,
    take it), in :func:`item_order`, with the bounds of :class:`_PackingBound`.

    Parameters
    ----------
    form
        The model (:func:`packing_form`); integer-valued profits.
    max_states
        Stop (returning :class:`~paretoprice.solvers.exact.merge.MergeStopped`, whose
        ``group`` is then the position of the item in that order) when more partial
        decisions than this would be kept after an item.
    time_limit
        Stop after this many seconds (checked between items, and before an item whose
        merge, extrapolated from the last one, would end past it).

    Returns
    -------
    KnapsackResult | MergeStopped
        One decision per nondominated objective vector (deterministic), or why the search
        stopped.
    """
    from paretoprice.solvers.exact.merge import MergeStopped, merge_front

    t0 = time.perf_counter()
    P, W, cap = form.profits, form.weights, form.capacities
    k, n = P.shape
    m = W.shape[0]
    tol = 1e-9 * np.maximum(1.0, np.abs(cap))
    # items that never fit alone, or that add nothing in any objective, stay out: a point
    # with one of the latter is weakly dominated by the same point without it
    usable = np.all(cap[:, None] + tol[:, None] >= W, axis=0) & np.any(P > 0, axis=0)
    idx = np.flatnonzero(usable)
    order = idx[item_order(P[:, idx], W[:, idx], cap)]
    if order.size == 0:  # nothing worth taking: the empty decision alone
        return KnapsackResult(x=np.zeros((1, n)), values=np.zeros((1, k)), states=(),
                              pruned=0, seconds=time.perf_counter() - t0)
    bound = _PackingBound(form, order, tol)
    merged = merge_front([np.vstack([np.zeros(k), -P[:, j]]) for j in order],
                         [np.vstack([np.zeros(m), W[:, j]]) for j in order], cap,
                         max_states=max_states, time_limit=time_limit, bound=bound)
    if isinstance(merged, MergeStopped):
        return merged
    x = np.zeros((merged.choice.shape[0], n))
    x[:, order] = merged.choice
    logger.debug("knapsack: %d items, %d points, peak %d states, %d pruned by bounds",
                 order.size, x.shape[0], max(merged.states, default=1), bound.pruned)
    return KnapsackResult(x=x, values=-merged.values, states=merged.states,
                          pruned=bound.pruned, seconds=time.perf_counter() - t0)


__all__ = ["DEFAULT_MAX_STATES", "KnapsackResult", "PackingForm", "item_order",
           "knapsack_front", "packing_form"]
