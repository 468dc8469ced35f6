"""A report a committee can open: ``report.html`` (interactive, offline) and ``report.xlsx``.

``report.html`` is one self-contained file: plotly.js is embedded inline, so it opens
without a network. It shows

* a scatter matrix of the objectives (one panel per pair, SVG points, hover = the point's
  objectives and decisions), the picks highlighted;
* the price decision against each objective with the value anchors (dashed lines) and the
  observed prices (shaded bands) drawn;
* parallel coordinates of objectives and decisions, colored by the first objective with a
  colour key; dragging on an axis brushes an objective range, and the *filtered table*
  below follows the brush (``N of M points``);
* the picks with their reasons, a readout of each pick, the anchors, observed prices and
  the provenance.

Tables are rounded to each unit's sensible precision (see
:func:`paretoprice.app.readout.fmt_number`); ``front.csv`` beside it keeps full precision.

``report.xlsx`` has the sheets ``front`` (units in the header), ``anchors``, ``picks``,
``readouts`` and ``provenance``.

The output set (``report.html``, ``report.xlsx``, ``front.csv``, ``front.json``) is
written into a temporary folder beside the target and renamed into place: it appears whole
or not at all.
"""

from __future__ import annotations

import html
import json
import logging
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from paretoprice.app.explain import Explanation, explain
from paretoprice.app.frontmeta import front_extras
from paretoprice.app.plots import anchor_comparable, default_price
from paretoprice.app.readout import Readout, decision_text, fmt_number, readout
from paretoprice.optim.front import ParetoFront
from paretoprice.optim.problem import PricingProblem

logger = logging.getLogger(__name__)

REPORT_FILES: tuple[str, ...] = ("report.html", "report.xlsx", "front.csv", "front.json")


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(float(v)) else None


def _label(name: str, unit: str) -> str:
    return f"{name} [{unit}]" if unit else name


def report_data(problem: PricingProblem, front: ParetoFront, exp: Explanation) -> dict[str, Any]:
    """Everything the page draws, JSON-ready (full precision; the page rounds)."""
    cols = []
    for j, (n, s, u) in enumerate(zip(front.objective_names, front.senses, front.units,
                                      strict=True)):
        cols.append({"name": n, "unit": u, "kind": "objective", "sense": s,
                     "values": [_finite(v) for v in front.objectives[:, j]]})
    for j, (n, u) in enumerate(zip(front.decision_names, front.decision_units, strict=True)):
        x = front.decisions[:, j]
        col: dict[str, Any] = {"name": n, "unit": u, "kind": "decision",
                               "values": [_finite(v) for v in x],
                               "varies": bool(len(x) and x.max() > x.min())}
        if u == "index":
            col["labels"] = [decision_text(problem, n, v) for v in x]
        cols.append(col)
    price = default_price(front, problem.spec.observed)
    price_unit = (front.decision_units[front.decision_names.index(price)]
                  if price is not None else "")
    anchors = [{"name": a.name, "value": a.value, "unit": a.unit}
               for a in problem.anchors() if price is not None
               and anchor_comparable(price_unit, a.unit)]
    observed = [{"name": o.name, "variable": o.variable, "low": o.low, "high": o.high}
                for o in problem.spec.observed if o.variable == price]
    picks = [{"method": p.method, "index": p.index, "why": p.why} for p in exp.picks]
    return {"problem": problem.name, "title": problem.spec.title or problem.name,
            "n_points": len(front), "columns": cols, "price": price,
            "price_unit": price_unit, "anchors": anchors, "observed": observed,
            "picks": picks}


def _table(headers: list[str], rows: list[list[str]], attrs: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>"
                   for r in rows)
    return f"<table {attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _readout_html(r: Readout) -> str:
    rows = [[ln.section, ln.name, fmt_number(ln.value, ln.unit),
             ln.unit if not isinstance(ln.value, str) else "", ln.note] for ln in r.lines]
    return _table(["section", "quantity", "value", "unit", "note"], rows, 'class="readout"')


_JS_FILE = Path(__file__).with_name("report.js")

_CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em;max-width:1400px;color:#222}
table{border-collapse:collapse;font-size:12px;margin:.5em 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
th{background:#f3f3f3}td:first-child,td:nth-child(2){text-align:left}
.readout td:last-child{text-align:left;color:#555}
#filtered-wrap{max-height:420px;overflow:auto}
pre{background:#f7f7f7;padding:.6em;font-size:11px;overflow:auto}
h2{border-bottom:1px solid #ddd;padding-bottom:.2em}
"""


def render_html(problem: PricingProblem, front: ParetoFront, exp: Explanation) -> str:
    """The whole page as one string (plotly.js inline)."""
    from plotly.offline import get_plotlyjs

    data = report_data(problem, front, exp)
    anchors = _table(["anchor", "value", "unit", "formula"],
                     [[a.name, fmt_number(a.value, a.unit.split(" per")[0] + " per use"),
                       a.unit, a.formula] for a in problem.anchors()])
    obs_rows = []
    units = {q.name: q.unit for q in problem.decisions}
    locs = {loc.name: loc for loc in exp.locations}
    for o in problem.spec.observed:
        loc = locs.get(o.name)
        where = ("breaks " + ", ".join(loc.violated) if loc and not loc.feasible else
                 "on the front" if loc and loc.on_front else "dominated" if loc else "")
        band = f"{o.low:g}" if o.low == o.high else f"{o.low:g}-{o.high:g}"
        obs_rows.append([o.name, o.variable, band, units.get(o.variable, ""), where, o.source])
    observed = _table(["observed price", "decision", "value", "unit", "where it sits",
                       "source"], obs_rows) if obs_rows else "<p>No observed price.</p>"
    pick_rows = []
    readouts = []
    for p in exp.picks:
        dec = ", ".join(f"{k} = {decision_text(problem, k, v)}" for k, v in p.decisions.items()
                        if k in front.decision_names and np.ptp(front.column(k)) > 0)
        pick_rows.append([p.method, str(p.index), dec, p.why])
        r = readout(problem, [p.decisions[n] for n in problem.decision_names])
        readouts.append(f"<details><summary>readout at the {html.escape(p.method)} pick "
                        f"({html.escape(dec)})</summary>{_readout_html(r)}</details>")
    picks = _table(["rule", "point", "decisions", "why it won"], pick_rows)
    prov = json.dumps(front.provenance.to_dict(), indent=2, default=str)
    title = html.escape(data["title"])
    explain_text = html.escape(exp.text)
    payload = json.dumps(data).replace("</", "<\\/")
    js = _JS_FILE.read_text(encoding="utf-8")
    kind = "exact on the ladder" if front.provenance.exact else "heuristic: an approximation"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}: Pareto-price report</title>
<style>{_CSS}</style>
<script>{get_plotlyjs()}</script></head>
<body>
<h1>{title}</h1>
<p>{len(front)} Pareto-optimal points from <b>{html.escape(front.provenance.solver)}</b>
({kind}).
Hover any point for its readout; drag on an axis of the parallel coordinates to brush a range;
the filtered table follows. Full precision is in front.csv; tables here are rounded.</p>
<h2>Scatter matrix of the objectives (picks as red stars)</h2><div id="matrix"></div>
<h2>Price against each objective (dashed: value anchors; orange: observed prices)</h2>
<div id="price"></div>
<h2>Parallel coordinates (brush an axis)</h2><div id="parcoords"></div>
<h2>Filtered points: <span id="match-count"></span></h2><p id="filtered-note"></p>
<div id="filtered-wrap"><table id="filtered"></table></div>
<h2>Picks</h2>{picks}
<h2>Readouts</h2>{''.join(readouts)}
<h2>Value anchors</h2>{anchors}
<h2>Observed prices</h2>{observed}
<h2>What the front shows</h2><pre>{explain_text}</pre>
<h2>Provenance</h2><pre>{html.escape(prov)}</pre>
<script type="application/json" id="report-data">{payload}</script>
<script>{js}</script>
</body></html>
"""


def _excel_format(unit: str) -> str:
    if unit.startswith("share"):
        return "0.00%"
    if unit[:3].isupper() and unit[:3].isalpha() and ("per year" in unit or len(unit) == 3):
        return "#,##0"
    if unit[:3].isupper() and unit[:3].isalpha():
        return "#,##0.00"
    return "General"


def write_xlsx(path: Path, problem: PricingProblem, front: ParetoFront,
               exp: Explanation) -> Path:
    """``report.xlsx``: sheets front, anchors, picks, readouts, provenance (numbers at full
    precision, displayed with each unit's number format)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    bold = wb.add_format({"bold": True})
    fmts: dict[str, Any] = {}

    def fmt(unit: str) -> Any:
        if unit not in fmts:
            fmts[unit] = wb.add_format({"num_format": _excel_format(unit)})
        return fmts[unit]

    ws = wb.add_worksheet("front")
    cols = [(n, u, front.objectives[:, j]) for j, (n, u) in
            enumerate(zip(front.objective_names, front.units, strict=True))]
    cols += [(n, u, front.decisions[:, j]) for j, (n, u) in
             enumerate(zip(front.decision_names, front.decision_units, strict=True))]
    cols += [(n, front.reported_units.get(n, ""), v) for n, v in front.reported.items()]
    for c, (n, u, v) in enumerate(cols):
        ws.write(0, c, _label(n, u), bold)
        ws.write_column(1, c, [float(x) for x in v], fmt(u))
        ws.set_column(c, c, max(12, min(40, len(_label(n, u)))))
    ws.freeze_panes(1, 0)

    ws = wb.add_worksheet("anchors")
    for c, h in enumerate(["anchor", "value", "unit", "formula"]):
        ws.write(0, c, h, bold)
    for r, a in enumerate(problem.anchors(), start=1):
        ws.write_row(r, 0, [a.name, a.value, a.unit, a.formula])
    ws.set_column(0, 0, 26)
    ws.set_column(3, 3, 70)

    ws = wb.add_worksheet("picks")
    heads = ["rule", "point", *[_label(n, u) for n, u in
                                zip(front.objective_names, front.units, strict=True)],
             *[_label(n, u) for n, u in zip(front.decision_names, front.decision_units,
                                           strict=True)], "why it won"]
    ws.write_row(0, 0, heads, bold)
    for r, p in enumerate(exp.picks, start=1):
        ws.write_row(r, 0, [p.method, p.index, *p.objectives.values(), *p.decisions.values(),
                            p.why])
    ws.set_column(0, len(heads), 16)

    ws = wb.add_worksheet("readouts")
    ws.write_row(0, 0, ["pick", "section", "quantity", "value", "unit", "note"], bold)
    r = 1
    for p in exp.picks:
        ro = readout(problem, [p.decisions[n] for n in problem.decision_names])
        for ln in ro.lines:
            v: Any = ln.value
            if isinstance(v, float) and not math.isfinite(v):
                v = "n/a"
            ws.write_row(r, 0, [p.method, ln.section, ln.name])
            if isinstance(v, str):
                ws.write_string(r, 3, v)
            else:
                ws.write_number(r, 3, float(v), fmt(ln.unit))
            ws.write_row(r, 4, [ln.unit, ln.note])
            r += 1
    ws.set_column(0, 2, 24)
    ws.set_column(3, 3, 18)
    ws.set_column(5, 5, 60)

    ws = wb.add_worksheet("provenance")
    ws.write_row(0, 0, ["key", "value"], bold)
    for r, (k, v) in enumerate(front.provenance.to_dict().items(), start=1):
        ws.write_row(r, 0, [k, v if isinstance(v, str | int | float) and v is not None
                            else json.dumps(v, default=str)])
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 100)
    wb.close()
    return path


def write_report(problem: PricingProblem, front: ParetoFront, out: Path) -> list[Path]:
    """Write :data:`REPORT_FILES` into ``out`` as one atomic set (see module docstring).

    An existing ``out`` is replaced only once the new set is complete.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    exp = explain(problem, front)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        front.to_csv(tmp, extra=front_extras(problem, exp))
        (tmp / "report.html").write_text(render_html(problem, front, exp), encoding="utf-8")
        write_xlsx(tmp / "report.xlsx", problem, front, exp)
        os.chmod(tmp, 0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.replace(out, old / out.name)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    logger.info("wrote report set in %s", out)
    return [out / f for f in REPORT_FILES]


__all__ = ["REPORT_FILES", "render_html", "report_data", "write_report", "write_xlsx"]
