"""Model v2 in the `ntap` and `generalist_bundle` families: the pathway (with the minutes
to treatment saved), health_gain, ICER/NMB, the pathway's cost-effective anchor, spend by
payer, the year-by-year budget impact on a ramp and the ramped creator NPV; bad input.

Every expected number is computed by hand in the comments.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.optim.pathway import Pathway, icer_label_text
from paretoprice.problems import load_problem


def _src(v: float) -> dict[str, Any]:
    return {"value": v, "source": "assumption: test"}


def _stroke_pathway() -> dict[str, Any]:
    """Prevalence 0.2; AI: se 1, sp 0.9, every positive worked up (phi 1) at 100 USD (all
    payers), 30 minutes saved per true positive; comparator: se 0.5, sp 1, same work-up.
    Net treatment 1,000 USD and 0.4 QALY per true positive, 0.01 QALY lost per false
    positive; each minute saved: +0.01 QALY and -10 USD."""
    return {
        "prevalence": _src(0.2), "treatment_cost": _src(1000.0), "qaly_per_tp": _src(0.4),
        "qaly_loss_per_fp": _src(0.01), "qaly_per_minute": _src(0.01),
        "cost_per_minute": _src(-10.0),
        "ai": {"sensitivity": _src(1.0), "specificity": _src(0.9),
               "follow_up_completion": _src(1.0), "follow_up_cost": _src(100.0),
               "follow_up_paid": "all_payer", "minutes_saved": _src(30.0)},
        "comparator": {"sensitivity": _src(0.5), "specificity": _src(1.0),
                       "follow_up_completion": _src(1.0), "follow_up_cost": _src(100.0),
                       "follow_up_paid": "all_payer"},
    }


def _ntap(**over: Any) -> dict[str, Any]:
    """One group of hospitals (tests/test_family_ntap.py's toy): 1,000 Medicare cases, c 0.3,
    u 1, no fixed cost (every hospital adopts at a positive margin), DRG 18,000, case cost
    18,400 (20,000 with the technology at 1,600), other gain 700; creator m = 100, no fixed
    costs, 5 years at r = 0, add-on in years 1-3; lambda 50,000 USD/QALY."""
    d: dict[str, Any] = {
        "name": "one-hospital-v2", "family": "ntap",
        "objectives": ["payer_spend", "creator_npv", "access", "provider_margin"],
        "service": {"name": "detection", "comparator_payment": 100.0},
        "payers": [{"name": "medicare", "rate_multiplier": 1.0}],
        "segments": [{
            "name": "all", "population": 1000.0, "compliance": 0.3, "uptake": 1.0,
            "provider_cost_per_use": 0.0, "sites": 10, "fixed_cost_per_site": 0.0,
            "payer_mix": {"medicare": 1.0}, "drg_payment": 18000.0, "case_cost": 18400.0,
            "benefit_per_case": 700.0}],
        "creator": {"marginal_cost": 100.0, "upfront_investment": 0.0,
                    "annual_fixed_cost": 0.0, "horizon_years": 5, "discount_rate": 0.0,
                    "tco_volume": 1000.0},
        "value": {"wtp_per_qaly": 50000.0, "qaly_gain_per_patient": 0.0},
        "ntap": {"years": 3},
        "decisions": {"f": {"lower": 0.0, "upper": 3000.0, "step": 100.0}},
        "pathway": _stroke_pathway(),
    }
    d.update(over)
    return d


# ---------------------------------------------------------------------------------- ntap


def test_ntap_pathway_known_answer() -> None:
    # f = 1,600: add-on min(0.65 x 2,000, 0.65 x 1,600) = 1,040; margin with it
    # 1,040 + 700 - 1,600 = 140 > 0 -> all adopt in years 1-3 (U1 = 1,000, H1 = 0); after it
    # 700 - 1,600 < 0 -> none (U2 = 0, H2 = n c = 300). Phase weights 3/5 and 2/5 (r = 0).
    # AI per case: TP 0.2, FP 0.8 x 0.1 = 0.08; q_tp 0.4 + 30 x 0.01 = 0.7, t 1,000 - 300
    #   = 700: cost 0.28 x 100 + 0.2 x 700 = 168; QALY 0.2 x 0.7 - 0.08 x 0.01 = 0.1392.
    # Usual read per case: TP 0.1, FP 0: cost 0.1 x 100 + 0.1 x 1,000 = 110; QALY 0.04.
    # Today: 300 cases -> 33,000 USD, 12 QALYs a year.
    # Downstream: 0.6 x 168,000 + 0.4 x 33,000 = 114,000; QALYs 0.6 x 139.2 + 0.4 x 12
    #   = 88.32. Add-on: (3 x 1,040,000 + 0) / 5 = 624,000. payer_spend = 738,000.
    # dC = 738,000 - 33,000 = 705,000; dQ = 76.32; ICER 705,000 / 76.32 = 9,237.42;
    # NMB(50k) = 3,816,000 - 705,000 = 3,111,000.
    prob = build_problem(_ntap())
    ev = prob.evaluate(np.array([[1600.0]]))
    r = ev.reported
    assert ev.objectives["payer_spend"][0] == pytest.approx(738_000.0)
    assert ev.objectives["health_gain"][0] == pytest.approx(88.32)
    assert r["downstream_cost"][0] == pytest.approx(114_000.0)
    assert r["incremental_cost"][0] == pytest.approx(705_000.0)
    assert r["incremental_qalys"][0] == pytest.approx(76.32)
    assert r["icer"][0] == pytest.approx(705_000.0 / 76.32)
    assert icer_label_text(r["icer_label"][0]) == "more costly, more effective"
    assert r["nmb"][0] == pytest.approx(3_111_000.0)
    assert r["nmb_100k"][0] == pytest.approx(7_632_000.0 - 705_000.0)
    assert prob.todays_spend == pytest.approx(33_000.0)
    # Cost-effective add-on per Medicare case: c/u = 0.3, no comparator payment:
    # P* = 50,000 (0.1392 - 0.3 x 0.04) - 168 + 0.3 x 110 = 6,360 - 168 + 33 = 6,225.
    assert prob.anchors()["cost_effective"].value == pytest.approx(6_225.0)
    # Budget impact: years 1-3 (1,040,000 + 168,000) - 33,000 = 1,175,000; years 4-5 0.
    years = [r[f"budget_impact_year{t}"][0] for t in range(1, 6)]
    assert years == pytest.approx([1_175_000.0] * 3 + [0.0] * 2, abs=1e-6)
    assert r["budget_impact_discounted"][0] == pytest.approx(3_525_000.0)
    assert r["spend_medicare"][0] == pytest.approx(738_000.0)
    assert r["medicare_spend"][0] == pytest.approx(738_000.0)


def test_ntap_two_payers_and_ramp_known_answer() -> None:
    # Medicare (x1) and commercial (x2), half each (mu = 1.5); other gain 1,200; work-up
    # on the fee schedule. f = 1,600: add-on per average case 0.5 x 1,040 = 520, margin
    # 520 + 1,200 - 1,600 = 120 > 0 -> U1 = 1,000; after: -400 -> U2 = 0, H2 = 300.
    # Per case at a payer's multiplier m: AI 0.28 x 100 m + 0.2 x 700 = 28 m + 140;
    #   usual 0.1 x 100 m + 0.1 x 1,000 = 10 m + 100.
    # Commercial (m = 2): years 1-3 0.5 x 1,000 x 196 = 98,000; years 4-5 and today
    #   0.5 x 300 x 120 = 18,000; horizon average (3 x 98,000 + 2 x 18,000) / 5 = 66,000.
    # Medicare (m = 1): years 1-3 add-on 1,000 x 0.5 x 1,040 = 520,000 + 0.5 x 1,000 x 168
    #   = 604,000; after and today 0.5 x 300 x 110 = 16,500; average 369,000.
    # payer_spend = 369,000 + 66,000 = 435,000.
    # Ramp 50% in year 1: budget impact year 1 0.5 x (587,500 + 80,000) = 333,750, years
    #   2-3 667,500, years 4-5 0. Creator: margin (1,600 - 100) x 1,000 = 1.5 M in years
    #   1-3, 0 after: NPV 0.5 x 1.5 M + 1.5 M + 1.5 M = 3.75 M (4.5 M without the ramp);
    #   without the add-on nothing is sold: 0, so the add-on is worth all 3.75 M.
    d = _ntap(payers=[{"name": "medicare", "rate_multiplier": 1.0},
                      {"name": "commercial", "rate_multiplier": 2.0}],
              ramp={"shares": [0.5]})
    d["segments"][0].update(payer_mix={"medicare": 0.5, "commercial": 0.5},
                            benefit_per_case=1200.0)
    for arm in ("ai", "comparator"):
        d["pathway"][arm]["follow_up_paid"] = "fee_schedule"
    prob = build_problem(d)
    ev = prob.evaluate(np.array([[1600.0]]))
    r = ev.reported
    assert r["spend_commercial"][0] == pytest.approx(66_000.0)
    assert r["spend_medicare"][0] == pytest.approx(369_000.0)
    assert ev.objectives["payer_spend"][0] == pytest.approx(435_000.0)
    years = [r[f"budget_impact_year{t}"][0] for t in range(1, 6)]
    assert years == pytest.approx([333_750.0, 667_500.0, 667_500.0, 0.0, 0.0], abs=1e-6)
    assert ev.objectives["creator_npv"][0] == pytest.approx(3_750_000.0)
    assert r["creator_npv_without_ntap"][0] == pytest.approx(0.0, abs=1e-6)
    assert r["ntap_value_to_creator"][0] == pytest.approx(3_750_000.0)
    bi = prob.budget_impact(np.array([[1600.0]]))
    assert bi.impact["commercial"][0].tolist() == pytest.approx([40_000.0, 80_000.0,
                                                                 80_000.0, 0.0, 0.0], abs=1e-6)
    assert bi.today == pytest.approx({"medicare": 16_500.0, "commercial": 18_000.0})


def test_ntap_without_pathway_has_no_v2_columns() -> None:
    d = _ntap()
    del d["pathway"]
    prob = build_problem(d)
    names = {q.name for q in prob.reported}
    assert not names & {"spend_medicare", "budget_impact_year1", "nmb", "icer_label"}
    with pytest.raises(ParameterError, match=r"'objectives'.*health_gain"):
        build_problem({**d, "objectives": ["payer_spend", "health_gain"]})


def test_health_gain_is_choosable_in_ntap() -> None:
    prob = build_problem(_ntap(objectives=["payer_spend", "health_gain"]))
    assert prob.objective_names == ["payer_spend", "health_gain"]
    assert prob.senses[1] == "max"


# ------------------------------------------------------------------------ the kernel term


def test_zero_minutes_change_nothing_bit_for_bit() -> None:
    # The same pathway with and without zero time terms gives identical per-exam arrays.
    base = copy.deepcopy(_stroke_pathway())
    for k in ("qaly_per_minute", "cost_per_minute"):
        base.pop(k)
    base["ai"].pop("minutes_saved")
    plain = Pathway.model_validate({k: (v["value"] if isinstance(v, dict) and "value" in v
                                        else v) for k, v in base.items()
                                    if k not in ("ai", "comparator")}
                                   | {"ai": _plain(base["ai"]),
                                      "comparator": _plain(base["comparator"])})
    zero = plain.model_copy(update={"qaly_per_minute": 0.0, "cost_per_minute": 0.0})
    a, b = plain.arrays(["g"]), zero.arrays(["g"])
    for arm in ("ai", "cmp"):
        pa, pb = a.per_exam(getattr(a, arm), 1.3), b.per_exam(getattr(b, arm), 1.3)
        assert np.array_equal(pa.cost, pb.cost) and np.array_equal(pa.qaly, pb.qaly)


def _plain(arm: dict[str, Any]) -> dict[str, Any]:
    return {k: (v["value"] if isinstance(v, dict) else v) for k, v in arm.items()}


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(("path", "value", "pattern"), [
    (("ai", "sensitivity"), 1.3, r"'pathway\.ai\.sensitivity'.*1\.3"),
    (("ai", "minutes_saved"), -5.0, r"'pathway\.ai\.minutes_saved'.*-5"),
    (("qaly_per_minute",), -0.1, r"'pathway\.qaly_per_minute'"),
])
def test_bad_pathway_numbers_are_one_line_errors(path: tuple[str, ...], value: float,
                                                 pattern: str) -> None:
    d = _ntap()
    node = d["pathway"]
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = _src(value)
    with pytest.raises(ParameterError, match=pattern) as err:
        build_problem(d)
    assert "\n" not in str(err.value)


def test_unsourced_minutes_saved_is_an_error() -> None:
    d = _ntap()
    d["pathway"]["ai"]["minutes_saved"] = 30.0
    with pytest.raises(ParameterError, match=r"'pathway\.ai\.minutes_saved'.*source"):
        build_problem(d)


# -------------------------------------------------------------------- generalist_bundle


def _generalist(**over: Any) -> dict[str, Any]:
    """One setting: 1,000 studies, u = 1, reporting level 1, no costs (every site adopts at
    a positive margin), Medicare only. One task 'finding', no code: indicated on half the
    studies, today 60%, AI 80%, no comparator, no reporting cost. Bundle 1x from one
    indicated task: E[L] = 0.5. Creator m = F = O = 0, 2 years at r = 0; lambda 10,000.
    Pathway on 'finding': prevalence 0.5, AI se 0.8 sp 0.9, read without AI se 0.6 sp 1,
    half the positives followed up at 20 USD (fee schedule), treatment 100 USD and 0.1 QALY
    per true positive, 0.01 QALY lost per false positive."""
    d: dict[str, Any] = {
        "name": "one-finding", "family": "generalist_bundle",
        "objectives": ["payer_spend", "creator_npv", "access", "provider_margin"],
        "payers": [{"name": "medicare", "rate_multiplier": 1.0}],
        "segments": [{"name": "all", "population": 1000.0, "compliance": 1.0, "uptake": 1.0,
                      "provider_cost_per_use": 0.0, "sites": 10, "fixed_cost_per_site": 0.0,
                      "payer_mix": {"medicare": 1.0}}],
        "tasks": [{"name": "finding", "indicated_share": 0.5, "done_today": 0.6,
                   "ai_delivery": 0.8, "reporting_cost": 0.0, "coded": False}],
        "integration": {"shared_cost_saving": 0.0, "miss_reduction": 0.0},
        "bundle": {"levels": [{"min_tasks": 1, "multiplier": 1.0}]},
        "creator": {"marginal_cost": 0.0, "upfront_investment": 0.0, "annual_fixed_cost": 0.0,
                    "horizon_years": 2, "discount_rate": 0.0, "tco_volume": 1000.0},
        "value": {"wtp_per_qaly": 10000.0, "qaly_gain_per_patient": 0.0},
        "decisions": {"p": {"lower": 0.0, "upper": 40.0, "step": 1.0},
                      "f": {"lower": 0.0, "upper": 10.0, "step": 1.0},
                      "task_price": {"lower": 0.0, "upper": 0.0}},
        "pathway_task": "finding",
        "pathway": {
            "prevalence": _src(0.5), "treatment_cost": _src(100.0), "qaly_per_tp": _src(0.1),
            "qaly_loss_per_fp": _src(0.01),
            "ai": {"sensitivity": _src(0.8), "specificity": _src(0.9),
                   "follow_up_completion": _src(0.5), "follow_up_cost": _src(20.0)},
            "comparator": {"sensitivity": _src(0.6), "specificity": _src(1.0),
                           "follow_up_completion": _src(0.5), "follow_up_cost": _src(20.0)},
        },
    }
    d.update(over)
    return d


def test_generalist_pathway_known_answer() -> None:
    # p = 20, f = 2: bundle margin 20 x 0.5 - 2 = 8 > 0 (per-task: -2) -> all 1,000 studies
    # analyzed under the bundle, the finding task run on all of them (AI arm 1,000).
    # AI per study: TP 0.5 x 0.8 = 0.4, FP 0.5 x 0.1 = 0.05: cost 0.45 x 0.5 x 20
    #   + 0.4 x 0.5 x 100 = 4.5 + 20 = 24.5; QALY 0.4 x 0.5 x 0.1 - 0.05 x 0.5 x 0.01
    #   = 0.02 - 0.00025 = 0.01975.
    # Read without AI: TP 0.3, FP 0: cost 0.3 x 0.5 x 20 + 0.3 x 0.5 x 100 = 18; QALY 0.015.
    # Today (1,000 studies read without AI): 18,000 USD, 15 QALYs.
    # payer_spend = 1,000 x 20 x 0.5 + 24,500 = 34,500; dC = 16,500; dQ = 4.75;
    # ICER 16,500 / 4.75 = 3,473.68; NMB(10k) = 47,500 - 16,500 = 31,000.
    # Cost-effective payment per study (c/u = 1, nothing replaced):
    # 10,000 (0.01975 - 0.015) - 24.5 + 18 = 47.5 - 6.5 = 41.
    prob = build_problem(_generalist())
    assert prob.decision_names == ["p", "f"]
    ev = prob.evaluate(np.array([[20.0, 2.0], [0.0, 0.0]]))
    r = ev.reported
    assert ev.objectives["payer_spend"][0] == pytest.approx(34_500.0)
    assert ev.objectives["health_gain"][0] == pytest.approx(19.75)
    assert r["incremental_cost"][0] == pytest.approx(16_500.0)
    assert r["incremental_qalys"][0] == pytest.approx(4.75)
    assert r["icer"][0] == pytest.approx(16_500.0 / 4.75)
    assert r["nmb"][0] == pytest.approx(31_000.0)
    assert prob.anchors()["cost_effective"].value == pytest.approx(41.0)
    assert prob.todays_spend == pytest.approx(18_000.0)
    # p = 0: nobody adopts, every study read as today: no difference.
    assert r["incremental_cost"][1] == pytest.approx(0.0, abs=1e-9)
    assert icer_label_text(r["icer_label"][1]) == "no difference"
    assert r["spend_medicare"][0] == pytest.approx(34_500.0)


def test_generalist_ramp_known_answer() -> None:
    # Ramp 50% in year 1, 2 years at r = 0: budget impact 0.5 x 16,500 = 8,250, then 16,500;
    # creator margin 2 x 1,000 = 2,000 a year: NPV 0.5 x 2,000 + 2,000 = 3,000 (4,000
    # immediate).
    prob = build_problem(_generalist(ramp={"shares": [0.5]}))
    ev = prob.evaluate(np.array([[20.0, 2.0]]))
    assert ev.reported["budget_impact_year1"][0] == pytest.approx(8_250.0)
    assert ev.reported["budget_impact_year2"][0] == pytest.approx(16_500.0)
    assert ev.reported["budget_impact_discounted"][0] == pytest.approx(24_750.0)
    assert ev.objectives["creator_npv"][0] == pytest.approx(3_000.0)
    bi = prob.budget_impact(np.array([[20.0, 2.0]]))
    assert bi.impact["medicare"][0].tolist() == pytest.approx([8_250.0, 16_500.0])


def test_generalist_pathway_task_must_name_a_task() -> None:
    with pytest.raises(ParameterError, match=r"pathway_task.*not a task") as err:
        build_problem(_generalist(pathway_task="nodules"))
    assert "\n" not in str(err.value)
    d = _generalist()
    del d["pathway_task"]
    with pytest.raises(ParameterError, match=r"pathway_task"):
        build_problem(d)


# ------------------------------------------------------------------- the bundled files


@pytest.mark.parametrize("name", ["lvo-ntap", "generalist-ct"])
def test_bundled_files_carry_a_sourced_pathway(name: str) -> None:
    prob = load_problem(name)
    assert prob.spec.pathway is not None
    assert "health_gain" in [q.name for q in prob.all_objectives]
    assert prob.anchors()["cost_effective"].formula.startswith("pathway:")
    hg = prob.with_objectives(["payer_spend", "health_gain"])
    ev = hg.evaluate(np.array([hg.lower, hg.upper]))
    assert np.all(np.isfinite(ev.objectives["health_gain"]))
    without = prob.with_spec_changes(pathway=None)
    assert "nmb" not in {q.name for q in without.reported}


def test_lvo_ntap_script_prints_pathway_findings(tmp_path: Any) -> None:
    from paretoprice.problems import lvo_ntap

    text = lvo_ntap.main(["--out", str(tmp_path)]).text
    assert "With the clinical pathway" in text
    assert "CMS FY2021 technology cost 1,600 USD: f = 1,600 USD per case: more costly, " \
        "more effective at" in text
    assert "What the pathway changes on the front" in text
    assert "Budget impact at 1,600 USD, year by year" in text


def test_generalist_pathway_mismatch_with_its_task_warns(caplog: Any) -> None:
    # the toy's pathway matches its task (0.5 / 0.8 / 1 x 0.6): no warning; a comparator
    # sensitivity of 0.5 differs from c_g c_k = 0.6 and is named
    with caplog.at_level("WARNING"):
        build_problem(_generalist())
    assert "differs from the task" not in caplog.text
    d = _generalist()
    d["pathway"]["comparator"]["sensitivity"] = _src(0.5)
    with caplog.at_level("WARNING"):
        build_problem(d)
    assert "comparator.sensitivity in all (0.5 vs the task's 0.6)" in caplog.text
