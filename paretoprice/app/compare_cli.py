"""``paretoprice compare``: a certificate for a heuristic front.

Runs several solvers on the same instance, takes the exact backend's front (``exact`` or
``grid``) as the reference, and writes ``compare.csv`` with, per solver: hypervolume
against ONE common reference point, the hypervolume ratio to the exact front, IGD+,
additive epsilon, reference points missed, front size, runtime and evaluations; plus
``compare.png`` with every front overlaid.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from paretoprice.optim.front import ParetoFront
from paretoprice.optim.indicators import compare, default_reference_point, same_set
from paretoprice.optim.problem import PricingProblem

logger = logging.getLogger(__name__)

EXACT_SOLVERS = ("exact", "grid")

COLUMNS = ["solver", "reference", "hypervolume", "hv_ratio", "igd_plus", "epsilon_add",
           "points_missed", "front_size", "runtime_s", "evaluations", "same_as_reference"]


@dataclass(frozen=True)
class CompareResult:
    """Fronts by solver, the reference solver, the common reference point, the table."""

    fronts: dict[str, ParetoFront]
    reference: str
    reference_point: np.ndarray
    table: pd.DataFrame


def compare_solvers(
    problem: PricingProblem,
    solvers: Sequence[str],
    seed: int = 1,
    options: dict[str, dict[str, Any]] | None = None,
) -> CompareResult:
    """Solve ``problem`` with each solver and compare every front to the exact one.

    The reference is the first exact solver listed (``exact`` or ``grid``), else the
    first solver. The hypervolume reference point is computed once from all fronts
    (nadir + 10% of the range) and declared on every front.
    """
    from paretoprice.solvers import solve

    options = options or {}
    fronts = {s: solve(problem, s, seed=seed, **options.get(s, {})) for s in solvers}
    reference = next((s for s in solvers if s in EXACT_SOLVERS), solvers[0])
    ref_point = default_reference_point(*(f.minimization_matrix() for f in fronts.values()))
    R = fronts[reference].minimization_matrix()
    rows = []
    for name, front in fronts.items():
        A = front.minimization_matrix()
        c = compare(A, R, ref_point)
        rows.append({
            "solver": name, "reference": reference, "hypervolume": c.hypervolume,
            "hv_ratio": c.hv_ratio, "igd_plus": c.igd_plus, "epsilon_add": c.epsilon_add,
            "points_missed": c.points_missed, "front_size": c.front_size,
            "runtime_s": front.provenance.runtime_s,
            "evaluations": front.provenance.evaluations,
            "same_as_reference": bool(same_set(A, R)),
        })
    fronts = {k: v.with_reference_point(ref_point) for k, v in fronts.items()}
    return CompareResult(fronts, reference, ref_point, pd.DataFrame(rows, columns=COLUMNS))


def cmd_compare(args: argparse.Namespace) -> int:
    """The ``compare`` sub-command."""
    from paretoprice.app.args import objective_list
    from paretoprice.app.plots import plot_overlay
    from paretoprice.optim.io import check_output_dir, output_set, write_with
    from paretoprice.problems import load_problem

    if args.out is not None:
        check_output_dir(args.out, "--out")
    problem = load_problem(args.problem)
    if args.objectives is not None:
        problem = problem.with_objectives(objective_list(args.objectives))
    solver_names = [s.strip() for s in args.solvers.split(",") if s.strip()]
    if len(solver_names) < 2:
        from paretoprice.optim.errors import ParameterError

        raise ParameterError("--solvers", "at least two comma-separated solver names",
                             args.solvers, fix="e.g. --solvers nsga2,exact")
    result = compare_solvers(problem, solver_names, seed=args.seed)
    ref_front = result.fronts[result.reference]
    kind = ("exact on the ladder" if ref_front.provenance.exact else
            "HEURISTIC, not exact: ratios and misses are against another approximation")
    print(f"{problem.name}: reference front from '{result.reference}' "
          f"({len(ref_front)} points; {kind})")
    shown = result.table.copy()
    shown["hv_ratio"] = shown["hv_ratio"].map(lambda v: f"{v:.4f}")
    shown = shown.drop(columns=["hypervolume"])
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print("hv_ratio: hypervolume / the reference front's, one common reference point "
          "(raw hypervolumes in compare.csv)")
    if args.out is not None:
        with output_set(args.out, "--out") as out:
            csv_path = write_with(out.path / "compare.csv",
                                  lambda tmp: result.table.to_csv(tmp, index=False))
            png = plot_overlay(result.fronts, out.path / "compare.png")
            for name, front in result.fronts.items():
                front.to_csv(out.path / name)
        print(f"wrote {out.final(csv_path)}, {out.final(png)} and each front under "
              f"{out.target}/<solver>/")
    return 0


def register(sub: Any) -> None:
    """Add ``compare`` to the ``paretoprice`` sub-commands."""
    from paretoprice.app.args import seed_arg

    sc = sub.add_parser("compare", help="run several solvers on one problem and certify the "
                        "heuristic fronts against the exact one")
    sc.add_argument("problem", help="bundled problem name or path to a TOML file")
    sc.add_argument("--solvers", default="nsga2,grid",
                    help="comma-separated solvers; the first exact one is the reference")
    sc.add_argument("--objectives", help="comma-separated objectives")
    sc.add_argument("--seed", type=seed_arg, default=1)
    sc.add_argument("--out", help="folder for compare.csv, compare.png and the fronts")
    sc.set_defaults(func=cmd_compare)
