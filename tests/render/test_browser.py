"""The interactive page in real headless Chromium: it paints, and hovering a point shows its image."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.render.page import interactive_figure, write_html
from fmnist_viz.render.style import draw_order

from conftest import fake_result as result

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


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
