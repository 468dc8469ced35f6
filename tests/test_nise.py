"""Exact biobjective LP fronts (dichotomic / NISE): hand-derived breakpoints and rates."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from paretoprice.optim.errors import ParameterError
from paretoprice.solvers.exact import (
    InfeasibleModelError,
    UnboundedObjectiveError,
    solve_biobjective_lp,
    solve_epsilon_constraint,
)

# HiGHS' primal and dual feasibility tolerances are 1e-7; vertices are exact up to that.
LP_TOL = 1e-6


def program_lp() -> pyo.ConcreteModel:
    """Three programs serving up to 100, 50 and 30 patients at $20, $45 and $80 each;
    programs 1 and 2 share 120 slots. Maximize patients served, minimize payer dollars."""
    m = pyo.ConcreteModel()
    cap = {1: 100, 2: 50, 3: 30}
    cost = {1: 20, 2: 45, 3: 80}
    m.P = pyo.Set(initialize=[1, 2, 3])
    m.x = pyo.Var(m.P, bounds=lambda m, i: (0, cap[i]))
    m.shared_slots = pyo.Constraint(expr=m.x[1] + m.x[2] <= 120)
    m.obj_list = pyo.ObjectiveList()
    m.obj_list.add(expr=sum(m.x[i] for i in m.P), sense=pyo.maximize)
    m.obj_list.add(expr=sum(cost[i] * m.x[i] for i in m.P), sense=pyo.minimize)
    return m


def random_lp(seed: int) -> pyo.ConcreteModel:
    """Bounded LP: benefit (max) against cost (min) under random resource rows."""
    rng = np.random.default_rng(seed)
    n, m_rows = 8, 5
    A = rng.uniform(0.0, 3.0, size=(m_rows, n))
    b = rng.uniform(5.0, 15.0, size=m_rows)
    benefit = rng.uniform(1.0, 10.0, size=n)
    cost = rng.uniform(1.0, 10.0, size=n)
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, n - 1)
    m.R = pyo.RangeSet(0, m_rows - 1)
    m.x = pyo.Var(m.I, bounds=(0, 4))
    m.rows = pyo.Constraint(m.R, rule=lambda m, r: sum(float(A[r, i]) * m.x[i] for i in m.I)
                            <= float(b[r]))
    m.obj_list = pyo.ObjectiveList()
    m.obj_list.add(expr=sum(float(benefit[i]) * m.x[i] for i in m.I), sense=pyo.maximize)
    m.obj_list.add(expr=sum(float(cost[i]) * m.x[i] for i in m.I) + 3.0, sense=pyo.minimize)
    return m


def test_breakpoints_and_rates_derived_by_hand() -> None:
    res = solve_biobjective_lp(program_lp())
    # Fill the cheapest program first: 100 patients at $20, 20 more at $45 (slots shared
    # with program 1 run out), 30 more at $80.
    expected = np.array([[150.0, 5300.0], [120.0, 2900.0], [100.0, 2000.0], [0.0, 0.0]])
    np.testing.assert_allclose(res.points, expected, atol=LP_TOL)
    # d dollars / d patients between neighbours: the marginal program's price.
    np.testing.assert_allclose(res.rates, [80.0, 45.0, 20.0], rtol=1e-9)
    assert res.senses == ("max", "min")
    np.testing.assert_allclose(res.solutions[1], [100.0, 20.0, 0.0], atol=LP_TOL)
    # Dichotomic search: 4 payoff-table LPs, then one weighted sum per breakpoint found
    # and one per final segment.
    assert res.models_solved == 4 + (res.n_points - 2) + (res.n_points - 1)


@pytest.mark.parametrize("seed", range(5))
def test_every_epsilon_point_lies_on_the_breakpoint_polyline(seed: int) -> None:
    m = random_lp(seed)
    front = solve_biobjective_lp(m)
    grid = solve_epsilon_constraint(m, grid_points=9)
    patients, dollars = front.points[:, 0], front.points[:, 1]
    assert np.all(np.diff(patients) < 0) and np.all(np.diff(dollars) < 0)
    # A biobjective LP front is convex: the marginal cost falls as benefit falls.
    assert np.all(np.diff(front.rates) <= 1e-9 * np.abs(front.rates[:-1]).max(initial=1.0))
    for q in grid.points:
        expected = np.interp(q[1], dollars[::-1], patients[::-1])
        assert q[0] == pytest.approx(expected, abs=1e-5 * max(1.0, abs(expected)))
    # The extremes are the payoff table's lexicographic optima.
    np.testing.assert_allclose(front.points[[0, -1]], front.payoff_table, atol=LP_TOL)


def test_aligned_objectives_give_one_point() -> None:
    m = program_lp()
    m.obj_list[2].sense = pyo.maximize
    res = solve_biobjective_lp(m)
    assert res.n_points == 1 and res.rates.shape == (0,)
    # Most dollars: all 50 + 30 slots of the dear programs, 70 of program 1: 150 patients.
    np.testing.assert_allclose(res.points[0], [150.0, 70 * 20 + 50 * 45 + 30 * 80],
                               atol=LP_TOL)


def test_integer_variables_are_refused() -> None:
    m = program_lp()
    m.z = pyo.Var(domain=pyo.Binary)
    m.use = pyo.Constraint(expr=m.x[3] <= 30 * m.z)
    with pytest.raises(ParameterError, match=r"must be a linear program.*integer.*z.*"
                       r"solve_epsilon_constraint"):
        solve_biobjective_lp(m)


def test_three_objectives_are_refused() -> None:
    m = program_lp()
    m.obj_list.add(expr=m.x[3], sense=pyo.minimize)
    with pytest.raises(ParameterError, match=r"exactly 2 objectives\. Got 3 objectives"):
        solve_biobjective_lp(m)


def test_unbounded_and_infeasible_models_raise() -> None:
    m = program_lp()
    m.x[3].setub(None)
    with pytest.raises(UnboundedObjectiveError, match=r"obj_list\[1\]"):
        solve_biobjective_lp(m)
    m = program_lp()
    m.need = pyo.Constraint(expr=m.x[1] + m.x[2] + m.x[3] >= 200)
    with pytest.raises(InfeasibleModelError):
        solve_biobjective_lp(m)


def test_caller_model_is_not_modified() -> None:
    m = program_lp()
    m.x[1].value = 7.0
    before = [(v.name, v.value, v.lb, v.ub) for v in m.component_data_objects(pyo.Var)]
    active = [o.active for o in m.obj_list.values()]
    solve_biobjective_lp(m)
    assert [(v.name, v.value, v.lb, v.ub) for v in m.component_data_objects(pyo.Var)] == before
    assert [o.active for o in m.obj_list.values()] == active
