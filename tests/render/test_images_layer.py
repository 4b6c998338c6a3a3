"""Images instead of dots, in real headless Chromium: a panel zoomed in draws its points as their own images (the
screen checked against the data), none piled on another, faded by a selection, dots again when zoomed out; the
page's API for it refuses what it cannot do."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_browser import browser, open_page, screenshot, two_methods, write_html  # noqa: F401 (browser: a fixture)

from fmnist_viz.render.page import interactive_figure

IMAGE = 28  # the images' side on screen (page/images.js)


def images_page(browser, tmp_path: Path) -> tuple[list, dict[str, np.ndarray]]:  # noqa: F811
    """A page of two methods whose every image is distinct noise (so an image on screen is told from its
    neighbours')."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    rng = np.random.default_rng(5)
    images = {"fashion": rng.integers(0, 256, (1200, 28, 28)).astype(np.uint8),
              "mnist": rng.integers(0, 256, (900, 28, 28)).astype(np.uint8)}
    results = two_methods()
    open_page(browser, write_html(interactive_figure(results, seed=2), tmp_path / "page.html", images))
    return results, images


def placed(browser, method: str, rows: list[int]) -> np.ndarray:  # noqa: F811
    """Where rows of a Fashion panel are drawn now, in screen pixels."""
    return np.array(browser.execute_script("""
        var g = document.getElementById('fmnist-viz-plot'), L = g._fullLayout, box = g.getBoundingClientRect();
        var method = arguments[0], rows = arguments[1];
        var t = g._fullData.filter(function (t) { return t.meta.role === 'points' && t.meta.method === method
                                                  && t.meta.dataset === 'fashion'; })[0];
        var xa = L[t.xaxis.replace('x', 'xaxis')], ya = L[t.yaxis.replace('y', 'yaxis')];
        return rows.map(function (r) {
            var p = window.fmnistViz.position('fashion', method, r);
            return [box.left + xa._offset + xa.l2p(p[0]), box.top + ya._offset + ya.l2p(p[1])]; });
    """, method, rows))


def grey(shot: np.ndarray, centre: np.ndarray, image: np.ndarray | None = None) -> np.ndarray:
    """The screen pixels an image centred there covers, frame left out, as grey levels in [0, 255]. With
    ``image`` (what should be there), of the placements a pixel either way (an image centred between pixels
    lands on one or the other), the one most like it."""
    def at(dx: int, dy: int) -> np.ndarray:
        left, top = (np.floor(centre) - IMAGE / 2).astype(int) + [dx, dy]
        return shot[top + 3:top + IMAGE - 3, left + 3:left + IMAGE - 3].mean(axis=2) * 255

    if image is None:
        return at(0, 0)
    return max((at(dx, dy) for dx in (0, 1) for dy in (0, 1)), key=lambda g: correlation(g, image))


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def whole(browser, method: str, rows: list[int]) -> tuple[list[int], np.ndarray]:  # noqa: F811
    """Of rows drawn as images in a Fashion panel, those whole on screen (those at the panel's edge are cut by it),
    and where they are."""
    centres = placed(browser, method, rows)
    left, top, right, bottom = browser.execute_script("""
        var g = document.getElementById('fmnist-viz-plot'), L = g._fullLayout, box = g.getBoundingClientRect();
        var method = arguments[0];
        var t = g._fullData.filter(function (t) { return t.meta.method === method && t.meta.dataset === 'fashion'
                                                  && t.meta.role === 'points'; })[0];
        var xa = L[t.xaxis.replace('x', 'xaxis')], ya = L[t.yaxis.replace('y', 'yaxis')];
        return [box.left + xa._offset, box.top + ya._offset, box.left + xa._offset + xa._length,
                box.top + ya._offset + ya._length];""", method)
    inside = ((centres[:, 0] - IMAGE / 2 >= left) & (centres[:, 0] + IMAGE / 2 <= right)
              & (centres[:, 1] - IMAGE / 2 >= top) & (centres[:, 1] + IMAGE / 2 <= bottom))
    return [r for r, w in zip(rows, inside, strict=True) if w], centres[inside]


def zoom_box(results: list, method: str) -> list[float]:
    xy = results[1 if method == "umap" else 0].embedding
    x, y = np.median(xy, axis=0)
    half = 0.12 * (xy.max(axis=0) - xy.min(axis=0)).max()
    return [float(x - half), float(x + half), float(y - half), float(y + half)]


def test_a_panel_zoomed_in_draws_its_points_as_their_own_images(browser, tmp_path: Path) -> None:  # noqa: F811
    results, images = images_page(browser, tmp_path)
    assert browser.execute_script("return window.fmnistViz.imagesShown('fashion', 'umap')") == []  # zoomed out
    rows = browser.execute_async_script("var done = arguments[arguments.length - 1];"
                                        "window.fmnistViz.view('fashion', 'umap', arguments[0]).then(done);",
                                        zoom_box(results, "umap"))
    assert len(rows) >= 5
    assert browser.execute_script("return window.fmnistViz.imagesShown('fashion', 'pca')") == []  # not zoomed
    shot = screenshot(browser)
    centres = placed(browser, "umap", rows)
    # no two images overlap
    gaps = np.abs(centres[:, None] - centres[None]).max(axis=2)
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() >= IMAGE - 1
    rows, centres = whole(browser, "umap", rows)
    assert len(rows) >= 5
    # each image on screen is its own row's (the sheets hold 16 grey levels, dark on white)
    index = {int(r): i for i, r in enumerate(results[1].index)}
    own, other = [], []
    for row, centre in zip(rows, centres, strict=True):
        truth = 255 - images["fashion"][row][3:-3, 3:-3].astype(float)
        shown = grey(shot, centre, truth)
        neighbour = 255 - images["fashion"][results[1].index[(index[row] + 1) % len(index)]][3:-3, 3:-3]
        own.append(correlation(shown, truth))
        other.append(abs(correlation(shown, neighbour.astype(float))))
    assert min(own) > 0.9 and max(other) < 0.3, (own, other)
    # a selection fades the images it leaves out
    lit = [int(r) for r in rows[: len(rows) // 2]]
    browser.execute_script("window.fmnistViz.select('fashion', arguments[0])", lit)
    faded = screenshot(browser)
    for row, centre in zip(rows, centres, strict=True):
        truth = 255 - images["fashion"][row][3:-3, 3:-3].astype(float)
        before, after = grey(shot, centre, truth), grey(faded, centre, truth)
        if row in lit:
            assert correlation(before, after) > 0.9
        else:
            assert after.std() < 0.5 * before.std()  # washed out towards the background
    # zoomed out again: dots
    browser.execute_script("window.fmnistViz.clear()")
    browser.execute_async_script("var done = arguments[arguments.length - 1];"
                                 "window.fmnistViz.view('fashion', 'umap', arguments[0]).then(done);",
                                 [-1e3, 1e3, -1e3, 1e3])
    assert browser.execute_script("return window.fmnistViz.imagesShown('fashion', 'umap')") == []


def test_images_can_be_forced_or_turned_off(browser, tmp_path: Path) -> None:  # noqa: F811
    images_page(browser, tmp_path)
    browser.execute_script("window.fmnistViz.imageMode('images')")
    browser.execute_async_script("var done = arguments[arguments.length - 1];"
                                 "requestAnimationFrame(function () { requestAnimationFrame(done); });")
    assert len(browser.execute_script("return window.fmnistViz.imagesShown('fashion', 'pca')")) > 20
    assert browser.execute_script("return document.querySelector('#fmnist-viz-tools select:nth-of-type(1)') && "
                                  "Array.from(document.querySelectorAll('#fmnist-viz-tools select'))"
                                  ".some(function (s) { return s.value === 'images'; })")
    browser.execute_script("window.fmnistViz.imageMode('dots')")
    browser.execute_async_script("var done = arguments[arguments.length - 1];"
                                 "requestAnimationFrame(function () { requestAnimationFrame(done); });")
    assert browser.execute_script("return window.fmnistViz.imagesShown('fashion', 'pca')") == []


@pytest.mark.parametrize(("call", "message"), [
    ("view('fashion', 'umap', [1, 0, 0, 1])", "box must be [x0, x1, y0, y1]"),
    ("view('fashion', 'umap', [0, 1, 0])", "box must be [x0, x1, y0, y1]"),
    ("view('fashion', 'umap', [0, 1, 0, 'a'])", "box must be [x0, x1, y0, y1]"),
    ("view('fashion', 'tsne', [0, 1, 0, 1])", "no panel of fashion by \"tsne\""),
    ("view('cifar', 'umap', [0, 1, 0, 1])", "unknown data set"),
    ("imageMode('sometimes')", "mode must be auto, dots or images"),
])
def test_the_images_api_refuses_what_it_cannot_do(browser, tmp_path: Path, call: str,  # noqa: F811
                                                   message: str) -> None:
    images_page(browser, tmp_path)
    with pytest.raises(Exception, match=message.replace("[", r"\[").replace("]", r"\]")):
        browser.execute_script(f"return window.fmnistViz.{call}")  # view's Promise rejects


def test_a_view_it_cannot_show_is_refused_and_null_goes_back_to_the_opening_view(browser,  # noqa: F811
                                                                                   tmp_path: Path) -> None:
    results, _ = images_page(browser, tmp_path)
    view_of = "return window.fmnistViz.viewOf('fashion', 'umap')"
    opening = browser.execute_script(view_of)
    resolve = ("var done = arguments[arguments.length - 1]; window.fmnistViz.view('fashion', 'umap', arguments[0])"
               ".then(done, function (e) { done('rejected: ' + e.message); });")
    assert len(browser.execute_async_script(resolve, zoom_box(results, "umap"))) >= 5  # zoomed in: images
    zoomed = browser.execute_script(view_of)
    xy = results[1].embedding
    far = float(xy[:, 0].max()) + 1000
    for box, message in (([-1e308, 1e308, -1e308, 1e308], "is too large to show"),
                         ([0, 5e-324, 0, 5e-324], "is too small to show"),
                         ([far, far + 1, 0, 1], "holds none of the panel's points, which lie in x"),
                         ([0, 1, 0], "must be [x0, x1, y0, y1]")):
        said = browser.execute_async_script(resolve, box)
        assert said.startswith("rejected: fmnistViz.view: box ") and message in said, said
        assert browser.execute_script(view_of) == zoomed  # the panel left as it was, never blank
    assert browser.execute_async_script(resolve, None) == []  # back at the opening view: no images
    assert np.allclose(browser.execute_script(view_of), opening, rtol=0, atol=1e-9 * (opening[1] - opening[0]))
    assert browser.execute_script("return window.fmnistViz.imagesShown('fashion', 'umap')") == []
