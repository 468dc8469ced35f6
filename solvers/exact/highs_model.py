"""The one adapter between Pyomo, HiGHS and the exact engine.

Every Pyomo and HiGHS quirk the engine depends on lives here:

* :func:`compile_model` reads a user's Pyomo model (never modifying it) into a
  :class:`CompiledModel`: sparse constraint rows with lower and upper bounds, column
  bounds and integrality, and one dense row of coefficients per objective of
  ``obj_list``. It is plain numpy/scipy data, so it can be sent to worker processes.
* :class:`HighsModel` loads a compiled model ONCE into a ``highspy.Highs`` instance
  (silent, one thread, fixed random seed). Every objective becomes an extra row; an
  epsilon point only changes those rows' bounds, the working objective only changes
  column costs. HiGHS keeps the simplex basis between LP solves; for MILPs a known
  feasible solution can be passed as a MIP start.
* :class:`PyomoRebuildModel` offers the same methods but rebuilds the Pyomo model and a
  fresh HiGHS instance through Pyomo's solver interface for every solve (the way
  pyaugmecon works). It exists as a baseline for comparison.
* Every HiGHS (or Pyomo) termination state is mapped onto :class:`SolveStatus`; states
  the engine does not expect map to ``ERROR`` so they are loud.

Internally every objective is in *maximization form*: ``g_j(x) = sign_j * c_j x`` with
``sign_j = +1`` for a maximized and ``-1`` for a minimized objective, without the
objective's constant offset. :meth:`CompiledModel.objective_values` turns internal values
back into each objective's own sense and units.
"""

from __future__ import annotations

import enum
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from scipy import sparse

from paretoprice.optim.errors import ParameterError
from paretoprice.solvers.exact.errors import InfeasibleModelError

logger = logging.getLogger(__name__)

INF = math.inf

DEFAULT_HIGHS_OPTIONS: Mapping[str, bool | int | float | str] = {
    "output_flag": False,
    "threads": 1,
    "random_seed": 20240611,
    # Sub-MIP heuristics cost more than they find on the small, repeatedly solved MILPs
    # of an epsilon-constraint sweep, where a MIP start is usually passed in.
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_feasibility_jump": False,
    # HiGHS 1.16 with presolve on and a MIP start (setSolution) on a persistent model can
    # stop at a suboptimal point reported optimal: seen on the bundled 4-objective
    # portfolio, one nondominated point lost (tests/test_exact_backend.py). So MIP starts
    # are passed only with presolve off (the default here); with presolve on, HighsModel
    # ignores them. Which is faster depends on the model (see docs/exact.md).
    "presolve": "off",
}
"""HiGHS options of every solve (``mip_rel_gap`` and ``time_limit`` are set per run)."""


class SolveStatus(enum.Enum):
    """Outcome of one solve, the same for every backend.

    ``OPTIMAL`` is proven optimal (within ``mip_rel_gap`` for MILPs); ``TIME_LIMIT`` and
    ``ITERATION_LIMIT`` may still carry a feasible solution; ``ERROR`` covers every state
    the engine does not expect (so that it is never silently treated as a result).
    """

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    INTERRUPTED = "interrupted"
    ERROR = "error"


@dataclass(frozen=True)
class SolveRecord:
    """What one solve returned.

    Attributes
    ----------
    status
        The mapped termination state.
    objective
        Value of the working (weighted) objective, maximization form; NaN without a
        solution.
    x
        Column values in the order of :attr:`CompiledModel.variable_names` (integer
        columns rounded when within 1e-6 of an integer), or ``None`` without a solution.
    mip_gap
        Relative MIP gap reported by HiGHS (0 for LPs solved to optimality, ``inf``
        without an incumbent).
    time_s
        Wall-clock seconds spent in the solver call, in seconds.
    nodes
        Branch-and-bound nodes (0 for LPs).
    """

    status: SolveStatus
    objective: float
    x: np.ndarray | None
    mip_gap: float
    time_s: float
    nodes: int = 0


@dataclass(frozen=True)
class CompiledModel:
    """Matrix form of a linear multi-objective Pyomo model (plain, picklable data).

    Constraint rows read ``row_lower <= A x <= row_upper`` (infinite bounds are
    ``-inf``/``inf``); columns ``col_lower <= x <= col_upper``; ``integer[i]`` marks
    integer (including binary) columns. Objective ``j`` is ``C[j] @ x + offsets[j]``,
    optimized in the sense ``senses[j]`` (``"min"`` or ``"max"``).
    """

    variable_names: tuple[str, ...]
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    A: sparse.csr_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    objective_names: tuple[str, ...]
    senses: tuple[str, ...]
    C: np.ndarray
    offsets: np.ndarray

    @property
    def n_cols(self) -> int:
        """Number of columns (variables that are not fixed and appear somewhere)."""
        return len(self.variable_names)

    @property
    def n_rows(self) -> int:
        """Number of constraint rows (objective rows not included)."""
        return int(self.A.shape[0])

    @property
    def n_objectives(self) -> int:
        """Number of objectives in ``obj_list``."""
        return len(self.objective_names)

    @property
    def is_mip(self) -> bool:
        """Whether any column is integer."""
        return bool(self.integer.any())

    @property
    def sign(self) -> np.ndarray:
        """+1 for maximized, -1 for minimized objectives."""
        return np.array([1.0 if s == "max" else -1.0 for s in self.senses])

    @property
    def G(self) -> np.ndarray:
        """Objective rows in maximization form (``sign[:, None] * C``)."""
        return self.sign[:, None] * self.C

    def internal_values(self, x: np.ndarray) -> np.ndarray:
        """Objectives of ``x`` (one row per solution) in maximization form, no offsets."""
        return np.asarray(x, dtype=float) @ self.G.T

    def objective_values(self, g: np.ndarray) -> np.ndarray:
        """Internal values ``g`` turned into each objective's own sense and units."""
        return np.asarray(g, dtype=float) * self.sign + self.offsets

    def integer_objective(self, j: int) -> bool:
        """Whether objective ``j`` has integer coefficients on integer columns only."""
        nz = self.C[j] != 0
        coef = self.C[j][nz]
        return bool(self.integer[nz].all() and np.all(np.abs(coef - np.round(coef)) <= 1e-9))

    def objective_step(self, j: int) -> float:
        """Greatest common divisor of objective ``j``'s integer coefficients (its value
        changes by multiples of it); 1.0 when it has no nonzero coefficient."""
        coef = np.abs(np.round(self.C[j][self.C[j] != 0])).astype(np.int64)
        return float(math.gcd(*coef.tolist())) if coef.size else 1.0

    def interval_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of every internal objective over the column box.

        Infinite when an objective has a nonzero coefficient on an unbounded column.
        """
        G = self.G
        lo = np.zeros(G.shape[0])
        hi = np.zeros(G.shape[0])
        for j in range(G.shape[0]):
            nz = G[j] != 0
            g = G[j][nz]
            cl, cu = self.col_lower[nz], self.col_upper[nz]
            with np.errstate(invalid="ignore"):
                a, b = g * cl, g * cu
            lo[j] = float(np.sum(np.minimum(a, b)))
            hi[j] = float(np.sum(np.maximum(a, b)))
        return np.nan_to_num(lo, nan=-INF), np.nan_to_num(hi, nan=INF)


class SolverModel(Protocol):
    """What the engine asks of a solver model (HiGHS persistent or Pyomo rebuild)."""

    compiled: CompiledModel
    solves: int

    def set_objective_bounds(self, lower: np.ndarray, upper: np.ndarray) -> None:
        """Bounds on the internal objective values (``-inf``/``inf`` for none)."""

    def set_weights(self, weights: np.ndarray) -> None:
        """Maximize ``weights @ g(x)`` from the next solve on."""

    def set_start(self, x: np.ndarray | None) -> None:
        """A feasible solution to start the next MILP solve from (or ``None``)."""

    def set_relaxed(self, relaxed: bool) -> None:
        """Drop (True) or restore (False) the integrality of integer columns."""

    def solve(self, time_limit: float | None = None) -> SolveRecord:
        """Solve with the current bounds and weights."""


# --------------------------------------------------------------------------- compile


def _model_error(owner: str, expected: str, got: str, fix: str) -> ParameterError:
    return ParameterError("model", expected, got, fix=fix, owner=owner)


def _objective_list(model: Any, owner: str) -> list[Any]:
    """The ObjectiveData of ``model.obj_list`` in index order (validated)."""
    from pyomo.core.base.block import BlockData
    from pyomo.environ import Objective

    if not isinstance(model, BlockData):
        raise _model_error(
            owner, "a Pyomo ConcreteModel", f"an object of type {type(model).__name__}",
            "build the problem as pyomo.environ.ConcreteModel() with its objectives in "
            "model.obj_list = ObjectiveList().",
        )
    expected = "a Pyomo model with an ObjectiveList named 'obj_list' holding at least 2 objectives"
    obj_list = model.component("obj_list")
    if obj_list is None:
        raise _model_error(
            owner, expected, "a model without a component named 'obj_list'",
            "add model.obj_list = ObjectiveList() and one model.obj_list.add(expr=..., "
            "sense=...) per objective.",
        )
    if obj_list.ctype is not Objective:
        raise _model_error(
            owner, expected, f"'obj_list' of type {type(obj_list).__name__}",
            "make obj_list an ObjectiveList (model.obj_list = ObjectiveList()).",
        )
    objs = list(obj_list.values()) if obj_list.is_indexed() else [obj_list]
    if len(objs) < 2:
        raise _model_error(
            owner, expected, f"an 'obj_list' with {len(objs)} objective(s)",
            "add every objective to obj_list (a single objective needs no Pareto front).",
        )
    return objs


def compile_model(model: Any, *, owner: str = "compile_model") -> CompiledModel:
    """Compile a linear multi-objective Pyomo model to matrix form (model not modified).

    Parameters
    ----------
    model
        A Pyomo ``ConcreteModel`` whose objectives are in an ``ObjectiveList`` named
        ``obj_list`` (active or not; each with its own sense). Other objectives are
        ignored. Constraints and objectives must be linear.
    owner
        Name of the public function, used in error messages.

    Returns
    -------
    CompiledModel

    Raises
    ------
    ParameterError
        No ``obj_list``, fewer than two objectives, nonlinear or unsupported components.
    InfeasibleModelError
        A constraint without variables is violated (e.g. ``0 >= 1`` after fixing).
    """
    return compile_with_clone(model, owner=owner)[0]


def compile_with_clone(model: Any, *, owner: str) -> tuple[CompiledModel, Any, list[Any]]:
    """:func:`compile_model`, also returning the working clone and its column VarData."""
    from pyomo.common.errors import (
        InfeasibleConstraintException,
        InvalidConstraintError,
        InvalidExpressionError,
    )
    from pyomo.environ import Objective, maximize
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    _objective_list(model, owner)
    work = model.clone()
    # Only obj_list's objectives are compiled, whatever their active flags in the model.
    for comp in work.component_objects(Objective, descend_into=True):
        comp.deactivate()
    work.obj_list.activate()
    for o in work.obj_list.values() if work.obj_list.is_indexed() else [work.obj_list]:
        o.activate()
    objs = list(work.obj_list.values()) if work.obj_list.is_indexed() else [work.obj_list]

    try:
        info = LinearStandardFormCompiler().write(work, mixed_form=True, set_sense=None)
    except (InvalidConstraintError, InvalidExpressionError) as exc:
        raise _model_error(
            owner, "linear (an LP or a MILP)", f"nonlinear terms: {exc}",
            "linearize the expression (e.g. piecewise-linear or big-M) or fix the variables "
            "that multiply each other.",
        ) from exc
    except InfeasibleConstraintException as exc:
        raise InfeasibleModelError(
            f"The model is infeasible: {exc}. Fix: correct that constraint or the values of "
            "the fixed variables in it."
        ) from exc
    except ValueError as exc:
        raise _model_error(
            owner, "made of variables, linear constraints and objectives only",
            str(exc).splitlines()[0],
            "deactivate or reformulate the listed components (SOS, piecewise, ...).",
        ) from exc

    position = {id(o): i for i, o in enumerate(info.objectives)}
    order = [position[id(o)] for o in objs]
    k = len(objs)
    columns = list(info.columns)
    n = len(columns)
    c_all = sparse.csr_array(info.c).toarray() if n else np.zeros((k, 0))
    C = np.ascontiguousarray(c_all[order, :], dtype=float)
    offsets = np.asarray(info.c_offset, dtype=float)[order]
    senses = tuple("max" if o.sense == maximize else "min" for o in objs)
    names = tuple(o.name for o in objs)

    A, row_lower, row_upper = _rows(info, n)
    col_lower = np.array([-INF if v.lb is None else float(v.lb) for v in columns])
    col_upper = np.array([INF if v.ub is None else float(v.ub) for v in columns])
    integer = np.array([bool(v.is_integer()) for v in columns], dtype=bool)
    compiled = CompiledModel(
        variable_names=tuple(v.name for v in columns),
        col_lower=col_lower, col_upper=col_upper, integer=integer,
        A=A, row_lower=row_lower, row_upper=row_upper,
        objective_names=names, senses=senses, C=C, offsets=offsets,
    )
    logger.debug("compiled %s: %d columns (%d integer), %d rows, %d objectives",
                 model.name, n, int(integer.sum()), A.shape[0], k)
    return compiled, work, columns


def _rows(info: Any, n: int) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
    """Constraint rows with both bounds: the compiler's mixed form writes a ranged
    constraint as two rows (upper then lower); they are merged back into one."""
    rows = list(info.rows)
    rhs = np.asarray(info.rhs, dtype=float).reshape(-1)
    A = sparse.csr_array(info.A) if len(rows) else sparse.csr_array((0, n))
    keep: list[int] = []
    lower: list[float] = []
    upper: list[float] = []
    i = 0
    while i < len(rows):
        con, kind = rows[i]
        if kind == 0:
            keep.append(i)
            lower.append(rhs[i])
            upper.append(rhs[i])
            i += 1
        elif kind == 1 and i + 1 < len(rows) and rows[i + 1][0] is con and rows[i + 1][1] == -1:
            keep.append(i)
            lower.append(rhs[i + 1])
            upper.append(rhs[i])
            i += 2
        else:
            keep.append(i)
            lower.append(rhs[i] if kind == -1 else -INF)
            upper.append(rhs[i] if kind == 1 else INF)
            i += 1
    A = sparse.csr_array(A[keep, :]) if keep else sparse.csr_array((0, n))
    return A, np.array(lower, dtype=float), np.array(upper, dtype=float)


# --------------------------------------------------------------------------- HiGHS


def _status_map() -> dict[Any, SolveStatus]:
    import highspy

    m = highspy.HighsModelStatus
    return {
        m.kOptimal: SolveStatus.OPTIMAL,
        m.kInfeasible: SolveStatus.INFEASIBLE,
        m.kUnbounded: SolveStatus.UNBOUNDED,
        m.kUnboundedOrInfeasible: SolveStatus.INFEASIBLE_OR_UNBOUNDED,
        m.kTimeLimit: SolveStatus.TIME_LIMIT,
        m.kIterationLimit: SolveStatus.ITERATION_LIMIT,
        m.kInterrupt: SolveStatus.INTERRUPTED,
        m.kHighsInterrupt: SolveStatus.INTERRUPTED,
    }


def _clean_x(x: np.ndarray, integer: np.ndarray) -> np.ndarray:
    """Round integer columns that are within 1e-6 of an integer."""
    if integer.any():
        xi = x[integer]
        r = np.round(xi)
        close = np.abs(xi - r) <= 1e-6
        xi[close] = r[close]
        x[integer] = xi
    return x


def _new_highs(highspy: Any) -> Any:
    """A ``highspy.Highs`` instance without the banner it prints on stdout when the first
    one is made (the banner is written by C++ code, so it is silenced at the fd level)."""
    import os
    import sys

    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no real stdout (embedded interpreters)
        return highspy.Highs()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


class HighsModel:
    """One persistent HiGHS model of a compiled multi-objective problem.

    The constraint rows are followed by one row per objective (internal maximization
    form, free until :meth:`set_objective_bounds`). Between solves only those rows'
    bounds, the column costs and the integrality flags change; the model is never
    rebuilt.

    Parameters
    ----------
    compiled
        The problem in matrix form.
    mip_rel_gap
        Relative MIP gap at which HiGHS stops (0 proves optimality).
    options
        Extra HiGHS options, applied after :data:`DEFAULT_HIGHS_OPTIONS`.
    """

    def __init__(
        self,
        compiled: CompiledModel,
        *,
        mip_rel_gap: float = 0.0,
        options: Mapping[str, bool | int | float | str] | None = None,
    ) -> None:
        import highspy

        self.compiled = compiled
        self.solves = 0
        self.solve_time_s = 0.0  # seconds inside the solver over every solve
        self._status = _status_map()
        self._hs = highspy
        h = _new_highs(highspy)
        merged = {**DEFAULT_HIGHS_OPTIONS, "mip_rel_gap": float(mip_rel_gap), **(options or {})}
        self._presolve = str(merged.get("presolve", "choose"))
        # MIP starts only without presolve (see DEFAULT_HIGHS_OPTIONS)
        self.uses_starts = self._presolve == "off"
        for key, val in merged.items():
            if h.setOptionValue(key, val) != highspy.HighsStatus.kOk:
                raise ParameterError("highs_options", "valid HiGHS options", f"{key}={val!r}",
                                     fix="check the option name and type in the HiGHS docs.")
        n, m, k = compiled.n_cols, compiled.n_rows, compiled.n_objectives
        self._cols = np.arange(n, dtype=np.int32)
        h.addVars(n, compiled.col_lower, compiled.col_upper)
        self._int_cols = np.flatnonzero(compiled.integer).astype(np.int32)
        self._set_integrality(True, h)
        A = compiled.A
        if m:
            h.addRows(m, compiled.row_lower, compiled.row_upper, int(A.nnz),
                      A.indptr[:-1].astype(np.int32), A.indices.astype(np.int32),
                      A.data.astype(float))
        G = sparse.csr_array(compiled.G)
        h.addRows(k, np.full(k, -INF), np.full(k, INF), int(G.nnz),
                  G.indptr[:-1].astype(np.int32), G.indices.astype(np.int32),
                  G.data.astype(float))
        self._obj_rows = np.arange(m, m + k, dtype=np.int32)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self._h = h
        self._start: np.ndarray | None = None

    def _set_integrality(self, integral: bool, h: Any | None = None) -> None:
        h = self._h if h is None else h
        if self._int_cols.size:
            kind = self._hs.HighsVarType.kInteger if integral else self._hs.HighsVarType.kContinuous
            types = np.full(self._int_cols.size, int(kind), dtype=np.uint8)
            h.changeColsIntegrality(self._int_cols.size, self._int_cols, types)

    def set_objective_bounds(self, lower: np.ndarray, upper: np.ndarray) -> None:
        """Bounds on the internal objective values (the epsilon right-hand sides)."""
        k = self.compiled.n_objectives
        lo = np.asarray(lower, dtype=float).reshape(k)
        up = np.asarray(upper, dtype=float).reshape(k)
        self._h.changeRowsBounds(k, self._obj_rows, lo, up)

    def set_weights(self, weights: np.ndarray) -> None:
        """Maximize ``weights @ g(x)`` (one weight per objective)."""
        cost = np.asarray(weights, dtype=float) @ self.compiled.G
        self._h.changeColsCost(self.compiled.n_cols, self._cols, cost)

    def set_start(self, x: np.ndarray | None) -> None:
        """Pass ``x`` (feasible for the next solve) as a MIP start; ignored for LPs and
        when presolve is on (a HiGHS 1.16 defect, see :data:`DEFAULT_HIGHS_OPTIONS`)."""
        self._start = (None if x is None or not self.compiled.is_mip or not self.uses_starts
                       else np.asarray(x, float))

    def set_row_bounds(self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Bounds of constraint rows ``rows`` (indices into the compiled model's rows)."""
        idx = np.asarray(rows, dtype=np.int32)
        self._h.changeRowsBounds(idx.size, idx, np.asarray(lower, dtype=float),
                                 np.asarray(upper, dtype=float))

    def set_coefficients(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
        """Matrix coefficients ``A[rows[i], cols[i]] = values[i]`` of constraint rows."""
        for r, c, v in zip(np.asarray(rows).tolist(), np.asarray(cols).tolist(),
                           np.asarray(values, dtype=float).tolist(), strict=True):
            self._h.changeCoeff(int(r), int(c), float(v))

    def set_column_bounds(self, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Bounds of columns ``cols`` (indices into the compiled model's columns)."""
        idx = np.asarray(cols, dtype=np.int32)
        self._h.changeColsBounds(idx.size, idx, np.asarray(lower, dtype=float),
                                 np.asarray(upper, dtype=float))

    def set_relaxed(self, relaxed: bool) -> None:
        """Solve the LP relaxation (True) or the MILP again (False)."""
        self._set_integrality(not relaxed)

    def clear_state(self) -> None:
        """Forget the previous solve's solution and basis (the model itself is kept).

        With presolve on, HiGHS 1.16 on a persistent MILP can return the previous
        solution as optimal after only row bounds changed (seen on the bundled
        4-objective portfolio with the box search: 19 of 57 points lost); clearing the
        solver state before such a solve avoids it."""
        self._h.clearSolver()

    def solve(self, time_limit: float | None = None) -> SolveRecord:
        """Run HiGHS with the current bounds and costs; map its state.

        Parameters
        ----------
        time_limit
            Seconds for this solve (``None``: no limit).
        """
        h = self._h
        h.setOptionValue("time_limit", INF if time_limit is None else max(float(time_limit), 1e-3))
        if self._start is not None:
            h.setSolution(self.compiled.n_cols, self._cols, self._start)
            self._start = None
        t0 = time.perf_counter()
        run_status = h.run()
        model_status = h.getModelStatus()
        if model_status == self._hs.HighsModelStatus.kUnboundedOrInfeasible:
            # Presolve cannot tell the two apart; the simplex without presolve can.
            h.setOptionValue("presolve", "off")
            run_status = h.run()
            model_status = h.getModelStatus()
            h.setOptionValue("presolve", self._presolve)
        elapsed = time.perf_counter() - t0
        self.solves += 1
        self.solve_time_s += elapsed
        status = self._status.get(model_status, SolveStatus.ERROR)
        if run_status == self._hs.HighsStatus.kError:
            status = SolveStatus.ERROR
        info = h.getInfo()
        x: np.ndarray | None = None
        if info.primal_solution_status == 2:  # 2 = feasible
            x = _clean_x(np.array(h.getSolution().col_value, dtype=float), self.compiled.integer)
        if status is SolveStatus.OPTIMAL and x is None:
            logger.warning("HiGHS reported optimal without a primal solution; treated as ERROR")
            status = SolveStatus.ERROR
        if status is SolveStatus.ERROR:
            logger.warning("HiGHS ended in state %s", h.modelStatusToString(model_status))
        mip = self.compiled.is_mip and info.mip_node_count >= 0
        gap = float(info.mip_gap) if mip else (0.0 if x is not None else INF)
        return SolveRecord(
            status=status,
            objective=float(info.objective_function_value) if x is not None else math.nan,
            x=x,
            mip_gap=gap,
            time_s=elapsed,
            nodes=int(max(info.mip_node_count, 0)) if mip else 0,
        )


# --------------------------------------------------------------------------- baseline


class PyomoRebuildModel:
    """Same methods as :class:`HighsModel`, but every solve rebuilds the Pyomo model's
    epsilon constraints and objective and hands it to a NEW HiGHS instance through
    Pyomo's solver interface (no persistent model, no warm start, no MIP start).

    Only for comparison: this is how pyaugmecon solves each grid point.
    """

    def __init__(self, compiled: CompiledModel, work: Any, columns: list[Any], *,
                 mip_rel_gap: float = 0.0,
                 options: Mapping[str, bool | int | float | str] | None = None) -> None:
        self.compiled = compiled
        self.solves = 0
        self.solve_time_s = 0.0  # seconds inside the solver over every solve
        self._options = {k: v for k, v in {**DEFAULT_HIGHS_OPTIONS, **(options or {})}.items()
                         if k not in ("output_flag", "threads", "mip_rel_gap", "time_limit")}
        self._work = work
        self._columns = columns
        self._gap = float(mip_rel_gap)
        k = compiled.n_objectives
        self._lower = np.full(k, -INF)
        self._upper = np.full(k, INF)
        self._weights = np.zeros(k)
        self._relaxed = False
        self._domains = [(v.domain, v.bounds) for v in columns]
        for o in work.component_data_objects(_objective_type(), descend_into=True):
            o.deactivate()

    def set_objective_bounds(self, lower: np.ndarray, upper: np.ndarray) -> None:
        """Bounds on the internal objective values (applied at the next solve)."""
        self._lower = np.asarray(lower, dtype=float).copy()
        self._upper = np.asarray(upper, dtype=float).copy()

    def set_weights(self, weights: np.ndarray) -> None:
        """Maximize ``weights @ g(x)`` (applied at the next solve)."""
        self._weights = np.asarray(weights, dtype=float).copy()

    def set_start(self, x: np.ndarray | None) -> None:
        """Ignored: the baseline never warm-starts."""

    def set_relaxed(self, relaxed: bool) -> None:
        """Relax the integer columns of the working clone to reals (or restore them)."""
        from pyomo.environ import Reals

        for v, (domain, bounds) in zip(self._columns, self._domains, strict=True):
            if relaxed:
                v.domain = Reals
                v.setlb(bounds[0])
                v.setub(bounds[1])
            else:
                v.domain = domain
        self._relaxed = relaxed

    def _rebuild(self) -> None:
        from pyomo.environ import ConstraintList, Objective, maximize

        w = self._work
        for name in ("_pp_epsilon", "_pp_objective"):
            if w.component(name) is not None:
                w.del_component(name)
        G = self.compiled.G
        cols = self._columns

        def expr(row: np.ndarray) -> Any:
            nz = np.flatnonzero(row)
            return sum(float(row[i]) * cols[i] for i in nz)

        w._pp_epsilon = ConstraintList()
        for j in range(G.shape[0]):
            lo, up = self._lower[j], self._upper[j]
            if math.isfinite(lo) or math.isfinite(up):
                w._pp_epsilon.add((lo if math.isfinite(lo) else None, expr(G[j]),
                                   up if math.isfinite(up) else None))
        w._pp_objective = Objective(expr=expr(self._weights @ G), sense=maximize)

    def solve(self, time_limit: float | None = None) -> SolveRecord:
        """Rebuild and solve through ``pyomo.contrib.solver``'s HiGHS interface."""
        from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
        from pyomo.contrib.solver.solvers.highs import Highs as PyomoHighs

        t0 = time.perf_counter()
        self._rebuild()
        solver = PyomoHighs()
        results = solver.solve(
            self._work, load_solutions=False, raise_exception_on_nonoptimal_result=False,
            threads=1, rel_gap=self._gap, time_limit=time_limit,
            solver_options=dict(self._options),
        )
        self.solves += 1
        self.solve_time_s += time.perf_counter() - t0
        tc = results.termination_condition
        mapping = {
            TerminationCondition.convergenceCriteriaSatisfied: SolveStatus.OPTIMAL,
            TerminationCondition.provenInfeasible: SolveStatus.INFEASIBLE,
            TerminationCondition.locallyInfeasible: SolveStatus.INFEASIBLE,
            TerminationCondition.unbounded: SolveStatus.UNBOUNDED,
            TerminationCondition.infeasibleOrUnbounded: SolveStatus.INFEASIBLE_OR_UNBOUNDED,
            TerminationCondition.maxTimeLimit: SolveStatus.TIME_LIMIT,
            TerminationCondition.iterationLimit: SolveStatus.ITERATION_LIMIT,
            TerminationCondition.interrupted: SolveStatus.INTERRUPTED,
        }
        status = mapping.get(tc, SolveStatus.ERROR)
        x: np.ndarray | None = None
        if results.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible):
            primals = results.solution_loader.get_vars(self._columns)
            x = np.array([primals[v] for v in self._columns], dtype=float)
            x = _clean_x(x, self.compiled.integer if not self._relaxed
                         else np.zeros(len(x), dtype=bool))
        if status is SolveStatus.OPTIMAL and x is None:
            status = SolveStatus.ERROR
        inc, bound = results.incumbent_objective, results.objective_bound
        if x is None or inc is None:
            gap = INF
        elif bound is None or not self.compiled.is_mip or self._relaxed:
            gap = 0.0
        else:
            gap = abs(bound - inc) / max(1e-10, abs(inc))
        return SolveRecord(
            status=status,
            objective=float(inc) if inc is not None and x is not None else math.nan,
            x=x,
            mip_gap=float(gap),
            time_s=time.perf_counter() - t0,
        )


def _objective_type() -> Any:
    from pyomo.environ import Objective

    return Objective
