"""Solver backends behind one small interface, and :func:`solve`.

=========  =====================================================  ======
name       what                                                   exact
=========  =====================================================  ======
nsga2      NSGA-II (pymoo), the default                           no
nsga3      NSGA-III (pymoo)                                       no
agemoea    AGE-MOEA (pymoo)                                       no
smsemoa    SMS-EMOA (pymoo)                                       no
grid       exhaustive enumeration of the decision ladder          yes
exact      augmented epsilon-constraint on Pyomo + HiGHS          yes
=========  =====================================================  ======

Every backend returns the same :class:`~paretoprice.optim.front.ParetoFront`. Heavy libraries are
imported only inside the backend that needs them; importing this package (e.g. as the parent
of :mod:`paretoprice.solvers.exact.engine`) loads only the error types.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from paretoprice.optim.errors import UnknownNameError

if TYPE_CHECKING:
    from paretoprice.optim.front import ParetoFront
    from paretoprice.optim.problem import SolvableProblem, VectorProblem
    from paretoprice.solvers.base import Solver

logger = logging.getLogger(__name__)

_REGISTRY: dict[str, str] = {
    "nsga2": "paretoprice.solvers.evolutionary:NSGA2Solver",
    "nsga3": "paretoprice.solvers.evolutionary:NSGA3Solver",
    "agemoea": "paretoprice.solvers.evolutionary:AGEMOEASolver",
    "smsemoa": "paretoprice.solvers.evolutionary:SMSEMOASolver",
    "grid": "paretoprice.solvers.grid:GridSolver",
    "exact": "paretoprice.solvers.exact.backend:ExactSolver",
}

DEFAULT_SOLVER = "nsga2"


def names() -> list[str]:
    """Names of every registered backend."""
    return list(_REGISTRY)


def get_solver(name: str) -> Solver:
    """An instance of the backend called ``name``."""
    if name not in _REGISTRY:
        raise UnknownNameError("solver", name, list(_REGISTRY))
    module, cls = _REGISTRY[name].split(":")
    return getattr(importlib.import_module(module), cls)()


def solve(
    problem: VectorProblem | SolvableProblem,
    solver: str = DEFAULT_SOLVER,
    *,
    seed: int | None = 1,
    progress: bool = False,
    **options: Any,
) -> ParetoFront:
    """Compute the Pareto front of ``problem`` with one backend.

    Parameters
    ----------
    problem
        Any :class:`~paretoprice.optim.problem.PricingProblem`, or any object with the
        :class:`~paretoprice.optim.problem.VectorProblem` members (bounds, senses, a
        vectorized ``evaluate``), e.g. an analytic test problem (never modified).
    solver
        Backend name (see the module table).
    seed
        Random seed for stochastic backends (same seed -> same front).
    progress
        Show a progress bar on stderr.
    **options
        Backend settings, e.g. ``pop_size=100, n_gen=200`` for pymoo backends or
        ``chunk_size=...`` for the grid; unknown names are rejected.

    Returns
    -------
    ParetoFront
        Feasible, nondominated points with decisions, reported quantities, provenance.

    Raises
    ------
    InfeasibleProblemError
        No candidate meets every guardrail; the message names the conflicting anchors.
    CapabilityError
        The backend cannot handle the problem (e.g. ``grid`` without a ladder, ``exact``
        on a problem without an exact form); every declared capability is checked first.
    """
    from paretoprice.optim.problem import as_solvable
    from paretoprice.solvers.base import settings_from, timed_run

    backend = get_solver(solver)
    settings = settings_from(backend, options)
    return timed_run(backend, as_solvable(problem), settings,
                     seed if backend.stochastic else None, progress)


__all__ = ["DEFAULT_SOLVER", "get_solver", "names", "solve"]
