"""Multi-objective knapsack cases (AUGMECON literature): 2kp50, 2kp100, 3kp40, 4kp50.

Binary items, knapsack constraints, every objective maximized; the data and the published
exact nondominated sets come from :mod:`paretoprice.benchmarks.mokp_data`. Only the exact engine
(:func:`paretoprice.solvers.exact.solve_epsilon_constraint`, exact mode) applies, reported under the
backend name ``exact``; the heuristics and ``grid`` are declared unable to run (these are
Pyomo models, not pricing problems). ``correct`` says whether the engine's points are
the published set; ``evaluations`` counts the models solved.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import numpy as np

from paretoprice.benchmarks.cases.base import Budget, Case, Reference, RunRecord

logger = logging.getLogger(__name__)


class MOKPCase(Case):
    """One knapsack instance (objectives maximized; fronts kept in minimization form)."""

    family = "mokp"

    def __init__(self, instance: str, suites: Sequence[str]) -> None:
        from paretoprice.benchmarks.mokp_data import load_mokp

        a, _, c, _ = load_mokp(instance)
        self.instance = instance
        self.n_obj = int(c.shape[0])
        super().__init__(f"mokp-{instance}", {"items": int(a.shape[1]), "n_obj": self.n_obj,
                                              "constraints": int(a.shape[0])}, suites)

    @property
    def objective_names(self) -> tuple[str, ...]:
        return tuple(f"profit{i + 1}" for i in range(self.n_obj))

    @property
    def senses(self) -> tuple[str, ...]:
        return tuple("max" for _ in range(self.n_obj))

    def cannot(self, solver: str, suite: str) -> str | None:
        if solver != "exact":
            return (f"'{solver}' runs on pricing problems; a knapsack is a Pyomo model that "
                    "only the exact engine solves")
        return None

    def reference(self, budget: Budget) -> Reference:
        from paretoprice.benchmarks.mokp_data import load_mokp

        pareto = load_mokp(self.instance)[3]
        return Reference(-np.asarray(pareto, dtype=float), "published", exact=True)

    def run(self, solver: str, seed: int | None, budget: Budget,
            record_every: int = 0) -> RunRecord:
        from paretoprice.benchmarks.mokp_data import build_mokp_model
        from paretoprice.solvers.exact import solve_epsilon_constraint

        if solver != "exact":
            raise ValueError(self.cannot(solver, "full"))
        model = build_mokp_model(self.instance)
        t0 = time.perf_counter()
        res = solve_epsilon_constraint(model)
        wall = time.perf_counter() - t0
        signs = np.array([-1.0 if s == "max" else 1.0 for s in res.senses])
        notes = [] if res.exact and res.complete else ["engine did not certify the set exact"]
        return RunRecord(F=np.asarray(res.points, dtype=float) * signs, runtime_s=wall,
                         evaluations=int(res.models_solved), notes=notes)


def cases() -> list[Case]:
    """The knapsack cases; 3kp40 (minutes) only in ``full``."""
    std = ("standard", "full")
    return [MOKPCase("2kp50", ("smoke", *std)), MOKPCase("2kp100", std),
            MOKPCase("4kp50", std), MOKPCase("3kp40", ("full",))]
