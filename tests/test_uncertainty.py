"""Distributions in the problem file: parameterizations, sampling, validation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.psa import bind
from paretoprice.optim.uncertainty import Z975, parse_distribution, parse_uncertainty
from paretoprice.problems import load_problem
from tests.psa_problems import IDX_EXTRA_BAD, write_tiny


def _d(**kw):
    entry = {"path": "x.y", "source": "test", **kw}
    return parse_distribution(entry, 0, owner="test")


def test_mean_se_parameterizations_hit_the_mean_and_se() -> None:
    for dist, m, se in (("beta", 0.3, 0.05), ("gamma", 12.0, 3.0), ("lognormal", 60e6, 20e6),
                        ("normal", 5.0, 2.0)):
        f = _d(dist=dist, mean=m, se=se).frozen()
        assert f.mean() == pytest.approx(m, rel=1e-9)
        assert f.std() == pytest.approx(se, rel=1e-9)


def test_interval_parameterizations_hit_the_interval() -> None:
    for dist, lo, hi in (("beta", 0.818, 0.912), ("gamma", 4.0, 9.0),
                         ("lognormal", 150.0, 200.0), ("normal", -1.0, 3.0),
                         ("uniform", 10.0, 20.0)):
        f = _d(dist=dist, low=lo, high=hi).frozen()
        assert f.ppf(0.025) == pytest.approx(lo, rel=1e-6), dist
        assert f.ppf(0.975) == pytest.approx(hi, rel=1e-6), dist
    # normal by interval: sd = (hi - lo) / (2 * 1.96)
    assert _d(dist="normal", low=-1.0, high=3.0).frozen().std() == pytest.approx(4 / (2 * Z975))


def test_beta_and_gamma_sampling_match_their_means() -> None:
    # Plain Monte Carlo, 40,000 draws: the sample mean is within 4 standard errors of the
    # distribution's mean (se / sqrt(n): 0.05 / 200 = 0.00025 for the beta, 3 / 200 =
    # 0.015 for the gamma), so the tolerance is 0.001 and 0.06.
    model = parse_uncertainty([
        {"path": "a", "dist": "beta", "mean": 0.3, "se": 0.05, "source": "t"},
        {"path": "b", "dist": "gamma", "mean": 12.0, "se": 3.0, "source": "t"},
    ])
    v = model.sample(40_000, seed=7, sampling="mc")
    assert abs(v[:, 0].mean() - 0.3) < 4 * 0.05 / 200
    assert abs(v[:, 1].mean() - 12.0) < 4 * 3.0 / 200
    # a Latin hypercube stratifies each margin: the mean is much closer
    w = model.sample(4_000, seed=7, sampling="lhs")
    assert abs(w[:, 0].mean() - 0.3) < 1e-4
    assert np.all((v[:, 0] > 0) & (v[:, 0] < 1)) and np.all(v[:, 1] > 0)


def test_sampling_is_reproducible_and_seeded() -> None:
    model = parse_uncertainty([{"path": "a", "dist": "normal", "mean": 0, "sd": 1,
                                "source": "t"}])
    for how in ("mc", "lhs"):
        assert np.array_equal(model.sample(100, 3, how), model.sample(100, 3, how))
        assert not np.array_equal(model.sample(100, 3, how), model.sample(100, 4, how))


def test_dirichlet_shares_sum_to_the_total_with_the_stated_means() -> None:
    model = parse_uncertainty([{"paths": ["a", "b", "c"], "dist": "dirichlet",
                                "mean": [0.35, 0.45, 0.20], "se": 0.03, "total": 100.0,
                                "source": "t"}])
    v = model.sample(5_000, 1, "mc")
    assert np.allclose(v.sum(axis=1), 100.0)
    assert np.allclose(v.mean(axis=0), [35, 45, 20], atol=0.3)
    # se of the first share: sqrt(m (1 - m) / (a0 + 1)) = 0.03 by construction
    assert v[:, 0].std() / 100 == pytest.approx(0.03, rel=0.05)


def test_correlation_through_a_gaussian_copula() -> None:
    model = parse_uncertainty(
        [{"path": "a", "dist": "beta", "mean": 0.4, "se": 0.05, "source": "t"},
         {"path": "b", "dist": "gamma", "mean": 10, "se": 2, "source": "t"}],
        [{"paths": ["a", "b"], "rho": 0.6, "source": "t"}])
    v = model.sample(20_000, 2, "mc")
    rho_s = stats.spearmanr(v[:, 0], v[:, 1]).statistic
    # Spearman of a Gaussian copula: (6/pi) asin(rho / 2) = 0.582 for rho = 0.6
    assert rho_s == pytest.approx(6 / np.pi * np.arcsin(0.3), abs=0.02)


@pytest.mark.parametrize(("entry", "where", "words"), [
    ({"path": "a", "dist": "beta", "mean": 12.0, "se": 1.0, "source": "t"},
     "uncertain[0].mean", "gamma"),
    ({"path": "a", "dist": "normal", "low": 5.0, "high": 3.0, "source": "t"},
     "uncertain[0].low", "swap"),
    ({"paths": ["a", "b"], "dist": "dirichlet", "mean": [0.5, 0.6], "se": 0.1,
      "source": "t"}, "uncertain[0].mean", "sum to 1"),
    ({"path": "a", "dist": "gamma", "mean": 1.0, "se": 0.1}, "uncertain[0].source",
     "assumption"),
    ({"path": "a", "dist": "weibull", "mean": 1.0, "source": "t"}, "uncertain[0].dist",
     "beta"),
    ({"path": "a", "dist": "gamma", "mean": 1.0, "sd": 0.1, "source": "t"},
     "uncertain[0].sd", "shape"),
    ({"path": "a", "dist": "gamma", "mean": 1.0, "source": "t"},
     "uncertain[0]", "(mean, se)"),
    ({"path": "a", "dist": "triangular", "min": 3, "mode": 1, "max": 5, "source": "t"},
     "uncertain[0].mode", "min <= mode <= max"),
    ({"paths": ["a", "b", "c"], "dist": "dirichlet", "alpha": [1.0, 2.0], "source": "t"},
     "uncertain[0].paths", "one path per share"),
])
def test_bad_distributions_raise_one_line_errors(entry, where, words) -> None:
    with pytest.raises(ParameterError) as exc:
        parse_uncertainty([entry])
    msg = str(exc.value)
    assert "\n" not in msg and f"'{where}'" in msg and words in msg and "Fix:" in msg


def test_paths_are_checked_against_the_problem(tmp_path) -> None:
    prob = load_problem(write_tiny(tmp_path, extra=IDX_EXTRA_BAD))
    with pytest.raises(ParameterError, match=r"beta on 'segments.all.provider_cost_per_use'"):
        bind(prob)
    for path, words in (("segments.rural.compliance", "one of: all"),
                        ("segments.all.complience", "compliance"),
                        ("decisions.p.upper", "decision"),
                        ("creator.horizon_years", "whole-number")):
        extra = (f'\n[[uncertain]]\npath = "{path}"\ndist = "uniform"\nmin = 1\nmax = 2\n'
                 'source = "t"\n')
        (tmp_path / "x").mkdir(exist_ok=True)
        prob = load_problem(write_tiny(tmp_path / "x", extra=extra))
        with pytest.raises(ParameterError, match=words):
            bind(prob)


def test_draw_outside_an_inputs_range_is_named(tmp_path) -> None:
    extra = ('\n[[uncertain]]\npath = "segments.all.compliance"\ndist = "normal"\nmean = 0.0\n'
             'sd = 0.5\nsource = "t"\n')
    b = bind(load_problem(write_tiny(tmp_path, extra=extra)))
    with pytest.raises(ParameterError, match=r"'segments.all.compliance'.*allowed range.*draw 3"):
        b.problem_at(np.array([2000.0, -0.2]), draw=3)


def test_one_way_dirichlet_share_keeps_the_total() -> None:
    from paretoprice.app.sensitivity import one_way_values

    b = bind(load_problem("idx-dr"))
    cols = [i for i, c in enumerate(b.columns) if c.endswith(".population")]
    for _, _, lo, hi in one_way_values(b):
        assert lo[cols].sum() == pytest.approx(8_770_000) == hi[cols].sum()


def test_idx_dr_declares_its_uncertain_inputs_with_sources() -> None:
    b = bind(load_problem("idx-dr"))
    assert len(b.columns) >= 15
    assert all(d.source for d in b.model.distributions)
    # the base case is the file's values: distribution means are close to them
    assert np.allclose(b.model.means(), b.base, rtol=0.02)
