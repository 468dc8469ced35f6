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
from paretoprice.optim.families.ffs import FeeForServiceProblem
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.problem import PricingProblem, as_family

from paretoprice.app.runner import ScriptResult, fmt_money, run_script

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
    for g in spec.segments:
        # AI spend per eligible patient u s p vs today's c v_c: adoption saves while p is below
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
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> ScriptResult:
    """Run the ffr-ct analysis (see module docstring)."""
    return run_script(NAME, argv, narrative)


if __name__ == "__main__":
    main(sys.argv[1:])
