// fmnist-viz interactive page: plots the figure, shows each point's image on hover, one legend per
// data set whose entries toggle their class (a double click isolates it).
//
// The JSON in #fmnist-viz-data holds {figure, datasets, config}. Traces are of two roles
// (trace.meta.role): "points" (one per panel: every drawn point, meta.dataset and meta.method) and
// "legend" (an empty trace per class). Every panel of a data set draws the same rows in the same
// order, so what they share travels once per data set: rows, labels (class per point), classes,
// colors, and the images as base64 PNG sprite sheets of `per_sheet` images in rows of `columns`,
// in drawing order, decoded on first use. Point i of any panel of a data set is row rows[i].
(function () {
  var DATA = JSON.parse(document.getElementById('fmnist-viz-data').textContent);
  var gd = document.getElementById('fmnist-viz-plot');
  var ARRAYS = {f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array, i2: Int16Array,
                u2: Uint16Array, i4: Int32Array, u4: Uint32Array};

  // An array as Plotly.py writes it: a plain list or {dtype, bdata} (base64, little-endian).
  function values(v) {
    if (!v || !v.bdata) { return v; }
    var bytes = atob(v.bdata), buffer = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) { buffer[i] = bytes.charCodeAt(i); }
    return new ARRAYS[v.dtype](buffer.buffer);
  }

  // ---- the data sets and panels
  var datasets = {};
  Object.keys(DATA.datasets).forEach(function (name) {
    var d = DATA.datasets[name];
    d.name = name;
    d.rows = values(d.rows);
    d.labels = values(d.labels);
    d.pointColors = Array.prototype.map.call(d.labels, function (c) { return d.colors[c]; });
    datasets[name] = d;
  });
  var panels = [];
  DATA.figure.data.forEach(function (trace, i) {
    if (!trace.meta || trace.meta.role !== 'points') { return; }
    var d = datasets[trace.meta.dataset];
    trace.marker.color = d.pointColors;
    trace.customdata = d.rows;
    panels.push({index: i, dataset: d, method: trace.meta.method, x: values(trace.x), y: values(trace.y)});
  });

  // ---- the hover image, with the point's class and row under it
  var SIZE = 140, loaded = {};
  var box = document.createElement('div');
  box.id = 'fmnist-viz-hover-image';
  var canvas = document.createElement('canvas');
  canvas.width = canvas.height = SIZE;
  var caption = document.createElement('div');
  caption.className = 'caption';
  box.appendChild(canvas);
  box.appendChild(caption);
  document.body.appendChild(box);

  function sheet(d, k) {
    var key = d.name + '/' + k;
    if (!loaded[key]) {
      var img = new Image();
      loaded[key] = img;
      img.src = 'data:image/png;base64,' + d.sheets[k];
    }
    return loaded[key];
  }

  // Draw the image of point `slot` of data set `d` into a canvas context, scaled to size x size.
  function drawImage(ctx, d, slot, size, done) {
    var k = Math.floor(slot / d.per_sheet), i = slot % d.per_sheet;
    var x = (i % d.columns) * d.w, y = Math.floor(i / d.columns) * d.h;
    var img = sheet(d, k);
    var paint = function () {
      ctx.imageSmoothingEnabled = false;
      ctx.clearRect(0, 0, size, size);
      ctx.drawImage(img, x, y, d.w, d.h, 0, 0, size, size);
      if (done) { done(); }
    };
    if (img.complete && img.naturalWidth) { paint(); } else { img.addEventListener('load', paint); }
  }

  function panelOf(curve) {
    for (var i = 0; i < panels.length; i++) { if (panels[i].index === curve) { return panels[i]; } }
    return null;
  }

  function onHover(ev) {
    var p = ev.points[0], panel = panelOf(p.curveNumber);
    if (!panel) { return; }
    var d = panel.dataset, slot = p.pointNumber, row = d.rows[slot];
    caption.textContent = d.classes[d.labels[slot]] + ' \u00b7 ' + d.title + ' row ' + row;
    drawImage(canvas.getContext('2d'), d, slot, SIZE, function () { box.dataset.row = d.name + ':' + row; });
    var e = ev.event || {};
    var left = (e.clientX || 0) + 16, top = (e.clientY || 0) + 16;
    box.style.display = 'block';
    // keep the box inside the window
    if (left + box.offsetWidth > window.innerWidth) { left = (e.clientX || 0) - 16 - box.offsetWidth; }
    if (top + box.offsetHeight > window.innerHeight) { top = (e.clientY || 0) - 16 - box.offsetHeight; }
    box.style.left = left + 'px';
    box.style.top = top + 'px';
  }

  // ---- legends: a click toggles a class of that data set, a double click isolates it
  var hidden = {};  // data set -> {class index: true}
  var pending = null;

  function classesOf(name) {
    var found = [];
    gd.data.forEach(function (t) {
      if (t.meta && t.meta.role === 'legend' && t.meta.dataset === name) { found.push(t.meta['class']); }
    });
    return found;
  }

  function applyHidden(name) {
    var off = hidden[name] || {}, xs = [], ys = [], which = [];
    panels.forEach(function (panel) {
      if (panel.dataset.name !== name) { return; }
      var x = new Float32Array(panel.x), y = new Float32Array(panel.y), labels = panel.dataset.labels;
      for (var i = 0; i < x.length; i++) { if (off[labels[i]]) { x[i] = NaN; y[i] = NaN; } }
      xs.push(x); ys.push(y); which.push(panel.index);
    });
    var legendVisible = [], legendWhich = [];
    gd.data.forEach(function (t, i) {
      if (t.meta && t.meta.role === 'legend' && t.meta.dataset === name) {
        legendWhich.push(i);
        legendVisible.push(off[t.meta['class']] ? 'legendonly' : true);
      }
    });
    Plotly.restyle(gd, {x: xs, y: ys}, which);
    Plotly.restyle(gd, {visible: legendVisible}, legendWhich);
  }

  function legendTrace(ev) {
    var t = gd.data[ev.curveNumber];
    return t && t.meta && t.meta.role === 'legend' ? t.meta : null;
  }

  function onLegendClick(ev) {
    var meta = legendTrace(ev);
    if (!meta) { return true; }
    clearTimeout(pending);  // a double click reports two clicks first: only the last may act
    pending = setTimeout(function () {
      var off = hidden[meta.dataset] = hidden[meta.dataset] || {};
      off[meta['class']] = !off[meta['class']];
      applyHidden(meta.dataset);
    }, (gd._context && gd._context.doubleClickDelay) || 300);
    return false;
  }

  function onLegendDoubleClick(ev) {
    var meta = legendTrace(ev);
    if (!meta) { return true; }
    clearTimeout(pending);
    var all = classesOf(meta.dataset), off = hidden[meta.dataset] || {};
    var alone = all.every(function (c) { return c === meta['class'] ? !off[c] : off[c]; });
    var now = {};
    all.forEach(function (c) { if (!alone && c !== meta['class']) { now[c] = true; } });
    hidden[meta.dataset] = now;
    applyHidden(meta.dataset);
    return false;
  }

  // ---- selection: a box or lasso in any panel selects those points in every panel of its data set
  var MAX_THUMBS = 300;
  var chosen = null;  // {dataset, slots: Int32Array sorted by row}
  var slotOfRow = {};  // data set -> Map(row -> slot), built on first use

  function slotsOf(d, rows) {
    if (!slotOfRow[d.name]) {
      var map = new Map();
      for (var i = 0; i < d.rows.length; i++) { map.set(d.rows[i], i); }
      slotOfRow[d.name] = map;
    }
    var found = [], missing = [];
    rows.forEach(function (r) {
      var slot = slotOfRow[d.name].get(Number(r));
      if (slot === undefined) { missing.push(r); } else { found.push(slot); }
    });
    return {slots: found, missing: missing};
  }

  function dataset(name) {
    var d = datasets[name];
    if (!d) { throw new Error('fmnistViz: unknown data set ' + JSON.stringify(name) + '; the page has ' + Object.keys(datasets).join(', ')); }
    return d;
  }

  function showSelection(name, slots) {
    var d = datasets[name];
    var unique = Array.from(new Set(slots)).sort(function (a, b) { return d.rows[a] - d.rows[b]; });
    chosen = {dataset: name, slots: unique};
    var which = [], points = [];
    panels.forEach(function (panel) {
      which.push(panel.index);
      points.push(panel.dataset.name === name ? unique : null);
    });
    Plotly.restyle(gd, {selectedpoints: points}, which);
    renderPane();
  }

  function clearSelection() {
    chosen = null;
    Plotly.restyle(gd, {selectedpoints: panels.map(function () { return null; })},
                   panels.map(function (p) { return p.index; }));
    renderPane();
  }

  function onSelected(ev) {
    if (!ev || !ev.points || !ev.points.length) { return; }
    var name = null, slots = [];
    ev.points.forEach(function (p) {
      var panel = panelOf(p.curveNumber);
      if (!panel) { return; }
      if (name === null) { name = panel.dataset.name; }
      if (panel.dataset.name === name) { slots.push(p.pointNumber); }
    });
    if (name !== null) { showSelection(name, slots); }
  }

  // ---- the selection pane: how many, per class, their images, downloads
  var pane = document.createElement('div');
  pane.id = 'fmnist-viz-pane';
  pane.innerHTML = "<div class='head'><span class='count'></span><span class='buttons'>" +
    "<button data-do='csv'>CSV</button><button data-do='json'>JSON</button><button data-do='clear'>Clear</button>" +
    "</span></div><div class='classes'></div><div id='fmnist-viz-selection'></div>";
  document.body.appendChild(pane);
  pane.addEventListener('click', function (e) {
    var action = e.target && e.target.dataset && e.target.dataset['do'];
    if (action === 'clear') { api.clear(); } else if (action) { api.download(action); }
  });

  function sampleOf(slots, n) {  // up to n slots, the same ones every time for the same selection
    if (slots.length <= n) { return slots; }
    var step = slots.length / n, out = [];
    for (var i = 0; i < n; i++) { out.push(slots[Math.floor(i * step)]); }
    return out;
  }

  function renderPane() {
    var grid = document.getElementById('fmnist-viz-selection');
    grid.textContent = '';
    if (!chosen) { pane.style.display = 'none'; return; }
    var d = datasets[chosen.dataset], slots = chosen.slots, counts = {};
    slots.forEach(function (s) { counts[d.labels[s]] = (counts[d.labels[s]] || 0) + 1; });
    var shown = sampleOf(slots, MAX_THUMBS);
    pane.querySelector('.count').textContent = slots.length.toLocaleString('en') + ' of ' + d.title +
      (shown.length < slots.length ? ' (' + shown.length + ' shown)' : '');
    var classes = pane.querySelector('.classes');
    classes.textContent = '';
    Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a]; }).forEach(function (c) {
      var chip = document.createElement('span');
      chip.className = 'chip';
      chip.style.borderColor = d.colors[c];
      chip.textContent = d.classes[c] + ' ' + counts[c];
      classes.appendChild(chip);
    });
    shown.forEach(function (slot) {
      var thumb = document.createElement('canvas');
      thumb.width = thumb.height = 56;
      thumb.title = d.classes[d.labels[slot]] + ' \u00b7 row ' + d.rows[slot];
      thumb.dataset.row = d.rows[slot];
      thumb.style.borderColor = d.colors[d.labels[slot]];
      grid.appendChild(thumb);
      drawImage(thumb.getContext('2d'), d, slot, 56);
    });
    pane.style.display = 'block';
  }

  function selectionTable() {
    var d = datasets[chosen.dataset];
    return chosen.slots.map(function (s) { return {row: d.rows[s], 'class': d.classes[d.labels[s]]}; });
  }

  function save(text, name, type) {
    var a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], {type: type}));
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  // ---- the scriptable page: window.fmnistViz, which the page's own controls use too
  var api = {
    /** Every panel: [{dataset, method}]. */
    panels: function () {
      return panels.map(function (p) { return {dataset: p.dataset.name, method: p.method}; });
    },
    /** Select these rows of a data set in every panel of it; rows not drawn are reported. */
    select: function (name, rows) {
      var d = dataset(name);
      if (!Array.isArray(rows)) { throw new Error('fmnistViz.select: rows must be an array of row numbers'); }
      var found = slotsOf(d, rows);
      if (found.missing.length) {
        console.warn('fmnistViz.select: ' + found.missing.length + ' row(s) of ' + name + ' are not drawn: ' +
                     found.missing.slice(0, 10).join(', '));
      }
      showSelection(name, found.slots);
      return api.selection();
    },
    /** The selection: {dataset, rows} with rows sorted, or null. */
    selection: function () {
      if (!chosen) { return null; }
      var d = datasets[chosen.dataset];
      return {dataset: chosen.dataset, rows: chosen.slots.map(function (s) { return d.rows[s]; })};
    },
    clear: clearSelection,
    /** The selection as the text of a CSV or JSON file (what the pane's buttons download). */
    selectionText: function (format) {
      if (!chosen) { return null; }
      var table = selectionTable();
      if (format === 'csv') {
        return 'dataset,row,class\n' + table.map(function (t) {
          return [chosen.dataset, t.row, '"' + String(t['class']).replace(/"/g, '""') + '"'].join(',');
        }).join('\n') + '\n';
      }
      if (format === 'json') {
        return JSON.stringify({dataset: chosen.dataset, rows: table.map(function (t) { return t.row; }),
                               classes: table.map(function (t) { return t['class']; })}, null, 1);
      }
      throw new Error('fmnistViz: format must be csv or json, got ' + JSON.stringify(format));
    },
    download: function (format) {
      var text = api.selectionText(format);
      if (text !== null) {
        save(text, 'selection.' + format, format === 'csv' ? 'text/csv' : 'application/json');
      }
    },
    /** Where a row is drawn now in one panel: [x, y]. */
    position: function (name, method, row) {
      var d = dataset(name), found = slotsOf(d, [row]);
      if (!found.slots.length) { throw new Error('fmnistViz: row ' + row + ' of ' + name + ' is not drawn'); }
      var panel = panels.filter(function (p) { return p.dataset.name === name && p.method === method; })[0];
      if (!panel) { throw new Error('fmnistViz: no panel of ' + name + ' by ' + JSON.stringify(method)); }
      var full = gd._fullData[panel.index];
      return [full.x[found.slots[0]], full.y[found.slots[0]]];
    }
  };
  window.fmnistViz = api;

  gd.style.height = '100vh';
  Plotly.newPlot(gd, DATA.figure.data, DATA.figure.layout, DATA.config).then(function () {
    gd.on('plotly_hover', onHover);
    gd.on('plotly_unhover', function () { box.style.display = 'none'; });
    gd.on('plotly_legendclick', onLegendClick);
    gd.on('plotly_legenddoubleclick', onLegendDoubleClick);
    gd.on('plotly_selected', onSelected);
    gd.on('plotly_deselect', clearSelection);
    gd.dataset.ready = '1';
  });
})();
