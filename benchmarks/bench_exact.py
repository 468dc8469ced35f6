"""Benchmarks of the exact multi-objective engine (``paretoprice.solvers.exact``).

1. **MOKP reference instances** (``benchmarks/data/mokp``): for each instance, the engine
   with every requested worker count, the baseline mode (Pyomo model and HiGHS instance
   rebuilt for every solve, one process: what pyaugmecon does) and, when it can run, the
   peer pyaugmecon in its own virtual environment. Per method: Pareto points, whether
   they are identical to the published exact front, wall time, models solved and models
   per Pareto point.
2. **Against the limit** (``--limit``): the MOKP instances and synthetic portfolios of
   5-40 services (``paretoprice.optim.families.portfolio.synthetic_portfolio``, seed 4,
   the exact form the ``exact`` backend builds) with 2 objectives at the default resolution
   and 4 objectives at a stated coarser one. Per row: points, models per point, wall and
   CPU seconds with 1 worker, wall seconds with 2 (threads, and processes on MOKP), and
   the one-solve-per-point limit measured in the same run (one HiGHS solve per Pareto
   point found, same model, weights, options and start rule:
   :func:`~paretoprice.solvers.exact.engine.one_solve_per_point`); the ratios are taken
   within the run, so a machine shared with other work shifts both sides alike.
3. **LP epsilon sweep**: a random (seeded) LP with 200 rows, 100 columns and 2 objectives;
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
    python -m paretoprice.benchmarks.bench_exact --limit [--instances ...]
        [--services 5,10,20,26,40] [--services4 5,8,12] [--coarse 1e-3]
        [--time-limit 300] [--search zones:8,augmecon] [--json FILE]

``--limit`` runs the default search (``"auto"``: the dynamic programme for 0-1 packing
models with 3+ objectives, the zone search for other models with 3+ objectives, the grid
sweep for 2) with 1 and 2 workers, and each ``--search`` (default: ``zones:8``, the zone
search exploring 8 zones at a time; ``augmecon``, ``boxes`` and ``dp`` may be added) with 1
and 2 workers beneath it: models per point, CPU seconds, seconds inside HiGHS, ratio to the
same limit, 2-worker wall time and speed-up, CPU relative to the default and whether the
sets are identical. The closing note's table::

    python -m paretoprice.benchmarks.bench_exact --limit --instances 2kp50,4kp50,3kp40,2kp100 \
        --services 5,10,20,40 --services4 5,8,12 --coarse 1e-6 --time-limit 600

4. **Merge against MILP** (``--merge``): the portfolios as the ``exact`` backend now solves
   them, by merging the services one at a time
   (:func:`~paretoprice.solvers.exact.merge.merge_front`), against the MILP engine on the
   same integer objectives and against the one-solve-per-point limit of the same front::

    python -m paretoprice.benchmarks.bench_exact --merge --services 5,10,20,26,40 \
        --services4 5,8,12 --services4-coarse 26,40 --coarse 1e-2 --time-limit 300
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

from paretoprice.benchmarks.mokp_data import (
    DATA_DIR,
    DEFAULT_INSTANCES,
    build_mokp_model,
    load_mokp,
)

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
    res = solve_epsilon_constraint(model, workers=workers, baseline=baseline, time_limit=None)
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


# ----------------------------------------------------------------- against the limit


def _timed(model: Any, **options: Any) -> tuple[Any, float, float]:
    from paretoprice.solvers.exact.engine import solve_epsilon_constraint

    w0, c0 = time.perf_counter(), time.process_time()
    res = solve_epsilon_constraint(model, **options)
    return res, time.perf_counter() - w0, time.process_time() - c0


def limit_row(label: str, model: Any, time_limit: float | None,
              reference: np.ndarray | None = None, processes: bool = False,
              searches: tuple[str, ...] = (), **options: Any) -> dict[str, Any]:
    """One row of the limit table: the engine with 1 and 2 workers and the
    one-solve-per-point limit of the front it found, in the same run; each of
    ``searches`` (e.g. ``"boxes"``) also runs with 1 and 2 workers, reported beneath it."""
    from paretoprice.solvers.exact.engine import one_solve_per_point

    one, wall1, cpu1 = _timed(model, workers=1, time_limit=time_limit, **options)
    two, wall2, _ = _timed(model, workers=2, time_limit=time_limit, **options)
    row: dict[str, Any] = {
        "case": label, "search": one.search, "points": one.n_points,
        "complete": one.complete and two.complete,
        "models": one.models_solved, "models_per_point": one.models_per_point,
        "infeasible": one.infeasible, "skipped": one.skipped,
        "wall_1w_s": wall1, "cpu_1w_s": cpu1, "wall_2w_s": wall2,
        "solver_1w_s": one.solver_time_s, "solver_2w_s": two.solver_time_s,
        "workers_2w": two.workers,
        "speedup_2w": wall1 / wall2 if wall2 > 0 else None,
        # CPU-normalized: wall with 2 workers if each solve took as long as with 1
        "speedup_2w_norm": (wall1 / (wall2 * one.solver_time_s / two.solver_time_s)
                            if wall2 > 0 and two.solver_time_s > 0 else None),
        "python_share_1w": max(0.0, 1.0 - one.solver_time_s / wall1) if wall1 > 0 else None,
        "same_set_2w": bool(np.array_equal(one.points, two.points)),
    }
    if processes:
        procs, wallp, _ = _timed(model, workers=2, pool="processes", time_limit=time_limit,
                                 **options)
        row["wall_2p_s"] = wallp
        row["same_set_2p"] = bool(np.array_equal(one.points, procs.points))
    if reference is not None:
        row["matches_reference"] = {tuple(map(float, p)) for p in one.points} == {
            tuple(map(float, p)) for p in reference} and one.n_points == len(reference)
    lim = one_solve_per_point(model, one, **{k: v for k, v in options.items()
                                              if k in ("mip_rel_gap", "highs_options")})
    row.update(limit_wall_s=lim.wall_s, limit_cpu_s=lim.cpu_s, limit_matched=lim.matched,
               ratio_cpu=cpu1 / lim.cpu_s if lim.cpu_s > 0 else None,
               ratio_wall=wall1 / lim.wall_s if lim.wall_s > 0 else None)
    row["searches"] = list(searches)
    for search in searches:
        name, _, group = search.partition(":")
        extra = {"zone_group": int(group)} if group else {}
        res, wall_s, cpu_s = _timed(model, workers=1, time_limit=time_limit, search=name,
                                    **extra, **options)
        res2, wall2_s, _ = _timed(model, workers=2, time_limit=time_limit, search=name,
                                  **extra, **options)
        row[search] = {
            "search": res.search, "wall_2w_s": wall2_s, "workers_2w": res2.workers,
            "speedup_2w": wall_s / wall2_s if wall2_s > 0 else None,
            "same_set_2w": bool(np.array_equal(res.points, res2.points)),
            "points": res.n_points, "solver_1w_s": res.solver_time_s,
            "models": res.models_solved, "models_per_point": res.models_per_point,
            "infeasible": res.infeasible, "complete": res.complete, "wall_1w_s": wall_s,
            "cpu_1w_s": cpu_s, "ratio_cpu": cpu_s / lim.cpu_s if lim.cpu_s > 0 else None,
            "cpu_vs_default": cpu_s / cpu1 if cpu1 > 0 else None,
            "same_set": bool(np.array_equal(one.points, res.points)),
        }
    return row


def _portfolio(n_services: int, n_objectives: int, seed: int) -> Any:  # -> PortfolioProblem
    from paretoprice.optim.families.portfolio import synthetic_portfolio

    objectives = ("payer_spend", "creator_npv", "access", "provider_margin")[:n_objectives]
    if n_objectives == 2:
        objectives = ("payer_spend", "access")
    return synthetic_portfolio(n_services, seed=seed, objectives=objectives)


def _portfolio_exact_form(n_services: int, n_objectives: int, relative_resolution: float,
                          seed: int) -> tuple[Any, Any, dict[str, float], Any]:
    """A synthetic portfolio, its choice structure, the backend's resolution of each
    objective and the Pyomo model the ``exact`` backend's MILP path builds from them."""
    from paretoprice.solvers.exact.backend import (
        ExactSettings,
        choice_model,
        objective_resolutions,
    )

    prob = _portfolio(n_services, n_objectives, seed)
    settings = ExactSettings(relative_resolution=relative_resolution)
    cs = prob.choice_structure(settings.max_options)
    res = objective_resolutions(prob, cs, settings)
    model, _ = choice_model(prob, cs, res)
    return prob, cs, res, model


def portfolio_model(n_services: int, n_objectives: int, relative_resolution: float,
                    seed: int = 4) -> tuple[Any, str]:
    """The exact form (Pyomo model) the ``exact`` backend builds for a synthetic portfolio."""
    model = _portfolio_exact_form(n_services, n_objectives, relative_resolution, seed)[3]
    return model, f"portfolio {n_services:>2} svc, {n_objectives} obj, res {relative_resolution:g}"


# ----------------------------------------------------------------- merge against MILP


def merge_row(n_services: int, n_objectives: int, relative_resolution: float,
              time_limit: float | None, sample: int = 300, seed: int = 4,
              milp: bool = True) -> dict[str, Any]:
    """One portfolio: the merge of the choice groups (the ``exact`` backend's default for
    portfolios), with 1 and 2 workers (same decisions?), against the MILP engine (default
    search, 1 worker, the backend's HiGHS options) and against the one-solve-per-point
    limit of the merge's front, all on the same integer objectives in the same run.

    The limit is measured on every point when the front has at most ``sample`` points,
    else on a seeded random sample of ``sample`` points and scaled to the whole front
    (``limit_sampled``). ``same_set`` compares the merge's and a complete MILP's integer
    objective vectors; the end-to-end ``solve()`` time (re-evaluating every point with the
    problem's model) is reported beside the merge's own."""
    from paretoprice.optim.indicators import minimization_signs
    from paretoprice.solvers import solve
    from paretoprice.solvers.exact.backend import merge_inputs
    from paretoprice.solvers.exact.engine import one_solve_per_point
    from paretoprice.solvers.exact.merge import MergeResult, merge_front

    prob, cs, res, model = _portfolio_exact_form(n_services, n_objectives,
                                                 relative_resolution, seed)
    values, uses, caps = merge_inputs(prob, cs, res)
    sign = minimization_signs(prob.senses)
    w0, c0 = time.perf_counter(), time.process_time()
    merged = merge_front(values, uses, caps)
    merge_wall, merge_cpu = time.perf_counter() - w0, time.process_time() - c0
    w0 = time.perf_counter()
    merged2 = merge_front(values, uses, caps, workers=2)
    merge2_wall = time.perf_counter() - w0
    assert isinstance(merged2, MergeResult)
    assert isinstance(merged, MergeResult)
    points = merged.values * sign  # natural senses, integer steps (the MILP's objectives)
    w0 = time.perf_counter()
    front = solve(prob, "exact", relative_resolution=relative_resolution, time_limit=None)
    solve_wall = time.perf_counter() - w0
    row: dict[str, Any] = {
        "case": f"portfolio {n_services:>2} svc, {n_objectives} obj, res "
                f"{relative_resolution:g}",
        "points": len(points), "states_peak": max(merged.states),
        "candidates": merged.candidates, "merge_wall_s": merge_wall, "merge_cpu_s": merge_cpu,
        "merge_2w_wall_s": merge2_wall,
        "merge_2w_same": bool(np.array_equal(merged.choice, merged2.choice)),
        "solve_wall_s": solve_wall, "front_points": len(front),
    }
    rng = np.random.default_rng(seed)
    pick = (np.arange(len(points)) if len(points) <= sample
            else np.sort(rng.choice(len(points), sample, replace=False)))
    lim = one_solve_per_point(model, points[pick], integer_objectives=True)
    scale = len(points) / max(1, len(pick))
    row.update(limit_sampled=bool(len(pick) < len(points)), limit_solves=lim.solves,
               limit_matched=lim.matched, limit_cpu_s=lim.cpu_s * scale,
               ratio_merge=merge_cpu / (lim.cpu_s * scale) if lim.cpu_s > 0 else None)
    if milp:
        eng, wall, cpu = _timed(model, workers=1, time_limit=time_limit,
                                integer_objectives=True)
        row.update(milp_points=eng.n_points, milp_complete=eng.complete,
                   milp_models=eng.models_solved, milp_models_per_point=eng.models_per_point,
                   milp_wall_s=wall, milp_cpu_s=cpu,
                   milp_vs_merge=wall / merge_wall if merge_wall > 0 else None,
                   same_set=(bool({tuple(p) for p in np.round(eng.points)}
                                  == {tuple(p) for p in points}) if eng.complete else None))
    return row


def print_merge(rows: list[dict[str, Any]], header: bool = True) -> None:
    if header:
        print("\nMerge of the choice groups against the MILP engine and the one-solve-per-"
              "point limit (same run; seconds; 'limit' = CPU s of one HiGHS solve per point of "
              "the front, '~' = from a random sample of points, scaled; MILP = default search, "
              "1 worker, stopped at the time limit: done NO)")
        print(f"  {'case':<36} {'pts':>9} {'states':>9} {'merge s':>8} {'2w s':>6} "
              f"{'2w same':>7} {'solve s':>8} "
              f"{'limit s':>10} {'merge/lim':>9} {'MILP s':>8} {'done':>4} {'MILP pts':>8} "
              f"{'m/pt':>5} {'MILP/merge':>10} {'same':>4}")
    for r in rows:
        same = r.get("same_set")
        print(f"  {r['case']:<36} {r['points']:>9,} {r['states_peak']:>9,} "
              f"{r['merge_wall_s']:>8.2f} {r['merge_2w_wall_s']:>6.2f} "
              f"{'yes' if r['merge_2w_same'] else 'NO':>7} {r['solve_wall_s']:>8.2f} "
              f"{'~' if r['limit_sampled'] else ' '}{r['limit_cpu_s']:>9.1f} "
              f"{_fmt(r['ratio_merge'], '9.4f')} {_fmt(r.get('milp_wall_s'), '8.1f')} "
              f"{('yes' if r['milp_complete'] else 'NO') if 'milp_complete' in r else '-':>4} "
              f"{_fmt(r.get('milp_points'), '8d')} {_fmt(r.get('milp_models_per_point'), '5.2f')} "
              f"{_fmt(r.get('milp_vs_merge'), '10.0f')} "
              f"{'-' if same is None else ('yes' if same else 'NO'):>4}")
    sys.stdout.flush()


def print_limit(rows: list[dict[str, Any]], header: bool = True) -> None:
    if header:
        _print_limit_header()
    for r in rows:
        _print_limit_row(r)


def _print_limit_header() -> None:
    print("\nAgainst the one-solve-per-point limit (same run). Default search ('auto': dp "
          "for 0-1 packing models with 3+ objectives, zones for other 3+ objective models, "
          "augmecon for 2; [name] = the search that ran); seconds; ratio = engine CPU s / "
          "limit CPU s "
          "(1 worker); py% = share of 1-worker wall time outside HiGHS; HiGHS = seconds inside "
          "HiGHS summed over every solve; 2w xN = wall speed-up of 2 workers normalized by "
          "the HiGHS seconds of both runs (a loaded machine slows solves alike)")
    print(f"  {'case':<36} {'pts':>5} {'done':>4} {'models':>6} {'m/pt':>5} {'1w wall':>8} "
          f"{'1w cpu':>7} {'py%':>4} {'limit cpu':>9} {'ratio':>6} {'2w wall':>8} "
          f"{'1w HiGHS':>8} {'2w HiGHS':>8} {'2w x':>5} {'2w xN':>5} {'2p wall':>8} "
          f"{'same':>4}")


def _print_limit_row(r: dict[str, Any]) -> None:
    same = r["same_set_2w"] and r.get("same_set_2p", True) and r.get(
        "matches_reference", True)
    py = r.get("python_share_1w")
    case = f"{r['case']} [{r.get('search', '?')}]"
    print(f"  {case:<36} {r['points']:>5} {'yes' if r['complete'] else 'NO':>4} "
          f"{r['models']:>6} {r['models_per_point']:>5.2f} {r['wall_1w_s']:>8.2f} "
          f"{r['cpu_1w_s']:>7.2f} {_fmt(None if py is None else 100 * py, '4.0f')} "
          f"{r['limit_cpu_s']:>9.2f} {_fmt(r['ratio_cpu'], '6.2f')} "
          f"{r['wall_2w_s']:>8.2f} {r['solver_1w_s']:>8.2f} {r['solver_2w_s']:>8.2f} "
          f"{_fmt(r['speedup_2w'], '5.2f')} {_fmt(r.get('speedup_2w_norm'), '5.2f')} "
          f"{_fmt(r.get('wall_2p_s'), '8.2f')} {'yes' if same else 'NO':>4}")
    for search in r.get("searches", ()):
        b = r[search]
        print(f"    search={search:<27} {b['points']:>5} {'yes' if b['complete'] else 'NO':>4} "
              f"{b['models']:>6} {b['models_per_point']:>5.2f} {b['wall_1w_s']:>8.2f} "
              f"{b['cpu_1w_s']:>7.2f} {'':>4} {r['limit_cpu_s']:>9.2f} "
              f"{_fmt(b['ratio_cpu'], '6.2f')} {b['wall_2w_s']:>8.2f} "
              f"{b['solver_1w_s']:>8.2f} {'':>8} {_fmt(b['speedup_2w'], '5.2f')}   "
              f"cpu x default {_fmt(b['cpu_vs_default'], '5.2f')}, same set "
              f"{'yes' if b['same_set'] and b['same_set_2w'] else 'NO'}")
    sys.stdout.flush()


def bench_limit(names: list[str], services: list[int], services4: list[int], coarse: float,
                time_limit: float | None,
                searches: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    from paretoprice.solvers.exact.backend import DEFAULT_RELATIVE_RESOLUTION

    rows = []
    for name in names:
        rows.append(limit_row(name, build_mokp_model(name), time_limit,
                              reference=load_mokp(name)[3], processes=True,
                              searches=searches))
        print_limit(rows[-1:], header=len(rows) == 1)
    portfolio_opts = {"integer_objectives": True}  # the exact backend's HiGHS options
    for n in services:
        model, label = portfolio_model(n, 2, DEFAULT_RELATIVE_RESOLUTION)
        rows.append(limit_row(label, model, time_limit, searches=searches, **portfolio_opts))
        print_limit(rows[-1:], header=len(rows) == 1)
    for n in services4:
        model, label = portfolio_model(n, 4, coarse)
        rows.append(limit_row(label, model, time_limit, searches=searches, **portfolio_opts))
        print_limit(rows[-1:], header=len(rows) == 1)
    return rows


def _fmt(v: Any, spec: str) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        width = "".join(ch for ch in spec.split(".")[0] if ch.isdigit())
        return "-".rjust(int(width) if width else 1)
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
    ap.add_argument("--instances", default=",".join(DEFAULT_INSTANCES))
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--no-baseline", action="store_true", help="skip the baseline mode")
    ap.add_argument("--no-peer", action="store_true", help="skip pyaugmecon")
    ap.add_argument("--peer-python", default=DEFAULT_PEER_PYTHON)
    ap.add_argument("--peer-timeout", type=float, default=900.0)
    ap.add_argument("--no-lp", action="store_true", help="skip the LP epsilon sweep")
    ap.add_argument("--lp-solves", type=int, default=2000)
    ap.add_argument("--json", help="write every figure to this file")
    ap.add_argument("--limit", action="store_true",
                    help="only the table against the one-solve-per-point limit")
    ap.add_argument("--services", default="5,10,20,26,40",
                    help="portfolio sizes with 2 objectives (default resolution)")
    ap.add_argument("--services4", default="5,8,12",
                    help="portfolio sizes with 4 objectives (resolution --coarse)")
    ap.add_argument("--coarse", type=float, default=1e-3,
                    help="relative resolution of the 4-objective portfolios")
    ap.add_argument("--time-limit", type=float, default=300.0,
                    help="seconds per engine run in --limit (a row that hits it says NO)")
    ap.add_argument("--search", default="zones:8",
                    help="in --limit, other searches run beneath the default (1 and 2 "
                         "workers; comma list of 'augmecon', 'boxes', 'zones', 'dp', "
                         "'zones:G' = zone_group G; '' for none)")
    ap.add_argument("--merge", action="store_true",
                    help="only the merge against the MILP on portfolios (--services, "
                         "--services4 at the default resolution, --services4-coarse at "
                         "--coarse)")
    ap.add_argument("--services4-coarse", dest="services4_coarse", default="26,40",
                    help="in --merge, 4-objective portfolio sizes at --coarse")
    ap.add_argument("--no-milp", action="store_true", help="in --merge, skip the MILP")
    args = ap.parse_args(argv)
    if args.merge:
        from paretoprice.solvers.exact.backend import DEFAULT_RELATIVE_RESOLUTION

        cases = ([(int(v), 2, DEFAULT_RELATIVE_RESOLUTION) for v in args.services.split(",")
                  if v.strip()]
                 + [(int(v), 4, DEFAULT_RELATIVE_RESOLUTION)
                    for v in args.services4.split(",") if v.strip()]
                 + [(int(v), 4, args.coarse) for v in args.services4_coarse.split(",")
                    if v.strip()])
        rows = []
        for n, k, res in cases:
            rows.append(merge_row(n, k, res, args.time_limit, milp=not args.no_milp))
            print_merge(rows[-1:], header=len(rows) == 1)
        if args.json:
            Path(args.json).write_text(json.dumps({"merge": rows}, indent=2, default=float))
        return {"merge": rows}
    if args.limit:
        ints = [int(v) for v in args.services.split(",") if v.strip()]
        ints4 = [int(v) for v in args.services4.split(",") if v.strip()]
        names = [s.strip() for s in args.instances.split(",") if s.strip()]
        searches = tuple(v.strip() for v in args.search.split(",")
                         if v.strip() and v.strip() != "auto")
        rows = bench_limit(names, ints, ints4, args.coarse, args.time_limit, searches)
        if args.json:
            Path(args.json).write_text(json.dumps({"limit": rows}, indent=2, default=float))
        return {"limit": rows}

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
