// The report page's behaviour: plots from the embedded data, brushing, filtered table.
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
