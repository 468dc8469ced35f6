"""``paretoprice psa``, ``paretoprice tornado`` and ``paretoprice sobol``.

::

    paretoprice psa PROBLEM --draws N [--seed S] [--sampling lhs|mc] [--scheduler ADDRESS]
                    [--workers W] [--out DIR] [--resume] [--chunk-size K]
    paretoprice tornado PROBLEM [--at p=55,f=20] [--out DIR]
    paretoprice sobol PROBLEM [--n 64] [--at p=55,f=20] [--out DIR]

``--scheduler`` takes a Dask scheduler address (``tcp://host:8786``), ``inline`` (no
Dask: this process only), or nothing (a local Dask cluster on the machine's cores).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from paretoprice.optim.errors import ParameterError

logger = logging.getLogger(__name__)


def _wtp_grid(text: str | None) -> tuple[float, ...]:
    from paretoprice.app.psa_run import DEFAULT_WTP

    if not text:
        return DEFAULT_WTP
    try:
        if ":" in text:
            a, b, step = (float(x) for x in text.split(":"))
            if step <= 0 or b < a:
                raise ValueError
            return tuple(float(x) for x in np.arange(a, b + step / 2, step))
        return tuple(float(x) for x in text.split(","))
    except ValueError:
        raise ParameterError("--wtp", "START:STOP:STEP or a comma-separated list (USD per "
                             "QALY)", text, fix="e.g. --wtp 0:200000:10000.") from None


def cmd_psa(args: argparse.Namespace) -> int:
    from paretoprice.app.psa_run import PsaConfig, run_psa, summary_lines
    from paretoprice.problems import load_problem

    prob = load_problem(args.problem)
    config = PsaConfig(draws=args.draws, seed=args.seed, sampling=args.sampling,
                       chunk_size=args.chunk_size, wtp=_wtp_grid(args.wtp), bins=args.bins,
                       robust_quantile=args.robust_quantile, feasible_prob=args.feasible_prob,
                       evpi_wtp=args.evpi_wtp)
    if args.resume and not args.out:
        raise ParameterError("--resume", "used with --out (the chunks live beside it)",
                             "no --out", fix="repeat the original command with --resume.")
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    out = Path(args.out) if args.out else None
    prep, result, facts = run_psa(prob, config, out, scheduler=args.scheduler,
                                  workers=args.workers, resume=args.resume,
                                  progress=progress)
    for line in summary_lines(prep, result):
        print(line)
    print(f"ran on {facts.get('scheduler', 'no chunk left')} with {facts.get('workers', 0)} "
          f"worker(s): {facts['chunks_computed']} chunk(s) computed, "
          f"{facts['chunks_resumed']} resumed, {facts['total_seconds']:.1f} s")
    if out is not None:
        print(f"wrote {out}/ (candidates, observed, picks, acceptability, robust_front, draws, "
              "psa.json, plots)")
    return 0


TORNADO_FILES = ("tornado.csv", "tornado.png")
SOBOL_FILES = ("sobol.csv", "sobol.json")


def _write_outputs(target: str, writers: dict[str, Callable[[Path], Any]]) -> None:
    """Write the named files into ``target`` as one output set: the folder holds the whole
    new set or its previous content, never a mix (see :func:`paretoprice.optim.io.output_set`)."""
    from paretoprice.optim.io import output_set

    with output_set(target, "--out", known=writers) as out:
        staged = []
        for name, write in writers.items():
            write(out.path / name)
            staged.append(out.path / name)
        written = [out.final(p) for p in staged]
    print("wrote " + ", ".join(str(p) for p in written))


def cmd_tornado(args: argparse.Namespace) -> int:
    from paretoprice.app.sensitivity import parse_point, tornado
    from paretoprice.optim.io import check_output_dir
    from paretoprice.problems import load_problem

    if args.out is not None:
        check_output_dir(args.out, "--out", known=TORNADO_FILES)  # before any work
    prob = load_problem(args.problem)
    at = parse_point(prob, args.at)
    table = tornado(prob, at)
    point = ", ".join(f"{n}={v:g}" for n, v in zip(prob.decision_names, at, strict=True))
    print(f"{prob.name}: one-way sensitivity of the value anchors and of the point "
          f"({point}); each input at its low/high, the others at base")
    for q in dict.fromkeys(table["quantity"]):
        sub = table[table["quantity"] == q].sort_values("swing", ascending=False)
        top = sub.iloc[0]
        unit = top["unit"]
        print(f"  {q} [{unit}] base {_fmt(top['base'])}:")
        if top["swing"] == 0:
            print("    no single input moves it over its range")
        for _, r in sub.head(args.top).iterrows():
            if r["swing"] == 0:
                continue
            print(f"    {r['input']:<52} {_fmt(r['at_low']):>14} .. {_fmt(r['at_high']):<14}"
                  f" (input {r['input_low']:.4g} .. {r['input_high']:.4g})")
    if args.out is not None:
        from paretoprice.app.psa_plots import save_figure, tornado_figure

        _write_outputs(args.out, {
            "tornado.csv": lambda p: table.to_csv(p, index=False, float_format="%.17g"),
            "tornado.png": lambda p: save_figure(tornado_figure(prob.name, table, point), p),
        })
    return 0


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1e4 else f"{v:.4g}"


def cmd_sobol(args: argparse.Namespace) -> int:
    from paretoprice.app.psa_run import ladder_matrix
    from paretoprice.app.sensitivity import parse_point, sobol
    from paretoprice.optim.io import check_output_dir
    from paretoprice.problems import load_problem

    if args.out is not None:
        check_output_dir(args.out, "--out", known=SOBOL_FILES)  # before any work
    prob = load_problem(args.problem)
    at = parse_point(prob, args.at)
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    table, meta = sobol(prob, ladder_matrix(prob), at, n=args.n, seed=args.seed,
                        progress=progress)
    print(f"{prob.name}: Sobol indices from {meta['model_runs']:,} runs ({args.n} base "
          "samples); inputs sampled independently")
    for out_name in dict.fromkeys(table["output"]):
        sub = table[table["output"] == out_name].sort_values("ST", ascending=False)
        print(f"  {out_name} [{sub.iloc[0]['unit']}]: inputs that move it most "
              "(total index ST, first-order S1, +/- 95% conf.)")
        for _, r in sub.head(args.top).iterrows():
            print(f"    {r['input']:<52} ST {r['ST']:6.3f} +/- {r['ST_conf95']:.3f}   "
                  f"S1 {r['S1']:6.3f} +/- {r['S1_conf95']:.3f}")
    if args.out is not None:
        _write_outputs(args.out, {
            "sobol.csv": lambda p: table.to_csv(p, index=False, float_format="%.17g"),
            "sobol.json": lambda p: p.write_text(json.dumps(meta, indent=2) + "\n",
                                                 encoding="utf-8"),
        })
    return 0


def register(sub: Any) -> None:
    """Add ``psa``, ``tornado`` and ``sobol`` to the ``paretoprice`` sub-commands."""
    sp = sub.add_parser("psa", help="probabilistic sensitivity analysis over the ladder")
    sp.add_argument("problem", help="bundled problem name or path to a TOML file")
    sp.add_argument("--draws", type=int, required=True, help="number of draws")
    sp.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    sp.add_argument("--sampling", choices=["lhs", "mc"], default="lhs",
                    help="Latin hypercube (default) or plain Monte Carlo")
    sp.add_argument("--scheduler", help="Dask scheduler address (tcp://host:8786), or "
                    "'inline' for no Dask; default: a local Dask cluster")
    sp.add_argument("--workers", type=int, help="local cluster size (default: the cores)")
    sp.add_argument("--out", help="output folder (must not exist; appears whole)")
    sp.add_argument("--resume", action="store_true",
                    help="continue an interrupted run with the same settings and --out")
    sp.add_argument("--chunk-size", dest="chunk_size", type=int, default=500,
                    help="draws per chunk (default 500)")
    sp.add_argument("--wtp", help="willingness-to-pay grid, USD/QALY: START:STOP:STEP or a "
                    "list (default 0:200000:10000)")
    sp.add_argument("--evpi-wtp", dest="evpi_wtp", type=float,
                    help="willingness to pay of the headline EVPI (default: the problem's)")
    sp.add_argument("--robust-quantile", dest="robust_quantile", type=float,
                    help="robust front at this pessimistic quantile instead of expected "
                    "values")
    sp.add_argument("--feasible-prob", dest="feasible_prob", type=float, default=0.5,
                    help="minimum P(every guardrail met) for the robust front and picks")
    sp.add_argument("--bins", type=int, default=48, help=argparse.SUPPRESS)
    sp.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                    help="progress bar (default: when stderr is a terminal)")
    sp.set_defaults(func=cmd_psa)

    st = sub.add_parser("tornado", help="one-way sensitivity of anchors and a point")
    st.add_argument("problem", help="bundled problem name or path to a TOML file")
    st.add_argument("--at", help="the point, e.g. p=55,f=20 (default: p = v_e, f = m)")
    st.add_argument("--top", type=int, default=5, help="inputs printed per quantity")
    st.add_argument("--out", help="folder for tornado.csv and tornado.png")
    st.set_defaults(func=cmd_tornado)

    so = sub.add_parser("sobol", help="Sobol indices: which inputs move the front most")
    so.add_argument("problem", help="bundled problem name or path to a TOML file")
    so.add_argument("--n", type=int, default=64, help="base samples, a power of 2 "
                    "(runs = n (inputs + 2); default 64)")
    so.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    so.add_argument("--at", help="the point, e.g. p=55,f=20 (default: p = v_e, f = m)")
    so.add_argument("--top", type=int, default=5, help="inputs printed per output")
    so.add_argument("--out", help="folder for sobol.csv and sobol.json")
    so.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                    help="progress bar (default: when stderr is a terminal)")
    so.set_defaults(func=cmd_sobol)
