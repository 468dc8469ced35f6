"""Regression tests of issue 13's findings: each one a crash, a false verdict, unbounded
memory, a silent acceptance or a message without its parameter, found with hostile input.
"""

from __future__ import annotations

import copy
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from paretoprice.optim.errors import ParameterError, ProblemFileError
from paretoprice.optim.families import build_problem
from paretoprice.optim.spec import Bounds
from paretoprice.problems import bundled_raw, load_problem
from paretoprice.solvers import solve
from tests.fuzz_inputs import run_cli
from tests.toml_writer import dumps


def variant(name: str, path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    d = copy.deepcopy(bundled_raw(name))
    cur = d
    for p in path[:-1]:
        cur = cur[p]
    cur[path[-1]] = value
    return d


def cli_error(argv: list[str]) -> str:
    """Run the CLI in-process; assert exit 2 with one line; return the line."""
    code, _, err = run_cli(argv)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, (code, err)
    return lines[0]


def write(tmp_path: Path, doc: dict[str, Any]) -> str:
    p = tmp_path / "problem.toml"
    p.write_text(dumps(doc), encoding="utf-8")
    return str(p)


# -------------------------------------------------------------- non-finite evaluations
def test_huge_benefit_is_named_not_a_segfault(tmp_path: Path) -> None:
    """lvo-ntap with benefit_per_case = 1e308 made moocore segfault on NaN objectives."""
    doc = variant("lvo-ntap", ("segments", 0, "benefit_per_case"), 1e308)
    with pytest.raises(ParameterError) as info:
        solve(build_problem(doc), "grid")
    assert info.value.parameter == "segments[0].benefit_per_case"
    line = cli_error(["solve", write(tmp_path, doc), "--solver", "grid"])
    assert "'segments[0].benefit_per_case'" in line


def test_huge_comparator_payment_nsga2(tmp_path: Path) -> None:
    """nsga2 with comparator_payment = 1e308 raised a TypeError inside pymoo's tournament."""
    doc = variant("idx-dr", ("service", "comparator_payment"), 1e308)
    line = cli_error(["solve", write(tmp_path, doc), "--n-gen", "3"])
    assert "'service.comparator_payment'" in line


def test_every_evaluation_is_finite_or_refused() -> None:
    prob = load_problem("idx-dr")
    X = np.column_stack([prob.lower, prob.upper]).T
    ev = prob.evaluate(X)
    assert all(np.isfinite(v).all() for v in ev.objectives.values())


# -------------------------------------------------------------- strict numbers
@pytest.mark.parametrize(("path", "value", "expected"), [
    (("creator", "annual_fixed_cost"), math.inf, "a finite number"),
    (("value", "savings_per_patient"), math.nan, "a finite number"),
    (("segments", 0, "population"), True, "a number"),
    (("segments", 0, "compliance"), "0.4", "a number"),
    (("guardrails", "cap_substitution", "enabled"), "yes", "true or false"),
    (("creator", "horizon_years"), True, "a whole number"),
    (("segments", 0, "payer_mix", "medicare"), "1", "a number"),
    (("decisions", "p", "upper"), math.inf, "a finite number"),
])
def test_strict_numbers(path: tuple[Any, ...], value: Any, expected: str) -> None:
    if path[0] == "guardrails":
        doc = variant("idx-dr", path[:-1], {"enabled": value})
    else:
        doc = variant("idx-dr", path, value)
    with pytest.raises(ParameterError) as info:
        build_problem(doc)
    assert info.value.expected.startswith(expected), info.value
    dotted = ".".join(str(p) for p in path[:-1] if not isinstance(p, int))
    assert dotted.split(".")[0] in info.value.parameter


def test_observed_variable_must_be_a_decision() -> None:
    doc = variant("idx-dr", ("observed",), [{"name": "x", "variable": "bogus", "low": 1.0,
                                             "high": 2.0}])
    with pytest.raises(ParameterError) as info:
        build_problem(doc)
    assert info.value.parameter == "observed[0].variable"


@pytest.mark.parametrize("key", ["segments", "payers"])
def test_problem_level_rules_name_their_parameter(key: str) -> None:
    """Repeated names used to be reported as the '<problem>' parameter."""
    doc = copy.deepcopy(bundled_raw("idx-dr"))
    doc[key].append(copy.deepcopy(doc[key][0]))
    with pytest.raises(ParameterError) as info:
        build_problem(doc)
    assert info.value.parameter == f"{key}[{len(doc[key]) - 1}].name"
    assert "<problem>" not in str(info.value)


def test_unknown_addon_segment_is_named() -> None:
    doc = variant("idx-dr", ("decisions", "addons"), {"nowhere": {"lower": 0.0, "upper": 1.0}})
    with pytest.raises(ParameterError) as info:
        build_problem(doc)
    assert info.value.parameter == "decisions.addons.nowhere"


# -------------------------------------------------------------- sizes checked first
def test_five_65536_step_ladders_are_counted_exactly() -> None:
    """2**80 candidates overflowed to 0 and the grid called a feasible problem infeasible."""
    prob = load_problem("idx-dr")
    big = {n: Bounds(lower=0.0, upper=65535.0, step=1.0) for n in prob.decision_names}
    prob = prob.with_bounds(big)
    assert prob.ladder_size() == 2**80
    with pytest.raises(ParameterError) as info:
        solve(prob, "grid")
    assert info.value.parameter == "max_candidates"
    assert "1.209e+24 (25 digits)" in str(info.value)


def test_forty_service_grid_size_is_exact() -> None:
    """The 40-service portfolio's size was printed as 2.3e18 instead of 1.3e31."""
    from paretoprice.optim.families.portfolio import synthetic_portfolio

    prob = synthetic_portfolio(40, seed=1)
    assert prob.ladder_size() == 6**40
    with pytest.raises(ParameterError, match=r"1\.337e\+31 \(32 digits\)"):
        solve(prob, "grid")


@pytest.mark.parametrize("solver", ["grid", "nsga2"])
@pytest.mark.parametrize(("field", "value"), [("step", 1e-9), ("upper", 1e308)])
def test_huge_ladders_fail_fast(tmp_path: Path, solver: str, field: str, value: float) -> None:
    """p.step = 1e-9 reached 7.8 GB before a MemoryError; upper = 1e308 ran past 90 s."""
    doc = variant("idx-dr", ("decisions", "p", field), value)
    t0 = time.perf_counter()
    line = cli_error(["solve", write(tmp_path, doc), "--solver", solver, "--n-gen", "2"]
                     if solver == "nsga2" else ["solve", write(tmp_path, doc), "--solver", solver])
    assert time.perf_counter() - t0 < 10
    assert "'decisions.p'" in line and "ladder points" in line


def test_unbounded_upper_without_step_is_refused_by_the_evaluation(tmp_path: Path) -> None:
    doc = variant("idx-dr", ("decisions", "p"), {"lower": 0.0, "upper": 1e308})
    line = cli_error(["solve", write(tmp_path, doc), "--n-gen", "3"])
    assert "'decisions.p.upper'" in line


def test_bound_overflowing_its_width_is_an_input_error() -> None:
    doc = variant("idx-dr", ("decisions", "p"), {"lower": -1e308, "upper": 1e308})
    with pytest.raises(ParameterError) as info:
        build_problem(doc)
    assert info.value.parameter == "decisions.p"


@pytest.mark.parametrize("solver", ["grid", "exact"])
def test_more_than_62_segments(solver: str) -> None:
    """63+ segments hit numpy's 64-dimension limit on grid and exact."""
    doc = copy.deepcopy(bundled_raw("idx-dr"))
    seg = doc["segments"][0]
    doc["segments"] = [dict(seg, name=f"s{i}", population=1000.0) for i in range(70)]
    prob = build_problem(doc)
    assert prob.n_var == 72
    front = solve(prob, solver)
    assert len(front) > 0 and np.isfinite(front.minimization_matrix()).all()


# -------------------------------------------------------------- command-line errors
def test_cli_argument_errors_name_the_argument() -> None:
    assert "--seed" in cli_error(["solve", "idx-dr", "--seed", "-1"])
    assert "'--objectives'" in cli_error(["solve", "idx-dr", "--objectives", ""])
    assert "'--objectives'" in cli_error(["solve", "idx-dr", "--objectives", " , "])
    assert "'--out'" in cli_error(["solve", "idx-dr", "--out", ""])


def test_binary_and_non_utf8_problem_files_name_the_file(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.toml"
    garbage.write_bytes(bytes(range(256)) * 4)
    assert str(garbage) in cli_error(["solve", str(garbage)])
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(ProblemFileError, match=r"latin\.toml.*UTF-8"):
        load_problem(latin)


def test_three_hundred_character_problem_name() -> None:
    line = cli_error(["solve", "p" * 300])
    assert "Problem file 'ppp" in line


def test_internal_error_is_one_line_exit_3_and_debug_reraises(tmp_path: Path) -> None:
    """A bug (here: a user's model file that divides by zero) is not bad input."""
    model = tmp_path / "model.py"
    model.write_text("def build_model():\n    return 1 / 0\n")
    cmd = [sys.executable, "-m", "paretoprice.app.cli", "solve", str(model), "--solver",
           "exact"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 3
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "internal error" in lines[0] and "--debug" in lines[0]
    r = subprocess.run([*cmd[:3], "--debug", *cmd[3:]], capture_output=True, text=True)
    assert r.returncode == 1 and "Traceback" in r.stderr and "ZeroDivisionError" in r.stderr


def test_infinite_anchor_is_named() -> None:
    """tco_volume = 1e-308 made the total-cost-of-ownership anchor print as inf."""
    doc = variant("idx-dr", ("creator", "tco_volume"), 1e-308)
    with pytest.raises(ParameterError) as info:
        from paretoprice.optim.finite import check_anchors

        check_anchors(build_problem(doc))
    assert info.value.parameter == "creator.tco_volume"


def test_infinite_reported_quantity_is_named() -> None:
    """A tiny tco_volume made the reported slack_total_cost_of_ownership -inf on the front."""
    doc = variant("generalist-ct", ("creator", "tco_volume"), 1e-308)
    with pytest.raises(ParameterError) as info:
        solve(build_problem(doc), "grid")
    assert info.value.parameter == "creator.tco_volume"
    assert "slack_total_cost_of_ownership" in str(info.value)


def test_infeasible_problem_is_one_line(tmp_path: Path) -> None:
    """Conflicting guardrails: exit 2 and one line naming the guardrail and the fix."""
    from paretoprice.problems import problem_path

    text = problem_path("idx-dr").read_text(encoding="utf-8").replace(
        "floor_marginal_cost = true",
        "floor_marginal_cost = true\nequity_floor = { enabled = true, min_coverage = 0.95 }", 1)
    assert "min_coverage = 0.95" in text
    path = tmp_path / "conflict.toml"
    path.write_text(text, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "paretoprice", "solve", str(path), "--solver",
                        "grid"], capture_output=True, text=True, timeout=300)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1, r.stderr
    assert "'equity_floor'" in lines[0] and "Fix:" in lines[0]


def test_problem_script_bad_input_is_one_line(tmp_path: Path) -> None:
    """The scripts economists run answer bad input like the command: one line, exit 2."""
    r = subprocess.run([sys.executable, "-m", "paretoprice.problems.idx_dr", "--solver",
                        "bogus", "--out", str(tmp_path / "out")], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert "'solver'" in r.stderr and "Fix:" in r.stderr
    assert not (tmp_path / "out").exists()
