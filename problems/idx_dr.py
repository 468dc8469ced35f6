"""IDx-DR (CPT 92229): the value anchors, the exact Pareto front on a $1 ladder, and where
the creator's $55 and CMS's $45-$64 band sit on it.

Run::

    python -m paretoprice.problems.idx_dr --out results/idx-dr
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
from paretoprice.optim.families.ffs import FeeForServiceProblem
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.problem import PricingProblem, as_family

from paretoprice.app.runner import ScriptResult, fmt_money, run_script

NAME = "idx-dr"


def narrative(problem: PricingProblem, front: ParetoFront) -> str:
    """What the front shows, in plain words."""
    problem = as_family(problem, FeeForServiceProblem)
    p = front.column("p")
    spend = front.column("payer_spend")
    access = front.column("access")
    npv = front.column("creator_npv")
    ve = problem.anchors()["access_maximizing"].value
    today = getattr(problem, "todays_spend", float("nan"))
    lines = [
        "What the front shows:",
        f"* Every Pareto-optimal Medicare rate lies between {p.min():.0f} and {p.max():.0f} "
        f"USD per exam: below, too few sites adopt to matter; above, the budget guardrail "
        f"(today's spend, {fmt_money(today)} a year) binds.",
        f"* Access ranges from {100 * access.min():.1f}% to {100 * access.max():.1f}% of "
        f"beneficiaries with diabetes (today: {100 * problem.compliance:.0f}%); "
        f"payer spend from {fmt_money(spend.min())} to {fmt_money(spend.max())} a year.",
    ]
    sustainable = npv >= 0
    if sustainable.any():
        lines.append(
            f"* The creator breaks even (NPV >= 0) on {100 * sustainable.mean():.0f}% of the "
            f"front; the cheapest such point pays p = {p[sustainable].min():.0f} USD."
        )
    near = np.abs(p - ve) <= 1.0
    if near.any():
        lines.append(
            f"* At the access-maximizing value (p ~ {ve:.2f}) the front offers access of "
            f"{100 * access[near].min():.1f}-{100 * access[near].max():.1f}% for "
            f"{fmt_money(spend[near].min())}-{fmt_money(spend[near].max())} a year, "
            "depending on the creator's fee."
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> ScriptResult:
    """Run the idx-dr analysis (see module docstring)."""
    return run_script(NAME, argv, narrative)


if __name__ == "__main__":
    main(sys.argv[1:])
