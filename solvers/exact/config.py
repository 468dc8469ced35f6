"""The one configuration model of the exact engine, shared by the engine, the ``exact``
backend and the command line.

:class:`SweepOptions` holds the options every exact run has (workers, time limit, MIP
gap); :class:`EngineConfig` adds the engine's model-level options; :class:`ModelOptions`
adds the choice of method for a user's Pyomo model (``paretoprice solve model.py --solver
exact --set ...``). The ``exact`` backend's settings extend :class:`SweepOptions` too.
Unknown names are rejected (``extra="forbid"``) and every ``"auto"`` is resolved once, by
the validator, when the options are created.

Importing this module loads pydantic and the error types only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from paretoprice.optim.errors import ParameterError

DEFAULT_TIME_LIMIT_S = 600.0
"""Default wall-clock budget of one exact run, in seconds (``time_limit=None``: none).
When it runs out, the points found so far are returned and the front says it is
incomplete."""

DP_MAX_STATES = 1_000_000
"""Default of ``dp_max_states``: on 3kp40 the dynamic programme keeps at most 89,813."""

AUTO_MAX_WORKERS = 2
"""Largest number of workers ``workers="auto"`` may use (never more than the cores)."""


class SweepOptions(BaseModel):
    """Options of every exact run (engine, ``exact`` backend, user models).

    Attributes
    ----------
    workers
        Workers for the epsilon sweep (threads, each with its own HiGHS model), or
        ``"auto"``: resolved here to ``min(2, cores)`` with ``adaptive_workers=True``, so the
        engine uses one worker for a sweep expected to be short and all of them otherwise.
        The nondominated set does not depend on it.
    adaptive_workers
        Set by ``workers="auto"`` (do not pass it yourself): let the engine fall back to one
        worker on short sweeps.
    time_limit
        Wall-clock budget in seconds for the whole run (``None``: no limit; default
        :data:`DEFAULT_TIME_LIMIT_S`). When it runs out the points found so far are returned,
        marked incomplete.
    mip_rel_gap
        Relative MIP gap of every solve; 0 proves optimality, which exact guarantees need.
    search
        How exact mode explores the objective space. ``"augmecon"`` (default): the
        epsilon-grid sweep with bypass and flags. ``"boxes"``: the search-region
        enumeration of Kirlik-Sayin / Klamroth-Lacour-Vanderpooten (a set of upper bounds
        whose boxes may still hold a nondominated point; each solve finds a new point or
        proves a box empty), one worker; integer objectives only (exact mode).
        ``"zones"``: the search zones of Tamby and Vanderpooten (free objective chosen per
        zone, certificates that close zones without a solve, zones with the same bound
        explored together), three or more integer objectives (with two it is
        ``"augmecon"``). ``"dp"``: no MILP at all, bounded dynamic programming over the
        items (:mod:`~paretoprice.solvers.exact.knapsack`), for pure 0-1 packing models
        only (binary variables, every constraint ``sum a x <= b`` with ``a >= 0``); when
        it passes its state limit or half the time limit, the MILP search takes over.
        ``"auto"``: ``"dp"`` for a 0-1 packing model with three or more integer
        objectives, else ``"zones"`` for three or more integer objectives, else
        ``"augmecon"``.
    zone_group
        With ``search="zones"``: most zones with the same bound one solve explores
        together (a binary per zone chooses which one the answer lies in; default 8);
        1 explores one zone per solve.
    dp_max_states
        With ``search="dp"`` (or ``"auto"`` choosing it): most partial decisions the
        dynamic programme keeps after any item (memory: about 5 bytes per state and item
        for the back-pointers, plus the states' values); past it the MILP search takes
        over.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    workers: int = Field(default=1, ge=1, le=64)
    adaptive_workers: bool = False
    time_limit: float | None = Field(default=DEFAULT_TIME_LIMIT_S, gt=0.0)
    mip_rel_gap: float = Field(default=0.0, ge=0.0, lt=1.0)
    search: Literal["augmecon", "boxes", "zones", "dp", "auto"] = "auto"
    zone_group: int = Field(default=8, ge=1, le=64)
    dp_max_states: int = Field(default=DP_MAX_STATES, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _resolve_auto(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and data.get("workers") == "auto":
            data = dict(data)
            data["workers"] = max(1, min(AUTO_MAX_WORKERS, os.cpu_count() or 1))
            data["adaptive_workers"] = True
        return data


class EngineConfig(SweepOptions):
    """Options of :func:`paretoprice.solvers.exact.engine.solve_epsilon_constraint`.

    Attributes
    ----------
    grid_points
        Grid points per constrained objective (grid mode, continuous objectives); ``None``
        for exact mode.
    integer_objectives
        ``None`` detects integer objectives; ``True`` requires them; ``False`` forces grid
        mode.
    baseline
        Rebuild the Pyomo model for every solve (pyaugmecon's way), one worker.
    highs_options
        Extra HiGHS options for every solve (e.g. ``{"presolve": "off"}``).
    pool
        Where parallel sweeps run: ``"threads"`` (default; HiGHS releases the GIL while
        it solves, so nothing is spawned or pickled) or ``"processes"`` (spawned worker
        processes, the former way, kept for comparison). The zone search (the default
        for 3 or more objectives) always uses threads and warns when processes are asked.
    """

    grid_points: int | None = Field(default=None, ge=2, strict=True)
    integer_objectives: bool | None = Field(default=None, strict=True)
    baseline: bool = Field(default=False, strict=True)
    highs_options: dict[str, bool | int | float | str] = Field(default_factory=dict)
    pool: Literal["threads", "processes"] = "threads"

    @model_validator(mode="after")
    def _check_combinations(self) -> EngineConfig:
        if self.baseline and self.workers != 1:
            raise ParameterError("workers", "1 when baseline=True", self.workers,
                                 fix="drop workers (the baseline runs in one process).",
                                 owner="solve_epsilon_constraint")
        if self.integer_objectives is True and self.grid_points is not None:
            raise ParameterError(
                "grid_points", "None when integer_objectives=True (the integer grid is "
                "exhaustive)", self.grid_points,
                fix="drop grid_points, or pass integer_objectives=None to use the grid.",
                owner="solve_epsilon_constraint")
        if self.search in ("boxes", "zones", "dp") and (
                self.baseline or self.grid_points is not None
                or self.integer_objectives is False):
            raise ParameterError(
                "search", "'augmecon' with baseline=True, grid_points or "
                "integer_objectives=False (the box, zone and dp searches need integer "
                "objectives)",
                self.search, fix="drop search, or use the exact mode's defaults.",
                owner="solve_epsilon_constraint")
        return self


class ModelOptions(SweepOptions):
    """Options for a user's Pyomo model (:func:`paretoprice.solvers.exact.backend.solve_model`
    and ``paretoprice solve model.py --solver exact --set KEY=VALUE``).

    Attributes
    ----------
    method
        ``"auto"``: breakpoints (NISE) for two objectives of an LP, else the epsilon sweep;
        ``"epsilon"`` or ``"nise"`` force one.
    grid_points
        Grid points per constrained objective when the objectives are not integer-valued.
    """

    method: Literal["auto", "epsilon", "nise"] = "auto"
    grid_points: int | None = Field(default=None, ge=2, strict=True)


C = TypeVar("C", bound=BaseModel)


def make_config(cls: type[C], options: Mapping[str, Any], owner: str) -> C:
    """Validate ``options`` into ``cls`` (one-line :class:`ParameterError` on bad input)."""
    try:
        return cls.model_validate(dict(options))
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            cause = err.get("ctx", {}).get("error")
            if isinstance(cause, ParameterError):  # raised by a validator: already one line
                raise cause from None
    from paretoprice.optim.spec import validate_spec  # only to word the error

    return validate_spec(cls, dict(options), owner=owner)  # formats the first error

__all__ = ["AUTO_MAX_WORKERS", "DEFAULT_TIME_LIMIT_S", "DP_MAX_STATES", "EngineConfig",
           "ModelOptions", "SweepOptions", "make_config"]
