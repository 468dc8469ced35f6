"""The merge of choice groups (dynamic programming over nondominated partial choices):
every nondominated point of random multiple-choice knapsacks against brute force, the
exact backend's merge against its MILP and the grid, and how it stops and falls back."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families.portfolio import synthetic_portfolio
from paretoprice.optim.indicators import nondominated_mask, same_set
from paretoprice.solvers import solve
from paretoprice.solvers.exact.backend import ExactSettings, merge_inputs, objective_resolutions
from paretoprice.solvers.exact.merge import MergeResult, MergeStopped, merge_front


def brute_force(values: list[np.ndarray], uses: list[np.ndarray],
                cap: np.ndarray) -> set[tuple[float, ...]]:
    """Nondominated objective vectors (minimized) over every feasible combination."""
    combos = np.array(list(itertools.product(*[range(len(v)) for v in values])))
    if combos.size == 0:
        return set()
    F = sum(v[combos[:, g]] for g, v in enumerate(values))
    if cap.size:
        used = sum(u[combos[:, g]] for g, u in enumerate(uses))
        F = F[np.all(used <= cap + 1e-9 * np.maximum(1.0, np.abs(cap)), axis=1)]
    return {tuple(r) for r in F[nondominated_mask(F)]} if len(F) else set()


def random_knapsack(rng: np.random.Generator) -> tuple[list[np.ndarray], list[np.ndarray],
                                                       np.ndarray]:
    groups, k, c = int(rng.integers(1, 6)), int(rng.integers(2, 5)), int(rng.integers(0, 3))
    values = [rng.integers(0, 6, size=(int(rng.integers(1, 6)), k)).astype(float)
              for _ in range(groups)]
    # uses in tenths (sums carry rounding noise) and some negative (a saving)
    uses = [rng.integers(-2, 8, size=(len(v), c)) * 0.1 for v in values]
    cap = rng.integers(0, 4 * groups + 1, size=c) * 0.1
    return values, uses, cap


@pytest.mark.parametrize("seed", range(6))
def test_merge_matches_brute_force_on_random_knapsacks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(25):
        values, uses, cap = random_knapsack(rng)
        expected = brute_force(values, uses, cap)
        # chunks of a few candidates exercise the per-chunk filter and the union filter
        for chunk in (1, 7, 10_000):
            out = merge_front(values, uses, cap, chunk_rows=chunk)
            assert isinstance(out, MergeResult)
            got = [tuple(r) for r in out.values]
            assert len(got) == len(set(got)) and set(got) == expected
            # each decision gives its values and meets the capacities
            sums = sum(v[out.choice[:, g]] for g, v in enumerate(values))
            assert np.array_equal(np.asarray(sums).reshape(out.values.shape), out.values)
            if cap.size and len(got):
                use = sum(u[out.choice[:, g]] for g, u in enumerate(uses))
                assert np.all(use <= cap + 1e-9)


def test_merge_hand_example() -> None:
    # two services, prices (spend, -access) per option, one budget of 10:
    #   A: (0, 0) use 0 | (4, -3) use 4 | (8, -5) use 8
    #   B: (0, 0) use 0 | (5, -4) use 5
    # feasible sums (use <= 10): (0,0) (5,-4) (4,-3) (9,-7) (8,-5); (13,-9) uses 13.
    # (8,-5) is dominated by (5,-4)? no: -5 < -4. By (9,-7)? no: 8 < 9. So the front is
    # all five: (0,0), (4,-3), (5,-4), (8,-5), (9,-7).
    A = np.array([[0.0, 0.0], [4.0, -3.0], [8.0, -5.0]])
    B = np.array([[0.0, 0.0], [5.0, -4.0]])
    out = merge_front([A, B], [np.array([[0.0], [4.0], [8.0]]), np.array([[0.0], [5.0]])],
                      [10.0])
    assert isinstance(out, MergeResult)
    assert {tuple(r) for r in out.values} == {(0, 0), (4, -3), (5, -4), (8, -5), (9, -7)}
    assert out.states == (3, 5)


def test_merge_infeasible_and_stops() -> None:
    A = np.array([[0.0, 1.0], [1.0, 0.0]])
    out = merge_front([A, A], [np.array([[3.0], [4.0]])] * 2, [5.0])
    assert isinstance(out, MergeResult) and out.values.shape == (0, 2)
    big = [np.arange(12.0).reshape(6, 2) * [1, -1] for _ in range(4)]
    stop = merge_front(big, max_states=1)
    assert isinstance(stop, MergeStopped) and stop.reason == "max_states"
    assert stop.group == 0 and stop.states == ()  # group 1 alone keeps its 6 options
    late = merge_front(big, time_limit=0.0)
    assert isinstance(late, MergeStopped) and late.reason == "time_limit"
    with pytest.raises(ParameterError, match=r"The 'values' parameter.*at least one group"):
        merge_front([])


@pytest.mark.parametrize(("n", "objectives"), [
    (5, ("payer_spend", "creator_npv", "access", "provider_margin")),
    (7, ("payer_spend", "access")),
])
def test_merge_equals_brute_force_and_milp_on_synthetic_portfolios(n, objectives) -> None:
    prob = synthetic_portfolio(n, seed=4, objectives=objectives)
    cs = prob.choice_structure()
    values, uses, cap = merge_inputs(prob, cs, objective_resolutions(prob, cs, ExactSettings()))
    out = merge_front(values, uses, cap)
    assert isinstance(out, MergeResult)
    assert {tuple(r) for r in out.values} == brute_force(values, uses, cap)
    merged = solve(prob, "exact")
    milp = solve(prob, "exact", method="milp")
    assert merged.provenance.diagnostics["method"].startswith("merge")
    assert merged.provenance.exact and merged.provenance.diagnostics["complete"]
    assert same_set(merged.minimization_matrix(), milp.minimization_matrix())
    payoff, best = merged.provenance.diagnostics["payoff_table"], {}
    for o, s in zip(prob.objective_names, prob.senses, strict=True):
        best[o] = merged.column(o).min() if s == "min" else merged.column(o).max()
    for o, res in merged.provenance.diagnostics["resolution"].items():
        assert abs(payoff[o][o] - best[o]) <= n * res


def test_auto_falls_back_to_milp_and_merge_alone_says_why() -> None:
    prob = synthetic_portfolio(5, seed=2, levels=4, objectives=("payer_spend", "access"))
    grid = solve(prob, "grid")
    fallback = solve(prob, "exact", max_states=3)
    diag = fallback.provenance.diagnostics
    assert diag["method"].startswith("milp") and diag["merge_stopped"]["reason"] == "max_states"
    assert "merge of the groups stopped" in fallback.provenance.notes[0]
    assert same_set(fallback.minimization_matrix(), grid.minimization_matrix())
    with pytest.raises(ParameterError, match="max_states"):
        solve(prob, "exact", method="merge", max_states=3)


def test_merge_finds_every_point_of_the_eight_service_four_objective_portfolio() -> None:
    # the case where the augmecon sweep's fallback returned 1,353 points: all 2,136
    # nondominated vectors of the 933,120 combinations (857,651 within the budget)
    prob = synthetic_portfolio(8, seed=4)
    cs = prob.choice_structure()
    values, uses, cap = merge_inputs(prob, cs, objective_resolutions(prob, cs, ExactSettings()))
    out = merge_front(values, uses, cap)
    assert isinstance(out, MergeResult) and len(out.values) == 2136
    assert {tuple(r) for r in out.values} == brute_force(values, uses, cap)


def test_time_limit_stops_the_merge_and_the_milp_returns_what_it_found() -> None:
    # 12 services, 4 objectives: about two million points, a merge of about half a minute;
    # with 4 s the merge stops at its half (2 s) and the MILP gets the rest
    prob = synthetic_portfolio(12, seed=4)
    front = solve(prob, "exact", time_limit=4.0)
    diag = front.provenance.diagnostics
    assert diag["merge_stopped"]["reason"] == "time_limit"
    assert "would pass its half of the time limit (2 s)" in front.provenance.notes[0]
    assert diag["method"].startswith("milp") and not diag["complete"]
    assert front.provenance.exact is False
    assert "INCOMPLETE" in " ".join(front.provenance.notes)
    F = front.minimization_matrix()
    assert len(F) > 0 and nondominated_mask(F).all()


def test_max_states_also_bounds_the_survivors_of_the_chunks() -> None:
    # two anti-correlated groups of 10 options: 19 points on the front, but filtered one
    # option at a time the chunks keep 10 survivors each (100) before their union is
    # filtered. max_states=20 would hold the 19 points, but not 100 > 4 x 20 survivors:
    # the merge stops there; with max_states=25 (100 <= 4 x 25) it finishes.
    line = np.column_stack([np.arange(10.0), -np.arange(10.0)])
    whole = merge_front([line, line])
    assert isinstance(whole, MergeResult) and len(whole.values) == 19
    stop = merge_front([line, line], max_states=20, chunk_rows=10)
    assert isinstance(stop, MergeStopped) and stop.reason == "max_states" and stop.group == 1
    late = merge_front([line, line], max_states=25, chunk_rows=10)
    assert isinstance(late, MergeResult) and len(late.values) == 19
    assert isinstance(merge_front([line, line], max_states=20), MergeResult)  # one chunk


def test_two_workers_filter_chunks_in_threads_with_the_same_result() -> None:
    rng = np.random.default_rng(11)
    values = [rng.integers(0, 40, size=(8, 3)).astype(float) for _ in range(5)]
    uses = [rng.integers(0, 10, size=(8, 1)).astype(float) for _ in range(5)]
    cap = np.array([25.0])
    one = merge_front(values, uses, cap, chunk_rows=50)
    two = merge_front(values, uses, cap, chunk_rows=50, workers=2)
    assert isinstance(one, MergeResult) and isinstance(two, MergeResult)
    assert len(one.values) > 20 and max(one.states) * 8 > 50  # several chunks per group
    assert np.array_equal(one.choice, two.choice) and np.array_equal(one.values, two.values)
    prob = synthetic_portfolio(6, seed=3)
    a, b = solve(prob, "exact"), solve(prob, "exact", workers=2)
    assert b.provenance.diagnostics["workers"] == 2
    assert np.array_equal(a.decisions, b.decisions) and np.array_equal(a.objectives, b.objectives)


def test_benchmark_merge_mode_runs_and_compares(capsys) -> None:
    from paretoprice.benchmarks.bench_exact import main

    rows = main(["--merge", "--services", "5", "--services4", "", "--services4-coarse", "",
                 "--time-limit", "60"])["merge"]
    (row,) = rows
    assert row["points"] == row["milp_points"] == 36 and row["same_set"] is True
    assert row["merge_2w_same"] and row["limit_matched"] == 36 and not row["limit_sampled"]
    assert "portfolio  5 svc, 2 obj" in capsys.readouterr().out
