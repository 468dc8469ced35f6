"""The exact epsilon-constraint engine: reference fronts, brute force, errors, invariants."""

from __future__ import annotations

import itertools

import numpy as np
import pyomo.environ as pyo
import pytest

from paretoprice.benchmarks.mokp_data import build_mokp_model, load_mokp
from paretoprice.optim.errors import ParameterError
from paretoprice.solvers.exact import (
    EpsilonConstraintResult,
    InfeasibleModelError,
    SolverFailureError,
    SolveStatus,
    UnboundedObjectiveError,
    solve_epsilon_constraint,
)

# Tolerance on continuous objective values: HiGHS' primal feasibility tolerance is 1e-7.
LP_TOL = 1e-6


def as_set(points: np.ndarray) -> set[tuple[float, ...]]:
    return {tuple(float(v) for v in row) for row in np.asarray(points)}


def nondominated(F: np.ndarray, senses: list[str]) -> np.ndarray:
    """Brute-force nondominated rows of F (one column per objective, own senses)."""
    G = F * np.array([1.0 if s == "max" else -1.0 for s in senses])
    G = np.unique(G, axis=0)
    keep = [i for i in range(len(G))
            if not np.any(np.all(G[i] <= G, axis=1) & np.any(G[i] < G, axis=1))]
    return G[keep] * np.array([1.0 if s == "max" else -1.0 for s in senses])


def model_fingerprint(m: pyo.ConcreteModel) -> list[object]:
    """Everything a solver could change on a model."""
    out: list[object] = [sorted(c.name for c in m.component_objects(descend_into=True))]
    for v in m.component_data_objects(pyo.Var, descend_into=True):
        out.append((v.name, v.value, v.fixed, v.lb, v.ub, str(v.domain)))
    for c in m.component_data_objects(pyo.Constraint, descend_into=True):
        out.append((c.name, c.active, str(c.expr)))
    for o in m.component_data_objects(pyo.Objective, descend_into=True):
        out.append((o.name, o.active, str(o.sense), str(o.expr)))
    return out


# ----------------------------------------------------------------- reference fronts


@pytest.fixture(scope="module")
def kp50() -> EpsilonConstraintResult:
    """2kp50 solved once with one worker (shared by the tests that only read it)."""
    return solve_epsilon_constraint(build_mokp_model("2kp50"))


@pytest.mark.parametrize("name", ["2kp50", "4kp50"])
def test_mokp_front_identical_to_reference(name: str, kp50: EpsilonConstraintResult) -> None:
    res = kp50 if name == "2kp50" else solve_epsilon_constraint(build_mokp_model(name))
    reference = load_mokp(name)[3]
    assert res.points.shape == reference.shape
    assert as_set(res.points) == as_set(reference)
    assert res.exact and res.complete
    assert res.senses == ("max",) * reference.shape[1]
    assert res.objective_names[0] == "obj_list[1]"
    assert all(s is SolveStatus.OPTIMAL for s in res.status)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "search"), [("2kp100", "auto"), ("3kp40", "zones"),
                                              ("3kp40", "augmecon")])
@pytest.mark.parametrize("workers", [1, 2])
def test_mokp_front_identical_to_reference_large(name: str, workers: int, search: str) -> None:
    # two objectives: 'auto' is 'augmecon', so 2kp100 runs once per worker count
    res = solve_epsilon_constraint(build_mokp_model(name), workers=workers, time_limit=None,
                                   search=search)
    assert res.complete and res.workers == workers
    assert as_set(res.points) == as_set(load_mokp(name)[3])


def test_two_objectives_about_one_model_per_pareto_point(kp50: EpsilonConstraintResult) -> None:
    res = kp50
    assert res.n_points == 35
    assert res.models_solved / res.n_points <= 1.1
    assert res.infeasible == 0


def test_solutions_reproduce_points_and_are_feasible(kp50: EpsilonConstraintResult) -> None:
    a, b, c, _ = load_mokp("2kp50")
    res = kp50
    index = [int(n[2:-1]) for n in res.variable_names]  # "x[12]" -> 12
    X = np.zeros((res.n_points, a.shape[1]))
    X[:, index] = res.solutions
    assert np.array_equal(X @ c.T, res.points)
    assert np.all(b + 1e-9 >= X @ a.T)
    assert set(np.unique(X)) <= {0.0, 1.0}
    # Sorted from the best first objective to the worst, second objective rising.
    assert np.all(np.diff(res.points[:, 0]) < 0) and np.all(np.diff(res.points[:, 1]) > 0)


def test_payoff_table_holds_ideal_and_nadir(kp50: EpsilonConstraintResult) -> None:
    res = kp50
    ref = load_mokp("2kp50")[3]
    assert np.array_equal(np.diag(res.payoff_table), ref.max(axis=0))
    assert np.array_equal(res.payoff_table.min(axis=0), ref.min(axis=0))


# ----------------------------------------------------------------- workers, baseline


@pytest.mark.parametrize("search", ["zones", "augmecon"])
@pytest.mark.parametrize("name", ["2kp50", "4kp50"])
def test_front_does_not_depend_on_workers(name: str, search: str,
                                          kp50: EpsilonConstraintResult) -> None:
    if name == "2kp50":
        one = kp50
    else:
        one = solve_epsilon_constraint(build_mokp_model(name), search=search)
    two = solve_epsilon_constraint(build_mokp_model(name), workers=2, search=search)
    assert two.workers == 2
    assert np.array_equal(one.points, two.points)


def test_baseline_mode_gives_the_same_front(kp50: EpsilonConstraintResult) -> None:
    fast = kp50
    base = solve_epsilon_constraint(build_mokp_model("2kp50"), baseline=True)
    assert base.baseline and base.workers == 1
    assert np.array_equal(fast.points, base.points)


def test_grid_mode_workers_agree() -> None:
    m = program_lp()
    one = solve_epsilon_constraint(m, grid_points=7)
    two = solve_epsilon_constraint(m, grid_points=7, workers=2)
    np.testing.assert_allclose(one.points, two.points, atol=LP_TOL)


# ----------------------------------------------------------------- brute force


def knapsack_3_items() -> pyo.ConcreteModel:
    """Value (max) and weight (min) of 3 items with a volume limit."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var([0, 1, 2], domain=pyo.Binary)
    m.volume = pyo.Constraint(expr=3 * m.x[0] + 4 * m.x[1] + 2 * m.x[2] <= 7)
    m.obj_list = pyo.ObjectiveList()
    m.obj_list.add(expr=6 * m.x[0] + 5 * m.x[1] + 4 * m.x[2], sense=pyo.maximize)
    m.obj_list.add(expr=2 * m.x[0] + 1 * m.x[1] + 3 * m.x[2], sense=pyo.minimize)
    return m


def test_three_item_knapsack_by_brute_force() -> None:
    F = []
    for x in itertools.product([0, 1], repeat=3):
        if 3 * x[0] + 4 * x[1] + 2 * x[2] <= 7:
            F.append([6 * x[0] + 5 * x[1] + 4 * x[2], 2 * x[0] + x[1] + 3 * x[2]])
    expected = nondominated(np.array(F, dtype=float), ["max", "min"])
    res = solve_epsilon_constraint(knapsack_3_items())
    assert res.senses == ("max", "min")
    assert as_set(res.points) == as_set(expected)
    # By hand: {} (0, 0), {1} (5, 1), {0} (6, 2), {0, 1} (11, 3); {2} (4, 3) is dominated
    # by {1}, {0, 2} (10, 5) and {1, 2} (9, 4) by {0, 1}; all three items exceed the volume.
    assert as_set(res.points) == {(0.0, 0.0), (5.0, 1.0), (6.0, 2.0), (11.0, 3.0)}


def random_integer_model(seed: int, k: int) -> tuple[pyo.ConcreteModel, np.ndarray, list[str]]:
    """Small MILP with general integers, a fixed variable, ranged and equality rows,
    objective offsets and mixed senses; returns the model and its brute-force front."""
    rng = np.random.default_rng(seed)
    n = 6
    ub = rng.integers(1, 3, size=n)  # x_i in {0..ub_i}
    A = rng.integers(0, 6, size=(2, n))
    cap = np.floor(A @ ub * 0.45)
    C = rng.integers(-4, 9, size=(k, n))
    offset = rng.integers(-5, 6, size=k)
    senses = ["max" if s else "min" for s in rng.integers(0, 2, size=k)]
    senses[0] = "max"

    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, n - 1)
    m.x = pyo.Var(m.I, domain=pyo.NonNegativeIntegers, bounds=lambda m, i: (0, int(ub[i])))
    m.fixed = pyo.Var(domain=pyo.Integers)
    m.fixed.fix(1)
    m.cap = pyo.Constraint(expr=sum(int(A[0, i]) * m.x[i] for i in m.I) + m.fixed
                           <= float(cap[0]) + 1)
    m.band = pyo.Constraint(expr=pyo.inequality(1, sum(int(A[1, i]) * m.x[i] for i in m.I),
                                                float(cap[1])))
    m.pair = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, 4))
    m.link = pyo.Constraint(expr=m.pair == m.x[0] + m.x[1])
    m.obj_list = pyo.ObjectiveList()
    for j in range(k):
        sense = pyo.maximize if senses[j] == "max" else pyo.minimize
        m.obj_list.add(expr=sum(int(C[j, i]) * m.x[i] for i in m.I) + int(offset[j]),
                       sense=sense)

    F = []
    for x in itertools.product(*[range(int(u) + 1) for u in ub]):
        xa = np.array(x)
        if A[0] @ xa + 1 <= cap[0] + 1 and 1 <= A[1] @ xa <= cap[1] and x[0] + x[1] <= 4:
            F.append(C @ xa + offset)
    return m, nondominated(np.array(F, dtype=float), senses), senses


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("seed", range(4))
def test_random_milps_match_brute_force(seed: int, k: int) -> None:
    m, expected, senses = random_integer_model(seed, k)
    res = solve_epsilon_constraint(m, search="augmecon")
    assert res.exact
    assert list(res.senses) == senses
    assert as_set(res.points) == as_set(expected)


@pytest.mark.parametrize("search", ["auto", "augmecon"])
def test_random_milp_three_objectives_with_workers(search: str) -> None:
    m, expected, _ = random_integer_model(7, 3)
    res = solve_epsilon_constraint(m, workers=2, search=search)
    assert as_set(res.points) == as_set(expected)


# ----------------------------------------------------------------- grid mode (LP)


def program_lp() -> pyo.ConcreteModel:
    """Three programs serving up to 100, 50 and 30 patients at $20, $45 and $80 each,
    programs 1 and 2 sharing 120 slots: max patients, min payer dollars."""
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


def test_grid_mode_returns_the_exact_point_of_every_grid_value() -> None:
    res = solve_epsilon_constraint(program_lp(), grid_points=5)
    assert not res.exact and res.grid_points == 5
    # Dollar bounds 0, 1325, 2650, 3975, 5300; patients by hand: $20 for the first 100,
    # $45 for the next 20, $80 for the last 30.
    expected = np.array([
        [150.0, 5300.0],
        [120 + 1075 / 80, 3975.0],
        [100 + 650 / 45, 2650.0],
        [1325 / 20, 1325.0],
        [0.0, 0.0],
    ])
    np.testing.assert_allclose(res.points, expected, atol=LP_TOL)


# ----------------------------------------------------------------- errors


def test_missing_obj_list_is_a_clear_error() -> None:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.obj = pyo.Objective(expr=m.x)
    with pytest.raises(ParameterError, match=r"The 'model' parameter of "
                       r"solve_epsilon_constraint must be .*'obj_list'.*Got .* Fix: add"):
        solve_epsilon_constraint(m)


def test_one_objective_is_a_clear_error() -> None:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.obj_list = pyo.ObjectiveList()
    m.obj_list.add(expr=m.x)
    with pytest.raises(ParameterError, match=r"at least 2 objectives\. Got an 'obj_list' with 1"):
        solve_epsilon_constraint(m)


def test_not_a_model_is_a_clear_error() -> None:
    with pytest.raises(ParameterError, match=r"must be a Pyomo ConcreteModel\. Got an object "
                       r"of type dict"):
        solve_epsilon_constraint({"obj_list": []})


def test_nonlinear_constraint_is_a_clear_error() -> None:
    m = knapsack_3_items()
    m.bad = pyo.Constraint(expr=m.x[0] * m.x[1] <= 1)
    with pytest.raises(ParameterError, match=r"must be linear.*nonlinear.*bad.*Fix"):
        solve_epsilon_constraint(m)


def test_nonlinear_objective_is_a_clear_error() -> None:
    m = knapsack_3_items()
    m.obj_list.add(expr=m.x[0] * m.x[2], sense=pyo.maximize)
    with pytest.raises(ParameterError, match="nonlinear"):
        solve_epsilon_constraint(m)


def test_infeasible_model_says_so() -> None:
    m = knapsack_3_items()
    m.impossible = pyo.Constraint(expr=m.x[0] + m.x[1] + m.x[2] >= 4)
    with pytest.raises(InfeasibleModelError, match=r"is infeasible.*first payoff-table solve"):
        solve_epsilon_constraint(m)


def test_unbounded_objective_is_named() -> None:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(domain=pyo.NonNegativeReals)
    m.y = pyo.Var(bounds=(0, 1))
    m.c = pyo.Constraint(expr=m.y <= m.x)
    m.obj_list = pyo.ObjectiveList()
    m.obj_list.add(expr=m.y, sense=pyo.maximize)
    m.obj_list.add(expr=m.x, sense=pyo.maximize)
    with pytest.raises(UnboundedObjectiveError, match=r"'obj_list\[2\]' .*unbounded") as info:
        solve_epsilon_constraint(m, grid_points=3)
    assert info.value.objective == "obj_list[2]"


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"grid_points": 1}, "grid_points"),
        ({"workers": 0}, "workers"),
        ({"time_limit": -1.0}, "time_limit"),
        ({"mip_rel_gap": 2.0}, "mip_rel_gap"),
        ({"baseline": True, "workers": 2}, "workers"),
        ({"integer_objectives": True, "grid_points": 5}, "grid_points"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs: dict[str, object], parameter: str) -> None:
    with pytest.raises(ParameterError, match=f"The '{parameter}' parameter"):
        solve_epsilon_constraint(knapsack_3_items(), **kwargs)


def test_continuous_objectives_need_grid_points() -> None:
    with pytest.raises(ParameterError, match=r"'grid_points'.*solve_biobjective_lp"):
        solve_epsilon_constraint(program_lp())
    with pytest.raises(ParameterError, match="'integer_objectives'"):
        solve_epsilon_constraint(program_lp(), integer_objectives=True)


def test_time_limit_in_the_payoff_table_is_reported() -> None:
    with pytest.raises(SolverFailureError, match="time limit"):
        solve_epsilon_constraint(build_mokp_model("2kp100"), time_limit=1e-6)


# ----------------------------------------------------------------- invariants


def test_caller_model_is_not_modified() -> None:
    m = knapsack_3_items()
    m.obj_list[1].deactivate()
    m.x[2].value = 1
    before = model_fingerprint(m)
    solve_epsilon_constraint(m)
    solve_epsilon_constraint(m, baseline=True)
    assert model_fingerprint(m) == before


def test_result_is_frozen() -> None:
    res = solve_epsilon_constraint(knapsack_3_items())
    with pytest.raises(AttributeError):
        res.points = np.zeros((1, 2))  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        res.points[0, 0] = 1.0


def test_repeated_runs_are_identical() -> None:
    m, _, _ = random_integer_model(3, 3)
    r1 = solve_epsilon_constraint(m)
    r2 = solve_epsilon_constraint(m)
    assert np.array_equal(r1.points, r2.points)
    assert np.array_equal(r1.solutions, r2.solutions)
    assert r1.models_solved == r2.models_solved


# ----------------------------------------------------------------- standing alone


def test_engine_import_loads_no_family_pandas_or_moocore() -> None:
    """Importing the engine (and its parents) loads numpy, scipy, pydantic and the error
    types only: no family, problem catalogue, pandas or moocore (checked in a fresh
    interpreter, so nothing imported by other tests can hide a regression)."""
    import subprocess
    import sys

    code = ("import sys, paretoprice.solvers.exact.engine\n"
            "print('\\n'.join(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    forbidden = [m for m in out if m.split(".")[0] in {"pandas", "moocore"}
                 or m.startswith(("paretoprice.optim.families", "paretoprice.problems",
                                  "paretoprice.app", "paretoprice.optim.front",
                                  "paretoprice.solvers.base"))]
    assert forbidden == []
    assert "paretoprice.solvers.exact.engine" in out and "numpy" in out


def test_nise_uses_only_public_engine_names() -> None:
    import ast
    import inspect

    from paretoprice.solvers.exact import nise

    tree = ast.parse(inspect.getsource(nise))
    imported = [a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and node.module == "paretoprice.solvers.exact.engine" for a in node.names]
    assert imported and not [n for n in imported if n.startswith("_")]


def test_one_config_model_options_by_name_or_object() -> None:
    from paretoprice.solvers.exact.config import DEFAULT_TIME_LIMIT_S, EngineConfig

    cfg = EngineConfig.model_validate({"workers": "auto"})  # "auto" is resolved here
    assert cfg.adaptive_workers and 1 <= cfg.workers <= 2
    assert cfg.time_limit == DEFAULT_TIME_LIMIT_S
    m = knapsack_3_items()
    a = solve_epsilon_constraint(m, EngineConfig(workers=1, pool="processes"))
    b = solve_epsilon_constraint(m, a_config := EngineConfig(), time_limit=None)
    assert as_set(a.points) == as_set(b.points) and a_config.time_limit == DEFAULT_TIME_LIMIT_S
    with pytest.raises(ParameterError, match=r"The 'gird_points' parameter.*known keys"):
        solve_epsilon_constraint(m, gird_points=3)
    with pytest.raises(ParameterError, match=r"The 'pool' parameter"):
        solve_epsilon_constraint(m, pool="fork")


def test_threads_processes_and_auto_give_the_same_set(caplog) -> None:
    m, _, _ = random_integer_model(3, 3)
    one = solve_epsilon_constraint(m, workers=1)
    for opts in ({"workers": 2}, {"workers": 2, "pool": "processes"}, {"workers": "auto"}):
        other = solve_epsilon_constraint(m, **opts)
        assert as_set(other.points) == as_set(one.points), opts
    # three objectives: the zone search, which runs threads whatever the pool, and says so
    assert "pool='processes' applies to the augmecon sweep only" in caplog.text
    assert as_set(solve_epsilon_constraint(m, workers=2, pool="processes", search="augmecon")
                  .points) == as_set(one.points)
    # a tiny sweep under workers="auto" runs in one thread (nothing to gain from two)
    assert solve_epsilon_constraint(knapsack_3_items(), workers="auto").workers == 1


# ----------------------------------------------------------------- box search


@pytest.mark.parametrize("name", ["2kp50", "4kp50"])
def test_box_search_gives_the_published_front(name: str) -> None:
    res = solve_epsilon_constraint(build_mokp_model(name), search="boxes", time_limit=None)
    assert as_set(res.points) == as_set(load_mokp(name)[3])
    assert res.points.shape == load_mokp(name)[3].shape
    assert res.exact and res.complete and res.workers == 1
    # every box solve finds a new point or closes a box: never more than the grid sweep
    # needs on these instances (2kp50: 36 models for 35 points; 4kp50: 168 for 46)
    assert res.models_solved <= {"2kp50": 38, "4kp50": 168}[name]


@pytest.mark.slow
def test_box_search_three_objectives_published_front() -> None:
    res = solve_epsilon_constraint(build_mokp_model("3kp40"), search="boxes", time_limit=None)
    assert as_set(res.points) == as_set(load_mokp("3kp40")[3])


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("seed", range(4))
def test_box_search_random_milps_match_brute_force(seed: int, k: int) -> None:
    m, expected, senses = random_integer_model(seed, k)
    res = solve_epsilon_constraint(m, search="boxes")
    assert res.exact and list(res.senses) == senses
    assert as_set(res.points) == as_set(expected)
    assert np.array_equal(res.points, solve_epsilon_constraint(m).points)


def test_box_search_needs_integer_objectives() -> None:
    with pytest.raises(ParameterError, match="The 'search' parameter"):
        solve_epsilon_constraint(program_lp(), search="boxes", grid_points=5)
    with pytest.raises(ParameterError, match="The 'search' parameter"):
        solve_epsilon_constraint(knapsack_3_items(), search="boxes", baseline=True)


def test_box_search_time_limit_returns_an_incomplete_front() -> None:
    res = solve_epsilon_constraint(build_mokp_model("4kp50"), search="boxes", time_limit=0.3)
    assert not res.complete and not res.exact
    published = as_set(load_mokp("4kp50")[3])
    assert as_set(res.points) <= published and res.n_points >= 4


# ----------------------------------------------------------------- zone search


@pytest.mark.parametrize("group", [1, 8])
def test_zone_search_gives_the_published_front(group: int) -> None:
    res = solve_epsilon_constraint(build_mokp_model("4kp50"), search="zones",
                                   zone_group=group, time_limit=None)
    assert as_set(res.points) == as_set(load_mokp("4kp50")[3])
    assert res.points.shape == load_mokp("4kp50")[3].shape
    assert res.exact and res.complete and res.workers == 1
    # 46 points; the grid sweep solves 168 models. One zone per solve: 4 payoff solves and
    # 143 zone solves (measured 147); zones with the same bound together: 76 measured.
    assert res.models_solved <= {1: 150, 8: 80}[group]


@pytest.mark.slow
@pytest.mark.parametrize("group", [1, 8])
def test_zone_search_three_objectives_published_front(group: int) -> None:
    res = solve_epsilon_constraint(build_mokp_model("3kp40"), search="zones",
                                   zone_group=group, time_limit=None)
    assert as_set(res.points) == as_set(load_mokp("3kp40")[3])
    if group > 1:
        assert res.models_per_point <= 1.35


@pytest.mark.parametrize("k", [3, 4])
@pytest.mark.parametrize("seed", range(4))
def test_zone_search_random_milps_match_brute_force(seed: int, k: int) -> None:
    m, expected, senses = random_integer_model(seed, k)
    sweep = solve_epsilon_constraint(m, search="augmecon")
    for group in (1, 8):
        res = solve_epsilon_constraint(m, search="zones", zone_group=group)
        assert res.exact and list(res.senses) == senses
        assert as_set(res.points) == as_set(expected)
        assert np.array_equal(res.points, sweep.points)
    # search="auto" (the default) is the zone search with three or more objectives, for
    # any worker count (two workers: two zones solved at a time in threads)
    for workers in (1, 2):
        auto = solve_epsilon_constraint(m, workers=workers)
        assert np.array_equal(auto.points, sweep.points) and auto.workers == workers


def test_zone_search_with_two_objectives_is_the_sweep(kp50: EpsilonConstraintResult) -> None:
    res = solve_epsilon_constraint(build_mokp_model("2kp50"), search="zones")
    assert np.array_equal(res.points, kp50.points)
    assert res.models_solved == kp50.models_solved


def test_zone_search_time_limit_returns_an_incomplete_front() -> None:
    res = solve_epsilon_constraint(build_mokp_model("4kp50"), search="zones", zone_group=1,
                                   time_limit=0.3)
    assert not res.complete and not res.exact
    assert as_set(res.points) <= as_set(load_mokp("4kp50")[3]) and res.n_points >= 4


def test_zone_search_needs_integer_objectives() -> None:
    with pytest.raises(ParameterError, match="The 'search' parameter"):
        solve_epsilon_constraint(program_lp(), search="zones", grid_points=5)
    with pytest.raises(ParameterError, match="The 'zone_group' parameter"):
        solve_epsilon_constraint(knapsack_3_items(), search="zones", zone_group=0)


def brute_force_choice_front(model: pyo.ConcreteModel) -> np.ndarray:
    """Every option combination of a multiple-choice model (one option per group row
    ``sum x = 1``; the other rows checked), its nondominated objective vectors in internal
    maximization form (integers)."""
    from paretoprice.solvers.exact.highs_model import compile_model

    c = compile_model(model)
    A = c.A.toarray()
    groups, other = [], []
    for r in range(A.shape[0]):
        nz = np.flatnonzero(A[r])
        if c.row_lower[r] == 1 and c.row_upper[r] == 1 and np.all(A[r, nz] == 1):
            groups.append(nz)
        else:
            other.append(r)
    tot, tc = np.zeros((1, c.n_objectives)), np.zeros((1, len(other)))
    for g in groups:  # every combination, one group at a time (vectorized)
        tot = (tot[:, None, :] + c.G[:, g].T[None, :, :]).reshape(-1, c.n_objectives)
        tc = (tc[:, None, :] + A[other][:, g].T[None, :, :]).reshape(-1, len(other))
    ok = np.all((tc >= c.row_lower[other] - 1e-9) & (tc <= c.row_upper[other] + 1e-9), axis=1)
    F = np.unique(np.round(tot[ok]), axis=0)
    F = F[np.lexsort(tuple(-F[:, j] for j in reversed(range(F.shape[1]))))]
    front: list[np.ndarray] = []
    for f in F:  # sorted best first: f is nondominated unless a kept point covers it
        if not front or not np.any(np.all(np.array(front) >= f, axis=1)):
            front.append(f)
    return np.array(front)


@pytest.mark.slow
def test_four_objective_portfolio_default_resolution_by_brute_force() -> None:
    # 8 services, 4 objectives at the default resolution: the integer augmentation weights
    # are too large to be exact. The zone search (the default for 3+ objectives) finds all
    # 2,136 nondominated points of the 933,120 combinations (65,459 distinct feasible
    # vectors); the grid sweep with its fallback (first objective alone) found 1,353.
    from paretoprice.benchmarks.bench_exact import portfolio_model
    from paretoprice.solvers.exact.highs_model import compile_model

    model, _ = portfolio_model(8, 4, 1e-6)
    expected = brute_force_choice_front(model)
    res = solve_epsilon_constraint(model, integer_objectives=True, time_limit=None,
                                   highs_options={"presolve": "choose"})
    c = compile_model(model)
    got = np.round((res.points - c.offsets) * c.sign)
    assert len(expected) == 2136
    assert as_set(got) == as_set(expected)


def test_four_objective_portfolio_small_by_brute_force() -> None:
    # 5 services, 4 objectives, default resolution (weights too large to be exact: the zone
    # search's eps tie-break and two workers), against every combination
    from paretoprice.benchmarks.bench_exact import portfolio_model
    from paretoprice.solvers.exact.highs_model import compile_model

    model, _ = portfolio_model(5, 4, 1e-6)
    expected = brute_force_choice_front(model)
    c = compile_model(model)
    for workers in (1, 2):
        for group in (1, 8):
            # zones grouped although the objectives span about 10^6 of their steps (the
            # disjunction's coefficients are that large; answers are checked to lie in a
            # zone of the group)
            res = solve_epsilon_constraint(model, integer_objectives=True, workers=workers,
                                           zone_group=group)
            assert res.exact and res.workers == workers
            assert as_set(np.round((res.points - c.offsets) * c.sign)) == as_set(expected)


def large_range_knapsack() -> tuple[pyo.ConcreteModel, np.ndarray]:
    """Three objectives of money-like size (coefficients 10,000-99,999, no common factor):
    the exact augmentation weight would exceed the engine's exact-arithmetic limit."""
    rng = np.random.default_rng(3)
    n = 9
    C = rng.integers(10_000, 100_000, size=(3, n))
    w = rng.integers(1, 10, size=n)
    cap = int(w.sum() // 2)
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, n - 1)
    m.x = pyo.Var(m.I, domain=pyo.Binary)
    m.cap = pyo.Constraint(expr=sum(int(w[i]) * m.x[i] for i in m.I) <= cap)
    m.obj_list = pyo.ObjectiveList()
    for j in range(3):
        m.obj_list.add(expr=sum(int(C[j, i]) * m.x[i] for i in m.I), sense=pyo.maximize)
    F = [C @ np.array(x) for x in itertools.product((0, 1), repeat=n)
         if w @ np.array(x) <= cap]
    return m, nondominated(np.array(F, dtype=float), ["max"] * 3)


def test_sweep_without_exact_weights_does_not_claim_exactness(caplog) -> None:
    # (1 + sum of ranges) x |ideal| is about 1e5 x 5e5 > 1e9: the sweep falls back to the
    # first objective alone, whose skipping can miss ties, so its set is not marked exact;
    # the zone search (the default for 3+ objectives) keeps an exact first objective and
    # is exact and complete against brute force.
    m, expected = large_range_knapsack()
    sweep = solve_epsilon_constraint(m, search="augmecon")
    assert not sweep.exact
    assert "not marked exact" in caplog.text
    assert as_set(sweep.points) <= as_set(expected)
    zones = solve_epsilon_constraint(m, search="zones")
    assert zones.exact and zones.search == "zones"
    assert as_set(zones.points) == as_set(expected)
    for group in (1, 4):
        for workers in (1, 2):
            res = solve_epsilon_constraint(m, zone_group=group, workers=workers,
                                           search="zones")
            assert res.exact and as_set(res.points) == as_set(expected)
    # a 0-1 packing model: "auto" runs the dynamic programme, exact whatever the ranges
    auto = solve_epsilon_constraint(m)
    assert auto.search == "dp" and auto.exact and as_set(auto.points) == as_set(expected)


def _split_by_brute_force(U: np.ndarray, z: np.ndarray) -> np.ndarray:
    """The redundancy-free update, every child compared with every bound."""
    inside = np.all(z < U, axis=1)
    if not inside.any():
        return U
    kids = []
    for u in U[inside]:
        for j in range(U.shape[1]):
            c = u.copy()
            c[j] = z[j]
            kids.append(c)
    pool = np.vstack([U[~inside], np.unique(np.array(kids), axis=0)])
    keep = [c for c in np.unique(np.array(kids), axis=0)
            if not any(np.all(c <= w) and not np.all(c == w) for w in pool)]
    return np.vstack([U[~inside], *keep]) if keep else U[~inside]


@pytest.mark.parametrize("k", [3, 4])
def test_upper_bound_split_matches_brute_force(k: int) -> None:
    # random integer points (many ties: values 0-5) inserted one by one; the fast split
    # compares children only with bounds that share a coordinate with the new point
    from paretoprice.solvers.exact.engine import _split_upper_bounds

    rng = np.random.default_rng(k)
    M = np.full(k, 6.0)
    for _ in range(20):
        U_fast = U_ref = M[None, :].copy()
        for z in rng.integers(0, 6, size=(25, k)).astype(float):
            split = _split_upper_bounds(U_fast, z)
            if split is not None:
                U_fast = np.vstack(split)
            U_ref = _split_by_brute_force(U_ref, z)
            assert as_set(U_fast) == as_set(U_ref) and len(U_fast) == len(U_ref)
