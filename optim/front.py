"""The Pareto-front result type, the same for every backend.

A :class:`ParetoFront` knows its objectives (names, senses, units), the decision values and
reported quantities of each point, and where it came from (:class:`Provenance`). It turns
itself into a DataFrame and writes ``front.csv`` + ``front.json`` atomically.
"""

from __future__ import annotations

import json
import logging
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from paretoprice.optim.indicators import (
    Comparison,
    compare,
    default_reference_point,
    minimization_signs,
)
from paretoprice.optim.io import write_text_atomic, write_with
from paretoprice.optim.redundancy import Redundancy, detect_redundancy

if TYPE_CHECKING:
    from paretoprice.optim.pick import Pick
    from paretoprice.optim.problem import Evaluation, SolvableProblem

logger = logging.getLogger(__name__)

_VERSIONED = ("paretoprice", "numpy", "pandas", "pymoo", "pyomo", "highspy", "moocore")


def package_versions(names: Sequence[str] = _VERSIONED) -> dict[str, str]:
    """Versions of Python and of ``names`` (default: the packages a front depends on)."""
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


@dataclass(frozen=True)
class Provenance:
    """Where a front came from.

    Attributes
    ----------
    problem, problem_hash
        Problem name and a hash of every input (see ``ProblemSpecBase.input_hash``).
    solver, settings, seed
        Backend name, its settings, and the seed (``None`` for deterministic backends).
    runtime_s
        Wall time of the solve, seconds.
    evaluations
        Candidates evaluated (heuristics, grid; the exact backend's enumeration and merge:
        options or partial choices examined) or models solved (the exact backend's MILP).
    exact
        Whether the backend guarantees the exact front (on the problem's ladder).
    versions
        Package versions; ``created`` is the UTC time of the solve.
    notes
        Plain-language remarks of the backend (what it did, what it could not guarantee).
    diagnostics
        Backend-specific run facts, JSON-ready (the exact backend: payoff table, models
        solved, infeasible and skipped epsilon points, resolution of each objective).
    """

    problem: str
    problem_hash: str
    solver: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    seed: int | None = None
    runtime_s: float = 0.0
    evaluations: int = 0
    exact: bool = False
    versions: Mapping[str, str] = field(default_factory=package_versions)
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    notes: tuple[str, ...] = ()
    diagnostics: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "problem": self.problem,
            "problem_hash": self.problem_hash,
            "solver": self.solver,
            "settings": dict(self.settings),
            "seed": self.seed,
            "runtime_s": self.runtime_s,
            "evaluations": self.evaluations,
            "exact": self.exact,
            "versions": dict(self.versions),
            "created": self.created,
            "notes": list(self.notes),
            "diagnostics": dict(self.diagnostics),
        }


def _frozen(a: np.ndarray) -> np.ndarray:
    out = np.array(a, dtype=float, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class ParetoFront:
    """A set of mutually nondominated, feasible points of one problem.

    Attributes
    ----------
    objective_names, senses, units
        The chosen objectives, ``'min'``/``'max'`` each, and their units.
    objectives
        ``(n, k)`` objective values in natural units and senses.
    decision_names, decision_units, decisions
        Decision variables and their ``(n, d)`` values.
    reported
        Reported quantity name -> ``(n,)`` values; ``reported_units`` their units.
    provenance
        :class:`Provenance`.
    reference_point
        The hypervolume reference point used for indicators, in minimization form
        (maximized objectives negated), or ``None`` until one is declared.
    """

    objective_names: list[str]
    senses: tuple[str, ...]
    units: tuple[str, ...]
    objectives: np.ndarray
    decision_names: list[str]
    decision_units: tuple[str, ...]
    decisions: np.ndarray
    reported: Mapping[str, np.ndarray]
    reported_units: Mapping[str, str]
    provenance: Provenance
    reference_point: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        # names are plain lists (copies: the caller's sequence is never kept or changed)
        object.__setattr__(self, "objective_names", list(self.objective_names))
        object.__setattr__(self, "decision_names", list(self.decision_names))
        k = len(self.objective_names)
        obj = _frozen(np.asarray(self.objectives, dtype=float).reshape(-1, k))
        dec = _frozen(np.asarray(self.decisions, dtype=float).reshape(obj.shape[0], -1))
        object.__setattr__(self, "objectives", obj)
        object.__setattr__(self, "decisions", dec)
        object.__setattr__(self, "reported", {k: _frozen(v) for k, v in self.reported.items()})
        object.__setattr__(self, "reported_units", dict(self.reported_units))

    # ------------------------------------------------------------------ building
    @classmethod
    def from_evaluation(
        cls,
        problem: SolvableProblem,
        X: np.ndarray,
        ev: Evaluation,
        provenance: Provenance,
        reference_point: Sequence[float] | None = None,
    ) -> ParetoFront:
        """Build a front from evaluated candidates (already filtered to the front).

        Points are sorted by the first objective, then the others, so that the same set
        always gives the same rows.
        """
        obj = np.column_stack([ev.objectives[o] for o in problem.objective_names]) if len(X) \
            else np.empty((0, len(problem.objective_names)))
        order = np.lexsort(tuple(obj[:, j] for j in reversed(range(obj.shape[1])))) if len(X) \
            else np.arange(0)
        reported = {}
        units = {}
        for q in problem.reported:
            vals = ev.objectives.get(q.name)
            if vals is None:
                vals = ev.reported.get(q.name)
            if vals is None:
                continue
            reported[q.name] = np.asarray(vals)[order]
            units[q.name] = q.unit
        return cls(
            objective_names=problem.objective_names,
            senses=problem.senses,
            units=problem.objective_units,
            objectives=obj[order],
            decision_names=problem.decision_names,
            decision_units=tuple(d.unit for d in problem.decisions),
            decisions=np.asarray(X, dtype=float)[order],
            reported=reported,
            reported_units=units,
            provenance=provenance,
            reference_point=tuple(reference_point) if reference_point is not None else None,
        )

    # ------------------------------------------------------------------ views
    def __len__(self) -> int:
        return int(self.objectives.shape[0])

    @property
    def n_points(self) -> int:
        """Number of points."""
        return len(self)

    def minimization_matrix(self) -> np.ndarray:
        """``(n, k)`` objectives with maximized ones negated (every column minimized)."""
        return self.objectives * minimization_signs(self.senses)

    def column(self, name: str) -> np.ndarray:
        """An objective, decision or reported column by name."""
        if name in self.objective_names:
            return self.objectives[:, self.objective_names.index(name)]
        if name in self.decision_names:
            return self.decisions[:, self.decision_names.index(name)]
        return self.reported[name]

    def redundancy(self) -> Redundancy:
        """Rank correlations between the objectives on this front and which are redundant
        (see :mod:`paretoprice.optim.redundancy`)."""
        return detect_redundancy(self.objective_names, self.minimization_matrix())

    def to_frame(self) -> pd.DataFrame:
        """One row per point: objectives, then decisions, then reported quantities."""
        cols: dict[str, np.ndarray] = {}
        for j, n in enumerate(self.objective_names):
            cols[n] = self.objectives[:, j]
        for j, n in enumerate(self.decision_names):
            cols[n] = self.decisions[:, j]
        for n, v in self.reported.items():
            cols[n] = v
        return pd.DataFrame(cols)

    def metadata(self) -> dict[str, Any]:
        """The ``front.json`` content: columns with senses and units, reference point,
        the objectives' rank correlations and redundancy verdict, provenance."""
        return {
            "objectives": [
                {"name": n, "sense": s, "unit": u}
                for n, s, u in zip(self.objective_names, self.senses, self.units, strict=True)
            ],
            "decisions": [
                {"name": n, "unit": u}
                for n, u in zip(self.decision_names, self.decision_units, strict=True)
            ],
            "reported": [{"name": n, "unit": self.reported_units.get(n, "")}
                         for n in self.reported],
            "n_points": self.n_points,
            "reference_point": (
                None if self.reference_point is None else {
                    "form": "minimization (maximized objectives negated)",
                    "values": dict(zip(self.objective_names, self.reference_point, strict=True)),
                }
            ),
            "objective_correlation": self.redundancy().to_dict(),
            "provenance": self.provenance.to_dict(),
        }

    def to_csv(self, directory: str | Path,
               extra: Mapping[str, Any] | None = None) -> tuple[Path, Path]:
        """Write ``front.csv`` and ``front.json`` into ``directory`` (created if needed).

        ``extra`` adds JSON-ready keys to ``front.json`` (the application layer adds the
        value anchors, where observed prices sit and the picks).

        Each file is written to a temporary name and renamed, so a crash never leaves a
        half-written file. Returns the two paths.
        """
        d = Path(directory)
        frame = self.to_frame()
        csv_path = write_with(d / "front.csv", lambda tmp: frame.to_csv(tmp, index=False))
        json_path = write_text_atomic(
            d / "front.json",
            json.dumps({**self.metadata(), **dict(extra or {})}, indent=2,
                       default=_json_default) + "\n"
        )
        logger.info("wrote %s and %s (%d points)", csv_path, json_path, self.n_points)
        return csv_path, json_path

    # ------------------------------------------------------------------ choosing
    def pick(self, method: str = "knee", **options: Any) -> Pick:
        """One point chosen by a stated rule; see :func:`paretoprice.optim.pick.pick`.

        >>> front.pick("nearest", near={"p": 55}).decisions  # doctest: +SKIP
        """
        from paretoprice.optim.pick import pick

        return pick(self, method, **options)

    # ------------------------------------------------------------------ comparing
    def with_reference_point(self, point: Sequence[float]) -> ParetoFront:
        """A copy that declares ``point`` (minimization form) as its reference point."""
        return ParetoFront(**{**self.__dict__, "reference_point": tuple(float(v) for v in point)})

    def compare_to(self, reference: ParetoFront,
                   reference_point: Sequence[float] | None = None) -> Comparison:
        """Indicators of this front against ``reference`` (same objectives required).

        The reference point is, in order: the one given, the reference front's declared
        one, or :func:`~paretoprice.optim.indicators.default_reference_point` of both fronts.
        """
        if self.objective_names != reference.objective_names:
            raise ValueError(
                f"fronts have different objectives: {self.objective_names} vs "
                f"{reference.objective_names}"
            )
        A, R = self.minimization_matrix(), reference.minimization_matrix()
        if reference_point is None:
            reference_point = reference.reference_point
        if reference_point is None:
            reference_point = default_reference_point(A, R)
        return compare(A, R, np.asarray(reference_point, dtype=float))


def _json_default(o: object) -> object:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    return str(o)
