"""Exact fronts of multiple-choice knapsacks by merging the groups one at a time.

The exact form of a portfolio (:class:`~paretoprice.optim.problem.ChoiceStructure`) picks
one option in each group; each objective is a sum of the chosen options' contributions
and each coupling constraint (an annual budget) a sum of their uses. A partial choice over
the first ``g`` groups is described by its *state*: the objective sums so far and the
uses so far. Two partial choices with states ``a`` and ``b`` can be completed by the same
options of the remaining groups, so when ``a`` is at least as good as ``b`` in every
objective and uses no more of every coupling resource, no completion of ``b`` is better
than the same completion of ``a``: ``b`` is dropped. This is dynamic programming over
nondominated states (the multi-objective knapsack algorithms of Klamroth and Wiecek
2000 and Bazgan, Hugot and Vanderpooten 2009; their bounds are an optional
:class:`StateBound`, which the 0-1 knapsack of :mod:`~paretoprice.solvers.exact.knapsack`
passes).

Two rules keep the states few:

* **infeasible states are dropped**: a state whose use plus the least use of the
  remaining groups exceeds a capacity can never be completed;
* **a slack use is clipped**: a state whose use plus the *largest* use of the remaining
  groups fits the capacity can be completed by anything, so its use is replaced by
  ``capacity - largest remaining use``. States differing only in such slack then tie,
  and after the last group the uses drop out of the comparison altogether.

Every nondominated point of the knapsack is found (one decision per distinct objective
vector), with no MILP and no rounding of its own; the caller passes the integer-valued
objectives the MILP path would use, so both paths give the same set. The cost grows with
the number of nondominated states, which is bounded by ``max_states``; past it the merge
stops and says so (the MILP path, which solves one model per point, is then the only
exact method left, and is slower still).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Protocol

import numpy as np

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.indicators import nondominated_mask

logger = logging.getLogger(__name__)

DEFAULT_MAX_STATES = 8_000_000
"""Largest number of partial choices kept after any group (about 0.5 GB at 4 objectives
and one coupling constraint, with the candidates of the next group)."""

GROWTH_EXPONENT = 1.3
"""A group's merge time grows about as (its candidates)**1.3 (measured on synthetic
portfolios, 4 objectives: 2.1 to 4.9 microseconds per candidate from 0.1 to 5 million
candidates); used with a time limit to stop before a group that would overrun it."""

GROWTH_MIN_S = 0.05
"""Groups merged faster than this are too noisy to extrapolate from."""

UNION_FACTOR = 4
"""The chunks' survivors of one group, kept until their union is filtered, may number at
most this many times ``max_states`` (a memory guard: past it the merge stops)."""

CHUNK_ROWS = 4_000_000
"""Candidates filtered together at most (the filter of their union follows)."""


class StateBound(Protocol):
    """Bounds that drop partial choices no completion can make nondominated (the
    0-1 knapsack's rules in :mod:`~paretoprice.solvers.exact.knapsack`).

    ``drop(g, V, U)`` is called with the candidates of group ``g`` (objective sums,
    minimized, and clipped uses) before they are filtered, and returns a mask of those
    to drop; it must drop none whose completions include a nondominated point not found
    otherwise. ``update(g, V, U)`` is called with the states kept after group ``g``.
    Both are called from the merging thread only when ``workers == 1``; with more workers
    ``drop`` may run on two chunks at once and must not change shared state."""

    def drop(self, g: int, V: np.ndarray, U: np.ndarray) -> np.ndarray: ...

    def update(self, g: int, V: np.ndarray, U: np.ndarray) -> None: ...


@dataclass(frozen=True)
class MergeResult:
    """Every nondominated point of a multiple-choice knapsack.

    Attributes
    ----------
    choice
        ``(n_points, n_groups)`` index of the option chosen in each group.
    values
        ``(n_points, n_objectives)`` objective sums, minimization sense, in the units of
        the values passed (the caller's integers).
    states
        Partial choices kept after each group (the last is ``n_points``).
    candidates
        Partial choices examined over all groups (the work done).
    seconds
        Wall time of the merge.
    """

    choice: np.ndarray
    values: np.ndarray
    states: tuple[int, ...]
    candidates: int
    seconds: float


@dataclass(frozen=True)
class MergeStopped:
    """Why the merge stopped before the last group (no front: partial states are not one).

    Attributes
    ----------
    reason
        ``"max_states"`` or ``"time_limit"``.
    group
        0-based index of the group whose merge passed the limit.
    states
        Partial choices kept after each group merged before it.
    seconds
        Wall time spent.
    """

    reason: str
    group: int
    states: tuple[int, ...]
    seconds: float


def merge_front(
    values: Sequence[np.ndarray],
    uses: Sequence[np.ndarray] = (),
    capacities: Sequence[float] | np.ndarray = (),
    *,
    max_states: int = DEFAULT_MAX_STATES,
    time_limit: float | None = None,
    chunk_rows: int = CHUNK_ROWS,
    workers: int = 1,
    bound: StateBound | None = None,
) -> MergeResult | MergeStopped:
    """Nondominated points of a multi-objective multiple-choice knapsack, exactly.

    Parameters
    ----------
    values
        Per group, ``(n_options, n_objectives)`` contributions of its options, all
        objectives minimized (negate a maximized one). Integer-valued floats give exact
        sums up to 2**53.
    uses
        Per group, ``(n_options, n_couplings)`` use of each option (empty: no coupling).
    capacities
        ``(n_couplings,)`` right-hand sides: ``sum of uses <= capacity``.
    max_states
        Stop (returning :class:`MergeStopped`) when more partial choices than this would
        be kept after a group, or when a group's chunks leave more than
        ``UNION_FACTOR * max_states`` survivors to filter together.
    time_limit
        Stop after this many seconds: checked between groups and chunks, and before a
        group whose merge, extrapolated from the last one, would end past it.
    chunk_rows
        Candidates filtered together at most; more are filtered in chunks of whole
        options, then together (the same result, less memory at once).
    workers
        Threads filtering a group's chunks at the same time (only groups with more than
        one chunk; the result is the same for any number).
    bound
        Optional :class:`StateBound`: candidates it drops are not filtered or kept.

    Returns
    -------
    MergeResult | MergeStopped
        The front with one decision per nondominated objective vector (the first found
        among ties, so the result is deterministic), or why the merge stopped. An
        infeasible knapsack gives an empty front.
    """
    t0 = time.perf_counter()
    deadline = None if time_limit is None else t0 + float(time_limit)
    cap = np.asarray(capacities, dtype=float).reshape(-1)
    n_groups = len(values)
    if n_groups == 0:
        raise ParameterError("values", "at least one group of options", "no group",
                             fix="pass one (n_options, n_objectives) array per group.",
                             owner="merge_front")
    k = np.asarray(values[0]).shape[1]
    c = cap.size
    vals = [np.asarray(v, dtype=float).reshape(-1, k) for v in values]
    use = ([np.asarray(u, dtype=float).reshape(len(v), c) for u, v in zip(uses, vals,
                                                                           strict=True)]
           if c else [np.zeros((len(v), 0)) for v in vals])
    # least and largest use of the groups after group g (suffix sums)
    lo = np.array([u.min(axis=0) if len(u) else np.full(c, np.inf) for u in use])
    hi = np.array([u.max(axis=0) if len(u) else np.full(c, -np.inf) for u in use])
    rest_lo = np.vstack([np.cumsum(lo[::-1], axis=0)[::-1][1:], np.zeros((1, c))]) \
        if c else np.zeros((n_groups, 0))
    rest_hi = np.vstack([np.cumsum(hi[::-1], axis=0)[::-1][1:], np.zeros((1, c))]) \
        if c else np.zeros((n_groups, 0))
    tol = 1e-9 * np.maximum(1.0, np.abs(cap))

    V = np.zeros((1, k))
    U = np.zeros((1, c))
    parents: list[np.ndarray] = []
    options: list[np.ndarray] = []
    states: list[int] = []
    candidates = 0
    last_s, last_n = 0.0, 0  # seconds and candidates of the last group merged
    for g in range(n_groups):
        n, m = V.shape[0], vals[g].shape[0]
        now = time.perf_counter()
        if (deadline is not None and last_s > GROWTH_MIN_S
                and now + last_s * (n * m / last_n) ** GROWTH_EXPONENT > deadline):
            # this group would not finish in time (its candidates grow the filter's time
            # about as candidates**1.3): stop before starting it rather than overrun
            return MergeStopped("time_limit", g, tuple(states), now - t0)
        candidates += n * m
        if n == 0 or m == 0:
            V, U = np.zeros((0, k)), np.zeros((0, c))
            parents.append(np.zeros(0, dtype=np.int64))
            options.append(np.zeros(0, dtype=np.int64))
            states.append(0)
            break
        floor = cap - rest_hi[g]
        kept_v, kept_u, kept_p, kept_o = [], [], [], []
        per_chunk = max(1, chunk_rows // n)
        work = partial(_merge_chunk, V, U, vals[g], use[g], rest_lo=rest_lo[g], cap=cap,
                       tol=tol, floor=floor,
                       drop=None if bound is None else partial(bound.drop, g))
        chunks = [np.arange(j0, min(m, j0 + per_chunk)) for j0 in range(0, m, per_chunk)]
        # the chunks are the same for any number of workers (so is the result); threads
        # filter two at a time (moocore releases the GIL)
        pool = (ThreadPoolExecutor(min(workers, len(chunks)),
                                   thread_name_prefix="paretoprice-merge")
                if workers > 1 and len(chunks) > 1 else None)
        try:
            results = pool.map(work, chunks) if pool is not None else map(work, chunks)
            for cv, cu, cp, co in results:
                kept_v.append(cv)
                kept_u.append(cu)
                kept_p.append(cp)
                kept_o.append(co)
                if sum(len(x) for x in kept_p) > UNION_FACTOR * max_states:
                    # the chunks' survivors, before their union is filtered, would outgrow
                    # the memory max_states stands for
                    return MergeStopped("max_states", g, tuple(states),
                                        time.perf_counter() - t0)
                if deadline is not None and time.perf_counter() > deadline:
                    return MergeStopped("time_limit", g, tuple(states),
                                        time.perf_counter() - t0)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        V, U = np.vstack(kept_v), np.vstack(kept_u)
        P, Opt = np.concatenate(kept_p), np.concatenate(kept_o)
        if len(kept_v) > 1:
            keep = nondominated_states(V, U)
            V, U, P, Opt = V[keep], U[keep], P[keep], Opt[keep]
        if V.shape[0] > max_states:
            return MergeStopped("max_states", g, tuple(states), time.perf_counter() - t0)
        if bound is not None:
            bound.update(g, V, U)
        parents.append(P)
        options.append(Opt)
        states.append(V.shape[0])
        last_s, last_n = time.perf_counter() - now, n * m
        logger.debug("merge: group %d of %d, %d states", g + 1, n_groups, V.shape[0])
        if deadline is not None and time.perf_counter() > deadline and g + 1 < n_groups:
            return MergeStopped("time_limit", g + 1, tuple(states), time.perf_counter() - t0)
    # walk the back-pointers from the last group to the first
    n_points = V.shape[0] if len(parents) == n_groups else 0
    choice = np.zeros((n_points, n_groups), dtype=np.int64)
    row = np.arange(n_points)
    for g in range(n_groups - 1, -1, -1):
        if n_points == 0:
            break
        choice[:, g] = options[g][row]
        row = parents[g][row]
    return MergeResult(choice=choice, values=V[:n_points], states=tuple(states),
                       candidates=candidates, seconds=time.perf_counter() - t0)


def _merge_chunk(V: np.ndarray, U: np.ndarray, values: np.ndarray, uses: np.ndarray,
                 js: np.ndarray, *, rest_lo: np.ndarray, cap: np.ndarray, tol: np.ndarray,
                 floor: np.ndarray, drop: Callable[[np.ndarray, np.ndarray], np.ndarray]
                 | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The states ``(V, U)`` paired with options ``js`` of one group: the feasible ones,
    slack uses clipped to ``floor``, those ``drop`` does not drop, filtered to the
    nondominated; their objective sums, uses, parent states and options."""
    n, k, c = V.shape[0], V.shape[1], U.shape[1]
    cv = (V[None, :, :] + values[js, None, :]).reshape(-1, k)
    cu = (U[None, :, :] + uses[js, None, :]).reshape(n * js.size, c)
    cp = np.tile(np.arange(n), js.size)
    co = np.repeat(js, n)
    if c:
        ok = np.all(cu + rest_lo <= cap + tol, axis=1)
        # slack use -> the floor (within the tolerance, so that sums differing only by
        # rounding tie, and every feasible use ties after the last group)
        cu = cu[ok]
        cv, cu, cp, co = cv[ok], np.where(cu <= floor + tol, floor, cu), cp[ok], co[ok]
    if drop is not None:
        # candidates the bounds rule out go before the costlier filter
        out = ~drop(cv, cu)
        cv, cu, cp, co = cv[out], cu[out], cp[out], co[out]
    keep = nondominated_states(cv, cu)
    return cv[keep], cu[keep], cp[keep], co[keep]


def nondominated_states(V: np.ndarray, U: np.ndarray) -> np.ndarray:
    """Mask of the states not dominated in (objectives, uses), all minimized; of equal
    states the first is kept. Columns that are constant are left out of the comparison."""
    if V.shape[0] <= 1:
        return np.ones(V.shape[0], dtype=bool)
    X = np.hstack([V, U]) if U.shape[1] else V
    varying = np.ptp(X, axis=0) > 0
    if not varying.any():
        keep = np.zeros(X.shape[0], dtype=bool)
        keep[0] = True
        return keep
    X = X[:, varying]
    if X.shape[1] == 1:
        # one criterion: the first of its best values
        keep = np.zeros(X.shape[0], dtype=bool)
        keep[int(np.argmin(X[:, 0]))] = True
        return keep
    return nondominated_mask(X)
