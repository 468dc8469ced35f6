"""Evolutionary backends via pymoo: NSGA-II (default), NSGA-III, AGE-MOEA, SMS-EMOA.

The pricing problem is wrapped as a vectorized pymoo problem: a whole population is
evaluated in one numpy pass (no elementwise loop). Guardrails become pymoo's inequality
constraints ``G <= 0``, divided by their scale. Every evaluated feasible candidate also
goes to an external nondominated archive (on by default), so the returned front is the
best seen during the whole run, not only the last population.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from paretoprice.optim.problem import FEASIBILITY_TOL, SolvableProblem
from paretoprice.solvers.base import (
    Capability,
    NondominatedArchive,
    RunOutput,
    Settings,
    Solver,
)

logger = logging.getLogger(__name__)


class EvolutionarySettings(Settings):
    """Settings shared by the pymoo backends.

    Attributes
    ----------
    pop_size
        Population size.
    n_gen
        Generations (termination), unless ``n_eval`` is given.
    n_eval
        Evaluations (termination); overrides ``n_gen`` when set.
    archive
        Keep every feasible nondominated candidate seen (recommended).
    n_partitions
        Das-Dennis partitions for NSGA-III's reference directions (``None``: chosen so
        there are about ``pop_size`` directions).
    snap_to_ladder
        Evaluate every candidate at the nearest point of its decisions' ladders (decisions
        with a ``step``), so the search explores the same instance as ``grid`` and
        ``exact`` (prices in whole steps, service levels from their list). ``False``
        treats every decision as continuous between its bounds.
    record_every
        Every that many generations, record the algorithm's current nondominated
        objectives (minimization form) with the evaluations so far; the list is the
        front's ``provenance.diagnostics["trajectory"]`` as ``[[evaluations, rows], ...]``
        (0: not recorded). For anytime curves in benchmarks.
    """

    pop_size: int = Field(default=100, ge=4, le=100_000)
    n_gen: int = Field(default=200, ge=1, le=1_000_000)
    n_eval: int | None = Field(default=None, ge=1)
    archive: bool = True
    n_partitions: int | None = Field(default=None, ge=1, le=200)
    termination: Literal["n_gen", "n_eval"] = "n_gen"
    snap_to_ladder: bool = True
    record_every: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _termination(self) -> EvolutionarySettings:
        if self.n_eval is not None:
            object.__setattr__(self, "termination", "n_eval")
        return self


def ladder_snapper(problem: SolvableProblem) -> Any:
    """A function mapping an ``(N, n_var)`` matrix to the nearest ladder points (one numpy
    pass; decisions without a step are left as they are), or ``None`` without ladders."""
    cols = [j for j, b in enumerate(problem.bounds) if b.step is not None]
    if not cols:
        return None
    lads = [np.asarray(problem.bounds[j].ladder(), dtype=float) for j in cols]

    def snap(X: np.ndarray) -> np.ndarray:
        out = np.array(X, dtype=float, copy=True)
        for j, lad in zip(cols, lads, strict=True):
            if lad.size == 1:
                out[:, j] = lad[0]
                continue
            i = np.clip(np.searchsorted(lad, out[:, j]), 1, lad.size - 1)
            left, right = lad[i - 1], lad[i]
            out[:, j] = np.where(out[:, j] - left <= right - out[:, j], left, right)
        return out

    return snap


def _make_pymoo_problem(problem: SolvableProblem, archive: NondominatedArchive | None,
                        snap: Any = None) -> Any:
    from pymoo.core.problem import Problem

    n_constr = len(problem.guardrails)

    class _Wrapped(Problem):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(n_var=problem.n_var, n_obj=len(problem.objective_names),
                             n_ieq_constr=n_constr, xl=problem.lower, xu=problem.upper,
                             vtype=float)
            self.count = 0

        def _evaluate(self, x: np.ndarray, out: dict[str, Any], *args: Any,
                      **kwargs: Any) -> None:
            if snap is not None:
                x = snap(x)
            ev = problem.evaluate(x, report=False)
            F = problem.minimization_matrix(ev)
            out["F"] = F
            if n_constr:
                G = problem.constraint_matrix(ev, scaled=True)
                out["G"] = G
                feas = np.all(G <= FEASIBILITY_TOL, axis=1)
            else:
                feas = np.ones(x.shape[0], dtype=bool)
            self.count += x.shape[0]
            if archive is not None and feas.any():
                archive.add(x[feas], F[feas])

    return _Wrapped()


def _algorithm(kind: str, s: EvolutionarySettings, n_obj: int) -> Any:
    if kind == "nsga2":
        from pymoo.algorithms.moo.nsga2 import NSGA2

        return NSGA2(pop_size=s.pop_size)
    if kind == "agemoea":
        from pymoo.algorithms.moo.age import AGEMOEA

        return AGEMOEA(pop_size=s.pop_size)
    if kind == "smsemoa":
        from pymoo.algorithms.moo.sms import SMSEMOA

        return SMSEMOA(pop_size=s.pop_size)
    if kind == "nsga3":
        from pymoo.algorithms.moo.nsga3 import NSGA3
        from pymoo.util.ref_dirs import get_reference_directions

        parts = s.n_partitions
        if parts is None:  # smallest Das-Dennis set with >= ~pop_size directions
            from math import comb

            parts = 1
            while comb(parts + n_obj - 1, n_obj - 1) < s.pop_size and parts < 200:
                parts += 1
        ref_dirs = get_reference_directions("das-dennis", n_obj, n_partitions=parts)
        return NSGA3(ref_dirs=ref_dirs, pop_size=max(s.pop_size, len(ref_dirs)))
    raise ValueError(kind)


class _Progress:
    def __init__(self, total: int, unit: str, desc: str) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit=unit, desc=desc, leave=False)
        self.last = 0

    def __call__(self, algorithm: Any) -> None:
        now = algorithm.n_gen if self.bar.unit == "gen" else algorithm.evaluator.n_eval
        self.bar.update(max(0, now - self.last))
        self.last = now


class _Callback:
    """pymoo callback: the progress bar and the trajectory record, each when asked."""

    def __init__(self, progress: _Progress | None, record_every: int) -> None:
        self.progress = progress
        self.record_every = record_every
        self.trajectory: list[list[Any]] = []

    def __call__(self, algorithm: Any) -> None:
        if self.progress is not None:
            self.progress(algorithm)
        if (self.record_every and algorithm.n_gen % self.record_every == 0
                and algorithm.opt is not None):
            self.trajectory.append([int(algorithm.evaluator.n_eval),
                                    np.asarray(algorithm.opt.get("F"), dtype=float).tolist()])


class _PymooSolver(Solver):
    capabilities = frozenset({Capability.CONTINUOUS, Capability.NONLINEAR,
                              Capability.CONSTRAINTS})
    stochastic = True
    Settings = EvolutionarySettings
    kind: ClassVar[str] = ""

    def run(self, problem: SolvableProblem, settings: Settings, seed: int | None,
            progress: bool) -> RunOutput:
        from pymoo.optimize import minimize

        assert isinstance(settings, EvolutionarySettings)
        n_obj = len(problem.objective_names)
        archive = (NondominatedArchive(problem.n_var, n_obj, compact_at=20_000)
                   if settings.archive else None)
        snap = ladder_snapper(problem) if settings.snap_to_ladder else None
        wrapped = _make_pymoo_problem(problem, archive, snap)
        algo = _algorithm(self.kind, settings, n_obj)
        if settings.termination == "n_eval":
            term: tuple[str, int] = ("n_eval", int(settings.n_eval or 0))
            bar = _Progress(term[1], "eval", self.name) if progress else None
        else:
            term = ("n_gen", settings.n_gen)
            bar = _Progress(term[1], "gen", self.name) if progress else None
        callback = _Callback(bar, settings.record_every)
        kwargs: dict[str, Any] = ({"callback": callback}
                                  if bar is not None or settings.record_every else {})
        res = minimize(wrapped, algo, term, seed=seed, verbose=False, save_history=False,
                       **kwargs)
        if bar is not None:
            bar.bar.close()
        parts = []
        if archive is not None:
            parts.append(archive.X)
        if res.pop is not None:
            parts.append(np.asarray(res.pop.get("X"), dtype=float))
        X = np.vstack(parts) if parts else np.empty((0, problem.n_var))
        if snap is not None:
            X = snap(X)
        notes = [] if seed is not None else ["no seed given: the run is not reproducible"]
        diagnostics = {"trajectory": callback.trajectory} if settings.record_every else {}
        return RunOutput(X=X, evaluations=int(wrapped.count), notes=notes,
                         diagnostics=diagnostics)


class NSGA2Solver(_PymooSolver):
    """NSGA-II (Deb et al. 2002): the default; good for 2-3 objectives."""

    name = "nsga2"
    kind = "nsga2"


class NSGA3Solver(_PymooSolver):
    """NSGA-III with Das-Dennis reference directions: for 3+ objectives."""

    name = "nsga3"
    kind = "nsga3"
    capabilities = frozenset({Capability.CONTINUOUS, Capability.NONLINEAR,
                              Capability.CONSTRAINTS, Capability.MANY_OBJECTIVES})


class AGEMOEASolver(_PymooSolver):
    """AGE-MOEA: adaptive geometry estimation."""

    name = "agemoea"
    kind = "agemoea"


class SMSEMOASolver(_PymooSolver):
    """SMS-EMOA: hypervolume-based steady-state selection (slow beyond 3 objectives)."""

    name = "smsemoa"
    kind = "smsemoa"
