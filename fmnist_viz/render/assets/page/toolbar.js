// fmnist-viz interactive page, part 11: the tool bar above the panels: colour by (with the key of a measure's
// colours), the held-out images shown or hidden (on a held-out page), dots or images, find a row, morph. Its controls are made
// here and given their work when the page starts (part 11).
var tools = document.getElementById('fmnist-viz-tools');
var datasetNames = Object.keys(datasets), methods = Array.from(new Set(panels.map(function (p) { return p.method; })));
function control(label, elements) {
  var span = document.createElement('span');
  span.className = 'control';
  span.appendChild(document.createTextNode(label + ' '));
  elements.forEach(function (e) { span.appendChild(e); });
  tools.appendChild(span);
  return span;
}
tools.mode = select(MODES.map(function (m) { return m[0]; }), MODES.map(function (m) { return m[1]; }));
tools.key = document.createElement('span');
tools.key.className = 'key';
tools.key.style.display = 'none';
tools.message = document.createElement('span');
tools.message.className = 'message';
var titles = datasetNames.map(function (n) { return datasets[n].title; });
var findSet = select(datasetNames, titles), findRow = document.createElement('input');
findRow.type = 'number'; findRow.min = 0; findRow.placeholder = 'row';
if (MODES.length > 1) { control('Colour by', [tools.mode, tools.key]); }
tools.placed = document.createElement('input');
tools.placed.type = 'checkbox';
tools.placed.checked = true;
if (datasetNames.some(function (n) { return datasets[n].placed; })) {
  control('Held-out images', [tools.placed]).title = 'the test images placed into the layout fitted on the ' +
    'training images: shown above it, or hidden';
}
tools.images = select(['auto', 'dots', 'images'], ['when zoomed in', 'never', 'always']);
control('Images', [tools.images]).title = 'draw the points in view as their images: when a panel is zoomed in ' +
  'to a third of its extent or closer, never, or always (as many as fit without piling up)';
tools.find = button('Find');
control('Find', [findSet, findRow, tools.find]);
var morphSet = select(datasetNames, titles), morphFrom = select(methods), morphTo = select(methods);
tools.play = button('Play');
tools.reset = button('Reset');
if (methods.length > 1) {
  morphTo.selectedIndex = 1;
  control('Morph', [morphSet, morphFrom, document.createTextNode(' \u2192 '), morphTo, tools.play, tools.reset]);
}
tools.appendChild(tools.message);

// In a measure's mode the class legends give way to a key of its colours, with the range they span.
function showKey(mode) {
  var key = tools.key, scale = DATA.scales[mode];
  key.textContent = '';
  key.style.display = mode === 'class' ? 'none' : '';
  function add(tag, className, text) {
    var e = key.appendChild(document.createElement(tag));
    e.className = className;
    if (text) { e.textContent = text; }
    return e;
  }
  if (mode === 'disagreement') {
    add('span', 'swatch').style.background = scale[0];
    add('span', '', 'its class is that of most of its ' + K + ' nearest points in the picture');
    add('span', 'swatch').style.background = scale[1];
    add('span', '', 'another class is');
  } else if (mode === 'heldout') {
    ['fitted (training) image', 'held-out image its 5 nearest fitted points classify right',
     'held-out image they misclassify'].forEach(function (text, i) {
      add('span', 'swatch').style.background = scale[i];
      add('span', '', text);
    });
  } else if (mode === 'preservation') {
    var r = span(mode);
    add('span', '', (r[0] / 10).toFixed(1));
    add('span', 'bar').style.background = 'linear-gradient(to right, ' + scale.join(', ') + ')';
    add('span', '', (r[1] / 10).toFixed(1));
    add('span', 'note', 'of its ' + K + ' nearest neighbours in the data, the share among its ' + K +
        ' nearest here (colours span the values present, 1st to 99th percentile)');
  } else if (mode === 'stability') {
    add('span', '', '0.0');
    add('span', 'bar').style.background = 'linear-gradient(to right, ' + scale.join(', ') + ')';
    add('span', '', '1.0');
    add('span', 'note', 'how alike its nearest neighbours here are from seed to seed (mean Jaccard overlap over ' +
        'every pair of seeds)');
  }
  // hidden by a class the style sheet knows, not by Plotly.relayout: a relayout replots every panel (0.9 s on
  // a page of eight 70,000-point panels) and leaves each later drawing slower (a morph at 12 fps instead of 18)
  gd.classList.toggle('measure-mode', mode !== 'class');
}
