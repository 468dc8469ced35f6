"""Redundant objectives: rank correlations between the objectives on a front.

Two objectives are redundant on a front when improving one always improves the other:
their values rank the front's points the same way. We measure this with Spearman's rank
correlation of the objectives in *minimization form* (maximized objectives negated), so
``+1`` means "the two always agree" and ``-1`` means "every gain in one is a loss in the
other" (a genuine trade-off, e.g. any two-objective front). Verdicts:

- ``perfectly redundant``: correlation >= :data:`PERFECT` (0.999);
- ``nearly redundant``: correlation >= :data:`NEARLY` (0.98);
- ``constant``: an objective takes one value on the whole front (it separates nothing).

Redundant objectives form groups (connected pairs); we suggest keeping the first of each
group in the problem's order and dropping the rest. Dropping a perfectly redundant
objective leaves the front's points unchanged up to ties; a nearly redundant one can
change the front slightly.

Why it happens: a problem with ``d`` decisions has a front of dimension at most ``d``
(the image of a ``d``-dimensional decision set under a smooth map is at most
``d``-dimensional), and objectives that depend on the decisions only through the same
scalar combination (in v1, access, provider margin and equity all through ``p - f``) are
monotone functions of one another on the front.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import rankdata

PERFECT = 0.999
"""Rank correlation at or above which two objectives are called perfectly redundant."""
NEARLY = 0.98
"""Rank correlation at or above which two objectives are called nearly redundant."""
MIN_POINTS = 3
"""Fewer points than this give no verdict (any two points are perfectly ranked)."""


@dataclass(frozen=True)
class Redundancy:
    """Rank correlations between objectives on one front, and the redundancy verdict.

    Attributes
    ----------
    names
        Objective names, in the problem's order.
    matrix
        ``(k, k)`` Spearman correlations in minimization form (NaN next to a constant
        objective, or with fewer than :data:`MIN_POINTS` points).
    pairs
        One entry per pair ``(a, b, rho, verdict)`` with ``verdict`` one of
        ``perfectly redundant``, ``nearly redundant``, ``partly aligned`` (0 <= rho below
        the nearly threshold), ``conflicting`` (rho < 0), ``perfectly conflicting``
        (rho <= -perfectly), ``undefined`` (a constant objective).
    constant
        Objectives constant on the front.
    groups
        Groups of mutually redundant objectives (each of 2 or more names).
    drop
        Objectives we suggest dropping (all but the first of each group, and constants).
    n_points
        Points on the front.
    """

    names: tuple[str, ...]
    matrix: np.ndarray
    pairs: tuple[tuple[str, str, float, str], ...]
    constant: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...]
    drop: tuple[str, ...]
    n_points: int

    @property
    def redundant(self) -> bool:
        """Whether any objective is redundant or constant on the front."""
        return bool(self.drop)

    def warning(self) -> str:
        """One line for the user ('' when nothing is redundant)."""
        if not self.drop:
            return ""
        parts = []
        for grp in self.groups:
            rhos = [r for a, b, r, _ in self.pairs if a in grp and b in grp]
            parts.append(f"{', '.join(grp)} rank the front alike "
                         f"(Spearman >= {min(rhos):.3f})")
        if self.constant:
            parts.append(f"{', '.join(self.constant)} constant on the front")
        return (f"warning: redundant objectives: {'; '.join(parts)}; consider dropping "
                f"{', '.join(self.drop)} (--objectives).")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary for ``front.json``."""
        return {
            "method": "Spearman rank correlation, objectives in minimization form "
                      "(+1: always agree, -1: pure trade-off)",
            "thresholds": {"perfectly": PERFECT, "nearly": NEARLY},
            "n_points": self.n_points,
            "pairs": [{"a": a, "b": b, "rho": None if np.isnan(r) else round(float(r), 6),
                       "verdict": v} for a, b, r, v in self.pairs],
            "constant": list(self.constant),
            "redundant_groups": [list(g) for g in self.groups],
            "suggest_drop": list(self.drop),
            "verdict": ("redundant objectives: drop " + ", ".join(self.drop)) if self.drop
            else ("too few points for a verdict" if self.n_points < MIN_POINTS
                  else "no redundant objectives"),
        }


def spearman_matrix(values: np.ndarray) -> np.ndarray:
    """``(k, k)`` Spearman correlations of the columns of ``values`` (ties get average
    ranks; NaN for a constant column)."""
    V = np.asarray(values, dtype=float)
    k = V.shape[1]
    if V.shape[0] < 2:
        return np.full((k, k), np.nan)
    R = np.column_stack([rankdata(V[:, j]) for j in range(k)])
    R = R - R.mean(axis=0)
    sd = np.sqrt((R * R).sum(axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (R.T @ R) / np.outer(sd, sd)
    out[:, sd == 0] = np.nan
    out[sd == 0, :] = np.nan
    return np.clip(out, -1.0, 1.0)


def detect_redundancy(names: Sequence[str], minimization: np.ndarray,
                      nearly: float = NEARLY, perfectly: float = PERFECT) -> Redundancy:
    """Rank correlations of the objectives of a front and the redundancy verdict.

    Parameters
    ----------
    names
        Objective names (``k``).
    minimization
        ``(n, k)`` objective values with maximized objectives negated (see
        :meth:`~paretoprice.optim.front.ParetoFront.minimization_matrix`).
    nearly, perfectly
        Thresholds of the verdicts (``nearly <= perfectly <= 1``).

    Examples
    --------
    ``b`` is ``a`` squared (same ranking), ``c`` is the trade-off:

    >>> a = np.array([1.0, 2.0, 3.0, 4.0])
    >>> r = detect_redundancy(["a", "b", "c"], np.column_stack([a, a ** 2, -a]))
    >>> r.groups, r.drop
    ((('a', 'b'),), ('b',))
    """
    M = np.asarray(minimization, dtype=float)
    names = tuple(names)
    n, k = M.shape[0], len(names)
    if n < MIN_POINTS:
        mat = np.full((k, k), np.nan)
        pairs = tuple((names[i], names[j], float("nan"), "undefined")
                      for i in range(k) for j in range(i + 1, k))
        return Redundancy(names, mat, pairs, (), (), (), n)
    mat = spearman_matrix(M)
    constant = tuple(nm for j, nm in enumerate(names) if np.ptp(M[:, j]) == 0)
    pairs: list[tuple[str, str, float, str]] = []
    parent = list(range(k))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(k):
        for j in range(i + 1, k):
            r = float(mat[i, j])
            if np.isnan(r):
                verdict = "undefined"
            elif r >= perfectly:
                verdict = "perfectly redundant"
            elif r >= nearly:
                verdict = "nearly redundant"
            elif r <= -perfectly:
                verdict = "perfectly conflicting"
            else:
                verdict = "conflicting" if r < 0 else "partly aligned"
            if verdict.endswith("redundant"):
                parent[find(j)] = find(i)
            pairs.append((names[i], names[j], r, verdict))
    groups_by_root: dict[int, list[str]] = {}
    for i in range(k):
        if names[i] not in constant:
            groups_by_root.setdefault(find(i), []).append(names[i])
    groups = tuple(tuple(g) for g in groups_by_root.values() if len(g) > 1)
    drop = tuple(nm for nm in names
                 if nm in constant or any(nm in g[1:] for g in groups))
    return Redundancy(names, mat, tuple(pairs), constant, groups, drop, n)
