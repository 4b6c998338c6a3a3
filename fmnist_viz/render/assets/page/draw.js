// fmnist-viz interactive page, part 6: drawing the state: colours for the colour mode, positions (a morph,
// hidden classes), Find's ring, a morphed panel's title. Fast through Plotly's scene (parts 3-5) when it is
// there, else through Plotly's public restyle.

// The preservation colours span the values present (most are low: spread over 0 to 1, nearly every point would be
// the same purple): from the 1st to the 99th percentile of every panel's values, in tenths (render/style.py).
function span(mode) { return DATA.figure.layout.meta.spans[mode]; }
function steps(mode) {  // value -> index into the mode's colour scale
  if (mode !== 'preservation') { return function (v) { return v; }; }
  var r = span(mode), top = DATA.scales[mode].length - 1;
  return function (v) { return Math.round(Math.min(1, Math.max(0, (v - r[0]) / (r[1] - r[0]))) * top); };
}

// slot -> its hex colour for the current colour mode (a morphed panel: its new layout's measures)
function colorOf(panel) {
  if (colorMode === 'class') { return function (slot) { return panel.dataset.pointColors[slot]; }; }
  var scale = DATA.scales[colorMode], step = steps(colorMode), values = panel.shows[colorMode];
  return function (slot) { return scale[step(values[slot])]; };
}

function baseColors(panel) {  // every point's hex colour for the current colour mode
  if (colorMode === 'class') { return panel.dataset.pointColors; }
  var colour = colorOf(panel);
  return Array.prototype.map.call(panel.shows[colorMode], function (_, slot) { return colour(slot); });
}

function glColors(hex) {  // '#rrggbb' per point as Plotly gives colours to its WebGL scene: [r, g, b, a] in [0, 1]
  var cache = {};
  return Array.prototype.map.call(hex, function (h) {
    return cache[h] || (cache[h] = rgb(h).map(function (v) { return v / 255; }).concat([OPACITY]));
  });
}

function paint() {  // every panel's colours for the colour mode (a selection is drawn on top: see `lit`)
  panels.forEach(function (panel) {
    var d = panel.dataset, hex = baseColors(panel);
    gd.data[panel.index].marker.color = hex;
    var rgba = colorMode === 'class' ? d.classRgba || (d.classRgba = glColors(hex)) : glColors(hex);
    if (!drawColors(panel, rgba)) { Plotly.restyle(gd, {'marker.color': [hex]}, [panel.index]); }
  });
}

function redrawDatasets(names) {  // draw the panels of these data sets again (a selection came or went)
  redrawPanels(panels.filter(function (panel) { return names.indexOf(panel.dataset.name) >= 0; }));
}

// Find's ring: around the found row in each panel of its data set, where the panel draws it now (it follows a morph)
function mark(which) {
  var slow = {x: [], y: []}, changed = [];
  which.forEach(function (p) {
    var xy = marked && p.dataset === marked.dataset ? [p.x[marked.slot], p.y[marked.slot]] : [NaN, NaN];
    gd.data[p.marker].x = xy.slice(0, 1);
    gd.data[p.marker].y = xy.slice(1);
    if (!drawMark(p.marker, xy)) { slow.x.push(xy.slice(0, 1)); slow.y.push(xy.slice(1)); changed.push(p.marker); }
  });
  if (changed.length) { Plotly.restyle(gd, slow, changed); }
}


// Whether point i of data set d is hidden now: its class hidden by its legend, or a placed test image while they
// are hidden.
function hiddenTest(d) {
  var off = hidden[d.name] || {}, labels = d.labels, placed = placedShown ? null : d.placed;
  return function (i) { return off[labels[i]] || (placed !== null && placed[i] === 1); };
}

// A panel's points moved or were hidden or shown: a new epoch (what is drawn from them, the images, follows it).
function moved(panel) { panel.epoch = (panel.epoch || 0) + 1; }

function place(panel) {  // draw a panel's current x, y quickly (hover follows at the next sync); Find's ring follows
  moved(panel);
  var gone = hiddenTest(panel.dataset);
  var drawn = drawPositions(panel, function (pos) {
    for (var i = 0; i < panel.x.length; i++) {
      var off = gone(i);
      pos[2 * i] = off ? NaN : panel.x[i];
      pos[2 * i + 1] = off ? NaN : panel.y[i];
    }
  });
  if (drawn && marked && marked.dataset === panel.dataset) { mark([panel]); }
  return drawn;
}

// A morphed panel's title is that of the layout it shows, saying where it came from; Reset gives its own back.
// Written into the layout only: the panel's redraw that ends a morph (a restyle) draws it. Plotly.relayout of
// the text alone would recompute every trace (0.4-0.7 s on a page of eight 70,000-point panels).
function retitle(panel) {
  var shown = panel.shows, text = panel.titleText;
  if (shown !== panel) { text = shown.titleText + '<br><i>morphed from ' + escapeHtml(panel.label) + '</i>'; }
  if (panel.heading !== undefined) { gd.layout.annotations[panel.heading].text = text; }
}

function redraw(panel) {  // draw a panel's current x, y (hidden points stay hidden)
  moved(panel);
  var gone = hiddenTest(panel.dataset), x = new Float32Array(panel.x), y = new Float32Array(panel.y);
  for (var i = 0; i < x.length; i++) { if (gone(i)) { x[i] = NaN; y[i] = NaN; } }
  return Plotly.restyle(gd, {x: [x], y: [y]}, [panel.index]);
}
