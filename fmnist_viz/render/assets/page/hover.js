// fmnist-viz interactive page, part 7: the hover image, with the point's class and row under it; the image
// sheets, decoded on first use, which the selection pane and Find draw from too.
var SIZE = 140;
var hoverBox = document.createElement('div');
hoverBox.id = 'fmnist-viz-hover-image';
var canvas = document.createElement('canvas');
canvas.width = canvas.height = SIZE;
var caption = document.createElement('div');
caption.className = 'caption';
hoverBox.appendChild(canvas);
hoverBox.appendChild(caption);
document.body.appendChild(hoverBox);

function sheet(d, k) {
  var key = d.name + '/' + k;
  if (!loadedSheets[key]) {
    var img = new Image();
    loadedSheets[key] = img;
    img.src = 'data:image/png;base64,' + d.sheets[k];
  }
  return loadedSheets[key];
}

// Draw the image of point `slot` of data set `d` into a canvas context, scaled to size x size.
function drawImage(ctx, d, slot, size, done) {
  var k = Math.floor(slot / d.per_sheet), i = slot % d.per_sheet;
  var x = (i % d.columns) * d.w, y = Math.floor(i / d.columns) * d.h;
  var img = sheet(d, k);
  var paint = function () {
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, size, size);
    ctx.drawImage(img, x, y, d.w, d.h, 0, 0, size, size);
    if (done) { done(); }
  };
  if (img.complete && img.naturalWidth) { paint(); } else { img.addEventListener('load', paint); }
}

function onHover(ev) {
  var p = ev.points[0], panel = panelOf(p.curveNumber);
  if (!panel) { return; }
  var d = panel.dataset, slot = p.pointNumber, row = d.rows[slot];
  caption.textContent = d.classes[d.labels[slot]] + ' \u00b7 ' + d.title + ' row ' + row +
    (d.placed && d.placed[slot] ? ' \u00b7 held out, placed' : '');
  drawImage(canvas.getContext('2d'), d, slot, SIZE, function () { hoverBox.dataset.row = d.name + ':' + row; });
  var e = ev.event || {};
  var left = (e.clientX || 0) + 16, top = (e.clientY || 0) + 16;
  hoverBox.style.display = 'block';
  // keep the hoverBox inside the window
  if (left + hoverBox.offsetWidth > window.innerWidth) { left = (e.clientX || 0) - 16 - hoverBox.offsetWidth; }
  if (top + hoverBox.offsetHeight > window.innerHeight) { top = (e.clientY || 0) - 16 - hoverBox.offsetHeight; }
  hoverBox.style.left = left + 'px';
  hoverBox.style.top = top + 'px';
}
