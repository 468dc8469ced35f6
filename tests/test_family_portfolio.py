"""Portfolio family: hand-derived known answers, the exact form against evaluate() and the
grid, validation messages, synthetic instances, and the script."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from paretoprice.optim.errors import InfeasibleProblemError, ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.optim.families.portfolio import PortfolioProblem, synthetic_portfolio
from paretoprice.optim.indicators import nondominated_mask, same_set
from paretoprice.optim.problem import ChoiceStructure, PricingProblem
from paretoprice.solvers import solve

REL = 1e-9
"""Relative tolerance for sums of per-group contributions against evaluate()."""

SUMMABLE = ["payer_spend", "creator_npv", "access", "provider_margin"]


def two_service_dict(**over: Any) -> dict[str, Any]:
    """Two services whose outcomes are easy to derive by hand (see the known-answer test).

    ``a``: every site adopts as soon as its margin is positive (no fixed cost); ``b``: no
    paid comparator, uniform site costs on [0, 600] USD a year, 30 uses per site.
    """
    d: dict[str, Any] = {
        "name": "two-services",
        "family": "portfolio",
        "objectives": list(SUMMABLE),
        "services": [
            {"name": "a", "reference_payment": 100.0, "comparator_payment": 200.0,
             "eligible": 1000.0, "compliance": 0.2, "uptake": 0.5,
             "provider_cost_per_use": 10.0, "sites": 10.0, "fixed_cost_per_site": 0.0,
             "creator_fee": 30.0,
             "creator": {"marginal_cost": 10.0, "upfront_investment": 1000.0,
                         "annual_fixed_cost": 100.0, "horizon_years": 2,
                         "discount_rate": 0.0, "tco_volume": 500.0},
             "ladder": {"min_share": 0.0, "max_share": 1.0, "step_share": 0.5}},
            {"name": "b", "reference_payment": 40.0, "comparator_payment": 0.0,
             "eligible": 3000.0, "compliance": 0.0, "uptake": 0.2,
             "provider_cost_per_use": 5.0, "sites": 20.0, "fixed_cost_per_site": 300.0,
             "creator_fee": 10.0,
             "creator": {"marginal_cost": 2.0, "upfront_investment": 0.0,
                         "annual_fixed_cost": 0.0, "horizon_years": 1, "discount_rate": 0.0,
                         "tco_volume": 600.0},
             "ladder": {"min_share": 0.0, "max_share": 1.0, "step_share": 0.5}},
        ],
        "guardrails": {"portfolio_budget": {"enabled": True, "increase_over_today": 30000.0},
                       "cap_substitution": True},
    }
    d.update(over)
    return d


def brute_force_front(problem: PricingProblem, cs: ChoiceStructure) -> np.ndarray:
    """Nondominated minimization matrix of every one-option-per-group pick within capacity."""
    sizes = [len(g.options) for g in cs.groups]
    idx = np.indices(sizes).reshape(len(sizes), -1).T
    ok = np.ones(idx.shape[0], dtype=bool)
    for name, cap in cs.capacities.items():
        use = sum(g.resources[name][idx[:, j]] for j, g in enumerate(cs.groups))
        ok &= use - cap <= REL * max(abs(cap), 1.0)
    cols = []
    for o, sense in zip(problem.objective_names, problem.senses, strict=True):
        val = cs.constants.get(o, 0.0) + sum(g.objectives[o][idx[:, j]]
                                             for j, g in enumerate(cs.groups))
        cols.append(val if sense == "min" else -val)
    F = np.column_stack(cols)[ok]
    return F[nondominated_mask(F)]


def random_picks(cs: ChoiceStructure, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random picks (one option index per group) and their decision matrix."""
    rng = np.random.default_rng(seed)
    idx = np.column_stack([rng.integers(0, len(g.options), n) for g in cs.groups])
    X = np.column_stack([g.options[idx[:, j], 0] for j, g in enumerate(cs.groups)])
    return idx, X


# ----------------------------------------------------------------- known answers
def test_two_service_known_answers() -> None:
    prob = build_problem(two_service_dict())
    assert isinstance(prob, PortfolioProblem)
    assert prob.n_services == 2
    assert prob.decision_names == ["p_a", "p_b"]
    # Ladders: a at 0/50/100% of 100 USD, b at 0/50/100% of 40 USD.
    assert [lad.tolist() for lad in prob.ladders()] == [[0.0, 50.0, 100.0], [0.0, 20.0, 40.0]]
    ev = prob.evaluate([[100.0, 40.0], [50.0, 20.0], [0.0, 0.0]])
    # Row 0, p = (100, 40):
    #  a: margin 100-30-10 = 60 > 0 and no fixed cost -> all sites adopt; U = 1000*0.5 = 500,
    #     H = 0; spend 500*100 = 50,000; NPV = 2*((30-10)*500 - 100) - 1000 = 18,800;
    #     provider margin 500*60 = 30,000; coverage 0.5.
    #  b: margin 40-10-5 = 25; 30 uses/site -> 750 USD/site >= 2*300 -> A = 1, adopters'
    #     cost 600^2/(4*300) = 300 per site; U = 600; spend 600*40 = 24,000;
    #     NPV = (10-2)*600 = 4,800; margin 600*25 - 20*300 = 9,000; coverage 0.2.
    # Row 1, p = (50, 20):
    #  a: margin 10 -> A = 1; spend 25,000; NPV 18,800; margin 5,000; coverage 0.5.
    #  b: margin 5 -> 150 USD/site -> A = 150/600 = 0.25, cost 150^2/1200 = 18.75; U = 150;
    #     spend 3,000; NPV 1,200; margin 150*5 - 20*18.75 = 375; coverage 0.05.
    # Row 2, p = (0, 0): nobody adopts; a's comparator: H = 1000*0.2 = 200 patients at
    #  200 USD = 40,000 (today's spend); NPV = 2*(-100) - 1000 = -1,200; coverage 0.2, 0.
    np.testing.assert_allclose(ev.objectives["payer_spend"], [74_000, 28_000, 40_000])
    np.testing.assert_allclose(ev.objectives["creator_npv"], [23_600, 20_000, -1_200])
    np.testing.assert_allclose(ev.objectives["access"], [1100 / 4000, 650 / 4000, 200 / 4000])
    np.testing.assert_allclose(ev.objectives["provider_margin"], [39_000, 5_375, 0.0])
    np.testing.assert_allclose(ev.objectives["equity"], [0.2, 0.05, 0.0])
    # Budget = today's 40,000 + 30,000 = 70,000: row 0 is 4,000 over.
    assert prob.todays_spend == pytest.approx(40_000)
    assert prob.budget == pytest.approx(70_000)
    np.testing.assert_allclose(ev.constraints["portfolio_budget"], [4_000, -42_000, -30_000])
    # The substitution cap exists only for a (b has no paid comparator): p_a <= 200.
    assert [g.name for g in prob.guardrails] == ["portfolio_budget", "cap_substitution_a"]
    np.testing.assert_allclose(ev.constraints["cap_substitution_a"], [-100, -150, -200])
    np.testing.assert_allclose(ev.reported["ai_uses"], [1100, 650, 0])
    np.testing.assert_allclose(ev.reported["human_uses"], [0, 0, 200])
    np.testing.assert_allclose(ev.reported["services_covered"], [2, 2, 0])
    np.testing.assert_allclose(ev.reported["budget_impact"], [34_000, -12_000, 0])
    np.testing.assert_allclose(ev.reported["adoption_b"], [1.0, 0.25, 0.0])
    assert list(prob.feasible(ev)) == [False, True, True]


def test_two_service_anchors() -> None:
    prob = build_problem(two_service_dict())
    a = prob.service_anchors()["a"].values()  # type: ignore[attr-defined]
    # v_sub = 200, v_e = 200 * 0.2 = 40, TCO = 10 + (1000/2 + 100)/500 = 11.2.
    assert a["substitution"] == 200.0
    assert a["access_maximizing"] == pytest.approx(40.0)
    assert a["total_cost_of_ownership"] == pytest.approx(11.2)
    # Portfolio as one service: today's spend / eligible = 40,000 / 4,000 = 10 per patient.
    agg = prob.anchors().values()
    assert agg["access_maximizing"] == pytest.approx(10.0)
    assert agg["substitution"] == pytest.approx(200.0)
    # No value inputs: the cost-effective anchor is not given.
    assert np.isnan(agg["cost_effective"])


def test_two_service_choice_structure_by_hand() -> None:
    prob = build_problem(two_service_dict())
    cs = prob.choice_structure()
    assert [g.name for g in cs.groups] == ["a", "b"]
    assert [g.columns for g in cs.groups] == [(0,), (1,)]
    # Spend per option: a at 0/50/100 -> 40,000 (comparator only) / 25,000 / 50,000;
    # b at 0/20/40 -> 0 / 3,000 / 24,000 (rows derived in the known-answer test).
    np.testing.assert_allclose(cs.groups[0].objectives["payer_spend"], [40_000, 25_000, 50_000])
    np.testing.assert_allclose(cs.groups[1].objectives["payer_spend"], [0, 3_000, 24_000])
    np.testing.assert_allclose(cs.groups[1].objectives["creator_npv"], [0, 1_200, 4_800])
    np.testing.assert_allclose(cs.groups[0].resources["portfolio_budget"],
                               [40_000, 25_000, 50_000])
    assert cs.capacities == {"portfolio_budget": pytest.approx(70_000)}
    assert cs.capacity_units == {"portfolio_budget": "USD per year"}
    # a substitution cap at 75 USD leaves a's 100-USD option out of its group.
    d = two_service_dict()
    d["services"][0]["comparator_payment"] = 75.0
    capped = build_problem(d).choice_structure()
    assert capped.groups[0].options[:, 0].tolist() == [0.0, 50.0]


# -------------------------------------------------------------- exact form checks
@pytest.mark.parametrize("seed", [3, 11])
def test_choice_structure_matches_evaluate(seed: int) -> None:
    prob = synthetic_portfolio(8, seed=seed, objectives=SUMMABLE)
    cs = prob.choice_structure()
    assert len(cs.groups) == 8
    idx, X = random_picks(cs, 200, seed)
    ev = prob.evaluate(X)
    for o in SUMMABLE:
        total = cs.constants[o] + sum(g.objectives[o][idx[:, j]] for j, g in enumerate(cs.groups))
        np.testing.assert_allclose(total, ev.objectives[o], rtol=REL,
                                   atol=REL * np.abs(ev.objectives[o]).max())
    # The budget's resources minus its capacity is the guardrail's value.
    use = sum(g.resources["portfolio_budget"][idx[:, j]] for j, g in enumerate(cs.groups))
    np.testing.assert_allclose(use - cs.capacities["portfolio_budget"],
                               ev.constraints["portfolio_budget"], rtol=REL,
                               atol=REL * cs.capacities["portfolio_budget"])
    # Options left out are exactly those breaking a per-service cap: every kept option
    # meets them, and each full ladder has the options above the substitution value removed.
    caps = [g for g in prob.guardrails if g.name.startswith("cap_")]
    assert all(np.all(ev.constraints[g.name] <= 1e-9 * g.scale) for g in caps)
    for j, (g, lad) in enumerate(zip(cs.groups, prob.ladders(), strict=True)):
        vc = prob.spec.services[j].comparator_payment
        expected = lad if vc == 0 else lad[lad <= vc * (1 + 1e-9)]
        np.testing.assert_allclose(g.options[:, 0], expected)


@pytest.mark.parametrize("objectives", [SUMMABLE, ["payer_spend", "access"]])
def test_grid_equals_brute_force_of_choice_structure(objectives: list[str]) -> None:
    prob = synthetic_portfolio(3, seed=7, levels=4, objectives=objectives)
    cs = prob.choice_structure()
    assert [len(g.options) for g in cs.groups] <= [4, 4, 4]
    # The budget binds: some picks are excluded by it (else the check would be idle).
    sizes = [len(g.options) for g in cs.groups]
    idx = np.indices(sizes).reshape(3, -1).T
    use = sum(g.resources["portfolio_budget"][idx[:, j]] for j, g in enumerate(cs.groups))
    assert (use > cs.capacities["portfolio_budget"]).any()
    front = solve(prob, "grid")
    assert same_set(front.minimization_matrix(), brute_force_front(prob, cs))


def test_grid_equals_brute_force_two_service_and_bundled() -> None:
    from paretoprice.problems import load_problem

    for prob in (build_problem(two_service_dict()), load_problem("portfolio")):
        cs = prob.choice_structure()
        assert same_set(solve(prob, "grid").minimization_matrix(), brute_force_front(prob, cs))


def test_user_bound_on_a_sum_becomes_a_coupling_constraint() -> None:
    raw = synthetic_portfolio(3, seed=7, levels=4).spec.model_dump()
    raw["constraints"] = [{"quantity": "access", "min": 0.08},
                          {"quantity": "coverage_s01", "min": 0.2}]
    prob = build_problem(raw)
    cs = prob.choice_structure()
    assert set(cs.capacities) == {"portfolio_budget", "access>=0.08"}
    # access >= 0.08 is written -sum(access terms) <= -0.08.
    assert cs.capacities["access>=0.08"] == pytest.approx(-0.08)
    # coverage_s01 >= 0.2 leaves options out of group s01 only.
    cov = prob.evaluate(np.column_stack([cs.groups[0].options[:, 0],
                                         np.zeros((len(cs.groups[0].options), 2))]))
    assert np.all(cov.reported["coverage_s01"] >= 0.2 - 1e-12)
    assert same_set(solve(prob, "grid").minimization_matrix(), brute_force_front(prob, cs))


def test_equity_objective_falls_back_to_one_group() -> None:
    prob = build_problem(two_service_dict(objectives=["payer_spend", "equity"]))
    cs = prob.choice_structure()
    # equity = min over services is not a sum: one group holding every feasible point.
    assert len(cs.groups) == 1 and cs.groups[0].columns == (0, 1)
    ev = prob.evaluate(cs.groups[0].options)
    np.testing.assert_allclose(cs.groups[0].objectives["equity"], ev.objectives["equity"])
    assert len(cs.groups[0].options) == int(prob.feasible(prob.evaluate(
        np.array(np.meshgrid(*prob.ladders(), indexing="ij")).reshape(2, -1).T)).sum())


def test_equity_floor_leaves_options_out() -> None:
    d = two_service_dict()
    d["guardrails"]["equity_floor"] = {"enabled": True, "min_coverage": 0.05}
    cs = build_problem(d).choice_structure()
    # b's coverage: 0 at 0 USD, 0.05 at 20 USD, 0.2 at 40 USD -> 0 USD is left out;
    # a's coverage is 0.2 / 0.5 / 0.5 -> all kept.
    assert cs.groups[0].options[:, 0].tolist() == [0.0, 50.0, 100.0]
    assert cs.groups[1].options[:, 0].tolist() == [20.0, 40.0]
    d["guardrails"]["equity_floor"]["min_coverage"] = 0.9
    with pytest.raises(InfeasibleProblemError, match="equity_floor"):
        build_problem(d).choice_structure()


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    ("edit", "parameter"),
    [
        (lambda d: d["services"][0].update(compliance=1.3), "services[0].compliance"),
        (lambda d: d["services"][0].update(colour="red"), "services[0].colour"),
        (lambda d: d["services"][1].update(name="a"), "services"),
        (lambda d: d["services"][0]["ladder"].update(step_share=0.3), "services[0].ladder"),
        (lambda d: d["ladder"].update(min_share=2.0), "ladder"),
        (lambda d: d["guardrails"]["portfolio_budget"].update(budget=5.0),
         "guardrails.portfolio_budget"),
        (lambda d: d["guardrails"].update(cap_cost_effective=True), "guardrails"),
        (lambda d: d.update(services=[]), "services"),
    ],
)
def test_validation_errors_name_the_parameter(edit, parameter: str) -> None:
    d = copy.deepcopy(two_service_dict(ladder={"min_share": 0.0, "max_share": 1.0,
                                               "step_share": 0.5}))
    edit(d)
    with pytest.raises(ParameterError) as err:
        build_problem(d)
    assert err.value.parameter == parameter
    assert "Fix:" in str(err.value)


def test_negative_budget_is_refused() -> None:
    d = two_service_dict()
    d["guardrails"]["portfolio_budget"]["increase_over_today"] = -50_000.0
    with pytest.raises(ParameterError, match="increase_over_today"):
        build_problem(d)


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({"n_services": 0, "seed": 1}, "n_services"),
    ({"n_services": 3, "seed": 1, "levels": 1}, "levels"),
    ({"n_services": 3, "seed": 1, "max_share": 0.0}, "max_share"),
])
def test_synthetic_rejects_bad_arguments(kwargs: dict[str, Any], parameter: str) -> None:
    with pytest.raises(ParameterError) as err:
        synthetic_portfolio(**kwargs)
    assert err.value.parameter == parameter


# ------------------------------------------------------------------ synthetic
def test_synthetic_is_seeded_and_scales() -> None:
    a = synthetic_portfolio(5, seed=2)
    assert a.spec.input_hash() == synthetic_portfolio(5, seed=2).spec.input_hash()
    assert a.spec.input_hash() != synthetic_portfolio(5, seed=3).spec.input_hash()
    big = synthetic_portfolio(50, seed=2, levels=6)
    assert big.n_services == 50 and big.n_var == 50
    assert [len(x) for x in big.ladders()] == [6] * 50
    cs = big.choice_structure()
    assert len(cs.groups) == 50
    # the budget binds: covering everything at the top level is over it
    ev = big.evaluate(big.upper)
    assert ev.constraints["portfolio_budget"][0] > 0
    assert big.feasible(big.evaluate(np.zeros(50)))[0]


def test_with_bounds_changes_one_ladder() -> None:
    prob = build_problem(two_service_dict())
    new = prob.with_bounds({"p_a": {"lower": 0.0, "upper": 100.0, "step": 25.0}})
    np.testing.assert_allclose(new.ladders()[0], [0, 25, 50, 75, 100])
    np.testing.assert_allclose(new.ladders()[1], prob.ladders()[1])
    assert prob.ladders()[0].tolist() == [0.0, 50.0, 100.0]  # the original is untouched


def test_bundled_problem_lists_five_services() -> None:
    from paretoprice.app.cli import problem_rows

    row = next(r for r in problem_rows() if r["name"] == "portfolio")
    assert row["family"] == "portfolio" and row["services"] == 5 and row["exact"] == "yes"


# ------------------------------------------------------------------ script
def test_script_runs_with_nsga2(tmp_path) -> None:
    from paretoprice.problems import portfolio

    result = portfolio.main(["--out", str(tmp_path), "--quick", "--solver", "nsga2"])
    assert result.front.provenance.solver == "nsga2"
    assert (tmp_path / "front.csv").exists()
    assert "Service by service" in result.text
    assert "2025 rate" in result.text


def test_script_default_solver() -> None:
    from paretoprice.problems.portfolio import preferred_solver, with_default_solver

    assert preferred_solver() in {"exact", "nsga2"}
    assert with_default_solver(["--out", "x"]) == ["--out", "x", "--solver", preferred_solver()]
    assert with_default_solver(["--solver", "grid"]) == ["--solver", "grid"]
    assert with_default_solver(["--solver=grid"]) == ["--solver=grid"]
