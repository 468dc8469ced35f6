"""Say what a front means, for any problem file: anchors, where real prices sit, what the
front shows, and the picks with their reasons.

:func:`explain_text` is what ``paretoprice explain PROBLEM`` prints and what every bundled
script prints before its own narrative. :func:`standard_picks` runs every pick rule with
defaults a reader can check: equal weights, the status quo (today without the AI) as the
disagreement point when the problem exposes it (else the front's nadir, said so), the
first observed price for ``nearest``, and best NMB at the problem's willingness to pay
among points where the creator's NPV is at least 0.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from paretoprice.app.analysis import Location, locate
from paretoprice.app.readout import (
    currency_of,
    decision_text,
    fmt_number,
    health_economics,
    status_quo,
)
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.pick import Pick, pick, tradeoffs
from paretoprice.optim.problem import FEASIBILITY_TOL, PricingProblem
from paretoprice.optim.spec import ObservedPrice

logger = logging.getLogger(__name__)


def default_solver(problem: PricingProblem, max_grid: int = 5_000_000) -> str:
    """``grid`` when the problem is laddered and small enough, else ``nsga2``."""
    if problem.exact_capable and problem.ladder_size() <= max_grid:  # exact, nothing built
        return "grid"
    return "nsga2"


def fmt_value(unit: str, v: float) -> str:
    """A value in its unit for prose: money totals scaled (12.3 million USD per year),
    shares as percentages, prices to cents."""
    cur = currency_of(unit)
    if cur is not None and ("per year" in unit or unit == cur):
        a = abs(v)
        rest = unit[len(cur):]
        if a >= 1e9:
            return f"{v / 1e9:,.2f} billion {cur}{rest}"
        if a >= 1e6:
            return f"{v / 1e6:,.1f} million {cur}{rest}"
        return f"{v:,.0f} {unit}"
    if unit.startswith("share"):
        return f"{100 * v:.1f}%"
    return f"{fmt_number(v, unit)} {unit}".strip()


def nmb_of_front(problem: PricingProblem, front: ParetoFront,
                 wtp: float | None = None) -> tuple[np.ndarray | None, str]:
    """NMB of every front point (currency per year) and its label, or ``None`` and what is
    missing (see :func:`paretoprice.app.readout.health_economics`)."""
    def get(name: str) -> np.ndarray | None:
        try:
            return front.column(name)
        except KeyError:
            return None

    he = health_economics(problem, get, wtp)
    if he.nmb is None:
        return None, he.missing
    cur = currency_of(problem.quantity_units().get("payer_spend", "")) or "USD"
    basis = "clinical-pathway (model v2) NMB" if he.pathway else "NMB (model v1)"
    return he.nmb, f"{basis} at {he.wtp:,.0f} {cur} per QALY"


def run_pick(problem: PricingProblem, front: ParetoFront, method: str, *,
             weights: dict[str, float] | None = None,
             reference: dict[str, float] | None = None,
             disagreement: dict[str, float] | None = None,
             near: dict[str, float] | None = None,
             wtp: float | None = None) -> Pick:
    """One pick with the problem's defaults filled in (status quo, NMB, creator NPV >= 0)."""
    opts: dict = {}
    if method in {"weights", "asf"}:
        opts["weights"] = weights
        if method == "asf":
            opts["reference"] = reference
    if method in {"nash", "kalai-smorodinsky"}:
        if disagreement is not None:
            opts["disagreement"] = disagreement
            opts["disagreement_label"] = "given: " + ", ".join(
                f"{k} = {v:g}" for k, v in disagreement.items())
        else:
            sq, label = status_quo(problem)
            if sq is not None:
                opts["disagreement"], opts["disagreement_label"] = sq, label
    if method == "nearest":
        if not near:
            obs = [o for o in problem.spec.observed if o.variable in front.decision_names]
            if not obs:
                raise ParameterError("--near", "a decision value, e.g. p=55", "nothing (and no "
                                     "observed price in the problem file)",
                                     fix="add --near p=55.")
            o = obs[0]
            near = {o.variable: (o.low + o.high) / 2, **o.jointly}
        opts["near"] = near
    if method == "best-nmb":
        nmb, label = nmb_of_front(problem, front, wtp)
        if nmb is None:
            raise ParameterError("--method best-nmb", "a problem whose model counts QALYs",
                                 label, fix="use another rule, e.g. --method nash.")
        opts["nmb"], opts["nmb_label"] = nmb, label
        if "creator_npv" in front.objective_names or "creator_npv" in front.reported:
            opts["condition"] = front.column("creator_npv") >= 0
            opts["condition_label"] = "creator NPV >= 0"
    return pick(front, method, **opts)


def standard_picks(problem: PricingProblem, front: ParetoFront) -> list[Pick]:
    """Every rule with its default inputs (see the module docstring); rules that cannot
    apply (no QALYs, no point beating the status quo) are left out with a log line."""
    out = []
    methods = ["knee", "weights", "nash", "kalai-smorodinsky"]
    if any(o.variable in front.decision_names for o in problem.spec.observed):
        methods.append("nearest")
    methods.append("best-nmb")
    for m in methods:
        try:
            out.append(run_pick(problem, front, m))
        except ParameterError as exc:
            logger.info("pick %s skipped: %s", m, exc)
    return out


def describe_pick(problem: PricingProblem, front: ParetoFront, pk: Pick,
                  others: dict[str, dict[str, float]] | None = None) -> list[str]:
    """Lines for one pick: the point, why it won, what it gives up against the others."""
    units = dict(zip(front.objective_names, front.units, strict=True))
    dec = ", ".join(f"{k} = {decision_text(problem, k, v)}" for k, v in pk.decisions.items()
                    if _varies(front, k))
    obj = "; ".join(f"{k} {fmt_value(units[k], v)}" for k, v in pk.objectives.items())
    lines = [f"* {pk.method}: {dec or 'the only point'}", f"    {obj}",
             f"    why: {pk.why}."]
    if others:
        parts = []
        for other, lost in others.items():
            parts.append(f"vs {other}: " + ", ".join(
                f"{k} {_amount(units[k], v)}" for k, v in lost.items()))
        lines.append("    gives up " + "; ".join(parts) + ".")
    return lines


def _amount(unit: str, v: float) -> str:
    return f"{100 * abs(v):.1f} pp" if unit.startswith("share") else fmt_value(unit, abs(v))


def _varies(front: ParetoFront, name: str) -> bool:
    x = front.column(name)
    return bool(len(x)) and float(x.max()) > float(x.min())


def front_facts(problem: PricingProblem, front: ParetoFront) -> list[str]:
    """What the front shows, for any problem: objective and decision ranges, the creator's
    break-even share, which guardrails bind on how much of the front."""
    kind = "exact on the ladder" if front.provenance.exact else "heuristic: an approximation"
    lines = [f"* {len(front)} Pareto-optimal points from '{front.provenance.solver}' "
             f"({kind}, {front.provenance.runtime_s:.2f} s)."]
    for j, (n, s, u) in enumerate(zip(front.objective_names, front.senses, front.units,
                                      strict=True)):
        col = front.objectives[:, j]
        lines.append(f"* {n} ({s}): {fmt_value(u, col.min())} to {fmt_value(u, col.max())}.")
    for j, (n, u) in enumerate(zip(front.decision_names, front.decision_units, strict=True)):
        col = front.decisions[:, j]
        if col.max() > col.min():
            if u == "index":
                cats = sorted({decision_text(problem, n, v) for v in np.unique(col)})
                lines.append(f"* {n} on the front: {', '.join(cats)}.")
            else:
                lines.append(f"* {n} on the front: {fmt_number(col.min(), u)} to "
                             f"{fmt_number(col.max(), u)} {u}.")
    try:
        npv = front.column("creator_npv")
        lines.append(f"* The creator breaks even (NPV >= 0) on {100 * np.mean(npv >= 0):.0f}% "
                     "of the front.")
    except KeyError:
        pass
    if len(front) and problem.guardrails:
        ev = problem.evaluate(front.decisions, report=False)
        binds = []
        for g in problem.guardrails:
            rel = np.abs(ev.constraints[g.name] / g.scale)
            share = float(np.mean(rel <= max(1e-3, FEASIBILITY_TOL)))
            if share > 0:
                binds.append(f"{g.name} on {100 * share:.0f}%")
        lines.append("* Guardrails binding (within 0.1% of their limit): "
                     + (", ".join(binds) if binds else "none") + " of the front.")
    return lines


def describe_locations(problem: PricingProblem, locations: Sequence[Location]) -> str:
    """Plain-words lines on where each observed price sits, each decision in its own unit,
    with the front's most balanced completion (see :mod:`paretoprice.app.analysis`)."""
    units = dict(zip(problem.objective_names, problem.objective_units, strict=True))
    dec_units = {q.name: q.unit for q in problem.decisions}
    lines = []
    for loc in locations:
        fixed = loc.fixed or {loc.variable: (loc.low, loc.high)}
        observed = ", ".join(
            f"{k} = {fmt_number(lo, dec_units.get(k, ''))} {dec_units.get(k, '')}".rstrip()
            if lo == hi else
            f"{k} = {fmt_number(lo, dec_units.get(k, ''))}-{fmt_number(hi, dec_units.get(k, ''))}"
            f" {dec_units.get(k, '')}".rstrip()
            for k, (lo, hi) in fixed.items())
        head = f"* {loc.name} ({observed}): "
        if not loc.feasible:
            lines.append(head + "breaks guardrail(s) " + ", ".join(loc.violated) + ".")
            continue
        head += "on the Pareto front" if loc.on_front else "dominated (every completion is " \
            "beaten on all objectives by some front point)"
        if loc.other_ranges:
            rng = "; ".join(f"{k} {fmt_number(a, dec_units.get(k, ''))}-"
                            f"{fmt_number(b, dec_units.get(k, ''))}"
                            for k, (a, b) in loc.other_ranges.items() if a != b or a != 0)
            if rng:
                head += f", with {rng} on the front"
        lines.append(head + ".")
        comp_dec = ", ".join(f"{k} = {decision_text(problem, k, v)}"
                             for k, v in loc.compromise_decisions.items()
                             if k not in fixed and k in loc.other_ranges
                             and loc.other_ranges[k][0] != loc.other_ranges[k][1])
        comp = ", ".join(f"{k} {fmt_value(units[k], v)}" for k, v in loc.compromise.items())
        lines.append("    most balanced completion" + (f" ({comp_dec})" if comp_dec else "")
                     + f": {comp}")
        if loc.delta:
            d = ", ".join(f"{k} {_delta(units[k], v)}" for k, v in loc.delta.items())
            lines.append(f"    vs the access-maximizing price: {d}")
    return "\n".join(lines)


def _delta(unit: str, v: float) -> str:
    sign = "+" if v >= 0 else "-"
    if unit.startswith("share"):
        return f"{sign}{100 * abs(v):.1f} percentage points"
    return sign + fmt_value(unit, abs(v))


def access_baseline(problem: PricingProblem, variable: str) -> ObservedPrice | None:
    """The access-maximizing value ``v_e`` as an observation on ``variable`` when it is a
    payer's price (not the creator's fee ``f``) in the anchors' unit (per use or per
    patient, same currency), else ``None``."""
    from paretoprice.app.plots import anchor_comparable

    if variable not in problem.decision_names or variable.startswith("f"):
        return None  # v_e anchors what payers pay, not the creator's fee
    try:
        anchor = problem.anchors()["access_maximizing"]
    except KeyError:
        return None
    unit = problem.decisions[problem.decision_names.index(variable)].unit
    if not anchor_comparable(unit, anchor.unit):
        return None
    return ObservedPrice(name="access-maximizing value", variable=variable,
                         low=anchor.value, high=anchor.value)


def locate_observed(problem: PricingProblem, front: ParetoFront) -> list[Location]:
    """Every observed price of the problem file located on ``front``."""
    locations: list[Location] = []
    baselines: dict[str, Location | None] = {}
    for obs in problem.spec.observed:
        if obs.variable not in baselines:
            base = access_baseline(problem, obs.variable)
            baselines[obs.variable] = None if base is None else locate(problem, front, base)
        locations.append(locate(problem, front, obs, baseline=baselines[obs.variable]))
    return locations


@dataclass(frozen=True)
class Explanation:
    """What :func:`explain` found: the text, the located prices and the picks."""

    text: str
    locations: tuple[Location, ...]
    picks: tuple[Pick, ...]


def anchors_text(problem: PricingProblem) -> str:
    """The value anchors as aligned lines."""
    lines = ["Value anchors:"]
    for a in problem.anchors():
        lines.append(f"  {a.name:<25} {a.value:>14,.2f} {a.unit:<16} {a.formula}")
    return "\n".join(lines)


def explain(problem: PricingProblem, front: ParetoFront) -> Explanation:
    """Where real prices sit, what the front shows, and the picks (anchors not included:
    see :func:`anchors_text`)."""
    locations = locate_observed(problem, front)
    picks = standard_picks(problem, front)
    parts = []
    if locations:
        parts.append("Where real prices sit:\n" + describe_locations(problem, locations))
    elif problem.spec.observed == ():
        parts.append("Where real prices sit: the problem file lists no [[observed]] price.")
    parts.append("What the front shows:\n" + "\n".join(front_facts(problem, front)))
    if picks:
        gives = tradeoffs(front, picks)
        lines = ["Picks (objectives normalized to the front's ideal and nadir; ties go to the "
                 "most balanced point, then the first row):"]
        for pk in picks:
            lines += describe_pick(problem, front, pk, gives.get(pk.method))
        sq, _ = status_quo(problem)
        if sq is None:
            lines.append("  (Nash and Kalai-Smorodinsky bargain from the front's nadir: the "
                         "problem does not expose today's spend and coverage.)")
        parts.append("\n".join(lines))
    nmb, missing = nmb_of_front(problem, front)
    if nmb is None:
        parts.append(f"Best NMB not computed: {missing}.")
    return Explanation("\n\n".join(parts) + "\n", tuple(locations), tuple(picks))


def objective_summary(front: ParetoFront) -> str:
    """Objective ranges with units and senses, one line each (for ``solve``)."""
    out = []
    for j, (n, s, u) in enumerate(zip(front.objective_names, front.senses, front.units,
                                      strict=True)):
        col = front.objectives[:, j]
        if len(col) == 0:
            continue
        desc = "minimized" if s == "min" else "maximized"
        out.append(f"  {n:<18} {desc:<9} {fmt_value(u, float(col.min())):>28} to "
                   f"{fmt_value(u, float(col.max())):<28} [{u}]")
    return "\n".join(out)


__all__ = ["Explanation", "access_baseline", "anchors_text", "default_solver",
           "describe_locations", "describe_pick", "explain", "fmt_value", "front_facts",
           "locate_observed", "nmb_of_front", "objective_summary", "run_pick",
           "standard_picks"]


