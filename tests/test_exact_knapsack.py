"""Bounded dynamic programming for 0-1 packing models (``search="dp"``): the published MOKP
fronts, brute force on random models, known-answer bounds, the fallback and the errors."""

from __future__ import annotations

import itertools
import logging

import numpy as np
import pyomo.environ as pyo
import pytest
from scipy import sparse

from paretoprice.benchmarks.mokp_data import build_mokp_model, load_mokp
from paretoprice.optim.errors import ParameterError
from paretoprice.solvers.exact import solve_epsilon_constraint
from paretoprice.solvers.exact.knapsack import (
    KnapsackResult,
    PackingForm,
    _Bounds,
    item_order,
    knapsack_front,
    packing_form,
)
from paretoprice.solvers.exact.merge import MergeStopped
from tests.test_exact_engine import as_set, nondominated


@pytest.mark.parametrize("name", ["2kp50", "4kp50"])
def test_dp_gives_the_published_front(name: str) -> None:
    a, b, c, pareto = load_mokp(name)
    res = solve_epsilon_constraint(build_mokp_model(name), search="dp")
    assert res.search == "dp" and res.models_solved == 0
    assert res.exact and res.complete
    assert res.points.shape == pareto.shape
    assert as_set(res.points) == as_set(pareto)
    # every decision is feasible and gives its point
    assert np.all(res.solutions @ a.T <= b)
    assert np.array_equal(res.solutions @ c.T, res.points)


@pytest.mark.slow
def test_dp_three_objectives_published_front() -> None:
    # 3kp40: 389 points; "auto" chooses the dynamic programme (0-1 packing, 3 objectives)
    res = solve_epsilon_constraint(build_mokp_model("3kp40"), time_limit=None)
    assert res.search == "dp" and res.models_solved == 0 and res.exact
    assert as_set(res.points) == as_set(load_mokp("3kp40")[3])


def test_auto_chooses_dp_for_packing_models_with_three_or_more_objectives() -> None:
    four = solve_epsilon_constraint(build_mokp_model("4kp50"))
    assert four.search == "dp"
    # two objectives: the sweep stays the default (about one solve per point, and faster
    # than the dynamic programme on 2kp100)
    assert solve_epsilon_constraint(build_mokp_model("2kp50")).search == "augmecon"


def test_dp_payoff_table_is_the_lexicographic_one() -> None:
    # the lexicographic optimum's objective vector is unique, so the table read off the
    # front equals the one the sweep's lexicographic solves give
    m = build_mokp_model("2kp50")
    dp = solve_epsilon_constraint(m, search="dp")
    sweep = solve_epsilon_constraint(m, search="augmecon")
    assert np.array_equal(dp.payoff_table, sweep.payoff_table)
    assert np.array_equal(dp.points, sweep.points)


def random_packing_model(seed: int, k: int) -> tuple[pyo.ConcreteModel, np.ndarray]:
    """Nine binary items, a ``<=`` row, a ``>=`` row of non-positive coefficients, a
    vacuous ranged row, mixed senses with offsets, a zero-profit item and one item too
    heavy to fit; returns the model and its brute-force front."""
    rng = np.random.default_rng(seed)
    n = 9
    w1 = rng.integers(0, 8, size=n)
    w2 = rng.integers(0, 8, size=n)
    w1[0] = 50  # never fits
    cap1, cap2 = int(w1[1:].sum() // 2), int(w2.sum() // 2)
    C = rng.integers(-3, 10, size=(k, n))
    C[:, 1] = 0  # adds nothing
    senses = ["max" if s else "min" for s in rng.integers(0, 2, size=k)]
    offset = rng.integers(-5, 6, size=k)
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, n - 1)
    m.x = pyo.Var(m.I, domain=pyo.Binary)
    m.cap = pyo.Constraint(expr=sum(int(w1[i]) * m.x[i] for i in m.I) <= cap1)
    m.neg = pyo.Constraint(expr=sum(-int(w2[i]) * m.x[i] for i in m.I) >= -cap2)
    m.vacuous = pyo.Constraint(expr=pyo.inequality(-1, sum(m.x[i] for i in m.I), 100))
    m.obj_list = pyo.ObjectiveList()
    for j in range(k):
        # a minimized objective gets the negated coefficients: mostly costs
        coef = C[j] if senses[j] == "max" else -C[j]
        m.obj_list.add(expr=sum(int(coef[i]) * m.x[i] for i in m.I) + int(offset[j]),
                       sense=pyo.maximize if senses[j] == "max" else pyo.minimize)
    F = []
    for x in itertools.product((0, 1), repeat=n):
        xa = np.array(x)
        if w1 @ xa <= cap1 and w2 @ xa <= cap2:
            F.append(np.where(np.array(senses) == "max", C @ xa, -C @ xa) + offset)
    return m, nondominated(np.array(F, dtype=float), senses)


@pytest.mark.parametrize("k", [2, 3, 4])
@pytest.mark.parametrize("seed", range(4))
def test_dp_random_packing_models_match_brute_force(seed: int, k: int) -> None:
    m, expected = random_packing_model(seed, k)
    res = solve_epsilon_constraint(m, search="dp")
    assert res.search == "dp" and res.exact
    assert as_set(res.points) == as_set(expected)
    assert res.points.shape == expected.shape
    # the same set, in the same order, as the MILP searches
    other = solve_epsilon_constraint(m, search="zones" if k >= 3 else "augmecon")
    assert np.array_equal(res.points, other.points)


def test_bounds_known_answer() -> None:
    # One objective, items (profit, weight) = (10, 5), (6, 4), (4, 3), capacity 8 and
    # nothing taken yet (t = -1: every item remains). By profit per weight 2, 1.5, 1.33:
    # item 0 whole (10, slack 3), then 3/4 of item 1 (4.5): 14.5, floored to 14.
    # A second row (weights 1, 1, 1, capacity 1) allows one item: its bound is 10.
    # The bound is the smaller: 14 with the first row alone, 10 with both.
    P = np.array([[10.0, 6.0, 4.0]])
    W = np.array([[5.0, 4.0, 3.0]])
    order = np.arange(3)
    b = _Bounds(P, W, order)
    assert b.upper(-1, np.zeros((1, 1)), np.array([[8.0]]))[0, 0] == 14.0
    W2 = np.vstack([W, np.ones((1, 3))])
    b2 = _Bounds(P, W2, order)
    assert b2.upper(-1, np.zeros((1, 1)), np.array([[8.0, 1.0]]))[0, 0] == 10.0
    # after item 0 (t = 0) with 8 still free: items 1 and 2 fit whole, 6 + 4 = 10 more
    assert b.upper(0, np.array([[10.0]]), np.array([[8.0]]))[0, 0] == 20.0


def test_item_order_known_answer() -> None:
    # two objectives, one row of capacity 10: uses 0.5, 0.2, 0.1 per item.
    # ratios objective 0: 4/0.5 = 8, 3/0.2 = 15, 1/0.1 = 10 -> ranks 2, 0, 1
    # ratios objective 1: 6/0.5 = 12, 1/0.2 = 5, 2/0.1 = 20 -> ranks 1, 2, 0
    # summed ranks 3, 2, 1: item 2 first, then 1, then 0
    P = np.array([[4.0, 3.0, 1.0], [6.0, 1.0, 2.0]])
    W = np.array([[5.0, 2.0, 1.0]])
    assert item_order(P, W, np.array([10.0])).tolist() == [2, 1, 0]


def test_knapsack_front_without_rows_and_with_nothing_to_take() -> None:
    # no capacity row, two items that trade off: {0} (3, -1), {1} (-1, 2) and both
    # (2, 1); nothing taken (0, 0) is dominated by both
    form = PackingForm(profits=np.array([[3.0, -1.0], [-1.0, 2.0]]),
                       weights=np.zeros((0, 2)), capacities=np.zeros(0))
    res = knapsack_front(form)
    assert isinstance(res, KnapsackResult)
    assert as_set(res.values) == {(3.0, -1.0), (-1.0, 2.0), (2.0, 1.0)}
    # nothing positive: the empty decision only
    none = knapsack_front(PackingForm(profits=-np.ones((2, 3)), weights=np.ones((1, 3)),
                                      capacities=np.array([2.0])))
    assert isinstance(none, KnapsackResult)
    assert none.values.tolist() == [[0.0, 0.0]] and none.x.tolist() == [[0.0, 0.0, 0.0]]


def test_knapsack_front_stops_at_max_states() -> None:
    a, b, c, _ = load_mokp("4kp50")
    res = knapsack_front(PackingForm(c, a, b), max_states=20)
    assert isinstance(res, MergeStopped) and res.reason == "max_states"
    assert all(s <= 20 for s in res.states)


def test_packing_form_detects_only_packing_models() -> None:
    A = sparse.csr_array(np.array([[1.0, 2.0], [-1.0, -1.0]]))
    args = (np.ones((2, 2)), A, np.array([-np.inf, -3.0]), np.array([4.0, np.inf]),
            np.zeros(2), np.ones(2), np.ones(2, dtype=bool))
    form = packing_form(*args)
    assert form is not None
    assert form.weights.tolist() == [[1.0, 2.0], [1.0, 1.0]]
    assert form.capacities.tolist() == [4.0, 3.0]
    # a covering row (x0 + 2 x1 >= 1), mixed signs, general integers, a continuous column
    cover = list(args)
    cover[2] = np.array([1.0, -np.inf])
    cover[3] = np.array([4.0, np.inf])
    assert packing_form(*cover) is None
    mixed = list(args)
    mixed[1] = sparse.csr_array(np.array([[1.0, -2.0], [-1.0, -1.0]]))
    assert packing_form(*mixed) is None
    general = list(args)
    general[5] = np.array([1.0, 3.0])
    assert packing_form(*general) is None
    continuous = list(args)
    continuous[6] = np.array([True, False])
    assert packing_form(*continuous) is None


def test_dp_falls_back_to_the_zone_search_past_its_state_limit(caplog) -> None:
    with caplog.at_level(logging.WARNING):
        res = solve_epsilon_constraint(build_mokp_model("4kp50"), dp_max_states=20)
    assert "search='dp' stopped (max_states)" in caplog.text
    assert res.search == "zones" and res.models_solved > 0 and res.exact
    assert as_set(res.points) == as_set(load_mokp("4kp50")[3])


def test_dp_on_a_model_that_is_not_packing_is_a_clear_error() -> None:
    m = pyo.ConcreteModel()
    m.x = pyo.Var([0, 1], domain=pyo.Binary)
    m.cover = pyo.Constraint(expr=m.x[0] + m.x[1] >= 1)
    m.obj_list = pyo.ObjectiveList()
    m.obj_list.add(expr=m.x[0] + 2 * m.x[1], sense=pyo.minimize)
    m.obj_list.add(expr=2 * m.x[0] + m.x[1], sense=pyo.minimize)
    with pytest.raises(ParameterError, match=r"The 'search' parameter.*0-1 packing"):
        solve_epsilon_constraint(m, search="dp")
    # auto: the MILP sweep, which finds both points
    assert as_set(solve_epsilon_constraint(m).points) == {(1.0, 2.0), (2.0, 1.0)}
    with pytest.raises(ParameterError, match=r"The 'search' parameter"):
        solve_epsilon_constraint(build_mokp_model("2kp50"), search="dp", baseline=True)
    with pytest.raises(ParameterError, match=r"The 'dp_max_states' parameter"):
        solve_epsilon_constraint(build_mokp_model("2kp50"), dp_max_states=0)


@pytest.mark.slow
def test_dp_three_objectives_fifty_items_published_front() -> None:
    # 3kp50: 1,048 points, peak about 820,000 partial decisions (under dp_max_states)
    res = solve_epsilon_constraint(build_mokp_model("3kp50"), search="dp", time_limit=None)
    assert res.search == "dp" and res.exact
    assert as_set(res.points) == as_set(load_mokp("3kp50")[3])


def test_benchmark_limit_mode_reports_the_search_that_ran(capsys) -> None:
    from paretoprice.benchmarks.bench_exact import main

    rows = main(["--limit", "--instances", "4kp50", "--services", "", "--services4", "",
                 "--time-limit", "60", "--search", "zones:8"])["limit"]
    (row,) = rows
    assert row["search"] == "dp" and row["models"] == 0 and row["matches_reference"]
    assert row["limit_matched"] == 46 and row["same_set_2w"]
    zones = row["zones:8"]
    assert zones["search"] == "zones" and zones["same_set"] and zones["same_set_2w"]
    assert zones["workers_2w"] == 2 and zones["models"] > 0
    assert "4kp50 [dp]" in capsys.readouterr().out
