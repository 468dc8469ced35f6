"""Fee-for-service with a site-of-service rate multiplier: known answers, validation, and the
ffr-ct problem and script."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from paretoprice.optim.anchors import annuity
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.problems import bundled_raw, load_problem
from tests.conftest import one_segment_dict

EXACT = 1e-9  # pure arithmetic on a few thousand patients: only rounding error


def _two_sites(multiplier: float | None = 1.5) -> dict:
    """Two settings, every site adopts (no fixed cost), full uptake, Medicare only."""
    d = one_segment_dict(name="two-sites", objectives=["payer_spend", "creator_npv",
                                                      "provider_margin", "access"])
    office = dict(d["segments"][0], name="office", population=1000.0)
    hopd = dict(d["segments"][0], name="hopd", population=2000.0)
    if multiplier is not None:
        hopd["rate_multiplier"] = multiplier
    d["segments"] = [office, hopd]
    d["decisions"] = {"p": {"lower": 0.0, "upper": 200.0, "step": 1.0},
                      "f": {"lower": 0.0, "upper": 50.0, "step": 1.0}}
    d["guardrails"] = {}
    return d


def test_site_multiplier_known_answer() -> None:
    prob = build_problem(_two_sites(1.5))
    ev = prob.evaluate([[100.0, 10.0, 0.0, 0.0]])
    # Kbar = 0 and a positive margin: every site adopts, so U = n u = n and H = 0.
    # payer_spend = 1000 * 100 + 2000 * (1.5 * 100) = 100,000 + 300,000 = 400,000
    assert ev.objectives["payer_spend"][0] == pytest.approx(400_000.0, rel=EXACT)
    # Medicare pays everything here, so medicare_spend is the same 400,000
    assert ev.reported["medicare_spend"][0] == pytest.approx(400_000.0, rel=EXACT)
    # provider_margin = 1000 * (100 - 10) + 2000 * (150 - 10) = 90,000 + 280,000 = 370,000
    assert ev.objectives["provider_margin"][0] == pytest.approx(370_000.0, rel=EXACT)
    # creator_npv = annuity(5, 0.03) * (10 - 0) * 3000 uses (m = F = O = 0)
    assert ev.objectives["creator_npv"][0] == pytest.approx(annuity(5, 0.03) * 30_000.0,
                                                            rel=EXACT)
    assert ev.objectives["access"][0] == pytest.approx(1.0, abs=EXACT)


def test_site_multiplier_only_scales_the_ai_rate() -> None:
    # p = 0, f = 10: margin -10 per use everywhere, nobody adopts, H = n c = 300 + 600.
    # Today's comparator is paid 175 whatever the site: 900 * 175 = 157,500.
    prob = build_problem(_two_sites(1.5))
    ev = prob.evaluate([[0.0, 10.0, 0.0, 0.0]])
    assert ev.objectives["payer_spend"][0] == pytest.approx(157_500.0, rel=EXACT)
    # anchors do not depend on the multiplier: v_e = 175 * 0.3 = 52.5
    assert prob.anchors()["access_maximizing"].value == pytest.approx(52.5, abs=EXACT)


def test_multiplier_defaults_to_one_backward_compatible() -> None:
    rng = np.random.default_rng(7)
    X = np.column_stack([rng.uniform(0, 200, 50), rng.uniform(0, 50, 50),
                         np.zeros(50), np.zeros(50)])
    omitted = build_problem(_two_sites(None)).evaluate(X)
    explicit = build_problem(_two_sites(1.0)).evaluate(X)
    for name, values in omitted.objectives.items():
        np.testing.assert_array_equal(values, explicit.objectives[name])
    assert all(g.rate_multiplier == 1.0 for g in load_problem("idx-dr").spec.segments)


@pytest.mark.parametrize("bad", [-0.5, 25.0])
def test_bad_multiplier_names_the_parameter(bad: float) -> None:
    with pytest.raises(ParameterError) as info:
        build_problem(_two_sites(bad))
    assert info.value.parameter == "segments[1].rate_multiplier"
    assert "Fix:" in str(info.value)


def test_ffr_ct_hospital_outpatient_rate_is_the_2025_opps_payment() -> None:
    prob = load_problem("ffr-ct")
    mult = {g.name: g.rate_multiplier for g in prob.spec.segments}
    # 839.07 (PFS global 2025) * 1.212521 = 1017.39 (OPPS 2025, APC 5724)
    assert mult["physician_office"] == 1.0
    assert 839.07 * mult["hospital_outpatient"] == pytest.approx(1017.39, abs=0.005)
    # the observed 2025 payment sits on the front's decision p
    assert prob.spec.observed[0].variable == "p"
    assert prob.spec.observed[0].low == pytest.approx(839.07)


def test_ffr_ct_caller_dict_not_mutated() -> None:
    raw = bundled_raw("ffr-ct")
    before = copy.deepcopy(raw)
    build_problem(raw)
    assert raw == before


def test_ffr_ct_script_runs(tmp_path) -> None:
    from paretoprice.problems import ffr_ct

    result = ffr_ct.main(["--out", str(tmp_path), "--quick"])
    df = pd.read_csv(tmp_path / "front.csv")
    for name in ("payer_spend", "creator_npv", "access", "provider_margin"):
        assert name in df.columns
    assert len(df) == len(result.front) >= 1
    assert result.front.provenance.solver == "grid"
    assert "What the front shows" in result.text


def test_patient_copay_known_answer() -> None:
    d = _two_sites(1.5)
    d["patient_copay"] = {"share": 0.2, "uptake_response": 0.5}
    ev = build_problem(d).evaluate([[100.0, 10.0, 0.0, 0.0], [0.0, 10.0, 0.0, 0.0]])
    # p = 100 > 0: the patient pays 20%; stated response: uptake x (1 - 0.5 * 0.2) = 0.9.
    # Every site adopts (Kbar = 0, margin > 0): U = 1000 * 0.9 = 900 office, 2000 * 0.9 =
    # 1,800 hospital; H = 0 (everyone at an adopting site is offered the AI exam).
    assert ev.reported["uptake_factor"][0] == pytest.approx(0.9, rel=EXACT)
    assert ev.reported["ai_uses"][0] == pytest.approx(2700.0, rel=EXACT)
    # payers pay 80%: 900 * 80 + 1,800 * 0.8 * 150 = 72,000 + 216,000 = 288,000
    assert ev.objectives["payer_spend"][0] == pytest.approx(288_000.0, rel=EXACT)
    assert ev.reported["medicare_spend"][0] == pytest.approx(288_000.0, rel=EXACT)
    # patients: 900 * 20 + 1,800 * 30 = 72,000
    assert ev.reported["patient_spend"][0] == pytest.approx(72_000.0, rel=EXACT)
    # the provider still receives the whole rate: 900 * 90 + 1,800 * 140 = 333,000
    assert ev.objectives["provider_margin"][0] == pytest.approx(333_000.0, rel=EXACT)
    # access 2,700 / 3,000 = 0.9
    assert ev.objectives["access"][0] == pytest.approx(0.9, abs=EXACT)
    # p = 0: the patient pays nothing, uptake unchanged
    assert ev.reported["uptake_factor"][1] == 1.0


def test_patient_copay_share_out_of_range_is_named() -> None:
    d = _two_sites(1.5)
    d["patient_copay"] = {"share": -0.1}
    with pytest.raises(ParameterError) as info:
        build_problem(d)
    assert info.value.parameter == "patient_copay.share"


def test_ffr_ct_pathway_known_answer() -> None:
    """ffr-ct's pathway: invasive angiography after a positive FFR-CT, revascularization of
    every significant lesion found (hand-computed per exam from the file's inputs)."""
    prob = load_problem("ffr-ct")
    ev = prob.evaluate([[839.07, 150.0, 0.0, 0.0]])
    # p = 839.07, f = 150: every site adopts; U = 0.6 * 100,000 = 60,000, H = 0
    assert ev.reported["ai_uses"][0] == pytest.approx(60_000.0, rel=EXACT)
    # per AI exam: TP = 0.32 * 0.86 = 0.2752, FP = 0.68 * 0.21 = 0.1428, 90% catheterized
    # QALYs 0.2752 * 0.9 * 0.05 - 0.1428 * 0.9 * 0.002 = 0.01212696; x 60,000 = 727.6176
    # today: 30,000 invasive FFRs, TP 0.32 each, 0.32 * 0.05 = 0.016; x 30,000 = 480
    assert ev.objectives["health_gain"][0] == pytest.approx(727.6176, rel=1e-12)
    assert ev.reported["incremental_qalys"][0] == pytest.approx(247.6176, rel=1e-12)
    # downstream per AI exam: 0.418 * 0.9 * 3,000 + 0.2752 * 0.9 * 12,000 = 4,100.76;
    # x 60,000 = 246,045,600. Today: 30,000 * (3,000 + 0.32 * 12,000) = 205,200,000
    hopd = {g.name: g.rate_multiplier for g in prob.spec.segments}["hospital_outpatient"]
    exams = 18_000 * 839.07 + 42_000 * 839.07 * hopd
    assert ev.objectives["payer_spend"][0] == pytest.approx(exams + 246_045_600.0, rel=1e-12)
    assert ev.reported["incremental_cost"][0] == pytest.approx(
        exams + 246_045_600.0 - 205_200_000.0, rel=1e-12)


def test_ffr_ct_2026_observed_rate() -> None:
    # 2025 global RVU 25.94 x 2026 non-APM conversion factor 33.4009 = 866.419346 -> 866.42
    obs = {o.name: o for o in load_problem("ffr-ct").spec.observed}
    o = obs["PFS 2026 at the 2025 RVU (25.94 RVU x $33.4009)"]
    assert o.low == o.high == pytest.approx(round(25.94 * 33.4009, 2), abs=1e-9)
    assert o.low == 866.42
    assert "33.5675" in o.source and "2026" in o.source
