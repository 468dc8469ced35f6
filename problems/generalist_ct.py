"""Generalist AI on chest CT: per-task codes vs one bundle code, and when the bundle wins.

Solves the exact front of ``generalist-ct`` (grid on the price ladders), then compares the
two code sets on their own: the payer's spend against the share of indicated task results
delivered, with only per-task codes and with only the bundle code, at the problem's
integration gain and at other assumed cost savings.

With the clinical pathway of model v2 for incidental findings (follow-up of every flagged
finding, treatment of the true ones, harm of the false ones) it also prints the ICER with
its label, the incremental QALYs and the NMB at the observed 1 USD fee, the budget impact
by year and payer, the pathway's cost-effective anchor, and what the pathway changes on
the front (its prices, which objectives are redundant).

Run::

    python -m paretoprice.problems.generalist_ct --out results/generalist-ct
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from paretoprice.app.runner import (
    ScriptResult,
    fmt_money,
    icer_phrase,
    run_script,
    script_entry,
)
from paretoprice.optim.families.generalist_bundle import GeneralistBundleProblem
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.pathway import icer_label_text
from paretoprice.optim.problem import PricingProblem, as_family

NAME = "generalist-ct"

COST_SAVINGS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.4, 0.6)
"""Integration cost savings (share of per-task reporting costs) the narrative sweeps."""


@dataclass(frozen=True)
class CodeSetComparison:
    """The two code sets on payer spend and access, each on its own.

    Attributes
    ----------
    cost_saving
        The integration cost saving ``gamma`` used (share).
    per_task, bundle
        ``(n, 2)`` fronts of (payer_spend USD per year, access share): per-task codes only,
        bundle code only.
    per_task_dominated
        Share of the per-task front that some bundle point dominates (less or equal spend,
        more or equal access, one strictly).
    bundle_dominated
        Share of the bundle front that some per-task point dominates.
    per_task_edge
        Highest payer spend (USD per year) of a per-task point that no bundle point
        dominates and that differs from every bundle point (NaN when there is none).
    """

    cost_saving: float
    per_task: np.ndarray
    bundle: np.ndarray
    per_task_dominated: float
    bundle_dominated: float
    per_task_edge: float


def dominated_mask(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Rows of ``A`` dominated by some row of ``B``; columns (spend: min, access: max)."""
    le = (B[None, :, 0] <= A[:, None, 0] + 1e-6) & (B[None, :, 1] >= A[:, None, 1] - 1e-12)
    lt = (B[None, :, 0] < A[:, None, 0] - 1e-6) | (B[None, :, 1] > A[:, None, 1] + 1e-12)
    return np.any(le & lt, axis=1)


def _equal_mask(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Rows of ``A`` equal (within tolerance) to some row of ``B``."""
    return np.any(np.all(np.isclose(A[:, None, :], B[None, :, :], rtol=1e-9, atol=1e-9),
                         axis=2), axis=1)


def compare_code_sets(problem: PricingProblem, cost_saving: float | None = None,
                      ) -> CodeSetComparison:
    """Exact (grid) spend-access fronts of the per-task-only and bundle-only problems.

    Parameters
    ----------
    problem
        A ``generalist_bundle`` problem (laddered).
    cost_saving
        Integration cost saving to use instead of the problem's (share), or ``None``.
    """
    from paretoprice.solvers import solve

    prob = as_family(problem, GeneralistBundleProblem).with_objectives(["payer_spend", "access"])
    if cost_saving is not None:
        integ = prob.spec.integration.model_dump()
        integ["shared_cost_saving"] = cost_saving
        prob = prob.with_spec_changes(integration=integ)
    gamma = prob.spec.integration.shared_cost_saving
    fronts = [solve(p, "grid").objectives for p in (prob.per_task_only(),
                                                    prob.bundle_only())]
    task, bundle = fronts
    task_dom = dominated_mask(task, bundle)
    edge = ~task_dom & ~_equal_mask(task, bundle)
    return CodeSetComparison(
        cost_saving=gamma, per_task=task, bundle=bundle,
        per_task_dominated=float(task_dom.mean()),
        bundle_dominated=float(dominated_mask(bundle, task).mean()),
        per_task_edge=float(task[edge, 0].max()) if edge.any() else float("nan"))


def _best_access(F: np.ndarray, budget: float) -> float:
    """Highest access (share) among rows of ``F`` with spend <= ``budget`` (USD per year)."""
    ok = F[:, 0] <= budget
    return float(F[ok, 1].max()) if ok.any() else float("nan")


def narrative(problem: PricingProblem, front: ParetoFront) -> str:
    """What the front shows, in plain words."""
    problem = as_family(problem, GeneralistBundleProblem)
    spend = front.column("payer_spend")
    access = front.column("access")
    share = front.reported["bundle_share"]
    n_bundle = int(np.sum(share == 1.0))
    n_task = int(np.sum(share == 0.0))
    n_both = int(np.sum((share > 0.0) & (share < 1.0)))
    n_none = len(front) - n_bundle - n_task - n_both
    today = problem.todays_access
    level = problem.level_multiplier
    lines = [
        "What the front shows:",
        f"* {len(front)} Pareto-optimal price sets: in {n_bundle} every adopting setting bills "
        f"the bundle code, in {n_task} per-task codes, in {n_both} the payer offers both and "
        "settings split between them"
        + (f"; {n_none} with no AI use." if n_none else "."),
        f"* Payer spend runs from {fmt_money(spend.min())} to {fmt_money(spend.max())} a year; "
        f"the share of indicated task results delivered from {100 * access.min():.1f}% to "
        f"{100 * access.max():.1f}% (today {100 * today:.1f}%). A bundle study pays "
        f"{level:.3f} times the base price on average (level of service).",
    ]
    if n_bundle and n_task:
        lines.append(
            f"* Highest access: bundle {100 * access[share == 1.0].max():.1f}%, per-task codes "
            f"{100 * access[share == 0.0].max():.1f}% (incidental findings have no code, and "
            "a per-task code is billed only where it covers its own reporting cost).")
    own = compare_code_sets(problem)
    lines.append(
        f"* Spend against access, each code set on its own (cost saving "
        f"{100 * own.cost_saving:.0f}%): the bundle dominates "
        f"{100 * own.per_task_dominated:.0f}% of the per-task front and per-task codes "
        f"dominate {100 * own.bundle_dominated:.0f}% of the bundle front.")
    top = float(own.per_task[:, 0].max())
    budgets = [top * x for x in (0.25, 0.5, 1.0)]
    lines.append("  Best access within a budget (per-task vs bundle): " + "; ".join(
        f"{fmt_money(b)}: {100 * _best_access(own.per_task, b):.1f}% vs "
        f"{100 * _best_access(own.bundle, b):.1f}%" for b in budgets) + ".")
    sweep = [compare_code_sets(problem, g) for g in COST_SAVINGS]
    lines.append("* When the bundle wins, by the integration cost saving (share of per-task "
                 "front dominated by the bundle / share of bundle front dominated by per-task):")
    lines.append("  " + "; ".join(
        f"{100 * c.cost_saving:.0f}%: {100 * c.per_task_dominated:.0f}% / "
        f"{100 * c.bundle_dominated:.0f}%" for c in sweep) + ".")
    never = [c for c in sweep if c.bundle_dominated == 0.0]
    if never:
        first = never[0]
        text = (f"  From a cost saving of {100 * first.cost_saving:.0f}% on, no per-task price "
                "set beats a bundle price on both spend and access")
        if np.isfinite(first.per_task_edge):
            text += (f"; per-task codes stay on the spend-access frontier only up to "
                     f"{fmt_money(first.per_task_edge)} a year, where paying for a few tasks "
                     "only buys a small gain more cheaply than paying for every study")
        lines.append(text + ".")
    else:
        lines.append("  Per-task codes keep some advantage at every cost saving tried.")
    if problem.spec.pathway is not None:
        lines += pathway_findings(problem, front)
    return "\n".join(lines) + "\n"


def best_nmb(problem: GeneralistBundleProblem, f: float) -> dict[str, float]:
    """The bundle-only price set (every ``p`` on its ladder, task prices 0) with the best
    NMB at the problem's lambda at the fee ``f`` (USD per study), preferring creator
    NPV >= 0."""
    lad = problem.ladders()
    X = np.zeros((len(lad[0]), problem.n_var))
    X[:, 0] = lad[0]
    X[:, -1] = f
    ev = problem.evaluate(X)
    nmb = ev.reported["nmb"]
    ok = ev.objectives["creator_npv"] >= 0
    i = int(np.argmax(np.where(ok, nmb, -np.inf))) if ok.any() else int(np.argmax(nmb))
    row = {k: float(v[i]) for k, v in ev.objectives.items()}
    row.update({k: float(v[i]) for k, v in ev.reported.items()})
    row.update({n: float(X[i, j]) for j, n in enumerate(problem.decision_names)})
    row["feasible"] = float(problem.feasible(ev)[i])
    return row


def _per_task_top(problem: GeneralistBundleProblem, f: float) -> dict[str, float]:
    """Every objective and reported quantity at per-task codes only, each at the top of its
    ladder, with the fee ``f`` (USD per study)."""
    X = np.zeros((1, problem.n_var))
    X[0, 1:-1] = problem.upper[1:-1]
    X[0, -1] = f
    ev = problem.evaluate(X)
    row = {k: float(v[0]) for k, v in ev.objectives.items()}
    row.update({k: float(v[0]) for k, v in ev.reported.items()})
    row.update({n: float(X[0, j]) for j, n in enumerate(problem.decision_names)})
    row["feasible"] = float(problem.feasible(ev)[0])
    return row


def describe_point(title: str, r: dict[str, float], lam: float, prices: str) -> str:
    """One line on a point with a pathway: its prices, ICER with label and verdict at
    ``lam`` (USD per QALY), incremental QALYs and cost a year, NMB at 50k/100k/150k."""
    label, ratio = icer_phrase(r, lam)
    within = "" if r["feasible"] else " (breaks a guardrail)"
    return (f"* {title}: {prices}{within}: {label}{ratio}; {r['incremental_qalys']:+,.0f} "
            f"QALYs and {fmt_money(r['incremental_cost'])} a year vs today (downstream care "
            f"{fmt_money(r['downstream_cost'])}); NMB {fmt_money(r['nmb'])} at 50k, "
            f"{fmt_money(r['nmb_100k'])} at 100k, {fmt_money(r['nmb_150k'])} at 150k USD/QALY.")


def pathway_findings(problem: GeneralistBundleProblem, front: ParetoFront) -> list[str]:
    """Model v2 read-outs: ICER, QALYs and NMB at the observed fee under each code set, the
    budget impact by year and payer, and what the pathway changes on the front."""
    from paretoprice.solvers import solve

    spec = problem.spec
    pw = spec.pathway
    assert pw is not None
    lam = spec.value.wtp_per_qaly
    ce = problem.anchors()["cost_effective"]
    v1 = solve(problem.with_spec_changes(pathway=None), "grid")
    ce1 = problem.with_spec_changes(pathway=None).anchors()["cost_effective"].value
    obs_f = next((o.low for o in spec.observed if o.variable == "f"), 1.0)
    lines = [
        "",
        f"With the clinical pathway for {spec.pathway_task} (model v2; every point against "
        "the status quo of every study read without AI, NMB at 50k USD/QALY unless said):",
        f"* Per study with the AI running the task: sensitivity {pw.ai.sensitivity:.2f} "
        f"(read without AI {pw.comparator.sensitivity:.2f} in the best-read setting), "
        f"specificity {pw.ai.specificity:.2f} vs {pw.comparator.specificity:.2f}; each "
        f"flagged finding followed up ({100 * pw.ai.follow_up_completion:.0f}% completed, "
        f"{pw.ai.follow_up_cost:,.0f} USD at Medicare rates), each true one treated "
        f"({pw.treatment_cost:,.0f} USD net, {pw.qaly_per_tp:g} QALYs), each false one "
        f"costing {pw.qaly_loss_per_fp:g} QALYs.",
        f"* Cost-effective payment per AI study from the pathway: NMB = 0 at {ce.value:,.2f} "
        f"USD (v1 value {ce1:,.2f} USD from a flat QALY per extra result); it counts the "
        f"{spec.pathway_task} pathway and the separate services a study replaces, not the "
        "other tasks' health value, so it is a conservative cap. cap_cost_effective "
        f"compares it with the largest offer per study.",
        describe_point(f"Observed fee {obs_f:g} USD, bundle code only (best NMB)",
                       r := best_nmb(problem, obs_f), lam,
                       f"p = {r['p']:.2f} USD per study, f = {obs_f:g}"),
        describe_point(f"Observed fee {obs_f:g} USD, per-task codes only at their highest "
                       "price", r2 := _per_task_top(problem, obs_f), lam,
                       f"each task price {r2['p_' + problem.coded_tasks[0]]:.0f} USD, "
                       f"f = {obs_f:g}"),
        f"  Per-task codes never run the {spec.pathway_task} task (it has no code), so on "
        "this pathway they add cost and no QALYs: the other tasks' health value is not "
        "modelled here (v1's flat QALY per result is replaced by the pathway).",
    ]
    years = [r[f"budget_impact_year{t + 1}"] for t in range(spec.creator.horizon_years)]
    payers = ", ".join(f"{j.name} {fmt_money(r[f'spend_{j.name}'])}" for j in spec.payers)
    lines.append(
        "* Budget impact of that bundle point, year by year: "
        + ", ".join(fmt_money(y) for y in years)
        + f" ({fmt_money(r['budget_impact_discounted'])} over the horizon, discounted); "
        f"spend by payer a year: {payers}; today's spend including the follow-up of "
        f"findings read without AI: {fmt_money(problem.todays_spend)} a year.")
    labels = sorted({str(icer_label_text(c)) for c in front.column("icer_label")})
    p1, p2 = v1.column("p"), front.column("p")
    lines += [
        f"* Points of the front against today: {' / '.join(labels)}.",
        f"* What the pathway changes on the front: without it {len(v1)} price sets, bundle "
        f"price p from {p1.min():.2f} to {p1.max():.2f} USD, payer spend "
        f"{fmt_money(v1.column('payer_spend').min())} to "
        f"{fmt_money(v1.column('payer_spend').max())} a year; with it {len(front)} price "
        f"sets, p from {p2.min():.2f} to {p2.max():.2f} USD, payer spend "
        f"{fmt_money(front.column('payer_spend').min())} to "
        f"{fmt_money(front.column('payer_spend').max())} a year. The follow-up and "
        "treatment of incidental findings dwarf the payments for the AI, and the "
        "cost-effectiveness cap now comes from the pathway"
        + (" and no longer cuts the bundle price where v1's did." if ce.value > ce1 else "."),
    ]
    red = front.redundancy()
    warn = red.warning().removeprefix("warning: ").rstrip(".")
    lines.append(f"* Redundancy on this front: {warn or 'no redundant objectives'}.")
    hg = solve(problem.with_objectives(["payer_spend", "creator_npv", "access",
                                        "health_gain"]), "grid")
    pair = next((rho for a, b, rho, _ in hg.redundancy().pairs
                 if {a, b} == {"access", "health_gain"}), float("nan"))
    lines.append(
        f"* Choosing health_gain (QALYs a year) beside access: {len(hg)} price sets; "
        f"Spearman rank correlation of access and health_gain on that front {pair:.3f}: "
        + ("they rank it alike, health_gain adds no trade-off." if pair >= 0.98 else
           "access counts every task's results, health_gain only the incidental findings "
           "acted on (and their false alarms), so the two are distinct objectives."))
    return lines


def main(argv: Sequence[str] | None = None) -> ScriptResult:
    """Run the generalist-ct analysis (see module docstring)."""
    return run_script(NAME, argv, narrative)


if __name__ == "__main__":
    raise SystemExit(script_entry(main, sys.argv[1:]))
