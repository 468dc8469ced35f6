"""The benchmark suite: cases x solvers x seeds, indicators, convergence and scaling.

:func:`run_suite` runs a selection and returns a :class:`SuiteResult`;
:mod:`paretoprice.app.bench_report` writes it to disk. ``paretoprice bench`` (see
:mod:`paretoprice.app.bench_cli`) is the command line.

=========  ===============================================  =====  ======================
suite      cases                                            seeds  heuristic budget
=========  ===============================================  =====  ======================
smoke      lvo-ntap, idx-dr-5usd, zdt1, mokp-2kp50          1      pop 50, 2,000 eval.
                                                                   (ZDT/DTLZ: 25,000)
standard   every bundled problem, idx-dr at $2.5/$5, FFS    3      pop 100, 20,000 eval.
           with 6/12 segments, synthetic portfolios 5/8/20,        (ZDT/DTLZ: 25,000)
           ZDT1-3, DTLZ1-2, 2kp50, 2kp100, 4kp50
full       standard + portfolios 35/50 + 3kp40, SMS-EMOA    10     as standard
           on every case
=========  ===============================================  =====  ======================

Every combination a backend cannot do is kept as a row with ``status=skipped`` and the
reason in ``note`` (declared by the case, a :class:`~paretoprice.optim.errors.CapabilityError`, or a
backend that cannot be imported). Deterministic backends (``grid``, ``exact``) run once,
with an empty seed.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from paretoprice.benchmarks.cases import (
    EXACT_BACKENDS,
    HEURISTICS,
    SUITES,
    Budget,
    Case,
    Reference,
    RunRecord,
    select_cases,
)
from paretoprice.optim.errors import CapabilityError, UnknownNameError

logger = logging.getLogger(__name__)

COLUMNS: tuple[str, ...] = (
    "case", "family", "size", "solver", "seed", "hypervolume", "hv_ratio", "igd_plus", "igd",
    "epsilon_add", "points_missed", "front_size", "runtime_s", "evaluations", "correct",
    "status", "note",
)
"""Columns of ``results.csv`` (one row per case x solver x seed)."""

SCALING_COLUMNS: tuple[str, ...] = (
    "series", "backend", "problem", "size", "size_unit", "runtime_s", "front_size",
    "evaluations", "status", "note",
)
"""Columns of ``scaling.csv`` (one row per backend x problem size)."""

CONVERGENCE_COLUMNS: tuple[str, ...] = (
    "case", "solver", "seed", "evaluations", "hypervolume", "hv_ratio",
)
"""Columns of ``convergence.csv`` (hypervolume against evaluations, heuristics)."""


@dataclass(frozen=True)
class SuiteSettings:
    """What a suite runs besides its cases.

    Attributes
    ----------
    seeds
        Seeds per heuristic (1..seeds).
    budget
        Heuristic budget.
    solvers
        Backends run by default.
    convergence
        Catalogue cases whose heuristics are also run at fractions of the budget
        (analytic cases record their trajectory during the seed-1 run).
    convergence_fractions
        Fractions of the budget for those extra runs (the full run gives 1.0).
    scaling_grid_steps
        Ladder steps (USD per patient) of idx-dr for the grid's scaling series.
    scaling_portfolio_services
        Services of the 2-objective synthetic portfolios (nsga2 and exact series).
    scaling_portfolio_grid_services
        Services of the portfolios small enough for the grid series.
    scaling_time_limit
        Seconds allowed to one ``exact`` run of the scaling study; a run that hits it is
        reported as ``timeout`` and the larger sizes of its series are skipped.
    """

    seeds: int
    budget: Budget
    solvers: tuple[str, ...]
    convergence: tuple[str, ...] = ()
    convergence_fractions: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5)
    scaling_grid_steps: tuple[float, ...] = ()
    scaling_portfolio_services: tuple[int, ...] = ()
    scaling_portfolio_grid_services: tuple[int, ...] = ()
    scaling_time_limit: float = 60.0


ALL_SOLVERS: tuple[str, ...] = (*HEURISTICS, *EXACT_BACKENDS)

SETTINGS: dict[str, SuiteSettings] = {
    "smoke": SuiteSettings(
        seeds=1, budget=Budget(pop_size=50, n_eval=2_000, n_eval_analytic=25_000,
                               exact_time_limit=30.0),
        solvers=("nsga2", "grid", "exact"), convergence=("idx-dr-5usd",),
        scaling_grid_steps=(5.0, 2.5, 1.0), scaling_portfolio_services=(5, 10),
        scaling_portfolio_grid_services=(3, 4, 5), scaling_time_limit=20.0),
    "standard": SuiteSettings(
        seeds=3, budget=Budget(exact_time_limit=60.0), solvers=ALL_SOLVERS,
        convergence=("idx-dr", "portfolio"),
        scaling_grid_steps=(5.0, 2.5, 1.0, 0.5, 0.25, 0.1),
        scaling_portfolio_services=(5, 10, 20, 35, 50),
        scaling_portfolio_grid_services=(3, 4, 5, 6, 7, 8)),
    "full": SuiteSettings(
        seeds=10, budget=Budget(exact_time_limit=600.0), solvers=ALL_SOLVERS,
        convergence=("idx-dr", "portfolio"),
        scaling_grid_steps=(5.0, 2.5, 1.0, 0.5, 0.25, 0.1, 0.05),
        scaling_portfolio_services=(5, 10, 20, 35, 50, 100),
        scaling_portfolio_grid_services=(3, 4, 5, 6, 7, 8), scaling_time_limit=600.0),
}


@dataclass
class CaseOutcome:
    """Everything kept about one case: its reference, reference point and seed-1 fronts."""

    case: Case
    reference: Reference
    reference_point: np.ndarray | None
    reference_hv: float
    fronts: dict[str, RunRecord] = field(default_factory=dict)


@dataclass
class SuiteResult:
    """The rows of every output table, plus the fronts for the plots.

    Attributes
    ----------
    suite, seeds, budget
        What was run.
    rows
        ``results.csv`` rows (keys :data:`COLUMNS`).
    outcomes
        Per case: reference, reference point, fronts of the first seed.
    convergence
        ``convergence.csv`` rows.
    scaling
        ``scaling.csv`` rows.
    wall_s
        Wall-clock seconds of the whole run.
    """

    suite: str
    seeds: tuple[int, ...]
    budget: Budget
    rows: list[dict[str, Any]]
    outcomes: dict[str, CaseOutcome]
    convergence: list[dict[str, Any]]
    scaling: list[dict[str, Any]]
    wall_s: float = 0.0


# --------------------------------------------------------------------------- helpers
def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def check_solvers(names: Sequence[str]) -> tuple[str, ...]:
    """Validate solver names against the registry; raises :class:`UnknownNameError`."""
    from paretoprice import solvers
    valid = solvers.names()
    for n in names:
        if n not in valid:
            raise UnknownNameError("--solvers", n, valid, owner="paretoprice bench")
    return tuple(dict.fromkeys(names))


def indicators(case: Case, F: np.ndarray, outcome: CaseOutcome) -> dict[str, Any]:
    """Indicators of one front against the case's reference at its common reference point.

    ``hypervolume`` is in the product of the objectives' raw units; ``hv_ratio`` divides
    it by the reference front's; ``igd_plus`` and ``epsilon_add`` are normalized by the
    reference front's range; ``igd`` (analytic cases only) is pymoo's plain IGD.
    Empty (NaN) when the case has no reference front.
    """
    from paretoprice.optim.indicators import epsilon_additive, hypervolume, igd_plus, points_missed

    F = np.asarray(F, dtype=float)
    R = outcome.reference.F
    out: dict[str, Any] = {"front_size": int(F.shape[0])}
    if R is None or outcome.reference_point is None:
        out.update(hypervolume=math.nan, hv_ratio=math.nan, igd_plus=math.nan,
                   epsilon_add=math.nan, points_missed=None, igd=math.nan)
        return out
    hv = hypervolume(F, outcome.reference_point)
    out["hypervolume"] = hv
    out["hv_ratio"] = hv / outcome.reference_hv if outcome.reference_hv > 0 else math.nan
    out["igd_plus"] = igd_plus(F, R) if len(F) else math.inf
    out["epsilon_add"] = epsilon_additive(F, R) if len(F) else math.inf
    out["points_missed"] = points_missed(F, R)
    igd = getattr(case, "igd", None)
    out["igd"] = igd(F, outcome.reference) if igd is not None else math.nan
    return out


def _row(case: Case, solver: str, seed: int | None, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS, None)
    row.update(case=case.name, family=case.family, size=case.size_text, solver=solver,
               seed=seed, note="")
    row.update(values)
    return row


def _prepare(case: Case, budget: Budget) -> CaseOutcome:
    from paretoprice.optim.indicators import hypervolume

    try:
        ref = case.reference(budget)
    except Exception as exc:  # no reference: the runs go on, ratios are left empty
        logger.warning("%s: no reference front: %s", case.name, exc)
        ref = Reference(None, "none", exact=False,
                        note=f"reference failed: {type(exc).__name__}: {_first_line(exc)}")
    point = case.reference_point(ref)
    ref_hv = hypervolume(ref.F, point) if (ref.F is not None and point is not None) else math.nan
    return CaseOutcome(case, ref, point, ref_hv)


def _attempt(fn: Callable[[], RunRecord]) -> tuple[RunRecord | None, str, str]:
    """Run ``fn``; return (record, status, note) with skips and errors caught."""
    try:
        return fn(), "ok", ""
    except CapabilityError as exc:
        return None, "skipped", f"backend cannot do this problem: {_first_line(exc)}"
    except ImportError as exc:
        return None, "skipped", f"backend not importable: {_first_line(exc)}"
    except Exception as exc:  # a failing run must not stop the suite; it is reported
        logger.warning("run failed: %s", exc, exc_info=logger.isEnabledFor(logging.INFO))
        return None, "error", f"{type(exc).__name__}: {_first_line(exc)}"


# --------------------------------------------------------------------------- main runs
def _tasks(cases: Sequence[Case], solvers: Sequence[str], seeds: Sequence[int],
           suite: str) -> list[tuple[Case, str, int | None, str | None]]:
    tasks = []
    for case in cases:
        for solver in solvers:
            reason = case.cannot(solver, suite)
            if reason is not None or solver in EXACT_BACKENDS:
                tasks.append((case, solver, None, reason))
            else:
                tasks.extend((case, solver, s, None) for s in seeds)
    return tasks


def run_cases(cases: Sequence[Case], solvers: Sequence[str], seeds: Sequence[int],
              budget: Budget, suite: str, progress: bool = False,
              trajectories: bool = True) -> tuple[list[dict[str, Any]], dict[str, CaseOutcome],
                                                  list[dict[str, Any]]]:
    """Run every case x solver x seed; returns (result rows, outcomes, convergence rows).

    Analytic cases record their front every 5 generations during the first seed's run
    (``trajectories``), which gives their hypervolume-against-evaluations curves at no
    extra cost.
    """
    from tqdm import tqdm

    tasks = _tasks(cases, solvers, seeds, suite)
    rows: list[dict[str, Any]] = []
    outcomes: dict[str, CaseOutcome] = {}
    conv: list[dict[str, Any]] = []
    bar = tqdm(total=len(tasks), desc="bench", unit="run", disable=not progress, leave=False)
    try:
        for case, solver, seed, reason in tasks:
            bar.set_postfix_str(f"{case.name}/{solver}" + (f"/{seed}" if seed else ""))
            if reason is not None:
                rows.append(_row(case, solver, None, status="skipped", note=reason))
                bar.update(1)
                continue
            if case.name not in outcomes:
                outcomes[case.name] = _prepare(case, budget)
            outcome = outcomes[case.name]
            ref = outcome.reference
            record_every = 5 if (trajectories and seed == seeds[0]) else 0
            if ref.run is not None and ref.source == solver:
                rec, status, note = ref.run, "ok", "this run is the reference front"
            else:
                rec, status, note = _attempt(
                    lambda c=case, s=solver, sd=seed, r=record_every: c.run(s, sd, budget, r))
            if rec is None:
                rows.append(_row(case, solver, seed, status=status, note=note))
                bar.update(1)
                continue
            values = indicators(case, rec.F, outcome)
            correct: Any = None
            if solver in EXACT_BACKENDS and ref.F is not None and ref.exact:
                from paretoprice.optim.indicators import same_set

                correct = bool(same_set(rec.F, ref.F))
            notes = [n for n in (note, *rec.notes) if n]
            rows.append(_row(case, solver, seed, **values, runtime_s=rec.runtime_s,
                             evaluations=rec.evaluations, correct=correct, status="ok",
                             note="; ".join(notes)))
            if seed is None or seed == seeds[0]:
                outcome.fronts[solver] = rec
                for n_eval, F in rec.trajectory:
                    v = indicators(case, F, outcome)
                    conv.append({"case": case.name, "solver": solver, "seed": seed,
                                 "evaluations": n_eval, "hypervolume": v["hypervolume"],
                                 "hv_ratio": v["hv_ratio"]})
            bar.update(1)
    finally:
        bar.close()
    return rows, outcomes, conv


def run_convergence(outcomes: dict[str, CaseOutcome], names: Sequence[str],
                    solvers: Sequence[str], budget: Budget, fractions: Sequence[float],
                    seed: int, progress: bool = False) -> list[dict[str, Any]]:
    """Hypervolume against evaluations for catalogue cases: each heuristic is rerun at
    ``fractions`` of the budget (same seed); the full-budget point is the main run's."""
    from dataclasses import replace

    from tqdm import tqdm

    jobs = [(outcomes[n], s) for n in names if n in outcomes
            for s in solvers if s in HEURISTICS and s in outcomes[n].fronts]
    rows: list[dict[str, Any]] = []
    bar = tqdm(total=len(jobs) * len(fractions), desc="convergence", unit="run",
               disable=not progress, leave=False)
    try:
        for outcome, solver in jobs:
            case = outcome.case
            full = outcome.fronts[solver]
            points = []
            for frac in fractions:
                b = replace(budget, n_eval=max(budget.pop_size, round(frac * budget.n_eval)))
                rec, _, _ = _attempt(lambda c=case, s=solver, bb=b: c.run(s, seed, bb))
                bar.update(1)
                if rec is not None:
                    points.append((rec.evaluations, rec.F))
            points.append((full.evaluations, full.F))
            for n_eval, F in points:
                v = indicators(case, F, outcome)
                rows.append({"case": case.name, "solver": solver, "seed": seed,
                             "evaluations": n_eval, "hypervolume": v["hypervolume"],
                             "hv_ratio": v["hv_ratio"]})
    finally:
        bar.close()
    return rows


# --------------------------------------------------------------------------- scaling
def _timed(fn: Callable[[], Any], repeats: int = 3, quick: float = 0.5) -> tuple[Any, float]:
    """Run ``fn``; when it took under ``quick`` seconds, repeat it and keep the best time."""
    t0 = time.perf_counter()
    out = fn()
    best = time.perf_counter() - t0
    n = 1
    while best < quick and n < repeats:
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
        n += 1
    return out, best


def run_scaling(settings: SuiteSettings, solvers: Sequence[str], budget: Budget,
                progress: bool = False) -> list[dict[str, Any]]:
    """Time to front against problem size per backend (deterministic seed 1).

    Series: ``grid`` on idx-dr by ladder size (candidates); ``grid`` on 2-objective
    synthetic portfolios by candidates; ``nsga2`` and ``exact`` on the same portfolios by
    number of services.
    """
    from tqdm import tqdm

    from paretoprice.benchmarks.cases.catalogue import idx_dr_ladder, synthetic_portfolio_2obj
    from paretoprice.solvers import solve

    def ladder_size(p: Any) -> int:
        return p.ladder_size()

    jobs: list[tuple[str, str, Callable[[], Any], str, Callable[[Any], float], str]] = []
    if "grid" in solvers:
        for step in settings.scaling_grid_steps:
            jobs.append(("grid on idx-dr ladder", "grid",
                         lambda s=step: idx_dr_ladder(s), f"idx-dr ${step:g}", ladder_size,
                         "candidates"))
        for n in settings.scaling_portfolio_grid_services:
            jobs.append(("grid on synthetic portfolio (2 obj.)", "grid",
                         lambda n=n: synthetic_portfolio_2obj(n), f"portfolio-syn{n}-2obj",
                         ladder_size, "candidates"))
    for backend in ("nsga2", "exact"):
        if backend in solvers:
            for n in settings.scaling_portfolio_services:
                jobs.append((f"{backend} on synthetic portfolio (2 obj.)", backend,
                             lambda n=n: synthetic_portfolio_2obj(n), f"portfolio-syn{n}-2obj",
                             lambda p: float(p.n_services), "services"))
    rows: list[dict[str, Any]] = []
    skip_backend: dict[str, str] = {}
    bar = tqdm(total=len(jobs), desc="scaling", unit="run", disable=not progress, leave=False)
    try:
        for series, backend, build, label, size_of, unit in jobs:
            row: dict[str, Any] = dict.fromkeys(SCALING_COLUMNS, None)
            row.update(series=series, backend=backend, problem=label, size_unit=unit, note="")
            problem = build()
            row["size"] = size_of(problem)
            blocked = skip_backend.get(backend) or skip_backend.get(series)
            if blocked:
                row.update(status="skipped", note=blocked)
                rows.append(row)
                bar.update(1)
                continue
            options: dict[str, Any] = {}
            if backend in HEURISTICS:
                options = {"pop_size": budget.pop_size, "n_eval": budget.n_eval}
            elif backend == "exact":
                options = {"time_limit": settings.scaling_time_limit}

            def once(p: Any = problem, b: str = backend, o: dict[str, Any] = options) -> Any:
                return solve(p, b, seed=1 if b in HEURISTICS else None, **o)

            try:
                front, secs = _timed(once)
                row.update(runtime_s=secs, front_size=len(front),
                           evaluations=int(front.provenance.evaluations), status="ok")
                if any("INCOMPLETE" in n for n in front.provenance.notes):
                    row.update(status="timeout",
                               note=f"time limit {settings.scaling_time_limit:g} s reached")
                    skip_backend[series] = (f"a smaller size hit the time limit "
                                             f"({settings.scaling_time_limit:g} s)")
            except (ImportError, CapabilityError) as exc:
                note = f"backend not available: {_first_line(exc)}"
                skip_backend[backend] = note
                row.update(status="skipped", note=note)
            except Exception as exc:  # reported, the study goes on
                row.update(status="error", note=f"{type(exc).__name__}: {_first_line(exc)}")
            rows.append(row)
            bar.update(1)
    finally:
        bar.close()
    return rows


def fit_power_law(size: Sequence[float], seconds: Sequence[float]) -> tuple[float, float, int]:
    """Least-squares fit of ``log(time) = a + b log(size)``; returns ``(a, b, n_points)``.

    ``b`` is the scaling exponent (1: time proportional to size). NaN when fewer than two
    distinct positive sizes are given.
    """
    x = np.asarray(size, dtype=float)
    y = np.asarray(seconds, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    x, y = x[ok], y[ok]
    if np.unique(x).size < 2:
        return math.nan, math.nan, int(x.size)
    b, a = np.polyfit(np.log(x), np.log(y), 1)
    return float(a), float(b), int(x.size)


def scaling_fits(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One fit per scaling series: exponent ``b``, intercept ``a``, points, size range."""
    out = []
    for series in dict.fromkeys(r["series"] for r in rows):
        ok = [r for r in rows if r["series"] == series and r["status"] == "ok"]
        mine = [r for r in rows if r["series"] == series]
        a, b, n = fit_power_law([r["size"] for r in ok], [r["runtime_s"] for r in ok])
        notes = sorted({r["note"] for r in mine if r["status"] != "ok" and r["note"]})
        out.append({"series": series, "backend": mine[0]["backend"],
                    "size_unit": mine[0]["size_unit"], "points": n, "exponent_b": b,
                    "intercept_a": a,
                    "size_min": min((r["size"] for r in ok), default=math.nan),
                    "size_max": max((r["size"] for r in ok), default=math.nan),
                    "time_min_s": min((r["runtime_s"] for r in ok), default=math.nan),
                    "time_max_s": max((r["runtime_s"] for r in ok), default=math.nan),
                    "note": "; ".join(notes)})
    return out


# --------------------------------------------------------------------------- entry
def run_suite(suite: str = "smoke", cases: Sequence[str] | None = None,
              solvers: Sequence[str] | None = None, seeds: int | None = None,
              progress: bool = False, scaling: bool | None = None,
              convergence: bool = True) -> SuiteResult:
    """Run a suite (or a selection of it) and return every table.

    Parameters
    ----------
    suite
        ``smoke``, ``standard`` or ``full``: default cases, solvers, seeds and budget.
    cases
        Case names to run instead of the suite's cases (any registered case).
    solvers
        Backends to run instead of the suite's (names from :func:`paretoprice.solvers.names`).
    seeds
        Seeds 1..``seeds`` for the heuristics instead of the suite's number.
    progress
        tqdm progress bars on stderr.
    scaling
        Run the scaling study (default: only when no ``cases`` are named).
    convergence
        Run the convergence (hypervolume against evaluations) study.

    Raises
    ------
    UnknownNameError
        Unknown suite, case or solver name (the message lists the valid names).
    ParameterError
        ``seeds`` below 1.
    """
    from paretoprice.optim.errors import ParameterError

    if suite not in SUITES:
        raise UnknownNameError("--suite", suite, SUITES, owner="paretoprice bench")
    st = SETTINGS[suite]
    chosen_solvers = check_solvers(solvers) if solvers else st.solvers
    selection = select_cases(suite, cases)
    n_seeds = st.seeds if seeds is None else seeds
    if not isinstance(n_seeds, int) or n_seeds < 1:
        raise ParameterError("--seeds", "a whole number >= 1", n_seeds,
                             fix="e.g. --seeds 3 runs seeds 1, 2 and 3.",
                             owner="paretoprice bench")
    seed_list = tuple(range(1, n_seeds + 1))
    t0 = time.perf_counter()
    logger.info("suite %s: %d cases, solvers %s, seeds %s", suite, len(selection),
                ",".join(chosen_solvers), seed_list)
    rows, outcomes, conv = run_cases(selection, chosen_solvers, seed_list, st.budget, suite,
                                     progress=progress, trajectories=convergence)
    if convergence:
        conv += run_convergence(outcomes, st.convergence, chosen_solvers, st.budget,
                                st.convergence_fractions, seed_list[0], progress=progress)
    else:
        conv = []
    do_scaling = (not cases) if scaling is None else scaling
    scal = run_scaling(st, chosen_solvers, st.budget, progress) if do_scaling else []
    return SuiteResult(suite, seed_list, st.budget, rows, outcomes, conv, scal,
                       wall_s=time.perf_counter() - t0)
