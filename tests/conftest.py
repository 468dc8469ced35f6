"""Shared fixtures: small problems built in Python from plain dicts."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from paretoprice.optim.families import build_problem
from paretoprice.optim.problem import PricingProblem
from paretoprice.problems import bundled_raw


def one_segment_dict(**over: Any) -> dict[str, Any]:
    """The sanity-check problem of the spec: one segment, u = 1, every site adopts
    (no fixed cost), c = 0.3, v_c = 175, mu = 1."""
    d: dict[str, Any] = {
        "name": "one-segment",
        "family": "ffs",
        "objectives": ["payer_spend", "access"],
        "service": {"name": "exam", "comparator_payment": 175.0},
        "payers": [{"name": "medicare", "rate_multiplier": 1.0}],
        "segments": [{
            "name": "all", "population": 1000.0, "compliance": 0.3, "uptake": 1.0,
            "provider_cost_per_use": 0.0, "sites": 10, "fixed_cost_per_site": 0.0,
            "payer_mix": {"medicare": 1.0},
        }],
        "creator": {"marginal_cost": 0.0, "upfront_investment": 0.0, "annual_fixed_cost": 0.0,
                    "horizon_years": 5, "discount_rate": 0.03, "tco_volume": 1000.0},
        "value": {"wtp_per_qaly": 50000.0, "qaly_gain_per_patient": 0.0},
        "decisions": {"p": {"lower": 0.0, "upper": 175.0, "step": 0.25},
                      "f": {"lower": 0.0, "upper": 0.0}},
        "guardrails": {"budget_access_max": True},
    }
    d.update(over)
    return d


@pytest.fixture
def one_segment() -> PricingProblem:
    return build_problem(one_segment_dict())


@pytest.fixture
def idx_raw() -> dict[str, Any]:
    """idx-dr as the v1 model: the bundled file without its clinical pathway (the tests
    using it check v1 formulas; tests/test_v2_ffs.py covers the pathway)."""
    raw = copy.deepcopy(bundled_raw("idx-dr"))
    raw.pop("pathway", None)
    return raw


@pytest.fixture
def idx_dr() -> PricingProblem:
    """idx-dr as the v1 model (see :func:`idx_raw`)."""
    from paretoprice.problems import load_problem

    return load_problem("idx-dr").with_spec_changes(pathway=None)
