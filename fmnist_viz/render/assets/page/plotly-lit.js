// fmnist-viz interactive page, part 4: a panel's scene, taken over: a selection drawn fast, and the colours,
// positions and Find's ring drawn straight into it; where a panel's data lie on the plot.

// ---- a selection, drawn fast. Lighting up a selection dims every other point, so a panel's 70,000
// points would all be drawn again, and software GL pays mostly per point. Instead each panel's points are
// drawn dimmed once into an offscreen copy (its background, kept until the panel's positions, colours or
// axes change, and made in idle time), and a selection is that copy plus the chosen points on top, drawn by
// Plotly's own scatter at full strength (10,000 chosen in four panels: 237 against 628 ms until drawn).
// Plotly's scene.draw is wrapped for this; where the wrapper has nothing of its own to draw (no selection,
// or a box/lasso being dragged that differs from the page's selection) Plotly draws as it always does.
var lit = (function () {
  var DIM = 0.06;  // the dimmed points' share of their own opacity
  // canvas px beyond a view within which a point is drawn too: WebGL draws no point whose centre lies beyond the
  // view (its marker is not seen there, drawn or not), and the positions it reads are rounded to 32-bit floats
  var EDGE = 1;
  // scene -> {panel, k (its points' trace in the scene), plotlyDraw and update (Plotly's own), background (the
  // shelf generation it was drawn in), agreed and replaced (Plotly's selections the page drew over)}
  var state = new WeakMap();
  var shelves = new WeakMap();  // regl -> {fbo, wipe, blit, generation}: one canvas-sized framebuffer
  var building = null;

  function install(scene, panel, k) {
    if (state.has(scene)) { return; }
    var own = {panel: panel, k: k, plotlyDraw: scene.draw, update: scene.scatter2d.update, background: null,
               agreed: null, replaced: null, version: 0};
    state.set(scene, own);
    kept.hook(scene.scatter2d.regl, scene, panel);
    scene.draw = function () {
      var signature = signatureOf(scene, own), ids = litIds(scene, own);
      // Plotly's own selection is drawn on a second canvas, cleared with this one: that is drawn again, always
      var plotlys = ids === undefined && (scene.selectBatch || []).some(function (b) { return b && b.length; });
      if (!kept.unchanged(scene, plotlys ? null : signature)) {
        // no selection: the points in view, or all of them as Plotly draws them
        var near = ids === undefined && plain(scene) && !selecting(scene) ? inView(scene, own, null) : null;
        if (near) {
          drawPoints(scene, own, near);
        } else if (ids === undefined) {
          own.plotlyDraw.apply(scene, arguments);
        } else {
          draw(scene, own, ids);
        }
        copies.changed(scene);
      }
      scene.dirty = false;
      kept.drawn(scene, signature);
    };
    // anything sent to the scene that changes it makes a new picture; for this panel's points, anything but an
    // opacity also ages its background (a pan sends every panel its range, changed or not)
    scene.scatter2d.update = function () {
      var items = arguments.length === 1 && Array.isArray(arguments[0]) ? arguments[0] : arguments, scatter = this;
      var changed = Array.prototype.map.call(items, function (item, m) { return changes(scatter, m, item); });
      if (changed.some(Boolean)) { own.version++; }
      if (changed[k] && !Object.keys(items[k] || {}).every(function (key) { return key === 'opacity'; })) {
        own.background = null;
        buildSoon();
      }
      return own.update.apply(this, arguments);
    };
  }

  function changes(scatter, m, item) {  // whether options sent for trace m of a scene change what it draws
    if (item === undefined) { return false; }
    var group = scatter.groups[m];
    return !(item && group && Object.keys(item).length === 1 && item.range && String(item.range) === String(group.range));
  }

  // What decides the picture of a scene: what was sent to it, the page's selection and Plotly's (each trace's
  // chosen and other points, and how many), the viewport and the canvas.
  function signatureOf(scene, own) {
    var v = viewportOf(scene), gl = scene.scatter2d.regl._gl, out = [own.version, chosen, v.x, v.y, v.width, v.height,
                                                                     gl.drawingBufferWidth, gl.drawingBufferHeight];
    [scene.selectBatch || [], scene.unselectBatch || []].forEach(function (batch) {
      batch.forEach(function (b) { out.push(b, b ? b.length : -1); });
    });
    return out;
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
    var near = inView(scene, own, null);
    s.fbo.use(function () { scatter.draw(scatter.groups.map(function (g, m) { return m === own.k ? near : []; })); });
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

  // The page's selection to light in this panel (null: none), or undefined where Plotly draws the panel itself: no
  // selection, or a box/lasso being dragged that differs from the page's.
  function litIds(scene, own) {
    if (!plain(scene)) { return undefined; }
    var ids = chosen && chosen.dataset === own.panel.dataset.name ? chosen.drawOrder : null;
    var plotlys = (scene.selectBatch[own.k] || []).length || (scene.unselectBatch[own.k] || []).length;
    return (plotlys ? agrees(scene, own, ids) : ids) ? ids : undefined;
  }

  function draw(scene, own, ids) {  // the panel with the page's selection `ids` lit (null: all its points, plainly)
    drawLit(scene, own, ids);
    // Plotly draws a box/lasso selection's points on a second canvas above this one: what it drew there last
    // would cover these
    if (scene.select2d) { clearRect(scene.select2d.regl, scene.scatter2d.groups[own.k].viewport); }
  }

  // The panel's background (when `ids` are given), then every trace of the scene in Plotly's order, of the
  // panel's points only `ids` (null: all), at full strength.
  function drawLit(scene, own, ids) {
    var scatter = scene.scatter2d, group = scatter.groups[own.k], keep = group.opacity;
    if (ids) { background(scene, own).blit({box: box(group.viewport)}); }
    opacity(scatter, own, 1);
    drawPoints(scene, own, inView(scene, own, ids));
    opacity(scatter, own, keep);
  }

  function drawPoints(scene, own, ids) {  // every trace of the scene in Plotly's order, of the panel's points `ids`
    var scatter = scene.scatter2d;
    scatter.draw(scatter.groups.map(function (g, m) { return m === own.k ? ids : scene.markerOptions[m] ? null : []; }));
  }

  // Of the panel's points `ids` (null: all of them), those its view shows (within EDGE of it), in drawing order;
  // `ids` as they are where the view shows most of them. Software GL pays for every point drawn, in view or not: a
  // panel zoomed into a sixteenth of its area draws a few thousand of its 70,000 points (at 2560 x 1440, 4.7-9.2 ms
  // against 23.5 for all of them).
  function inView(scene, own, ids) {
    var group = scene.scatter2d.groups[own.k], r = group.range, v = group.viewport;
    var at = scene.markerOptions[own.k].positions, n = ids ? ids.length : at.length / 2, near = [];
    if (!r || !v || !v.width || !v.height) { return ids; }
    var mx = EDGE * (r[2] - r[0]) / v.width, my = EDGE * (r[3] - r[1]) / v.height;
    var x0 = r[0] - mx, x1 = r[2] + mx, y0 = r[1] - my, y1 = r[3] + my;
    for (var j = 0; j < n; j++) {
      var i = ids ? ids[j] : j, x = at[2 * i], y = at[2 * i + 1];
      if (x >= x0 && x <= x1 && y >= y0 && y <= y1) { near.push(i); }
    }
    return near.length > n / 2 ? ids : near;
  }

  // Whether the page draws the scene's points itself: a scene of markers only (no lines, fills, error bars, text).
  function plain(scene) { return !(scene.line2d || scene.fill2d || scene.error2d || scene.glText); }

  function selecting(scene) {  // whether Plotly holds a box/lasso selection of the scene's points
    return [scene.selectBatch || [], scene.unselectBatch || []].some(function (batch) {
      return batch.some(function (b) { return b && b.length; });
    });
  }

  // Plotly's own box/lasso selection in this panel is the page's, or one the page has replaced since (by
  // select or clear): the page draws. Else a new box is being dragged, and Plotly draws it.
  function agrees(scene, own, ids) {
    var live = scene.selectBatch[own.k] || [];
    if (own.agreed === live) { return true; }
    if (!sameItems(live, ids) && !sameItems(live, own.replaced)) { return false; }
    own.agreed = live;
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

// ---- the scene of a panel, and what the rest of the page asks of it
function sceneOf(panel) {
  var full = gd._fullData[panel.index], cd = gd.calcdata && gd.calcdata[panel.index];
  var plot = full && gd._fullLayout._plots[full.xaxis + full.yaxis];
  var scene = plot && plot._scene;
  var k = cd && cd[0] && cd[0].t && cd[0].t.index;
  if (!(scene && scene.markerOptions && scene.markerOptions[k])) { return null; }
  if (panel.dataset) { lit.install(scene, panel, k); }
  return {scene: scene, k: k};
}


// Colours for one panel's points as [r, g, b, a] in [0, 1], drawn at once; false when the scene is not there yet.
function drawColors(panel, rgba) {
  var where = sceneOf(panel);
  if (!where) { return false; }
  where.scene.markerOptions[where.k].colors = rgba;
  where.scene.markerOptions[where.k].borderColors = rgba;  // Plotly outlines each point in its colour
  upload(where, ['colors', 'borderColors']);
  return true;
}

// A panel's positions, written by fill(positions) (x, y interleaved), drawn at once; false when not there yet.
function drawPositions(panel, fill) {
  var where = sceneOf(panel);
  if (!where) { return false; }
  fill(where.scene.markerOptions[where.k].positions);
  upload(where, ['positions']);
  return true;
}

// Find's ring in the trace `index` at [x, y] (NaN: none), drawn at once; false when not there yet.
function drawMark(index, xy) {
  var where = sceneOf({index: index});
  if (!where) { return false; }
  var options = where.scene.markerOptions[where.k];
  if (String(Array.from(options.positions || [])) === String(xy)) { return true; }  // unchanged: not drawn again
  options.positions = Float64Array.from(xy);
  upload(where, ['positions']);
  return true;
}

// Where a panel's data lie on the plot now: its axes' ranges and the rectangle they span, in CSS pixels from the
// plot's top-left corner (null before the first plot).
function frameOf(panel) {
  var full = gd._fullData && gd._fullData[panel.index], layout = gd._fullLayout;
  if (!full || !layout) { return null; }
  var xa = layout[full.xaxis.replace(/^x/, 'xaxis')], ya = layout[full.yaxis.replace(/^y/, 'yaxis')];
  if (!xa || !ya || !xa.range || !ya.range) { return null; }
  return {x0: xa.range[0], x1: xa.range[1], y0: ya.range[0], y1: ya.range[1], left: xa._offset, top: ya._offset,
          width: xa._length, height: ya._length, xaxis: xa._name, yaxis: ya._name};
}

function redrawPanels(list) {  // draw these panels again (a selection came or went)
  list.forEach(function (panel) {
    var where = sceneOf(panel);
    if (where) { redrawSoon(where.scene); }
  });
}

function doubleClickDelay() { return (gd._context && gd._context.doubleClickDelay) || 300; }
