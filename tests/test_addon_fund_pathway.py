"""Model v2 in the addon_fund family: the clinical pathway (issue 10, item 1).

The pathway is korea-ai-fund's (adenoma detection: AI-assisted vs the endoscopist alone);
the family is generic, so the test puts it on the bundled addon-fund kept to its tertiary
segment: n = 3,000,000 uses a year, u = 0.90, k = 50 KRW, 45 sites, Kbar = 60 million
KRW, creator fee 500 KRW, insurer pays nothing for the AI, lambda = 30 million KRW/QALY.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.optim.families.addon_fund import AddonFundProblem
from paretoprice.optim.indicators import same_set
from paretoprice.optim.pathway import ICER_LABELS
from paretoprice.problems import bundled_raw
from paretoprice.solvers import solve

REL = 1e-9


def _raw(keep: tuple[str, ...] = ("tertiary",)) -> dict:
    raw = copy.deepcopy(bundled_raw("addon-fund"))
    raw["segments"] = [g for g in raw["segments"] if g["name"] in keep]
    raw["observed"] = [o for o in raw.get("observed", [])
                       if o["variable"] in {f"a_{g}" for g in keep}]
    raw["pathway"] = copy.deepcopy(bundled_raw("korea-ai-fund")["pathway"])
    raw.pop("uncertain", None)
    raw.pop("uncertain_correlation", None)
    return raw


def _fund(raw: dict) -> AddonFundProblem:
    prob = build_problem(raw)
    assert isinstance(prob, AddonFundProblem)
    return prob


def test_known_answer_one_addon():
    # a = 3,000 KRW: margin 3,000 - 500 - 50 = 2,450 KRW per use, q = 3,000,000 x 0.9 / 45
    #   = 60,000 uses per site, M = 147 M >= 2 Kbar = 120 M KRW: A = 1, U = 2,700,000 AI uses
    #   and 300,000 uses without AI (comparator_arm = "every_other_exam").
    # Per exam (see test_incentive_fund_pathway): AI 47,015 KRW and 0.0062215 QALY;
    #   endoscopist alone 37,612 KRW and 0.0049772 QALY.
    # Status quo: 3,000,000 x 37,612 = 112,836,000,000 KRW; 14,931.6 QALYs.
    # Point: downstream 2.7 M x 47,015 + 0.3 M x 37,612 = 138,224,100,000; fund 2.7 M x
    #   3,000 = 8,100,000,000: payer_spend 146,324,100,000 KRW a year.
    #   dCost 33,488,100,000 KRW; dQALY 2.7 M x 0.0012443 = 3,359.61;
    #   ICER 33,488,100,000 / 3,359.61 = 9,967,734 KRW per QALY, "more costly, more
    #   effective"; NMB 30 M x 3,359.61 - 33,488,100,000 = 67,300,200,000 KRW a year.
    prob = _fund(_raw())
    ev = prob.evaluate(np.array([[3000.0]]), report=True)
    r = {k: float(v[0]) for k, v in {**ev.objectives, **ev.reported}.items()}
    assert r["adoption_tertiary"] == 1.0
    assert prob.todays_spend == pytest.approx(112_836_000_000.0, rel=REL)
    assert r["downstream_cost"] == pytest.approx(138_224_100_000.0, rel=REL)
    assert r["payer_spend"] == pytest.approx(146_324_100_000.0, rel=REL)
    assert r["insurance_spend"] == pytest.approx(138_224_100_000.0, rel=REL)
    assert r["incremental_cost"] == pytest.approx(33_488_100_000.0, rel=REL)
    assert r["incremental_qalys"] == pytest.approx(3_359.61, rel=REL)
    assert r["health_gain"] == pytest.approx(14_931.6 + 3_359.61, rel=REL)
    assert ICER_LABELS[int(r["icer_label"])] == "more costly, more effective"
    assert r["icer"] == pytest.approx(33_488_100_000.0 / 3_359.61, rel=REL)
    assert r["nmb"] == pytest.approx(67_300_200_000.0, rel=REL)
    assert r["spend_insurer"] == pytest.approx(138_224_100_000.0, rel=REL)
    assert r["budget_impact_year1"] == pytest.approx(33_488_100_000.0, rel=REL)
    # no add-on: nobody adopts, the point is the status quo ("no difference")
    r0 = prob.evaluate(np.array([[0.0]]), report=True).reported
    assert ICER_LABELS[int(r0["icer_label"][0])] == "no difference"


def test_cost_effective_anchor_from_the_pathway():
    # P* = 30 M x 0.0012443 - 9,403 = 27,926 KRW per AI use (as in korea-ai-fund)
    assert _fund(_raw()).anchors()["cost_effective"].value == pytest.approx(27_926.0, rel=REL)


def test_exact_equals_grid_with_health_gain_and_pathway_bounds():
    # health_gain, NMB and incremental QALYs are sums over segments: the exact form keeps
    # one group per segment and finds the grid's front
    raw = _raw(("tertiary", "general", "hospital"))
    raw["objectives"] = ["payer_spend", "health_gain", "access"]
    raw["constraints"] = [{"quantity": "nmb", "min": 0.0},
                          {"quantity": "incremental_qalys", "min": 100.0}]
    prob = _fund(raw)
    grid = solve(prob, "grid")
    exact = solve(prob, "exact")
    assert len(grid) > 1
    assert same_set(exact.minimization_matrix(), grid.minimization_matrix())
    assert np.all(grid.column("nmb") >= -1e-6)
    assert np.all(grid.column("incremental_qalys") >= 100.0 - 1e-9)


def test_without_pathway_no_v2_columns_and_health_gain_needs_one():
    raw = _raw()
    raw.pop("pathway")
    assert not set(_fund(raw).quantity_units()) & {"health_gain", "nmb", "spend_insurer"}
    raw["objectives"] = ["payer_spend", "health_gain"]
    with pytest.raises(ParameterError) as err:
        _fund(raw)
    assert "objectives" in str(err.value) and "[pathway]" in str(err.value)


@pytest.mark.parametrize(("change", "parameter"), [
    (lambda p: p.update(comparator_arm="all"), "pathway.comparator_arm"),
    (lambda p: p.update(qaly_per_tp=0.03), "pathway.qaly_per_tp"),
    (lambda p: p["comparator"].update(follow_up_cost={"value": -1.0, "source": "x"}),
     "pathway.comparator.follow_up_cost"),
])
def test_bad_input_is_one_line_naming_the_parameter(change, parameter):
    raw = _raw()
    change(raw["pathway"])
    with pytest.raises(ParameterError) as err:
        build_problem(raw)
    text = str(err.value)
    assert "\n" not in text
    assert parameter in text, text
