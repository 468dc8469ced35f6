"""Exact Pareto fronts of linear multi-objective Pyomo models, solved with HiGHS.

=================================  ======================================================
function                           what
=================================  ======================================================
:func:`solve_epsilon_constraint`   augmented epsilon-constraint (AUGMECON2 / AUGMECON-R
                                   class) for LPs and MILPs with 2+ objectives; every
                                   nondominated point when the objectives are integer
:func:`solve_biobjective_lp`       exact breakpoints and trade-off rates of the front of
                                   a biobjective LP (dichotomic / NISE)
:func:`merge_front`                every nondominated point of a multi-objective
                                   multiple-choice knapsack (a portfolio's exact form),
                                   merging its groups one at a time; no MILP
=================================  ======================================================

The model's objectives live in an ``ObjectiveList`` named ``obj_list`` (pyaugmecon's
convention; :func:`merge_front` takes arrays). Pyomo and HiGHS are imported only when a
function is first called.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "solve_epsilon_constraint": "paretoprice.solvers.exact.engine",
    "EpsilonConstraintResult": "paretoprice.solvers.exact.engine",
    "solve_biobjective_lp": "paretoprice.solvers.exact.nise",
    "BiobjectiveLPResult": "paretoprice.solvers.exact.nise",
    "merge_front": "paretoprice.solvers.exact.merge",
    "MergeResult": "paretoprice.solvers.exact.merge",
    "MergeStopped": "paretoprice.solvers.exact.merge",
    "SolveStatus": "paretoprice.solvers.exact.highs_model",
    "CompiledModel": "paretoprice.solvers.exact.highs_model",
    "compile_model": "paretoprice.solvers.exact.highs_model",
    "ExactSolverError": "paretoprice.solvers.exact.errors",
    "InfeasibleModelError": "paretoprice.solvers.exact.errors",
    "UnboundedObjectiveError": "paretoprice.solvers.exact.errors",
    "SolverFailureError": "paretoprice.solvers.exact.errors",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'paretoprice.solvers.exact' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = sorted(_EXPORTS)
