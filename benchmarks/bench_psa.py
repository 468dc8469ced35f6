"""Benchmark of the probabilistic sensitivity analysis (``paretoprice psa``) on idx-dr.

Runs the real command (``paretoprice psa idx-dr``, a local Dask cluster of worker
processes, the $1 ladder: 176 x 121 = 21,296 candidates, every draw evaluating the whole
ladder and its nondominated set) as a subprocess, and reads the timings, CPU seconds and
peak memory it records in ``psa.json`` (``run``). Measures, each as a ratio against a
baseline of the same run:

============================  ===========================================  ==========
measure                       baseline                                     target
============================  ===========================================  ==========
speed-up 1 -> 2 workers       the same draws on 1 worker (wall time of     >= 1.8x
                              the chunks)
10,000 draws, 2 workers       (absolute, whole command)                    < 180 s
worker peak memory            --draws N vs --draws 5N at one chunk size    ratio ~ 1
============================  ===========================================  ==========

Wall time of the chunks runs from the broadcast of the problem to the last chunk stored
(the cluster's start and stop, the design, the pilot, the summaries and the output files
are the "fixed" part: total minus chunks). Because the machine may be shared, every run
also reports the CPU seconds of each process during the chunks, which other load hardly
changes:

* ``client+sched``: this command's process, which holds the local cluster's scheduler and
  nannies, and receives the chunks' timings;
* ``workers``: each worker process (all its threads);
* ``chunks``: the part of the workers' CPU spent computing chunks;
* ``overhead share`` = 1 - chunks / (client+sched + workers): the CPU that competes with
  the chunks for the cores;
* ``ran``: chunk CPU / chunk wall, per worker: 100% when a worker had its core to itself;
* ``tail``: seconds between the first and the last worker's last chunk.

The speed-up projected on free cores, ``2 x chunk CPU (1 worker) / all CPU (2 workers)``,
assumes each of the two workers keeps one core and that the overhead takes from them; it
is what the wall-clock ratio tends to on an idle machine (minus the tail). Draws per
second and candidate-draw evaluations per second (candidates x draws / chunk wall) and a
projection for 100 workers, ``fixed + draws x (seconds per draw on one worker) / 100``
(independent chunks, one core per worker, the scheduler's per-task latency of a few ms
ignored), complete the report.

Run::

    python -m paretoprice.benchmarks.bench_psa [--draws 2000] [--target-draws 10000]
        [--chunk-size 500] [--repeat 1] [--json FILE]

With ``--repeat R`` the 1- and 2-worker runs alternate R times and the fastest of each
counts (the others are printed too).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

CANDIDATES = 176 * 121
"""idx-dr's $1 ladder: p in 0..175, f in 0..120 (USD per use)."""


def _cli() -> list[str]:
    exe = Path(sys.executable).parent / "paretoprice"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "paretoprice"]  # the command line, as a user runs it


def run_once(draws: int, workers: int, chunk_size: int, seed: int = 1) -> dict[str, Any]:
    """One ``paretoprice psa idx-dr`` run; its ``psa.json`` run facts plus derived rates."""
    load_before = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="bench-psa-"))
    out = tmp / "psa"
    try:
        cmd = [*_cli(), "psa", "idx-dr", "--draws", str(draws), "--seed", str(seed),
               "--workers", str(workers), "--chunk-size", str(chunk_size), "--out", str(out),
               "--no-progress"]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")
        run = json.loads((out / "psa.json").read_text())["run"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()[0]
    chunk_s = float(run["seconds"])
    total_s = float(run["total_seconds"])
    proc_cpu = [float(v) for v in run["worker_process_cpu_seconds"]]
    client_cpu = float(run["client_cpu_seconds"])
    sched = run.get("scheduler_cpu_seconds")
    if isinstance(sched, int | float):
        client_cpu += float(sched)
    task_cpu = float(run["worker_cpu_seconds"])
    return {
        "draws": draws, "workers": workers, "chunk_size": chunk_size,
        "chunk_seconds": chunk_s, "total_seconds": total_s,
        "fixed_seconds": round(total_s - chunk_s, 3),
        "cluster_start_seconds": run.get("cluster_start_seconds"),
        "cluster_stop_seconds": run.get("cluster_stop_seconds"),
        "draws_per_s": round(draws / chunk_s, 2),
        "candidate_draws_per_s": round(draws * CANDIDATES / chunk_s),
        "worker_busy_seconds": float(run["worker_busy_seconds"]),
        "chunk_cpu_seconds": task_cpu,
        "client_sched_cpu_seconds": round(client_cpu, 3),
        "worker_process_cpu_seconds": proc_cpu,
        "all_cpu_seconds": round(client_cpu + sum(proc_cpu), 3),
        "overhead_share": float(run["overhead_share"]),
        "tail_seconds": float(run["tail_seconds"]),
        "chunks_per_worker": run["chunks_per_worker"],
        "cpu_ms_per_draw": round(1000 * task_cpu / draws, 2),
        "ran_share": round(task_cpu / max(float(run["worker_busy_seconds"]), 1e-9), 3),
        "worker_peak_rss_mb": run.get("worker_peak_rss_mb"),
        "client_peak_rss_mb": run.get("client_peak_rss_mb"),
        "load_1min_before_after": [round(load_before, 2), round(load_after, 2)],
    }


def _print_runs(rows: list[dict[str, Any]]) -> None:
    print(f"{'draws':>6} {'wk':>2} {'chunks s':>8} {'total s':>8} {'fixed s':>7} "
          f"{'draws/s':>7} {'cand-draws/s':>12} | {'CPU s: client+sched':>19} "
          f"{'workers':>13} {'chunks':>7} {'overhead':>8} | {'ran':>4} {'tail s':>6} "
          f"{'peak MB':>9} {'load':>9}")
    for r in rows:
        workers = "+".join(f"{v:.1f}" for v in r["worker_process_cpu_seconds"])
        peaks = "/".join(f"{v:.0f}" for v in r["worker_peak_rss_mb"] or [])
        load = "/".join(f"{v:.1f}" for v in r["load_1min_before_after"])
        print(f"{r['draws']:>6} {r['workers']:>2} {r['chunk_seconds']:>8.1f} "
              f"{r['total_seconds']:>8.1f} {r['fixed_seconds']:>7.1f} {r['draws_per_s']:>7.1f} "
              f"{r['candidate_draws_per_s']:>12,} | {r['client_sched_cpu_seconds']:>19.2f} "
              f"{workers:>13} {r['chunk_cpu_seconds']:>7.1f} {r['overhead_share']:>8.1%} | "
              f"{r['ran_share']:>4.0%} {r['tail_seconds']:>6.1f} {peaks:>9} {load:>9}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--draws", type=int, default=2000, help="draws of the 1 vs 2 workers runs")
    ap.add_argument("--target-draws", dest="target", type=int, default=10_000,
                    help="draws of the timed target run on 2 workers (0 to skip)")
    ap.add_argument("--chunk-size", dest="chunk", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=1,
                    help="alternate the 1- and 2-worker runs this many times; best counts")
    ap.add_argument("--json", help="write the results as JSON to this file")
    args = ap.parse_args(argv)

    n_chunks = -(-args.draws // args.chunk)
    print(f"machine: {os.cpu_count()} cores; idx-dr, {CANDIDATES:,} candidates, "
          f"{args.draws:,} draws in {n_chunks} chunks of <= {args.chunk} (results do not "
          "depend on the workers). A shared machine inflates wall times: read the CPU "
          "columns and the overhead share, and 'ran' (below 100%: other load took the "
          "cores).")
    ones, twos = [], []
    for _ in range(max(1, args.repeat)):
        ones.append(run_once(args.draws, 1, args.chunk))
        twos.append(run_once(args.draws, 2, args.chunk))
    one = min(ones, key=lambda r: r["chunk_seconds"])
    two = min(twos, key=lambda r: r["chunk_seconds"])
    rows = [*ones, *twos]
    target = run_once(args.target, 2, args.chunk) if args.target else None
    if target:
        rows.append(target)
    _print_runs(rows)
    speedup = one["chunk_seconds"] / two["chunk_seconds"]
    total_speedup = one["total_seconds"] / two["total_seconds"]
    ok = "meets" if speedup >= 1.8 else "misses"
    print(f"speed-up 1 -> 2 workers, wall time of the chunks: {one['chunk_seconds']:.1f} / "
          f"{two['chunk_seconds']:.1f} s = {speedup:.2f}x ({ok} the 1.8x target); whole "
          f"command {one['total_seconds']:.1f} / {two['total_seconds']:.1f} s = "
          f"{total_speedup:.2f}x (fixed part included)")
    cpu_speedup = 2 * one["chunk_cpu_seconds"] / two["all_cpu_seconds"]
    print(f"speed-up projected on two free cores from CPU time: 2 x "
          f"{one['chunk_cpu_seconds']:.1f} chunk CPU s (1 worker) / "
          f"{two['all_cpu_seconds']:.1f} CPU s of every process (2 workers) = "
          f"{cpu_speedup:.2f}x; overhead share {two['overhead_share']:.1%} with 2 workers "
          f"(client+sched {two['client_sched_cpu_seconds']:.2f} s, worker housekeeping "
          f"{sum(two['worker_process_cpu_seconds']) - two['chunk_cpu_seconds']:.2f} s), "
          f"tail {two['tail_seconds']:.1f} s; CPU per draw {one['cpu_ms_per_draw']} ms "
          f"(1 worker) vs {two['cpu_ms_per_draw']} ms (2 workers side by side)")
    if min(one["ran_share"], two["ran_share"]) < 0.95:
        print(f"  the workers ran {one['ran_share']:.0%} (1 worker) and "
              f"{two['ran_share']:.0%} (2 workers) of their wall time: other load shared "
              "the cores, so the wall-clock ratio is not the machine's; the CPU projection "
              "is")
    per_draw_1w = one["chunk_seconds"] / one["draws"]
    result: dict[str, Any] = {"runs": rows, "speedup_1_to_2": round(speedup, 3),
                              "speedup_1_to_2_total": round(total_speedup, 3),
                              "cpu_speedup_1_to_2": round(cpu_speedup, 3),
                              "overhead_share_2_workers": two["overhead_share"]}
    if target:
        ok = "meets" if target["total_seconds"] < 180 else "misses"
        print(f"{target['draws']:,} draws on 2 workers: {target['total_seconds']:.1f} s total "
              f"({ok} the 180 s target)")
        mem_small = max(two["worker_peak_rss_mb"] or [0])
        mem_big = max(target["worker_peak_rss_mb"] or [0])
        print(f"worker peak memory {two['draws']:,} vs {target['draws']:,} draws at chunk "
              f"size {args.chunk}: {mem_small:.0f} vs {mem_big:.0f} MB "
              f"(ratio {mem_big / max(mem_small, 1):.2f}: bounded by the chunk size)")
        fixed = target["fixed_seconds"]
        free = fixed + target["all_cpu_seconds"] / 2
        print(f"projection on 2 free cores: {fixed:.1f} s fixed + "
              f"{target['all_cpu_seconds']:.1f} CPU s / 2 = {free:.1f} s")
        proj = fixed + target["draws"] * per_draw_1w / 100
        print(f"projection, 100 workers, {target['draws']:,} draws: {fixed:.1f} s fixed + "
              f"{target['draws'] * per_draw_1w / 100:.1f} s of chunks = {proj:.1f} s")
        result.update({"target_total_seconds": target["total_seconds"],
                       "projection_2_free_cores_s": round(free, 1),
                       "memory_ratio": round(mem_big / max(mem_small, 1), 3),
                       "projection_100_workers_s": round(proj, 1)})
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
