"""Pictures: the cost curve and a decision boundary are written as real image files."""
import numpy as np
import pytest
from PIL import Image

import nn


def test_plot_costs_writes_a_png_of_the_requested_size(tmp_path):
    path = nn.plot_costs([0.69, 0.5, 0.4, 0.35], tmp_path / "costs.png", learning_rate=0.005,
                         dpi=50)
    assert path == tmp_path / "costs.png"
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (300, 200)     # 6 × 4 in at 50 dpi


def test_plot_costs_svg_by_suffix(tmp_path):
    path = nn.plot_costs([1.0, 0.5], tmp_path / "costs.svg", title="my run")
    text = path.read_text()
    assert text.lstrip().startswith("<?xml") and "my run" in text


def test_plot_costs_refuses_empty_history(tmp_path):
    with pytest.raises(nn.NNShapeError, match="non-empty"):
        nn.plot_costs([], tmp_path / "c.png")


def test_plotting_does_not_change_the_matplotlib_backend(tmp_path):
    import matplotlib
    before = matplotlib.get_backend()
    nn.plot_costs([1.0, 0.5], tmp_path / "c.png")
    assert matplotlib.get_backend() == before


def test_decision_boundary_asks_the_model_about_a_grid_covering_the_data(tmp_path):
    X, Y = nn.datasets.xor(m=40, seed=0)
    asked = []

    def rule(P):
        asked.append(P)
        return ((P[0] > 0) != (P[1] > 0)).astype(int).reshape(1, -1)

    path = nn.plot_decision_boundary(rule, X, Y, tmp_path / "xor.png", resolution=50, dpi=40)
    grid, examples = asked                  # the plane, then the examples (for the accuracy)
    np.testing.assert_array_equal(examples, X)
    assert grid.shape == (2, 2500)
    assert grid[0].min() == pytest.approx(X[0].min() - 1)
    assert grid[1].max() == pytest.approx(X[1].max() + 1)
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (240, 200)
        pixels = np.asarray(image.convert("RGB"))
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 2   # two regions plus points


def test_decision_boundary_uses_a_models_predict(tmp_path):
    X, Y = nn.datasets.planar_flower()
    model = nn.TwoLayerNet(2, 4, 1, seed=0)
    calls = []
    original = model.predict
    model.predict = lambda P: calls.append(P.shape) or original(P)
    nn.plot_decision_boundary(model, X, Y, tmp_path / "flower.png", resolution=30)
    assert calls == [(2, 900), (2, 400)]                   # the 30 x 30 grid, the examples


@pytest.mark.parametrize("X, Y, message", [
    (np.zeros((3, 5)), np.zeros((1, 5)), r"X has shape \(3, 5\).*\(2, m\)"),
    (np.zeros((2, 5)), np.zeros((1, 4)), r"Y has shape \(1, 4\).*5 examples"),
])
def test_decision_boundary_refuses_data_that_is_not_2d(tmp_path, X, Y, message):
    with pytest.raises(nn.NNShapeError, match=message):
        nn.plot_decision_boundary(lambda P: P[:1], X, Y, tmp_path / "b.png")


# --- what the pictures say: legend, axis label, scale (asserted on matplotlib's objects) ---------

def test_decision_boundary_legend_names_the_classes_and_the_accuracy():
    X = np.array([[-2.0, -1.0, 1.0, 2.0, 3.0], [0.0, 0.0, 0.0, 0.0, 0.0]])
    Y = np.array([[0, 0, 1, 1, 0]])                        # the last point is on the wrong side
    rule = lambda P: (P[0] > 0).astype(int).reshape(1, -1)
    fig = nn.plotting.decision_boundary_figure(rule, X, Y, resolution=20,
                                               classes=["non-cat", "cat"])
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["non-cat", "cat"]
    assert legend.get_title().get_text() == "accuracy 80.0 %"          # 4 of 5 right
    default = nn.plotting.decision_boundary_figure(rule, X, Y, resolution=20)
    assert [t.get_text() for t in default.axes[0].get_legend().get_texts()] == \
        ["y = 0", "y = 1"]


def test_decision_boundary_accuracy_is_the_models_score():
    X, Y = nn.datasets.planar_flower()
    model = nn.TwoLayerNet(2, 4, 1, seed=2)
    model.fit(X, Y, iterations=300, learning_rate=1.2, progress=False)
    fig = nn.plotting.decision_boundary_figure(model, X, Y, resolution=30)
    title = fig.axes[0].get_legend().get_title().get_text()
    assert title == f"accuracy {100 * model.score(X, Y):.1f} %"


def test_decision_boundary_legend_colours_are_the_points_colours():
    X, Y = nn.datasets.xor(m=40, seed=0)
    rule = lambda P: ((P[0] > 0) != (P[1] > 0)).astype(int).reshape(1, -1)
    ax = nn.plotting.decision_boundary_figure(rule, X, Y, resolution=20).axes[0]
    handles = ax.get_legend().legend_handles if hasattr(ax.get_legend(), "legend_handles") \
        else ax.get_legend().legendHandles
    points = ax.collections[-2:]                           # one scatter per class, in order
    for handle, scatter, value in zip(handles, points, (0, 1)):
        np.testing.assert_array_equal(handle.get_facecolor(), scatter.get_facecolor())
        assert len(scatter.get_offsets()) == int((Y == value).sum())
    assert not np.array_equal(points[0].get_facecolor(), points[1].get_facecolor())


def test_a_mini_batch_runs_cost_plot_says_epoch(tmp_path):
    X, Y = nn.datasets.xor(m=20, seed=0)
    costs = nn.LogisticRegression(2).fit(X, Y, iterations=3, learning_rate=0.1, batch_size=8,
                                         seed=0)
    assert nn.plotting.cost_figure(costs).axes[0].get_xlabel() == "epoch"
    full = nn.LogisticRegression(2).fit(X, Y, iterations=3, learning_rate=0.1)
    assert nn.plotting.cost_figure(full).axes[0].get_xlabel() == "iteration"
    assert nn.plotting.cost_figure([0.5, 0.4]).axes[0].get_xlabel() == "iteration"
    assert nn.plotting.cost_figure([0.5, 0.4], unit="epoch").axes[0].get_xlabel() == "epoch"
    svg = nn.plot_costs(costs, tmp_path / "c.svg").read_text()
    assert "epoch" in svg and "iteration" not in svg


@pytest.mark.parametrize("costs, scale", [
    ([0.7, 0.3, 0.1, 0.05], "linear"),                     # 1.1 decades
    ([0.7, 0.1, 0.01, 0.0071], "linear"),                  # ratio 98.6: just under 2 decades
    ([0.7, 0.1, 0.01, 0.0069], "log"),                     # ratio 101.4: just over
    ([1.0, 0.1, 0.001, 0.0005], "log"),                     # 3.3 decades
    ([2.0, 1.0, -0.5, 0.001], "linear"),                   # a negative cost: no log axis
    ([5.0, float("nan"), 0.001], "log"),                    # a NaN is left out of the span
])
def test_the_cost_axis_is_logarithmic_when_the_cost_spans_more_than_two_decades(costs, scale):
    assert nn.plotting.cost_figure(costs).axes[0].get_yscale() == scale


def test_cost_plot_refuses_an_unknown_unit():
    with pytest.raises(nn.ConfigError, match="unit must be 'iteration' or 'epoch'"):
        nn.plotting.cost_figure([1.0], unit="step")


def test_mislabelled_figure_shows_exactly_the_wrong_predictions_with_the_courses_titles():
    # four 8×8 pictures, each of one colour (red, green, blue, white): 1 and 2 are wrong
    X = np.zeros((8, 8, 3, 4))
    X[..., 0, 0] = X[..., 1, 1] = X[..., 2, 2] = 1.0
    X[..., 3] = 1.0
    X = X.reshape(8 * 8 * 3, 4)
    Y = np.array([[1, 0, 1, 0]])
    predictions = np.array([[1, 1, 0, 0]])
    fig = nn.plotting.mislabelled_figure(X, Y, predictions, classes=("non-cat", "cat"))
    assert [ax.get_title() for ax in fig.axes] == ["Prediction: cat\nClass: non-cat",
                                                   "Prediction: non-cat\nClass: cat"]
    shown = [ax.get_images()[0].get_array() for ax in fig.axes]
    np.testing.assert_array_equal(shown[0], np.broadcast_to([0.0, 1.0, 0.0], (8, 8, 3)))
    np.testing.assert_array_equal(shown[1], np.broadcast_to([0.0, 0.0, 1.0], (8, 8, 3)))
    assert nn.plotting.mislabelled_figure(X, Y, Y).axes == []       # nothing wrong: no picture


def test_mislabelled_figure_refuses_labels_that_do_not_fit():
    with pytest.raises(nn.NNShapeError, match=r"^mislabelled_figure: X has shape \(192, 4\), "
                                              r"Y \(3,\) and predictions \(4,\)"):
        nn.plotting.mislabelled_figure(np.zeros((192, 4)), np.zeros((1, 3)), np.zeros((1, 4)))
    with pytest.raises(nn.NNShapeError, match=r"n_x = 10 is not 3·s²"):
        nn.plotting.mislabelled_figure(np.zeros((10, 2)), np.zeros((1, 2)), np.ones((1, 2)))
