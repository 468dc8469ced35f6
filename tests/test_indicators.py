"""Indicators on fronts small enough to compute by hand."""

from __future__ import annotations

import numpy as np
import pytest

from paretoprice.optim.indicators import (
    compare,
    epsilon_additive,
    hypervolume,
    igd_plus,
    nondominated_mask,
    points_missed,
    same_set,
)

REF = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]])


def test_hypervolume_by_hand() -> None:
    # staircase of (1,3), (2,2), (3,1) against (4,4): 3*1 + 2*1 + 1*1 = 6
    assert hypervolume(REF, np.array([4.0, 4.0])) == pytest.approx(6.0)
    # points not better than the reference point contribute nothing
    assert hypervolume(np.array([[5.0, 0.0]]), np.array([4.0, 4.0])) == 0.0


def test_igd_epsilon_missed() -> None:
    assert igd_plus(REF, REF) == pytest.approx(0.0)
    assert epsilon_additive(REF, REF) == pytest.approx(0.0)
    worse = REF + np.array([0.5, 0.0])  # shifted by a quarter of the range in f1
    assert epsilon_additive(worse, REF) == pytest.approx(0.25)
    assert points_missed(worse, REF) == 3
    assert points_missed(REF[:2], REF) == 1
    assert same_set(REF[::-1], REF) and not same_set(REF[:2], REF)


def test_nondominated_mask() -> None:
    F = np.array([[1.0, 3.0], [2.0, 2.0], [2.0, 3.0], [2.0, 2.0]])
    assert nondominated_mask(F).tolist() == [True, True, False, False]


def test_compare_ratio() -> None:
    c = compare(REF[:2], REF, np.array([4.0, 4.0]))
    assert c.hv_ratio == pytest.approx(5.0 / 6.0)
    assert c.points_missed == 1 and c.front_size == 2 and c.reference_size == 3
