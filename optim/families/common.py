"""Building blocks shared by the payment-model families.

Every family turns its settings of care into numpy arrays, computes the five value
anchors, declares the standard anchor guardrails and evaluates them (the reported anchor
slacks, ICER, budget impact and break-even fee are the kernel's, in
:mod:`paretoprice.optim.quantities`). Those pieces are defined here once,
parameterized by what differs between families: the unit of the price (USD per use, per
case, per study, per beneficiary-year), the label and array of the price compared with
the caps, and the wording of the equity floor.

Senses follow :data:`paretoprice.optim.spec.OBJECTIVE_SENSES`: ``payer_spend`` is minimized,
``creator_npv``, ``access``, ``provider_margin`` and ``equity`` are maximized. Every
guardrail is ``g(x) <= 0`` in its natural unit.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np
from pydantic import BaseModel

from paretoprice.optim import quantities
from paretoprice.optim.anchors import Anchors, compute_anchors
from paretoprice.optim.budget import BudgetImpact, budget_columns, budget_impact
from paretoprice.optim.problem import Guardrail, PricingProblem, Quantity
from paretoprice.optim.rows import row_sum
from paretoprice.optim.spec import Bounds, Creator, Guardrails, Payer, ValueInputs

logger = logging.getLogger(__name__)

AddonProblemT = TypeVar("AddonProblemT", bound=PricingProblem[Any])

STANDARD_ANCHOR_RAILS: tuple[str, ...] = (
    "cap_substitution",
    "cap_access_maximizing",
    "cap_cost_effective",
    "floor_marginal_cost",
    "floor_total_cost_of_ownership",
)
"""Guardrails that compare a decision with one of the five value anchors."""

_CAP_ANCHOR: dict[str, tuple[str, str]] = {
    "cap_substitution": ("substitution", "substitution value"),
    "cap_access_maximizing": ("access_maximizing", "access-maximizing value"),
    "cap_cost_effective": ("cost_effective", "cost-effective value"),
}
_FLOOR_ANCHOR: dict[str, tuple[str, str]] = {
    "floor_marginal_cost": ("marginal_cost", "marginal cost"),
    "floor_total_cost_of_ownership": ("total_cost_of_ownership", "total cost of ownership"),
}


# ---------------------------------------------------------------------------
# Settings of care as arrays
# ---------------------------------------------------------------------------


class _SegmentLike(Protocol):
    name: str
    compliance: float
    uptake: float
    provider_cost_per_use: float
    sites: float
    fixed_cost_per_site: float
    equity_weight: float


@dataclass(frozen=True)
class SegmentArrays:
    """The settings of care (segments, tiers, services) of a problem as ``(G,)`` arrays.

    Attributes
    ----------
    names
        Segment names, in the order of the arrays.
    n
        ``n_g``: at-risk (eligible) patients a year (patients per year).
    c
        ``c_g``: share of them served today by the human service (share).
    u
        ``u_g``: share served by the AI where a site offers it (share).
    k
        ``k_g``: provider's variable cost per AI use (USD per use).
    S
        ``S_g``: sites that could adopt (sites).
    kbar
        ``Kbar_g``: mean annualized fixed adoption cost (USD per site per year).
    e
        ``e_g``: equity weight in ``access`` (dimensionless).
    nu
        ``n_g u_g``: AI-eligible uses a year at full adoption (uses per year).
    nc
        ``n_g c_g``: human services a year today (patients per year).
    q
        ``n_g u_g / S_g``: uses per site a year at full uptake (uses per site-year).
    en_total
        ``sum_g e_g n_g``: the denominator of ``access`` (weighted patients per year).
    """

    names: tuple[str, ...]
    n: np.ndarray
    c: np.ndarray
    u: np.ndarray
    k: np.ndarray
    S: np.ndarray
    kbar: np.ndarray
    e: np.ndarray
    nu: np.ndarray
    nc: np.ndarray
    q: np.ndarray
    en_total: float

    @property
    def compliance(self) -> float:
        """Population-weighted share served today, ``sum_g n_g c_g / sum_g n_g`` (share)."""
        return float(np.sum(self.nc) / np.sum(self.n))

    def objectives(self, U: np.ndarray, H: np.ndarray, margin: np.ndarray, cost: np.ndarray,
                   payer_spend: np.ndarray, creator_npv: np.ndarray,
                   ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The five objectives of a one-period model of these settings, and the coverage.

        ``U``, ``H``: ``(N, G)`` AI uses and human services a year; ``margin``: the
        provider's margin per AI use; ``cost``: adopters' fixed cost per site a year.
        ``access = sum_g e_g (U_g + H_g) / sum_g e_g n_g``, ``provider_margin =
        sum_g U_g margin_g - S_g cost_g``, coverage ``(U_g + H_g) / n_g`` (share).
        """
        served = U + H
        access = row_sum(served * self.e) / self.en_total
        provider_margin = row_sum(U * margin) - row_sum(cost * self.S)
        coverage = served / self.n
        return quantities.core_objectives(payer_spend, creator_npv, access, provider_margin,
                                          coverage), coverage


def segment_arrays(segments: Sequence[Any], population: str = "population") -> SegmentArrays:
    """The arrays of ``segments`` (objects with the :class:`~paretoprice.optim.spec.Segment`
    fields).

    Parameters
    ----------
    segments
        Settings of care; each has ``name``, ``compliance``, ``uptake``,
        ``provider_cost_per_use``, ``sites``, ``fixed_cost_per_site``, ``equity_weight``
        and a population field.
    population
        Name of the population field (patients per year): ``population`` for segments,
        ``eligible`` for a portfolio's services.
    """
    n = np.array([getattr(g, population) for g in segments], dtype=float)
    c = np.array([g.compliance for g in segments], dtype=float)
    u = np.array([g.uptake for g in segments], dtype=float)
    S = np.array([g.sites for g in segments], dtype=float)
    e = np.array([g.equity_weight for g in segments], dtype=float)
    nu = n * u
    return SegmentArrays(
        names=tuple(g.name for g in segments),
        n=n, c=c, u=u,
        k=np.array([g.provider_cost_per_use for g in segments], dtype=float),
        S=S,
        kbar=np.array([g.fixed_cost_per_site for g in segments], dtype=float),
        e=e,
        nu=nu,
        nc=n * c,
        q=nu / S,
        en_total=float(np.sum(e * n)),
    )


@dataclass(frozen=True)
class PayerMix:
    """Each segment's payers summarized as rate multipliers.

    Attributes
    ----------
    mu
        ``mu_g = sum_j w_gj mu_j``: the segment's payment as a multiple of Medicare's
        (dimensionless, ``(G,)``).
    w_medicare
        ``w_g,medicare``: Medicare's share of the segment's patients (share, ``(G,)``).
    mu_medicare
        Medicare's own rate multiplier (1 when declared; 0 when no payer is ``medicare``).
    """

    mu: np.ndarray
    w_medicare: np.ndarray
    mu_medicare: float


def payer_mix(segments: Sequence[Any], payers: Sequence[Payer]) -> PayerMix:
    """The payer-mix multipliers of ``segments`` (each with a ``payer_mix`` dict)."""
    mu_by_payer = {p.name: p.rate_multiplier for p in payers}
    return PayerMix(
        mu=np.array([sum(w * mu_by_payer[j] for j, w in g.payer_mix.items())
                     for g in segments]),
        w_medicare=np.array([g.payer_mix.get("medicare", 0.0) for g in segments]),
        mu_medicare=mu_by_payer.get("medicare", 0.0),
    )


# ---------------------------------------------------------------------------
# Anchors
# ---------------------------------------------------------------------------


def service_anchors(
    comparator_payment: float,
    compliance: float,
    creator: Creator,
    value: ValueInputs,
    *,
    qaly_gain_per_patient: float | None = None,
    savings_per_patient: float | None = None,
) -> Anchors:
    """The five anchors of a service from its comparator, creator and value inputs.

    Parameters
    ----------
    comparator_payment
        ``v_c``: today's payment for the human service (USD per patient).
    compliance
        ``c``: share of at-risk patients served today (share).
    creator, value
        The creator's economics and the cost-effectiveness inputs.
    qaly_gain_per_patient, savings_per_patient
        Overrides of ``value``'s QALY gain (QALY per patient) and savings (USD per
        patient), for families whose anchor unit is not one patient (e.g. per study).
    """
    return compute_anchors(
        comparator_payment=comparator_payment,
        compliance=compliance,
        wtp_per_qaly=value.wtp_per_qaly,
        qaly_gain_per_patient=(value.qaly_gain_per_patient if qaly_gain_per_patient is None
                               else qaly_gain_per_patient),
        savings_per_patient=(value.savings_per_patient if savings_per_patient is None
                             else savings_per_patient),
        marginal_cost=creator.marginal_cost,
        upfront_investment=creator.upfront_investment,
        annual_fixed_cost=creator.annual_fixed_cost,
        horizon_years=creator.horizon_years,
        discount_rate=creator.discount_rate,
        tco_volume=creator.tco_volume,
    )


def in_currency(anchors: Anchors, currency: str) -> Anchors:
    """``anchors`` with ``USD`` in their units replaced by ``currency`` (e.g. ``KRW``)."""
    return Anchors(tuple(dataclasses.replace(a, unit=a.unit.replace("USD", currency))
                         for a in anchors))


# ---------------------------------------------------------------------------
# Guardrails: declaration
# ---------------------------------------------------------------------------


def anchor_guardrails(
    anchors: Mapping[str, float],
    unit: str,
    price_label: str,
    tco_volume: float | None = None,
) -> dict[str, Guardrail]:
    """The five anchor guardrails: caps on a price, floors on the creator's fee ``f``.

    Parameters
    ----------
    anchors
        Anchor name -> value (``Anchors.values()``), in ``unit``.
    unit
        Unit of the price and the fee (e.g. ``USD per use``, ``USD per case``).
    price_label
        Words for the price the caps bound (``p``, ``largest add-on per case``, ...).
    tco_volume
        When given, the total-cost-of-ownership floor states the volume it assumes
        (uses per year).

    Returns
    -------
    dict
        Guardrail name -> :class:`~paretoprice.optim.problem.Guardrail`, scaled by
        ``max(anchor, 1)``.
    """
    out: dict[str, Guardrail] = {}
    for name, (anchor, words) in _CAP_ANCHOR.items():
        v = anchors[anchor]
        out[name] = Guardrail(name, unit, max(v, 1.0),
                              f"{price_label} <= {words} {v:.2f} USD")
    for name, (anchor, words) in _FLOOR_ANCHOR.items():
        v = anchors[anchor]
        text = f"f >= {words} {v:.2f} USD"
        if tco_volume is not None and anchor == "total_cost_of_ownership":
            text += f" at {tco_volume:,.0f} uses a year"
        out[name] = Guardrail(name, unit, max(v, 1.0), text)
    return out


def priced_rails(
    anchors: Anchors,
    unit: str,
    price_label: str,
    creator: Creator,
    *,
    todays_spend: float | None = None,
    today_symbol: str = "",
    tco_volume: float | None = None,
) -> dict[str, Guardrail]:
    """The guardrails of a family with a price and a creator's fee: the five anchor rails
    (see :func:`anchor_guardrails`), ``creator_sustainable`` and, when ``todays_spend`` is
    given (USD per year), ``budget_access_max`` (see :func:`budget_access_max_rail`)."""
    out = {
        **anchor_guardrails(anchors.values(), unit, price_label, tco_volume=tco_volume),
        "creator_sustainable": creator_sustainable_rail(creator),
    }
    if todays_spend is not None:
        out["budget_access_max"] = budget_access_max_rail(todays_spend, today_symbol)
    return out


def segment_fund_rails(guardrails: Guardrails) -> dict[str, Guardrail]:
    """``fund_budget`` (USD per year) and ``equity_floor`` (worst-segment coverage, share of
    at-risk patients) of the pooled-segment families (fee-for-service, autonomy tiers)."""
    return {
        "fund_budget": fund_budget_rail(guardrails.fund_budget.budget),
        "equity_floor": equity_floor_rail(guardrails.equity_floor.min_coverage,
                                          "share of at-risk patients", "worst-segment coverage"),
    }


def budget_access_max_rail(todays_spend: float, symbol: str = "") -> Guardrail:
    """``budget_access_max``: ``payer_spend <= today's spend`` (USD per year).

    ``symbol`` names today's spend in the description (e.g. ``e_c``).
    """
    named = f"{symbol} = " if symbol else ""
    return Guardrail("budget_access_max", "USD per year", max(todays_spend, 1.0),
                     f"payer_spend <= today's spend {named}{todays_spend:,.0f} USD per year")


def creator_sustainable_rail(creator: Creator, currency: str = "USD") -> Guardrail:
    """``creator_sustainable``: ``creator_npv >= 0`` (in ``currency``), scaled by ``F``."""
    return Guardrail("creator_sustainable", currency, max(creator.upfront_investment, 1.0),
                     "creator_npv >= 0")


def fund_budget_rail(budget: float, currency: str = "USD") -> Guardrail:
    """``fund_budget``: yearly fund add-ons ``<= budget`` (``currency`` per year)."""
    return Guardrail("fund_budget", f"{currency} per year", max(budget, 1.0),
                     f"fund add-ons <= {budget:,.0f} {currency} per year")


def equity_floor_rail(min_coverage: float, unit: str, subject: str) -> Guardrail:
    """``equity_floor``: ``subject >= min_coverage`` (a share, in ``unit``; scale 1).

    ``subject`` is the coverage in words, e.g. ``worst-segment coverage``.
    """
    return Guardrail("equity_floor", unit, 1.0, f"{subject} >= {min_coverage:g}")


# ---------------------------------------------------------------------------
# Guardrails: values
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RailInputs:
    """What the standard guardrails are computed from, for N candidates.

    Attributes
    ----------
    anchors
        Anchor name -> value (in the price's unit).
    price
        ``(N,)`` the price the caps bound (unit of the anchors), or None when the family
        has no cap.
    fee
        ``(N,)`` the creator's fee the floors bound, or None.
    payer_spend, creator_npv, equity
        ``(N,)`` objectives (USD per year, USD, share).
    todays_spend
        Payers' spend today (USD per year), the ``budget_access_max`` cap.
    min_coverage
        The ``equity_floor`` (share).
    fund_spend, fund_budget
        ``(N,)`` fund payments and the ``fund_budget`` cap (currency per year).
    """

    anchors: Mapping[str, float]
    price: np.ndarray | None = None
    fee: np.ndarray | None = None
    payer_spend: np.ndarray | None = None
    creator_npv: np.ndarray | None = None
    equity: np.ndarray | None = None
    todays_spend: float = 0.0
    min_coverage: float = 0.0
    fund_spend: np.ndarray | None = None
    fund_budget: float = 0.0


def _need(x: np.ndarray | None, name: str, rail: str) -> np.ndarray:
    if x is None:
        raise ValueError(f"guardrail '{rail}' needs RailInputs.{name}")
    return x


def rail_values(
    names: Iterable[str],
    inputs: RailInputs,
    own: Mapping[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """``g(x)`` (``<= 0`` feasible) of each guardrail in ``names``, natural units.

    Standard guardrails are computed from ``inputs``; a family's own guardrails (or a
    standard one it computes differently) are taken from ``own``.
    """
    own = own or {}
    av = inputs.anchors
    out: dict[str, np.ndarray] = {}
    for name in names:
        if name in own:
            out[name] = own[name]
        elif name in _CAP_ANCHOR:
            out[name] = _need(inputs.price, "price", name) - av[_CAP_ANCHOR[name][0]]
        elif name in _FLOOR_ANCHOR:
            out[name] = av[_FLOOR_ANCHOR[name][0]] - _need(inputs.fee, "fee", name)
        elif name == "budget_access_max":
            out[name] = _need(inputs.payer_spend, "payer_spend", name) - inputs.todays_spend
        elif name == "creator_sustainable":
            out[name] = -_need(inputs.creator_npv, "creator_npv", name)
        elif name == "fund_budget":
            out[name] = _need(inputs.fund_spend, "fund_spend", name) - inputs.fund_budget
        elif name == "equity_floor":
            out[name] = inputs.min_coverage - _need(inputs.equity, "equity", name)
        else:
            raise KeyError(f"no value for guardrail '{name}'")
    return out


# ---------------------------------------------------------------------------
# Reported quantities
# ---------------------------------------------------------------------------


# anchor slacks, ICER, budget impact and break-even fee: paretoprice.optim.quantities


# ---------------------------------------------------------------------------
# Derived problems
# ---------------------------------------------------------------------------


def with_addon_bounds(problem: AddonProblemT, changes: Mapping[str, Bounds]) -> AddonProblemT:
    """``problem`` rebuilt with some decision bounds replaced, for the families whose spec
    keeps a per-segment add-on ``a_<segment>`` in ``decisions.addons`` (fee-for-service,
    Category III, autonomy tiers); the original is untouched."""
    s: Any = problem.spec
    keyed = {f"a_{g.name}": ("addons", g.name) for g in s.segments}
    return type(problem)(s.replace(decisions=decisions_with_bounds(s.decisions, changes, keyed)))


def decisions_with_bounds(
    decisions: BaseModel,
    changes: Mapping[str, Bounds],
    keyed: Mapping[str, tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The decisions block as a dict, with some decisions' bounds replaced.

    Parameters
    ----------
    decisions
        The family's validated decisions block (not modified).
    changes
        Decision name -> new bounds.
    keyed
        Decisions stored in a per-name table of the block, e.g. ``a_rural`` ->
        ``("addons", "rural")``; every other decision is a field of the block.
    """
    keyed = keyed or {}
    out = decisions.model_dump()
    for name, b in changes.items():
        if name in keyed:
            table, key = keyed[name]
            out[table] = {**out[table], key: b.model_dump()}
        else:
            out[name] = b.model_dump()
    return out



# ---------------------------------------------------------------------------
# Model v2: spend by payer
# ---------------------------------------------------------------------------


def payer_weights(segments: Sequence[Any], payers: Sequence[Payer]) -> dict[str, np.ndarray]:
    """Payer name -> ``(G,)`` share of each segment's patients it pays for (its payer mix)."""
    return {j.name: np.array([g.payer_mix.get(j.name, 0.0) for g in segments], dtype=float)
            for j in payers}


def pathway_cost_by_payer(arrays: Any, ai_exams: np.ndarray, cmp_exams: np.ndarray,
                          segments: Sequence[Any],
                          payers: Sequence[Payer]) -> dict[str, np.ndarray]:
    """Payer name -> ``(N,)`` downstream pathway cost it pays a year (money per year).

    ``arrays`` is a :class:`~paretoprice.optim.pathway.PathwayArrays`; ``ai_exams`` and
    ``cmp_exams`` are ``(N, G)`` exams a year in each arm. Payer ``j`` pays its share
    ``w_gj`` of each segment's patients, fee-schedule items at its own rate multiplier
    ``mu_j`` and all-payer items as stated, so the payers' costs add up to the pathway's
    downstream cost at each segment's payer-mix multiplier (payer mixes sum to 1).
    """
    out: dict[str, np.ndarray] = {}
    U = np.atleast_2d(ai_exams)
    H = np.atleast_2d(cmp_exams)
    for j, w in payer_weights(segments, payers).items():
        mu_j = np.full(w.shape, next(p.rate_multiplier for p in payers if p.name == j))
        out[j] = ((U * w * arrays.per_exam(arrays.ai, mu_j).cost).sum(axis=1)
                  + (H * w * arrays.per_exam(arrays.cmp, mu_j).cost).sum(axis=1))
    return out


# ---------------------------------------------------------------------------
# Budget impact year by year (model v2) for the families without a pathway kernel
# ---------------------------------------------------------------------------


def ramp_of(spec: Any) -> np.ndarray:
    """``(T,)`` adoption-ramp shares of a spec with ``ramp`` and ``creator`` tables over the
    creator's horizon (share of steady-state adoption; all 1 when immediate)."""
    return spec.ramp.for_years(spec.creator.horizon_years, owner=f"problem '{spec.name}'")


def budget_quantities(spend: Mapping[str, str], shares: np.ndarray,
                      currency: str = "USD") -> list[Quantity]:
    """The reported quantities of the year-by-year budget impact.

    ``spend``: payer -> what its ``spend_<payer>`` column holds (give an empty mapping when
    the family already reports them); then ``budget_impact_year<t>`` for each year of the
    ramp ``shares`` and ``budget_impact_discounted``.
    """
    rep = [Quantity(f"spend_{j}", f"{currency} per year", what) for j, what in spend.items()]
    rep += [Quantity(f"budget_impact_year{t + 1}", f"{currency} per year",
                     f"payer_spend minus today's in year {t + 1} of the adoption ramp "
                     f"({100 * r:.0f}% of steady-state adoption)")
            for t, r in enumerate(shares)]
    rep.append(Quantity("budget_impact_discounted", currency,
                        "budget impact summed over the horizon, discounted at the creator's "
                        "rate"))
    return rep


def budget_report(steady: Mapping[str, np.ndarray], today: Mapping[str, float],
                  shares: np.ndarray, rate: float, spend_columns: bool = True
                  ) -> tuple[BudgetImpact, dict[str, np.ndarray]]:
    """Budget impact of steady-state spend by payer on the ramp, and its reported columns.

    ``steady``: payer -> ``(N,)`` annual spend at steady-state adoption (money per year);
    ``today``: payer -> annual spend without the AI. The columns are ``spend_<payer>``
    (steady state; left out when ``spend_columns`` is False), ``budget_impact_year<t>`` and
    ``budget_impact_discounted`` (see :func:`paretoprice.optim.budget.budget_columns`).
    """
    bi = budget_impact(steady, today, shares, rate)
    cols = {f"spend_{j}": np.asarray(v, dtype=float) for j, v in steady.items()} \
        if spend_columns else {}
    cols.update(budget_columns(bi))
    return bi, cols
