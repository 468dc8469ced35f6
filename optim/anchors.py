"""Value anchors: the per-patient prices a payment can be anchored on.

Five anchors (Abramoff et al. 2022, npj Digital Medicine 5:72):

=============================  =======================================  ===============
anchor                         definition                               unit
=============================  =======================================  ===============
``substitution``               ``v_c``: today's payment for the human   USD per patient
                               service
``access_maximizing``          ``v_e = v_c * c``: keeps spend at         USD per patient
                               today's level when everyone is served
``cost_effective``             ``lambda * dQALY + dSavings``             USD per patient
``marginal_cost``              ``m``: the creator's cost per use         USD per use
``total_cost_of_ownership``    ``m + (F / annuity(T, r) + O) / N``       USD per use
=============================  =======================================  ===============
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

ANCHOR_NAMES: tuple[str, ...] = (
    "substitution",
    "access_maximizing",
    "cost_effective",
    "marginal_cost",
    "total_cost_of_ownership",
)


def annuity(years: int, rate: float) -> float:
    """Present value of 1 USD paid at the end of each of ``years`` years at ``rate``.

    ``annuity(T, r) = sum_{t=1..T} (1 + r)^-t``; equals ``T`` when ``rate == 0``.

    Examples
    --------
    >>> round(annuity(5, 0.03), 6)
    4.579707
    >>> annuity(3, 0.0)
    3.0
    """
    if years < 1:
        raise ValueError(f"years must be >= 1, got {years}")
    if rate == 0:
        return float(years)
    return float(sum((1.0 + rate) ** -t for t in range(1, years + 1)))


def access_maximizing_value(comparator_payment: float, compliance: float) -> float:
    """``v_e = v_c * c`` (USD per patient).

    Examples
    --------
    >>> round(access_maximizing_value(175.0, 0.3), 2)
    52.5
    """
    return comparator_payment * compliance


def cost_effective_value(wtp_per_qaly: float, qaly_gain: float, savings: float) -> float:
    """``v_cea = lambda * dQALY + dSavings`` (USD per patient)."""
    return wtp_per_qaly * qaly_gain + savings


def total_cost_of_ownership(
    marginal_cost: float,
    upfront_investment: float,
    annual_fixed_cost: float,
    horizon_years: int,
    discount_rate: float,
    volume: float | np.ndarray,
) -> float | np.ndarray:
    """Creator break-even fee per use at ``volume`` uses a year (USD per use).

    ``v_tco(N) = m + (F / annuity(T, r) + O) / N``; falls with volume. Infinite at ``N = 0``.
    """
    fixed = upfront_investment / annuity(horizon_years, discount_rate) + annual_fixed_cost
    vol = np.asarray(volume, dtype=float)
    with np.errstate(divide="ignore"):
        out = np.where(vol > 0, marginal_cost + fixed / np.where(vol > 0, vol, 1.0), np.inf)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class Anchor:
    """One value anchor.

    Attributes
    ----------
    name
        One of :data:`ANCHOR_NAMES`.
    value
        The anchor's value in ``unit``.
    unit
        ``USD per patient`` or ``USD per use``.
    formula
        The formula in words, with the inputs substituted.
    inputs
        Input name -> value used.
    """

    name: str
    value: float
    unit: str
    formula: str
    inputs: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Anchors:
    """The five anchors of one problem, in :data:`ANCHOR_NAMES` order."""

    items: tuple[Anchor, ...]

    def __iter__(self) -> Iterator[Anchor]:
        return iter(self.items)

    def __getitem__(self, name: str) -> Anchor:
        for a in self.items:
            if a.name == name:
                return a
        raise KeyError(name)

    def values(self) -> dict[str, float]:
        """Anchor name -> value."""
        return {a.name: a.value for a in self.items}

    def to_rows(self) -> list[dict[str, object]]:
        """Rows ``{anchor, value, unit, formula}`` for tables and CSV."""
        return [
            {"anchor": a.name, "value": a.value, "unit": a.unit, "formula": a.formula}
            for a in self.items
        ]


def compute_anchors(
    *,
    comparator_payment: float,
    compliance: float,
    wtp_per_qaly: float,
    qaly_gain_per_patient: float,
    savings_per_patient: float,
    marginal_cost: float,
    upfront_investment: float,
    annual_fixed_cost: float,
    horizon_years: int,
    discount_rate: float,
    tco_volume: float,
) -> Anchors:
    """All five anchors from their inputs (units as in the module docstring).

    Examples
    --------
    >>> a = compute_anchors(comparator_payment=175, compliance=0.3, wtp_per_qaly=50000,
    ...     qaly_gain_per_patient=0.001, savings_per_patient=10, marginal_cost=5,
    ...     upfront_investment=0, annual_fixed_cost=1000, horizon_years=5,
    ...     discount_rate=0.0, tco_volume=100)
    >>> a["access_maximizing"].value, a["cost_effective"].value, a["total_cost_of_ownership"].value
    (52.5, 60.0, 15.0)
    """
    v_e = access_maximizing_value(comparator_payment, compliance)
    v_cea = cost_effective_value(wtp_per_qaly, qaly_gain_per_patient, savings_per_patient)
    ann = annuity(horizon_years, discount_rate)
    v_tco = float(
        total_cost_of_ownership(
            marginal_cost, upfront_investment, annual_fixed_cost, horizon_years,
            discount_rate, tco_volume,
        )
    )
    items = (
        Anchor("substitution", float(comparator_payment), "USD per patient",
               f"v_c = {comparator_payment:g}", {"v_c": comparator_payment}),
        Anchor("access_maximizing", float(v_e), "USD per patient",
               f"v_c * c = {comparator_payment:g} * {compliance:.6g}",
               {"v_c": comparator_payment, "c": compliance}),
        Anchor("cost_effective", float(v_cea), "USD per patient",
               f"lambda * dQALY + dSavings = {wtp_per_qaly:g} * {qaly_gain_per_patient:g} "
               f"+ {savings_per_patient:g}",
               {"lambda": wtp_per_qaly, "dQALY": qaly_gain_per_patient,
                "dSavings": savings_per_patient}),
        Anchor("marginal_cost", float(marginal_cost), "USD per use",
               f"m = {marginal_cost:g}", {"m": marginal_cost}),
        Anchor("total_cost_of_ownership", v_tco, "USD per use",
               f"m + (F / annuity(T, r) + O) / N = {marginal_cost:g} + ({upfront_investment:g} / "
               f"{ann:.6g} + {annual_fixed_cost:g}) / {tco_volume:g}",
               {"m": marginal_cost, "F": upfront_investment, "O": annual_fixed_cost,
                "T": horizon_years, "r": discount_rate, "N": tco_volume}),
    )
    return Anchors(items)
