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

  gd.style.height = '100vh';
  Plotly.newPlot(gd, DATA.figure.data, DATA.figure.layout, DATA.config).then(function () {
    gd.on('plotly_hover', onHover);
    gd.on('plotly_unhover', function () { box.style.display = 'none'; });
    gd.on('plotly_legendclick', onLegendClick);
    gd.on('plotly_legenddoubleclick', onLegendDoubleClick);
    gd.dataset.ready = '1';
  });
})();
