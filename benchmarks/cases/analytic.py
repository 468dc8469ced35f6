"""Analytic test problems from pymoo: ZDT1, ZDT2, ZDT3 (2 objectives, 30 variables),
DTLZ1 (7 variables) and DTLZ2 (12 variables) with 3 objectives.

They are not pricing problems, but they have what a solver needs (bounds, senses, a
vectorized evaluation: :class:`~paretoprice.optim.problem.VectorProblem`), so they go
through :func:`paretoprice.solvers.solve` like every case: NSGA-II, NSGA-III, AGE-MOEA
and SMS-EMOA with the settings of :mod:`paretoprice.solvers.evolutionary` (population
100; NSGA-III's Das-Dennis directions chosen the same way), the final population only
(no archive, as pymoo returns it) and 25,000 evaluations in every suite. The reference
front is pymoo's analytic ``pareto_front()`` (100 points for ZDT, 136 for DTLZ with 3
objectives). ``grid`` and ``exact`` are declared unable to run (continuous, nonlinear
problems without a ladder: ``solve`` raises a capability error). Plain IGD (pymoo's
``IGD``, raw units) is reported besides the project's normalized IGD+.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import numpy as np

from paretoprice.benchmarks.cases.base import HEURISTICS, Budget, Case, Reference, RunRecord
from paretoprice.optim.problem import Evaluation, Guardrail
from paretoprice.optim.spec import Bounds

logger = logging.getLogger(__name__)

PROBLEMS: dict[str, int] = {"zdt1": 2, "zdt2": 2, "zdt3": 2, "dtlz1": 3, "dtlz2": 3}
"""pymoo problem name -> number of objectives."""


class PymooTestProblem:
    """A pymoo test problem with the members of a
    :class:`~paretoprice.optim.problem.VectorProblem`: objectives ``f1..fk``, all minimized,
    no guardrails, evaluated by pymoo in one vectorized pass."""

    def __init__(self, name: str, n_obj: int) -> None:
        from pymoo.problems import get_problem

        self.name = name
        self._pymoo = (get_problem(name, n_obj=n_obj) if name.startswith("dtlz")
                       else get_problem(name))
        self.bounds = tuple(Bounds(lower=float(lo), upper=float(hi))
                            for lo, hi in zip(self._pymoo.xl, self._pymoo.xu, strict=True))
        self.objective_names = tuple(f"f{i + 1}" for i in range(n_obj))
        self.senses = tuple("min" for _ in range(n_obj))
        self.guardrails: tuple[Guardrail, ...] = ()

    def evaluate(self, X: np.ndarray, report: bool = True) -> Evaluation:
        """The objectives of the ``(N, n_var)`` matrix ``X`` (no guardrail, nothing reported)."""
        F = np.asarray(self._pymoo.evaluate(np.asarray(X, dtype=float)), dtype=float)
        F = F.reshape(-1, len(self.objective_names))
        return Evaluation({o: F[:, i] for i, o in enumerate(self.objective_names)}, {})

    def pareto_front(self) -> np.ndarray:
        """pymoo's analytic Pareto front (minimization form)."""
        return np.asarray(self._pymoo.pareto_front(), dtype=float)


class AnalyticCase(Case):
    """A pymoo test problem with a known Pareto front (all objectives minimized)."""

    family = "analytic"

    def __init__(self, problem: str, suites: Sequence[str]) -> None:
        self.pymoo_name = problem
        self.n_obj = PROBLEMS[problem]
        super().__init__(problem, {"n_var": len(self._problem().bounds), "n_obj": self.n_obj},
                         suites)

    def _problem(self) -> PymooTestProblem:
        return PymooTestProblem(self.pymoo_name, self.n_obj)

    @property
    def objective_names(self) -> tuple[str, ...]:
        return tuple(f"f{i + 1}" for i in range(self.n_obj))

    def cannot(self, solver: str, suite: str) -> str | None:
        if solver not in HEURISTICS:
            return (f"'{solver}' needs a pricing problem with a decision ladder or a linear "
                    "model; this is a continuous nonlinear test problem")
        return None

    def reference(self, budget: Budget) -> Reference:
        return Reference(self._problem().pareto_front(), "analytic", exact=True)

    def run(self, solver: str, seed: int | None, budget: Budget,
            record_every: int = 0) -> RunRecord:
        from paretoprice.solvers import solve

        if solver not in HEURISTICS:
            raise ValueError(self.cannot(solver, "full"))
        t0 = time.perf_counter()
        front = solve(self._problem(), solver, seed=seed, pop_size=budget.pop_size_analytic,
                      n_eval=budget.n_eval_analytic, archive=False, record_every=record_every)
        wall = time.perf_counter() - t0
        F = front.minimization_matrix()
        n_eval = int(front.provenance.evaluations)
        trajectory = [(int(n), np.asarray(rows, dtype=float).reshape(-1, self.n_obj))
                      for n, rows in front.provenance.diagnostics.get("trajectory", [])]
        if record_every and (not trajectory or trajectory[-1][0] != n_eval):
            trajectory.append((n_eval, F.copy()))
        return RunRecord(F=F, runtime_s=wall, evaluations=n_eval, trajectory=trajectory)

    def igd(self, F: np.ndarray, ref: Reference) -> float:
        """Plain IGD of ``F`` to the analytic front (pymoo's indicator, raw units)."""
        from pymoo.indicators.igd import IGD

        if ref.F is None or len(F) == 0:
            return float("nan")
        return float(IGD(ref.F)(np.asarray(F, dtype=float)))


def cases() -> list[Case]:
    """The analytic cases (ZDT1 is in every suite)."""
    std = ("standard", "full")
    return [AnalyticCase("zdt1", ("smoke", *std)), AnalyticCase("zdt2", std),
            AnalyticCase("zdt3", std), AnalyticCase("dtlz1", std), AnalyticCase("dtlz2", std)]
