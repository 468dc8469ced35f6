"""LVO stroke detection under Medicare's NTAP: the exact Pareto front over the technology's
price (the add-on share is statutory), which hospitals the add-on reaches, and what its 3-year limit
does to the creator's business.

Run::

    python -m paretoprice.problems.lvo_ntap --out results/lvo-ntap
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from paretoprice.app.runner import ScriptResult, fmt_money, run_script, script_entry
from paretoprice.optim.families.ntap import NtapProblem
from paretoprice.optim.front import ParetoFront
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
        f"* Payer spend is Medicare's technology-related payments (add-on plus the change in "
        f"outlier payments), discounted like the creator's NPV: {fmt_money(spend.min())} to "
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
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> ScriptResult:
    """Run the lvo-ntap analysis (see module docstring)."""
    return run_script(NAME, argv, narrative)


if __name__ == "__main__":
    raise SystemExit(script_entry(main, sys.argv[1:]))
