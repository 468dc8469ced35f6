"""ACCESS-style value-based payment for AI-enabled CKM care: the exact front over the base,
the outcome withhold, the savings share and the creator's fee, where ACCESS's 420 USD sits,
and what the withhold and the savings share do to each setting and each payer.

Run::

    python -m paretoprice.problems.access_ckm --out results/access-ckm
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from paretoprice.app.runner import ScriptResult, fmt_money, run_script, script_entry
from paretoprice.optim.families.value_based import ValueBasedProblem
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.problem import PricingProblem, as_family

NAME = "access-ckm"

ACCESS_YEAR1 = 420.0
"""ACCESS CKM track, year-1 payment per beneficiary-year (reference figure
access_model_ckm_year1)."""


def _coverage_line(problem: ValueBasedProblem, ev_row: dict[str, float]) -> str:
    """Coverage per setting, e.g. ``urban 18.0%, rural 9.1%``."""
    segs = problem.segment_names
    return ", ".join(f"{g} {100 * ev_row[f'coverage_{g}']:.1f}%" for g in segs)


def _row(problem: PricingProblem, x: Sequence[float]) -> dict[str, float]:
    """Every objective and reported quantity at one decision vector."""
    ev = problem.evaluate(np.asarray([x], dtype=float))
    out = {k: float(v[0]) for k, v in ev.objectives.items()}
    out.update({k: float(v[0]) for k, v in ev.reported.items()})
    return out


def narrative(problem: PricingProblem, front: ParetoFront) -> str:
    """What the front shows, in plain words."""
    problem = as_family(problem, ValueBasedProblem)
    spend = front.column("payer_spend")
    access = front.column("access")
    today = problem.todays_spend
    p = front.column("p")
    omega = front.column("withhold")
    sigma = front.column("savings_share")
    f = front.column("f")
    lines = [
        "What the front shows:",
        f"* {len(front)} Pareto-optimal contracts. Payers' net spend (payments minus the "
        f"savings on avoided events) runs from {fmt_money(spend.min())} to "
        f"{fmt_money(spend.max())} a year against {fmt_money(today)} today; "
        f"{100 * np.mean(spend < today):.0f}% of the contracts cost payers less than today.",
        f"* Share of eligible beneficiaries managed: {100 * access.min():.1f}% to "
        f"{100 * access.max():.1f}%. First-year base on the front: {p.min():.0f} to "
        f"{p.max():.0f} USD; a savings share is paid on {100 * np.mean(sigma > 0):.0f}% of "
        f"the contracts, a withhold used on {100 * np.mean(omega > 0):.0f}%.",
    ]
    if "equity" in front.objective_names:
        eq = front.column("equity")
        top = eq >= np.quantile(eq, 0.9)
        lines.append(
            f"* The tenth of contracts with the best worst-setting coverage withhold "
            f"{100 * omega[top].mean():.0f}% of the base on average, the rest "
            f"{100 * omega[~top].mean():.0f}%.")
    fee = float(f.min())
    segs = problem.segment_names
    tau = {g.name: g.target_attainment for g in problem.spec.segments}
    base = _row(problem, [ACCESS_YEAR1, 0.0, 0.0, fee])
    held = _row(problem, [ACCESS_YEAR1, problem.upper[1], 0.0, fee])
    shared = _row(problem, [ACCESS_YEAR1, 0.0, problem.upper[2], fee])
    lines.append(
        f"* At ACCESS's {ACCESS_YEAR1:.0f} USD, no withhold, no shared savings and the lowest "
        f"creator fee on the front ({fee:.0f} USD): coverage {_coverage_line(problem, base)}; "
        f"net spend {fmt_money(base['payer_spend'])} a year.")
    drops = {g: (base[f"adoption_{g}"] - held[f"adoption_{g}"]) / base[f"adoption_{g}"]
             for g in segs if base[f"adoption_{g}"] > 0}
    text = (f"  Withholding {100 * problem.upper[1]:.0f}% of the base for outcome targets: "
            f"coverage {_coverage_line(problem, held)}.")
    if drops:
        worst = max(drops, key=lambda g: drops[g])
        text += (f" The {worst} setting loses the largest share of its adopting sites "
                 f"({100 * drops[worst]:.0f}%); {100 * tau[worst]:.0f}% of its enrollees "
                 "meet their target.")
    lines.append(text)
    lines.append(
        f"  Sharing {100 * problem.upper[2]:.0f}% of verified savings instead: coverage "
        f"{_coverage_line(problem, shared)}; net spend {fmt_money(shared['payer_spend'])}, "
        f"of which {fmt_money(shared['shared_savings_paid'])} shared savings, while "
        f"{fmt_money(shared['unverified_savings'])} of true savings go unverified "
        "(attribution).")
    best = int(np.argmax(access))
    payers = problem.payer_names
    today_j = problem.todays_spend_by_payer
    by_payer = ", ".join(f"{j} {fmt_money(front.reported[f'spend_{j}'][best])} (today "
                         f"{fmt_money(today_j[j])})" for j in payers)
    lines.append(
        f"* The contract with the most access (p {p[best]:.0f} USD, withhold "
        f"{100 * omega[best]:.0f}%, savings share {100 * sigma[best]:.0f}%, fee "
        f"{f[best]:.0f} USD) costs, net, by payer: {by_payer} a year.")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> ScriptResult:
    """Run the access-ckm analysis (see module docstring)."""
    return run_script(NAME, argv, narrative)


if __name__ == "__main__":
    raise SystemExit(script_entry(main, sys.argv[1:]))
