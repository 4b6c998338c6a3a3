// fmnist-viz interactive page, part 8: images instead of dots. Zoomed in (a panel's view at most a third of its
// own extent across), the points in view are drawn as their images, on a canvas laid over the panels: grey levels
// as in the data, framed in the point's colour for the colour mode; unselected ones faded while a selection is
// lit; Find's row outlined. Images never pile up: each point in turn, in the page's drawing order (fixed, so the
// same images stay as you pan), takes its place only where no image is yet, so zooming in further lets more
// appear, until every point in view is an image. The layer follows every redraw of the panels (colours, a
// selection, a morph's frames) and every zoom or pan.
var IMAGE = 28;  // an image's side on screen, CSS pixels: the data's own size
var ZOOMED = 3;  // images when a panel shows at most 1/ZOOMED of its own extent across
var images = (function () {
  var mode = 'auto';  // 'auto' (when zoomed in), 'dots' (never) or 'images' (always)
  var shown = new Map();  // panel -> the slots drawn as images now
  var layer = null, queued = null, full = new Map();  // panel -> [width, height] of the view it opened with
  var picks = new Map();  // panel -> {key, slots}: its last pick, good while its view and its points' epoch last

  function surface() {  // the layer, over the plot (made again if Plotly built its container anew)
    var host = gd.querySelector('.svg-container');
    if (!host) { return null; }
    if (!layer || layer.parentNode !== host) {
      layer = document.createElement('canvas');
      layer.id = 'fmnist-viz-images';
      host.appendChild(layer);
    }
    var ratio = window.devicePixelRatio || 1, w = host.clientWidth, h = host.clientHeight;
    if (layer.width !== Math.round(w * ratio) || layer.height !== Math.round(h * ratio)) {
      layer.width = Math.round(w * ratio);
      layer.height = Math.round(h * ratio);
      layer.style.width = w + 'px';
      layer.style.height = h + 'px';
    }
    return layer;
  }

  function zoomedIn(panel, f) {
    if (mode !== 'auto') { return mode === 'images'; }
    var own = full.get(panel);  // the view the page opened with (the layout's central 99.9%, as in the figures)
    return !!own && (f.x1 - f.x0) * ZOOMED <= own[0] && (f.y1 - f.y0) * ZOOMED <= own[1];
  }

  // The slots of `panel` drawn as images in frame `f`: in view, not hidden, each where no image is yet. (Picked
  // again only when the panel's view or points change: panning one panel leaves the others' picks be.)
  function pick(panel, f) {
    var key = [f.x0, f.x1, f.y0, f.y1, f.width, f.height, panel.epoch].join(), last = picks.get(panel);
    if (!last || last.key !== key) { picks.set(panel, last = {key: key, slots: placed(panel, f)}); }
    return last.slots;
  }

  function placed(panel, f) {
    var gone = hiddenTest(panel.dataset), taken = new Set(), picked = [];
    var sx = f.width / (f.x1 - f.x0), sy = f.height / (f.y1 - f.y0), cols = Math.ceil(f.width / IMAGE) + 2;
    for (var i = 0; i < panel.x.length; i++) {
      var px = (panel.x[i] - f.x0) * sx, py = (f.y1 - panel.y[i]) * sy;
      if (!(px >= 0 && px <= f.width && py >= 0 && py <= f.height) || gone(i)) { continue; }
      // an image covers at most 2 x 2 cells of a grid of its own size: it is placed where all four are free
      var gx = Math.floor(px / IMAGE), gy = Math.floor(py / IMAGE);
      var cells = [gy * cols + gx, gy * cols + gx + 1, (gy + 1) * cols + gx, (gy + 1) * cols + gx + 1];
      if (cells.some(function (c) { return taken.has(c); })) { continue; }
      cells.forEach(function (c) { taken.add(c); });
      picked.push(i);
    }
    return picked;
  }

  function draw() {  // (a frame that redraws panels draws this too: a draw still queued is not needed then)
    if (queued) { cancelAnimationFrame(queued); queued = null; }
    var todo = [];
    panels.forEach(function (panel) {
      var f = frameOf(panel);
      if (f && !full.has(panel)) { full.set(panel, [f.x1 - f.x0, f.y1 - f.y0]); }
      var slots = f && zoomedIn(panel, f) ? pick(panel, f) : [];
      shown.set(panel, slots);
      if (slots.length) { todo.push([panel, f, slots]); }
    });
    // zoomed out, the layer is hidden and costs nothing: no canvas over the panels to clear or composite
    if (!todo.length) { if (layer) { layer.style.display = 'none'; layer.dataset.waiting = ''; } return; }
    var c = surface();
    if (!c) { return; }
    c.style.display = '';
    var ctx = c.getContext('2d'), ratio = c.width / Math.max(1, c.clientWidth), waiting = false;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.imageSmoothingEnabled = false;
    todo.forEach(function (item) {
      var panel = item[0], f = item[1], slots = item[2], d = panel.dataset, colour = colorOf(panel);
      var lit = chosen && chosen.dataset === d.name ? new Set(chosen.slots) : null;
      var sx = f.width / (f.x1 - f.x0), sy = f.height / (f.y1 - f.y0);
      ctx.save();
      ctx.beginPath();
      ctx.rect(f.left, f.top, f.width, f.height);
      ctx.clip();
      slots.forEach(function (slot) {
        var k = Math.floor(slot / d.per_sheet), at = slot % d.per_sheet, img = sheet(d, k);
        if (!(img.complete && img.naturalWidth)) {
          if (!img.fmnistWaiting) { img.fmnistWaiting = true; img.addEventListener('load', soon); }
          waiting = true;
          return;
        }
        var x = f.left + (panel.x[slot] - f.x0) * sx - IMAGE / 2, y = f.top + (f.y1 - panel.y[slot]) * sy - IMAGE / 2;
        ctx.globalAlpha = lit && !lit.has(slot) ? 0.2 : 1;
        ctx.drawImage(img, (at % d.columns) * d.w, Math.floor(at / d.columns) * d.h, d.w, d.h, x, y, IMAGE, IMAGE);
        ctx.lineWidth = marked && marked.dataset === d && marked.slot === slot ? 3 : 1.5;
        ctx.strokeStyle = ctx.lineWidth === 3 ? '#000000' : colour(slot);
        ctx.strokeRect(x + 0.75, y + 0.75, IMAGE - 1.5, IMAGE - 1.5);
      });
      ctx.restore();
    });
    c.dataset.waiting = waiting ? '1' : '';
  }

  function soon() { if (!queued) { queued = requestAnimationFrame(draw); } }

  afterRedraw.push(draw);  // in the same frame as the panels it covers
  return {
    soon: soon,
    draw: draw,
    shown: function (panel) { return shown.get(panel) || []; },
    mode: function (value) { if (value !== undefined) { mode = value; soon(); } return mode; },
    ready: function () { return !(layer && layer.dataset.waiting) && !queued; }
  };
})();
