"""Sub-commands that choose and defend a price::

    paretoprice pick PROBLEM --method knee|weights|asf|nash|kalai-smorodinsky|nearest|best-nmb
                     [--weights a=1,b=2] [--reference a=..,b=..] [--disagreement a=..]
                     [--near p=55] [--wtp 100000] [--format table|json]
    paretoprice readout PROBLEM --at p=55,f=20 [--format table|json|csv]
    paretoprice explain PROBLEM [--out DIR]
    paretoprice report PROBLEM --out DIR

``pick``, ``explain`` and ``report`` first solve the problem (``--solver``, default: the
exact grid when the problem's ladder is small enough, else NSGA-II; ``--seed``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from paretoprice.optim.front import ParetoFront
from paretoprice.optim.pick import METHODS
from paretoprice.optim.problem import PricingProblem


def _solve(args: argparse.Namespace) -> tuple[PricingProblem, ParetoFront]:
    from paretoprice.app.explain import default_solver
    from paretoprice.problems import load_problem
    from paretoprice.solvers import solve

    problem = load_problem(args.problem)
    solver = args.solver or default_solver(problem)
    options: dict[str, Any] = {}
    for key in ("pop_size", "n_gen"):
        if getattr(args, key, None) is not None and solver not in {"grid", "exact"}:
            options[key] = getattr(args, key)
    front = solve(problem, solver, seed=args.seed, progress=False, **options)
    return problem, front


def _pairs(text: str | None, owner: str) -> dict[str, float] | None:
    from paretoprice.app.readout import parse_at

    return None if text is None else parse_at(text, owner)


def cmd_pick(args: argparse.Namespace) -> int:
    from paretoprice.app.explain import describe_pick, run_pick, standard_picks
    from paretoprice.optim.pick import tradeoffs

    problem, front = _solve(args)
    pk = run_pick(problem, front, args.method, weights=_pairs(args.weights, "--weights"),
                  reference=_pairs(args.reference, "--reference"),
                  disagreement=_pairs(args.disagreement, "--disagreement"),
                  near=_pairs(args.near, "--near"), wtp=args.wtp)
    others = [p for p in standard_picks(problem, front) if p.method != pk.method]
    gives = tradeoffs(front, [pk, *others])
    if args.format == "json":
        print(json.dumps({"problem": problem.name, "pick": pk.to_dict(),
                          "gives_up": gives.get(pk.method, {}),
                          "front": {"points": len(front), "solver": front.provenance.solver,
                                    "exact": front.provenance.exact}}, indent=2))
        return 0
    print(f"{problem.name}: pick by '{pk.method}' on a {len(front)}-point front from "
          f"'{front.provenance.solver}' ({'exact' if front.provenance.exact else 'heuristic'})")
    print("\n".join(describe_pick(problem, front, pk, gives.get(pk.method))))
    if pk.parameters:
        print("  inputs: " + json.dumps(pk.parameters, default=str))
    at = ",".join(f"{k}={v:g}" for k, v in pk.decisions.items())
    print(f"  full readout: paretoprice readout {args.problem} --at {at}")
    return 0


def cmd_readout(args: argparse.Namespace) -> int:
    from paretoprice.app.readout import parse_at, point_from, readout
    from paretoprice.problems import load_problem

    problem = load_problem(args.problem)
    x, notes = point_from(problem, parse_at(args.at))
    r = readout(problem, x, notes)
    if args.format == "json":
        print(r.to_json())
    elif args.format == "csv":
        print(r.to_csv(), end="")
    else:
        print(r.to_text())
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from paretoprice.app.explain import anchors_text, explain
    from paretoprice.app.frontmeta import front_extras

    problem, front = _solve(args)
    print(f"== {problem.spec.title or problem.name}")
    print(anchors_text(problem))
    print(f"\nPareto front: {len(front)} points from '{front.provenance.solver}' in "
          f"{front.provenance.runtime_s:.2f} s.\n")
    exp = explain(problem, front)
    print(exp.text, end="")
    if args.out:
        paths = front.to_csv(Path(args.out), extra=front_extras(problem, exp))
        print("wrote " + ", ".join(str(p) for p in paths))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from paretoprice.app.report import write_report

    problem, front = _solve(args)
    paths = write_report(problem, front, Path(args.out))
    print(f"{problem.name}: report on a {len(front)}-point front from "
          f"'{front.provenance.solver}'")
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


def _solver_args(sp: argparse.ArgumentParser) -> None:
    from paretoprice import solvers

    sp.add_argument("problem", help="bundled problem name or path to a TOML file")
    sp.add_argument("--solver", choices=solvers.names(), default=None,
                    help="backend (default: grid when the ladder is small, else nsga2)")
    sp.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    sp.add_argument("--pop-size", dest="pop_size", type=int, help="population (pymoo)")
    sp.add_argument("--n-gen", dest="n_gen", type=int, help="generations (pymoo)")


def register(sub: Any) -> None:
    """Add ``pick``, ``readout``, ``explain`` and ``report`` to the CLI's sub-parsers."""
    sp = sub.add_parser("pick", help="choose one front point by a stated rule and say why")
    _solver_args(sp)
    sp.add_argument("--method", required=True, choices=list(METHODS))
    sp.add_argument("--weights", help="weights/asf: objective=weight,... (default equal)")
    sp.add_argument("--reference", help="asf: reference point objective=value,... "
                    "(natural units)")
    sp.add_argument("--disagreement", help="nash/kalai-smorodinsky: status quo objective=value"
                    ",... (default: today without the AI, else the front's nadir)")
    sp.add_argument("--near", help="nearest: decision=value,... (default: the first observed "
                    "price)")
    sp.add_argument("--wtp", type=float, help="best-nmb: willingness to pay per QALY "
                    "(default: the problem's wtp_per_qaly)")
    sp.add_argument("--format", choices=["table", "json"], default="table")
    sp.set_defaults(func=cmd_pick)

    sr = sub.add_parser("readout", help="one page on one point of a problem")
    sr.add_argument("problem", help="bundled problem name or path to a TOML file")
    sr.add_argument("--at", required=True, help="decision values, e.g. p=55,f=20 (decisions "
                    "not given take their lower bound)")
    sr.add_argument("--format", choices=["table", "json", "csv"], default="table")
    sr.set_defaults(func=cmd_readout)

    se = sub.add_parser("explain", help="anchors, where real prices sit, what the front "
                        "shows, the picks")
    _solver_args(se)
    se.add_argument("--out", help="also write front.csv and front.json here")
    se.set_defaults(func=cmd_explain)

    sq = sub.add_parser("report", help="report.html (interactive, offline) and report.xlsx")
    _solver_args(sq)
    sq.add_argument("--out", required=True, help="folder for the report (written atomically)")
    sq.set_defaults(func=cmd_report)


