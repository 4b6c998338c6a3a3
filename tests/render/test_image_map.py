"""Image maps: which point each cell shows, the raster that holds their images, the figure and its files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.errors import UsageError
from fmnist_viz.naming import exact_number
from fmnist_viz.outputs.image_maps import image_map
from fmnist_viz.render.image_map import choose_cells, clip_box, mosaic
from fmnist_viz.render.style import class_color

from conftest import Tiny


def test_each_occupied_cell_shows_the_point_nearest_its_centre() -> None:
    rng = np.random.default_rng(0)
    xy = rng.normal(size=(3000, 2)) * [3.0, 1.0]  # wider than tall: 30 cells across, fewer down
    choice = choose_cells(xy, 30)
    rows, cols = choice.shape
    assert cols == 30 and rows < 30
    x0, y0 = choice.origin
    col = np.floor((xy[:, 0] - x0) / choice.side).astype(int)
    row = np.floor((xy[:, 1] - y0) / choice.side).astype(int)
    inside = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
    occupied = {(r, c) for r, c in zip(row[inside], col[inside], strict=True)}
    assert {(r, c) for r, c in zip(choice.row, choice.column, strict=True)} == occupied  # each once, no empty one
    for point, r, c in zip(choice.rows, choice.row, choice.column, strict=True):
        mine = np.flatnonzero(inside & (row == r) & (col == c))
        centre = np.array([x0 + (c + 0.5) * choice.side, y0 + (r + 0.5) * choice.side])
        assert point == mine[np.argmin(((xy[mine] - centre) ** 2).sum(axis=1))]


def test_the_raster_holds_each_chosen_image_in_its_cell_with_frames_in_class_colours(real_data: Path) -> None:
    from fmnist_viz.data import load

    data = load("fashion")
    rows = np.arange(0, 70_000, 35)  # 2,000 real images
    images, labels = data.images[rows], data.y[rows]
    xy = np.stack([labels % 5 + 0.3 * np.sin(rows), labels // 5 + 0.3 * np.cos(rows)], axis=1)
    choice = choose_cells(xy, 12)
    raster = mosaic(images, choice)
    n_rows, n_cols = choice.shape
    assert raster.shape == (n_rows * 28, n_cols * 28, 3)
    for point, r, c in zip(choice.rows, choice.row, choice.column, strict=True):
        top, left = (n_rows - 1 - r) * 28, c * 28  # the raster's first row is the top of the layout
        tile = raster[top:top + 28, left:left + 28, 0]
        assert np.array_equal(tile, 255 - data.images[rows[point]])  # the data's own image, dark on white
        assert not np.array_equal(tile, 255 - data.images[rows[(point + 1) % len(rows)]])
    empty = np.ones((n_rows, n_cols), bool)
    empty[n_rows - 1 - choice.row, choice.column] = False
    r, c = np.argwhere(empty)[0]
    assert (raster[r * 28:(r + 1) * 28, c * 28:(c + 1) * 28] == 255).all()  # an empty cell stays white
    framed = mosaic(images, choice, [class_color(int(k)) for k in labels[choice.rows]])
    top, left = (n_rows - 1 - choice.row[0]) * 28, choice.column[0] * 28
    colour = np.array([int(class_color(int(labels[choice.rows[0]]))[i:i + 2], 16) for i in (1, 3, 5)])
    assert (framed[top, left:left + 28] == colour).all() and (framed[top:top + 28, left + 27] == colour).all()
    assert np.array_equal(framed[top + 1:top + 27, left + 1:left + 27], raster[top + 1:top + 27, left + 1:left + 27])


def test_image_map_draws_a_result_on_given_axes_at_its_coordinates() -> None:
    import matplotlib.pyplot as plt

    from tests.conftest import fake_result

    result = fake_result("fashion", 500, 0)
    images = np.random.default_rng(1).integers(0, 256, (3 * 500, 28, 28)).astype(np.uint8)
    fig, ax = plt.subplots()
    assert image_map(result, images=images, cells=10, ax=ax, frames=True) is fig
    (picture,) = ax.get_images()
    left, right, bottom, top = picture.get_extent()
    x, y = result.positions.T
    assert left <= np.percentile(x, 1) and right >= np.percentile(x, 99) and bottom <= np.percentile(y, 1)
    height, width = picture.get_array().shape[:2]
    assert max(height, width) == 10 * 28  # ten cells along the longer side, square ones
    assert (right - left) / (top - bottom) == pytest.approx(width / height)
    assert "cells: the image nearest each centre" in ax.get_title()
    plt.close(fig)


@pytest.mark.parametrize(("cells", "message"), [(1, "cells must be"), (201, "cells must be"), (2.5, "cells must be")])
def test_bad_cells_are_refused(cells: object, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        choose_cells(np.zeros((10, 2)), cells)  # type: ignore[arg-type]


def test_bad_positions_and_images_are_refused() -> None:
    with pytest.raises(UsageError, match="no finite coordinates"):
        choose_cells(np.full((5, 2), np.nan))
    with pytest.raises(UsageError, match=r"must be \(n, 2\) coordinates"):
        choose_cells(np.zeros((5, 3)))
    choice = choose_cells(np.random.default_rng(0).normal(size=(50, 2)), 4)
    with pytest.raises(UsageError, match="square ones"):
        mosaic(np.zeros((50, 10), np.uint8), choice)


def test_the_cli_writes_an_image_map_per_method_named_for_its_options(real_data: Path, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import matplotlib.image as mpimg

    from fmnist_viz.cli.parser import main

    out = tmp_path / "out"
    assert main(["pca", "--compare", "mnist", "--n", "1000", "--format", "png,npz", "--image-map", "16",
                 "--image-frames", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    made = out / "pca_fashion-vs-mnist_n1000_image-map16_frames.png"
    assert str(made) in printed and (out / "pca_fashion-vs-mnist_n1000.png").exists()
    picture = mpimg.imread(made)
    assert picture.shape[1] > picture.shape[0] > 300  # two maps side by side
    assert picture[..., :3].std() > 0.1  # images, not a blank page
    assert main(["pca", "--n", "1000", "--format", "png", "--image-map", "--out", str(out)]) == 0
    assert (out / "pca_fashion_n1000_image-map.png").exists()  # 40 cells: the plain name


@pytest.mark.parametrize(("extra", "message"), [
    (["--image-map", "1"], "argument --image-map: must be an integer from 2 to 200, got 1"),
    (["--image-frames"], "--image-frames frames the images of an image map or a zoom box: give --image-map or"),
    (["--zoom-box", "1,0,0,1"], "argument --zoom-box: must be finite with x0 < x1 and y0 < y1, got 1,0,0,1"),
    (["--zoom-box", "1,2,3"], "argument --zoom-box: must be four numbers x0,x1,y0,y1"),
    (["--zoom-box", "0,1,0,1", "--format", "npz"], "--zoom-box draws a static figure"),
    (["--image-map", "--format", "html"], "--image-map draws a static figure: add png or svg or pdf"),
])
def test_image_map_options_that_cannot_work_are_refused_before_any_work(
        extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from fmnist_viz.cli.parser import main

    assert main(["pca", "--n", "1000", "--out", str(tmp_path / "o"), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "loaded" not in err


def test_a_box_maps_its_own_points_alone() -> None:
    from fmnist_viz.render.image_map import choose_cells

    xy = np.random.default_rng(3).normal(size=(4000, 2))
    box = (-0.5, 1.0, -1.0, 0.0)
    choice = choose_cells(xy, 8, box)
    assert choice.extent[0] == -0.5 and choice.extent[2] == -1.0 and choice.shape == (6, 8)  # 1.5 wide: 8 cells
    chosen = xy[choice.rows]
    assert ((chosen[:, 0] >= -0.5) & (chosen[:, 0] <= 1.0) & (chosen[:, 1] >= -1.0) & (chosen[:, 1] <= 0.0)).all()
    with pytest.raises(UsageError, match=r"box holds no point: the layout spans x -\d"):
        choose_cells(xy, 8, (50, 60, 50, 60))
    with pytest.raises(UsageError, match="x0 < x1"):
        choose_cells(xy, 8, (1, 0, 0, 1))


def test_the_cli_draws_a_zoom_box_beside_the_whole_layout(real_data: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    import matplotlib.image as mpimg

    import fmnist_viz as fv
    from fmnist_viz.cli.parser import main

    (result,) = fv.run("pca", "fashion", n=1000, progress=False)
    x, y = np.median(result.embedding, axis=0)
    box = f"{x - 1:.1f},{x + 1:.1f},{y - 1:.1f},{y + 1:.1f}"
    out = tmp_path / "out"
    assert main(["pca", "--compare", "mnist", "--n", "1000", "--format", "png", f"--zoom-box={box}",  # x0 < 0
                 "--image-frames", "--out", str(out)]) == 0
    (made,) = out.glob("pca_fashion_n1000_zoom-*_frames.png")  # the first data set's layout only
    assert str(made) in capsys.readouterr().out.split()
    assert made.name == "pca_fashion_n1000_zoom-" + "_".join(exact_number(float(v)) for v in box.split(",")) \
        + "_frames.png"
    picture = mpimg.imread(made)
    assert picture.shape[1] > 1.5 * picture.shape[0] and picture[..., :3].std() > 0.1
    far = f"{x + 1000:.0f},{x + 1001:.0f},0,1"
    assert main(["pca", "--n", "1000", "--format", "png", f"--zoom-box={far}", "--out", str(out)]) == 2
    assert "does not meet the layout: the layout spans x" in capsys.readouterr().err


def test_plot_image_map_takes_plain_arrays() -> None:
    from fmnist_viz.render.image_map import plot_image_map

    rng = np.random.default_rng(4)
    xy, images = rng.normal(size=(300, 2)), rng.integers(0, 256, (300, 784)).astype(np.uint8)  # flat 28 x 28
    fig = plot_image_map(xy, images, cells=6, title="mine")
    (ax,) = fig.axes
    assert ax.get_title() == "mine" and max(ax.get_images()[0].get_array().shape[:2]) == 6 * 28
    with pytest.raises(UsageError, match="an image per point"):
        plot_image_map(xy, images[:10])


@pytest.mark.parametrize("reach", [1e308, 1e20, 1e6, 1e4, 1000])
def test_a_zoom_box_far_past_the_layout_is_cut_to_it(reach: float, tiny: Tiny, tmp_path: Path) -> None:
    """A huge box maps what the layout's own extent maps: in a second, a small file, never an internal error."""
    import time

    import fmnist_viz as fv

    tiny.write(tmp_path / "d" / "tiny")
    (result,) = fv.run("pca", "tiny", data_dir=tmp_path / "d", progress=False)
    xy = result.embedding.astype(float)
    assert clip_box((-reach, reach, -reach, reach), xy) == (xy[:, 0].min(), xy[:, 0].max(), xy[:, 1].min(),
                                                            xy[:, 1].max())
    start = time.perf_counter()
    (made,) = fv.save_zoom_figures([result], (-reach, reach, -reach, reach), tmp_path / "o", data_dir=tmp_path / "d")
    assert time.perf_counter() - start < 20 and made.stat().st_size < 500_000
    assert made.name == f"pca_tiny_zoom-{exact_number(-reach)}_{exact_number(reach)}_{exact_number(-reach)}_" \
                        f"{exact_number(reach)}.png"


@pytest.mark.parametrize(("box", "says"), [
    ((0, 5e-324, 0, 5e-324), "is too small to draw"),
    ((50, 60, 50, 60), "50,60,50,60 does not meet the layout: the layout spans x"),
])
def test_a_zoom_box_that_cannot_be_drawn_is_refused(box: tuple[float, ...], says: str) -> None:
    xy = np.random.default_rng(0).normal(size=(200, 2))
    with pytest.raises(UsageError, match=says):
        clip_box(box, xy)
    with pytest.raises(UsageError, match="is too large: its sides overflow"):
        choose_cells(xy, 8, (-1.7e308, 1.7e308, 0, 1))  # unclipped


def test_distinct_zoom_boxes_get_distinct_names(tiny: Tiny, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from fmnist_viz.cli.parser import main

    tiny.write(tmp_path / "d" / "tiny")
    made = []
    for box in ("-2,2,-2,2", "-2,2,-2,2.0000001"):
        assert main(["pca", "--dataset", "tiny", "--data-dir", str(tmp_path / "d"), "--format", "png",
                     f"--zoom-box={box}", "--out", str(tmp_path / "o")]) == 0
        made += [line for line in capsys.readouterr().out.split() if "_zoom-" in line]
    assert [Path(p).name for p in made] == ["pca_tiny_zoom--2_2_-2_2.png", "pca_tiny_zoom--2_2_-2_2.0000001.png"]
