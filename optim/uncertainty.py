"""Distributions on a problem's inputs, declared in the problem file, and seeded sampling.

A problem file declares uncertain inputs in ``[[uncertain]]`` tables, each addressing one
numeric input by a dotted path into the problem (segments, payers and other named list
entries are addressed by name)::

    [[uncertain]]
    path = "segments.safety_net.compliance"
    dist = "beta"
    mean = 0.17
    se = 0.03
    source = "assumption: ..."

    [[uncertain]]                      # shares that sum to one, scaled by a total
    paths = ["segments.a.population", "segments.b.population"]
    dist = "dirichlet"
    mean = [0.35, 0.65]
    se = 0.02                          # standard error of the first share
    total = 8770000
    source = "..."

    [[uncertain_correlation]]
    paths = ["segments.a.compliance", "segments.b.compliance"]
    rho = 0.6                          # correlation of the normal scores (Gaussian copula)
    source = "..."

Distributions and how each may be given (every one needs a ``source``):

==============  ===========================  =====================  =====================
dist            parameters                   mean and se            95% interval
==============  ===========================  =====================  =====================
``beta``        ``alpha``, ``beta``          ``mean``, ``se``       ``low``, ``high``
``gamma``       ``shape``, ``scale``         ``mean``, ``se``       ``low``, ``high``
``lognormal``   ``meanlog``, ``sdlog``       ``mean``, ``se``       ``low``, ``high``
``normal``      ``mean``, ``sd``             ``mean``, ``se``       ``low``, ``high``
``uniform``     ``min``, ``max``             --                     ``low``, ``high``
``triangular``  ``min``, ``mode``, ``max``   --                     --
``dirichlet``   ``alpha`` (list)             ``mean`` (list), ``se``  --
==============  ===========================  =====================  =====================

Every distribution becomes a frozen :mod:`scipy.stats` distribution; sampling draws
uniforms (plain Monte Carlo from :class:`numpy.random.Generator` or a Latin hypercube from
:class:`scipy.stats.qmc.LatinHypercube`), correlates them through a Gaussian copula when
correlations are declared, and maps them through each distribution's ``ppf`` (a Dirichlet
through independent gamma ``ppf`` values normalized to sum to one). The same seed gives
the same draws on any machine.

This module only depends on the kernel's errors: binding to a problem (checking each path
against the problem's values) is :func:`bind`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict
from scipy import optimize, stats
from scipy.stats import qmc

from paretoprice.optim.errors import ParameterError, UnknownNameError

logger = logging.getLogger(__name__)

Z975 = float(stats.norm.ppf(0.975))
"""The 97.5th percentile of the standard normal (1.959964...), for 95% intervals."""

DistName = Literal["beta", "gamma", "lognormal", "normal", "uniform", "triangular",
                   "dirichlet"]
DIST_NAMES: tuple[str, ...] = ("beta", "gamma", "lognormal", "normal", "uniform",
                               "triangular", "dirichlet")

_FORMS: dict[str, tuple[tuple[str, ...], ...]] = {
    "beta": (("alpha", "beta"), ("mean", "se"), ("low", "high")),
    "gamma": (("shape", "scale"), ("mean", "se"), ("low", "high")),
    "lognormal": (("meanlog", "sdlog"), ("mean", "se"), ("low", "high")),
    "normal": (("mean", "sd"), ("mean", "se"), ("low", "high")),
    "uniform": (("min", "max"), ("low", "high")),
    "triangular": (("min", "mode", "max"),),
    "dirichlet": (("alpha",), ("mean", "se"), ("mean", "concentration")),
}
_META_KEYS = {"path", "paths", "dist", "source", "note", "unit", "total"}

_COST_WORDS = ("cost", "payment", "population", "sites", "investment", "volume", "savings",
               "budget", "price", "wtp", "spend")
"""Words in an input's name that mark an amount (USD, patients), never a share."""


class Distribution(BaseModel):
    """One validated distribution on one input (or, for a Dirichlet, several).

    Attributes
    ----------
    paths
        The input(s) it sets (one path, or one per Dirichlet share).
    dist
        Distribution family.
    params
        Its scipy parameters (``a``, ``b`` for beta; ``shape``, ``scale`` for gamma;
        ``s``, ``scale`` for lognormal; ``loc``, ``scale`` for normal and uniform; ``c``,
        ``loc``, ``scale`` for triangular; ``alpha`` for Dirichlet).
    given
        How the user gave it (the keys and values from the file), for provenance.
    source
        Where the distribution comes from (text; "assumption: ..." for stated assumptions).
    total
        Dirichlet only: the shares are multiplied by this total (e.g. patients) before
        they are set; 1 when the inputs are the shares themselves.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    paths: tuple[str, ...]
    dist: DistName
    params: dict[str, float | tuple[float, ...]]
    given: dict[str, Any]
    source: str
    total: float = 1.0

    @property
    def width(self) -> int:
        """How many uniforms one draw of it uses (Dirichlet: one per share)."""
        return len(self.paths)

    def frozen(self) -> Any:
        """The scipy frozen distribution (for a Dirichlet: its share marginals' gammas)."""
        p = self.params
        if self.dist == "beta":
            return stats.beta(p["a"], p["b"])
        if self.dist == "gamma":
            return stats.gamma(p["shape"], scale=p["scale"])
        if self.dist == "lognormal":
            return stats.lognorm(p["s"], scale=p["scale"])
        if self.dist == "normal":
            return stats.norm(loc=p["loc"], scale=p["scale"])
        if self.dist == "uniform":
            return stats.uniform(loc=p["loc"], scale=p["scale"])
        if self.dist == "triangular":
            return stats.triang(p["c"], loc=p["loc"], scale=p["scale"])
        raise ValueError("a Dirichlet has no single frozen distribution")

    def mean(self) -> np.ndarray:
        """Mean of each input it sets (in the input's unit)."""
        if self.dist == "dirichlet":
            a = np.asarray(self.params["alpha"], dtype=float)
            return a / a.sum() * self.total
        return np.array([float(self.frozen().mean())])

    def transform(self, u: np.ndarray) -> np.ndarray:
        """Map uniforms ``(n, width)`` in (0, 1) to input values ``(n, width)`` by ``ppf``."""
        u = np.clip(u, 1e-12, 1 - 1e-12)
        if self.dist == "dirichlet":
            a = np.asarray(self.params["alpha"], dtype=float)
            g = stats.gamma.ppf(u, a[None, :])
            return g / g.sum(axis=1, keepdims=True) * self.total
        return np.asarray(self.frozen().ppf(u)).reshape(-1, 1)

    def percentiles(self, q: Sequence[float]) -> np.ndarray:
        """``(len(q), width)`` marginal percentiles (Dirichlet shares: beta marginals)."""
        qs = np.asarray(q, dtype=float)
        if self.dist == "dirichlet":
            a = np.asarray(self.params["alpha"], dtype=float)
            a0 = a.sum()
            return np.column_stack([stats.beta(ai, a0 - ai).ppf(qs) * self.total for ai in a])
        return np.asarray(self.frozen().ppf(qs)).reshape(-1, 1)

    def describe(self) -> str:
        """One line: the distribution with its parameters, for tables."""
        parts = ", ".join(
            f"{k}={_fmt(v)}" for k, v in self.params.items())
        return f"{self.dist}({parts})"


def _fmt(v: float | tuple[float, ...]) -> str:
    if isinstance(v, tuple):
        return "[" + ", ".join(f"{x:.4g}" for x in v) + "]"
    return f"{v:.4g}"


class Correlation(BaseModel):
    """A correlation between the normal scores of two univariate uncertain inputs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    paths: tuple[str, str]
    rho: float
    source: str


@dataclass(frozen=True)
class UncertaintyModel:
    """Every uncertain input of a problem, in declaration order.

    Attributes
    ----------
    distributions
        The distributions; their :attr:`Distribution.paths` concatenated are the columns
        of a draw matrix (:attr:`columns`).
    correlations
        Declared correlations (Gaussian copula on the univariate inputs).
    """

    distributions: tuple[Distribution, ...]
    correlations: tuple[Correlation, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """Input paths, one per column of a draw matrix."""
        return tuple(p for d in self.distributions for p in d.paths)

    @property
    def width(self) -> int:
        """Uniforms per draw (the dimension of the sampling design)."""
        return sum(d.width for d in self.distributions)

    def sources(self) -> dict[str, str]:
        """Input path -> source of its distribution."""
        return {p: d.source for d in self.distributions for p in d.paths}

    def correlation_matrix(self) -> np.ndarray | None:
        """``(width, width)`` correlation of the normal scores, or None without any."""
        if not self.correlations:
            return None
        cols = self.columns
        R = np.eye(len(cols))
        for c in self.correlations:
            i, j = cols.index(c.paths[0]), cols.index(c.paths[1])
            R[i, j] = R[j, i] = c.rho
        return R

    def uniforms(self, n: int, seed: int, sampling: Literal["mc", "lhs"] = "lhs") -> np.ndarray:
        """``(n, width)`` uniforms in (0, 1): the sampling design, correlated if declared.

        ``mc``: independent uniforms from ``numpy.random.default_rng(SeedSequence(seed))``;
        ``lhs``: a Latin hypercube (``scipy.stats.qmc.LatinHypercube``) seeded the same way.
        Draw ``i`` is row ``i`` whatever the chunking or the number of workers.
        """
        if n < 1:
            raise ParameterError("draws", "a whole number >= 1", n, fix="e.g. --draws 1000.")
        rng = np.random.default_rng(np.random.SeedSequence(seed))
        d = self.width
        if sampling == "mc":
            U = rng.random((n, d))
        elif sampling == "lhs":
            U = qmc.LatinHypercube(d=d, rng=rng).random(n)
        else:
            raise ParameterError("sampling", "'mc' or 'lhs'", sampling,
                                 fix="use --sampling mc (plain Monte Carlo) or lhs.")
        R = self.correlation_matrix()
        if R is not None:
            L = np.linalg.cholesky(R)
            Z = stats.norm.ppf(np.clip(U, 1e-12, 1 - 1e-12)) @ L.T
            U = stats.norm.cdf(Z)
        return U

    def transform(self, U: np.ndarray) -> np.ndarray:
        """Map a ``(n, width)`` uniform design to ``(n, width)`` input values (``ppf``)."""
        out = np.empty_like(U, dtype=float)
        j = 0
        for d in self.distributions:
            out[:, j:j + d.width] = d.transform(U[:, j:j + d.width])
            j += d.width
        return out

    def sample(self, n: int, seed: int, sampling: Literal["mc", "lhs"] = "lhs") -> np.ndarray:
        """``(n, width)`` input values: :meth:`uniforms` mapped by :meth:`transform`."""
        return self.transform(self.uniforms(n, seed, sampling))

    def means(self) -> np.ndarray:
        """``(width,)`` mean of every input."""
        return np.concatenate([d.mean() for d in self.distributions])


# ---------------------------------------------------------------------------
# Parsing with one-line errors
# ---------------------------------------------------------------------------


def _err(where: str, expected: str, got: object, fix: str, owner: str) -> ParameterError:
    return ParameterError(where, expected, got, fix=fix, owner=owner)


def _number(entry: Mapping[str, Any], key: str, where: str, owner: str) -> float:
    v = entry[key]
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise _err(f"{where}.{key}", "a finite number", v, "write a number (no quotes).", owner)
    return float(v)


def _positive(entry: Mapping[str, Any], key: str, where: str, owner: str) -> float:
    v = _number(entry, key, where, owner)
    if v <= 0:
        raise _err(f"{where}.{key}", "a number > 0", v, f"give a positive {key}.", owner)
    return v


def _interval(entry: Mapping[str, Any], where: str, owner: str) -> tuple[float, float]:
    lo, hi = _number(entry, "low", where, owner), _number(entry, "high", where, owner)
    if not lo < hi:
        raise _err(f"{where}.low", f"below high ({hi:g})", lo,
                   "a 95% interval is written low < high; did you swap them?", owner)
    return lo, hi


def _fit_beta_interval(lo: float, hi: float, where: str, owner: str) -> tuple[float, float]:
    if not (0 < lo < hi < 1):
        raise _err(f"{where}.low", "a 95% interval inside (0, 1) for a beta", f"[{lo}, {hi}]",
                   "a beta is for shares and probabilities; use normal or gamma otherwise.",
                   owner)
    m, se = (lo + hi) / 2, (hi - lo) / (2 * Z975)
    k = max(m * (1 - m) / se**2 - 1, 1e-3)
    x0 = np.log([m * k, (1 - m) * k])

    def resid(x: np.ndarray) -> np.ndarray:
        a, b = np.exp(x)
        return np.array([stats.beta.ppf(0.025, a, b) - lo, stats.beta.ppf(0.975, a, b) - hi])

    sol = optimize.least_squares(resid, x0, xtol=1e-12, ftol=1e-12)
    a, b = np.exp(sol.x)
    if np.max(np.abs(resid(sol.x))) > 1e-6 * max(hi - lo, 1e-9) + 1e-9:
        raise _err(f"{where}.low", "a 95% interval a beta can match", f"[{lo}, {hi}]",
                   "give mean and se instead, or alpha and beta.", owner)
    return float(a), float(b)


def _fit_gamma_interval(lo: float, hi: float, where: str, owner: str) -> tuple[float, float]:
    if lo <= 0:
        raise _err(f"{where}.low", "a number > 0 for a gamma (costs are positive)", lo,
                   "give a positive lower limit, or use a normal.", owner)
    target = math.log(hi / lo)

    def gap(logk: float) -> float:
        k = math.exp(logk)
        low = max(float(stats.gamma.ppf(0.025, k)), 1e-300)
        return math.log(float(stats.gamma.ppf(0.975, k)) / low) - target

    try:
        logk = optimize.brentq(gap, math.log(0.05), math.log(1e7), xtol=1e-12)
    except ValueError:
        raise _err(f"{where}.high", "a 95% interval a gamma can match", f"[{lo}, {hi}]",
                   "give mean and se instead, or shape and scale.", owner) from None
    k = math.exp(logk)
    return k, lo / float(stats.gamma.ppf(0.025, k))


def _params(dist: str, form: tuple[str, ...], entry: Mapping[str, Any], where: str,
            owner: str) -> dict[str, float | tuple[float, ...]]:
    if dist == "beta":
        if form == ("alpha", "beta"):
            return {"a": _positive(entry, "alpha", where, owner),
                    "b": _positive(entry, "beta", where, owner)}
        if form == ("mean", "se"):
            m, se = _number(entry, "mean", where, owner), _positive(entry, "se", where, owner)
            if not 0 < m < 1:
                raise _err(f"{where}.mean", "a share in (0, 1) for a beta", m,
                           "a beta is for shares and probabilities; use gamma or lognormal "
                           "for costs and counts.", owner)
            if se >= math.sqrt(m * (1 - m)):
                raise _err(f"{where}.se", f"below sqrt(mean (1 - mean)) = "
                           f"{math.sqrt(m * (1 - m)):.4g} for a beta of mean {m:g}", se,
                           "give a smaller standard error.", owner)
            k = m * (1 - m) / se**2 - 1
            return {"a": m * k, "b": (1 - m) * k}
        a, b = _fit_beta_interval(*_interval(entry, where, owner), where, owner)
        return {"a": a, "b": b}
    if dist == "gamma":
        if form == ("shape", "scale"):
            return {"shape": _positive(entry, "shape", where, owner),
                    "scale": _positive(entry, "scale", where, owner)}
        if form == ("mean", "se"):
            m, se = _positive(entry, "mean", where, owner), _positive(entry, "se", where, owner)
            return {"shape": (m / se) ** 2, "scale": se**2 / m}
        k, scale = _fit_gamma_interval(*_interval(entry, where, owner), where, owner)
        return {"shape": k, "scale": scale}
    if dist == "lognormal":
        if form == ("meanlog", "sdlog"):
            return {"s": _positive(entry, "sdlog", where, owner),
                    "scale": math.exp(_number(entry, "meanlog", where, owner))}
        if form == ("mean", "se"):
            m, se = _positive(entry, "mean", where, owner), _positive(entry, "se", where, owner)
            s2 = math.log1p((se / m) ** 2)
            return {"s": math.sqrt(s2), "scale": math.exp(math.log(m) - s2 / 2)}
        lo, hi = _interval(entry, where, owner)
        if lo <= 0:
            raise _err(f"{where}.low", "a number > 0 for a lognormal", lo,
                       "give a positive lower limit, or use a normal.", owner)
        return {"s": (math.log(hi) - math.log(lo)) / (2 * Z975),
                "scale": math.sqrt(lo * hi)}
    if dist == "normal":
        if form in (("mean", "sd"), ("mean", "se")):
            return {"loc": _number(entry, "mean", where, owner),
                    "scale": _positive(entry, form[1], where, owner)}
        lo, hi = _interval(entry, where, owner)
        return {"loc": (lo + hi) / 2, "scale": (hi - lo) / (2 * Z975)}
    if dist == "uniform":
        if form == ("min", "max"):
            lo, hi = _number(entry, "min", where, owner), _number(entry, "max", where, owner)
            if not lo < hi:
                raise _err(f"{where}.min", f"below max ({hi:g})", lo,
                           "write min < max; did you swap them?", owner)
            return {"loc": lo, "scale": hi - lo}
        lo, hi = _interval(entry, where, owner)
        width = (hi - lo) / 0.95
        return {"loc": lo - 0.025 * width, "scale": width}
    if dist == "triangular":
        lo, mode, hi = (_number(entry, k, where, owner) for k in ("min", "mode", "max"))
        if not (lo <= mode <= hi and lo < hi):
            raise _err(f"{where}.mode", "min <= mode <= max with min < max",
                       f"min={lo:g}, mode={mode:g}, max={hi:g}",
                       "order the three values min <= mode <= max.", owner)
        return {"c": (mode - lo) / (hi - lo), "loc": lo, "scale": hi - lo}
    # dirichlet
    if form == ("alpha",):
        alpha = _vector(entry, "alpha", where, owner)
        if np.any(alpha <= 0):
            raise _err(f"{where}.alpha", "numbers > 0", list(alpha),
                       "every Dirichlet parameter must be positive.", owner)
        return {"alpha": tuple(float(a) for a in alpha)}
    mean = _vector(entry, "mean", where, owner)
    if np.any(mean <= 0) or not math.isclose(float(mean.sum()), 1.0, abs_tol=1e-6):
        raise _err(f"{where}.mean", "shares > 0 that sum to 1", list(mean),
                   f"they sum to {mean.sum():.6g}; rescale them so they sum to 1.", owner)
    if form == ("mean", "concentration"):
        a0 = _positive(entry, "concentration", where, owner)
    else:
        se = _positive(entry, "se", where, owner)
        m0 = float(mean[0])
        if se >= math.sqrt(m0 * (1 - m0)):
            raise _err(f"{where}.se", f"below sqrt(m (1 - m)) = {math.sqrt(m0 * (1 - m0)):.4g} "
                       "for the first share", se, "give a smaller standard error.", owner)
        a0 = m0 * (1 - m0) / se**2 - 1
    return {"alpha": tuple(float(m * a0) for m in mean)}


def _vector(entry: Mapping[str, Any], key: str, where: str, owner: str) -> np.ndarray:
    v = entry[key]
    if (not isinstance(v, list | tuple) or len(v) < 2
            or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in v)):
        raise _err(f"{where}.{key}", "a list of at least 2 numbers, one per path", v,
                   f"write e.g. {key} = [0.35, 0.45, 0.20].", owner)
    return np.asarray(v, dtype=float)


def parse_distribution(entry: Mapping[str, Any], index: int, owner: str = "") -> Distribution:
    """Check one ``[[uncertain]]`` table and return its :class:`Distribution`.

    Raises :class:`~paretoprice.optim.errors.ParameterError` naming ``uncertain[i].<key>``,
    what was expected, what was received and the fix.
    """
    where = f"uncertain[{index}]"
    if not isinstance(entry, Mapping):
        raise _err(where, "a table", entry, "write it as [[uncertain]] with key = value pairs.",
                   owner)
    dist = entry.get("dist")
    if dist not in DIST_NAMES:
        raise UnknownNameError(f"{where}.dist", str(dist), DIST_NAMES, owner=owner)
    if dist == "dirichlet":
        paths = entry.get("paths")
        if (not isinstance(paths, list | tuple) or len(paths) < 2
                or not all(isinstance(p, str) and p for p in paths)):
            raise _err(f"{where}.paths", "a list of at least 2 input paths", paths,
                       'write paths = ["segments.a.population", "segments.b.population"].',
                       owner)
        if "path" in entry:
            raise _err(f"{where}.path", "absent for a Dirichlet (it uses 'paths')",
                       entry["path"], "list the inputs in 'paths'.", owner)
    else:
        p = entry.get("path")
        if not isinstance(p, str) or not p:
            raise _err(f"{where}.path", "an input path such as 'segments.rural.compliance'",
                       p if p is not None else "nothing", "add path = \"...\".", owner)
        if "paths" in entry:
            raise _err(f"{where}.paths", f"absent for a {dist} (one input: 'path')",
                       entry["paths"], "use path = \"...\" (paths is for a Dirichlet).", owner)
        paths = [p]
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        raise _err(f"{where}.source", "the source of the distribution (text)",
                   source if source is not None else "nothing",
                   'add source = "..." (write "assumption: ..." for a stated assumption).',
                   owner)
    forms = _FORMS[dist]
    params_keys = sorted({k for f in forms for k in f})
    allowed = _META_KEYS | set(params_keys)
    unknown = sorted(set(entry) - allowed)
    if unknown:
        shown = ", ".join(params_keys)
        raise _err(f"{where}.{unknown[0]}", f"a parameter of a {dist} ({shown}) or path, "
                   "source, note",
                   unknown[0], "remove the key or correct its spelling.", owner)
    given = {k for k in entry if k not in _META_KEYS}
    matches = [f for f in forms if set(f) == given]
    if not matches:
        shown = " or ".join("(" + ", ".join(f) + ")" for f in forms)
        raise _err(f"{where}", f"a {dist} given by {shown}", sorted(given) or "no parameters",
                   "give exactly one of these sets of keys.", owner)
    total = 1.0
    if "total" in entry:
        if dist != "dirichlet":
            raise _err(f"{where}.total", "absent (only a Dirichlet scales its shares)",
                       entry["total"], "remove 'total'.", owner)
        total = _positive(entry, "total", where, owner)
    params = _params(dist, matches[0], entry, where, owner)
    alpha = params.get("alpha")
    if isinstance(alpha, tuple) and len(alpha) != len(paths):
        raise _err(f"{where}.paths", f"one path per share ({len(alpha)} shares)",
                   f"{len(paths)} paths", "give as many paths as shares.", owner)
    return Distribution(paths=tuple(paths), dist=dist, params=params,
                        given={k: entry[k] for k in sorted(given)}, source=source.strip(),
                        total=total)


def parse_uncertainty(entries: Sequence[Mapping[str, Any]],
                      correlations: Sequence[Mapping[str, Any]] = (),
                      owner: str = "") -> UncertaintyModel:
    """Check every ``[[uncertain]]`` and ``[[uncertain_correlation]]`` table.

    Raises :class:`~paretoprice.optim.errors.ParameterError` for a bad table, a path set
    twice, a correlation naming an input without a univariate distribution, or a
    correlation matrix that is not positive definite.
    """
    dists = tuple(parse_distribution(e, i, owner) for i, e in enumerate(entries))
    seen: dict[str, int] = {}
    for i, d in enumerate(dists):
        for p in d.paths:
            if p in seen:
                raise _err(f"uncertain[{i}].path", "an input without another distribution",
                           p, f"uncertain[{seen[p]}] already sets it; keep one of the two.",
                           owner)
            seen[p] = i
    univariate = {d.paths[0] for d in dists if d.dist != "dirichlet"}
    corrs = []
    for i, c in enumerate(correlations):
        where = f"uncertain_correlation[{i}]"
        unknown = sorted(set(c) - {"paths", "rho", "source", "note"})
        if unknown:
            raise _err(f"{where}.{unknown[0]}", "one of paths, rho, source", unknown[0],
                       "remove the key or correct its spelling.", owner)
        paths = c.get("paths")
        if (not isinstance(paths, list | tuple) or len(paths) != 2 or paths[0] == paths[1]
                or not all(isinstance(p, str) for p in paths)):
            raise _err(f"{where}.paths", "two different input paths", paths,
                       'write paths = ["a.b", "c.d"].', owner)
        for p in paths:
            if p not in univariate:
                raise _err(f"{where}.paths", "paths that have a univariate [[uncertain]] "
                           "distribution", p, "declare a distribution for it first "
                           "(Dirichlet shares cannot be correlated).", owner)
        rho = c.get("rho")
        if (isinstance(rho, bool) or not isinstance(rho, int | float)
                or not -1 < float(rho) < 1):
            raise _err(f"{where}.rho", "a number strictly between -1 and 1", rho,
                       "give the correlation of the two inputs.", owner)
        src = c.get("source")
        if not isinstance(src, str) or not src.strip():
            raise _err(f"{where}.source", "the source of the correlation (text)",
                       src if src is not None else "nothing", 'add source = "...".', owner)
        corrs.append(Correlation(paths=(paths[0], paths[1]), rho=float(rho), source=src))
    model = UncertaintyModel(dists, tuple(corrs))
    R = model.correlation_matrix()
    if R is not None and np.min(np.linalg.eigvalsh(R)) <= 1e-10:
        raise _err("uncertain_correlation", "a positive definite correlation matrix",
                   f"smallest eigenvalue {np.min(np.linalg.eigvalsh(R)):.3g}",
                   "the correlations contradict each other; weaken some of them.", owner)
    return model


def check_against_values(model: UncertaintyModel, base: Mapping[str, float],
                         owner: str = "") -> None:
    """Check each distribution against the input it replaces (base values by path).

    A beta (or Dirichlet with ``total = 1``) must sit on a share: its input's base value
    in [0, 1] and a name that is not an amount (cost, payment, population, ...).
    """
    for i, d in enumerate(model.distributions):
        for p in d.paths:
            leaf = p.rsplit(".", 1)[-1].lower()
            is_amount = any(w in leaf for w in _COST_WORDS)
            if d.dist == "beta" or (d.dist == "dirichlet" and d.total == 1.0):
                v = base[p]
                if is_amount or not 0.0 <= v <= 1.0:
                    raise _err(f"uncertain[{i}].dist", f"a distribution for an amount (its "
                               f"base value is {v:g})" if not is_amount else
                               "a distribution for an amount, not a share", f"{d.dist} on "
                               f"'{p}'", "a beta is for shares and probabilities; use gamma "
                               "or lognormal for costs and counts (a Dirichlet on amounts "
                               "needs 'total').", owner)


def percentile_values(model: UncertaintyModel, q: float) -> np.ndarray:
    """``(width,)`` the ``q`` marginal percentile of every input."""
    return np.concatenate([d.percentiles([q])[0] for d in model.distributions])


__all__ = ["DIST_NAMES", "Z975", "Correlation", "Distribution", "UncertaintyModel",
           "check_against_values", "parse_distribution", "parse_uncertainty",
           "percentile_values"]
