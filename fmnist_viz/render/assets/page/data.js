// fmnist-viz interactive page, part 1 of 13 (render/page.py joins the parts, in order, into one script):
// the page's data, decoded once, and the panels.
//
// The JSON in #fmnist-viz-data holds {figure, datasets, scales, measures, modes, opacity, config}. Traces are of
// three roles (trace.meta.role): "points" (one per panel: every drawn point, meta.dataset and meta.method),
// "mark" (where Find rings a row) and "legend" (an empty trace per class). Every panel of a data set draws the
// same rows in the same order, so what they share travels once per data set: rows, labels (class per point),
// classes, colors, and the images as base64 PNG sprite sheets of `per_sheet` images in rows of `columns`, in
// drawing order, decoded on first use, and on a held-out page `placed` (1 for a test image placed into the layout
// fitted on the others, drawn after them). Point i of any panel of a data set is row rows[i]. Constants shared with
// Python (the measures' k, the colour modes, the points' opacity) come in the data, defined there once.
var DATA = JSON.parse(document.getElementById('fmnist-viz-data').textContent);
var gd = document.getElementById('fmnist-viz-plot');
var ARRAYS = {f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array, i2: Int16Array,
              u2: Uint16Array, i4: Int32Array, u4: Uint32Array};
var OPACITY = DATA.opacity;  // the points' marker opacity, which Plotly bakes into each colour
var K = DATA.measures.k;  // the point-by-point measures' neighbours
var MODES = DATA.modes;  // what points can be coloured by: [[mode, label], ...], class first
var MAX_MORPH_MS = 60000;  // the longest morph
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
  d.placed = d.placed ? values(d.placed) : null;
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
  var panel = {index: i, marker: i + 1, dataset: d, method: trace.meta.method, x: values(trace.x), y: values(trace.y),
               heading: heading, titleText: annotation ? annotation.text : '', label: trace.meta.label || trace.meta.method,
               quality: trace.meta.quality || {}};
  MODES.forEach(function (m) { if (m[0] !== 'class') { panel[m[0]] = values(trace.meta[m[0]]); } });  // measures
  panels.push(panel);
});
panels.forEach(function (p) {
  p.shows = p;  // the panel whose layout it draws: itself until a morph
  p.own = {x: Float32Array.from(p.x), y: Float32Array.from(p.y)};  // its own layout, which Reset brings back
});

// The data set of that name (the map has no prototype: a data set called "constructor" is just unknown).
function dataset(name) {
  var d = typeof name === 'string' ? datasets[name] : undefined;
  if (!d) { throw new Error('fmnistViz: unknown data set ' + JSON.stringify(name) + '; the page has ' + Object.keys(datasets).join(', ')); }
  return d;
}

function panelFor(d, method) {
  var p = panels.filter(function (q) { return q.dataset === d && q.method === method; })[0];
  if (!p) { throw new Error('fmnistViz: no panel of ' + d.name + ' by ' + JSON.stringify(method) + '; methods: ' +
                            panels.filter(function (q) { return q.dataset === d; }).map(function (q) { return q.method; }).join(', ')); }
  return p;
}

function panelOf(curve) {  // the panel whose points are trace `curve`, or null
  for (var i = 0; i < panels.length; i++) { if (panels[i].index === curve) { return panels[i]; } }
  return null;
}

// ---- small helpers that make the page's controls
function button(text) {
  var b = document.createElement('button');
  b.textContent = text;
  return b;
}

function select(list, labels) {
  var s = document.createElement('select');
  list.forEach(function (v, i) {
    var o = s.appendChild(document.createElement('option'));
    o.value = v; o.textContent = labels ? labels[i] : v;
  });
  return s;
}
