"""Known-answer tests of the clinical pathway (optim/pathway.py), hand-computed."""

from __future__ import annotations

import numpy as np
import pytest

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.pathway import (
    ICER_LABELS,
    Pathway,
    PathwayEvaluator,
    cost_effective_payment,
    icer_label_text,
    icer_with_label,
    net_monetary_benefit,
    reported_pathway_quantities,
    require_sources,
    segments_losing_access,
)
from paretoprice.optim.spec import ProblemSpecBase, validate_spec


def _pathway(**seg: dict) -> Pathway:
    return Pathway(
        prevalence=0.2, treatment_cost=1000.0, treatment_paid="all_payer",
        qaly_per_tp=0.5, qaly_loss_per_fp=0.01,
        ai={"sensitivity": 0.9, "specificity": 0.8, "follow_up_completion": 0.5,
            "follow_up_cost": 100.0, "follow_up_paid": "fee_schedule"},
        comparator={"sensitivity": 0.95, "specificity": 0.95, "follow_up_completion": 1.0,
                    "follow_up_cost": 0.0},
        segments=seg,
    )


def test_per_exam_and_outcomes_known_answer() -> None:
    # AI: TP = 0.2 x 0.9 = 0.18, FP = 0.8 x 0.2 = 0.16 per exam.
    #   cost = (0.18 + 0.16) x 0.5 x 100 x mu 1.5 + 0.18 x 0.5 x 1000 (all-payer)
    #        = 25.5 + 90 = 115.5 per exam
    #   QALY = 0.18 x 0.5 x 0.5 - 0.16 x 0.5 x 0.01 = 0.045 - 0.0008 = 0.0442 per exam
    # Comparator: TP = 0.19, FP = 0.8 x 0.05 = 0.04; cost = 0.19 x 1 x 1000 = 190;
    #   QALY = 0.19 x 0.5 - 0.04 x 0.01 = 0.0946
    pw = _pathway().arrays(["g"])
    mu = np.array([1.5])
    ai = pw.per_exam(pw.ai, mu)
    cmp = pw.per_exam(pw.cmp, mu)
    assert ai.tp[0] == pytest.approx(0.18) and ai.fp[0] == pytest.approx(0.16)
    assert ai.cost[0] == pytest.approx(115.5)
    assert ai.qaly[0] == pytest.approx(0.0442)
    assert cmp.cost[0] == pytest.approx(190.0)
    assert cmp.qaly[0] == pytest.approx(0.0946)
    # U = 1000 AI exams, H = 2000 comparator exams, two candidates (second: half of each)
    U = np.array([[1000.0], [500.0]])
    H = np.array([[2000.0], [1000.0]])
    out = pw.outcomes(U, H, mu)
    assert out.cost.tolist() == pytest.approx([115_500 + 380_000, 247_750])
    assert out.qaly.tolist() == pytest.approx([44.2 + 189.2, 116.7])


def test_treatment_paid_on_fee_schedule_scales_with_mu() -> None:
    # with treatment_paid = fee_schedule the 90 of treatment per AI exam becomes 135 at mu 1.5
    pw = _pathway().model_copy(update={"treatment_paid": "fee_schedule"}).arrays(["g"])
    assert pw.per_exam(pw.ai, np.array([1.5])).cost[0] == pytest.approx(25.5 + 135.0)


def test_segment_overrides() -> None:
    pw = _pathway(rural={"prevalence": 0.3, "ai": {"follow_up_completion": 0.25}}).arrays(
        ["urban", "rural"])
    assert pw.rho.tolist() == [0.2, 0.3]
    assert pw.ai.phi.tolist() == [0.5, 0.25]
    assert pw.ai.se.tolist() == [0.9, 0.9]
    with pytest.raises(ValueError, match="unknown segment"):
        _pathway(nowhere={"prevalence": 0.1}).arrays(["urban"])


def test_icer_labels_and_ratios() -> None:
    # dC, dQ:  (-5, 1) dominant; (5, -1) dominated; (100, 2) 50 per QALY;
    # (-100, -4) saves 25 per QALY lost; (0, 0) no difference; (0, 1) dominant (no more
    # costly, more effective); (3, 0) dominated (more costly, no more effective)
    ratio, code = icer_with_label(np.array([-5.0, 5.0, 100.0, -100.0, 0.0, 0.0, 3.0]),
                                  np.array([1.0, -1.0, 2.0, -4.0, 0.0, 1.0, 0.0]))
    assert icer_label_text(code) == [
        "dominant", "dominated", "more costly, more effective", "less costly, less effective",
        "no difference", "dominant", "dominated"]
    assert ratio[2] == 50.0 and ratio[3] == 25.0
    assert np.isnan(ratio[[0, 1, 4, 5, 6]]).all()
    assert icer_label_text(1.0) == ICER_LABELS[1]


def test_nmb_known_answer() -> None:
    # 50,000 x 0.05 - 1,000 = 1,500; at 150k: 7,500 - 1,000 = 6,500
    assert float(net_monetary_benefit(np.array(1000.0), np.array(0.05), 50_000)) == 1500.0
    assert float(net_monetary_benefit(np.array(1000.0), np.array(0.05), 150_000)) == 6500.0


def test_cost_effective_payment_known_answer_and_root_is_independent_of_adoption() -> None:
    # Perfect exams, no follow-up cost, t = 0, q_tp = 0.1, rho = 0.1, c = 0.3, u = 0.6,
    # vc = 100, lambda = 1000: both arms gain 0.01 QALY per exam, nothing downstream.
    # P* = 1000 (0.01 - 0.5 x 0.01) + 0.5 x 100 = 5 + 50 = 55 per AI exam.
    perfect = {"sensitivity": 1.0, "specificity": 1.0, "follow_up_completion": 1.0,
               "follow_up_cost": 0.0}
    pw = Pathway(prevalence=0.1, treatment_cost=0.0, qaly_per_tp=0.1, ai=perfect,
                 comparator=perfect).arrays(["g"])
    kw = dict(population=np.array([1000.0]), compliance=np.array([0.3]),
              uptake=np.array([0.6]), comparator_payment=np.array([100.0]),
              mu=np.array([1.0]), rate_multiple=np.array([1.0]))
    ce = cost_effective_payment(pw, 1000.0, **kw)
    assert ce.per_segment[0] == pytest.approx(55.0)
    assert ce.price == pytest.approx(55.0)
    # the root holds at any adoption A: NMB(A) = 0 when the AI exam is paid P* = 55
    A = np.array([[0.1], [0.5], [1.0]])
    U, H = 1000 * 0.6 * A, 1000 * 0.3 * (1 - A)
    out = pw.outcomes(U, H)
    cost = (U * 55.0 + H * 100.0).sum(axis=1) + out.cost
    today = 1000 * 0.3 * 100.0
    d_qaly = out.qaly - 1000 * 0.3 * 0.01
    assert net_monetary_benefit(cost - today, d_qaly, 1000.0) == pytest.approx([0, 0, 0],
                                                                              abs=1e-9)


def test_cost_effective_rate_over_segments() -> None:
    # Two segments with the same pathway; segment b pays twice the rate (mu 2) and
    # has comparator payment 200 (= 2 x 100). P*_a = 55 (as above);
    # P*_b = 5 + 0.5 x 200 = 105. Weights n u: a 1000 x 0.6 = 600, b 500 x 0.6 = 300.
    # p* = (600 x 55 + 300 x 105) / (600 x 1 + 300 x 2) = 64,500 / 1,200 = 53.75
    perfect = {"sensitivity": 1.0, "specificity": 1.0, "follow_up_completion": 1.0,
               "follow_up_cost": 0.0}
    pw = Pathway(prevalence=0.1, treatment_cost=0.0, qaly_per_tp=0.1, ai=perfect,
                 comparator=perfect).arrays(["a", "b"])
    ce = cost_effective_payment(
        pw, 1000.0, population=np.array([1000.0, 500.0]), compliance=np.array([0.3, 0.3]),
        uptake=np.array([0.6, 0.6]), comparator_payment=np.array([100.0, 200.0]),
        mu=np.array([1.0, 2.0]), rate_multiple=np.array([1.0, 2.0]))
    assert ce.per_segment.tolist() == pytest.approx([55.0, 105.0])
    assert ce.price == pytest.approx(53.75)


class _WithPathway(ProblemSpecBase):
    family: str = "test"
    pathway: Pathway


def _data(**prevalence: object) -> dict:
    src = {"value": 0.9, "source": "trial 2018"}
    return {
        "name": "t", "pathway": {
            "prevalence": prevalence.get("p", {"value": 0.2, "source": "assumption: test"}),
            "treatment_cost": {"value": 10.0, "source": "assumption"},
            "qaly_per_tp": {"value": 0.1, "source": "assumption"},
            "ai": {"sensitivity": src, "specificity": src,
                   "follow_up_completion": src, "follow_up_cost": src},
            "comparator": {"sensitivity": src, "specificity": src,
                           "follow_up_completion": src, "follow_up_cost": src},
        }}


def test_every_pathway_number_needs_a_source() -> None:
    spec = validate_spec(_WithPathway, _data())
    require_sources(spec.pathway, spec.sources, owner="problem 't'")  # all sourced
    bare = validate_spec(_WithPathway, _data(p=0.2))
    with pytest.raises(ParameterError, match=r"'pathway.prevalence'.*source"):
        require_sources(bare.pathway, bare.sources, owner="problem 't'")


def test_out_of_range_pathway_number_is_a_parameter_error() -> None:
    data = _data()
    data["pathway"]["ai"]["sensitivity"] = 1.2
    with pytest.raises(ParameterError, match=r"pathway.ai.sensitivity"):
        validate_spec(_WithPathway, data)


def test_uptake_below_compliance_is_named(caplog: pytest.LogCaptureFixture) -> None:
    low = segments_losing_access(["a", "b"], np.array([0.3, 0.5]), np.array([0.6, 0.4]))
    assert low == ["b"]
    assert "segment(s) b" in caplog.text


def test_evaluator_status_quo_and_report_known_answer() -> None:
    # Status quo: 2000 comparator exams at 190 and 0.0946 QALY each (see the first test):
    # cost 380,000, QALYs 189.2. Point: U = 1000, H = 1000 -> downstream 115,500 +
    # 190,000 = 305,500; QALYs 44.2 + 94.6 = 138.8 -> dQ = -50.4.
    # payer_spend 1,000,000 vs today's 900,000 -> dC = +100,000: dominated.
    # NMB at 50k = 50,000 x (-50.4) - 100,000 = -2,620,000
    ev = PathwayEvaluator.build(_pathway(), ["g"], wtp=50_000.0, mu=np.array([1.5]),
                                today_exams=np.array([2000.0]))
    assert ev.today_cost == pytest.approx(380_000.0)
    assert ev.today_qaly == pytest.approx(189.2)
    out = ev.outcomes(np.array([[1000.0]]), np.array([[1000.0]]))
    assert out.cost[0] == pytest.approx(305_500.0)
    rep = ev.report(out, np.array([1_000_000.0]), 900_000.0)
    assert rep["incremental_qalys"][0] == pytest.approx(-50.4)
    assert rep["incremental_cost"][0] == pytest.approx(100_000.0)
    assert icer_label_text(rep["icer_label"][0]) == "dominated"
    assert np.isnan(rep["icer"][0])
    assert rep["nmb"][0] == pytest.approx(-2_620_000.0)
    assert rep["nmb_150k"][0] == pytest.approx(150_000 * -50.4 - 100_000)
    names = [r[0] for r in reported_pathway_quantities()]
    assert sorted(names) == sorted(rep)
