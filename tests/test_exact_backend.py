"""The ``exact`` backend on laddered problems and user Pyomo models: the same front as the
grid (itself checked by brute force), the same front for any worker count, per-point solver
facts, the CLI path for a user's ``model.py``, and clear errors."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
import pytest

from paretoprice.app.cli import main
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.optim.families.portfolio import synthetic_portfolio
from paretoprice.optim.indicators import same_set
from paretoprice.problems import load_problem
from paretoprice.solvers import solve
from paretoprice.solvers.exact.backend import choice_model, objective_resolutions, solve_model


def _coarse_idx(idx_raw):
    idx_raw["decisions"]["p"] = {"lower": 20.0, "upper": 90.0, "step": 10.0}
    idx_raw["decisions"]["f"] = {"lower": 0.0, "upper": 40.0, "step": 10.0}
    idx_raw["decisions"]["addons"] = {"safety_net": {"lower": 0.0, "upper": 20.0, "step": 10.0}}
    return build_problem(idx_raw)


def test_exact_milp_equals_grid_on_laddered_idx_dr(idx_raw):
    prob = _coarse_idx(idx_raw)
    grid = solve(prob, "grid")
    milp = solve(prob, "exact", method="milp")
    assert same_set(milp.minimization_matrix(), grid.minimization_matrix())
    assert milp.provenance.exact and milp.provenance.diagnostics["models_solved"] > 0
    assert "mip_gap" in milp.reported and np.all(milp.reported["proven_optimal"] == 1.0)


def test_exact_enumerates_a_single_group(idx_dr):
    grid = solve(idx_dr, "grid")
    exact = solve(idx_dr, "exact")
    assert exact.provenance.diagnostics["method"] == "enumerate"
    assert same_set(exact.minimization_matrix(), grid.minimization_matrix())


@pytest.mark.parametrize(("method", "presolve", "health", "size"),
                         [("auto", None, False, 35), ("auto", None, True, 49),
                          ("milp", None, False, 35), ("milp", False, False, 35),
                          ("milp", None, True, 49)])
def test_exact_equals_grid_on_bundled_portfolio(method, presolve, health, size):
    # presolve off (the default, None here) runs with MIP starts. With the portfolio's
    # FFR-CT and AI-ECG inputs matching their own problems, HiGHS with presolve on returned
    # 47 of the 49 points grid enumerated (v1); presolve off found all 49, hence the default.
    # With the services' pathways (v2) the four objectives give 35 points, and 49 with
    # health_gain (QALYs per year) as a fifth objective.
    prob = load_problem("portfolio")
    if health:
        prob = prob.with_objectives([*prob.objective_names, "health_gain"])
    grid = solve(prob, "grid")
    options = {} if presolve is None else {"presolve": presolve}
    exact = solve(prob, "exact", method=method, **options)
    assert exact.provenance.diagnostics["method"].startswith(
        "merge" if method == "auto" else "milp")
    assert len(grid) == size
    assert same_set(exact.minimization_matrix(), grid.minimization_matrix())
    diag = exact.provenance.diagnostics
    assert diag["groups"] == prob.n_services and "portfolio_budget" in diag["couplings"]
    payoff = diag["payoff_table"]
    assert set(payoff) == set(prob.objective_names)
    # the payoff table's diagonal is the ideal point: each objective's best on the front
    best = {o: (exact.column(o).min() if s == "min" else exact.column(o).max())
            for o, s in zip(prob.objective_names, prob.senses, strict=True)}
    for o, res in diag["resolution"].items():
        assert abs(payoff[o][o] - best[o]) <= prob.n_services * res


def test_box_search_equals_grid_on_bundled_portfolio():
    prob = load_problem("portfolio")
    grid = solve(prob, "grid")
    boxes = solve(prob, "exact", method="milp", search="boxes")
    assert same_set(boxes.minimization_matrix(), grid.minimization_matrix())
    assert boxes.provenance.exact


@pytest.mark.parametrize("method", ["auto", "milp"])
@pytest.mark.parametrize("seed", [3, 11])
def test_exact_equals_grid_on_synthetic_portfolios(seed, method):
    prob = synthetic_portfolio(6, seed=seed, levels=4)
    grid = solve(prob, "grid")
    exact = solve(prob, "exact", method=method)
    assert same_set(exact.minimization_matrix(), grid.minimization_matrix())


def test_exact_same_front_with_two_workers():
    prob = synthetic_portfolio(5, seed=2, levels=5).with_objectives(["payer_spend", "access"])
    one = solve(prob, "exact", method="milp", workers=1)
    two = solve(prob, "exact", method="milp", workers=2)
    # the same objective vectors; where two price vectors tie on every objective, which of
    # them is reported may depend on which worker reached the point first
    assert np.array_equal(one.objectives, two.objectives)


def test_choice_model_has_integer_objectives_and_budget_row():
    prob = load_problem("portfolio")
    cs = prob.choice_structure()
    from paretoprice.solvers.exact.backend import ExactSettings
    from paretoprice.solvers.exact.highs_model import compile_model

    res = objective_resolutions(prob, cs, ExactSettings())
    compiled = compile_model(choice_model(prob, cs, res)[0])
    assert compiled.n_objectives == len(prob.objective_names)
    assert all(compiled.integer_objective(j) for j in range(compiled.n_objectives))
    # one 'choose exactly one' row per service plus the budget
    assert compiled.n_rows == prob.n_services + 1


def test_mip_starts_only_without_presolve():
    from paretoprice.solvers.exact.highs_model import HighsModel, compile_model

    compiled = compile_model(_knapsack_model([[1, 2], [2, 1]], [1, 1], 1))
    assert HighsModel(compiled).uses_starts
    assert not HighsModel(compiled, options={"presolve": "choose"}).uses_starts


def test_exact_rejects_bad_settings():
    prob = load_problem("portfolio")
    with pytest.raises(ParameterError, match=r"resolution\.spend"):
        solve(prob, "exact", resolution={"spend": 1.0})
    with pytest.raises(ParameterError, match="method"):
        solve(prob, "exact", method="enumerate")
    with pytest.raises(ParameterError, match="workers"):
        solve(prob, "exact", workers=0)


def _knapsack_model(values, weights, cap):
    import pyomo.environ as pyo

    m = pyo.ConcreteModel(name="tiny-knapsack")
    n = len(weights)
    m.x = pyo.Var(range(n), domain=pyo.Binary)
    m.cap = pyo.Constraint(expr=sum(weights[i] * m.x[i] for i in range(n)) <= cap)
    m.obj_list = pyo.ObjectiveList()
    for row in values:
        m.obj_list.add(expr=sum(row[i] * m.x[i] for i in range(n)), sense=pyo.maximize)
        m.obj_list[len(m.obj_list)].deactivate()
    return m


def test_solve_model_matches_brute_force():
    import itertools

    values = [[4, 1, 3, 2, 5], [1, 5, 2, 4, 1]]
    weights, cap = [3, 2, 2, 3, 4], 7
    front = solve_model(_knapsack_model(values, weights, cap))
    pts = []
    for x in itertools.product([0, 1], repeat=5):
        if np.dot(weights, x) <= cap:
            pts.append([-np.dot(values[0], x), -np.dot(values[1], x)])
    P = np.unique(np.array(pts, dtype=float), axis=0)
    keep = [not any((q <= p).all() and (q < p).any() for q in P) for p in P]
    assert same_set(front.minimization_matrix(), P[keep])
    assert front.provenance.exact and front.provenance.solver == "exact"


def test_solve_model_lp_gives_breakpoints_and_rates():
    import pyomo.environ as pyo

    # max x + 2y (benefit) and min 3x + y (cost) on x + y <= 4, x <= 3, y <= 2:
    # breakpoints (cost, benefit) = (0, 0), (2, 4), (5, 5): rates 0.5 and 3 per unit
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 3))
    m.y = pyo.Var(bounds=(0, 2))
    m.c = pyo.Constraint(expr=m.x + m.y <= 4)
    m.obj_list = pyo.ObjectiveList()
    m.obj_list.add(expr=3 * m.x + m.y, sense=pyo.minimize)
    m.obj_list.add(expr=m.x + 2 * m.y, sense=pyo.maximize)
    front = solve_model(m)
    obj = front.objectives
    assert np.allclose(obj[np.argsort(obj[:, 0])], [[0, 0], [2, 4], [8, 6]])
    rates = front.reported["tradeoff_rate"]
    assert np.isnan(rates).sum() == 1
    assert sorted(np.round(rates[~np.isnan(rates)], 6).tolist()) == [0.333333, 2.0]


MODEL_PY = textwrap.dedent('''
    import pyomo.environ as pyo


    def build_model():
        m = pyo.ConcreteModel(name="user-knapsack")
        w = [3, 2, 2, 3, 4]
        v = [[4, 1, 3, 2, 5], [1, 5, 2, 4, 1]]
        m.x = pyo.Var(range(5), domain=pyo.Binary)
        m.cap = pyo.Constraint(expr=sum(w[i] * m.x[i] for i in range(5)) <= {cap})
        m.obj_list = pyo.ObjectiveList()
        for row in v:
            m.obj_list.add(expr=sum(row[i] * m.x[i] for i in range(5)), sense=pyo.maximize)
        return m
''')


def test_cli_solves_a_user_model_file(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text(MODEL_PY.format(cap=7))
    out = tmp_path / "out"
    assert main(["solve", str(path), "--solver", "exact", "--out", str(out)]) == 0
    frame = pd.read_csv(out / "front.csv")
    expected = solve_model(_knapsack_model([[4, 1, 3, 2, 5], [1, 5, 2, 4, 1]],
                                           [3, 2, 2, 3, 4], 7))
    assert len(frame) == len(expected)
    meta = json.loads((out / "front.json").read_text())
    assert meta["provenance"]["solver"] == "exact" and meta["provenance"]["exact"]
    assert (out / "front.png").is_file()


def test_cli_user_model_by_dynamic_programming(tmp_path, capsys):
    # a 0-1 packing model: --set search=dp gives the same front with no MILP, and says so
    path = tmp_path / "model.py"
    path.write_text(MODEL_PY.format(cap=7))
    out = tmp_path / "out"
    assert main(["solve", str(path), "--solver", "exact", "--set", "search=dp",
                 "--out", str(out)]) == 0
    meta = json.loads((out / "front.json").read_text())
    prov = meta["provenance"]
    assert prov["diagnostics"]["search"] == "dp" and prov["diagnostics"]["models_solved"] == 0
    assert "dynamic programming over the items" in prov["notes"][0] and prov["exact"]
    expected = solve_model(_knapsack_model([[4, 1, 3, 2, 5], [1, 5, 2, 4, 1]],
                                           [3, 2, 2, 3, 4], 7))
    frame = pd.read_csv(out / "front.csv")
    got = {tuple(r) for r in frame[list(expected.objective_names)].to_numpy().tolist()}
    assert got == {tuple(r) for r in expected.objectives.tolist()}


def test_cli_user_model_errors(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text(MODEL_PY.format(cap=-1))  # no subset weighs less than -1
    assert main(["solve", str(path), "--solver", "exact"]) == 2
    assert "feasible" in capsys.readouterr().err.lower()
    assert main(["solve", str(path), "--solver", "nsga2"]) == 2
    assert "--solver exact" in capsys.readouterr().err
    (tmp_path / "empty.py").write_text("x = 1\n")
    assert main(["solve", str(tmp_path / "empty.py"), "--solver", "exact"]) == 2
    assert "build_model" in capsys.readouterr().err


def test_exact_explains_an_infeasible_coupling():
    import copy

    from paretoprice.optim.errors import InfeasibleProblemError
    from paretoprice.problems import bundled_raw

    raw = copy.deepcopy(bundled_raw("portfolio"))
    raw["constraints"] = [{"quantity": "access", "min": 0.99}]  # a coupling row on sums
    with pytest.raises(InfeasibleProblemError, match=r"access>=0\.99.*short by"):
        solve(build_problem(raw), "exact")


def test_time_limit_marks_the_front_incomplete_without_contradiction(tmp_path, capsys):
    """A time limit too short for the sweep (but not for the payoff table) returns the
    points found so far: the notes, diagnostics, provenance flag, stdout and front.json
    all say incomplete, and nothing claims completeness."""
    prob = load_problem("portfolio")
    full = solve(prob, "exact", method="milp", time_limit=None)
    assert full.provenance.exact and full.provenance.diagnostics["complete"]
    assert "complete up to the resolution" in full.provenance.diagnostics["guarantee"]
    # the payoff table of this problem takes a few solves; find a budget that stops the sweep
    same_problem = True
    for budget in (0.05, 0.1, 0.2, 0.4):
        try:
            cut = solve(prob, "exact", method="milp", time_limit=budget)
        except Exception:  # the budget ran out inside the payoff table: try a larger one
            continue
        if not cut.provenance.diagnostics["complete"]:
            break
    else:
        # every budget either completed the sweep or stopped in the payoff table (a very
        # fast or a very slow machine): a MILP whose sweep cannot finish in 3 s (12
        # services, 4 objectives: about two million points) instead of skipping
        same_problem = False
        cut = solve(synthetic_portfolio(12, seed=4), "exact", method="milp", time_limit=3.0)
        assert not cut.provenance.diagnostics["complete"]
    notes = " ".join(cut.provenance.notes)
    assert "INCOMPLETE" in notes and "complete up to the resolution" not in notes
    assert cut.provenance.exact is False
    assert not same_problem or len(cut) <= len(full)
    capsys.readouterr()
    code = main(["solve", "portfolio", "--solver", "exact", "--set", "method=milp",
                 "--time-limit", str(budget), "--out", str(tmp_path)])
    captured = capsys.readouterr()
    if code == 2:  # on a loaded machine the budget may run out inside the payoff table
        assert "time limit" in captured.err and not (tmp_path / "front.json").exists()
        return
    assert code == 0
    stdout = captured.out
    doc = json.loads((tmp_path / "front.json").read_text())
    text = json.dumps(doc)
    if "INCOMPLETE" in text:  # the CLI run may finish within the budget on a fast machine
        assert "INCOMPLETE FRONT" in stdout
        assert "complete up to the resolution" not in text
    else:
        assert "INCOMPLETE" not in stdout


def test_time_limit_flag_only_for_exact(capsys):
    assert main(["solve", "portfolio", "--solver", "grid", "--time-limit", "5"]) == 2
    assert "--time-limit" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["access-ckm", "addon-fund", "ai-ecg", "autonomy-tiers",
                                  "ffr-ct", "generalist-ct", "idx-dr", "korea-ai-fund",
                                  "lvo-ntap", "portfolio"])
def test_every_bundled_problem_same_set_with_one_and_two_workers(name):
    """Every bundled problem gives the same exact front with one worker and with two
    (single-group problems are enumerated; the portfolio goes through the MILP engine, the
    one path with workers, and its front is also checked against the grid in
    test_exact_equals_grid_on_bundled_portfolio)."""
    prob = load_problem(name)
    method = "milp" if name == "portfolio" else "auto"
    one = solve(prob, "exact", method=method, workers=1)
    two = solve(prob, "exact", method=method, workers=2)
    assert one.provenance.diagnostics.get("complete", True)
    assert np.array_equal(one.objectives, two.objectives)
