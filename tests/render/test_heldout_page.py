"""A held-out page in headless Chromium: the placed test images a layer above the fitted ones, which the tool
bar and window.fmnistViz show or hide, and colour by held-out error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_browser import browser, on_screen, open_page, screenshot, uncovered, write_html  # noqa: F401 (a fixture)

from fmnist_viz.outputs.explorer import _drawn
from fmnist_viz.render.page import interactive_figure
from fmnist_viz.render.style import COLOR_SCALES
from fmnist_viz.results import HeldoutResult

FITTED, PLACED = 300, 80


def held_out(method: str = "umap") -> HeldoutResult:
    rng = np.random.default_rng(1)
    r = HeldoutResult("fashion", "Fashion-MNIST", method, {}, 0, tuple(f"c{i}" for i in range(10)),
                      np.arange(FITTED), rng.integers(0, 10, FITTED).astype(np.uint8),
                      np.arange(1000, 1000 + PLACED), rng.integers(0, 10, PLACED).astype(np.uint8))
    r.fitted = rng.uniform(-1, 1, (FITTED, 2)).astype(np.float32)
    r.placed = rng.uniform(-1, 1, (PLACED, 2)).astype(np.float32)
    r.wrong = rng.random(PLACED) < 0.3
    r.metrics = {"knn1_accuracy": 0.6, "knn5_accuracy": 0.7, "knn10_accuracy": 0.72, "trustworthiness": 0.9}
    return r


def rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])


def test_the_placed_images_are_a_layer_to_show_hide_and_colour_by_error(browser, tmp_path: Path) -> None:  # noqa: F811
    held = held_out()
    results, titles = _drawn([held], None)
    fig = interactive_figure(results, seed=3, titles=titles)
    assert "held-out 5-NN accuracy 0.700" in fig.layout.annotations[0].text
    images = {"fashion": np.zeros((1200, 28, 28), np.uint8)}
    open_page(browser, write_html(fig, tmp_path / "page.html", images))

    # the placed points come last in the drawing order: above the layout they were placed into
    rows = browser.execute_script("return Array.from(document.getElementById('fmnist-viz-plot').data[0].customdata)")
    assert sorted(rows[-PLACED:]) == list(range(1000, 1000 + PLACED)) and max(rows[:FITTED]) < FITTED
    options = browser.execute_script("return Array.from(document.querySelectorAll('#fmnist-viz-tools select')[0]"
                                     ".options, function (o) { return o.value; })")
    assert options == ["class", "heldout"]  # the measures it carries, no others

    xy = np.concatenate([held.fitted, held.placed])[[r if r < FITTED else FITTED + r - 1000 for r in rows]]
    placed = np.array([r >= 1000 for r in rows])
    alone = uncovered(browser, 0, xy, radius=7)
    assert (alone & placed).sum() > 10 and (alone & ~placed).sum() > 30

    def ink(where: np.ndarray) -> np.ndarray:
        return 1 - on_screen(browser, screenshot(browser), 0, xy[where]).min(axis=1)

    assert ink(alone & placed).min() > 0.15  # drawn
    assert browser.execute_script("return window.fmnistViz.showHeldout(false)") is False
    assert ink(alone & placed).max() < 0.02 and ink(alone & ~placed).min() > 0.15  # gone; the layout stays
    assert browser.execute_script("return document.querySelector('#fmnist-viz-tools input[type=checkbox]')"
                                  ".checked") is False
    browser.execute_script("document.querySelector('#fmnist-viz-tools input[type=checkbox]').click()")
    assert ink(alone & placed).min() > 0.15  # the tool bar's box brings them back

    browser.execute_script("window.fmnistViz.colorBy('heldout')")
    shot = screenshot(browser)
    code = np.zeros(len(rows), int)
    code[placed] = 1 + held.wrong[np.array(rows)[placed] - 1000]
    for value, hex_colour in enumerate(COLOR_SCALES["heldout"]):
        mine = alone & (code == value)
        expected = 1 - 0.7 * (1 - rgb(hex_colour))
        assert mine.sum() >= 5, value
        assert np.abs(on_screen(browser, shot, 0, xy[mine]) - expected).max() < 0.08, value
    key = browser.execute_script("return document.querySelector('#fmnist-viz-tools .key').textContent")
    assert "held-out image they misclassify" in key


def test_a_page_without_held_out_images_says_so(browser, tmp_path: Path) -> None:  # noqa: F811
    from conftest import fake_result

    r = fake_result("fashion", 200, 1)
    open_page(browser, write_html(interactive_figure([r]), tmp_path / "page.html",
                                  {"fashion": np.zeros((600, 28, 28), np.uint8)}))
    with pytest.raises(Exception, match="this page has no held-out images"):
        browser.execute_script("window.fmnistViz.showHeldout(false)")
    assert browser.execute_script("return document.querySelectorAll('#fmnist-viz-tools input[type=checkbox]')"
                                  ".length") == 0


def test_held_out_and_other_results_are_not_mixed(tmp_path: Path) -> None:
    from fmnist_viz.errors import UsageError

    from conftest import fake_result

    with pytest.raises(UsageError, match="mixes held-out results with others"):
        _drawn([held_out(), fake_result("fashion", 50, 0)], None)
