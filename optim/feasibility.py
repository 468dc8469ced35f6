"""Explaining infeasible guardrails: which anchors conflict, and by how much.

When no candidate meets every enabled guardrail, :func:`diagnose` samples the decision
space (the bounds' corners, the ladder when it is small, and a seeded uniform sample),
then reports

* each guardrail that cannot be met on its own within the decision bounds, with the
  smallest violation found (in the guardrail's unit), and
* each pair of guardrails that can each be met alone but not together: among the
  candidates meeting the second, the smallest violation of the first.

The sample makes the figures upper bounds on the true shortfall, exact for simple
caps and floors (the corners are sampled).
"""

from __future__ import annotations

import itertools
import logging

import numpy as np

from paretoprice.optim.errors import Conflict, InfeasibleProblemError, fmt_amount
from paretoprice.optim.problem import FEASIBILITY_TOL, SolvableProblem, ladder_product

logger = logging.getLogger(__name__)


def _sample(problem: SolvableProblem, n: int, seed: int) -> np.ndarray:
    lo, hi = problem.lower, problem.upper
    d = problem.n_var
    parts = []
    if d <= 12:
        corners = np.array(list(itertools.product(*[(a, b) for a, b in zip(lo, hi, strict=True)])))
        parts.append(corners)
    if problem.exact_capable:
        total = problem.ladder_size()
        if total <= 200_000:
            parts.append(ladder_product(problem.ladders(), 0, total))
    rng = np.random.default_rng(seed)
    parts.append(lo + rng.random((n, d)) * (hi - lo))
    return np.vstack(parts)


def diagnose(problem: SolvableProblem, n_samples: int = 100_000, seed: int = 0) -> list[Conflict]:
    """Conflicting guardrails of ``problem`` (empty if a feasible candidate was found).

    Single guardrails that fail within the decision bounds come back as conflicts with
    ``second == 'decision bounds'``.
    """
    X = _sample(problem, n_samples, seed)
    ev = problem.evaluate(X, report=False)
    rails = problem.guardrails
    if not rails:
        return []
    G = problem.constraint_matrix(ev, scaled=True)
    ok = G <= FEASIBILITY_TOL
    if np.all(ok, axis=1).any():
        return []
    raw = problem.constraint_matrix(ev, scaled=False)
    out: list[Conflict] = []
    alone_ok = ok.any(axis=0)
    for i, g in enumerate(rails):
        if not alone_ok[i]:
            out.append(Conflict(g.name, "decision bounds", float(raw[:, i].min()), g.unit,
                                f"Even at the best price within the bounds, {g.description} "
                                "fails."))
    for i, j in itertools.combinations(range(len(rails)), 2):
        if not (alone_ok[i] and alone_ok[j]):
            continue
        if np.any(ok[:, i] & ok[:, j]):
            continue
        a, b = rails[i], rails[j]
        short_a = float(raw[ok[:, j], i].min())
        out.append(Conflict(a.name, b.name, short_a, a.unit,
                            f"Wanted: {a.description} and {b.description}; among prices that "
                            f"meet '{b.name}', the closest misses '{a.name}' by "
                            f"{fmt_amount(short_a)} {a.unit}."))
    return out


def raise_infeasible(problem: SolvableProblem) -> None:
    """Raise :class:`InfeasibleProblemError` with the diagnosis of ``problem``."""
    conflicts = diagnose(problem)
    logger.info("problem %s is infeasible: %d conflicts", problem.name, len(conflicts))
    raise InfeasibleProblemError(problem.name, conflicts)
