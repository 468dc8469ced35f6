"""Exceptions raised for bad input and for problems that have no feasible price.

Every message follows one shape, so a user can act on it without reading code::

    The 'segments[2].compliance' parameter of problem 'idx-dr' must be a number
    in [0, 1]. Got 1.3 instead. Fix: give a share between 0 and 1 ...
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def fmt_amount(value: float) -> str:
    """A number for messages: thousands separators for large values, 4 digits otherwise."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


class ParetoPriceError(Exception):
    """Base class of every error the toolkit raises on purpose."""


class ParameterError(ParetoPriceError, ValueError):
    """A parameter has the wrong type, an out-of-range value or is unknown.

    Parameters
    ----------
    parameter
        Dotted path of the parameter, e.g. ``segments[0].population``.
    expected
        What was expected, e.g. ``a number >= 0``.
    got
        What was received (already formatted, or any object that is ``repr``-ed).
    fix
        How to fix it, one sentence.
    owner
        Who owns the parameter, e.g. ``problem 'idx-dr'`` or ``solve()``.
    """

    def __init__(
        self,
        parameter: str,
        expected: str,
        got: object,
        fix: str = "",
        owner: str = "",
    ) -> None:
        self.parameter = parameter
        self.expected = expected
        self.got = got
        self.fix = fix
        self.owner = owner
        got_text = got if isinstance(got, str) else repr(got)
        of = f" of {owner}" if owner else ""
        msg = f"The '{parameter}' parameter{of} must be {expected}. Got {got_text} instead."
        if fix:
            msg += f" Fix: {fix}"
        super().__init__(msg)


class ProblemFileError(ParetoPriceError, ValueError):
    """A problem file cannot be found or parsed (before any parameter is checked)."""


class UnknownNameError(ParameterError):
    """A name (problem, solver, objective, quantity) is not one the toolkit knows."""

    def __init__(self, parameter: str, got: str, choices: Sequence[str], owner: str = "") -> None:
        shown = ", ".join(sorted(choices))
        super().__init__(
            parameter,
            f"one of: {shown}",
            repr(got),
            fix="pick one of the names listed (check the spelling).",
            owner=owner,
        )
        self.choices = tuple(choices)


class CapabilityError(ParetoPriceError, ValueError):
    """A solver cannot handle a problem (e.g. the grid needs a ladder on every decision)."""


@dataclass(frozen=True)
class Conflict:
    """Two guardrails (or a guardrail and a decision bound) that cannot hold together.

    Attributes
    ----------
    first, second
        Names of the two guardrails or bounds.
    shortfall
        The smallest violation found when both are imposed, in ``unit``.
    unit
        Unit of ``shortfall``.
    detail
        One sentence in plain words.
    """

    first: str
    second: str
    shortfall: float
    unit: str
    detail: str


class InfeasibleProblemError(ParetoPriceError):
    """No candidate satisfies every enabled guardrail.

    The message names the guardrails (value anchors) that conflict and by how much;
    :attr:`conflicts` holds the same facts as data.
    """

    def __init__(self, problem: str, conflicts: Sequence[Conflict]) -> None:
        self.problem = problem
        self.conflicts = tuple(conflicts)
        lines = [f"Problem '{problem}' is infeasible: no price satisfies every enabled guardrail."]
        for c in conflicts:
            if c.second == "decision bounds":
                lines.append(
                    f"  - '{c.first}' cannot be met within the decision bounds: short by "
                    f"{fmt_amount(c.shortfall)} {c.unit}. {c.detail}"
                )
            else:
                lines.append(
                    f"  - '{c.first}' conflicts with '{c.second}': short by "
                    f"{fmt_amount(c.shortfall)} {c.unit}. {c.detail}"
                )
        if not conflicts:
            lines.append(
                "  - no single guardrail or pair is infeasible on its own; three or more "
                "conflict together (turn guardrails off one at a time to find them)."
            )
        lines.append(
            "Fix: turn one of the conflicting guardrails off, relax its parameter, or widen "
            "the decision bounds."
        )
        super().__init__("\n".join(lines))
