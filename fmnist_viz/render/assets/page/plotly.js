// fmnist-viz interactive page, part 3: drawing straight into Plotly's WebGL canvas. This part and the next two
// (plotly-lit, plotly-views) hold every access to Plotly's private internals, and nothing else does: colours and
// positions go straight into Plotly's WebGL scene when it is there (a restyle recomputes a 70,000-point panel in
// over a second; the scene takes tens of ms), with the same values written into gd.data by the callers so that
// any later restyle draws the same picture. Written against plotly.js's gl2d bundle as shipped
// (assets/plotly-gl2d.min.js): its scene (_scene, markerOptions, scatter2d, select2d, selectBatch, update, draw),
// regl (_gl, _refresh, clear), _fullData, _fullLayout._plots and its axes (range, setScale, _r, _rl, _length),
// calcdata, _context, its canvases (_fullLayout._glcanvas) and its `_guiRelayout` (the relayout its mouse makes,
// replaced through Plotly.register).

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

// [x, y, width, height] of the whole pixels a rectangle at (x, y) of that size covers
function wholePixels(x, y, width, height) {
  var left = Math.floor(x), top = Math.floor(y);
  return [left, top, Math.ceil(x + width) - left, Math.ceil(y + height) - top];
}

function clearRect(regl, v) {  // clear a rectangle of the canvas (in GL pixels)
  var gl = regl._gl, r = wholePixels(v.x, v.y, v.width, v.height);
  gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  gl.enable(gl.SCISSOR_TEST);
  gl.scissor(r[0], r[1], r[2], r[3]);
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

// ---- software GL: the panels shown through 2D canvases of their own. A WebGL canvas that changes is sent to the
// screen whole: where it is drawn in software, the browser reads all of it back and composites all of it, every
// frame, though a pan changes one panel. There the page hides the canvas and copies a panel's rectangle, in the task
// that changed it, to a 2D canvas of the rectangle's size laid just where it shows.
var copies = (function () {
  // regl -> {due: the scenes changed in this task, canvases: 'x,y,w,h' -> 2D canvas, size: the canvas's size}
  var states = new WeakMap();

  function software(gl) {  // whether the browser draws WebGL without a GPU (SwiftShader, Mesa's llvmpipe, ...)
    var info = gl.getExtension('WEBGL_debug_renderer_info');
    var name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
  }

  function start(regl) {  // a new canvas of panels: the copies of an earlier one go
    if (states.has(regl) || !software(regl._gl)) { return; }
    document.querySelectorAll('canvas.fmnist-viz-copy').forEach(function (c) { c.remove(); });
    states.set(regl, {due: new Set(), canvases: new Map()});
    regl._gl.canvas.style.visibility = 'hidden';
  }

  function changed(scene) {  // the scene's rectangle of the canvas changed: copied when the task's work is done
    var regl = scene.scatter2d.regl, s = states.get(regl);
    if (!s) { return; }
    if (!s.due.size) { Promise.resolve().then(function () { copyDue(regl, s); }); }
    s.due.add(scene);
  }

  function copyDue(regl, s) {
    var gl = regl._gl;
    var size = gl.drawingBufferWidth + 'x' + gl.drawingBufferHeight, written = new Set();
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    s.due.forEach(function (scene) {
      var v = viewportOf(scene), r = wholePixels(v.x, v.y, v.width, v.height);  // within the canvas
      var x = Math.max(0, r[0]), y = Math.max(0, r[1]);
      var w = Math.min(gl.drawingBufferWidth, r[0] + r[2]) - x, h = Math.min(gl.drawingBufferHeight, r[1] + r[3]) - y;
      if (w > 0 && h > 0) { written.add(copy(gl, s, [x, y, w, h])); }
    });
    s.due.clear();
    if (s.size !== size) {  // a canvas resized is wiped: what was not drawn on it since shows nothing
      s.canvases.forEach(function (c, key) { if (!written.has(key)) { c.remove(); s.canvases.delete(key); } });
      s.size = size;
    }
    regl._refresh();  // regl caches the GL state it set: make it set its own again
  }

  // The canvas's rectangle r [x, y, w, h] (GL pixels, from the bottom) to its 2D canvas; its key.
  function copy(gl, s, r) {
    var key = r.join(), c = s.canvases.get(key);
    if (!c || c.parentNode !== gl.canvas.parentNode) {
      s.canvases.forEach(function (other, at) {  // a rectangle of an earlier layout, where this one is now
        var o = at.split(',').map(Number);
        if (o[0] < r[0] + r[2] && r[0] < o[0] + o[2] && o[1] < r[1] + r[3] && r[1] < o[1] + o[3]) {
          other.remove();
          s.canvases.delete(at);
        }
      });
      c = document.createElement('canvas');
      c.className = 'fmnist-viz-copy';
      c.width = r[2];
      c.height = r[3];
      gl.canvas.parentNode.insertBefore(c, gl.canvas.nextSibling);
      s.canvases.set(key, c);
    }
    var ratio = gl.drawingBufferWidth / Math.max(1, gl.canvas.clientWidth);
    // GL's rows run from the bottom: the 2D canvas holds them so, and is shown upside down (page.css)
    c.style.cssText = 'left: ' + r[0] / ratio + 'px; top: ' + (gl.drawingBufferHeight - r[1] - r[3]) / ratio +
      'px; width: ' + r[2] / ratio + 'px; height: ' + r[3] / ratio + 'px;';
    var pixels = c.fmnistPixels || (c.fmnistPixels = new ImageData(r[2], r[3]));
    gl.readPixels(r[0], r[1], r[2], r[3], gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(pixels.data.buffer));
    var d = pixels.data;
    for (var i = 3; i < d.length; i += 4) {  // the canvas's colours are premultiplied by their alpha, ImageData's not
      var a = d[i];
      if (a && a < 255) { d[i - 3] = d[i - 3] * 255 / a; d[i - 2] = d[i - 2] * 255 / a; d[i - 1] = d[i - 1] * 255 / a; }
    }
    c.getContext('2d').putImageData(pixels, 0, 0);
    return key;
  }

  return {start: start, changed: changed};
})();

// ---- Plotly's other canvas (its focus layer, where it draws the points of its own box or lasso selection) is
// cleared with the panels' at every redraw, and a cleared WebGL canvas is a changed one: the browser sends all of
// it to the screen again, and composites it over the plot, empty or not. Each frame of a pan paid for a second
// canvas the size of the plot that showed nothing (in software GL, 2560 x 1440: 11-13 frames a second, 19 with it
// hidden). Its clear is skipped while it is clear already, and a clear canvas is hidden.
function clearsOnlyDrawn(regl) {
  if (regl.fmnistClears) { return; }
  var gl = regl._gl, clear = regl.clear, drawnOn = true;
  function noting(target, name) {  // a draw call on the canvas (or on one of its framebuffers: it may be drawn on)
    var draw = target && target[name];
    if (draw) {
      target[name] = function () {
        drawnOn = true;
        gl.canvas.style.visibility = '';
        return draw.apply(this, arguments);
      };
    }
  }
  var instanced = gl.getExtension('ANGLE_instanced_arrays');
  noting(gl, 'drawArrays');
  noting(gl, 'drawElements');
  noting(instanced, 'drawArraysInstancedANGLE');
  noting(instanced, 'drawElementsInstancedANGLE');
  regl.fmnistClears = regl.clear = function (options) {
    if (options && options.framebuffer) { return clear.apply(this, arguments); }  // not the canvas
    if (!drawnOn) { return; }
    drawnOn = false;
    clear.apply(this, arguments);
    gl.canvas.style.visibility = 'hidden';
  };
  // what it holds now (Plotly may have drawn on it before the page took it over)
  var w = gl.drawingBufferWidth, h = gl.drawingBufferHeight, pixels = new Uint32Array(w * h);
  gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(pixels.buffer));
  regl._refresh();
  var i = 0;
  while (i < pixels.length && pixels[i] === 0) { i++; }  // (at 2560 x 1440: 5 ms; every() with a function, 28)
  if (i === pixels.length) {
    drawnOn = false;
    gl.canvas.style.visibility = 'hidden';
  }
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
      copies.start(regl);
      gd._fullLayout._glcanvas.each(function (d) { if (d.regl && d.regl !== regl) { clearsOnlyDrawn(d.regl); } });
      regl.clear = function (options) {
        if (options && options.framebuffer) { return clear.apply(this, arguments); }  // not the canvas
        if (!c.undrawn) {
          c.undrawn = new Set(c.scenes.values());
          Promise.resolve().then(function () { settle(regl, c); });
        }
      };
    }
    c.scenes.set(panel.index, scene);
    copies.changed(scene);  // what Plotly drew of it before
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
    copies.changed(scene);
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
