"""Quality indicators to compare two fronts of the same problem.

All functions take objective matrices in *minimization* form (maximized objectives
negated), as returned by :meth:`paretoprice.optim.front.ParetoFront.minimization_matrix`.

* hypervolume against one declared common reference point (raw units, so values are
  comparable across runs and backends that use the same point);
* IGD+ and the additive epsilon, computed after normalizing every objective by the
  reference front's range (ideal to nadir), so dollars and shares weigh alike;
* points missed: reference points that no approximation point weakly dominates within a
  relative tolerance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import moocore
import numpy as np

MISSED_TOL = 1e-3
"""Tolerance for 'reference point covered', as a share of each objective's range on the
reference front (0.1%): a heuristic's continuous price that comes within 0.1% of a ladder
point in every objective has found it."""

SAME_SET_TOL = 1e-6
"""Tolerance for two fronts being the same set (exact backends against references)."""


def minimization_signs(senses: Sequence[str]) -> np.ndarray:
    """``(k,)`` factors turning objectives into minimized ones: 1.0 for ``"min"``, -1.0 for
    ``"max"`` (multiply a natural-sense matrix by it, or the reverse)."""
    return np.array([1.0 if s == "min" else -1.0 for s in senses])


def nondominated_mask(F: np.ndarray) -> np.ndarray:
    """Mask of nondominated rows of a minimization matrix; one copy of duplicates kept.

    Uses moocore (O(n log n) in 2-3 objectives, a fast dimension-sweep beyond).
    """
    F = np.asarray(F, dtype=float)
    if F.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    return np.asarray(moocore.is_nondominated(F, maximise=False, keep_weakly=False))


def default_reference_point(*fronts: np.ndarray, margin: float = 0.1) -> np.ndarray:
    """A reference point worse than every given front: nadir + ``margin`` x range.

    Pass every front that will be compared, so that all use the same point.
    """
    allf = np.vstack([np.asarray(f, dtype=float) for f in fronts if len(f)])
    lo, hi = allf.min(axis=0), allf.max(axis=0)
    span = np.where(hi > lo, hi - lo, np.maximum(np.abs(hi), 1.0))
    return hi + margin * span


def hypervolume(F: np.ndarray, ref: np.ndarray) -> float:
    """Hypervolume dominated by ``F`` and bounded by ``ref`` (minimization, raw units).

    Points not strictly better than ``ref`` in every objective contribute nothing.
    """
    F = np.asarray(F, dtype=float)
    ref = np.asarray(ref, dtype=float)
    if F.shape[0] == 0:
        return 0.0
    keep = np.all(ref > F, axis=1)
    if not keep.any():
        return 0.0
    return float(moocore.hypervolume(F[keep], ref=ref))


def _normalizer(reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo = reference.min(axis=0)
    hi = reference.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return lo, span


def igd_plus(F: np.ndarray, reference: np.ndarray) -> float:
    """IGD+ of ``F`` to the reference front, in normalized units (0 = reference reached)."""
    lo, span = _normalizer(reference)
    return float(moocore.igd_plus((F - lo) / span, ref=(reference - lo) / span))


def epsilon_additive(F: np.ndarray, reference: np.ndarray) -> float:
    """Additive epsilon of ``F`` to the reference front, normalized (<= 0: covers it)."""
    lo, span = _normalizer(reference)
    return float(moocore.epsilon_additive((F - lo) / span, ref=(reference - lo) / span,
                                          maximise=False))


def points_missed(F: np.ndarray, reference: np.ndarray, tol: float = MISSED_TOL) -> int:
    """Reference points not weakly dominated by any point of ``F`` (within ``tol`` x range)."""
    if reference.shape[0] == 0:
        return 0
    if F.shape[0] == 0:
        return int(reference.shape[0])
    lo, span = _normalizer(reference)
    A = (np.asarray(F, dtype=float) - lo) / span
    R = (np.asarray(reference, dtype=float) - lo) / span + tol
    if bool(np.all(moocore.is_nondominated(R, keep_weakly=True))):
        # R is mutually nondominated, so a shifted reference point is dominated in the
        # union only by an approximation point: one O(n log n)-class pass in C.
        union = np.vstack([A, R])
        return int(np.sum(moocore.is_nondominated(union, keep_weakly=True)[A.shape[0]:]))
    missed = 0
    for start in range(0, R.shape[0], 1024):
        block = R[start:start + 1024]
        covered = np.zeros(block.shape[0], dtype=bool)
        for a0 in range(0, A.shape[0], 4096):
            a = A[a0:a0 + 4096]
            covered |= np.any(np.all(a[None, :, :] <= block[:, None, :], axis=2), axis=1)
        missed += int((~covered).sum())
    return missed


def same_set(F: np.ndarray, reference: np.ndarray, tol: float = SAME_SET_TOL) -> bool:
    """Whether two fronts are the same set of points (within ``tol`` x range)."""
    return (
        F.shape == reference.shape
        and points_missed(F, reference, tol) == 0
        and points_missed(reference, F, tol) == 0
    )


@dataclass(frozen=True)
class Comparison:
    """Indicators of an approximation against a reference front (same problem).

    Attributes
    ----------
    hypervolume, reference_hypervolume
        Hypervolumes against ``reference_point`` (raw units multiplied).
    hv_ratio
        ``hypervolume / reference_hypervolume`` (1 = as good; can exceed 1 when the
        approximation is off the reference's ladder).
    igd_plus, epsilon_add
        Normalized IGD+ and additive epsilon.
    points_missed
        Reference points the approximation does not cover.
    front_size, reference_size
        Number of points.
    """

    hypervolume: float
    reference_hypervolume: float
    hv_ratio: float
    igd_plus: float
    epsilon_add: float
    points_missed: int
    front_size: int
    reference_size: int
    reference_point: tuple[float, ...]


def compare(F: np.ndarray, reference: np.ndarray, reference_point: np.ndarray) -> Comparison:
    """Every indicator of ``F`` against ``reference`` (minimization matrices)."""
    F = np.asarray(F, dtype=float)
    R = np.asarray(reference, dtype=float)
    ref = np.asarray(reference_point, dtype=float)
    hv = hypervolume(F, ref)
    hv_ref = hypervolume(R, ref)
    return Comparison(
        hypervolume=hv,
        reference_hypervolume=hv_ref,
        hv_ratio=hv / hv_ref if hv_ref > 0 else float("nan"),
        igd_plus=igd_plus(F, R) if len(F) else float("inf"),
        epsilon_add=epsilon_additive(F, R) if len(F) else float("inf"),
        points_missed=points_missed(F, R),
        front_size=int(F.shape[0]),
        reference_size=int(R.shape[0]),
        reference_point=tuple(float(v) for v in ref),
    )
