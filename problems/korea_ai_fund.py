"""Korean AI adoption fund (PACS-style): the exact front over the add-on, the tier schedule,
the grant per adopting site, the listing length and the yearly cut, and how the Korean
precedents fare as fund designs.

Run::

    python -m paretoprice.problems.korea_ai_fund --out results/korea-ai-fund
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from paretoprice.app.runner import ScriptResult, run_script, script_entry
from paretoprice.optim.families.incentive_fund import IncentiveFundProblem
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.problem import PricingProblem, as_family
from paretoprice.problems.addon_fund import fmt_amount
from paretoprice.problems.portfolio import check_point

NAME = "korea-ai-fund"

PACS_1999 = 3000.0
"""Korea's PACS add-on per image from 1999, KRW (reference figure korea_pacs_fee_1999)."""

PACS_CUT = 0.2
"""Yearly cut of the PACS fee 2009-2011 (reference figure korea_pacs_fee_1999)."""

ADDON_2023 = 1180.0
"""October 2023 insurance add-on for endoscopy/ultrasound AI, KRW per use (reference figure
korea_ai_addon_pathology, which lists every category)."""


def _schedule_index(problem: IncentiveFundProblem, name: str) -> int | None:
    """Index of the tier schedule called ``name``, or None when the problem has none."""
    names = problem.schedule_names
    return names.index(name) if name in names else None


def narrative(problem: PricingProblem, front: ParetoFront) -> str:
    """What the front shows, in plain words."""
    problem = as_family(problem, IncentiveFundProblem)
    cur = problem.currency

    def money(v: float) -> str:
        return fmt_amount(v, cur)

    tiers = problem.tier_names
    schedules = problem.schedule_names
    spend = front.column("payer_spend")
    access = front.column("access")
    equity = front.column("equity")
    sched = np.rint(front.column("schedule")).astype(int)
    grant = front.column("grant")
    years = front.column("years")
    fund = front.reported["fund_total"]
    prob = front.reported["listing_probability"]
    cap = problem.spec.guardrails.fund_budget
    lines = [
        "What the front shows:",
        f"* {len(front)} Pareto-optimal fund designs. Public spend (fund and insurance, mean "
        f"over the {problem.horizon} years) runs from {money(spend.min())} to "
        f"{money(spend.max())} a year; the fund pays out up to {money(fund.max())} in all"
        + (f" (cap {money(cap.budget)})." if cap.enabled else "."),
        f"* Share of endoscopies done with AI over the horizon: up to "
        f"{100 * access.max():.1f}%; the worst-served class's share up to "
        f"{100 * equity.max():.1f}%.",
        "* Tier schedules on the front: " + ", ".join(
            f"{name} {int(np.sum(sched == i))}" for i, name in enumerate(schedules))
        + f"; a grant per adopting site on {100 * np.mean(grant > 0):.0f}% of the designs; "
        f"listings of {years.min():.0f} to {years.max():.0f} years.",
    ]
    top = equity >= np.quantile(equity, 0.9)
    common = int(np.bincount(sched[top], minlength=len(schedules)).argmax())
    ratios = problem.schedule_ratios(schedules[common])
    ratio_text = ", ".join(f"{g} {r:.2f}" for g, r in ratios.items())
    lines.append(
        f"* The tenth of designs that serve the worst-off class best mostly use the "
        f"'{schedules[common]}' schedule (ratios of the base: {ratio_text}), pay a grant on "
        f"{100 * np.mean(grant[top] > 0):.0f}% of them and list for "
        f"{years[top].mean():.1f} years on average.")
    sure = prob >= 1.0
    if sure.any():
        after = front.reported["ai_uses_after"]
        during = front.reported["listing_uses"] / years
        ok = sure & np.isfinite(after)
        text = (f"* {100 * np.mean(sure):.0f}% of the designs produce enough AI uses for a "
                "permanent listing")
        if ok.any():
            perm = problem.spec.service.permanent_payment
            text += (f"; once the fund stops, insurance's {perm:,.0f} "
                     f"{cur} per use keeps {100 * np.median(after[ok] / during[ok]):.0f}% of "
                     "the listing's yearly AI uses (median)")
        lines.append(text + ".")
    pacs = _schedule_index(problem, "pacs_2003")
    flat = _schedule_index(problem, "flat")
    checks = []
    if pacs is not None:
        checks.append((f"PACS-style design: {PACS_1999:,.0f} {cur} base, 2003 tier ratios, cut "
                       f"{100 * PACS_CUT:.0f}% a year, 3-year listing, no grant",
                       [PACS_1999, pacs, 0.0, 3.0, PACS_CUT]))
    if flat is not None:
        checks.append((f"The 2023 insurance level ({ADDON_2023:,.0f} {cur}) paid by the fund "
                       "in every class for 5 years, no grant", [ADDON_2023, flat, 0.0, 5.0, 0.0]))
    for label, x in checks:
        chk = check_point(problem, front, x)
        ev = problem.evaluate(np.asarray([x], dtype=float))
        o = chk.objectives
        text = (f"* {label}: fund {money(float(ev.reported['fund_total'][0]))} in all, access "
                f"{100 * o['access']:.1f}%, worst class {100 * o['equity']:.1f}%: ")
        if chk.violated:
            text += "breaks " + ", ".join(chk.violated) + "."
        elif chk.dominated_by:
            text += f"dominated by {chk.dominated_by} front designs."
        else:
            text += "on the front."
        lines.append(text)
    npv = front.column("creator_npv")
    pays = npv >= 0
    if pays.any():
        lines.append(
            f"* The creator breaks even (NPV >= 0) on {100 * np.mean(pays):.0f}% of the designs, "
            f"all with at least {100 * access[pays].min():.1f}% of endoscopies done with AI: a "
            "fund that buys little use leaves the creator's investment unrecovered.")
    else:
        lines.append("* The creator does not break even on any design of the front.")
    by_tier = ", ".join(f"{g} {100 * float(np.mean(front.reported[f'coverage_{g}'])):.1f}%"
                        for g in tiers)
    lines.append(f"* Mean coverage over the front, by class: {by_tier}.")
    copay = problem.spec.service.patient_copay
    if copay is not None and "patient_spend" in front.reported:
        fee = problem.spec.service.permanent_payment
        lines.append(
            f"* After the listing the AI is paid {money(fee)} per use, of which the patient "
            f"pays {copay.share:.0%} and the insurer {money((1 - copay.share) * fee)}; with "
            f"the stated demand response (uptake x {copay.uptake_factor:.2f} where the patient "
            "pays) patients pay up to "
            f"{money(float(front.column('patient_spend').max()))} a year, which is not payer "
            "spend. Without the copay the insurer would pay the whole fee and more patients "
            "would take the AI exam.")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> ScriptResult:
    """Run the korea-ai-fund analysis (see module docstring)."""
    return run_script(NAME, argv, narrative)


if __name__ == "__main__":
    raise SystemExit(script_entry(main, sys.argv[1:]))
