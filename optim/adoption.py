"""Adoption curves: which share of sites adopt, given the annual margin the AI earns a site.

A site adopts when its annual margin from the AI service covers its annualized fixed
adoption cost ``K``. Sites differ in ``K``; the distribution of ``K`` is the adoption
curve. Each curve returns, for an annual margin per site ``M`` (USD per site per year)
and a mean fixed cost ``Kbar`` (USD per site per year):

* ``share``: the share of sites that adopt, ``P(K <= M)``, in [0, 1];
* ``cost``: the adopters' fixed cost per site, ``E[K; K <= M]`` (USD per site per year),
  which the provider-margin objective subtracts.

Both work elementwise on arrays of any shape (one numpy pass for all candidates).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from scipy.special import ndtr


class AdoptionCurve(Protocol):
    """Callable ``(margin_per_site, mean_fixed_cost) -> (share, adopters_cost_per_site)``."""

    def __call__(
        self, margin_per_site: np.ndarray, mean_fixed_cost: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]: ...


def uniform_adoption(
    margin_per_site: np.ndarray, mean_fixed_cost: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Site costs ~ Uniform[0, 2 Kbar] (piecewise linear; the reference model's default).

    ``share = clip(M / (2 Kbar), 0, 1)``; ``cost = Kstar^2 / (4 Kbar)`` with
    ``Kstar = clip(M, 0, 2 Kbar)``, i.e. ``share * Kstar / 2``. With ``Kbar = 0`` every site
    adopts as soon as ``M > 0`` at no fixed cost.

    Examples
    --------
    >>> s, c = uniform_adoption(np.array([-1.0, 50.0, 500.0]), np.array(100.0))
    >>> s.tolist(), c.tolist()
    ([0.0, 0.25, 1.0], [0.0, 6.25, 100.0])
    """
    m = np.asarray(margin_per_site, dtype=float)
    kbar = np.asarray(mean_fixed_cost, dtype=float)
    positive = kbar > 0
    safe = np.where(positive, kbar, 1.0)
    kstar = np.clip(m, 0.0, 2.0 * kbar)
    share = np.where(positive, kstar / (2.0 * safe), (m > 0).astype(float))
    cost = np.where(positive, kstar * kstar / (4.0 * safe), 0.0)
    return share, cost


def lognormal_adoption(sigma: float) -> AdoptionCurve:
    """Site costs ~ LogNormal with mean ``Kbar`` and log-scale deviation ``sigma`` (smooth).

    ``share = Phi((ln M - mu) / sigma)``, ``cost = Kbar * Phi((ln M - mu - sigma^2) / sigma)``
    with ``mu = ln Kbar - sigma^2 / 2``; zero for ``M <= 0``.
    """
    if sigma <= 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    s2 = sigma * sigma

    def curve(
        margin_per_site: np.ndarray, mean_fixed_cost: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        m = np.asarray(margin_per_site, dtype=float)
        kbar = np.asarray(mean_fixed_cost, dtype=float)
        positive = kbar > 0
        mu = np.log(np.where(positive, kbar, 1.0)) - s2 / 2.0
        logm = np.log(np.where(m > 0, m, 1.0))
        z = (logm - mu) / sigma
        share = np.where(m > 0, np.where(positive, ndtr(z), 1.0), 0.0)
        cost = np.where((m > 0) & positive, kbar * ndtr(z - sigma), 0.0)
        return share, cost

    return curve


def make_curve(name: str, sigma: float = 0.75) -> AdoptionCurve:
    """The adoption curve called ``name`` (``uniform`` or ``lognormal``)."""
    if name == "uniform":
        return uniform_adoption
    if name == "lognormal":
        return lognormal_adoption(sigma)
    raise ValueError(f"unknown adoption curve {name!r}; use 'uniform' or 'lognormal'")
