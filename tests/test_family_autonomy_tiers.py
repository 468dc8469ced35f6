"""Autonomy tiers: known answers for tier choice and payments, the monotonicity guardrail,
validation messages, and the autonomy-tiers problem and script."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.problems import load_problem

EXACT = 1e-9  # pure arithmetic: only rounding error


def _one_setting(**over: Any) -> dict[str, Any]:
    """One setting: n = 1000, u = 1, c = 0.3, v_c = 175, 10 sites (q = 100 uses per site), no
    site fixed cost (every site adopts when the best tier's margin is positive), k = 0.
    Tiers: physician work 0.4 / 0.2 / 0; extra site cost 0 / 0 / 1,000 a year; extra creator
    cost 0 / 1 / 3 per use; physician cost of a full exam 120. Creator m = 0, F = O = 0,
    5 years at r = 0."""
    d: dict[str, Any] = {
        "name": "tiers",
        "family": "autonomy_tiers",
        "objectives": ["payer_spend", "creator_npv", "access", "provider_margin"],
        "service": {"name": "exam", "comparator_payment": 175.0},
        "payers": [{"name": "medicare", "rate_multiplier": 1.0}],
        "segments": [{
            "name": "all", "population": 1000.0, "compliance": 0.3, "uptake": 1.0,
            "provider_cost_per_use": 0.0, "sites": 10, "fixed_cost_per_site": 0.0,
            "payer_mix": {"medicare": 1.0},
        }],
        "tiers": {
            "physician_cost_per_use": 120.0,
            "assistive": {"physician_work": 0.4},
            "augmentative": {"physician_work": 0.2, "extra_creator_cost": 1.0},
            "autonomous": {"physician_work": 0.0, "extra_fixed_cost_per_site": 1000.0,
                           "extra_creator_cost": 3.0},
        },
        "creator": {"marginal_cost": 0.0, "upfront_investment": 0.0, "annual_fixed_cost": 0.0,
                    "horizon_years": 5, "discount_rate": 0.0, "tco_volume": 1000.0},
        "value": {"wtp_per_qaly": 50000.0, "qaly_gain_per_patient": 0.0},
        "decisions": {
            "p_assistive": {"lower": 0.0, "upper": 100.0, "step": 10.0},
            "p_augmentative": {"lower": 0.0, "upper": 100.0, "step": 10.0},
            "p_autonomous": {"lower": 0.0, "upper": 100.0, "step": 10.0},
            "f": {"lower": 0.0, "upper": 50.0, "step": 10.0},
        },
        "guardrails": {"tier_monotonicity": True, "cap_substitution": True},
    }
    d.update(over)
    return d


def test_sites_choose_the_tier_that_earns_most() -> None:
    prob = build_problem(_one_setting())
    ev = prob.evaluate([[20.0, 30.0, 40.0, 10.0, 0.0]])
    # Medicare payment per use p_t + w_t * 175: 20 + 70 = 90, 30 + 35 = 65, 40 + 0 = 40
    # margin per use minus physician cost w_t * 120: 90 - 10 - 48 = 32, 65 - 10 - 24 = 31,
    # 40 - 10 - 0 = 30; per site a year (q = 100) minus extra fixed cost: 3,200, 3,100, 2,000
    # -> assistive; every site adopts (no site fixed cost), 1,000 uses
    assert ev.reported["tier_all"][0] == 1.0
    assert ev.objectives["payer_spend"][0] == pytest.approx(90_000.0, rel=EXACT)
    assert ev.objectives["provider_margin"][0] == pytest.approx(32_000.0, rel=EXACT)
    # creator: 5 years * (10 - 0 - 0) * 1,000 = 50,000
    assert ev.objectives["creator_npv"][0] == pytest.approx(50_000.0, rel=EXACT)
    # physician: 0.4 * 175 = 70 per use -> 70,000 a year; share of the payment 70 / 90
    assert ev.reported["physician_payments"][0] == pytest.approx(70_000.0, rel=EXACT)
    assert ev.reported["physician_share_assistive"][0] == pytest.approx(70 / 90, rel=EXACT)
    assert ev.reported["physician_share_augmentative"][0] == pytest.approx(35 / 65, rel=EXACT)
    assert ev.reported["physician_share_autonomous"][0] == 0.0
    assert ev.reported["mean_physician_work"][0] == pytest.approx(0.4, rel=EXACT)


def test_a_higher_autonomous_price_can_lower_spend() -> None:
    prob = build_problem(_one_setting())
    ev = prob.evaluate([[20.0, 30.0, 70.0, 10.0, 0.0]])
    # autonomous: margin 70 - 10 = 60 per use, 6,000 - 1,000 = 5,000 a site > 3,200: chosen
    assert ev.reported["tier_all"][0] == 3.0
    assert ev.reported["ai_uses_autonomous"][0] == pytest.approx(1000.0, rel=EXACT)
    # the payer pays 70 per use instead of 90: 70,000 a year, though the AI price rose 20 -> 70
    assert ev.objectives["payer_spend"][0] == pytest.approx(70_000.0, rel=EXACT)
    # providers: 1,000 * 60 - 10 sites * 1,000 extra fixed cost = 50,000
    assert ev.objectives["provider_margin"][0] == pytest.approx(50_000.0, rel=EXACT)
    # creator bears 3 per autonomous use: 5 * (10 - 3) * 1,000 = 35,000
    assert ev.objectives["creator_npv"][0] == pytest.approx(35_000.0, rel=EXACT)
    assert ev.reported["physician_payments"][0] == 0.0


def test_no_adoption_leaves_the_human_service() -> None:
    prob = build_problem(_one_setting())
    ev = prob.evaluate([[0.0, 0.0, 0.0, 50.0, 0.0]])
    # margins 70 - 50 - 48 = -28, 35 - 50 - 24 = -39, -50: nobody adopts; H = 300 exams at 175
    assert ev.reported["tier_all"][0] == 0.0
    assert ev.objectives["payer_spend"][0] == pytest.approx(52_500.0, rel=EXACT)
    assert ev.objectives["access"][0] == pytest.approx(0.3, abs=EXACT)
    assert np.isnan(ev.reported["mean_physician_work"][0])


def test_tier_monotonicity_guardrail() -> None:
    prob = build_problem(_one_setting())
    X = [[30.0, 20.0, 40.0, 10.0, 0.0],   # assistive above augmentative by 10
         [20.0, 30.0, 70.0, 10.0, 0.0],   # rising by 10 and 40: slack 10
         [20.0, 20.0, 20.0, 10.0, 0.0]]   # equal prices are allowed
    ev = prob.evaluate(X)
    np.testing.assert_allclose(ev.constraints["tier_monotonicity"], [10.0, -10.0, 0.0])
    assert prob.feasible(ev).tolist() == [False, True, True]
    # cap_substitution bounds the largest payment per use, max_t p_t + w_t 175:
    # row 1: max(30 + 70, 20 + 35, 40) = 100 -> 100 - 175 = -75
    assert ev.constraints["cap_substitution"][0] == pytest.approx(-75.0)
    off = build_problem(_one_setting(guardrails={"tier_monotonicity": False}))
    assert off.feasible(off.evaluate(X)).all()
    assert "tier_monotonicity" not in {g.name for g in off.guardrails}


def _err(d) -> ParameterError:
    with pytest.raises(ParameterError) as info:
        build_problem(d)
    return info.value


def test_physician_work_out_of_range_names_the_parameter() -> None:
    d = _one_setting()
    d["tiers"]["assistive"]["physician_work"] = 1.5
    e = _err(d)
    assert e.parameter == "tiers.assistive.physician_work"
    assert "<= 1" in str(e) and "1.5" in str(e)


def test_physician_work_must_shrink_with_autonomy() -> None:
    d = _one_setting()
    d["tiers"]["assistive"]["physician_work"] = 0.1
    e = _err(d)
    assert e.parameter == "tiers"
    assert "must not grow with autonomy" in str(e) and "0.1, 0.2, 0" in str(e)


def test_unknown_guardrail_and_missing_tier() -> None:
    e = _err(_one_setting(guardrails={"tier_monotonic": True}))
    assert e.parameter == "guardrails.tier_monotonic"
    assert "tier_monotonicity" in str(e)
    d = _one_setting()
    del d["tiers"]["autonomous"]
    assert _err(d).parameter == "tiers.autonomous"
    d = _one_setting()
    del d["decisions"]["p_augmentative"]
    assert _err(d).parameter == "decisions.p_augmentative"


def test_inputs_not_mutated_and_bounds_change() -> None:
    d = _one_setting()
    before = copy.deepcopy(d)
    prob = build_problem(d)
    assert d == before
    other = prob.with_bounds({"p_autonomous": {"lower": 40.0, "upper": 60.0, "step": 10.0}})
    assert other.family == "autonomy_tiers" and other.lower[2] == 40.0 and prob.lower[2] == 0.0


def test_autonomy_tiers_problem_uses_the_92229_work_rvu() -> None:
    prob = load_problem("autonomy-tiers")
    assert prob.spec.tiers.autonomous.physician_work == 0.0
    assert prob.decision_names[:4] == ["p_assistive", "p_augmentative", "p_autonomous", "f"]
    assert prob.anchors()["access_maximizing"].value == pytest.approx(52.5, abs=1e-9)


def test_autonomy_tiers_script_runs(tmp_path) -> None:
    from paretoprice.problems import autonomy_tiers

    result = autonomy_tiers.main(["--out", str(tmp_path), "--quick"])
    df = pd.read_csv(tmp_path / "front.csv")
    for name in ("payer_spend", "creator_npv", "access", "provider_margin"):
        assert name in df.columns
    assert len(df) >= 1
    # every front point obeys the monotonicity guardrail of the bundled problem
    assert (df["p_assistive"] <= df["p_augmentative"]).all()
    assert (df["p_augmentative"] <= df["p_autonomous"]).all()
    assert "monotonicity" in result.text
