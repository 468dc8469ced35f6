"""Portfolio: Medicare pricing five AI services at once under one budget.

Computes the exact Pareto front of the multiple-choice knapsack (one payment level per
service, the budget coupling them), then says which services each Pareto-optimal
portfolio pays for, at what level, and where paying every service its 2025 rate sits.

Run::

    python -m paretoprice.problems.portfolio --out results/portfolio [--solver exact|grid|nsga2]

The default solver is ``exact`` (Pyomo + HiGHS) when it is installed, else ``nsga2``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from paretoprice.app.runner import ScriptResult, fmt_money, run_script, script_entry
from paretoprice.optim.families.portfolio import PortfolioProblem
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.pathway import ICER_LABELS, icer_with_label
from paretoprice.optim.problem import PricingProblem, as_family

NAME = "portfolio"


def preferred_solver() -> str:
    """``exact`` when its backend (Pyomo + HiGHS) imports, else ``nsga2``."""
    from paretoprice.solvers import get_solver

    try:
        get_solver("exact")
    except ImportError:
        return "nsga2"
    return "exact"


def with_default_solver(argv: Sequence[str] | None) -> list[str]:
    """The script arguments with ``--solver`` added when the caller gave none."""
    args = list(sys.argv[1:] if argv is None else argv)
    if any(a == "--solver" or a.startswith("--solver=") for a in args):
        return args
    return [*args, "--solver", preferred_solver()]


@dataclass(frozen=True)
class PointCheck:
    """How one decision vector compares with a front.

    Attributes
    ----------
    objectives
        Every objective at the point (natural units).
    violated
        Guardrails the point breaks (empty when feasible).
    dominated_by
        Number of front points at least as good in every chosen objective and better in
        one.
    """

    objectives: dict[str, float]
    violated: tuple[str, ...]
    dominated_by: int


def check_point(problem: PricingProblem, front: ParetoFront, x: Sequence[float]) -> PointCheck:
    """Evaluate ``x`` and compare it with ``front`` (chosen objectives)."""
    from paretoprice.optim.problem import FEASIBILITY_TOL

    ev = problem.evaluate(np.asarray(x, dtype=float)[None, :])
    G = problem.constraint_matrix(ev, scaled=True)[0]
    violated = tuple(g.name for g, v in zip(problem.guardrails, G, strict=True)
                     if v > FEASIBILITY_TOL)
    F = problem.minimization_matrix(ev)[0]
    P = front.minimization_matrix()
    tol = 1e-9 * np.maximum(np.abs(F), 1.0)
    dom = np.all(F + tol >= P, axis=1) & np.any(F - tol > P, axis=1)
    return PointCheck({k: float(v[0]) for k, v in ev.objectives.items()}, violated,
                      int(dom.sum()))


def _level_text(share: np.ndarray) -> str:
    levels, counts = np.unique(np.round(share, 4), return_counts=True)
    used = ", ".join(f"{100 * lv:.0f}%" for lv in levels)
    common = levels[np.argmax(counts)]
    return f"levels {used} (most often {100 * common:.0f}%)"


def narrative(problem: PricingProblem, front: ParetoFront) -> str:
    """What the front shows, in plain words."""
    problem = as_family(problem, PortfolioProblem)
    ref = problem.reference_payments
    names = problem.service_names
    spend = front.column("payer_spend")
    access = front.column("access")
    today = problem.todays_spend
    served_today = float(np.sum([s.eligible * s.compliance for s in problem.spec.services]))
    eligible = float(np.sum([s.eligible for s in problem.spec.services]))
    lines = [
        "Each service's own value anchors (USD per patient or per use):",
    ]
    for name, anchors in problem.service_anchors().items():
        v = anchors.values()
        lines.append(
            f"  {name:<12} substitution {v['substitution']:>8.2f}  access-max "
            f"{v['access_maximizing']:>8.2f}  cost-effective {v['cost_effective']:>8.2f}  "
            f"marginal {v['marginal_cost']:>7.2f}  TCO {v['total_cost_of_ownership']:>8.2f}")
    lines += [
        "",
        "What the front shows:",
        f"* {len(front)} Pareto-optimal portfolios. Payer spend runs from {fmt_money(spend.min())}"
        f" to {fmt_money(spend.max())} a year (today, paying only the comparators"
        + (" and their downstream care" if problem.pathway_services else "")
        + f": {fmt_money(today)}; budget {fmt_money(problem.budget)}).",
        f"* Access runs from {100 * access.min():.1f}% to {100 * access.max():.1f}% of the "
        f"{eligible / 1e6:.2f} million eligible patients (today: "
        f"{100 * served_today / eligible:.1f}%).",
        "* Service by service (share of Pareto-optimal portfolios that pay for it, and the "
        "levels used, as shares of its 2025 outpatient rate):",
    ]
    for j, name in enumerate(names):
        share = front.decisions[:, j] / ref[j]
        covered = share > 0
        lines.append(f"    {name:<12} paid in {100 * covered.mean():5.1f}% of them; "
                     + _level_text(share))
    at_rate = check_point(problem, front, ref)
    o = at_rate.objectives
    head = (f"* Paying every service its 2025 rate costs {fmt_money(o['payer_spend'])} a year "
            f"for access of {100 * o['access']:.1f}%: ")
    if at_rate.violated:
        head += "it breaks " + ", ".join(at_rate.violated) + "."
    elif at_rate.dominated_by:
        head += f"within the guardrails but dominated by {at_rate.dominated_by} front points."
    else:
        head += "within the guardrails, and no front portfolio dominates it."
    lines.append(head)
    reach = access >= o["access"] - 1e-12
    if reach.any():
        i = int(np.flatnonzero(reach)[np.argmin(spend[reach])])
        levels = ", ".join(f"{n} {100 * front.decisions[i, j] / ref[j]:.0f}%"
                           for j, n in enumerate(names))
        lines.append(
            f"* The cheapest front portfolio with at least that access spends "
            f"{fmt_money(spend[i])} a year ({levels}).")
    else:
        lines.append("* No portfolio within the guardrails reaches that access.")
    lines += pathway_findings(problem, ref)
    return "\n".join(lines) + "\n"


def _icer_text(d_cost: float, d_qaly: float) -> str:
    ratio, code = icer_with_label(np.array([d_cost]), np.array([d_qaly]))
    label = ICER_LABELS[int(code[0])]
    return label if np.isnan(ratio[0]) else f"{label}, {fmt_money(ratio[0])} per QALY"


def pathway_findings(problem: PortfolioProblem, x: np.ndarray) -> list[str]:
    """What the services' clinical pathways change, at payments ``x`` (USD per use):
    which services no longer save money once downstream care is counted, each service's
    and the portfolio's ICER with its label, incremental QALYs and NMB."""
    if not problem.pathway_services:
        return ["", "No service has a clinical pathway: spend counts the exams only "
                "(model v1) and there is no health outcome."]
    inc = problem.service_increments(x[None, :])
    exam, cost, qaly = (inc[k][0] for k in ("exam_cost", "incremental_cost",
                                            "incremental_qalys"))
    wtp = problem.willingness_to_pay
    lines = ["", "What the clinical pathway changes (each service at its 2025 rate, against "
             "today's care; downstream = follow-up after a positive and net treatment):"]
    for j, name in enumerate(problem.service_names):
        if name not in problem.pathway_services:
            lines.append(f"    {name:<12} no pathway: exams only, {fmt_money(exam[j])} a year")
            continue
        lines.append(
            f"    {name:<12} exams only {fmt_money(exam[j])} a year; with downstream care "
            f"{fmt_money(cost[j])}; {qaly[j]:+,.0f} QALYs a year; ICER "
            f"{_icer_text(cost[j], qaly[j])}; NMB at {wtp:,.0f} USD/QALY "
            f"{fmt_money(wtp * qaly[j] - cost[j])} a year")
    lost = [n for j, n in enumerate(problem.service_names)
            if n in problem.pathway_services and exam[j] < 0 <= cost[j]]
    saves = [n for j, n in enumerate(problem.service_names) if cost[j] < 0]
    lines.append("* No longer \"saves money\" once downstream care is counted: "
                 + (", ".join(lost) if lost else "none") + "; still saves money: "
                 + (", ".join(saves) if saves else "none") + ".")
    ev = problem.evaluate(x[None, :])
    r = {k: float(v[0]) for k, v in ev.reported.items()}
    lines.append(
        f"* The whole portfolio at the 2025 rates: {fmt_money(r['incremental_cost'])} and "
        f"{r['incremental_qalys']:+,.0f} QALYs a year against today; ICER "
        f"{_icer_text(r['incremental_cost'], r['incremental_qalys'])}; NMB "
        f"{fmt_money(r['nmb_50k'])} at 50k, {fmt_money(r['nmb_100k'])} at 100k, "
        f"{fmt_money(r['nmb_150k'])} at 150k USD per QALY (a year).")
    lines.append(
        "* health_gain (QALYs per year) can be chosen as an objective: paretoprice solve "
        "portfolio --objectives payer_spend,creator_npv,access,provider_margin,health_gain")
    return lines


def main(argv: Sequence[str] | None = None) -> ScriptResult:
    """Run the portfolio analysis (see module docstring)."""
    return run_script(NAME, with_default_solver(argv), narrative)


if __name__ == "__main__":
    raise SystemExit(script_entry(main, sys.argv[1:]))
