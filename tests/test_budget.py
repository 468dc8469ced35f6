"""Known-answer tests of the year-by-year budget impact and the ramped NPV (optim/budget.py)."""

from __future__ import annotations

import numpy as np
import pytest

from paretoprice.optim.anchors import annuity
from paretoprice.optim.budget import (
    Ramp,
    budget_impact,
    creator_npv,
    payback_year,
    ramp_shares,
    ramped_annuity,
)
from paretoprice.optim.errors import ParameterError


def test_budget_impact_by_year_and_payer() -> None:
    # Ramp 50% in year 1, steady from year 2; horizon 3 years; 10% discount.
    # Medicare: today 1000, steady 1100 -> impact 50, 100, 100;
    #   discounted 50/1.1 + 100/1.21 + 100/1.331 = 45.4545 + 82.6446 + 75.1315 = 203.2307
    # Medicaid: today 400, steady 360 -> impact -20, -40, -40 (it saves)
    shares = ramp_shares([0.5], 3)
    bi = budget_impact({"medicare": np.array([1100.0]), "medicaid": np.array([360.0])},
                       {"medicare": 1000.0, "medicaid": 400.0}, shares, 0.10)
    assert bi.impact["medicare"][0].tolist() == pytest.approx([50.0, 100.0, 100.0])
    assert bi.spend["medicare"][0].tolist() == pytest.approx([1050.0, 1100.0, 1100.0])
    assert bi.impact["medicaid"][0].tolist() == pytest.approx([-20.0, -40.0, -40.0])
    assert bi.cumulative("medicare")[0] == pytest.approx(250.0)
    assert bi.cumulative("medicare", discounted=True)[0] == pytest.approx(203.2307, abs=1e-4)
    assert bi.total_impact()[0].tolist() == pytest.approx([30.0, 60.0, 60.0])
    assert bi.cumulative()[0] == pytest.approx(150.0)


def test_ramp_validation() -> None:
    assert Ramp().for_years(3).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="year 2"):
        Ramp(shares=(0.5, 1.5))
    with pytest.raises(ParameterError, match="at most 2 shares"):
        ramp_shares([0.2, 0.5, 1.0], 2)


def test_immediate_ramp_is_v1_bit_for_bit() -> None:
    # v1: annuity(T, r) * ((f - m) U - O) - F, evaluated exactly as written
    M = np.array([1.234567e7, 3.3e6, 0.0])
    v1 = annuity(5, 0.03) * (M - 8e6) - 6e7
    got = creator_npv(M, 8e6, 6e7, ramp_shares([], 5), 0.03)
    assert np.array_equal(got, v1)
    assert ramped_annuity(np.ones(5), 0.03) == annuity(5, 0.03)


def test_ramped_npv_and_payback_known_answer() -> None:
    # r = 0, shares 0.5, 1, 1; margin 100 a year at steady state, fixed 10, upfront 50:
    # NPV = (0.5 + 1 + 1) x 100 - 3 x 10 - 50 = 170
    # cash flows 40, 90, 90: cumulative -10, 80, 170 -> payback in year 2
    shares = ramp_shares([0.5], 3)
    assert creator_npv(np.array([100.0]), 10.0, 50.0, shares, 0.0)[0] == pytest.approx(170.0)
    pb = payback_year(np.array([100.0, 1.0]), 10.0, 50.0, shares, 0.0)
    assert pb[0] == 2.0 and np.isnan(pb[1])
