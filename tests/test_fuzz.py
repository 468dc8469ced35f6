"""Property-based tests: hostile problem files and command lines never crash the toolkit.

Every generated input must end in exit 0 with a finite, nondominated front, or exit 2
with one line naming a parameter (or the infeasibility report). The default run is small
and derandomized; ``-m slow`` runs 2,000+ problem files and prints the counts.
"""

from __future__ import annotations

import collections
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_inputs import Outcome, classify, front_ok, hostile_problem, run_cli
from tests.toml_writer import dumps

SOLVERS: dict[str, tuple[list[str], dict[str, Any]]] = {
    "grid": (["--solver", "grid"], {}),
    "nsga2": (["--solver", "nsga2", "--pop-size", "12", "--n-gen", "3"],
              {"pop_size": 12, "n_gen": 3}),
    "exact": (["--solver", "exact"], {}),
}
SLOW_SOLVERS = os.environ.get("FUZZ_SOLVERS", "grid,nsga2").split(",")
"""Backends of the slow run (``FUZZ_SOLVERS=grid,nsga2,exact``); the default run uses
grid and nsga2 (exact builds a MILP per problem: slower)."""


def solve_file(doc: dict[str, Any], solver: str, workdir: str) -> Outcome:
    """Write ``doc`` as TOML, run ``paretoprice solve`` on it, classify the outcome."""
    path = Path(workdir) / "problem.toml"
    try:
        path.write_text(dumps(doc), encoding="utf-8")
    except (TypeError, ValueError) as exc:  # not representable in TOML: nothing to test
        return Outcome("skipped", 0, str(exc))
    args, options = SOLVERS[solver]
    code, _, err = run_cli(["solve", str(path), *args])
    outcome = classify(code, err)
    if outcome.kind == "ok":
        problem = front_ok(str(path), solver, options)
        if problem:
            return Outcome("failed_badly", code, err, detail=problem)
    return outcome


def _check(outcome: Outcome, log: list[str]) -> None:
    assert outcome.kind != "failed_badly", (log, outcome.code, outcome.detail)


@settings(max_examples=50, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=hostile_problem(), solver=st.sampled_from(["grid", "nsga2"]))
def test_hostile_problem_files_fail_well(case: tuple[str, dict, list[str]],
                                         solver: str) -> None:
    _, doc, log = case
    with tempfile.TemporaryDirectory() as d:
        _check(solve_file(doc, solver, d), log)


ARG_VALUES = st.sampled_from(["", " ", "-1", "0", "1", "2", "4294967296", "1e3", "nan",
                              "inf", "x", "payer_spend", "payer_spend,access",
                              ",", "access,access", "payer_spend,,", "--", "\x00"])


@settings(max_examples=40, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(flags=st.lists(st.tuples(
    st.sampled_from(["--seed", "--objectives", "--pop-size", "--n-gen", "--n-eval", "--set",
                     "--solver", "--out"]),
    ARG_VALUES | st.sampled_from(["pop_size=12", "n_gen=2", "chunk_size=1",
                                  "max_candidates=0", "bogus=1", "pop_size=\"12\"",
                                  "n_gen=1e9", "grid", "exact", "nsga3"])),
    min_size=1, max_size=3))
def test_hostile_command_lines_fail_well(flags: list[tuple[str, str]]) -> None:
    argv = ["solve", "lvo-ntap"]
    has_budget = False
    with tempfile.TemporaryDirectory() as d:
        for flag, value in flags:
            if flag == "--out":
                value = str(Path(d) / value.strip("\x00")) if value.strip() else value
            has_budget |= flag in {"--n-gen", "--n-eval"}
            argv += [flag, value]
        if not has_budget:
            argv += ["--n-gen", "2"]
        code, _, err = run_cli(argv)
    outcome = classify(code, err)
    assert outcome.kind != "failed_badly", (argv, code, err)


@pytest.mark.slow
def test_two_thousand_hostile_problem_files() -> None:
    """The closing note's run: >= 2,000 generated problem files; prints the counts."""
    counts: collections.Counter[str] = collections.Counter()
    bad: list[tuple[list[str], str]] = []

    @settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2100")), derandomize=True,
              deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=hostile_problem(max_mutations=4), solver=st.sampled_from(SLOW_SOLVERS))
    def run(case: tuple[str, dict, list[str]], solver: str) -> None:
        _, doc, log = case
        with tempfile.TemporaryDirectory() as d:
            outcome = solve_file(doc, solver, d)
        counts[outcome.kind] += 1
        if outcome.kind == "failed_badly":
            bad.append((log, outcome.detail))

    run()
    summary = {"tried": sum(counts.values()), **counts, "examples_of_bad": bad[:10]}
    print("FUZZ SUMMARY " + json.dumps(summary, default=str))
    report = os.environ.get("FUZZ_REPORT")
    if report:
        Path(report).write_text(json.dumps(summary, indent=2, default=str) + "\n")
    assert summary["tried"] >= 2000
    assert not bad, bad[:5]
