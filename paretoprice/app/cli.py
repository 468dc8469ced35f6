"""The ``paretoprice`` command line.

::

    paretoprice problems [--format table|csv]
    paretoprice anchors PROBLEM [--format table|csv|json]
    paretoprice solve PROBLEM [--solver NAME] [--objectives a,b,...] [--seed N] [--out DIR]
    paretoprice solve model.py --solver exact [--set grid_points=N] [--out DIR]
    paretoprice pick PROBLEM --method knee|weights|asf|nash|kalai-smorodinsky|nearest|best-nmb
    paretoprice readout PROBLEM --at p=55,f=20 [--format table|json|csv]
    paretoprice explain PROBLEM
    paretoprice report PROBLEM --out DIR
    paretoprice psa PROBLEM --draws N [--seed S] [--scheduler ADDRESS] [--out DIR] [--resume]
    paretoprice tornado PROBLEM [--at p=55,f=20]
    paretoprice sobol PROBLEM [--n 64]

PROBLEM is a bundled problem name or the path of a TOML problem file. Bad input exits
with status 2 and a one-line message (no traceback).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from paretoprice.app.args import (
    EXIT_BAD_INPUT,
    SOLVE_FILES,
    guarded,
    objective_list,
    seed_arg,
)
from paretoprice.optim.errors import ParetoPriceError
from paretoprice.optim.io import check_output_dir, output_set

logger = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(EXIT_BAD_INPUT, f"paretoprice: error: {message} (see --help)\n")


def _table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:,.4f}" if abs(v) < 1e4 else f"{v:,.0f}"
        return str(v)

    cells = [[fmt(r[c]) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) if cells else len(c)
              for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.rjust(w) if _numeric(v) else v.ljust(w)
                        for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def _numeric(v: str) -> bool:
    return v.replace(",", "").replace(".", "").replace("-", "").isdigit()


def _csv(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n",
                       extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().rstrip("\n")


# ---------------------------------------------------------------------- commands
def problem_rows() -> list[dict[str, Any]]:
    """One row per bundled problem: name, family, services, decisions, objectives, exact.

    ``family`` is the catalogue's payment model (``addon-fund``, built by the
    ``addon_fund`` family, is an ``incentive_fund``); ``exact`` says whether the ``exact``
    backend accepts the problem (every decision on a ladder)."""
    from paretoprice.problems import bundled_names, load_problem

    rows = []
    for name in bundled_names():
        prob = load_problem(name)
        rows.append({
            "name": name,
            "family": prob.payment_model or prob.family,
            "services": getattr(prob, "n_services", 1),
            "decisions": prob.n_var,
            "objectives": ";".join(prob.objective_names),
            "exact": "yes" if prob.exact_capable else "no",
        })
    return rows


def cmd_problems(args: argparse.Namespace) -> int:
    cols = ["name", "family", "services", "decisions", "objectives", "exact"]
    rows = problem_rows()
    print(_csv(rows, cols) if args.format == "csv" else _table(rows, cols))
    return 0


def cmd_anchors(args: argparse.Namespace) -> int:
    from paretoprice.optim.finite import check_anchors
    from paretoprice.problems import load_problem

    prob = load_problem(args.problem)
    check_anchors(prob)
    rows = prob.anchors().to_rows()
    if args.format == "csv":
        print(_csv(rows, ["anchor", "value", "unit"]))
    elif args.format == "json":
        print(json.dumps({"problem": prob.name, "anchors": rows}, indent=2))
    else:
        print(f"Value anchors of '{prob.name}'")
        print(_table(rows, ["anchor", "value", "unit", "formula"]))
    return 0


def _parse_options(pairs: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in pairs:
        if "=" not in item:
            raise ParetoPriceError(
                f"--set expects KEY=VALUE, got '{item}'. Fix: e.g. --set pop_size=200")
        k, v = item.split("=", 1)
        try:
            out[k] = json.loads(v)
        except json.JSONDecodeError:
            out[k] = v
    return out


def _say_if_incomplete(front: Any) -> None:
    """Print the exact solver's completeness verdict when the time limit stopped it."""
    if front.provenance.diagnostics.get("complete", True) is False:
        print("INCOMPLETE FRONT: the time limit stopped the exact solver; the points shown "
              "are the ones found so far (raise --time-limit, or coarsen the resolution).")


def cmd_solve_model(args: argparse.Namespace) -> int:
    """``paretoprice solve model.py --solver exact``: a user's Pyomo model."""
    from paretoprice.app.plots import plot_front
    from paretoprice.solvers.exact.backend import load_model_file, solve_model

    if args.solver != "exact":
        raise ParetoPriceError(
            f"--solver: a Pyomo model file ({args.problem}) is solved by 'exact', got "
            f"'{args.solver}'. Fix: add --solver exact.")
    from paretoprice.solvers.exact.config import ModelOptions, make_config

    options = _parse_options(args.set or [])
    if args.time_limit is not None:
        options["time_limit"] = args.time_limit
    make_config(ModelOptions, options, owner="paretoprice solve")  # before building the model
    if args.out is not None:
        check_output_dir(args.out, "--out", known=SOLVE_FILES)
    model, digest = load_model_file(args.problem)
    front = solve_model(model, name=Path(args.problem).stem, problem_hash=digest, **options)
    print(f"{front.provenance.problem}: {len(front)} Pareto points from 'exact' in "
          f"{front.provenance.runtime_s:.2f} s ({front.provenance.evaluations:,} models solved)")
    for note in front.provenance.notes:
        print(f"  {note}")
    _say_if_incomplete(front)
    if args.out is not None:
        with output_set(args.out, "--out", known=SOLVE_FILES) as out:
            # objectives only (a model's variables have no price axis)
            written = [*front.to_csv(out.path),
                       plot_front(front, out.path / "front.png", price="")]
            written = [out.final(p) for p in written]
        print("wrote " + ", ".join(str(p) for p in written))
    return 0


def cmd_solve(args: argparse.Namespace) -> int:
    from paretoprice.app.explain import explain, objective_summary
    from paretoprice.app.frontmeta import front_extras
    from paretoprice.app.plots import plot_front, plot_parallel
    from paretoprice.problems import load_problem
    from paretoprice.solvers import solve

    if str(args.problem).endswith(".py"):
        return cmd_solve_model(args)
    if args.out is not None:
        check_output_dir(args.out, "--out", known=SOLVE_FILES)
    prob = load_problem(args.problem)
    if args.objectives is not None:
        prob = prob.with_objectives(objective_list(args.objectives))
    options = _parse_options(args.set or [])
    for key in ("pop_size", "n_gen", "n_eval"):
        val = getattr(args, key)
        if val is not None:
            options[key] = val
    if args.time_limit is not None:
        if args.solver != "exact":
            raise ParetoPriceError(
                f"--time-limit: only the 'exact' solver takes a time limit, got --solver "
                f"{args.solver}. Fix: drop --time-limit, or use --solver exact.")
        options["time_limit"] = args.time_limit
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    front = solve(prob, args.solver, seed=args.seed, progress=progress, **options)
    print(f"{prob.name}: {len(front)} Pareto points from '{args.solver}' in "
          f"{front.provenance.runtime_s:.2f} s ({front.provenance.evaluations:,} evaluations)")
    _say_if_incomplete(front)
    print(objective_summary(front))
    redundancy = front.redundancy().warning()
    if redundancy:
        print(redundancy)
    if args.out is not None:
        extra = front_extras(prob, explain(prob, front))
        with output_set(args.out, "--out", known=SOLVE_FILES) as out:
            csv_path, json_path = front.to_csv(out.path, extra=extra)
            png = plot_front(front, out.path / "front.png", anchors=prob.anchors(),
                             observed=prob.spec.observed)
            written = [csv_path, json_path, png]
            if len(front.objective_names) >= 3:
                written.append(plot_parallel(front, out.path / "front_parallel.png"))
            written = [out.final(p) for p in written]
        print("wrote " + ", ".join(str(p) for p in written))
    return 0


# ---------------------------------------------------------------------- main
def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    from paretoprice import solvers
    p = _Parser(prog="paretoprice",
                description="Pareto-optimal prices for healthcare AI services.")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    p.add_argument("--debug", action="store_true",
                   help="show the full traceback of an unexpected internal error")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sp = sub.add_parser("problems", help="list the bundled problems")
    sp.add_argument("--format", choices=["table", "csv"], default="table")
    sp.set_defaults(func=cmd_problems)

    sa = sub.add_parser("anchors", help="the five value anchors of a problem")
    sa.add_argument("problem", help="bundled problem name or path to a TOML file")
    sa.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sa.set_defaults(func=cmd_anchors)

    ss = sub.add_parser("solve", help="compute a Pareto front")
    ss.add_argument("problem", help="bundled problem name, path to a TOML file, or a Python "
                    "file defining build_model() (a Pyomo model with an ObjectiveList "
                    "'obj_list'; use --solver exact)")
    ss.add_argument("--solver", default=solvers.DEFAULT_SOLVER, choices=solvers.names())
    ss.add_argument("--objectives", help="comma-separated objectives, e.g. payer_spend,access")
    ss.add_argument("--seed", type=seed_arg, default=1, help="random seed (default 1)")
    ss.add_argument("--out", help="folder for front.csv, front.json and front.png")
    ss.add_argument("--pop-size", dest="pop_size", type=int, help="population (pymoo)")
    ss.add_argument("--n-gen", dest="n_gen", type=int, help="generations (pymoo)")
    ss.add_argument("--n-eval", dest="n_eval", type=int, help="evaluations (pymoo)")
    ss.add_argument("--set", action="append", metavar="KEY=VALUE",
                    help="any solver setting, e.g. --set chunk_size=100000 (repeatable)")
    ss.add_argument("--time-limit", dest="time_limit", type=float, metavar="SECONDS",
                    help="exact solver: wall-clock budget in seconds (default 600); when it "
                    "runs out the points found so far are written, marked incomplete")
    ss.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                    help="progress bar (default: when stderr is a terminal)")
    ss.set_defaults(func=cmd_solve)
    for module in EXTENSIONS:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        mod.register(sub)
    return p


EXTENSIONS: tuple[str, ...] = ("paretoprice.app.compare_cli", "paretoprice.app.bench_cli",
                               "paretoprice.app.report_cli", "paretoprice.app.psa_cli")
"""Modules that add sub-commands: each defines ``register(subparsers)`` and sets
``func`` on its parsers (``compare``, ``bench``; ``pick``, ``readout``, ``explain``,
``report``; ``psa``, ``tornado``, ``sobol``)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``paretoprice`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    return guarded(lambda: int(args.func(args)), quiet=not (args.verbose or args.debug),
                   debug=args.debug)

if __name__ == "__main__":
    raise SystemExit(main())
