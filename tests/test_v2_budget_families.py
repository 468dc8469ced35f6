"""Model v2 budget impact (adoption ramp, spend by payer) and patient copay in the families
other than fee-for-service: category_iii, value_based, autonomy_tiers, incentive_fund and
addon_fund. Every expected number is computed by hand in the comments (discount rate 0
unless said, so "discounted" sums are plain sums)."""

from __future__ import annotations

import numpy as np
import pytest

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.problems import load_problem
from tests.test_family_addon_fund import two_segment_dict
from tests.test_family_autonomy_tiers import _one_setting as tiers_setting
from tests.test_family_category_iii import _cat3
from tests.test_family_incentive_fund import _one_tier
from tests.test_family_value_based import _one_setting as value_setting

EXACT = 1e-9


def _years(ev, n: int) -> list[float]:
    return [float(ev.reported[f"budget_impact_year{t}"][0]) for t in range(1, n + 1)]


def test_value_based_ramp_known_answer() -> None:
    # _one_setting at X = (400, 0.5, 0.5, 100): 250 enrolled, payer_spend 36,250 (see
    # test_family_value_based); today 1,000 x 0.2 x 100 = 20,000 -> steady impact 16,250.
    # Ramp 20% then 60% then steady over 5 years: 3,250; 9,750; 16,250 x 3 -> sum 61,750.
    # Creator: margin 100 x 250 = 25,000 a year at steady state, ramped annuity
    # 0.2 + 0.6 + 3 = 3.8 -> NPV 95,000 (immediate: 5 x 25,000 = 125,000).
    prob = build_problem(value_setting(ramp={"shares": [0.2, 0.6]}))
    X = np.array([[400.0, 0.5, 0.5, 100.0]])
    ev = prob.evaluate(X)
    assert ev.objectives["payer_spend"][0] == pytest.approx(36_250.0, rel=EXACT)
    assert _years(ev, 5) == pytest.approx([3_250.0, 9_750.0] + [16_250.0] * 3, rel=EXACT)
    assert ev.reported["budget_impact_discounted"][0] == pytest.approx(61_750.0, rel=EXACT)
    assert ev.reported["spend_medicare"][0] == pytest.approx(36_250.0, rel=EXACT)
    assert ev.objectives["creator_npv"][0] == pytest.approx(95_000.0, rel=EXACT)
    bi = prob.budget_impact(X)
    assert bi.impact["medicare"][0, :2].tolist() == pytest.approx([3_250.0, 9_750.0])
    immediate = build_problem(value_setting()).evaluate(X)
    assert immediate.objectives["creator_npv"][0] == pytest.approx(125_000.0, rel=EXACT)
    assert "budget_impact_year1" not in immediate.reported  # v1 keys without a ramp


def test_autonomy_tiers_ramp_known_answer() -> None:
    # p = (0, 0, 50), f = 10: margins per site a year 100 x 12 = 1,200 (assistive:
    # 0.4 x 175 - 10 - 0.4 x 120), 100 x 1 = 100 (augmentative), 100 x 40 - 1,000 = 3,000
    # (autonomous) -> autonomous, every site adopts: U = 1,000, H = 0.
    # payer_spend 1,000 x 50 = 50,000; today 300 x 175 = 52,500 -> steady impact -2,500;
    # ramp 50% in year 1: -1,250, then -2,500 x 4 -> sum -11,250.
    # Creator (10 - 3) x 1,000 = 7,000 a year, ramped annuity 4.5 -> 31,500.
    prob = build_problem(tiers_setting(ramp={"shares": [0.5]}))
    X = np.array([[0.0, 0.0, 50.0, 10.0, 0.0]])
    ev = prob.evaluate(X)
    assert ev.reported["tier_all"][0] == 3.0
    assert _years(ev, 5) == pytest.approx([-1_250.0] + [-2_500.0] * 4, rel=EXACT)
    assert ev.reported["budget_impact_discounted"][0] == pytest.approx(-11_250.0, rel=EXACT)
    assert ev.reported["spend_medicare"][0] == pytest.approx(50_000.0, rel=EXACT)
    assert ev.reported["spend_fund"][0] == 0.0
    assert ev.objectives["creator_npv"][0] == pytest.approx(31_500.0, rel=EXACT)
    assert prob.budget_impact(X).today["medicare"] == pytest.approx(52_500.0)


def test_addon_fund_copay_and_ramp_known_answer() -> None:
    # Insurer pays p = 100 a use; the patient pays 90% of it (insurer 10), uptake response
    # 1/3 -> uptake factor 1 - 0.9/3 = 0.7. Add-ons (400, 0):
    #   x: margin 100 + 400 - 300 - 100 = 100 > 0, no fixed cost -> A = 1,
    #      U = 1,000 x 0.5 x 0.7 = 350, H = 0
    #   y: margin 100 - 300 - 50 < 0 -> nobody; no comparator there.
    # insurer 350 x 10 = 3,500; fund 350 x 400 = 140,000; payer_spend 143,500;
    # patients 350 x 90 = 31,500; access (350 + 2 x 0) / (1,000 + 2 x 2,000) = 0.07.
    # Budget: today the insurer pays 100 x 1,000 = 100,000 (x's comparator), the fund 0:
    #   steady impact -96,500 + 140,000 = 43,500; ramp 50% in year 1 (horizon 2):
    #   21,750 then 43,500, sum 65,250.
    # Creator: (300 - 50) x 350 = 87,500 a year, ramped annuity 1.5 -> 131,250, minus
    #   2 x 1,000 + 10,000 -> 119,250.
    d = two_segment_dict(ramp={"shares": [0.5]})
    d["service"]["patient_copay"] = {"share": 0.9, "uptake_response": 1 / 3}
    prob = build_problem(d)
    X = np.array([[400.0, 0.0]])
    ev = prob.evaluate(X)
    r = ev.reported
    assert r["ai_uses"][0] == pytest.approx(350.0, rel=EXACT)
    assert r["insurance_spend"][0] == pytest.approx(3_500.0, rel=EXACT)
    assert r["fund_spend"][0] == pytest.approx(140_000.0, rel=EXACT)
    assert ev.objectives["payer_spend"][0] == pytest.approx(143_500.0, rel=EXACT)
    assert r["patient_spend"][0] == pytest.approx(31_500.0, rel=EXACT)
    assert r["uptake_factor"][0] == pytest.approx(0.7, rel=EXACT)
    assert ev.objectives["access"][0] == pytest.approx(0.07, rel=EXACT)
    assert _years(ev, 2) == pytest.approx([21_750.0, 43_500.0], rel=EXACT)
    assert r["budget_impact_discounted"][0] == pytest.approx(65_250.0, rel=EXACT)
    assert r["spend_insurer"][0] == pytest.approx(3_500.0, rel=EXACT)
    assert ev.objectives["creator_npv"][0] == pytest.approx(119_250.0, rel=EXACT)
    bi = prob.budget_impact(X)
    assert bi.impact["fund"][0].tolist() == pytest.approx([70_000.0, 140_000.0])
    # the exact form carries the copay: same answer from the separable terms
    terms = prob.separable_terms()
    assert terms.sums["patient_spend"][0][2] == pytest.approx(31_500.0, rel=EXACT)


def test_addon_fund_korean_listing_insurer_pays_a_tenth() -> None:
    # The 2023 CT/MRI listing, 1,810 KRW per use with a 90% patient copay: the insurer pays
    # 181 KRW and the patient 1,629 KRW per use (uptake response 0: uptake unchanged).
    d = two_segment_dict()
    d["service"].update(insurer_payment=1810.0, patient_copay={"share": 0.9})
    prob = build_problem(d)
    ev = prob.evaluate(np.array([[0.0, 0.0]]))
    uses = ev.reported["ai_uses"][0]
    assert uses > 0
    # insurance = 181 per AI use + the comparator (1,000 KRW) for x's 100 patients a year
    # served as today where sites did not adopt
    comparator = 1000.0 * 0.1 * 1000.0 * (1 - ev.reported["adoption_x"][0])
    insurer = ev.reported["insurance_spend"][0] - comparator
    assert insurer == pytest.approx(181.0 * uses, rel=1e-12)
    assert ev.reported["patient_spend"][0] == pytest.approx(1629.0 * uses, rel=1e-12)


def test_incentive_fund_ramp_known_answer() -> None:
    # _one_tier at a = 500, listing 1 year, horizon 2, ramp 50% in year 1:
    #   year 1: every site would adopt (margin 400 x 100 = 40,000 a site >= 2 x 20,000),
    #   the ramp lets half: U1 = 500; evidence 500 / 2,000 -> listing probability 0.25,
    #   insurance pays 0.25 x 300 = 75 in year 2: margin 75 - 100 < 0 -> U2 = 0.
    #   fund 500 x 500 = 250,000 in year 1, 0 in year 2; insurance 0; today 0.
    #   payer_spend = mean = 125,000; creator 100 x 500 = 50,000.
    prob = build_problem(_one_tier(ramp={"shares": [0.5]}))
    X = np.array([[500.0, 0.0, 0.0, 1.0, 0.0]])
    ev = prob.evaluate(X)
    assert ev.reported["listing_probability"][0] == pytest.approx(0.25, rel=EXACT)
    assert ev.objectives["payer_spend"][0] == pytest.approx(125_000.0, rel=EXACT)
    assert ev.objectives["creator_npv"][0] == pytest.approx(50_000.0, rel=EXACT)
    assert _years(ev, 2) == pytest.approx([250_000.0, 0.0], abs=EXACT)
    assert ev.reported["budget_impact_discounted"][0] == pytest.approx(250_000.0, rel=EXACT)
    assert ev.reported["spend_fund"][0] == pytest.approx(125_000.0, rel=EXACT)
    assert ev.reported["spend_insurer"][0] == 0.0
    bi = prob.budget_impact(X)
    assert bi.impact["fund"][0].tolist() == pytest.approx([250_000.0, 0.0])
    assert bi.own_years and bi.shares.tolist() == [0.5, 1.0]  # recorded for display


def test_category_iii_copay_and_ramp_known_answer() -> None:
    # _cat3 at p = 100, f = 10; the patient pays 20% of the payment, uptake response 0.5
    # -> uptake factor 0.9. Contractor A pays 0.9 x 100 = 90 (patient 18, payer 72),
    # B 0.5 x 0.5 x 100 = 25 (patient 5, payer 20); margins 80 and 15 > 0: every site
    # adopts, U = 1,000 x 0.9 = 900 in both, H = 0.
    #   payer_spend = 0.6 x 900 x 72 + 0.4 x 900 x 20 = 38,880 + 7,200 = 46,080
    #   patient_spend = 0.6 x 900 x 18 + 0.4 x 900 x 5 = 9,720 + 1,800 = 11,520
    #   access 0.9
    # Budget: today 300 x 175 = 52,500 -> steady impact -6,420; ramp 50% in year 1:
    #   -3,210 then -6,420 x 4 -> sum -28,890 (r = 0).
    # Creator: 10 x 900 = 9,000 a year, ramped annuity 4.5 -> 40,500.
    d = _cat3(ramp={"shares": [0.5]}, patient_copay={"share": 0.2, "uptake_response": 0.5})
    d["creator"]["discount_rate"] = 0.0
    prob = build_problem(d)
    X = np.array([[100.0, 10.0, 0.0]])
    ev = prob.evaluate(X)
    r = ev.reported
    assert ev.objectives["payer_spend"][0] == pytest.approx(46_080.0, rel=EXACT)
    assert r["patient_spend"][0] == pytest.approx(11_520.0, rel=EXACT)
    assert r["uptake_factor"][0] == pytest.approx(0.9, rel=EXACT)
    assert ev.objectives["access"][0] == pytest.approx(0.9, rel=EXACT)
    assert _years(ev, 5) == pytest.approx([-3_210.0] + [-6_420.0] * 4, rel=EXACT)
    assert r["budget_impact_discounted"][0] == pytest.approx(-28_890.0, rel=EXACT)
    assert r["spend_medicare"][0] == pytest.approx(46_080.0, rel=EXACT)
    assert ev.objectives["creator_npv"][0] == pytest.approx(40_500.0, rel=EXACT)
    bi = prob.budget_impact(X)
    assert bi.impact["medicare"][0].tolist() == pytest.approx([-3_210.0] + [-6_420.0] * 4)
    assert bi.today["medicare"] == pytest.approx(52_500.0)


def test_ai_ecg_with_pathway_reports_the_budget_by_year() -> None:
    # ai-ecg has a pathway: its contractor problems are v2, so the mixture reports spend by
    # payer and the (immediate) year-by-year impact, equal each year to payer_spend - today
    prob = load_problem("ai-ecg")
    ev = prob.evaluate(np.array([[128.0, 20.0, 0.0, 0.0]]))
    impact = ev.objectives["payer_spend"][0] - prob.todays_spend
    assert _years(ev, 5) == pytest.approx([impact] * 5, rel=1e-9)
    assert ev.reported["spend_medicare"][0] + ev.reported["fund_spend"][0] == pytest.approx(
        ev.objectives["payer_spend"][0], rel=1e-12)


@pytest.mark.parametrize("name", ["access-ckm", "autonomy-tiers", "korea-ai-fund",
                                  "addon-fund"])
def test_bundled_files_without_a_ramp_keep_their_v1_columns(name: str) -> None:
    # autonomy-tiers and korea-ai-fund have a [pathway] (which reports the budget impact
    # like a ramp does, as in ffs); without it they keep their v1 columns
    prob = load_problem(name)
    if getattr(prob.spec, "pathway", None) is not None:
        prob = prob.with_spec_changes(pathway=None)
    names = {q.name for q in prob.reported}
    assert not any(n.startswith("budget_impact_year") for n in names)


@pytest.mark.parametrize("data", [value_setting(ramp={"shares": [0.5] * 6}),
                                  _one_tier(ramp={"shares": [0.5, 0.5, 0.5]})])
def test_ramp_longer_than_the_horizon_is_an_input_error(data: dict) -> None:
    with pytest.raises(ParameterError, match=r"'ramp.shares'.*at most \d shares"):
        build_problem(data)


def test_ramp_share_outside_0_1_is_an_input_error() -> None:
    with pytest.raises(ParameterError, match=r"ramp"):
        build_problem(tiers_setting(ramp={"shares": [1.5]}))


def test_addon_fund_exact_form_with_copay_and_ramp_matches_evaluate() -> None:
    # the separable terms use the ramped annuity and the copay's uptake factor: the sum of
    # per-segment contributions equals the evaluation for every ladder point
    d = two_segment_dict(ramp={"shares": [0.5]},
                         objectives=["payer_spend", "creator_npv", "access",
                                     "provider_margin"])
    d["service"]["patient_copay"] = {"share": 0.9, "uptake_response": 1 / 3}
    prob = build_problem(d)
    cs = prob.choice_structure()
    assert len(cs.groups) == 2
    ladders = [np.asarray(lad) for lad in prob.ladders()]
    idx = np.array([(i, j) for i in range(len(ladders[0])) for j in range(len(ladders[1]))])
    X = np.column_stack([ladders[0][idx[:, 0]], ladders[1][idx[:, 1]]])
    ev = prob.evaluate(X)
    for o in prob.objective_names:
        total = cs.constants[o] + sum(g.objectives[o][idx[:, j]]
                                      for j, g in enumerate(cs.groups))
        np.testing.assert_allclose(total, ev.objectives[o], rtol=1e-12, atol=1e-6)
