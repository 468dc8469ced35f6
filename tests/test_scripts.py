"""Every bundled problem solves from the command line, and every problem script runs."""

from __future__ import annotations

import importlib
from pathlib import Path

import pandas as pd
import pytest

from paretoprice.app.cli import main
from paretoprice.problems import bundled_names

SCRIPTS = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "problems").glob("*.py")
                 if p.stem not in {"__init__", "runner", "synthetic"})


@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_problem_solves(name, tmp_path) -> None:
    assert main(["solve", name, "--solver", "nsga2", "--pop-size", "20", "--n-gen", "5",
                 "--out", str(tmp_path), "--no-progress"]) == 0
    df = pd.read_csv(tmp_path / "front.csv")
    assert len(df) >= 1


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_runs(script, tmp_path, capsys) -> None:
    mod = importlib.import_module(f"paretoprice.problems.{script}")
    result = mod.main(["--out", str(tmp_path), "--quick"])
    assert (tmp_path / "front.csv").exists() and (tmp_path / "front.png").exists()
    assert len(result.front) >= 1
    assert "Value anchors" in capsys.readouterr().out


def test_idx_dr_script_locates_cms_band(tmp_path) -> None:
    from paretoprice.problems import idx_dr

    result = idx_dr.main(["--out", str(tmp_path)])
    assert result.front.provenance.solver == "grid"
    by_name = {loc.name: loc for loc in result.locations}
    band = by_name["CMS national values 2022"]
    assert band.feasible and band.on_front
    assert "Where real prices sit" in result.text
