"""One page for one point of any problem: what each stakeholder gets, and how to defend it.

:func:`readout` evaluates the problem at a decision vector and reads the problem's own
quantities generically (by name and unit), so it works for every family and for a user's
own problem file:

* decisions (category decisions by their category name);
* every objective with its unit and sense;
* spend by payer: the per-payer columns ``spend_<payer>`` (plus ``fund_spend``) when the
  problem reports them, else every reported ``*spend*`` quantity (``medicare_spend``,
  ``fund_spend``); a remainder line appears only when the lines do not add up to
  ``payer_spend``;
* budget impact by year: from the problem's ``budget_impact(X)`` method when it has one
  (year by year on its adoption ramp, by payer, undiscounted and discounted), else the
  steady-state year repeated over the horizon, labelled as such;
* health economics: from the clinical pathway's columns when the problem reports them
  (``incremental_cost``, ``incremental_qalys``, ``icer`` and ``icer_label``, NMB at the
  problem's willingness to pay and at 50k/100k/150k; "model v2 (clinical pathway)"), else
  the model v1 approximation ``dQALY = qaly_gain_per_patient x extra patients served`` and
  ``dCost = budget impact - savings_per_patient x extra patients``; a family that reports
  neither says what is missing;
* creator NPV, its annual margin and payback year (on the same adoption ramp);
* provider margin and coverage / adoption by segment;
* every guardrail's slack (in its unit) and whether it binds;
* every value anchor and observed price relative to the point.
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
from paretoprice.optim.budget import BudgetImpact, is_immediate, ramped_annuity
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.pathway import WTP_THRESHOLDS, icer_label_text, icer_with_label
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
        if " per year" in unit or unit == cur or unit.endswith("per QALY"):
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


V1_BASIS = ("dQALY = qaly_gain_per_patient x extra patients served a year; "
            "dCost = budget impact - savings_per_patient x extra patients; NMB = WTP x dQALY "
            "- dCost; one steady-state year; the problem has no clinical pathway")
"""What the v1 approximation of the health economics counts."""

V2_BASIS = ("dCost = payer_spend with the downstream follow-up "
            "and treatment minus the status quo's; dQALY = QALYs of both arms' examined "
            "patients minus the status quo's; NMB = WTP x dQALY - dCost; steady-state year")
"""What the pathway's health economics count (``incremental_cost``, ``incremental_qalys``)."""

PATHWAY_COLUMNS = ("incremental_cost", "incremental_qalys")
"""The reported columns that make a problem's health economics model v2 (clinical pathway)."""


@dataclass(frozen=True)
class HealthEconomics:
    """Incremental QALYs, cost, ICER and NMB of N points against today (arrays ``(N,)``).

    ``pathway`` says whether they come from the clinical pathway's columns (model v2) or
    the v1 approximation (``basis`` says which). ``missing`` names what the problem lacks
    when they cannot be computed (then the arrays are ``None``).
    """

    extra_patients: np.ndarray | None
    d_qaly: np.ndarray | None
    d_cost: np.ndarray | None
    nmb: np.ndarray | None
    wtp: float
    missing: str = ""
    basis: str = V1_BASIS
    pathway: bool = False

    @property
    def model(self) -> str:
        """``"model v2 (clinical pathway)"`` or ``"model v1"``."""
        return "model v2 (clinical pathway)" if self.pathway else "model v1"


def health_economics(problem: PricingProblem, get: Callable[[str], np.ndarray | None],
                     wtp: float | None = None) -> HealthEconomics:
    """QALYs, cost and NMB from the quantities ``get(name)`` returns (a front's columns or
    an evaluation's quantities); ``wtp`` (currency per QALY) overrides the problem's.

    When the problem reports the pathway's ``incremental_cost`` and ``incremental_qalys``
    (money and QALYs per year against the status quo) they are used as they are (model
    v2); otherwise the v1 approximation from ``[value]`` and the patients served.
    """
    value = getattr(problem.spec, "value", None)
    if wtp is None:  # a portfolio prices its services' QALYs at their common WTP
        wtp = float(getattr(value, "wtp_per_qaly", math.nan)) if value is not None else \
            float(getattr(problem, "willingness_to_pay", math.nan))
    served = get("patients_served")
    segs = getattr(problem.spec, "segments", None)
    extra = get("extra_patients")
    if extra is None and served is not None and segs and all(
            hasattr(g, "population") and hasattr(g, "compliance") for g in segs):
        extra = served - float(sum(g.population * g.compliance for g in segs))
    d_cost, d_qaly = (get(c) for c in PATHWAY_COLUMNS)
    if d_cost is not None and d_qaly is not None:
        nmb = wtp * d_qaly - d_cost
        return HealthEconomics(extra, d_qaly, d_cost, nmb, wtp, basis=V2_BASIS, pathway=True)
    if value is None:
        return HealthEconomics(None, None, None, None, wtp,
                               "the problem has no [value] table (wtp_per_qaly, "
                               "qaly_gain_per_patient)")
    if extra is None:
        return HealthEconomics(None, None, None, None, wtp,
                               f"family '{problem.family}' does not report the patients it "
                               "serves (patients_served), so QALYs cannot be counted")
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


def payback_year(problem: PricingProblem, npv: float,
                 shares: np.ndarray | None = None) -> tuple[float, float | None, str]:
    """The creator's steady-state annual margin and the first year its discounted
    cumulative cash flow covers the upfront investment ``F``.

    Without a ramp (``shares`` ``None`` or all 1) the margin is level:
    ``M = (NPV + F) / annuity(T, r)`` (net of fixed costs, currency per year). On an
    adoption ramp ``r_1..r_T`` (shares of steady-state adoption, as the problem's NPV uses
    them) the use-driven margin ``M_u`` solves ``NPV = sum_t (1 + r)^-t (r_t M_u - O) - F``
    and year ``t`` earns ``r_t M_u - O`` (``M_u - O`` after the horizon); the margin
    returned is the steady-state ``M_u - O``.
    """
    cr = getattr(problem.spec, "creator", None)
    if cr is None:
        return math.nan, None, "the problem has no [creator] table"
    T, r, F = int(cr.horizon_years), float(cr.discount_rate), float(cr.upfront_investment)
    fixed = float(getattr(cr, "annual_fixed_cost", 0.0))
    ramp = np.ones(T) if shares is None else np.asarray(shares, dtype=float)
    if is_immediate(ramp):
        M = (npv + F) / annuity(T, r)
        flows = np.full(T, M)
    else:
        M_u = (npv + F + annuity(T, r) * fixed) / ramped_annuity(ramp, r)
        M = M_u - fixed
        flows = ramp * M_u - fixed
    if F <= 0:
        return M, 0.0, "no upfront investment to recover"
    if M <= 0 and float(np.max(flows)) <= 0:
        return M, None, "never: the annual margin is not positive"
    cum = 0.0
    for t in range(1, 200):
        cum += (flows[t - 1] if t <= T else M) / (1.0 + r) ** t
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
    bi = _budget_impact_of(problem, X)
    lines += _spend_lines(problem, val, units, bi)
    bi_unit = units.get("budget_impact", units.get("payer_spend", ""))
    lines += _budget_lines(problem, bi, val("budget_impact"), bi_unit)
    lines += _health_lines(problem, get, currency_of(bi_unit) or "USD")
    # creator
    npv = val("creator_npv")
    if math.isfinite(npv):
        M, year, why = payback_year(problem, npv, bi.shares if bi is not None else None)
        cur = currency_of(units.get("creator_npv", "USD")) or "USD"
        ramped = bi is not None and not is_immediate(bi.shares)
        lines.append(Line("Creator", "creator_npv", npv, units.get("creator_npv", "")))
        lines.append(Line("Creator", "steady-state annual margin" if ramped
                          else "level annual margin", M, f"{cur} per year",
                          "at full adoption, after fixed costs; the NPV follows the adoption "
                          "ramp" if ramped else "(NPV + upfront investment) / annuity(T, r)"))
        lines.append(Line("Creator", "payback year",
                          f"year {year:.0f}" if year is not None else "never", "",
                          why + ("; on the adoption ramp" if ramped else "")))
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


# --------------------------------------------------------------------------- sections
def _spend_lines(problem: PricingProblem, val: Callable[[str], float],
                 units: Mapping[str, str], bi: BudgetImpact | None = None) -> list[Line]:
    """Spend by payer: the ``spend_<payer>`` columns (and ``fund_spend``) when reported,
    else the payers of the problem's budget impact at steady state (an immediate ramp),
    else every ``*spend*`` quantity; the remainder only when the lines miss payer_spend."""
    sec = "Spend by payer"
    total = val("payer_spend")
    unit = units.get("payer_spend", "")
    out = [Line(sec, "payer_spend (all payers)", total, unit)]
    per_payer = [q for q in problem.reported if q.name.startswith("spend_")
                 and currency_of(q.unit)]
    if not per_payer and bi is not None and bi.years and is_immediate(bi.shares):
        # the mean over the horizon: every year's spend under an immediate ramp, and the
        # mean that a family with its own years (incentive_fund) reports as payer_spend
        for j in bi.payers:
            name = "fund_spend" if j == "fund" else f"spend_{j}"
            what = ("incentive-fund add-on payments" if j == "fund" else
                    f"{j}'s payments, from the problem's budget impact by payer")
            out.append(Line(sec, name, float(bi.spend[j][0].mean()), unit, what))
        listed = sum(float(bi.spend[j][0].mean()) for j in bi.payers)
        rest = total - listed
        if math.isfinite(rest) and abs(rest) > 1e-6 * max(1.0, abs(total)):
            out.append(Line(sec, "other payers (not split by the model)", rest, unit,
                            "payer_spend minus the lines above"))
        return out
    if per_payer:  # a complete split: each payer once, plus the fund's add-ons
        shown = per_payer + [q for q in problem.reported if q.name == "fund_spend"]
    else:
        shown = [q for q in problem.reported if "spend" in q.name and q.name != "payer_spend"
                 and currency_of(q.unit)]
    for q in shown:
        out.append(Line(sec, q.name, val(q.name), q.unit, q.description))
    if not shown:
        out.append(Line(sec, "split by payer", "not reported", "",
                        f"family '{problem.family}' reports payer spend as one total"))
        return out
    listed = sum(val(q.name) for q in shown if math.isfinite(val(q.name)))
    rest = total - listed
    if math.isfinite(rest) and abs(rest) > 1e-6 * max(1.0, abs(total)):
        out.append(Line(sec, "other payers (not split by the model)", rest, unit,
                        "payer_spend minus the lines above"))
    return out


def _budget_impact_of(problem: PricingProblem, X: np.ndarray) -> BudgetImpact | None:
    """The problem's year-by-year budget impact at ``X`` when it has a ``budget_impact(X)``
    method returning a :class:`~paretoprice.optim.budget.BudgetImpact`, else ``None``."""
    method = getattr(problem, "budget_impact", None)
    if not callable(method):
        return None
    bi = method(X)
    return bi if isinstance(bi, BudgetImpact) else None


def _budget_lines(problem: PricingProblem, bi: BudgetImpact | None, impact: float,
                  unit: str) -> list[Line]:
    """Budget impact by year (total, ramp share, discounted) and by payer over the horizon."""
    sec = "Budget impact by year"
    total_unit = unit.replace(" per year", "")
    if bi is not None:
        cr = getattr(problem.spec, "creator", None)
        rate = (float(cr.discount_rate) if cr is not None
                else float(1.0 / bi.discount[0] - 1.0) if bi.years else 0.0)
        total = bi.total_impact()[0]
        what = ("the family's own year {t}, ramp share {r:.0f}%" if bi.own_years
                else "{r:.0f}% of steady-state adoption")
        out = [Line(sec, f"year {t + 1}", float(total[t]), unit,
                    what.format(t=t + 1, r=100 * bi.shares[t]) + f"; discounted at {rate:g}: "
                    f"{fmt_number(float(total[t] * bi.discount[t]), unit)}")
               for t in range(bi.years)]
        out.append(Line(sec, f"total over {bi.years} years", float(bi.cumulative()[0]),
                        total_unit, "undiscounted"))
        out.append(Line(sec, f"total over {bi.years} years, discounted",
                        float(bi.cumulative(discounted=True)[0]), total_unit,
                        f"at {rate:g} a year, end-of-year flows"))
        for j in bi.payers:
            imp = bi.impact[j][0]
            if j == "fund" and not np.any(imp):
                continue
            years = ", ".join(fmt_number(float(v), unit) for v in imp)
            out.append(Line("Budget impact by payer", f"{j}, total over {bi.years} years",
                            float(bi.cumulative(j)[0]), total_unit,
                            f"discounted {fmt_number(float(bi.cumulative(j, True)[0]), unit)}; "
                            f"by year {years}"))
        return out
    if not math.isfinite(impact):
        return [Line(sec, "budget_impact", "not reported", "",
                     f"family '{problem.family}' does not report it")]
    cr = getattr(problem.spec, "creator", None)
    horizon = int(cr.horizon_years) if cr is not None else 1
    rate = float(cr.discount_rate) if cr is not None else 0.0
    out = [Line(sec, f"year {t}", impact, unit,
                f"steady state; discounted at {rate:g}: "
                f"{fmt_number(impact / (1 + rate) ** t, unit)}")
           for t in range(1, horizon + 1)]
    out.append(Line(sec, f"total over {horizon} years", impact * horizon, total_unit,
                    f"steady-state year repeated: family '{problem.family}' has no adoption "
                    "ramp or year-by-year budget impact"))
    return out


def _health_lines(problem: PricingProblem, get: Callable[[str], np.ndarray | None],
                  cur: str) -> list[Line]:
    """Incremental cost and QALYs, ICER with its label and NMB (see :func:`health_economics`)."""
    sec = "Health economics"
    he = health_economics(problem, get)
    if he.nmb is None or he.d_qaly is None or he.d_cost is None:
        return [Line(sec, "incremental QALYs, ICER, NMB", "not available", "", he.missing)]
    d_q, d_c, nmb = float(he.d_qaly[0]), float(he.d_cost[0]), float(he.nmb[0])
    out: list[Line] = []
    if he.extra_patients is not None:
        out.append(Line(sec, "extra patients served", float(he.extra_patients[0]),
                        "patients per year", "beyond today's"))
    if not he.pathway:
        ratio, label = icer_label(d_c, d_q, he.wtp)
        return [
            *out,
            Line(sec, "incremental QALYs", d_q, "QALYs per year",
                 "qaly_gain_per_patient x extra patients"),
            Line(sec, "incremental cost", d_c, f"{cur} per year",
                 "budget impact net of downstream savings"),
            Line(sec, "ICER", ratio, f"{cur} per QALY", label)
            if math.isfinite(ratio) and not label.startswith("dom")
            else Line(sec, "ICER", label, "", "no ratio is reported for a dominant or "
                      "dominated strategy"),
            Line(sec, "net monetary benefit", nmb, f"{cur} per year",
                 f"at WTP {he.wtp:,.0f} {cur} per QALY"),
            Line(sec, "basis", he.model, "", he.basis),
        ]
    down = get("downstream_cost")
    if down is not None:
        out.append(Line(sec, "downstream cost", float(down[0]), f"{cur} per year",
                        "follow-up and net treatment after both arms' results; counted in "
                        "payer_spend"))
    out += [Line(sec, "incremental cost", d_c, f"{cur} per year",
                 "payer_spend minus the status quo's, downstream care included"),
            Line(sec, "incremental QALYs", d_q, "QALYs per year",
                 "QALYs gained minus the status quo's")]
    out.append(_pathway_icer_line(get, d_c, d_q, he.wtp, cur))
    out.append(Line(sec, "net monetary benefit", nmb, f"{cur} per year",
                    f"at the problem's WTP {he.wtp:,.0f} {cur} per QALY"))
    for w in WTP_THRESHOLDS:
        out.append(Line(sec, f"NMB at {w / 1000:g}k", float(w * d_q - d_c), f"{cur} per year",
                        f"at {w:,.0f} {cur} per QALY"))
    out.append(Line(sec, "basis", he.model, "", he.basis))
    return out


def _pathway_icer_line(get: Callable[[str], np.ndarray | None], d_c: float, d_q: float,
                       wtp: float, cur: str) -> Line:
    """The ICER with its v2 label (``icer_label`` column, else recomputed from dC, dQ)."""
    icer, code = get("icer"), get("icer_label")
    if icer is None or code is None:
        r, c = icer_with_label(np.array([d_c]), np.array([d_q]))
        icer, code = r, c
    ratio, label = float(icer[0]), str(icer_label_text(float(code[0])))
    if not math.isfinite(ratio):
        why = {"dominant": "costs less and gains QALYs: no ratio is reported",
               "dominated": "costs more and loses QALYs: no ratio is reported"}
        return Line("Health economics", "ICER", label, "",
                    why.get(label, "no ratio is reported"))
    if label == "more costly, more effective":
        verdict = "cost-effective" if ratio <= wtp else "not cost-effective"
        note = f"{label}: extra cost per QALY gained; {verdict} at WTP {wtp:,.0f}"
    else:  # less costly, less effective: the saving per QALY given up
        verdict = "cost-effective" if ratio >= wtp else "not cost-effective"
        note = f"{label}: saving per QALY given up; {verdict} at WTP {wtp:,.0f}"
    return Line("Health economics", "ICER", ratio, f"{cur} per QALY", note)


def _rel(v: float, anchor: float) -> str:
    if abs(v - anchor) <= 1e-9 * max(1.0, abs(anchor)):
        return "at the anchor"
    d = v - anchor
    pct = f" ({100 * d / anchor:+.1f}%)" if anchor else ""
    return f"{abs(d):,.2f} {'above' if d > 0 else 'below'}{pct}"


__all__ = ["HealthEconomics", "Line", "Readout", "decision_text", "fmt_number",
           "health_economics", "icer_label", "parse_at", "payback_year", "point_from",
           "readout", "status_quo"]
