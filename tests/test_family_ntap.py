"""NTAP inpatient add-on: the rule's worked example, the 3-year horizon effect, validation
messages, and the lvo-ntap problem and script."""

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


def _one_hospital(**over: Any) -> dict[str, Any]:
    """One group of hospitals, every hospital adopts at a positive margin (no fixed cost),
    u = 1, c = 0.3, 1000 Medicare cases, DRG payment 18,000, case cost 18,400 without the
    technology (so 20,000 with it at 1,600), other gain 700 per case; creator m = 100, no
    fixed costs, 5-year horizon at r = 0, add-on for 3 years."""
    d: dict[str, Any] = {
        "name": "one-hospital",
        "family": "ntap",
        "objectives": ["payer_spend", "creator_npv", "access", "provider_margin"],
        "service": {"name": "detection", "comparator_payment": 100.0},
        "payers": [{"name": "medicare", "rate_multiplier": 1.0}],
        "segments": [{
            "name": "all", "population": 1000.0, "compliance": 0.3, "uptake": 1.0,
            "provider_cost_per_use": 0.0, "sites": 10, "fixed_cost_per_site": 0.0,
            "payer_mix": {"medicare": 1.0}, "drg_payment": 18000.0, "case_cost": 18400.0,
            "benefit_per_case": 700.0,
        }],
        "creator": {"marginal_cost": 100.0, "upfront_investment": 0.0, "annual_fixed_cost": 0.0,
                    "horizon_years": 5, "discount_rate": 0.0, "tco_volume": 1000.0},
        "value": {"wtp_per_qaly": 50000.0, "qaly_gain_per_patient": 0.0},
        "ntap": {"years": 3},
        "decisions": {"f": {"lower": 0.0, "upper": 3000.0, "step": 100.0}},
    }
    d.update(over)
    return d


@pytest.mark.parametrize(("case_cost", "f", "s", "expected"), [
    # the rule's example: cost 20,000, DRG 18,000, technology 1,600:
    # min(0.65 * (20,000 - 18,000), 0.65 * 1,600) = min(1,300, 1,040) = 1,040
    (18_400.0, 1600.0, 0.65, 1040.0),
    # cost 18,500 with the technology: min(0.65 * 500, 1,040) = 325
    (16_900.0, 1600.0, 0.65, 325.0),
    # cost 17,900 with the technology: no loss, no add-on
    (16_300.0, 1600.0, 0.65, 0.0),
    # a 50% share on the example: min(0.5 * 2,000, 0.5 * 1,600) = 800
    (18_400.0, 1600.0, 0.50, 800.0),
])
def test_add_on_per_case_known_answers(case_cost, f, s, expected) -> None:
    d = _one_hospital(ntap={"years": 3, "share": s})
    d["segments"][0]["case_cost"] = case_cost
    prob = build_problem(d)
    ev = prob.evaluate([[f]])
    assert ev.reported["ntap_per_case_all"][0] == pytest.approx(expected, abs=EXACT)


def test_three_year_limit_horizon_effect() -> None:
    prob = build_problem(_one_hospital())
    ev = prob.evaluate([[1600.0]])
    # add-on years: margin 1,040 + 700 - 1,600 - 0 = 140 > 0 -> every hospital adopts, 1,000 uses
    # after:        margin 700 - 1,600 = -900 < 0           -> nobody adopts, 0 uses
    assert ev.reported["ai_uses_ntap_years"][0] == pytest.approx(1000.0, rel=EXACT)
    assert ev.reported["ai_uses_after"][0] == 0.0
    # creator NPV at r = 0: 3 years * (1,600 - 100) * 1,000 + 2 years * 0 = 4,500,000
    assert ev.objectives["creator_npv"][0] == pytest.approx(4_500_000.0, rel=EXACT)
    assert ev.reported["creator_npv_without_ntap"][0] == pytest.approx(0.0, abs=EXACT)
    assert ev.reported["ntap_value_to_creator"][0] == pytest.approx(4_500_000.0, rel=EXACT)
    # payer spend: the technology-related payments only (the DRG amounts, 1,000 * 18,000 =
    # 18,000,000 a year, are the same with or without it), averaged over 5 years at r = 0:
    # 3/5 * 1,000 * 1,040 = 624,000 (no outlier threshold given: no outlier change)
    assert ev.objectives["payer_spend"][0] == pytest.approx(624_000.0, rel=EXACT)
    assert ev.reported["drg_spend"][0] == pytest.approx(18_000_000.0, rel=EXACT)
    assert ev.reported["budget_impact"][0] == pytest.approx(624_000.0, rel=EXACT)
    assert ev.reported["ntap_spend"][0] == pytest.approx(1_040_000.0, rel=EXACT)
    # access: 3/5 * 1.0 (all served) + 2/5 * 0.3 (today's share) = 0.72
    assert ev.objectives["access"][0] == pytest.approx(0.72, abs=EXACT)
    # provider margin: 3/5 * 1,000 * 140 + 2/5 * 0 = 84,000
    assert ev.objectives["provider_margin"][0] == pytest.approx(84_000.0, rel=EXACT)


@pytest.mark.parametrize(("years", "horizon", "expected"), [
    (2, 5, 3_000_000.0),  # 2 add-on years * 1,500,000
    (0, 5, 0.0),          # no add-on: nobody adopts
    (3, 2, 3_000_000.0),  # horizon shorter than the add-on: both years count
])
def test_add_on_counts_only_in_its_years(years, horizon, expected) -> None:
    d = _one_hospital(ntap={"years": years})
    d["creator"]["horizon_years"] = horizon
    ev = build_problem(d).evaluate([[1600.0]])
    assert ev.objectives["creator_npv"][0] == pytest.approx(expected, abs=1e-6)


def test_discounting_of_the_add_on_years() -> None:
    d = _one_hospital()
    d["creator"]["discount_rate"] = 0.05
    ev = build_problem(d).evaluate([[1600.0]])
    # 1,500,000 a year in years 1-3 only: 1.5e6 * (1/1.05 + 1/1.05^2 + 1/1.05^3)
    expected = 1.5e6 * sum(1.05 ** -t for t in (1, 2, 3))
    assert ev.objectives["creator_npv"][0] == pytest.approx(expected, rel=EXACT)


def test_spend_discounted_like_the_creator_npv() -> None:
    d = _one_hospital()
    d["creator"]["discount_rate"] = 0.05
    ev = build_problem(d).evaluate([[1600.0]])
    # add-on 1,040,000 a year in years 1-3, 0 in years 4-5; discount factors 1.05^-t:
    # PV = 1,040,000 * (1/1.05 + 1/1.05^2 + 1/1.05^3) = 1,040,000 * 2.7232480 = 2,832,177.9
    # payer_spend = PV / annuity(5, 5%) = 2,832,177.9 / 4.3294767 = 654,161.7 a year
    pv = 1_040_000.0 * sum(1.05 ** -t for t in (1, 2, 3))
    ann5 = sum(1.05 ** -t for t in range(1, 6))
    assert ev.reported["payer_spend_pv"][0] == pytest.approx(pv, rel=EXACT)
    assert ev.objectives["payer_spend"][0] == pytest.approx(pv / ann5, rel=EXACT)
    assert ev.objectives["payer_spend"][0] == pytest.approx(654_161.7, abs=0.1)
    # undiscounted mean: 3/5 * 1,040,000 = 624,000
    assert ev.reported["payer_spend_undiscounted"][0] == pytest.approx(624_000.0, rel=EXACT)


def test_outlier_payments_change_with_the_technology() -> None:
    # case cost 48,000 without the technology, 49,600 with it at 1,600; DRG 18,000;
    # fixed-loss 29,064; factor 0.8.
    # today: 0.8 * (48,000 - 18,000 - 29,064) = 0.8 * 936 = 748.8
    # add-on years: excess 31,600 -> add-on min(0.65 * 31,600, 0.65 * 1,600) = 1,040;
    #   outlier 0.8 * (49,600 - 18,000 - 1,040 - 29,064) = 0.8 * 1,496 = 1,196.8;
    #   change 1,196.8 - 748.8 = 448
    # after: 0.8 * (49,600 - 18,000 - 29,064) = 0.8 * 2,536 = 2,028.8; change 1,280
    d = _one_hospital(ntap={"years": 3, "outlier_fixed_loss": 29_064.0})
    d["segments"][0]["case_cost"] = 48_000.0
    ev = build_problem(d).evaluate([[1600.0]])
    assert ev.reported["outlier_change_per_case_all"][0] == pytest.approx(448.0, abs=1e-9)
    # margin add-on years 1,040 + 448 + 700 - 1,600 = 588 > 0: all adopt, 1,000 uses;
    # after 1,280 + 700 - 1,600 = 380 > 0: all adopt
    assert ev.reported["outlier_change_ntap_years"][0] == pytest.approx(448_000.0, rel=EXACT)
    assert ev.reported["outlier_change_after"][0] == pytest.approx(1_280_000.0, rel=EXACT)
    # payer spend at r = 0: (3 * (1,040,000 + 448,000) + 2 * 1,280,000) / 5 = 1,404,800
    assert ev.objectives["payer_spend"][0] == pytest.approx(1_404_800.0, rel=EXACT)


def test_share_is_statutory_not_a_decision() -> None:
    d = _one_hospital()
    d["decisions"]["s"] = {"lower": 0.0, "upper": 0.65, "step": 0.05}
    e = _err(d)
    assert e.parameter.startswith("decisions") and "[ntap] share" in str(e)
    assert build_problem(_one_hospital()).n_var == 1


def test_only_medicare_cases_get_the_add_on() -> None:
    d = _one_hospital(payers=[{"name": "medicare", "rate_multiplier": 1.0},
                              {"name": "commercial", "rate_multiplier": 2.0}])
    d["segments"][0]["payer_mix"] = {"medicare": 0.5, "commercial": 0.5}
    ev = build_problem(d).evaluate([[1600.0]])
    # margin in add-on years: 0.5 * 1,040 + 700 - 1,600 = -380 < 0: nobody adopts
    assert ev.reported["ai_uses_ntap_years"][0] == 0.0
    # nobody adopts: no technology-related payment; DRG spend 1,000 * (0.5 * 1 + 0.5 * 2) *
    # 18,000 = 27,000,000 is reported, not counted
    assert ev.objectives["payer_spend"][0] == 0.0
    assert ev.reported["drg_spend"][0] == pytest.approx(27_000_000.0, rel=EXACT)


def test_guardrails_cap_the_largest_add_on() -> None:
    d = _one_hospital(guardrails={"cap_cost_effective": True, "ntap_budget":
                                  {"enabled": True, "budget": 500_000.0}})
    d["value"] = {"wtp_per_qaly": 50000.0, "qaly_gain_per_patient": 0.02}  # v_cea = 1,000
    prob = build_problem(d)
    ev = prob.evaluate([[1600.0], [1500.0]])
    # add-on 1,040 > 1,000 breaks the cap by 40; 0.65 * 1,500 = 975 is inside it
    np.testing.assert_allclose(ev.constraints["cap_cost_effective"], [40.0, -25.0])
    # add-on spend 1,040,000 and 975,000 a year, both above the 500,000 budget
    np.testing.assert_allclose(ev.constraints["ntap_budget"], [540_000.0, 475_000.0])
    assert not prob.feasible(ev).any()


def _err(d) -> ParameterError:
    with pytest.raises(ParameterError) as info:
        build_problem(d)
    return info.value


def test_more_than_three_years_names_the_parameter() -> None:
    e = _err(_one_hospital(ntap={"years": 4}))
    assert e.parameter == "ntap.years"
    assert "<= 3" in str(e) and "Got 4" in str(e)


def test_share_above_rule_names_the_parameter() -> None:
    e = _err(_one_hospital(ntap={"years": 3, "share": 0.8}))
    assert e.parameter == "ntap.share"
    assert "0.75" in str(e)


def test_negative_drg_payment_and_missing_medicare() -> None:
    d = _one_hospital()
    d["segments"][0]["drg_payment"] = -1.0
    assert _err(d).parameter == "segments[0].drg_payment"
    d = _one_hospital(payers=[{"name": "commercial", "rate_multiplier": 2.0}])
    d["segments"][0]["payer_mix"] = {"commercial": 1.0}
    assert "medicare" in str(_err(d))
    d = _one_hospital(guardrails={"budget_access_max": True})
    e = _err(d)
    assert e.parameter == "guardrails.budget_access_max" and "ntap_budget" in str(e)


def test_inputs_not_mutated_and_bounds_change() -> None:
    d = _one_hospital()
    before = copy.deepcopy(d)
    prob = build_problem(d)
    assert d == before
    other = prob.with_bounds({"f": {"lower": 1000.0, "upper": 2000.0, "step": 500.0}})
    assert other.family == "ntap" and other.upper[0] == 2000.0 and prob.upper[0] == 3000.0


def test_lvo_ntap_reproduces_the_viz_figure() -> None:
    prob = load_problem("lvo-ntap")
    ev = prob.evaluate([[1600.0]])
    # comprehensive centres' case is the worked example: 0.65 * 1,600 = 1,040 (CMS FY2021)
    assert ev.reported["ntap_per_case_comprehensive_center"][0] == pytest.approx(1040.0)
    # primary: cost 8,480 + 20 + 1,600 = 10,100 vs DRG 9,000: 0.65 * 1,100 = 715
    assert ev.reported["ntap_per_case_primary_center"][0] == pytest.approx(715.0)


def test_lvo_ntap_script_runs(tmp_path) -> None:
    from paretoprice.problems import lvo_ntap

    result = lvo_ntap.main(["--out", str(tmp_path), "--quick"])
    df = pd.read_csv(tmp_path / "front.csv")
    for name in ("payer_spend", "creator_npv", "access", "provider_margin"):
        assert name in df.columns
    assert len(df) >= 1
    assert "horizon years" in result.text
