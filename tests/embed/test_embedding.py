"""Embedders: parameters, registry and plugins, the shared graph, the cache, bad input (no real data needed)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.cli.parser import main
from fmnist_viz.embed import Embedder, Param, Prepared, create, knn_graph, registry
from fmnist_viz.errors import FmnistVizError, UsageError
from fmnist_viz.pipeline import prepare as pipeline_prepare
from fmnist_viz.pipeline import resolve_device, run, stratified_subsample
from fmnist_viz.quality.metrics import knn_accuracy, neighborhood_preservation, trustworthiness
from fmnist_viz.store.cache import ResultCache

from conftest import Tiny, patch_everywhere

# --------------------------------------------------------------------------- parameters

def test_param_parsing_and_validation() -> None:
    p = Param("perplexity", 30.0, "help", float, low=1)
    assert p.parse("50") == 50.0 and p.parse(12) == 12.0
    with pytest.raises(UsageError, match="parameter 'perplexity' must be >= 1"):
        p.parse("0.5")
    with pytest.raises(UsageError, match="must be of type float, got 'abc'"):
        p.parse("abc")
    choice = Param("init", "spectral", "h", str, choices=("spectral", "pca"))
    with pytest.raises(UsageError, match="must be one of spectral, pca; got 'x'"):
        choice.parse("x")
    maybe = Param("n_epochs", None, "h", int, low=1)
    assert maybe.parse("None") is None and maybe.parse("300") == 300
    with pytest.raises(UsageError, match="type int"):
        maybe.parse("2.5")


def test_unknown_parameter_lists_valid_ones() -> None:
    with pytest.raises(UsageError, match="unknown parameter\\(s\\) perplexty for tsne; valid: perplexity, "):
        create("tsne", {"perplexty": 5})


def test_unknown_method_lists_valid_ones() -> None:
    with pytest.raises(UsageError, match="method 'tnse' is not a known method; valid methods: pca, tsne, umap, pymde"):
        create("tnse")


def test_neighbour_needs_follow_parameters() -> None:
    assert create("tsne", {"perplexity": 10}).graph_neighbors == 30
    assert create("umap", {"n_neighbors": 30}).graph_neighbors == 29  # umap-learn counts the point itself
    assert create("pymde").graph_neighbors == 15
    assert create("pca").graph_neighbors == 0


# --------------------------------------------------------------------------- plugins

PLUGIN = '''
import numpy as np
from fmnist_viz.embed import Embedder, Param


class RandomEmbedder(Embedder):
    name = "random2d"
    label = "Random 2-D"
    summary = "uniform noise, for tests"
    params = (Param("scale", 1.0, "spread", float, low=0),)

    def _embed(self, data, *, seed, device):
        return np.random.default_rng(seed).uniform(0, self.values["scale"], (len(data), 2))


class NaNEmbedder(Embedder):
    name = "nan2d"
    summary = "returns NaN"

    def _embed(self, data, *, seed, device):
        return np.full((len(data), 2), np.nan)
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plugin distribution on sys.path: one good embedder, one returning NaN, one that fails to import."""
    (tmp_path / "fake_embedders.py").write_text(PLUGIN)
    info = tmp_path / "fake_embedders-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-embedders\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(textwrap.dedent("""\
        [fmnist_viz.embedders]
        random2d = fake_embedders:RandomEmbedder
        nan2d = fake_embedders:NaNEmbedder
        broken = fake_embedders_missing:Nope
        grid = fake_embedders:RandomEmbedder
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "_loaded", {})
    monkeypatch.setattr(registry, "_failed", {})
    sys.modules.pop("fake_embedders", None)


def test_plugin_is_listed_and_broken_one_is_logged(plugin: None, capsys: pytest.CaptureFixture[str],
                                                  caplog: pytest.LogCaptureFixture) -> None:
    names = registry.embedder_names()
    assert names[:4] == ["pca", "tsne", "umap", "pymde"]
    assert {"random2d", "nan2d", "broken"} <= set(names) and "grid" not in names  # command names are reserved
    assert main(["list"]) == 0
    captured = capsys.readouterr()
    assert "random2d uniform noise, for tests" in captured.out and "--param scale=1.0" in captured.out
    assert "broken   BROKEN PLUGIN: ModuleNotFoundError" in captured.out
    assert "embedder plugin 'broken' failed to load" in captured.err  # logged, not fatal


def test_plugin_is_used_by_the_pipeline_and_cli(plugin: None, tiny: Tiny, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    (result,) = run(["random2d"], ["tiny"], params={"random2d": {"scale": "3"}}, data_dir=tmp_path / "d",
                    use_cache=False)
    assert result.embedding.shape == (50, 2) and result.embedding.max() <= 3
    assert registry.method_label("random2d") == "Random 2-D" and registry.method_label("broken") == "broken"
    assert registry.method_label("tsne") == "t-SNE"
    assert main(["random2d", "--dataset", "tiny", "--data-dir", str(tmp_path / "d"), "--out", str(tmp_path / "o"),
                 "--param", "scale=2", "--format", "npz,png"]) == 0
    assert (tmp_path / "o" / "random2d_tiny_scale2.png").stat().st_size > 1000
    saved = np.load(tmp_path / "o" / "random2d_tiny_scale2.npz")
    assert saved["embedding"].max() <= 2
    assert main(["broken", "--dataset", "tiny", "--data-dir", str(tmp_path / "d")]) == 1
    assert "embedder plugin 'broken' failed to load" in capsys.readouterr().err


def test_non_finite_output_is_an_error(plugin: None, tiny: Tiny, tmp_path: Path) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    with pytest.raises(FmnistVizError, match="nan2d produced 50 non-finite coordinates"):
        run(["nan2d"], ["tiny"], data_dir=tmp_path / "d", use_cache=False)


# --------------------------------------------------------------------------- shared work

def test_knn_graph_matches_brute_force_with_self_first() -> None:
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(500, 8)).astype(np.float32)
    Z[7] = Z[3]  # a duplicate: both must still list themselves first
    indices, distances = knn_graph(Z, 10, method="exact")
    assert indices.shape == distances.shape == (500, 11)
    assert (indices[:, 0] == np.arange(500)).all() and (distances[:, 0] == 0).all()
    assert indices[3, 1] == 7 and indices[7, 1] == 3
    full = np.linalg.norm(Z[:, None] - Z[None], axis=2)
    np.fill_diagonal(full, -1)
    expected = np.sort(full, axis=1)[:, 1:11]
    np.testing.assert_allclose(distances[:, 1:], expected, rtol=1e-4, atol=1e-4)


@pytest.mark.slow
def test_the_approximate_graph_used_from_twenty_thousand_points_finds_most_exact_neighbours(real_data: Path) -> None:
    """At 20,000 points the graph is faiss's inverted file (256 lists, 16 probed: most of the data is never
    looked at), not exact search: its recall is measured against the exact graph, at that size, on the images."""
    import fmnist_viz as fv
    from fmnist_viz.embed.prepare import EXACT_KNN_BELOW

    Z = Prepared.from_features(fv.load("fashion").X[:EXACT_KNN_BELOW], seed=0).features
    approximate, _ = knn_graph(Z, 15)  # method="auto" at this size
    exact, _ = knn_graph(Z, 15, method="exact")
    recall = np.mean([len(np.intersect1d(a[1:], b[1:])) / 15 for a, b in zip(approximate, exact, strict=True)])
    assert 0.95 < recall < 1.0, recall  # approximate (not exact search in disguise), and close
    assert (approximate[:, 0] == np.arange(len(Z))).all()


def test_prepared_from_features_and_neighbor_slices() -> None:
    X = np.random.default_rng(1).integers(0, 256, (300, 784), dtype=np.uint8)
    prepared = Prepared.from_features(X, seed=0, pca_dims=20)
    assert prepared.features.shape == (300, 20) and prepared.features.dtype == np.float32
    idx, dist = prepared.neighbors(12)
    assert idx.shape == (300, 13) and (idx[:, 0] == np.arange(300)).all()
    idx5, _ = prepared.neighbors(5, include_self=False)
    np.testing.assert_array_equal(idx5, idx[:, 1:6])  # slices of the one graph, not recomputed
    assert prepared.principal_components(2).shape == (300, 2)


def test_stratified_subsample() -> None:
    labels = np.repeat(np.arange(10), [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])
    picks = stratified_subsample(labels, 550, seed=3)
    assert len(picks) == len(np.unique(picks)) == 550 and (np.diff(picks) > 0).all()
    counts = np.bincount(labels[picks], minlength=10)
    np.testing.assert_allclose(counts, np.arange(1, 11) * 10, atol=1)
    np.testing.assert_array_equal(picks, stratified_subsample(labels, 550, seed=3))
    assert not np.array_equal(picks, stratified_subsample(labels, 550, seed=4))
    with pytest.raises(UsageError, match="n must be between 1 and 5500"):
        stratified_subsample(labels, 6000)


def test_device_resolution() -> None:
    assert resolve_device("cpu", [create("pymde")]) == "cpu"
    assert resolve_device("auto", [create("pca")]) == "cpu"
    with pytest.raises(UsageError, match="device must be one of auto, cpu, cuda, got 'tpu'"):
        resolve_device("tpu", [])
    import torch

    if torch.cuda.is_available():
        assert resolve_device("auto", [create("pymde")]) == "cuda"
    else:
        assert resolve_device("auto", [create("pymde")]) == "cpu"
        with pytest.raises(UsageError, match="device is cuda, but PyTorch sees no CUDA GPU"):
            resolve_device("cuda", [create("pymde")])


# --------------------------------------------------------------------------- metrics

def test_metrics_on_known_cases() -> None:
    rng = np.random.default_rng(0)
    plane = rng.uniform(0, 1, (400, 2)).astype(np.float32)
    assert trustworthiness(plane, plane, k=5) == pytest.approx(1.0)
    assert neighborhood_preservation(plane, plane, k=5) == pytest.approx(1.0)
    shuffled = plane[rng.permutation(400)]
    assert trustworthiness(plane, shuffled, k=5) < 0.7
    assert neighborhood_preservation(plane, shuffled, k=5) < 0.1
    labels = (plane[:, 0] > 0.5).astype(np.uint8)
    is_train = np.arange(400) < 300
    assert knn_accuracy(plane, labels, is_train, k=5) > 0.95
    assert np.isnan(knn_accuracy(plane, labels, np.zeros(400, bool)))


# --------------------------------------------------------------------------- cache

def test_cache_hit_returns_identical_arrays_without_recomputing(tiny: Tiny, tmp_path: Path, own_cache: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    (first,) = run(["pca"], ["tiny"], data_dir=tmp_path / "d")
    assert not first.cached

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("recomputed despite a cache hit")

    monkeypatch.setattr("fmnist_viz.embed.methods.PCAEmbedder._embed", fail)
    patch_everywhere(monkeypatch, pipeline_prepare.prepare, fail)
    (second,) = run(["pca"], ["tiny"], data_dir=tmp_path / "d")
    assert second.cached and second.embedding.tobytes() == first.embedding.tobytes()
    np.testing.assert_array_equal(second.index, first.index)


def test_cache_keys_separate_seeds_subsets_and_params(tiny: Tiny, tmp_path: Path, own_cache: Path) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    kwargs = {"data_dir": tmp_path / "d"}
    run(["pca"], ["tiny"], **kwargs)
    assert run(["pca"], ["tiny"], seed=1, **kwargs)[0].cached is False
    assert run(["pca"], ["tiny"], n=20, **kwargs)[0].cached is False
    assert run(["pca"], ["tiny"], pca_dims=10, **kwargs)[0].cached is False
    assert run(["pca"], ["tiny"], **kwargs)[0].cached is True
    assert len(ResultCache(own_cache).entries()["embedding"]) == 4


def test_corrupt_cache_entry_is_discarded_and_recomputed(tiny: Tiny, tmp_path: Path, own_cache: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    (first,) = run(["pca"], ["tiny"], data_dir=tmp_path / "d")
    for entry in (own_cache / "computed" / "embedding").glob("*.npz"):
        entry.write_bytes(entry.read_bytes()[:40])
    (again,) = run(["pca"], ["tiny"], data_dir=tmp_path / "d")
    assert not again.cached and "discarding corrupt cache entry" in caplog.text
    np.testing.assert_array_equal(again.embedding, first.embedding)
    assert run(["pca"], ["tiny"], data_dir=tmp_path / "d")[0].cached


def test_cache_info_and_clear(tiny: Tiny, tmp_path: Path, own_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    run(["pca"], ["tiny"], data_dir=tmp_path / "d", seed=5)
    assert main(["cache", "info"]) == 0
    out = capsys.readouterr().out
    assert f"cache folder: {own_cache}" in out and "tiny     pca    n=50     seed=5" in out
    assert main(["cache", "clear"]) == 0
    assert "freed" in capsys.readouterr().out
    assert not (own_cache / "computed").exists()
    assert main(["cache", "info"]) == 0
    assert "pca" not in capsys.readouterr().out.split("downloaded data sets")[1]


def test_no_cache_neither_reads_nor_writes(tiny: Tiny, tmp_path: Path, own_cache: Path) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    run(["pca"], ["tiny"], data_dir=tmp_path / "d", use_cache=False)
    assert not (own_cache / "computed").exists()


# --------------------------------------------------------------------------- bad input

def test_n_too_small_for_the_neighbour_count(tiny: Tiny, tmp_path: Path) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    with pytest.raises(UsageError, match="n is too small: tsne needs at least 92 points"):
        run(["pca", "tsne"], ["tiny"], n=40, data_dir=tmp_path / "d")
    with pytest.raises(UsageError, match=r"n is too small \(Tiny has only 50 points\): tsne needs at least 92 points"):
        run(["tsne"], ["tiny"], data_dir=tmp_path / "d", use_cache=False)


def test_cli_bad_input_messages(tiny: Tiny, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    cases = [
        (["umap", "--compare", "cifar"], "--compare 'cifar' is not a known data set; valid data sets"),
        (["pca", "--dataset", "tiny", "--n", "999"], "--n must be between 1 and 50"),
        (["pca", "--param", "whiten=1"], "unknown parameter(s) whiten for pca; valid: (none)"),
        (["all", "--param", "perplexity=5"], "say which method, as METHOD.perplexity=VALUE"),
        (["all", "--param", "sne.perplexity=5"], "method 'sne' is not run here"),
        (["pca", "--format", "gif"], "--format must name formats among png, svg, pdf, html, npz; got gif"),
        (["pca", "--dataset", "tiny", "--compare", "tiny-alias"], "is the same data set"),
        (["metrics", "--methods", "pca", "--format", "xml"], "invalid choice: 'xml'"),
        (["pymde", "--device", "tpu"], "invalid choice: 'tpu'"),
        (["pca", "--device", "cpu"], "unrecognized arguments: --device"),  # PCA never runs on a GPU
        (["umpa"], "did you mean 'umap'?"),
        (["pca", "--dataset", "tiny", "--out", "/proc/nope"], "--out '/proc/nope' cannot be created"),
    ]
    for argv, message in cases:
        assert main([*argv, "--data-dir", str(tmp_path / "d")]) == 2, argv
        assert message in capsys.readouterr().err, argv


def test_embedder_rejects_wrong_shapes() -> None:
    class Bad(Embedder):
        name = "bad"

        def _embed(self, data, *, seed, device):  # type: ignore[no-untyped-def]
            return np.zeros((len(data), 3))

    with pytest.raises(FmnistVizError, match="bad returned shape \\(10, 3\\), expected \\(10, 2\\)"):
        Bad().embed(np.zeros((10, 4), np.float32))


def test_metrics_cli_formats(tiny: Tiny, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    tiny.write(tmp_path / "d" / "tiny")
    base = ["metrics", "--methods", "pca", "--dataset", "tiny", "--data-dir", str(tmp_path / "d"), "-k", "3"]
    assert main([*base, "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["method"] == "pca" and row["n"] == 50 and 0 <= row["trustworthiness"] <= 1
    assert 0 <= row["knn_accuracy"] <= 1 and "neighborhood_preservation_seconds" in row
    assert main([*base, "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.startswith("dataset,method,n,device,embed_seconds,cached,knn_accuracy")
    assert main(base) == 0
    assert capsys.readouterr().out.startswith("| dataset | method | n |")


def test_concurrent_writers_never_leave_a_corrupt_entry(tmp_path: Path) -> None:
    import threading

    cache = ResultCache(tmp_path)
    key = {"same": "key"}
    arrays = [{"embedding": np.full((20000, 2), i, np.float32)} for i in range(4)]

    def writer(i: int) -> None:
        for _ in range(5):
            cache.store("embedding", key, arrays[i], meta={"writer": i, "seconds": 1.0})

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    found = cache.load("embedding", key)
    assert found is not None
    values = np.unique(found[0]["embedding"])
    assert len(values) == 1 and values[0] in range(4)  # one whole entry, from one writer
    assert not [p for p in (tmp_path / "computed" / "embedding").iterdir() if ".part" in p.name]
