"""Linear layer, activation functions and modules, in the course's layout."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
import nn
from autograd_lite.testing import arrays
from nn import functional as F

Z_VALUES = np.array([[-3.0, -0.5, 0.0], [0.25, 2.0, 10.0]])


@pytest.mark.parametrize("name, expected", [
    ("sigmoid", 1 / (1 + np.exp(-Z_VALUES))),
    ("tanh", np.tanh(Z_VALUES)),
    ("relu", np.maximum(Z_VALUES, 0)),
    ("leaky_relu", np.where(Z_VALUES > 0, Z_VALUES, 0.01 * Z_VALUES)),
    ("identity", Z_VALUES),
    ("softmax", np.exp(Z_VALUES) / np.exp(Z_VALUES).sum(axis=0)),   # classes along axis 0
])
def test_activation_values(name, expected):
    np.testing.assert_allclose(F.get_activation(name)(Z_VALUES).numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("module, name", [
    (nn.Sigmoid(), "sigmoid"), (nn.Tanh(), "tanh"), (nn.ReLU(), "relu"),
    (nn.LeakyReLU(), "leaky_relu"), (nn.Identity(), "identity"), (nn.Softmax(), "softmax"),
])
def test_activation_modules_match_the_functions(module, name):
    np.testing.assert_array_equal(module(Z_VALUES).numpy(),
                                  F.get_activation(name)(Z_VALUES).numpy())


def test_leaky_relu_alpha():
    np.testing.assert_allclose(nn.LeakyReLU(alpha=0.2)(np.array([[-1.0, 3.0]])).numpy(),
                               [[-0.2, 3.0]])


def test_unknown_activation_lists_the_allowed_names():
    with pytest.raises(nn.ConfigError, match="unknown activation 'swish'.*sigmoid.*relu"):
        F.get_activation("swish")
    with pytest.raises(nn.ConfigError, match="unknown activation"):
        nn.Linear(2, 2, activation="softsign")


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 6), st.integers(0, 10 ** 6))
def test_linear_computes_W_A_plus_b_in_course_layout(n_in, n_out, m, seed):
    rng = np.random.default_rng(seed)
    layer = nn.Linear(n_in, n_out, init="he", seed=rng)
    layer.b.data = rng.standard_normal((n_out, 1))
    A_prev = rng.standard_normal((n_in, m))
    Z = layer(A_prev)
    assert layer.W.shape == (n_out, n_in) and layer.b.shape == (n_out, 1)
    assert Z.shape == (n_out, m)
    np.testing.assert_allclose(Z.numpy(), layer.W.data @ A_prev + layer.b.data, rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(arrays(shape=(3, 4)), st.sampled_from(["sigmoid", "tanh", "leaky_relu", "identity",
                                              "softmax"]))
def test_linear_layer_gradients_match_central_differences(A_prev, activation):
    layer = nn.Linear(3, 2, activation=activation, init="xavier", seed=0)
    ag.gradcheck(lambda W, b, A: F.get_activation(activation)(W @ A + b),
                 [layer.W.data, layer.b.data, A_prev])
    # and the layer itself builds exactly that graph
    expected = F.get_activation(activation)(layer.W.data @ A_prev + layer.b.data).numpy()
    np.testing.assert_allclose(layer(A_prev).numpy(), expected, rtol=1e-12)


def test_linear_refuses_input_of_the_wrong_shape_and_names_it():
    layer = nn.Linear(3, 2, seed=0)
    with pytest.raises(nn.NNShapeError, match=r"\(5, 3\).*\(3, m\).*transpose"):
        layer(np.ones((5, 3)))
    with pytest.raises(nn.NNShapeError, match=r"\(3,\)"):
        layer(np.ones(3))
    model = nn.DeepNN([4, 3, 1], seed=0)
    with pytest.raises(nn.NNShapeError, match=r"layer2: the input has shape \(2, 5\)"):
        model.layer2(np.ones((2, 5)))


@pytest.mark.parametrize("n_in, n_out", [(0, 2), (2, -1), (2.5, 2), (True, 2)])
def test_linear_refuses_bad_sizes(n_in, n_out):
    with pytest.raises(nn.ConfigError, match="positive integer"):
        nn.Linear(n_in, n_out)


def test_linear_float32():
    layer = nn.Linear(3, 2, init="he", seed=0, dtype=np.float32)
    assert layer.W.dtype == np.float32 and layer.b.dtype == np.float32
    assert layer(np.ones((3, 2), dtype=np.float32)).dtype == np.float32


def test_functional_linear():
    W, b, A = np.array([[1.0, -1.0]]), np.array([[2.0]]), np.array([[3.0], [1.0]])
    assert F.linear(A, W, b).numpy().tolist() == [[4.0]]
