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
    (grid,) = asked
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
    nn.plot_decision_boundary(model, X, Y, tmp_path / "flower.png", resolution=20)
    assert calls == [(2, 400)]


@pytest.mark.parametrize("X, Y, message", [
    (np.zeros((3, 5)), np.zeros((1, 5)), r"X has shape \(3, 5\).*\(2, m\)"),
    (np.zeros((2, 5)), np.zeros((1, 4)), r"Y has shape \(1, 4\).*5 examples"),
])
def test_decision_boundary_refuses_data_that_is_not_2d(tmp_path, X, Y, message):
    with pytest.raises(nn.NNShapeError, match=message):
        nn.plot_decision_boundary(lambda P: P[:1], X, Y, tmp_path / "b.png")
