"""Cost of the hardening checks, as ratios against the same work without them.

==============================  ===========================================  ========
measure                         baseline                                     target
==============================  ===========================================  ========
``evaluate`` (finite check on)  the family's ``_evaluate`` on the same       < 1.10
on 262,144 idx-dr candidates    candidates (no input check, no finite check)
``output_set`` for a solve's    the same files written straight into the     < 1.50
front.csv and front.json        folder (per-file atomic only)
==============================  ===========================================  ========

Run::

    python -m paretoprice.benchmarks.bench_hardening [--repeat N]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from paretoprice.benchmarks.bench_core import best_of
from paretoprice.optim.io import output_set
from paretoprice.problems import load_problem


def finite_check_ratio(repeat: int) -> dict[str, float]:
    """``evaluate`` / ``_evaluate`` on 262,144 seeded random idx-dr candidates (one grid
    chunk's worth)."""
    prob = load_problem("idx-dr")
    rng = np.random.default_rng(1)
    X = prob.lower + rng.random((262_144, prob.n_var)) * (prob.upper - prob.lower)
    checked = best_of(lambda: prob.evaluate(X, report=False), repeat)
    raw = best_of(lambda: prob._evaluate(X, False), repeat)
    return {"candidates": float(X.shape[0]), "evaluate_s": checked, "raw_s": raw,
            "ratio": checked / raw}


def output_set_ratio(repeat: int) -> dict[str, float]:
    """Writing idx-dr's grid front (1,099 points) through :func:`output_set`, over
    writing it straight into the folder."""
    from paretoprice.solvers import solve

    front = solve(load_problem("idx-dr"), "grid")

    def write(d: Path) -> None:
        front.to_csv(d)

    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain"

        def staged() -> None:
            with output_set(Path(tmp) / "staged") as out:
                write(out.path)

        direct = best_of(lambda: write(plain), repeat)
        swapped = best_of(staged, repeat)
    return {"direct_s": direct, "output_set_s": swapped, "ratio": swapped / direct}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    rows = {"finite check": finite_check_ratio(args.repeat),
            "output set": output_set_ratio(max(1, args.repeat // 2))}
    for name, r in rows.items():
        extra = ", ".join(f"{k} = {v:.4g}" for k, v in r.items() if k != "ratio")
        print(f"{name:<14} ratio {r['ratio']:.3f}  ({extra})")


if __name__ == "__main__":
    main()
