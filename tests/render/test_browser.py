"""The interactive page in real headless Chromium: it paints, and hovering a point shows its image."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.render.page import interactive_figure, write_html

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


def test_hovering_a_point_shows_its_image(browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    r = result("fashion", 400, 3)
    r.embedding[:] = np.random.default_rng(0).uniform(-1, 1, (400, 2))
    images = np.zeros((1200, 28, 28), np.uint8)
    images[r.index] = 255  # every point's image is solid: the hover box must show dark pixels
    page = write_html(interactive_figure([r]), tmp_path / "page.html", {"fashion": images})
    browser.get(page.as_uri())
    deadline = time.time() + 30
    while time.time() < deadline and not browser.execute_script(
            "var g = document.getElementById('fmnist-viz-plot'); return !!(g && g._fullLayout && g.data);"):
        time.sleep(0.2)
    assert browser.execute_script("return document.getElementById('fmnist-viz-plot').data.length") == 10
    # the pixel position of the first point of class 0, from Plotly's own axis mapping
    px, py = (float(v) for v in r.embedding[np.flatnonzero(r.labels == 0)[0]])
    x, y = browser.execute_script("""
        var g = document.getElementById('fmnist-viz-plot'), L = g._fullLayout;
        var box = g.getBoundingClientRect();
        return [box.left + L.xaxis._offset + L.xaxis.l2p(arguments[0]),
                box.top + L.yaxis._offset + L.yaxis.l2p(arguments[1])];
    """, px, py)
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
            var d = b.querySelector('canvas').getContext('2d').getImageData(0, 0, 112, 112).data, dark = 0;
            for (var i = 0; i < d.length; i += 4) if (d[i] < 64) dark++;
            return [b.dataset.row, dark];
        """)
        if shown and shown[1] > 0:
            break
        time.sleep(0.2)
    assert shown is not None, "no hover image appeared"
    dataset, row = shown[0].split(":")
    assert dataset == "fashion" and int(row) in set(r.index.tolist())
    assert shown[1] > 112 * 112 * 0.9  # the solid image, scaled to 112 x 112
