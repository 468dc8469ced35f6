"""Exact Pareto fronts of biobjective linear programs (dichotomic / NISE method).

The front of an LP with two objectives is a piecewise-linear curve; its breakpoints are
supported extreme points, each the optimum of a weighted sum of the objectives. Starting
from the two lexicographic optima, the method takes two adjacent known breakpoints ``a``
and ``b``, maximizes the weighted sum whose level lines are parallel to the segment
``ab`` and, when that finds a point beyond the segment, inserts it and recurses on both
halves (Cohon's noninferior set estimation, NISE, without an error tolerance). When no
segment yields a new point, the breakpoints are exactly the front's.

Only the objective costs change between solves: one persistent HiGHS model, whose simplex
basis carries from one weighted sum to the next.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from paretoprice.optim.errors import ParameterError
from paretoprice.solvers.exact.engine import payoff_table, time_left
from paretoprice.solvers.exact.errors import SolverFailureError
from paretoprice.solvers.exact.highs_model import HighsModel, SolveStatus, compile_with_clone

logger = logging.getLogger(__name__)

OWNER = "solve_biobjective_lp"


@dataclass(frozen=True)
class BiobjectiveLPResult:
    """Breakpoints of the exact front of a biobjective LP.

    Attributes
    ----------
    objective_names
        Names of the two objectives of ``obj_list``.
    senses
        ``"min"`` or ``"max"`` per objective.
    points
        ``(n, 2)`` breakpoints in each objective's own sense and units, from the best
        value of the first objective to the best value of the second. The front is the
        polyline through them.
    solutions
        ``(n, n_vars)`` variable values at each breakpoint (basic solutions).
    variable_names
        Names of the columns of ``solutions``.
    rates
        ``(n - 1,)`` trade-off rate of each segment: ``rates[i]`` is
        ``d objective2 / d objective1`` between ``points[i]`` and ``points[i + 1]``, in
        units of objective 2 per unit of objective 1 (e.g. payer dollars per extra patient
        served when objective 1 counts patients and objective 2 dollars).
    payoff_table
        ``(2, 2)``: row ``i`` holds both objectives at the lexicographic optimum of
        objective ``i``.
    models_solved
        LP solves, payoff table included.
    runtime_s
        Wall-clock seconds of the call.
    """

    objective_names: tuple[str, ...]
    senses: tuple[str, ...]
    points: np.ndarray
    solutions: np.ndarray
    variable_names: tuple[str, ...]
    rates: np.ndarray
    payoff_table: np.ndarray
    models_solved: int
    runtime_s: float

    @property
    def n_points(self) -> int:
        """Number of breakpoints."""
        return int(self.points.shape[0])


def solve_biobjective_lp(
    model: Any,
    *,
    time_limit: float | None = None,
    max_breakpoints: int = 100_000,
    highs_options: Mapping[str, bool | int | float | str] | None = None,
) -> BiobjectiveLPResult:
    """All breakpoints of the Pareto front of a linear program with two objectives.

    Parameters
    ----------
    model
        Pyomo ``ConcreteModel`` with exactly two objectives in an ``ObjectiveList`` named
        ``obj_list`` (each minimized or maximized as its ``sense`` says), linear
        constraints and continuous variables only. Never modified.
    time_limit
        Wall-clock budget in seconds (``None``: none); running out raises
        :class:`SolverFailureError`.
    max_breakpoints
        Safety limit on the number of breakpoints.
    highs_options
        Extra HiGHS options for every solve.

    Returns
    -------
    BiobjectiveLPResult

    Raises
    ------
    ParameterError
        Not exactly two objectives, integer variables, nonlinear terms, bad arguments.
    InfeasibleModelError
        The constraints admit no solution.
    UnboundedObjectiveError
        An objective is unbounded over the feasible set.
    """
    t0 = time.perf_counter()
    if time_limit is not None and (isinstance(time_limit, bool)
                                   or not isinstance(time_limit, int | float)
                                   or not time_limit > 0):
        raise ParameterError("time_limit", "a number of seconds > 0 or None", time_limit,
                             fix="pass e.g. time_limit=60.0.", owner=OWNER)
    if isinstance(max_breakpoints, bool) or not isinstance(max_breakpoints, int) \
            or max_breakpoints < 2:
        raise ParameterError("max_breakpoints", "an integer >= 2", max_breakpoints,
                             owner=OWNER)
    compiled, _, _ = compile_with_clone(model, owner=OWNER)
    if compiled.n_objectives != 2:
        raise ParameterError(
            "model", "a Pyomo model whose 'obj_list' holds exactly 2 objectives",
            f"{compiled.n_objectives} objectives",
            fix="use solve_epsilon_constraint for three or more objectives.", owner=OWNER,
        )
    if compiled.is_mip:
        ints = [n for n, i in zip(compiled.variable_names, compiled.integer, strict=True) if i]
        raise ParameterError(
            "model", "a linear program (continuous variables only)",
            f"{len(ints)} integer variable(s), e.g. {ints[:3]}",
            fix="use solve_epsilon_constraint for MILPs, or relax the integrality.",
            owner=OWNER,
        )
    deadline = None if time_limit is None else time.monotonic() + float(time_limit)
    highs = HighsModel(compiled, options=highs_options)
    payoff = payoff_table(highs, compiled, False, deadline)
    G = compiled.G
    scale = np.maximum(1.0, np.abs(payoff.g).max(axis=0))
    tol = 1e-7 * scale

    store: list[tuple[np.ndarray, np.ndarray]] = [(payoff.g[0], payoff.x[0])]
    if np.any(np.abs(payoff.g[0] - payoff.g[1]) > tol):
        store.append((payoff.g[1], payoff.x[1]))
        # Segments (a, b) between known breakpoints, a with the larger g0.
        stack: list[tuple[int, int]] = [(0, 1)]
        while stack:
            ia, ib = stack.pop()
            c, x_c = _weighted_optimum(highs, G, store[ia][0], store[ib][0], deadline)
            if _beyond(store[ia][0], store[ib][0], c, tol):
                if len(store) >= max_breakpoints:
                    raise SolverFailureError(
                        f"More than {max_breakpoints} breakpoints. Fix: raise max_breakpoints."
                    )
                store.append((c, x_c))
                ic = len(store) - 1
                stack.extend([(ia, ic), (ic, ib)])
    pts = store
    g = np.array([p[0] for p in pts], dtype=float).reshape(-1, 2)
    x = np.array([p[1] for p in pts], dtype=float).reshape(len(pts), compiled.n_cols)
    order = np.argsort(-g[:, 0], kind="stable")
    g, x = g[order], x[order]
    points = compiled.objective_values(g)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.diff(points[:, 1]) / np.diff(points[:, 0])
    table = compiled.objective_values(payoff.g)
    for arr in (points, x, rates, table):
        arr.setflags(write=False)
    result = BiobjectiveLPResult(
        objective_names=compiled.objective_names, senses=compiled.senses, points=points,
        solutions=x, variable_names=compiled.variable_names, rates=rates,
        payoff_table=table, models_solved=highs.solves,
        runtime_s=time.perf_counter() - t0,
    )
    logger.info("%s: %d breakpoints, %d LPs, %.3f s", OWNER, result.n_points,
                result.models_solved, result.runtime_s)
    if not math.isfinite(float(np.sum(rates))) and len(rates):
        logger.warning("a segment of the front is vertical; its rate is not finite")
    return result


def _weighted_optimum(highs: HighsModel, G: np.ndarray, a: np.ndarray, b: np.ndarray,
                      deadline: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Maximize the weighted sum whose level lines are parallel to segment ``ab``."""
    lam = np.array([b[1] - a[1], a[0] - b[0]], dtype=float)
    lam = lam / lam.sum()
    highs.set_weights(lam)
    rec = highs.solve(time_left(deadline))
    if rec.status is not SolveStatus.OPTIMAL or rec.x is None:
        raise SolverFailureError(
            f"HiGHS ended with status '{rec.status.value}' on a weighted sum (weights "
            f"{lam.tolist()}). Fix: raise time_limit or check the model's scaling."
        )
    return G @ rec.x, rec.x


def _beyond(a: np.ndarray, b: np.ndarray, c: np.ndarray, tol: np.ndarray) -> bool:
    """Whether ``c`` is a new breakpoint strictly between ``a`` and ``b`` and beyond the
    segment ``ab`` (internal maximization form, ``a[0] > b[0]``, ``a[1] < b[1]``)."""
    lam = np.array([b[1] - a[1], a[0] - b[0]], dtype=float)
    lam = lam / lam.sum()
    between = a[0] - tol[0] > c[0] > b[0] + tol[0] and a[1] + tol[1] < c[1] < b[1] - tol[1]
    return bool(between and float(lam @ (c - a)) > float(lam @ tol))
