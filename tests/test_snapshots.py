"""Every bundled problem evaluates bit for bit as recorded in tests/data/snapshots/.

The snapshots were written by ``python -m tests.snapshot_tool`` from the code before the
architecture refactoring (issue 9); any change to an objective, guardrail, reported
quantity, anchor, unit or exact form of a bundled problem fails here.

Model v2 (issue 10) adds a clinical pathway to some bundled files; a file evaluated with
its ``[pathway]`` table removed must still match its v1 snapshot bit for bit (the
pathway changes nothing else), and a file without one is compared as it is.
"""

from __future__ import annotations

import numpy as np
import pytest

from paretoprice.problems import bundled_names, load_problem
from tests.snapshot_tool import collect, digest, snapshot_path, without_pathway


@pytest.mark.parametrize("name", bundled_names())
def test_bundled_problem_matches_snapshot(name: str) -> None:
    path = snapshot_path(name)
    assert path.exists(), f"no snapshot for bundled problem '{name}' ({path})"
    with np.load(path) as stored:
        expected = {k: stored[k] for k in stored.files}
    got = collect(without_pathway(load_problem(name)))
    assert sorted(got) == sorted(expected), "snapshot keys differ (quantity added or removed)"
    for key, want in expected.items():
        have = got[key]
        assert have.shape == want.shape, f"{name}: {key} shape {have.shape} != {want.shape}"
        same = np.array_equal(have, want, equal_nan=have.dtype.kind == "f")
        assert same, f"{name}: {key} differs from the snapshot"


def test_snapshot_comparison_can_fail() -> None:
    """A change in the last bit of one reported value is caught (the test is not vacuous)."""
    name = bundled_names()[0]
    got = collect(without_pathway(load_problem(name)))
    key = next(k for k in got if k.startswith("reported/"))
    changed = got[key].copy()
    changed[0] = np.nextafter(changed[0], np.inf)
    with np.load(snapshot_path(name)) as stored:
        assert np.array_equal(got[key], stored[key], equal_nan=True)
        assert not np.array_equal(changed, stored[key], equal_nan=True)
    assert digest(changed) != digest(got[key])
