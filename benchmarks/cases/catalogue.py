"""Catalogue cases: pricing problems run through :func:`paretoprice.solvers.solve`.

* every bundled problem (``paretoprice.problems.bundled_names()``), as shipped;
* ``idx-dr`` with the price ladders (``p``, ``f``) at $2.5 and $5 steps (the bundled
  problem is the $1 ladder);
* ``ffs-seg6`` / ``ffs-seg12``: idx-dr with each of its three settings split into two or
  four sub-settings (population and sites shared out, compliance and fixed cost per site
  spread by +-15% / +-20% around the original), i.e. more segments per evaluation;
* ``portfolio-syn<n>``: seeded synthetic portfolios of ``n`` services
  (:func:`paretoprice.optim.families.portfolio.synthetic_portfolio`, seed 7).

Reference front: the ``grid`` backend on the ladder (the exact front on the ladder) when
the grid has at most :data:`GRID_LIMIT` candidates, else the ``exact`` backend (when it is
not available the reference is missing and the ratios are left empty; when it stops at
its time limit the reference is marked incomplete). The pymoo backends evaluate every
candidate at the nearest ladder point (their default), so all backends describe the same
instance; ``hv_ratio > 1`` then only means an incomplete reference.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from paretoprice.benchmarks.cases.base import (
    EXACT_BACKENDS,
    HEURISTICS,
    Budget,
    Case,
    Reference,
    RunRecord,
)
from paretoprice.optim.problem import PricingProblem

logger = logging.getLogger(__name__)

GRID_LIMIT = 5_000_000
"""Largest grid (candidates) the suites enumerate; beyond it the reference is ``exact``."""

SMS_MAX_OBJECTIVES = 3
"""SMS-EMOA runs in ``smoke``/``standard`` only up to this many objectives (its exact
hypervolume contributions take about a minute per run with 4 objectives)."""

PORTFOLIO_SEED = 7
"""Seed of the synthetic portfolios (same seed -> same instances)."""


def _value(v: Any) -> Any:
    return v["value"] if isinstance(v, Mapping) and "value" in v else v


def split_segments(raw: Mapping[str, Any], parts: int) -> dict[str, Any]:
    """A copy of an FFS problem dict with every segment split into ``parts`` sub-segments.

    Population (patients per year) and sites are shared out equally; compliance (share)
    is spread from -15% to +15% of the original (clipped to [0, 1]) and the fixed cost
    per site (USD per site per year) from +20% to -20%, so sub-segments adopt at
    different prices. The input dict is not modified.
    """
    out = copy.deepcopy(dict(raw))
    segments = []
    for seg in out["segments"]:
        for i in range(parts):
            t = i / (parts - 1) if parts > 1 else 0.5
            s = copy.deepcopy(seg)
            s["name"] = f"{seg['name']}_{i + 1}"
            s["population"] = float(_value(seg["population"])) / parts
            s["sites"] = max(1, round(float(_value(seg["sites"])) / parts))
            s["compliance"] = float(np.clip(float(_value(seg["compliance"])) * (0.85 + 0.3 * t),
                                            0.0, 1.0))
            s["fixed_cost_per_site"] = float(_value(seg["fixed_cost_per_site"])) * (1.2 - 0.4 * t)
            segments.append(s)
    out["segments"] = segments
    out["name"] = f"{raw['name']}-seg{len(segments)}"
    out.pop("observed", None)
    return out


class CatalogueCase(Case):
    """A pricing problem; every backend of :mod:`solvers` may run on it."""

    family = "catalogue"

    def __init__(self, name: str, build: Callable[[], PricingProblem], size: Mapping[str, Any],
                 suites: Sequence[str]) -> None:
        super().__init__(name, size, suites)
        self._build = build
        self._problem: PricingProblem | None = None

    @property
    def problem(self) -> PricingProblem:
        """The problem (built on first use)."""
        if self._problem is None:
            self._problem = self._build()
        return self._problem

    @property
    def objective_names(self) -> tuple[str, ...]:
        return tuple(self.problem.objective_names)

    @property
    def senses(self) -> tuple[str, ...]:
        return tuple(self.problem.senses)

    def grid_size(self) -> int | None:
        """Candidates on the decision ladder (``None`` when a decision has no ladder)."""
        if not self.problem.exact_capable:
            return None
        return self.problem.ladder_size()

    def cannot(self, solver: str, suite: str) -> str | None:
        if solver == "grid":
            size = self.grid_size()
            if size is None:
                return "grid needs a ladder (step) on every decision"
            if size > GRID_LIMIT:
                return f"grid of {size:,} candidates exceeds the suites' limit of {GRID_LIMIT:,}"
        if (solver == "smsemoa" and suite != "full"
                and len(self.objective_names) > SMS_MAX_OBJECTIVES):
            return (f"SMS-EMOA with {len(self.objective_names)} objectives takes about a "
                    "minute per run; it runs in suite 'full' only")
        return None

    def reference(self, budget: Budget) -> Reference:
        from paretoprice.optim.errors import CapabilityError

        size = self.grid_size()
        source = "grid" if size is not None and size <= GRID_LIMIT else "exact"
        try:
            run = self.run(source, None, budget)
        except (ImportError, CapabilityError) as exc:
            note = f"no reference front: backend '{source}' unavailable ({_first_line(exc)})"
            logger.info("%s: %s", self.name, note)
            return Reference(None, "none", exact=False, note=note)
        if any("INCOMPLETE" in n for n in run.notes):
            return Reference(run.F, source, exact=False, runtime_s=run.runtime_s, run=run,
                             note="incomplete: the exact run hit its time limit")
        return Reference(run.F, source, exact=True, runtime_s=run.runtime_s, run=run)

    def run(self, solver: str, seed: int | None, budget: Budget,
            record_every: int = 0) -> RunRecord:
        from paretoprice.solvers import solve

        options: dict[str, Any] = {}
        if solver in HEURISTICS:
            options = {"pop_size": budget.pop_size, "n_eval": budget.n_eval}
        elif solver == "exact" and budget.exact_time_limit is not None:
            options = {"time_limit": budget.exact_time_limit}
        t0 = time.perf_counter()
        front = solve(self.problem, solver, seed=seed if solver not in EXACT_BACKENDS else None,
                      progress=False, **options)
        wall = time.perf_counter() - t0
        return RunRecord(F=front.minimization_matrix(), runtime_s=wall,
                         evaluations=int(front.provenance.evaluations), front=front,
                         notes=list(front.provenance.notes))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _bundled(name: str) -> Callable[[], PricingProblem]:
    def build() -> PricingProblem:
        from paretoprice.problems import load_problem

        return load_problem(name)

    return build


def _idx_step(step: float) -> Callable[[], PricingProblem]:
    def build() -> PricingProblem:
        from paretoprice.problems import load_problem

        # the v1 model (no clinical pathway), so scaling figures stay comparable
        prob = load_problem("idx-dr").with_spec_changes(pathway=None)
        b = {n: bd for n, bd in zip(prob.decision_names, prob.bounds, strict=True)}
        return prob.with_bounds({
            "p": {"lower": b["p"].lower, "upper": b["p"].upper, "step": step},
            "f": {"lower": b["f"].lower, "upper": b["f"].upper, "step": step},
        })

    return build


def _segments(parts: int) -> Callable[[], PricingProblem]:
    def build() -> PricingProblem:
        from paretoprice.problems import build_problem, bundled_raw

        raw = dict(bundled_raw("idx-dr"))
        raw.pop("pathway", None)  # the v1 model, as in the ladder cases
        return build_problem(split_segments(raw, parts))

    return build


def _portfolio(n: int, objectives: Sequence[str] | None = None) -> Callable[[], PricingProblem]:
    def build() -> PricingProblem:
        from paretoprice.optim.families.portfolio import synthetic_portfolio

        if objectives is None:
            return synthetic_portfolio(n, PORTFOLIO_SEED)
        return synthetic_portfolio(n, PORTFOLIO_SEED, objectives=tuple(objectives))

    return build


def idx_dr_ladder(step: float) -> PricingProblem:
    """idx-dr with ``p`` and ``f`` on a ladder of ``step`` USD per patient (scaling study)."""
    return _idx_step(step)()


def synthetic_portfolio_2obj(n: int) -> PricingProblem:
    """Synthetic portfolio of ``n`` services with 2 objectives: payer spend (USD per year,
    minimized) and access (patients per year, maximized), for the scaling study."""
    return _portfolio(n, ("payer_spend", "access"))()


STD = ("standard", "full")


def cases() -> list[Case]:
    """The catalogue cases."""
    from paretoprice.problems import bundled_names

    out: list[Case] = []
    for name in bundled_names():
        suites = ("smoke", *STD) if name == "lvo-ntap" else STD
        out.append(CatalogueCase(name, _bundled(name), {"problem": name}, suites))
    for step, label, suites in ((2.5, "2.5usd", STD), (5.0, "5usd", ("smoke", *STD))):
        out.append(CatalogueCase(f"idx-dr-{label}", _idx_step(step),
                                 {"ladder_step_usd": step}, suites))
    for parts in (2, 4):
        out.append(CatalogueCase(f"ffs-seg{3 * parts}", _segments(parts),
                                 {"segments": 3 * parts}, STD))
    for n, suites in ((5, STD), (8, STD), (20, STD), (35, ("full",)), (50, ("full",))):
        out.append(CatalogueCase(f"portfolio-syn{n}", _portfolio(n), {"services": n}, suites))
    return out
