"""Plots of a PSA: acceptability curves, P(Pareto-optimal) over the (p, f) plane and the
cost-effectiveness plane. Figures use matplotlib's object API and are saved atomically."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from paretoprice.app.plots import save_figure

__all__ = ["acceptability_figure", "ce_plane_figure", "pareto_probability_figure",
           "save_figure", "tornado_figure", "write_all"]

if TYPE_CHECKING:
    from paretoprice.app.psa_run import Prepared, PsaResult


def acceptability_figure(prep: Prepared, result: PsaResult) -> Figure:
    """P(cost-effective) over willingness to pay for each observed price and pick, with the
    acceptability frontier (probability that the expected-NMB-best candidate is optimal)."""
    fig = Figure(figsize=(8, 5))
    ax = fig.add_subplot()
    wtp = prep.setup.wtp / 1000
    labels = [f"p_ce_{w / 1000:g}k" for w in prep.setup.wtp]
    for _, r in result.observed.iterrows():
        ax.plot(wtp, [r[c] for c in labels], marker="o", ms=3,
                label=f"observed: {r['observed']}")
    for _, r in result.picks.iterrows():
        ax.plot(wtp, [r[c] for c in labels], ls="--", lw=1,
                label=f"pick: {r['pick']} (p={r.iloc[1]:g}, f={r.iloc[2]:g})"[:70])
    ax.plot(wtp, result.acceptability["p_optimal"], color="black", lw=2.5,
            label="acceptability frontier (P(optimal) of the best expected NMB)")
    ax.set_xlabel("willingness to pay (thousand USD per QALY)")
    ax.set_ylabel("probability cost-effective (NMB > 0)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"{prep.problem.name}: cost-effectiveness acceptability "
                 f"({prep.config.draws:,} draws)")
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    return fig


def pareto_probability_figure(prep: Prepared, result: PsaResult) -> Figure:
    """P(Pareto-optimal) over the first two decisions (max over any others)."""
    names = prep.problem.decision_names
    cand = result.candidates
    fig = Figure(figsize=(8, 5.5))
    ax = fig.add_subplot()
    x, y = names[0], names[1] if len(names) > 1 else names[0]
    grid = cand.groupby([y, x])["p_pareto_optimal"].max().unstack(x)
    im = ax.pcolormesh(grid.columns.to_numpy(), grid.index.to_numpy(), grid.to_numpy(),
                       shading="nearest", cmap="viridis", vmin=0, vmax=1)
    fig.colorbar(im, ax=ax, label="probability Pareto-optimal")
    units = {d.name: d.unit for d in prep.problem.decisions}
    for ob in prep.problem.spec.observed:
        if ob.variable == x:
            ax.axvspan(ob.low - 0.3, ob.high + 0.3, color="white", alpha=0.25)
            ax.axvline((ob.low + ob.high) / 2, color="white", ls=":", lw=1)
            ax.text((ob.low + ob.high) / 2, ax.get_ylim()[1], ob.name, rotation=90,
                    va="top", ha="right", fontsize=6, color="white")
    ax.set_xlabel(f"{x} ({units[x]})")
    ax.set_ylabel(f"{y} ({units[y]})")
    ax.set_title(f"{prep.problem.name}: probability each price pair is Pareto-optimal")
    return fig


def ce_plane_figure(prep: Prepared, result: PsaResult) -> Figure:
    """Incremental cost vs incremental QALYs per draw for each observed price's tracked
    candidate, with the 50k/100k/150k USD/QALY threshold lines."""
    fig = Figure(figsize=(8, 5.5))
    ax = fig.add_subplot()
    plane = result.plane
    names = prep.problem.decision_names
    for t, (_, r) in enumerate(result.tracked.iterrows()):
        if plane.shape[0] == 0:
            break
        ax.scatter(plane[:, t, 1], plane[:, t, 0] / 1e6, s=4, alpha=0.35,
                   label=f"{r['observed']} ({names[0]}={r[names[0]]:g}, "
                         f"{names[1]}={r[names[1]]:g})" if len(names) > 1 else r["observed"])
    if plane.size:
        qmax = float(np.nanmax(np.abs(plane[:, :, 1]))) or 1.0
        xs = np.array([0.0, qmax])
        for w in (50_000, 100_000, 150_000):
            ax.plot(xs, w * xs / 1e6, ls="--", lw=1, color="gray")
            ax.text(xs[-1], w * xs[-1] / 1e6, f"{w / 1000:g}k/QALY", fontsize=7,
                    color="gray")
    if plane.size:  # frame the draws (and the origin); threshold lines are clipped
        ys = np.concatenate([plane[:, :, 0].ravel() / 1e6, [0.0]])
        lo, hi = float(np.nanmin(ys)), float(np.nanmax(ys))
        pad = 0.1 * (hi - lo or 1.0)
        ax.set_ylim(lo - pad, hi + pad)
    ax.axhline(0, color="black", lw=0.6)
    ax.axvline(0, color="black", lw=0.6)
    ax.set_xlabel("incremental QALYs per year vs today")
    ax.set_ylabel("incremental cost (million USD per year) vs today")
    ax.set_title(f"{prep.problem.name}: cost-effectiveness plane (first "
                 f"{plane.shape[0]:,} draws)")
    ax.legend(fontsize=7, markerscale=3)
    ax.grid(alpha=0.3)
    return fig


def write_all(prep: Prepared, result: PsaResult, folder: Path) -> list[Path]:
    """Write the three PSA plots into ``folder``."""
    out = [save_figure(acceptability_figure(prep, result), folder / "acceptability.png"),
           save_figure(pareto_probability_figure(prep, result),
                       folder / "pareto_probability.png")]
    if len(result.tracked):
        out.append(save_figure(ce_plane_figure(prep, result), folder / "ce_plane.png"))
    return out


def tornado_figure(problem: str, table: pd.DataFrame, point: str, top: int = 8) -> Figure:
    """One tornado panel per point objective and for the access-maximizing and
    cost-effective anchors: bars from the output at each input's low to its high value."""
    wanted = [q for q in dict.fromkeys(table["quantity"])
              if q.startswith("point ") and q != "point feasible"]
    wanted += [q for q in ("anchor access_maximizing", "anchor cost_effective")
               if q in set(table["quantity"])]
    cols = 2
    rows = -(-len(wanted) // cols)
    fig = Figure(figsize=(12, 3.2 * rows))
    for i, q in enumerate(wanted):
        ax = fig.add_subplot(rows, cols, i + 1)
        rows_q = table[table["quantity"] == q]
        base = float(rows_q["base"].iloc[0]) if len(rows_q) else 0.0
        sub = rows_q[rows_q["swing"] > 0].sort_values("swing", ascending=True).tail(top)
        y = np.arange(len(sub))
        lo, hi = sub["at_low"].to_numpy(), sub["at_high"].to_numpy()
        ax.barh(y, lo - base, left=base, color="tab:blue", label="input at low")
        ax.barh(y, hi - base, left=base, color="tab:orange", label="input at high")
        ax.axvline(base, color="black", lw=0.8)
        ax.set_yticks(y, [s.replace("segments.", "") for s in sub["input"]], fontsize=6)
        unit = rows_q["unit"].iloc[0] if len(rows_q) else ""
        ax.set_title(f"{q} [{unit}]", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        if i == 0:
            ax.legend(fontsize=6)
    fig.suptitle(f"{problem}: one-way sensitivity at {point}", fontsize=9)
    fig.tight_layout()
    return fig
