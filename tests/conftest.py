"""Shared fixtures: small problems built in Python from plain dicts."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from paretoprice.optim.families import build_problem
from paretoprice.optim.problem import PricingProblem
from paretoprice.problems import bundled_raw


def one_segment_dict(**over: Any) -> dict[str, Any]:
    """The sanity-check problem of the spec: one segment, u = 1, every site adopts
    (no fixed cost), c = 0.3, v_c = 175, mu = 1."""
    d: dict[str, Any] = {
        "name": "one-segment",
        "family": "ffs",
        "objectives": ["payer_spend", "access"],
        "service": {"name": "exam", "comparator_payment": 175.0},
        "payers": [{"name": "medicare", "rate_multiplier": 1.0}],
        "segments": [{
            "name": "all", "population": 1000.0, "compliance": 0.3, "uptake": 1.0,
            "provider_cost_per_use": 0.0, "sites": 10, "fixed_cost_per_site": 0.0,
            "payer_mix": {"medicare": 1.0},
        }],
        "creator": {"marginal_cost": 0.0, "upfront_investment": 0.0, "annual_fixed_cost": 0.0,
                    "horizon_years": 5, "discount_rate": 0.03, "tco_volume": 1000.0},
        "value": {"wtp_per_qaly": 50000.0, "qaly_gain_per_patient": 0.0},
        "decisions": {"p": {"lower": 0.0, "upper": 175.0, "step": 0.25},
                      "f": {"lower": 0.0, "upper": 0.0}},
        "guardrails": {"budget_access_max": True},
    }
    d.update(over)
    return d


@pytest.fixture
def one_segment() -> PricingProblem:
    return build_problem(one_segment_dict())


@pytest.fixture
def idx_raw() -> dict[str, Any]:
    """idx-dr as the v1 model: the bundled file without its clinical pathway (the tests
    using it check v1 formulas; tests/test_v2_ffs.py covers the pathway)."""
    raw = copy.deepcopy(bundled_raw("idx-dr"))
    raw.pop("pathway", None)
    return raw


@pytest.fixture
def idx_dr() -> PricingProblem:
    """idx-dr as the v1 model (see :func:`idx_raw`)."""
    from paretoprice.problems import load_problem

    return load_problem("idx-dr").with_spec_changes(pathway=None)


# ---------------------------------------------------------------------- real browser
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def ensure_chromium() -> None:
    """Install Debian's chromium and chromium-driver when they are missing and we are root
    (CI runs the README's test command as root on a fresh machine); otherwise fail loudly:
    the browser test never skips."""
    import os
    import shutil
    import subprocess

    if shutil.which("chromium") and shutil.which("chromedriver"):
        return
    if os.geteuid() != 0:
        pytest.fail("the browser test needs Debian's chromium and chromium-driver: run "
                    "`sudo apt-get install -y chromium chromium-driver`", pytrace=False)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-q"],
                ["apt-get", "install", "-y", "-q", "chromium", "chromium-driver"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(f"`{' '.join(cmd)}` failed ({done.returncode}): "
                        f"{done.stderr.strip().splitlines()[-1:]}", pytrace=False)
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.fail("chromium / chromedriver still missing after apt-get install",
                    pytrace=False)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (Debian's package) driven by Selenium, logging console errors."""
    import shutil

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    ensure_chromium()
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1400,2400", "--disable-gpu"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=shutil.which("chromedriver") or CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=opts)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()
