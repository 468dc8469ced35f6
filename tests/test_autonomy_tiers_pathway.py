"""Model v2 in the autonomy_tiers family: the clinical pathway (issue 10, item 1).

Known answers are computed by hand in the comments from the bundled autonomy-tiers inputs,
kept to the health_system setting: n = 3,069,500, c = 0.40, u = 0.80, k = 12 USD, S = 1,500
sites, Kbar = 12,000 USD, Medicare only (mu = 1); pathway of idx-dr.toml.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.optim.families.autonomy_tiers import AutonomyTiersProblem
from paretoprice.optim.pathway import ICER_LABELS
from paretoprice.problems import bundled_raw, load_problem

REL = 1e-9


def _raw(pathway: bool = True) -> dict:
    """The bundled file kept to its health_system setting (with or without its pathway)."""
    raw = copy.deepcopy(bundled_raw("autonomy-tiers"))
    raw["segments"] = [g for g in raw["segments"] if g["name"] == "health_system"]
    raw.pop("uncertain", None)
    raw.pop("uncertain_correlation", None)
    if not pathway:
        raw.pop("pathway")
    return raw


def _tiers(raw: dict) -> AutonomyTiersProblem:
    prob = build_problem(raw)
    assert isinstance(prob, AutonomyTiersProblem)
    return prob


def _at(prob: AutonomyTiersProblem, x: list[float]) -> dict[str, float]:
    ev = prob.evaluate(np.array([x]), report=True)
    return {k: float(v[0]) for k, v in {**ev.objectives, **ev.reported}.items()}


# Candidate: p_assistive 0, p_augmentative 0, p_autonomous 60, f 20 (USD per use).
# Tier margins per use: assistive 0 + 0.4 x 175 - 20 - 12 - 0.4 x 120 = -10; augmentative
# 0.2 x 175 - 32 - 0.2 x 120 = -21; autonomous 60 - 32 = 28 -> autonomous. Per site
# q = 3,069,500 x 0.8 / 1,500 = 1,637.07 uses, M = 1,637.07 x 28 - 2,000 = 43,838 USD >=
# 2 Kbar = 24,000, so the uniform curve adopts fully: U = n u = 2,455,600, H = 0.
X_AUTONOMOUS = [0.0, 0.0, 60.0, 20.0, 0.0]


def test_known_answer_one_candidate():
    # AI (autonomous) per exam: TP 0.238 x 0.872 = 0.207536, FP 0.762 x 0.093 = 0.070866;
    #   downstream (0.207536 + 0.070866) x 0.5 x 175 + 0.207536 x 0.5 x 1,500
    #            = 24.360175 + 155.652 = 180.012175 USD;
    #   QALYs 0.207536 x 0.5 x 0.05 - 0.070866 x 0.5 x 0.0005 = 0.0051706835.
    # Comparator per exam: TP 0.238 x 0.9 = 0.2142, FP 0.762 x 0.05 = 0.0381, phi 1, d 0:
    #   downstream 0.2142 x 1,500 = 321.3 USD; QALYs 0.01071 - 0.00001905 = 0.01069095.
    # Today: H = n c = 1,227,800 exams, spend 1,227,800 x (175 + 321.3) = 609,357,140 USD,
    #   QALYs 1,227,800 x 0.01069095 = 13,126.34841.
    # Point: spend 2,455,600 x (60 + 180.012175) = 589,373,896.93 USD; QALYs 2,455,600 x
    #   0.0051706835 = 12,697.1304026. dCost = -19,983,243.07 USD, dQALY = -429.2180074:
    #   "less costly, less effective", ICER 19,983,243.07 / 429.2180074 = 46,557.33 USD per
    #   QALY saved per QALY given up; NMB(50k) = -21,460,900.37 + 19,983,243.07
    #   = -1,477,657.30 USD a year.
    prob = _tiers(_raw())
    r = _at(prob, X_AUTONOMOUS)
    assert r["tier_health_system"] == 3.0 and r["adoption_health_system"] == 1.0
    assert prob.todays_spend == pytest.approx(609_357_140.0, rel=REL)
    assert r["downstream_cost"] == pytest.approx(2_455_600 * 180.012175, rel=REL)
    assert r["payer_spend"] == pytest.approx(589_373_896.93, rel=REL)
    assert r["health_gain"] == pytest.approx(12_697.1304026, rel=REL)
    assert r["incremental_cost"] == pytest.approx(-19_983_243.07, rel=REL)
    assert r["incremental_qalys"] == pytest.approx(-429.2180074, rel=REL)
    assert ICER_LABELS[int(r["icer_label"])] == "less costly, less effective"
    assert r["icer"] == pytest.approx(46_557.32687, rel=1e-8)
    assert r["nmb"] == pytest.approx(-1_477_657.30, rel=REL)
    assert r["nmb_100k"] == pytest.approx(100_000 * -429.2180074 + 19_983_243.07, rel=REL)
    # spend by payer holds the downstream care (one payer: all of it)
    assert r["spend_medicare"] == pytest.approx(r["payer_spend"], rel=REL)
    assert r["medicare_spend"] == pytest.approx(r["payer_spend"], rel=REL)
    assert r["budget_impact_year1"] == pytest.approx(-19_983_243.07, rel=REL)


def test_per_tier_accuracy_applies_to_the_chosen_tier():
    # [pathway.tiers.autonomous] sensitivity 0.95, specificity 0.92: TP 0.238 x 0.95 =
    # 0.2261, FP 0.762 x 0.08 = 0.06096; downstream (0.28706) x 87.5 + 0.2261 x 750
    # = 25.11775 + 169.575 = 194.69275 USD; QALYs 0.2261 x 0.025 - 0.06096 x 0.00025
    # = 0.00563726 per exam. An override of the assistive tier (not chosen) changes nothing.
    raw = _raw()
    raw["pathway"]["tiers"] = {
        "autonomous": {"sensitivity": {"value": 0.95, "source": "assumption: test"},
                       "specificity": {"value": 0.92, "source": "assumption: test"}},
        "assistive": {"sensitivity": {"value": 0.5, "source": "assumption: test"}},
    }
    r = _at(_tiers(raw), X_AUTONOMOUS)
    assert r["downstream_cost"] == pytest.approx(2_455_600 * 194.69275, rel=REL)
    assert r["health_gain"] == pytest.approx(2_455_600 * 0.00563726, rel=REL)
    # the same override on the assistive tier only leaves the point as in the known answer
    raw["pathway"]["tiers"] = {"assistive": raw["pathway"]["tiers"]["autonomous"]}
    r2 = _at(_tiers(raw), X_AUTONOMOUS)
    assert r2["health_gain"] == pytest.approx(12_697.1304026, rel=REL)


def test_cost_effective_anchor_from_the_pathway():
    # P* = lambda (qa - (c/u) qc) - da + (c/u)(vc + dc), c/u = 0.5:
    #   50,000 (0.0051706835 - 0.005345475) - 180.012175 + 0.5 x (175 + 321.3)
    #   = -8.739575 - 180.012175 + 248.15 = 59.39825 USD per AI use (Medicare payment).
    prob = _tiers(_raw())
    a = prob.anchors()["cost_effective"]
    assert a.value == pytest.approx(59.39825, rel=REL)
    assert "pathway" in a.formula
    # at that payment (autonomous, w = 0) NMB against the status quo is zero
    r = _at(prob, [0.0, 0.0, 59.39825, 20.0, 0.0])
    assert abs(r["nmb"]) < 1e-3


def test_health_gain_is_a_choosable_objective():
    raw = _raw()
    raw["objectives"] = ["payer_spend", "health_gain"]
    prob = _tiers(raw)
    assert list(prob.objective_names) == ["payer_spend", "health_gain"]
    assert "health_gain" in prob.evaluate(np.array([X_AUTONOMOUS])).objectives
    raw = _raw(pathway=False)
    raw["objectives"] = ["payer_spend", "health_gain"]
    with pytest.raises(ParameterError) as err:
        _tiers(raw)
    assert "objectives" in str(err.value) and "[pathway]" in str(err.value)


def test_without_pathway_no_v2_columns():
    prob = _tiers(_raw(pathway=False))
    names = set(prob.quantity_units())
    assert not names & {"health_gain", "incremental_qalys", "nmb", "spend_medicare",
                        "budget_impact_year1"}


def test_bundled_pathway_is_idx_dr_number_for_number():
    """One source of truth: the bundled file's pathway is idx-dr's, numbers and sources."""
    assert bundled_raw("autonomy-tiers")["pathway"] == bundled_raw("idx-dr")["pathway"]
    assert load_problem("autonomy-tiers").spec.pathway.arrays(("x",)).rho == \
        load_problem("idx-dr").spec.pathway.arrays(("x",)).rho


@pytest.mark.parametrize(("change", "parameter"), [
    (lambda p: p.update(tiers={"autonomous": {"sensitivity": {"value": 1.5,
                                                              "source": "assumption"}}}),
     "pathway.tiers.autonomous.sensitivity"),
    (lambda p: p.update(tiers={"autonomous": {"sensitivity": 0.9}}),
     "pathway.tiers.autonomous.sensitivity"),
    (lambda p: p.update(tiers={"expert": {"sensitivity": {"value": 0.9,
                                                          "source": "assumption"}}}),
     "pathway.tiers"),
    (lambda p: p.update(segments={"office": {"prevalence": 0.1}}), "pathway.segments"),
    (lambda p: p.update(prevalence=0.2), "pathway.prevalence"),
])
def test_bad_input_is_one_line_naming_the_parameter(change, parameter):
    raw = _raw()
    change(raw["pathway"])
    with pytest.raises(ParameterError) as err:
        build_problem(raw)
    text = str(err.value)
    assert "\n" not in text
    assert parameter in text, text
