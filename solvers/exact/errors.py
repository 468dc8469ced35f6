"""Errors raised by the exact multi-objective engine.

Bad arguments raise :class:`paretoprice.optim.errors.ParameterError` (a ``ValueError``) with the
toolkit's one message shape. Models that are well formed but cannot be solved raise the
classes below, each with a message that says what happened and how to fix it.
"""

from __future__ import annotations

from paretoprice.optim.errors import ParetoPriceError


class ExactSolverError(ParetoPriceError):
    """Base class of the errors raised while solving a multi-objective model exactly."""


class InfeasibleModelError(ExactSolverError, ValueError):
    """The model has no feasible solution at all (before any epsilon bound is added)."""


class UnboundedObjectiveError(ExactSolverError, ValueError):
    """An objective can be improved without limit over the feasible set.

    Attributes
    ----------
    objective
        Name of the unbounded objective.
    """

    def __init__(self, message: str, objective: str) -> None:
        super().__init__(message)
        self.objective = objective


class SolverFailureError(ExactSolverError, RuntimeError):
    """HiGHS stopped in a state the engine cannot use (error, limit, numerical trouble)."""
