"""Plots: files per format, labels from config differences, smoothing, weight grids, atomicity."""

import gc
import subprocess
import sys
import weakref
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from nettrainer import plots
from nettrainer.errors import DataError, NettrainerError
from nettrainer.plots import (
    DecisionRegions,
    differing_keys,
    loss_curve,
    plot_confusion,
    plot_runs,
    plot_weights,
    run_label,
    smooth,
    weight_grid,
)
from nettrainer.runs import RunRecord

MAGIC = {".png": (b"\x89PNG",), ".svg": (b"<?xml", b"<svg"), ".pdf": (b"%PDF",)}


def make_config(learning_rate=1.0, hidden_size=100, **extra):
    config = {
        "name": "spiral",
        "seed": 0,
        "data": {"name": "spiral", "path": None},
        "model": {"hidden_size": hidden_size, "reg": 0.001},
        "train": {"optimizer": "sgd", "learning_rate": learning_rate, "epochs": 4},
        "output": {"dir": "runs"},
        "versions": {"numpy": "2.0"},
    }
    config.update(extra)
    return config


def make_run(config=None, loss=None, epochs=4, iterations_per_epoch=10, folder="20260101-120000"):
    """A RunRecord with a synthetic history: a decaying loss and rising accuracies."""
    config = make_config() if config is None else config
    if loss is None:
        loss = 1.1 * np.exp(-np.arange(epochs * iterations_per_epoch) / 10.0) + 0.01
    accuracy = 1.0 - 0.7 * np.exp(-np.arange(epochs + 1) / 2.0)
    history = {
        "loss_history": [float(value) for value in loss],
        "train_acc_history": accuracy.tolist(),
        "val_acc_history": (accuracy - 0.05).tolist(),
        "iterations_per_epoch": iterations_per_epoch,
    }
    path = Path("runs") / config["name"] / folder
    return RunRecord(path, config["name"], config, [], history, {})


def quadrant_regions():
    """Four 2-D points and a classifier that splits the plane at x[0] = 0."""
    X = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    return DecisionRegions(lambda points: (points[:, 0] > 0).astype(int), X, np.array([0, 0, 1, 1]))


def assert_picture(path, suffix):
    data = path.read_bytes()
    assert data.startswith(MAGIC[suffix]), data[:16]


# --- files and formats ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_plot_runs_writes_the_format_of_the_extension(tmp_path, suffix):
    runs = [make_run(), make_run(make_config(learning_rate=0.5), folder="20260101-130000")]
    out = plot_runs(runs, tmp_path / f"curves{suffix}")
    assert out == tmp_path / f"curves{suffix}"
    assert_picture(out, suffix)


def test_extension_is_case_insensitive_and_a_bare_name_becomes_png(tmp_path, drawn):
    assert plot_runs([make_run()], tmp_path / "CURVES.PDF") == tmp_path / "CURVES.PDF"
    assert plot_runs([make_run()], tmp_path / "curves") == tmp_path / "curves.png"


def test_unsupported_extension_is_a_user_error_and_writes_nothing(tmp_path):
    out = tmp_path / "curves.xyz"
    with pytest.raises(NettrainerError) as error:
        plot_runs([make_run()], out)
    assert str(error.value) == f"{out}: unsupported picture format '.xyz'; use .png, .svg or .pdf"
    assert list(tmp_path.iterdir()) == []


def test_missing_output_folder_is_a_user_error(tmp_path):
    out = tmp_path / "nowhere" / "c.png"
    with pytest.raises(NettrainerError, match=r"folder .*nowhere does not exist"):
        plot_confusion(np.eye(2, dtype=int), ["a", "b"], out)


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch):
    out = plot_runs([make_run()], tmp_path / "curves.png")
    before = out.read_bytes()

    def broken_savefig(self, handle, **kwargs):
        handle.write(b"\x89PNG half a picture")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken_savefig)
    with pytest.raises(OSError, match="disk full"):
        plot_runs([make_run(make_config(learning_rate=0.1))], out)
    assert out.read_bytes() == before
    assert [path.name for path in tmp_path.iterdir()] == ["curves.png"]


def test_figures_are_freed_after_each_plot(tmp_path, monkeypatch):
    alive = []

    class TrackedFigure(Figure):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            alive.append(weakref.ref(self))

    monkeypatch.setattr(plots, "Figure", TrackedFigure)
    plot_runs([make_run()], tmp_path / "c.png", regions=quadrant_regions())
    for index in range(2):
        plot_confusion(np.eye(2, dtype=int), ["a", "b"], tmp_path / f"m{index}.png")
    gc.collect()
    assert len(alive) == 3
    assert all(ref() is None for ref in alive)


def test_plots_never_imports_pyplot():
    code = "import sys, nettrainer.plots; print('matplotlib.pyplot' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


# --- what the run figure shows -------------------------------------------------------------------


def test_runs_are_labelled_by_the_keys_that_differ(tmp_path, drawn):
    runs = [make_run(), make_run(make_config(learning_rate=0.5, hidden_size=50))]
    plot_runs(runs, tmp_path / "c.png")
    assert drawn[0]["legend"][:2] == [
        "spiral (model.hidden_size=100, train.learning_rate=1.0)",
        "spiral (model.hidden_size=50, train.learning_rate=0.5)",
    ]
    assert "Accuracy per epoch" in drawn[0]["titles"]
    assert drawn[0]["legend"][2:] == []  # train/validation styles are in the accuracy panel


def test_identical_labels_get_the_run_folder(tmp_path, drawn):
    runs = [make_run(folder="20260101-120000"), make_run(folder="20260102-120000")]
    plot_runs(runs, tmp_path / "c.png")
    assert drawn[0]["legend"] == ["spiral [20260101-120000]", "spiral [20260102-120000]"]


def test_loss_axis_is_logarithmic_only_when_the_loss_spans_a_decade(tmp_path, drawn):
    plot_runs([make_run()], tmp_path / "a.png")  # 1.11 -> 0.03
    plot_runs([make_run(loss=np.linspace(2.3, 0.5, 40))], tmp_path / "b.png")
    assert drawn[0]["yscales"][0] == "log"
    assert drawn[1]["yscales"][0] == "linear"


def test_unfinished_and_diverged_runs_still_draw(tmp_path):
    diverged = make_run(loss=[1.0, 0.9, float("inf"), float("nan")])
    empty = make_run(loss=[], epochs=0)
    assert_picture(plot_runs([diverged, empty], tmp_path / "c.png"), ".png")


def test_weights_and_regions_add_panels(tmp_path, drawn):
    W1 = np.random.default_rng(0).normal(size=(28 * 28, 120))
    plot_runs([make_run()], tmp_path / "c.png", first_layer=(W1, (28, 28)),
              regions=quadrant_regions())
    titles = drawn[0]["titles"]
    assert "First-layer weights W1 (first 100 of 120 hidden units)" in titles
    assert "Decision regions (training points on top)" in titles


def test_panel_titles_name_where_their_params_come_from(tmp_path, drawn):
    W1 = np.random.default_rng(0).normal(size=(28 * 28, 30))
    plot_runs([make_run()], tmp_path / "c.png", first_layer=(W1, (28, 28)),
              regions=quadrant_regions(), params_source="best.npz")
    titles = drawn[0]["titles"]
    assert "First-layer weights W1 of best.npz (all 30 hidden units)" in titles
    assert "Decision regions of best.npz (training points on top)" in titles


# --- config differences and labels ---------------------------------------------------------------


def test_differing_keys_ignores_name_output_and_versions():
    configs = [
        make_config(),
        make_config(learning_rate=0.5, name="other", output={"dir": "elsewhere"},
                    versions={"numpy": "1.26"}),
        make_config(hidden_size=50),
    ]
    assert differing_keys(configs) == ["model.hidden_size", "train.learning_rate"]


def test_differing_keys_of_one_or_identical_configs_is_empty():
    assert differing_keys([make_config()]) == []
    assert differing_keys([make_config(), make_config()]) == []
    assert differing_keys([]) == []


def test_a_key_missing_from_one_config_differs():
    extra = make_config()
    extra["train"]["lr_decay"] = 0.95
    assert differing_keys([make_config(), extra]) == ["train.lr_decay"]
    assert run_label(make_run(), ["train.lr_decay"]) == "spiral (train.lr_decay=unset)"


def test_run_label_writes_values_as_yaml():
    run = make_run(make_config(learning_rate=0.5, hidden_size=50))
    keys = ["train.learning_rate", "model.hidden_size"]
    assert run_label(run, keys) == "spiral (train.learning_rate=0.5, model.hidden_size=50)"
    assert run_label(run, ["data.path", "seed"]) == "spiral (data.path=null, seed=0)"
    assert run_label(run, []) == "spiral"


# --- smoothing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("window", [None, 1, 4, 7, 5000])
def test_smooth_is_exact_on_a_constant(window):
    values = np.full(1000, 0.1)
    smoothed = smooth(values, window)
    assert smoothed.shape == (1000,)
    np.testing.assert_array_equal(smoothed, values)


def test_smooth_of_a_step_ramps_across_the_window():
    values = np.r_[np.zeros(10), np.ones(10)]
    smoothed = smooth(values, window=5)  # points i-2 .. i+2
    expected = np.r_[np.zeros(8), [0.2, 0.4, 0.6, 0.8], np.ones(8)]
    np.testing.assert_allclose(smoothed, expected, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(values, np.r_[np.zeros(10), np.ones(10)])  # input untouched


def test_smooth_averages_fewer_points_at_the_ends():
    values = np.arange(6.0)
    np.testing.assert_allclose(smooth(values, window=3), [0.5, 1, 2, 3, 4, 4.5])
    np.testing.assert_allclose(smooth(values, window=1), values, rtol=0, atol=1e-15)
    assert smooth(np.array([]), None).shape == (0,)


def test_smooth_default_window_grows_with_the_length():
    noise = np.random.default_rng(0).normal(size=5000)
    assert np.std(smooth(noise)) < 0.2 * np.std(noise)
    np.testing.assert_allclose(smooth(noise[:40]), noise[:40], atol=1e-15)  # short: raw


def test_smooth_rejects_bad_arguments():
    with pytest.raises(ValueError, match="window must be an int >= 1; got 0"):
        smooth(np.ones(5), 0)
    with pytest.raises(ValueError, match=r"shape \(T,\); got shape \(2, 2\)"):
        smooth(np.ones((2, 2)))


# --- first-layer weights -------------------------------------------------------------------------


def scaled(tile):
    return (tile - tile.min()) / (tile.max() - tile.min())


def test_weight_grid_of_grey_images(tmp_path):
    W1 = np.random.default_rng(1).normal(size=(28 * 28, 10))
    grid = weight_grid(W1, (28, 28))
    assert grid.shape == (3 * 29 - 1, 4 * 29 - 1)  # 10 tiles: 4 columns, 3 rows
    np.testing.assert_allclose(grid[:28, :28], scaled(W1[:, 0].reshape(28, 28)))
    np.testing.assert_allclose(grid[29:57, 29:57], scaled(W1[:, 5].reshape(28, 28)))
    assert np.all(grid[28, :] == 1.0) and np.all(grid[:, 28] == 1.0)  # white padding
    assert grid.min() == 0.0 and grid.max() == 1.0
    assert_picture(plot_weights(W1, (28, 28), tmp_path / "w.png"), ".png")


@pytest.mark.parametrize("image_shape", [(3, 32, 32), (32, 32, 3)])
def test_weight_grid_of_colour_images_keeps_at_most_100_tiles(tmp_path, image_shape):
    W1 = np.random.default_rng(2).normal(size=(3 * 32 * 32, 150))
    grid = weight_grid(W1, image_shape)
    assert grid.shape == (10 * 33 - 1, 10 * 33 - 1, 3)
    first = W1[:, 0].reshape(image_shape)
    first = first.transpose(1, 2, 0) if image_shape[0] == 3 else first
    np.testing.assert_allclose(grid[:32, :32], scaled(first))
    if image_shape[0] == 3:
        assert_picture(plot_weights(W1, image_shape, tmp_path / "w.svg"), ".svg")


def test_weight_grid_of_single_channel_and_constant_tiles():
    W1 = np.zeros((4 * 4, 2))
    W1[:, 1] = np.arange(16)
    grid = weight_grid(W1, (1, 4, 4))
    assert grid.shape == (4, 9)
    np.testing.assert_array_equal(grid[:, :4], 0.5)
    np.testing.assert_allclose(grid[:, 5:], np.arange(16).reshape(4, 4) / 15)


@pytest.mark.parametrize(("image_shape", "message"), [
    ((28, 27), "W1 needs 756 rows, one per pixel"),
    ((4, 14, 14), r"expected \(h, w\), \(c, h, w\) or \(h, w, c\) with c = 1 or 3"),
])
def test_weight_grid_rejects_shapes_that_do_not_fit(image_shape, message):
    with pytest.raises(DataError, match=message):
        weight_grid(np.ones((784, 3)), image_shape)


# --- decision regions and confusion matrices -----------------------------------------------------


def test_decision_regions_predict_on_a_mesh_over_the_data(tmp_path, drawn):
    seen = []

    def predict(points):
        seen.append(points)
        return (points[:, 0] > 0).astype(np.int64)

    X = np.array([[-2.0, 0.0], [2.0, 1.0], [0.5, -1.0]])
    regions = DecisionRegions(predict, X, np.array([0, 1, 1]))
    plot_runs([make_run()], tmp_path / "r.pdf", regions=regions)
    (points,) = seen
    assert points.shape == (plots.MESH_POINTS**2, 2)
    np.testing.assert_allclose(points.min(axis=0), [-2.4, -1.2])
    np.testing.assert_allclose(points.max(axis=0), [2.4, 1.2])


def test_decision_regions_check_shapes(tmp_path):
    with pytest.raises(ValueError, match=r"X \(N, 2\) and y \(N,\)"):
        DecisionRegions(lambda points: points[:, 0], np.ones((3, 3)), np.zeros(3))
    regions = DecisionRegions(lambda points: np.zeros(5, dtype=int), np.ones((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="predict gave"):
        plot_runs([make_run()], tmp_path / "r.png", regions=regions)


def test_confusion_matrix_is_annotated_with_counts(tmp_path, drawn):
    matrix = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 4]])
    plot_confusion(matrix, ["cat", "dog", "bird"], tmp_path / "confusion.png")
    assert drawn[0]["titles"][0] == "Confusion matrix: 20 examples, accuracy 80.0%"
    assert drawn[0]["texts"] == [str(count) for count in matrix.ravel()]


def test_confusion_matrix_checks_its_shape(tmp_path):
    with pytest.raises(ValueError, match=r"matrix must have shape \(2, 2\); got \(3, 3\)"):
        plot_confusion(np.eye(3), ["a", "b"], tmp_path / "c.png")


def test_a_diverging_loss_near_the_float_limit_still_draws(tmp_path):
    # Losses like 1e300 broke matplotlib's log-axis ticks (OverflowError) before they were capped.
    loss = np.concatenate([np.linspace(1.0, 0.5, 20), 10.0 ** np.arange(10, 310, 15)])
    out = plot_runs([make_run(loss=loss, epochs=4, iterations_per_epoch=10)], tmp_path / "c.png")
    assert_picture(out, ".png")


def test_loss_curve_keeps_drawable_losses_and_counts_the_rest():
    curve = loss_curve([2.0, 1.0, 1e31, -1e40, 0.5, float("inf"), float("nan")])
    assert curve.iterations.tolist() == [1, 2, 5]
    assert curve.losses.tolist() == [2.0, 1.0, 0.5]
    assert curve.note == "4 of 7 losses above 1e+30 not drawn"


def test_loss_curve_of_a_tame_or_empty_run_has_no_note():
    assert loss_curve([2.0, 1.0]).note is None
    empty = loss_curve([])
    assert (empty.iterations.size, empty.losses.size, empty.note) == (0, 0, None)


def test_a_diverged_run_says_in_the_loss_panel_what_is_not_drawn(tmp_path, drawn):
    # Like `train --set train.learning_rate=1e6` on the spiral: 4 drawable losses of 41.
    loss = np.concatenate([[1.1, 40.0, 3e8, 5e20], np.geomspace(1e31, 1e300, 37)])
    diverged = make_run(loss=loss, config=make_config(learning_rate=1e6))
    plot_runs([make_run(), diverged], tmp_path / "c.png")
    loss_panel, accuracy_panel = drawn[0]["panel_legends"]
    assert loss_panel == ["37 of 41 losses above 1e+30 not drawn"]
    assert accuracy_panel == ["train", "validation"]


def test_a_single_drawable_loss_is_a_marker_not_an_invisible_line(tmp_path, drawn):
    # Like `train --set train.learning_rate=1e20`: only the first loss is below 1e30.
    diverged = make_run(loss=np.concatenate([[1.1], np.geomspace(1e31, 1e300, 8)]))
    plot_runs([diverged, make_run()], tmp_path / "c.png")
    single_smoothed, full_smoothed = drawn[0]["markers"][0][1], drawn[0]["markers"][0][3]
    assert (single_smoothed, full_smoothed) == ("o", "None")


def test_a_run_stopped_before_its_first_step_says_so_in_the_empty_loss_panel(tmp_path, drawn):
    plot_runs([make_run(loss=[], epochs=0)], tmp_path / "a.png")
    plot_runs([make_run()], tmp_path / "b.png")
    assert drawn[0]["texts"] == ["no training steps yet"]
    assert drawn[1]["texts"] == []


def test_a_run_drawn_in_full_has_no_loss_panel_legend(tmp_path, drawn):
    plot_runs([make_run()], tmp_path / "c.png")
    assert drawn[0]["panel_legends"][0] == []


def _legend_and_figure_extents(monkeypatch):
    """Patch plots._save to record the figure legend's and the figure's extents, in pixels."""
    extents = []
    save = plots._save

    def measuring_save(fig, out, picture_format):
        written = save(fig, out, picture_format)  # draws, so the layout is final
        renderer = fig.canvas.get_renderer()
        extents.append((fig.legends[0].get_window_extent(renderer), fig.bbox))
        return written

    monkeypatch.setattr(plots, "_save", measuring_save)
    return extents


@pytest.mark.parametrize("count", [2, 5])
def test_legends_of_runs_differing_in_many_keys_fit_in_the_figure(tmp_path, monkeypatch, count):
    extents = _legend_and_figure_extents(monkeypatch)
    runs = [
        make_run(make_config(
            learning_rate=0.1 * (index + 1), hidden_size=50 * (index + 1), seed=index,
            data={"name": "npz", "path": f"/home/student/datasets/experiment-{index}/" + "x" * 60,
                  "points_per_class": 100 + index, "val_size": 0.1 * (index + 1)},
            train={"optimizer": ["sgd", "adam"][index % 2], "learning_rate": 0.5 / (index + 1),
                   "lr_decay": 0.9 + 0.01 * index, "batch_size": 30 + index,
                   "epochs": 10 + index, "momentum": 0.8 + 0.01 * index},
        ), folder=f"2026010{index}-120000")
        for index in range(count)
    ]
    plot_runs(runs, tmp_path / "c.png")
    (legend, figure), = extents
    assert figure.x0 <= legend.x0 and legend.x1 <= figure.x1, (legend, figure)
    assert figure.y0 <= legend.y0 and legend.y1 <= figure.y1, (legend, figure)


def test_the_accuracy_legend_names_validation_only_when_a_run_has_it(tmp_path, drawn):
    unvalidated = make_run()
    unvalidated.history["val_acc_history"] = []  # as a run with data.val_size 0 writes it
    plot_runs([unvalidated], tmp_path / "a.png")
    plot_runs([unvalidated, make_run(folder="20260101-130000")], tmp_path / "b.png")
    assert drawn[0]["panel_legends"][1] == ["train"]
    assert drawn[1]["panel_legends"][1] == ["train", "validation"]
