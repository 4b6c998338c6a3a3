// fmnist-viz interactive page, part 10: the selection. A box or lasso in any panel selects those points in
// every panel of its data set; the side pane, docked beside the panels, shows how many, per class, their images
// and downloads, and the row Find found.
var MAX_THUMBS = 300;

var foundBox = document.getElementById('fmnist-viz-found'), foundCanvas = document.createElement('canvas');
var foundCaption = document.createElement('div');
foundCanvas.width = foundCanvas.height = 96;
foundCaption.className = 'caption';
foundBox.appendChild(foundCanvas);
foundBox.appendChild(foundCaption);
foundBox.close = foundBox.appendChild(button('\u00d7'));

var pane = document.getElementById('fmnist-viz-pane'), side = document.getElementById('fmnist-viz-side');
pane.innerHTML = "<div class='head'><span class='count'></span><span class='buttons'>" +
  "<button data-do='csv'>CSV</button><button data-do='json'>JSON</button><button data-do='clear'>Clear</button>" +
  "</span></div><div class='classes'></div><div id='fmnist-viz-selection'></div>";

function sampleOf(slots, n) {  // up to n slots, the same ones every time for the same selection
  if (slots.length <= n) { return slots; }
  var step = slots.length / n, out = [];
  for (var i = 0; i < n; i++) { out.push(slots[Math.floor(i * step)]); }
  return out;
}

function renderPane() {
  var grid = document.getElementById('fmnist-viz-selection');
  grid.textContent = '';
  sideState();
  if (!chosen) { pane.style.display = 'none'; return; }
  var d = datasets[chosen.dataset], slots = chosen.slots, counts = {};
  slots.forEach(function (s) { counts[d.labels[s]] = (counts[d.labels[s]] || 0) + 1; });
  var shown = sampleOf(slots, MAX_THUMBS);
  pane.querySelector('.count').textContent = slots.length.toLocaleString('en') + ' of ' + d.title +
    (shown.length < slots.length ? ' (' + shown.length + ' shown)' : '');
  var classes = pane.querySelector('.classes');
  classes.textContent = '';
  Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a]; }).forEach(function (c) {
    var chip = document.createElement('span');
    chip.className = 'chip';
    chip.style.borderColor = d.colors[c];
    chip.textContent = d.classes[c] + ': ';
    chip.appendChild(document.createElement('b')).textContent = counts[c].toLocaleString('en');
    classes.appendChild(chip);
  });
  shown.forEach(function (slot) {
    var thumb = document.createElement('canvas');
    thumb.width = thumb.height = 56;
    thumb.title = d.classes[d.labels[slot]] + ' \u00b7 row ' + d.rows[slot];
    thumb.dataset.row = d.rows[slot];
    thumb.style.borderColor = d.colors[d.labels[slot]];
    grid.appendChild(thumb);
    drawImage(thumb.getContext('2d'), d, slot, 56);
  });
  pane.style.display = 'block';
}

// The side pane's title counts the selection, which stays when the pane is collapsed.
var sideTitle = side.querySelector('.side-title'), sideHint = side.querySelector('.side-hint');
function sideState() {
  var found = document.getElementById('fmnist-viz-found').style.display === 'block';
  sideTitle.textContent = chosen ? 'Selection: ' + chosen.slots.length.toLocaleString('en') : 'Selection';
  sideHint.style.display = chosen || found ? 'none' : 'block';
}
function showPane(open) {  // the panels take the room the pane leaves, and give it back
  if (side.classList.contains('collapsed') === !open) { return open; }
  side.classList.toggle('collapsed', !open);
  document.getElementById('fmnist-viz-collapse').innerHTML = open ? '&raquo;' : '&laquo;';
  Plotly.Plots.resize(gd);
  return open;
}

function showSelection(name, slots) {
  var d = datasets[name];
  var unique = Array.from(new Set(slots)).sort(function (a, b) { return d.rows[a] - d.rows[b]; });
  var before = chosen ? [chosen.dataset] : [];
  // drawOrder: the same points in the order the panels draw them (the seeded shuffle), for the GPU
  chosen = {dataset: name, slots: unique, drawOrder: unique.slice().sort(function (a, b) { return a - b; })};
  lit.replaced();
  redrawDatasets(before.concat([name]));
  renderPane();
}

function clearSelection() {
  var before = chosen ? [chosen.dataset] : [];
  chosen = null;
  lit.replaced();
  redrawDatasets(before);
  renderPane();
}

function dropOutlines() {  // Plotly's box/lasso outlines, when the page's selection is made another way
  if ((gd.layout.selections || []).length) { Plotly.relayout(gd, {selections: []}); }
}

function onSelected(ev) {
  if (!ev || !ev.points || !ev.points.length) { return; }
  var name = null, slots = [];
  ev.points.forEach(function (p) {
    var panel = panelOf(p.curveNumber);
    if (!panel) { return; }
    if (name === null) { name = panel.dataset.name; }
    if (panel.dataset.name === name) { slots.push(p.pointNumber); }
  });
  if (name !== null) { showSelection(name, slots); }
}

function selectionTable() {
  var d = datasets[chosen.dataset];
  return chosen.slots.map(function (s) { return {row: d.rows[s], 'class': d.classes[d.labels[s]]}; });
}

function save(text, name, type) {
  var a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], {type: type}));
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// Below the selection, each panel's quality once measured: the local numbers of its title and the global ones
// (random- and centroid-triplet accuracy, the rank correlation of distances), one row per panel.
var QUALITY = [['knn_accuracy', '10-NN acc.'], ['trustworthiness', 'trust.'], ['random_triplet_accuracy', 'random tripl.'],
               ['centroid_triplet_accuracy', 'centroid tripl.'], ['distance_spearman', 'dist. Spearman']];
var qualityBox = (function () {
  var shown = QUALITY.filter(function (q) { return panels.some(function (p) { return q[0] in p.quality; }); });
  var box = document.createElement('details');
  box.id = 'fmnist-viz-quality';
  if (!shown.length) { return box; }
  box.appendChild(document.createElement('summary')).textContent = 'Quality of each panel';
  var table = box.appendChild(document.createElement('table')), head = table.insertRow();
  ['panel'].concat(shown.map(function (q) { return q[1]; })).forEach(function (t) {
    head.appendChild(document.createElement('th')).textContent = t;
  });
  panels.forEach(function (p) {
    var row = table.insertRow();
    row.insertCell().textContent = p.dataset.title + ', ' + p.label;
    shown.forEach(function (q) { row.insertCell().textContent = q[0] in p.quality ? p.quality[q[0]].toFixed(3) : ''; });
  });
  side.querySelector('.side-body').appendChild(box);
  return box;
})();
