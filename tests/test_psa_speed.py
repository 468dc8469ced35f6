"""The PSA's fast paths give the same numbers, bit for bit, as the plain ones.

Row reductions by whole columns (``optim/rows.py``) against numpy's own; ``evaluate`` with
a list of reported quantities against ``report=True``; :func:`run_chunk` (reduced report,
cache-friendly histogram layout, NMB on the columns it needs) against a plain reference
written the obvious way, as the engine was before it was made fast.
"""

from __future__ import annotations

import moocore
import numpy as np
import pytest

from paretoprice.app.psa_run import PsaConfig, prepare
from paretoprice.optim.psa import CE_TOLERANCE, incremental, run_chunk
from paretoprice.optim.rows import row_min, row_sum
from paretoprice.problems import load_problem


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal shapes, NaN in the same places, every other value with the same bits (so
    -0.0 differs from 0.0)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or not np.array_equal(np.isnan(a), np.isnan(b)):
        return False
    keep = ~np.isnan(a)
    return bool(np.array_equal(a[keep].view(np.int64), b[keep].view(np.int64)))


@pytest.mark.parametrize("cols", range(1, 11))
def test_row_reductions_match_numpy_bit_for_bit(cols: int) -> None:
    rng = np.random.default_rng(cols)
    special = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e308, -1e308, 5e-324, 1.0])
    M = rng.standard_normal((4000, cols)) * 10.0 ** rng.integers(-12, 12, (4000, cols))
    mask = rng.random(M.shape) < 0.15
    M[mask] = rng.choice(special, int(mask.sum()))
    with np.errstate(all="ignore"):
        for A in (M, np.asfortranarray(M), M[::3], M.astype(np.float32)):
            assert _same_bits(row_sum(A), A.sum(axis=1))
            # the sign of a zero minimum is numpy's choice: of -0.0 and 0.0 (equal under
            # IEEE 754) numpy 2.4's vectorized min of a C-ordered row may return either, the
            # pairwise np.minimum the other; every other value must match bit for bit
            assert _same_bits(row_min(A) + 0.0, A.min(axis=1) + 0.0)
    # a sum whose order shows: 1e16 + 1 + 1 is 1e16 left to right, 1e16 + 2 paired
    A = np.array([[1e16, 1.0, 1.0]])
    assert row_sum(A)[0] == A.sum(axis=1)[0] == 1e16


@pytest.mark.parametrize("name", ["idx-dr", "ffr-ct", "access-ckm", "portfolio"])
def test_evaluate_with_named_report_is_the_full_report_cut_down(name: str) -> None:
    prob = load_problem(name)
    X = np.column_stack([np.linspace(b.lower, b.upper, 257) for b in prob.bounds])
    full = prob.evaluate(X, report=True)
    wanted = ("icer", "budget_impact", "no_such_quantity")
    some = prob.evaluate(X, report=wanted)
    assert set(some.reported) == set(wanted) & set(full.reported)
    for k, v in some.reported.items():
        assert _same_bits(v, full.reported[k]), k
    assert set(some.objectives) == set(full.objectives)
    for k in full.objectives:
        assert _same_bits(some.objectives[k], full.objectives[k]), k
    assert set(some.constraints) == set(full.constraints)
    for k in full.constraints:
        assert _same_bits(some.constraints[k], full.constraints[k]), k
    assert prob.evaluate(X, report=()).reported == {}


def _reference_chunk(setup, values: np.ndarray) -> dict[str, np.ndarray]:
    """The per-chunk counts computed the plain way (full report, whole NMB matrix, one
    flat (objective, candidate, bin) histogram)."""
    n_cand, n_obj, n_w = setup.X.shape[0], len(setup.objectives), setup.wtp.size
    dset = np.flatnonzero(setup.decision_set)
    out = {"pareto": np.zeros(n_cand, np.int64), "feasible": np.zeros(n_cand, np.int64),
           "ce": np.zeros((n_w, n_cand), np.int64), "best": np.zeros((n_w, n_cand), np.int64),
           "sum_obj": np.zeros((n_obj, n_cand)), "sum_max_nmb": np.zeros(n_w),
           "hist": np.zeros(n_obj * n_cand * setup.bins, np.int64),
           "band_ce": np.zeros((len(setup.bands), n_w), np.int64)}
    span = np.where(setup.hi > setup.lo, setup.hi - setup.lo, 1.0)
    for r in range(values.shape[0]):
        prob = setup.bound.problem_at(values[r])
        ev = prob.evaluate(setup.X, report=True)
        feas = prob.feasible(ev)
        idx = np.flatnonzero(feas)
        pareto = np.zeros(n_cand, dtype=bool)
        pareto[idx[moocore.is_nondominated(prob.minimization_matrix(ev)[idx],
                                           keep_weakly=True)]] = True
        dc, dq = incremental(prob, ev)
        obj = np.vstack([ev.objectives[o] for o in setup.objectives])
        nmb = setup.wtp[:, None] * dq[None, :] - dc[None, :]
        out["pareto"] += pareto
        out["feasible"] += feas
        out["ce"] += nmb > CE_TOLERANCE
        arg = np.argmax(nmb[:, dset], axis=1)
        out["best"][np.arange(n_w), dset[arg]] += 1
        out["sum_max_nmb"] += nmb[np.arange(n_w), dset[arg]]
        out["sum_obj"] += obj
        for j, mask in enumerate(setup.bands.values()):
            out["band_ce"][j] += nmb[:, mask].max(axis=1) > CE_TOLERANCE
        b = np.clip(np.floor((obj - setup.lo) / span * setup.bins), 0, setup.bins - 1)
        for o in range(n_obj):
            for_bins = (o * n_cand + np.arange(n_cand)) * setup.bins + b[o].astype(np.int64)
            out["hist"][for_bins] += 1
    return out


def test_run_chunk_matches_the_plain_computation() -> None:
    prep = prepare(load_problem("idx-dr"), PsaConfig(draws=6, seed=11, pilot=3))
    fast = run_chunk(prep.setup, prep.values, 0)
    ref = _reference_chunk(prep.setup, prep.values)
    for k, v in ref.items():
        assert np.array_equal(np.asarray(fast[k], dtype=v.dtype), v), k
    assert fast["hist"].dtype == np.uint16 and int(fast["hist"].sum()) == ref["hist"].sum()
