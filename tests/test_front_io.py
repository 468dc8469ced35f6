"""The result type: DataFrame, CSV + JSON export, atomic writes, immutability."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from paretoprice.optim.io import write_with
from paretoprice.solvers import solve


@pytest.fixture
def front(idx_dr):
    return solve(idx_dr, "grid")


def test_to_csv_and_json(front, tmp_path) -> None:
    csv_path, json_path = front.to_csv(tmp_path / "out")
    df = pd.read_csv(csv_path)
    assert list(df.columns[:4]) == ["payer_spend", "creator_npv", "access", "provider_margin"]
    assert {"p", "f", "equity", "coverage_safety_net", "slack_access_maximizing"} <= set(df.columns)
    assert len(df) == len(front)
    meta = json.loads(json_path.read_text())
    assert [o["sense"] for o in meta["objectives"]] == ["min", "max", "max", "max"]
    assert meta["objectives"][0]["unit"] == "USD per year"
    assert meta["provenance"]["solver"] == "grid" and meta["provenance"]["exact"] is True
    assert meta["provenance"]["problem_hash"] == front.provenance.problem_hash
    assert "numpy" in meta["provenance"]["versions"]
    np.testing.assert_allclose(df["payer_spend"].to_numpy(), front.column("payer_spend"))


def test_front_arrays_are_read_only(front) -> None:
    with pytest.raises(ValueError):
        front.objectives[0, 0] = 0.0
    with pytest.raises(ValueError):
        front.reported["equity"][0] = 0.0


def test_front_points_are_mutually_nondominated(front) -> None:
    F = front.minimization_matrix()
    dominated = (np.all(F[:, None, :] <= F[None, :, :], axis=2)
                 & np.any(F[:, None, :] < F[None, :, :], axis=2))
    assert not dominated.any()


def test_atomic_write_leaves_nothing_on_failure(tmp_path) -> None:
    target = tmp_path / "x.csv"

    def boom(tmp) -> None:
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_with(target, boom)
    assert list(tmp_path.iterdir()) == []


def test_reference_point_declared(front, tmp_path) -> None:
    ref = front.minimization_matrix().max(axis=0) + 1.0
    f2 = front.with_reference_point(ref)
    _, js = f2.to_csv(tmp_path)
    meta = json.loads(js.read_text())
    assert meta["reference_point"]["values"]["payer_spend"] == pytest.approx(ref[0])
    assert front.reference_point is None
    cmp = front.compare_to(f2)
    assert cmp.hv_ratio == pytest.approx(1.0) and cmp.points_missed == 0
