"""Exact Pareto fronts of linear multi-objective Pyomo models, solved with HiGHS.

=================================  ======================================================
function                           what
=================================  ======================================================
:func:`solve_epsilon_constraint`   augmented epsilon-constraint (AUGMECON2 / AUGMECON-R
                                   class) for LPs and MILPs with 2+ objectives; every
                                   nondominated point when the objectives are integer
:func:`solve_biobjective_lp`       exact breakpoints and trade-off rates of the front of
                                   a biobjective LP (dichotomic / NISE)
=================================  ======================================================

The model's objectives live in an ``ObjectiveList`` named ``obj_list`` (pyaugmecon's
convention). Pyomo and HiGHS are imported only when a function is first called.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "solve_epsilon_constraint": "solvers.exact.engine",
    "EpsilonConstraintResult": "solvers.exact.engine",
    "solve_biobjective_lp": "solvers.exact.nise",
    "BiobjectiveLPResult": "solvers.exact.nise",
    "SolveStatus": "solvers.exact.highs_model",
    "CompiledModel": "solvers.exact.highs_model",
    "compile_model": "solvers.exact.highs_model",
    "ExactSolverError": "solvers.exact.errors",
    "InfeasibleModelError": "solvers.exact.errors",
    "UnboundedObjectiveError": "solvers.exact.errors",
    "SolverFailureError": "solvers.exact.errors",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'solvers.exact' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = sorted(_EXPORTS)
