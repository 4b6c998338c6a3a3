"""The interactive page: every point in per-class traces, row indices, the sprite sheets behind the hover."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from plotly.offline import get_plotlyjs_version
from test_browser import write_html

from fmnist_viz.errors import UsageError
from fmnist_viz.outputs.explorer import write_page
from fmnist_viz.render.page import drawn_rows, interactive_figure, plotly_bundle_version
from fmnist_viz.render.sprites import hover_images, sprite_sheets
from fmnist_viz.render.style import CLASS_COLORS, draw_order

from conftest import fake_result as result
from conftest import patch_everywhere


def test_sprite_sheets_round_trip_at_16_grey_levels() -> None:
    from PIL import Image

    images = np.random.default_rng(0).integers(0, 256, (250, 28, 28), dtype=np.uint8)
    sheets = sprite_sheets(images, per_sheet=100, columns=10)
    assert len(sheets) == 3
    picture = np.asarray(Image.open(io.BytesIO(base64.b64decode(sheets[1]))).convert("L"))
    assert picture.shape == (10 * 28, 10 * 28)
    # image 137 sits on sheet 1, row 3, column 7; drawn dark on white
    tile = picture[3 * 28: 4 * 28, 7 * 28: 8 * 28]
    np.testing.assert_array_equal(tile, 255 - (images[137] >> 4) * 17)


def points(fig, dataset: str):
    (trace,) = [t for t in fig.data if t.meta["role"] == "points" and t.meta["dataset"] == dataset]
    return trace


def test_figure_keeps_every_point_with_its_row_in_random_order() -> None:
    a, b = result("fashion", 3000, 1), result("mnist", 2000, 2)
    fig = interactive_figure([a, b], seed=3)
    assert all(t.type == "scattergl" for t in fig.data)
    for r, legend in ((a, "legend"), (b, "legend2")):
        trace = points(fig, r.dataset)
        order = draw_order(len(r), 3)  # the static figure's order too
        np.testing.assert_array_equal(np.asarray(trace.customdata), r.index[order])
        np.testing.assert_array_equal(np.asarray(trace.x), r.embedding[order, 0])
        labels = np.asarray(trace.meta["labels"])
        np.testing.assert_array_equal(labels, r.labels[order])
        np.testing.assert_array_equal(np.asarray(trace.marker.color), labels)  # class numbers on the class scale:
        marker = trace.marker
        where = (labels - marker.cmin) / (marker.cmax - marker.cmin)  # each class's place on it
        stops = np.array([stop for stop, _ in marker.colorscale])
        colours = [marker.colorscale[int(np.searchsorted(stops, w, side="right")) - 1][1] for w in where]
        assert colours == [CLASS_COLORS[c] for c in labels]
        assert (np.diff(labels.astype(int)) != 0).sum() > len(r) / 2  # classes interleaved, not drawn in runs
        entries = [t for t in fig.data if t.meta["role"] == "legend" and t.meta["dataset"] == r.dataset]
        assert [t.name for t in entries] == list(r.class_names) and {t.legend for t in entries} == {legend}
        assert [t.marker.color for t in entries] == list(CLASS_COLORS)
    assert fig.layout.legend.title.text == "FASHION" and fig.layout.legend2.title.text == "MNIST"
    assert "10-NN accuracy 0.500" in fig.layout.annotations[0].text
    few = interactive_figure([a], max_points=500, seed=3)
    np.testing.assert_array_equal(np.asarray(points(few, "fashion").customdata), a.index[draw_order(len(a), 3)[:500]])


def test_page_ships_only_the_images_of_drawn_points_in_drawing_order(tmp_path: Path) -> None:
    from PIL import Image

    a = result("fashion", 3000, 1)
    images = np.random.default_rng(0).integers(0, 256, (9000, 28, 28), dtype=np.uint8)
    fig = interactive_figure([a], max_points=500, seed=2)
    rows = drawn_rows(fig)["fashion"]
    text = write_html(fig, tmp_path / "p.html", {"fashion": images}).read_text()
    sprites = json.loads(re.search(r"id='fmnist-viz-data'>(.*?)</script>", text).group(1))["datasets"]["fashion"]
    (sheet,) = sprites["sheets"]
    picture = np.asarray(Image.open(io.BytesIO(base64.b64decode(sheet))).convert("L"))
    assert picture.shape == (5 * 28, 100 * 28)  # 500 images, not 9,000
    slot = 237  # the 237th point drawn: row 2, column 37 of the sheet
    tile = picture[2 * 28: 3 * 28, 37 * 28: 38 * 28]
    np.testing.assert_array_equal(tile, 255 - (images[rows[slot]] >> 4) * 17)
    other = interactive_figure([a], max_points=500, seed=5)
    with pytest.raises(UsageError, match="hover has no images of the points the figure draws of 'fashion'"):
        write_page(other, tmp_path / "q.html", hover_images({"fashion": images}, rows={"fashion": rows}))
    assert not (tmp_path / "q.html").exists()


def test_page_is_self_contained_and_names_its_parts(tmp_path: Path) -> None:
    a = result("fashion", 500, 1)
    images = {"fashion": np.random.default_rng(0).integers(0, 256, (1500, 28, 28), dtype=np.uint8)}
    path = write_html(interactive_figure([a]), tmp_path / "p.html", images)
    html = path.read_text()
    assert html.startswith("<!DOCTYPE html>") and "plotly_hover" in html
    sprites = json.loads(re.search(r"id='fmnist-viz-data'>(.*?)</script>", html).group(1))["datasets"]
    assert sprites["fashion"]["per_sheet"] == 10000 and len(sprites["fashion"]["sheets"]) == 1
    version = plotly_bundle_version()  # plotly.js embedded (its gl2d bundle): offline
    assert f"plotly.js (gl2d - minified) v{version}" in html and 'https://cdn.plot.ly/plotly-' not in html
    assert version.split(".")[0] == get_plotlyjs_version().split(".")[0]  # what plotly.py writes figures for
    small = write_html(interactive_figure([a]), tmp_path / "q.html", images, plotly_js="cdn").read_text()
    assert f"src='https://cdn.plot.ly/plotly-gl2d-{version}.min.js'" in small
    assert len(small) < len(html) - 1_400_000 and "plotly.js (gl2d" not in small
    with pytest.raises(UsageError, match="plotly_js must be one of embed, cdn, got 'local'"):
        write_html(interactive_figure([a]), tmp_path / "r.html", images, plotly_js="local")
    assert not (tmp_path / "r.html").exists()


def test_names_reaching_the_page_are_escaped(tmp_path: Path) -> None:
    hostile = "</script><script>alert(1)</script>"
    r = result("fashion", 50, 0)
    r.title = hostile
    r.class_names = (hostile, *r.class_names[1:])
    page = write_html(interactive_figure([r]), tmp_path / "p.html", {"fashion": np.zeros((150, 28, 28), np.uint8)},
                      title=f"{hostile} & <b>")
    text = page.read_text()
    assert "<script>alert(1)" not in text
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;</title>" in text


def test_the_page_object_saves_and_shows_in_a_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fmnist_viz as fv
    from fmnist_viz.outputs import explorer

    a, b = result("fashion", 300, 1), result("fashion", 300, 2)
    a.method, b.index, b.labels = "pca", a.index, a.labels
    for r in (a, b):
        r.pointwise = {"disagreement": np.zeros(len(r), np.uint8), "preservation": np.ones(len(r))}
    patch_everywhere(monkeypatch, fv.load, lambda name, **k: type("D", (), {
        "images": np.zeros((900, 28, 28), np.uint8)})())
    page = fv.page([a, b], title="two methods")
    assert isinstance(page, explorer.Page) and b.aligned is None  # the caller's results stay as they were
    from fmnist_viz.quality.align import align_results

    copies = [dataclasses.replace(r) for r in (a, b)]
    align_results(copies, "auto")
    drawn = [t for t in page.figure.data if t.meta["role"] == "points"]
    order = draw_order(300, 0)
    np.testing.assert_allclose(drawn[1].x, copies[1].aligned[order, 0], rtol=1e-5)  # drawn aligned onto PCA
    assert not np.allclose(drawn[1].x, b.embedding[order, 0], atol=1e-3)
    saved = page.save(tmp_path / "p.html")
    assert saved.read_text() == page.html() and "<title>two methods</title>" in page.html()
    frame = page._repr_html_()
    assert frame.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;') and "sandbox='allow-scripts" in frame
    with pytest.raises(UsageError, match="plotly_js must be one of embed, cdn"):
        fv.page([a, b], plotly_js="local")
