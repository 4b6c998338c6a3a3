"""Static scatter figures on synthetic embeddings: panels, legends, colours, rasterized points."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.errors import UsageError
from fmnist_viz.outputs.files import save_figure
from fmnist_viz.render.scatter import Panel, compare_figure, plot_embedding
from fmnist_viz.render.style import CLASS_COLORS, point_style


def blobs(n: int = 3000, classes: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, n).astype(np.uint8)
    centres = np.stack([np.cos(np.arange(classes)), np.sin(np.arange(classes))], 1) * 10
    return (centres[labels] + rng.normal(size=(n, 2))).astype(np.float32), labels


def reading_order(legend) -> list[str]:  # type: ignore[no-untyped-def]
    """A legend's entries as a reader reads them: row by row, left to right."""
    legend.figure.canvas.draw()
    boxes = [(t.get_window_extent(), t.get_text()) for t in legend.get_texts()]
    return [text for box, text in sorted(boxes, key=lambda b: (-round(b[0].y0), b[0].x0))]


def test_point_style_shrinks_with_n() -> None:
    small, big = point_style(1000), point_style(70000)
    assert small[0] > big[0] > 0 and small[1] >= big[1] >= 0.5


def test_plot_embedding_into_given_axes() -> None:
    import matplotlib.pyplot as plt

    emb, labels = blobs()
    fig, ax = plt.subplots()
    assert plot_embedding(emb, labels, [f"c{i}" for i in range(10)], ax=ax, title="t") is fig
    legend = ax.get_legend()
    assert reading_order(legend) == [f"c{i}" for i in range(10)]  # row by row: c0 to c4, then c5 to c9
    assert [t.get_text() for t in legend.get_texts()] != reading_order(legend)  # (matplotlib fills columns)
    colors = ax.collections[0].get_facecolors()
    assert len(colors) == len(emb) and ax.collections[0].get_rasterized()
    plt.close(fig)


def test_colours_follow_the_class_index_in_every_panel() -> None:
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    emb, labels = blobs()
    fig = compare_figure([[Panel(emb, labels, list("ABCDEFGHIJ"), "one"),
                           Panel(emb[:500], labels[:500], list("0123456789"), "two")]])
    legends = [sub.legends[0] for sub in fig.subfigs]  # one per column, each with its own names
    assert [reading_order(leg) for leg in legends] == [list("ABCDEFGHIJ"), list("0123456789")]
    for leg in legends:
        pairs = zip(leg.get_texts(), leg.legend_handles, strict=True)
        colour = {t.get_text(): mcolors.to_hex(h.get_color()) for t, h in pairs}
        assert [colour[name] for name in reading_order(leg)] == [c.lower() for c in CLASS_COLORS]
    plt.close(fig)


def test_a_single_row_has_its_legends_below_and_a_tall_figure_above(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    emb, labels = blobs(500)
    for rows in (1, 4):
        fig = compare_figure([[Panel(emb, labels, list("ABCDEFGHIJ"), "t"), Panel(emb, labels, list("0123456789"))]]
                             * rows)
        fig.canvas.draw()
        for sub in fig.subfigs:
            legend = sub.legends[0].get_window_extent()
            panels = [ax.get_window_extent() for ax in sub.axes]
            if rows == 1:
                assert legend.y1 <= min(p.y0 for p in panels)  # below the panel
            else:
                assert legend.y0 >= max(p.y1 for p in panels)  # above the first row, where reading starts
        plt.close(fig)


def test_bad_shapes_and_style() -> None:
    with pytest.raises(UsageError, match=r"embedding must be an \(n, 2\) array"):
        plot_embedding(np.zeros((5, 3)), np.zeros(5, int), ["a"])
    with pytest.raises(UsageError, match="labels has 4 entries for 5 points"):
        plot_embedding(np.zeros((5, 2)), np.zeros(4, int), ["a"])
    with pytest.raises(UsageError, match="style must be one of screen, paper, got 'poster'"):
        compare_figure([[Panel(*blobs(100), list("0123456789"))]], style="poster")


@pytest.mark.parametrize("ext", ["svg", "pdf"])
def test_vector_formats_embed_one_raster_not_thousands_of_paths(tmp_path: Path, ext: str) -> None:
    emb, labels = blobs(20000)
    fig = compare_figure([[Panel(emb, labels, [str(i) for i in range(10)], "a"),
                           Panel(emb, labels, [str(i) for i in range(10)], "b")]], style="paper")
    path = save_figure(fig, tmp_path / f"f.{ext}")
    data = path.read_bytes()
    assert len(data) < 3_000_000
    if ext == "svg":
        text = data.decode()
        assert text.count("<image") == 2 and text.count("<path") < 500


def test_paper_style_is_single_column_per_panel() -> None:
    emb, labels = blobs(500)
    one = compare_figure([[Panel(emb, labels, list("0123456789"))]], style="paper")
    two = compare_figure([[Panel(emb, labels, list("0123456789"))] * 2], style="paper")
    assert one.get_size_inches()[0] == pytest.approx(3.5)
    assert two.get_size_inches()[0] == pytest.approx(7.2)
    assert one.dpi == 300


@pytest.mark.parametrize("style", ["screen", "paper"])
def test_styles_save_at_their_resolution_with_truetype_fonts(tmp_path: Path, style: str) -> None:
    """PNG pixels and the PDF's embedded raster follow the style's dpi; PDF fonts are Type 42, never Type 3."""
    import re

    from PIL import Image

    from fmnist_viz.render.style import STYLES

    dpi = STYLES[style]["dpi"]
    fig = compare_figure([[Panel(*blobs(500), list("0123456789")), Panel(*blobs(500), list("0123456789"))]],
                         style=style)
    width_in, height_in = fig.get_size_inches()
    png = Image.open(save_figure(fig, tmp_path / "f.png"))
    assert abs(png.size[0] / width_in - dpi) < 0.05 * dpi  # tight bbox trims a little
    pdf = save_figure(fig, tmp_path / "f.pdf").read_bytes()
    axes_in = fig.axes[0].get_window_extent().width / fig.dpi
    raster_px = max(int(w) for w in re.findall(rb"/Width (\d+)", pdf))
    assert raster_px >= 0.85 * axes_in * dpi, (raster_px, axes_in)  # the raster spans the points, not the frame
    assert b"/Type3" not in pdf and b"/FontFile2" in pdf


def test_static_figures_colour_by_a_measure_with_its_own_legend() -> None:
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    from fmnist_viz.render.scatter import results_figure
    from fmnist_viz.render.style import COLOR_SCALES

    from conftest import fake_result

    r = fake_result("fashion", 300, 0)
    r.pointwise = {"disagreement": (np.arange(300) % 3 == 0).astype(np.uint8), "preservation": np.linspace(0, 1, 300)}
    fig = results_figure([r], color_by="disagreement")
    drawn = fig.axes[0].collections[0].get_facecolors()
    grey, orange = (mcolors.to_rgba(c) for c in COLOR_SCALES["disagreement"])
    assert sum(np.allclose(c[:3], orange[:3]) for c in drawn) == 100 and sum(np.allclose(c[:3], grey[:3])
                                                                          for c in drawn) == 200
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["class agrees with its 10 neighbours", "disagrees"]
    plt.close(fig)
    fig = results_figure([r], color_by="preservation")
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["0.0 of neighbours kept (or fewer)", "0.50",
                                                                  "1.0 (or more)"]
    plt.close(fig)
    # low values (0 to 0.3, as most are) spread over the whole scale: 0.3 is yellow, not dark purple
    r.pointwise["preservation"] = np.arange(300) % 4 / 10
    fig = results_figure([r], color_by="preservation")
    drawn = fig.axes[0].collections[0].get_facecolors()
    order = np.random.default_rng(0).permutation(300)  # draw_order(300, 0)
    top = mcolors.to_rgba(COLOR_SCALES["preservation"][-1])
    assert all(np.allclose(drawn[i][:3], top[:3]) for i in np.flatnonzero(r.pointwise["preservation"][order] == 0.3))
    assert [t.get_text() for t in fig.legends[0].get_texts()][2] == "0.3 (or more)"
    plt.close(fig)


def test_paper_figures_fit_a_page(caplog: pytest.LogCaptureFixture) -> None:
    """``all --style paper``: four methods x two data sets, a row per data set, fits a 7.2 x 9.5 in page; a tall
    grid shrinks its panels to fit, and one that cannot fit at a legible size says so."""
    import logging

    import matplotlib.pyplot as plt

    from fmnist_viz.render.scatter import results_figure

    from conftest import fake_result

    results = []
    for dataset in ("fashion", "mnist"):
        for method in ("pca", "tsne", "umap", "pymde"):
            r = fake_result(dataset, 300, len(results))
            r.method = method
            results.append(r)
    fig = results_figure(results, style="paper")
    width, height = fig.get_size_inches()
    assert width == pytest.approx(7.2) and height <= 9.5
    assert [sub._suptitle.get_text() for sub in fig.subfigs] == ["FASHION, 300 points", "MNIST, 300 points"]
    assert [ax.get_title() for ax in fig.subfigs[0].axes][:2] == [
        "PCA\n10-NN acc. 0.500, trust. 0.900", "t-SNE\n10-NN acc. 0.500, trust. 0.900"]
    plt.close(fig)
    emb, labels = blobs(300)
    tall = compare_figure([[Panel(emb, labels, list("0123456789"), "a\nb")] * 2] * 5, style="paper", legends="one")
    assert tall.get_size_inches()[1] <= 9.5 + 1e-6 and tall.get_size_inches()[0] < 7.2  # panels shrunk to fit
    plt.close(tall)
    with caplog.at_level(logging.WARNING, logger="fmnist_viz"):
        taller = compare_figure([[Panel(emb, labels, list("0123456789"), "t")] * 2] * 12, style="paper",
                                legends="one")
    assert "does not fit a page in the paper style" in caplog.text
    plt.close(taller)
