"""The small interface every solver family implements, and what they share.

A backend is a class with a ``name``, a set of declared ``capabilities``, a pydantic
``Settings`` model (unknown settings are rejected) and a ``run`` method that returns the
candidate decision vectors it found. :func:`finish` turns those into the one result type,
:class:`~paretoprice.optim.front.ParetoFront`, the same way for every backend: evaluate once
more with reported quantities, keep the feasible, nondominated points, attach provenance.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

import numpy as np
from pydantic import ConfigDict

from paretoprice.optim.errors import CapabilityError
from paretoprice.optim.feasibility import raise_infeasible
from paretoprice.optim.front import ParetoFront, Provenance
from paretoprice.optim.frozen import Frozen
from paretoprice.optim.indicators import nondominated_mask
from paretoprice.optim.problem import PricingProblem, SolvableProblem

logger = logging.getLogger(__name__)

class Capability(Enum):
    """What a backend can do (or needs); :meth:`Solver.check` tests each one it declares
    against the problem before a run.

    Abilities: ``CONTINUOUS`` (real decisions between bounds, no ladder needed),
    ``NONLINEAR`` (any vectorized model), ``CONSTRAINTS`` (guardrails ``g <= 0``),
    ``EXACT`` (returns the exact front on the ladder), ``MANY_OBJECTIVES`` (4+ objectives
    handled well). Needs: ``LADDER`` (a ladder step on every decision),
    ``CHOICE_STRUCTURE`` (the problem's exact form: a pricing problem's
    :meth:`~paretoprice.optim.problem.PricingProblem.choice_structure`).
    """

    CONTINUOUS = "continuous"
    NONLINEAR = "nonlinear"
    CONSTRAINTS = "constraints"
    EXACT = "exact"
    MANY_OBJECTIVES = "many_objectives"
    LADDER = "ladder"
    CHOICE_STRUCTURE = "choice_structure"


class Settings(Frozen):
    """Base of every backend's settings: frozen, unknown keys rejected, numbers strict
    (finite; no bool or string for a number, no number for a bool), as every spec block
    (:class:`~paretoprice.optim.frozen.Frozen`); defaults are not re-validated."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False,
                              validate_default=False)


@dataclass
class RunOutput:
    """What a backend's ``run`` returns: candidate decisions and counters."""

    X: np.ndarray
    evaluations: int
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    """JSON-ready run facts copied into the front's provenance."""


class Solver(ABC):
    """A solver family. Subclasses set ``name``, ``capabilities``, ``Settings``, ``run``."""

    name: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]
    exact: ClassVar[bool] = False
    stochastic: ClassVar[bool] = False
    Settings: ClassVar[type[Settings]]

    def check(self, problem: SolvableProblem) -> None:
        """Raise :class:`CapabilityError` when this backend cannot solve ``problem``: every
        capability it needs is tested, and every ability the problem calls for."""
        caps = self.capabilities
        unladdered = [n for n, b in zip(problem.decision_names, problem.bounds, strict=True)
                      if b.step is None and b.lower != b.upper]
        if Capability.LADDER in caps and unladdered:
            raise CapabilityError(
                f"Solver '{self.name}' needs a ladder (a step) on every decision; "
                f"{unladdered} have none. Fix: add 'step' to those decisions in the problem "
                "file, or use a continuous solver such as 'nsga2'."
            )
        if unladdered and Capability.CONTINUOUS not in caps:
            raise CapabilityError(
                f"Solver '{self.name}' cannot search continuous decisions {unladdered}. "
                "Fix: give them a ladder step, or use a continuous solver such as 'nsga2'.")
        if Capability.CHOICE_STRUCTURE in caps and not isinstance(problem, PricingProblem):
            raise CapabilityError(
                f"Solver '{self.name}' needs the problem's exact form (a pricing problem's "
                f"choice structure); '{problem.name}' is a plain vector problem. Fix: use a "
                "heuristic solver such as 'nsga2', or solve a pricing problem.")
        if problem.guardrails and Capability.CONSTRAINTS not in caps:
            raise CapabilityError(
                f"Solver '{self.name}' cannot handle guardrails; '{problem.name}' has "
                f"{len(problem.guardrails)}. Fix: use a solver that handles constraints.")
        if len(problem.objective_names) >= 4 and Capability.MANY_OBJECTIVES not in caps:
            logger.info("%s: %d objectives; '%s' is not built for 4 or more (try 'nsga3')",
                        problem.name, len(problem.objective_names), self.name)

    @abstractmethod
    def run(self, problem: SolvableProblem, settings: Settings, seed: int | None,
            progress: bool) -> RunOutput:
        """Search ``problem``; return candidate decision vectors (need not be filtered)."""

    def annotate(self, front: ParetoFront, out: RunOutput) -> ParetoFront:
        """Add backend-specific per-point columns to the finished front (default: none)."""
        return front


class NondominatedArchive:
    """Feasible nondominated points seen so far, merged in bounded memory.

    ``add`` takes a batch of decisions and their minimization objectives (feasible only);
    the archive keeps only nondominated points, compacting when the buffer grows.
    """

    def __init__(self, n_var: int, n_obj: int, compact_at: int = 50_000) -> None:
        self._X = np.empty((0, n_var))
        self._F = np.empty((0, n_obj))
        self._bufX: list[np.ndarray] = []
        self._bufF: list[np.ndarray] = []
        self._buffered = 0
        self._compact_at = compact_at

    def add(self, X: np.ndarray, F: np.ndarray) -> None:
        """Add a batch (already feasible)."""
        if X.shape[0] == 0:
            return
        self._bufX.append(np.array(X, dtype=float))
        self._bufF.append(np.array(F, dtype=float))
        self._buffered += X.shape[0]
        if self._buffered >= self._compact_at:
            self.compact()

    def compact(self) -> None:
        """Merge the buffer into the archive, keeping nondominated points."""
        if not self._bufX:
            return
        X = np.vstack([self._X, *self._bufX])
        F = np.vstack([self._F, *self._bufF])
        keep = nondominated_mask(F)
        self._X, self._F = X[keep], F[keep]
        self._bufX, self._bufF, self._buffered = [], [], 0

    @property
    def X(self) -> np.ndarray:
        """Decisions of the archived points."""
        self.compact()
        return self._X

    @property
    def F(self) -> np.ndarray:
        """Minimization objectives of the archived points."""
        self.compact()
        return self._F


def finish(
    problem: SolvableProblem,
    solver: Solver,
    settings: Settings,
    out: RunOutput,
    seed: int | None,
    runtime_s: float,
) -> ParetoFront:
    """Evaluate the candidates with reported quantities; keep feasible nondominated ones."""
    X = np.asarray(out.X, dtype=float).reshape(-1, problem.n_var)
    if X.shape[0] == 0:
        raise_infeasible(problem)
    ev = problem.evaluate(X, report=True)
    feas = problem.feasible(ev)
    if not feas.any():
        raise_infeasible(problem)
    F = problem.minimization_matrix(ev)
    idx = np.flatnonzero(feas)
    idx = idx[nondominated_mask(F[idx])]
    ev_front = _subset(ev, idx)
    prov = Provenance(
        problem=problem.name,
        problem_hash=problem.input_hash(),
        solver=solver.name,
        settings=settings.model_dump(),
        seed=seed,
        runtime_s=runtime_s,
        evaluations=out.evaluations,
        exact=solver.exact,
        notes=tuple(out.notes),
        diagnostics=dict(out.diagnostics),
    )
    return ParetoFront.from_evaluation(problem, X[idx], ev_front, prov)


def _subset(ev: Any, idx: np.ndarray) -> Any:
    from paretoprice.optim.problem import Evaluation

    return Evaluation(
        {k: v[idx] for k, v in ev.objectives.items()},
        {k: v[idx] for k, v in ev.constraints.items()},
        {k: v[idx] for k, v in ev.reported.items()},
    )


def timed_run(solver: Solver, problem: SolvableProblem, settings: Settings, seed: int | None,
              progress: bool) -> ParetoFront:
    """Check, run and finish; the runtime covers the search and the final filtering."""
    solver.check(problem)
    t0 = time.perf_counter()
    out = solver.run(problem, settings, seed, progress)
    front_runtime = time.perf_counter() - t0
    logger.info("%s on %s: %d evaluations in %.3f s", solver.name, problem.name,
                out.evaluations, front_runtime)
    return solver.annotate(finish(problem, solver, settings, out, seed, front_runtime), out)


def settings_from(solver: Solver, options: Mapping[str, Any]) -> Settings:
    """Validate ``options`` against the solver's settings model (readable errors)."""
    from paretoprice.optim.spec import validate_spec

    return validate_spec(solver.Settings, dict(options), owner=f"solver '{solver.name}'")
