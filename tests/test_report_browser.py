"""report.html in a real headless Chromium: no console error, every front point drawn, a
brush on the parallel coordinates filters the table exactly as pandas filters front.csv,
and a screenshot kept as a test artefact; report.xlsx has its sheets and units."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from paretoprice.app.report import write_report
from paretoprice.problems import load_problem
from paretoprice.solvers import solve

ARTIFACTS = Path(os.environ.get("PARETOPRICE_TEST_ARTIFACTS",
                                Path(__file__).resolve().parents[1] / "test-artifacts"))


@pytest.fixture(scope="module")
def idx_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "idx-dr"
    problem = load_problem("idx-dr")
    write_report(problem, solve(problem, "grid"), out)
    return out


def page_errors(driver) -> list[str]:
    """SEVERE entries of the browser console since the last call."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def open_report(driver, path: Path) -> float:
    """Load ``path`` and wait until the page script has finished; returns seconds taken."""
    start = time.perf_counter()
    driver.get(path.resolve().as_uri())
    deadline = time.time() + 30
    while time.time() < deadline:
        if driver.execute_script("return document.body && "
                                 "document.body.getAttribute('data-ready') === '1'"):
            return time.perf_counter() - start
        time.sleep(0.1)
    raise AssertionError(f"report did not finish loading: {page_errors(driver)}")


def test_report_set_is_whole(idx_report: Path) -> None:
    assert sorted(p.name for p in idx_report.iterdir()) == sorted(
        ["report.html", "report.xlsx", "front.csv", "front.json"])
    assert not [p for p in idx_report.parent.iterdir() if p.name.startswith(".")]
    html = (idx_report / "report.html").read_text()
    # self-contained: plotly.js inline, no script or stylesheet fetched from anywhere
    assert "<script src" not in html and "<link" not in html
    assert len(html) > 3_000_000  # the embedded plotly.js


def test_report_in_chromium(browser, idx_report: Path) -> None:
    front = pd.read_csv(idx_report / "front.csv")
    browser.get_log("browser")  # drop earlier entries
    seconds = open_report(browser, idx_report / "report.html")
    assert page_errors(browser) == []
    # every front point is drawn in the first panel of the scatter matrix (SVG points)
    drawn = browser.execute_script(
        "const t = document.querySelector('#matrix g.subplot.xy .scatterlayer .trace');"
        "return t.querySelectorAll('path.point').length;")
    assert drawn == len(front)
    assert browser.find_element("id", "match-count").text == f"{len(front)} of {len(front)} points"
    # brush payer_spend to its lower half and compare with pandas on the CSV
    lo, hi = float(front.payer_spend.min()), float(front.payer_spend.median())
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.paretoReport.brush('payer_spend', arguments[0], arguments[1]).then(done);",
        lo, hi)
    expected = int(((front.payer_spend >= lo) & (front.payer_spend <= hi)).sum())
    assert 0 < expected < len(front)
    assert browser.find_element("id", "match-count").text == f"{expected} of {len(front)} points"
    rows = browser.execute_script("return document.querySelectorAll('#filtered tbody tr').length")
    assert rows == min(expected, 500)
    first = browser.execute_script(
        "return Number(document.querySelector('#filtered tbody tr').dataset.row)")
    assert lo <= front.payer_spend.iloc[first] <= hi
    assert page_errors(browser) == []
    shot = idx_report.parent / "report.png"
    assert browser.save_screenshot(str(shot))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, ARTIFACTS / "report-idx-dr.png")
    (ARTIFACTS / "report-idx-dr.txt").write_text(
        f"load_s={seconds:.2f} html_bytes={(idx_report / 'report.html').stat().st_size} "
        f"png_bytes={shot.stat().st_size} points={len(front)}\n")


def test_console_errors_are_caught(browser, idx_report: Path, tmp_path: Path) -> None:
    """The check above can fail: a scratch copy with a JavaScript error reports SEVERE."""
    html = (idx_report / "report.html").read_text()
    broken = tmp_path / "broken.html"
    broken.write_text(html.replace("const N = D.n_points;", "const N = D.n_points; nope();", 1))
    browser.get_log("browser")
    browser.get(broken.as_uri())
    time.sleep(1.0)
    errors = page_errors(browser)
    assert errors and "nope" in " ".join(errors)
    assert browser.execute_script("return document.body.getAttribute('data-ready')") is None


def test_report_xlsx(idx_report: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(idx_report / "report.xlsx", read_only=True)
    assert wb.sheetnames == ["front", "anchors", "picks", "readouts", "provenance"]
    header = [c.value for c in next(wb["front"].iter_rows(max_row=1))]
    assert header[:2] == ["payer_spend [USD per year]", "creator_npv [USD]"]
    front = pd.read_csv(idx_report / "front.csv")
    assert wb["front"].max_row == len(front) + 1
    picks = [r[0] for r in wb["picks"].iter_rows(min_row=2, values_only=True)]
    assert "nash" in picks and "knee" in picks
