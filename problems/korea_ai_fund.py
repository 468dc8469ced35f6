"""Korean AI adoption fund (PACS-style): the exact front over the add-on, the tier schedule,
the grant per adopting site, the listing length and the yearly cut, and how the Korean
precedents fare as fund designs. With the clinical pathway (adenoma detection: AI-assisted
vs the endoscopist alone, resection and pathology per positive, QALYs per adenoma removed)
it prints the ICER with its label, incremental QALYs and NMB at the observed fees and what
the pathway changes on the front.

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
from paretoprice.optim.pathway import icer_label_text
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
    if problem.spec.pathway is not None:
        lines += pathway_findings(problem, front)
    return "\n".join(lines) + "\n"


def best_design_at(problem: IncentiveFundProblem, decision: str,
                   value: float) -> dict[str, float]:
    """The design with the best NMB at the problem's willingness to pay among every ladder
    combination of the other decisions with ``decision`` fixed at ``value``, preferring
    designs within the guardrails with creator NPV >= 0."""
    lad = problem.ladders()
    j = problem.decision_names.index(decision)
    lad = [np.array([value]) if i == j else np.asarray(v) for i, v in enumerate(lad)]
    X = np.stack([g.ravel() for g in np.meshgrid(*lad, indexing="ij")], axis=1)
    ev = problem.evaluate(X, report=True)
    nmb = ev.reported["nmb"]
    ok = (ev.objectives["creator_npv"] >= 0) & problem.feasible(ev)
    i = int(np.argmax(np.where(ok, nmb, -np.inf))) if ok.any() else int(np.argmax(nmb))
    row = {k: float(v[i]) for k, v in {**ev.objectives, **ev.reported}.items()}
    row.update({n: float(X[i, k]) for k, n in enumerate(problem.decision_names)})
    row["ok"] = float(ok[i])
    return row


def pathway_findings(problem: IncentiveFundProblem, front: ParetoFront) -> list[str]:
    """Model v2 read-outs: ICER with its label, incremental QALYs and NMB at the observed
    fees (read as the fund's base add-on), and what the pathway changes on the front."""
    from paretoprice.solvers import solve

    cur = problem.currency
    lam = problem.spec.value.wtp_per_qaly
    ce = problem.anchors()["cost_effective"].value
    lines = [
        "",
        f"With the clinical pathway (model v2: {problem.spec.pathway.condition}; against "
        "the status quo of every endoscopy done without AI; means over the horizon; NMB at "
        f"{fmt_amount(lam, cur)} per QALY, the problem's willingness to pay):",
        f"* Cost-effective payment from the pathway: NMB = 0 at {fmt_amount(ce, cur)} per AI "
        "use paid by the fund and the insurer together; " + (
            "every add-on on the ladder is below it." if ce > float(problem.ladders()[0].max())
            else "add-ons above it are not cost-effective at this willingness to pay."),
        "* Each observed fee below is read as the fund's base add-on a; the other decisions "
        "are those with the best NMB among the designs within the guardrails with creator "
        "NPV >= 0.",
    ]
    for obs in problem.spec.observed:
        if obs.variable != "a":
            continue
        r = best_design_at(problem, "a", obs.low)
        label = str(icer_label_text(r["icer_label"]))
        ratio = "" if np.isnan(r["icer"]) else f" at {fmt_amount(r['icer'], cur)} per QALY"
        within = "" if r["ok"] else " (no design meets the guardrails with NPV >= 0)"
        lines.append(
            f"* {obs.name}{within}: schedule {problem.schedule_names[int(r['schedule'])]}, "
            f"grant {fmt_amount(r['grant'], cur)}, {r['years']:.0f} years, cut "
            f"{100 * r['cut']:.0f}%: {label}{ratio}; {r['incremental_qalys']:+,.0f} QALYs "
            f"and {fmt_amount(r['incremental_cost'], cur)} a year vs today; NMB "
            f"{fmt_amount(r['nmb'], cur)} a year.")
    labels = sorted({str(icer_label_text(c)) for c in front.column("icer_label")})
    v1 = solve(problem.with_spec_changes(pathway=None), "grid")
    a1, a2 = v1.column("a"), front.column("a")
    arr = problem.spec.pathway.arrays(problem.tier_names)
    extra = float(arr.per_exam(arr.ai).cost[0] - arr.per_exam(arr.cmp).cost[0])
    lines += [
        f"* ICER labels on the front: {' / '.join(labels)}.",
        f"* What the pathway changes: without it the front has {len(v1)} designs with a "
        f"{a1.min():,.0f}-{a1.max():,.0f} {cur}; with it, {len(front)} designs with a "
        f"{a2.min():,.0f}-{a2.max():,.0f} {cur}. Payer spend now adds about "
        f"{fmt_amount(extra, cur)} of resection and pathology per AI use over an endoscopy "
        "without AI, on top of the fund's payments, so designs that buy use at different "
        "fund cost rank differently on spend and access and more of them are "
        "Pareto-optimal. The QALYs per adenoma removed and the resection costs are "
        "assumptions; the accuracy figures are authors' knowledge, to check.",
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> ScriptResult:
    """Run the korea-ai-fund analysis (see module docstring)."""
    return run_script(NAME, argv, narrative)


if __name__ == "__main__":
    raise SystemExit(script_entry(main, sys.argv[1:]))
