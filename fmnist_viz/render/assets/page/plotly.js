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

// ---- panels whose picture has not changed, left as they are. Plotly clears the whole canvas and draws every
// panel again whenever one panel's view changes: each frame of a pan or a wheel zoom draws eight 70,000-point
// panels (3 frames a second here, against 40 for the one panel that moved). Its clear is put off instead: in the
// same task Plotly asks each panel to draw; a panel that would draw what the canvas shows of it already (nothing
// sent to its scene since, the same selection, viewport and canvas) is left as it is, any other clears its own
// rectangle first; when the task ends, a panel not asked is cleared as Plotly would have left it.
var kept = (function () {
  var canvases = new WeakMap();  // regl -> {scenes: panel index -> scene, undrawn: the scenes not drawn since a clear}
  var showing = new WeakMap();  // scene -> {signature, viewport}: what the canvas shows of it now (none: nothing)

  function hook(regl, scene, panel) {  // called for each panel's scene as the page takes it over
    var c = canvases.get(regl);
    if (!c) {
      var clear = regl.clear;
      c = {scenes: new Map(), undrawn: null};
      canvases.set(regl, c);
      regl.clear = function (options) {
        if (options && options.framebuffer) { return clear.apply(this, arguments); }  // not the canvas
        if (!c.undrawn) {
          c.undrawn = new Set(c.scenes.values());
          Promise.resolve().then(function () { settle(regl, c); });
        }
      };
    }
    c.scenes.set(panel.index, scene);
  }

  // Whether the scene, asked to draw `signature` after a clear, shows just that already (and is left as it is);
  // else its rectangle is cleared, for it to draw.
  function unchanged(scene, signature) {
    var c = canvases.get(scene.scatter2d.regl), shown = showing.get(scene);
    if (!c || !c.undrawn || !c.undrawn.has(scene)) { return false; }
    c.undrawn.delete(scene);
    if (shown && sameItems(shown.signature, signature)) { return true; }
    wipe(scene);
    return false;
  }

  function wipe(scene) {  // clear what the canvas shows of the scene (where it was drawn, and where it is now)
    var shown = showing.get(scene), regl = scene.scatter2d.regl;
    if (shown) { clearRect(regl, shown.viewport); }
    clearRect(regl, viewportOf(scene));
    showing.delete(scene);
  }

  function drawn(scene, signature) {  // the scene has just been drawn as `signature`
    showing.set(scene, {signature: signature, viewport: box(viewportOf(scene))});
  }

  function settle(regl, c) {  // the task that cleared the canvas is over: what it did not draw is cleared
    var left = c.undrawn;
    c.undrawn = null;
    left.forEach(wipe);
  }

  return {hook: hook, unchanged: unchanged, drawn: drawn};
})();
