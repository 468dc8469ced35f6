"""The readout, pick, explain and PSA read model v2's quantities (pathway, payers, ramp).

Every expected number is computed by hand in the comments.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from paretoprice.app.explain import nmb_of_front, run_pick
from paretoprice.app.readout import point_from, readout
from paretoprice.optim.families import build_problem
from paretoprice.optim.psa import has_incremental, incremental
from paretoprice.problems import load_problem
from tests.test_pick_readout import MAMMO
from tests.test_v2_ffs import _one_segment


def _two_payer_ramp() -> dict[str, Any]:
    """The v2 toy of tests/test_v2_ffs.py with two payers, an AI follow-up and a ramp.

    n = 1000, c = 0.3, u = 0.6; Medicare (x1) and commercial (x2), half each (mu = 1.5);
    v_c = 100; AI arm se 1, sp 0.9, completion 1, follow-up 20 per positive; comparator
    perfect with no follow-up cost; prevalence 0.1, 0.1 QALY per true positive treated;
    lambda = 1000 USD/QALY; ramp 50% in year 1, horizon 2, r = 0.1; creator m = 0,
    O = 10, F = 5,000.
    """
    data = _one_segment(payers=[{"name": "medicare", "rate_multiplier": 1.0},
                                {"name": "commercial", "rate_multiplier": 2.0}],
                        ramp={"shares": [0.5]})
    data["segments"][0]["payer_mix"] = {"medicare": 0.5, "commercial": 0.5}
    data["pathway"]["ai"]["specificity"] = {"value": 0.9, "source": "assumption"}
    data["pathway"]["ai"]["follow_up_cost"] = {"value": 20.0, "source": "assumption"}
    data["creator"].update({"discount_rate": 0.1, "upfront_investment": 5_000.0})
    return data


# At p = 60, f = 10 the provider margin is 1.5 x 60 - 10 = 80 > 0: every site adopts,
# U = n u = 600 AI exams, H = 0.
#   AI positives per exam 0.1 + 0.9 x 0.1 = 0.19 -> follow-up 0.19 x 20 = 3.8 at Medicare
#   Medicare:   exams 600 x 0.5 x 1 x 60 = 18,000 + follow-up 600 x 0.5 x 3.8 x 1 = 1,140
#               = 19,140
#   commercial: exams 600 x 0.5 x 2 x 60 = 36,000 + follow-up 600 x 0.5 x 3.8 x 2 = 2,280
#               = 38,280
#   payer_spend = 57,420 (= 19,140 + 38,280, no fund add-on)
#   today: 300 comparator exams: Medicare 300 x 0.5 x 100 = 15,000, commercial 30,000,
#          no downstream cost -> 45,000
#   dCost = 12,420; QALYs 600 x 0.1 x 0.1 = 6 vs today 300 x 0.01 = 3 -> dQALY = 3
#   ICER = 12,420 / 3 = 4,140 USD/QALY, more costly, more effective; not cost-effective
#   at lambda = 1,000: NMB = 3,000 - 12,420 = -9,420; at 50k: 150,000 - 12,420 = 137,580;
#   at 100k: 287,580; at 150k: 437,580.
#   Budget impact on the ramp: year 1 = 0.5 x 12,420 = 6,210, year 2 = 12,420;
#   total 18,630; discounted 6,210 / 1.1 + 12,420 / 1.21 = 5,645.45 + 10,264.46 = 15,909.92.
#   By payer: Medicare 4,140 steady -> 2,070 + 4,140 = 6,210; commercial 4,140 + 8,280
#   = 12,420.
#   Creator: use margin M_u = 10 x 600 = 6,000, flows 0.5 x 6,000 - 10 = 2,990 then 5,990:
#   discounted 2,718.18 (< 5,000) then + 4,950.41 = 7,668.60 -> payback in year 2;
#   NPV = 7,668.60 - 5,000 = 2,668.60; steady-state annual margin 6,000 - 10 = 5,990.
def test_readout_v2_known_answer() -> None:
    prob = build_problem(_two_payer_ramp())
    x, _ = point_from(prob, {"p": 60, "f": 10})
    r = readout(prob, x)
    spend = {ln.name: ln.value for ln in r.section("Spend by payer")}
    assert spend["payer_spend (all payers)"] == pytest.approx(57_420.0)
    assert spend["spend_medicare"] == pytest.approx(19_140.0)
    assert spend["spend_commercial"] == pytest.approx(38_280.0)
    assert "medicare_spend" not in spend  # the same money as spend_medicare: not twice
    assert "other payers (not split by the model)" not in spend
    listed = sum(v for k, v in spend.items() if k != "payer_spend (all payers)")
    assert listed == pytest.approx(spend["payer_spend (all payers)"], rel=1e-12)

    assert r.value("Budget impact by year", "year 1") == pytest.approx(6_210.0)
    assert r.value("Budget impact by year", "year 2") == pytest.approx(12_420.0)
    assert "50% of steady-state adoption" in r.section("Budget impact by year")[0].note
    assert r.value("Budget impact by year", "total over 2 years") == pytest.approx(18_630.0)
    assert r.value("Budget impact by year", "total over 2 years, discounted") == \
        pytest.approx(6_210.0 / 1.1 + 12_420.0 / 1.21)
    assert r.value("Budget impact by payer", "medicare, total over 2 years") == \
        pytest.approx(6_210.0)
    assert r.value("Budget impact by payer", "commercial, total over 2 years") == \
        pytest.approx(12_420.0)

    he = "Health economics"
    assert r.value(he, "incremental cost") == pytest.approx(12_420.0)
    assert r.value(he, "incremental QALYs") == pytest.approx(3.0)
    assert r.value(he, "ICER") == pytest.approx(4_140.0)
    icer_note = next(ln.note for ln in r.section(he) if ln.name == "ICER")
    assert icer_note.startswith("more costly, more effective") and "not cost-effective" in icer_note
    assert r.value(he, "net monetary benefit") == pytest.approx(-9_420.0)
    assert r.value(he, "NMB at 50k") == pytest.approx(137_580.0)
    assert r.value(he, "NMB at 100k") == pytest.approx(287_580.0)
    assert r.value(he, "NMB at 150k") == pytest.approx(437_580.0)
    assert r.value(he, "basis") == "model v2 (clinical pathway)"

    assert r.value("Creator", "creator_npv") == pytest.approx(
        2_990.0 / 1.1 + 5_990.0 / 1.21 - 5_000.0)
    assert r.value("Creator", "steady-state annual margin") == pytest.approx(5_990.0)
    assert r.value("Creator", "payback year") == "year 2"


def test_readout_dominant_point_is_labelled() -> None:
    # p = 40: spend 600 x 0.5 x 40 x (1 + 2) = 36,000 + follow-up 3,420 = 39,420 < 45,000:
    # dCost = -5,580 with dQALY = 3 -> dominant, no ratio; NMB(1000) = 3,000 + 5,580 = 8,580
    prob = build_problem(_two_payer_ramp())
    r = readout(prob, point_from(prob, {"p": 40, "f": 10})[0])
    assert r.value("Health economics", "ICER") == "dominant"
    assert r.value("Health economics", "net monetary benefit") == pytest.approx(8_580.0)


def test_spend_remainder_only_when_lines_miss_payer_spend() -> None:
    # v1 file (no pathway, no ramp) with three payers: the split comes from the problem's
    # budget impact by payer at steady state; Medicare + Medicaid + commercial + fund add up
    # to payer_spend, so there is no remainder line
    prob = load_problem(str(MAMMO))
    r = readout(prob, point_from(prob, {"p": 9, "f": 3})[0])
    spend = {ln.name: ln.value for ln in r.section("Spend by payer")}
    total = spend.pop("payer_spend (all payers)")
    assert set(spend) == {"spend_medicare", "spend_medicaid", "spend_commercial", "fund_spend"}
    assert sum(spend.values()) == pytest.approx(total, rel=1e-12)
    # bundled idx-dr with its pathway: spend_medicare is the whole payer spend; no rest
    prob = load_problem("idx-dr")
    r2 = readout(prob, point_from(prob, {"p": 55, "f": 20})[0])
    names = [ln.name for ln in r2.section("Spend by payer")]
    assert "other payers (not split by the model)" not in names
    assert "medicare_spend" not in names and "spend_medicare" in names
    # a family that reports Medicare's share only (ai-ecg): the rest is one line, and the
    # lines still add up to payer_spend
    prob = load_problem("ai-ecg")
    r3 = readout(prob, point_from(prob, {})[0])
    spend = {ln.name: ln.value for ln in r3.section("Spend by payer")}
    total = spend.pop("payer_spend (all payers)")
    assert sum(v for v in spend.values() if isinstance(v, float)) == pytest.approx(total)


def test_budget_fallback_is_labelled_steady_state() -> None:
    # a family with no budget_impact(X) method repeats its steady-state year, and says so
    # (every bundled family may gain the method, so the test hides lvo-ntap's)
    prob = load_problem("lvo-ntap")
    object.__setattr__(prob, "budget_impact", None)
    assert not callable(getattr(prob, "budget_impact", None))
    r = readout(prob, point_from(prob, {})[0])
    last = r.section("Budget impact by year")[-1]
    assert "steady-state year repeated" in last.note


def test_best_nmb_and_psa_use_the_pathway() -> None:
    from paretoprice.solvers import solve

    prob = build_problem(_two_payer_ramp())
    fr = solve(prob, "grid")
    nmb, label = nmb_of_front(prob, fr)
    assert nmb is not None and "clinical-pathway (model v2) NMB" in label
    assert np.allclose(nmb, fr.column("nmb"))
    pk = run_pick(prob, fr, "best-nmb")
    ok = fr.column("creator_npv") >= 0
    assert pk.objectives is not None
    best = int(np.argmax(np.where(ok, fr.column("nmb"), -np.inf)))
    assert pk.decisions == {n: float(fr.decisions[best, j])
                            for j, n in enumerate(fr.decision_names)}
    # PSA: (dCost, dQALY) are the pathway's increments: at p = 60, 12,420 and 3 (above)
    ev = prob.evaluate(np.array([[60.0, 10.0, 0.0]]), report=True)
    assert has_incremental(prob, ev)
    dc, dq = incremental(prob, ev)
    assert dc[0] == pytest.approx(12_420.0) and dq[0] == pytest.approx(3.0)
    # cost-effective at lambda iff NMB > 0: not at 1,000 (-9,420), yes at 50k (137,580)
    assert 1_000 * dq[0] - dc[0] < 0 < 50_000 * dq[0] - dc[0]


def test_report_readouts_carry_the_v2_sections(tmp_path: Any) -> None:
    # the report's readouts (HTML and the xlsx sheet) are the readout's lines
    import openpyxl

    from paretoprice.app.report import write_report
    from paretoprice.solvers import solve

    prob = build_problem(_two_payer_ramp())
    write_report(prob, solve(prob, "grid"), tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "report.xlsx")["readouts"]
    rows = list(ws.iter_rows(values_only=True))
    assert any(r[1] == "Health economics" and r[2] == "basis"
               and r[3] == "model v2 (clinical pathway)" for r in rows)
    assert any(r[1] == "Budget impact by payer" and r[2] == "commercial, total over 2 years"
               for r in rows)
    assert not any(r[2] == "other payers (not split by the model)" for r in rows)
    html = (tmp_path / "report.html").read_text()
    assert "model v2 (clinical pathway)" in html and "NMB at 150k" in html
