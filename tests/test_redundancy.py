"""Redundant objectives on a front: rank correlations, verdicts, front.json and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from paretoprice.app.cli import main
from paretoprice.optim.redundancy import detect_redundancy, spearman_matrix


def test_spearman_known_answer() -> None:
    # x = 1..5, y = (2, 1, 4, 3, 5): rank differences d = (1, -1, 1, -1, 0), sum d^2 = 4;
    # rho = 1 - 6 x 4 / (5 x 24) = 1 - 0.2 = 0.8
    V = np.column_stack([[1.0, 2, 3, 4, 5], [2.0, 1, 4, 3, 5]])
    assert spearman_matrix(V)[0, 1] == pytest.approx(0.8)


def test_verdicts_and_suggested_drop() -> None:
    a = np.arange(1.0, 51.0)
    rng = np.random.default_rng(0)
    near = a + rng.normal(0, 1.0, a.size)  # same ranking up to a few swaps
    M = np.column_stack([a, a ** 3, -a, near, np.full(a.size, 7.0)])
    r = detect_redundancy(["spend", "cube", "npv", "near", "flat"], M)
    verdict = {(x, y): v for x, y, _, v in r.pairs}
    assert verdict[("spend", "cube")] == "perfectly redundant"
    assert verdict[("spend", "npv")] == "perfectly conflicting"
    assert verdict[("spend", "near")] in {"nearly redundant", "perfectly redundant"}
    assert verdict[("spend", "flat")] == "undefined"
    assert r.constant == ("flat",)
    assert r.groups == (("spend", "cube", "near"),)
    assert r.drop == ("cube", "near", "flat")
    assert "consider dropping cube, near, flat" in r.warning()


def test_two_objective_tradeoff_is_not_redundant() -> None:
    a = np.arange(10.0)
    r = detect_redundancy(["spend", "npv"], np.column_stack([a, -a ** 2]))
    assert not r.redundant and r.warning() == ""
    assert r.to_dict()["verdict"] == "no redundant objectives"


def test_too_few_points() -> None:
    r = detect_redundancy(["a", "b"], np.array([[1.0, 1.0], [2.0, 2.0]]))
    assert not r.redundant and r.to_dict()["verdict"] == "too few points for a verdict"


def test_idx_dr_front_json_and_cli_warning(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    # v1 idx-dr: access and provider margin both depend on p - f only (one scalar), so
    # they rank the front identically (the "rank correlation 1.000")
    assert main(["solve", "idx-dr", "--solver", "grid", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "warning: redundant objectives: access, provider_margin" in out
    meta = json.loads((tmp_path / "front.json").read_text())
    corr = meta["objective_correlation"]
    assert corr["suggest_drop"] == ["provider_margin"]
    pair = next(p for p in corr["pairs"] if (p["a"], p["b"]) == ("access", "provider_margin"))
    assert pair["rho"] >= 0.999 and pair["verdict"] == "perfectly redundant"
