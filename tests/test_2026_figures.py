"""2026 figures in the bundled problems (issue 10, item 6), old figures flagged, and the
Category III note on CPT 92229 in ai-ecg's printed findings. Hand-computed in comments."""

from __future__ import annotations

import pytest

from paretoprice.app.runner import dated_inputs
from paretoprice.problems import load_problem
from paretoprice.problems.ai_ecg import _pricing_basis


def _observed(name: str) -> dict[str, float]:
    return {o.name: o.low for o in load_problem(name).spec.observed}


def test_2026_conversion_factor_rates_known_answer() -> None:
    # 92229: 1.35 RVU x 33.4009 = 45.0912 -> 45.09 (non-APM); x 33.5675 = 45.3161 -> 45.32
    # (APM); 2025: 1.35 x 32.3465 = 43.6678 -> 43.67, so 2026 adds 1.42 USD per exam.
    # 75580 (FFR-CT): 25.94 x 33.4009 = 866.4193 -> 866.42; x 33.5675 = 870.7410 -> 870.74
    assert round(1.35 * 33.4009, 2) == 45.09 and round(1.35 * 33.5675, 2) == 45.32
    assert round(25.94 * 33.4009, 2) == 866.42 and round(25.94 * 33.5675, 2) == 870.74
    for name in ("idx-dr", "autonomy-tiers"):
        obs = _observed(name)
        assert obs["PFS 2026 non-facility (1.35 RVU x $33.4009)"] == 45.09
        assert obs["PFS 2026 APM (1.35 RVU x $33.5675)"] == 45.32
        assert obs["PFS 2025 non-facility (1.35 RVU x $32.3465)"] == 43.67
    ffr = _observed("ffr-ct")
    assert ffr["PFS 2026 at the 2025 RVU (25.94 RVU x $33.4009)"] == 866.42
    assert ffr["PFS 2026 APM at the 2025 RVU (25.94 RVU x $33.5675)"] == 870.74
    # every observed line of a file states the year of its figures in its name or source
    for name in ("idx-dr", "autonomy-tiers", "ffr-ct", "ai-ecg", "access-ckm",
                 "korea-ai-fund", "addon-fund"):
        for o in load_problem(name).spec.observed:
            assert any(str(y) in o.name + o.source for y in range(1999, 2027)), (name, o.name)


def test_old_comparator_payments_are_flagged_in_the_printed_output() -> None:
    # idx-dr: the 175 USD eye exam (comparator and the referral visit) is a 2015 figure
    lines = dated_inputs(load_problem("idx-dr"))
    assert any(ln.startswith("* service.comparator_payment = 175: a 2015 figure")
               for ln in lines)
    assert any("pathway.ai.follow_up_cost" in ln for ln in lines)
    assert any("2015" in ln for ln in dated_inputs(load_problem("autonomy-tiers")))
    # a file whose figures are all recent has nothing to flag
    assert dated_inputs(load_problem("access-ckm")) == []
    # the threshold is a parameter: nothing is older than 2015
    assert dated_inputs(load_problem("idx-dr"), before=2015) == []


def test_ai_ecg_says_92229_was_category_i_and_prices_offices_from_office_rates() -> None:
    # the 0.517 multiple is 28.42 / 55.00 = 0.5167 (2021); offices at 43.67 / 59.40 = 0.735
    text = " ".join(_pricing_basis(load_problem("ai-ecg").spec))
    assert "0.517 x p" in text
    assert "Category I code, not a Category III code" in text
    assert "physician_office is priced from office rates" in text and "0.735 x p" in text
    assert round(28.42 / 55.0, 3) == pytest.approx(0.517)
    spec = load_problem("ai-ecg").spec
    office = next(g for g in spec.segments if g.name == "physician_office")
    assert "2026" in spec.sources[f"segments[{spec.segments.index(office)}].rate_multiplier"]
