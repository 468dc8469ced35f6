"""What every benchmark case is: the :class:`Case` interface, its budget, reference and
run record (the registry is :mod:`paretoprice.benchmarks.cases`)."""


from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

SUITES: tuple[str, ...] = ("smoke", "standard", "full")
"""Suite names, smallest first. ``full`` includes every case of ``standard``."""

HEURISTICS: tuple[str, ...] = ("nsga2", "nsga3", "agemoea", "smsemoa")
"""Stochastic backends (run once per seed)."""

EXACT_BACKENDS: tuple[str, ...] = ("grid", "exact")
"""Deterministic backends (run once, not per seed); ``correct`` is reported for them."""


@dataclass(frozen=True)
class Budget:
    """Search budget of the heuristics in one suite.

    Attributes
    ----------
    pop_size
        Population size (the project default is 100).
    n_eval
        Evaluations for pricing problems (project default: 100 x 200 generations).
    n_eval_analytic
        Evaluations for the ZDT/DTLZ problems (25,000: the customary budget).
    pop_size_analytic
        Population for the ZDT/DTLZ problems (100 in every suite, the project default).
    exact_time_limit
        Wall-clock limit in seconds of one ``exact`` run on a pricing problem (``None``:
        none); a run stopped by it is reported with its incomplete front and a note.
    """

    pop_size: int = 100
    n_eval: int = 20_000
    n_eval_analytic: int = 25_000
    pop_size_analytic: int = 100
    exact_time_limit: float | None = None


@dataclass(frozen=True)
class Reference:
    """The reference front of a case (minimization form: maximized objectives negated).

    Attributes
    ----------
    F
        ``(n, k)`` minimization matrix of the reference front; ``None`` when no reference
        could be computed (then the ratios and distances are left empty).
    source
        Where it comes from: ``grid``, ``exact``, ``analytic`` or ``published``.
    exact
        Whether it is the exact front (analytic and published fronts are taken as exact).
    runtime_s
        Seconds it took to compute (0 for stored or analytic fronts).
    note
        Why it is missing, or a remark.
    run
        The backend run that produced it (reused for that backend's row).
    """

    F: np.ndarray | None
    source: str
    exact: bool = True
    runtime_s: float = 0.0
    note: str = ""
    run: RunRecord | None = None


@dataclass
class RunRecord:
    """What one backend run returns.

    Attributes
    ----------
    F
        ``(n, k)`` minimization matrix of the front found.
    runtime_s
        Wall-clock seconds to the front.
    evaluations
        Candidates evaluated (heuristics, grid) or models solved (exact engine).
    front
        The :class:`~paretoprice.optim.front.ParetoFront` for pricing problems (for plots),
        else None.
    trajectory
        ``(evaluations, F)`` snapshots during the run, when recorded (analytic cases).
    notes
        Remarks for the ``note`` column.
    """

    F: np.ndarray
    runtime_s: float
    evaluations: int
    front: Any = None
    trajectory: list[tuple[int, np.ndarray]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Case(ABC):
    """One benchmark case. Subclasses implement :meth:`run`, :meth:`reference`, :meth:`cannot`.

    Attributes
    ----------
    name
        Unique name, e.g. ``idx-dr-5usd``.
    family
        ``catalogue``, ``analytic`` or ``mokp``.
    size
        Size parameters, e.g. ``{"ladder": 900}`` (shown in the ``size`` column).
    suites
        Suites that include the case.
    objective_names
        Objective names (for plots).
    """

    family: str = ""

    def __init__(self, name: str, size: Mapping[str, Any], suites: Sequence[str]) -> None:
        self.name = name
        self.size = dict(size)
        self.suites = frozenset(suites)

    @property
    def size_text(self) -> str:
        """The size parameters as ``key=value`` pairs joined by ``;``."""
        return ";".join(f"{k}={v}" for k, v in self.size.items())

    @property
    @abstractmethod
    def objective_names(self) -> tuple[str, ...]:
        """Objective names, in the order of the columns of every front matrix."""

    @property
    def senses(self) -> tuple[str, ...]:
        """``min`` or ``max`` per objective (front matrices are in minimization form)."""
        return tuple("min" for _ in self.objective_names)

    @abstractmethod
    def cannot(self, solver: str, suite: str) -> str | None:
        """Why ``solver`` is not run on this case in ``suite`` (``None``: it is run)."""

    @abstractmethod
    def reference(self, budget: Budget) -> Reference:
        """The reference front (computed within ``budget``, analytic or published)."""

    @abstractmethod
    def run(self, solver: str, seed: int | None, budget: Budget,
            record_every: int = 0) -> RunRecord:
        """Run ``solver`` (seed ``None`` for deterministic backends) within ``budget``.

        ``record_every`` > 0 asks for front snapshots every that many generations (only
        analytic cases record them; others ignore it).
        """

    def reference_point(self, ref: Reference) -> np.ndarray | None:
        """ONE common hypervolume reference point: nadir of the reference + 10% of its range."""
        from paretoprice.optim.indicators import default_reference_point

        if ref.F is None or len(ref.F) == 0:
            return None
        return default_reference_point(ref.F)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.size_text})"


__all__ = ["EXACT_BACKENDS", "HEURISTICS", "SUITES", "Budget", "Case", "Reference",
           "RunRecord"]
