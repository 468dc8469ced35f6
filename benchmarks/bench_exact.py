"""Benchmarks of the exact multi-objective engine (``paretoprice.solvers.exact``).

1. **MOKP reference instances** (``benchmarks/data/mokp``): for each instance, the engine
   with every requested worker count, the baseline mode (Pyomo model and HiGHS instance
   rebuilt for every solve, one process: what pyaugmecon does) and, when it can run, the
   peer pyaugmecon in its own virtual environment. Per method: Pareto points, whether
   they are identical to the published exact front, wall time, models solved and models
   per Pareto point.
2. **LP epsilon sweep**: a random (seeded) LP with 200 rows, 100 columns and 2 objectives;
   the bound on the second objective swept over ~2,000 values. Solves per second of the
   persistent warm-started HiGHS model against a model rebuilt for every solve (from the
   compiled matrix, and through Pyomo).

============================  ===========================================  ==========
measure                       baseline                                     target
============================  ===========================================  ==========
2kp100, 3kp40 wall time       baseline mode; pyaugmecon 74.7 s and 446 s   <= 37 s,
                              (one worker, reported for this machine)      <= 200 s
models per Pareto point       pyaugmecon 43/35 on 2kp50                    <= 1.1 (2 obj.)
LP epsilon sweep              rebuild per solve                            >= 1,000/s
============================  ===========================================  ==========

The peer runs only from a separate throwaway environment (never a project dependency)::

    python -m venv /tmp/peer-venv && /tmp/peer-venv/bin/pip install pyaugmecon highspy

Run::

    python -m paretoprice.benchmarks.bench_exact [--instances 2kp50,2kp100,3kp40,4kp50]
        [--workers 1,2] [--no-baseline] [--no-peer] [--peer-python PATH] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from paretoprice.benchmarks.mokp_data import DATA_DIR, INSTANCES, build_mokp_model, load_mokp

DEFAULT_PEER_PYTHON = "/tmp/peer-venv/bin/python"

PEER_OPTIONS: dict[str, dict[str, Any]] = {
    # pyaugmecon's own settings for its exact runs of these instances (its test suite):
    # a unit grid step from the nadir values it is given up to the ideal point.
    "2kp50": {"grid_points": 492},
    "2kp100": {"grid_points": 823},
    "3kp40": {"grid_points": 540, "nadir_points": [1031, 1069]},
    "4kp50": {"grid_points": 53, "nadir_points": [718, 717, 705]},
}

REPORTED_PEER: dict[str, tuple[float, float, int]] = {
    # pyaugmecon 2.0.1 (exact mode, HiGHS) as reported for this 2-core machine class:
    # seconds with one worker, with two, models solved with one worker. Not measured here.
    "2kp50": (8.9, 7.3, 43),
    "2kp100": (74.7, 64.9, 128),
    "3kp40": (446.0, 281.0, 738),
    "4kp50": (4.2, 4.6, 156),
}

PEER_SCRIPT = r"""
import json, sys, time
import numpy as np
import pyomo.environ as pyo
from pyaugmecon import PyAugmecon

def read(p):
    return np.loadtxt(p, delimiter=",", skiprows=1, ndmin=2)[:, 1:]

def main():
    folder, name, solver, opts = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    a, b, c = read(folder + "/a.csv"), read(folder + "/b.csv").ravel(), read(folder + "/c.csv")
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, a.shape[1] - 1)
    m.R = pyo.RangeSet(0, a.shape[0] - 1)
    m.x = pyo.Var(m.I, domain=pyo.Binary)
    m.cons = pyo.Constraint(m.R, rule=lambda m, r: sum(a[r, i] * m.x[i] for i in m.I) <= b[r])
    m.obj_list = pyo.ObjectiveList()
    for j in range(c.shape[0]):
        m.obj_list.add(expr=sum(c[j, i] * m.x[i] for i in m.I), sense=pyo.maximize)
    for o in m.obj_list.values():
        o.deactivate()
    options = {"name": name, "solver_name": solver, "output_excel": False, **opts}
    t0 = time.perf_counter()
    peer = PyAugmecon(m, options, solver_opts={})
    peer.solve()
    print(json.dumps({"time": time.perf_counter() - t0,
                      "models": int(peer.model.models_solved.value()),
                      "points": [list(map(float, k)) for k in peer.unique_pareto_sols]}))

if __name__ == "__main__":
    main()
"""


def _row(method: str, points: np.ndarray | None, reference: np.ndarray, seconds: float,
         models: int | None, note: str = "") -> dict[str, Any]:
    n = 0 if points is None else len(points)
    matched = points is not None and (
        {tuple(map(float, p)) for p in points} == {tuple(map(float, p)) for p in reference}
        and n == len(reference)
    )
    return {
        "method": method,
        "points": n,
        "matched": bool(matched),
        "time_s": seconds,
        "models": models,
        "models_per_point": (models / n) if (models is not None and n) else None,
        "note": note,
    }


def run_engine(name: str, workers: int, baseline: bool = False) -> dict[str, Any]:
    """Solve one instance with the engine; return a table row."""
    from paretoprice.solvers.exact import solve_epsilon_constraint

    reference = load_mokp(name)[3]
    model = build_mokp_model(name)
    t0 = time.perf_counter()
    res = solve_epsilon_constraint(model, workers=workers, baseline=baseline)
    seconds = time.perf_counter() - t0
    method = "baseline (rebuild per solve)" if baseline else f"engine, {workers} worker(s)"
    return _row(method, res.points, reference, seconds, res.models_solved,
                f"{res.infeasible} infeasible, {res.skipped} skipped")


def run_peer(name: str, python: str, timeout_s: float, workers: int = 1) -> dict[str, Any]:
    """Run pyaugmecon in its own interpreter; the row says why when it cannot run."""
    reference = load_mokp(name)[3]
    method = f"peer pyaugmecon, {workers} worker(s)"
    if not Path(python).exists():
        return _row(method, None, reference, float("nan"), None,
                    f"not run: {python} missing (see the module docstring to create it)")
    opts = {**PEER_OPTIONS[name], "cpu_count": workers}
    errors = []
    for solver in ("highs", "appsi_highs"):
        try:
            proc = subprocess.run(
                [python, "-c", PEER_SCRIPT, str(DATA_DIR / name), name, solver, json.dumps(opts)],
                capture_output=True, text=True, timeout=timeout_s, check=False,
                cwd=tempfile.gettempdir(),  # the peer writes a logs/ folder into its cwd
            )
        except subprocess.TimeoutExpired:
            return _row(method, None, reference, timeout_s, None,
                        f"stopped after the {timeout_s:.0f} s timeout")
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if proc.returncode == 0 and lines:
            out = json.loads(lines[-1])
            return _row(method, np.array(out["points"]), reference, out["time"],
                        out["models"], f"solver {solver}")
        err = [ln.strip() for ln in proc.stderr.splitlines()
               if re.match(r"^\w+(Error|Exception)\b", ln.strip())]
        errors.append(f"{solver}: {err[-1] if err else 'exit code ' + str(proc.returncode)}")
    return _row(method, None, reference, float("nan"), None,
                "cannot run unmodified: " + "; ".join(errors))


def lp_sweep_model(seed: int = 7, rows: int = 200, cols: int = 100):  # -> ConcreteModel
    """Random bounded LP (seeded): benefit (max) and cost (min) under resource rows."""
    import pyomo.environ as pyo

    rng = np.random.default_rng(seed)
    A = rng.uniform(0.0, 1.0, size=(rows, cols)) * (rng.uniform(size=(rows, cols)) < 0.2)
    b = rng.uniform(5.0, 20.0, size=rows)
    benefit = rng.uniform(1.0, 10.0, size=cols)
    cost = benefit * rng.uniform(0.5, 2.0, size=cols)
    m = pyo.ConcreteModel(name="lp-sweep")
    m.I = pyo.RangeSet(0, cols - 1)
    m.R = pyo.RangeSet(0, rows - 1)
    m.x = pyo.Var(m.I, bounds=(0.0, 5.0))
    m.rows = pyo.Constraint(
        m.R, rule=lambda m, r: sum(float(A[r, i]) * m.x[i] for i in m.I if A[r, i]) <= float(b[r])
    )
    m.obj_list = pyo.ObjectiveList()
    m.obj_list.add(expr=sum(float(benefit[i]) * m.x[i] for i in m.I), sense=pyo.maximize)
    m.obj_list.add(expr=sum(float(cost[i]) * m.x[i] for i in m.I), sense=pyo.minimize)
    return m


def bench_lp_sweep(n_solves: int = 2000, n_rebuild: int = 50, n_pyomo: int = 20,
                   seed: int = 7) -> dict[str, Any]:
    """Solves per second of an epsilon sweep: persistent model vs rebuilds."""
    from paretoprice.solvers.exact.highs_model import (
        HighsModel,
        PyomoRebuildModel,
        SolveStatus,
        compile_with_clone,
    )

    compiled, work, columns = compile_with_clone(lp_sweep_model(seed), owner="bench_lp_sweep")
    k = compiled.n_objectives
    free_lo, free_up = np.full(k, -np.inf), np.full(k, np.inf)
    weights = np.array([1.0, 0.0])

    probe = HighsModel(compiled)
    probe.set_weights(weights)
    top = probe.solve()
    probe.set_weights(np.array([0.0, 1.0]))
    bottom = probe.solve()
    assert top.x is not None and bottom.x is not None
    g_lo = float(compiled.G[1] @ top.x)  # cost at the most benefit (internal: -cost)
    g_hi = float(compiled.G[1] @ bottom.x)
    eps = np.linspace(g_lo, g_hi, n_solves)

    def bounds(e: float) -> tuple[np.ndarray, np.ndarray]:
        lo = free_lo.copy()
        lo[1] = e
        return lo, free_up

    persistent = HighsModel(compiled)
    persistent.set_weights(weights)
    values = np.empty(n_solves)
    t0 = time.perf_counter()
    for i, e in enumerate(eps):
        persistent.set_objective_bounds(*bounds(e))
        rec = persistent.solve()
        assert rec.status is SolveStatus.OPTIMAL
        values[i] = rec.objective
    t_persistent = time.perf_counter() - t0

    pick = np.linspace(0, n_solves - 1, n_rebuild).round().astype(int)
    t0 = time.perf_counter()
    for i in pick:
        fresh = HighsModel(compiled)
        fresh.set_weights(weights)
        fresh.set_objective_bounds(*bounds(eps[i]))
        rec = fresh.solve()
        assert abs(rec.objective - values[i]) <= 1e-6 * max(1.0, abs(values[i]))
    t_rebuild = time.perf_counter() - t0

    pick_py = np.linspace(0, n_solves - 1, n_pyomo).round().astype(int)
    pyomo_model = PyomoRebuildModel(compiled, work, columns)
    pyomo_model.set_weights(weights)
    t0 = time.perf_counter()
    for i in pick_py:
        pyomo_model.set_objective_bounds(*bounds(eps[i]))
        rec = pyomo_model.solve()
        assert abs(rec.objective - values[i]) <= 1e-6 * max(1.0, abs(values[i]))
    t_pyomo = time.perf_counter() - t0

    return {
        "rows": compiled.n_rows, "cols": compiled.n_cols,
        "persistent": {"solves": n_solves, "seconds": t_persistent,
                       "per_s": n_solves / t_persistent},
        "rebuild_highs": {"solves": n_rebuild, "seconds": t_rebuild,
                          "per_s": n_rebuild / t_rebuild},
        "rebuild_pyomo": {"solves": n_pyomo, "seconds": t_pyomo, "per_s": n_pyomo / t_pyomo},
    }


def _fmt(v: Any, spec: str) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "-"
    return format(v, spec)


def print_instance(name: str, rows: list[dict[str, Any]]) -> None:
    n_ref = len(load_mokp(name)[3])
    print(f"\n{name}: {n_ref} Pareto points in the reference front")
    print(f"  {'method':<32} {'points':>6} {'matched':>7} {'time s':>8} {'models':>7} "
          f"{'per pt':>6}  note")
    for r in rows:
        print(f"  {r['method']:<32} {r['points']:>6} {'yes' if r['matched'] else 'no':>7} "
              f"{_fmt(r['time_s'], '8.2f')} {_fmt(r['models'], '7d')} "
              f"{_fmt(r['models_per_point'], '6.2f')}  {r['note']}")
    engine = [r for r in rows if r["method"].startswith("engine") and r["matched"]]
    others = [r for r in rows if r["method"].startswith(("peer", "baseline"))
              and r["matched"] and np.isfinite(r["time_s"])]
    if engine and others:
        best = min(engine, key=lambda r: r["time_s"])
        ref = next((r for r in others if r["method"].startswith("peer")), others[0])
        print(f"  {best['method']}: {ref['time_s'] / best['time_s']:.1f}x faster than "
              f"{ref['method']}")
    if name in REPORTED_PEER:
        one, two, models = REPORTED_PEER[name]
        print(f"  reported pyaugmecon 2.0.1 (not measured here): {one} s with 1 worker, "
              f"{two} s with 2, {models} models")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", default=",".join(INSTANCES))
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--no-baseline", action="store_true", help="skip the baseline mode")
    ap.add_argument("--no-peer", action="store_true", help="skip pyaugmecon")
    ap.add_argument("--peer-python", default=DEFAULT_PEER_PYTHON)
    ap.add_argument("--peer-timeout", type=float, default=900.0)
    ap.add_argument("--no-lp", action="store_true", help="skip the LP epsilon sweep")
    ap.add_argument("--lp-solves", type=int, default=2000)
    ap.add_argument("--json", help="write every figure to this file")
    args = ap.parse_args(argv)

    names = [s.strip() for s in args.instances.split(",") if s.strip()]
    worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]
    report: dict[str, Any] = {"instances": {}}
    for name in names:
        rows = [run_engine(name, w) for w in worker_counts]
        if not args.no_baseline:
            rows.append(run_engine(name, 1, baseline=True))
        if not args.no_peer:
            rows.append(run_peer(name, args.peer_python, args.peer_timeout))
        print_instance(name, rows)
        sys.stdout.flush()
        report["instances"][name] = rows

    if not args.no_lp:
        lp = bench_lp_sweep(n_solves=args.lp_solves)
        report["lp_sweep"] = lp
        p, h, y = lp["persistent"], lp["rebuild_highs"], lp["rebuild_pyomo"]
        print(f"\nLP epsilon sweep ({lp['rows']} rows x {lp['cols']} columns, 2 objectives)")
        print(f"  persistent warm-started HiGHS: {p['solves']:>5} solves {p['seconds']:7.2f} s "
              f"{p['per_s']:9.0f} solves/s  (target >= 1,000/s)")
        print(f"  HiGHS model rebuilt per solve: {h['solves']:>5} solves {h['seconds']:7.2f} s "
              f"{h['per_s']:9.0f} solves/s  ({p['per_s'] / h['per_s']:.1f}x slower)")
        print(f"  Pyomo model rebuilt per solve: {y['solves']:>5} solves {y['seconds']:7.2f} s "
              f"{y['per_s']:9.0f} solves/s  ({p['per_s'] / y['per_s']:.1f}x slower)")

    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=float))
    return report


if __name__ == "__main__":
    main()
