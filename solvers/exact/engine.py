"""Augmented epsilon-constraint method (AUGMECON2 / AUGMECON-R class) on one HiGHS model.

The method, for objectives ``f_1..f_k`` (each in its own sense; internally every objective
is maximized, ``g_j = +/- f_j``):

1. **Payoff table.** Each objective is optimized, then the others lexicographically with
   the previous ones held at their optimum. It gives the ideal point (best value of each
   objective) and, with two objectives, the exact nadir point.
2. **Epsilon sweep.** ``max W g_1 + sum_j w_j g_j`` subject to ``g_j >= e_j`` for
   ``j = 2..k``, over a grid of epsilon vectors ``e``. The augmentation terms
   ``w_j g_j`` (AUGMECON2's slack terms ``s_j / r_j``, the constant ``e_j`` dropped)
   make every solution efficient, not only weakly efficient.
3. **Bypass and pruning.** A solution found at ``e`` with objective values ``g`` is also
   the answer at every grid point ``e'`` with ``e <= e' <= g`` (it stays feasible there
   and the feasible set only shrinks): those points are skipped (AUGMECON2's bypass
   along the innermost objective, AUGMECON-R's flags along the outer ones). An
   infeasible ``e`` makes every ``e' >= e`` infeasible (early exit). The engine keeps
   these regions as boxes and jumps, in every dimension, straight to the first grid
   value not covered: with two objectives, after a solution with ``g_2 = v`` the next
   bound is ``v + 1``, so about one model is solved per Pareto point.

**Exact mode** (every objective has integer coefficients on integer variables,
detected automatically): the grid is every integer (every multiple of the objective's
coefficient gcd) from a valid lower bound to the ideal value, and the method returns
EVERY nondominated point. The augmentation uses integer weights ``W > sum_j (range of
g_j)`` so the first objective is optimized exactly and the working objective stays
integral. **Grid mode** (continuous objectives): ``grid_points`` equally spaced values
per constrained objective between the payoff-table nadir and ideal values; the method
returns the exact efficient point of every grid point (AUGMECON2 with ``eps = 1e-3``).

With ``workers > 1`` the sweep runs in threads (HiGHS releases the GIL while it solves;
``pool="processes"`` runs it in spawned processes instead, for comparison), each with its
own persistent HiGHS model built from the compiled matrix: with two objectives in exact
mode one worker walks the front from each end until they meet; otherwise the outermost grid
dimension is split into contiguous ranges. The nondominated set is the same whatever the number of
workers (points are deduplicated, filtered and sorted deterministically).

**Search** (``search``): ``"auto"`` (default) runs the sweep above for two objectives and,
for three or more integer objectives, the search zones of Tamby and Vanderpooten (2021)
(:class:`_ZoneSearch`: one solve per zone with one objective free, certificates that close
zones without a solve; two workers solve two zones at a time). ``"augmecon"`` forces the
sweep, ``"boxes"`` the Kirlik-Sayin box search (:class:`_BoxSearch`), ``"zones"`` the zone
search. A pure 0-1 packing model (binary variables, constraints ``sum a x <= b`` with
``a >= 0``: the multi-objective knapsack) with three or more objectives needs no MILP at
all: ``"auto"`` (or ``"dp"``, for any number of objectives) runs the bounded dynamic
programme of :mod:`~paretoprice.solvers.exact.knapsack`, and falls back to the zone search
when it passes its state limit or half the time limit.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import logging
import math
import multiprocessing as mp
import queue
import threading
import time
import traceback
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from paretoprice.optim.errors import ParameterError
from paretoprice.solvers.exact.config import EngineConfig, make_config
from paretoprice.solvers.exact.errors import (
    InfeasibleModelError,
    SolverFailureError,
    UnboundedObjectiveError,
)
from paretoprice.solvers.exact.highs_model import (
    CompiledModel,
    HighsModel,
    PyomoRebuildModel,
    SolveRecord,
    SolverModel,
    SolveStatus,
    compile_model,
    compile_with_clone,
)
from paretoprice.solvers.exact.knapsack import KnapsackResult, knapsack_front, packing_form

logger = logging.getLogger(__name__)

OWNER = "solve_epsilon_constraint"
INF = math.inf
AUGMECON_EPS = 1e-3
"""AUGMECON2's augmentation factor in grid mode (slack terms ``eps * s_j / r_j``)."""
MAX_WEIGHTED_MAGNITUDE = 1e9
"""Largest working-objective magnitude for which exact integer weights are used."""
_STOP_POLL_S = 0.5
AUTO_PARALLEL_MIN = 200.0
"""``workers="auto"`` runs a sweep of fewer grid values than this in one thread."""
AUTO_PARALLEL_SOLVE_S = 0.02
"""``workers="auto"`` runs the zone search in one thread when the payoff table's solves
took less than this on average (seconds): with such short solves the Python bookkeeping
between them, which holds the interpreter, leaves a second thread little to overlap."""


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class EpsilonConstraintResult:
    """The nondominated points found by :func:`solve_epsilon_constraint`.

    Attributes
    ----------
    objective_names
        Names of the objectives of ``obj_list`` (Pyomo names, e.g. ``obj_list[1]``).
    senses
        ``"min"`` or ``"max"`` per objective.
    points
        ``(n, k)`` objective values, each in its own sense and units (offsets included),
        sorted by the first objective from best to worst, then the second, ...
    solutions
        ``(n, n_vars)`` variable values, one row per point.
    variable_names
        Names of the columns of ``solutions`` (Pyomo names; fixed variables and
        variables that appear nowhere are left out).
    status
        Solver status of the solve that produced each point.
    mip_gap
        Relative MIP gap of each point's solve (0 when proven optimal).
    solve_time
        Seconds spent in the solver for each point's solve.
    payoff_table
        ``(k, k)``: row ``i`` holds every objective's value (own sense and units) at the
        lexicographic optimum of objective ``i``. Its diagonal is the ideal point.
    models_solved
        Every solver call of the run (payoff table, bounds, sweep), over all workers.
    infeasible
        Solves that proved an epsilon point infeasible.
    skipped
        Grid points answered by a previous solution or infeasibility (bypass, flags)
        instead of a solve.
    runtime_s
        Wall-clock seconds of the whole call, including compiling the model.
    workers
        Processes used for the sweep.
    exact
        Whether the points are guaranteed to be the complete nondominated set (exact
        mode, ``mip_rel_gap == 0`` and no time limit reached).
    grid_points
        Grid points per constrained objective in grid mode, ``None`` in exact mode.
    complete
        False when the time limit stopped the sweep early.
    solver_time_s
        Seconds inside the solver summed over every solve of the run (payoff table
        included, all workers): the work measure that a machine shared with other jobs
        distorts least.
    search
        The search that ran: ``"augmecon"`` (the epsilon sweep), ``"zones"``, ``"boxes"``
        or ``"dp"`` (dynamic programming, no solver call: ``models_solved`` is 0).
    baseline
        Whether the baseline (rebuild-per-solve) mode produced this result.
    """

    objective_names: tuple[str, ...]
    senses: tuple[str, ...]
    points: np.ndarray
    solutions: np.ndarray
    variable_names: tuple[str, ...]
    status: tuple[SolveStatus, ...]
    mip_gap: np.ndarray
    solve_time: np.ndarray
    payoff_table: np.ndarray
    models_solved: int
    infeasible: int
    skipped: int
    runtime_s: float
    workers: int
    exact: bool = True
    grid_points: int | None = None
    complete: bool = True
    baseline: bool = False
    solver_time_s: float = 0.0
    search: str = "augmecon"

    @property
    def n_points(self) -> int:
        """Number of nondominated points."""
        return int(self.points.shape[0])

    @property
    def models_per_point(self) -> float:
        """Models solved per nondominated point."""
        return self.models_solved / max(1, self.n_points)


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class _Axis:
    """The epsilon values of one constrained objective (internal maximization units).

    ``aligned`` grids hold ``origin + t * step`` only; otherwise (exact mode) every value
    is allowed and the value after a solution with ``g = v`` is ``v + step``.
    """

    first: float
    last: float
    step: float
    origin: float
    aligned: bool
    tol: float

    def next_after(self, value: float, current: float) -> float | None:
        """First epsilon value above ``value`` and ``current`` (``None`` past the end)."""
        if not math.isfinite(value):
            return None
        if self.aligned:
            t = math.floor((value + self.tol - self.origin) / self.step) + 1
            nxt = self.origin + t * self.step
            while nxt <= max(value + self.tol, current):
                t += 1
                nxt = self.origin + t * self.step
        else:
            nxt = max(value, current) + self.step
        nxt = max(nxt, self.first)
        return nxt if nxt <= self.last + self.tol else None


@dataclass(frozen=True)
class _Seed:
    """A solution known before the sweep; ``lo`` set when it also answers ``e = lo``."""

    g: np.ndarray
    x: np.ndarray
    record: SolveRecord
    lo: np.ndarray | None = None


@dataclass(frozen=True)
class _Task:
    """One sweep: a primary objective, constrained objectives (innermost first)."""

    primary: int
    order: tuple[int, ...]
    weights: np.ndarray
    axes: tuple[_Axis, ...]
    seeds: tuple[_Seed, ...]
    own_slot: int | None = None
    partner_slot: int | None = None


@dataclass
class _TaskOutput:
    g: list[np.ndarray] = field(default_factory=list)
    x: list[np.ndarray] = field(default_factory=list)
    records: list[SolveRecord] = field(default_factory=list)
    solves: int = 0
    infeasible: int = 0
    skipped: int = 0
    complete: bool = True
    solve_s: float = 0.0


@dataclass(frozen=True)
class PayoffTable:
    """Lexicographic optimum of every objective, in internal maximization form."""

    g: np.ndarray  # (k, k) internal values, row i = lexicographic optimum of objective i
    x: np.ndarray  # (k, n)
    records: tuple[SolveRecord, ...]

    @property
    def ideal(self) -> np.ndarray:
        return np.diag(self.g).copy()

    @property
    def nadir(self) -> np.ndarray:
        return self.g.min(axis=0)


class _StopSweepError(Exception):
    """Raised inside a sweep when the time budget is spent (caught by the sweep)."""


# --------------------------------------------------------------------------- public


def solve_epsilon_constraint(
    model: Any,
    config: EngineConfig | None = None,
    **options: Any,
) -> EpsilonConstraintResult:
    """Nondominated points of a linear multi-objective Pyomo model (augmented
    epsilon-constraint, AUGMECON2 / AUGMECON-R class, on a persistent HiGHS model).

    Parameters
    ----------
    model
        Pyomo ``ConcreteModel`` with its objectives in an ``ObjectiveList`` named
        ``obj_list`` (at least two; active or not; each minimized or maximized as its
        ``sense`` says). Linear constraints; continuous, integer or binary variables.
        Never modified.
    config
        Validated options (:class:`~paretoprice.solvers.exact.config.EngineConfig`).
    **options
        The same options by name (validated into an ``EngineConfig``; they override
        ``config``): ``grid_points`` (grid mode; ``None`` for exact mode),
        ``integer_objectives`` (``None`` detects: exact mode, every nondominated point
        when every objective has integer coefficients on integer variables), ``workers``
        (int or ``"auto"``; the nondominated set does not depend on it), ``time_limit``
        (seconds for the whole run, default
        :data:`~paretoprice.solvers.exact.config.DEFAULT_TIME_LIMIT_S`, ``None``: none;
        when it runs out the points found so far are returned with ``complete=False``),
        ``mip_rel_gap`` (0 proves optimality, which exact mode needs), ``baseline``
        (rebuild the Pyomo model for every solve, pyaugmecon's way, one worker),
        ``highs_options``, ``pool`` (``"threads"`` or ``"processes"``), ``search``
        (``"auto"``, ``"zones"``, ``"augmecon"``, ``"boxes"``, ``"dp"``; see the module
        docstring) and
        ``zone_group`` (zones with the same bound one solve of the zone search explores
        together; 8).

    Returns
    -------
    EpsilonConstraintResult

    Raises
    ------
    ParameterError
        Bad arguments or an unsupported model (message says how to fix it).
    InfeasibleModelError
        The constraints admit no solution.
    UnboundedObjectiveError
        An objective is unbounded over the feasible set.
    SolverFailureError
        HiGHS failed (numerical trouble, time limit inside the payoff table, ...).
    """
    t0 = time.perf_counter()
    cfg = engine_config(config, options)
    grid_points, workers, time_limit = cfg.grid_points, cfg.workers, cfg.time_limit
    mip_rel_gap, baseline = cfg.mip_rel_gap, cfg.baseline
    highs_options = dict(cfg.highs_options) or None
    deadline = None if time_limit is None else time.monotonic() + float(time_limit)
    compiled, work, columns = compile_with_clone(model, owner=OWNER)
    integer = _resolve_mode(compiled, grid_points, cfg.integer_objectives)
    search = cfg.search
    if search in ("dp", "auto") and integer and not baseline:
        form = packing_form(compiled.G, compiled.A, compiled.row_lower, compiled.row_upper,
                            compiled.col_lower, compiled.col_upper, compiled.integer)
        if form is None and search == "dp":
            raise ParameterError(
                "search", "'dp' only for a pure 0-1 packing model (binary variables, every "
                "constraint sum(a*x) <= b with a >= 0)", search,
                fix="drop search (auto chooses the MILP search for this model).", owner=OWNER)
        if form is not None and (search == "dp" or compiled.n_objectives >= 3):
            dp_budget = None if deadline is None else 0.5 * float(time_limit or 0.0)
            found = knapsack_front(form, max_states=cfg.dp_max_states, time_limit=dp_budget)
            if isinstance(found, KnapsackResult):
                return _knapsack_result(compiled, found, time.perf_counter() - t0)
            logger.warning("search='dp' stopped (%s) after item %d of %d in %.1f s; the MILP "
                           "search takes over", found.reason, found.group,
                           compiled.n_cols, found.seconds)
            search = "auto"
    solver: SolverModel
    if baseline:
        solver = PyomoRebuildModel(compiled, work, columns, mip_rel_gap=mip_rel_gap,
                                   options=highs_options)
    else:
        solver = HighsModel(compiled, mip_rel_gap=mip_rel_gap, options=highs_options)

    if search in ("auto", "dp"):
        search = "zones" if integer and compiled.n_objectives >= 3 else "augmecon"
    payoff: PayoffTable | None = None
    if search == "zones" and integer and compiled.n_objectives >= 3:
        payoff = augmented_payoff(solver, compiled, deadline)
    if payoff is None:
        payoff = payoff_table(solver, compiled, integer, deadline)
    logger.info("payoff table (internal max form):\n%s", payoff.g)
    extra_solves = 0
    bounds_exact = True
    first = payoff.nadir
    if integer:
        first, bounds_exact, extra_solves = _grid_start(solver, compiled, payoff, deadline)

    def plan(n_workers: int) -> list[_Task]:
        if integer:
            return _exact_tasks(compiled, payoff, first, n_workers)
        assert grid_points is not None
        return _grid_tasks(compiled, payoff, grid_points, n_workers)

    payoff_solves = solver.solves - extra_solves
    if search == "zones" and integer and compiled.n_objectives >= 3:
        if not math.isfinite(first[0]):
            first0, proven0, more = _grid_start(solver, compiled, payoff, deadline,
                                                all_objectives=True)
            first, bounds_exact = first0, bounds_exact and proven0
            extra_solves += more
        if cfg.pool == "processes" and workers > 1:
            logger.warning("pool='processes' applies to the augmecon sweep only; the zone "
                           "search runs its %d workers as threads", workers)
        zs = _ZoneSearch(solver, payoff, first, deadline, mip_rel_gap=mip_rel_gap,
                         options=highs_options, group=cfg.zone_group)
        n_threads = workers if not baseline else 1
        mean_solve = float(np.mean([r.time_s for r in payoff.records]))
        if n_threads > 1 and cfg.adaptive_workers and mean_solve < AUTO_PARALLEL_SOLVE_S:
            n_threads = 1  # workers="auto": solves too short for a second thread to pay
        extra = [HighsModel(compiled, mip_rel_gap=mip_rel_gap, options=highs_options)
                 for _ in range(n_threads - 1)]
        out = zs.run(extra)
        models = [solver, *extra, *zs.group_models]
        result = _assemble(
            compiled, payoff, [out], integer=True,
            models_solved=payoff_solves + extra_solves + out.solves,
            runtime_s=time.perf_counter() - t0, workers=n_threads,
            exact=bounds_exact and mip_rel_gap == 0.0, grid_points=None, baseline=False,
            solver_time_s=sum(_solver_seconds(m) for m in models))
        result = dataclasses.replace(result, search="zones")
        logger.info("%s (zones): %d nondominated points, %d models (%.2f per point), "
                    "%d zones closed without a solve, %.2f s", OWNER, result.n_points,
                    result.models_solved, result.models_per_point, result.skipped,
                    result.runtime_s)
        return result
    if search == "boxes" and integer:
        order = tuple(range(1, compiled.n_objectives))
        weights = _augmented_integer_weights(0, order, first, payoff.ideal)
        if np.all(weights[list(order)] > 0):
            out = _BoxSearch(solver, payoff, first, weights, deadline).run()
            result = _assemble(
                compiled, payoff, [out], integer=True,
                models_solved=payoff_solves + extra_solves + out.solves,
                runtime_s=time.perf_counter() - t0, workers=1,
                exact=bounds_exact and mip_rel_gap == 0.0, grid_points=None, baseline=False,
                solver_time_s=_solver_seconds(solver))
            result = dataclasses.replace(result, search="boxes")
            logger.info("%s (boxes): %d nondominated points, %d models (%.2f per point), "
                        "%d infeasible, %d boxes closed without a solve, %.2f s", OWNER,
                        result.n_points, result.models_solved, result.models_per_point,
                        result.infeasible, result.skipped, result.runtime_s)
            return result
        logger.warning("search='boxes' needs exact augmentation weights (objective ranges "
                       "too large); using search='augmecon'")
    before_sweep_s = _solver_seconds(solver)
    tasks = plan(1 if baseline else workers)
    if cfg.adaptive_workers and len(tasks) > 1 and _expected_sweep(tasks) < AUTO_PARALLEL_MIN:
        tasks = plan(1)  # workers="auto": a short sweep runs in this thread
    if len(tasks) == 1:
        outputs = [_run_task(solver, tasks[0], deadline, None)]
        used_workers = 1
    elif cfg.pool == "processes":
        outputs = _run_processes(compiled, tasks, deadline, mip_rel_gap, highs_options)
        used_workers = len(tasks)
    else:
        outputs = _run_threads(solver, compiled, tasks, deadline, mip_rel_gap, highs_options)
        used_workers = len(tasks)
    # With integer weights too large to be exact the sweep optimizes the primary alone and
    # its skipping can pass over points that tie with a known one in the primary: the set
    # is then not guaranteed (the zone search, the default for 3+ objectives, is).
    primary_alone = integer and any(
        not np.all(np.asarray(t.weights)[list(t.order)] > 0) for t in tasks)
    if primary_alone:
        logger.warning("search='augmecon': the objectives' ranges are too large for exact "
                       "augmentation weights, so points that tie in the first objective may "
                       "be missed and the set is not marked exact; use search='zones' (the "
                       "default for 3 or more objectives) or a coarser resolution")
    result = _assemble(
        compiled, payoff, outputs, integer=integer,
        models_solved=payoff_solves + extra_solves + sum(o.solves for o in outputs),
        runtime_s=time.perf_counter() - t0, workers=used_workers,
        exact=integer and bounds_exact and mip_rel_gap == 0.0 and not primary_alone,
        grid_points=None if integer else grid_points, baseline=baseline,
        solver_time_s=before_sweep_s + sum(o.solve_s for o in outputs),
    )
    logger.info(
        "%s: %d nondominated points, %d models (%.2f per point), %d infeasible, %d skipped, "
        "%.2f s, %d worker(s)", OWNER, result.n_points, result.models_solved,
        result.models_per_point, result.infeasible, result.skipped, result.runtime_s,
        result.workers,
    )
    return result


@dataclass(frozen=True)
class PerPointLimit:
    """The one-solve-per-point limit of a front (:func:`one_solve_per_point`).

    Attributes
    ----------
    solves
        Solves made: one per point.
    wall_s
        Wall-clock seconds of those solves (HiGHS time plus setting bounds and starts).
    cpu_s
        CPU seconds of this process during those solves.
    matched
        Points whose solve returned the point itself (all of them for a nondominated set).
    """

    solves: int
    wall_s: float
    cpu_s: float
    matched: int


def one_solve_per_point(model: Any, result: EpsilonConstraintResult | np.ndarray,
                        config: EngineConfig | None = None, **options: Any) -> PerPointLimit:
    """Time one HiGHS solve per nondominated point of ``result`` (exact mode): the
    epsilon-constraint model whose answer is that point (every constrained objective bounded
    by the point's own value, the same augmented weights, options and persistent model,
    with the sweep's rule for MIP starts). No epsilon method can solve fewer models, so the
    total is the reference against which a run's time is judged (the issue's "limit").

    ``model`` must be the model ``result`` was computed from; ``result`` may also be the
    ``(n_points, n_objectives)`` points themselves, in the objectives' own units and senses
    (e.g. a sample of a front found another way); ``config``/``options`` as in
    :func:`solve_epsilon_constraint` (only ``mip_rel_gap`` and ``highs_options`` matter).
    """
    cfg = engine_config(config, options)
    compiled = compile_model(model, owner="one_solve_per_point")
    solver = HighsModel(compiled, mip_rel_gap=cfg.mip_rel_gap,
                        options=dict(cfg.highs_options) or None)
    k = compiled.n_objectives
    points = result.points if isinstance(result, EpsilonConstraintResult) else result
    g_all = (np.asarray(points, dtype=float) - compiled.offsets) * compiled.sign
    if not len(g_all):
        return PerPointLimit(0, 0.0, 0.0, 0)
    nadir, ideal = g_all.min(axis=0), g_all.max(axis=0)
    order = tuple(range(1, k))
    solver.set_weights(_augmented_integer_weights(0, order, nadir, ideal))
    upper = np.full(k, INF)
    # the sweep's order: outer objectives rising, then inner ones
    rows = np.lexsort(tuple(g_all[:, j] for j in order))
    xs: list[np.ndarray] = []
    gs: list[np.ndarray] = []
    matched = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for r in rows:
        lower = np.full(k, -INF)
        lower[1:] = g_all[r, 1:]
        solver.set_objective_bounds(lower, upper)
        start = None
        if gs:
            G = np.asarray(gs)
            ok = np.flatnonzero(np.all(G[:, 1:] >= g_all[r, 1:] - 1e-9, axis=1))
            if ok.size:
                start = xs[int(ok[np.argmax(G[ok, 0])])]
        solver.set_start(start)
        rec = solver.solve(None)
        if rec.status is SolveStatus.OPTIMAL and rec.x is not None:
            g = compiled.G @ rec.x
            matched += int(np.allclose(g, g_all[r], atol=1e-6 * max(1.0, float(np.abs(g).max()))))
            xs.append(rec.x)
            gs.append(g)
    return PerPointLimit(solves=len(rows), wall_s=time.perf_counter() - wall0,
                         cpu_s=time.process_time() - cpu0, matched=matched)


# --------------------------------------------------------------------------- checks


def engine_config(config: EngineConfig | None, options: Mapping[str, Any]) -> EngineConfig:
    """``config`` with ``options`` applied on top, validated once (``None``: defaults)."""
    if config is not None and not isinstance(config, EngineConfig):
        raise ParameterError("config", "an EngineConfig or None", type(config).__name__,
                             fix="pass the options by name instead.", owner=OWNER)
    if config is None:
        return make_config(EngineConfig, options, OWNER)
    if not options:
        return config
    return make_config(EngineConfig, {**config.model_dump(), **options}, OWNER)


def _resolve_mode(compiled: CompiledModel, grid_points: int | None,
                  integer_objectives: bool | None) -> bool:
    """True for exact (integer) mode, False for grid mode."""
    not_integer = [compiled.objective_names[j] for j in range(compiled.n_objectives)
                   if not compiled.integer_objective(j)]
    if integer_objectives is True:
        if not_integer:
            raise ParameterError(
                "integer_objectives",
                "True only when every objective has integer coefficients on integer "
                "variables", f"True, but {not_integer} do not",
                fix="pass integer_objectives=None (detect) or False with grid_points=....",
                owner=OWNER,
            )
        return True
    if integer_objectives is None and grid_points is None:
        if not not_integer:
            return True
        raise ParameterError(
            "grid_points", "an integer >= 2 when the objectives are not all integer-valued "
            f"({not_integer} have fractional coefficients or continuous variables)", None,
            fix="pass grid_points=... (e.g. 20); for two objectives of an LP, "
            "solve_biobjective_lp gives the exact front.",
            owner=OWNER,
        )
    if grid_points is None:
        raise ParameterError("grid_points", "an integer >= 2 when integer_objectives=False",
                             None, fix="pass grid_points=... (e.g. 20).", owner=OWNER)
    return False


# --------------------------------------------------------------------------- payoff


def time_left(deadline: float | None) -> float | None:
    """Seconds until ``deadline`` (a ``time.monotonic()`` value; ``None``: no deadline)."""
    if deadline is None:
        return None
    return deadline - time.monotonic()


def _lex_weights(order: list[int], lo: np.ndarray, hi: np.ndarray) -> np.ndarray | None:
    """Integer weights making one weighted solve lexicographic over ``order`` (integer
    objectives only), or ``None`` when they would be too large to be exact."""
    k = len(lo)
    w = np.zeros(k)
    acc = 0.0
    for j in reversed(order):
        w[j] = 1.0 + acc
        acc += w[j] * (hi[j] - lo[j])
    mag = float(np.sum(w * np.maximum(np.abs(lo), np.abs(hi))))
    if not math.isfinite(mag) or mag > MAX_WEIGHTED_MAGNITUDE:
        return None
    return w


def payoff_table(model: SolverModel, compiled: CompiledModel, integer: bool,
                 deadline: float | None) -> PayoffTable:
    """Lexicographic optimum of every objective (rows) in internal maximization form.

    ``model`` is left with free objective bounds; ``integer`` uses one weighted solve per
    row when the weights stay exact; ``deadline`` is a ``time.monotonic()`` value or
    ``None``. Raises the engine's errors (infeasible, unbounded, time limit)."""
    k = compiled.n_objectives
    G = compiled.G
    lo_b, hi_b = compiled.interval_bounds()
    rows_g = np.zeros((k, k))
    rows_x: list[np.ndarray] = []
    records: list[SolveRecord] = []
    free_upper = np.full(k, INF)
    for i in range(k):
        order = [i] + [j for j in range(k) if j != i]
        w = _lex_weights(order, lo_b, hi_b) if integer else None
        rec: SolveRecord | None = None
        if w is not None:
            model.set_objective_bounds(np.full(k, -INF), free_upper)
            model.set_weights(w)
            rec = model.solve(time_left(deadline))
            if rec.status is not SolveStatus.OPTIMAL:
                rec = None  # redo stage by stage for a precise diagnosis
        if rec is None:
            lower = np.full(k, -INF)
            prev: np.ndarray | None = None
            for stage, j in enumerate(order):
                model.set_objective_bounds(lower, free_upper)
                model.set_weights(np.eye(k)[j])
                model.set_start(prev)
                rec = model.solve(time_left(deadline))
                if rec.status is SolveStatus.INFEASIBLE and stage > 0 and not integer:
                    # The previous optimum, held exactly, is infeasible by round-off only.
                    prev_j = order[stage - 1]
                    lower[prev_j] -= 1e-9 * max(1.0, abs(lower[prev_j]))
                    model.set_objective_bounds(lower, free_upper)
                    rec = model.solve(time_left(deadline))
                _check_payoff(rec, compiled, i, j, first=(i == 0 and stage == 0))
                assert rec.x is not None
                prev = rec.x
                z = float(G[j] @ rec.x)
                # Integer objectives move in steps of their gcd: half a step is exact.
                lower[j] = z - 0.5 * compiled.objective_step(j) if integer else z
        assert rec is not None and rec.x is not None
        _check_payoff(rec, compiled, i, i, first=False)
        g = G @ rec.x
        rows_g[i] = np.round(g) if integer else g
        rows_x.append(rec.x)
        records.append(rec)
    model.set_objective_bounds(np.full(k, -INF), free_upper)
    return PayoffTable(g=rows_g, x=np.array(rows_x), records=tuple(records))


def augmented_payoff(model: SolverModel, compiled: CompiledModel,
                     deadline: float | None) -> PayoffTable | None:
    """One solve per objective (exact mode, for the zone search): maximize ``W g_i +
    sum_{j != i} g_j`` with ``W`` larger than the sum of the other objectives' ranges over
    the variable bounds, so row ``i`` holds the best value of objective ``i`` (the ideal
    point is the diagonal) at a nondominated point. ``k`` solves instead of the ``k``
    stages per row of the lexicographic table. When ``W`` would be too large for exact
    arithmetic, ``g_i`` plus the others scaled by ``eps`` (``eps`` times their ranges below
    half a step of ``g_i``): the best value of ``g_i`` is still exact, and the row is a
    feasible point that the tie-break makes nondominated unless the solver leaves it
    unresolved. ``None`` when a variable bound is infinite (the caller then uses
    :func:`payoff_table`)."""
    k = compiled.n_objectives
    lo_b, hi_b = compiled.interval_bounds()
    if not (np.all(np.isfinite(lo_b)) and np.all(np.isfinite(hi_b))):
        return None
    span = hi_b - lo_b
    rows_g = np.zeros((k, k))
    rows_x: list[np.ndarray] = []
    records: list[SolveRecord] = []
    free = np.full(k, INF)
    for i in range(k):
        w = np.ones(k)
        w[i] = 1.0 + float(np.sum(np.delete(span, i)))
        mag = float(np.sum(w * np.maximum(np.abs(lo_b), np.abs(hi_b))))
        if not math.isfinite(mag) or mag > MAX_WEIGHTED_MAGNITUDE:
            w = np.full(k, 0.5 * compiled.objective_step(i) / w[i])
            w[i] = 1.0
        model.set_objective_bounds(np.full(k, -INF), free)
        model.set_weights(w)
        model.set_start(None)
        rec = model.solve(time_left(deadline))
        _check_payoff(rec, compiled, i, i, first=(i == 0))
        assert rec.x is not None
        rows_g[i] = np.round(compiled.G @ rec.x)
        rows_x.append(rec.x)
        records.append(rec)
    model.set_objective_bounds(np.full(k, -INF), free)
    return PayoffTable(g=rows_g, x=np.array(rows_x), records=tuple(records))


def _check_payoff(rec: SolveRecord, compiled: CompiledModel, row: int, obj: int,
                  first: bool) -> None:
    name = compiled.objective_names[obj]
    sense = compiled.senses[obj]
    st = rec.status
    if st is SolveStatus.OPTIMAL:
        return
    if st is SolveStatus.INFEASIBLE and first:
        raise InfeasibleModelError(
            f"The model passed to {OWNER} is infeasible: HiGHS proved that its constraints "
            f"have no solution (first payoff-table solve, optimizing '{name}' alone). Fix: "
            "check the constraints and variable bounds, e.g. relax one at a time."
        )
    if st is SolveStatus.UNBOUNDED:
        direction = "increased" if sense == "max" else "decreased"
        raise UnboundedObjectiveError(
            f"Objective '{name}' ({sense}imize) is unbounded: it can be {direction} without "
            "limit over the feasible set, so there is no Pareto front. Fix: add bounds on "
            "the variables it uses or the missing constraint.", name,
        )
    if st is SolveStatus.INFEASIBLE_OR_UNBOUNDED and first:
        raise InfeasibleModelError(
            f"The model passed to {OWNER} is infeasible or '{name}' is unbounded (HiGHS "
            "could not tell which). Fix: check the constraints, and bound the variables "
            f"of '{name}'."
        )
    if st is SolveStatus.TIME_LIMIT:
        raise SolverFailureError(
            f"The time limit ran out while computing the payoff table (row {row + 1}, "
            f"objective '{name}'). Fix: raise time_limit or pass mip_rel_gap > 0."
        )
    raise SolverFailureError(
        f"HiGHS ended with status '{st.value}' in the payoff table (row {row + 1}, "
        f"objective '{name}'), where an optimum was expected. Fix: check the model's "
        "scaling (very large or small coefficients) or pass other highs_options."
    )


# --------------------------------------------------------------------------- plans


def _grid_start(model: SolverModel, compiled: CompiledModel, payoff: PayoffTable,
                deadline: float | None, *,
                all_objectives: bool = False) -> tuple[np.ndarray, bool, int]:
    """First epsilon value of every objective in exact mode.

    Two objectives: the payoff table's nadir is exact. Three or more: a valid lower
    bound over the whole feasible set (the payoff-table nadir may overestimate the true
    nadir), from the variable bounds or else the LP relaxation. Returns the values, whether
    every value is a proven bound, and the number of solves spent.
    """
    k = compiled.n_objectives
    if k == 2:
        return payoff.nadir, True, 0
    lo, _ = compiled.interval_bounds()
    first = np.array(lo, dtype=float)
    proven = True
    solves = 0
    need = [j for j in range(0 if all_objectives else 1, k) if not math.isfinite(first[j])]
    if need:
        model.set_relaxed(True)
        try:
            for j in need:
                model.set_objective_bounds(np.full(k, -INF), np.full(k, INF))
                model.set_weights(-np.eye(k)[j])
                rec = model.solve(time_left(deadline))
                solves += 1
                if rec.status is SolveStatus.OPTIMAL and rec.x is not None:
                    first[j] = float(compiled.G[j] @ rec.x)
                else:
                    logger.warning(
                        "objective '%s' has no finite lower bound (LP relaxation: %s); the "
                        "sweep starts at its payoff-table nadir, which may miss points",
                        compiled.objective_names[j], rec.status.value)
                    first[j] = payoff.nadir[j]
                    proven = False
        finally:
            model.set_relaxed(False)
    first = np.floor(first - 1e-6 * np.maximum(1.0, np.abs(first)))
    first = np.minimum(first, payoff.nadir)
    return first, proven, solves


def _augmented_integer_weights(primary: int, order: tuple[int, ...], first: np.ndarray,
                               ideal: np.ndarray) -> np.ndarray:
    """``W`` on the primary, 1 on the others, with ``W > sum of their ranges``: the primary
    is maximized exactly and the result is efficient. Falls back to the primary alone when
    ``W`` would be too large for exact arithmetic in the solver."""
    k = len(ideal)
    w = np.zeros(k)
    span = float(sum(ideal[j] - first[j] for j in order))
    big = 1.0 + span
    mag = big * max(1.0, abs(ideal[primary]))
    if math.isfinite(mag) and mag <= MAX_WEIGHTED_MAGNITUDE:
        w[primary] = big
        for j in order:
            w[j] = 1.0
    else:
        logger.debug("augmentation weights too large (%g); optimizing the primary alone", mag)
        w[primary] = 1.0
    return w


def _exact_seeds(compiled: CompiledModel, payoff: PayoffTable, primary: int,
                 order: tuple[int, ...], first: np.ndarray) -> tuple[_Seed, ...]:
    """Payoff-table solutions, with the epsilon point each one provably answers."""
    k = compiled.n_objectives
    seeds = []
    for i in range(k):
        others = [j for j in range(k) if j != i]
        lo: np.ndarray | None = None
        if i == primary:
            lo = np.array([first[j] for j in order])
        elif others[0] == primary:
            lo = np.array([payoff.g[i, i] if j == i else first[j] for j in order])
        seeds.append(_Seed(g=payoff.g[i], x=payoff.x[i], record=payoff.records[i], lo=lo))
    return tuple(seeds)


def _exact_tasks(compiled: CompiledModel, payoff: PayoffTable, first: np.ndarray,
                 workers: int) -> list[_Task]:
    k = compiled.n_objectives
    ideal = payoff.ideal
    steps = np.array([compiled.objective_step(j) for j in range(k)])

    def task(primary: int, order: tuple[int, ...], outer: tuple[float, float] | None = None,
             slots: tuple[int, int] | None = None) -> _Task:
        axes = []
        for pos, j in enumerate(order):
            lo_j, hi_j = float(first[j]), float(ideal[j])
            if outer is not None and pos == len(order) - 1:
                lo_j, hi_j = outer
            axes.append(_Axis(first=lo_j, last=hi_j, step=float(steps[j]), origin=lo_j,
                              aligned=False, tol=1e-9))
        return _Task(
            primary=primary, order=order,
            weights=_augmented_integer_weights(primary, order, first, ideal),
            axes=tuple(axes), seeds=_exact_seeds(compiled, payoff, primary, order, first),
            own_slot=None if slots is None else slots[0],
            partner_slot=None if slots is None else slots[1],
        )

    order = tuple(range(1, k))
    if workers == 1:
        return [task(0, order)]
    if k == 2:
        # One walker from each end of the front; they stop where they meet.
        return [task(0, (1,), slots=(0, 1)), task(1, (0,), slots=(1, 0))]
    outer = order[-1]
    lo_o, hi_o = float(payoff.nadir[outer]), float(ideal[outer])
    cuts = [math.floor(lo_o + (hi_o - lo_o) * t / workers) for t in range(1, workers)]
    bounds = sorted({c for c in cuts if first[outer] < c <= hi_o})
    starts = [float(first[outer]), *map(float, bounds)]
    ends = [b - 1.0 for b in bounds] + [hi_o]
    return [task(0, order, outer=(s, e)) for s, e in zip(starts, ends, strict=True)]


def _grid_tasks(compiled: CompiledModel, payoff: PayoffTable, grid_points: int,
                workers: int) -> list[_Task]:
    k = compiled.n_objectives
    ideal, nadir = payoff.ideal, payoff.nadir
    order = tuple(range(1, k))
    weights = np.zeros(k)
    weights[0] = 1.0
    axes = []
    for pos, j in enumerate(order):
        r = float(ideal[j] - nadir[j])
        scale = max(1.0, abs(float(ideal[j])), abs(float(nadir[j])))
        if r <= 1e-9 * scale:
            step, last, r_aug = 1.0, float(nadir[j]), 1.0
        else:
            step, last, r_aug = r / (grid_points - 1), float(ideal[j]), r
        weights[j] = AUGMECON_EPS * 10.0 ** (-pos) / r_aug
        axes.append(_Axis(first=float(nadir[j]), last=last, step=step, origin=float(nadir[j]),
                          aligned=True, tol=1e-6 * scale))
    base = _Task(primary=0, order=order, weights=weights, axes=tuple(axes), seeds=())
    outer = axes[-1]
    n_outer = round((outer.last - outer.first) / outer.step) + 1
    n_chunks = min(workers, n_outer)
    if n_chunks <= 1:
        return [base]
    tasks = []
    edges = np.linspace(0, n_outer, n_chunks + 1).round().astype(int)
    for a, b in itertools.pairwise(edges.tolist()):
        ax = _Axis(first=outer.origin + a * outer.step, last=outer.origin + (b - 1) * outer.step,
                   step=outer.step, origin=outer.origin, aligned=True, tol=outer.tol)
        tasks.append(_Task(primary=0, order=order, weights=weights,
                           axes=(*axes[:-1], ax), seeds=()))
    return tasks


# --------------------------------------------------------------------------- sweep


class _Sweep:
    """One epsilon sweep on one solver model (in this process or a worker)."""

    def __init__(self, model: SolverModel, task: _Task, deadline: float | None,
                 shared: Any | None, stop: threading.Event | None = None) -> None:
        self.model = model
        self.task = task
        self.deadline = deadline
        self.shared = shared
        self.stop = stop
        self.G = model.compiled.G
        self.k = model.compiled.n_objectives
        self.order = np.array(task.order, dtype=int)
        m = len(task.order)
        self.m = m
        self.box_lo = np.empty((64, m))
        self.box_hi = np.empty((64, m))
        self.box_primary = np.empty(64)
        self.n_boxes = 0
        self.out = _TaskOutput()
        self.tol = np.array([ax.tol for ax in task.axes])
        self._cand: list[np.ndarray] = [np.empty(0, dtype=np.intp) for _ in range(m)]
        self._c_lo0_sorted: list[float] = []
        self._c_best: list[int] = []
        self._c_best_hi0: list[float] = []
        self._g = np.empty((0, self.k))
        self._x: list[np.ndarray] = []
        for seed in task.seeds:
            self._known(seed.g, seed.x)
            if seed.lo is not None:
                self._add_box(seed.lo, seed.g[self.order], float(seed.g[task.primary]))
        self.upper = np.full(self.k, INF)

    # boxes ------------------------------------------------------------------
    def _add_box(self, lo: np.ndarray, hi: np.ndarray, primary: float) -> None:
        if self.n_boxes == self.box_lo.shape[0]:
            self.box_lo = np.vstack([self.box_lo, np.empty_like(self.box_lo)])
            self.box_hi = np.vstack([self.box_hi, np.empty_like(self.box_hi)])
            self.box_primary = np.concatenate([self.box_primary, np.empty_like(self.box_primary)])
        self.box_lo[self.n_boxes] = lo
        self.box_hi[self.n_boxes] = np.maximum(hi, lo)
        self.box_primary[self.n_boxes] = primary
        self.n_boxes += 1
        new = np.array([self.n_boxes - 1])
        self._cand = [np.concatenate([c, new]) for c in self._cand]
        self._refresh0()

    def _narrow(self, level: int, e: np.ndarray) -> None:
        """Boxes for the sweep of dimension ``level - 1``: those of ``level``'s list whose
        dimension ``level`` contains ``e[level]``. Each level keeps the boxes containing
        the outer coordinates ``e[level + 1:]`` (a vectorized mask over a list that
        shrinks with depth; boxes found meanwhile are appended to every list), so a
        lookup tests one coordinate over a short list, never every stored box."""
        idx = self._cand[level]
        t = float(self.tol[level])
        v = float(e[level])
        keep = idx[(self.box_lo[idx, level] <= v + t) & (v <= self.box_hi[idx, level] + t)]
        self._cand[level - 1] = keep
        if level == 1:
            self._refresh0()

    def _refresh0(self) -> None:
        """Sorted structure for lookups along the innermost dimension: the boxes of the
        innermost list sorted by their lower corner, with the running best box (largest
        upper corner, innermost coordinate first, then the next, ...; ties: the oldest).
        The best box among those starting at or below ``e0`` answers ``e0`` when it
        reaches ``e0``; otherwise no box does. One bisection per lookup."""
        idx = self._cand[0]
        if idx.size == 0:
            self._c_lo0_sorted = []
            return
        h = self.box_hi[idx]
        best_first = np.lexsort((np.arange(idx.size),
                                 *(-h[:, c] for c in reversed(range(self.m)))))
        rank = np.empty(idx.size, dtype=np.intp)
        rank[best_first] = np.arange(idx.size)
        by_lo = np.argsort(self.box_lo[idx, 0], kind="stable")
        running = np.minimum.accumulate(rank[by_lo])
        self._c_lo0_sorted = self.box_lo[idx[by_lo], 0].tolist()
        winner = idx[best_first[running]]
        self._c_best = winner.tolist()
        self._c_best_hi0 = self.box_hi[winner, 0].tolist()

    def _lookup(self, e: np.ndarray) -> int | None:
        """The box answering ``e`` (largest upper corner, innermost coordinate first)."""
        e0, t0 = float(e[0]), float(self.tol[0])
        j = bisect.bisect_right(self._c_lo0_sorted, e0 + t0) - 1
        if j < 0 or self._c_best_hi0[j] + t0 < e0:
            return None
        return self._c_best[j]

    # shared frontier (two walkers) -------------------------------------------
    def _partner_done(self, e0: float) -> bool:
        slot = self.task.partner_slot
        return self.shared is not None and slot is not None and e0 >= self.shared[slot]

    def _publish(self, primary: float) -> None:
        slot = self.task.own_slot
        if (self.shared is not None and slot is not None and math.isfinite(primary)
                and primary < self.shared[slot]):
            self.shared[slot] = primary

    # solving ------------------------------------------------------------------
    def _known(self, g: np.ndarray, x: np.ndarray) -> None:
        if self._g.shape[0] == len(self._x):  # grow the point store by doubling
            self._g = np.vstack([self._g, np.empty((max(16, len(self._x)), self.k))])
        self._g[len(self._x)] = g
        self._x.append(x)

    def _start_for(self, e: np.ndarray) -> np.ndarray | None:
        n = len(self._x)
        if not n:
            return None
        g = self._g[:n]
        ok = np.all(g[:, self.order] >= e - self.tol, axis=1)
        if not ok.any():
            return None
        idx = np.flatnonzero(ok)
        best = idx[int(np.argmax(g[idx] @ self.task.weights))]
        return self._x[best]

    def _solve_at(self, e: np.ndarray) -> tuple[np.ndarray, bool]:
        """Solve at ``e`` (no box answers it): the box's upper corner, whether infeasible."""
        left = time_left(self.deadline)
        if (left is not None and left <= 0) or (self.stop is not None and self.stop.is_set()):
            raise _StopSweepError
        lower = np.full(self.k, -INF)
        lower[self.order] = e
        self.model.set_objective_bounds(lower, self.upper)
        self.model.set_start(self._start_for(e))
        rec = self.model.solve(left)
        self.out.solves += 1
        st = rec.status
        if st is SolveStatus.OPTIMAL and rec.x is not None:
            g = self.G @ rec.x
            self._record(g, rec)
            hi = g[self.order]
            self._add_box(e, hi, float(g[self.task.primary]))
            self._publish(float(g[self.task.primary]))
            return np.maximum(hi, e), False
        if st in (SolveStatus.INFEASIBLE, SolveStatus.INFEASIBLE_OR_UNBOUNDED):
            # Every objective is bounded (payoff table), so this point is infeasible.
            self.out.infeasible += 1
            self._add_box(e, np.full(self.m, INF), INF)
            return np.full(self.m, INF), True
        if st in (SolveStatus.TIME_LIMIT, SolveStatus.ITERATION_LIMIT, SolveStatus.INTERRUPTED):
            if rec.x is not None:
                self._record(self.G @ rec.x, rec)
            raise _StopSweepError
        raise SolverFailureError(
            f"HiGHS ended with status '{st.value}' at epsilon point {e.tolist()} (bounds on "
            f"objectives {[self.model.compiled.objective_names[j] for j in self.task.order]}). "
            "Fix: check the model's scaling or pass other highs_options."
        )

    def _record(self, g: np.ndarray, rec: SolveRecord) -> None:
        assert rec.x is not None
        self._known(g, rec.x)
        self.out.g.append(g)
        self.out.x.append(rec.x)
        self.out.records.append(SolveRecord(rec.status, rec.objective, None, rec.mip_gap,
                                            rec.time_s, rec.nodes))

    def _level(self, level: int, e: np.ndarray) -> tuple[np.ndarray, bool]:
        """Sweep dimension ``level`` (and every inner one) with the outer ones fixed.

        Returns the smallest upper corner over the boxes that covered the swept points
        (so the caller may jump past it) and whether the very first point was infeasible
        (then every later value of the caller's dimension is infeasible too).
        """
        axis = self.task.axes[level]
        e[level] = axis.first
        min_hi = np.full(self.m, INF)
        first = True
        while True:
            self._narrow(level, e)
            hi, infeasible = (self._level(level - 1, e) if level > 1
                              else self._innermost(e))
            if infeasible:
                if first:
                    return min_hi, True
                break
            np.minimum(min_hi, hi, out=min_hi)
            first = False
            nxt = axis.next_after(float(hi[level]), float(e[level]))
            if nxt is None:
                break
            e[level] = nxt
        return min_hi, False

    def _innermost(self, e: np.ndarray) -> tuple[np.ndarray, bool]:
        """:meth:`_level` for dimension 0: looked-up points cost one bisection and no array
        operation; the upper corners of the boxes met are reduced once at the end."""
        axis = self.task.axes[0]
        e[0] = axis.first
        min_hi = np.full(self.m, INF)
        covered: list[int] = []
        first = True
        while True:
            e0 = float(e[0])
            if self._partner_done(e0):
                break
            b = self._lookup(e)
            if b is not None:
                self.out.skipped += 1
                primary = float(self.box_primary[b])
                self._publish(primary)
                infeasible = not math.isfinite(primary)
                hi0 = float(self.box_hi[b, 0])
                if not infeasible:
                    covered.append(b)
            else:
                hi, infeasible = self._solve_at(e)
                hi0 = float(hi[0])
                if not infeasible:
                    np.minimum(min_hi, hi, out=min_hi)
            if infeasible:
                if first:
                    return min_hi, True
                break
            first = False
            nxt = axis.next_after(hi0, e0)
            if nxt is None:
                break
            e[0] = nxt
        if covered:
            np.minimum(min_hi, self.box_hi[covered].min(axis=0), out=min_hi)
        return min_hi, False

    def run(self) -> _TaskOutput:
        self.model.set_weights(self.task.weights)
        e = np.array([ax.first for ax in self.task.axes], dtype=float)
        self._cand[self.m - 1] = np.arange(self.n_boxes)
        self._refresh0()
        try:
            if self.m == 1:
                self._innermost(e)
            else:
                self._level(self.m - 1, e)
        except _StopSweepError:
            self.out.complete = False
            logger.warning("time limit reached: the sweep stopped early")
        return self.out


def _split_upper_bounds(U: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Split the upper bounds ``U`` (``(n, k)``, min form) by a new point ``z``.

    Every bound strictly above ``z`` in all coordinates is replaced by its ``k`` children
    (one coordinate lowered to ``z_j``); children weakly below another bound (their box is
    inside it) are dropped, the redundancy-free update of Klamroth, Lacour and
    Vanderpooten (2015). Returns ``(untouched bounds, new children)``, or ``None`` when
    no bound contains ``z``. Shared by the box and the zone searches.

    Only bounds sharing a coordinate with ``z`` can hold a child among the untouched ones:
    a child ``c = (z_j, u_{-j}) <= w`` with ``w`` untouched needs ``z_i < u_i <= w_i`` for
    ``i != j`` and, ``w`` not being above ``z``, ``w_j <= z_j = c_j <= w_j``. So the
    children are compared with those few bounds and with each other, not with all of
    ``U``: the cost of a split does not grow with the size of the set.
    """
    inside = np.all(z[None, :] < U, axis=1)
    if not inside.any():
        return None
    parents, rest = U[inside], U[~inside]
    k = U.shape[1]
    cand = np.repeat(parents, k, axis=0)
    cols = np.tile(np.arange(k), len(parents))
    cand[np.arange(len(cand)), cols] = z[cols]
    cand = np.unique(cand, axis=0)
    pool = np.vstack([rest[np.any(rest == z[None, :], axis=1)], cand])
    le = np.all(cand[:, None, :] <= pool[None, :, :], axis=2)
    eq = np.all(cand[:, None, :] == pool[None, :, :], axis=2)
    return rest, cand[~np.any(le & ~eq, axis=1)]


class _PointStore:
    """The points found by a search over upper bounds (:class:`_BoxSearch`,
    :class:`_ZoneSearch`): each new point is stored once, recorded for the result when it
    came from a solve, and splits the upper-bound set (``_split``, min form)."""

    k: int
    known: set[tuple[float, ...]]
    _g: np.ndarray
    _x: list[np.ndarray]
    out: _TaskOutput

    def _split(self, z: np.ndarray) -> None:
        raise NotImplementedError

    def _add_point(self, g: np.ndarray, x: np.ndarray, rec: SolveRecord | None) -> bool:
        """Store ``g`` (objective values, max form) with solution ``x``; False when known."""
        key = tuple(float(v) for v in g)
        if key in self.known:
            return False
        self.known.add(key)
        if self._g.shape[0] == len(self._x):
            self._g = np.vstack([self._g, np.empty((max(16, len(self._x)), self.k))])
        self._g[len(self._x)] = g
        self._x.append(x)
        if rec is not None:
            self.out.g.append(g)
            self.out.x.append(x)
            self.out.records.append(SolveRecord(rec.status, rec.objective, None, rec.mip_gap,
                                                rec.time_s, rec.nodes))
        self._split(-g)
        return True


class _BoxSearch(_PointStore):
    """Search-region enumeration (Kirlik-Sayin 2014; upper-bound set with the
    redundancy-free update of Klamroth, Lacour and Vanderpooten 2015) in exact mode.

    Internally every objective is minimized here (``f = -g``) and measured in its own
    integer units. The search region is the union of the open boxes ``{y : y < u}`` over
    a set ``U`` of upper bounds ``u``: every nondominated point not yet found lies in it.
    A box is explored by one solve, ``max W g_1 + sum_j g_j`` subject to
    ``f_j <= u_j - step_j`` for ``j >= 2`` (the first objective is left free, so the answer
    ``z`` is nondominated). A new ``z`` splits every box containing it into the boxes
    ``u`` with one coordinate lowered to ``z_j`` (boxes contained in another are dropped).
    Every solve is kept as a certificate ``(b, z)`` (``z`` infinite when infeasible): a box
    ``u`` with ``u_{2..k} <= b`` is empty when ``u_1 <= z_1`` (a point in it would beat
    ``z``) or when ``z_{2..k} < u_{2..k}`` (``z``, known, would lie in it, and no known
    point lies in any box). Such boxes are closed without a solve, so every solve finds a
    new point or closes the box it was made for.
    """

    def __init__(self, model: SolverModel, payoff: PayoffTable, first: np.ndarray,
                 weights: np.ndarray, deadline: float | None) -> None:
        self.model = model
        compiled = model.compiled
        self.G = compiled.G
        self.k = k = compiled.n_objectives
        self.steps = np.array([compiled.objective_step(j) for j in range(k)])
        self.weights = weights
        self.deadline = deadline
        self.out = _TaskOutput()
        u0 = -np.asarray(first, dtype=float) + self.steps
        u0[0] = INF  # the first objective is never constrained
        self.U = u0[None, :].copy()
        self.cb = np.empty((0, k - 1))
        self.cz = np.empty((0, k))
        self.closed = 0
        self.known: set[tuple[float, ...]] = set()
        self._g = np.empty((0, k))
        self._x: list[np.ndarray] = []
        for i in range(k):
            self._add_point(payoff.g[i], payoff.x[i], None)
        # the first payoff row is the answer at the initial box
        self._certify(u0[1:], -payoff.g[0])

    # upper-bound set --------------------------------------------------------
    def _empty(self, zones: np.ndarray, cb: np.ndarray, cz: np.ndarray) -> np.ndarray:
        """Mask of ``zones`` closed by the certificates ``(cb, cz)`` (vectorized)."""
        if not len(zones) or not len(cb):
            return np.zeros(len(zones), dtype=bool)
        cover = np.all(zones[:, None, 1:] <= cb[None, :, :], axis=2)
        beaten = zones[:, None, 0] <= cz[None, :, 0]
        inside = np.all(cz[None, :, 1:] < zones[:, None, 1:], axis=2)
        return np.any(cover & (beaten | inside), axis=1)

    def _certify(self, b: np.ndarray, z: np.ndarray) -> None:
        self.cb = np.vstack([self.cb, b[None, :]])
        self.cz = np.vstack([self.cz, z[None, :]])
        closed = self._empty(self.U, b[None, :], z[None, :])
        if closed.any():
            self.closed += int(closed.sum())
            self.U = self.U[~closed]

    def _split(self, z: np.ndarray) -> None:
        """Update the upper-bound set with the new nondominated point ``z`` (min form)."""
        split = _split_upper_bounds(self.U, z)
        if split is None:
            return
        rest, cand = split
        closed = self._empty(cand, self.cb, self.cz)
        self.closed += int(closed.sum())
        cand = cand[~closed]
        self.U = np.vstack([rest, cand])

    def _start_for(self, lower: np.ndarray) -> np.ndarray | None:
        n = len(self._x)
        g = self._g[:n]
        ok = np.flatnonzero(np.all(g[:, 1:] >= lower[1:], axis=1))
        if not ok.size:
            return None
        return self._x[int(ok[np.argmax(g[ok] @ self.weights)])]

    # search -----------------------------------------------------------------
    def run(self) -> _TaskOutput:
        model, k = self.model, self.k
        model.set_weights(self.weights)
        upper = np.full(k, INF)
        solves0 = model.solves
        fresh = isinstance(model, HighsModel) and not model.uses_starts
        while len(self.U):
            left = time_left(self.deadline)
            if left is not None and left <= 0:
                self.out.complete = False
                logger.warning("time limit reached: the box search stopped early")
                break
            # the box with the loosest bounds first: its answer closes the most boxes
            # (other orders measured on 4kp50: 162-183 models, this one 162)
            i = int(np.argmax(np.sum(self.U[:, 1:] / self.steps[1:], axis=1)))
            u = self.U[i].copy()
            lower = np.full(k, -INF)
            lower[1:] = self.steps[1:] - u[1:]
            model.set_objective_bounds(lower, upper)
            model.set_start(self._start_for(lower))
            if fresh:
                model.clear_state()  # see HighsModel.clear_state (presolve on)
            rec = model.solve(left)
            st = rec.status
            if st is SolveStatus.OPTIMAL and rec.x is not None:
                g = np.round(self.G @ rec.x)
                self._add_point(g, rec.x, rec)
                self._certify(u[1:], -g)
            elif st in (SolveStatus.INFEASIBLE, SolveStatus.INFEASIBLE_OR_UNBOUNDED):
                self.out.infeasible += 1
                self._certify(u[1:], np.full(k, INF))
            elif st in (SolveStatus.TIME_LIMIT, SolveStatus.ITERATION_LIMIT,
                        SolveStatus.INTERRUPTED):
                self.out.complete = False
                logger.warning("time limit reached: the box search stopped early")
                break
            else:
                raise SolverFailureError(
                    f"HiGHS ended with status '{st.value}' in the box search (upper bounds "
                    f"{(-lower[1:]).tolist()} on objectives "
                    f"{list(model.compiled.objective_names[1:])}, internal max form). "
                    "Fix: check the model's scaling or pass other highs_options.")
        self.out.solves = model.solves - solves0
        # boxes closed by a certificate beyond the one each solve was made for
        self.out.skipped = max(0, self.closed - self.out.solves)
        return self.out


GROUP_SLOTS = 8
"""Most search zones one solve of the zone search explores together (disjunctive model);
the default of ``EngineConfig.zone_group``."""


def _group_model(compiled: CompiledModel, slots: int, mip_rel_gap: float,
                 options: Mapping[str, Any] | None) -> tuple[HighsModel, np.ndarray]:
    """The model of a zone-group solve: the problem plus one binary ``d_s`` per slot
    (``sum_s d_s = 1``) and, per objective, one row ``g_j(x) - sum_s c_sj d_s >= b_j``
    whose coefficients and bound each solve sets (:meth:`_ZoneSearch._setup`), so that the
    answer lies in the projection of the zone of the slot it chooses. (One row per
    objective rather than one per slot and objective: with ``sum_s d_s = 1`` it states the
    same disjunction, and its LP relaxation is tighter, as every slot's term adds up.)

    Returns the model and its objective-bound rows (``k`` indices)."""
    k, n, m = compiled.n_objectives, compiled.n_cols, compiled.n_rows
    G = compiled.G
    A = sparse.csr_array(compiled.A, shape=(m, n))
    one = sparse.csr_array(np.hstack([np.zeros((1, n)), np.ones((1, slots))]))
    rows_d = np.full((k, slots), -1.0)  # placeholders: set before every solve
    A_aug = sparse.vstack([sparse.hstack([A, sparse.csr_array((m, slots))]), one,
                           sparse.csr_array(np.hstack([G, rows_d]))]).tocsr()
    aug = CompiledModel(
        variable_names=(*compiled.variable_names, *(f"zone_slot[{s}]" for s in range(slots))),
        col_lower=np.concatenate([compiled.col_lower, np.zeros(slots)]),
        col_upper=np.concatenate([compiled.col_upper, np.ones(slots)]),
        integer=np.concatenate([compiled.integer, np.ones(slots, dtype=bool)]),
        A=A_aug,
        row_lower=np.concatenate([compiled.row_lower, [1.0], np.full(k, -INF)]),
        row_upper=np.concatenate([compiled.row_upper, [1.0], np.full(k, INF)]),
        objective_names=compiled.objective_names, senses=compiled.senses,
        C=np.hstack([compiled.C, np.zeros((k, slots))]), offsets=compiled.offsets)
    model = HighsModel(aug, mip_rel_gap=mip_rel_gap, options=options)
    return model, m + 1 + np.arange(k)


@dataclass(frozen=True)
class _ZoneModels:
    """The models one worker of the zone search solves with: one zone at a time, and
    (``None`` unless zones are grouped) the group model with its objective-bound rows."""

    single: SolverModel
    grouped: tuple[HighsModel, np.ndarray] | None


class _ZoneSearch(_PointStore):
    """Search-zone enumeration of Tamby and Vanderpooten (2021) in exact mode, with zones
    of equal bound explored together.

    Every objective is minimized here (``f = -g``, integer units). The search region is the
    union of the zones ``C(u) = {y : y < u}`` over the upper-bound set ``U`` (kept free of
    redundant bounds by the update of Klamroth, Lacour and Vanderpooten 2015): every
    nondominated point not yet found lies in one of them. ``M`` (a strict upper bound of
    every objective) is the *dummy* value of a coordinate; a coordinate ``u_p < M_p`` has a
    *defining point*, a known point ``z`` with ``z_p = u_p`` and ``z_j < u_j`` (``j != p``).

    A zone is explored with one objective ``p`` left free: ``min W f_p + sum_{j != p} f_j``
    over its projection ``{f_j < u_j, j != p}``, ``W`` larger than the others' ranges, so
    the answer ``y`` is nondominated and ``y_p`` is the least value of ``f_p`` there.

    * **Which zone, which objective** (Tamby-Vanderpooten): the pair ``(u, p)`` whose
      projection ``prod_{j != p} (u_j - ideal_j)`` is largest, among coordinates ``u_p``
      with a defining point. The defining point lies in the projection, so the answer is
      either in ``C(u)`` (a new point) or has ``y_p = u_p`` (the zone is empty).
    * **Zones explored together.** Every zone ``u'`` with the same bound ``u'_p = u_p``
      joins the solve (up to ``zone_group``, default :data:`GROUP_SLOTS`): the region is
      the union of their projections (a binary per zone chooses the answer's one). No
      known point has ``f_p < u_p`` in that union (it would lie in one of the zones), so the
      answer is a new point or has ``y_p = u_p`` and closes every zone of the group in one
      solve. (A box around them would not do: the point that separates two such zones has
      a smaller ``f_p`` and lies in it.)
    * **One answer settles many zones**: each solve is kept as a certificate
      ``(p, u, y_p)`` per zone of its group; any zone ``u'`` with ``u'_j <= u_j`` for
      ``j != p`` and ``u'_p <= y_p`` is empty and closed without a solve, now or when a
      later split creates it.
    * A new point splits every zone containing it.

    Every solve finds a new point or closes at least one zone, so the search ends.
    """

    def __init__(self, model: SolverModel, payoff: PayoffTable, first: np.ndarray,
                 deadline: float | None, *, mip_rel_gap: float = 0.0,
                 options: Mapping[str, Any] | None = None, group: int = GROUP_SLOTS) -> None:
        self.model = model
        compiled = model.compiled
        self.G = compiled.G
        self.k = k = compiled.n_objectives
        self.n = compiled.n_cols
        self.steps = np.array([compiled.objective_step(j) for j in range(k)])
        self.deadline = deadline
        self.out = _TaskOutput()
        self.M = -np.asarray(first, dtype=float) + self.steps
        self.ideal = -payoff.ideal  # min form
        # cap of each coordinate for the projection volumes (dummy coordinates included)
        self.cap = np.minimum(self.M, -payoff.nadir + self.steps)
        self.weights = np.array([
            _augmented_integer_weights(p, tuple(j for j in range(k) if j != p), first,
                                       payoff.ideal) for p in range(k)])
        self.usable = np.array([np.all(np.delete(self.weights[p], p) > 0) for p in range(k)])
        for p in np.flatnonzero(~self.usable):
            # Integer weights too large to be exact: f_p plus the others scaled by eps, with
            # eps times their ranges below half a step of f_p, so the least f_p (all the
            # certificates need) stays exact; the answer is feasible but the solver may not
            # resolve the tie-break, so it may be dominated. Splitting the zones by a feasible
            # point is still valid (what it removes holds nothing it does not dominate), and
            # the final filter drops dominated points.
            span = float(sum(payoff.ideal[j] - first[j] for j in range(k) if j != p))
            self.weights[p] = 0.5 * self.steps[p] / (1.0 + span)
            self.weights[p, p] = 1.0
        self.others = [np.array([j for j in range(k) if j != p]) for p in range(k)]
        self.U = self.M[None, :].copy()
        self.cert_u: list[np.ndarray] = [np.empty((0, k)) for _ in range(k)]
        self.cert_v: list[np.ndarray] = [np.empty(0) for _ in range(k)]
        self.closed = 0
        self.new_points = 0
        self.refound = 0
        self.group_solves = 0
        self.solve_s = [0.0, 0.0]
        self.known: set[tuple[float, ...]] = set()
        self._g = np.empty((0, k))
        self._x: list[np.ndarray] = []
        self.slots = group
        self.mip_rel_gap = mip_rel_gap
        self.options = options
        self.grouped = (_group_model(compiled, group, mip_rel_gap, options)
                        if group > 1 and isinstance(model, HighsModel) else None)
        self.group_models: list[HighsModel] = []
        for i in range(k):
            self._add_point(payoff.g[i], payoff.x[i], None)
            # the optimum of objective i: nothing beats its f_i anywhere
            self._certify(i, np.full(k, INF), float(-payoff.g[i, i]))

    # upper-bound set --------------------------------------------------------
    def _empty(self, zones: np.ndarray) -> np.ndarray:
        """Mask of ``zones`` closed by a stored certificate (vectorized per objective)."""
        closed = np.zeros(len(zones), dtype=bool)
        if not len(zones):
            return closed
        for p in range(self.k):
            cu, cv = self.cert_u[p], self.cert_v[p]
            if not len(cv):
                continue
            o = self.others[p]
            cover = np.all(zones[:, None, o] <= cu[None, :, o], axis=2)
            cover &= zones[:, None, p] <= cv[None, :]
            closed |= cover.any(axis=1)
        return closed

    def _certify(self, p: int, u: np.ndarray, v: float) -> None:
        """Store ``min f_p over {f_j < u_j, j != p} = v``; close the zones it settles."""
        self.cert_u[p] = np.vstack([self.cert_u[p], u[None, :]])
        self.cert_v[p] = np.append(self.cert_v[p], v)
        U = self.U
        closed = np.all(U[:, self.others[p]] <= u[self.others[p]], axis=1) & (U[:, p] <= v)
        closed |= np.any(self.ideal >= U, axis=1)
        if closed.any():
            self.closed += int(closed.sum())
            self.U = U[~closed]

    def _split(self, z: np.ndarray) -> None:
        """Update the upper-bound set with the new nondominated point ``z`` (min form)."""
        split = _split_upper_bounds(self.U, z)
        if split is None:
            return
        rest, cand = split
        closed = self._empty(cand) | np.any(self.ideal >= cand, axis=1)
        self.closed += int(closed.sum())
        self.U = np.vstack([rest, cand[~closed]])

    def _start_for(self, p: int, lowers: np.ndarray) -> tuple[int, np.ndarray] | None:
        """Best known solution (weighted objective) inside one of the projections
        ``g_j >= lowers[s, j]`` (``j != p``), with the index ``s`` of that projection."""
        g = self._g[:len(self._x)]
        o = self.others[p]
        inside = np.all(g[None, :, o] >= lowers[:, None, o], axis=2)  # (slots, points)
        ok = np.flatnonzero(inside.any(axis=0))
        if not ok.size:
            return None
        best = int(ok[np.argmax(g[ok] @ self.weights[p])])
        return int(np.argmax(inside[:, best])), self._x[best]

    def _select(self, exclude: np.ndarray | None = None) -> tuple[np.ndarray, int] | None:
        """The zone and free objective with the largest projection (log volume), and the
        other zones with the same bound on that objective (largest projections first);
        zones equal to a row of ``exclude`` (being solved) are skipped (``None``: all are)."""
        U = self.U
        span = np.log(np.maximum(np.minimum(U, self.cap) - self.ideal, 1e-300))
        hv = span.sum(axis=1)[:, None] - span  # log prod over j != p
        hv[U >= self.M] = -INF
        busy = np.zeros(len(U), dtype=bool)
        if exclude is not None:
            busy = np.any(np.all(U[:, None, :] == exclude[None, :, :], axis=2), axis=1)
            if busy.all():
                return None
            hv[busy] = -INF
            if not np.isfinite(hv).any():
                return np.array([int(np.flatnonzero(~busy)[0])]), 0
        i, p = divmod(int(np.argmax(hv)), self.k)
        if not math.isfinite(hv[i, p]):  # no coordinate with a defining point
            return np.array([i]), 0
        if self.grouped is None:
            return np.array([i]), p
        same = np.flatnonzero((U[:, p] == U[i, p]) & ~busy)
        same = same[np.argsort(-hv[same, p], kind="stable")][:self.slots]
        return same, p

    # search -----------------------------------------------------------------
    def _prepare(self, model: SolverModel, lower: np.ndarray, p: int,
                 start: np.ndarray | None) -> None:
        """Set ``model`` up for one zone (bounds ``lower``, max form) with ``f_p`` free."""
        model.set_weights(self.weights[p])
        model.set_objective_bounds(lower, np.full(self.k, INF))
        model.set_start(start)
        if isinstance(model, HighsModel) and not model.uses_starts:
            model.clear_state()  # see HighsModel.clear_state (presolve on)

    def _setup(self, zones: np.ndarray, p: int, pair: _ZoneModels
               ) -> tuple[SolverModel, np.ndarray, bool]:
        """Set one of ``pair``'s models up for ``zones`` (min form, one or more with the
        same ``u_p``) with ``f_p`` free: the model to solve, the zones' lower bounds (max
        form) and whether it is a group solve."""
        k = self.k
        lowers = self.steps[None, :] - zones  # max form: g_j >= step_j - u_j
        lowers[:, p] = -INF
        start = self._start_for(p, lowers)
        if len(zones) == 1 or pair.grouped is None:
            self._prepare(pair.single, lowers[0], p, None if start is None else start[1])
            return pair.single, lowers[:1], False
        gm, obj_rows = pair.grouped
        n_used = len(zones)
        # g_j - sum_s (L_sj - Lmin_j) d_s >= Lmin_j: with sum_s d_s = 1, the bound L_sj of
        # the one slot chosen (Lmin_j, the least bound of the group, when f_j is free)
        o = self.others[p]
        lmin = lowers[:, o].min(axis=0)
        coef = np.zeros((k, self.slots))
        coef[o, :n_used] = -(lowers[:, o] - lmin[None, :]).T
        row_lo = np.full(k, -INF)
        row_lo[o] = lmin
        gm.set_coefficients(np.repeat(obj_rows, self.slots),
                            np.tile(self.n + np.arange(self.slots), k), coef.ravel())
        gm.set_row_bounds(obj_rows, row_lo, np.full(k, INF))
        slot_cols = self.n + np.arange(self.slots)
        gm.set_column_bounds(slot_cols, np.zeros(self.slots),
                             (np.arange(self.slots) < n_used).astype(float))
        gm.set_weights(self.weights[p])
        if start is not None:
            d = np.zeros(self.slots)
            d[start[0]] = 1.0
            gm.set_start(np.concatenate([start[1], d]))
        if not gm.uses_starts:
            gm.clear_state()
        return gm, lowers, True

    def _answer(self, rec: SolveRecord, p: int, lowers: np.ndarray
                ) -> tuple[np.ndarray | None, np.ndarray | None, float | None, bool]:
        """The answer's variables, objective values (max form) and ``v`` (its ``f_p``, the
        least over the zones, min form), all ``None`` unless optimal, and whether it lies
        in one of the zones:
        a group solve's answer may lie just outside every zone when HiGHS leaves a slot
        binary within its integrality tolerance of 1 (the disjunction's coefficients are
        as large as the objectives' ranges); such a solve settles nothing."""
        if rec.status is not SolveStatus.OPTIMAL or rec.x is None:
            return None, None, None, True
        x = rec.x[:self.n]
        g = np.round(self.G @ x)
        o = self.others[p]
        if not np.any(np.all(g[None, o] >= lowers[:, o], axis=1)):
            return None, None, None, False
        return x, g, -float(g[p]), True

    def _finish(self, zones: np.ndarray, p: int, rec: SolveRecord, lowers: np.ndarray,
                grouped: bool, pair: _ZoneModels) -> tuple[bool, int]:
        """Apply one solve's answer for ``zones`` (re-solving the first zone alone when a
        group answer lies outside every zone): whether to go on, and the solves used."""
        self.solve_s[int(grouped)] += rec.time_s
        self.group_solves += int(grouped)
        x, g, v, inside = self._answer(rec, p, lowers)
        used = 1
        if not inside:
            logger.debug("zone group answer outside every zone (integrality tolerance); "
                         "solving its first zone alone")
            zones = zones[:1]
            model, lowers, _ = self._setup(zones, p, _ZoneModels(pair.single, None))
            rec = model.solve(time_left(self.deadline))
            self.solve_s[0] += rec.time_s
            x, g, v, _ = self._answer(rec, p, lowers)
            used = 2
        return self._apply(zones, p, rec, x, g, v), used

    def _apply(self, zones: np.ndarray, p: int, rec: SolveRecord, x: np.ndarray | None,
               g: np.ndarray | None, v: float | None) -> bool:
        """Record one solve's answer (variables ``x``, objective values ``g``, max form)
        for ``zones``; False when the search must stop."""
        st = rec.status
        if st is SolveStatus.OPTIMAL and v is not None:
            if x is None or g is None or not self._add_point(g, x, rec):
                self.refound += 1
            else:
                self.new_points += 1
            for u in zones:
                self._certify(p, u, v)
            return True
        if st in (SolveStatus.INFEASIBLE, SolveStatus.INFEASIBLE_OR_UNBOUNDED):
            self.out.infeasible += 1
            for u in zones:
                self._certify(p, u, INF)
            return True
        if st in (SolveStatus.TIME_LIMIT, SolveStatus.ITERATION_LIMIT,
                  SolveStatus.INTERRUPTED):
            self.out.complete = False
            logger.warning("time limit reached: the zone search stopped early")
            return False
        raise SolverFailureError(
            f"HiGHS ended with status '{st.value}' in the zone search (objective "
            f"'{self.model.compiled.objective_names[p]}' free, internal max form "
            f"bounds {(self.steps - zones[0]).tolist()}). "
            "Fix: check the model's scaling or pass other highs_options.")

    def _out_of_time(self) -> bool:
        left = time_left(self.deadline)
        if left is not None and left <= 0:
            self.out.complete = False
            logger.warning("time limit reached: the zone search stopped early")
            return True
        return False

    def run(self, extra: list[SolverModel] | None = None) -> _TaskOutput:
        """Explore every zone; with ``extra`` models, one solve per model at a time in
        threads (each with its own group model when zones are grouped), the answers
        applied in this thread as they come. The nondominated set does not depend on it
        (every zone is closed either way)."""
        pairs = [_ZoneModels(self.model, self.grouped)]
        for m in extra or ():
            gm = (None if self.grouped is None else
                  _group_model(m.compiled, self.slots, self.mip_rel_gap, self.options))
            pairs.append(_ZoneModels(m, gm))
        self.group_models = [p.grouped[0] for p in pairs if p.grouped is not None]
        if len(pairs) > 1:
            solves = self._run_threads(pairs)
        else:
            solves = 0
            while len(self.U) and not self._out_of_time():
                pick = self._select()
                assert pick is not None
                members, p = pick
                zones = self.U[members].copy()
                model, lowers, grouped = self._setup(zones, p, pairs[0])
                rec = model.solve(time_left(self.deadline))
                go_on, used = self._finish(zones, p, rec, lowers, grouped, pairs[0])
                solves += used
                if not go_on:
                    break
        self.out.solves = solves
        self.out.skipped = max(0, self.closed - solves)
        logger.info("zone search: %d solves (%d for groups of zones), %d new points, %d known "
                    "points found again, %d infeasible, %d zones closed; HiGHS %.2f s alone, "
                    "%.2f s in groups", solves, self.group_solves, self.new_points,
                    self.refound, self.out.infeasible, self.closed, *self.solve_s)
        return self.out

    def _run_threads(self, pairs: list[_ZoneModels]) -> int:
        free = list(reversed(range(len(pairs))))
        inflight: dict[Any, tuple[np.ndarray, int, int, np.ndarray, bool]] = {}
        solves = 0
        stop = False
        with ThreadPoolExecutor(max_workers=len(pairs),
                                thread_name_prefix="paretoprice-zones") as pool:
            while True:
                while free and not stop and len(self.U):
                    if self._out_of_time():
                        stop = True
                        break
                    busy = [z for v in inflight.values() for z in v[0]]
                    pick = self._select(exclude=np.array(busy) if busy else None)
                    if pick is None:
                        break
                    members, p = pick
                    zones = self.U[members].copy()
                    mi = free.pop()
                    model, lowers, grouped = self._setup(zones, p, pairs[mi])
                    fut = pool.submit(model.solve, time_left(self.deadline))
                    inflight[fut] = (zones, p, mi, lowers, grouped)
                if not inflight:
                    break
                done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=lambda f: inflight[f][2]):
                    zones, p, mi, lowers, grouped = inflight.pop(fut)
                    free.append(mi)
                    rec = fut.result()
                    if stop:
                        solves += 1
                        continue
                    go_on, used = self._finish(zones, p, rec, lowers, grouped, pairs[mi])
                    solves += used
                    if not go_on:
                        stop = True
        return solves


def _run_task(model: SolverModel, task: _Task, deadline: float | None,
              shared: Any | None, stop: threading.Event | None = None) -> _TaskOutput:
    solves_before, time_before = model.solves, _solver_seconds(model)
    out = _Sweep(model, task, deadline, shared, stop).run()
    out.solves = model.solves - solves_before
    out.solve_s = _solver_seconds(model) - time_before
    return out


def _solver_seconds(model: SolverModel) -> float:
    """Seconds ``model`` has spent inside the solver so far (0 when it does not say)."""
    return float(getattr(model, "solve_time_s", 0.0))


def _worker_main(compiled: CompiledModel, task: _Task, time_left: float | None,
                 mip_rel_gap: float, options: Mapping[str, Any] | None, shared: Any,
                 results: Any, index: int) -> None:
    """Entry point of a worker process: build one HiGHS model, run one sweep."""
    try:
        deadline = None if time_left is None else time.monotonic() + time_left
        model = HighsModel(compiled, mip_rel_gap=mip_rel_gap, options=options)
        out = _run_task(model, task, deadline, shared)
        results.put((index, out, None))
    except BaseException as exc:  # reported to the parent, which re-raises
        results.put((index, None, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


def _expected_sweep(tasks: list[_Task]) -> float:
    """Grid values the sweep may visit (product over the constrained objectives' axes):
    an upper bound on the solves, used by ``workers="auto"``."""
    total = 0.0
    for t in tasks:
        n = 1.0
        for ax in t.axes:
            n *= max(1.0, (ax.last - ax.first) / ax.step + 1.0)
        total += n
    return total


def _run_threads(solver: SolverModel, compiled: CompiledModel, tasks: list[_Task],
                 deadline: float | None, mip_rel_gap: float,
                 options: Mapping[str, Any] | None) -> list[_TaskOutput]:
    """Run the tasks in threads (HiGHS releases the GIL while it solves): the first on the
    caller's model, already warm; each other on its own persistent HiGHS model."""
    shared = [INF, INF]
    stop = threading.Event()

    def one(i: int) -> _TaskOutput:
        try:
            model = solver if i == 0 else HighsModel(compiled, mip_rel_gap=mip_rel_gap,
                                                     options=options)
            return _run_task(model, tasks[i], deadline, shared, stop)
        except BaseException:
            stop.set()  # the other sweeps stop at their next solve
            raise

    with ThreadPoolExecutor(max_workers=len(tasks),
                            thread_name_prefix="paretoprice-exact") as pool:
        futures = [pool.submit(one, i) for i in range(len(tasks))]
        return [f.result() for f in futures]


def _run_processes(compiled: CompiledModel, tasks: list[_Task], deadline: float | None,
                   mip_rel_gap: float, options: Mapping[str, Any] | None) -> list[_TaskOutput]:
    """Run every task in its own process (spawned: no state inherited but the inputs).
    Kept for comparison with threads (``pool="processes"``)."""
    ctx = mp.get_context("spawn")
    shared = ctx.RawArray("d", [INF] * 2)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_worker_main, name=f"paretoprice-exact-{i}",
                    args=(compiled, t, time_left(deadline), mip_rel_gap,
                          dict(options) if options else None, shared, results, i),
                    daemon=True)
        for i, t in enumerate(tasks)
    ]
    for p in procs:
        p.start()
    outputs: dict[int, _TaskOutput] = {}
    errors: list[str] = []
    try:
        while len(outputs) + len(errors) < len(procs):
            try:
                index, out, err = results.get(timeout=_STOP_POLL_S)
            except queue.Empty:
                dead = [p for i, p in enumerate(procs)
                        if i not in outputs and p.exitcode not in (None, 0)]
                if dead and results.empty():
                    raise SolverFailureError(
                        f"Worker process {dead[0].name} died (exit code {dead[0].exitcode}) "
                        "without a result. Fix: when calling from a script, put the call "
                        "under `if __name__ == '__main__':` (workers are spawned and import "
                        "the script again); otherwise run with workers=1 to see the error."
                    ) from None
                continue
            if err is not None:
                errors.append(err)
            else:
                outputs[index] = out
    finally:
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
    if errors:
        raise SolverFailureError(f"A worker process failed:\n{errors[0]}")
    return [outputs[i] for i in range(len(procs))]


# --------------------------------------------------------------------------- merge


def _knapsack_result(compiled: CompiledModel, found: KnapsackResult,
                     runtime_s: float) -> EpsilonConstraintResult:
    """The result of ``search="dp"``: every point proven by the dynamic programme (no
    solver call); the payoff table's row ``i`` is the front's lexicographic optimum of
    objective ``i`` (then the others in their order), as :func:`payoff_table` defines
    it."""
    k = compiled.n_objectives
    g = np.round(compiled.internal_values(found.x))
    rows = []
    for i in range(k):
        order = [i] + [j for j in range(k) if j != i]
        rows.append(int(np.lexsort(tuple(-g[:, j] for j in reversed(order)))[0]))
    records = [SolveRecord(SolveStatus.OPTIMAL, float(v.sum()), x, 0.0, 0.0)
               for v, x in zip(g, found.x, strict=True)]
    payoff = PayoffTable(g=g[rows], x=found.x[rows], records=tuple(records[r] for r in rows))
    out = _TaskOutput(g=list(g), x=list(found.x), records=records)
    result = _assemble(compiled, payoff, [out], integer=True, models_solved=0,
                       runtime_s=runtime_s, workers=1, exact=True, grid_points=None,
                       baseline=False, solver_time_s=0.0)
    logger.info("%s (dp): %d nondominated points, no solver call, peak %d partial "
                "decisions, %d pruned by bounds, %.2f s", OWNER, result.n_points,
                max(found.states, default=1), found.pruned, result.runtime_s)
    return dataclasses.replace(result, search="dp")


def _nondominated(g: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """Mask of rows of ``g`` (maximized) that no other row dominates (``tol`` per column)."""
    n = g.shape[0]
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        if not keep[i]:
            continue
        ge = np.all(g >= g[i] - tol, axis=1)
        gt = np.any(g > g[i] + tol, axis=1)
        if np.any(ge & gt):
            keep[i] = False
    return keep


def _assemble(compiled: CompiledModel, payoff: PayoffTable, outputs: list[_TaskOutput], *,
              integer: bool, models_solved: int, runtime_s: float, workers: int,
              exact: bool, grid_points: int | None, baseline: bool,
              solver_time_s: float = 0.0) -> EpsilonConstraintResult:
    k, n = compiled.n_objectives, compiled.n_cols
    gs = [payoff.g[i] for i in range(k)]
    xs = [payoff.x[i] for i in range(k)]
    recs = list(payoff.records)
    for o in outputs:
        gs += o.g
        xs += o.x
        recs += o.records
    g = np.array(gs, dtype=float).reshape(-1, k)
    x = np.array(xs, dtype=float).reshape(-1, n)
    scale = np.maximum(1.0, np.abs(payoff.g).max(axis=0))
    tol = np.zeros(k) if integer else 1e-6 * scale
    if integer:
        g = np.round(g)
    optimal = np.array([r.status is SolveStatus.OPTIMAL for r in recs])
    # Deterministic order: best first objective first, ..., optimal solves before
    # limited ones, then the smallest solution vector (ties between equal points).
    keys = [x[:, c] for c in reversed(range(min(n, 256)))] + [~optimal]
    keys += [-g[:, c] for c in reversed(range(k))]
    idx = np.lexsort(tuple(keys))
    g, x = g[idx], x[idx]
    recs = [recs[i] for i in idx]
    # Deduplicate equal points (within tol), keeping the first in that order.
    keep = np.ones(len(g), dtype=bool)
    for i in range(1, len(g)):
        prev = np.flatnonzero(keep[:i])
        if np.any(np.all(np.abs(g[prev] - g[i]) <= tol, axis=1)):
            keep[i] = False
    g, x = g[keep], x[keep]
    recs = [r for r, kp in zip(recs, keep, strict=True) if kp]
    nd = _nondominated(g, tol)
    g, x = g[nd], x[nd]
    recs = [r for r, kp in zip(recs, nd, strict=True) if kp]
    points = compiled.objective_values(g)
    payoff_table = compiled.objective_values(payoff.g)
    complete = all(o.complete for o in outputs)
    for arr in (points, x, payoff_table):
        arr.setflags(write=False)
    mip_gap = np.array([r.mip_gap for r in recs], dtype=float)
    solve_time = np.array([r.time_s for r in recs], dtype=float)
    mip_gap.setflags(write=False)
    solve_time.setflags(write=False)
    return EpsilonConstraintResult(
        objective_names=compiled.objective_names,
        senses=compiled.senses,
        points=points,
        solutions=x,
        variable_names=compiled.variable_names,
        status=tuple(r.status for r in recs),
        mip_gap=mip_gap,
        solve_time=solve_time,
        payoff_table=payoff_table,
        models_solved=int(models_solved),
        infeasible=sum(o.infeasible for o in outputs),
        skipped=sum(o.skipped for o in outputs),
        runtime_s=float(runtime_s),
        workers=workers,
        exact=bool(exact and complete),
        grid_points=grid_points,
        complete=complete,
        baseline=baseline,
        solver_time_s=float(solver_time_s),
    )
