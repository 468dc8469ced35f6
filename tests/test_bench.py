"""The benchmark suite (``paretoprice bench``): files, columns, targets, reproducibility,
declared skips and bad names. Everything here runs on tiny selections (a few seconds);
the whole smoke suite is the one slow test."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from paretoprice.app.cli import main

REQUIRED = ["case", "family", "size", "solver", "seed", "hypervolume", "hv_ratio", "igd_plus",
            "igd", "epsilon_add", "points_missed", "front_size", "runtime_s", "evaluations",
            "correct", "status", "note"]


def _bench(out: Path, *args: str) -> int:
    return main(["bench", "--suite", "smoke", "--out", str(out), "--no-progress", *args])


def _results(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "results.csv", keep_default_na=False, na_values=[""])


def test_smoke_selection_writes_every_file(tmp_path: Path) -> None:
    out = tmp_path / "b"
    assert _bench(out, "--cases", "lvo-ntap", "--solvers", "nsga2,grid") == 0
    df = _results(out)
    assert list(df.columns)[:len(REQUIRED)] == REQUIRED
    assert len(df) == 2  # one seed of nsga2, grid once (deterministic: no seed)
    grid = df[df.solver == "grid"].iloc[0]
    assert grid.status == "ok" and bool(grid.correct) and math.isnan(grid.seed)
    assert grid.hv_ratio == pytest.approx(1.0) and grid.points_missed == 0
    heur = df[df.solver == "nsga2"].iloc[0]
    assert heur.seed == 1 and heur.evaluations == 2000 and heur.front_size > 0
    assert heur.hv_ratio > 0.5 and heur.igd_plus < 0.1 and math.isnan(heur.correct)
    summary = (out / "summary.md").read_text()
    assert ("lvo-ntap: reached" in summary or "lvo-ntap: fell short by" in summary
            or "lvo-ntap: hypervolume target met" in summary)
    if heur.points_missed > 0:  # a run that misses reference points is never "reached"
        assert "lvo-ntap: reached" not in summary
    assert "| lvo-ntap | grid |" in summary
    env = json.loads((out / "environment.json").read_text())
    for key in ("python", "platform", "machine", "cpu_count"):
        assert env[key]
    assert set(env["packages"]) >= {"numpy", "pymoo", "pyomo", "highspy", "moocore"}
    assert (out / "plots" / "fronts-lvo-ntap.png").stat().st_size > 1000
    assert not (out / "scaling.csv").exists()  # --cases: no scaling study unless asked
    assert not list(out.glob(".*.tmp"))  # atomic writes left no temporary file


def test_nsga2_meets_the_zdt1_igd_target() -> None:
    """NSGA-II (project defaults, population 100) at 25,000 evaluations: IGD <= 0.01."""
    from paretoprice.benchmarks.cases import Budget
    from paretoprice.benchmarks.cases.analytic import AnalyticCase

    case = AnalyticCase("zdt1", ("smoke",))
    ref = case.reference(Budget())
    assert ref.F is not None and ref.F.shape == (100, 2)
    run = case.run("nsga2", 1, Budget())
    assert run.evaluations == 25_000
    assert case.igd(run.F, ref) <= 0.01
    short = case.run("nsga2", 1, Budget(n_eval_analytic=2_000))
    assert case.igd(short.F, ref) > case.igd(run.F, ref)  # the budget matters


def test_same_command_same_indicators(tmp_path: Path) -> None:
    args = ("--cases", "idx-dr-5usd,zdt1", "--solvers", "nsga2,grid", "--seeds", "2",
            "--no-plots", "--no-convergence")
    assert _bench(tmp_path / "a", *args) == 0
    assert _bench(tmp_path / "b", *args) == 0
    a, b = _results(tmp_path / "a"), _results(tmp_path / "b")
    cols = [c for c in a.columns if c != "runtime_s"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    # and the seeds do differ: the comparison above could fail
    h = a[(a.case == "idx-dr-5usd") & (a.solver == "nsga2")].sort_values("seed")
    assert list(h.seed) == [1, 2]
    assert h.hypervolume.iloc[0] != h.hypervolume.iloc[1]


def test_declared_skips_have_reasons(tmp_path: Path) -> None:
    out = tmp_path / "s"
    assert _bench(out, "--cases", "zdt1,mokp-2kp50", "--solvers", "grid,nsga3",
                  "--no-plots") == 0
    df = _results(out)
    skipped = df[df.status == "skipped"]
    pairs = {(r.case, r.solver) for r in skipped.itertuples()}
    assert pairs == {("zdt1", "grid"), ("mokp-2kp50", "grid"), ("mokp-2kp50", "nsga3")}
    assert skipped.note.str.len().min() > 20
    assert df[(df.case == "zdt1") & (df.solver == "nsga3")].status.iloc[0] == "ok"
    assert "## Not run" in (out / "summary.md").read_text()


@pytest.mark.parametrize(("flag", "bad", "valid"), [
    ("--cases", "no-such-case", "idx-dr-5usd"),
    ("--solvers", "simplex", "nsga2"),
])
def test_unknown_names_exit_2_listing_valid_names(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                  flag: str, bad: str, valid: str) -> None:
    assert _bench(tmp_path / "x", flag, bad) == 2
    err = capsys.readouterr().err
    assert bad in err and valid in err
    assert not (tmp_path / "x").exists()


def test_bad_seeds_and_suite_exit_2(tmp_path: Path) -> None:
    assert _bench(tmp_path / "x", "--cases", "lvo-ntap", "--seeds", "0") == 2
    with pytest.raises(SystemExit) as exc:
        main(["bench", "--suite", "huge"])
    assert exc.value.code == 2


def test_power_law_fit_recovers_the_exponent() -> None:
    from paretoprice.benchmarks.suite import fit_power_law

    size = np.array([10.0, 100.0, 1000.0, 10000.0])
    a, b, n = fit_power_law(size, 0.002 * size ** 1.5)
    assert b == pytest.approx(1.5) and a == pytest.approx(math.log(0.002)) and n == 4
    assert math.isnan(fit_power_law([5.0], [1.0])[1])


def test_scaling_study_rows_and_exponent(tmp_path: Path) -> None:
    from paretoprice.app.bench_report import write_report
    from paretoprice.benchmarks.cases import Budget
    from paretoprice.benchmarks.suite import SuiteResult, SuiteSettings, run_scaling, scaling_fits

    st = SuiteSettings(seeds=1, budget=Budget(), solvers=("grid",),
                       scaling_grid_steps=(5.0, 2.5, 1.0))
    rows = run_scaling(st, ["grid"], st.budget)
    assert [r["size"] for r in rows] == [900, 3479, 21296]
    assert all(r["status"] == "ok" and r["runtime_s"] > 0 for r in rows)
    (fit,) = scaling_fits(rows)
    assert fit["points"] == 3 and 0.2 < fit["exponent_b"] < 2.0
    result = SuiteResult("smoke", (1,), st.budget, [], {}, [], rows)
    write_report(result, tmp_path, ["--suite", "smoke"], plots=False)
    sc = pd.read_csv(tmp_path / "scaling.csv")
    assert list(sc["size"]) == [900, 3479, 21296]
    assert sc["series_exponent_b"].iloc[0] == pytest.approx(fit["exponent_b"])
    assert "exponent b" in (tmp_path / "summary.md").read_text()


def test_ffs_segment_split_keeps_the_input_and_the_population() -> None:
    import copy

    from paretoprice.benchmarks.cases.catalogue import split_segments
    from paretoprice.problems import bundled_raw

    raw = bundled_raw("idx-dr")
    before = copy.deepcopy(raw)
    out = split_segments(raw, 4)
    assert raw == before
    assert len(out["segments"]) == 12
    total = sum(s["population"]["value"] for s in raw["segments"])
    assert sum(s["population"] for s in out["segments"]) == pytest.approx(total)


def test_whole_smoke_suite_under_two_minutes(tmp_path: Path) -> None:
    # the smoke suite runs in CI through this test (about 10 s here)
    t0 = time.perf_counter()
    assert _bench(tmp_path / "smoke") == 0
    assert time.perf_counter() - t0 < 120
    df = _results(tmp_path / "smoke")
    assert (df.status != "error").all()
    assert (tmp_path / "smoke" / "scaling.csv").exists()
    assert (tmp_path / "smoke" / "plots" / "scaling.png").exists()
