// fmnist-viz interactive page, part 3: every access to Plotly's private internals, and nothing else does.
// Drawing colours and positions straight into Plotly's WebGL scene when it is there (a restyle recomputes a
// 70,000-point panel in over a second; the scene takes tens of ms), with the same values written into gd.data
// by the callers so that any later restyle draws the same picture. Written against plotly.js's gl2d bundle as
// shipped (assets/plotly-gl2d.min.js): its scene (_scene, markerOptions, scatter2d, select2d, selectBatch),
// regl (_gl, _refresh), _fullData, _fullLayout._plots, calcdata and _context.

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
var afterRedraw = [];  // called in the frame that draws changed panels again (the images layer follows them)
function redrawSoon(scene) {
  if (stale.indexOf(scene) < 0) { stale.push(scene); }
  if (redrawing) { return; }
  redrawing = requestAnimationFrame(function () {
    redrawing = null;
    stale.splice(0).forEach(function (each) { clearRect(each.scatter2d.regl, viewportOf(each)); each.draw(); });
    afterRedraw.forEach(function (f) { f(); });
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
