"""Analytic test problems from pymoo: ZDT1, ZDT2, ZDT3 (2 objectives, 30 variables),
DTLZ1 (7 variables) and DTLZ2 (12 variables) with 3 objectives.

They are not pricing problems: pymoo's NSGA-II, NSGA-III, AGE-MOEA and SMS-EMOA run on
them directly, with the algorithm settings of :mod:`paretoprice.solvers.evolutionary` (population
100; NSGA-III's Das-Dennis directions chosen the same way) and 25,000 evaluations in
every suite. The reference front is pymoo's analytic ``pareto_front()`` (100 points for
ZDT, 136 for DTLZ with 3 objectives). ``grid`` and ``exact`` are declared unable to run
(continuous, nonlinear problems without a ladder). Plain IGD (pymoo's ``IGD``, raw
units) is reported besides the project's normalized IGD+.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from paretoprice.benchmarks.cases.base import HEURISTICS, Budget, Case, Reference, RunRecord

logger = logging.getLogger(__name__)

PROBLEMS: dict[str, int] = {"zdt1": 2, "zdt2": 2, "zdt3": 2, "dtlz1": 3, "dtlz2": 3}
"""pymoo problem name -> number of objectives."""


class AnalyticCase(Case):
    """A pymoo test problem with a known Pareto front (all objectives minimized)."""

    family = "analytic"

    def __init__(self, problem: str, suites: Sequence[str]) -> None:
        self.pymoo_name = problem
        self.n_obj = PROBLEMS[problem]
        super().__init__(problem, {"n_var": self._pymoo().n_var, "n_obj": self.n_obj}, suites)

    def _pymoo(self) -> Any:
        from pymoo.problems import get_problem

        if self.pymoo_name.startswith("dtlz"):
            return get_problem(self.pymoo_name, n_obj=self.n_obj)
        return get_problem(self.pymoo_name)

    @property
    def objective_names(self) -> tuple[str, ...]:
        return tuple(f"f{i + 1}" for i in range(self.n_obj))

    def cannot(self, solver: str, suite: str) -> str | None:
        if solver not in HEURISTICS:
            return (f"'{solver}' needs a pricing problem with a decision ladder or a linear "
                    "model; this is a continuous nonlinear test problem")
        return None

    def reference(self, budget: Budget) -> Reference:
        pf = np.asarray(self._pymoo().pareto_front(), dtype=float)
        return Reference(pf, "analytic", exact=True)

    def run(self, solver: str, seed: int | None, budget: Budget,
            record_every: int = 0) -> RunRecord:
        from paretoprice.solvers.evolutionary import EvolutionarySettings, _algorithm
        from pymoo.optimize import minimize

        if solver not in HEURISTICS:
            raise ValueError(self.cannot(solver, "full"))
        problem = self._pymoo()
        settings = EvolutionarySettings(pop_size=budget.pop_size_analytic,
                                       n_eval=budget.n_eval_analytic)
        algo = _algorithm(solver, settings, self.n_obj)
        trajectory: list[tuple[int, np.ndarray]] = []

        def snapshot(algorithm: Any) -> None:
            if record_every and algorithm.n_gen % record_every == 0 and algorithm.opt is not None:
                trajectory.append((int(algorithm.evaluator.n_eval),
                                   np.array(algorithm.opt.get("F"), dtype=float)))

        kwargs: dict[str, Any] = {"callback": snapshot} if record_every else {}
        t0 = time.perf_counter()
        res = minimize(problem, algo, ("n_eval", budget.n_eval_analytic), seed=seed,
                       verbose=False, save_history=False, **kwargs)
        wall = time.perf_counter() - t0
        F = np.asarray(res.F, dtype=float).reshape(-1, self.n_obj)
        n_eval = int(res.algorithm.evaluator.n_eval)
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
