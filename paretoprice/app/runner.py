"""What every problem script does: anchors, solve, write the front, say what it shows.

A script in ``problems/`` calls :func:`run_script` with its problem name and a function
that turns the solved front into plain words. Every script accepts the same arguments::

    python -m paretoprice.problems.idx_dr [--out DIR] [--solver NAME] [--seed N] [--quick]

``--quick`` uses a small search budget (the test suite runs every script that way).
"""

from __future__ import annotations

import argparse
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from paretoprice.app.analysis import Location, locate
from paretoprice.app.cli import SOLVE_FILES, seed_arg
from paretoprice.app.plots import anchor_comparable, default_price, plot_front, plot_parallel
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.io import check_output_dir, output_set
from paretoprice.optim.problem import PricingProblem
from paretoprice.optim.spec import ObservedPrice
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
    ap = argparse.ArgumentParser(prog=f"python -m problems.{name.replace('-', '_')}",
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


def default_solver(problem: PricingProblem, max_grid: int = 5_000_000) -> str:
    """``grid`` when the problem is laddered and small enough, else ``nsga2``."""
    if problem.exact_capable:
        size = math.prod(b.n_points() for b in problem.bounds)
        if size <= max_grid:
            return "grid"
    return "nsga2"


def fmt_money(v: float, currency: str = "USD") -> str:
    """Money with a sensible scale: 1.23 billion USD, 45.6 million USD, 12,345.00 USD."""
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:,.2f} billion {currency}"
    if a >= 1e6:
        return f"{v / 1e6:,.1f} million {currency}"
    return f"{v:,.2f} {currency}"


def fmt_value(name: str, unit: str, v: float) -> str:
    """A value in its unit, readable (money totals in any currency scaled as
    :func:`fmt_money`, shares as percentages)."""
    cur = unit.split(" ", 1)[0]
    if (len(cur) == 3 and cur.isalpha() and cur.isupper() and "use" not in unit
            and "patient" not in unit):
        return fmt_money(v, cur) + unit[3:]
    if unit.startswith("share"):
        return f"{100 * v:.1f}% ({unit})"
    return f"{v:,.4g} {unit}"


def fmt_delta(unit: str, v: float) -> str:
    """A signed change: percentage points for shares, scaled USD for money."""
    sign = "+" if v >= 0 else "-"
    if unit.startswith("share"):
        return f"{sign}{100 * abs(v):.1f} percentage points"
    return sign + fmt_value("", unit, abs(v))


def describe_locations(problem: PricingProblem, locations: Sequence[Location]) -> str:
    """Plain-words lines on where each observed price sits.

    Each observed decision is printed in its own unit; the change against the
    access-maximizing price is printed only for locations that carry one (see
    :func:`run_script`).
    """
    units = dict(zip(problem.objective_names, problem.objective_units, strict=True))
    dec_units = {q.name: q.unit for q in problem.decisions}
    ve = problem.anchors()["access_maximizing"].value
    lines = []
    for loc in locations:
        fixed = loc.fixed or {loc.variable: (loc.low, loc.high)}
        observed = ", ".join(
            f"{k} = {lo:.2f} {dec_units.get(k, '')}".rstrip() if lo == hi
            else f"{k} = {lo:.2f}-{hi:.2f} {dec_units.get(k, '')}".rstrip()
            for k, (lo, hi) in fixed.items())
        head = f"* {loc.name} ({observed}): "
        if not loc.feasible:
            lines.append(head + "breaks guardrail(s) " + ", ".join(loc.violated) + ".")
            continue
        head += "on the Pareto front" if loc.on_front else "dominated (every completion is " \
            "beaten on all objectives by some front point)"
        if loc.other_ranges:
            rng = "; ".join(f"{k} {a:,.2f}-{b:,.2f}" for k, (a, b) in loc.other_ranges.items()
                            if a != b or a != 0)
            if rng:
                head += f", with {rng} on the front"
        lines.append(head + ".")
        comp = ", ".join(f"{k} {fmt_value(k, units[k], v)}" for k, v in loc.compromise.items())
        lines.append(f"    compromise point: {comp}")
        if loc.delta:
            d = ", ".join(f"{k} {fmt_delta(units[k], v)}" for k, v in loc.delta.items())
            lines.append(f"    vs the access-maximizing price ({loc.variable} = "
                         f"{ve:,.2f}): {d}")
    return "\n".join(lines)


def access_baseline(problem: PricingProblem, variable: str) -> ObservedPrice | None:
    """The access-maximizing value ``v_e`` as an observation on ``variable``, or ``None``
    when the comparison means nothing: ``v_e`` is a price per patient, so it is compared
    only with a decision priced per use or per patient in the same currency (``p`` in
    USD per use, an add-on in KRW per use), not with a price per beneficiary-year, a
    creator's fee per study, a share or an index.
    """
    if variable not in problem.decision_names:
        return None
    try:
        anchor = problem.anchors()["access_maximizing"]
    except KeyError:
        return None
    unit = problem.decisions[problem.decision_names.index(variable)].unit
    if not anchor_comparable(unit, anchor.unit):
        return None
    return ObservedPrice(name="access-maximizing value", variable=variable,
                         low=anchor.value, high=anchor.value)


def run_script(
    name: str,
    argv: Sequence[str] | None,
    narrative: Callable[[PricingProblem, ParetoFront], str] | None = None,
    quick_settings: dict | None = None,
) -> ScriptResult:
    """Load, print anchors, solve, write front + plots, locate observed prices, explain.

    The front plot is colored by the first observed price's decision (else ``p``, else
    uncolored). Each observed price is compared with the access-maximizing value only when
    its decision is priced in the anchors' unit (see :func:`access_baseline`).
    """
    from paretoprice.solvers import solve

    args = parse_args(name, argv)
    problem = load_problem(name)
    print(f"== {problem.spec.title or problem.name}")
    print("Value anchors:")
    for a in problem.anchors():
        print(f"  {a.name:<25} {a.value:>12,.2f} {a.unit:<16} {a.formula}")
    solver = args.solver or default_solver(problem)
    options: dict = {}
    if solver in {"nsga2", "nsga3", "agemoea", "smsemoa"}:
        options = dict(quick_settings or {"pop_size": 40, "n_gen": 25}) if args.quick else {}
    front = solve(problem, solver, seed=args.seed, **options)
    print(f"\nPareto front: {len(front)} points from '{solver}' in "
          f"{front.provenance.runtime_s:.2f} s.")
    observed = problem.spec.observed
    with output_set(args.out, "--out", known=SOLVE_FILES) as out:
        csv_path, json_path = front.to_csv(out.path)
        written = [csv_path, json_path,
                   plot_front(front, out.path / "front.png", anchors=problem.anchors(),
                              observed=observed, price=default_price(front, observed))]
        if len(front.objective_names) >= 3:
            written.append(plot_parallel(front, out.path / "front_parallel.png"))
        written = [out.final(p) for p in written]
    locations: list[Location] = []
    baselines: dict[str, Location | None] = {}
    for obs in observed:
        if obs.variable not in baselines:
            base = access_baseline(problem, obs.variable)
            baselines[obs.variable] = (None if base is None
                                       else locate(problem, front, base))
        locations.append(locate(problem, front, obs, baseline=baselines[obs.variable]))
    text = ""
    if locations:
        text += "Where real prices sit:\n" + describe_locations(problem, locations) + "\n"
    if narrative is not None:
        text += narrative(problem, front)
    print("\n" + text)
    print("Wrote: " + ", ".join(str(p) for p in written))
    return ScriptResult(problem, front, tuple(locations), tuple(written), text)
