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

import numpy as np
from paretoprice.optim.problem import SolvableProblem
from paretoprice.solvers.base import (
    Capability,
    NondominatedArchive,
    RunOutput,
    Settings,
    Solver,
)
from pydantic import Field

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
    max_candidates: int = Field(default=200_000_000, ge=1)


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
        ladders = problem.ladders()
        sizes = np.array([len(x) for x in ladders], dtype=np.int64)
        total = int(np.prod(sizes))
        if total > settings.max_candidates:
            from paretoprice.optim.errors import ParameterError

            raise ParameterError(
                "max_candidates", f"at least the grid size {total:,}",
                settings.max_candidates,
                fix="use coarser ladder steps, or raise max_candidates if you mean it.",
                owner="solver 'grid'",
            )
        archive = NondominatedArchive(problem.n_var, len(problem.objective_names),
                                      compact_at=4 * settings.chunk_size)
        chunk = settings.chunk_size
        bar = _bar(total, progress)
        for start in range(0, total, chunk):
            stop = min(start + chunk, total)
            idx = np.unravel_index(np.arange(start, stop, dtype=np.int64), tuple(sizes))
            X = np.column_stack([lad[i] for lad, i in zip(ladders, idx, strict=True)])
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
                         extra={"grid_size": total, "ladder_sizes": sizes.tolist()})


def _bar(total: int, progress: bool) -> Any:
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="cand", unit_scale=True, desc="grid", leave=False)
