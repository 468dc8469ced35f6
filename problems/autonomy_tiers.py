"""Autonomy tiers for the AI diabetic retinal exam: the exact Pareto front over three tier
prices and the creator's fee, which tier each setting of care chooses, how the physician's
share of the payment falls with autonomy, and where CMS's 92229 values sit.

Run::

    python -m paretoprice.problems.autonomy_tiers --out results/autonomy-tiers
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from paretoprice.app.runner import ScriptResult, fmt_money, run_script, script_entry
from paretoprice.optim.families.autonomy_tiers import TIER_NAMES, AutonomyTiersProblem
from paretoprice.optim.front import ParetoFront
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
    return "\n".join(lines) + "\n"


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
