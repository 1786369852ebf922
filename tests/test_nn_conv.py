"""nn's picture layers (Conv2d, MaxPool2d, AvgPool2d, Flatten) and the CNN model: values,
initialisation, gradients, errors naming the layer, fit / optimizers / mini-batches,
save / load, graph boxes and the example script."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as ag
import nn
from nn.cnn import from_images, to_images

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def pictures(m=6, shape=(3, 8, 8), seed=0):
    """Course-layout X (n_x, m) whose label is 'the red channel is brighter than the blue'."""
    rng = np.random.default_rng(seed)
    images = rng.random((m, *shape))
    Y = (images[:, 0].mean(axis=(1, 2)) > images[:, -1].mean(axis=(1, 2))).astype(int)
    return from_images(images), Y.reshape(1, -1), images


# --- layers -----------------------------------------------------------------------------------

def test_conv2d_layer_is_conv2d_of_its_parameters_then_the_activation():
    layer = nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=1, dilation=(1, 2),
                      activation="relu", seed=0)
    layer.b.data = np.arange(4.0) - 1.5
    A = np.random.default_rng(1).standard_normal((2, 3, 7, 6))
    expected = np.maximum(ag.conv2d(A, layer.W.data, layer.b.data, stride=(2, 1), padding=1,
                                    dilation=(1, 2)).numpy(), 0)
    assert np.array_equal(layer(A).numpy(), expected)


def test_he_initialisation_draws_the_fan_in_matrix_of_nn_init_and_reshapes_it():
    layer = nn.Conv2d(6, 32, 3, groups=2, seed=0)
    fan_in = 3 * 3 * 3                                # C/groups · kh · kw
    expected = nn.init.he(32, fan_in, nn.init.make_rng(0)).reshape(32, 3, 3, 3)
    assert np.array_equal(layer.W.data, expected)
    assert np.array_equal(layer.b.data, np.zeros(32))
    big = nn.Conv2d(64, 64, 3, seed=1).W.data
    assert big.std() == pytest.approx(np.sqrt(2 / (64 * 9)), rel=0.02)


def test_pool_layers_and_flatten():
    A = np.random.default_rng(2).standard_normal((2, 3, 6, 6))
    assert np.array_equal(nn.MaxPool2d(3, stride=2, padding=1)(A).numpy(),
                          ag.max_pool2d(A, 3, stride=2, padding=1).numpy())
    assert np.array_equal(nn.AvgPool2d(2)(A).numpy(), ag.avg_pool2d(A, 2).numpy())
    flat = nn.Flatten()(A).numpy()
    assert flat.shape == (3 * 6 * 6, 2)
    assert np.array_equal(flat[:, 1], A[1].reshape(-1))      # one picture per column


def test_sequential_cnn_gradients_pass_the_course_gradient_check():
    rng = np.random.default_rng(3)
    net = nn.Sequential(nn.Conv2d(2, 3, 3, padding="same", activation="tanh", seed=0),
                        nn.AvgPool2d(2),
                        nn.Conv2d(3, 2, 2, stride=1, activation="sigmoid", seed=1),
                        nn.MaxPool2d(2, stride=1), nn.Flatten(),
                        nn.Linear(2 * 1 * 1, 1, activation="sigmoid", seed=2))
    for p in net.parameters():
        p.data = rng.standard_normal(p.shape)
    A = rng.standard_normal((3, 2, 6, 6))
    Y = np.array([[1.0, 0.0, 1.0]])
    check = ag.course_gradient_check(lambda: nn.losses.binary_cross_entropy(net(A), Y),
                                     dict(net.named_parameters()))
    assert check.passed, str(check)


@pytest.mark.parametrize("layer, A, words", [
    (nn.Conv2d(3, 4, 3), np.ones((12, 5)),
     ["Conv2d", "(12, 5)", "(m, C, H, W)", "nn.cnn.to_images"]),
    (nn.Conv2d(3, 4, 3), np.ones((2, 8, 8, 3)),
     ["Conv2d", "(2, 8, 8, 3)", "8 channels", "expects 3", "A.transpose(0, 3, 1, 2)"]),
    (nn.Conv2d(3, 4, 5), np.ones((2, 3, 4, 4)),
     ["Conv2d", "conv2d", "kernel 5×5", "larger than the padded input", "(2, 3, 4, 4)"]),
    (nn.MaxPool2d(4), np.ones((1, 2, 3, 3)),
     ["MaxPool2d", "pooling window 4×4", "(1, 2, 3, 3)"]),
    (nn.AvgPool2d(2), np.ones((3, 4, 4)), ["AvgPool2d", "(3, 4, 4)", "one picture"]),
])
def test_bad_input_names_the_layer_and_the_shapes(layer, A, words):
    with pytest.raises(nn.NNShapeError) as info:
        layer(A)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_errors_inside_a_model_name_the_layer_by_its_place():
    model = nn.CNN((3, 8, 8), channels=(4,), pool=2, seed=0)
    with pytest.raises(nn.NNShapeError, match=r"^layer1: .*\(2, 5, 8, 8\), i\.e\. 5 channels"):
        model(np.ones((2, 5, 8, 8)))


def test_bad_layer_configuration():
    with pytest.raises(nn.ConfigError, match="groups=2 must divide in_channels=3"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(nn.ConfigError, match="kernel_size"):
        nn.Conv2d(3, 4, 0)
    with pytest.raises(nn.ConfigError, match=r"Conv2d: padding must be an integer ≥ 0.*-1"):
        nn.Conv2d(3, 4, 3, padding=-1)
    with pytest.raises(nn.ConfigError, match="'full'"):
        nn.Conv2d(3, 4, 3, padding="full")
    with pytest.raises(nn.ConfigError, match="too small for 3 max-pools"):
        nn.CNN((3, 4, 4), channels=(2, 2, 2))


# --- the CNN model ----------------------------------------------------------------------------

def test_to_images_undoes_the_course_flattening_of_h_w_c_pictures():
    rng = np.random.default_rng(4)
    stored = rng.random((5, 4, 6, 3))                   # the .h5 files' (m, H, W, C)
    X = stored.reshape(5, -1).T                          # load_catvnoncat's X (n_x, m)
    images = to_images(X, (3, 4, 6))
    assert np.array_equal(images, stored.transpose(0, 3, 1, 2))
    assert np.array_equal(from_images(images), X)
    with pytest.raises(nn.NNShapeError, match=r"X has shape \(72, 5\).*\(48, m\)"):
        to_images(X, (2, 4, 6))


def test_cnn_forward_takes_the_course_layout_or_pictures_alike():
    X, _, images = pictures()
    model = nn.CNN((3, 8, 8), channels=(2, 3), pool=2, seed=0)
    assert model(X).shape == (1, 6)
    assert np.array_equal(model(X).numpy(), model(images).numpy())


@pytest.mark.parametrize("optimizer, options", [("gd", {"learning_rate": 0.05}),
                                                ("momentum", {"learning_rate": 0.05}),
                                                ("adam", {"learning_rate": 0.01})])
def test_cnn_fit_lowers_the_cost_with_each_optimizer_and_mini_batches(optimizer, options):
    X, Y, _ = pictures(m=16)
    model = nn.CNN((3, 8, 8), channels=(4,), pool=2, seed=0)
    costs = model.fit(X, Y, iterations=8, optimizer=optimizer, batch_size=5, seed=0,
                      progress=False, **options)
    assert len(costs) == 8 and costs[-1] < costs[0]
    assert model.predict(X).shape == (1, 16) and set(np.unique(model.predict(X))) <= {0, 1}
    assert 0 <= model.score(X, Y) <= 1


def test_cnn_full_batch_first_cost_is_the_cross_entropy_of_its_first_forward():
    X, Y, _ = pictures(m=8)
    model = nn.CNN((3, 8, 8), channels=(2,), pool=2, seed=5)
    A = model.predict_proba(X)
    expected = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    costs = model.fit(X, Y, iterations=2, learning_rate=0.1, progress=False)
    assert costs[0] == pytest.approx(expected, rel=1e-12)


def test_cnn_save_load_round_trip(tmp_path):
    X, Y, _ = pictures(m=6)
    model = nn.CNN((3, 8, 8), channels=(2, 3), kernel_size=3, pool=2, seed=0,
                   dtype=np.float32)
    model.fit(X, Y, iterations=2, learning_rate=0.01, optimizer="adam", progress=False)
    nn.save(model, tmp_path / "cnn.npz")
    loaded = nn.load(tmp_path / "cnn.npz")
    assert type(loaded) is nn.CNN and loaded.config() == model.config()
    assert [p.name for p in loaded.parameters()] == [p.name for p in model.parameters()]
    assert loaded.layer1.W.dtype == np.float32
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_cnn_file_with_a_wrong_parameter_shape_is_refused(tmp_path):
    model = nn.CNN((3, 8, 8), channels=(2,), pool=2, seed=0)
    nn.save(model, tmp_path / "cnn.npz")
    with np.load(tmp_path / "cnn.npz") as npz:
        arrays = dict(npz)
    meta = json.loads(str(arrays["__architecture__"]))
    meta["architecture"]["channels"] = [3]
    arrays["__architecture__"] = np.array(json.dumps(meta))
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(nn.FileFormatError, match=r"layer1\.W has shape \(2, 3, 3, 3\), the "
                                                 r"model expects \(3, 3, 3, 3\)"):
        nn.load(tmp_path / "bad.npz")


def test_graph_has_one_box_per_layer():
    X, Y, _ = pictures(m=2)
    model = nn.CNN((3, 8, 8), channels=(2,), pool=2, seed=0)
    J = model.cost(X, Y)
    scopes = set()
    stack = [J]
    while stack:
        fn = stack.pop().grad_fn
        if fn is not None:
            scopes.add(fn.scope)
            stack += list(fn.inputs)
    assert scopes == {"layer1", "layer2", "layer3", "layer4", "cost"}
    source = ag.draw_graph(J).source
    boxes = [line for line in source.splitlines() if line.strip().startswith("subgraph cluster")]
    assert len(boxes) == 5


# --- the example ------------------------------------------------------------------------------

def test_cnn_example_on_a_subset(tmp_path, data_dir):
    env = dict(os.environ, AUTOGRAD_LITE_DATA=str(data_dir))
    done = subprocess.run([sys.executable, str(EXAMPLES / "cnn_cats.py"), "--iterations", "3",
                           "--subset", "24", "--print-every", "1", "--out", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    costs = [float(line.split(": ")[1]) for line in lines if line.startswith("Cost after")]
    assert len(costs) == 3 and costs[-1] < costs[0]
    model = nn.load(tmp_path / "model.npz")
    assert isinstance(model, nn.CNN) and model.layer_dims == [12288, 1]
    assert (tmp_path / "costs.png").is_file()


def test_cli_trains_the_cnn_with_adam_on_mini_batches(tmp_path, data_dir, capsys):
    from autograd_lite.cli import main
    code = main(["train", "--dataset", "catvnoncat", "--data-dir", str(data_dir), "--model",
                 "cnn", "--iterations", "2", "--print-every", "1", "--no-progress",
                 "--out", str(tmp_path)])
    assert code == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert (metrics["model"], metrics["optimizer"], metrics["batch_size"]) == ("cnn", "adam", 32)
    assert metrics["layers"] == [8, 16] and metrics["final_cost"] < metrics["first_cost"]
    assert isinstance(nn.load(tmp_path / "model.npz"), nn.CNN)
    assert main(["train", "--dataset", "planar", "--model", "cnn", "--out", str(tmp_path)]) == 2
    assert "--model cnn needs pictures" in capsys.readouterr().err
