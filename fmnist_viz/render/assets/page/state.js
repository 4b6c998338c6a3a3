// fmnist-viz interactive page, part 2: what the page's state is. Everything that changes lives here; a component
// keeps only what no other part may see inside its own closure (images, lit, copies, kept).
var chosen = null;  // the selection: {dataset, slots: sorted by row, drawOrder: sorted by slot}
var hidden = Object.create(null);  // data set -> {class index: true}, the classes its legend has hidden
var placedShown = true;  // on a held-out page: whether the placed test images are drawn
var colorMode = 'class';  // what the points are coloured by (one of MODES)
var marked = null;  // the row Find rings: {dataset, slot}
var lastMorph = null;  // frames and frames per second of the last morph
var slotOfRow = Object.create(null);  // data set -> Map(row -> slot), built on first use
var openingView = new Map();  // panel -> the window [x0, x1, y0, y1] it opened with (view(.., null) goes back there)
var pendingClick = null;  // a legend click waiting to see whether it is the first of a double click
var redrawing = null;  // the animation frame that will draw the changed panels again
var stale = [];  // the panels' scenes changed since they were last drawn
var afterRedraw = [];  // called in the frame that draws changed panels again (the images layer follows them)
var loadedSheets = {};  // 'data set/sheet' -> the Image of that sprite sheet, decoded once

// Rows as the API takes them: whole numbers (no strings, no nested arrays: '0x0c' is not row 12).
function shownValue(v) { return typeof v === 'number' ? String(v) : JSON.stringify(v); }
function checkRows(fn, rows) {
  if (!Array.isArray(rows)) { throw new Error('fmnistViz.' + fn + ': rows must be an array of row numbers, got ' + shownValue(rows)); }
  var bad = rows.findIndex(function (r) { return !Number.isInteger(r); });
  if (bad >= 0) {
    throw new Error('fmnistViz.' + fn + ': rows must be whole numbers; got ' + shownValue(rows[bad]) + ' at position ' + bad);
  }
  return rows;
}
function checkRow(fn, row) {
  if (!Number.isInteger(row)) { throw new Error('fmnistViz.' + fn + ': row must be a whole number, got ' + shownValue(row)); }
  return [row];
}

function slotsOf(d, rows) {
  if (!slotOfRow[d.name]) {
    var map = new Map();
    for (var i = 0; i < d.rows.length; i++) { map.set(d.rows[i], i); }
    slotOfRow[d.name] = map;
  }
  var found = [], missing = [];
  rows.forEach(function (r) {
    var slot = slotOfRow[d.name].get(r);
    if (slot === undefined) { missing.push(r); } else { found.push(slot); }
  });
  return {slots: found, missing: missing};
}
