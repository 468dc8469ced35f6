"""Speed and memory of the core: vectorized evaluation, NSGA-II and the exact grid.

Every figure is measured beside a baseline in the same run, and reported as a ratio:

==========================  ==============================================  ==========
measure                     baseline                                        target
==========================  ==============================================  ==========
evaluations per second      the same model, one candidate per Python call   >= 1e6/s
NSGA-II on idx-dr           the same run with an elementwise (per-row)      < 3 s
(pop 100, 200 generations)  evaluation
grid over (p, f), $1        evaluating the same candidates, no filtering    < 2 s
grid of ~10.9M candidates   evaluating the same candidates, no filtering    < 60 s,
(p, f, three add-ons)                                                       < 2 GB peak
==========================  ==============================================  ==========

Peak memory is the resident-set high-water mark of a child process that runs only that
case. Run::

    python -m paretoprice.benchmarks.bench_core [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from paretoprice.optim.problem import PricingProblem
from paretoprice.problems import load_problem


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    """Shortest wall time (s) of ``repeat`` calls of ``fn``."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def big_grid_problem() -> PricingProblem:
    """idx-dr with p and f at $1 steps and each add-on on 0..35 at $5: 10,903,552 points."""
    ladder = {"lower": 0.0, "upper": 35.0, "step": 5.0}
    return load_problem("idx-dr").with_bounds({
        "f": {"lower": 0.0, "upper": 120.0, "step": 1.0},
        "a_health_system": ladder, "a_community_practice": ladder, "a_safety_net": ladder,
    })


def bench_evaluations(n: int, repeat: int) -> dict[str, float]:
    """Vectorized evaluations per second vs one Python call per candidate."""
    prob = load_problem("idx-dr")
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(0, 175, n), rng.uniform(0, 120, n),
                         rng.uniform(0, 20, (n, 3))])

    def vectorized() -> None:
        ev = prob.evaluate(X, report=False)
        prob.minimization_matrix(ev)
        prob.constraint_matrix(ev)

    n_loop = max(n // 200, 500)

    def per_candidate() -> None:
        for i in range(n_loop):
            ev = prob.evaluate(X[i:i + 1], report=False)
            prob.minimization_matrix(ev)
            prob.constraint_matrix(ev)

    t_vec = best_of(vectorized, repeat)
    t_loop = best_of(per_candidate, 1)
    vec_rate = n / t_vec
    loop_rate = n_loop / t_loop
    return {"evals_per_s": vec_rate, "baseline_evals_per_s": loop_rate,
            "ratio": vec_rate / loop_rate, "candidates": n}


def bench_nsga2(pop: int, gens: int) -> dict[str, float]:
    """NSGA-II on idx-dr, vectorized vs an elementwise evaluation of the same problem."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import ElementwiseProblem
    from pymoo.optimize import minimize

    from paretoprice.solvers import solve

    prob = load_problem("idx-dr")
    t0 = time.perf_counter()
    front = solve(prob, "nsga2", seed=1, pop_size=pop, n_gen=gens)
    t_vec = time.perf_counter() - t0

    class Elementwise(ElementwiseProblem):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(n_var=prob.n_var, n_obj=4, n_ieq_constr=len(prob.guardrails),
                             xl=prob.lower, xu=prob.upper)

        def _evaluate(self, x: np.ndarray, out: dict[str, Any], *a: Any, **k: Any) -> None:
            ev = prob.evaluate(x[None, :], report=False)
            out["F"] = prob.minimization_matrix(ev)[0]
            out["G"] = prob.constraint_matrix(ev)[0]

    t0 = time.perf_counter()
    minimize(Elementwise(), NSGA2(pop_size=pop), ("n_gen", gens), seed=1, verbose=False)
    t_elem = time.perf_counter() - t0
    return {"seconds": t_vec, "baseline_seconds": t_elem, "ratio": t_vec / t_elem,
            "front_size": len(front), "pop_size": pop, "n_gen": gens}


def bench_grid(case: str) -> dict[str, float]:
    """Grid solve vs evaluating the same candidates without filtering (same chunks)."""
    from paretoprice.solvers import solve

    prob = load_problem("idx-dr") if case == "pf" else big_grid_problem()
    ladders = prob.ladders()
    sizes = tuple(len(x) for x in ladders)
    total = int(np.prod(sizes))
    chunk = 262_144

    def evaluate_only() -> None:
        for start in range(0, total, chunk):
            idx = np.unravel_index(np.arange(start, min(start + chunk, total)), sizes)
            X = np.column_stack([lad[i] for lad, i in zip(ladders, idx, strict=True)])
            ev = prob.evaluate(X, report=False)
            prob.feasible(ev)

    t0 = time.perf_counter()
    front = solve(prob, "grid", chunk_size=chunk)
    t_grid = time.perf_counter() - t0
    t_eval = best_of(evaluate_only, 1)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"seconds": t_grid, "baseline_seconds": t_eval, "ratio": t_grid / t_eval,
            "candidates": total, "front_size": len(front), "peak_mb": peak_mb}


def _in_child(case: str) -> dict[str, float]:
    """Run one grid case in a fresh interpreter so its peak memory is its own."""
    code = ("import json, paretoprice.benchmarks.bench_core as b; "
            f"print(json.dumps(b.bench_grid({case!r})))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Run the core benchmarks and print a table (``--json FILE`` also saves them)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    args = ap.parse_args(argv)
    results: dict[str, dict[str, float]] = {}
    results["evaluations"] = bench_evaluations(200_000 if args.quick else 1_000_000, 3)
    results["nsga2_idx_dr"] = bench_nsga2(100, 20 if args.quick else 200)
    results["grid_pf_1usd"] = _in_child("pf")
    if not args.quick:
        results["grid_10m"] = _in_child("big")
    ev = results["evaluations"]
    print(f"evaluations/s     {ev['evals_per_s']:>14,.0f}  baseline (per-candidate calls) "
          f"{ev['baseline_evals_per_s']:,.0f}/s  ratio {ev['ratio']:,.0f}x   target >= 1,000,000/s")
    ns = results["nsga2_idx_dr"]
    print(f"nsga2 idx-dr      {ns['seconds']:>13.2f}s  baseline (elementwise) "
          f"{ns['baseline_seconds']:.2f}s  ratio {ns['ratio']:.3f}   target < 3 s "
          f"(pop {ns['pop_size']:.0f}, {ns['n_gen']:.0f} gen)")
    for key, label, target in (("grid_pf_1usd", "grid (p,f) $1", "< 2 s"),
                               ("grid_10m", "grid 10.9M", "< 60 s, < 2,048 MB")):
        if key in results:
            g = results[key]
            print(f"{label:<17} {g['seconds']:>13.2f}s  baseline (evaluate only) "
                  f"{g['baseline_seconds']:.2f}s  ratio {g['ratio']:.2f}  "
                  f"{g['candidates']:,.0f} candidates, {g['front_size']:,.0f} on the front, "
                  f"peak {g['peak_mb']:,.0f} MB   target {target}")
    if args.json:
        from paretoprice.optim.front import package_versions
        from paretoprice.optim.io import write_text_atomic

        write_text_atomic(args.json, json.dumps({"results": results,
                                                 "versions": package_versions()}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
