"""Plots of fronts: pairwise objective scatter with anchors and observed prices, parallel
coordinates, and overlays of several fronts.

Figures are built with matplotlib's object API on an Agg canvas (no global pyplot state)
and saved atomically. Money totals are shown in millions (billions from ten billion, e.g. KRW);
price axes carry the decision's own unit.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from paretoprice.optim.anchors import Anchors
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.io import write_with
from paretoprice.optim.spec import ObservedPrice

_ANCHOR_STYLE = {
    "substitution": ("tab:red", "--"),
    "access_maximizing": ("tab:green", "-"),
    "cost_effective": ("tab:purple", "-."),
    "marginal_cost": ("tab:gray", ":"),
    "total_cost_of_ownership": ("tab:brown", ":"),
}


def _scaled(values: np.ndarray, unit: str) -> tuple[np.ndarray, str]:
    """Money totals (a currency unit not per use/patient) in millions, or in billions when
    they reach ten billion (KRW totals); other units unchanged."""
    cur = _currency(unit)
    if cur is None or "use" in unit or "patient" in unit:
        return values, unit
    top = float(np.nanmax(np.abs(values), initial=0))
    if top >= 1e10:
        return values / 1e9, unit.replace(cur, f"billion {cur}", 1)
    if top >= 1e6:
        return values / 1e6, unit.replace(cur, f"million {cur}", 1)
    return values, unit


def _currency(unit: str) -> str | None:
    """The ISO currency code a unit starts with (``USD``, ``KRW``...), else ``None``."""
    head = unit.split(" ", 1)[0]
    return head if len(head) == 3 and head.isalpha() and head.isupper() else None


def anchor_comparable(decision_unit: str, anchor_unit: str) -> bool:
    """Whether a value anchor can be read on a decision's axis.

    Anchors are prices per patient or per use (``USD per patient``, ``KRW per use``). They
    are comparable with a decision priced per use or per patient in the same currency
    (``p`` in ``USD per use``, an add-on in ``KRW per use``), not with a price per
    beneficiary-year, per site-year, per billed task or a share.

    Examples
    --------
    >>> anchor_comparable("USD per use", "USD per patient")
    True
    >>> anchor_comparable("USD per beneficiary-year", "USD per patient")
    False
    >>> anchor_comparable("KRW per use", "USD per use")
    False
    """
    cur = _currency(decision_unit)
    if cur is None or cur != _currency(anchor_unit):
        return False
    return decision_unit in {f"{cur} per use", f"{cur} per patient"}


def default_price(front: ParetoFront, observed: Sequence[ObservedPrice] = ()) -> str | None:
    """The decision to color by and to put on the price axis: the first observed price's
    decision, else ``p``, else ``None`` (no price panels)."""
    for band in observed:
        if band.variable in front.decision_names:
            return band.variable
    return "p" if "p" in front.decision_names else None


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` as a PNG (110 dpi) atomically: complete or absent."""
    FigureCanvasAgg(fig)
    return write_with(Path(path), lambda tmp: fig.savefig(tmp, format="png", dpi=110))


def plot_front(
    front: ParetoFront,
    path: str | Path,
    anchors: Anchors | None = None,
    observed: Sequence[ObservedPrice] = (),
    price: str | None = None,
    title: str = "",
) -> Path:
    """Write :func:`front_figure` to ``path`` (PNG, atomically); returns the path."""
    return save_figure(front_figure(front, anchors, observed, price, title), path)


def front_figure(
    front: ParetoFront,
    anchors: Anchors | None = None,
    observed: Sequence[ObservedPrice] = (),
    price: str | None = None,
    title: str = "",
) -> Figure:
    """Pairwise objective scatter (colored by ``price``) over a row of price-vs-objective
    panels with the value anchors as vertical lines and observed prices shaded.

    Only the panels that exist are laid out: without a price decision (or on an empty
    front) the figure holds the pairwise panels alone, uncolored.

    Parameters
    ----------
    front
        The front to draw.
    anchors
        Value anchors (USD or KRW per patient or per use) drawn on the price axis when
        their unit is comparable with the price's (see :func:`anchor_comparable`).
    observed
        Real-world prices or bands (e.g. CMS's $45-$64 for ``p``); those on ``price`` are
        shaded.
    price
        Decision shown on the x axis of the bottom row and used for color, labelled in
        its own unit (``front.decision_units``). ``None``: :func:`default_price`. A name
        that is not a decision of the front draws no price panels.
    title
        Figure title (default: problem, solver and number of points).
    """
    if price is None:
        price = default_price(front, observed)
    k = len(front.objective_names)
    pairs = list(itertools.combinations(range(k), 2))
    has_price = price is not None and price in front.decision_names and len(front) > 0
    ncols = max(k if has_price else 0, min(len(pairs), 3))
    nrows_pairs = int(np.ceil(len(pairs) / ncols))
    nrows = nrows_pairs + (1 if has_price else 0)
    fig = Figure(figsize=(4.2 * ncols, 3.6 * nrows), layout="constrained")
    cols = [_scaled(front.objectives[:, j], front.units[j]) for j in range(k)]
    color_kw: dict = {}
    price_unit = ""
    if has_price:
        price_unit = front.decision_units[front.decision_names.index(price)]
        color_kw = {"c": front.column(price), "cmap": "viridis"}
    sc = None
    pair_axes = []
    for i, (a, b) in enumerate(pairs):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        pair_axes.append(ax)
        sc = ax.scatter(cols[a][0], cols[b][0], s=6, **color_kw)
        ax.set_xlabel(f"{front.objective_names[a]} ({front.senses[a]}) [{cols[a][1]}]",
                      fontsize=8)
        ax.set_ylabel(f"{front.objective_names[b]} ({front.senses[b]}) [{cols[b][1]}]",
                      fontsize=8)
        ax.tick_params(labelsize=7)
    if sc is not None and has_price:
        fig.colorbar(sc, ax=pair_axes, label=f"{price} [{price_unit}]", shrink=0.6)
    if has_price:
        x = front.column(price)
        shown = [anc for anc in (anchors or ())
                 if anchor_comparable(price_unit, anc.unit)]
        bands = [band for band in observed if band.variable == price]
        band_colors = ["tab:orange", "tab:olive", "tab:pink", "tab:cyan", "gold"]
        for j in range(k):
            ax = fig.add_subplot(nrows, ncols, nrows_pairs * ncols + j + 1)
            ax.scatter(x, cols[j][0], s=5, color="tab:blue")
            for i, band in enumerate(bands):
                bc = band_colors[i % len(band_colors)]
                if band.high > band.low:
                    ax.axvspan(band.low, band.high, color=bc, alpha=0.25,
                               label=band.name if j == 0 else None)
                else:
                    ax.axvline(band.low, color=bc, lw=1.5,
                               label=band.name if j == 0 else None)
            for anc in shown:
                c, ls = _ANCHOR_STYLE.get(anc.name, ("black", "--"))
                ax.axvline(anc.value, color=c, ls=ls, lw=1,
                           label=f"{anc.name} {anc.value:,.2f}" if j == 0 else None)
            ax.set_xlabel(f"{price} [{price_unit}]", fontsize=8)
            ax.set_ylabel(f"{front.objective_names[j]} [{cols[j][1]}]", fontsize=8)
            ax.tick_params(labelsize=7)
        if shown or bands:
            # below the figure, so it hides no point of the price panels
            fig.legend(loc="outside lower center", ncols=min(3, len(shown) + len(bands)),
                       fontsize=7, title=f"observed prices and value anchors [{price_unit}]",
                       title_fontsize=7)
    fig.suptitle(title or f"Pareto front: {front.provenance.problem} "
                 f"({front.provenance.solver}, {len(front)} points)")
    return fig


def plot_parallel(front: ParetoFront, path: str | Path, title: str = "") -> Path:
    """Parallel coordinates of the objectives, each scaled to [0, 1] with 1 = best."""
    fig = Figure(figsize=(2.2 * len(front.objective_names) + 2, 4.5), layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    M = front.minimization_matrix()
    lo, hi = M.min(axis=0), M.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    S = 1.0 - (M - lo) / span
    xs = np.arange(S.shape[1])
    order = np.argsort(S[:, 0])
    from matplotlib import colormaps
    from matplotlib.collections import LineCollection

    segments = np.stack([np.broadcast_to(xs, S.shape), S], axis=2)[order]
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    first = front.objectives[:, 0]
    norm = Normalize(float(first.min()), float(first.max()) if len(first) and
                     first.max() > first.min() else float(first.min()) + 1.0) \
        if len(first) else Normalize(0.0, 1.0)
    colors = colormaps["viridis"](norm(first[order]))
    ax.add_collection(LineCollection(segments, colors=colors, alpha=0.25, linewidths=0.6))
    if len(first):
        fig.colorbar(ScalarMappable(norm=norm, cmap="viridis"), ax=ax,
                     label=f"{front.objective_names[0]} [{front.units[0]}] (line colour)")
    ax.set_xlim(-0.1, len(xs) - 0.9)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xticks(xs, [f"{n}\n({s})" for n, s in zip(front.objective_names, front.senses,
                                                       strict=True)], fontsize=8)
    ax.set_ylabel("scaled objective (1 = best on this front)")
    ax.set_title(title or f"{front.provenance.problem}: parallel coordinates")
    return save_figure(fig, path)


def plot_overlay(fronts: Mapping[str, ParetoFront], path: str | Path, title: str = "") -> Path:
    """Several fronts of one problem overlaid, one panel per objective pair."""
    first = next(iter(fronts.values()))
    k = len(first.objective_names)
    pairs = list(itertools.combinations(range(k), 2))
    ncols = min(len(pairs), 3)
    nrows = int(np.ceil(len(pairs) / ncols))
    fig = Figure(figsize=(4.5 * ncols, 3.8 * nrows), layout="constrained")
    markers = itertools.cycle(["o", "x", "+", "s", "^", "v"])
    axes = [fig.add_subplot(nrows, ncols, i + 1) for i in range(len(pairs))]
    for label, front in fronts.items():
        m = next(markers)
        cols = [_scaled(front.objectives[:, j], front.units[j]) for j in range(k)]
        for ax, (a, b) in zip(axes, pairs, strict=True):
            ax.scatter(cols[a][0], cols[b][0], s=10, marker=m, label=f"{label} ({len(front)})",
                       alpha=0.6)
            ax.set_xlabel(f"{first.objective_names[a]} [{cols[a][1]}]", fontsize=8)
            ax.set_ylabel(f"{first.objective_names[b]} [{cols[b][1]}]", fontsize=8)
    axes[0].legend(fontsize=7)
    fig.suptitle(title or f"{first.provenance.problem}: fronts compared")
    return save_figure(fig, path)
