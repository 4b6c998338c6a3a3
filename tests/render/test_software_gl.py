"""Where the browser draws WebGL in software (as here: headless Chromium without a GPU), the page shows each panel
through a 2D copy of its own rectangle of Plotly's WebGL canvas, so that a pan sends one panel's pixels to the screen
instead of the whole canvas; the copies show what the canvas itself would (checked against the same page told
it has a GPU). Plotly's second canvas, where it draws its own box selection, is hidden while it holds nothing and
not cleared again then."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from test_browser import browser, drag, pixel, screenshot  # noqa: F401 (browser: a fixture)
from test_images_layer import images_page, zoom_box
from test_views import cut, mouse, rects, wait

#: Makes the page's WebGL report a GPU's renderer, as a browser drawing WebGL on a GPU does.
GPU = """
    var get = WebGLRenderingContext.prototype.getParameter;
    WebGLRenderingContext.prototype.getParameter = function (name) {
        return name === 0x9246 ? 'ANGLE (NVIDIA, NVIDIA GeForce RTX 4090 Direct3D11)' : get.call(this, name);
    };
"""

#: Plotly's canvases: [the panels' canvas shown, its focus canvas shown, the number of 2D copies of panels].
CANVASES = """
    var c = document.getElementById('fmnist-viz-plot')._fullLayout._glcanvas.data();
    return [c[0].regl._gl.canvas.style.visibility !== 'hidden', c[1].regl._gl.canvas.style.visibility !== 'hidden',
            document.querySelectorAll('canvas.fmnist-viz-copy').length];
"""


def lit_and_zoomed(browser, tmp_path: Path) -> tuple[np.ndarray, dict, np.ndarray, dict]:  # noqa: F811
    """The images page with a selection lit and one panel zoomed into images, on the screen, and its panels' places;
    then the same with the page narrowed (Plotly lays the panels out again, smaller, on a canvas of a new size)."""
    results, _ = images_page(browser, tmp_path)
    browser.execute_script("window.fmnistViz.select('fashion', arguments[0])", [int(r) for r in results[0].index[::3]])
    wait(browser, "window.fmnistViz.view('fashion', 'umap', arguments[0])", zoom_box(results, "umap"))
    time.sleep(0.8)  # the selection's backgrounds are made in idle time
    wide, wide_rects = screenshot(browser), rects(browser)
    browser.execute_script("document.body.style.width = '800px'; window.dispatchEvent(new Event('resize'));")
    time.sleep(1.5)
    return wide, wide_rects, screenshot(browser), rects(browser)


@pytest.mark.slow
def test_software_gl_shows_each_panel_through_a_copy_drawn_as_the_canvas_would_show_it(
        browser, tmp_path: Path) -> None:  # noqa: F811
    copied = lit_and_zoomed(browser, tmp_path)
    assert browser.execute_script(CANVASES) == [False, False, 4]

    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": GPU})
    direct = lit_and_zoomed(browser, tmp_path)
    assert browser.execute_script(CANVASES)[0::2] == [True, 0]
    assert copied[1] == direct[1] and copied[3] == direct[3] and copied[1] != copied[3]
    for shots, where in ((0, 1), (2, 3)):  # the same pixels, but for the rounding of colours the canvas holds
        for name, rect in copied[where].items():
            a, b = cut(copied[shots], rect), cut(direct[shots], rect)
            assert np.abs(a - b).mean() < 0.001 and (np.abs(a - b) > 8 / 255).mean() < 0.001, (name, shots)
            assert (a < 0.9).any(axis=2).mean() > 0.01, name  # something is drawn there
    # and nothing else: the page outside the panels is the same too
    assert np.abs(copied[2] - direct[2]).mean() < 0.001


def test_plotlys_focus_canvas_is_hidden_and_left_alone_while_it_holds_nothing(browser, tmp_path: Path) -> None:  # noqa: F811
    results, _ = images_page(browser, tmp_path)
    browser.execute_script("""
        var gl = document.getElementById('fmnist-viz-plot')._fullLayout._glcanvas.data()[1].regl._gl, clear = gl.clear;
        window.focusClears = 0;
        gl.clear = function () { window.focusClears++; return clear.apply(this, arguments); };""")
    wait(browser, "window.fmnistViz.view('fashion', 'umap', arguments[0])", zoom_box(results, "umap"))
    wait(browser, "Plotly.relayout(document.getElementById('fmnist-viz-plot'), {dragmode: 'pan'})")
    x, y, w, h = rects(browser)["fashion umap"]
    mouse(browser, "mousePressed", x + w / 2, y + h / 2, button="left", buttons=1, clickCount=1)
    for step in range(1, 11):
        mouse(browser, "mouseMoved", x + w / 2 + 6 * step, y + h / 2, button="left", buttons=1)
    mouse(browser, "mouseReleased", x + w / 2 + 60, y + h / 2, button="left", buttons=0, clickCount=1)
    time.sleep(0.3)
    assert browser.execute_script("return window.focusClears") == 0
    assert browser.execute_script(CANVASES)[1] is False

    # a box dragged with Plotly's select tool: Plotly draws its points on the focus canvas, which shows
    wait(browser, "Plotly.relayout(document.getElementById('fmnist-viz-plot'), {dragmode: 'select'})")
    pca = results[0].embedding
    lo, hi = np.percentile(pca, 20, axis=0).tolist(), np.percentile(pca, 80, axis=0).tolist()
    drag(browser, pixel(browser, 0, lo[0], hi[1]), pixel(browser, 0, hi[0], lo[1]))
    time.sleep(0.5)
    assert len(browser.execute_script("return window.fmnistViz.selection()")) > 0
    assert browser.execute_script(CANVASES)[1] is True
