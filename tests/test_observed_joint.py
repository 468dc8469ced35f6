"""A joint observed point (several decisions observed together), e.g. CMS's ACCESS model:
420 USD per beneficiary-year with half withheld and no shared savings."""

from __future__ import annotations

import copy

import pytest

from paretoprice.app.analysis import locate
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.problems import bundled_raw, load_problem
from paretoprice.solvers import solve


def test_access_ckm_observed_is_one_joint_point() -> None:
    prob = load_problem("access-ckm")
    obs = prob.spec.observed[0]
    assert (obs.variable, obs.low, obs.high) == ("p", 420.0, 420.0)
    assert obs.jointly == {"withhold": 0.5, "savings_share": 0.0}
    front = solve(prob, "grid")
    loc = locate(prob, front, obs)
    # the three decisions are fixed together; only the creator's fee f is free
    assert loc.fixed == {"p": (420.0, 420.0), "withhold": (0.5, 0.5),
                         "savings_share": (0.0, 0.0)}
    assert set(loc.compromise_decisions) == set(prob.decision_names)
    assert loc.compromise_decisions["withhold"] == 0.5
    # the same as locating the plain mapping of the three values
    same = locate(prob, front, {"p": 420.0, "withhold": 0.5, "savings_share": 0.0})
    assert (same.on_front, same.compromise) == (loc.on_front, loc.compromise)
    # p = 420 alone is on the front (with withhold 0-10%), the joint point is not
    alone = locate(prob, front, {"p": 420.0})
    assert alone.on_front and not loc.on_front


def test_joint_observed_with_an_unknown_decision_is_named() -> None:
    raw = copy.deepcopy(bundled_raw("access-ckm"))
    raw["observed"][0]["jointly"] = {"withold": 0.5}
    with pytest.raises(ParameterError) as info:
        build_problem(raw)
    assert info.value.parameter == "observed[0].jointly"
    assert "withhold" in str(info.value)
