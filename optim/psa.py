"""Probabilistic sensitivity analysis on a problem's whole decision ladder.

For every draw of the uncertain inputs (:mod:`paretoprice.optim.uncertainty`) the problem
is rebuilt with the drawn values (validated like any problem file), every candidate of the
ladder is evaluated in one vectorized pass, and per-candidate counts are accumulated:

* Pareto-optimal: the candidate meets every enabled guardrail in that draw and no other
  candidate meeting them is at least as good on every chosen objective and better on
  one (weak domination: ties are all counted as Pareto-optimal);
* feasible: it meets every enabled guardrail;
* cost-effective at ``lambda``: its net monetary benefit against today's status quo,
  ``NMB = lambda * dQALY - dCost`` (USD per year), is >= 0, where ``dCost`` and
  ``dQALY`` are the ICER's numerator and denominator (payer spend minus today's spend
  minus downstream savings, and QALYs gained by the patients served beyond today's);
* optimal at ``lambda``: its NMB is the largest of the decision set in that draw (for the
  acceptability frontier and the EVPI).

Objective values are summed (means) and binned into per-candidate histograms whose edges
come from a pilot of the first draws (95% intervals are read from the histograms, to
within one bin, and clamped to the exact minimum and maximum seen). A chunk's result has a
fixed size whatever its number of draws, so memory is bounded by the ladder and the chunk
size, not by the number of draws.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import moocore
import numpy as np
from pydantic import ValidationError

from paretoprice.optim.errors import ParameterError, UnknownNameError
from paretoprice.optim.problem import Evaluation, PricingProblem
from paretoprice.optim.spec import OBJECTIVE_SENSES, ProblemSpecBase
from paretoprice.optim.uncertainty import (
    UncertaintyModel,
    check_against_values,
    parse_uncertainty,
)

logger = logging.getLogger(__name__)

CE_TOLERANCE = 1.0
"""Net monetary benefit (USD per year) a candidate must exceed to count as cost-effective:
strictly positive, so a price at which nothing changes (status quo, NMB 0 up to rounding)
is not counted."""

PSA_REPORTED: tuple[str, ...] = ("icer", "budget_impact", "incremental_cost",
                                  "incremental_qalys")
"""The only reported quantities a draw needs (for :func:`incremental`: the pathway's
increments when the problem has a pathway, else the v1 ICER inputs): the rest of a
family's report is not computed."""

_FORBIDDEN_ROOTS = {"decisions", "objectives", "name", "family", "title", "description",
                    "sources", "assumptions", "uncertain", "uncertain_correlation",
                    "observed", "constraints"}


# ---------------------------------------------------------------------------
# Binding distributions to a problem's inputs
# ---------------------------------------------------------------------------


def _resolve(data: Any, path: str, where: str, owner: str) -> tuple[tuple[Any, ...], float]:
    """Key chain of ``path`` inside the dumped spec, and the value found there."""
    parts = path.split(".")
    if parts[0] in _FORBIDDEN_ROOTS:
        raise ParameterError(where, "the path of a model input (not a decision, name or "
                             "list of objectives)", path,
                             fix="decisions are what the PSA evaluates; address an input "
                             "such as 'segments.<name>.compliance'.", owner=owner)
    cur = data
    keys: list[Any] = []
    for i, part in enumerate(parts):
        if isinstance(cur, Mapping):
            if part not in cur:
                raise UnknownNameError(f"{where} ('{path}')", part,
                                       [str(k) for k in cur], owner=owner)
            keys.append(part)
            cur = cur[part]
        elif isinstance(cur, list | tuple):
            names = [e.get("name") for e in cur if isinstance(e, Mapping)]
            if part in names:
                idx = names.index(part)
            elif part.isdigit() and int(part) < len(cur):
                idx = int(part)
            else:
                raise UnknownNameError(f"{where} ('{path}')", part,
                                       [str(n) for n in names if n is not None]
                                       or [str(j) for j in range(len(cur))], owner=owner)
            keys.append(idx)
            cur = cur[idx]
        else:
            raise ParameterError(where, "a path that ends at a number", path,
                                 fix=f"'{'.'.join(parts[:i])}' is already a value; "
                                 "shorten the path.", owner=owner)
    if isinstance(cur, bool) or not isinstance(cur, float):
        what = "a whole-number setting" if isinstance(cur, int) else type(cur).__name__
        raise ParameterError(where, "the path of a real-valued input (a number)",
                             f"'{path}' ({what})",
                             fix="address a numeric input such as a compliance, cost or "
                             "population (whole-number settings stay fixed).", owner=owner)
    return tuple(keys), float(cur)


def _named_path(data: Any, loc: Sequence[Any]) -> str:
    """A pydantic error location as a path with list entries by name where they have one."""
    parts, cur = [], data
    for part in loc:
        if isinstance(part, int) and isinstance(cur, list | tuple) and part < len(cur):
            cur = cur[part]
            name = cur.get("name") if isinstance(cur, Mapping) else None
            parts.append(str(name) if name else str(part))
        else:
            cur = cur.get(part) if isinstance(cur, Mapping) else None
            parts.append(str(part))
    return ".".join(parts)


def _set(data: Any, keys: Sequence[Any], value: float) -> Any:
    """Copy of ``data`` with the value at ``keys`` replaced (copies along the path only)."""
    if not keys:
        return value
    k = keys[0]
    if isinstance(data, Mapping):
        out = dict(data)
        out[k] = _set(data[k], keys[1:], value)
        return out
    lst = list(data)
    lst[k] = _set(lst[k], keys[1:], value)
    return lst


@dataclass(frozen=True)
class BoundModel:
    """An :class:`UncertaintyModel` bound to one problem: rebuilds it at drawn values.

    Attributes
    ----------
    problem
        The base-case problem (the values written in the file).
    model
        The uncertain inputs.
    keys
        Key chain of each column inside the dumped spec.
    base
        ``(width,)`` base-case value of each input.
    """

    problem: PricingProblem
    model: UncertaintyModel
    keys: tuple[tuple[Any, ...], ...]
    base: np.ndarray
    _dump: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        """Input path of each column."""
        return self.model.columns

    def problem_at(self, values: np.ndarray, draw: int | None = None) -> PricingProblem:
        """The problem with every uncertain input set to ``values`` (validated).

        Raises :class:`ParameterError` naming the input when a drawn value is outside its
        allowed range (e.g. a normal drawing a negative cost).
        """
        data: Any = self._dump
        for k, v in zip(self.keys, values, strict=True):
            data = _set(data, k, float(v))
        spec_cls = type(self.problem.spec)
        try:
            spec = spec_cls.model_validate(data)
        except ValidationError as exc:
            e = exc.errors(include_url=False)[0]
            loc = _named_path(self._dump, e["loc"])
            at = f"draw {draw}" if draw is not None else "the values given"
            raise ParameterError(
                loc, f"within its allowed range ({e['msg'].lower()})", e.get("input"),
                fix=f"{at} of the uncertain inputs left the input's range; use a "
                "distribution on its range (beta for shares, gamma or lognormal for costs "
                "and counts).", owner=f"problem '{self.problem.name}'") from None
        return type(self.problem)(spec)


def uncertainty_of(problem: PricingProblem) -> UncertaintyModel:
    """The problem file's ``[[uncertain]]`` tables, checked (empty model if none)."""
    spec: ProblemSpecBase = problem.spec
    return parse_uncertainty(spec.uncertain, spec.uncertain_correlation,
                             owner=f"problem '{problem.name}'")


def bind(problem: PricingProblem, model: UncertaintyModel | None = None) -> BoundModel:
    """Check every path of ``model`` against ``problem`` and bind them.

    Raises :class:`ParameterError` for a path that names no input, a decision, a
    whole-number setting, a beta on an amount, or when the problem declares no
    uncertain input.
    """
    model = uncertainty_of(problem) if model is None else model
    owner = f"problem '{problem.name}'"
    if not model.distributions:
        raise ParameterError("uncertain", "at least one [[uncertain]] table", "none",
                             fix="declare distributions on the problem's inputs (see "
                             "docs/uncertainty.md).", owner=owner)
    dump = problem.spec.model_dump()
    keys, base = [], []
    i = 0
    for j, d in enumerate(model.distributions):
        for p in d.paths:
            k, v = _resolve(dump, p, f"uncertain[{j}].path", owner)
            keys.append(k)
            base.append(v)
            i += 1
    check_against_values(model, dict(zip(model.columns, base, strict=True)), owner)
    return BoundModel(problem, model, tuple(keys), np.asarray(base), dump)


# ---------------------------------------------------------------------------
# Cost-effectiveness against the status quo
# ---------------------------------------------------------------------------

PATHWAY_INCREMENTS: tuple[str, str] = ("incremental_cost", "incremental_qalys")
"""Reported columns of a problem with a clinical pathway (model v2): payer spend with the
downstream care minus the status quo's (money per year) and QALYs gained minus the status
quo's (QALYs per year)."""


def has_pathway(ev: Evaluation) -> bool:
    """Whether the evaluation reports the clinical pathway's increments (model v2)."""
    return all(c in ev.reported for c in PATHWAY_INCREMENTS)


def has_incremental(problem: PricingProblem, ev: Evaluation) -> bool:
    """Whether :func:`incremental` can compute ``(dCost, dQALY)``: the pathway's increments
    (model v2), or the v1 value inputs and ICER columns."""
    if has_pathway(ev):
        return True
    return (getattr(problem.spec, "value", None) is not None and "icer" in ev.reported
            and "budget_impact" in ev.reported)


def incremental(problem: PricingProblem, ev: Evaluation) -> tuple[np.ndarray, np.ndarray]:
    """``(dCost, dQALY)`` against today's status quo, per candidate (USD/yr, QALY/yr).

    With a clinical pathway (model v2) these are the reported ``incremental_cost`` and
    ``incremental_qalys`` as they are: payer spend including the follow-up and treatment
    after both arms' results, and the QALYs of the examined patients, each minus the
    status quo's; ``NMB = lambda dQALY - dCost`` is then the pathway's NMB.

    Without a pathway (model v1) they are recovered from the reported ``icer`` and
    ``budget_impact`` and the problem's value inputs (``qaly_gain_per_patient`` ``q`` and
    ``savings_per_patient`` ``s``): with ``extra`` patients served beyond today's,
    ``dQALY = q extra`` and ``dCost = budget_impact - s extra``, so
    ``dQALY = budget_impact / (icer + s / q)``; ``dQALY = 0`` where the ICER is undefined
    (no extra patient). Raises :class:`ParameterError` when the problem has neither.
    """
    if has_pathway(ev):
        dc, dq = (np.asarray(ev.reported[c], dtype=float) for c in PATHWAY_INCREMENTS)
        return dc, dq
    value = getattr(problem.spec, "value", None)
    if value is None or "icer" not in ev.reported or "budget_impact" not in ev.reported:
        raise ParameterError("value", "QALY inputs ([value] qaly_gain_per_patient) and an "
                             "ICER column, or a [pathway] table",
                             f"family '{problem.family}' without them",
                             fix="cost-effectiveness needs a [pathway] or [value] table; use a "
                             "family that reports the ICER.", owner=f"problem '{problem.name}'")
    q = float(value.qaly_gain_per_patient)
    s = float(value.savings_per_patient)
    bi = ev.reported["budget_impact"]
    ic = ev.reported["icer"]
    if q <= 0:
        return bi, np.zeros_like(bi)
    den = ic + s / q
    ok = np.isfinite(ic) & (den != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        dq = np.where(ok, bi / np.where(ok, den, 1.0), 0.0)
    return bi - s / q * dq, dq


# ---------------------------------------------------------------------------
# The per-chunk engine
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PsaSetup:
    """Everything a worker needs to evaluate a chunk of draws (picklable).

    Attributes
    ----------
    bound
        The problem bound to its uncertain inputs.
    X
        ``(n_cand, n_var)`` the candidate ladder (columns in ``decision_names`` order).
    objectives
        Every objective the family defines (means and intervals are kept for each).
    wtp
        Willingness-to-pay grid, USD per QALY.
    decision_set
        ``(n_cand,)`` mask of the candidates the acceptability frontier and EVPI choose
        from.
    bands
        Observed prices: name -> ``(n_cand,)`` mask of the candidates in the band.
    tracked
        Candidate indices whose ``(dCost, dQALY)`` are kept per draw for the
        cost-effectiveness plane (first ``plane_draws`` draws only).
    lo, hi
        ``(n_obj, n_cand)`` histogram edges of each objective.
    bins
        Histogram bins per candidate and objective.
    plane_draws
        Draws kept for the cost-effectiveness plane.
    has_ce
        Whether the problem has QALY inputs and an ICER column, or a clinical pathway (else
        NMB is 0 throughout).
    pathway
        Whether ``(dCost, dQALY)`` come from the clinical pathway (model v2) rather than
        the v1 value inputs (see :func:`incremental`).
    """

    bound: BoundModel
    X: np.ndarray
    objectives: tuple[str, ...]
    wtp: np.ndarray
    decision_set: np.ndarray
    bands: dict[str, np.ndarray]
    tracked: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    bins: int = 48
    plane_draws: int = 2000
    has_ce: bool = True
    pathway: bool = False


@dataclass(frozen=True)
class DrawOutcome:
    """One draw evaluated on the whole ladder (arrays over candidates)."""

    objectives: np.ndarray
    feasible: np.ndarray
    pareto: np.ndarray
    d_cost: np.ndarray
    d_qaly: np.ndarray


def evaluate_draw(problem: PricingProblem, X: np.ndarray,
                  objectives: Sequence[str]) -> DrawOutcome:
    """Evaluate one problem on the ladder: objectives, feasibility, Pareto mask, dC, dQ."""
    ev = problem.evaluate(X, report=PSA_REPORTED)
    feas = problem.feasible(ev)
    pareto = np.zeros(X.shape[0], dtype=bool)
    idx = np.flatnonzero(feas)
    if idx.size:
        F = problem.minimization_matrix(ev)[idx]
        pareto[idx[moocore.is_nondominated(F, keep_weakly=True)]] = True
    if has_incremental(problem, ev):
        dc, dq = incremental(problem, ev)
    else:  # no QALY inputs: nothing is cost-effective, NMB is 0
        dc = dq = np.zeros(X.shape[0])
    obj = np.vstack([ev.objectives[o] for o in objectives])
    return DrawOutcome(obj, feas, pareto, dc, dq)


def run_chunk(setup: PsaSetup, values: np.ndarray, first_draw: int) -> dict[str, np.ndarray]:
    """Evaluate draws ``first_draw ..`` (rows of ``values``, input values) on the ladder.

    Returns fixed-size accumulators (counts, sums, histograms, extremes) that
    :func:`combine` adds up in chunk order; the result depends only on the draws.
    """
    n_cand = setup.X.shape[0]
    n_obj = len(setup.objectives)
    n_w = setup.wtp.size
    dset = np.flatnonzero(setup.decision_set)
    band_names = list(setup.bands)
    band_idx = [np.flatnonzero(setup.bands[b]) for b in band_names]
    out: dict[str, np.ndarray] = {
        "draws": np.array([values.shape[0]], dtype=np.int64),
        "pareto": np.zeros(n_cand, np.int32),
        "feasible": np.zeros(n_cand, np.int32),
        "ce": np.zeros((n_w, n_cand), np.int32),
        "best": np.zeros((n_w, n_cand), np.int32),
        "sum_obj": np.zeros((n_obj, n_cand)),
        "min_obj": np.full((n_obj, n_cand), np.inf),
        "max_obj": np.full((n_obj, n_cand), -np.inf),
        "sum_dc": np.zeros(n_cand),
        "sum_dq": np.zeros(n_cand),
        "sum_max_nmb": np.zeros(n_w),
        "band_pareto": np.zeros(len(band_names), np.int64),
        "band_feasible": np.zeros(len(band_names), np.int64),
        "band_ce": np.zeros((len(band_names), n_w), np.int64),
    }
    keep = max(0, min(values.shape[0], setup.plane_draws - first_draw))
    plane = np.full((keep, setup.tracked.size, 2), np.nan)
    span = np.where(setup.hi > setup.lo, setup.hi - setup.lo, 1.0)
    # histogram counts laid out (objective, bin, candidate) while the chunk runs: the
    # candidates of one rung are neighbours in memory and mostly share a bin, so each
    # draw's 128k increments stay in cache; reordered to (objective, candidate, bin) at the
    # end. Counts of a chunk under 2**16 draws fit uint16.
    hist_t = np.zeros((n_obj, setup.bins, n_cand),
                      np.uint16 if values.shape[0] < 2**16 else np.int64)
    hist_flat = hist_t.reshape(-1)
    base_index = np.arange(n_obj)[:, None] * (setup.bins * n_cand) + np.arange(n_cand)[None, :]
    wtp_col = setup.wtp[:, None]
    nmb = np.empty((n_w, n_cand))
    ce = np.empty((n_w, n_cand), dtype=bool)
    rows = np.arange(n_w)
    for r in range(values.shape[0]):
        prob = setup.bound.problem_at(values[r], draw=first_draw + r)
        o = evaluate_draw(prob, setup.X, setup.objectives)
        out["pareto"] += o.pareto
        out["feasible"] += o.feasible
        # NMB(lambda) = lambda dQALY - dCost, (n_w, n_cand), element by element
        np.multiply(wtp_col, o.d_qaly[None, :], out=nmb)
        nmb -= o.d_cost[None, :]
        np.greater(nmb, CE_TOLERANCE, out=ce)
        out["ce"] += ce
        if dset.size:
            sub = wtp_col * o.d_qaly[dset][None, :] - o.d_cost[dset][None, :]
            arg = np.argmax(sub, axis=1)
            out["best"][rows, dset[arg]] += 1
            out["sum_max_nmb"] += sub[rows, arg]
        out["sum_dc"] += o.d_cost
        out["sum_dq"] += o.d_qaly
        out["sum_obj"] += o.objectives
        np.minimum(out["min_obj"], o.objectives, out=out["min_obj"])
        np.maximum(out["max_obj"], o.objectives, out=out["max_obj"])
        b = o.objectives - setup.lo
        b /= span
        b *= setup.bins
        np.floor(b, out=b)
        np.nan_to_num(b, copy=False, nan=0.0)
        np.clip(b, 0, setup.bins - 1, out=b)
        k = b.astype(np.intp)
        k *= n_cand
        k += base_index
        hist_flat[k.ravel()] += 1  # one bin per (objective, candidate): no repeated index
        for j, bi in enumerate(band_idx):
            out["band_pareto"][j] += bool(o.pareto[bi].any())
            out["band_feasible"][j] += bool(o.feasible[bi].any())
            nb = wtp_col * o.d_qaly[bi][None, :] - o.d_cost[bi][None, :]
            out["band_ce"][j] += nb.max(axis=1) > CE_TOLERANCE
        if r < keep:
            plane[r, :, 0] = o.d_cost[setup.tracked]
            plane[r, :, 1] = o.d_qaly[setup.tracked]
    out["hist"] = np.ascontiguousarray(hist_t.transpose(0, 2, 1)).reshape(-1)
    out["plane"] = plane
    # smallest exact integer types: a chunk travels to the client and is stored compressed
    for k in ("pareto", "feasible", "ce", "best"):
        out[k] = out[k].astype(np.int32)
    return out


def combine(parts: Sequence[Mapping[str, np.ndarray]] | Any) -> dict[str, np.ndarray]:
    """Add chunk results up in the order given (an iterable; planes are concatenated)."""
    total: dict[str, np.ndarray] = {}
    planes = []
    for part in parts:
        planes.append(np.asarray(part["plane"]))
        for k, v in part.items():
            if k == "plane":
                continue
            if k not in total:
                v = np.asarray(v)
                total[k] = v.astype(np.int64 if v.dtype.kind in "iu" else v.dtype, copy=True)
            elif k == "min_obj":
                np.minimum(total[k], v, out=total[k])
            elif k == "max_obj":
                np.maximum(total[k], v, out=total[k])
            else:
                total[k] = total[k] + v
    if planes:
        total["plane"] = np.concatenate(planes, axis=0)
    return total


def histogram_quantiles(hist: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                        vmin: np.ndarray, vmax: np.ndarray, q: float) -> np.ndarray:
    """The ``q`` quantile of each histogram ``(n_obj, n_cand, bins)``, interpolated within
    its bin and clamped to the exact extremes (accurate to one bin width)."""
    bins = hist.shape[-1]
    cum = np.cumsum(hist, axis=-1)
    n = cum[..., -1:]
    target = q * n
    k = np.argmax(cum >= target, axis=-1)
    before = np.take_along_axis(cum, k[..., None], axis=-1)[..., 0] - \
        np.take_along_axis(hist, k[..., None], axis=-1)[..., 0]
    inbin = np.take_along_axis(hist, k[..., None], axis=-1)[..., 0]
    frac = np.where(inbin > 0, (target[..., 0] - before) / np.where(inbin > 0, inbin, 1), 0.5)
    width = (hi - lo) / bins
    est = lo + (k + frac) * width
    return np.clip(est, vmin, vmax)


def objective_senses(objectives: Sequence[str]) -> list[str]:
    """``min``/``max`` per objective name."""
    return [OBJECTIVE_SENSES.get(o, "max") for o in objectives]


def pilot_edges(bound: BoundModel, X: np.ndarray, objectives: Sequence[str],
                values: np.ndarray, pad: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Histogram edges from the pilot draws ``values``: the range seen, widened by ``pad``
    of its span on each side (plus a relative margin for constant objectives)."""
    lo = hi = None
    for r in range(values.shape[0]):
        o = evaluate_draw(bound.problem_at(values[r], draw=r), X, objectives).objectives
        lo = o.copy() if lo is None else np.minimum(lo, o)
        hi = o.copy() if hi is None else np.maximum(hi, o)
    assert lo is not None and hi is not None
    span = hi - lo
    margin = pad * span + 1e-9 * np.maximum(np.abs(lo), np.abs(hi)) + 1e-12
    return lo - margin, hi + margin


__all__ = ["BoundModel", "DrawOutcome", "PsaSetup", "bind", "combine", "evaluate_draw",
           "has_incremental",
           "histogram_quantiles", "incremental", "pilot_edges", "run_chunk",
           "uncertainty_of"]
