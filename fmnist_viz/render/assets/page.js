// fmnist-viz interactive page: each point's image on hover, one legend per data set whose
// entries toggle their class (a double click isolates it).
// Plotly runs this after drawing the figure, with {plot_id} replaced by the plot's element id.
// Traces are of two roles (trace.meta.role): "points" (one per panel, every drawn point, its class
// index in meta.labels, its row in customdata) and "legend" (an empty trace per class).
// The images come from the JSON in #fmnist-viz-sprites: per data set, base64 PNG sprite sheets of
// the drawn points in drawing order, `per_sheet` images in rows of `columns`, decoded on first use.
(function () {
  var gd = document.getElementById('{plot_id}');
  var sheets = JSON.parse(document.getElementById('fmnist-viz-sprites').textContent);
  var ARRAYS = {f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array, i2: Int16Array,
                u2: Uint16Array, i4: Int32Array, u4: Uint32Array};

  // An array as Plotly.py wrote it: a plain list or {dtype, bdata} (base64, little-endian).
  function values(v) {
    if (!v || !v.bdata) { return v; }
    var bytes = atob(v.bdata), buffer = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) { buffer[i] = bytes.charCodeAt(i); }
    return new ARRAYS[v.dtype](buffer.buffer);
  }

  // ---- the panels: the original coordinates and classes of each "points" trace
  var panels = [];
  gd.data.forEach(function (trace, i) {
    if (trace.meta && trace.meta.role === 'points') {
      panels.push({index: i, dataset: trace.meta.dataset, x: values(trace.x), y: values(trace.y),
                   labels: values(trace.meta.labels), meta: trace.meta});
    }
  });

  // ---- the hover image, with the point's class and row under it
  var SIZE = 112, loaded = {};
  var box = document.createElement('div');
  box.id = 'fmnist-viz-hover-image';
  var canvas = document.createElement('canvas');
  canvas.width = canvas.height = SIZE;
  var caption = document.createElement('div');
  caption.className = 'caption';
  box.appendChild(canvas);
  box.appendChild(caption);
  document.body.appendChild(box);
  var ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = false;

  function sheet(dataset, k) {
    var key = dataset + '/' + k;
    if (!loaded[key]) {
      var img = new Image();
      loaded[key] = img;
      img.src = 'data:image/png;base64,' + sheets[dataset].sheets[k];
    }
    return loaded[key];
  }

  function draw(dataset, slot, row) {
    var meta = sheets[dataset];
    var k = Math.floor(slot / meta.per_sheet), i = slot % meta.per_sheet;
    var x = (i % meta.columns) * meta.w, y = Math.floor(i / meta.columns) * meta.h;
    var img = sheet(dataset, k);
    var paint = function () {
      ctx.clearRect(0, 0, SIZE, SIZE);
      ctx.drawImage(img, x, y, meta.w, meta.h, 0, 0, SIZE, SIZE);
      box.dataset.row = dataset + ':' + row;
    };
    if (img.complete && img.naturalWidth) { paint(); } else { img.onload = paint; }
  }

  function panelOf(curve) {
    for (var i = 0; i < panels.length; i++) { if (panels[i].index === curve) { return panels[i]; } }
    return null;
  }

  gd.on('plotly_hover', function (ev) {
    var p = ev.points[0], panel = panelOf(p.curveNumber);
    if (!panel) { return; }
    var row = p.customdata, label = panel.labels[p.pointNumber];
    caption.textContent = panel.meta.classes[label] + ' \u00b7 ' + panel.meta.title + ' row ' + row;
    draw(panel.dataset, p.pointNumber, row);
    var e = ev.event || {};
    var left = (e.clientX || 0) + 16, top = (e.clientY || 0) + 16;
    box.style.display = 'block';
    // keep the box inside the window
    if (left + box.offsetWidth > window.innerWidth) { left = (e.clientX || 0) - 16 - box.offsetWidth; }
    if (top + box.offsetHeight > window.innerHeight) { top = (e.clientY || 0) - 16 - box.offsetHeight; }
    box.style.left = left + 'px';
    box.style.top = top + 'px';
  });
  gd.on('plotly_unhover', function () { box.style.display = 'none'; });

  // ---- legends: a click toggles a class of that data set, a double click isolates it
  var hidden = {};  // data set -> {class index: true}
  var pending = null;

  function classesOf(dataset) {
    var found = [];
    gd.data.forEach(function (t) {
      if (t.meta && t.meta.role === 'legend' && t.meta.dataset === dataset) { found.push(t.meta['class']); }
    });
    return found;
  }

  function apply(dataset) {
    var off = hidden[dataset] || {}, xs = [], ys = [], which = [];
    panels.forEach(function (panel) {
      if (panel.dataset !== dataset) { return; }
      var x = new Float32Array(panel.x), y = new Float32Array(panel.y);
      for (var i = 0; i < x.length; i++) { if (off[panel.labels[i]]) { x[i] = NaN; y[i] = NaN; } }
      xs.push(x); ys.push(y); which.push(panel.index);
    });
    var legendVisible = [], legendWhich = [];
    gd.data.forEach(function (t, i) {
      if (t.meta && t.meta.role === 'legend' && t.meta.dataset === dataset) {
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

  gd.on('plotly_legendclick', function (ev) {
    var meta = legendTrace(ev);
    if (!meta) { return true; }
    clearTimeout(pending);  // a double click reports two clicks first: only the last may act
    pending = setTimeout(function () {
      var off = hidden[meta.dataset] = hidden[meta.dataset] || {};
      off[meta['class']] = !off[meta['class']];
      apply(meta.dataset);
    }, (gd._context && gd._context.doubleClickDelay) || 300);
    return false;
  });

  gd.on('plotly_legenddoubleclick', function (ev) {
    var meta = legendTrace(ev);
    if (!meta) { return true; }
    clearTimeout(pending);
    var all = classesOf(meta.dataset), off = hidden[meta.dataset] || {};
    var alone = all.every(function (c) { return c === meta['class'] ? !off[c] : off[c]; });
    var now = {};
    all.forEach(function (c) { if (!alone && c !== meta['class']) { now[c] = true; } });
    hidden[meta.dataset] = now;
    apply(meta.dataset);
    return false;
  });
})();
