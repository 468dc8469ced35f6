"""The command line, end to end in a temporary folder."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from paretoprice.app.cli import main


def test_problems_csv(capsys) -> None:
    assert main(["problems", "--format", "csv"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert list(rows[0]) == ["name", "family", "services", "decisions", "objectives", "exact"]
    idx = next(r for r in rows if r["name"] == "idx-dr")
    assert idx["family"] == "ffs" and idx["exact"] == "yes" and idx["decisions"] == "5"
    catalogue = {"ffs", "category_iii", "ntap", "autonomy_tiers", "generalist_bundle",
                 "value_based", "incentive_fund", "portfolio"}
    assert {r["family"] for r in rows} == catalogue  # every payment model, nothing else


def test_anchors_csv_and_json(capsys) -> None:
    assert main(["anchors", "idx-dr", "--format", "csv"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert [r["anchor"] for r in rows] == ["substitution", "access_maximizing", "cost_effective",
                                           "marginal_cost", "total_cost_of_ownership"]
    assert float(rows[1]["value"]) == pytest.approx(52.50)
    assert list(rows[0]) == ["anchor", "value", "unit"]
    assert main(["anchors", "idx-dr", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["anchors"][0]["value"] == 175.0


def test_solve_writes_front_files(tmp_path, capsys) -> None:
    out = tmp_path / "front"
    code = main(["solve", "idx-dr", "--solver", "nsga2", "--seed", "2", "--pop-size", "30",
                 "--n-gen", "10", "--out", str(out), "--no-progress"])
    assert code == 0
    header = (out / "front.csv").read_text().splitlines()[0].split(",")
    assert header[:4] == ["payer_spend", "creator_npv", "access", "provider_margin"]
    assert (out / "front.png").stat().st_size > 10_000
    meta = json.loads((out / "front.json").read_text())
    assert meta["provenance"]["seed"] == 2 and meta["provenance"]["solver"] == "nsga2"
    assert "Pareto points" in capsys.readouterr().out


def test_solve_with_equity_objective(tmp_path) -> None:
    out = tmp_path / "eq"
    assert main(["solve", "idx-dr", "--solver", "grid", "--objectives",
                 "payer_spend,access,equity", "--out", str(out)]) == 0
    header = (out / "front.csv").read_text().splitlines()[0].split(",")
    assert header[:3] == ["payer_spend", "access", "equity"]
    assert "creator_npv" in header  # unchosen objectives stay as reported columns


def test_solve_a_toml_path(tmp_path) -> None:
    from paretoprice.problems import problem_path

    assert main(["solve", str(problem_path("idx-dr")), "--solver", "grid"]) == 0
    assert list(tmp_path.iterdir()) == []  # nothing written without --out


@pytest.mark.parametrize("argv, needle", [
    (["solve", "nope"], "Unknown problem 'nope'"),
    (["solve", "idx-dr", "--objectives", "payer_spend,joy"], "'objectives' parameter"),
    (["solve", "idx-dr", "--set", "pop=3"], "'pop' parameter of solver 'nsga2'"),
    (["solve", "idx-dr", "--solver", "simplex"], "invalid choice"),
    (["anchors"], "required"),
])
def test_bad_input_exits_2_one_line(argv, needle) -> None:
    proc = subprocess.run([sys.executable, "-m", "paretoprice.app.cli", *argv], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert needle in err


def test_help_everywhere() -> None:
    for argv in (["--help"], ["solve", "--help"], ["anchors", "--help"], ["problems", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0


def test_console_script_installed() -> None:
    import shutil
    from pathlib import Path

    beside = Path(sys.executable).parent / "paretoprice"
    exe = str(beside) if beside.exists() else shutil.which("paretoprice")
    assert exe is not None, "the paretoprice console script is missing: pip install -e ."
    proc = subprocess.run([exe, "anchors", "idx-dr", "--format", "csv"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and "access_maximizing,52.5" in proc.stdout
