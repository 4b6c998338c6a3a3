"""The interactive page: every point in per-class traces, row indices, the sprite sheets behind the hover."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.errors import UsageError
from fmnist_viz.render.page import interactive_figure, sprite_sheets, write_html

from conftest import fake_result as result


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


def test_figure_keeps_every_point_with_its_row() -> None:
    a, b = result("fashion", 3000, 1), result("mnist", 2000, 2)
    fig = interactive_figure([a, b])
    assert all(t.type == "scattergl" for t in fig.data)
    for r in (a, b):
        traces = [t for t in fig.data if t.meta == r.dataset]
        assert len(traces) == 10
        rows = np.concatenate([np.asarray(t.customdata) for t in traces])
        assert sorted(rows.tolist()) == sorted(r.index.tolist())  # every point, each once
    assert "10-NN accuracy 0.500" in fig.layout.annotations[0].text
    assert sum(len(t.x) for t in interactive_figure([a], max_points=500).data) == 500


def test_page_is_self_contained_and_names_its_parts(tmp_path: Path) -> None:
    a = result("fashion", 500, 1)
    images = {"fashion": np.random.default_rng(0).integers(0, 256, (1500, 28, 28), dtype=np.uint8)}
    path = write_html(interactive_figure([a]), tmp_path / "p.html", images)
    html = path.read_text()
    assert html.startswith("<!DOCTYPE html>") and "plotly_hover" in html
    sprites = json.loads(re.search(r"id='fmnist-viz-sprites'>(.*?)</script>", html).group(1))
    assert sprites["fashion"]["per_sheet"] == 10000 and len(sprites["fashion"]["sheets"]) == 1
    assert 'src="https://cdn.plot.ly' not in html and len(html) > 3_000_000  # plotly.js embedded: offline
    small = write_html(interactive_figure([a]), tmp_path / "q.html", images, plotly_js="cdn").read_text()
    assert 'src="https://cdn.plot.ly' in small and len(small) < len(html) - 3_000_000
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
