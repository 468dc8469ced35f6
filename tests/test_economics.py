"""Known answers for the economics: anchors, annuity, the reference model v1."""

from __future__ import annotations

import math

import numpy as np
import pytest

from paretoprice.optim.adoption import lognormal_adoption, uniform_adoption
from paretoprice.optim.anchors import (
    access_maximizing_value,
    annuity,
    compute_anchors,
    cost_effective_value,
    total_cost_of_ownership,
)
from paretoprice.optim.families import build_problem
from tests.conftest import one_segment_dict

EXACT = 1e-12  # pure arithmetic: only rounding error


def test_access_maximizing_value_is_52_50() -> None:
    # v_e = v_c * c = 175 * 0.3 = 52.50 (Abramoff et al. 2022)
    assert access_maximizing_value(175.0, 0.3) == pytest.approx(52.50, abs=EXACT)


def test_annuity_known_values() -> None:
    # 1/1.03 + 1/1.03^2 + ... + 1/1.03^5 = 4.579707...
    assert annuity(5, 0.03) == pytest.approx(4.5797071, abs=1e-7)
    # closed form (1 - (1+r)^-T) / r
    assert annuity(10, 0.05) == pytest.approx((1 - 1.05**-10) / 0.05, rel=EXACT)
    assert annuity(3, 0.0) == 3.0
    with pytest.raises(ValueError):
        annuity(0, 0.03)


def test_cost_effective_and_tco() -> None:
    # 50,000 USD/QALY * 0.002 QALY + 25 USD = 125 USD
    assert cost_effective_value(50_000, 0.002, 25) == pytest.approx(125.0)
    # m + (F / annuity + O) / N with r = 0: 5 + (100 / 5 + 30) / 10 = 10
    assert total_cost_of_ownership(5, 100, 30, 5, 0.0, 10) == pytest.approx(10.0)
    assert math.isinf(total_cost_of_ownership(5, 100, 30, 5, 0.0, 0))


def test_idx_dr_anchors(idx_dr) -> None:
    a = idx_dr.anchors().values()
    assert a["substitution"] == 175.0
    # population-weighted compliance of the three segments is exactly 0.30
    assert idx_dr.compliance == pytest.approx(0.3, abs=1e-12)
    assert a["access_maximizing"] == pytest.approx(52.50, abs=1e-9)
    assert a["cost_effective"] == pytest.approx(125.0)
    assert a["marginal_cost"] == 5.0
    # 5 + (60e6 / annuity(5, .03) + 8e6) / 2e6
    assert a["total_cost_of_ownership"] == pytest.approx(5 + (60e6 / annuity(5, 0.03) + 8e6) / 2e6)


def test_budget_access_max_allows_exactly_v_e(one_segment) -> None:
    """One segment, u = 1, everyone adopts, c = 0.3, v_c = 175, mu = 1:
    spend n*p <= n*c*v_c  <=>  p <= 52.50."""
    p = one_segment.ladders()[0]
    X = np.column_stack([p, np.zeros_like(p), np.zeros_like(p)])
    ev = one_segment.evaluate(X)
    feasible_p = p[one_segment.feasible(ev)]
    assert feasible_p.max() == pytest.approx(52.50, abs=EXACT)
    # and everyone adopts at any positive margin: access = 1 for p > 0
    assert np.all(ev.objectives["access"][p > 0] == 1.0)
    # spend at p = 52.5 equals today's spend 1000 * 0.3 * 175 = 52,500
    i = int(np.flatnonzero(p == 52.5)[0])
    assert ev.objectives["payer_spend"][i] == pytest.approx(52_500.0, rel=EXACT)


def test_adoption_curves() -> None:
    share, cost = uniform_adoption(np.array([-5.0, 0.0, 100.0, 200.0, 900.0]), np.array(100.0))
    # Uniform[0, 200]: share = M / 200, cost = min(M, 200)^2 / 400
    assert share.tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    assert cost.tolist() == [0.0, 0.0, 25.0, 100.0, 100.0]
    curve = lognormal_adoption(0.5)
    mu = math.log(100.0) - 0.125
    s, c = curve(np.array([math.exp(mu), 1e9, -1.0]), np.array(100.0))
    assert s[0] == pytest.approx(0.5)  # the median site cost
    assert s[1] == pytest.approx(1.0) and c[1] == pytest.approx(100.0)  # all adopt, mean cost
    assert s[2] == 0.0 and c[2] == 0.0


def _scalar_reference(prob, x):
    """The reference model v1 written from the formulas, one candidate, plain Python."""
    s = prob.spec
    mu_of = {p.name: p.rate_multiplier for p in s.payers}
    p, f, adds = x[0], x[1], x[2:]
    ann = sum((1 + s.creator.discount_rate) ** -t for t in range(1, s.creator.horizon_years + 1))
    spend = uses = served_w = weight = margin = 0.0
    covs = []
    for g, a in zip(s.segments, adds, strict=True):
        mu = sum(w * mu_of[j] for j, w in g.payer_mix.items())
        pi = mu * p + a - f - g.provider_cost_per_use
        q = g.population * g.uptake / g.sites
        if s.adoption.curve == "uniform":
            kstar = min(max(q * pi, 0.0), 2 * g.fixed_cost_per_site)
            A = kstar / (2 * g.fixed_cost_per_site)
            site_cost = A * kstar / 2
        else:
            share, cost = lognormal_adoption(s.adoption.sigma)(
                np.array(q * pi), np.array(g.fixed_cost_per_site))
            A, site_cost = float(share), float(cost)
        U = g.population * g.uptake * A
        H = g.population * g.compliance * (1 - A)
        spend += U * (mu * p + a) + H * mu * s.service.comparator_payment
        uses += U
        served_w += g.equity_weight * (U + H)
        weight += g.equity_weight * g.population
        margin += U * pi - g.sites * site_cost
        covs.append((U + H) / g.population)
    npv = ann * ((f - s.creator.marginal_cost) * uses - s.creator.annual_fixed_cost) \
        - s.creator.upfront_investment
    return {"payer_spend": spend, "creator_npv": npv, "access": served_w / weight,
            "provider_margin": margin, "equity": min(covs)}


@pytest.mark.parametrize("curve", ["uniform", "lognormal"])
def test_vectorized_equals_scalar(idx_raw, curve) -> None:
    idx_raw["adoption"] = {"curve": curve, "sigma": 0.8}
    idx_raw["decisions"]["addon"] = {"lower": 0.0, "upper": 40.0, "step": 1.0}
    idx_raw["segments"][1]["payer_mix"] = {"medicare": 1.0}
    prob = build_problem(idx_raw)
    rng = np.random.default_rng(7)
    X = prob.lower + rng.random((200, prob.n_var)) * (prob.upper - prob.lower)
    ev = prob.evaluate(X)
    for i in range(0, 200, 7):
        ref = _scalar_reference(prob, X[i])
        for name, val in ref.items():
            assert ev.objectives[name][i] == pytest.approx(val, rel=1e-10, abs=1e-6), name


def test_payer_mix_multiplier() -> None:
    """Two payers: commercial at 2x Medicare, half the patients each -> mu = 1.5.
    Everyone adopts (no fixed cost): spend = n * u * 1.5 * p."""
    d = one_segment_dict()
    d["payers"] = [{"name": "medicare", "rate_multiplier": 1.0},
                   {"name": "commercial", "rate_multiplier": 2.0}]
    d["segments"][0]["payer_mix"] = {"medicare": 0.5, "commercial": 0.5}
    prob = build_problem(d)
    ev = prob.evaluate(np.array([[40.0, 0.0, 0.0]]))
    assert ev.objectives["payer_spend"][0] == pytest.approx(1000 * 1.5 * 40.0)
    assert ev.reported["medicare_spend"][0] == pytest.approx(1000 * 0.5 * 40.0)
    # today's spend e_c = 1000 * 0.3 * 1.5 * 175
    assert prob.todays_spend == pytest.approx(1000 * 0.3 * 1.5 * 175)


def test_anchor_table_matches_compute(idx_dr) -> None:
    a = compute_anchors(comparator_payment=175, compliance=0.3, wtp_per_qaly=50000,
                        qaly_gain_per_patient=0.002, savings_per_patient=25, marginal_cost=5,
                        upfront_investment=60e6, annual_fixed_cost=8e6, horizon_years=5,
                        discount_rate=0.03, tco_volume=2e6)
    assert a.values() == pytest.approx(idx_dr.anchors().values())
    assert [r["anchor"] for r in a.to_rows()] == [
        "substitution", "access_maximizing", "cost_effective", "marginal_cost",
        "total_cost_of_ownership"]
