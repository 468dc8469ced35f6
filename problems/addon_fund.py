"""Add-on fund: a Korean AI adoption fund paying per-use add-ons by tier of care.

Computes the Pareto front of fund spend, access and equity (worst-tier coverage) under
the fund's annual cap, says where the fund goes tier by tier, and evaluates the Korean
precedents as uniform add-ons: the 2023 insurance add-on for AI in CT/MRI (1,810 KRW per
use) and the 1999 PACS fee (3,000 KRW per image).

Run::

    python -m paretoprice.problems.addon_fund --out results/addon-fund [--solver exact|grid|nsga2]

The default solver is ``exact`` (Pyomo + HiGHS) when it is installed, else ``nsga2``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from paretoprice.app.runner import ScriptResult, run_script, script_entry
from paretoprice.optim.families.addon_fund import AddonFundProblem
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.problem import PricingProblem, as_family
from paretoprice.problems.portfolio import check_point, with_default_solver

NAME = "addon-fund"

PRECEDENTS: tuple[tuple[str, float], ...] = (
    ("2023 insurance add-on for AI in CT/MRI (1,810 KRW per use)", 1810.0),
    ("2023 insurer's share of it (10% of 1,810 = 181 KRW: 90% patient copay)", 181.0),
    ("1999 PACS adoption fee (3,000 KRW per image)", 3000.0),
)
"""Korean fee precedents (reference figures korea_ai_addon_pathology,
korea_ai_selective_benefit_copay and korea_pacs_fee_1999, 2023 and 1999), applied as the
same add-on in every segment. The 2023 fee is a temporary selective-benefit listing (at most
3 years) with a 90% patient copay, so the insurer pays about 181 of the 1,810 KRW."""


def fmt_amount(v: float, currency: str) -> str:
    """An amount with a sensible scale: 1.23 billion KRW, 45.6 million KRW, 12,345 KRW."""
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:,.2f} billion {currency}"
    if a >= 1e6:
        return f"{v / 1e6:,.1f} million {currency}"
    return f"{v:,.0f} {currency}"


def narrative(problem: PricingProblem, front: ParetoFront) -> str:
    """What the front shows, in plain words."""
    problem = as_family(problem, AddonFundProblem)
    cur = problem.currency

    def money(v: float) -> str:
        return fmt_amount(v, cur)

    segs = problem.segment_names
    fund = front.column("fund_spend")
    access = front.column("access")
    equity = front.column("equity")
    cap = problem.spec.guardrails.fund_budget
    lines = [
        "What the front shows:",
        f"* {len(front)} Pareto-optimal allocations. Fund spend runs from {money(fund.min())} "
        f"to {money(fund.max())} a year"
        + (f" (cap {money(cap.budget)})." if cap.enabled else "."),
        f"* Access (share of eligible studies read with AI) runs from "
        f"{100 * access.min():.1f}% to {100 * access.max():.1f}%; the worst-served tier's "
        f"coverage from {100 * equity.min():.1f}% to {100 * equity.max():.1f}%.",
    ]
    i_acc = int(np.argmax(access))
    i_eq = int(np.argmax(equity))
    for label, i in (("most access", i_acc), ("most equity", i_eq)):
        adds = ", ".join(f"{g} {front.decisions[i, j]:,.0f}" for j, g in enumerate(segs))
        per = front.reported.get("fund_per_extra_patient")
        per_text = (f"; {money(float(per[i]))} of fund money per extra study read with AI"
                    if per is not None and np.isfinite(per[i]) else "")
        lines.append(f"* The allocation with the {label} pays ({cur} per use) {adds}: access "
                     f"{100 * access[i]:.1f}%, worst tier {100 * equity[i]:.1f}%, fund "
                     f"{money(fund[i])} a year{per_text}.")
    mean_add = front.decisions.mean(axis=0)
    lines.append("* Mean add-on over the front, by tier: " + ", ".join(
        f"{g} {mean_add[j]:,.0f}" for j, g in enumerate(segs)) + f" {cur} per use.")
    for label, level in PRECEDENTS:
        chk = check_point(problem, front, [level] * len(segs))
        o = chk.objectives
        ev = problem.evaluate(np.full((1, len(segs)), level))
        spent = float(ev.reported["fund_spend"][0])
        text = (f"* The same add-on everywhere at the {label}: fund {money(spent)} a year, "
                f"access {100 * o['access']:.1f}%, worst tier {100 * o['equity']:.1f}%: ")
        if chk.violated:
            text += "breaks " + ", ".join(chk.violated) + "."
        elif chk.dominated_by:
            text += (f"within the cap but dominated by {chk.dominated_by} front allocations "
                     "(targeting tiers does better).")
        else:
            text += "within the cap, and no front allocation dominates it."
        lines.append(text)
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> ScriptResult:
    """Run the add-on fund analysis (see module docstring)."""
    return run_script(NAME, with_default_solver(argv), narrative)


if __name__ == "__main__":
    raise SystemExit(script_entry(main, sys.argv[1:]))
