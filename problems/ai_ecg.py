"""AI-ECG (CPT 0764T/0765T), a Category III code: the exact Pareto front on a $2 ladder
when contractors decide coverage and price, how unequal the providers' margins are across
contractors, and where the 2025 OPPS rate sits.

Run::

    python -m paretoprice.problems.ai_ecg --out results/ai-ecg
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from paretoprice.app.runner import (
    ScriptResult,
    fmt_money,
    pathway_summary,
    run_script,
    script_entry,
)
from paretoprice.optim.families.category_iii import CategoryIIIProblem, CategoryIIISpec
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.problem import PricingProblem, as_family

NAME = "ai-ecg"


def narrative(problem: PricingProblem, front: ParetoFront) -> str:
    """What the front shows, in plain words.

    Parameters
    ----------
    problem
        The ``ai-ecg`` problem (family ``category_iii``).
    front
        Its solved Pareto front.

    Returns
    -------
    str
        Bullet lines: the Pareto-optimal reference rates, how much of the rate a provider
        expects to collect, the spread of provider margin across contractors, and what
        the front offers near the 2025 OPPS rate.
    """
    problem = as_family(problem, CategoryIIIProblem)
    spec = problem.spec
    p = front.column("p")
    expected = front.column("expected_payment_per_use")
    margin = front.column("provider_margin")
    sd = front.column("provider_margin_sd")
    access = front.column("access")
    cons = spec.contractors
    collect = sum(c.probability * c.coverage for c in cons)
    lines = [
        "What the front shows:",
        f"* Pareto-optimal reference rates run from {p.min():.0f} to {p.max():.0f} USD per "
        f"analysis. Coverage is uncertain: a hospital outpatient department expects to "
        f"collect {100 * collect:.0f}% of the rate (sum of probability x coverage).",
        f"* Over the front the expected payment per AI use is "
        f"{np.nanmin(expected):.2f}-{np.nanmax(expected):.2f} USD; access runs from "
        f"{100 * access.min():.1f}% to {100 * access.max():.1f}% of eligible patients "
        f"(today {100 * problem.compliance:.0f}%).",
    ]
    pos = margin > 0
    if pos.any():
        ratio = sd[pos] / margin[pos]
        lines.append(
            f"* Provider margin depends on the contractor: its probability-weighted standard "
            f"deviation across contractors is {ratio.min():.2f}-{ratio.max():.2f} times the "
            "expected margin on the front, the pricing lottery a Category III code imposes.")
    for c in cons:
        col = front.column(f"provider_margin_{c.name}")
        lines.append(f"* Under '{c.name}' (coverage {c.coverage:.0%}, {c.price_multiplier:g} x "
                     f"the office rate) providers would earn {fmt_money(col.min())} to "
                     f"{fmt_money(col.max())} a year if every site were in its jurisdiction.")
    opps = [o for o in spec.observed if o.variable == "p"]
    if opps:
        near = np.abs(p - opps[0].low) <= 2.0
        if near.any():
            lines.append(
                f"* Near the OPPS rate ({opps[0].low:.2f} USD) the front offers access of "
                f"{100 * access[near].min():.1f}-{100 * access[near].max():.1f}% with a margin "
                f"spread of {fmt_money(sd[near].min())}-{fmt_money(sd[near].max())} a year, "
                "depending on the creator's fee.")
    lines += _pricing_basis(spec)
    lines += pathway_summary(
        problem, front, " (an echocardiogram after a positive AI-ECG, completed by 70%; "
        "treatment of a low EF found by either test)")
    return "\n".join(lines) + "\n"


def _pricing_basis(spec: CategoryIIISpec) -> list[str]:
    """Where the lowest contractor multiple and the office rates come from (plain words)."""
    lines = []
    low = min(spec.contractors, key=lambda c: c.price_multiplier)
    i = spec.contractors.index(low)
    source = spec.sources.get(f"contractors[{i}].price_multiplier", "")
    if "92229" in source:
        lines.append(
            f"* The lowest contractor multiple ({low.price_multiplier:g} x p, '{low.name}') is "
            "borrowed from CPT 92229 in 2021 (28.42 USD at CGS Kentucky vs 55.00 USD at WPS). "
            "92229 was then a contractor-priced Category I code, not a Category III code: it "
            "is the closest observed spread of contractors' prices for an AI exam.")
    for g in spec.segments:
        if g.contractor_priced and g.rate_multiplier != 1.0:
            lines.append(
                f"* {g.name} is priced from office rates: its reference rate is "
                f"{g.rate_multiplier:g} x p (office over hospital outpatient payment of 92229, "
                "2025 figures) before each contractor's multiple.")
    return lines


def main(argv: Sequence[str] | None = None) -> ScriptResult:
    """Run the ai-ecg analysis (see module docstring)."""
    return run_script(NAME, argv, narrative)


if __name__ == "__main__":
    raise SystemExit(script_entry(main, sys.argv[1:]))
