"""Category III (contractor-priced, uncertain coverage): known answers, the mixture identity,
validation messages, and the ai-ecg problem and script."""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest

from paretoprice.optim.anchors import annuity
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.problems import bundled_raw, load_problem
from tests.conftest import one_segment_dict

EXACT = 1e-9  # pure arithmetic on a thousand patients: only rounding error


def _cat3(**over) -> dict:
    """One setting (n = 1000, u = 1, c = 0.3, v_c = 175, every site adopts at a positive
    margin) and two contractors:
    A: probability 0.6, pays 1.0 x p, covers 90% of claims;
    B: probability 0.4, pays 0.5 x p, covers 50% of claims."""
    d = one_segment_dict(name="cat3", family="category_iii",
                         objectives=["payer_spend", "creator_npv", "access", "provider_margin"])
    d["contractors"] = [
        {"name": "A", "probability": 0.6, "price_multiplier": 1.0, "coverage": 0.9},
        {"name": "B", "probability": 0.4, "price_multiplier": 0.5, "coverage": 0.5},
    ]
    d["decisions"] = {"p": {"lower": 0.0, "upper": 200.0, "step": 1.0},
                      "f": {"lower": 0.0, "upper": 50.0, "step": 1.0}}
    d["guardrails"] = {}
    d.update(over)
    return d


def test_expected_payment_is_coverage_times_rate() -> None:
    prob = build_problem(_cat3())
    ev = prob.evaluate([[100.0, 10.0, 0.0]])
    # expected payment per use: A 0.9 * 1.0 * 100 = 90, B 0.5 * 0.5 * 100 = 25
    # margins per use 80 and 15 > 0: every site adopts everywhere, 1000 AI uses, H = 0
    # payer_spend = 0.6 * 1000 * 90 + 0.4 * 1000 * 25 = 54,000 + 10,000 = 64,000
    assert ev.objectives["payer_spend"][0] == pytest.approx(64_000.0, rel=EXACT)
    assert ev.reported["expected_payment_per_use"][0] == pytest.approx(64.0, rel=EXACT)
    # margin if every site were under A: 1000 * 80 = 80,000; under B: 1000 * 15 = 15,000
    assert ev.reported["provider_margin_A"][0] == pytest.approx(80_000.0, rel=EXACT)
    assert ev.reported["provider_margin_B"][0] == pytest.approx(15_000.0, rel=EXACT)
    # expected margin 0.6 * 80,000 + 0.4 * 15,000 = 54,000
    assert ev.objectives["provider_margin"][0] == pytest.approx(54_000.0, rel=EXACT)
    # two-point spread: |80,000 - 15,000| * sqrt(0.6 * 0.4) = 65,000 * 0.4898979 = 31,843.37
    assert ev.reported["provider_margin_sd"][0] == pytest.approx(65_000 * math.sqrt(0.24),
                                                                 rel=EXACT)
    # creator: annuity(5, 3%) * (10 - 0) * 1000 uses
    assert ev.objectives["creator_npv"][0] == pytest.approx(annuity(5, 0.03) * 10_000.0,
                                                            rel=EXACT)
    assert ev.objectives["access"][0] == pytest.approx(1.0, abs=EXACT)


def test_unpaid_contractor_leaves_patients_to_the_human_service() -> None:
    prob = build_problem(_cat3())
    ev = prob.evaluate([[40.0, 10.0, 0.0]])
    # B pays 0.5 * 0.5 * 40 = 10 = the fee: margin 0, no site adopts under B;
    # A pays 0.9 * 40 = 36 > 10: every site adopts under A.
    # coverage = 0.6 * 1 + 0.4 * 0.3 (today's compliance) = 0.72
    assert ev.objectives["access"][0] == pytest.approx(0.72, abs=EXACT)
    # equity is the worst *setting* (one here), not the worst contractor cell
    assert ev.objectives["equity"][0] == pytest.approx(0.72, abs=EXACT)
    # spend = 0.6 * 1000 * 36 + 0.4 * 300 * 175 = 21,600 + 21,000 = 42,600
    assert ev.objectives["payer_spend"][0] == pytest.approx(42_600.0, rel=EXACT)
    # margins: A 1000 * 26 = 26,000, B 0; sd = 26,000 * sqrt(0.24)
    assert ev.reported["provider_margin_sd"][0] == pytest.approx(26_000 * math.sqrt(0.24),
                                                                 rel=EXACT)


def test_margin_spread_can_be_bounded_by_the_user() -> None:
    prob = build_problem(_cat3(constraints=[{"quantity": "provider_margin_sd",
                                             "max": 30_000.0}]))
    ev = prob.evaluate([[100.0, 10.0, 0.0], [40.0, 10.0, 0.0]])
    # spreads 65,000 sqrt(0.24) = 31,843 (above 30,000) and 26,000 sqrt(0.24) = 12,737
    assert prob.feasible(ev).tolist() == [False, True]


def test_nationally_priced_setting_ignores_the_price_multiplier() -> None:
    d = _cat3()
    d["segments"][0]["contractor_priced"] = False
    ev = build_problem(d).evaluate([[100.0, 10.0, 0.0]])
    # OPPS-like: both contractors pay the national 100 when they cover:
    # 0.6 * 1000 * 0.9 * 100 + 0.4 * 1000 * 0.5 * 100 = 54,000 + 20,000 = 74,000
    assert ev.objectives["payer_spend"][0] == pytest.approx(74_000.0, rel=EXACT)


def test_mixture_equals_the_setting_by_contractor_cells() -> None:
    """The same market written as a fee-for-service problem with one segment per
    (setting, contractor) cell: population and sites scaled by the contractor's probability,
    rate multiplied by coverage x price multiplier."""
    raw = bundled_raw("ai-ecg")
    cat3 = build_problem(raw)
    cells = copy.deepcopy(raw)
    cells["family"] = "ffs"
    cons = cells.pop("contractors")
    segs = []
    for g in raw["segments"]:
        for c in cons:
            prob = c["probability"]["value"]
            seg = {k: v for k, v in g.items() if k != "contractor_priced"}
            priced = g.get("contractor_priced", True)
            priced = priced["value"] if isinstance(priced, dict) else priced
            seg["name"] = f"{g['name']}__{c['name']}"
            seg["population"] = g["population"]["value"] * prob
            seg["sites"] = g["sites"]["value"] * prob
            office = g.get("rate_multiplier", 1.0)  # office rates (a multiple of p)
            office = office["value"] if isinstance(office, dict) else office
            seg["rate_multiplier"] = c["coverage"]["value"] * office * (
                c["price_multiplier"]["value"] if priced else 1.0)
            segs.append(seg)
    cells["segments"] = segs
    ffs = build_problem(cells)
    rng = np.random.default_rng(3)
    n = 200
    X = np.column_stack([rng.uniform(0, 300, n), rng.uniform(0, 150, n), np.zeros(n),
                         np.zeros(n)])
    ev3 = cat3.evaluate(X)
    evf = ffs.evaluate(np.column_stack([X[:, :2], np.zeros((n, len(segs)))]))
    for name in ("payer_spend", "creator_npv", "access", "provider_margin"):
        np.testing.assert_allclose(ev3.objectives[name], evf.objectives[name], rtol=1e-9)
    np.testing.assert_allclose(ev3.reported["ai_uses"], evf.reported["ai_uses"], rtol=1e-9)


def _err(d) -> ParameterError:
    with pytest.raises(ParameterError) as info:
        build_problem(d)
    return info.value


def test_coverage_out_of_range_names_the_parameter() -> None:
    d = _cat3()
    d["contractors"][1]["coverage"] = 1.2
    e = _err(d)
    assert e.parameter == "contractors[1].coverage"
    assert "<= 1" in str(e) and "1.2" in str(e)


def test_probabilities_must_sum_to_one() -> None:
    d = _cat3()
    d["contractors"][0]["probability"] = 0.5
    e = _err(d)
    assert e.parameter == "contractors"
    assert "sum to 1" in str(e) and "0.9" in str(e)


def test_repeated_contractor_and_never_covered() -> None:
    d = _cat3()
    d["contractors"][1]["name"] = "A"
    assert "repeat" in str(_err(d))
    d = _cat3()
    for c in d["contractors"]:
        c["coverage"] = 0.0
    e = _err(d)
    assert e.parameter == "contractors" and "ever covers" in str(e)


def test_missing_contractors_and_unknown_key() -> None:
    d = _cat3()
    del d["contractors"]
    assert _err(d).parameter == "contractors"
    d = _cat3()
    d["contractors"][0]["coverag"] = 0.5
    e = _err(d)
    assert e.parameter == "contractors[0].coverag"
    assert "coverage" in str(e)


def test_inputs_not_mutated_and_bounds_change() -> None:
    d = _cat3()
    before = copy.deepcopy(d)
    prob = build_problem(d)
    assert d == before
    narrower = prob.with_bounds({"p": {"lower": 10.0, "upper": 20.0, "step": 1.0}})
    assert narrower.family == "category_iii" and narrower.upper[0] == 20.0
    assert prob.upper[0] == 200.0


def test_ai_ecg_script_runs(tmp_path) -> None:
    from paretoprice.problems import ai_ecg

    result = ai_ecg.main(["--out", str(tmp_path), "--quick"])
    df = pd.read_csv(tmp_path / "front.csv")
    for name in ("payer_spend", "creator_npv", "access", "provider_margin",
                 "provider_margin_sd"):
        assert name in df.columns
    assert len(df) >= 1 and (df["provider_margin_sd"] >= 0).all()
    assert "pricing lottery" in result.text
    assert load_problem("ai-ecg").spec.observed[0].low == pytest.approx(128.90)


def test_pathway_in_the_mixture_known_answer() -> None:
    # Perfect exams in both arms, prevalence 0.1, 0.1 QALY per case treated, net treatment
    # cost 100 (all payers): per exam 0.01 QALY and 10 USD downstream in either arm.
    perfect = {"sensitivity": 1.0, "specificity": 1.0, "follow_up_completion": 1.0,
               "follow_up_cost": 0.0}
    src = {"sources": {f"pathway.{k}": "assumption" for k in (
        "prevalence", "treatment_cost", "qaly_per_tp")} | {
        f"pathway.{arm}.{k}": "assumption" for arm in ("ai", "comparator") for k in perfect}}
    d = _cat3(objectives=["payer_spend", "health_gain"], **src,
              pathway={"prevalence": 0.1, "treatment_cost": 100.0, "qaly_per_tp": 0.1,
                       "ai": perfect, "comparator": perfect})
    d["value"] = {**d["value"], "wtp_per_qaly": 1000.0}
    prob = build_problem(d)
    # cost-effective rate: each AI exam replaces c/u = 0.3 comparator exams;
    # P* = 1000 (0.01 - 0.3 x 0.01) - 10 + 0.3 (175 + 10) = 7 - 10 + 55.5 = 52.5 per exam;
    # expected multiple of p: 0.6 x 0.9 x 1 + 0.4 x 0.5 x 0.5 = 0.64 -> p* = 82.03125
    assert prob.anchors()["cost_effective"].value == pytest.approx(52.5 / 0.64, rel=EXACT)
    ev = prob.evaluate([[100.0, 10.0, 0.0]])
    # everyone adopts in both worlds: U = 1000, H = 0; exams 64,000 (see above) plus
    # downstream 1000 x 10 = 10,000 -> 74,000; today 300 x 175 + 300 x 10 = 55,500
    # dC = 18,500; QALYs 1000 x 0.01 = 10 vs 3 today -> dQ = 7; ICER 18,500 / 7
    assert ev.objectives["payer_spend"][0] == pytest.approx(74_000.0, rel=EXACT)
    assert ev.objectives["health_gain"][0] == pytest.approx(10.0, rel=EXACT)
    assert ev.reported["incremental_cost"][0] == pytest.approx(18_500.0, rel=EXACT)
    assert ev.reported["incremental_qalys"][0] == pytest.approx(7.0, rel=EXACT)
    assert ev.reported["icer"][0] == pytest.approx(18_500.0 / 7.0, rel=EXACT)
    assert ev.reported["icer_label"][0] == 3.0  # more costly, more effective
    assert ev.reported["nmb"][0] == pytest.approx(7_000.0 - 18_500.0, rel=EXACT)
    # the downstream care is not a payment for the AI exam: still 64 per use
    assert ev.reported["expected_payment_per_use"][0] == pytest.approx(64.0, rel=EXACT)
