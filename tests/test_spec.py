"""Problem specification: validation messages, sources, immutability."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from pydantic import ValidationError

from paretoprice.optim.errors import ParameterError, ProblemFileError
from paretoprice.optim.families import build_problem, load_problem_file
from paretoprice.problems import bundled_names, load_problem
from tests.conftest import one_segment_dict


def _err(d) -> ParameterError:
    with pytest.raises(ParameterError) as info:
        build_problem(d)
    return info.value


def test_negative_population_names_parameter() -> None:
    d = one_segment_dict()
    d["segments"][0]["population"] = -5
    e = _err(d)
    assert e.parameter == "segments[0].population"
    msg = str(e)
    assert "must be a number > 0" in msg and "Got -5" in msg and "Fix:" in msg


def test_compliance_above_one() -> None:
    d = one_segment_dict()
    d["segments"][0]["compliance"] = 1.3
    e = _err(d)
    assert e.parameter == "segments[0].compliance"
    assert "<= 1" in str(e) and "1.3" in str(e)


def test_unknown_key_lists_known_keys() -> None:
    d = one_segment_dict()
    d["segments"][0]["populaton"] = 5
    e = _err(d)
    assert e.parameter == "segments[0].populaton"
    assert "population" in str(e)  # the known keys are listed


def test_lower_bound_above_upper() -> None:
    d = one_segment_dict()
    d["decisions"]["p"] = {"lower": 100.0, "upper": 50.0}
    e = _err(d)
    assert e.parameter == "decisions.p"
    assert "swap" in str(e)


def test_wrong_type_and_missing() -> None:
    d = one_segment_dict()
    d["segments"][0]["sites"] = "many"
    assert "a number" in str(_err(d))
    d = one_segment_dict()
    del d["creator"]
    e = _err(d)
    assert e.parameter == "creator" and "required" in str(e)


def test_payer_mix_must_sum_to_one_and_name_payers() -> None:
    d = one_segment_dict()
    d["segments"][0]["payer_mix"] = {"medicare": 0.7}
    assert "sum to 1" in str(_err(d))
    d = one_segment_dict()
    d["segments"][0]["payer_mix"] = {"medicaid": 1.0}
    assert "unknown payer" in str(_err(d))


def test_unknown_objective_and_constraint_quantity() -> None:
    assert "unknown objective" in str(_err(one_segment_dict(objectives=["access", "joy"])))
    e = _err(one_segment_dict(constraints=[{"quantity": "happiness", "min": 1}]))
    assert e.parameter == "constraints[0].quantity" and "coverage_all" in str(e)


def test_sourced_numbers_are_recorded(idx_dr) -> None:
    assert "Abramoff" in idx_dr.spec.sources["service.comparator_payment"]
    assert idx_dr.spec.service.comparator_payment == 175.0


def test_every_bundled_number_has_a_source() -> None:
    """Every number of idx-dr's service, segments, creator and value blocks is sourced."""
    prob = load_problem("idx-dr")
    s = prob.spec
    for i, g in enumerate(s.segments):
        for field in ("population", "compliance", "uptake", "provider_cost_per_use", "sites",
                      "fixed_cost_per_site"):
            assert f"segments[{i}].{field}" in s.sources, (g.name, field)
    for field in ("marginal_cost", "upfront_investment", "annual_fixed_cost", "tco_volume"):
        assert f"creator.{field}" in s.sources


def test_spec_is_frozen_and_caller_dict_untouched(idx_raw) -> None:
    before = copy.deepcopy(idx_raw)
    prob = build_problem(idx_raw)
    assert idx_raw == before
    with pytest.raises(ValidationError):
        prob.spec.segments[0].population = 1  # type: ignore[misc]


def test_with_bounds_returns_new_problem(idx_dr) -> None:
    other = idx_dr.with_bounds({"p": {"lower": 10.0, "upper": 20.0, "step": 1.0}})
    assert other.upper[0] == 20.0 and idx_dr.upper[0] == 175.0
    assert other.spec.input_hash() != idx_dr.spec.input_hash()


def test_input_hash_is_stable(idx_dr) -> None:
    assert load_problem("idx-dr").spec.input_hash() == load_problem("idx-dr").spec.input_hash()
    # the v1 fixture (pathway removed) is another input set
    assert load_problem("idx-dr").spec.input_hash() != idx_dr.spec.input_hash()


def test_problem_files(tmp_path) -> None:
    with pytest.raises(ProblemFileError, match="does not exist"):
        load_problem_file(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = [\n")
    with pytest.raises(ProblemFileError, match="not valid TOML"):
        load_problem_file(bad)
    with pytest.raises(ProblemFileError, match="Unknown problem"):
        load_problem("no-such-problem")
    assert "idx-dr" in bundled_names()


def test_evaluate_rejects_wrong_shape(idx_dr) -> None:
    with pytest.raises(ParameterError, match="shape"):
        idx_dr.evaluate(np.zeros((3, 2)))
