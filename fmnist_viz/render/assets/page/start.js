// fmnist-viz interactive page, part 14: the controls given their work, then the plot drawn.
pane.addEventListener('click', function (e) {
  var action = e.target && e.target.dataset && e.target.dataset['do'];
  if (action === 'clear') { api.clear(); } else if (action) { api.download(action); }
});
document.getElementById('fmnist-viz-collapse').addEventListener('click', function () {
  showPane(side.classList.contains('collapsed'));
});
foundBox.close.addEventListener('click', function () { foundBox.style.display = 'none'; sideState(); });

function attempt(f) {  // a control's work; what goes wrong is said in the tool bar
  try { tools.message.textContent = ''; f(); } catch (e) { tools.message.textContent = e.message; console.error(e.message); }
}
tools.mode.addEventListener('change', function () { attempt(function () { api.colorBy(tools.mode.value); }); });
tools.placed.addEventListener('change', function () { attempt(function () { api.showHeldout(tools.placed.checked); }); });
tools.images.addEventListener('change', function () { attempt(function () { api.imageMode(tools.images.value); }); });
tools.find.addEventListener('click', function () {
  attempt(function () { api.find(findSet.value, findRow.value === '' ? NaN : Number(findRow.value)); });
});
tools.play.addEventListener('click', function () {
  attempt(function () { api.morph(morphSet.value, morphFrom.value, morphTo.value); });
});
tools.reset.addEventListener('click', function () {
  attempt(function () { api.morph(morphSet.value, morphFrom.value, morphFrom.value, 0); });
});

// past two rows of panels (a sweep's cells) the panels keep a legible size and the page scrolls
var rowsOfPanels = (DATA.figure.layout.meta || {}).rows || 1;
if (rowsOfPanels > 2) { gd.style.height = (rowsOfPanels * 320 + 120) + 'px'; }
// WebGL at the screen's own resolution: Plotly's default of 2 on a 1x screen draws four times the pixels
// for the same picture (in software GL here: 1.5-2.5 s of a 70,000 x 8 page's first paint)
DATA.config.plotGlPixelRatio = Math.min(2, Math.max(1, window.devicePixelRatio || 1));
Plotly.newPlot(gd, DATA.figure.data, DATA.figure.layout, DATA.config).then(function () {
  gd.on('plotly_hover', onHover);
  gd.on('plotly_unhover', function () { hoverBox.style.display = 'none'; });
  gd.on('plotly_legendclick', onLegendClick);
  gd.on('plotly_legenddoubleclick', onLegendDoubleClick);
  gd.on('plotly_selected', onSelected);
  gd.on('plotly_deselect', clearSelection);
  gd.on('plotly_afterplot', images.soon);  // a zoom, a pan, a restyle: the images follow
  gd.on('plotly_relayouting', images.soon);  // while a pan is dragged
  lit.buildSoon(0);
  images.draw();  // notes each panel's opening view, against which a zoom is measured
  gd.dataset.ready = '1';
});
