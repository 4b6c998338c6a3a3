// fmnist-viz interactive page: show a point's 28 x 28 image while the mouse is over it.
// Plotly runs this after drawing the figure, with {plot_id} replaced by the plot's element id.
// The images come from the JSON in #fmnist-viz-sprites: per data set, base64 PNG sprite
// sheets of `per_sheet` images in rows of `columns`; a sheet is decoded on first use.
(function () {
  var gd = document.getElementById('{plot_id}');
  var sheets = JSON.parse(document.getElementById('fmnist-viz-sprites').textContent);
  var loaded = {};
  var SIZE = 112;
  var box = document.createElement('div');
  box.id = 'fmnist-viz-hover-image';
  var canvas = document.createElement('canvas');
  canvas.width = canvas.height = SIZE;
  box.appendChild(canvas);
  document.body.appendChild(box);
  var ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = false;

  function sheet(dataset, k) {
    var key = dataset + '/' + k;
    if (!loaded[key]) {
      var img = new Image();
      loaded[key] = img;
      img.src = 'data:image/png;base64,' + sheets[dataset].sheets[k];
    }
    return loaded[key];
  }

  function draw(dataset, row) {
    var meta = sheets[dataset];
    var k = Math.floor(row / meta.per_sheet), i = row % meta.per_sheet;
    var x = (i % meta.columns) * meta.w, y = Math.floor(i / meta.columns) * meta.h;
    var img = sheet(dataset, k);
    var paint = function () {
      ctx.clearRect(0, 0, SIZE, SIZE);
      ctx.drawImage(img, x, y, meta.w, meta.h, 0, 0, SIZE, SIZE);
      box.dataset.row = dataset + ':' + row;
    };
    if (img.complete && img.naturalWidth) { paint(); } else { img.onload = paint; }
  }

  gd.on('plotly_hover', function (ev) {
    var p = ev.points[0];
    draw(p.data.meta, p.customdata);
    var e = ev.event || {};
    box.style.left = ((e.clientX || 0) + 16) + 'px';
    box.style.top = ((e.clientY || 0) + 16) + 'px';
    box.style.display = 'block';
  });
  gd.on('plotly_unhover', function () { box.style.display = 'none'; });
})();
