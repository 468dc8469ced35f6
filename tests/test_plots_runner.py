"""Front plots and the problem-script runner: panels laid out only when they exist, axes in
the decision's own unit, the access-maximizing comparison only where it means something,
and locating several observed decisions at once."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from paretoprice.app.analysis import locate
from paretoprice.app.plots import anchor_comparable, default_price, front_figure, plot_front
from paretoprice.app.runner import access_baseline, describe_locations
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.spec import ObservedPrice
from paretoprice.problems import load_problem
from paretoprice.solvers import solve


@pytest.fixture(scope="module")
def fronts() -> dict:
    """Exact grid fronts of small bundled problems (each solves in well under a second)."""
    out = {}
    for name in ("addon-fund", "lvo-ntap", "korea-ai-fund", "access-ckm", "idx-dr"):
        problem = load_problem(name)
        if name == "addon-fund":  # as a front with neither 'p' nor observed prices
            problem = problem.with_spec_changes(observed=())
        out[name] = (problem, solve(problem, "grid", seed=1))
    return out


def _figure_quietly(*args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = front_figure(*args, **kwargs)
    return fig, [str(w.message) for w in caught]


def _n_pairs(front) -> int:
    return len(list(itertools.combinations(range(len(front.objective_names)), 2)))


def _labels(fig) -> list[str]:
    return [ax.get_xlabel() for ax in fig.axes] + [ax.get_ylabel() for ax in fig.axes]


def test_front_without_p_has_no_colormap_warning_and_no_empty_row(fronts, tmp_path) -> None:
    problem, front = fronts["addon-fund"]
    assert "p" not in front.decision_names and not problem.spec.observed
    fig, caught = _figure_quietly(front, anchors=problem.anchors(), observed=())
    assert not [m for m in caught if "colormapping" in m], caught
    # only the pairwise panels: no colorbar, no bottom row of price panels
    assert len(fig.axes) == _n_pairs(front)
    rows = {ax.get_subplotspec().rowspan.start for ax in fig.axes}
    nrows = fig.axes[0].get_subplotspec().get_gridspec().nrows
    assert rows == set(range(nrows)), "a grid row holds no panel"
    # plot_front writes the file and warns no more than front_figure
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plot_front(front, tmp_path / "front.png", anchors=problem.anchors()).exists()


def test_price_axis_and_colorbar_in_the_decision_unit(fronts) -> None:
    problem, front = fronts["korea-ai-fund"]
    unit = dict(zip(front.decision_names, front.decision_units, strict=True))["a"]
    assert unit.startswith("KRW")
    fig, caught = _figure_quietly(front, anchors=problem.anchors(),
                                  observed=problem.spec.observed, price="a")
    assert not caught
    k = len(front.objective_names)
    # pairs + one colorbar + one price panel per objective
    assert len(fig.axes) == _n_pairs(front) + 1 + k
    labels = _labels(fig)
    assert labels.count(f"a [{unit}]") == k + 1  # k price panels and the colorbar
    assert not [t for t in labels if "USD" in t], labels
    # money totals in KRW are scaled, not printed as USD
    assert any("KRW per year]" in t for t in labels)


def test_per_beneficiary_price_gets_its_unit_and_no_anchor_lines(fronts) -> None:
    problem, front = fronts["access-ckm"]
    unit = front.decision_units[front.decision_names.index("p")]
    assert unit == "USD per beneficiary-year"
    fig, _ = _figure_quietly(front, anchors=problem.anchors(), observed=problem.spec.observed)
    labels = _labels(fig)
    assert f"p [{unit}]" in labels and "p [USD per use]" not in labels
    # anchors are per patient or per use: not drawn on a per-beneficiary-year axis
    legend_texts = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert legend_texts == [o.name for o in problem.spec.observed]


def test_default_price_is_the_first_observed_decision(fronts) -> None:
    problem, front = fronts["lvo-ntap"]
    assert "p" not in front.decision_names
    first = problem.spec.observed[0].variable
    assert default_price(front, problem.spec.observed) == first
    fig, caught = _figure_quietly(front, anchors=problem.anchors(),
                                  observed=problem.spec.observed)
    assert not caught
    unit = front.decision_units[front.decision_names.index(first)]
    assert f"{first} [{unit}]" in _labels(fig)
    _, idx = fronts["idx-dr"]
    assert default_price(idx, ()) == "p"
    add_problem, add_front = fronts["addon-fund"]
    assert default_price(add_front, add_problem.spec.observed) is None


@pytest.mark.parametrize(("decision", "anchor", "expected"), [
    ("USD per use", "USD per patient", True),
    ("USD per use", "USD per use", True),
    ("KRW per use", "KRW per patient", True),
    ("KRW per use", "USD per patient", False),
    ("USD per beneficiary-year", "USD per patient", False),
    ("USD per study", "USD per patient", False),
    ("share", "USD per patient", False),
])
def test_anchor_comparable(decision, anchor, expected) -> None:
    assert anchor_comparable(decision, anchor) is expected


def test_access_baseline_only_for_prices_in_the_anchor_unit(fronts) -> None:
    idx, _ = fronts["idx-dr"]
    base = access_baseline(idx, "p")
    assert base is not None and base.variable == "p"
    assert base.low == base.high == idx.anchors()["access_maximizing"].value
    ckm, _ = fronts["access-ckm"]
    assert access_baseline(ckm, "p") is None  # USD per beneficiary-year
    ntap, _ = fronts["lvo-ntap"]
    assert access_baseline(ntap, "f") is None and access_baseline(ntap, "s") is None
    korea, _ = fronts["korea-ai-fund"]
    assert access_baseline(korea, "a") is not None  # KRW per use, anchors in KRW
    assert access_baseline(korea, "no_such_decision") is None


def test_script_prints_the_comparison_only_when_meaningful(tmp_path, capsys) -> None:
    from paretoprice.problems import access_ckm, ai_ecg

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ckm = access_ckm.main(["--out", str(tmp_path / "ckm"), "--quick"])
    assert not [w for w in caught if "colormapping" in str(w.message)]
    assert "Where real prices sit" in ckm.text
    assert "vs the access-maximizing price" not in ckm.text
    assert "USD per beneficiary-year" in ckm.text
    assert all(not loc.delta for loc in ckm.locations)
    ecg = ai_ecg.main(["--out", str(tmp_path / "ecg"), "--quick"])
    assert "vs the access-maximizing price" in ecg.text
    assert all(loc.delta for loc in ecg.locations if loc.feasible)
    capsys.readouterr()


def test_locate_several_observed_decisions(fronts) -> None:
    problem, front = fronts["idx-dr"]
    # a single price on p that lies on the front (the 2025 office rate)
    p_obs = next(o for o in problem.spec.observed if o.name.startswith("PFS 2025"))
    assert p_obs.low == p_obs.high
    f_val = float(np.median(front.column("f")))
    both = locate(problem, front, {"p": p_obs.low, "f": f_val})
    assert both.fixed == {"p": (p_obs.low, p_obs.low), "f": (f_val, f_val)}
    assert both.variable == "p, f"
    assert both.compromise_decisions["p"] == pytest.approx(p_obs.low)
    assert both.compromise_decisions["f"] == pytest.approx(f_val)
    assert "p" not in both.other_ranges and "f" not in both.other_ranges
    # a mapping with one decision is the same observation as an ObservedPrice
    one = locate(problem, front, {"p": p_obs.low})
    ref = locate(problem, front, p_obs)
    assert one.compromise == ref.compromise and one.on_front == ref.on_front
    # a band as (low, high); the runner prints every observed decision in its unit
    band = locate(problem, front, {"p": (p_obs.low - 5, p_obs.low + 5), "f": f_val})
    assert p_obs.low - 5 <= band.compromise_decisions["p"] <= p_obs.low + 5
    text = describe_locations(problem, [both])
    assert "p = " in text and "f = " in text and "USD per use" in text


def test_locate_rejects_unknown_or_reversed(fronts) -> None:
    problem, front = fronts["idx-dr"]
    with pytest.raises(ParameterError, match="no_such"):
        locate(problem, front, {"no_such": 1.0})
    with pytest.raises(ParameterError, match="low <= high"):
        locate(problem, front, {"p": (60.0, 40.0)})
    with pytest.raises(ParameterError):
        locate(problem, front, {})
    baseline = ObservedPrice(name="b", variable="p", low=40.0, high=40.0)
    pre = locate(problem, front, baseline)
    a = locate(problem, front, problem.spec.observed[0], baseline=baseline)
    b = locate(problem, front, problem.spec.observed[0], baseline=pre)
    assert a.delta == b.delta and a.delta
