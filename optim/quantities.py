"""Reported quantities every family shares: declared once here, computed once here.

Every family reports, beside its own quantities, the same economic read-outs of a front
point; their names, units and formulas live here, parameterized only by what differs
between families (the unit of the price, the price the caps compare, the wording):

==================================  ====================================  ===============
quantity                            formula                               unit
==================================  ====================================  ===============
``slack_substitution``              ``v_sub - price``                     price's unit
``slack_access_maximizing``         ``v_e - price``                       price's unit
``slack_cost_effective``            ``v_cea - price``                     price's unit
``slack_marginal_cost``             ``f - m``                             price's unit
``slack_total_cost_of_ownership``   ``f - v_tco(N)``                      price's unit
``budget_impact``                   ``payer_spend - today's spend``       USD per year
``icer``                            ``dCost / dQALY`` vs today            USD per QALY
``tco_at_volume``                   ``m + (F / annuity(T, r) + O) / U``   USD per use
==================================  ====================================  ===============

A slack is ``>= 0`` when its guardrail is met. Declarations (:class:`Quantity`) and values
(numpy, ``(N,)`` per candidate) sit side by side so that a family cannot report a value
it did not declare or declare it in another unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from paretoprice.optim.anchors import total_cost_of_ownership
from paretoprice.optim.problem import Quantity
from paretoprice.optim.rows import row_min
from paretoprice.optim.spec import Creator, ValueInputs

SLACK_NAMES: tuple[str, ...] = (
    "slack_substitution",
    "slack_access_maximizing",
    "slack_cost_effective",
    "slack_marginal_cost",
    "slack_total_cost_of_ownership",
)
"""The five anchor slacks, in :data:`~paretoprice.optim.anchors.ANCHOR_NAMES` order."""


# ---------------------------------------------------------------------------
# Declarations
# ---------------------------------------------------------------------------


def per_name(names: Iterable[str], *templates: tuple[str, str, str]) -> list[Quantity]:
    """Quantities repeated for each name (segment, tier, service), in name-major order.

    Each template is ``(name, unit, description)`` with ``{g}`` standing for the name,
    e.g. ``("coverage_{g}", "share of at-risk patients", "share of {g}'s patients served")``.
    """
    return [Quantity(n.format(g=g), u, d.format(g=g)) for g in names for n, u, d in templates]


def slack_quantities(
    unit: str,
    price: str,
    *,
    covers: str = "fee",
    substitution_price: str | None = None,
    substitution_note: str = "",
    tco_note: str = "",
) -> list[Quantity]:
    """The five anchor slacks, in ``unit`` (the anchors' unit).

    Parameters
    ----------
    unit
        Unit of the price, the fee and the anchors (``USD per use``, ``USD per case``, ...).
    price
        The price the caps compare with the anchors, in words (``p``, ``largest_offer``).
    covers
        What ``f`` is called in the floors' note (``fee``, ``price``).
    substitution_price
        Another wording of ``price`` for the substitution cap (default ``price``).
    substitution_note, tco_note
        Text appended to the substitution and total-cost-of-ownership descriptions.
    """
    return [
        Quantity("slack_substitution", unit,
                 f"v_sub - {substitution_price or price}{substitution_note}"),
        Quantity("slack_access_maximizing", unit, f"v_e - {price}"),
        Quantity("slack_cost_effective", unit, f"v_cea - {price}"),
        Quantity("slack_marginal_cost", unit, f"f - m (>= 0: {covers} covers cost)"),
        Quantity("slack_total_cost_of_ownership", unit, f"f - v_tco(N){tco_note}"),
    ]


def budget_impact_quantity(
    description: str = "payer_spend minus today's spend",
) -> Quantity:
    """``budget_impact`` (USD per year): payer spend minus today's spend."""
    return Quantity("budget_impact", "USD per year", description)


def icer_quantity(
    description: str = "incremental cost per QALY vs today (NaN when no extra patient is "
                       "served)",
) -> Quantity:
    """``icer`` (USD per QALY): incremental cost per QALY gained vs today."""
    return Quantity("icer", "USD per QALY", description)


def tco_at_volume_quantity(
    unit: str = "USD per use",
    description: str = "creator's break-even fee at the point's own AI volume",
) -> Quantity:
    """``tco_at_volume``: the creator's break-even fee at the candidate's own volume."""
    return Quantity("tco_at_volume", unit, description)


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


def anchor_slacks(anchors: Mapping[str, float], price: np.ndarray,
                  fee: np.ndarray) -> dict[str, np.ndarray]:
    """Slack of each anchor guardrail, ``>= 0`` when met (unit of the anchors).

    ``slack_<cap> = anchor - price``; ``slack_<floor> = fee - anchor``.
    """
    return {
        "slack_substitution": anchors["substitution"] - price,
        "slack_access_maximizing": anchors["access_maximizing"] - price,
        "slack_cost_effective": anchors["cost_effective"] - price,
        "slack_marginal_cost": fee - anchors["marginal_cost"],
        "slack_total_cost_of_ownership": fee - anchors["total_cost_of_ownership"],
    }


def ratio_or_nan(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` where ``den > 0``, NaN elsewhere (no warnings)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def icer(payer_spend: np.ndarray, todays_spend: float, extra_served: np.ndarray,
         value: ValueInputs) -> np.ndarray:
    """Incremental cost per QALY vs today (USD per QALY; NaN when no QALY is gained).

    ``dQALY = qaly_gain * extra``, ``dCost = payer_spend - today - savings * extra`` with
    ``extra`` the patients (or results) served beyond today's (per year).
    """
    d_qaly = value.qaly_gain_per_patient * extra_served
    d_cost = payer_spend - todays_spend - value.savings_per_patient * extra_served
    return ratio_or_nan(d_cost, d_qaly)


def tco_at_volume(creator: Creator, uses: np.ndarray) -> np.ndarray:
    """The creator's break-even fee at each candidate's own volume (USD per use).

    ``m + (F / annuity(T, r) + O) / uses``; infinite with no use.
    """
    with np.errstate(divide="ignore"):
        return np.asarray(total_cost_of_ownership(
            creator.marginal_cost, creator.upfront_investment, creator.annual_fixed_cost,
            creator.horizon_years, creator.discount_rate, uses))


def creator_npv(annuity_factor: float, creator: Creator, fee: np.ndarray,
                uses: np.ndarray) -> np.ndarray:
    """``annuity(T, r) ((f - m) U - O) - F`` (currency): the creator's net present value at
    a fee ``f`` (currency per use) and a constant yearly volume ``U`` (uses per year)."""
    return annuity_factor * ((fee - creator.marginal_cost) * uses
                             - creator.annual_fixed_cost) - creator.upfront_investment


def value_report(
    payer_spend: np.ndarray,
    todays_spend: float,
    extra_served: np.ndarray,
    value: ValueInputs,
) -> dict[str, np.ndarray]:
    """``budget_impact`` (USD per year) and ``icer`` (USD per QALY) vs today's spend."""
    return {
        "budget_impact": payer_spend - todays_spend,
        "icer": icer(payer_spend, todays_spend, extra_served, value),
    }


def core_objectives(
    payer_spend: np.ndarray,
    creator_npv: np.ndarray,
    access: np.ndarray,
    provider_margin: np.ndarray,
    coverage: np.ndarray,
) -> dict[str, np.ndarray]:
    """The five objectives every family defines, natural units and senses, ``(N,)`` each.

    ``payer_spend`` (currency per year, min), ``creator_npv`` (currency, max), ``access``
    (share, max), ``provider_margin`` (currency per year, max) and ``equity`` (share, max):
    the coverage of the worst-served setting, ``min_g coverage[:, g]``.
    """
    return {
        "payer_spend": payer_spend,
        "creator_npv": creator_npv,
        "access": access,
        "provider_margin": provider_margin,
        "equity": row_min(coverage),
    }
