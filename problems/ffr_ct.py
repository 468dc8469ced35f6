"""FFR-CT (CPT 75580): the exact Pareto front on a $10 ladder for a Category I code paid
under two national schedules (physician office PFS, hospital outpatient OPPS), and where
CMS's 2025 payment sits on it.

Run::

    python -m paretoprice.problems.ffr_ct --out results/ffr-ct
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from paretoprice.app.runner import (
    ScriptResult,
    describe_pathway_point,
    fmt_money,
    run_script,
    script_entry,
)
from paretoprice.optim.families.ffs import FeeForServiceProblem
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.pathway import icer_label_text
from paretoprice.optim.problem import PricingProblem, as_family

NAME = "ffr-ct"


def narrative(problem: PricingProblem, front: ParetoFront) -> str:
    """What the front shows, in plain words.

    Parameters
    ----------
    problem
        The ``ffr-ct`` problem (family ``ffs``; segments are sites of service).
    front
        Its solved Pareto front.

    Returns
    -------
    str
        A few bullet lines: the range of Pareto-optimal PFS rates and the matching
        hospital outpatient rates, spend against today's, adoption by site of service,
        and where the creator breaks even.
    """
    problem = as_family(problem, FeeForServiceProblem)
    p = front.column("p")
    f = front.column("f")
    spend = front.column("payer_spend")
    npv = front.column("creator_npv")
    spec = problem.spec
    ratio = {g.name: g.rate_multiplier for g in spec.segments}
    hopd = ratio.get("hospital_outpatient", 1.0)
    today = getattr(problem, "todays_spend", float("nan"))
    vc = spec.service.comparator_payment
    lines = [
        "What the front shows:",
        f"* Pareto-optimal PFS rates run from {p.min():.0f} to {p.max():.0f} USD per "
        f"analysis, i.e. hospital outpatient rates of {hopd * p.min():.0f}-"
        f"{hopd * p.max():.0f} USD (x {hopd:.4f}, the 2025 OPPS/PFS ratio).",
        f"* Payer spend on the front is {fmt_money(spend.min())} to {fmt_money(spend.max())} "
        f"a year against {fmt_money(today)} today (invasive work-ups at "
        f"{vc:,.0f} USD for {100 * problem.compliance:.0f}% of eligible patients).",
    ]
    for g in spec.segments if spec.pathway is None else ():
        # AI spend per eligible patient u s p vs today's c v_c: adoption saves while p is below
        # (exam payments only: with a pathway the care after a positive counts too)
        even = g.compliance * vc / (g.uptake * g.rate_multiplier)
        lines.append(f"* In {g.name.replace('_', ' ')}, adoption lowers payer spend while the "
                     f"PFS rate is below {even:,.0f} USD (c v_c / (u x {g.rate_multiplier:.4g})).")
    for g in ratio:
        col = front.column(f"adoption_{g}")
        lines.append(f"* Adoption in {g.replace('_', ' ')}: {100 * col.min():.0f}%-"
                     f"{100 * col.max():.0f}% of sites across the front.")
    ok = npv >= 0
    if ok.any():
        lines.append(
            f"* The creator breaks even on {100 * ok.mean():.0f}% of the front, only with a fee "
            f"of at least {f[ok].min():.0f} USD per analysis and a PFS rate of at least "
            f"{p[ok].min():.0f} USD."
        )
    else:
        lines.append("* The creator does not break even anywhere on the front: Medicare FFS "
                     "volume alone does not recover the stated investment.")
    near = np.abs(p - 839.07) <= 10.0
    if near.any():
        lines.append(
            f"* Around the 2025 PFS payment (839 USD) the front offers creator NPV from "
            f"{fmt_money(npv[near].min())} to {fmt_money(npv[near].max())}, depending on "
            "the creator's fee."
        )
    if spec.pathway is not None:
        lines += pathway_findings(problem, front)
    return "\n".join(lines) + "\n"


def _at(problem: FeeForServiceProblem, p: float, f: float) -> dict[str, float]:
    """Objectives and reported quantities at rate ``p`` and fee ``f`` (no add-on), with the
    NMB range over every fee on the ladder at that rate (USD per year)."""
    lad_f = problem.ladders()[1]
    X = np.zeros((len(lad_f) + 1, problem.n_var))
    X[:, 0] = p
    X[0, 1] = f
    X[1:, 1] = lad_f
    ev = problem.evaluate(X)
    row = {k: float(v[0]) for k, v in ev.objectives.items()}
    row.update({k: float(v[0]) for k, v in ev.reported.items()})
    nmb = ev.reported["nmb"]
    row.update(p=p, f=f, feasible=float(problem.feasible(ev)[0]), nmb_min=float(nmb.min()),
               nmb_max=float(nmb.max()))
    return row


def pathway_findings(problem: FeeForServiceProblem, front: ParetoFront) -> list[str]:
    """Model v2 read-outs: what the angiography after a positive changes (ICER, QALYs, NMB
    at the 2025 rate, the cost-effective rate, and the budget-neutral guardrail)."""
    from paretoprice.solvers import solve

    pw = problem.spec.pathway
    assert pw is not None
    lam = problem.spec.value.wtp_per_qaly
    m = problem.spec.creator.marginal_cost
    ce = problem.anchors()["cost_effective"].value
    labels = sorted({str(icer_label_text(c)) for c in front.column("icer_label")})
    v1 = solve(problem.with_spec_changes(pathway=None), "grid")
    rails = {**problem.spec.guardrails.model_dump(), "budget_access_max": {"enabled": True}}
    capped = solve(problem.with_spec_changes(guardrails=rails), "grid")
    acc1, acc2 = v1.column("access"), front.column("access")
    sp1, sp2 = v1.column("payer_spend"), front.column("payer_spend")
    return [
        "",
        "With the clinical pathway (model v2; against today's invasive work-ups, NMB at "
        f"{lam / 1000:.0f}k USD/QALY unless said):",
        f"* A positive FFR-CT goes on to invasive angiography ({pw.ai.follow_up_completion:.0%} "
        f"of positives, {pw.ai.follow_up_cost:,.0f} USD); with sensitivity "
        f"{pw.ai.sensitivity:.2f} and specificity {pw.ai.specificity:.2f} (NXT trial, 2014) "
        "about 42% of those analysed test positive, so much of the catheterization the AI "
        "was to replace comes back, and every significant lesion found is revascularized.",
        describe_pathway_point("2025 PFS rate $839 with the fee at the creator's marginal "
                               f"cost ({m:,.0f} USD: widest adoption)",
                               _at(problem, 839.07, m), lam),
        f"* Cost-effective PFS rate from the pathway: NMB = 0 at p* = {ce:,.2f} USD "
        f"(lambda = {lam:,.0f} USD/QALY). Below zero means no rate is cost-effective at this "
        "threshold under these assumptions: the patients newly reached are revascularized at "
        "a cost per QALY above lambda.",
        f"* Every point of the front is {' / '.join(labels)} against today.",
        f"* What the pathway changes: without it the front's spend ran from "
        f"{fmt_money(sp1.min())} to {fmt_money(sp1.max())} and access {100 * acc1.min():.1f}%-"
        f"{100 * acc1.max():.1f}% (spend and access barely conflicted); with it spend runs "
        f"from {fmt_money(sp2.min())} to {fmt_money(sp2.max())} and access "
        f"{100 * acc2.min():.1f}%-{100 * acc2.max():.1f}%: more access now costs money.",
        f"* With today's spend as a cap (budget_access_max) the front has {len(capped)} "
        "point(s): counting the angiography and revascularization after each positive, no "
        "adoption keeps spend at today's level, so the file leaves that guardrail off.",
    ]


def main(argv: Sequence[str] | None = None) -> ScriptResult:
    """Run the ffr-ct analysis (see module docstring)."""
    return run_script(NAME, argv, narrative)


if __name__ == "__main__":
    raise SystemExit(script_entry(main, sys.argv[1:]))
