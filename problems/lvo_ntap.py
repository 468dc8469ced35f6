"""LVO stroke detection under Medicare's NTAP: the exact Pareto front over the technology's
price (the add-on share is statutory), which hospitals the add-on reaches, and what its 3-year limit
does to the creator's business.

With the clinical pathway of model v2 (work-up of every alert, thrombectomy for the share
of true positives treated, minutes to treatment saved by the alert valued in QALYs and in
later care) it also prints, at the CMS technology cost, the ICER with its label, the
incremental QALYs and the NMB, the budget impact by year, the pathway's cost-effective
add-on, and what the pathway changes on the front (its prices, which objectives are
redundant).

Run::

    python -m paretoprice.problems.lvo_ntap --out results/lvo-ntap
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from paretoprice.app.runner import (
    ScriptResult,
    fmt_money,
    icer_phrase,
    run_script,
    script_entry,
)
from paretoprice.optim.families.ntap import NtapProblem
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.pathway import icer_label_text
from paretoprice.optim.problem import PricingProblem, as_family

NAME = "lvo-ntap"


def narrative(problem: PricingProblem, front: ParetoFront) -> str:
    """What the front shows, in plain words.

    Parameters
    ----------
    problem
        The ``lvo-ntap`` problem (family ``ntap``).
    front
        Its solved Pareto front.

    Returns
    -------
    str
        Bullet lines: the add-on per case each hospital group gets at the observed price,
        the range of prices and shares on the front, adoption with and after the add-on,
        and how much of the creator's NPV the add-on years carry.
    """
    problem = as_family(problem, NtapProblem)
    spec = problem.spec
    f = front.column("f")
    value = front.column("ntap_value_to_creator")
    npv = front.column("creator_npv")
    spend = front.column("payer_spend")
    years = problem.ntap_years
    horizon = spec.creator.horizon_years
    names = problem.segment_names
    obs_f = next((o.low for o in spec.observed if o.variable == "f"), 1600.0)
    share = problem.share
    at_obs = problem.evaluate([[obs_f]])
    per_case = problem.ntap_per_case(np.array([[obs_f]]))[0]
    drg = float(at_obs.reported["drg_spend"][0])
    lines = [
        "What the front shows:",
        f"* At a technology price of {obs_f:,.0f} USD and the statutory share {share:.0%} the "
        "add-on per Medicare case is " + ", ".join(
            f"{v:,.0f} USD in {g.replace('_', ' ')}" for g, v in zip(names, per_case,
                                                                   strict=True))
        + ": it pays only where a case costs more than its DRG payment, and never more than "
        f"{share:.0%} of the price.",
        "* Payer spend is Medicare's technology-related payments (add-on plus the change in "
        "outlier payments)" + (", plus the downstream care after every read (pathway)"
                               if spec.pathway is not None else "")
        + f", discounted like the creator's NPV: {fmt_money(spend.min())} to "
        f"{fmt_money(spend.max())} a year on the front; at {obs_f:,.0f} USD "
        f"{fmt_money(float(at_obs.objectives['payer_spend'][0]))} a year (outlier change "
        f"{fmt_money(float(at_obs.reported['outlier_change_ntap_years'][0]))} a year while the "
        f"add-on is paid). The MS-DRG payments ({fmt_money(drg)} a year) are the same with or "
        "without the technology and are left out, so the add-on is no longer buried in them.",
        f"* Pareto-optimal prices run from {f.min():,.0f} to {f.max():,.0f} USD per case.",
    ]
    for g in names:
        a1 = front.column(f"adoption_{g}_ntap_years")
        a2 = front.column(f"adoption_{g}_after")
        lines.append(f"* {g.replace('_', ' ').capitalize()}: {100 * a1.min():.0f}%-"
                     f"{100 * a1.max():.0f}% of hospitals adopt while the add-on is paid, "
                     f"{100 * a2.min():.0f}%-{100 * a2.max():.0f}% after it ends.")
    if years < horizon:
        best = int(np.argmax(npv))
        lines.append(
            f"* The add-on is paid in {years} of the {horizon} horizon years. At the creator's "
            f"best point (f = {f[best]:,.0f} USD) those years add "
            f"{fmt_money(value[best])} to its NPV of {fmt_money(npv[best])} (without the "
            f"add-on: {fmt_money(npv[best] - value[best])}); on the front they add at most "
            f"{fmt_money(value.max())}.")
    if spec.pathway is not None:
        lines += pathway_findings(problem, front, obs_f)
    return "\n".join(lines) + "\n"


def describe_point(title: str, r: dict[str, float], lam: float) -> str:
    """One line on a point with a pathway: price, ICER with its label and verdict at
    ``lam`` (USD per QALY), incremental QALYs and cost a year, NMB at 50k/100k/150k."""
    label, ratio = icer_phrase(r, lam)
    return (f"* {title}: f = {r['f']:,.0f} USD per case: {label}{ratio}; "
            f"{r['incremental_qalys']:+,.0f} QALYs and {fmt_money(r['incremental_cost'])} a "
            f"year vs today; NMB {fmt_money(r['nmb'])} at 50k, {fmt_money(r['nmb_100k'])} at "
            f"100k, {fmt_money(r['nmb_150k'])} at 150k USD/QALY.")


def _row(problem: NtapProblem, f: float) -> dict[str, float]:
    """Every objective and reported quantity at the price ``f`` (USD per case)."""
    ev = problem.evaluate([[f]])
    row = {k: float(v[0]) for k, v in ev.objectives.items()}
    row.update({k: float(v[0]) for k, v in ev.reported.items()})
    row["f"] = f
    return row


def pathway_findings(problem: NtapProblem, front: ParetoFront, obs_f: float) -> list[str]:
    """Model v2 read-outs: the pathway per case, the ICER, QALYs and NMB at the observed
    price, the budget impact by year, and what the pathway changes on the front."""
    from paretoprice.solvers import solve

    spec = problem.spec
    pw = spec.pathway
    assert pw is not None
    lam = spec.value.wtp_per_qaly
    ce = problem.anchors()["cost_effective"]
    top_addon = problem.share * float(problem.upper[0])
    minutes = pw.ai.minutes_saved
    lines = [
        "",
        "With the clinical pathway (model v2; every point against the status quo of today's "
        "detection in time, NMB at 50k USD/QALY unless said):",
        f"* A true positive found by the alert is treated {minutes:.0f} minutes sooner: it "
        f"gains {pw.qaly_per_tp + minutes * pw.qaly_per_minute:.3f} QALYs instead of "
        f"{pw.qaly_per_tp:.3f} and costs {pw.treatment_cost + minutes * pw.cost_per_minute:,.0f}"
        f" USD of net treatment instead of {pw.treatment_cost:,.0f}; every alert, true or "
        f"false, is worked up ({pw.ai.follow_up_cost:,.0f} USD). Sensitivity "
        f"{pw.ai.sensitivity:.2f} vs {pw.comparator.sensitivity:.2f}, specificity "
        f"{pw.ai.specificity:.2f} vs {pw.comparator.specificity:.2f}.",
        f"* Cost-effective add-on from the pathway: NMB = 0 at {ce.value:,.0f} USD per "
        f"Medicare case (lambda = {lam:,.0f} USD/QALY). "
        + (f"The rule can pay at most {top_addon:,.0f} USD ({problem.share:.0%} of the "
           f"highest price on the ladder), so the statutory cap, not cost-effectiveness, "
           "limits the add-on." if ce.value > top_addon else
           "Add-ons above it are not cost-effective at that threshold."),
    ]
    at = _row(problem, obs_f)
    lines.append(describe_point(f"CMS FY2021 technology cost {obs_f:,.0f} USD", at, lam))
    npv = front.column("creator_npv")
    best = float(front.column("f")[int(np.argmax(npv))])
    lines.append(describe_point("Creator's best point on the front", _row(problem, best), lam))
    years = [at[f"budget_impact_year{t + 1}"] for t in range(spec.creator.horizon_years)]
    payers = ", ".join(f"{j.name} {fmt_money(at[f'spend_{j.name}'])}" for j in spec.payers)
    lines.append(
        f"* Budget impact at {obs_f:,.0f} USD, year by year (add-on years first): "
        + ", ".join(fmt_money(y) for y in years)
        + f"; {fmt_money(at['budget_impact_discounted'])} over the horizon, discounted. "
        f"Spend by payer (downstream care included, horizon average): {payers}; the "
        f"usual workflow's downstream care today: {fmt_money(problem.todays_spend)} a year.")
    v1 = solve(problem.with_spec_changes(pathway=None), "grid")
    f1, f2 = v1.column("f"), front.column("f")
    added = sorted(set(f2.tolist()) - set(f1.tolist()))
    gone = sorted(set(f1.tolist()) - set(f2.tolist()))
    labels = sorted({str(icer_label_text(c)) for c in front.column("icer_label")})
    change = ""
    if added:
        change += (" Prices that join the front: " + ", ".join(f"{x:,.0f}" for x in added)
                   + " USD: without the pathway a low price that leaves a small add-on "
                   "beat them on every objective; with it, the extra cases a low price "
                   "reaches bring their thrombectomies onto payer spend, so it no longer "
                   "costs the payer less than these near-zero-adoption prices.")
    if gone:
        change += " Prices that leave it: " + ", ".join(f"{x:,.0f}" for x in gone) + " USD."
    lines += [
        f"* Points of the front against today: {' / '.join(labels)} (no difference where "
        "no hospital adopts).",
        f"* What the pathway changes on the front: without it {len(v1)} points, f from "
        f"{f1.min():,.0f} to {f1.max():,.0f} USD; with it {len(front)} points, f from "
        f"{f2.min():,.0f} to {f2.max():,.0f} USD." + change + " With one decision (the "
        "price) every objective is a function of f alone: the front is a curve in f and "
        "still holds most prices of the ladder; the pathway moves spend and prices it in "
        "QALYs, it adds no decision.",
    ]
    red = front.redundancy()
    warn = red.warning().removeprefix("warning: ").rstrip(".")
    lines.append(f"* Redundancy on this front: {warn or 'no redundant objectives'}.")
    hg = solve(problem.with_objectives(["payer_spend", "creator_npv", "access",
                                        "health_gain"]), "grid")
    rho = hg.redundancy()
    pair = next((r for a, b, r, _ in rho.pairs if {a, b} == {"access", "health_gain"}),
                float("nan"))
    lines.append(
        f"* Choosing health_gain (QALYs a year) beside access: {len(hg)} points; access and "
        f"health_gain rank the front alike (Spearman {pair:.3f}): both rise with the cases "
        "the technology reaches, so with one decision health_gain adds no new trade-off; it "
        "puts the front's points in QALYs.")
    return lines


def main(argv: Sequence[str] | None = None) -> ScriptResult:
    """Run the lvo-ntap analysis (see module docstring)."""
    return run_script(NAME, argv, narrative)


if __name__ == "__main__":
    raise SystemExit(script_entry(main, sys.argv[1:]))
