"""``paretoprice bench``: the benchmark suite from the command line.

::

    paretoprice bench [--suite smoke|standard|full] [--cases a,b] [--solvers a,b]
                      [--seeds N] [--out DIR] [--scaling/--no-scaling] [--no-plots]

Writes ``results.csv``, ``summary.md``, ``environment.json``, ``scaling.csv``,
``convergence.csv`` and ``plots/`` into DIR (default ``results/bench-<suite>``); see
:mod:`paretoprice.app.bench_report`. Unknown case or solver names exit with status 2 and a message
listing the valid names.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


BENCH_FILES = frozenset({"results.csv", "summary.md", "environment.json", "scaling.csv",
                         "convergence.csv", "plots"})
"""Entries ``bench --out`` writes (a folder holding only these may be replaced)."""


def _names(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [t.strip() for t in text.split(",") if t.strip()]
    return names or None


def command_args(args: argparse.Namespace) -> list[str]:
    """The options of this run as a canonical argument list (for summary.md)."""
    argv = ["--suite", args.suite]
    for flag, value in (("--cases", args.cases), ("--solvers", args.solvers),
                        ("--seeds", args.seeds), ("--out", args.out)):
        if value is not None:
            argv += [flag, str(value)]
    if args.scaling is not None:
        argv.append("--scaling" if args.scaling else "--no-scaling")
    if args.no_convergence:
        argv.append("--no-convergence")
    if args.no_plots:
        argv.append("--no-plots")
    return argv


def cmd_bench(args: argparse.Namespace) -> int:
    """The ``bench`` sub-command."""
    from paretoprice.app.bench_report import write_report
    from paretoprice.benchmarks.suite import run_suite
    from paretoprice.optim.io import check_output_dir, output_set

    out = Path(args.out) if args.out is not None else Path("results") / f"bench-{args.suite}"
    check_output_dir(out, "--out", known=BENCH_FILES)
    argv = command_args(args)
    result = run_suite(args.suite, cases=_names(args.cases), solvers=_names(args.solvers),
                       seeds=args.seeds, progress=args.progress, scaling=args.scaling,
                       convergence=not args.no_convergence)
    with output_set(out, "--out", known=BENCH_FILES) as staged:
        written = write_report(result, staged.path, argv, plots=not args.no_plots)
    n_ok = sum(r["status"] == "ok" for r in result.rows)
    n_skip = sum(r["status"] == "skipped" for r in result.rows)
    n_err = sum(r["status"] == "error" for r in result.rows)
    print(f"bench {result.suite}: {n_ok} runs ok, {n_skip} skipped, {n_err} failed in "
          f"{result.wall_s:.1f} s; wrote {len(written)} files to {out}/ "
          f"(summary: {out / 'summary.md'})")
    return 0


def register(sub: Any) -> None:
    """Add ``bench`` to the ``paretoprice`` sub-commands."""
    sb = sub.add_parser("bench", help="run the benchmark suite (cases x solvers x seeds) and "
                        "write results.csv, summary.md, environment.json and plots")
    sb.add_argument("--suite", choices=["smoke", "standard", "full"], default="smoke",
                    help="smoke (< 2 min), standard (< 20 min) or full (default smoke)")
    sb.add_argument("--cases", help="comma-separated case names (default: the suite's)")
    sb.add_argument("--solvers", help="comma-separated solver names (default: the suite's)")
    sb.add_argument("--seeds", type=int, help="seeds 1..N for the heuristics "
                    "(default: 1 in smoke, 3 in standard, 10 in full)")
    sb.add_argument("--out", help="output folder (default results/bench-<suite>)")
    sb.add_argument("--scaling", action=argparse.BooleanOptionalAction, default=None,
                    help="run the scaling study (default: unless --cases is given)")
    sb.add_argument("--no-convergence", action="store_true",
                    help="skip the hypervolume-against-evaluations runs")
    sb.add_argument("--no-plots", action="store_true", help="write the tables only")
    sb.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                    help="tqdm progress bars on stderr (default on)")
    sb.set_defaults(func=cmd_bench)
