"""The explorer page's frame in real headless Chromium: the side pane beside the panels (never over them), the tool
bar above them, colour keys, a morph's title and Find's ring, and the page's API refusing bad arguments."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from test_browser import browser, open_page, panel_ink, two_methods, write_html  # noqa: F401 (browser: a fixture)

from fmnist_viz.render.page import interactive_figure
from fmnist_viz.render.style import COLOR_SCALES, draw_order

RECTS = """
    function rect(e) { var b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; }
    var g = document.getElementById('fmnist-viz-plot'), L = g._fullLayout, box = g.getBoundingClientRect();
    var panels = g._fullData.filter(function (t) { return t.meta.role === 'points'; }).map(function (t) {
        var xa = L[t.xaxis.replace('x', 'xaxis')], ya = L[t.yaxis.replace('y', 'yaxis')];
        return [box.left + xa._offset, box.top + ya._offset, box.left + xa._offset + xa._length,
                box.top + ya._offset + ya._length]; });
    var titles = Array.from(g.querySelectorAll('.annotation-text')).map(rect);
    return {panels: panels, titles: titles, side: rect(document.getElementById('fmnist-viz-side')),
            tools: rect(document.getElementById('fmnist-viz-tools')), plot: [box.left, box.top, box.right, box.bottom],
            modebar: rect(g.querySelector('.modebar')), window: [0, 0, innerWidth, innerHeight]};
"""


def overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1


def measured(results: list) -> list:
    for r in results:
        rng = np.random.default_rng(len(r))
        r.pointwise = {"disagreement": (rng.random(len(r)) < 0.3).astype(np.uint8),
                       "preservation": rng.integers(0, 4, len(r)) / 10}  # all low: 0 to 0.3
    return results


def page(browser, tmp_path: Path, results: list, size: tuple[int, int] = (1280, 800)) -> None:  # noqa: F811
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False})
    images = {"fashion": np.zeros((1200, 28, 28), np.uint8), "mnist": np.zeros((900, 28, 28), np.uint8)}
    open_page(browser, write_html(interactive_figure(results, seed=2), tmp_path / "page.html", images))


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 800)])
def test_the_side_pane_sits_beside_the_panels_and_collapses_without_losing_the_selection(
        browser, tmp_path: Path, size: tuple[int, int]) -> None:  # noqa: F811
    results = two_methods()
    page(browser, tmp_path, results, size)
    rows = [int(r) for r in results[0].index[:40]]
    browser.execute_script("window.fmnistViz.select('fashion', arguments[0]);"
                           "window.fmnistViz.find('fashion', arguments[0][0]);", rows)
    layout = browser.execute_script(RECTS)
    assert not any(overlap(layout["side"], p) for p in layout["panels"]), layout  # no panel under the pane
    assert layout["side"][2] <= layout["window"][2] + 1 and layout["side"][3] <= layout["window"][3] + 1
    assert not overlap(layout["tools"], layout["modebar"]) and all(not overlap(layout["tools"], p)
                                                                   for p in layout["panels"])
    titles = sorted(layout["titles"])
    assert all(t[0] >= 0 for t in titles)  # no title cut at the left edge
    assert not any(overlap(a, b) for a, b in itertools.pairwise(titles))  # nor running into its neighbour
    assert browser.execute_script("return document.querySelector('#fmnist-viz-side .side-title').textContent") \
        == "Selection: 40"
    width = layout["plot"][2] - layout["plot"][0]

    browser.find_element("css selector", "#fmnist-viz-collapse").click()
    collapsed = browser.execute_script(RECTS)
    assert collapsed["side"][2] - collapsed["side"][0] < 40  # a strip
    assert collapsed["plot"][2] - collapsed["plot"][0] > width + 200  # the panels took the room
    assert collapsed["plot"][2] == pytest.approx(collapsed["side"][0], abs=1)
    assert browser.execute_script("return window.fmnistViz.selection().rows.length") == 40
    assert browser.execute_script("return document.querySelector('#fmnist-viz-side .side-title').textContent") \
        == "Selection: 40"
    browser.find_element("css selector", "#fmnist-viz-collapse").click()
    assert browser.execute_script(RECTS)["side"][2] - browser.execute_script(RECTS)["side"][0] > 200


def test_the_selection_counts_read_as_class_and_number(browser, tmp_path: Path) -> None:  # noqa: F811
    results = two_methods()
    page(browser, tmp_path, results)
    browser.execute_script("window.fmnistViz.select('mnist', arguments[0])", [int(r) for r in results[2].index])
    chips = browser.execute_script("return Array.from(document.querySelectorAll('#fmnist-viz-pane .chip'),"
                                   "function (c) { return c.textContent; })")
    counts = np.bincount(results[2].labels, minlength=10)
    assert sorted(chips) == sorted(f"c{c}: {n:,}" for c, n in enumerate(counts) if n)


def test_a_morph_moves_finds_ring_and_retitles_its_panel_and_reset_undoes_both(
        browser, tmp_path: Path) -> None:  # noqa: F811
    results = two_methods()
    page(browser, tmp_path, results)
    order = draw_order(400, 2)
    row = int(results[0].index[order[11]])
    browser.execute_script("window.fmnistViz.find('fashion', arguments[0])", row)

    def ring() -> list[float]:
        return browser.execute_script("""
            var g = document.getElementById('fmnist-viz-plot');
            var t = g.data.filter(function (t) { return t.meta.role === 'mark' && t.meta.method === 'pca'; })[0];
            return [t.x[0], t.y[0]];""")

    def title() -> str:  # as Plotly holds it, after checking that the screen shows the same: line by line
        text, lines, box = browser.execute_script("""
            var g = document.getElementById('fmnist-viz-plot'), t = g.querySelector('.annotation[data-index="0"]');
            var lines = Array.from(t.querySelectorAll('tspan.line'), function (s) {
                return [s.textContent, s.querySelector('tspan[style*=italic]') !== null]; });
            var r = t.getBoundingClientRect(), top = g.getBoundingClientRect().top + g._fullLayout.yaxis._offset;
            return [g.layout.annotations[0].text, lines, [r.top, r.bottom, top]];""")
        shown = [(part.replace("<i>", "").replace("</i>", ""), "<i>" in part) for part in text.split("<br>")]
        assert [tuple(x) for x in lines] == shown
        assert box[1] <= box[2] + 1 and box[1] - box[0] > 10 * len(lines)  # above its panel, however many lines
        return text

    assert ring() == pytest.approx(tuple(results[0].embedding[order[11]]), abs=1e-5)
    own = title()
    assert own.startswith("PCA")
    browser.execute_async_script("window.fmnistViz.morph('fashion', 'pca', 'umap', 200)"
                                 ".then(arguments[arguments.length - 1]);")
    assert ring() == pytest.approx(tuple(results[1].embedding[order[11]]), abs=1e-5)  # where the row is drawn now
    assert title().startswith("UMAP") and "morphed from PCA" in title()
    browser.execute_async_script("window.fmnistViz.morph('fashion', 'pca', 'pca', 0)"
                                 ".then(arguments[arguments.length - 1]);")
    assert title() == own and ring() == pytest.approx(tuple(results[0].embedding[order[11]]), abs=1e-5)


def test_measure_modes_show_a_key_of_the_range_used_instead_of_the_class_legends(
        browser, tmp_path: Path) -> None:  # noqa: F811
    results = measured(two_methods())
    page(browser, tmp_path, results)
    legends = ("return Array.from(document.querySelectorAll('#fmnist-viz-plot .infolayer > g[class^=legend]'))"
               ".filter(function (g) { return g.getBoundingClientRect().width > 0; }).length")  # the ones shown
    assert browser.execute_script(legends) == 2
    browser.execute_script("window.fmnistViz.colorBy('preservation')")
    key = browser.execute_script("var k = document.querySelector('#fmnist-viz-tools .key');"
                                 "return [k.style.display, k.textContent, !!k.querySelector('.bar')];")
    assert key[0] != "none" and key[2]
    assert key[1].startswith("0.00.3")  # 0.0 [the bar] 0.3: the values present
    assert "span the values present" in key[1]
    assert browser.execute_script(legends) == 0  # the class legends give way
    # the values present (0 to 0.3) span the whole scale: the highest is drawn yellow, not purple
    colours = browser.execute_script("""
        var t = document.getElementById('fmnist-viz-plot').data.filter(function (t) {
            return t.meta.role === 'points'; })[0];
        return Array.from(t.marker.color);""")
    order = draw_order(400, 2)
    values = results[0].pointwise["preservation"][order]
    assert {colours[i] for i in np.flatnonzero(values == 0.3)} == {COLOR_SCALES["preservation"][-1]}
    assert {colours[i] for i in np.flatnonzero(values == 0)} == {COLOR_SCALES["preservation"][0]}
    browser.execute_script("window.fmnistViz.colorBy('disagreement')")
    assert "another class" in browser.execute_script(
        "return document.querySelector('#fmnist-viz-tools .key').textContent")
    browser.execute_script("window.fmnistViz.colorBy('class')")
    assert browser.execute_script(legends) == 2
    assert browser.execute_script("return document.querySelector('#fmnist-viz-tools .key').style.display") == "none"


def test_the_page_api_refuses_what_it_cannot_do(browser, tmp_path: Path) -> None:  # noqa: F811
    results = two_methods()
    page(browser, tmp_path, results)
    for name in ("__proto__", "constructor", "toString", "hasOwnProperty"):
        for call in (f"select({name!r}, [1])", f"find({name!r}, 1)"):
            with pytest.raises(Exception, match="unknown data set"):
                browser.execute_script(f"window.fmnistViz.{call}")
    for ms in ("Infinity", "1e12", "-1", "NaN"):
        with pytest.raises(Exception, match="ms must be a duration from 0 to 60000"):
            browser.execute_script(f"window.fmnistViz.morph('fashion', 'pca', 'umap', {ms})")
    # a newer morph of the panel stops a running one: the first promise rejects, the second arrives
    outcome = browser.execute_async_script("""
        var done = arguments[arguments.length - 1], first = 'pending';
        window.fmnistViz.morph('fashion', 'pca', 'umap', 5000).then(function () { first = 'resolved'; },
                                                                    function (e) { first = e.message; });
        setTimeout(function () {
            window.fmnistViz.morph('fashion', 'pca', 'pca', 0).then(function () { setTimeout(function () {
                done([first]); }, 300); });
        }, 100);""")
    assert "stopped by a newer morph" in outcome[0]
    order = draw_order(400, 2)
    x, y = browser.execute_script("return window.fmnistViz.position('fashion', 'pca', arguments[0])",
                                  int(results[0].index[order[0]]))
    assert (x, y) == pytest.approx(tuple(results[0].embedding[order[0]]), abs=1e-5)  # back, not snapped to UMAP
    assert min(panel_ink(browser)) > 0.001


def test_a_sweep_page_titles_each_panel_by_its_values_legibly(browser, tiny, tmp_path: Path) -> None:  # noqa: F811
    from fmnist_viz.outputs.sweeps import sweep_page
    from fmnist_viz.studies.sweeps import sweep

    tiny.write(tmp_path / "d" / "tiny")
    swept = sweep("tsne", {"perplexity": [3.0, 4.0, 5.0], "n_iter": [50, 100]}, ["tiny"], data_dir=tmp_path / "d")
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False})
    open_page(browser, sweep_page(swept, data_dir=tmp_path / "d").save(tmp_path / "sweep.html"))
    layout = browser.execute_script(RECTS)
    texts = browser.execute_script("return Array.from(document.querySelectorAll('#fmnist-viz-plot .annotation-text'),"
                                   "function (a) { return a.textContent; })")
    panels = [t for t in texts if t.startswith("perplexity=")]
    assert sorted(p.split("10-NN")[0] for p in panels) == sorted(
        f"perplexity={p}, n_iter={i}" for p in (3, 4, 5) for i in (50, 100))  # 3, not 3.0; no data set repeated
    heading = browser.execute_script("return document.querySelector('#fmnist-viz-plot .gtitle').textContent")
    assert heading == "t-SNE sweep: Tiny, 50 points; seed 0"
    titles = sorted(layout["titles"])
    assert all(t[0] >= 0 and t[2] <= layout["side"][0] + 1 for t in titles)  # none cut, none under the pane
    assert not any(overlap(a, b) for a, b in itertools.pairwise(titles))
    assert len({round(p[1]) for p in layout["panels"]}) == 2  # six cells: two rows of three, not six in a row
