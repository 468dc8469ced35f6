"""Backends: the grid is exact (checked by brute force), pymoo is close to it, runs are
reproducible, infeasible guardrails are explained."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from paretoprice.optim.errors import CapabilityError, InfeasibleProblemError, ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.optim.indicators import default_reference_point, same_set
from paretoprice.solvers import get_solver, names, solve

HV_TOL = 0.01  # issue target: pymoo within 1% hypervolume of the exact grid front


def _small(idx_raw):
    idx_raw["decisions"]["p"] = {"lower": 20.0, "upper": 90.0, "step": 5.0}
    idx_raw["decisions"]["f"] = {"lower": 0.0, "upper": 40.0, "step": 5.0}
    idx_raw["decisions"]["addons"] = {"safety_net": {"lower": 0.0, "upper": 20.0, "step": 10.0}}
    return build_problem(idx_raw)


def _brute_force_front(problem) -> np.ndarray:
    """Enumerate the ladder with itertools and test dominance pair by pair (plain Python)."""
    pts = []
    for x in itertools.product(*[lad.tolist() for lad in problem.ladders()]):
        ev = problem.evaluate(np.array([x]))
        if problem.feasible(ev)[0]:
            pts.append(problem.minimization_matrix(ev)[0].tolist())
    front = []
    for a in pts:
        dominated = any(all(b[k] <= a[k] for k in range(len(a))) and b != a for b in pts)
        if not dominated and a not in front:
            front.append(a)
    return np.array(front)


def test_grid_equals_brute_force(idx_raw) -> None:
    prob = _small(idx_raw)
    front = solve(prob, "grid")
    ref = _brute_force_front(prob)
    assert len(front) == len(ref)
    assert same_set(front.minimization_matrix(), ref, tol=1e-9)
    # every point is feasible and on the ladder
    assert np.all(np.isin(front.column("p"), prob.ladders()[0]))


def test_grid_chunking_does_not_change_the_front(idx_raw) -> None:
    prob = _small(idx_raw)
    a = solve(prob, "grid", chunk_size=1000)
    b = solve(prob, "grid")
    assert np.array_equal(a.objectives, b.objectives)


def test_nsga2_within_one_percent_hypervolume_of_grid(idx_dr) -> None:
    fine = idx_dr.with_bounds({"p": {"lower": 0.0, "upper": 175.0, "step": 0.25},
                               "f": {"lower": 0.0, "upper": 120.0, "step": 0.25}})
    exact = solve(fine, "grid")
    # the same instance (candidates snapped to the $0.25 ladder), and the continuous
    # relaxation of it (its front may only be better)
    for snap in (True, False):
        heuristic = solve(fine, "nsga2", seed=1, pop_size=100, n_gen=200, snap_to_ladder=snap)
        ref = default_reference_point(exact.minimization_matrix(),
                                      heuristic.minimization_matrix())
        cmp = heuristic.compare_to(exact, reference_point=ref)
        assert cmp.hv_ratio >= 1 - HV_TOL, (snap, cmp)
        assert cmp.igd_plus < 0.01, (snap, cmp)
    on_ladder = np.isin(heuristic.column("p"), fine.ladders()[0])
    assert not on_ladder.all()  # snap_to_ladder=False really searched between the steps


def test_snapped_heuristic_stays_on_the_ladder(idx_raw) -> None:
    prob = _small(idx_raw)
    front = solve(prob, "nsga2", seed=2, pop_size=40, n_gen=30)
    for j, lad in enumerate(prob.ladders()):
        assert np.all(np.isin(front.decisions[:, j], lad))


def test_same_seed_same_front(idx_dr) -> None:
    a = solve(idx_dr, "nsga2", seed=3, pop_size=40, n_gen=20)
    b = solve(idx_dr, "nsga2", seed=3, pop_size=40, n_gen=20)
    c = solve(idx_dr, "nsga2", seed=4, pop_size=40, n_gen=20)
    assert np.array_equal(a.objectives, b.objectives)
    assert np.array_equal(a.decisions, b.decisions)
    assert not np.array_equal(a.objectives, c.objectives)
    assert a.provenance.seed == 3 and a.provenance.problem_hash == idx_dr.spec.input_hash()


@pytest.mark.parametrize("solver", ["nsga3", "agemoea"])
def test_other_pymoo_backends_run(idx_dr, solver) -> None:
    front = solve(idx_dr, solver, seed=1, pop_size=24, n_gen=10)
    assert len(front) > 0 and front.provenance.solver == solver
    # every returned point meets the guardrails
    ev = idx_dr.evaluate(front.decisions)
    assert idx_dr.feasible(ev).all()


def test_smsemoa_runs_on_two_objectives(idx_dr) -> None:
    prob = idx_dr.with_objectives(["payer_spend", "access"])
    front = solve(prob, "smsemoa", seed=1, pop_size=20, n_gen=10)
    assert front.objective_names == ["payer_spend", "access"]


def test_infeasible_guardrails_name_the_conflicting_anchors(idx_raw) -> None:
    # Capping p at v_e = 52.50 leaves the safety net (needs a margin of about 61 USD per
    # exam to adopt fully) far from 60% coverage.
    idx_raw["guardrails"]["cap_access_maximizing"] = True
    idx_raw["guardrails"]["equity_floor"] = {"enabled": True, "min_coverage": 0.6}
    prob = build_problem(idx_raw)
    for solver, opts in (("grid", {}), ("nsga2", {"pop_size": 20, "n_gen": 5})):
        with pytest.raises(InfeasibleProblemError) as info:
            solve(prob, solver, **opts)
        msg = str(info.value)
        assert "'equity_floor' conflicts with 'cap_access_maximizing'" in msg or \
            "'cap_access_maximizing' conflicts with 'equity_floor'" in msg, msg
        assert "short by" in msg
        pair = {(c.first, c.second) for c in info.value.conflicts}
        assert ("equity_floor", "cap_access_maximizing") in pair or \
            ("cap_access_maximizing", "equity_floor") in pair


def test_guardrail_against_decision_bounds(idx_raw) -> None:
    idx_raw["decisions"]["p"] = {"lower": 60.0, "upper": 100.0, "step": 1.0}
    idx_raw["guardrails"]["cap_access_maximizing"] = True
    with pytest.raises(InfeasibleProblemError) as info:
        solve(build_problem(idx_raw), "grid")
    c = info.value.conflicts[0]
    assert c.first == "cap_access_maximizing" and c.second == "decision bounds"
    assert c.shortfall == pytest.approx(60.0 - 52.5)


def test_user_constraint_on_reported_quantity(idx_raw) -> None:
    idx_raw["constraints"] = [{"quantity": "equity", "min": 0.3}]
    prob = build_problem(idx_raw)
    front = solve(prob, "grid")
    assert front.column("equity").min() >= 0.3 - 1e-12


def test_grid_needs_a_ladder(idx_raw) -> None:
    idx_raw["decisions"]["p"] = {"lower": 0.0, "upper": 175.0}
    with pytest.raises(CapabilityError, match="step"):
        solve(build_problem(idx_raw), "grid")


def test_unknown_solver_and_setting(idx_dr) -> None:
    with pytest.raises(ParameterError, match="one of"):
        solve(idx_dr, "simplex")
    with pytest.raises(ParameterError, match="pop_size"):
        solve(idx_dr, "nsga2", popsize=10)
    assert {"nsga2", "grid", "exact"} <= set(names())
    assert get_solver("grid").exact


def test_solve_does_not_mutate_problem(idx_dr) -> None:
    h = idx_dr.spec.input_hash()
    solve(idx_dr, "nsga2", seed=1, pop_size=20, n_gen=3)
    assert idx_dr.spec.input_hash() == h
