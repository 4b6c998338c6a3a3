// fmnist-viz interactive page, part 13: the page's one patch of a browser built-in, kept here alone.
// WebGL without multisampling: Plotly asks for antialiasing, four samples a pixel, which in software GL doubles
// the time every drawing takes (190 against 380 ms for four 70,000-point panels here); its points are already
// smoothed at their edges by their own shader, so they look the same. Plotly hard-codes the attribute where it
// makes its WebGL context (plotly.js, lib/prepare_regl.js), so the only way to ask for less is to answer its
// request: canvases inside this page's plot get their WebGL context without antialiasing, every other canvas
// (and every 2D context) exactly as asked. tests/render/test_browser.py checks both.
var getContext = HTMLCanvasElement.prototype.getContext;
HTMLCanvasElement.prototype.getContext = function (type, attributes) {
  if (/webgl/.test(type) && gd.contains(this)) { attributes = Object.assign({}, attributes, {antialias: false}); }
  return getContext.call(this, type, attributes);
};
