// fmnist-viz interactive page, part 8: images instead of dots. Zoomed in (a panel's view at most a third of its
// own extent across), the points in view are drawn as their images, on a canvas laid over the panel: grey levels
// as in the data, framed in the point's colour for the colour mode; unselected ones faded while a selection is
// lit; Find's row outlined. Images never pile up: each point in turn, in the page's drawing order (fixed, so the
// same images stay as you pan), takes its place only where no image is yet, so zooming in further lets more
// appear, until every point in view is an image. The images follow every redraw of the panels (colours, a
// selection, a morph's frames) and every zoom or pan.
var IMAGE = 28;  // an image's side on screen, CSS pixels: the data's own size
var ZOOMED = 3;  // images when a panel shows at most 1/ZOOMED of its own extent across
var images = (function () {
  var mode = 'auto';  // 'auto' (when zoomed in), 'dots' (never) or 'images' (always)
  var shown = new Map();  // panel -> the slots drawn as images now
  var queued = null, waiting = false;
  var picks = new Map();  // panel -> {key, slots}: its last pick, good while its view and its points' epoch last
  // Each panel's images on a canvas of its own, laid over it, drawn again only when what it shows changes: a pan
  // of one panel draws (and the browser composites) that panel's images only.
  var layers = new Map();  // panel -> its canvas
  var looks = new Map();  // panel -> what its canvas shows: [its pick, colour mode, selection, Find's row, layout]

  function surface(panel, f) {  // the panel's canvas, over it (made again if Plotly built its container anew)
    var host = gd.querySelector('.svg-container'), c = layers.get(panel);
    if (!host) { return null; }
    if (!c || c.parentNode !== host) {
      c = document.createElement('canvas');
      c.className = 'fmnist-viz-images';
      host.appendChild(c);
      layers.set(panel, c);
      looks.delete(panel);
    }
    // on whole pixels, the panel's rectangle inside it: an image lands where it would on a canvas over the plot
    var area = bounds(f), ratio = window.devicePixelRatio || 1;
    var w = Math.round(area[2] * ratio), h = Math.round(area[3] * ratio);
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
      looks.delete(panel);
    }
    c.style.cssText = 'left: ' + area[0] + 'px; top: ' + area[1] + 'px; width: ' + area[2] + 'px; height: ' + area[3] +
      'px;';
    return c;
  }

  function bounds(f) { return wholePixels(f.left, f.top, f.width, f.height); }  // of the panel's frame `f`, CSS px

  function zoomedIn(panel, f) {
    if (mode !== 'auto') { return mode === 'images'; }
    var own = openingView.get(panel);  // the view the page opened with (the layout's central 99.9%, as in the figures)
    return !!own && (f.x1 - f.x0) * ZOOMED <= own[1] - own[0] && (f.y1 - f.y0) * ZOOMED <= own[3] - own[2];
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
    waiting = false;
    panels.forEach(function (panel) {
      var f = frameOf(panel), c = layers.get(panel);
      if (f && !openingView.has(panel)) { openingView.set(panel, [f.x0, f.x1, f.y0, f.y1]); }
      var slots = f && zoomedIn(panel, f) ? pick(panel, f) : [];
      shown.set(panel, slots);
      if (!slots.length) {  // zoomed out, the panel's canvas is hidden and costs nothing
        if (c) { c.style.display = 'none'; }
        looks.delete(panel);
        return;
      }
      var look = [picks.get(panel).key, colorMode, chosen, marked, panel.shows];
      if (sameItems(looks.get(panel), look) || !(c = surface(panel, f))) { return; }
      looks.set(panel, look);
      if (!paintImages(panel, f, slots, c)) {
        looks.delete(panel);
        waiting = true;
      }
    });
  }

  // Draw the panel's images on its canvas: false if an image sheet is still loading (drawn again when it is).
  function paintImages(panel, f, slots, c) {
    var ctx = c.getContext('2d'), area = bounds(f), ratio = c.width / Math.max(1, area[2]), d = panel.dataset;
    var lit = chosen && chosen.dataset === d.name ? new Set(chosen.slots) : null, complete = true;
    var sx = f.width / (f.x1 - f.x0), sy = f.height / (f.y1 - f.y0), colour = colorOf(panel);
    ctx.setTransform(ratio, 0, 0, ratio, (f.left - area[0]) * ratio, (f.top - area[1]) * ratio);
    ctx.clearRect(-1, -1, area[2] + 1, area[3] + 1);
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, 0, f.width, f.height);
    ctx.clip();
    ctx.imageSmoothingEnabled = false;
    slots.forEach(function (slot) {
      var k = Math.floor(slot / d.per_sheet), at = slot % d.per_sheet, img = sheet(d, k);
      if (!(img.complete && img.naturalWidth)) {
        if (!img.fmnistWaiting) { img.fmnistWaiting = true; img.addEventListener('load', soon); }
        complete = false;
        return;
      }
      var x = (panel.x[slot] - f.x0) * sx - IMAGE / 2, y = (f.y1 - panel.y[slot]) * sy - IMAGE / 2;
      ctx.globalAlpha = lit && !lit.has(slot) ? 0.2 : 1;
      ctx.drawImage(img, (at % d.columns) * d.w, Math.floor(at / d.columns) * d.h, d.w, d.h, x, y, IMAGE, IMAGE);
      ctx.lineWidth = marked && marked.dataset === d && marked.slot === slot ? 3 : 1.5;
      ctx.strokeStyle = ctx.lineWidth === 3 ? '#000000' : colour(slot);
      ctx.strokeRect(x + 0.75, y + 0.75, IMAGE - 1.5, IMAGE - 1.5);
    });
    ctx.restore();
    return complete;
  }

  function soon() { if (!queued) { queued = requestAnimationFrame(draw); } }

  afterRedraw.push(draw);  // in the same frame as the panels it covers
  return {
    soon: soon,
    draw: draw,
    shown: function (panel) { return shown.get(panel) || []; },
    mode: function (value) { if (value !== undefined) { mode = value; soon(); } return mode; },
    ready: function () { return !waiting && !queued; }
  };
})();
