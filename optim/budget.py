"""Budget impact as payers compute it, year by year, and the creator's NPV on the same ramp.

A budget-impact analysis (ISPOR good practice) shows, for each year of the horizon and
each payer, what is spent with the new service minus what would be spent without it. In
the pricing models, spend is linear in adoption at fixed prices (AI uses ``U = n u A``
rise and human exams ``H = n c (1 - A)`` fall in proportion to the adoption share ``A``),
so when adoption reaches a share ``r_t`` of its steady state in year ``t``::

    spend_t  = today + r_t (steady - today)                  (money per year, per payer)
    impact_t = spend_t - today = r_t (steady - today)
    discounted impact = sum_t (1 + r)^-t impact_t            (money, end-of-year flows)

The ramp ``r_1..r_T`` (shares of steady-state adoption) defaults to immediate (all 1).
The creator's NPV uses the same ramp on its use-driven margin; fixed operating costs
are paid every year::

    NPV = sum_t (1 + r)^-t (r_t M - O) - F

which equals v1's ``annuity(T, r) (M - O) - F`` exactly (bit for bit) when the ramp is
immediate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import Field, field_validator

from paretoprice.optim.anchors import annuity
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.frozen import Frozen


class Ramp(Frozen):
    """Adoption ramp: share of steady-state adoption reached in years 1, 2, ...

    ``shares = []`` (default) is immediate adoption; years after the last listed share
    are at steady state (1). Each share is in [0, 1].
    """

    shares: tuple[float, ...] = Field(default=())

    @field_validator("shares")
    @classmethod
    def _shares(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        for i, s in enumerate(v):
            if not (0.0 <= s <= 1.0):
                raise ValueError(f"ramp share of year {i + 1} must be in [0, 1], got {s}")
        return v

    def for_years(self, years: int, owner: str = "") -> np.ndarray:
        """The ``(years,)`` shares (see :func:`ramp_shares`)."""
        return ramp_shares(self.shares, years, owner=owner)


def ramp_shares(shares: Sequence[float], years: int, owner: str = "") -> np.ndarray:
    """Shares of steady-state adoption in years ``1..years``; missing years are 1.

    Examples
    --------
    >>> ramp_shares([0.25, 0.5], 4).tolist()
    [0.25, 0.5, 1.0, 1.0]
    """
    if len(shares) > years:
        raise ParameterError(
            "ramp.shares", f"at most {years} shares (one per year of the horizon)",
            f"{len(shares)} shares", fix="drop the shares beyond the horizon.", owner=owner)
    out = np.ones(years, dtype=float)
    out[: len(shares)] = np.asarray(shares, dtype=float)
    return out


def discount_factors(years: int, rate: float) -> np.ndarray:
    """``(1 + r)^-t`` for ``t = 1..years`` (end-of-year flows, as in ``annuity``)."""
    return (1.0 + rate) ** -np.arange(1, years + 1, dtype=float)


def is_immediate(shares: np.ndarray) -> bool:
    """Whether every year is at steady state."""
    return bool(np.all(shares == 1.0))


def ramped_annuity(shares: np.ndarray, rate: float) -> float:
    """``sum_t (1 + r)^-t r_t``: present value of a flow that follows the ramp (years).

    Equals :func:`~paretoprice.optim.anchors.annuity` exactly for an immediate ramp.

    Examples
    --------
    >>> round(ramped_annuity(np.array([0.5, 1.0]), 0.0), 6)
    1.5
    """
    if is_immediate(shares):
        return annuity(len(shares), rate)
    return float(np.sum(discount_factors(len(shares), rate) * shares))


def creator_npv(margin_per_year: np.ndarray, fixed_cost: float, upfront: float,
                shares: np.ndarray, rate: float) -> np.ndarray:
    """Creator NPV with use-driven margin ``M`` following the ramp (money).

    ``NPV = ramped_annuity M - annuity O - F``; for an immediate ramp the v1 expression
    ``annuity (M - O) - F`` is evaluated as written (bit-for-bit identical results).
    """
    years = len(shares)
    if is_immediate(shares):
        return annuity(years, rate) * (margin_per_year - fixed_cost) - upfront
    return (ramped_annuity(shares, rate) * margin_per_year
            - annuity(years, rate) * fixed_cost - upfront)


def payback_year(margin_per_year: np.ndarray, fixed_cost: float, upfront: float,
                 shares: np.ndarray, rate: float) -> np.ndarray:
    """First year (1..T) in which the creator's cumulative discounted cash flow turns
    non-negative; NaN when it never does within the horizon. ``(N,)``."""
    flows = (np.asarray(margin_per_year, dtype=float)[:, None] * shares[None, :]
             - fixed_cost) * discount_factors(len(shares), rate)[None, :]
    cum = np.cumsum(flows, axis=1) - upfront
    ok = cum >= 0
    first = np.argmax(ok, axis=1) + 1.0
    return np.where(ok.any(axis=1), first, np.nan)


@dataclass(frozen=True)
class BudgetImpact:
    """Budget impact by payer and year.

    Attributes
    ----------
    payers
        Payer names, in the order given.
    shares
        ``(T,)`` ramp shares.
    discount
        ``(T,)`` discount factors ``(1 + r)^-t``.
    today
        Payer -> spend without the AI service (money per year).
    spend
        Payer -> ``(N, T)`` spend in each year (money per year).
    impact
        Payer -> ``(N, T)`` spend minus today's, undiscounted (money per year).
    own_years
        True when the family models each year itself (``incentive_fund``: adoption and
        payments change from year to year), so a year's spend is not ``today + r_t
        (steady - today)``; False (default) for steady state on the ramp.
    """

    payers: tuple[str, ...]
    shares: np.ndarray
    discount: np.ndarray
    today: Mapping[str, float]
    spend: Mapping[str, np.ndarray]
    impact: Mapping[str, np.ndarray]
    own_years: bool = False

    @property
    def years(self) -> int:
        """Length of the horizon (years)."""
        return int(self.shares.shape[0])

    def total_impact(self) -> np.ndarray:
        """``(N, T)`` impact summed over payers (money per year)."""
        return np.sum([self.impact[j] for j in self.payers], axis=0)

    def cumulative(self, payer: str | None = None, discounted: bool = False) -> np.ndarray:
        """``(N,)`` impact summed over the horizon, for one payer or all (money)."""
        imp = self.total_impact() if payer is None else self.impact[payer]
        return (imp * self.discount[None, :]).sum(axis=1) if discounted else imp.sum(axis=1)


def budget_impact(steady: Mapping[str, np.ndarray], today: Mapping[str, float],
                  shares: np.ndarray, rate: float) -> BudgetImpact:
    """Year-by-year budget impact of each payer from its steady-state and today's spend.

    Parameters
    ----------
    steady
        Payer -> ``(N,)`` annual spend at steady-state adoption (money per year).
    today
        Payer -> annual spend without the AI (money per year); same keys as ``steady``.
    shares
        ``(T,)`` ramp shares (:func:`ramp_shares`).
    rate
        Annual discount rate of the discounted totals.
    """
    if set(steady) != set(today):
        raise ValueError(f"payers differ: {sorted(steady)} vs {sorted(today)}")
    payers = tuple(steady)
    impact = {j: (np.asarray(steady[j], dtype=float) - today[j])[:, None] * shares[None, :]
              for j in payers}
    spend = {j: today[j] + impact[j] for j in payers}
    return BudgetImpact(payers=payers, shares=np.asarray(shares, dtype=float),
                        discount=discount_factors(len(shares), rate),
                        today={j: float(today[j]) for j in payers}, spend=spend,
                        impact=impact)


def ramped_budget_impact_by_year(steady: Mapping[str, np.ndarray], today: Mapping[str, float],
                                  shares: np.ndarray, rate: float) -> BudgetImpact:
    """Budget impact when the steady-state spend itself changes from year to year.

    Like :func:`budget_impact` (the ramp applies), but each payer's steady-state spend is
    given per year, ``(N, T)`` (money per year), e.g. a time-limited add-on paid in the
    first years only.
    In year ``t`` the spend is ``today + r_t (steady_t - today)``.

    Examples
    --------
    >>> bi = ramped_budget_impact_by_year({"medicare": np.array([[10.0, 4.0]])},
    ...                                   {"medicare": 2.0}, np.array([0.5, 1.0]), 0.0)
    >>> bi.impact["medicare"].tolist()
    [[4.0, 2.0]]
    """
    if set(steady) != set(today):
        raise ValueError(f"payers differ: {sorted(steady)} vs {sorted(today)}")
    payers = tuple(steady)
    sh = np.asarray(shares, dtype=float)
    impact = {j: (np.atleast_2d(np.asarray(steady[j], dtype=float)) - today[j]) * sh[None, :]
              for j in payers}
    spend = {j: today[j] + impact[j] for j in payers}
    return BudgetImpact(payers=payers, shares=sh, discount=discount_factors(len(sh), rate),
                        today={j: float(today[j]) for j in payers}, spend=spend,
                        impact=impact)


def creator_npv_by_year(margin_by_year: np.ndarray, fixed_cost: float, upfront: float,
                        shares: np.ndarray, rate: float) -> np.ndarray:
    """Creator NPV when the steady-state use-driven margin changes from year to year.

    ``NPV = sum_t (1 + r)^-t (r_t M_t - O) - F`` with ``M`` of shape ``(N, T)`` (money per
    year); ``O`` is paid every year, ``F`` up front (money). ``(N,)``.

    Examples
    --------
    >>> creator_npv_by_year(np.array([[10.0, 4.0]]), 1.0, 2.0, np.array([0.5, 1.0]),
    ...                     0.0).tolist()
    [5.0]
    """
    sh = np.asarray(shares, dtype=float)
    disc = discount_factors(len(sh), rate)
    flows = np.atleast_2d(np.asarray(margin_by_year, dtype=float)) * sh[None, :] - fixed_cost
    return (flows * disc[None, :]).sum(axis=1) - upfront


def budget_impact_by_year(spend: Mapping[str, np.ndarray], today: Mapping[str, float],
                          rate: float, shares: np.ndarray | None = None) -> BudgetImpact:
    """Budget impact from spend already computed year by year (families with a time axis;
    compare :func:`ramped_budget_impact_by_year`, which applies the ramp itself).

    Parameters
    ----------
    spend
        Payer -> ``(N, T)`` spend in each year of the horizon (money per year).
    today
        Payer -> annual spend without the AI (money per year); same keys as ``spend``.
    rate
        Annual discount rate of the discounted totals.
    shares
        ``(T,)`` ramp shares the family applied in its own years, recorded for display
        (default all 1); the totals do not use them (the spend already holds them).
    """
    if set(spend) != set(today):
        raise ValueError(f"payers differ: {sorted(spend)} vs {sorted(today)}")
    payers = tuple(spend)
    years = int(np.asarray(spend[payers[0]]).shape[1])
    by_year = {j: np.asarray(spend[j], dtype=float) for j in payers}
    recorded = np.ones(years) if shares is None else np.asarray(shares, dtype=float)
    return BudgetImpact(payers=payers, shares=recorded,
                        discount=discount_factors(years, rate),
                        today={j: float(today[j]) for j in payers}, spend=by_year,
                        impact={j: by_year[j] - today[j] for j in payers}, own_years=True)


def mix_budget_impacts(impacts: Sequence[BudgetImpact], weights: np.ndarray) -> BudgetImpact:
    """Probability-weighted mixture of budget impacts with the same payers and years
    (e.g. over Medicare contractors): spend, impact and today's spend are averaged with
    ``weights`` (which sum to 1); spend is linear in uses, so the mixture is exact."""
    first = impacts[0]
    w = np.asarray(weights, dtype=float)

    def mean(get: Callable[[BudgetImpact], np.ndarray]) -> np.ndarray:
        return np.einsum("k,k...->...", w, np.stack([get(b) for b in impacts]))

    return BudgetImpact(
        payers=first.payers, shares=first.shares, discount=first.discount,
        today={j: float(sum(wk * b.today[j] for wk, b in zip(w, impacts, strict=True)))
               for j in first.payers},
        spend={j: mean(lambda b, j=j: b.spend[j]) for j in first.payers},
        impact={j: mean(lambda b, j=j: b.impact[j]) for j in first.payers},
        own_years=first.own_years)


def budget_columns(impact: BudgetImpact) -> dict[str, np.ndarray]:
    """The reported budget-impact columns of a front point: ``budget_impact_year<t>``
    (all payers, money per year, undiscounted) and ``budget_impact_discounted`` (money,
    summed over the horizon at the discount rate)."""
    total = impact.total_impact()
    out = {f"budget_impact_year{t + 1}": total[:, t] for t in range(impact.years)}
    out["budget_impact_discounted"] = impact.cumulative(discounted=True)
    return out
