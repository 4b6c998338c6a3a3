"""Zooms and pans in real headless Chromium, made with the mouse as a user makes them: a pan moves its own panel
only (every other panel's pixels stay as they were, lit selection included) and draws it as a fresh page drawn at
that view does, images following; Plotly's layout holds the new view (a full replot keeps it); a wheel zoom turns
dots into images and a double click brings the opening view back. A panel zoomed in draws only the points in its
view, and every one of them, to its edges (WebGL draws no point whose centre lies beyond them)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from test_browser import browser, open_page, screenshot  # noqa: F401 (browser: a fixture)
from test_images_layer import correlation, grey, images_page, placed, whole, zoom_box

RECTS = """
    var g = document.getElementById('fmnist-viz-plot'), L = g._fullLayout, box = g.getBoundingClientRect();
    return g._fullData.filter(function (t) { return t.meta && t.meta.role === 'points'; }).map(function (t) {
        var xa = L[t.xaxis.replace('x', 'xaxis')], ya = L[t.yaxis.replace('y', 'yaxis')];
        return [t.meta.dataset + ' ' + t.meta.method, box.left + xa._offset, box.top + ya._offset, xa._length,
                ya._length];
    });
"""


def rects(browser) -> dict[str, tuple[int, int, int, int]]:  # noqa: F811
    """Each panel's rectangle on the screen, [left, top, width, height], by "dataset method"."""
    return {name: tuple(int(round(v)) for v in r) for name, *r in browser.execute_script(RECTS)}


def cut(shot: np.ndarray, rect: tuple[int, int, int, int]) -> np.ndarray:
    x, y, w, h = rect
    return shot[y + 2:y + h - 2, x + 2:x + w - 2]


def wait(browser, script: str, *args: object) -> object:  # noqa: F811
    """The value a Promise made by ``script`` (a JS expression) resolves to."""
    return browser.execute_async_script(f"var done = arguments[arguments.length - 1]; Promise.resolve({script})"
                                        ".then(function (v) { done(v === undefined ? null : v); });", *args)


def mouse(browser, kind: str, x: float, y: float, **more: object) -> None:  # noqa: F811
    browser.execute_cdp_cmd("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, **more})


def view_of(browser, method: str) -> np.ndarray:  # noqa: F811
    return np.array(browser.execute_script("return window.fmnistViz.viewOf('fashion', arguments[0])", method))


@pytest.mark.slow
def test_a_mouse_pan_moves_its_panel_only_and_draws_it_as_a_fresh_view_would(browser, tmp_path: Path) -> None:  # noqa: F811
    results, images = images_page(browser, tmp_path)
    lit = [int(r) for r in results[0].index[::3]]
    box = zoom_box(results, "umap")
    browser.execute_script("window.fmnistViz.select('fashion', arguments[0])", lit)
    wait(browser, "window.fmnistViz.view('fashion', 'umap', arguments[0])", box)
    wait(browser, "Plotly.relayout(document.getElementById('fmnist-viz-plot'), {dragmode: 'pan'})")
    time.sleep(0.8)  # the selection's backgrounds are made in idle time
    where = rects(browser)
    before, v0 = screenshot(browser), view_of(browser, "umap")

    x, y, w, h = where["fashion umap"]
    mouse(browser, "mousePressed", x + w / 2, y + h / 2, button="left", buttons=1, clickCount=1)
    for step in range(1, 11):  # 60 px right and 30 px down, as the mouse sends it
        mouse(browser, "mouseMoved", x + w / 2 + 6 * step, y + h / 2 + 3 * step, button="left", buttons=1)
    mouse(browser, "mouseReleased", x + w / 2 + 60, y + h / 2 + 30, button="left", buttons=0, clickCount=1)
    time.sleep(0.5)
    after, v1 = screenshot(browser), view_of(browser, "umap")

    unit = (v0[1] - v0[0]) / w  # data per pixel, the same both ways
    assert np.allclose(v1 - v0, [-60 * unit, -60 * unit, 30 * unit, 30 * unit], atol=0.05 * 60 * unit)
    for name, rect in where.items():
        change = np.abs(cut(after, rect) - cut(before, rect)).mean()
        assert (change > 0.01) if name == "fashion umap" else (change < 0.002), (name, change)
    rows, centres = whole(browser, "umap",
                          browser.execute_script("return window.fmnistViz.imagesShown('fashion', 'umap')"))
    assert len(rows) >= 5
    for row, centre in zip(rows, centres, strict=True):  # each image moved with its point
        truth = 255 - images["fashion"][row][3:-3, 3:-3].astype(float)  # dark on white, as the sheets hold them
        assert correlation(grey(after, centre, truth), truth) > 0.9

    # Plotly holds the view: a full replot draws the same
    wait(browser, "Plotly.relayout(document.getElementById('fmnist-viz-plot'), {dragmode: 'select'})"
                  ".then(function () { return Plotly.redraw(document.getElementById('fmnist-viz-plot')); })")
    assert np.allclose(view_of(browser, "umap"), v1, rtol=0, atol=1e-9 * (v1[1] - v1[0]))

    # a fresh page shown that view with that selection draws the panel as the pan left it
    images_page(browser, tmp_path)
    browser.execute_script("window.fmnistViz.select('fashion', arguments[0])", lit)
    wait(browser, "window.fmnistViz.view('fashion', 'umap', arguments[0])", [float(v) for v in v1])
    time.sleep(0.8)
    fresh = screenshot(browser)
    assert np.abs(cut(fresh, where["fashion umap"]) - cut(after, where["fashion umap"])).mean() < 0.004


def test_a_wheel_zoom_turns_dots_into_images_and_a_double_click_brings_back_the_opening_view(
        browser, tmp_path: Path) -> None:  # noqa: F811
    images_page(browser, tmp_path)
    opening, other = view_of(browser, "umap"), view_of(browser, "pca")
    x, y, w, h = rects(browser)["fashion umap"]
    mouse(browser, "mouseMoved", x + w / 2, y + h / 2)
    for _ in range(15):  # Plotly zooms 10% a notch: a quarter across
        mouse(browser, "mouseWheel", x + w / 2, y + h / 2, deltaX=0, deltaY=-100)
    time.sleep(0.8)  # Plotly ends a wheel zoom 0.5 s after the last turn
    zoomed = view_of(browser, "umap")
    assert (zoomed[1] - zoomed[0]) < (opening[1] - opening[0]) / 3
    shown = "return window.fmnistViz.imagesShown('fashion', arguments[0]).length"
    assert browser.execute_script(shown, "umap") >= 5
    assert browser.execute_script(shown, "pca") == 0
    assert np.array_equal(view_of(browser, "pca"), other)  # the other panels' views untouched

    # a double click with the zoom or pan tool (with the select tool it clears the selection)
    wait(browser, "Plotly.relayout(document.getElementById('fmnist-viz-plot'), {dragmode: 'pan'})")
    mouse(browser, "mouseMoved", x + w / 2, y + h / 2)
    for _ in range(2):
        mouse(browser, "mousePressed", x + w / 2, y + h / 2, button="left", buttons=1, clickCount=_ + 1)
        mouse(browser, "mouseReleased", x + w / 2, y + h / 2, button="left", buttons=0, clickCount=_ + 1)
    time.sleep(0.8)
    assert np.allclose(view_of(browser, "umap"), opening, rtol=0, atol=1e-6 * (opening[1] - opening[0]))
    assert browser.execute_script(shown, "umap") == 0


def test_a_zoomed_panel_draws_every_point_in_its_view_to_its_edges(browser, tmp_path: Path) -> None:  # noqa: F811
    results, _ = images_page(browser, tmp_path)
    browser.execute_script("window.fmnistViz.imageMode('dots')")
    x, y, w, h = rects(browser)["fashion umap"]
    rows, xy = results[1].index, results[1].embedding
    x0, x1, y0, y1 = zoom_box(results, "umap")
    unit = (x1 - x0) / w  # data per px once zoomed
    # a point away from others (8 px), which the view holds 1.5 px inside its right edge
    gaps = np.linalg.norm(xy[:, None] - xy[None], axis=2)
    np.fill_diagonal(gaps, np.inf)
    inside = (xy[:, 0] > x0 + (x1 - x0) / 2) & (xy[:, 0] < x1) & (abs(xy[:, 1] - (y0 + y1) / 2) < (y1 - y0) / 4)
    edge = int(np.flatnonzero(inside & (gaps.min(axis=1) > 8 * unit))[0])
    right = xy[edge, 0] + 1.5 * unit
    middle = xy[edge, 1]
    # the box's x range binds (its y range is the narrower for the panel's shape): the view ends there exactly
    box = [right - (x1 - x0), right, middle - 0.3 * (x1 - x0), middle + 0.3 * (x1 - x0)]
    wait(browser, "window.fmnistViz.view('fashion', 'umap', arguments[0])", [float(v) for v in box])
    assert abs(view_of(browser, "umap")[1] - right) < 1e-6 * (x1 - x0)
    shot = screenshot(browser)

    where = placed(browser, "umap", [int(r) for r in rows])
    ex, ey = where[rows.tolist().index(rows[edge])]
    assert x + w - 2.5 < ex < x + w - 0.5

    def drawn(px: float, py: float) -> bool:  # a marker there (Plotly draws one up to 2 px left of its place)
        return bool(shot[int(py) - 1:int(py) + 2, int(px) - 3:int(px) + 2].min() < 0.9)

    assert drawn(ex, ey)
    seen = (where[:, 0] > x + 1) & (where[:, 0] < x + w - 1) & (where[:, 1] > y + 1) & (where[:, 1] < y + h - 1)
    assert 20 < seen.sum() < len(rows) / 4  # a panel zoomed in: a few of its points in view
    assert all(drawn(px, py) for px, py in where[seen])  # every one of them drawn
