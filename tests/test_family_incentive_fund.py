"""Incentive fund: known answers for a time-limited listing that buys the evidence for a
permanent listing, tier schedules, yearly cuts and grants per adopting site, the fund's
guardrails, validation messages, and the korea-ai-fund problem and script."""

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


def _one_tier(**over: Any) -> dict[str, Any]:
    """One tier over a 2-year horizon: 1,000 exams a year, u = 1, 10 sites (q = 100 exams a
    site), k = 0, fixed cost 20,000 a site-year (uniform: share = margin / 40,000). The
    creator charges 100 per use (m = 0, F = O = 0, r = 0). Insurance pays nothing during the
    listing and 300 per use once listed; 2,000 uses make the listing certain."""
    d: dict[str, Any] = {
        "name": "fund",
        "family": "incentive_fund",
        "currency": "KRW",
        "objectives": ["payer_spend", "creator_npv", "access", "provider_margin"],
        "service": {"name": "AI reading", "creator_fee": 100.0, "permanent_payment": 300.0,
                    "evidence_uses": 2000.0},
        "tiers": [{"name": "all", "population": 1000.0, "uptake": 1.0,
                   "provider_cost_per_use": 0.0, "sites": 10, "fixed_cost_per_site": 20000.0}],
        "creator": {"marginal_cost": 0.0, "upfront_investment": 0.0, "annual_fixed_cost": 0.0,
                    "horizon_years": 2, "discount_rate": 0.0, "tco_volume": 1000.0},
        "value": {"wtp_per_qaly": 0.0, "qaly_gain_per_patient": 0.0},
        "decisions": {"a": {"lower": 0.0, "upper": 1000.0, "step": 250.0},
                      "years": {"lower": 1.0, "upper": 2.0, "step": 1.0}},
    }
    d.update(over)
    return d


def test_listing_buys_the_evidence_for_insurance() -> None:
    prob = build_problem(_one_tier())
    assert prob.decision_names == ["a", "schedule", "grant", "years", "cut"]
    assert prob.objective_units[0] == "KRW per year"
    ev = prob.evaluate([[500.0, 0.0, 0.0, 1.0, 0.0]])
    # year 1 (listed): margin 500 - 100 = 400 a use, 40,000 a site -> every site adopts,
    # 1,000 uses; adopters' fixed cost 40,000^2 / (4 * 20,000) = 20,000 a site
    # evidence 1,000 / 2,000 -> listed with probability 0.5: insurance pays 150 in year 2
    assert ev.reported["listing_probability"][0] == pytest.approx(0.5, rel=EXACT)
    # year 2: margin 150 - 100 = 50 a use, 5,000 a site -> share 5,000 / 40,000 = 0.125,
    # 125 uses; fixed cost 5,000^2 / 80,000 = 312.5 a site
    assert ev.reported["ai_uses_after"][0] == pytest.approx(125.0, rel=EXACT)
    # spend: fund 1,000 * 500 = 500,000 in year 1, insurance 125 * 150 = 18,750 in year 2
    assert ev.reported["fund_total"][0] == pytest.approx(500000.0, rel=EXACT)
    assert ev.objectives["payer_spend"][0] == pytest.approx(259375.0, rel=EXACT)
    # creator 100 * (1,000 + 125); access mean(1, 0.125)
    assert ev.objectives["creator_npv"][0] == pytest.approx(112500.0, rel=EXACT)
    assert ev.objectives["access"][0] == pytest.approx(0.5625, rel=EXACT)
    # hospitals: year 1 400,000 - 200,000; year 2 6,250 - 3,125 -> mean 101,562.5
    assert ev.objectives["provider_margin"][0] == pytest.approx(101562.5, rel=EXACT)
    assert ev.reported["fund_per_use"][0] == pytest.approx(500.0, rel=EXACT)


def test_patient_copay_cuts_insurer_spend_and_uptake() -> None:
    d = _one_tier()
    d["service"]["patient_copay"] = {"share": 0.9, "uptake_response": 0.5}
    ev = build_problem(d).evaluate([[500.0, 0.0, 0.0, 1.0, 0.0]])
    # year 1 (listed, insurance pays 0 so the patient pays 0): as without a copay,
    # 1,000 uses, listing probability 0.5, expected insurance payment 150 in year 2
    # year 2: the patient pays 90% with probability 0.5: uptake factor 1 - 0.5 * 0.9 * 0.5
    # = 0.775; a site's margin 0.775 * 100 * (150 - 100) = 3,875 -> share 3,875 / 40,000
    # = 0.096875; uses 1,000 * 0.775 * 0.096875 = 75.078125
    assert ev.reported["ai_uses_after"][0] == pytest.approx(75.078125, rel=EXACT)
    assert ev.reported["uptake_factor"][0] == pytest.approx((1.0 + 0.775) / 2, rel=EXACT)
    # insurer pays 10% of 150 = 15 a use: 75.078125 * 15 = 1,126.171875 in year 2;
    # payer spend mean(500,000, 1,126.171875) = 250,563.0859375
    assert ev.objectives["payer_spend"][0] == pytest.approx(250563.0859375, rel=EXACT)
    # patients pay 0.9 * 150 * 75.078125 = 10,135.546875 in year 2, mean 5,067.7734375
    assert ev.reported["patient_spend"][0] == pytest.approx(5067.7734375, rel=EXACT)
    # access mean(1, 0.075078125); creator 100 * 1,075.078125
    assert ev.objectives["access"][0] == pytest.approx(0.5375390625, rel=EXACT)
    assert ev.objectives["creator_npv"][0] == pytest.approx(107507.8125, rel=EXACT)
    # hospitals keep the whole 150 (insurer + patient): year 2 75.078125 * 50 - 10 *
    # 3,875^2 / 80,000 = 3,753.90625 - 1,876.953125; mean with year 1's 200,000
    assert ev.objectives["provider_margin"][0] == pytest.approx(100938.4765625, rel=EXACT)


def test_copay_of_zero_changes_nothing_and_bad_share_is_named() -> None:
    base = build_problem(_one_tier()).evaluate([[500.0, 0.0, 0.0, 1.0, 0.0]])
    d = _one_tier()
    d["service"]["patient_copay"] = {"share": 0.0, "uptake_response": 0.5}
    ev = build_problem(d).evaluate([[500.0, 0.0, 0.0, 1.0, 0.0]])
    for k, v in base.objectives.items():
        assert np.array_equal(ev.objectives[k], v)
    d["service"]["patient_copay"] = {"share": 1.5}
    with pytest.raises(ParameterError) as info:
        build_problem(d)
    assert info.value.parameter == "service.patient_copay.share"


def _two_tiers(**over: Any) -> dict[str, Any]:
    """Two tiers, no fixed cost (a site adopts when its year's margin is positive), k = 0:
    'big' 1,000 exams at 10 sites, 'small' 500 exams at 50 sites. Schedule 'tilt' pays big
    1x and small 0.5x the base add-on. Horizon 3 years; no insurance payment at all."""
    d = _one_tier(**over)
    d["service"] = {"name": "AI reading", "creator_fee": 100.0, "evidence_uses": 1.0}
    d["tiers"] = [
        {"name": "big", "population": 1000.0, "uptake": 1.0, "provider_cost_per_use": 0.0,
         "sites": 10, "fixed_cost_per_site": 0.0},
        {"name": "small", "population": 500.0, "uptake": 1.0, "provider_cost_per_use": 0.0,
         "sites": 50, "fixed_cost_per_site": 0.0},
    ]
    d["schedules"] = [{"name": "flat", "ratios": {"big": 1.0, "small": 1.0}},
                      {"name": "tilt", "ratios": {"big": 1.0, "small": 0.5}}]
    d["creator"] = dict(d["creator"], horizon_years=3)
    d["decisions"] = {"a": {"lower": 0.0, "upper": 400.0, "step": 100.0},
                      "grant": {"lower": 0.0, "upper": 1000.0, "step": 500.0},
                      "years": {"lower": 1.0, "upper": 3.0, "step": 1.0},
                      "cut": {"lower": 0.0, "upper": 0.5, "step": 0.5}}
    return d


def test_schedule_cut_and_grant() -> None:
    prob = build_problem(_two_tiers())
    ev = prob.evaluate([[400.0, 1.0, 1000.0, 2.0, 0.5]])
    # add-ons: big 400 then 200 (cut 50%), small 200 then 100; listing ends after year 2.
    # year 1: margins 300 and 100 -> both adopt; year 2: 100 and 0, but the 1,000 grant
    # makes the small sites' year positive -> both adopt; year 3: -100, no grant -> none
    assert ev.reported["addon_small"][0] == pytest.approx(200.0, rel=EXACT)
    # fund: year 1 1,000 * 400 + 10 * 1,000 + 500 * 200 + 50 * 1,000 = 560,000;
    # year 2 1,000 * 200 + 10,000 + 500 * 100 + 50,000 = 310,000
    assert ev.reported["fund_total"][0] == pytest.approx(870000.0, rel=EXACT)
    assert ev.reported["fund_peak"][0] == pytest.approx(560000.0, rel=EXACT)
    assert ev.reported["fund_grants"][0] == pytest.approx(120000.0, rel=EXACT)
    assert ev.objectives["payer_spend"][0] == pytest.approx(870000.0 / 3, rel=EXACT)
    # served 2 of 3 years everywhere
    assert ev.objectives["access"][0] == pytest.approx(2 / 3, rel=EXACT)
    assert ev.objectives["equity"][0] == pytest.approx(2 / 3, rel=EXACT)
    # without the grant the small sites' zero margin in year 2 does not make them adopt
    ev0 = prob.evaluate([[400.0, 1.0, 0.0, 2.0, 0.5]])
    assert ev0.reported["coverage_small"][0] == pytest.approx(1 / 3, rel=EXACT)
    # whole-number decisions are rounded (evolutionary backends): 1.4 years -> 1, 0.6 -> tilt
    a = prob.evaluate([[400.0, 0.6, 0.0, 1.4, 0.0]]).objectives["payer_spend"]
    b = prob.evaluate([[400.0, 1.0, 0.0, 1.0, 0.0]]).objectives["payer_spend"]
    assert a[0] == b[0]
    assert prob.schedule_ratios("tilt") == {"big": 1.0, "small": 0.5}


def test_guardrails() -> None:
    d = _one_tier(guardrails={"fund_budget": {"enabled": True, "budget": 400000.0},
                              "evidence_goal": True, "equity_floor": {"enabled": True,
                                                                      "min_coverage": 0.5}})
    prob = build_problem(d)
    ev = prob.evaluate([[500.0, 0.0, 0.0, 1.0, 0.0], [500.0, 0.0, 0.0, 2.0, 0.0]])
    # fund: 500,000 over one year; two listed years pay 1,000,000
    np.testing.assert_allclose(ev.constraints["fund_budget"], [100000.0, 600000.0])
    # evidence: 1,000 and 2,000 uses of 2,000 needed
    np.testing.assert_allclose(ev.constraints["evidence_goal"], [1000.0, 0.0])
    np.testing.assert_allclose(ev.constraints["equity_floor"], [0.5 - 0.5625, 0.5 - 1.0])
    assert prob.feasible(ev).tolist() == [False, False]
    yearly = build_problem(_one_tier(guardrails={"fund_budget": {
        "enabled": True, "budget": 500000.0, "period": "year"}}))
    ev = yearly.evaluate([[500.0, 0.0, 0.0, 2.0, 0.0]])
    assert ev.constraints["fund_budget"][0] == pytest.approx(0.0, abs=1e-6)
    assert yearly.feasible(ev).tolist() == [True]


def _err(d: dict[str, Any]) -> ParameterError:
    with pytest.raises(ParameterError) as info:
        build_problem(d)
    return info.value


def test_validation_messages() -> None:
    d = _two_tiers()
    d["schedules"][1]["ratios"] = {"big": 1.0}
    e = _err(d)
    assert e.parameter == "schedules" and "missing ['small']" in str(e)
    d = _one_tier()
    d["decisions"]["years"] = {"lower": 1.0, "upper": 4.0, "step": 1.0}
    e = _err(d)
    assert e.parameter == "decisions" and "horizon" in str(e) and "4" in str(e)
    d = _one_tier()
    d["decisions"]["years"] = {"lower": 0.5, "upper": 2.0, "step": 0.5}
    assert "whole years" in str(_err(d))
    d = _one_tier()
    d["decisions"]["cut"] = {"lower": 0.0, "upper": 1.0, "step": 0.5}
    e = _err(d)
    assert e.parameter == "decisions.cut" and "[0, 1)" in str(e)
    d = _one_tier()
    d["decisions"]["a"] = {"lower": -100.0, "upper": 100.0, "step": 100.0}
    assert "start it at 0" in str(_err(d))
    e = _err(_one_tier(currency="won"))
    assert e.parameter == "currency"
    e = _err(_one_tier(guardrails={"evidence": True}))
    assert e.parameter == "guardrails.evidence" and "evidence_goal" in str(e)


def test_inputs_not_mutated_and_bounds_change() -> None:
    d = _two_tiers()
    before = copy.deepcopy(d)
    prob = build_problem(d)
    assert d == before
    only_tilt = prob.with_bounds({"schedule": {"lower": 1.0, "upper": 1.0}})
    assert only_tilt.schedule_names == ("tilt",)
    assert prob.schedule_names == ("flat", "tilt")
    with pytest.raises(ParameterError):
        prob.with_bounds({"schedule": {"lower": 5.0, "upper": 6.0}})


def test_korea_ai_fund_problem() -> None:
    prob = load_problem("korea-ai-fund")
    assert prob.currency == "KRW" and prob.family == "incentive_fund"
    # the PACS 2003 tiers at a 3,000 KRW base give 2,399 / 2,100 / 1,500 KRW
    pacs = prob.schedule_ratios("pacs_2003")
    assert [round(3000 * pacs[t]) for t in ("tertiary", "general", "clinic")] == \
        [2399, 2100, 1500]
    assert prob.spec.service.permanent_payment == 1180.0
    assert prob.anchors()["marginal_cost"].unit == "KRW per use"


def test_korea_ai_fund_script_runs(tmp_path) -> None:
    from paretoprice.problems import korea_ai_fund

    result = korea_ai_fund.main(["--out", str(tmp_path), "--quick"])
    df = pd.read_csv(tmp_path / "front.csv")
    for name in ("payer_spend", "access", "equity", "provider_margin", "creator_npv"):
        assert name in df.columns
    assert (df["fund_total"] <= 100e9 * (1 + 1e-9)).all()  # the fund's cap
    assert "a = 1,180.00 KRW per use" in result.text
    assert "PACS-style design" in result.text
