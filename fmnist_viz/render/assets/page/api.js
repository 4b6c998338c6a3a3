// fmnist-viz interactive page, part 12: the scriptable page, window.fmnistViz, which the page's own controls
// use too (README.md lists its calls).
var api = {
  /** Every panel: [{dataset, method}]. */
  panels: function () {
    return panels.map(function (p) { return {dataset: p.dataset.name, method: p.method}; });
  },
  /** Select these rows of a data set in every panel of it; rows not drawn are reported. */
  select: function (name, rows) {
    var d = dataset(name), found = slotsOf(d, checkRows('select', rows));
    if (rows.length && !found.slots.length) {
      throw new Error('fmnistViz.select: none of the ' + rows.length + ' row(s) is drawn on this page (rows 0 to ' +
                      Math.max.apply(null, d.rows) + ' exist; it draws ' + d.rows.length + ')');
    }
    if (found.missing.length) {
      console.warn('fmnistViz.select: ' + found.missing.length + ' row(s) of ' + name + ' are not drawn: ' +
                   found.missing.slice(0, 10).join(', '));
    }
    dropOutlines();
    showSelection(name, found.slots);
    return api.selection();
  },
  /** The selection: {dataset, rows} with rows sorted, or null. */
  selection: function () {
    if (!chosen) { return null; }
    var d = datasets[chosen.dataset];
    return {dataset: chosen.dataset, rows: chosen.slots.map(function (s) { return d.rows[s]; })};
  },
  /** Clear the selection (and any box or lasso drawn). */
  clear: function () { dropOutlines(); clearSelection(); },
  /** The selection as the text of a CSV or JSON file (what the pane's buttons download). */
  selectionText: function (format) {
    if (!chosen) { return null; }
    var table = selectionTable();
    if (format === 'csv') {
      return 'dataset,row,class\n' + table.map(function (t) {
        return [chosen.dataset, t.row, '"' + String(t['class']).replace(/"/g, '""') + '"'].join(',');
      }).join('\n') + '\n';
    }
    if (format === 'json') {
      return JSON.stringify({dataset: chosen.dataset, rows: table.map(function (t) { return t.row; }),
                             classes: table.map(function (t) { return t['class']; })}, null, 1);
    }
    throw new Error('fmnistViz: format must be csv or json, got ' + JSON.stringify(format));
  },
  download: function (format) {
    var text = api.selectionText(format);
    if (text !== null) {
      save(text, 'selection.' + format, format === 'csv' ? 'text/csv' : 'application/json');
    }
  },
  /** Colour every panel by class (default), disagreement or preservation (see the README). */
  colorBy: function (mode) {
    var known = MODES.map(function (m) { return m[0]; });
    if (known.indexOf(mode) < 0) {
      throw new Error('fmnistViz.colorBy: mode must be ' + known.slice(0, -1).join(', ') + ' or ' + known.slice(-1) +
                      ', got ' + JSON.stringify(mode));
    }
    if (mode !== 'class' && panels.some(function (p) { return !p[mode]; })) {
      throw new Error('fmnistViz.colorBy: this page carries no ' + mode + ' measure');
    }
    colorMode = mode;
    paint();
    tools.mode.value = mode;
    showKey(mode);
    return mode;
  },
  /** On a held-out page: show (true) or hide (false) the placed test images in every panel; returns whether they
   * are shown. */
  showHeldout: function (show) {
    var held = panels.filter(function (p) { return p.dataset.placed; });
    if (!held.length) { throw new Error('fmnistViz.showHeldout: this page has no held-out images (make it with fmnist-viz heldout)'); }
    if (typeof show !== 'boolean') { throw new Error('fmnistViz.showHeldout: show must be true or false, got ' + JSON.stringify(show)); }
    placedShown = show;
    tools.placed.checked = show;
    held.forEach(place);  // at once on screen
    setTimeout(function () { held.forEach(redraw); }, 0);  // then Plotly's own data, for hover and selection
    return show;
  },
  /** Mark a row in every panel of its data set and show its image. */
  find: function (name, row) {
    var d = dataset(name), found = slotsOf(d, checkRow('find', row));
    if (!found.slots.length) {
      throw new Error('fmnistViz.find: row ' + JSON.stringify(row) + ' of ' + name + ' is not drawn (rows 0 to ' +
                      (Math.max.apply(null, d.rows)) + ' exist; this page draws ' + d.rows.length + ')');
    }
    var slot = found.slots[0], mine = panels.filter(function (p) { return p.dataset === d; });
    marked = {dataset: d, slot: slot};
    mark(panels);
    foundCaption.textContent = 'Found: ' + d.classes[d.labels[slot]] + ' \u00b7 ' + d.title + ' row ' + row;
    drawImage(foundCanvas.getContext('2d'), d, slot, 96);
    foundBox.style.display = 'block';
    sideState();
    if (side.classList.contains('collapsed')) { showPane(true); }
    return {dataset: name, row: Number(row), panels: mine.length};
  },
  /** Move the points of one panel smoothly from where they are to another method's layout, in `ms` milliseconds
   * (default 1500, at most MAX_MORPH_MS); resolves when they arrive. A new morph of the panel (Reset is one)
   * stops a running one, whose promise then rejects. */
  morph: function (name, fromMethod, toMethod, ms) {
    var d = dataset(name), from = panelFor(d, fromMethod), to = panelFor(d, toMethod);
    var duration = ms === undefined ? 1500 : ms;
    if (!(typeof duration === 'number' && duration >= 0 && duration <= MAX_MORPH_MS)) {
      throw new Error('fmnistViz.morph: ms must be a duration from 0 to ' + MAX_MORPH_MS + ' milliseconds, got ' +
                      JSON.stringify(ms));
    }
    if (from.morphing) { from.morphing(); }
    var x0 = Float32Array.from(from.x), y0 = Float32Array.from(from.y), x1 = to.own.x, y1 = to.own.y;
    var start = performance.now(), frames = 0, stopped = false;
    return new Promise(function (resolve, reject) {
      from.morphing = function () {
        stopped = true;
        from.morphing = null;
        reject(new Error('fmnistViz.morph: stopped by a newer morph of ' + d.name + ' ' + fromMethod));
      };
      function frame(now) {
        if (stopped) { return; }
        var t = duration ? Math.min(1, (now - start) / duration) : 1, e = t * t * (3 - 2 * t);
        for (var i = 0; i < x0.length; i++) { from.x[i] = x0[i] + (x1[i] - x0[i]) * e; from.y[i] = y0[i] + (y1[i] - y0[i]) * e; }
        frames++;
        if (t < 1 && place(from)) { requestAnimationFrame(frame); return; }
        from.morphing = null;
        from.shows = to;
        retitle(from);  // drawn by the redraw below
        mark([from]);
        if (colorMode !== 'class') { paint(); }  // the measures of the layout it shows now
        var seconds = (performance.now() - start) / 1000;
        lastMorph = {frames: frames, seconds: seconds, fps: frames / Math.max(seconds, 1e-9)};
        redraw(from).then(function () { resolve(lastMorph); });  // hover and selection follow the points
      }
      requestAnimationFrame(frame);
    });
  },
  /** Zoom one panel to a window of its data coordinates, [x0, x1, y0, y1] (widened on one axis to keep the panel's
   * equal scales), or back to the view it opened with (null); resolves, once drawn (the images zoomed in this far
   * included), with the rows drawn as images. A window it cannot show (sides that overflow, too small to draw,
   * far too large, or beside every point of the panel) rejects, and the panel stays as it was. */
  view: function (name, method, box) {
    try {
      var panel = panelFor(dataset(name), method);
      if (!frameOf(panel) || !openingView.has(panel)) { throw new Error('fmnistViz.view: the page is not drawn yet'); }
      var target = box === null ? openingView.get(panel) : showable(panel, box);
    } catch (e) {
      return Promise.reject(e);
    }
    return setView(panel, target).then(function () {
      return new Promise(function (resolve) {
        (function wait() {
          images.soon();
          requestAnimationFrame(function () {
            if (images.ready()) { resolve(api.imagesShown(name, method)); } else { setTimeout(wait, 20); }
          });
        })();
      });
    });
  },
  /** The window of its data one panel shows now, [x0, x1, y0, y1] (what a pan, a zoom or view() left). */
  viewOf: function (name, method) {
    var f = frameOf(panelFor(dataset(name), method));
    if (!f) { throw new Error('fmnistViz.viewOf: the page is not drawn yet'); }
    return [f.x0, f.x1, f.y0, f.y1];
  },
  /** The rows one panel draws as images now (zoomed in far enough, or images chosen in the tool bar). */
  imagesShown: function (name, method) {
    var d = dataset(name);
    return images.shown(panelFor(d, method)).map(function (slot) { return d.rows[slot]; });
  },
  /** Dots or images: 'auto' (images when zoomed in to a third of a panel's extent or closer), 'dots' or
   * 'images' (always, as many as fit without piling up); returns the mode. */
  imageMode: function (mode) {
    if (['auto', 'dots', 'images'].indexOf(mode) < 0) {
      throw new Error('fmnistViz.imageMode: mode must be auto, dots or images, got ' + JSON.stringify(mode));
    }
    tools.images.value = mode;
    return images.mode(mode);
  },
  /** Frames and frames per second of the last morph. */
  lastMorph: function () { return lastMorph; },
  /** Where a row is drawn now in one panel: [x, y]. */
  position: function (name, method, row) {
    var d = dataset(name), found = slotsOf(d, checkRow('position', row));
    if (!found.slots.length) { throw new Error('fmnistViz: row ' + row + ' of ' + name + ' is not drawn'); }
    var panel = panelFor(d, method);
    return [panel.x[found.slots[0]], panel.y[found.slots[0]]];
  }
};
window.fmnistViz = api;
