// fmnist-viz interactive page, part 3: drawing straight into Plotly's WebGL canvas. This part and the next two
// (plotly-lit, plotly-views) hold every access to Plotly's private internals, and nothing else does: colours and
// positions go straight into Plotly's WebGL scene when it is there (a restyle recomputes a 70,000-point panel in
// over a second; the scene takes tens of ms), with the same values written into gd.data by the callers so that
// any later restyle draws the same picture. Written against plotly.js's gl2d bundle as shipped
// (assets/plotly-gl2d.min.js): its scene (_scene, markerOptions, scatter2d, select2d, selectBatch, update, draw),
// regl (_gl, _refresh, clear), _fullData, _fullLayout._plots and its axes (range, setScale, _r, _rl, _length),
// calcdata, _context, and its `_guiRelayout` (the relayout its mouse makes, replaced through Plotly.register).

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

function box(v) { return {x: v.x, y: v.y, width: v.width, height: v.height}; }

// A regl command drawing `options.frag` over the rectangle `box` (GL pixels) only, with nothing blended: a
// triangle covering the canvas, which the scissor cuts out.
function rectangle(regl, options) {
  return regl(Object.assign({
    vert: 'precision mediump float; attribute vec2 p; void main() { gl_Position = vec4(p, 0, 1); }',
    attributes: {p: [-1, -1, 3, -1, -1, 3]}, count: 3,
    viewport: regl.prop('box'), scissor: {enable: true, box: regl.prop('box')},
    depth: {enable: false}, blend: {enable: false}
  }, options));
}

// A command copying the rectangle `box` of `source` (a texture or framebuffer the canvas's size) onto the canvas.
function copier(regl, source) {
  return rectangle(regl, {
    frag: 'precision mediump float; uniform sampler2D copy; uniform vec2 size;' +
          'void main() { gl_FragColor = texture2D(copy, gl_FragCoord.xy / size); }',
    uniforms: {copy: source, size: function () { return [source.width, source.height]; }}});
}

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

// Whether two lists hold the same items in the same order (null or undefined: never the same).
function sameItems(a, b) {
  if (!a || !b || a.length !== b.length) { return false; }
  for (var i = 0; i < a.length; i++) { if (a[i] !== b[i]) { return false; } }
  return true;
}

// ---- panels whose picture has not changed, copied back instead of drawn again. Plotly clears the whole canvas
// and draws every panel again whenever one panel's view changes: each frame of a pan or a wheel zoom draws eight
// 70,000-point panels (3 frames a second here, against 40 for the one panel that moved). So just before such a
// clear the canvas is copied into a texture, noting what each panel showed then; a panel asked to draw the same
// picture again (nothing sent to its scene since, the same selection, viewport and canvas) is copied back.
var kept = (function () {
  var copies = new WeakMap();  // regl -> {texture, blit, scenes: panel index -> scene, shows: scene -> signature}
  var showing = new WeakMap();  // scene -> the signature of what the canvas shows of it now (null: not known)

  function hook(regl, scene, panel) {  // called for each panel's scene as the page takes it over
    var c = copies.get(regl);
    if (!c) {
      var texture = regl.texture({width: 1, height: 1}), clear = regl.clear;
      c = {texture: texture, blit: copier(regl, texture), scenes: new Map(), shows: new Map()};
      copies.set(regl, c);
      regl.clear = function () { take(regl, c); return clear.apply(this, arguments); };
    }
    c.scenes.set(panel.index, scene);
  }

  // The canvas about to be cleared whole (Plotly clears this canvas only that way, never inside a framebuffer of
  // its own): keep it, and what each panel on it shows.
  function take(regl, c) {
    var gl = regl._gl;
    c.shows = new Map();
    c.scenes.forEach(function (scene) {
      if (showing.get(scene)) { c.shows.set(scene, showing.get(scene)); }
      showing.set(scene, null);
    });
    if (!c.shows.size) { return; }
    c.texture({copy: true, x: 0, y: 0, width: gl.drawingBufferWidth, height: gl.drawingBufferHeight});
  }

  // Copy the panel back if the canvas showed `signature` of it when last cleared whole; true if it did.
  function restore(scene, signature) {
    var c = copies.get(scene.scatter2d.regl);
    if (!c || !sameItems(c.shows.get(scene), signature)) { return false; }
    c.blit({box: box(viewportOf(scene))});
    showing.set(scene, signature);
    return true;
  }

  function drawn(scene, signature) { showing.set(scene, signature); }  // the scene has just been drawn as `signature`

  return {hook: hook, restore: restore, drawn: drawn};
})();
