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


_JS = r"""
(function () {
  const D = JSON.parse(document.getElementById('report-data').textContent);
  const N = D.n_points;
  const cols = D.columns;
  const objs = cols.filter(c => c.kind === 'objective');
  const decs = cols.filter(c => c.kind === 'decision' && c.varies);
  const byName = {}; cols.forEach(c => { byName[c.name] = c; });
  function fmt(v, unit) {
    if (v === null || v === undefined) return 'n/a';
    const cur = /^[A-Z]{3}( |$)/.test(unit);
    if (unit.startsWith('share')) return (100 * v).toFixed(2) + '%';
    if (cur && (unit.includes('per year') || unit.length === 3))
      return Math.round(v).toLocaleString('en-US');
    if (cur) return v.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2});
    if (unit === 'index' || unit === 'years') return String(Math.round(v));
    return Number(v.toPrecision(4)).toLocaleString('en-US');
  }
  function cell(c, i) { return c.labels ? c.labels[i] : fmt(c.values[i], c.unit); }
  const hover = [];
  for (let i = 0; i < N; i++) {
    hover.push(['point ' + i].concat(objs.concat(decs).map(
      c => c.name + ': ' + cell(c, i) + ' ' + (c.labels ? '' : c.unit))).join('<br>'));
  }
  const pickIdx = D.picks.map(p => p.index);
  const pickText = D.picks.map(p => p.method);
  const color = objs[0].values;
  const colorbar = {title: {text: objs[0].name + '<br>[' + objs[0].unit + ']'}};

  // scatter matrix: one SVG panel per pair of objectives
  const pairs = [];
  for (let a = 0; a < objs.length; a++) for (let b = a + 1; b < objs.length; b++) pairs.push([a, b]);
  const ncol = Math.min(3, Math.max(1, pairs.length));
  const nrow = Math.ceil(pairs.length / ncol);
  const mtraces = []; const mlayout = {height: 330 * nrow, showlegend: true,
    margin: {t: 40, l: 70, r: 20, b: 60}, grid: {rows: nrow, columns: ncol, pattern: 'independent'},
    legend: {orientation: 'h', y: 1.06}};
  pairs.forEach(([a, b], k) => {
    const ax = k === 0 ? '' : String(k + 1);
    const A = objs[a], B = objs[b];
    mtraces.push({type: 'scatter', mode: 'markers', x: A.values, y: B.values, xaxis: 'x' + ax,
      yaxis: 'y' + ax, text: hover, hoverinfo: 'text', name: 'front points', legendgroup: 'front',
      showlegend: k === 0, marker: {size: 5, color: color, colorscale: 'Viridis',
      showscale: k === 0, colorbar: colorbar}, meta: 'front'});
    mtraces.push({type: 'scatter', mode: 'markers+text', x: pickIdx.map(i => A.values[i]),
      y: pickIdx.map(i => B.values[i]), text: pickText, textposition: 'top center',
      xaxis: 'x' + ax, yaxis: 'y' + ax, name: 'picks', legendgroup: 'picks', showlegend: k === 0,
      hovertext: pickIdx.map(i => hover[i]), hoverinfo: 'text',
      marker: {size: 12, symbol: 'star', color: 'red', line: {width: 1, color: 'black'}}, meta: 'picks'});
    mlayout['xaxis' + ax] = {title: {text: A.name + ' [' + A.unit + ']'}};
    mlayout['yaxis' + ax] = {title: {text: B.name + ' [' + B.unit + ']'}};
  });
  Plotly.newPlot('matrix', mtraces, mlayout, {responsive: true, displaylogo: false});

  // price against each objective, anchors and observed prices drawn
  if (D.price) {
    const P = byName[D.price];
    const ptraces = []; const shapes = []; const annotations = [];
    const pl = {height: 330, showlegend: false, margin: {t: 50, l: 70, r: 20, b: 60},
      grid: {rows: 1, columns: objs.length, pattern: 'independent'}};
    objs.forEach((O, k) => {
      const ax = k === 0 ? '' : String(k + 1);
      ptraces.push({type: 'scatter', mode: 'markers', x: P.values, y: O.values, text: hover,
        hoverinfo: 'text', xaxis: 'x' + ax, yaxis: 'y' + ax, marker: {size: 4, color: color,
        colorscale: 'Viridis'}, meta: 'price'});
      ptraces.push({type: 'scatter', mode: 'markers', x: pickIdx.map(i => P.values[i]),
        y: pickIdx.map(i => O.values[i]), hovertext: pickText, hoverinfo: 'text',
        xaxis: 'x' + ax, yaxis: 'y' + ax, marker: {size: 11, symbol: 'star', color: 'red'}});
      pl['xaxis' + ax] = {title: {text: P.name + ' [' + P.unit + ']'}};
      pl['yaxis' + ax] = {title: {text: O.name + ' [' + O.unit + ']'}};
      D.anchors.forEach(a => { shapes.push({type: 'line', xref: 'x' + ax, yref: 'y' + ax + ' domain',
        x0: a.value, x1: a.value, y0: 0, y1: 1, line: {dash: 'dash', width: 1, color: '#555'}});
        if (k === 0) annotations.push({xref: 'x', yref: 'y domain', x: a.value, y: 1.02 + 0.06 * annotations.length,
          text: a.name, showarrow: false, font: {size: 9}}); });
      D.observed.forEach(o => { shapes.push({type: 'rect', xref: 'x' + ax, yref: 'y' + ax + ' domain',
        x0: o.low - (o.low === o.high ? 0.3 : 0), x1: o.high + (o.low === o.high ? 0.3 : 0), y0: 0, y1: 1,
        fillcolor: 'orange', opacity: 0.18, line: {width: 0}}); });
    });
    pl.shapes = shapes; pl.annotations = annotations;
    Plotly.newPlot('price', ptraces, pl, {responsive: true, displaylogo: false});
  } else {
    document.getElementById('price').textContent = 'No price decision to draw anchors against.';
  }

  // parallel coordinates with brushing
  const dims = objs.concat(decs).map(c => {
    const d = {label: c.name + ' [' + c.unit + ']', values: c.values};
    if (c.labels) {
      const uniq = Array.from(new Set(c.values)).sort((x, y) => x - y);
      d.tickvals = uniq; d.ticktext = uniq.map(v => c.labels[c.values.indexOf(v)]);
      d.label = c.name;
    }
    return d;
  });
  const pc = document.getElementById('parcoords');
  Plotly.newPlot(pc, [{type: 'parcoords', dimensions: dims, line: {color: color,
    colorscale: 'Viridis', showscale: true, colorbar: colorbar}}],
    {height: 460, margin: {t: 70, l: 70, r: 90, b: 30}}, {responsive: true, displaylogo: false});

  const shown = objs.concat(decs);
  function inRange(v, cr) {
    if (!cr) return true;
    const ranges = Array.isArray(cr[0]) ? cr : [cr];
    return ranges.some(r => v >= r[0] && v <= r[1]);
  }
  function filtered() {
    const ds = pc.data[0].dimensions;
    const keep = [];
    for (let i = 0; i < N; i++) {
      let ok = true;
      for (let j = 0; j < ds.length && ok; j++) ok = inRange(ds[j].values[i], ds[j].constraintrange);
      if (ok) keep.push(i);
    }
    return keep;
  }
  function renderTable() {
    const keep = filtered();
    document.getElementById('match-count').textContent = keep.length + ' of ' + N + ' points';
    const head = '<tr><th>point</th>' + shown.map(c => '<th>' + c.name + ' [' + c.unit + ']</th>').join('') + '</tr>';
    const body = keep.slice(0, 500).map(i => '<tr data-row="' + i + '"><td>' + i + '</td>' +
      shown.map(c => '<td>' + cell(c, i) + '</td>').join('') + '</tr>').join('');
    document.getElementById('filtered').innerHTML = '<thead>' + head + '</thead><tbody>' + body + '</tbody>';
    document.getElementById('filtered-note').textContent = keep.length > 500 ?
      'first 500 rows shown; narrow the brush to see the rest' : '';
    const sel = keep.length === N ? null : keep;
    const upd = mtraces.map(t => t.meta === 'front' ? sel : null);
    Plotly.restyle('matrix', {selectedpoints: upd.map(s => s)}, mtraces.map((t, k) => k));
    return keep.length;
  }
  pc.on('plotly_restyle', renderTable);
  renderTable();
  window.paretoReport = {filtered: filtered, renderTable: renderTable, nPoints: N,
    brush: function (name, lo, hi) {
      const j = shown.findIndex(c => c.name === name);
      const upd = {}; upd['dimensions[' + j + '].constraintrange'] = [[lo, hi]];
      return Plotly.restyle(pc, upd).then(renderTable);
    }};
  document.body.setAttribute('data-ready', '1');
})();
"""

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
<script>{_JS}</script>
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
