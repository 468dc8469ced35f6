"""Every bundled problem evaluates as recorded in tests/data/snapshots/: bit for bit on the
machine that wrote them, within round-off on another CPU (``same_as_snapshot``).

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

from paretoprice.optim.problem import Evaluation
from paretoprice.problems import bundled_names, load_problem
from tests.snapshot_tool import (
    SNAPSHOT_RTOL,
    collect,
    digest,
    same_as_snapshot,
    snapshot_path,
    without_pathway,
)


@pytest.mark.parametrize("name", bundled_names())
def test_bundled_problem_matches_snapshot(name: str) -> None:
    path = snapshot_path(name)
    assert path.exists(), f"no snapshot for bundled problem '{name}' ({path})"
    with np.load(path) as stored:
        expected = {k: stored[k] for k in stored.files}
    problem = without_pathway(load_problem(name))
    got = collect(problem)
    assert sorted(got) == sorted(expected), "snapshot keys differ (quantity added or removed)"
    for key, want in expected.items():
        have = got[key]
        assert have.shape == want.shape, f"{name}: {key} shape {have.shape} != {want.shape}"
        if key in DERIVED and not same_as_snapshot(have, want):
            # the matrix is assembled from the objectives (constraints) checked above, whose
            # values may differ in the last bits on another CPU: its assembly (columns,
            # order, signs, scales) is checked bit for bit on the recorded values instead
            have = np.array(digest(DERIVED[key](problem, _recorded(expected))))
        assert same_as_snapshot(have, want), f"{name}: {key} differs from the snapshot"


DERIVED = {
    "meta/minimization#sha256": lambda p, ev: p.minimization_matrix(ev),
    "meta/constraint_matrix#sha256": lambda p, ev: p.constraint_matrix(ev),
}
"""Digests of matrices built from recorded arrays, and how each is built."""


def _recorded(stored: dict[str, np.ndarray]) -> Evaluation:
    """The evaluation a snapshot recorded (objectives, constraints, reported quantities)."""
    parts: dict[str, dict[str, np.ndarray]] = {"objective": {}, "constraint": {},
                                                "reported": {}}
    for key, value in stored.items():
        kind, _, name = key.partition("/")
        if kind in parts and "#" not in name:
            parts[kind][name] = value
    return Evaluation(objectives=parts["objective"], constraints=parts["constraint"],
                      reported=parts["reported"])


def test_snapshot_comparison_can_fail() -> None:
    """A change of 1e-11 of a quantity's scale in one value is caught (the test is not
    vacuous); a change in the last bit, which another CPU's round-off makes, is not."""
    name = bundled_names()[0]
    got = collect(without_pathway(load_problem(name)))
    key = next(k for k in got if k.startswith("reported/"))
    with np.load(snapshot_path(name)) as stored:
        want = stored[key]
    assert same_as_snapshot(got[key], want)
    scale = float(np.nanmax(np.abs(want)))
    changed = got[key].copy()
    changed[0] += 10 * SNAPSHOT_RTOL * scale
    assert not same_as_snapshot(changed, want)
    last_bit = got[key].copy()
    last_bit[0] = np.nextafter(last_bit[0], np.inf)
    assert same_as_snapshot(last_bit, want)
    assert digest(changed) != digest(got[key])
    # a NaN where a number was, or an integer array off by one, is caught as well
    nan = got[key].copy()
    nan[0] = np.nan
    assert not same_as_snapshot(nan, want)
    ints = np.arange(5)
    assert not same_as_snapshot(ints + (ints == 0), ints)


@pytest.mark.parametrize("name", bundled_names())
def test_derived_matrices_rebuild_from_the_recorded_values(name: str) -> None:
    """The fallback for a derived matrix is a real check: built from the recorded values it
    gives the recorded digest bit for bit, and a sign or a column out of place does not."""
    problem = without_pathway(load_problem(name))
    with np.load(snapshot_path(name)) as stored:
        expected = {k: stored[k] for k in stored.files}
    ev = _recorded(expected)
    for key, build in DERIVED.items():
        assert digest(build(problem, ev)) == str(expected[key]), key
    M = problem.minimization_matrix(ev)
    flipped = M.copy()
    flipped[:, 0] = -flipped[:, 0]
    assert digest(flipped) != str(expected["meta/minimization#sha256"])
    assert digest(M[:, ::-1]) != str(expected["meta/minimization#sha256"])
