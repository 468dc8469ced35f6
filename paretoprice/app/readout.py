"""One page for one point of any problem: what each stakeholder gets, and how to defend it.

:func:`readout` evaluates the problem at a decision vector and reads the problem's own
quantities generically (by name and unit), so it works for every family and for a user's
own problem file:

* decisions (category decisions by their category name);
* every objective with its unit and sense;
* spend by payer (every reported ``*spend*`` quantity, e.g. ``medicare_spend``,
  ``spend_medicaid``, ``fund_spend``) and the budget impact by year;
* incremental QALYs, ICER with its label and net monetary benefit (NMB), computed from what
  model v1 has: ``dQALY = qaly_gain_per_patient x extra patients served`` and
  ``dCost = budget impact - savings_per_patient x extra patients``; a family that does not
  report the patients it serves says what is missing instead;
* creator NPV, its level annual margin and payback year;
* provider margin and coverage / adoption by segment;
* every guardrail's slack (in its unit) and whether it binds;
* every value anchor and observed price relative to the point.

The budget impact is one steady-state year repeated over the horizon: the model has no
adoption ramp yet (the clinical pathway and ramp of model v2 will replace it); the readout
says so.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from paretoprice.optim.anchors import annuity
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.problem import FEASIBILITY_TOL, PricingProblem

logger = logging.getLogger(__name__)

BIND_TOL = 1e-6
"""A guardrail binds when ``|g| / scale <= BIND_TOL`` (its natural slack is nil)."""


# --------------------------------------------------------------------------- formatting
def currency_of(unit: str) -> str | None:
    """The currency code a unit starts with (``USD per year`` -> ``USD``), else ``None``."""
    head = unit.split(" ", 1)[0]
    return head if len(head) == 3 and head.isalpha() and head.isupper() else None


def fmt_number(value: float | str, unit: str) -> str:
    """``value`` rounded for people by its unit: totals of money to the unit (with
    thousands separators), prices per use to cents, shares as percentages, QALYs to one
    decimal, indices and counts as integers."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    v = float(value)
    cur = currency_of(unit)
    if cur is not None:
        if " per year" in unit or unit == cur:
            return f"{v:,.0f}"
        return f"{v:,.2f}"
    if unit.startswith("share"):
        return f"{100 * v:.2f}%"
    if "QALY" in unit:
        return f"{v:,.1f}"
    if unit in {"index", "years", "sites"} or unit.endswith("per year"):
        return f"{v:,.0f}"
    return f"{v:,.4g}"


def decision_text(problem: PricingProblem, name: str, value: float) -> str:
    """A decision in words: a category decision (unit ``index``) by its category name when
    the problem names them (``schedule`` -> ``flat``), else the number in its unit."""
    unit = next((d.unit for d in problem.decisions if d.name == name), "")
    if unit == "index":
        labels = getattr(problem, f"{name}_names", None)
        i = round(float(value))
        if labels and 0 <= i < len(labels):
            return f"{labels[i]} (option {i})"
        return f"option {i}"
    return f"{fmt_number(value, unit)} {unit}".strip()


# --------------------------------------------------------------------------- points
def parse_at(text: str, owner: str = "--at") -> dict[str, float]:
    """``"p=55,f=20"`` -> ``{"p": 55.0, "f": 20.0}`` (one-line error on bad input)."""
    out: dict[str, float] = {}
    for item in (t.strip() for t in text.split(",")):
        if not item:
            continue
        if "=" not in item:
            raise ParameterError(owner, "NAME=VALUE pairs separated by commas", repr(item),
                                 fix="e.g. --at p=55,f=20.")
        k, v = (s.strip() for s in item.split("=", 1))
        try:
            out[k] = float(v)
        except ValueError:
            raise ParameterError(f"{owner} {k}", "a number", repr(v),
                                 fix=f"e.g. {k}=55.") from None
    if not out:
        raise ParameterError(owner, "at least one NAME=VALUE", repr(text), fix="e.g. p=55.")
    return out


def point_from(problem: PricingProblem, at: Mapping[str, float]) -> tuple[np.ndarray, list[str]]:
    """The decision vector for ``at`` and notes on the decisions it did not give.

    A decision not given takes its fixed value when its bounds pin it, else its lower
    bound (said in the notes). Category decisions accept the category name's index.
    """
    unknown = [k for k in at if k not in problem.decision_names]
    if unknown:
        raise ParameterError(f"--at {unknown[0]}", "a decision of problem "
                             f"'{problem.name}' ({', '.join(problem.decision_names)})",
                             repr(unknown[0]), fix="name a decision, e.g. p=55.")
    x = np.empty(problem.n_var)
    notes = []
    for j, (q, b) in enumerate(zip(problem.decisions, problem.bounds, strict=True)):
        if q.name in at:
            x[j] = at[q.name]
            if not (b.lower - 1e-9 <= x[j] <= b.upper + 1e-9):
                notes.append(f"{q.name} = {x[j]:g} is outside its bounds "
                             f"[{b.lower:g}, {b.upper:g}] {q.unit}")
        else:
            x[j] = b.lower
            if b.lower != b.upper:
                notes.append(f"{q.name} not given: set to its lower bound {b.lower:g} {q.unit}")
    return x, notes


# --------------------------------------------------------------------------- economics
def status_quo(problem: PricingProblem) -> tuple[dict[str, float] | None, str]:
    """The chosen objectives today, without the AI service: the disagreement point of a
    bargaining pick.

    Payers spend today's spend (``todays_spend``), the creator gets 0 (it does not enter),
    access and equity are today's coverage (``sum e n c / sum e n`` and the worst
    segment's ``c``), providers earn 0 on a service they do not offer. ``None`` when the
    problem does not expose today's spend or its settings of care (the caller then uses
    the front's nadir and says so).
    """
    today = getattr(problem, "todays_spend", None)
    segs = getattr(problem.spec, "segments", None)
    if today is None or not segs or not all(hasattr(g, "population")
                                            and hasattr(g, "compliance") for g in segs):
        return None, ""
    n = np.array([g.population for g in segs], dtype=float)
    c = np.array([g.compliance for g in segs], dtype=float)
    e = np.array([getattr(g, "equity_weight", 1.0) for g in segs], dtype=float)
    values = {"payer_spend": float(today), "creator_npv": 0.0,
              "access": float(np.sum(e * n * c) / np.sum(e * n)),
              "provider_margin": 0.0, "equity": float(c.min())}
    if any(o not in values for o in problem.objective_names):
        return None, ""
    return ({o: values[o] for o in problem.objective_names},
            "today without the AI: today's payer spend, creator NPV 0, today's coverage, "
            "provider margin 0")


@dataclass(frozen=True)
class HealthEconomics:
    """Incremental QALYs, cost, ICER and NMB of N points against today (arrays ``(N,)``).

    ``missing`` names what the problem lacks when they cannot be computed (then the arrays
    are ``None``).
    """

    extra_patients: np.ndarray | None
    d_qaly: np.ndarray | None
    d_cost: np.ndarray | None
    nmb: np.ndarray | None
    wtp: float
    missing: str = ""
    basis: str = ("model v1: dQALY = qaly_gain_per_patient x extra patients served a year; "
                  "dCost = budget impact - savings_per_patient x extra patients; NMB = WTP x "
                  "dQALY - dCost; one steady-state year; no clinical pathway yet (model v2)")


def health_economics(problem: PricingProblem, get: Callable[[str], np.ndarray | None],
                     wtp: float | None = None) -> HealthEconomics:
    """QALYs, cost and NMB from the quantities ``get(name)`` returns (a front's columns or
    an evaluation's quantities); ``wtp`` (currency per QALY) overrides the problem's."""
    value = getattr(problem.spec, "value", None)
    if wtp is None:
        wtp = float(getattr(value, "wtp_per_qaly", math.nan)) if value is not None else math.nan
    if value is None:
        return HealthEconomics(None, None, None, None, wtp,
                               "the problem has no [value] table (wtp_per_qaly, "
                               "qaly_gain_per_patient)")
    extra = get("extra_patients")
    if extra is None:
        served = get("patients_served")
        segs = getattr(problem.spec, "segments", None)
        if served is None or not segs or not all(hasattr(g, "population") for g in segs):
            return HealthEconomics(None, None, None, None, wtp,
                                   f"family '{problem.family}' does not report the patients it "
                                   "serves (patients_served), so QALYs cannot be counted")
        today = float(sum(g.population * g.compliance for g in segs))
        extra = served - today
    impact = get("budget_impact")
    if impact is None:
        return HealthEconomics(extra, None, None, None, wtp,
                               f"family '{problem.family}' does not report budget_impact")
    q = float(value.qaly_gain_per_patient)
    s = float(getattr(value, "savings_per_patient", 0.0))
    d_qaly = q * extra
    d_cost = impact - s * extra
    return HealthEconomics(extra, d_qaly, d_cost, wtp * d_qaly - d_cost, wtp)


def icer_label(d_cost: float, d_qaly: float, wtp: float) -> tuple[float, str]:
    """ICER (currency per QALY) and its label: ``dominant`` (no dearer, at least as good,
    one strictly), ``dominated``, ``cost-effective at WTP`` or ``not cost-effective at
    WTP``; ``no change`` when neither moves."""
    eps = 1e-9
    if abs(d_qaly) <= eps and abs(d_cost) <= 1e-6:
        return math.nan, "no change against today"
    if d_cost <= 0 and d_qaly >= 0:
        return (d_cost / d_qaly if d_qaly > eps else math.nan), "dominant (saves money, no " \
            "health loss)"
    if d_cost >= 0 and d_qaly <= 0:
        return (d_cost / d_qaly if d_qaly < -eps else math.nan), "dominated (costs more, no " \
            "health gain)"
    ratio = d_cost / d_qaly
    if d_qaly > 0:
        return ratio, ("cost-effective" if ratio <= wtp else "not cost-effective") + \
            f" at WTP {wtp:,.0f}"
    # saves money and loses health: acceptable when the saving per QALY lost exceeds WTP
    return ratio, ("cost-effective (south-west: saves more than WTP per QALY lost)"
                   if ratio >= wtp else "not cost-effective (south-west)") + f" at WTP {wtp:,.0f}"


def payback_year(problem: PricingProblem, npv: float) -> tuple[float, float | None, str]:
    """The creator's level annual margin ``M = (NPV + F) / annuity(T, r)`` and the first year
    ``t`` whose discounted cumulative margin covers the upfront investment ``F``."""
    cr = getattr(problem.spec, "creator", None)
    if cr is None:
        return math.nan, None, "the problem has no [creator] table"
    T, r, F = int(cr.horizon_years), float(cr.discount_rate), float(cr.upfront_investment)
    M = (npv + F) / annuity(T, r)
    if F <= 0:
        return M, 0.0, "no upfront investment to recover"
    if M <= 0:
        return M, None, "never: the annual margin is not positive"
    cum = 0.0
    for t in range(1, 200):
        cum += M / (1.0 + r) ** t
        if cum >= F - 1e-9:
            return M, float(t), ("within the horizon" if t <= T else
                                 f"after the {T}-year horizon")
    return M, None, "not within 200 years"


# --------------------------------------------------------------------------- readout
@dataclass(frozen=True)
class Line:
    """One row of a readout: section, name, value, unit and a note."""

    section: str
    name: str
    value: float | str
    unit: str = ""
    note: str = ""


@dataclass(frozen=True)
class Readout:
    """A one-page readout of one point (see the module docstring)."""

    problem: str
    decisions: dict[str, float]
    lines: tuple[Line, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    feasible: bool = True

    def section(self, name: str) -> list[Line]:
        """The lines of one section."""
        return [ln for ln in self.lines if ln.section == name]

    def value(self, section: str, name: str) -> float | str:
        """One value by section and name."""
        for ln in self.lines:
            if ln.section == section and ln.name == name:
                return ln.value
        raise KeyError(f"{section}/{name}")

    def to_rows(self, rounded: bool = False) -> list[dict[str, Any]]:
        """Rows ``{section, name, value, unit, note}`` (full precision unless ``rounded``)."""
        return [{"section": ln.section, "name": ln.name,
                 "value": fmt_number(ln.value, ln.unit) if rounded else ln.value,
                 "unit": ln.unit, "note": ln.note} for ln in self.lines]

    def to_json(self) -> str:
        """JSON with full precision (NaN written as null)."""
        def clean(v: Any) -> Any:
            return None if isinstance(v, float) and not math.isfinite(v) else v

        rows = [{k: clean(v) for k, v in r.items()} for r in self.to_rows()]
        return json.dumps({"problem": self.problem, "decisions": self.decisions,
                           "feasible": self.feasible, "notes": list(self.notes),
                           "lines": rows}, indent=2)

    def to_csv(self) -> str:
        """CSV with full precision: section,name,value,unit,note."""
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=["section", "name", "value", "unit", "note"],
                           lineterminator="\n")
        w.writeheader()
        w.writerows(self.to_rows())
        return buf.getvalue()

    def to_text(self) -> str:
        """The page for people: one block per section, values rounded by unit."""
        at = ", ".join(f"{k} = {v:g}" for k, v in self.decisions.items())
        out = [f"Readout of '{self.problem}' at {at}",
               "" if self.feasible else "!! this point breaks at least one guardrail (below)"]
        out += [f"note: {n}" for n in self.notes]
        current = None
        for ln in self.lines:
            if ln.section != current:
                current = ln.section
                out.append(f"\n{current}")
            val = fmt_number(ln.value, ln.unit)
            unit = ln.unit if not isinstance(ln.value, str) else ""
            text = f"  {ln.name:<38} {val:>18} {unit}".rstrip()
            if ln.note:
                text += f"  ({ln.note})"
            out.append(text)
        return "\n".join(o for o in out if o is not None)


def readout(problem: PricingProblem, x: Sequence[float] | np.ndarray,
            notes: Sequence[str] = ()) -> Readout:
    """The readout of ``problem`` at decision vector ``x`` (see the module docstring)."""
    from paretoprice.app.plots import anchor_comparable
    from paretoprice.optim.spec import OBJECTIVE_SENSES

    X = np.asarray(x, dtype=float).reshape(1, -1)
    ev = problem.evaluate(X, report=True)
    units = problem.quantity_units()

    def get(name: str) -> np.ndarray | None:
        if name in ev.objectives:
            return ev.objectives[name]
        return ev.reported.get(name)

    def val(name: str) -> float:
        v = get(name)
        return float(v[0]) if v is not None else math.nan

    lines: list[Line] = []
    dec = {q.name: float(X[0, j]) for j, q in enumerate(problem.decisions)}
    for q in problem.decisions:
        v = dec[q.name]
        text = decision_text(problem, q.name, v)
        lines.append(Line("Decisions", q.name, v if q.unit != "index" else text, q.unit,
                          q.description))
    for q in problem.all_objectives:
        chosen = "chosen" if q.name in problem.objective_names else "reported, not optimized"
        lines.append(Line("Objectives", q.name, val(q.name), q.unit,
                          f"{OBJECTIVE_SENSES.get(q.name, '')}, {chosen}"))
    # spend by payer
    spend = [q for q in problem.reported if "spend" in q.name and q.name != "payer_spend"
             and currency_of(q.unit)]
    lines.append(Line("Spend by payer", "payer_spend (all payers)", val("payer_spend"),
                      units.get("payer_spend", "")))
    for q in spend:
        lines.append(Line("Spend by payer", q.name, val(q.name), q.unit, q.description))
    if not spend:
        lines.append(Line("Spend by payer", "split by payer", "not reported", "",
                          f"family '{problem.family}' reports payer spend as one total"))
    else:
        listed = sum(val(q.name) for q in spend if math.isfinite(val(q.name)))
        rest = val("payer_spend") - listed
        if math.isfinite(rest) and abs(rest) > 0.005 * abs(val("payer_spend")):
            lines.append(Line("Spend by payer", "other payers (not split by the model)", rest,
                              units.get("payer_spend", ""),
                              "payer_spend minus the lines above"))
    # budget impact by year
    impact = val("budget_impact")
    cr = getattr(problem.spec, "creator", None)
    horizon = int(cr.horizon_years) if cr is not None else 1
    rate = float(cr.discount_rate) if cr is not None else 0.0
    bi_unit = units.get("budget_impact", units.get("payer_spend", ""))
    if math.isfinite(impact):
        for t in range(1, horizon + 1):
            disc = fmt_number(impact / (1 + rate) ** t, bi_unit)
            lines.append(Line("Budget impact by year", f"year {t}", impact, bi_unit,
                              f"discounted at {rate:g}: {disc}"))
        lines.append(Line("Budget impact by year", f"total over {horizon} years", impact * horizon,
                          bi_unit.replace(" per year", ""),
                          "steady state every year: no adoption ramp in model v1"))
    else:
        lines.append(Line("Budget impact by year", "budget_impact", "not reported", "",
                          f"family '{problem.family}' does not report it"))
    # health economics
    he = health_economics(problem, get)
    if he.nmb is None:
        lines.append(Line("Health economics", "incremental QALYs, ICER, NMB", "not available", "",
                          he.missing))
    else:
        d_q, d_c, nmb = float(he.d_qaly[0]), float(he.d_cost[0]), float(he.nmb[0])
        ratio, label = icer_label(d_c, d_q, he.wtp)
        cur = currency_of(bi_unit) or "USD"
        lines += [
            Line("Health economics", "extra patients served", float(he.extra_patients[0]),
                 "patients per year", "beyond today's"),
            Line("Health economics", "incremental QALYs", d_q, "QALYs per year",
                 "qaly_gain_per_patient x extra patients"),
            Line("Health economics", "incremental cost", d_c, f"{cur} per year",
                 "budget impact net of downstream savings"),
            Line("Health economics", "ICER", ratio, f"{cur} per QALY", label)
            if math.isfinite(ratio) and not label.startswith("dom")
            else Line("Health economics", "ICER", label, "", "no ratio is reported for a "
                      "dominant or dominated strategy"),
            Line("Health economics", "net monetary benefit", nmb, f"{cur} per year",
                 f"at WTP {he.wtp:,.0f} {cur} per QALY"),
            Line("Health economics", "basis", "model v1", "", he.basis),
        ]
    # creator
    npv = val("creator_npv")
    if math.isfinite(npv):
        M, year, why = payback_year(problem, npv)
        cur = currency_of(units.get("creator_npv", "USD")) or "USD"
        lines.append(Line("Creator", "creator_npv", npv, units.get("creator_npv", "")))
        lines.append(Line("Creator", "level annual margin", M, f"{cur} per year",
                          "(NPV + upfront investment) / annuity(T, r)"))
        lines.append(Line("Creator", "payback year",
                          f"year {year:.0f}" if year is not None else "never", "", why))
    # providers and segments
    lines.append(Line("Providers and segments", "provider_margin", val("provider_margin"),
                      units.get("provider_margin", "")))
    for q in problem.reported:
        if q.name.startswith(("coverage_", "adoption_", "provider_margin_")):
            lines.append(Line("Providers and segments", q.name, val(q.name), q.unit,
                              q.description))
    if not any(q.name.startswith("provider_margin_") for q in problem.reported):
        lines.append(Line("Providers and segments", "provider margin by segment",
                          "not reported", "", "the model reports the providers' total"))
    # guardrails
    feasible = True
    for g in problem.guardrails:
        gv = float(ev.constraints[g.name][0])
        rel = gv / g.scale
        if rel > FEASIBILITY_TOL:
            status, feasible = "VIOLATED", False
        elif abs(rel) <= BIND_TOL:
            status = "binds"
        else:
            status = "slack"
        lines.append(Line("Guardrails (slack >= 0 is met)", g.name, -gv, g.unit,
                          f"{status}; {g.description}"))
    if not problem.guardrails:
        lines.append(Line("Guardrails (slack >= 0 is met)", "none enabled", "", "", ""))
    # anchors
    for a in problem.anchors():
        cmp = [q for q in problem.decisions if anchor_comparable(q.unit, a.unit)]
        # caps bound the payer's price, floors the creator's fee: compare with those
        role = ("f",) if a.name in {"marginal_cost", "total_cost_of_ownership"} else ("p",)
        cmp = [q for q in cmp if q.name.startswith(role)] or cmp
        where = "; ".join(
            f"{q.name} = {dec[q.name]:,.2f} is {_rel(dec[q.name], a.value)}" for q in cmp)
        lines.append(Line("Value anchors", a.name, a.value, a.unit,
                          where or "no decision priced in this unit"))
    # observed prices
    obs = getattr(problem.spec, "observed", ())
    for o in obs:
        v = dec[o.variable]
        band = f"{o.low:g}" if o.low == o.high else f"{o.low:g}-{o.high:g}"
        unit = next(q.unit for q in problem.decisions if q.name == o.variable)
        if o.low <= v <= o.high:
            pos = "inside the band" if o.low < o.high else "equal"
        elif v > o.high:
            pos = f"{v - o.high:,.2f} above"
        else:
            pos = f"{o.low - v:,.2f} below"
        lines.append(Line("Observed prices", o.name, f"{band} {unit}", unit,
                          f"the point's {o.variable} = {v:,.2f} is {pos}"))
    if not obs:
        lines.append(Line("Observed prices", "none in the problem file", "", "", ""))
    return Readout(problem.name, dec, tuple(lines), tuple(notes), feasible)


def _rel(v: float, anchor: float) -> str:
    if abs(v - anchor) <= 1e-9 * max(1.0, abs(anchor)):
        return "at the anchor"
    d = v - anchor
    pct = f" ({100 * d / anchor:+.1f}%)" if anchor else ""
    return f"{abs(d):,.2f} {'above' if d > 0 else 'below'}{pct}"


__all__ = ["HealthEconomics", "Line", "Readout", "decision_text", "fmt_number",
           "health_economics", "icer_label", "parse_at", "payback_year", "point_from",
           "readout", "status_quo"]
