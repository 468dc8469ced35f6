"""Value-based payment: known answers for the base with a withhold, shared savings under
attribution, net payer spend and spend by payer, validation messages, and the access-ckm
problem and script."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.problems import load_problem

EXACT = 1e-9  # pure arithmetic: only rounding error


def _one_setting(**over: Any) -> dict[str, Any]:
    """One setting, one payer (rate 1, event prices 1, attribution 0.5): 1,000 eligible,
    20% managed today at 100 USD a year, uptake 0.5, 10 sites (q = 50 enrollees a site),
    care-team cost 50, fixed cost 7,750 a site-year (uniform: share = q pi / 15,500), target
    met by 60%, add-on 15. One outcome: 0.1 events a year, cut by 20%, 10,000 USD each, so
    gross savings 0.1 * 0.2 * 10,000 = 200 USD per enrollee-year. Contract: later years at
    half, 2 years enrolled -> the mean base is 0.75 p. Creator m = 0, F = O = 0, 5 years at
    r = 0."""
    d: dict[str, Any] = {
        "name": "vb",
        "family": "value_based",
        "objectives": ["payer_spend", "creator_npv", "access", "provider_margin"],
        "service": {"name": "care programme", "comparator_payment": 100.0},
        "payers": [{"name": "medicare", "rate_multiplier": 1.0, "attribution": 0.5}],
        "segments": [{
            "name": "all", "population": 1000.0, "compliance": 0.2, "uptake": 0.5,
            "provider_cost_per_use": 50.0, "sites": 10, "fixed_cost_per_site": 7750.0,
            "payer_mix": {"medicare": 1.0}, "target_attainment": 0.6, "addon": 15.0,
        }],
        "outcomes": [{"name": "readmissions", "baseline_rate": 0.1, "reduction": 0.2,
                      "cost_per_event": 10000.0}],
        "contract": {"later_year_ratio": 0.5, "years_enrolled": 2.0},
        "creator": {"marginal_cost": 0.0, "upfront_investment": 0.0, "annual_fixed_cost": 0.0,
                    "horizon_years": 5, "discount_rate": 0.0, "tco_volume": 1000.0},
        "value": {"wtp_per_qaly": 50000.0, "qaly_gain_per_patient": 0.0},
        "decisions": {"p": {"lower": 0.0, "upper": 600.0, "step": 100.0},
                      "withhold": {"lower": 0.0, "upper": 0.5, "step": 0.5},
                      "savings_share": {"lower": 0.0, "upper": 0.5, "step": 0.5},
                      "f": {"lower": 0.0, "upper": 100.0, "step": 50.0}},
    }
    d.update(over)
    return d


def test_withhold_and_shared_savings_known_answer() -> None:
    prob = build_problem(_one_setting())
    assert prob.base_factor == pytest.approx(0.75, abs=EXACT)  # (1 + 0.5 * 1) / 2
    ev = prob.evaluate([[400.0, 0.5, 0.5, 100.0]])
    # base 0.75 * 400 = 300, of which half is withheld and 60% earn it: 300 * 0.8 = 240;
    # shared savings 0.5 * attribution 0.5 * 200 = 50; add-on 15 -> 305 per enrollee-year
    assert ev.reported["payment_all"][0] == pytest.approx(305.0, rel=EXACT)
    # margin 305 - 100 - 50 = 155; 50 enrollees a site -> 7,750 a site-year = Kbar:
    # adoption 7,750 / 15,500 = 0.5; enrolled 1,000 * 0.5 * 0.5 = 250; managed as today
    # 1,000 * 0.2 * 0.5 = 100
    assert ev.reported["adoption_all"][0] == pytest.approx(0.5, rel=EXACT)
    assert ev.reported["enrolled"][0] == pytest.approx(250.0, rel=EXACT)
    # payments 250 * 305 = 76,250; gross savings 250 * 200 = 50,000; today's care
    # management 100 * 100 = 10,000 -> net 36,250
    assert ev.reported["programme_payments"][0] == pytest.approx(76250.0, rel=EXACT)
    assert ev.reported["gross_savings"][0] == pytest.approx(50000.0, rel=EXACT)
    assert ev.objectives["payer_spend"][0] == pytest.approx(36250.0, rel=EXACT)
    assert ev.objectives["access"][0] == pytest.approx(0.35, rel=EXACT)
    # adopters' fixed cost (uniform): 7,750^2 / (4 * 7,750) = 1,937.5 a site, 10 sites
    assert ev.objectives["provider_margin"][0] == pytest.approx(250 * 155 - 19375.0, rel=EXACT)
    assert ev.objectives["creator_npv"][0] == pytest.approx(5 * 100 * 250, rel=EXACT)
    # withheld and not earned: 250 * 300 * 0.5 * 0.4 = 15,000; unverified 250 * 100
    assert ev.reported["withhold_forfeited"][0] == pytest.approx(15000.0, rel=EXACT)
    assert ev.reported["shared_savings_paid"][0] == pytest.approx(12500.0, rel=EXACT)
    assert ev.reported["unverified_savings"][0] == pytest.approx(25000.0, rel=EXACT)
    assert ev.reported["avoided_readmissions"][0] == pytest.approx(250 * 0.02, rel=EXACT)


def test_payer_mix_splits_spend() -> None:
    d = _one_setting()
    d["payers"] = [
        {"name": "medicare", "rate_multiplier": 1.0, "attribution": 1.0},
        {"name": "commercial", "rate_multiplier": 2.0, "event_cost_multiplier": 3.0,
         "attribution": 0.0},
    ]
    d["segments"][0]["payer_mix"] = {"medicare": 0.5, "commercial": 0.5}
    d["segments"][0]["fixed_cost_per_site"] = 0.0  # every site adopts when the margin > 0
    d["segments"][0]["addon"] = 0.0
    prob = build_problem(d)
    ev = prob.evaluate([[400.0, 0.0, 0.5, 0.0]])
    # base 300: medicare pays 300 + 0.5 * 1.0 * 200 = 400 and saves 200; commercial pays
    # 600 + 0 (nothing verified) and saves 3 * 200 = 600; 500 enrollees, half each
    # -> medicare 250 * (400 - 200) = 50,000, commercial 250 * (600 - 600) = 0
    assert ev.reported["spend_medicare"][0] == pytest.approx(50000.0, rel=EXACT)
    assert ev.reported["spend_commercial"][0] == pytest.approx(0.0, abs=1e-6)
    assert ev.objectives["payer_spend"][0] == pytest.approx(50000.0, rel=EXACT)
    # today: 200 managed, half each, 100 USD at rate 1 and 2 -> 10,000 and 20,000
    assert prob.todays_spend_by_payer == pytest.approx({"medicare": 10000.0,
                                                        "commercial": 20000.0})


def test_withhold_hits_settings_that_miss_targets() -> None:
    d = _one_setting()
    low = copy.deepcopy(d["segments"][0])
    low.update(name="low", target_attainment=0.0)
    d["segments"].append(low)
    prob = build_problem(d)
    ev = prob.evaluate([[400.0, 0.0, 0.0, 100.0], [400.0, 0.5, 0.0, 100.0]])
    # no withhold: both settings are paid 300 + 15 = 315 -> margin 165, share
    # 50 * 165 / 15,500; half withheld: 'all' gets 300 * 0.8 + 15 = 255 (margin 105),
    # 'low' gets 150 + 15 = 165 (margin 15)
    np.testing.assert_allclose(ev.reported["adoption_all"], [8250 / 15500, 5250 / 15500])
    np.testing.assert_allclose(ev.reported["adoption_low"], [8250 / 15500, 750 / 15500])


def test_guardrails() -> None:
    prob = build_problem(_one_setting(guardrails={"self_funding": True,
                                                  "cap_substitution": True}))
    ev = prob.evaluate([[400.0, 0.5, 0.5, 100.0]])
    # payments 76,250 > gross savings 50,000 -> violated by 26,250
    assert ev.constraints["self_funding"][0] == pytest.approx(26250.0, rel=EXACT)
    # largest contract payment 240 + 15 + 50 = 305 vs v_sub 100
    assert ev.constraints["cap_substitution"][0] == pytest.approx(205.0, rel=EXACT)
    assert not prob.feasible(ev)[0]


def _err(d: dict[str, Any]) -> ParameterError:
    with pytest.raises(ParameterError) as info:
        build_problem(d)
    return info.value


def test_validation_messages() -> None:
    d = _one_setting()
    d["decisions"]["withhold"] = {"lower": 0.0, "upper": 1.5, "step": 0.5}
    e = _err(d)
    assert e.parameter == "decisions.withhold" and "within [0, 1]" in str(e)
    d = _one_setting()
    d["payers"][0]["attribution"] = 1.2
    e = _err(d)
    assert e.parameter == "payers[0].attribution" and "<= 1" in str(e) and "1.2" in str(e)
    d = _one_setting()
    d["contract"]["years_enrolled"] = 0.5
    e = _err(d)
    assert e.parameter == "contract.years_enrolled" and ">= 1" in str(e)
    d = _one_setting()
    del d["segments"][0]["target_attainment"]
    assert _err(d).parameter == "segments[0].target_attainment"
    d = _one_setting()
    d["segments"][0]["payer_mix"] = {"medicaid": 1.0}
    assert "unknown payer" in str(_err(d))
    e = _err(_one_setting(guardrails={"self_fund": True}))
    assert e.parameter == "guardrails.self_fund" and "self_funding" in str(e)


def test_inputs_not_mutated_and_bounds_change() -> None:
    d = _one_setting()
    before = copy.deepcopy(d)
    prob = build_problem(d)
    assert d == before
    other = prob.with_bounds({"withhold": {"lower": 0.2, "upper": 0.2}})
    assert other.lower[1] == 0.2 and prob.lower[1] == 0.0


def test_access_ckm_problem() -> None:
    prob = load_problem("access-ckm")
    # ACCESS: 210 later-year USD / 420 year-1 USD; two years enrolled -> 0.75
    assert prob.base_factor == pytest.approx(0.75)
    assert 420.0 in prob.ladders()[0]
    rural = next(g for g in prob.spec.segments if g.name == "rural")
    # the 15 USD rural supplement is paid in the first year only: 15 / 2 years = 7.5
    assert rural.addon == pytest.approx(15.0 / 2.0)
    assert prob.exact_capable


def test_access_ckm_script_runs(tmp_path) -> None:
    from paretoprice.problems import access_ckm

    result = access_ckm.main(["--out", str(tmp_path), "--quick"])
    df = pd.read_csv(tmp_path / "front.csv")
    for name in ("payer_spend", "creator_npv", "access", "equity"):
        assert name in df.columns
    assert (df["withhold"].between(0, 0.5)).all()
    assert "ACCESS CKM track, year 1" in result.text
    assert "Withholding" in result.text


@pytest.mark.parametrize(("terms", "payment"), [
    # c = 0.2, u = 0.5: 40% of enrollees were managed today, so credited savings are
    # attribution 0.5 x 200 x (1 - 0.4) = 60 per enrollee; benchmark 1,000 -> MSR 2% = 20;
    # sharing 0.5 -> 0.5 x (60 - 20) = 20 (cap 10% = 100 does not bind);
    # payment = earned base 240 + add-on 15 + 20 = 275
    ({"minimum_savings_rate": 0.02, "cap": 0.10}, 275.0),
    # cap 1% of the benchmark = 10 binds -> 240 + 15 + 10 = 265
    ({"minimum_savings_rate": 0.02, "cap": 0.01}, 265.0),
    # MSR 10% = 100 above the 60 credited -> nothing shared -> 255
    ({"minimum_savings_rate": 0.10, "cap": 0.10}, 255.0),
    # crediting every enrollee: 0.5 x 200 = 100 -> 0.5 x (100 - 20) = 40 -> 295
    ({"minimum_savings_rate": 0.02, "cap": 0.10, "credit_new_patients_only": False}, 295.0),
])
def test_benchmark_shared_savings_known_answer(terms: dict[str, Any], payment: float) -> None:
    d = _one_setting(shared_savings={"benchmark": 1000.0, **terms})
    ev = build_problem(d).evaluate([[400.0, 0.5, 0.5, 100.0]])
    assert ev.reported["payment_all"][0] == pytest.approx(payment, rel=EXACT)


def test_shared_savings_payment_with_downside() -> None:
    from paretoprice.optim.families.value_based import shared_savings_payment

    # benchmark 10,000: MSR 2% = 200, cap 10% = 1,000, sharing 50%, downside 40%
    # savings 150 < MSR -> 0; 500 -> 0.5 x 300 = 150; 3,000 -> 0.5 x 2,800 = 1,400 -> cap
    # 1,000; a loss of 700 -> repays 0.4 x (700 - 200) = 200
    got = shared_savings_payment(np.array([150.0, 500.0, 3000.0, -700.0]),
                                 np.array(10_000.0), np.array(0.5), 0.02, 0.10, 0.4)
    assert got.tolist() == pytest.approx([0.0, 150.0, 1000.0, -200.0])
    one_sided = shared_savings_payment(np.array([-700.0]), np.array(10_000.0),
                                       np.array(0.5), 0.02, 0.10, 0.0)
    assert one_sided.tolist() == [0.0]
