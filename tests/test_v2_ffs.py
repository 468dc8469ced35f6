"""Model v2 in the fee-for-service family: pathway, health_gain, ICER/NMB, payers, ramp.

Every expected number is computed by hand in the comments.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from paretoprice.app.cli import main
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.optim.pathway import icer_label_text
from paretoprice.problems import load_problem

PERFECT = {"sensitivity": {"value": 1.0, "source": "assumption"},
           "specificity": {"value": 1.0, "source": "assumption"},
           "follow_up_completion": {"value": 1.0, "source": "assumption"},
           "follow_up_cost": {"value": 0.0, "source": "assumption"}}


def _one_segment(**extra: Any) -> dict[str, Any]:
    """n = 1000, c = 0.3, u = 0.6, no provider or fixed cost (all sites adopt as soon as
    the margin is positive), Medicare only, v_c = 100, lambda = 1000 USD/QALY."""
    data: dict[str, Any] = {
        "name": "v2-toy", "family": "ffs",
        "service": {"name": "toy exam", "comparator_payment": 100.0},
        "payers": [{"name": "medicare", "rate_multiplier": 1.0}],
        "segments": [{"name": "g", "population": 1000, "compliance": 0.3, "uptake": 0.6,
                      "provider_cost_per_use": 0.0, "sites": 1, "fixed_cost_per_site": 0.0,
                      "payer_mix": {"medicare": 1.0}}],
        "creator": {"marginal_cost": 0.0, "upfront_investment": 100.0,
                    "annual_fixed_cost": 10.0, "horizon_years": 2, "discount_rate": 0.0,
                    "tco_volume": 100},
        "value": {"wtp_per_qaly": 1000.0, "qaly_gain_per_patient": 0.0},
        "decisions": {"p": {"lower": 0, "upper": 100, "step": 1},
                      "f": {"lower": 0, "upper": 50, "step": 1}},
        "pathway": {
            "prevalence": {"value": 0.1, "source": "assumption"},
            "treatment_cost": {"value": 0.0, "source": "assumption"},
            "qaly_per_tp": {"value": 0.1, "source": "assumption"},
            "ai": copy.deepcopy(PERFECT), "comparator": copy.deepcopy(PERFECT)},
    }
    data.update(extra)
    return data


def test_pathway_point_known_answer() -> None:
    # Both arms perfect: 0.1 x 0.1 = 0.01 QALY per exam, no downstream cost.
    # Cost-effective rate: P* = 1000 (0.01 - (0.3/0.6) 0.01) + 0.5 x 100 = 5 + 50 = 55.
    # p = 55, f = 0: margin 55 > 0 -> all adopt: U = 600, H = 0.
    #   spend = 600 x 55 = 33,000; today 300 x 100 = 30,000 -> dC = 3,000
    #   QALYs 600 x 0.01 = 6; today 3 -> dQ = 3; ICER 1,000 (more costly, more effective);
    #   NMB(1000) = 3,000 - 3,000 = 0
    # p = 50: spend 30,000 -> dC = 0, dQ = 3: dominant, NMB = 3,000
    prob = build_problem(_one_segment())
    assert prob.anchors()["cost_effective"].value == pytest.approx(55.0)
    ev = prob.evaluate(np.array([[55.0, 0.0, 0.0], [50.0, 0.0, 0.0]]))
    assert ev.objectives["payer_spend"].tolist() == pytest.approx([33_000.0, 30_000.0])
    assert ev.objectives["health_gain"].tolist() == pytest.approx([6.0, 6.0])
    r = ev.reported
    assert r["incremental_cost"].tolist() == pytest.approx([3_000.0, 0.0])
    assert r["incremental_qalys"].tolist() == pytest.approx([3.0, 3.0])
    assert r["icer"][0] == pytest.approx(1_000.0) and np.isnan(r["icer"][1])
    assert icer_label_text(r["icer_label"]) == ["more costly, more effective", "dominant"]
    assert r["nmb"].tolist() == pytest.approx([0.0, 3_000.0], abs=1e-9)
    assert r["nmb_50k"][0] == pytest.approx(50_000 * 3 - 3_000)


def test_downstream_cost_split_by_payer_known_answer() -> None:
    # AI arm: se 1, sp 0.9, completion 0.5, follow-up 20 on the fee schedule.
    # Per AI exam positives = 0.1 + 0.9 x 0.1 = 0.19; follow-up cost 0.19 x 0.5 x 20 = 1.9
    # at Medicare rates. Payers: Medicare (x1) and commercial (x2), half each: mu_g = 1.5.
    # p = 40, f = 0, all adopt: U = 600.
    #   Medicare: exams 600 x 0.5 x 1 x 40 = 12,000; follow-up 600 x 0.5 x 1.9 x 1 = 570
    #   commercial: exams 600 x 0.5 x 2 x 40 = 24,000; follow-up 600 x 0.5 x 1.9 x 2 = 1,140
    #   payer_spend = 36,000 + 1,710 = 37,710
    data = _one_segment(payers=[{"name": "medicare", "rate_multiplier": 1.0},
                                {"name": "commercial", "rate_multiplier": 2.0}])
    data["segments"][0]["payer_mix"] = {"medicare": 0.5, "commercial": 0.5}
    data["pathway"]["ai"]["specificity"] = {"value": 0.9, "source": "assumption"}
    data["pathway"]["ai"]["follow_up_completion"] = {"value": 0.5, "source": "assumption"}
    data["pathway"]["ai"]["follow_up_cost"] = {"value": 20.0, "source": "assumption"}
    prob = build_problem(data)
    ev = prob.evaluate(np.array([[40.0, 0.0, 0.0]]))
    assert ev.reported["downstream_cost"][0] == pytest.approx(1_710.0)
    assert ev.reported["spend_medicare"][0] == pytest.approx(12_570.0)
    assert ev.reported["spend_commercial"][0] == pytest.approx(25_140.0)
    assert ev.reported["medicare_spend"][0] == pytest.approx(12_570.0)
    assert ev.objectives["payer_spend"][0] == pytest.approx(37_710.0)


def test_ramp_known_answer() -> None:
    # Ramp 50% in year 1, horizon 2, r = 0. p = 50, f = 10, all adopt: U = 600.
    # creator margin M = 10 x 600 = 6,000 a year at steady state:
    #   NPV = (0.5 + 1) x 6,000 - 2 x 10 - 100 = 8,880 (immediate: 2 x 5,990 - 100 = 11,880)
    # steady spend 30,000 = today's -> impact 0; at p = 60: 36,000 -> impact 3,000 and 6,000
    data = _one_segment(ramp={"shares": [0.5]})
    prob = build_problem(data)
    ev = prob.evaluate(np.array([[50.0, 10.0, 0.0], [60.0, 10.0, 0.0]]))
    assert ev.objectives["creator_npv"][0] == pytest.approx(8_880.0)
    assert ev.reported["budget_impact_year1"].tolist() == pytest.approx([0.0, 3_000.0])
    assert ev.reported["budget_impact_year2"].tolist() == pytest.approx([0.0, 6_000.0])
    assert ev.reported["budget_impact_discounted"][1] == pytest.approx(9_000.0)
    bi = prob.budget_impact(np.array([[60.0, 10.0, 0.0]]))
    assert bi.impact["medicare"][0].tolist() == pytest.approx([3_000.0, 6_000.0])
    immediate = build_problem(_one_segment())
    npv = immediate.evaluate(np.array([[50.0, 10.0, 0.0]])).objectives["creator_npv"]
    assert npv[0] == pytest.approx(11_880.0)


def test_health_gain_needs_a_pathway() -> None:
    data = _one_segment(objectives=["payer_spend", "health_gain"])
    assert build_problem(data).objective_names == ["payer_spend", "health_gain"]
    data.pop("pathway")
    with pytest.raises(ParameterError, match=r"'objectives'.*health_gain.*\[pathway\]"):
        build_problem(data)


def test_unsourced_pathway_number_is_an_error() -> None:
    data = _one_segment()
    data["pathway"]["prevalence"] = 0.1
    with pytest.raises(ParameterError, match=r"'pathway.prevalence'.*source"):
        build_problem(data)


def test_negative_prices_and_addons_are_input_errors() -> None:
    data = _one_segment()
    data["decisions"]["p"] = {"lower": -5, "upper": 100, "step": 1}
    with pytest.raises(ParameterError, match=r"'decisions.p'.*cannot be negative"):
        build_problem(data)
    data = _one_segment()
    data["decisions"]["addons"] = {"g": {"lower": -1, "upper": 0, "step": 1}}
    with pytest.raises(ParameterError, match=r"decisions.addons.*cannot be negative"):
        build_problem(data)


def test_currency_in_ffs_files() -> None:
    data = _one_segment(currency="KRW")
    data.pop("pathway")
    prob = build_problem(data)
    units = prob.quantity_units()
    assert units["payer_spend"] == "KRW per year"
    assert prob.decisions[0].unit == "KRW per use"
    assert all("USD" not in a.unit for a in prob.anchors())


def test_idx_dr_with_pathway_cli_and_v1_without(tmp_path: Any,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    prob = load_problem("idx-dr")
    assert "health_gain" in prob.quantity_units()
    v1 = prob.with_spec_changes(pathway=None)
    X = np.array([[55.0, 40.0, 0.0, 0.0, 0.0]])
    a, b = prob.evaluate(X), v1.evaluate(X)
    # the pathway adds the downstream cost of both arms to the payer's spend
    assert a.objectives["payer_spend"][0] == pytest.approx(
        b.objectives["payer_spend"][0] + a.reported["downstream_cost"][0])
    assert "health_gain" not in v1.quantity_units()
    code = main(["solve", "idx-dr", "--solver", "grid", "--objectives",
                 "payer_spend,creator_npv,access,health_gain"])
    assert code == 0
    assert "idx-dr:" in capsys.readouterr().out
    # a problem without a pathway (addon-fund) cannot choose health_gain: exit 2
    assert main(["solve", "addon-fund", "--objectives", "payer_spend,health_gain"]) == 2


def test_idx_dr_script_prints_the_pathway_findings(tmp_path: Any) -> None:
    from paretoprice.problems import idx_dr

    text = idx_dr.main(["--out", str(tmp_path)]).text
    for needle in ("Creator's $55 read as the Medicare rate", "Creator's $55 read as the "
                   "creator's fee", "CMS 2022 band, low end $45", "CMS 2022 band, high end $64",
                   "QALYs", "NMB", "Why every rate inside the range is still Pareto-optimal"):
        assert needle in text
    assert any(label in text for label in ("dominant", "dominated", "more costly"))


def test_corrected_bundled_figures() -> None:
    # category_iii (ai-ecg): the lowest 2021 contractor price of 92229 was 28.42 USD
    # (CGS Kentucky) vs 55.00 (WPS): 28.42 / 55 = 0.5167 -> 0.517; offices are priced
    # from office rates: 92229 office 43.67 / outpatient 59.40 = 0.7352 -> 0.735
    ecg = load_problem("ai-ecg").spec
    least = next(c for c in ecg.contractors if c.name == "pays_least")
    assert least.price_multiplier == pytest.approx(round(28.42 / 55.0, 3))
    office = next(g for g in ecg.segments if g.name == "physician_office")
    assert office.rate_multiplier == pytest.approx(round(43.67 / 59.40, 3))
    assert "Category I code, not a Category III" in " ".join(ecg.assumptions)
    # portfolio: 92229 at the 2025 office rate, 1.35 RVU x 32.3465 = 43.67 (not OPPS 59.40);
    # at the 2026 non-APM factor 1.35 x 33.4009 = 45.09
    port = load_problem("portfolio").spec
    retinal = next(s for s in port.services if s.code == "CPT 92229")
    assert retinal.reference_payment == pytest.approx(round(1.35 * 32.3465, 2))
    assert round(1.35 * 33.4009, 2) == 45.09
    assert "45.09" in port.sources["services[0].reference_payment"]
