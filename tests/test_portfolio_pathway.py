"""Model v2 in the portfolio family: service pathways, health_gain, ICER / NMB against the
status quo, the adoption ramp and the year-by-year budget impact (issue 10).

Known answers are computed by hand in the comments from the bundled portfolio's inputs
(those of the ffr-ct and ai-ecg problems). The uniform adoption curve gives full adoption
(A = 1) to FFR-CT at its 2025 rate 1,017.39 USD and to AI-ECG at 128.90 USD (their
margins cover the sites' fixed costs), so AI exams are U = n u and comparator exams H = 0.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.optim.families.portfolio import PortfolioProblem
from paretoprice.optim.indicators import same_set
from paretoprice.optim.pathway import ICER_LABELS
from paretoprice.problems import bundled_raw, load_problem
from paretoprice.solvers import solve

REL = 1e-12


def _raw(*keep: str) -> dict:
    """The bundled portfolio's dict with only the services named in ``keep``."""
    raw = copy.deepcopy(bundled_raw("portfolio"))
    if keep:
        raw["services"] = [s for s in raw["services"] if s["name"] in keep]
    return raw


def _portfolio(raw: dict) -> PortfolioProblem:
    prob = build_problem(raw)
    assert isinstance(prob, PortfolioProblem)
    return prob


def _at(prob: PortfolioProblem, x: list[float]) -> dict[str, float]:
    ev = prob.evaluate(np.array([x]), report=True)
    return {k: float(v[0]) for k, v in {**ev.objectives, **ev.reported}.items()}


def test_ffr_ct_known_answer():
    # FFR-CT (pathway of ffr-ct.toml): rho 0.32, se 0.86, sp 0.79, phi 0.9, d 3,000,
    # t 12,000, q_tp 0.05, q_fp 0.002; comparator (invasive FFR) se = sp = phi = 1, d = 0.
    # Per AI exam: TP 0.32 x 0.86 = 0.2752, FP 0.68 x 0.21 = 0.1428,
    #   downstream (0.2752 + 0.1428) 0.9 x 3,000 + 0.2752 x 0.9 x 12,000
    #            = 1,128.60 + 2,972.16 = 4,100.76 USD,
    #   QALYs 0.2752 x 0.9 x 0.05 - 0.1428 x 0.9 x 0.002 = 0.01212696.
    # Per comparator exam: 0.32 x 12,000 = 3,840 USD downstream, 0.32 x 0.05 = 0.016 QALY.
    # n = 100,000, c = 0.3, u = 0.6: today H = 30,000 exams at 3,000 + 3,840 = 205.2 M USD,
    #   480 QALYs; at 1,017.39 U = 60,000: 60,000 (1,017.39 + 4,100.76) = 307.089 M USD.
    # Incremental: +101.889 M USD, 60,000 x 0.01212696 - 480 = +247.6176 QALYs,
    #   ICER 101,889,000 / 247.6176 = 411,477.21 USD per QALY, "more costly, more effective";
    #   exams only 60,000 x 1,017.39 - 30,000 x 3,000 = -28.9566 M USD: it "saved money" in v1.
    prob = _portfolio(_raw("ffr_ct"))
    r = _at(prob, [1017.39])
    assert r["adoption_ffr_ct"] == 1.0
    assert r["payer_spend"] == pytest.approx(307_089_000.0, rel=REL)
    assert r["downstream_cost"] == pytest.approx(60_000 * 4_100.76, rel=REL)
    assert r["health_gain"] == pytest.approx(727.6176, rel=REL)
    assert r["incremental_cost"] == pytest.approx(101_889_000.0, rel=REL)
    assert r["incremental_qalys"] == pytest.approx(247.6176, rel=REL)
    assert r["icer"] == pytest.approx(411_477.2132514005, rel=1e-9)
    assert ICER_LABELS[int(r["icer_label"])] == "more costly, more effective"
    assert r["nmb"] == pytest.approx(50_000 * 247.6176 - 101_889_000.0, rel=REL)
    inc = prob.service_increments(np.array([[1017.39]]))
    assert inc["exam_cost"][0, 0] == pytest.approx(-28_956_600.0, rel=REL)
    assert inc["incremental_cost"][0, 0] == pytest.approx(101_889_000.0, rel=REL)
    # today's spend (the budget's base) counts the comparators' downstream care
    assert prob.todays_spend == pytest.approx(205_200_000.0, rel=REL)


def test_portfolio_total_known_answer():
    # AI-ECG (pathway of ai-ecg.toml): rho 0.05, se 0.863, sp 0.857, phi 0.7, d 200,
    # t 3,000, q_tp 0.2, q_fp 0.0002; comparator (echo) exact, treated on its result.
    # Per AI exam: TP 0.04315, FP 0.95 x 0.143 = 0.13585; downstream 0.179 x 0.7 x 200 +
    #   0.04315 x 0.7 x 3,000 = 25.06 + 90.615 = 115.675 USD; QALYs 0.04315 x 0.7 x 0.2 -
    #   0.13585 x 0.7 x 0.0002 = 0.006021981. Per echo: 150 USD downstream, 0.01 QALY.
    # n = 2,000,000, c = 0.1, u = 0.76: today 200,000 echos at 200 + 150 = 70 M USD, 2,000
    #   QALYs; at 128.90 U = 1,520,000: 1.52 M x 244.575 = 371.754 M USD, 9,153.41112 QALYs:
    #   +301.754 M USD, +7,153.41112 QALYs.
    # Portfolio (FFR-CT + AI-ECG at their 2025 rates): dC = 101.889 M + 301.754 M =
    #   403.643 M USD a year, dQ = 247.6176 + 7,153.41112 = 7,401.02872 QALYs a year,
    #   ICER 54,538.77 USD per QALY; NMB(50k) = -33,591,564; NMB(100k) = 336,459,872 USD.
    prob = _portfolio(_raw("ffr_ct", "ai_ecg"))
    r = _at(prob, [1017.39, 128.90])
    assert r["incremental_cost"] == pytest.approx(403_643_000.0, rel=REL)
    assert r["incremental_qalys"] == pytest.approx(7_401.02872, rel=REL)
    assert r["icer"] == pytest.approx(54_538.76957796754, rel=1e-9)
    assert ICER_LABELS[int(r["icer_label"])] == "more costly, more effective"
    assert r["nmb_50k"] == pytest.approx(-33_591_564.0, rel=1e-9)
    assert r["nmb_100k"] == pytest.approx(336_459_872.0, rel=1e-9)
    assert r["health_gain_ai_ecg"] == pytest.approx(9_153.41112, rel=REL)
    assert r["incremental_cost_ai_ecg"] == pytest.approx(301_754_000.0, rel=REL)
    # not covering anything is the status quo: no difference
    r0 = _at(prob, [0.0, 0.0])
    assert r0["incremental_cost"] == pytest.approx(0.0, abs=1e-6)
    assert ICER_LABELS[int(r0["icer_label"])] == "no difference"


def test_ramp_budget_impact_and_creator_npv_known_answer():
    # FFR-CT alone at 1,017.39 (impact +101.889 M USD a year at steady state), ramp 25%,
    # 50%, then 100%; horizon 5 years (the creator's), 3%:
    #   year 1: 0.25 x 101.889 M = 25,472,250; year 2: 50,944,500; years 3-5: 101,889,000;
    #   discounted: 101.889 M x (0.25/1.03 + 0.5/1.03^2 + 1/1.03^3 + 1/1.03^4 + 1/1.03^5)
    #             = 101.889 M x 3.3802538928 = 344,410,688.89 USD.
    # Creator: margin (500 - 150) x 60,000 = 21 M USD a year on the ramp, O = 15 M, F = 100 M:
    #   NPV = 3.3802538928 x 21 M - 4.5797071872 x 15 M - 100 M = -97,710,276.06 USD
    #   (immediate: 4.5797071872 x 6 M - 100 M = -72,521,756.88 USD).
    raw = _raw("ffr_ct")
    raw["ramp"] = {"shares": [0.25, 0.5]}
    prob = _portfolio(raw)
    r = _at(prob, [1017.39])
    assert r["budget_impact_year1"] == pytest.approx(25_472_250.0, rel=REL)
    assert r["budget_impact_year2"] == pytest.approx(50_944_500.0, rel=REL)
    assert [r[f"budget_impact_year{t}"] for t in (3, 4, 5)] == pytest.approx(
        [101_889_000.0] * 3, rel=REL)
    assert "budget_impact_year6" not in r
    assert r["budget_impact_discounted"] == pytest.approx(344_410_688.8857236, rel=1e-9)
    assert r["spend_medicare"] == pytest.approx(307_089_000.0, rel=REL)
    assert r["creator_npv"] == pytest.approx(-97_710_276.05865954, rel=1e-9)
    bi = prob.budget_impact(np.array([[1017.39]]))
    assert bi.payers == ("medicare",)
    assert bi.cumulative() == pytest.approx([101_889_000.0 * 3.75], rel=REL)
    immediate = _portfolio(_raw("ffr_ct"))
    assert _at(immediate, [1017.39])["creator_npv"] == pytest.approx(-72_521_756.8768328,
                                                                       rel=1e-9)


def test_ramp_without_pathway_reports_budget_only():
    raw = _raw("plaque_ai")
    raw["ramp"] = {"shares": [0.5]}
    prob = _portfolio(raw)
    r = _at(prob, [950.50])
    assert "health_gain" not in prob.objective_names and "icer" not in r
    assert r["budget_impact_year1"] == pytest.approx(0.5 * r["budget_impact"], rel=REL)
    assert r["budget_impact_year2"] == pytest.approx(r["budget_impact"], rel=REL)


def test_no_pathway_no_ramp_has_v1_columns_only():
    raw = _raw()
    for s in raw["services"]:
        s.pop("pathway", None)
    raw["services"][1]["creator"]["discount_rate"] = 0.05  # v1 needs no budget rate
    v1 = _portfolio(raw)
    names = {q.name for q in v1.reported}
    assert not {n for n in names if n.startswith(("budget_impact_year", "spend_", "nmb",
                                                  "icer", "incremental_"))}
    assert "health_gain" not in {q.name for q in v1.all_objectives}


def test_exact_equals_grid_with_health_gain_and_v2_bounds():
    # a user bound on v2 sums (NMB at 100k, QALYs) becomes coupling constraints of the
    # exact form; the grid filters the same points
    raw = _raw()
    raw["objectives"] = ["payer_spend", "health_gain"]
    raw["constraints"] = [{"quantity": "nmb_100k", "min": 0.0},
                          {"quantity": "incremental_qalys", "min": 1000.0}]
    prob = _portfolio(raw)
    grid = solve(prob, "grid")
    exact = solve(prob, "exact")
    assert len(grid) > 1
    assert same_set(exact.minimization_matrix(), grid.minimization_matrix())
    assert np.all(grid.column("nmb_100k") >= -1e-6)


def test_separable_sums_match_the_evaluation():
    """Every v2 quantity of the exact form (constant + chosen options) equals evaluate()."""
    raw = _raw()
    raw["ramp"] = {"shares": [0.2, 0.6]}
    prob = _portfolio(raw)
    terms = prob.separable_terms()
    rng = np.random.default_rng(0)
    idx = [rng.integers(0, len(lad), 40) for lad in terms.ladders]
    X = np.column_stack([lad[i] for lad, i in zip(terms.ladders, idx, strict=True)])
    ev = prob.evaluate(X, report=True)
    values = {**ev.objectives, **ev.reported}
    v2 = ["health_gain", "downstream_cost", "incremental_cost", "incremental_qalys", "nmb",
          "nmb_50k", "nmb_100k", "nmb_150k", "spend_medicare", "budget_impact_year1",
          "budget_impact_year2", "budget_impact_year5", "budget_impact_discounted"]
    for q in v2:
        total = terms.constants.get(q, 0.0) + sum(
            terms.sums[q][j][i] for j, i in enumerate(idx))
        np.testing.assert_allclose(total, values[q], rtol=1e-9, atol=1e-3, err_msg=q)
    for name in ("retinal_ai", "plaque_ai"):
        k, per = terms.local[f"incremental_cost_{name}"]
        assert prob.service_names[k] == name
        np.testing.assert_allclose(per[idx[k]], values[f"incremental_cost_{name}"], rtol=1e-12)


def test_portfolio_pathways_are_those_of_the_services_own_problems():
    """One source of truth: each service's pathway equals its own problem's [pathway]."""
    prob = load_problem("portfolio")
    own = {"retinal_ai": "idx-dr", "ffr_ct": "ffr-ct", "ai_ecg": "ai-ecg"}
    assert set(prob.pathway_services) == set(own)
    for s in prob.spec.services:
        if s.name in own:
            assert s.pathway == load_problem(own[s.name]).spec.pathway, s.name


def test_services_that_no_longer_save_money():
    # at the 2025 rates, 92229 and FFR-CT save money on exams alone (v1) but cost more with
    # their downstream care (the motivating bug)
    prob = load_problem("portfolio")
    inc = prob.service_increments(prob.reference_payments[None, :])
    names = prob.service_names
    for name in ("retinal_ai", "ffr_ct"):
        j = names.index(name)
        assert inc["exam_cost"][0, j] < 0 < inc["incremental_cost"][0, j]
        assert inc["incremental_qalys"][0, j] > 0


@pytest.mark.parametrize(("change", "parameter"), [
    (lambda r: r["services"][0]["pathway"].update(segments={"office": {"prevalence": 0.1}}),
     "services[0].pathway.segments"),
    (lambda r: r["services"][0].pop("value"), "services[0].value"),
    (lambda r: r["services"][1]["value"].update(wtp_per_qaly=100_000),
     "services[1].value.wtp_per_qaly"),
    (lambda r: r["services"][0]["pathway"].update(prevalence=0.2),
     "services[0].pathway.prevalence"),
    (lambda r: r.update(ramp={"shares": [1.5]}), "ramp.shares"),
    (lambda r: r.update(ramp={"shares": [0.5] * 6}), "ramp.shares"),
    (lambda r: r["services"][1]["creator"].update(discount_rate=0.05),
     "budget_discount_rate"),
])
def test_bad_input_is_one_line_naming_the_parameter(change, parameter):
    raw = _raw("retinal_ai", "ffr_ct")
    change(raw)
    with pytest.raises(ParameterError) as err:
        build_problem(raw)
    text = str(err.value)
    assert "\n" not in text
    assert parameter in text, text


def test_cli_bad_portfolio_ramp_exits_2_one_line(tmp_path):
    import subprocess
    import sys

    from tests.toml_writer import dumps

    raw = _raw("retinal_ai", "ffr_ct")
    raw["ramp"] = {"shares": [0.5, 2.0]}
    path = tmp_path / "bad-portfolio.toml"
    path.write_text(dumps(raw), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "paretoprice.app.cli", "solve", str(path),
                           "--solver", "grid"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert "ramp.shares" in err and "year 2" in err
