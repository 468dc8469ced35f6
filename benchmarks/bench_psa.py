"""Benchmark of the probabilistic sensitivity analysis (``paretoprice psa``) on idx-dr.

Runs the real command (``paretoprice psa idx-dr``, a local Dask cluster of worker
processes, the $1 ladder: 176 x 121 = 21,296 candidates, every draw evaluating the whole
ladder and its nondominated set) as a subprocess, and reads the timings and peak memory
it records in ``psa.json`` (``run``). Measures, each as a ratio against a baseline of the
same run:

============================  ===========================================  ==========
measure                       baseline                                     target
============================  ===========================================  ==========
speed-up 1 -> 2 workers       the same draws on 1 worker                   >= 1.8x
10,000 draws, 2 workers       (absolute)                                   < 180 s
worker peak memory            --draws N vs --draws 5N at one chunk size    ratio ~ 1
============================  ===========================================  ==========

Reported: draws per second and candidate-draw evaluations per second (candidates x
draws / chunk time), the fixed part of a run (problem, design, pilot, summaries, output
files: total time minus chunk time) and a projection for 100 workers,
``fixed + draws x (seconds per draw on one worker) / 100`` (the chunks are independent;
it assumes one core per worker, the same per-draw speed, and ignores the scheduler's
per-task latency of a few ms).

The machine may be shared: say so next to any figure quoted.

Run::

    python -m paretoprice.benchmarks.bench_psa [--draws 2000] [--target-draws 10000]
        [--chunk-size 500] [--json FILE]
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
    return {
        "draws": draws, "workers": workers, "chunk_size": chunk_size,
        "chunk_seconds": chunk_s, "total_seconds": total_s,
        "fixed_seconds": round(total_s - chunk_s, 3),
        "draws_per_s": round(draws / chunk_s, 2),
        "candidate_draws_per_s": round(draws * CANDIDATES / chunk_s),
        "worker_busy_seconds": run.get("worker_busy_seconds"),
        "worker_cpu_seconds": run.get("worker_cpu_seconds"),
        "cpu_ms_per_draw": (round(1000 * run["worker_cpu_seconds"] / draws, 2)
                            if run.get("worker_cpu_seconds") else None),
        "worker_peak_rss_mb": run.get("worker_peak_rss_mb"),
        "client_peak_rss_mb": run.get("client_peak_rss_mb"),
        "load_1min_before_after": [round(load_before, 2), round(load_after, 2)],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--draws", type=int, default=2000, help="draws of the 1 vs 2 workers runs")
    ap.add_argument("--target-draws", dest="target", type=int, default=10_000,
                    help="draws of the timed target run on 2 workers (0 to skip)")
    ap.add_argument("--chunk-size", dest="chunk", type=int, default=500)
    ap.add_argument("--json", help="write the results as JSON to this file")
    args = ap.parse_args(argv)

    print(f"machine: {os.cpu_count()} cores (shared with other work: figures are "
          "indicative; ratios are measured within this run)")
    one = run_once(args.draws, 1, args.chunk)
    two = run_once(args.draws, 2, args.chunk)
    rows = [one, two]
    target = run_once(args.target, 2, args.chunk) if args.target else None
    if target:
        rows.append(target)
    print(f"{'draws':>6} {'workers':>7} {'chunk s':>8} {'total s':>8} {'fixed s':>8} "
          f"{'draws/s':>8} {'cand-draws/s':>13} {'worker peak MB':>16} {'client MB':>10}")
    for r in rows:
        peaks = "/".join(f"{v:.0f}" for v in r["worker_peak_rss_mb"] or [])
        print(f"{r['draws']:>6} {r['workers']:>7} {r['chunk_seconds']:>8.1f} "
              f"{r['total_seconds']:>8.1f} {r['fixed_seconds']:>8.1f} {r['draws_per_s']:>8.1f} "
              f"{r['candidate_draws_per_s']:>13,} {peaks:>16} {r['client_peak_rss_mb']:>10.0f}")
    speedup = one["chunk_seconds"] / two["chunk_seconds"]
    print(f"speed-up 1 -> 2 workers (chunk time): {speedup:.2f}x (target >= 1.8x)")
    for r in rows:
        if r["cpu_ms_per_draw"]:
            busy_cpu = r["worker_cpu_seconds"] / max(r["worker_busy_seconds"], 1e-9)
            print(f"  {r['draws']:,} draws, {r['workers']} worker(s): {r['cpu_ms_per_draw']} "
                  f"CPU-ms per draw; the workers ran {busy_cpu:.0%} of their busy time "
                  "(below 100%: the cores were shared with other processes); 1-min load "
                  f"average {r['load_1min_before_after'][0]} before, "
                  f"{r['load_1min_before_after'][1]} after")
    cpu_speedup = None
    if one["cpu_ms_per_draw"] and two["cpu_ms_per_draw"]:
        cpu_speedup = 2 * one["cpu_ms_per_draw"] / two["cpu_ms_per_draw"]
        print(f"speed-up 1 -> 2 workers on free cores, from CPU time: 2 x "
              f"{one['cpu_ms_per_draw']} / {two['cpu_ms_per_draw']} CPU-ms per draw = "
              f"{cpu_speedup:.2f}x (what two free cores give if each worker keeps a core; "
              "the extra CPU per draw with two workers: shared caches and memory bandwidth, "
              "with each other and with any other load)")
    per_draw_1w = one["chunk_seconds"] / one["draws"]
    result: dict[str, Any] = {"runs": rows, "speedup_1_to_2": round(speedup, 3),
                              "cpu_speedup_1_to_2": cpu_speedup and round(cpu_speedup, 3)}
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
        if target["cpu_ms_per_draw"]:
            free = fixed + target["draws"] * target["cpu_ms_per_draw"] / 1000 / 2
            print(f"projection on 2 free cores: {fixed:.1f} s fixed + {target['draws']:,} x "
                  f"{target['cpu_ms_per_draw']} CPU-ms / 2 = {free:.1f} s (CPU time does not "
                  "grow with the load; wall time does)")
            result["projection_2_free_cores_s"] = round(free, 1)
        proj = fixed + target["draws"] * per_draw_1w / 100
        print(f"projection, 100 workers, {target['draws']:,} draws: {fixed:.1f} s fixed + "
              f"{target['draws'] * per_draw_1w / 100:.1f} s of chunks = {proj:.1f} s")
        result.update({"target_total_seconds": target["total_seconds"],
                       "memory_ratio": round(mem_big / max(mem_small, 1), 3),
                       "projection_100_workers_s": round(proj, 1)})
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
