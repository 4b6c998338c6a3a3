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

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; });
  }

  function rgb(hex) { return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)]; }

  // ---- the data sets and panels
  var datasets = Object.create(null);  // no prototype: a data set called "constructor" is just unknown
  Object.keys(DATA.datasets).forEach(function (name) {
    var d = DATA.datasets[name];
    d.name = name;
    d.rows = values(d.rows);
    d.labels = values(d.labels);
    d.pointColors = Array.prototype.map.call(d.labels, function (c) { return d.colors[c]; });
    // the same colours as channels in [0, 1], which Plotly takes without parsing a string per point
    var channels = d.colors.map(function (hex) { return rgb(hex).map(function (v) { return v / 255; }); });
    d.pointChannels = Array.prototype.map.call(d.labels, function (c) { return channels[c]; });
    datasets[name] = d;
  });
  var panels = [];
  DATA.figure.data.forEach(function (trace, i) {
    if (!trace.meta || trace.meta.role !== 'points') { return; }
    var d = datasets[trace.meta.dataset];
    // plotting in one colour and sending the class colours to the GPU afterwards (paint) was slower here:
    // every extra draw costs more in software GL than Plotly's reading of the colours
    trace.marker.color = d.pointChannels;
    trace.customdata = d.rows;
    var heading = trace.meta.heading, annotation = (DATA.figure.layout.annotations || [])[heading];
    panels.push({index: i, marker: i + 1, dataset: d, method: trace.meta.method, x: values(trace.x), y: values(trace.y),
                 disagreement: values(trace.meta.disagreement), preservation: values(trace.meta.preservation),
                 heading: heading, titleText: annotation ? annotation.text : '', label: trace.meta.label || trace.meta.method});
  });
  panels.forEach(function (p) { p.shows = p; });  // the panel whose layout it draws: itself until a morph

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
  var hidden = Object.create(null);  // data set -> {class index: true}
  var pending = null;

  function classesOf(name) {
    var found = [];
    gd.data.forEach(function (t) {
      if (t.meta && t.meta.role === 'legend' && t.meta.dataset === name) { found.push(t.meta['class']); }
    });
    return found;
  }

  function applyHidden(name) {
    var off = hidden[name] || {}, mine = panels.filter(function (p) { return p.dataset.name === name; });
    mine.forEach(place);  // at once on screen
    var legendVisible = [], legendWhich = [];
    gd.data.forEach(function (t, i) {
      if (t.meta && t.meta.role === 'legend' && t.meta.dataset === name) {
        legendWhich.push(i);
        legendVisible.push(off[t.meta['class']] ? 'legendonly' : true);
      }
    });
    Plotly.restyle(gd, {visible: legendVisible}, legendWhich);
    setTimeout(function () { mine.forEach(redraw); }, 0);  // then Plotly's own data, for hover and selection
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
  var chosen = null;  // {dataset, slots: sorted by row, drawOrder: sorted by slot}
  var slotOfRow = Object.create(null);  // data set -> Map(row -> slot), built on first use

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
    var d = typeof name === 'string' ? datasets[name] : undefined;
    if (!d) { throw new Error('fmnistViz: unknown data set ' + JSON.stringify(name) + '; the page has ' + Object.keys(datasets).join(', ')); }
    return d;
  }

  function showSelection(name, slots) {
    var d = datasets[name];
    var unique = Array.from(new Set(slots)).sort(function (a, b) { return d.rows[a] - d.rows[b]; });
    var before = chosen ? [chosen.dataset] : [];
    // drawOrder: the same points in the order the panels draw them (the seeded shuffle), for the GPU
    chosen = {dataset: name, slots: unique, drawOrder: unique.slice().sort(function (a, b) { return a - b; })};
    lit.replaced();
    redrawDatasets(before.concat([name]));
    renderPane();
  }

  function clearSelection() {
    var before = chosen ? [chosen.dataset] : [];
    chosen = null;
    lit.replaced();
    redrawDatasets(before);
    renderPane();
  }

  function dropOutlines() {  // Plotly's box/lasso outlines, when the page's selection is made another way
    if ((gd.layout.selections || []).length) { Plotly.relayout(gd, {selections: []}); }
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
  var pane = document.getElementById('fmnist-viz-pane'), side = document.getElementById('fmnist-viz-side');
  pane.innerHTML = "<div class='head'><span class='count'></span><span class='buttons'>" +
    "<button data-do='csv'>CSV</button><button data-do='json'>JSON</button><button data-do='clear'>Clear</button>" +
    "</span></div><div class='classes'></div><div id='fmnist-viz-selection'></div>";
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
    sideState();
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
      chip.textContent = d.classes[c] + ': ';
      chip.appendChild(document.createElement('b')).textContent = counts[c].toLocaleString('en');
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

  // ---- the side pane, docked beside the panels: its title counts the selection, which stays when it is collapsed
  var sideTitle = side.querySelector('.side-title'), sideHint = side.querySelector('.side-hint');
  function sideState() {
    var found = document.getElementById('fmnist-viz-found').style.display === 'block';
    sideTitle.textContent = chosen ? 'Selection: ' + chosen.slots.length.toLocaleString('en') : 'Selection';
    sideHint.style.display = chosen || found ? 'none' : 'block';
  }
  function showPane(open) {  // the panels take the room the pane leaves, and give it back
    if (side.classList.contains('collapsed') === !open) { return open; }
    side.classList.toggle('collapsed', !open);
    document.getElementById('fmnist-viz-collapse').innerHTML = open ? '&raquo;' : '&laquo;';
    Plotly.Plots.resize(gd);
    return open;
  }
  document.getElementById('fmnist-viz-collapse').addEventListener('click', function () {
    showPane(side.classList.contains('collapsed'));
  });

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

  // ---- drawing colours and positions fast: straight into Plotly's WebGL scene when it is there
  // (a restyle recomputes a 70,000-point panel in over a second; the scene takes tens of ms), with
  // the same values written into gd.data so that any later restyle draws the same picture.
  var OPACITY = 0.7;  // the points' marker opacity (render/page.py), which Plotly bakes into each colour

  function sceneOf(panel) {
    var full = gd._fullData[panel.index], cd = gd.calcdata && gd.calcdata[panel.index];
    var plot = full && gd._fullLayout._plots[full.xaxis + full.yaxis];
    var scene = plot && plot._scene;
    var k = cd && cd[0] && cd[0].t && cd[0].t.index;
    if (!(scene && scene.markerOptions && scene.markerOptions[k])) { return null; }
    if (panel.dataset) { lit.install(scene, panel, k); }
    return {scene: scene, k: k};
  }

  function baseColors(panel) {  // hex colour per point for the current colour mode (a morphed panel: its new layout's)
    if (colorMode === 'class') { return panel.dataset.pointColors; }
    var scale = DATA.scales[colorMode], step = steps(colorMode);
    return Array.prototype.map.call(panel.shows[colorMode], function (v) { return scale[step(v)]; });
  }

  function paint() {  // every panel's colours for the colour mode (a selection is drawn on top: see `lit`)
    panels.forEach(function (panel) {
      var d = panel.dataset;
      var hex = baseColors(panel);
      gd.data[panel.index].marker.color = hex;
      var where = sceneOf(panel);
      if (where) {
        var rgba = colorMode === 'class' ? d.classRgba || (d.classRgba = glColors(hex)) : glColors(hex);
        where.scene.markerOptions[where.k].colors = rgba;
        where.scene.markerOptions[where.k].borderColors = rgba;  // Plotly outlines each point in its colour
        upload(where, ['colors', 'borderColors']);
      } else {
        Plotly.restyle(gd, {'marker.color': [hex]}, [panel.index]);
      }
    });
  }

  function glColors(hex) {  // '#rrggbb' per point as Plotly gives colours to its WebGL scene: [r, g, b, a] in [0, 1]
    var cache = {};
    return Array.prototype.map.call(hex, function (h) {
      return cache[h] || (cache[h] = rgb(h).map(function (v) { return v / 255; }).concat([OPACITY]));
    });
  }

  function redrawDatasets(names) {  // draw the panels of these data sets again (a selection came or went)
    panels.forEach(function (panel) {
      var where = names.indexOf(panel.dataset.name) >= 0 && sceneOf(panel);
      if (where) { redrawSoon(where.scene); }
    });
  }

  function place(panel) {  // draw a panel's current x, y quickly (hover follows at the next sync); Find's ring follows
    var where = sceneOf(panel);
    if (!where) { return false; }
    var off = hidden[panel.dataset.name] || {}, labels = panel.dataset.labels;
    var pos = where.scene.markerOptions[where.k].positions;
    for (var i = 0; i < panel.x.length; i++) {
      var gone = off[labels[i]];
      pos[2 * i] = gone ? NaN : panel.x[i];
      pos[2 * i + 1] = gone ? NaN : panel.y[i];
    }
    upload(where, ['positions']);
    if (marked && marked.dataset === panel.dataset) { mark([panel]); }
    return true;
  }

  // Send the named options of one trace to the GPU again (undefined leaves the other traces be). Only those:
  // positions rebuild the trace's level-of-detail tree, which a change of colours does not need.
  function upload(where, names) {
    var batch = where.scene.markerOptions.map(function () { return undefined; }), options = {};
    names.forEach(function (name) { options[name] = where.scene.markerOptions[where.k][name]; });
    batch[where.k] = options;
    where.scene.scatter2d.update(batch);
    // Plotly draws its copy for a box/lasso selection only where that selection has points; it sends the copy
    // these options itself when a selection starts, so a copy with nothing to draw can wait (half the work)
    if (where.scene.select2d && (where.scene.selectBatch[where.k] || []).length) { where.scene.select2d.update(batch); }
    redrawSoon(where.scene);
  }

  // The WebGL canvas is shared by every panel, so a changed panel is drawn again, once a frame, over its own
  // rectangle cleared first (drawing over the last frame would let the old colours show through); the other
  // panels are left as they are (in software GL each 70,000-point panel costs ~50 ms).
  var redrawing = null, stale = [];
  function redrawSoon(scene) {
    if (stale.indexOf(scene) < 0) { stale.push(scene); }
    if (redrawing) { return; }
    redrawing = requestAnimationFrame(function () {
      redrawing = null;
      stale.splice(0).forEach(function (each) { clearRect(each.scatter2d.regl, viewportOf(each)); each.draw(); });
    });
  }

  function viewportOf(scene) { return scene.scatter2d.groups.filter(Boolean)[0].viewport; }

  function clearRect(regl, v) {  // clear a rectangle of the canvas (in GL pixels)
    var gl = regl._gl, x = Math.floor(v.x), y = Math.floor(v.y);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.enable(gl.SCISSOR_TEST);
    gl.scissor(x, y, Math.ceil(v.x + v.width) - x, Math.ceil(v.y + v.height) - y);
    gl.colorMask(true, true, true, true);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    regl._refresh();  // regl caches the GL state it set: make it set its own again
  }

  // ---- a selection, drawn fast. Lighting up a selection dims every other point, so a panel's 70,000
  // points would all be drawn again, and software GL pays mostly per point. Instead each panel's points are
  // drawn dimmed once into an offscreen copy (its background, kept until the panel's positions, colours or
  // axes change, and made in idle time), and a selection is that copy plus the chosen points on top, drawn by
  // Plotly's own scatter at full strength (10,000 chosen in four panels: 237 against 628 ms until drawn).
  // Plotly's scene.draw is wrapped for this; where the wrapper has nothing of its own to draw (no selection,
  // or a box/lasso being dragged that differs from the page's selection) Plotly draws as it always does.
  var lit = (function () {
    var DIM = 0.06;  // the dimmed points' share of their own opacity
    // scene -> {panel, k (its points' trace in the scene), plotlyDraw and update (Plotly's own), background (the
    // shelf generation it was drawn in), agreed and replaced (Plotly's selections the page drew over)}
    var state = new WeakMap();
    var shelves = new WeakMap();  // regl -> {fbo, wipe, blit, generation}: one canvas-sized framebuffer
    var building = null;

    function install(scene, panel, k) {
      if (state.has(scene)) { return; }
      var own = {panel: panel, k: k, plotlyDraw: scene.draw, update: scene.scatter2d.update, background: null,
                 agreed: null, replaced: null};
      state.set(scene, own);
      scene.draw = function () { if (!draw(scene, own)) { own.plotlyDraw.apply(scene, arguments); } };
      scene.scatter2d.update = function () {  // anything but an opacity sent for this panel's points ages its background
        var items = arguments.length === 1 && Array.isArray(arguments[0]) ? arguments[0] : arguments;
        var mine = items[k];
        if (mine !== undefined && !(mine && Object.keys(mine).every(function (key) { return key === 'opacity'; }))) {
          own.background = null;
          buildSoon();
        }
        return own.update.apply(this, arguments);
      };
    }

    function shelf(regl) {  // the offscreen framebuffer of this canvas, the size of its drawing buffer
      var gl = regl._gl, s = shelves.get(regl);
      if (!s) {
        var fbo = regl.framebuffer({width: gl.drawingBufferWidth, height: gl.drawingBufferHeight, depth: false, stencil: false});
        var quad = {  // a triangle covering the rectangle `box`, which the scissor cuts out
          vert: 'precision mediump float; attribute vec2 p; void main() { gl_Position = vec4(p, 0, 1); }',
          attributes: {p: [-1, -1, 3, -1, -1, 3]}, count: 3,
          viewport: regl.prop('box'), scissor: {enable: true, box: regl.prop('box')},
          depth: {enable: false}, blend: {enable: false}
        };
        s = {fbo: fbo, generation: 0,
             wipe: regl(Object.assign({frag: 'precision mediump float; void main() { gl_FragColor = vec4(0.0); }',
                                       framebuffer: fbo}, quad)),
             blit: regl(Object.assign({frag: 'precision mediump float; uniform sampler2D copy; uniform vec2 size;' +
                                             'void main() { gl_FragColor = texture2D(copy, gl_FragCoord.xy / size); }',
                                       uniforms: {copy: fbo, size: function () { return [fbo.width, fbo.height]; }}}, quad))};
        shelves.set(regl, s);
      }
      if (s.fbo.width !== gl.drawingBufferWidth || s.fbo.height !== gl.drawingBufferHeight) {
        s.fbo.resize(gl.drawingBufferWidth, gl.drawingBufferHeight);
        s.generation++;  // every background drawn before is gone
      }
      return s;
    }

    function box(v) { return {x: v.x, y: v.y, width: v.width, height: v.height}; }

    function opacity(scatter, own, value) {  // the points' group opacity, set past the wrapper (it ages nothing)
      var batch = scatter.groups.map(function () { return undefined; });
      batch[own.k] = {opacity: value};
      own.update.call(scatter, batch);
    }

    function background(scene, own) {  // the panel's dimmed points in the offscreen framebuffer, drawn if needed
      var scatter = scene.scatter2d, s = shelf(scatter.regl), group = scatter.groups[own.k];
      if (own.background === s.generation) { return s; }
      var keep = group.opacity;
      s.wipe({box: box(group.viewport)});
      opacity(scatter, own, DIM);
      s.fbo.use(function () { scatter.draw(own.k); });
      opacity(scatter, own, keep);
      own.background = s.generation;
      return s;
    }

    // Draw a selection of one panel once and the panel as it was over it, in the same frame (so nothing of it
    // shows): software GL compiles each kind of draw the first time it meets it, which made the first selection
    // after the page opened 0.45 s slower than the next ones.
    function rehearse(scene, own) {
      var scatter = scene.scatter2d, s = shelf(scatter.regl);
      if (s.rehearsed) { return; }
      s.rehearsed = true;
      drawLit(scene, own, [0]);
      clearRect(scatter.regl, scatter.groups[own.k].viewport);
      scene.draw();
    }

    function draw(scene, own) {  // the panel with the page's selection lit, if any; false: Plotly's to draw
      if (scene.line2d || scene.fill2d || scene.error2d || scene.glText) { return false; }
      var ids = chosen && chosen.dataset === own.panel.dataset.name ? chosen.drawOrder : null;
      var plotlys = (scene.selectBatch[own.k] || []).length || (scene.unselectBatch[own.k] || []).length;
      if (plotlys ? !agrees(scene, own, ids) : !ids) { return false; }
      drawLit(scene, own, ids);
      // Plotly draws a box/lasso selection's points on a second canvas above this one: what it drew there last
      // would cover these
      if (scene.select2d) { clearRect(scene.select2d.regl, scene.scatter2d.groups[own.k].viewport); }
      scene.dirty = false;
      return true;
    }

    // The panel's background (when `ids` are given), then every trace of the scene in Plotly's order (null: all
    // its points; []: none), of the panel's points only `ids` (null: all), at full strength.
    function drawLit(scene, own, ids) {
      var scatter = scene.scatter2d, group = scatter.groups[own.k], keep = group.opacity;
      if (ids) { background(scene, own).blit({box: box(group.viewport)}); }
      opacity(scatter, own, 1);
      scatter.draw(scatter.groups.map(function (g, m) { return m === own.k ? ids : scene.markerOptions[m] ? null : []; }));
      opacity(scatter, own, keep);
    }

    // Plotly's own box/lasso selection in this panel is the page's, or one the page has replaced since (by
    // select or clear): the page draws. Else a new box is being dragged, and Plotly draws it.
    function agrees(scene, own, ids) {
      var live = scene.selectBatch[own.k] || [];
      if (own.agreed === live) { return true; }
      if (!same(live, ids) && !same(live, own.replaced)) { return false; }
      own.agreed = live;
      return true;
    }

    function same(a, b) {
      if (!a || !b || a.length !== b.length) { return false; }
      for (var i = 0; i < a.length; i++) { if (a[i] !== b[i]) { return false; } }
      return true;
    }

    function replaced() {  // the page's selection changed: whatever Plotly holds as selected is now replaced
      panels.forEach(function (panel) {
        var where = sceneOf(panel), own = where && state.get(where.scene);
        if (own) { own.replaced = Array.from(where.scene.selectBatch[own.k] || []); }
      });
    }

    // Backgrounds for the panels that lack one, one at a time when the page is idle: the first 300 ms after the
    // last change (a morph or a burst of changes ages them again and again), the next ones right after.
    function buildSoon(wait) {
      clearTimeout(building);
      building = setTimeout(function () {
        var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 0); };
        idle(function () {
          var todo = panels.map(sceneOf).filter(function (where) {
            var own = where && state.get(where.scene);
            return own && own.background !== shelf(where.scene.scatter2d.regl).generation;
          });
          if (!todo.length) { return; }
          background(todo[0].scene, state.get(todo[0].scene));
          if (todo.length > 1) { buildSoon(0); } else { rehearse(todo[0].scene, state.get(todo[0].scene)); }
        });
      }, wait === undefined ? 300 : wait);
    }

    return {install: install, buildSoon: buildSoon, replaced: replaced};
  })();

  // ---- colour modes, find, morph: their state and helpers
  var colorMode = 'class', lastMorph = null;
  var MAX_MORPH_MS = 60000, K = DATA.measures.k;

  // The preservation colours span the values present (most are low: spread over 0 to 1, nearly every point would be
  // the same purple): from the 1st to the 99th percentile of every panel's values, in tenths (render/style.py).
  function span(mode) { return DATA.figure.layout.meta.spans[mode]; }
  function steps(mode) {  // value -> index into the mode's colour scale
    if (mode !== 'preservation') { return function (v) { return v; }; }
    var r = span(mode), top = DATA.scales[mode].length - 1;
    return function (v) { return Math.round(Math.min(1, Math.max(0, (v - r[0]) / (r[1] - r[0]))) * top); };
  }

  // In a measure's mode the class legends give way to a key of its colours, with the range they span.
  function showKey(mode) {
    var key = tools.key, scale = DATA.scales[mode];
    key.textContent = '';
    key.style.display = mode === 'class' ? 'none' : '';
    function add(tag, className, text) {
      var e = key.appendChild(document.createElement(tag));
      e.className = className;
      if (text) { e.textContent = text; }
      return e;
    }
    if (mode === 'disagreement') {
      add('span', 'swatch').style.background = scale[0];
      add('span', '', 'its class is that of most of its ' + K + ' nearest points in the picture');
      add('span', 'swatch').style.background = scale[1];
      add('span', '', 'another class is');
    } else if (mode === 'preservation') {
      var r = span(mode);
      add('span', '', (r[0] / 10).toFixed(1));
      add('span', 'bar').style.background = 'linear-gradient(to right, ' + scale.join(', ') + ')';
      add('span', '', (r[1] / 10).toFixed(1));
      add('span', 'note', 'of its ' + K + ' nearest neighbours in the data, the share among its ' + K +
          ' nearest here (colours span the values present, 1st to 99th percentile)');
    }
    var change = {};
    Object.keys(gd.layout).filter(function (k) { return /^legend\d*$/.test(k); }).forEach(function (k) {
      change[k + '.visible'] = mode === 'class';
    });
    return Plotly.relayout(gd, change);
  }
  panels.forEach(function (p) { p.own = {x: Float32Array.from(p.x), y: Float32Array.from(p.y)}; });

  function panelFor(d, method) {
    var p = panels.filter(function (q) { return q.dataset === d && q.method === method; })[0];
    if (!p) { throw new Error('fmnistViz: no panel of ' + d.name + ' by ' + JSON.stringify(method) + '; methods: ' +
                              panels.filter(function (q) { return q.dataset === d; }).map(function (q) { return q.method; }).join(', ')); }
    return p;
  }

  // Find's ring: around the found row in each panel of its data set, where the panel draws it now (it follows a morph)
  var marked = null;  // {dataset, slot}
  function mark(which) {
    var slow = {x: [], y: []}, changed = [];
    which.forEach(function (p) {
      var xy = marked && p.dataset === marked.dataset ? [p.x[marked.slot], p.y[marked.slot]] : [NaN, NaN];
      gd.data[p.marker].x = xy.slice(0, 1);
      gd.data[p.marker].y = xy.slice(1);
      var where = sceneOf({index: p.marker});
      if (where) {
        var options = where.scene.markerOptions[where.k];
        if (String(Array.from(options.positions || [])) === String(xy)) { return; }  // unchanged: not drawn again
        options.positions = Float64Array.from(xy);
        upload(where, ['positions']);
      } else {
        slow.x.push(xy.slice(0, 1)); slow.y.push(xy.slice(1)); changed.push(p.marker);
      }
    });
    if (changed.length) { Plotly.restyle(gd, slow, changed); }
  }

  // A morphed panel's title is that of the layout it shows, saying where it came from; Reset gives its own back.
  function retitle(panel) {
    var shown = panel.shows, text = panel.titleText;
    if (shown !== panel) { text = shown.titleText + '<br><i>morphed from ' + escapeHtml(panel.label) + '</i>'; }
    if (panel.heading !== undefined && gd.layout.annotations[panel.heading].text !== text) {
      var change = {};
      change['annotations[' + panel.heading + '].text'] = text;
      Plotly.relayout(gd, change);
    }
  }

  function redraw(panel) {  // draw a panel's current x, y (hidden classes stay hidden)
    var off = hidden[panel.dataset.name] || {}, labels = panel.dataset.labels;
    var x = new Float32Array(panel.x), y = new Float32Array(panel.y);
    for (var i = 0; i < x.length; i++) { if (off[labels[i]]) { x[i] = NaN; y[i] = NaN; } }
    return Plotly.restyle(gd, {x: [x], y: [y]}, [panel.index]);
  }

  // ---- the tool bar: colour by, find a row, morph
  var tools = document.getElementById('fmnist-viz-tools');
  var names = Object.keys(datasets), methods = Array.from(new Set(panels.map(function (p) { return p.method; })));
  function options(list, labels) {
    return list.map(function (v, i) {
      var o = document.createElement('option');
      o.value = v; o.textContent = labels ? labels[i] : v;
      return o;
    });
  }
  function control(label, elements) {
    var span = document.createElement('span');
    span.className = 'control';
    span.appendChild(document.createTextNode(label + ' '));
    elements.forEach(function (e) { span.appendChild(e); });
    tools.appendChild(span);
    return span;
  }
  function select(list, labels) {
    var s = document.createElement('select');
    options(list, labels).forEach(function (o) { s.appendChild(o); });
    return s;
  }
  function button(text, onClick) {
    var b = document.createElement('button');
    b.textContent = text;
    b.addEventListener('click', onClick);
    return b;
  }
  tools.mode = select(['class', 'disagreement', 'preservation'],
                      ['class', '2-D neighbour disagreement', 'neighbourhood preservation']);
  tools.key = document.createElement('span');
  tools.key.className = 'key';
  tools.key.style.display = 'none';
  tools.message = document.createElement('span');
  tools.message.className = 'message';
  var titles = names.map(function (n) { return datasets[n].title; });
  var findSet = select(names, titles), findRow = document.createElement('input');
  findRow.type = 'number'; findRow.min = 0; findRow.placeholder = 'row';
  function attempt(f) {
    try { tools.message.textContent = ''; f(); } catch (e) { tools.message.textContent = e.message; console.error(e.message); }
  }
  if (panels.some(function (p) { return p.disagreement; })) {
    control('Colour by', [tools.mode, tools.key]);
    tools.mode.addEventListener('change', function () { attempt(function () { api.colorBy(tools.mode.value); }); });
  }
  control('Find', [findSet, findRow, button('Find', function () {
    attempt(function () { api.find(findSet.value, findRow.value === '' ? NaN : Number(findRow.value)); });
  })]);
  if (methods.length > 1) {
    var morphSet = select(names, titles), morphFrom = select(methods), morphTo = select(methods);
    morphTo.selectedIndex = 1;
    control('Morph', [morphSet, morphFrom, document.createTextNode(' \u2192 '), morphTo,
      button('Play', function () { attempt(function () { api.morph(morphSet.value, morphFrom.value, morphTo.value); }); }),
      button('Reset', function () { attempt(function () { api.morph(morphSet.value, morphFrom.value, morphFrom.value, 0); }); })]);
  }
  tools.appendChild(tools.message);

  var foundBox = document.getElementById('fmnist-viz-found'), foundCanvas = document.createElement('canvas');
  var foundCaption = document.createElement('div');
  foundCanvas.width = foundCanvas.height = 96;
  foundCaption.className = 'caption';
  foundBox.appendChild(foundCanvas);
  foundBox.appendChild(foundCaption);
  foundBox.appendChild(button('\u00d7', function () { foundBox.style.display = 'none'; sideState(); }));

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
      dropOutlines();
      showSelection(name, found.slots);
      return api.selection();
    },
    /** The selection: {dataset, rows} with rows sorted, or null. */
    selection: function () {
      if (!chosen) { return null; }
      var d = datasets[chosen.dataset];
      return {dataset: chosen.dataset, rows: chosen.slots.map(function (s) { return d.rows[s]; })};
    },
    /** Clear the selection (and any box or lasso drawn). */
    clear: function () { dropOutlines(); clearSelection(); },
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
    /** Colour every panel by class (default), disagreement or preservation (see the README). */
    colorBy: function (mode) {
      if (['class', 'disagreement', 'preservation'].indexOf(mode) < 0) {
        throw new Error('fmnistViz.colorBy: mode must be class, disagreement or preservation, got ' + JSON.stringify(mode));
      }
      if (mode !== 'class' && panels.some(function (p) { return !p[mode]; })) {
        throw new Error('fmnistViz.colorBy: this page carries no point-by-point measures');
      }
      colorMode = mode;
      paint();
      tools.mode.value = mode;
      showKey(mode);
      return mode;
    },
    /** Mark a row in every panel of its data set and show its image. */
    find: function (name, row) {
      var d = dataset(name), found = slotsOf(d, [row]);
      if (!found.slots.length) {
        throw new Error('fmnistViz.find: row ' + JSON.stringify(row) + ' of ' + name + ' is not drawn (rows 0 to ' +
                        (Math.max.apply(null, d.rows)) + ' exist; this page draws ' + d.rows.length + ')');
      }
      var slot = found.slots[0], mine = panels.filter(function (p) { return p.dataset === d; });
      marked = {dataset: d, slot: slot};
      mark(panels);
      foundCaption.textContent = 'Found: ' + d.classes[d.labels[slot]] + ' \u00b7 ' + d.title + ' row ' + row;
      drawImage(foundCanvas.getContext('2d'), d, slot, 96);
      foundBox.style.display = 'block';
      sideState();
      if (side.classList.contains('collapsed')) { showPane(true); }
      return {dataset: name, row: Number(row), panels: mine.length};
    },
    /** Move the points of one panel smoothly from where they are to another method's layout, in `ms` milliseconds
     * (default 1500, at most MAX_MORPH_MS); resolves when they arrive. A new morph of the panel (Reset is one)
     * stops a running one, whose promise then rejects. */
    morph: function (name, fromMethod, toMethod, ms) {
      var d = dataset(name), from = panelFor(d, fromMethod), to = panelFor(d, toMethod);
      var duration = ms === undefined ? 1500 : Number(ms);
      if (!(duration >= 0 && duration <= MAX_MORPH_MS)) {
        throw new Error('fmnistViz.morph: ms must be a duration from 0 to ' + MAX_MORPH_MS + ' milliseconds, got ' + ms);
      }
      if (from.morphing) { from.morphing(); }
      var x0 = Float32Array.from(from.x), y0 = Float32Array.from(from.y), x1 = to.own.x, y1 = to.own.y;
      var start = performance.now(), frames = 0, stopped = false;
      return new Promise(function (resolve, reject) {
        from.morphing = function () {
          stopped = true;
          from.morphing = null;
          reject(new Error('fmnistViz.morph: stopped by a newer morph of ' + d.name + ' ' + fromMethod));
        };
        function frame(now) {
          if (stopped) { return; }
          var t = duration ? Math.min(1, (now - start) / duration) : 1, e = t * t * (3 - 2 * t);
          for (var i = 0; i < x0.length; i++) { from.x[i] = x0[i] + (x1[i] - x0[i]) * e; from.y[i] = y0[i] + (y1[i] - y0[i]) * e; }
          frames++;
          if (t < 1 && place(from)) { requestAnimationFrame(frame); return; }
          from.morphing = null;
          from.shows = to;
          retitle(from);
          mark([from]);
          if (colorMode !== 'class') { paint(); }  // the measures of the layout it shows now
          var seconds = (performance.now() - start) / 1000;
          lastMorph = {frames: frames, seconds: seconds, fps: frames / Math.max(seconds, 1e-9)};
          redraw(from).then(function () { resolve(lastMorph); });  // hover and selection follow the points
        }
        requestAnimationFrame(frame);
      });
    },
    /** Frames and frames per second of the last morph. */
    lastMorph: function () { return lastMorph; },
    /** Where a row is drawn now in one panel: [x, y]. */
    position: function (name, method, row) {
      var d = dataset(name), found = slotsOf(d, [row]);
      if (!found.slots.length) { throw new Error('fmnistViz: row ' + row + ' of ' + name + ' is not drawn'); }
      var panel = panelFor(d, method);
      return [panel.x[found.slots[0]], panel.y[found.slots[0]]];
    }
  };
  window.fmnistViz = api;

  // past two rows of panels (a sweep's cells) the panels keep a legible size and the page scrolls
  var rowsOfPanels = (DATA.figure.layout.meta || {}).rows || 1;
  if (rowsOfPanels > 2) { gd.style.height = (rowsOfPanels * 320 + 120) + 'px'; }
  // WebGL without multisampling: Plotly asks for antialiasing, four samples a pixel, which in software GL doubles
  // the time every drawing takes (190 against 380 ms for four 70,000-point panels here); its points are already
  // smoothed at their edges by their own shader, so they look the same.
  var getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, attributes) {
    if (/webgl/.test(type) && gd.contains(this)) { attributes = Object.assign({}, attributes, {antialias: false}); }
    return getContext.call(this, type, attributes);
  };
  // WebGL at the screen's own resolution: Plotly's default of 2 on a 1x screen draws four times the pixels
  // for the same picture (in software GL here: 1.5-2.5 s of a 70,000 x 8 page's first paint)
  DATA.config.plotGlPixelRatio = Math.min(2, Math.max(1, window.devicePixelRatio || 1));
  Plotly.newPlot(gd, DATA.figure.data, DATA.figure.layout, DATA.config).then(function () {
    gd.on('plotly_hover', onHover);
    gd.on('plotly_unhover', function () { box.style.display = 'none'; });
    gd.on('plotly_legendclick', onLegendClick);
    gd.on('plotly_legenddoubleclick', onLegendDoubleClick);
    gd.on('plotly_selected', onSelected);
    gd.on('plotly_deselect', clearSelection);
    lit.buildSoon(0);
    gd.dataset.ready = '1';
  });
})();
