"""Generalist AI on chest CT: per-task codes vs one bundle code, and when the bundle wins.

Solves the exact front of ``generalist-ct`` (grid on the price ladders), then compares the
two code sets on their own: the payer's spend against the share of indicated task results
delivered, with only per-task codes and with only the bundle code, at the problem's
integration gain and at other assumed cost savings.

Run::

    python -m paretoprice.problems.generalist_ct --out results/generalist-ct
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from paretoprice.app.runner import ScriptResult, fmt_money, run_script, script_entry
from paretoprice.optim.families.generalist_bundle import GeneralistBundleProblem
from paretoprice.optim.front import ParetoFront
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
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> ScriptResult:
    """Run the generalist-ct analysis (see module docstring)."""
    return run_script(NAME, argv, narrative)


if __name__ == "__main__":
    raise SystemExit(script_entry(main, sys.argv[1:]))
