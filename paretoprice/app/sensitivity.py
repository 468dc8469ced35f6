"""One-way (tornado) and global (Sobol) sensitivity of a problem to its uncertain inputs.

Tornado: each uncertain input in turn is set to its low and high value, every other input
stays at the problem file's base value, and the value anchors and a chosen point's
objectives are recomputed. Low/high are the distribution's 2.5th and 97.5th percentiles,
or the stated bounds when the distribution was given by them (``low``/``high`` of a 95%
interval, ``min``/``max`` of a uniform or triangular). A Dirichlet share moves to its
marginal percentile while the other shares keep their proportions (the total is kept).

Sobol: first-order and total indices (Saltelli sampling and Sobol analysis from SALib) of
two scalar summaries: the hypervolume of the feasible front over the whole ladder (each
chosen objective scaled by the base case's front range, reference point 1.1 in every
scaled, minimized objective; larger is a better front) and the chosen point's objectives.
Inputs are sampled independently (declared correlations are ignored: Sobol indices assume
independent inputs).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import moocore
import numpy as np
import pandas as pd

from paretoprice.optim.errors import ParameterError, UnknownNameError
from paretoprice.optim.problem import PricingProblem
from paretoprice.optim.psa import BoundModel, bind
from paretoprice.optim.uncertainty import Distribution

logger = logging.getLogger(__name__)


def parse_point(problem: PricingProblem, text: str | None) -> np.ndarray:
    """A decision vector from ``p=55,f=20`` (unnamed decisions at their lower bound)."""
    x = problem.lower.copy()
    if not text:
        anchors = problem.anchors()
        names = problem.decision_names
        if "p" in names:
            x[names.index("p")] = float(anchors["access_maximizing"].value)
        if "f" in names:
            x[names.index("f")] = float(anchors["marginal_cost"].value)
        return x
    for item in text.split(","):
        if "=" not in item:
            raise ParameterError("--at", "NAME=VALUE pairs, e.g. p=55,f=20", text,
                                 fix="separate pairs with commas.")
        k, v = (s.strip() for s in item.split("=", 1))
        if k not in problem.decision_names:
            raise UnknownNameError("--at", k, problem.decision_names)
        try:
            x[problem.decision_names.index(k)] = float(v)
        except ValueError:
            raise ParameterError("--at", "a number after '='", v,
                                 fix="e.g. --at p=55,f=20.") from None
    return x


def _stated(d: Distribution) -> tuple[np.ndarray, np.ndarray] | None:
    g = d.given
    if "low" in g and "high" in g:
        return np.array([float(g["low"])]), np.array([float(g["high"])])
    if "min" in g and "max" in g:
        return np.array([float(g["min"])]), np.array([float(g["max"])])
    return None


def one_way_values(bound: BoundModel) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    """Per input: ``(path, how, low_vector, high_vector)`` full input vectors."""
    out = []
    j = 0
    for d in bound.model.distributions:
        stated = _stated(d) if d.dist != "dirichlet" else None
        pct = d.percentiles([0.025, 0.975])
        for i, path in enumerate(d.paths):
            lo_v, hi_v = bound.base.copy(), bound.base.copy()
            if stated is not None:
                lo_v[j], hi_v[j] = stated[0][0], stated[1][0]
                how = "stated bounds"
            else:
                lo_v[j], hi_v[j] = pct[0, i], pct[1, i]
                how = "2.5/97.5 percentiles"
            if d.dist == "dirichlet":
                sl = slice(j - i, j - i + d.width)
                for vec in (lo_v, hi_v):
                    others = [k for k in range(sl.start, sl.stop) if k != j]
                    rest = d.total - vec[j]
                    base_rest = bound.base[others].sum()
                    vec[others] = bound.base[others] / base_rest * rest
            out.append((path, how, lo_v, hi_v))
            j += 1
    return out


def tornado(problem: PricingProblem, at: np.ndarray) -> pd.DataFrame:
    """One-way sensitivity: one row per input and quantity (anchors, point objectives).

    Columns: ``input``, ``range`` (how low/high were set), ``input_low``, ``input_high``,
    ``quantity``, ``unit``, ``base``, ``at_low``, ``at_high``, ``swing`` (``|high - low|``).
    """
    bound = bind(problem)
    units = problem.quantity_units()

    def outputs(prob: PricingProblem) -> dict[str, tuple[float, str]]:
        res: dict[str, tuple[float, str]] = {}
        for a in prob.anchors().to_rows():
            res[f"anchor {a['anchor']}"] = (float(a["value"]), str(a["unit"]))
        ev = prob.evaluate(at[None, :], report=False)
        for o in prob.objective_names:
            res[f"point {o}"] = (float(ev.objectives[o][0]), units.get(o, ""))
        res["point feasible"] = (float(prob.feasible(ev)[0]), "1 = every guardrail met")
        return res

    base = outputs(problem)
    rows = []
    for path, how, lo_v, hi_v in one_way_values(bound):
        lo = outputs(bound.problem_at(lo_v))
        hi = outputs(bound.problem_at(hi_v))
        j = bound.columns.index(path)
        for q, (b, unit) in base.items():
            rows.append({"input": path, "range": how, "input_low": lo_v[j],
                         "input_high": hi_v[j], "input_base": bound.base[j],
                         "quantity": q, "unit": unit, "base": b, "at_low": lo[q][0],
                         "at_high": hi[q][0], "swing": abs(hi[q][0] - lo[q][0])})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class FrontSummary:
    """Scaling of the front hypervolume: base-case front's ideal and nadir (minimized)."""

    ideal: np.ndarray
    nadir: np.ndarray

    def hypervolume(self, prob: PricingProblem, X: np.ndarray) -> float:
        """Hypervolume of ``prob``'s feasible front on ``X`` in scaled objectives
        (0 when no candidate is feasible)."""
        ev = prob.evaluate(X, report=False)
        feas = prob.feasible(ev)
        if not feas.any():
            return 0.0
        F = prob.minimization_matrix(ev)[feas]
        span = np.where(self.nadir > self.ideal, self.nadir - self.ideal, 1.0)
        Z = (F - self.ideal) / span
        Z = Z[np.all(Z < 1.1, axis=1)]
        if not len(Z):
            return 0.0
        return float(moocore.hypervolume(Z, ref=np.full(Z.shape[1], 1.1)))


def sobol(problem: PricingProblem, X: np.ndarray, at: np.ndarray, n: int = 64, seed: int = 1,
          progress: bool = False) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Sobol indices (S1, ST with 95% confidence half-widths) of the front hypervolume and
    of the chosen point's objectives, per uncertain input (each Dirichlet share is one
    input). ``n`` base samples give ``n (D + 2)`` model runs."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample
    from tqdm import tqdm

    if n < 2 or n & (n - 1):
        raise ParameterError("--n", "a power of two >= 2 (Sobol sequences need it)", n,
                             fix="e.g. --n 64.")
    bound = bind(problem)
    D = bound.model.width
    spec = {"num_vars": D, "names": list(bound.columns), "bounds": [[0.0, 1.0]] * D}
    U = sobol_sample.sample(spec, n, calc_second_order=False, seed=seed)
    U = np.clip(U, 1e-6, 1 - 1e-6)
    V = bound.model.transform(U)
    ev0 = problem.evaluate(X, report=False)
    feas0 = problem.feasible(ev0)
    F0 = problem.minimization_matrix(ev0)[feas0] if feas0.any() else \
        problem.minimization_matrix(ev0)
    F0 = F0[moocore.is_nondominated(F0)]
    summ = FrontSummary(F0.min(axis=0), F0.max(axis=0))
    names = ["front_hypervolume", *(f"point_{o}" for o in problem.objective_names)]
    Y = np.empty((V.shape[0], len(names)))
    for r in tqdm(range(V.shape[0]), disable=not progress, unit="run", desc="sobol"):
        prob = bound.problem_at(V[r], draw=r)
        Y[r, 0] = summ.hypervolume(prob, X)
        ev = prob.evaluate(at[None, :], report=False)
        for k, o in enumerate(problem.objective_names):
            Y[r, 1 + k] = ev.objectives[o][0]
    rows = []
    units = problem.quantity_units()
    for k, name in enumerate(names):
        y = Y[:, k]
        if np.ptp(y) == 0:
            res: Mapping[str, np.ndarray] = {key: np.zeros(D) for key in
                                             ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            res = sobol_analyze.analyze(spec, y, calc_second_order=False,
                                        print_to_console=False, seed=seed)
        unit = "scaled hypervolume" if k == 0 else units.get(name[6:], "")
        for i, inp in enumerate(bound.columns):
            rows.append({"output": name, "unit": unit, "input": inp,
                         "S1": float(res["S1"][i]), "S1_conf95": float(res["S1_conf"][i]),
                         "ST": float(res["ST"][i]), "ST_conf95": float(res["ST_conf"][i])})
    meta = {"base_samples": n, "model_runs": int(V.shape[0]), "seed": seed,
            "hypervolume_reference": {"ideal_minimized": summ.ideal.tolist(),
                                      "nadir_minimized": summ.nadir.tolist(),
                                      "reference_point_scaled": 1.1},
            "point": dict(zip(problem.decision_names, at.tolist(), strict=True))}
    return pd.DataFrame(rows), meta


__all__ = ["FrontSummary", "one_way_values", "parse_point", "sobol", "tornado"]
