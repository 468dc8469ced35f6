"""Write a :class:`~paretoprice.benchmarks.suite.SuiteResult` to a folder, every file atomically.

==================  ==========================================================
file                content
==================  ==========================================================
results.csv         one row per case x solver x seed (see ``suite.COLUMNS``)
summary.md          medians and min-max ranges per case x solver, nsga2's
                    hv_ratio verdict per catalogue case, ZDT/DTLZ IGD, scaling
                    exponents, what was skipped and why
environment.json    Python, platform, CPU count, machine, package versions, run
scaling.csv         time to front per backend and problem size, with the
                    fitted exponent of its series
convergence.csv     hypervolume against evaluations of the heuristics
plots/              fronts-<case>.png (fronts overlaid, seed 1),
                    convergence-<case>.png, scaling.png
==================  ==========================================================
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import os
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from paretoprice.app.plots import save_figure
from paretoprice.benchmarks.suite import (
    COLUMNS,
    CONVERGENCE_COLUMNS,
    SCALING_COLUMNS,
    CaseOutcome,
    SuiteResult,
    scaling_fits,
)
from paretoprice.optim.front import package_versions
from paretoprice.optim.io import write_text_atomic, write_with

logger = logging.getLogger(__name__)

HV_TARGET = 0.99
"""nsga2 should reach this hypervolume ratio to the exact front on catalogue cases."""

IGD_TARGET = 0.01
"""NSGA-II's plain IGD target on ZDT1 at 25,000 evaluations."""

PACKAGES: tuple[str, ...] = ("numpy", "pymoo", "pyomo", "highspy", "moocore", "pandas",
                             "scipy", "matplotlib", "tqdm")


# --------------------------------------------------------------------------- environment
def environment(result: SuiteResult, argv: Sequence[str]) -> dict[str, Any]:
    """Python, platform, CPU count, machine and package versions, plus what was run."""
    versions = package_versions(PACKAGES)
    versions.pop("python")
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "packages": versions,
        "run": {"command": "paretoprice bench " + " ".join(argv), "suite": result.suite,
                "seeds": list(result.seeds),
                "budget": {"pop_size": result.budget.pop_size, "n_eval": result.budget.n_eval,
                           "n_eval_analytic": result.budget.n_eval_analytic},
                "wall_s": round(result.wall_s, 3)},
    }


# --------------------------------------------------------------------------- summary
def _num(v: Any, digits: int = 4) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, float | np.floating):
        v = float(v)
        if math.isinf(v):
            return "inf"
        if v != 0 and (abs(v) >= 1e5 or abs(v) < 1e-3):
            return f"{v:.{digits - 1}e}"
        return f"{v:.{digits}g}"
    return str(v)


def _stat(values: pd.Series, digits: int = 4) -> str:
    """``median [min-max]`` of the finite values (one value alone when they agree)."""
    v = pd.to_numeric(values, errors="coerce").astype(float)
    v = v[np.isfinite(v)]
    if v.empty:
        return "-"
    med, lo, hi = float(v.median()), float(v.min()), float(v.max())
    if len(v) == 1 or lo == hi:
        return _num(med, digits)
    return f"{_num(med, digits)} [{_num(lo, digits)}-{_num(hi, digits)}]"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return out


def summary_markdown(result: SuiteResult, argv: Sequence[str]) -> str:
    """The text of ``summary.md``."""
    df = pd.DataFrame(result.rows, columns=list(COLUMNS))
    ok = df[df["status"] == "ok"]
    b = result.budget
    lines = [
        f"# Benchmark summary: suite `{result.suite}`", "",
        f"Command: `paretoprice bench {' '.join(argv)}`  ",
        f"Wall time: {result.wall_s:.1f} s. Seeds: {', '.join(map(str, result.seeds))}. "
        f"Heuristic budget: population {b.pop_size}, {b.n_eval:,} evaluations on pricing "
        f"problems, {b.n_eval_analytic:,} on ZDT/DTLZ.  ",
        f"Runs: {int((df['status'] == 'ok').sum())} ok, "
        f"{int((df['status'] == 'skipped').sum())} skipped, "
        f"{int((df['status'] == 'error').sum())} failed.", "",
        "Cells are `median [min-max]` over seeds (deterministic backends run once). "
        "`hv_ratio` is the hypervolume at the case's common reference point divided by the "
        "reference front's; above 1 means the approximation dominates space the "
        "reference does not (an incomplete reference, or a heuristic run with "
        "`snap_to_ladder=False` finding prices between ladder steps). IGD+ and epsilon "
        "are normalized by the reference "
        "front's range; IGD is pymoo's plain IGD (ZDT/DTLZ only).", "",
    ]
    lines += _verdicts(ok, result)
    lines += ["## References", ""]
    ref_rows = []
    for name, oc in result.outcomes.items():
        ref_rows.append(_reference_row(name, oc))
    lines += _table(["case", "family", "size", "reference", "points", "hypervolume",
                     "reference point"], ref_rows)
    lines += ["", "## Results per case and solver", ""]
    table = []
    for (case, solver), g in ok.groupby(["case", "solver"], sort=False):
        correct = g["correct"].dropna()
        table.append([
            case, solver, str(len(g)), _stat(g["hv_ratio"]), _stat(g["igd_plus"], 3),
            _stat(g["igd"], 3), _stat(g["epsilon_add"], 3), _stat(g["points_missed"]),
            _stat(g["front_size"]), _stat(g["runtime_s"], 3), _stat(g["evaluations"]),
            "-" if correct.empty else ("yes" if bool(correct.all()) else "NO"),
        ])
    lines += _table(["case", "solver", "runs", "hv_ratio", "IGD+", "IGD", "eps+", "missed",
                     "front", "runtime s", "evaluations", "correct"], table)
    if result.scaling:
        lines += ["", "## Scaling: log(time) = a + b log(size)", ""]
        fits = scaling_fits(result.scaling)
        lines += _table(["series", "backend", "size unit", "points", "exponent b",
                         "sizes", "times s", "note"],
                        [[f["series"], f["backend"], f["size_unit"], str(f["points"]),
                          _num(f["exponent_b"], 3),
                          f"{_num(f['size_min'])}-{_num(f['size_max'])}",
                          f"{_num(f['time_min_s'], 3)}-{_num(f['time_max_s'], 3)}",
                          f["note"] or ""] for f in fits])
    not_run = df[df["status"] != "ok"]
    if not not_run.empty:
        lines += ["", "## Not run", ""]
        grouped = []
        for (status, note), g in not_run.groupby(["status", "note"], sort=False):
            pairs = sorted({f"{c}/{s}" for c, s in zip(g["case"], g["solver"], strict=True)})
            grouped.append([status, ", ".join(pairs), note])
        lines += _table(["status", "case/solver", "reason"], grouped)
    lines += ["", "Plots: `plots/fronts-<case>.png` (seed-1 fronts and the reference), "
              "`plots/convergence-<case>.png`, `plots/scaling.png`.", ""]
    return "\n".join(lines)


def _reference_row(name: str, oc: CaseOutcome) -> list[str]:
    ref = oc.reference
    pts = "-" if ref.F is None else str(len(ref.F))
    point = "-" if oc.reference_point is None else (
        "(" + ", ".join(_num(float(v)) for v in oc.reference_point) + ")")
    source = ref.source + (f" ({ref.note})" if ref.note else "")
    return [name, oc.case.family, oc.case.size_text, source, pts, _num(oc.reference_hv), point]


def _verdicts(ok: pd.DataFrame, result: SuiteResult) -> list[str]:
    lines: list[str] = []
    cat = ok[(ok["family"] == "catalogue") & (ok["solver"] == "nsga2")]
    if not cat.empty:
        lines += [f"## nsga2 on catalogue cases (target hv_ratio >= {HV_TARGET} on every seed)",
                  ""]
        for case, g in cat.groupby("case", sort=False):
            r = pd.to_numeric(g["hv_ratio"], errors="coerce").astype(float)
            r = r[np.isfinite(r)]
            if r.empty:
                lines.append(f"- {case}: no reference front, not judged")
                continue
            lo, med = float(r.min()), float(r.median())
            oc = result.outcomes.get(str(case))
            if oc is not None and not oc.reference.exact:
                lines.append(f"- {case}: not judged, the reference front is not exact "
                             f"({oc.reference.note or oc.reference.source}); median {med:.4f}")
                continue
            missed = pd.to_numeric(g["points_missed"], errors="coerce").max()
            n_ref = "?" if oc is None or oc.reference.F is None else str(len(oc.reference.F))
            if lo >= HV_TARGET and np.isfinite(missed) and missed > 0:
                lines.append(f"- {case}: hypervolume target met (median {med:.4f}, worst seed "
                             f"{lo:.4f}) but the front is not reached: up to {int(missed)} of "
                             f"{n_ref} reference points missed")
            elif lo >= HV_TARGET:
                lines.append(f"- {case}: reached (median {med:.4f}, worst seed {lo:.4f}; no "
                             "reference point missed)")
            else:
                lines.append(f"- {case}: fell short by {HV_TARGET - lo:.4f} on the worst seed "
                             f"(median {med:.4f}, worst {lo:.4f})")
        lines.append("")
    ana = ok[ok["family"] == "analytic"]
    if not ana.empty:
        lines += [f"## ZDT/DTLZ: plain IGD at {result.budget.n_eval_analytic:,} evaluations", ""]
        rows = []
        for (case, solver), g in ana.groupby(["case", "solver"], sort=False):
            igd = pd.to_numeric(g["igd"], errors="coerce").astype(float)
            verdict = ""
            if case == "zdt1" and solver == "nsga2":
                met = bool((igd <= IGD_TARGET).all())
                verdict = f"target <= {IGD_TARGET}: {'met' if met else 'NOT met'}"
            rows.append([case, solver, _stat(igd, 3), _stat(g["hv_ratio"]), verdict])
        lines += _table(["case", "solver", "IGD", "hv_ratio", "target"], rows)
        lines.append("")
    mk = ok[ok["family"] == "mokp"]
    if not mk.empty:
        lines += ["## Knapsacks (exact engine against the published sets)", ""]
        lines += _table(["case", "points", "correct", "runtime s", "models solved"],
                        [[r.case, _num(r.front_size), "yes" if r.correct else "NO",
                          _num(float(r.runtime_s), 3), _num(r.evaluations)]
                         for r in mk.itertuples()])
        lines.append("")
    return lines


# --------------------------------------------------------------------------- plots
def _figure(n_panels: int) -> tuple[Any, list[Any]]:
    from matplotlib.figure import Figure

    ncols = min(max(n_panels, 1), 3)
    nrows = int(np.ceil(max(n_panels, 1) / ncols))
    fig = Figure(figsize=(4.5 * ncols, 3.8 * nrows), layout="constrained")
    return fig, [fig.add_subplot(nrows, ncols, i + 1) for i in range(max(n_panels, 1))]


def plot_case_fronts(oc: CaseOutcome, path: Path) -> Path | None:
    """Seed-1 fronts of every backend and the reference, one panel per objective pair."""
    fronts = {s: r for s, r in oc.fronts.items() if len(r.F)}
    if not fronts and oc.reference.F is None:
        return None
    case = oc.case
    pricing = {s: r.front for s, r in fronts.items() if r.front is not None}
    if pricing and len(pricing) == len(fronts):
        from paretoprice.app.plots import plot_overlay

        return plot_overlay(pricing, path, title=f"{case.name}: fronts (seed 1), "
                            f"reference = {oc.reference.source}")
    signs = np.array([-1.0 if s == "max" else 1.0 for s in case.senses])
    mats: dict[str, np.ndarray] = {}
    if oc.reference.F is not None:
        mats[f"reference ({oc.reference.source})"] = oc.reference.F * signs
    mats.update({s: r.F * signs for s, r in fronts.items()})
    k = len(case.objective_names)
    pairs = list(itertools.combinations(range(k), 2))
    fig, axes = _figure(len(pairs))
    markers = itertools.cycle(["o", "x", "+", "s", "^", "v"])
    for label, M in mats.items():
        m = next(markers)
        for ax, (a, b) in zip(axes, pairs, strict=False):
            ax.scatter(M[:, a], M[:, b], s=10, marker=m, alpha=0.6,
                       label=f"{label} ({len(M)})")
            ax.set_xlabel(f"{case.objective_names[a]} ({case.senses[a]})", fontsize=8)
            ax.set_ylabel(f"{case.objective_names[b]} ({case.senses[b]})", fontsize=8)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"{case.name}: fronts (seed 1)")
    return save_figure(fig, path)


def plot_convergence(rows: Sequence[Mapping[str, Any]], case: str, path: Path) -> Path | None:
    """hv_ratio against evaluations, one line per heuristic."""
    mine = [r for r in rows if r["case"] == case]
    if not mine:
        return None
    fig, (ax,) = _figure(1)
    for solver in dict.fromkeys(r["solver"] for r in mine):
        pts = sorted((r["evaluations"], r["hv_ratio"]) for r in mine if r["solver"] == solver)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=".", label=solver)
    ax.axhline(1.0, color="gray", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_xlabel("evaluations")
    ax.set_ylabel("hypervolume / reference hypervolume")
    ax.legend(fontsize=8)
    fig.suptitle(f"{case}: hypervolume against evaluations")
    return save_figure(fig, path)


def plot_scaling(rows: Sequence[Mapping[str, Any]], path: Path) -> Path | None:
    """Time to front against size (log-log), one panel per size unit, a line per series."""
    ok = [r for r in rows if r["status"] == "ok"]
    if not ok:
        return None
    units = list(dict.fromkeys(r["size_unit"] for r in ok))
    fits = {f["series"]: f for f in scaling_fits(rows)}
    fig, axes = _figure(len(units))
    for ax, unit in zip(axes, units, strict=False):
        for series in dict.fromkeys(r["series"] for r in ok if r["size_unit"] == unit):
            pts = sorted((r["size"], r["runtime_s"]) for r in ok if r["series"] == series)
            b = fits[series]["exponent_b"]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                    label=f"{series} (b={_num(b, 3)})")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(unit)
        ax.set_ylabel("seconds to front")
        ax.legend(fontsize=7)
    fig.suptitle("Time to front against problem size")
    return save_figure(fig, path)


# --------------------------------------------------------------------------- write
INT_COLUMNS: tuple[str, ...] = ("seed", "points_missed", "front_size", "evaluations")
"""Whole-number columns (written without a decimal point; empty when missing)."""


def _csv(path: Path, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> Path:
    frame = pd.DataFrame(list(rows), columns=list(columns))
    for col in INT_COLUMNS:
        if col in frame.columns:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").round().astype("Int64")
    return write_with(path, lambda tmp: frame.to_csv(tmp, index=False))


def write_report(result: SuiteResult, out: str | Path, argv: Sequence[str],
                 plots: bool = True) -> list[Path]:
    """Write every output file of ``result`` under ``out``; returns the paths written."""
    out = Path(out)
    written = [_csv(out / "results.csv", result.rows, COLUMNS)]
    if result.scaling:
        fits = {f["series"]: f["exponent_b"] for f in scaling_fits(result.scaling)}
        rows = [{**r, "series_exponent_b": fits[r["series"]]} for r in result.scaling]
        written.append(_csv(out / "scaling.csv", rows, [*SCALING_COLUMNS, "series_exponent_b"]))
    if result.convergence:
        written.append(_csv(out / "convergence.csv", result.convergence, CONVERGENCE_COLUMNS))
    written.append(write_text_atomic(out / "environment.json",
                                     json.dumps(environment(result, argv), indent=2) + "\n"))
    written.append(write_text_atomic(out / "summary.md", summary_markdown(result, argv)))
    if plots:
        pdir = out / "plots"
        for name, oc in result.outcomes.items():
            try:
                p = plot_case_fronts(oc, pdir / f"fronts-{name}.png")
            except Exception as exc:  # a plot must not lose the tables already written
                logger.warning("plot of %s failed: %s", name, exc)
                p = None
            if p is not None:
                written.append(p)
        for case in dict.fromkeys(r["case"] for r in result.convergence):
            p = plot_convergence(result.convergence, case, pdir / f"convergence-{case}.png")
            if p is not None:
                written.append(p)
        if result.scaling:
            p = plot_scaling(result.scaling, pdir / "scaling.png")
            if p is not None:
                written.append(p)
    return written
