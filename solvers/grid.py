"""Exhaustive grid over the decision ladder: the exact front of a laddered problem.

Every combination of ladder values is enumerated in chunks (bounded memory whatever the
grid size), each chunk is evaluated in one vectorized pass, infeasible candidates are
dropped, the chunk's nondominated points (moocore, not a Python double loop) are merged
into a running archive. The result is exactly the Pareto front of the problem restricted
to its ladder.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import Field

from paretoprice.optim.problem import SolvableProblem, ladder_product
from paretoprice.solvers.base import (
    Capability,
    NondominatedArchive,
    RunOutput,
    Settings,
    Solver,
)

logger = logging.getLogger(__name__)


class GridSettings(Settings):
    """Settings of the grid backend.

    Attributes
    ----------
    chunk_size
        Candidates evaluated per numpy pass (memory ~ chunk_size x a few hundred bytes).
    max_candidates
        Refuse grids larger than this (protects against a ladder step typo).
    """

    chunk_size: int = Field(default=262_144, ge=1_000, le=10_000_000)
    max_candidates: int = Field(default=200_000_000, ge=1, le=2**62)


class GridSolver(Solver):
    """Exact front on the decision ladder by exhaustive, chunked enumeration."""

    name = "grid"
    capabilities = frozenset({Capability.LADDER, Capability.NONLINEAR, Capability.CONSTRAINTS,
                              Capability.EXACT, Capability.MANY_OBJECTIVES})
    exact = True
    Settings = GridSettings

    def run(self, problem: SolvableProblem, settings: Settings, seed: int | None,
            progress: bool) -> RunOutput:
        assert isinstance(settings, GridSettings)
        total = grid_size(problem)
        if total > settings.max_candidates:
            from paretoprice.optim.errors import ParameterError

            raise ParameterError(
                "max_candidates", f"at least the grid size {_big(total)}",
                settings.max_candidates,
                fix="use coarser ladder steps, or raise max_candidates "
                    "(--set max_candidates=N) if you mean it.",
                owner="solver 'grid'",
            )
        ladders = problem.ladders()  # each at most MAX_LADDER_POINTS long (spec check)
        sizes = [len(x) for x in ladders]
        archive = NondominatedArchive(problem.n_var, len(problem.objective_names),
                                      compact_at=4 * settings.chunk_size)
        chunk = settings.chunk_size
        bar = _bar(total, progress)
        for start in range(0, total, chunk):
            stop = min(start + chunk, total)
            X = ladder_product(ladders, start, stop)
            ev = problem.evaluate(X, report=False)
            feas = problem.feasible(ev)
            if feas.any():
                F = problem.minimization_matrix(ev)[feas]
                Xf = X[feas]
                from paretoprice.optim.indicators import nondominated_mask

                keep = nondominated_mask(F)
                archive.add(Xf[keep], F[keep])
            if bar is not None:
                bar.update(stop - start)
        if bar is not None:
            bar.close()
        return RunOutput(X=archive.X, evaluations=total,
                         extra={"grid_size": total, "ladder_sizes": sizes})


def grid_size(problem: SolvableProblem) -> int:
    """Number of ladder points of ``problem``: the exact product of every decision's ladder
    length, in Python integers (no overflow, e.g. 2**80 for five 65,536-step ladders),
    computed without building any ladder."""
    return problem.ladder_size()


def _big(n: int) -> str:
    """An exact count for people: digits with separators, plus its order of magnitude."""
    return f"{n:,}" if n < 10**15 else f"{n:.3e} ({len(str(n))} digits)"


def _bar(total: int, progress: bool) -> Any:
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="cand", unit_scale=True, desc="grid", leave=False)
