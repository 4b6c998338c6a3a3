// fmnist-viz interactive page, part 9: the legends: a click toggles a class of that data set in every panel
// of it, a double click isolates it.

function classesOf(name) {
  var found = [];
  gd.data.forEach(function (t) {
    if (t.meta && t.meta.role === 'legend' && t.meta.dataset === name) { found.push(t.meta['class']); }
  });
  return found;
}

function applyHidden(name) {
  var off = hidden[name] || {}, mine = panels.filter(function (p) { return p.dataset.name === name; });
  mine.forEach(place);  // at once on screen
  var legendVisible = [], legendWhich = [];
  gd.data.forEach(function (t, i) {
    if (t.meta && t.meta.role === 'legend' && t.meta.dataset === name) {
      legendWhich.push(i);
      legendVisible.push(off[t.meta['class']] ? 'legendonly' : true);
    }
  });
  Plotly.restyle(gd, {visible: legendVisible}, legendWhich);
  setTimeout(function () { mine.forEach(redraw); }, 0);  // then Plotly's own data, for hover and selection
}

function legendTrace(ev) {
  var t = gd.data[ev.curveNumber];
  return t && t.meta && t.meta.role === 'legend' ? t.meta : null;
}

function onLegendClick(ev) {
  var meta = legendTrace(ev);
  if (!meta) { return true; }
  clearTimeout(pendingClick);  // a double click reports two clicks first: only the last may act
  pendingClick = setTimeout(function () {
    var off = hidden[meta.dataset] = hidden[meta.dataset] || {};
    off[meta['class']] = !off[meta['class']];
    applyHidden(meta.dataset);
  }, (gd._context && gd._context.doubleClickDelay) || 300);
  return false;
}

function onLegendDoubleClick(ev) {
  var meta = legendTrace(ev);
  if (!meta) { return true; }
  clearTimeout(pendingClick);
  var all = classesOf(meta.dataset), off = hidden[meta.dataset] || {};
  var alone = all.every(function (c) { return c === meta['class'] ? !off[c] : off[c]; });
  var now = {};
  all.forEach(function (c) { if (!alone && c !== meta['class']) { now[c] = true; } });
  hidden[meta.dataset] = now;
  applyHidden(meta.dataset);
  return false;
}
