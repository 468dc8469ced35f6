"""Add-on fund family: hand-derived known answers, the exact form against evaluate() and
the grid, validation messages, and the script."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.optim.families.addon_fund import AddonFundProblem
from paretoprice.optim.indicators import same_set
from paretoprice.solvers import solve
from tests.test_family_portfolio import REL, brute_force_front, random_picks


def two_segment_dict(**over: Any) -> dict[str, Any]:
    """Two segments whose outcomes are easy to derive by hand (amounts in KRW).

    ``x``: every site adopts when its margin is positive (no fixed cost), 10% of patients
    get a 1,000-KRW comparator today; ``y``: uniform site costs on [0, 4,000] KRW a year,
    20 uses per site, equity weight 2.
    """
    d: dict[str, Any] = {
        "name": "two-segments",
        "family": "addon_fund",
        "currency": "KRW",
        "objectives": ["payer_spend", "creator_npv", "access", "provider_margin"],
        "service": {"name": "AI reading", "insurer_payment": 100.0,
                    "comparator_payment": 1000.0, "creator_fee": 300.0},
        "segments": [
            {"name": "x", "population": 1000.0, "compliance": 0.1, "uptake": 0.5,
             "provider_cost_per_use": 100.0, "sites": 10.0, "fixed_cost_per_site": 0.0},
            {"name": "y", "population": 2000.0, "compliance": 0.0, "uptake": 0.4,
             "provider_cost_per_use": 50.0, "sites": 40.0, "fixed_cost_per_site": 2000.0,
             "equity_weight": 2.0},
        ],
        "creator": {"marginal_cost": 50.0, "upfront_investment": 10000.0,
                    "annual_fixed_cost": 1000.0, "horizon_years": 2, "discount_rate": 0.0,
                    "tco_volume": 100.0},
        "value": {"wtp_per_qaly": 1e6, "qaly_gain_per_patient": 0.001},
        "addon": {"lower": 0.0, "upper": 600.0, "step": 200.0},
        "guardrails": {"fund_budget": {"enabled": True, "budget": 500000.0},
                       "creator_sustainable": True},
    }
    d.update(over)
    return d


def test_two_segment_known_answers() -> None:
    prob = build_problem(two_segment_dict())
    assert isinstance(prob, AddonFundProblem)
    assert prob.decision_names == ["a_x", "a_y"]
    assert prob.objective_units == ("KRW per year", "KRW", "share of eligible patients",
                                    "KRW per year")
    ev = prob.evaluate([[400.0, 600.0], [400.0, 400.0], [0.0, 0.0]])
    # Row 0, a = (400, 600):
    #  x: margin 100+400-300-100 = 100 > 0, no fixed cost -> A = 1; U = 500, H = 0;
    #     fund 500*400 = 200,000; insurer 500*100 = 50,000; creator 2*(300-50)*500 =
    #     250,000; provider 500*100 = 50,000; coverage 0.5.
    #  y: margin 100+600-300-50 = 350; 20 uses/site -> 7,000 >= 2*2,000 -> A = 1, adopters'
    #     cost 4,000^2/(4*2,000) = 2,000 per site; U = 800; fund 480,000; insurer 80,000;
    #     creator 400,000; provider 800*350 - 40*2,000 = 200,000; coverage 0.4.
    #  creator_npv = 250,000 + 400,000 - (2*1,000 + 10,000) = 638,000;
    #  access = (1*500 + 2*800) / (1*1,000 + 2*2,000) = 0.42.
    # Row 1, a = (400, 400): y margin 150 -> 3,000 per site -> A = 0.75, cost
    #  3,000^2/8,000 = 1,125; U = 600; fund 240,000; insurer 60,000; creator 300,000;
    #  provider 600*150 - 40*1,125 = 45,000; coverage 0.3.
    # Row 2, a = (0, 0): nobody adopts; x's comparator: 100 patients at 1,000 KRW.
    np.testing.assert_allclose(ev.objectives["payer_spend"], [810_000, 550_000, 100_000])
    np.testing.assert_allclose(ev.objectives["creator_npv"], [638_000, 538_000, -12_000])
    np.testing.assert_allclose(ev.objectives["access"], [0.42, 1700 / 5000, 100 / 5000])
    np.testing.assert_allclose(ev.objectives["provider_margin"], [250_000, 95_000, 0])
    np.testing.assert_allclose(ev.objectives["equity"], [0.4, 0.3, 0.0])
    np.testing.assert_allclose(ev.reported["fund_spend"], [680_000, 440_000, 0])
    np.testing.assert_allclose(ev.reported["insurance_spend"], [130_000, 110_000, 100_000])
    # extra patients over today's 100: 1,200 and 1,000 -> 680,000/1,200 and 440 KRW each.
    np.testing.assert_allclose(ev.reported["extra_patients"], [1200, 1000, 0])
    np.testing.assert_allclose(ev.reported["fund_per_extra_patient"][:2], [680_000 / 1200, 440])
    assert np.isnan(ev.reported["fund_per_extra_patient"][2])
    # Fund cap 500,000: row 0 is 180,000 over; the creator breaks even except at row 2.
    np.testing.assert_allclose(ev.constraints["fund_budget"], [180_000, -60_000, -500_000])
    np.testing.assert_allclose(ev.constraints["creator_sustainable"],
                               [-638_000, -538_000, 12_000])
    assert list(prob.feasible(ev)) == [False, True, False]
    # Anchors in KRW: v_sub = 1,000; c = 100 / 3,000 -> v_e = 33.33; v_cea = 1e6 * 0.001.
    a = prob.anchors()
    assert a["substitution"].unit == "KRW per patient"
    assert a["access_maximizing"].value == pytest.approx(1000 / 30)
    assert a["cost_effective"].value == pytest.approx(1000.0)


def test_two_segment_choice_structure_by_hand() -> None:
    prob = build_problem(two_segment_dict())
    cs = prob.choice_structure()
    assert [g.name for g in cs.groups] == ["x", "y"]
    # creator_npv = -(2*1,000 + 10,000) + sum of 2*(300-50)*U_g: the constant is -12,000.
    assert cs.constants["creator_npv"] == pytest.approx(-12_000)
    # y's fund use at 0/200/400/600 KRW: margin -250/-50/150/350 -> U = 0, 0, 600, 800.
    np.testing.assert_allclose(cs.groups[1].resources["fund_budget"], [0, 0, 240_000, 480_000])
    # creator_sustainable: sum_g -2*250*U_g <= -12,000.
    assert cs.capacities["creator_sustainable"] == pytest.approx(-12_000)
    np.testing.assert_allclose(cs.groups[1].resources["creator_sustainable"],
                               [0, 0, -300_000, -400_000])
    assert cs.capacity_units == {"fund_budget": "KRW per year", "creator_sustainable": "KRW"}


@pytest.mark.parametrize("seed", [0, 5])
def test_choice_structure_matches_evaluate(seed: int) -> None:
    from paretoprice.problems import load_problem

    prob = load_problem("addon-fund").with_objectives(
        ["payer_spend", "creator_npv", "access", "provider_margin"])
    prob = prob.with_spec_changes(guardrails={
        "fund_budget": {"enabled": True, "budget": 1e10}, "creator_sustainable": True})
    cs = prob.choice_structure()
    assert len(cs.groups) == 4
    idx, X = random_picks(cs, 300, seed)
    ev = prob.evaluate(X)
    for o in prob.objective_names:
        total = cs.constants[o] + sum(g.objectives[o][idx[:, j]] for j, g in enumerate(cs.groups))
        np.testing.assert_allclose(total, ev.objectives[o], rtol=REL,
                                   atol=REL * np.abs(ev.objectives[o]).max())
    for name, cap in cs.capacities.items():
        use = sum(g.resources[name][idx[:, j]] for j, g in enumerate(cs.groups))
        np.testing.assert_allclose(use - cap, ev.constraints[name], rtol=REL,
                                   atol=REL * abs(cap))


@pytest.mark.parametrize("objectives", [["payer_spend", "access", "creator_npv"],
                                        ["payer_spend", "access", "equity"]])
def test_grid_equals_brute_force_of_choice_structure(objectives: list[str]) -> None:
    d = two_segment_dict(objectives=objectives)
    d["segments"].append({"name": "z", "population": 1500.0, "uptake": 0.6,
                          "provider_cost_per_use": 80.0, "sites": 30.0,
                          "fixed_cost_per_site": 3000.0})
    prob = build_problem(d)
    cs = prob.choice_structure()
    # 3 segments x 4 levels (equity chosen: one group of the feasible points instead).
    assert len(cs.groups) == (1 if "equity" in objectives else 3)
    front = solve(prob, "grid")
    assert same_set(front.minimization_matrix(), brute_force_front(prob, cs))
    # the fund cap binds on this instance
    assert prob.evaluate(prob.upper).constraints["fund_budget"][0] > 0


def test_equity_floor_and_bundled_problem() -> None:
    from paretoprice.problems import load_problem

    prob = load_problem("addon-fund")
    # equity is a chosen objective of the bundled problem: the exact form is one group
    # holding every ladder point within the fund cap.
    cs = prob.choice_structure()
    assert len(cs.groups) == 1 and "equity" in cs.groups[0].objectives
    assert same_set(solve(prob, "grid").minimization_matrix(), brute_force_front(prob, cs))
    # With equity as a floor instead, the form is grouped and low-coverage options go.
    sep = prob.with_objectives(["payer_spend", "access"]).with_spec_changes(guardrails={
        "fund_budget": {"enabled": True, "budget": 1e10},
        "equity_floor": {"enabled": True, "min_coverage": 0.05}})
    cs2 = sep.choice_structure()
    assert len(cs2.groups) == 4
    for j, g in enumerate(cs2.groups):
        X = np.zeros((len(g.options), 4))
        X[:, j] = g.options[:, 0]
        cov = sep.evaluate(X).reported[f"coverage_{sep.segment_names[j]}"]
        assert np.all(cov >= 0.05 - 1e-12)
        assert len(g.options) < 13  # 0 KRW (coverage 0) is always left out
    assert same_set(solve(sep, "grid").minimization_matrix(), brute_force_front(sep, cs2))


@pytest.mark.parametrize(
    ("edit", "parameter"),
    [
        (lambda d: d["addon"].update(lower=-200.0), "addon"),
        (lambda d: d["segments"][1].update(addon={"lower": -1.0, "upper": 0.0}),
         "segments[1].addon"),
        (lambda d: d["segments"][1].update(name="x"), "segments"),
        (lambda d: d.update(currency="won"), "currency"),
        (lambda d: d["guardrails"].update(fund_cap=True), "guardrails.fund_cap"),
        (lambda d: d["segments"][0].update(uptake=1.5), "segments[0].uptake"),
        (lambda d: d["service"].update(creator_fee=-1.0), "service.creator_fee"),
        (lambda d: d["addon"].update(step=250.0), "addon"),
    ],
)
def test_validation_errors_name_the_parameter(edit, parameter: str) -> None:
    d = copy.deepcopy(two_segment_dict())
    edit(d)
    with pytest.raises(ParameterError) as err:
        build_problem(d)
    assert err.value.parameter == parameter
    assert "Fix:" in str(err.value)


def test_with_bounds_changes_one_segment() -> None:
    prob = build_problem(two_segment_dict())
    new = prob.with_bounds({"a_y": {"lower": 0.0, "upper": 1000.0, "step": 500.0}})
    assert new.ladders()[1].tolist() == [0.0, 500.0, 1000.0]
    assert new.ladders()[0].tolist() == [0.0, 200.0, 400.0, 600.0]


def test_script_runs_with_nsga2(tmp_path) -> None:
    from paretoprice.problems import addon_fund

    result = addon_fund.main(["--out", str(tmp_path), "--quick", "--solver", "nsga2"])
    assert result.front.provenance.solver == "nsga2"
    assert (tmp_path / "front.csv").exists()
    assert "1999 PACS adoption fee" in result.text
    # the 2023 fee is paid 90% by the patient: the insurer's 181 KRW is located too
    assert "10% of 1,810 = 181 KRW" in result.text
    assert "KRW" in result.text
