"""Plots of fronts: pairwise objective scatter with anchors and observed prices, parallel
coordinates, and overlays of several fronts.

Figures are built with matplotlib's object API on an Agg canvas (no global pyplot state)
and saved atomically. Dollar axes are shown in millions.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from optim.anchors import Anchors
from optim.front import ParetoFront
from optim.io import write_with
from optim.spec import ObservedPrice

_ANCHOR_STYLE = {
    "substitution": ("tab:red", "--"),
    "access_maximizing": ("tab:green", "-"),
    "cost_effective": ("tab:purple", "-."),
    "marginal_cost": ("tab:gray", ":"),
    "total_cost_of_ownership": ("tab:brown", ":"),
}


def _scaled(values: np.ndarray, unit: str) -> tuple[np.ndarray, str]:
    if unit.startswith("USD") and "use" not in unit and "patient" not in unit and \
            np.nanmax(np.abs(values), initial=0) >= 1e6:
        return values / 1e6, unit.replace("USD", "million USD")
    return values, unit


def _save(fig: Figure, path: str | Path) -> Path:
    FigureCanvasAgg(fig)
    return write_with(Path(path), lambda tmp: fig.savefig(tmp, format="png", dpi=110))


def plot_front(
    front: ParetoFront,
    path: str | Path,
    anchors: Anchors | None = None,
    observed: Sequence[ObservedPrice] = (),
    price: str = "p",
    title: str = "",
) -> Path:
    """Pairwise objective scatter (colored by ``price``) over a row of price-vs-objective
    panels with the value anchors as vertical lines and observed prices shaded.

    Parameters
    ----------
    front
        The front to draw.
    path
        PNG file to write (atomically).
    anchors
        Value anchors to overlay on the price axis (USD per patient or per use).
    observed
        Real-world prices or bands on ``price`` (e.g. CMS's $45-$64) to shade.
    price
        Decision shown on the x axis of the bottom row and used for color.
    """
    k = len(front.objective_names)
    pairs = list(itertools.combinations(range(k), 2))
    ncols = max(k, min(len(pairs), 3))
    nrows_pairs = int(np.ceil(len(pairs) / ncols))
    fig = Figure(figsize=(4.2 * ncols, 3.6 * (nrows_pairs + 1)), layout="constrained")
    has_price = price in front.decision_names and len(front) > 0
    color = front.column(price) if has_price else None
    cols = [_scaled(front.objectives[:, j], front.units[j]) for j in range(k)]
    sc = None
    for i, (a, b) in enumerate(pairs):
        ax = fig.add_subplot(nrows_pairs + 1, ncols, i + 1)
        sc = ax.scatter(cols[a][0], cols[b][0], c=color, s=6, cmap="viridis")
        ax.set_xlabel(f"{front.objective_names[a]} ({front.senses[a]}) [{cols[a][1]}]",
                      fontsize=8)
        ax.set_ylabel(f"{front.objective_names[b]} ({front.senses[b]}) [{cols[b][1]}]",
                      fontsize=8)
        ax.tick_params(labelsize=7)
    if sc is not None and color is not None:
        fig.colorbar(sc, ax=fig.axes, label=f"{price} [USD per use]", shrink=0.6)
    if has_price:
        x = front.column(price)
        for j in range(k):
            ax = fig.add_subplot(nrows_pairs + 1, ncols, nrows_pairs * ncols + j + 1)
            ax.scatter(x, cols[j][0], s=5, color="tab:blue")
            for band in observed:
                if band.variable != price:
                    continue
                if band.high > band.low:
                    ax.axvspan(band.low, band.high, color="orange", alpha=0.25,
                               label=band.name if j == 0 else None)
                else:
                    ax.axvline(band.low, color="orange", lw=1.5,
                               label=band.name if j == 0 else None)
            if anchors is not None:
                for anc in anchors:
                    c, ls = _ANCHOR_STYLE.get(anc.name, ("black", "--"))
                    ax.axvline(anc.value, color=c, ls=ls, lw=1,
                               label=f"{anc.name} {anc.value:.2f}" if j == 0 else None)
            ax.set_xlabel(f"{price} [USD per use]", fontsize=8)
            ax.set_ylabel(f"{front.objective_names[j]} [{cols[j][1]}]", fontsize=8)
            ax.tick_params(labelsize=7)
            if j == 0 and (anchors is not None or observed):
                ax.legend(fontsize=6, loc="best")
    fig.suptitle(title or f"Pareto front: {front.provenance.problem} "
                 f"({front.provenance.solver}, {len(front)} points)")
    return _save(fig, path)


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
    colors = colormaps["viridis"](np.linspace(0, 1, len(order)))
    ax.add_collection(LineCollection(segments, colors=colors, alpha=0.25, linewidths=0.6))
    ax.set_xlim(-0.1, len(xs) - 0.9)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xticks(xs, [f"{n}\n({s})" for n, s in zip(front.objective_names, front.senses,
                                                       strict=True)], fontsize=8)
    ax.set_ylabel("scaled objective (1 = best on this front)")
    ax.set_title(title or f"{front.provenance.problem}: parallel coordinates")
    return _save(fig, path)


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
    return _save(fig, path)
