"""Generalist AI: known answers for per-task vs bundle payment, the level of service, the
single-code guardrail, validation messages, and the generalist-ct problem and script."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.optim.families.generalist_bundle import BundleLevel, expected_level_multiplier
from paretoprice.problems import load_problem

EXACT = 1e-9  # pure arithmetic: only rounding error


def _two_tasks(**over: Any) -> dict[str, Any]:
    """One setting: 1,000 studies a year, u = 1, 10 sites, no site fixed cost (every site
    adopts when its margin is positive), k = 0, reporting level c_g = 1, Medicare only.
    Task a: indicated on half the studies, delivered today on 60%, by the AI on 80%,
    comparator 10 USD, reporting cost 2, coded. Task b: indicated on half, today 20%, AI 50%,
    no comparator, reporting cost 4, no code. Integration: 50% cost saving, 50% of misses
    avoided. Bundle: 1 indicated task pays 1x, 2 tasks 2x the base price. Creator m = 0,
    F = O = 0, 5 years at r = 0."""
    d: dict[str, Any] = {
        "name": "two-tasks",
        "family": "generalist_bundle",
        "objectives": ["payer_spend", "creator_npv", "access", "provider_margin"],
        "payers": [{"name": "medicare", "rate_multiplier": 1.0}],
        "segments": [{
            "name": "all", "population": 1000.0, "compliance": 1.0, "uptake": 1.0,
            "provider_cost_per_use": 0.0, "sites": 10, "fixed_cost_per_site": 0.0,
            "payer_mix": {"medicare": 1.0},
        }],
        "tasks": [
            {"name": "a", "indicated_share": 0.5, "done_today": 0.6, "ai_delivery": 0.8,
             "comparator_payment": 10.0, "reporting_cost": 2.0},
            {"name": "b", "indicated_share": 0.5, "done_today": 0.2, "ai_delivery": 0.5,
             "reporting_cost": 4.0, "coded": False},
        ],
        "integration": {"shared_cost_saving": 0.5, "miss_reduction": 0.5},
        "bundle": {"levels": [{"min_tasks": 1, "multiplier": 1.0},
                              {"min_tasks": 2, "multiplier": 2.0}]},
        "creator": {"marginal_cost": 0.0, "upfront_investment": 0.0, "annual_fixed_cost": 0.0,
                    "horizon_years": 5, "discount_rate": 0.0, "tco_volume": 1000.0},
        "value": {"wtp_per_qaly": 50000.0, "qaly_gain_per_patient": 0.0},
        "decisions": {"p": {"lower": 0.0, "upper": 10.0, "step": 1.0},
                      "f": {"lower": 0.0, "upper": 2.0, "step": 1.0},
                      "task_price": {"lower": 0.0, "upper": 10.0, "step": 1.0}},
    }
    d.update(over)
    return d


def test_level_of_service_multiplier() -> None:
    # two tasks indicated with probability 1/2 each: 0, 1, 2 tasks with 1/4, 1/2, 1/4;
    # E[L] = 1/2 * 1 + 1/4 * 2 = 1
    lv = (BundleLevel(min_tasks=1, multiplier=1.0), BundleLevel(min_tasks=2, multiplier=2.0))
    assert expected_level_multiplier(np.array([0.5, 0.5]), lv) == pytest.approx(1.0, abs=EXACT)
    # three tasks 0.2 / 0.5 / 1.0: P(1) = 0.8 * 0.5 = 0.4, P(2) = 0.2*0.5 + 0.8*0.5 = 0.5,
    # P(3) = 0.1; levels 1x from 1 task, 3x from 3: 0.4 + 0.5 + 0.3 = 1.2
    lv3 = (BundleLevel(min_tasks=1, multiplier=1.0), BundleLevel(min_tasks=3, multiplier=3.0))
    assert expected_level_multiplier(np.array([0.2, 0.5, 1.0]), lv3) == pytest.approx(1.2)
    assert build_problem(_two_tasks()).level_multiplier == pytest.approx(1.0, abs=EXACT)


def test_per_task_codes_pay_only_coded_tasks() -> None:
    prob = build_problem(_two_tasks())
    assert prob.decision_names == ["p", "p_a", "f"]
    ev = prob.evaluate([[0.0, 6.0, 1.0]])
    # per-task margin 0.5 * (6 - 2) = 2 (task b has no code) - f 1 = 1 per study;
    # bundle margin 0 - (1 - 0.5)(0.5 * 2 + 0.5 * 4) - 1 = -2.5 -> per-task codes
    assert ev.reported["code_all"][0] == 1.0
    # every site adopts: 1,000 studies; payer 1,000 * 0.5 * 6 = 3,000; task a is taken over,
    # so no comparator service remains (b's human service has no payment)
    assert ev.objectives["payer_spend"][0] == pytest.approx(3000.0, rel=EXACT)
    # delivered: a by AI 1,000 * 0.5 * 0.8 = 400, b as today 1,000 * 0.5 * 0.2 = 100;
    # 500 of 1,000 indicated results
    assert ev.objectives["access"][0] == pytest.approx(0.5, rel=EXACT)
    assert ev.objectives["provider_margin"][0] == pytest.approx(1000.0, rel=EXACT)
    # creator: 5 years * 1 USD * 1,000 studies
    assert ev.objectives["creator_npv"][0] == pytest.approx(5000.0, rel=EXACT)
    assert ev.reported["delivered_b"][0] == pytest.approx(0.2, rel=EXACT)


def test_bundle_runs_every_task_with_the_integration_gain() -> None:
    prob = build_problem(_two_tasks())
    ev = prob.evaluate([[8.0, 0.0, 1.0]])
    # bundle margin 8 * 1.0 - 0.5 * 3 - 1 = 5.5 > per-task -1 -> bundle
    assert ev.reported["code_all"][0] == 2.0
    assert ev.reported["bundle_share"][0] == 1.0
    # payer 1,000 * 8 * E[L] 1.0 = 8,000; provider 1,000 * 5.5
    assert ev.objectives["payer_spend"][0] == pytest.approx(8000.0, rel=EXACT)
    assert ev.objectives["provider_margin"][0] == pytest.approx(5500.0, rel=EXACT)
    # misses halved: a 1 - 0.2 * 0.5 = 0.9, b 1 - 0.5 * 0.5 = 0.75; (450 + 375) / 1,000
    assert ev.objectives["access"][0] == pytest.approx(0.825, rel=EXACT)
    assert ev.reported["delivered_a"][0] == pytest.approx(0.9, rel=EXACT)


def test_no_adoption_leaves_today() -> None:
    prob = build_problem(_two_tasks())
    ev = prob.evaluate([[0.0, 0.0, 2.0]])
    # nothing pays: no site adopts; today a 1,000 * 0.5 * 0.6 = 300 at 10 USD = 3,000 spend,
    # delivered 300 + 100 = 400 of 1,000
    assert ev.reported["code_all"][0] == 0.0
    assert ev.objectives["payer_spend"][0] == pytest.approx(3000.0, rel=EXACT)
    assert ev.objectives["access"][0] == pytest.approx(0.4, rel=EXACT)
    assert prob.todays_spend == pytest.approx(3000.0, rel=EXACT)
    assert np.isnan(ev.reported["payment_per_study"][0])


def test_anchors_are_per_study() -> None:
    prob = build_problem(_two_tasks(value={"wtp_per_qaly": 1000.0,
                                           "qaly_gain_per_patient": 0.01}))
    a = prob.anchors()
    # v_c = 0.5 * 10 = 5 per study; c = 0.5 * 0.6 * 10 / 5 = 0.6 -> v_e = 3 (today's spend
    # per study); extra results per study X = 0.5 (0.9 - 0.6) + 0.5 (0.75 - 0.2) = 0.425,
    # v_cea = 1,000 * 0.01 * 0.425 = 4.25
    assert a["substitution"].value == pytest.approx(5.0)
    assert a["access_maximizing"].value == pytest.approx(3.0)
    assert a["cost_effective"].value == pytest.approx(4.25)


def test_single_code_guardrail_and_caps() -> None:
    prob = build_problem(_two_tasks(guardrails={"single_code": True,
                                                "cap_substitution": True}))
    X = [[8.0, 0.0, 1.0], [0.0, 6.0, 1.0], [2.0, 6.0, 1.0]]
    ev = prob.evaluate(X)
    np.testing.assert_allclose(ev.constraints["single_code"], [0.0, 0.0, 2.0])
    # largest offer per study: max(0.5 * p_a, p * E[L]) -> 8, 3, 3; cap v_sub = 5
    np.testing.assert_allclose(ev.constraints["cap_substitution"], [3.0, -2.0, -2.0])
    assert prob.feasible(ev).tolist() == [False, True, False]


def _err(d: dict[str, Any]) -> ParameterError:
    with pytest.raises(ParameterError) as info:
        build_problem(d)
    return info.value


def test_validation_messages() -> None:
    d = _two_tasks()
    d["tasks"][0]["ai_delivery"] = 1.4
    e = _err(d)
    assert e.parameter == "tasks[0].ai_delivery" and "<= 1" in str(e) and "1.4" in str(e)
    d = _two_tasks()
    d["bundle"]["levels"][1]["multiplier"] = 0.5
    e = _err(d)
    assert e.parameter == "bundle.levels" and "must not fall" in str(e)
    d = _two_tasks()
    d["decisions"]["task_prices"] = {"b": {"lower": 0.0, "upper": 5.0, "step": 1.0}}
    e = _err(d)
    assert e.parameter == "decisions" and "not coded tasks" in str(e) and "['b']" in str(e)
    d = _two_tasks()
    d["tasks"][1]["name"] = "a"
    e = _err(d)
    assert e.parameter == "tasks" and "repeat" in str(e)
    e = _err(_two_tasks(guardrails={"single_codes": True}))
    assert e.parameter == "guardrails.single_codes" and "single_code" in str(e)
    d = _two_tasks()
    del d["integration"]
    assert _err(d).parameter == "integration"


def test_inputs_not_mutated_and_code_set_problems() -> None:
    d = _two_tasks()
    before = copy.deepcopy(d)
    prob = build_problem(d)
    assert d == before
    only_task = prob.per_task_only()
    only_bundle = prob.bundle_only()
    assert only_task.upper[0] == 0.0 and prob.upper[0] == 10.0
    assert only_bundle.upper[1] == 0.0 and only_bundle.upper[0] == 10.0


def test_generalist_ct_problem() -> None:
    prob = load_problem("generalist-ct")
    assert prob.coded_tasks == ("pulmonary_emboli", "lung_nodules", "coronary_calcium",
                                "bone_density")
    assert "incidental_findings" in prob.task_names
    assert prob.exact_capable
    assert 1.0 < prob.level_multiplier < 2.0


def test_generalist_ct_script_runs(tmp_path) -> None:
    from paretoprice.problems import generalist_ct

    result = generalist_ct.main(["--out", str(tmp_path), "--quick"])
    df = pd.read_csv(tmp_path / "front.csv")
    for name in ("payer_spend", "creator_npv", "access", "provider_margin"):
        assert name in df.columns
    assert set(df["bundle_share"].dropna()) >= {0.0, 1.0}  # both code sets on the front
    assert "When the bundle wins" in result.text
