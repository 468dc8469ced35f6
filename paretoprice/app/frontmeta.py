"""What ``front.json`` carries beyond the front itself: the value anchors, where each
observed price sits, and the picks (all JSON-ready)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from paretoprice.optim.problem import PricingProblem

if TYPE_CHECKING:
    from paretoprice.app.explain import Explanation


def front_extras(problem: PricingProblem, exp: Explanation | None = None) -> dict[str, Any]:
    """``{"anchors": [...], "observed": [...], "picks": [...]}`` for ``front.json``.

    Each observed price carries its location (feasible, on the front, the range of the other
    decisions on the front, the most balanced completion) when ``exp`` is given.
    """
    anchors = [{"name": a.name, "value": a.value, "unit": a.unit, "formula": a.formula}
               for a in problem.anchors()]
    units = {q.name: q.unit for q in problem.decisions}
    observed = []
    locs = {loc.name: loc for loc in exp.locations} if exp is not None else {}
    for o in problem.spec.observed:
        row: dict[str, Any] = {"name": o.name, "variable": o.variable, "low": o.low,
                               "high": o.high, "unit": units.get(o.variable, ""),
                               "source": o.source}
        if o.jointly:
            row["jointly"] = dict(o.jointly)
        loc = locs.get(o.name)
        if loc is not None:
            row["location"] = {
                "feasible": loc.feasible, "on_front": loc.on_front,
                "violated": list(loc.violated),
                "other_ranges": {k: list(v) for k, v in loc.other_ranges.items()},
                "most_balanced_completion": {"decisions": loc.compromise_decisions,
                                             "objectives": loc.compromise},
            }
        observed.append(row)
    out: dict[str, Any] = {"anchors": anchors, "observed": observed}
    if exp is not None:
        out["picks"] = [p.to_dict() for p in exp.picks]
    return out
