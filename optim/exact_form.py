"""The exact (MILP) form of problems whose quantities are sums over independent groups.

A laddered problem whose objectives and coupling constraints are sums over groups, each
group setting one decision column alone (a service of a portfolio, a segment's add-on),
has an exact form with one :class:`~paretoprice.optim.problem.ChoiceGroup` per group: a
multi-objective multiple-choice knapsack. A family describes its sums once as
:class:`SeparableTerms`; :func:`separable_choice_structure` turns them into the
:class:`~paretoprice.optim.problem.ChoiceStructure` the exact backend solves, and
:func:`padded_ladder_matrix` evaluates every group's options in one vectorized pass.

Units are those of the quantities summed (USD per year, shares, ...), senses as in
:data:`paretoprice.optim.spec.OBJECTIVE_SENSES`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from paretoprice.optim.problem import (
    FEASIBILITY_TOL,
    ChoiceGroup,
    ChoiceStructure,
    PricingProblem,
)

logger = logging.getLogger(__name__)




@dataclass(frozen=True)
class SeparableTerms:
    """A laddered problem whose quantities are sums (or minima) over independent groups.

    Group ``j`` sets decision column ``j`` alone; ``ladders[j]`` are its options.

    Attributes
    ----------
    group_names
        One name per group (a service, a segment).
    ladders
        Options of each group (values of its decision column).
    sums
        Quantity -> per group ``(n_options,)`` contributions; the quantity is the
        constant plus the sum of the chosen options' contributions.
    constants
        Quantity -> constant term (0 when missing).
    local
        Quantity that depends on one group only -> ``(group, values per option)``.
    minima
        Quantity that is the minimum over groups -> per group values per option.
    option_rails
        Per-option guardrails ``(name, scale, group, g values)``: an option with
        ``g / scale > FEASIBILITY_TOL`` is left out of its group.
    couplings
        Coupling constraints ``(name, unit, capacity, per group resource use)``: the
        guardrail is ``sum of the chosen resources - capacity <= 0``.
    """

    group_names: tuple[str, ...]
    ladders: tuple[np.ndarray, ...]
    sums: Mapping[str, tuple[np.ndarray, ...]]
    constants: Mapping[str, float]
    local: Mapping[str, tuple[int, np.ndarray]]
    minima: Mapping[str, tuple[np.ndarray, ...]]
    option_rails: tuple[tuple[str, float, int, np.ndarray], ...]
    couplings: tuple[tuple[str, str, float, tuple[np.ndarray, ...]], ...]


def separable_choice_structure(
    problem: PricingProblem[Any], terms: SeparableTerms
) -> ChoiceStructure | None:
    """The grouped exact form of ``problem``, or ``None`` when it cannot be grouped.

    Per-option guardrails, and user bounds on one group's quantities or a floor on a
    minimum, leave options out of their group; user bounds on sum quantities become
    coupling constraints. ``None`` (the caller then falls back to the one-group form)
    when a chosen objective is not a sum, or a user bound is on a quantity that is
    neither a sum, a one-group quantity nor a floor on a minimum.

    Raises
    ------
    InfeasibleProblemError
        When some group has no option left.
    """
    G = len(terms.group_names)
    keep = [np.ones(len(lad), dtype=bool) for lad in terms.ladders]
    for _name, scale, j, g in terms.option_rails:
        keep[j] &= np.asarray(g, dtype=float) / scale <= FEASIBILITY_TOL
    couplings = [(n, u, float(c), tuple(r)) for n, u, c, r in terms.couplings]
    units = problem.quantity_units()
    for con in problem.spec.constraints:
        q = con.quantity
        bounds = [(b, s) for b, s in ((con.min, ">="), (con.max, "<=")) if b is not None]
        for bound, op in bounds:
            label = f"{q}{op}{bound:g}"
            if q in terms.sums:
                const = terms.constants.get(q, 0.0)
                sign = -1.0 if op == ">=" else 1.0
                res = tuple(sign * t for t in terms.sums[q])
                couplings.append((label, units[q], sign * (bound - const), res))
            elif q in terms.local or (q in terms.minima and op == ">="):
                pairs = [terms.local[q]] if q in terms.local else list(enumerate(terms.minima[q]))
                scale = max(abs(bound), 1.0)
                for j, v in pairs:
                    g = bound - v if op == ">=" else v - bound
                    keep[j] &= g / scale <= FEASIBILITY_TOL
            else:
                logger.info("%s: user bound '%s' is not separable over groups", problem.name,
                            label)
                return None
    for o in problem.objective_names:
        if o not in terms.sums:
            logger.info("%s: objective '%s' is not a sum over groups", problem.name, o)
            return None
    if not all(k.any() for k in keep):
        from paretoprice.optim.feasibility import raise_infeasible

        raise_infeasible(problem)
    groups = []
    for j in range(G):
        k = keep[j]
        groups.append(ChoiceGroup(
            name=terms.group_names[j],
            columns=(j,),
            options=np.asarray(terms.ladders[j], dtype=float)[k][:, None],
            objectives={o: np.asarray(terms.sums[o][j], dtype=float)[k]
                        for o in problem.objective_names},
            resources={n: np.asarray(r[j], dtype=float)[k] for n, _u, _c, r in couplings},
        ))
    return ChoiceStructure(
        groups=tuple(groups),
        constants={o: float(terms.constants.get(o, 0.0)) for o in problem.objective_names},
        capacities={n: c for n, _u, c, _r in couplings},
        capacity_units={n: u for n, u, _c, _r in couplings},
    )


def padded_ladder_matrix(ladders: Sequence[np.ndarray]) -> np.ndarray:
    """``(max length, n groups)`` matrix whose column ``j`` starts with ``ladders[j]``.

    Shorter ladders are padded with their first value, so one vectorized evaluation
    covers every group's options; slice ``[:len(ladders[j]), j]`` to read them back.
    """
    L = max(len(x) for x in ladders)
    out = np.empty((L, len(ladders)))
    for j, lad in enumerate(ladders):
        out[:, j] = lad[0]
        out[: len(lad), j] = lad
    return out
