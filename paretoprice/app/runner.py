"""What every problem script does: anchors, solve, write the front, say what it shows
(the words come from :mod:`paretoprice.app.explain`, the same as ``paretoprice explain``).

A script in ``problems/`` calls :func:`run_script` with its problem name and a function
that turns the solved front into plain words. Every script accepts the same arguments::

    python -m paretoprice.problems.idx_dr [--out DIR] [--solver NAME] [--seed N] [--quick]

``--quick`` uses a small search budget (the test suite runs every script that way).
"""

from __future__ import annotations

import argparse
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from paretoprice.app.analysis import Location
from paretoprice.app.args import SOLVE_FILES, guarded, seed_arg
from paretoprice.app.explain import (
    access_baseline,
    anchors_text,
    default_solver,
    describe_locations,
    explain,
    fmt_value,
)
from paretoprice.app.frontmeta import front_extras
from paretoprice.app.plots import default_price, plot_front, plot_parallel
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.io import check_output_dir, output_set
from paretoprice.optim.pathway import icer_label_text
from paretoprice.optim.problem import PricingProblem
from paretoprice.problems import load_problem

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScriptResult:
    """What a script produced (returned to tests and callers)."""

    problem: PricingProblem
    front: ParetoFront
    locations: tuple[Location, ...]
    written: tuple[Path, ...]
    text: str


def parse_args(name: str, argv: Sequence[str] | None) -> argparse.Namespace:
    """The common script arguments."""
    ap = argparse.ArgumentParser(prog=f"python -m paretoprice.problems.{name.replace('-', '_')}",
                                 description=f"Solve the bundled problem '{name}' and "
                                 "explain its Pareto front.")
    ap.add_argument("--out", default=f"results/{name}",
                    help="folder for front.csv, front.json and the plots")
    ap.add_argument("--solver", default=None,
                    help="backend (default: grid when the problem has a ladder, else nsga2)")
    ap.add_argument("--seed", type=seed_arg, default=1)
    ap.add_argument("--quick", action="store_true", help="small search budget (for tests)")
    args = ap.parse_args(argv)
    try:
        check_output_dir(args.out, "--out", known=SOLVE_FILES)
    except ParameterError as exc:  # one line, exit 2, before any solving
        ap.error(str(exc))
    return args


def fmt_money(v: float, currency: str = "USD") -> str:
    """Money totals with a sensible scale: 1.23 billion USD, 45.6 million USD, 12,345 USD
    (whole units below a million: these are totals, not prices per use)."""
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:,.2f} billion {currency}"
    if a >= 1e6:
        return f"{v / 1e6:,.1f} million {currency}"
    return f"{v:,.0f} {currency}"


def pathway_summary(problem: PricingProblem, front: ParetoFront,
                    what: str = "") -> list[str]:
    """Plain-words lines on a front of a problem with a clinical pathway (model v2): the
    pathway's cost-effective rate, the ICER labels on the front, the range of incremental
    QALYs and of NMB at the problem's willingness to pay. Empty without a pathway."""
    from paretoprice.optim.pathway import icer_label_text

    if "icer_label" not in front.reported or len(front) == 0:
        return []
    ce = problem.anchors()["cost_effective"]
    labels = front.column("icer_label")
    counts = {str(icer_label_text(k)): int(np.sum(labels == k)) for k in np.unique(labels)}
    dq, nmb = front.column("incremental_qalys"), front.column("nmb")
    lines = [
        "",
        f"With the clinical pathway{what} (model v2, against today's status quo):",
        f"* Cost-effective rate from the pathway (NMB = 0 at the problem's willingness to "
        f"pay): {ce.value:,.2f} {ce.unit}.",
        "* ICER labels on the front: " + ", ".join(f"{k} {v} points"
                                                   for k, v in counts.items()) + ".",
        f"* Incremental QALYs {dq.min():+,.0f} to {dq.max():+,.0f} a year; NMB "
        f"{fmt_money(nmb.min())} to {fmt_money(nmb.max())} a year.",
    ]
    return lines


def icer_phrase(r: Mapping[str, float], lam: float) -> tuple[str, str]:
    """The ICER label of a point with a pathway and, in the two trade-off quadrants, its
    ratio with the verdict at ``lam`` (USD per QALY), e.g. ``("more costly, more
    effective", " at 33,176 USD per QALY (cost-effective at 50k)")``; ``r`` holds the
    point's ``icer_label`` code and ``icer``. South-west points (less costly, less
    effective) are cost-effective when the ratio (savings per QALY lost) is at least
    ``lam``."""
    label = str(icer_label_text(r["icer_label"]))
    if np.isnan(r["icer"]):  # a ratio only for the two trade-off quadrants
        return label, ""
    gains = label == "more costly, more effective"
    ok = r["icer"] <= lam if gains else r["icer"] >= lam
    return label, (f" at {r['icer']:,.0f} USD per QALY "
                   f"({'cost-effective' if ok else 'not cost-effective'} at {lam / 1000:g}k)")


def describe_pathway_point(title: str, r: dict[str, float], lam: float) -> str:
    """One line on a point of a front with a clinical pathway (model v2): decisions, ICER
    with its label and verdict at ``lam`` (USD per QALY), incremental QALYs and cost a
    year, NMB at 50k/100k/150k USD per QALY and its range over every fee. ``r`` holds the
    point's reported values (``icer``, ``icer_label``, ``incremental_qalys``, ...)."""
    label, ratio = icer_phrase(r, lam)
    within = "" if r["feasible"] else " (breaks a guardrail)"
    return (f"* {title}: p = {r['p']:.0f}, f = {r['f']:.0f}{within}: {label}{ratio}; "
            f"{r['incremental_qalys']:+,.0f} QALYs and {fmt_money(r['incremental_cost'])} a year "
            f"vs today; NMB {fmt_money(r['nmb'])} at 50k, {fmt_money(r['nmb_100k'])} at 100k, "
            f"{fmt_money(r['nmb_150k'])} at 150k USD/QALY (over every fee: "
            f"{fmt_money(r['nmb_min'])} to {fmt_money(r['nmb_max'])} at 50k).")



def run_script(
    name: str,
    argv: Sequence[str] | None,
    narrative: Callable[[PricingProblem, ParetoFront], str] | None = None,
    quick_settings: dict | None = None,
) -> ScriptResult:
    """Load, print anchors, solve, write front + plots, then print what
    :func:`paretoprice.app.explain.explain` says (observed prices, what the front shows,
    the picks) followed by the script's own ``narrative``.

    The front plot is colored by the first observed price's decision (else ``p``, else
    uncolored).
    """
    from paretoprice.solvers import solve

    args = parse_args(name, argv)
    problem = load_problem(name)
    print(f"== {problem.spec.title or problem.name}")
    print(anchors_text(problem))
    solver = args.solver or default_solver(problem)
    options: dict = {}
    if solver in {"nsga2", "nsga3", "agemoea", "smsemoa"}:
        options = dict(quick_settings or {"pop_size": 40, "n_gen": 25}) if args.quick else {}
    front = solve(problem, solver, seed=args.seed, **options)
    print(f"\nPareto front: {len(front)} points from '{solver}' in "
          f"{front.provenance.runtime_s:.2f} s.")
    exp = explain(problem, front)
    extra = front_extras(problem, exp)
    observed = problem.spec.observed
    with output_set(args.out, "--out", known=SOLVE_FILES) as out:
        csv_path, json_path = front.to_csv(out.path, extra=extra)
        written = [csv_path, json_path,
                   plot_front(front, out.path / "front.png", anchors=problem.anchors(),
                              observed=observed, price=default_price(front, observed))]
        if len(front.objective_names) >= 3:
            written.append(plot_parallel(front, out.path / "front_parallel.png"))
        written = [out.final(p) for p in written]
    text = exp.text
    if narrative is not None:
        text += "\n" + narrative(problem, front)
    dated = dated_inputs(problem)
    if dated:
        text += "\nDated inputs (flagged in the problem file; quote the answer with them):\n"
        text += "\n".join(dated) + "\n"
    print("\n" + text)
    print("Wrote: " + ", ".join(str(p) for p in written))
    return ScriptResult(problem, front, exp.locations, tuple(written), text)


_DATED = re.compile(r"\ba (\d{4}) figure\b")


def _value_at(data: Any, path: str) -> Any:
    """The value at a dotted source path (``segments[0].uptake``) of a spec dump."""
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        data = data[int(part[1:-1])] if part.startswith("[") else data[part]
    return data


def dated_inputs(problem: PricingProblem, before: int = 2021) -> list[str]:
    """Lines naming each input whose source flags it as ``a YYYY figure`` from a year
    before ``before`` (e.g. the 2015 Medicare eye-exam payment), with its value and the
    first clause of its source; ``[]`` when there is none."""
    spec = problem.spec
    dump = spec.model_dump()
    lines = []
    for path, source in sorted(spec.sources.items()):
        m = _DATED.search(source)
        if m is None or int(m.group(1)) >= before:
            continue
        try:
            value = _value_at(dump, path)
        except (KeyError, IndexError, TypeError):
            continue
        shown = f"{value:,.6g}" if isinstance(value, float | int) else str(value)
        lines.append(f"* {path} = {shown}: a {m.group(1)} figure, not updated to current "
                     f"prices ({source.split(';')[0]})")
    return lines


def script_entry(main: Callable[[Sequence[str]], object], argv: Sequence[str]) -> int:
    """Exit status of ``python -m paretoprice.problems.<name> ARGS``: ``main(ARGS)`` run the
    way the ``paretoprice`` command runs (bad input one line on stderr, exit 2; an internal
    error one line, exit 3; ``--debug`` shows its traceback)."""
    debug = "--debug" in argv
    args = [a for a in argv if a != "--debug"]

    def run() -> int:
        main(args)
        return 0

    return guarded(run, debug=debug, prog="paretoprice")

__all__ = [
    "ScriptResult",
    "access_baseline",
    "dated_inputs",
    "default_solver",
    "describe_locations",
    "describe_pathway_point",
    "fmt_money",
    "fmt_value",
    "parse_args",
    "run_script",
]
