"""The interactive page in real headless Chromium: it paints, and hovering a point shows its image."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.outputs.explorer import write_page
from fmnist_viz.render.page import drawn_rows, interactive_figure
from fmnist_viz.render.sprites import hover_images
from fmnist_viz.render.style import CLASS_COLORS, COLOR_SCALES, draw_order

from conftest import fake_result as result

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


def write_html(fig, path: Path, images: dict[str, np.ndarray], **options: str) -> Path:  # type: ignore[no-untyped-def]
    """A page of ``fig`` with the hover images of the rows it draws (as fmnist_viz.page builds one); ``options``:
    write_page's ``plotly_js`` and ``title``."""
    return write_page(fig, path, hover_images(images, drawn_rows(fig)), **options)


@pytest.fixture
def browser():
    if not (CHROMIUM and DRIVER):
        pytest.skip("headless Chromium not installed (Debian packages chromium and chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def open_page(browser, path: Path) -> None:
    browser.get(path.as_uri())
    deadline = time.time() + 30
    while time.time() < deadline and not browser.execute_script(
            "var g = document.getElementById('fmnist-viz-plot'); return !!(g && g.dataset.ready);"):
        time.sleep(0.2)


def test_hovering_a_point_shows_its_image_class_and_row(browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    r = result("fashion", 400, 3)
    r.embedding[:] = np.random.default_rng(0).uniform(-1, 1, (400, 2))
    images = np.zeros((1200, 28, 28), np.uint8)
    images[r.index[r.labels == 0]] = 255  # the images of class 0 are solid, the others blank
    fig = interactive_figure([r], max_points=300, seed=4)  # a subset: images are found by drawing order
    page = write_html(fig, tmp_path / "page.html", {"fashion": images})
    open_page(browser, page)
    target = int(np.flatnonzero(r.labels[draw_order(400, 4)[:300]] == 0)[0])
    point = draw_order(400, 4)[target]
    x, y = browser.execute_script("""
        var g = document.getElementById('fmnist-viz-plot'), L = g._fullLayout;
        var box = g.getBoundingClientRect();
        return [box.left + L.xaxis._offset + L.xaxis.l2p(arguments[0]),
                box.top + L.yaxis._offset + L.yaxis.l2p(arguments[1])];
    """, float(r.embedding[point, 0]), float(r.embedding[point, 1]))
    body = browser.find_element("tag name", "body")
    ActionChains(browser).move_to_element_with_offset(body, 0, 0).perform()
    size = body.size
    ActionChains(browser).move_to_element_with_offset(
        body, int(x - size["width"] / 2), int(y - size["height"] / 2)).perform()
    deadline = time.time() + 15
    shown = None
    while time.time() < deadline:
        shown = browser.execute_script("""
            var b = document.getElementById('fmnist-viz-hover-image');
            if (!b || b.style.display !== 'block' || !b.dataset.row) return null;
            var d = b.querySelector('canvas').getContext('2d').getImageData(0, 0, 140, 140).data, dark = 0;
            for (var i = 0; i < d.length; i += 4) if (d[i] < 64) dark++;
            return [b.dataset.row, dark, b.querySelector('.caption').textContent];
        """)
        if shown and shown[1] > 0:
            break
        time.sleep(0.2)
    assert shown is not None, "no hover image appeared"
    assert shown[0] == f"fashion:{r.index[point]}"
    assert shown[2] == f"c0 \u00b7 FASHION row {r.index[point]}"
    assert shown[1] > 140 * 140 * 0.9  # the solid image, scaled to 140 x 140


def test_legend_clicks_toggle_and_isolate_a_class_of_one_data_set(browser, tmp_path: Path) -> None:
    a, b = result("fashion", 600, 1), result("mnist", 500, 2)
    a.class_names = tuple(f"f{i}" for i in range(10))
    page = write_html(interactive_figure([a, b]), tmp_path / "page.html",
                      {"fashion": np.zeros((1800, 28, 28), np.uint8), "mnist": np.zeros((1500, 28, 28), np.uint8)})
    open_page(browser, page)

    def entry(name: str):
        for item in browser.find_elements("css selector", "g.traces"):
            if item.text == name:
                return item.find_element("css selector", "rect[class$=toggle]")  # legendtoggle, legend2toggle
        raise AssertionError(f"no legend entry {name!r}")

    def shown() -> list[int]:  # points still drawn per panel
        return browser.execute_script("""
            return document.getElementById('fmnist-viz-plot')._fullData
                .filter(function (t) { return t.meta.role === 'points'; })
                .map(function (t) { var n = 0; for (var i = 0; i < t.x.length; i++) if (!isNaN(t.x[i])) n++;
                                    return n; });""")

    def settle(expected: list[int]) -> None:
        deadline = time.time() + 10
        while time.time() < deadline and shown() != expected:
            time.sleep(0.1)
        assert shown() == expected

    from selenium.webdriver.common.action_chains import ActionChains

    settle([600, 500])
    entry("f3").click()
    settle([600 - int((a.labels == 3).sum()), 500])  # only Fashion's class 3: MNIST's legend is its own
    entry("f3").click()
    settle([600, 500])
    ActionChains(browser).double_click(entry("c7")).perform()
    settle([600, int((b.labels == 7).sum())])  # MNIST's 7s alone
    ActionChains(browser).double_click(entry("c7")).perform()
    settle([600, 500])


def test_a_page_built_from_hostile_names_runs_none_of_them(browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    img = "<img src=x onerror=window.__owned=1>"  # a plain file name: allowed as a data set name
    script = "</script><script>window.__owned=1</script>"
    r = result(img, 200, 5)
    r.title = f'{script}"><svg onload=window.__owned=1>'
    r.class_names = (img, script, *r.class_names[2:])
    page = write_html(interactive_figure([r]), tmp_path / "page.html", {img: np.zeros((600, 28, 28), np.uint8)},
                      title=script)
    open_page(browser, page)
    time.sleep(1)  # onerror/onload handlers would have fired by now
    x, y = browser.execute_script("""
        var g = document.getElementById('fmnist-viz-plot'), L = g._fullLayout, t = g._fullData[0];
        var box = g.getBoundingClientRect();
        return [box.left + L.xaxis._offset + L.xaxis.l2p(t.x[0]), box.top + L.yaxis._offset + L.yaxis.l2p(t.y[0])];
    """)
    body = browser.find_element("tag name", "body")
    ActionChains(browser).move_to_element_with_offset(body, 0, 0).perform()
    ActionChains(browser).move_to_element_with_offset(
        body, int(x - body.size["width"] / 2), int(y - body.size["height"] / 2)).perform()
    deadline = time.time() + 10
    caption = ""
    while time.time() < deadline and not caption:
        caption = browser.execute_script("var c = document.querySelector('#fmnist-viz-hover-image .caption');"
                                         "return c && c.parentNode.style.display === 'block' ? c.textContent : '';")
        time.sleep(0.2)
    assert browser.execute_script("return window.__owned") is None  # nothing ran
    assert browser.title == script  # shown as text
    legend = [e.text for e in browser.find_elements("css selector", "g.traces")]
    assert legend[:2] == [img, script]  # the names are shown literally
    assert r.title in caption or img in caption or script in caption
    assert not browser.find_elements("css selector", "svg[onload], img[onerror]")


def two_methods(n: int = 400):
    """PCA and UMAP results of one data set (same rows), and a second data set."""
    a = result("fashion", n, 1)
    a.method = "pca"
    b = result("fashion", n, 2)
    b.method, b.index, b.labels = "umap", a.index, a.labels
    c = result("mnist", 300, 3)
    c.method = "pca"
    d = result("mnist", 300, 4)
    d.method, d.index, d.labels = "umap", c.index, c.labels
    return [a, b, c, d]


def pixel(browser, trace: int, x: float, y: float) -> tuple[float, float]:
    """Where data point (x, y) of the panel holding ``trace`` is on the screen."""
    return browser.execute_script("""
        var g = document.getElementById('fmnist-viz-plot'), t = g._fullData[arguments[0]], L = g._fullLayout;
        var xa = L[t.xaxis.replace('x', 'xaxis')], ya = L[t.yaxis.replace('y', 'yaxis')];
        var box = g.getBoundingClientRect();
        return [box.left + xa._offset + xa.l2p(arguments[1]), box.top + ya._offset + ya.l2p(arguments[2])];
    """, trace, x, y)


def outline_of_box(browser) -> tuple[float, float, float, float]:
    """Where the box selection Plotly draws over the first panel is on the screen: x0, y0, x1, y1 in px."""
    x0, x1, y0, y1 = browser.execute_script("var s = document.getElementById('fmnist-viz-plot')"
                                            "._fullLayout.selections[0]; return [s.x0, s.x1, s.y0, s.y1];")
    left, top = pixel(browser, 0, min(x0, x1), max(y0, y1))
    right, bottom = pixel(browser, 0, max(x0, x1), min(y0, y1))
    return left, top, right, bottom


def drag(browser, start: tuple[float, float], end: tuple[float, float]) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    body = browser.find_element("tag name", "body")
    w, h = body.size["width"], body.size["height"]
    ActionChains(browser).move_to_element_with_offset(body, int(start[0] - w / 2), int(start[1] - h / 2)) \
        .click_and_hold().move_by_offset(10, 10) \
        .move_to_element_with_offset(body, int(end[0] - w / 2), int(end[1] - h / 2)).release().perform()


def test_a_box_drag_selects_in_every_panel_of_the_data_set(browser, tmp_path: Path) -> None:
    results = two_methods()
    pca = results[0]
    images = {"fashion": np.zeros((1200, 28, 28), np.uint8), "mnist": np.zeros((900, 28, 28), np.uint8)}
    images["fashion"][pca.index] = 255  # drawn images are solid: thumbnails must show dark pixels
    page = write_html(interactive_figure(results, seed=3), tmp_path / "page.html", images)
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    open_page(browser, page)
    panels = browser.execute_script("return window.fmnistViz.panels()")
    assert panels == [{"dataset": "fashion", "method": "pca"}, {"dataset": "fashion", "method": "umap"},
                      {"dataset": "mnist", "method": "pca"}, {"dataset": "mnist", "method": "umap"}]
    x0, x1, y0, y1 = -0.6, 0.9, -0.5, 0.7  # data coordinates of the box in the PCA panel
    drag(browser, pixel(browser, 0, x0, y1), pixel(browser, 0, x1, y0))
    deadline = time.time() + 10
    chosen = None
    while time.time() < deadline and not chosen:
        chosen = browser.execute_script("return window.fmnistViz.selection()")
        time.sleep(0.1)
    # the box as Plotly drew it (the mouse moves in whole pixels), in data coordinates
    box = browser.execute_script("var s = document.getElementById('fmnist-viz-plot')._fullLayout.selections[0];"
                                 "return [s.x0, s.x1, s.y0, s.y1];")
    (bx0, bx1), (by0, by1) = sorted(box[:2]), sorted(box[2:])
    assert abs(bx0 - x0) < 0.05 and abs(by1 - y1) < 0.05
    xs, ys = pca.embedding[:, 0].astype(np.float64), pca.embedding[:, 1].astype(np.float64)
    inside = (xs >= bx0) & (xs <= bx1) & (ys >= by0) & (ys <= by1)
    expected = sorted(pca.index[inside].tolist())
    assert chosen["dataset"] == "fashion" and len(expected) > 50
    assert chosen["rows"] == expected
    # every panel of the data set draws exactly those rows at full strength and the others dimmed; MNIST's
    # panels stay as they were (seen on screen)
    shot = screenshot(browser)
    for panel, outline in ((0, outline_of_box(browser)), (1, None)):
        lit, dim = lit_and_dim(browser, shot, panel, chosen["rows"], outline)
        assert len(lit) == len(chosen["rows"]) if outline is None else len(lit) > 20
        assert strength(lit).min() > 0.14, panel
        assert len(dim) > 20 and np.percentile(strength(dim), 95) < 0.14, panel
    for panel in (2, 3):
        lit, dim = lit_and_dim(browser, shot, panel, [])
        assert np.percentile(strength(dim), 10) > 0.14, panel
    # the pane: the count, a thumbnail per point, drawn from the images
    pane = browser.execute_script("""
        var grid = document.getElementById('fmnist-viz-selection'), c = grid.querySelector('canvas');
        var d = c.getContext('2d').getImageData(0, 0, 56, 56).data, dark = 0;
        for (var i = 0; i < d.length; i += 4) if (d[i] < 64) dark++;
        return [grid.querySelectorAll('canvas').length, dark,
                document.querySelector('#fmnist-viz-pane .count').textContent];
    """)
    assert pane[0] == len(chosen["rows"]) and pane[1] > 56 * 56 * 0.9
    assert pane[2].startswith(f"{len(chosen['rows'])} of FASHION")
    browser.find_element("css selector", "#fmnist-viz-pane button[data-do=csv]").click()
    browser.find_element("css selector", "#fmnist-viz-pane button[data-do=json]").click()
    deadline = time.time() + 10
    while time.time() < deadline and not all((tmp_path / f"selection.{ext}").exists() for ext in ("csv", "json")):
        time.sleep(0.1)
    lines = (tmp_path / "selection.csv").read_text().splitlines()
    assert lines[0] == "dataset,row,class" and [int(line.split(",")[1]) for line in lines[1:]] == chosen["rows"]
    import json

    from fmnist_viz.data.selection import read_selection

    for name in ("selection.json", "selection.csv"):  # what the CLI's --rows-from and --highlight read
        replayed = read_selection(tmp_path / name)
        assert replayed.dataset == "fashion" and replayed.rows.tolist() == chosen["rows"]
    saved = json.loads((tmp_path / "selection.json").read_text())
    assert saved["dataset"] == "fashion" and saved["rows"] == chosen["rows"]
    assert saved["classes"] == [f"c{pca.labels[list(pca.index).index(r)]}" for r in chosen["rows"]]
    browser.find_element("css selector", "#fmnist-viz-pane button[data-do=clear]").click()
    assert browser.execute_script("return window.fmnistViz.selection()") is None
    # the box is gone too, and every point of both panels is drawn at full strength again
    assert browser.execute_script("return document.getElementById('fmnist-viz-plot').layout.selections") == []
    shot = screenshot(browser)
    for panel in (0, 1):
        _, everything = lit_and_dim(browser, shot, panel, [])
        assert np.percentile(strength(everything), 10) > 0.14, panel


def test_the_page_api_selects_by_row_and_reports_positions(browser, tmp_path: Path) -> None:
    results = two_methods()
    images = {"fashion": np.zeros((1200, 28, 28), np.uint8), "mnist": np.zeros((900, 28, 28), np.uint8)}
    open_page(browser, write_html(interactive_figure(results), tmp_path / "page.html", images))
    rows = [int(r) for r in results[1].index[[5, 1, 9]]]
    assert browser.execute_script("return window.fmnistViz.select('fashion', arguments[0])", rows) == {
        "dataset": "fashion", "rows": sorted(rows)}
    x, y = browser.execute_script("return window.fmnistViz.position('fashion', 'umap', arguments[0])", rows[0])
    assert (x, y) == pytest.approx(tuple(results[1].embedding[5]), abs=1e-5)
    for call, message in (("select('cifar', [1])", "unknown data set"),
                          ("position('fashion', 'tsne', arguments[0])", "no panel of fashion"),
                          ("selectionText('xml')", "format must be csv or json")):
        with pytest.raises(Exception, match=message):
            browser.execute_script(f"window.fmnistViz.select('fashion', [arguments[0]]); "
                                   f"return window.fmnistViz.{call}", rows[0])
    # rows are whole numbers, nothing coerced into one; unusable rows are refused, the selection left as it was
    browser.execute_script("window.fmnistViz.select('fashion', arguments[0])", rows)
    hexa, nested = f"0x{rows[0]:x}", f"[[{rows[0]}]]"
    for call, message in ((f"select('fashion', ['{hexa}'])", f'rows must be whole numbers; got "{hexa}" at position 0'),
                          (f"select('fashion', {nested})", f"got \\[{rows[0]}\\] at position 0"),
                          (f"select('fashion', [{rows[0]}, 1.5])", "got 1.5 at position 1"),
                          ("select('fashion', [99999])", "none of the 1 row.s. is drawn on this page"),
                          (f"find('fashion', '{hexa}')", f'find: row must be a whole number, got "{hexa}"'),
                          ("find('fashion', NaN)", "find: row must be a whole number, got NaN"),
                          ("morph('fashion', 'pca', 'umap', null)", "ms must be a duration from 0 to .* got null"),
                          ("morph('fashion', 'pca', 'umap', [100])", "ms must be a duration .* got \\[100\\]"),
                          ("morph('fashion', 'pca', 'umap', '100')", 'got "100"')):
        with pytest.raises(Exception, match=message):
            browser.execute_script(f"return window.fmnistViz.{call}")
    assert browser.execute_script("return window.fmnistViz.selection()") == {"dataset": "fashion",
                                                                             "rows": sorted(rows)}


def test_colour_by_find_and_morph(browser, tmp_path: Path) -> None:
    results = two_methods()
    for r in results:  # point-by-point measures as the pipeline would give them
        rng = np.random.default_rng(len(r))
        r.pointwise = {"disagreement": (rng.random(len(r)) < 0.3).astype(np.uint8),
                       "preservation": rng.integers(0, 11, len(r)) / 10}
    images = {"fashion": np.zeros((1200, 28, 28), np.uint8), "mnist": np.zeros((900, 28, 28), np.uint8)}
    fig = interactive_figure(results, seed=2)
    open_page(browser, write_html(fig, tmp_path / "page.html", images))
    order = draw_order(400, 2)

    def colours(panel: int) -> list[str]:
        return browser.execute_script("""
            var g = document.getElementById('fmnist-viz-plot');
            var t = g.data.filter(function (t) { return t.meta.role === 'points'; })[arguments[0]];
            return Array.from(t.marker.color, function (c) {  // as first plotted: [r, g, b] in [0, 1]
                return typeof c === 'string' ? c : '#' + c.map(function (v) {
                    return ('0' + Math.round(v * 255).toString(16)).slice(-2); }).join('').toUpperCase();
            });""", panel)

    assert colours(0) == [CLASS_COLORS[c] for c in results[0].labels[order]]
    browser.execute_script("window.fmnistViz.colorBy('disagreement')")
    assert colours(1) == [["#D9D9D9", "#D55E00"][v] for v in results[1].pointwise["disagreement"][order]]
    # on the screen: each point that no other covers is drawn in its measure's colour (0.7 opaque over white)
    flags = results[1].pointwise["disagreement"][order]
    ink = on_screen(browser, screenshot(browser), 1, results[1].embedding[order])
    alone = uncovered(browser, 1, results[1].embedding[order])
    for value, hex_colour in enumerate(COLOR_SCALES["disagreement"]):
        blended = 1 - 0.7 * (1 - np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]))
        mine = alone & (flags == value)
        assert mine.sum() > 10 and np.abs(ink[mine] - blended).max() < 0.08, value
    browser.execute_script("window.fmnistViz.colorBy('preservation')")
    assert colours(0)[:50] == [COLOR_SCALES["preservation"][round(v * 10)]
                               for v in results[0].pointwise["preservation"][order][:50]]
    with pytest.raises(Exception, match="mode must be class, disagreement or preservation"):
        browser.execute_script("window.fmnistViz.colorBy('rainbow')")
    browser.execute_script("window.fmnistViz.colorBy('class')")
    assert colours(0) == [CLASS_COLORS[c] for c in results[0].labels[order]]

    row = int(results[0].index[order[7]])
    assert browser.execute_script("return window.fmnistViz.find('fashion', arguments[0])", row) == {
        "dataset": "fashion", "row": row, "panels": 2}
    marks = browser.execute_script("""
        var g = document.getElementById('fmnist-viz-plot');
        return g.data.filter(function (t) { return t.meta.role === 'mark'; }).map(function (t) {
            return [t.meta.method, t.meta.dataset, Array.from(t.x), Array.from(t.y)]; });""")
    for method, dataset, xs, ys in marks:
        if dataset == "fashion":
            r = results[0] if method == "pca" else results[1]
            assert (xs[0], ys[0]) == pytest.approx(tuple(r.embedding[order[7]]), abs=1e-5)
        else:
            assert xs == [None] and ys == [None]  # nothing marked in MNIST
    assert browser.execute_script("return document.getElementById('fmnist-viz-found').style.display") == "block"
    with pytest.raises(Exception, match="row 99999 of fashion is not drawn"):
        browser.execute_script("window.fmnistViz.find('fashion', 99999)")

    browser.execute_script("window.fmnistViz.colorBy('class')")
    before = screenshot(browser)
    done = browser.execute_async_script(
        "var cb = arguments[arguments.length - 1];"
        "window.fmnistViz.morph('fashion', 'pca', 'umap', 300).then(cb);")
    assert done["frames"] >= 2
    x, y = browser.execute_script("return window.fmnistViz.position('fashion', 'pca', arguments[0])", row)
    assert (x, y) == pytest.approx(tuple(results[1].embedding[order[7]]), abs=1e-5)  # now at UMAP's place
    # on the screen: the PCA panel now draws each point at its UMAP place, in its class colour
    after = screenshot(browser)
    target = results[1].embedding[order]
    alone = uncovered(browser, 0, target)
    drawn = on_screen(browser, after, 0, target)[alone]
    expected = np.array([1 - 0.7 * (1 - np.array([int(CLASS_COLORS[c][i:i + 2], 16) / 255 for i in (1, 3, 5)]))
                         for c in results[0].labels[order][alone]])
    assert alone.sum() > 20 and np.median(np.abs(drawn - expected).max(axis=1)) < 0.08
    assert not np.array_equal(before, after)
    with pytest.raises(Exception, match='no panel of fashion by "tsne"'):
        browser.execute_script("window.fmnistViz.morph('fashion', 'pca', 'tsne')")


def screenshot(browser) -> np.ndarray:
    """The page on screen as RGB in [0, 1] (after the next two frames), without the boxes floating over the
    panels (selection pane, hover image, found row)."""
    import io

    import matplotlib.pyplot as plt

    boxes = "['fmnist-viz-pane', 'fmnist-viz-hover-image', 'fmnist-viz-found'].forEach(function (id) {" \
            "var e = document.getElementById(id); if (e) { e.style.visibility = '%s'; } });"
    browser.execute_async_script(boxes % "hidden" + "var done = arguments[arguments.length - 1];"
                                 "requestAnimationFrame(function () { requestAnimationFrame(done); });")
    shot = plt.imread(io.BytesIO(browser.get_screenshot_as_png()), format="png")[..., :3]
    browser.execute_script(boxes % "")
    return shot


def on_screen(browser, shot: np.ndarray, panel: int, xy: np.ndarray) -> np.ndarray:
    """The colours on the screen (RGB in [0, 1]) at data points ``xy`` of one points panel, by its axes alone."""
    where = browser.execute_script("""
        var g = document.getElementById('fmnist-viz-plot'), L = g._fullLayout, box = g.getBoundingClientRect();
        var t = g._fullData.filter(function (t) { return t.meta.role === 'points'; })[arguments[0]];
        var xa = L[t.xaxis.replace('x', 'xaxis')], ya = L[t.yaxis.replace('y', 'yaxis')];
        return arguments[1].map(function (p) {
            return [box.left + xa._offset + xa.l2p(p[0]), box.top + ya._offset + ya.l2p(p[1])]; });
    """, panel, np.asarray(xy, dtype=float).tolist())
    px = np.round(np.array(where)).astype(int)
    return shot[px[:, 1], px[:, 0]]


def uncovered(browser, panel: int, xy: np.ndarray, radius: float = 6.0) -> np.ndarray:
    """Which points of a panel no other point is drawn within ``radius`` px of (their centre shows their colour)."""
    px = np.array(browser.execute_script("""
        var g = document.getElementById('fmnist-viz-plot'), L = g._fullLayout;
        var t = g._fullData.filter(function (t) { return t.meta.role === 'points'; })[arguments[0]];
        var xa = L[t.xaxis.replace('x', 'xaxis')], ya = L[t.yaxis.replace('y', 'yaxis')];
        return arguments[1].map(function (p) { return [xa.l2p(p[0]), ya.l2p(p[1])]; });
    """, panel, np.asarray(xy, dtype=float).tolist()))
    gaps = np.linalg.norm(px[:, None] - px[None], axis=2)
    np.fill_diagonal(gaps, np.inf)
    return gaps.min(axis=1) > radius


def panel_ink(browser) -> list[float]:
    """The share of each points panel's pixels on screen that are not white."""
    shot = screenshot(browser)
    boxes = browser.execute_script("""
        var g = document.getElementById('fmnist-viz-plot'), L = g._fullLayout, box = g.getBoundingClientRect();
        return g._fullData.filter(function (t) { return t.meta.role === 'points'; }).map(function (t) {
            var xa = L[t.xaxis.replace('x', 'xaxis')], ya = L[t.yaxis.replace('y', 'yaxis')];
            return [box.left + xa._offset, box.top + ya._offset, xa._length, ya._length];
        });""")
    return [float((shot[int(y):int(y + h), int(x):int(x + w)].min(axis=2) < 0.9).mean()) for x, y, w, h in boxes]


def drawn_points(browser, shot: np.ndarray, panel: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of one points panel, where each is on the screen (px), and the colour at its centre pixel."""
    found = browser.execute_script("""
        var g = document.getElementById('fmnist-viz-plot'), L = g._fullLayout, box = g.getBoundingClientRect();
        var t = g._fullData.filter(function (t) { return t.meta.role === 'points'; })[arguments[0]];
        var xa = L[t.xaxis.replace('x', 'xaxis')], ya = L[t.yaxis.replace('y', 'yaxis')];
        return Array.from(t.customdata, function (row, i) {
            return [row, box.left + xa._offset + xa.l2p(t.x[i]), box.top + ya._offset + ya.l2p(t.y[i])]; });
    """, panel)
    rows = np.array([f[0] for f in found])
    xy = np.array([f[1:] for f in found])
    return rows, xy, shot[np.round(xy[:, 1]).astype(int), np.round(xy[:, 0]).astype(int)]


def lit_and_dim(browser, shot: np.ndarray, panel: int, chosen: list[int],
                outline: tuple[float, float, float, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The colours drawn at the chosen rows of a panel, and at the other rows that no chosen point covers;
    rows within 8 px of ``outline`` (x0, y0, x1, y1 in px: a box drawn over the panel with its handles) left out."""
    rows, xy, colours = drawn_points(browser, shot, panel)
    keep = np.ones(len(rows), bool)
    if outline:
        x0, y0, x1, y1 = outline
        inside = (xy[:, 0] > x0 - 8) & (xy[:, 0] < x1 + 8) & (xy[:, 1] > y0 - 8) & (xy[:, 1] < y1 + 8)
        deep = (xy[:, 0] > x0 + 8) & (xy[:, 0] < x1 - 8) & (xy[:, 1] > y0 + 8) & (xy[:, 1] < y1 - 8)
        keep = ~inside | deep
    mine = np.isin(rows, chosen)
    near = np.linalg.norm(xy[:, None, :] - xy[None, mine, :], axis=2).min(axis=1, initial=np.inf) < 6
    return colours[mine & keep], colours[~mine & ~near & keep]


def strength(colours: np.ndarray) -> np.ndarray:
    """How far from white (0: white; a point drawn at full strength over white: 0.28 or more, the grey class)."""
    return 1 - colours.min(axis=1)


def test_a_change_redraws_its_own_panels_and_leaves_the_others_drawn(browser, tmp_path: Path) -> None:
    """The WebGL canvas is shared: a selection in one data set redraws only its panels, over their own
    rectangles, and every other panel must still show its points (seen on screen, not in the page's data)."""
    results = two_methods(2000)
    images = {"fashion": np.zeros((6000, 28, 28), np.uint8), "mnist": np.zeros((900, 28, 28), np.uint8)}
    open_page(browser, write_html(interactive_figure(results), tmp_path / "page.html", images))
    before = panel_ink(browser)
    assert min(before) > 0.02, before  # every panel painted
    browser.execute_script("window.fmnistViz.select('fashion', arguments[0])", [int(r) for r in results[0].index[:20]])
    selected = panel_ink(browser)
    assert selected[0] < 0.5 * before[0] and selected[1] < 0.5 * before[1], (before, selected)  # the rest dimmed
    assert selected[2:] == pytest.approx(before[2:], rel=0.02)  # MNIST's panels still drawn, unchanged
    browser.execute_script("window.fmnistViz.clear()")
    assert panel_ink(browser) == pytest.approx(before, rel=0.02)


def test_a_box_selection_draws_its_points_in_the_current_colours(browser, tmp_path: Path) -> None:
    """After a box drag, a colour change redraws the chosen points in the new colours and the rest dimmed, in the
    panel holding the box and the others of its data set (seen on screen)."""
    results = two_methods()
    for r in results:
        r.pointwise = {"disagreement": np.ones(len(r), np.uint8), "preservation": np.zeros(len(r))}
    images = {"fashion": np.zeros((1200, 28, 28), np.uint8), "mnist": np.zeros((900, 28, 28), np.uint8)}
    open_page(browser, write_html(interactive_figure(results, seed=3), tmp_path / "page.html", images))
    drag(browser, pixel(browser, 0, -0.6, 0.7), pixel(browser, 0, 0.9, -0.5))
    deadline = time.time() + 10
    chosen = None
    while time.time() < deadline and not chosen:
        chosen = browser.execute_script("return window.fmnistViz.selection()")
        time.sleep(0.1)
    browser.execute_script("window.fmnistViz.colorBy('disagreement')")
    orange = np.array([int(COLOR_SCALES["disagreement"][1][i:i + 2], 16) / 255 for i in (1, 3, 5)])
    shot = screenshot(browser)
    for panel, outline in ((0, outline_of_box(browser)), (1, None)):
        lit, dim = lit_and_dim(browser, shot, panel, chosen["rows"], outline)
        assert len(lit) > 20
        # orange over white: at the marker opacity 0.7, more where chosen points overlap
        ink, full = 1 - lit, 1 - orange
        share = ink @ full / (full @ full)
        assert share.min() > 0.6 and np.abs(ink - share[:, None] * full).max() < 0.06, panel
        assert np.percentile(strength(dim), 95) < 0.14, panel
    # a selection made another way replaces the box: the box goes, both panels light up the new rows only
    # (and stays so when the axes change, which makes Plotly rebuild its own record of the box's points)
    rows = [int(r) for r in results[0].index[::10]]
    browser.execute_script("window.fmnistViz.select('fashion', arguments[0])", rows)
    assert browser.execute_script("return document.getElementById('fmnist-viz-plot').layout.selections") == []
    browser.execute_async_script("var g = document.getElementById('fmnist-viz-plot'), r = g._fullLayout.xaxis.range;"
                                 "Plotly.relayout(g, {'xaxis.range': [r[0] - 0.1, r[1] + 0.1]})"
                                 ".then(arguments[arguments.length - 1]);")
    shot = screenshot(browser)
    for panel in (0, 1):
        lit, dim = lit_and_dim(browser, shot, panel, rows)
        assert len(lit) == len(rows) and strength(lit).min() > 0.14, panel
        assert np.percentile(strength(dim), 95) < 0.14, panel
    errors = [e["message"] for e in browser.get_log("browser") if "GL_INVALID" in e["message"]]
    assert not errors


def test_only_the_plot_s_webgl_canvases_go_without_antialiasing(browser, tmp_path: Path) -> None:
    """The page's one patched built-in (gl-context.js): Plotly's WebGL canvases inside the plot are made without
    multisampling; a canvas elsewhere on the page, and any 2D context, get exactly what they ask for."""
    r = result("fashion", 300, 1)
    open_page(browser, write_html(interactive_figure([r]), tmp_path / "p.html", {"fashion": np.zeros((900, 28, 28),
                                                                                                     np.uint8)}))
    found = browser.execute_script("""
        var inside = Array.from(document.querySelectorAll('#fmnist-viz-plot canvas')).map(function (c) {
          var gl = c.getContext('webgl') || c.getContext('webgl2');  // the context Plotly made, if it is one
          return gl ? gl.getContextAttributes().antialias : null; }).filter(function (a) { return a !== null; });
        var outside = document.createElement('canvas');
        document.body.appendChild(outside);
        var gl = outside.getContext('webgl', {antialias: true});
        var flat = document.createElement('canvas').getContext('2d', {alpha: false});
        return {inside: inside, outside: gl ? gl.getContextAttributes().antialias : 'no webgl',
                flat: flat.getContextAttributes().alpha};""")
    assert found["inside"] and not any(found["inside"]), found  # every WebGL canvas of the plot: no multisampling
    assert found["outside"] in (True, "no webgl") and found["flat"] is False, found


def test_the_side_pane_lists_each_panel_s_quality_local_and_global(browser, tmp_path: Path) -> None:
    a, b = result("fashion", 300, 1), result("fashion", 300, 2)
    b.method, b.index, b.labels = "umap", a.index, a.labels
    a.metrics = {"knn_accuracy": 0.5, "trustworthiness": 0.9, "random_triplet_accuracy": 0.8766,
                 "centroid_triplet_accuracy": 0.9, "distance_spearman": 0.61}
    b.metrics = {"knn_accuracy": 0.7, "trustworthiness": 0.95}  # measured before the global numbers existed
    open_page(browser, write_html(interactive_figure([a, b]), tmp_path / "p.html",
                                  {"fashion": np.zeros((900, 28, 28), np.uint8)}))
    rows = browser.execute_script("return Array.from(document.querySelectorAll('#fmnist-viz-quality tr'))"
                                  ".map(function (r) { return Array.from(r.cells).map(function (c) {"
                                  " return c.textContent; }); });")
    assert rows[0] == ["panel", "10-NN acc.", "trust.", "random tripl.", "centroid tripl.", "dist. Spearman"]
    assert rows[1][1:] == ["0.500", "0.900", "0.877", "0.900", "0.610"]
    assert rows[2][1:] == ["0.700", "0.950", "", "", ""] and rows[2][0].endswith("UMAP")
