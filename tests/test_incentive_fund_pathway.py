"""Model v2 in the incentive_fund family: the clinical pathway (issue 10, item 1).

Known answers are computed by hand in the comments from the bundled korea-ai-fund inputs
kept to the tertiary class (n = 800,000 endoscopies a year, u = 0.90, k = 100 KRW, 45 sites,
Kbar = 20 million KRW, creator fee 600 KRW, insurer pays nothing while listed), with a
3-year horizon so that the whole horizon is listed.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.optim.families.incentive_fund import IncentiveFundProblem
from paretoprice.optim.pathway import ICER_LABELS
from paretoprice.problems import bundled_raw, load_problem

REL = 1e-9


def _raw(pathway: bool = True) -> dict:
    raw = copy.deepcopy(bundled_raw("korea-ai-fund"))
    raw["tiers"] = [t for t in raw["tiers"] if t["name"] == "tertiary"]
    for sch in raw["schedules"]:
        sch["ratios"] = {"tertiary": sch["ratios"]["tertiary"]}
    raw["creator"]["horizon_years"] = 3
    raw.pop("uncertain", None)
    raw.pop("uncertain_correlation", None)
    if not pathway:
        raw.pop("pathway")
    return raw


def _fund(raw: dict) -> IncentiveFundProblem:
    prob = build_problem(raw)
    assert isinstance(prob, IncentiveFundProblem)
    return prob


def _at(prob: IncentiveFundProblem, x: list[float]) -> dict[str, float]:
    ev = prob.evaluate(np.array([x]), report=True)
    return {k: float(v[0]) for k, v in {**ev.objectives, **ev.reported}.items()}


# Design: a = 3,000 KRW flat, grant 4,000,000 KRW, 3-year listing, no cut. Per site
# q = 800,000 x 0.9 / 45 = 16,000 uses, margin 3,000 - 600 - 100 = 2,300 KRW per use:
# M = 36.8 M + 4 M = 40.8 M >= 2 Kbar = 40 M KRW, so every site adopts every year (A = 1);
# no copay while the insurer pays nothing (m = 1): U = 720,000 AI endoscopies a year and
# 80,000 without AI (comparator_arm = "every_other_exam").
X = [3000.0, 0.0, 4_000_000.0, 3.0, 0.0]


def test_known_answer_one_design():
    # AI per exam: TP 0.37 x 0.845 = 0.31265, FP 0.63 x 0.25 = 0.1575, phi 1, d 100,000,
    #   t 0: downstream 0.47015 x 100,000 = 47,015 KRW; QALYs 0.31265 x 0.02 - 0.1575 x
    #   0.0002 = 0.0062215.
    # Endoscopist alone: TP 0.37 x 0.676 = 0.25012, FP 0.63 x 0.2 = 0.126: 37,612 KRW;
    #   QALYs 0.0050024 - 0.0000252 = 0.0049772.
    # Status quo: 800,000 exams without AI: 30,089,600,000 KRW, 3,981.76 QALYs a year.
    # Design, each year: downstream 720,000 x 47,015 + 80,000 x 37,612 = 36,859,760,000;
    #   fund 720,000 x 3,000 + 45 x 4,000,000 = 2,340,000,000; insurer pays nothing for
    #   the AI: payer_spend 39,199,760,000 KRW a year.
    #   dCost = 9,110,160,000 KRW; dQALY = 720,000 x (0.0062215 - 0.0049772) = 895.896;
    #   ICER 9,110,160,000 / 895.896 = 10,168,780.6 KRW per QALY, "more costly, more
    #   effective"; NMB at 30 M KRW/QALY = 26,876,880,000 - 9,110,160,000 = 17,766,720,000.
    prob = _fund(_raw())
    r = _at(prob, X)
    assert r["adoption_tertiary"] == 1.0 and r["ai_uses"] == pytest.approx(720_000, rel=REL)
    assert prob.todays_spend == pytest.approx(30_089_600_000.0, rel=REL)
    assert r["downstream_cost"] == pytest.approx(36_859_760_000.0, rel=REL)
    assert r["payer_spend"] == pytest.approx(39_199_760_000.0, rel=REL)
    assert r["spend_insurer"] == pytest.approx(36_859_760_000.0, rel=REL)
    assert r["spend_fund"] == pytest.approx(2_340_000_000.0, rel=REL)
    assert r["health_gain"] == pytest.approx(4_877.656, rel=REL)
    assert r["incremental_cost"] == pytest.approx(9_110_160_000.0, rel=REL)
    assert r["incremental_qalys"] == pytest.approx(895.896, rel=REL)
    assert ICER_LABELS[int(r["icer_label"])] == "more costly, more effective"
    assert r["icer"] == pytest.approx(9_110_160_000.0 / 895.896, rel=REL)
    assert r["nmb"] == pytest.approx(17_766_720_000.0, rel=REL)
    assert r["budget_impact_year1"] == pytest.approx(9_110_160_000.0, rel=REL)
    # KRW: no NMB at the USD thresholds (50k/100k/150k would be KRW, meaningless)
    assert not any(k.startswith("nmb_") for k in r)


def test_cost_effective_anchor_from_the_pathway():
    # Each AI use replaces one endoscopy without AI (c/u = 1), whose payment is paid either
    # way: P* = 30,000,000 x (0.0062215 - 0.0049772) - (47,015 - 37,612)
    #         = 37,329 - 9,403 = 27,926 KRW per AI use (fund add-on plus insurer share).
    a = _fund(_raw()).anchors()["cost_effective"]
    assert a.value == pytest.approx(27_926.0, rel=REL)
    assert a.unit == "KRW per use"


def test_replaced_service_arm_follows_the_comparator():
    # comparator_arm = "replaced_service" with compliance 0: no comparator exams, status
    # quo empty (today's spend 0), health gain = AI uses x 0.0062215
    raw = _raw()
    raw["pathway"]["comparator_arm"] = "replaced_service"
    prob = _fund(raw)
    r = _at(prob, X)
    assert prob.todays_spend == 0.0
    assert r["health_gain"] == pytest.approx(720_000 * 0.0062215, rel=REL)
    assert r["incremental_qalys"] == pytest.approx(r["health_gain"], rel=REL)


def test_health_gain_objective_and_v1_without_pathway():
    raw = _raw()
    raw["objectives"] = ["payer_spend", "health_gain"]
    prob = _fund(raw)
    assert list(prob.objective_names) == ["payer_spend", "health_gain"]
    plain = _fund(_raw(pathway=False))
    assert not set(plain.quantity_units()) & {"health_gain", "nmb", "spend_insurer"}
    raw = _raw(pathway=False)
    raw["objectives"] = ["payer_spend", "health_gain"]
    with pytest.raises(ParameterError) as err:
        _fund(raw)
    assert "objectives" in str(err.value) and "[pathway]" in str(err.value)


def test_bundled_korea_file_has_its_pathway():
    prob = load_problem("korea-ai-fund")
    assert prob.spec.pathway is not None
    assert prob.spec.pathway.comparator_arm == "every_other_exam"
    assert "health_gain" in prob.quantity_units()


@pytest.mark.parametrize(("change", "parameter"), [
    (lambda p: p.update(comparator_arm="everyone"), "pathway.comparator_arm"),
    (lambda p: p.update(prevalence=0.2), "pathway.prevalence"),
    (lambda p: p.update(segments={"hospital": {"prevalence": 0.1}}), "pathway"),
    (lambda p: p["ai"].update(sensitivity={"value": 1.2, "source": "assumption"}),
     "pathway.ai.sensitivity"),
])
def test_bad_input_is_one_line_naming_the_parameter(change, parameter):
    raw = _raw()
    change(raw["pathway"])
    with pytest.raises(ParameterError) as err:
        build_problem(raw)
    text = str(err.value)
    assert "\n" not in text
    assert parameter in text, text
