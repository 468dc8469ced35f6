"""PSA over the ladder: known answers, outputs, CLI, a real Dask cluster, kill and resume."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from paretoprice.app.cli import main
from paretoprice.app.psa_run import PsaConfig, chunk_store_path, run_psa
from paretoprice.problems import load_problem
from tests.psa_problems import KNOWN_P_PARETO, write_tiny

BIN = Path(sys.executable).parent


def _same_output_sets(a: Path, b: Path) -> None:
    """Every file of two PSA output folders is byte-identical, psa.json apart from 'run'."""
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        if name == "psa.json":
            ja, jb = (json.loads((d / name).read_text()) for d in (a, b))
            ja.pop("run"), jb.pop("run")
            assert ja == jb
        else:
            assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_known_probability_of_pareto_optimality(tmp_path) -> None:
    prob = load_problem(write_tiny(tmp_path))
    cfg = PsaConfig(draws=600, seed=3, sampling="lhs", chunk_size=97,
                    wtp=(0.0, 5000.0, 10000.0))
    _, res, _ = run_psa(prob, cfg, None, scheduler="inline")
    cand = res.candidates.sort_values("p")
    # derivation in tests/psa_problems.py; a 1-D Latin hypercube of 600 draws puts exactly
    # one draw in each 1/600 stratum, so each probability is exact to 1/600
    assert np.allclose(cand["p_pareto_optimal"], KNOWN_P_PARETO, atol=1 / 600 + 1e-12)
    assert np.all(cand["p_feasible"] == 1.0)  # no guardrail enabled
    # cost-effective at 5,000 USD/QALY exactly for p = 1..4 (ICER = 1000 p USD/QALY)
    assert cand["p_ce_5k"].tolist() == [0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    # the band p in [2, 3]: always some Pareto-optimal and cost-effective price in it
    band = res.observed.iloc[0]
    assert band["candidates"] == 2 and band["p_pareto_optimal"] == 1.0
    assert band["p_ce_5k"] == 1.0 and band["p_ce_0k"] == 0.0
    # access = A(p): its mean over Kbar ~ U(1000, 4000) at p = 1 is E[500 / Kbar]
    # = 500 ln(4) / 3000 = 0.2310 (exact up to the LHS stratification)
    acc1 = float(cand.loc[cand["p"] == 1.0, "mean_access"].iloc[0])
    assert acc1 == pytest.approx(500 * np.log(4) / 3000, rel=2e-3)
    # 95% interval of access at p = 1: A = 500 / Kbar, Kbar at its 97.5/2.5 percentiles
    lo = float(cand.loc[cand["p"] == 1.0, "q025_access"].iloc[0])
    hi = float(cand.loc[cand["p"] == 1.0, "q975_access"].iloc[0])
    width = (hi - lo)
    assert lo == pytest.approx(500 / (1000 + 0.975 * 3000), abs=width / 20)
    assert hi == pytest.approx(500 / (1000 + 0.025 * 3000), abs=width / 20)
    # EVPI >= 0 and the frontier picks a price with ICER below lambda at 5k
    assert (res.acceptability["evpi"] >= 0).all()
    row = res.acceptability.set_index("wtp").loc[5000.0]
    assert 1 <= row["p"] <= 4


def test_results_do_not_depend_on_the_chunk_size(tmp_path) -> None:
    prob = load_problem(write_tiny(tmp_path))
    a = run_psa(prob, PsaConfig(draws=120, seed=5, chunk_size=7), None, "inline")[1]
    b = run_psa(prob, PsaConfig(draws=120, seed=5, chunk_size=120), None, "inline")[1]
    cols = [c for c in a.candidates.columns if not c.startswith("mean_")]
    pd.testing.assert_frame_equal(a.candidates[cols], b.candidates[cols])
    pd.testing.assert_frame_equal(a.candidates, b.candidates, rtol=1e-12)


def test_cli_writes_the_output_set_and_summary(tmp_path, capsys) -> None:
    path = write_tiny(tmp_path)
    out = tmp_path / "D"
    assert main(["psa", str(path), "--draws", "40", "--seed", "1", "--scheduler", "inline",
                 "--chunk-size", "16", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "band 2-3" in text and "EVPI" in text and "CE@50k" in text
    names = {p.name for p in out.iterdir()}
    ext = ".parquet"
    assert {f"candidates{ext}", f"observed{ext}", f"picks{ext}", f"acceptability{ext}",
            f"robust_front{ext}", f"draws{ext}", "psa.json", "acceptability.png",
            "pareto_probability.png", "ce_plane.png"} <= names
    meta = json.loads((out / "psa.json").read_text())
    assert meta["draws"] == 40 and meta["uncertain_inputs"][0]["source"]
    assert not chunk_store_path(out).exists()  # the chunk store is removed once whole
    # an existing output folder is never overwritten: one-line error, exit 2
    assert main(["psa", str(path), "--draws", "40", "--scheduler", "inline",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "already exists" in err and "\n" not in err


def test_cli_bad_input_is_one_line(tmp_path, capsys) -> None:
    extra = ('\n[[uncertain]]\npath = "segments.all.compliance"\ndist = "beta"\n'
             'low = 0.5\nhigh = 0.2\nsource = "t"\n')
    path = write_tiny(tmp_path, extra=extra)
    assert main(["psa", str(path), "--draws", "10", "--scheduler", "inline"]) == 2
    err = capsys.readouterr().err.strip()
    assert "uncertain[1].low" in err and "Fix:" in err and "\n" not in err
    assert main(["psa", "idx-dr", "--draws", "0", "--scheduler", "inline"]) == 2
    assert "--draws" in capsys.readouterr().err


def test_idx_dr_summary_names_the_creator_charge_and_cms_band(capsys) -> None:
    assert main(["psa", "idx-dr", "--draws", "3", "--seed", "1", "--scheduler", "inline"]) == 0
    text = capsys.readouterr().out
    assert "creator charge read as the Medicare rate (p = 55)" in text
    assert "CMS national values 2022 (p = 45-64)" in text
    assert "21,296 candidates" in text


def test_tornado_and_sobol(tmp_path, capsys) -> None:
    path = write_tiny(tmp_path)
    assert main(["tornado", str(path), "--at", "p=3", "--out", str(tmp_path / "t")]) == 0
    table = pd.read_csv(tmp_path / "t" / "tornado.csv")
    row = table[table["quantity"] == "point access"].iloc[0]
    # access at p = 3 is min(1, 1500 / Kbar); Kbar is uniform with stated bounds 1000 and
    # 4000, which the tornado uses: access 1 (capped) and 1500 / 4000 = 0.375
    assert row["range"] == "stated bounds"
    assert row["input_low"] == pytest.approx(1000.0) and row["at_low"] == pytest.approx(1.0)
    assert row["at_high"] == pytest.approx(0.375)
    assert (tmp_path / "t" / "tornado.png").stat().st_size > 0
    assert main(["sobol", str(path), "--n", "16", "--at", "p=3", "--out",
                 str(tmp_path / "s")]) == 0
    s = pd.read_csv(tmp_path / "s" / "sobol.csv")
    # one input: it explains all the variance of every output that varies
    hv = s[s["output"] == "front_hypervolume"].iloc[0]
    assert hv["ST"] == pytest.approx(1.0, abs=0.25)
    assert "front_hypervolume" in capsys.readouterr().out
    assert main(["sobol", str(path), "--n", "10"]) == 2


def test_idx_dr_tornado_names_inputs(capsys) -> None:
    assert main(["tornado", "idx-dr", "--at", "p=55,f=20", "--top", "2"]) == 0
    text = capsys.readouterr().out
    assert "anchor access_maximizing" in text and "compliance" in text
    assert main(["tornado", "idx-dr", "--at", "q=3"]) == 2


# ---------------------------------------------------------------------------------------
# A real Dask cluster: `dask scheduler` and two `dask worker` processes on 127.0.0.1
# ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def dask_cluster():
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "MALLOC_MMAP_THRESHOLD_": "33554432"}
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1",
                               "--port", str(port), "--no-dashboard"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen(
                [str(BIN / "dask"), "worker", addr, "--nworkers", "1", "--nthreads", "1",
                 "--no-dashboard", "--host", "127.0.0.1"], env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from dask.distributed import Client

        with Client(addr, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield addr
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_dask_cluster_gives_the_same_files_as_in_process(tmp_path, dask_cluster) -> None:
    prob = load_problem(write_tiny(tmp_path, upper=40.0, step=0.5))
    cfg = PsaConfig(draws=300, seed=11, chunk_size=40)
    run_psa(prob, cfg, tmp_path / "inline", scheduler="inline")
    _, _, facts = run_psa(prob, cfg, tmp_path / "cluster", scheduler=dask_cluster)
    assert facts["workers"] == 2 and facts["chunks_computed"] == 8
    assert sum(facts["chunks_per_worker"]) == 8 and 0 <= facts["overhead_share"] < 1
    _same_output_sets(tmp_path / "inline", tmp_path / "cluster")


def test_workers_write_chunks_they_see_and_return_the_rest(tmp_path, dask_cluster) -> None:
    """A worker that finds the run's manifest in the chunk store writes the chunk there and
    returns no data; a store of another run (another fingerprint) is left alone and the
    chunk travels back instead, the same numbers either way."""
    from dask.distributed import Client

    from paretoprice.app.psa_run import _chunk_task, load_chunk, prepare

    prob = load_problem(write_tiny(tmp_path))
    prep = prepare(prob, PsaConfig(draws=20, seed=3, chunk_size=20))
    store = tmp_path / "store"
    store.mkdir()
    (store / "manifest.json").write_text(json.dumps({"fingerprint": prep.fingerprint}))
    other = tmp_path / "other"
    other.mkdir()
    (other / "manifest.json").write_text(json.dumps({"fingerprint": "another run"}))
    with Client(dask_cluster, timeout="60s") as client:
        wrote = client.submit(_chunk_task, prep.setup, prep.values, 0, 0, str(store),
                              prep.fingerprint, pure=False).result()
        back = client.submit(_chunk_task, prep.setup, prep.values, 0, 0, str(other),
                             prep.fingerprint, pure=False).result()
    assert wrote["result"] is None and back["result"] is not None
    assert not list(other.glob("chunk-*")) and wrote["worker"].startswith("tcp://")
    stored = load_chunk(store, 0)
    assert sorted(stored) == sorted(back["result"])
    for name, arr in stored.items():
        assert np.array_equal(arr, back["result"][name], equal_nan=True), name


def test_local_dask_cluster_by_default(tmp_path) -> None:
    prob = load_problem(write_tiny(tmp_path))
    cfg = PsaConfig(draws=60, seed=2, chunk_size=20)
    run_psa(prob, cfg, tmp_path / "inline", scheduler="inline")
    _, _, facts = run_psa(prob, cfg, tmp_path / "local", scheduler=None, workers=2)
    assert facts["scheduler"] == "local Dask cluster" and facts["workers"] == 2
    _same_output_sets(tmp_path / "inline", tmp_path / "local")


def test_killed_run_resumes_without_losing_finished_chunks(tmp_path) -> None:
    path = write_tiny(tmp_path, upper=100.0, step=0.25)
    out = tmp_path / "D"
    args = [str(BIN / "paretoprice"), "psa", str(path), "--draws", "1200", "--seed", "4",
            "--chunk-size", "40", "--scheduler", "inline", "--out", str(out), "--no-progress"]
    store = chunk_store_path(out)
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        done = sorted(store.glob("chunk-*.npz")) if store.exists() else []
        if len(done) >= 3 or proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    before = {p.name: p.read_bytes() for p in store.glob("chunk-*.npz")}
    assert len(before) >= 3 and not out.exists()  # no half-written output set
    # without --resume the stored chunks are protected
    r = subprocess.run(args, capture_output=True, text=True)
    assert r.returncode == 2 and "--resume" in r.stderr
    r = subprocess.run([*args, "--resume"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    meta = json.loads((out / "psa.json").read_text())
    assert meta["run"]["chunks_resumed"] >= len(before)
    assert meta["run"]["chunks_resumed"] + meta["run"]["chunks_computed"] == 30
    # the same answers as a run never interrupted
    prob = load_problem(path)
    run_psa(prob, PsaConfig(draws=1200, seed=4, chunk_size=40), tmp_path / "clean",
            scheduler="inline")
    _same_output_sets(out, tmp_path / "clean")


def test_tornado_writes_one_output_set_and_checks_out_first(tmp_path, capsys) -> None:
    """--out is refused before any work when it is a file; a run's files replace the
    previous set as a whole (with its manifest), never file by file."""
    from paretoprice.app.cli import main

    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    assert main(["tornado", "idx-dr", "--out", str(blocker)]) == 2
    assert "'--out'" in capsys.readouterr().err
    out = tmp_path / "tor"
    for _ in range(2):  # the second run replaces the first set
        assert main(["tornado", "idx-dr", "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} >= {"tornado.csv", "tornado.png"}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_dominance_gap_by_hand() -> None:
    from paretoprice.app.psa_run import dominance_gap

    # Two objectives, both minimized, ranges 0..2 and 0..4 over all four rows.
    # Front: y1 = (0, 4), y2 = (2, 0). Candidate c = (2, 4) (normalized (1, 1)):
    # against y1: min(1 - 0, 1 - 1) = 0; against y2: min(1 - 1, 1 - 0) = 0 -> gap 0
    # (weakly dominated). Candidate d = (1.5, 3) (normalized (0.75, 0.75)):
    # against y1: min(0.75, -0.25) = -0.25; y2: min(-0.25, 0.75) = -0.25 -> gap -0.25.
    F = np.array([[0.0, 4.0], [2.0, 0.0], [2.0, 4.0], [1.5, 3.0]])
    gap = dominance_gap(F, np.array([2, 3]), np.array([0, 1]), np.arange(4))
    assert gap.tolist() == [0.0, -0.25]
    # Ranges 0..2 and 0..4; front (0, 0); (2, 4) is a whole range behind in both
    # objectives (gap 1), (1, 2) half a range (gap 0.5).
    F2 = np.array([[0.0, 0.0], [2.0, 4.0], [1.0, 2.0]])
    assert dominance_gap(F2, np.array([1, 2]), np.array([0]), np.arange(3)).tolist() == \
        [1.0, 0.5]


def test_idx_dr_fixed_candidates_are_used_prices_or_marked_no_uptake(tmp_path) -> None:
    # With the pathway, idx-dr's status quo (nobody adopts) is on the front, and a fee too
    # high for the rate reproduces it; the fixed candidate of an observed rate must be one
    # at which someone adopts when the band has a feasible one (CMS 45-64, p = 55), and
    # be marked "no uptake" otherwise (OPPS 59.4: every adopted fee breaks a guardrail).
    res = run_psa(load_problem("idx-dr"), PsaConfig(draws=4, seed=1), None, "inline",
                  plots=False)[1]
    obs = res.observed.set_index("observed")
    assert not obs.loc["CMS national values 2022", "status_quo_at"]
    assert not obs.loc["creator charge read as the Medicare rate", "status_quo_at"]
    assert obs.loc["creator charge read as the Medicare rate", "at_f"] < 55
    opps = obs.loc["OPPS 2025 (APC 5733)"]
    assert opps["status_quo_at"] and opps["at_f"] > opps["at_p"]
