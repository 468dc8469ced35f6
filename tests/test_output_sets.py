"""Output sets are atomic: a reader sees the complete old set or the complete new set.

The fault-injection test runs ``paretoprice solve idx-dr --out D`` in a subprocess,
SIGKILLs it at a random moment (seeded), and checks that D is one whole set: the files of
its manifest and nothing else, ``front.csv``'s row count equal to ``front.json``'s
``n_points``, the plot files matching the number of objectives.
"""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.io import MANIFEST, check_output_dir, output_set

CMD = [sys.executable, "-m", "paretoprice.app.cli", "solve", "idx-dr", "--solver", "grid"]
SETS = {  # objectives -> files of the set (3+ objectives add the parallel plot)
    "four": ([], {"front.csv", "front.json", "front.png", "front_parallel.png"}),
    "two": (["--objectives", "payer_spend,access"], {"front.csv", "front.json", "front.png"}),
}


def read_set(d: Path) -> tuple[int, int, frozenset[str]]:
    """(rows of front.csv, objectives in front.json, files) of a complete set; raises
    AssertionError when ``d`` holds a mix or a partial set."""
    manifest = json.loads((d / MANIFEST).read_text())
    files = {p.name for p in d.iterdir()} - {MANIFEST}
    assert files == set(manifest["files"]), (files, manifest)
    for name, size in manifest["files"].items():
        assert (d / name).stat().st_size == size, name
    with (d / "front.csv").open() as fh:
        rows = sum(1 for _ in csv.reader(fh)) - 1
    meta = json.loads((d / "front.json").read_text())
    assert rows == meta["n_points"], (rows, meta["n_points"])
    n_obj = len(meta["objectives"])
    assert ("front_parallel.png" in files) == (n_obj >= 3), (files, n_obj)
    return rows, n_obj, frozenset(files)


def run_and_kill(d: Path, which: str, delay: float,
                 after_staging: bool = False) -> tuple[str, int]:
    """Start a solve writing set ``which`` into ``d``; SIGKILL it after ``delay`` s (counted
    from the moment its staging folder appears when ``after_staging``: a kill while the
    set is being written). Returns ('killed' or 'finished', the process id)."""
    extra, _ = SETS[which]
    proc = subprocess.Popen([*CMD, *extra, "--out", str(d)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    if after_staging:
        tag = f"paretoprice-staging-{proc.pid}-"
        while proc.poll() is None and not any(tag in p.name for p in d.parent.iterdir()):
            time.sleep(0.005)
    time.sleep(delay)
    finished = proc.poll() is not None
    if not finished:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return ("finished" if finished else "killed"), proc.pid


def _trials(tmp_path: Path, n: int, seed: int) -> dict[str, int]:
    d = tmp_path / "out"
    t0 = time.perf_counter()
    subprocess.run([*CMD, "--out", str(d)], check=True, capture_output=True)
    full = time.perf_counter() - t0  # one whole run, seconds
    seen_sets = {"four": read_set(d)}  # the complete set each command writes
    rng = random.Random(seed)
    current = "four"
    tally = {"trials": n, "killed": 0, "finished": 0, "old_set": 0, "new_set": 0,
             "killed_while_writing": 0}
    for _ in range(n):
        new = "two" if current == "four" else "four"
        if rng.random() < 0.5:  # any moment of the run
            status, pid = run_and_kill(d, new, rng.uniform(0.2, 1.2) * full)
        else:  # while the set is being written (the PNGs take most of it)
            status, pid = run_and_kill(d, new, rng.uniform(0.0, 0.3) * full, True)
        tally[status] += 1
        # its staging folder beside D: the kill came while the new set was being written
        tally["killed_while_writing"] += any(f"-{pid}-" in p.name for p in tmp_path.iterdir())
        got = read_set(d)  # raises on a mix or a partial set
        n_obj = 4 if new == "four" else 2
        if got[1] == n_obj:
            assert seen_sets.setdefault(new, got) == got
            tally["new_set"] += 1
            current = new
        else:
            assert got == seen_sets[current]
            tally["old_set"] += 1
    tally["stale_staging_left"] = sum(p.name != "out" for p in tmp_path.iterdir())
    return tally


def test_kill_at_random_moments_leaves_old_or_new_set(tmp_path: Path) -> None:
    tally = _trials(tmp_path, n=3, seed=13)
    assert tally["killed"] + tally["finished"] == 3


@pytest.mark.slow
def test_kill_many_times(tmp_path: Path) -> None:
    tally = _trials(tmp_path, n=int(os.environ.get("KILL_TRIALS", "30")), seed=2026)
    print("KILL SUMMARY " + json.dumps(tally))
    report = os.environ.get("KILL_REPORT")
    if report:
        Path(report).write_text(json.dumps(tally) + "\n")


# ------------------------------------------------------------------ output_set itself
def test_output_set_replaces_the_whole_folder(tmp_path: Path) -> None:
    d = tmp_path / "run"
    with output_set(d) as out:
        (out.path / "a.txt").write_text("old")
        (out.path / "extra.txt").write_text("old only")
    with output_set(d) as out:
        (out.path / "a.txt").write_text("new")
        assert out.final(out.path / "a.txt") == d / "a.txt"
    assert sorted(p.name for p in d.iterdir()) == [MANIFEST, "a.txt"]
    assert (d / "a.txt").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_output_set_leaves_old_set_on_error(tmp_path: Path) -> None:
    d = tmp_path / "run"
    with output_set(d) as out:
        (out.path / "a.txt").write_text("old")
    with pytest.raises(RuntimeError), output_set(d) as out:
        (out.path / "a.txt").write_text("half")
        raise RuntimeError("crash while writing")
    assert (d / "a.txt").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_output_set_refuses_a_folder_of_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ParameterError, match=r"notes\.txt"):
        check_output_dir(tmp_path)
    check_output_dir(tmp_path, known={"notes.txt"})  # files the command itself writes


def test_staging_folders_of_killed_runs_are_removed(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid that no longer runs
    stale = tmp_path / f".run.paretoprice-staging-{dead.pid}-abc"
    stale.mkdir()
    (stale / "front.csv").write_text("half")
    with output_set(tmp_path / "run") as out:
        (out.path / "a.txt").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


@pytest.mark.parametrize("case", ["file", "below_file", "dangling", "devnull", "long", "empty"])
@pytest.mark.parametrize("command", ["solve", "compare", "bench"])
def test_bad_out_is_refused_before_solving(tmp_path: Path, case: str, command: str) -> None:
    from tests.fuzz_inputs import run_cli

    (tmp_path / "f").write_text("x")
    os.symlink(tmp_path / "missing", tmp_path / "link")
    target = {"file": str(tmp_path / "f"), "below_file": str(tmp_path / "f" / "sub"),
              "dangling": str(tmp_path / "link"), "devnull": "/dev/null",
              "long": str(tmp_path / ("x" * 300)), "empty": ""}[case]
    argv = {"solve": ["solve", "idx-dr", "--solver", "grid"],
            "compare": ["compare", "lvo-ntap"],
            "bench": ["bench", "--cases", "lvo-ntap", "--no-progress"]}[command]
    code, out, err = run_cli([*argv, "--out", target])
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "'--out'" in lines[0], err
    assert out == ""  # refused before any solving


def test_read_only_out_is_refused(tmp_path: Path) -> None:
    """A folder nobody may write into. Root ignores a folder's write bits, so as root the
    target is below /sys, where the kernel refuses to create anything, even for root."""
    if os.geteuid() == 0:
        target = Path("/sys") / f"paretoprice-test-{os.getpid()}" / "run"
        r = subprocess.run([*CMD, "--out", str(target)], capture_output=True, text=True)
        assert not target.parent.exists()
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        try:
            r = subprocess.run([*CMD, "--out", str(ro / "run")], capture_output=True, text=True)
        finally:
            ro.chmod(0o700)
    assert r.returncode == 2 and "'--out'" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert r.stdout == ""  # refused before any solving


def test_bench_writes_one_set(tmp_path: Path) -> None:
    from paretoprice.app.cli import main

    d = tmp_path / "bench"
    argv = ["bench", "--cases", "lvo-ntap", "--solvers", "grid", "--no-convergence",
            "--no-scaling", "--no-plots", "--no-progress", "--out", str(d)]
    assert main(argv) == 0
    manifest = json.loads((d / MANIFEST).read_text())
    assert {"results.csv", "summary.md", "environment.json"} <= set(manifest["files"])
    assert [p.name for p in tmp_path.iterdir()] == ["bench"]
