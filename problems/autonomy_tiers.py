"""Autonomy tiers for the AI diabetic retinal exam: the exact Pareto front over three tier
prices and the creator's fee, which tier each setting of care chooses, how the physician's
share of the payment falls with autonomy, and where CMS's 92229 values sit. With the
clinical pathway (the idx-dr pathway: referral to eye care after a positive, treatment of
referable retinopathy) it prints the ICER with its label, incremental QALYs and NMB at the
observed 2025/2026 rates of 92229 and what the pathway changes on the front.

Run::

    python -m paretoprice.problems.autonomy_tiers --out results/autonomy-tiers
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
from paretoprice.optim.families.autonomy_tiers import TIER_NAMES, AutonomyTiersProblem
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.pathway import icer_label_text
from paretoprice.optim.problem import PricingProblem, as_family

NAME = "autonomy-tiers"


def narrative(problem: PricingProblem, front: ParetoFront) -> str:
    """What the front shows, in plain words.

    Parameters
    ----------
    problem
        The ``autonomy-tiers`` problem (family ``autonomy_tiers``).
    front
        Its solved Pareto front.

    Returns
    -------
    str
        Bullet lines: the tier prices on the front, the tier each setting chooses, the
        physician's payment share by tier, spend against today's and how often the
        monotonicity guardrail binds.
    """
    problem = as_family(problem, AutonomyTiersProblem)
    spec = problem.spec
    spend = front.column("payer_spend")
    today = getattr(problem, "todays_spend", float("nan"))
    lines = ["What the front shows:"]
    prices = ", ".join(
        f"{t} {front.column(f'p_{t}').min():.0f}-{front.column(f'p_{t}').max():.0f}"
        for t in TIER_NAMES)
    lines.append(f"* Pareto-optimal AI prices per exam (USD, on top of the physician's "
                 f"remaining work): {prices}.")
    for g in problem.segment_names:
        level = front.column(f"tier_{g}").astype(int)
        counts = {TIER_NAMES[i - 1]: int(np.sum(level == i)) for i in (1, 2, 3)}
        share = ", ".join(f"{t} {100 * n / len(front):.0f}%" for t, n in counts.items() if n)
        none = int(np.sum(level == 0))
        if none:
            share += f", none {100 * none / len(front):.0f}%"
        lines.append(f"* {g.replace('_', ' ').capitalize()} sites choose: {share} of front "
                     "points.")
    vc = spec.service.comparator_payment
    work = {t: getattr(spec.tiers, t).physician_work for t in TIER_NAMES}
    shares = []
    for t in TIER_NAMES:
        col = front.column(f"physician_share_{t}")
        if np.isfinite(col).any():
            shares.append(f"{t} {100 * np.nanmedian(col):.0f}% (work {work[t]:g} x "
                          f"{vc:.0f} USD)")
    lines.append("* Median physician share of the payment per exam: " + ", ".join(shares)
                 + ".")
    lines.append(f"* Payer spend runs from {fmt_money(spend.min())} to "
                 f"{fmt_money(spend.max())} a year against {fmt_money(today)} today.")
    lines += _monotonicity_cost(problem, front)
    if spec.pathway is not None:
        lines += pathway_findings(problem, front)
    return "\n".join(lines) + "\n"


def best_nmb_at(problem: AutonomyTiersProblem, p_autonomous: float) -> dict[str, float]:
    """The candidate with the best NMB at the problem's lambda among every ladder
    combination of the other tier prices and the fee at a fixed ``p_autonomous`` (USD per
    use), preferring points within the guardrails with creator NPV >= 0."""
    lad = problem.ladders()
    grids = np.meshgrid(lad[0], lad[1], lad[3], indexing="ij")
    X = np.zeros((grids[0].size, problem.n_var))
    X[:, 0], X[:, 1], X[:, 3] = (g.ravel() for g in grids)
    X[:, 2] = p_autonomous
    ev = problem.evaluate(X, report=True)
    nmb = ev.reported["nmb"]
    ok = (ev.objectives["creator_npv"] >= 0) & problem.feasible(ev)
    i = int(np.argmax(np.where(ok, nmb, -np.inf))) if ok.any() else int(np.argmax(nmb))
    row = {k: float(v[i]) for k, v in {**ev.objectives, **ev.reported}.items()}
    row.update({n: float(X[i, j]) for j, n in enumerate(problem.decision_names)})
    row["ok"] = float(ok[i])
    return row


def pathway_findings(problem: AutonomyTiersProblem, front: ParetoFront) -> list[str]:
    """Model v2 read-outs: ICER with its label, incremental QALYs and NMB at the observed
    2025/2026 rates of 92229, and what the pathway changes on the front."""
    from paretoprice.solvers import solve

    lam = problem.spec.value.wtp_per_qaly
    ce = problem.anchors()["cost_effective"].value
    lines = [
        "",
        "With the clinical pathway (model v2; the idx-dr pathway, against the status quo of "
        f"today's eye exams; NMB in USD a year at {lam / 1000:g}k USD/QALY unless said):",
        f"* Cost-effective payment from the pathway: NMB = 0 at {ce:.2f} USD per AI use "
        "(Medicare payment p_t + w_t v_c, the lowest over the tiers).",
        "* Each observed rate below is read as p_autonomous; the other tier prices and the fee "
        "are those with the best NMB among the points within the guardrails with creator "
        "NPV >= 0.",
    ]
    for obs in problem.spec.observed:
        if obs.variable != "p_autonomous":
            continue
        for rate in sorted({obs.low, obs.high}):
            r = best_nmb_at(problem, rate)
            label, ratio = icer_phrase(r, lam)
            tiers = ", ".join(f"{g.replace('_', ' ')} "
                              f"{(['none', *TIER_NAMES])[int(r[f'tier_{g}'])]}"
                              for g in problem.segment_names)
            within = "" if r["ok"] else " (no point meets the guardrails and NPV >= 0)"
            lines.append(
                f"* {obs.name}, p_autonomous = {rate:.2f}{within}: p_assistive "
                f"{r['p_assistive']:.0f}, p_augmentative {r['p_augmentative']:.0f}, f "
                f"{r['f']:.0f}; tiers chosen: {tiers}. {label}{ratio}; "
                f"{r['incremental_qalys']:+,.0f} QALYs and {fmt_money(r['incremental_cost'])} "
                f"a year vs today; NMB {fmt_money(r['nmb'])} at 50k, "
                f"{fmt_money(r['nmb_100k'])} at 100k, {fmt_money(r['nmb_150k'])} at 150k.")
    labels = sorted({str(icer_label_text(c)) for c in front.column("icer_label")})
    v1 = solve(problem.with_spec_changes(pathway=None), "grid")
    p1, p2 = v1.column("p_autonomous"), front.column("p_autonomous")
    lines += [
        f"* ICER labels on the front: {' / '.join(labels)}.",
        f"* What the pathway changes: without it the front has {len(v1)} points with "
        f"p_autonomous {p1.min():.0f}-{p1.max():.0f} USD; with it, {len(front)} points with "
        f"p_autonomous {p2.min():.0f}-{p2.max():.0f} USD. Each AI positive now triggers an "
        f"eye-care visit ({100 * problem.spec.pathway.ai.follow_up_completion:.0f}% "
        "completed) and treatment, counted in payer spend and in "
        "today's spend alike, so the budget guardrail binds at a different price. The tiers "
        "share one AI arm here (the accuracy of a physician-assisted read is not among the "
        "sourced figures), so the pathway does not favour one tier over another: the tier "
        "each site picks still follows its margin.",
    ]
    return lines


def _monotonicity_cost(problem: AutonomyTiersProblem, front: ParetoFront) -> list[str]:
    """Solve again without ``tier_monotonicity`` (exact grid) and say what it changes."""
    from paretoprice.solvers import solve

    rails = problem.spec.guardrails
    if not rails.tier_monotonicity.enabled or not problem.exact_capable:
        return []
    free = problem.with_spec_changes(
        guardrails=rails.model_copy(update={"tier_monotonicity": type(
            rails.tier_monotonicity)(enabled=False)}).model_dump())
    other = solve(free, "grid")
    slack = other.column("slack_tier_monotonicity")
    out = [f"* Without the monotonicity guardrail, {100 * np.mean(slack < 0):.0f}% of the "
           "exact front would price a less autonomous tier above a more autonomous one."]
    for name in front.objective_names:
        sense = problem.senses[problem.objective_names.index(name)]
        pick = np.min if sense == "min" else np.max
        a, b = pick(front.column(name)), pick(other.column(name))
        if not np.isclose(a, b, rtol=1e-9):
            out.append(f"  Its best {name} would move from {fmt_money(a)} to {fmt_money(b)}.")
    return out


def main(argv: Sequence[str] | None = None) -> ScriptResult:
    """Run the autonomy-tiers analysis (see module docstring)."""
    return run_script(NAME, argv, narrative)


if __name__ == "__main__":
    raise SystemExit(script_entry(main, sys.argv[1:]))
