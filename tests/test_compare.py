"""The certificate for a heuristic front: compare.csv and its indicators."""

from __future__ import annotations

import pandas as pd

from paretoprice.app.cli import main
from paretoprice.app.compare_cli import COLUMNS, compare_solvers


def test_compare_solvers_reference_is_exact(idx_dr) -> None:
    res = compare_solvers(idx_dr, ["nsga2", "grid"], seed=1,
                          options={"nsga2": {"pop_size": 40, "n_gen": 30}})
    assert res.reference == "grid"
    t = res.table.set_index("solver")
    assert t.loc["grid", "hv_ratio"] == 1.0 and t.loc["grid", "points_missed"] == 0
    assert bool(t.loc["grid", "same_as_reference"])
    # one common reference point, declared on every front
    for front in res.fronts.values():
        assert front.reference_point == tuple(res.reference_point)
    # a short heuristic run is close but not the exact set
    assert t.loc["nsga2", "hv_ratio"] > 0.9 and not bool(t.loc["nsga2", "same_as_reference"])


def test_compare_cli_writes_csv_and_plot(tmp_path) -> None:
    assert main(["compare", "idx-dr", "--solvers", "nsga2,grid", "--out", str(tmp_path)]) == 0
    df = pd.read_csv(tmp_path / "compare.csv")
    assert list(df.columns) == COLUMNS
    assert (tmp_path / "compare.png").exists()
    assert (tmp_path / "grid" / "front.csv").exists()
