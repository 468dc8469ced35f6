"""Pick rules (known answers on a hand-made front), the readout's economics (hand-computed),
and the pick / readout / explain / report commands, for a bundled problem and a problem
file the project does not ship (docs/examples/mammography.toml)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from paretoprice.app.cli import main
from paretoprice.app.readout import icer_label, payback_year, point_from, readout, status_quo
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import build_problem
from paretoprice.optim.front import ParetoFront, Provenance
from paretoprice.optim.pick import pick, tradeoffs
from paretoprice.problems import load_problem
from tests.conftest import one_segment_dict

MAMMO = Path(__file__).resolve().parents[1] / "docs" / "examples" / "mammography.toml"


def toy(scale: float = 1.0) -> ParetoFront:
    """Three points, cost (min, USD) and gain (max, share):
    A = (0, 0.0), B = (1, 0.8), C = (4, 1.0); decision p = 0, 1, 4.

    Normalized to the front (ideal cost 0, gain 1.0; nadir cost 4, gain 0), minimization
    form: z_A = (0, 1), z_B = (0.25, 0.2), z_C = (1, 0).
    """
    return ParetoFront(("cost", "gain"), ("min", "max"), ("USD", "share"),
                       [[0, 0.0], [1 * scale, 0.8], [4 * scale, 1.0]], ("p",), ("USD",),
                       [[0.0], [1.0], [4.0]], {}, {}, Provenance("toy", "", "manual"))


def test_pick_known_answers() -> None:
    fr = toy()
    # knee: sum z = 1, 0.45, 1 -> B
    assert pick(fr, "knee").index == 1
    # equal-weight Chebyshev: max(z)/2 = 0.5, 0.125, 0.5 -> B
    assert pick(fr, "weights").index == 1
    # all weight on cost: max = z_cost = 0, 0.25, 1 -> A
    assert pick(fr, "weights", weights={"cost": 1, "gain": 0}).index == 0
    # ASF from reference (cost 4, gain 1.0): z(r) = (1, 0); max(z - z(r)) = 1, 0.2, 0 -> C
    assert pick(fr, "asf", reference={"cost": 4, "gain": 1.0}).index == 2
    # Nash from d = (cost 5, gain 0): A gains (5, 0) is out; B 4 * 0.8 = 3.2 > C 1 * 1 -> B
    nash = pick(fr, "nash", disagreement={"cost": 5, "gain": 0.0})
    assert nash.index == 1 and nash.candidates == 2
    # K-S: best gains (4, 1.0); B min(4/4, 0.8/1) = 0.8 > C min(1/4, 1) = 0.25 -> B
    ks = pick(fr, "kalai-smorodinsky", disagreement={"cost": 5, "gain": 0.0})
    assert ks.index == 1 and ks.score == pytest.approx(0.8)
    # nearest p = 3: distances 3, 2, 1 -> C
    assert pick(fr, "nearest", near={"p": 3}).index == 2
    # best NMB among admissible points: NMB 10, 5, 20 with C excluded -> A
    best = pick(fr, "best-nmb", nmb=np.array([10.0, 5.0, 20.0]),
                condition=np.array([True, True, False]), condition_label="ok")
    assert best.index == 0


def test_ties_go_to_the_most_balanced_point_then_the_first_row() -> None:
    fr = toy()
    # p = 2.5 is 1.5 from B and from C: B has max z 0.25 < C's 1 -> B
    near = pick(fr, "nearest", near={"p": 2.5})
    assert near.index == 1 and "equally close" in near.why
    dup = ParetoFront(("cost", "gain"), ("min", "max"), ("USD", "share"),
                      [[1, 0.5], [1, 0.5]], ("p",), ("USD",), [[1.0], [2.0]], {}, {},
                      Provenance("dup", "", "manual"))
    assert pick(dup, "knee").index == 0


def test_picks_do_not_depend_on_units() -> None:
    for m in ("knee", "weights"):
        assert pick(toy(), m).index == pick(toy(1000.0), m).index


def test_pick_errors_are_one_line() -> None:
    with pytest.raises(ParameterError, match="method"):
        pick(toy(), "median")
    with pytest.raises(ParameterError, match=r"near\.q"):
        pick(toy(), "nearest", near={"q": 1})
    with pytest.raises(ParameterError, match="disagreement"):  # nothing beats (cost -1, gain 2)
        pick(toy(), "nash", disagreement={"cost": -1, "gain": 2.0})


def test_tradeoffs_are_what_each_pick_gives_up() -> None:
    fr = toy()
    a, c = pick(fr, "weights", weights={"cost": 1, "gain": 0}), pick(fr, "nearest", near={"p": 4})
    gives = tradeoffs(fr, [a, c])
    assert gives["weights"]["nearest"] == {"gain": pytest.approx(1.0)}  # A gives up 1.0 gain
    assert gives["nearest"]["weights"] == {"cost": pytest.approx(4.0)}  # C pays 4 more


def test_front_pick_method_is_the_same_rule(idx_dr) -> None:
    from paretoprice.solvers import solve

    fr = solve(idx_dr, "grid")
    assert fr.pick("knee") == pick(fr, "knee")
    at55 = fr.pick("nearest", near={"p": 55})
    # the old undefined "compromise" gave NPV -78 M at $55; the balanced tie-break does not
    # put the creator at its worst: most points at $55 have NPV >= 0, so should the pick
    assert at55.decisions["p"] == 55 and at55.objectives["creator_npv"] >= 0


def test_icer_labels() -> None:
    assert icer_label(-1.0, 1.0, 50_000)[1].startswith("dominant")
    assert icer_label(1.0, -1.0, 50_000)[1].startswith("dominated")
    assert icer_label(100.0, 1.0, 50.0) == (100.0, "not cost-effective at WTP 50")
    assert icer_label(10.0, 1.0, 50.0) == (10.0, "cost-effective at WTP 50")


def test_payback_year_hand_computed() -> None:
    # F = 1000, r = 0, T = 5: NPV 500 -> level margin M = (500 + 1000) / 5 = 300 a year;
    # cumulative 300, 600, 900, 1200 -> the investment is recovered in year 4.
    d = one_segment_dict(creator={"marginal_cost": 0.0, "upfront_investment": 1000.0,
                                  "annual_fixed_cost": 0.0, "horizon_years": 5,
                                  "discount_rate": 0.0, "tco_volume": 1000.0})
    prob = build_problem(d)
    M, year, why = payback_year(prob, 500.0)
    assert pytest.approx(300.0) == M and year == 4.0 and why == "within the horizon"
    assert payback_year(prob, -1000.0)[1] is None


def test_readout_economics_idx_dr(idx_dr) -> None:
    x, notes = point_from(idx_dr, {"p": 55, "f": 20})
    assert notes == []  # the add-ons are pinned at 0
    r = readout(idx_dr, x)
    ev = idx_dr.evaluate(x)
    extra = float(ev.reported["patients_served"][0]) - 0.3 * 8_770_000
    impact = float(ev.reported["budget_impact"][0])
    # dQALY = 0.002 * extra; dCost = impact - 25 * extra; NMB = 50,000 dQALY - dCost
    assert r.value("Health economics", "incremental QALYs") == pytest.approx(0.002 * extra)
    assert r.value("Health economics", "net monetary benefit") == pytest.approx(
        50_000 * 0.002 * extra - (impact - 25 * extra))
    # the family's own ICER uses the same dCost / dQALY
    assert float(ev.reported["icer"][0]) == pytest.approx((impact - 25 * extra) / (0.002 * extra))
    assert r.value("Guardrails (slack >= 0 is met)", "cap_substitution") == pytest.approx(120.0)
    observed = {ln.name: ln.note for ln in r.section("Observed prices")}
    assert "inside the band" in observed["CMS national values 2022"]
    assert observed["creator charge read as the creator's fee"].endswith("35.00 below")
    # v1 file, immediate ramp: five equal years, the undiscounted and the discounted total
    assert len(r.section("Budget impact by year")) == 5 + 2
    assert r.value("Budget impact by year", "total over 5 years") == pytest.approx(5 * impact)
    assert r.value("Health economics", "basis") == "model v1"
    assert status_quo(idx_dr)[0] == {"payer_spend": pytest.approx(idx_dr.todays_spend),
                                      "creator_npv": 0.0, "access": pytest.approx(0.3),
                                      "provider_margin": 0.0}


def test_readout_command_formats(capsys) -> None:
    # with its clinical pathway, idx-dr at p = 45, f = 11 meets every guardrail
    assert main(["readout", "idx-dr", "--at", "p=45,f=11", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["decisions"]["p"] == 45 and data["feasible"] is True
    assert main(["readout", "idx-dr", "--at", "p=55,f=20", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "section,name,value,unit,note"
    assert main(["readout", "idx-dr", "--at", "p=55,f=20"]) == 0
    text = capsys.readouterr().out
    assert "ICER" in text and "payback year" in text and "USD per year" in text


def test_readout_bad_decision_is_one_line(capsys) -> None:
    assert main(["readout", "idx-dr", "--at", "q=5"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "q" in err and "Traceback" not in err


def test_readout_every_bundled_problem() -> None:
    from paretoprice.problems import bundled_names

    for name in bundled_names():
        prob = load_problem(name)
        x, _ = point_from(prob, {})
        r = readout(prob, x)
        assert r.section("Guardrails (slack >= 0 is met)") and r.section("Value anchors")
        he = r.section("Health economics")
        assert he and all(isinstance(ln.value, str) or math.isfinite(ln.value)
                          or ln.name == "ICER" for ln in he)


def test_new_user_path_on_a_file_the_project_does_not_ship(tmp_path, capsys) -> None:
    path = str(MAMMO)
    assert main(["explain", path]) == 0
    out = capsys.readouterr().out
    assert "Where real prices sit" in out and "Picks" in out and "nash" in out
    assert main(["pick", path, "--method", "nash", "--format", "json"]) == 0
    nash = json.loads(capsys.readouterr().out)["pick"]
    assert nash["parameters"]["disagreement_source"].startswith("today without the AI")
    at = f"p={nash['decisions']['p']:g},f={nash['decisions']['f']:g}"
    assert main(["readout", path, "--at", at]) == 0
    assert "net monetary benefit" in capsys.readouterr().out
    assert main(["report", path, "--out", str(tmp_path / "rep")]) == 0
    assert {p.name for p in (tmp_path / "rep").iterdir()} == {
        "report.html", "report.xlsx", "front.csv", "front.json"}
    meta = json.loads((tmp_path / "rep" / "front.json").read_text())
    assert [o["variable"] for o in meta["observed"]] == ["p", "f"]
    assert all("location" in o for o in meta["observed"]) and meta["anchors"]


def test_unknown_observed_decision_is_rejected(tmp_path, capsys) -> None:
    text = MAMMO.read_text().replace('variable = "f"', 'variable = "fee"')
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    with pytest.raises(ParameterError, match="observed"):
        load_problem(bad)
    assert main(["explain", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "fee" in err


def test_solve_prints_units_and_senses(capsys) -> None:
    assert main(["solve", "idx-dr", "--solver", "grid"]) == 0
    out = capsys.readouterr().out
    assert "minimized" in out and "maximized" in out and "[USD per year]" in out
    assert "e+" not in out
