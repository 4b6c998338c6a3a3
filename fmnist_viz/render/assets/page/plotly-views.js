// fmnist-viz interactive page, part 5: views (zooms and pans) set without Plotly.relayout. A relayout of an axis
// with equal scales (scaleanchor) recomputes every panel, ~1 s for eight 70,000-point panels here, and Plotly makes
// one at the end of every pan, zoom, wheel turn and double click. Only the panel's axis ranges, their scales and its
// scene's range need to change, and only its scene be drawn again.

// Show `box` [x0, x1, y0, y1] of a panel's data, widened about its centre on one axis so both keep one scale (as
// Plotly's scaleanchor does); a Promise, resolved once Plotly holds the new view (it is drawn in the next frame).
function setView(panel, box) {
  var full = gd._fullData[panel.index], plot = gd._fullLayout._plots[full.xaxis + full.yaxis];
  var xa = plot.xaxis, ya = plot.yaxis;
  var unit = Math.max((box[1] - box[0]) / xa._length, (box[3] - box[2]) / ya._length);  // data per CSS pixel
  var cx = (box[0] + box[1]) / 2, cy = (box[2] + box[3]) / 2;
  var xr = [cx - unit * xa._length / 2, cx + unit * xa._length / 2];
  var yr = [cy - unit * ya._length / 2, cy + unit * ya._length / 2];
  if (outlined(panel)) {  // Plotly redraws its outline where the new view puts it
    var change = {};
    change[xa._name + '.range'] = xr;
    change[ya._name + '.range'] = yr;
    return Plotly.relayout(gd, change);
  }
  [[xa, xr], [ya, yr]].forEach(function (pair) {
    var ax = pair[0], input = gd.layout[ax._name] || (gd.layout[ax._name] = {});
    ax.range = pair[1].slice();
    input.range = pair[1].slice();
    ax.autorange = input.autorange = false;
    ax.setScale();
    ax._r = ax.range.slice();  // the range Plotly's next drag starts from, as its drawing of the axes notes it
    ax._rl = ax._r.map(function (v) { return ax.r2l(v); });
  });
  var where = sceneOf(panel);
  if (where) {
    where.scene.update({range: [xr[0], yr[0], xr[1], yr[1]]});
    redrawSoon(where.scene);
  }
  return Promise.resolve(gd);
}

// The most and least a view may zoom out or in from the panel's opening view: past them its points would all fall
// within a pixel, or its pixels be narrower than the numbers can tell apart.
var VIEW_RANGE = 1e6, VIEW_PRECISION = 1e-9;

// `box` as a window view() can show in `panel`, else an Error that says why: four finite numbers, x0 < x1 and
// y0 < y1, sides that neither overflow nor pass VIEW_RANGE or VIEW_PRECISION of the opening view's, meeting the
// extent of the panel's points (a window beside all of them would show a blank panel).
function showable(panel, box) {
  var say = function (why) {
    return new Error('fmnistViz.view: box ' + why + ', got ' + JSON.stringify(box));
  };
  var ok = Array.isArray(box) && box.length === 4 && box.every(function (v) { return typeof v === 'number' && isFinite(v); });
  if (!ok || !(box[0] < box[1] && box[2] < box[3])) {
    throw say('must be [x0, x1, y0, y1], four finite numbers with x0 < x1 and y0 < y1 (or null: the opening view)');
  }
  var w = box[1] - box[0], h = box[3] - box[2], own = openingView.get(panel);
  var ow = own[1] - own[0], oh = own[3] - own[2];
  if (!isFinite(w) || !isFinite(h) || w > VIEW_RANGE * ow || h > VIEW_RANGE * oh) {
    throw say('is too large to show: its sides may be at most ' + VIEW_RANGE + ' times the opening view\'s (' +
              ow.toPrecision(3) + ' x ' + oh.toPrecision(3) + ')');
  }
  if (Math.max(w / ow, h / oh) < VIEW_PRECISION) {
    throw say('is too small to show: its longer side must be at least ' + VIEW_PRECISION + ' of the opening view\'s');
  }
  var lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
  for (var i = 0; i < panel.x.length; i++) {
    var x = panel.x[i], y = panel.y[i];
    if (x < lo[0]) { lo[0] = x; }
    if (x > hi[0]) { hi[0] = x; }
    if (y < lo[1]) { lo[1] = y; }
    if (y > hi[1]) { hi[1] = y; }
  }
  if (box[1] < lo[0] || box[0] > hi[0] || box[3] < lo[1] || box[2] > hi[1]) {
    throw say('holds none of the panel\'s points, which lie in x ' + lo[0].toPrecision(4) + ' to ' + hi[0].toPrecision(4) +
              ', y ' + lo[1].toPrecision(4) + ' to ' + hi[1].toPrecision(4));
  }
  return box;
}

// Whether Plotly draws a box or lasso outline in the panel: its selections, in data coordinates, which only its
// relayout moves with the view.
function outlined(panel) {
  var full = gd._fullData[panel.index];
  return (gd._fullLayout.selections || []).some(function (s) { return s.xref === full.xaxis && s.yref === full.yaxis; });
}

// The panels' new views in a relayout's `update`, [{panel, box}], if it sets nothing but panels' axis ranges
// ({"xaxis3.range[0]": ..., "yaxis3.range": [...]}, as a pan or zoom ends); else null.
function viewsIn(update) {
  if (!update || typeof update !== 'object') { return null; }
  var ranges = {}, layout = gd._fullLayout;
  var ok = Object.keys(update).every(function (key) {
    var m = /^([xy]axis\d*)\.range(?:\[([01])\])?$/.exec(key), value = update[key];
    if (!m || !layout[m[1]] || !layout[m[1]].range) { return false; }
    var range = ranges[m[1]] || (ranges[m[1]] = layout[m[1]].range.slice());
    if (m[2] === undefined) {
      if (!Array.isArray(value) || value.length !== 2) { return false; }
      range[0] = Number(value[0]);
      range[1] = Number(value[1]);
    } else {
      range[Number(m[2])] = Number(value);
    }
    return isFinite(range[0]) && isFinite(range[1]) && range[0] < range[1];
  });
  if (!ok) { return null; }
  var views = [], used = 0;
  panels.forEach(function (panel) {
    var f = frameOf(panel), x = f && ranges[f.xaxis], y = f && ranges[f.yaxis];
    if (!x && !y) { return; }
    used += (x ? 1 : 0) + (y ? 1 : 0);
    views.push({panel: panel, box: (x || [f.x0, f.x1]).concat(y || [f.y0, f.y1])});
  });
  return used === Object.keys(ranges).length ? views : null;  // an axis of no panel: Plotly's
}

// Plotly's relayout for what the mouse changes (its `_guiRelayout`: Plotly.relayout with its gui-edit flag set),
// taken over so that panels' views go through setView.
Plotly.register({moduleType: 'apiMethod', name: '_guiRelayout', fn: function (graph, update) {
  var views = graph === gd ? viewsIn(update) : null;
  if (views) {
    return Promise.all(views.map(function (v) { return setView(v.panel, v.box); })).then(function () {
      gd.emit('plotly_relayout', update);
      return gd;
    });
  }
  graph._fullLayout._guiEditing = true;
  var relayout = Plotly.relayout.apply(null, arguments);
  graph._fullLayout._guiEditing = false;
  return relayout;
}});
