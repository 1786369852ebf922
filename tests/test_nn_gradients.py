"""The engine's gradients of each model equal the course's closed-form backpropagation.

The closed forms (course week 2–4) appear only here, in the tests:
    dZ[L] = A[L] − Y                          (sigmoid + binary cross-entropy, softmax + CE)
    dW[l] = dZ[l] · A[l−1]ᵀ / m,   db[l] = Σ_examples dZ[l] / m
    dA[l−1] = W[l]ᵀ · dZ[l],       dZ[l] = dA[l] * g'(Z[l])
with relu' = [Z > 0], tanh' = 1 − A², σ' = A(1 − A), leaky_relu' = 1 or α.
nn computes none of this: it calls cost.backward().
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
import nn

DERIVATIVES = {     # g'(Z) from Z and A = g(Z)
    "relu": lambda Z, A: (Z > 0).astype(float),
    "tanh": lambda Z, A: 1 - A ** 2,
    "sigmoid": lambda Z, A: A * (1 - A),
    "leaky_relu": lambda Z, A: np.where(Z > 0, 1.0, 0.01),
    "identity": lambda Z, A: np.ones_like(Z),
}
ACTIVATIONS = {
    "relu": lambda Z: np.maximum(Z, 0),
    "tanh": np.tanh,
    "sigmoid": lambda Z: 1 / (1 + np.exp(-Z)),
    "leaky_relu": lambda Z: np.where(Z > 0, Z, 0.01 * Z),
    "identity": lambda Z: Z,
}


def course_backprop(params, X, Y, hidden, output):
    """Closed-form gradients [(dW1, db1), …] and dA[l] for l = 1 … L−1 (numpy only)."""
    L, m = len(params), X.shape[1]
    As, Zs = [X], []
    for l, (W, b) in enumerate(params, start=1):
        Z = W @ As[-1] + b
        Zs.append(Z)
        if l < L:
            As.append(ACTIVATIONS[hidden](Z))
        elif output == "sigmoid":
            As.append(1 / (1 + np.exp(-Z)))
        else:
            e = np.exp(Z - Z.max(axis=0))
            As.append(e / e.sum(axis=0))
    grads, dAs = [None] * L, [None] * L
    dZ = As[-1] - Y
    for l in range(L, 0, -1):
        W = params[l - 1][0]
        grads[l - 1] = (dZ @ As[l - 1].T / m, dZ.sum(axis=1, keepdims=True) / m)
        if l > 1:
            dA = W.T @ dZ
            dAs[l - 1] = dA
            dZ = dA * DERIVATIVES[hidden](Zs[l - 2], As[l - 1])
    return grads, dAs[1:]


def random_labels(rng, n_y, m, output):
    if output == "softmax":
        return np.eye(n_y)[:, rng.integers(0, n_y, size=m)]
    return rng.integers(0, 2, size=(n_y, m)).astype(float)


def engine_backprop(model, X, Y):
    """Gradients by cost.backward(), keeping the hidden activations' gradients dA[l].

    The course's dA[l] carries no 1/m (the course divides by m in dW and db); the engine's
    A.grad is the true ∂J/∂A[l] = dA[l] / m, so it is scaled back by m here.
    """
    model.zero_grad()
    A, hidden_As = ag.as_tensor(X), []
    for layer in model.layers:
        A = layer(A)
        hidden_As.append(A.retain_grad())
    model._cost_fn(A, ag.as_tensor(Y)).backward()
    grads = [(layer.W.grad.numpy(), layer.b.grad.numpy()) for layer in model.layers]
    m = X.shape[1]
    return grads, [A.grad.numpy() * m for A in hidden_As[:-1]]


def assert_same_gradients(model, X, Y):
    params = [(layer.W.data, layer.b.data) for layer in model.layers]
    expected, expected_dAs = course_backprop(params, X, Y, model.hidden, model.output)
    got, got_dAs = engine_backprop(model, X, Y)
    for l, ((dW, db), (gW, gb)) in enumerate(zip(expected, got), start=1):
        np.testing.assert_allclose(gW, dW, rtol=1e-9, atol=1e-13, err_msg=f"dW{l}")
        np.testing.assert_allclose(gb, db, rtol=1e-9, atol=1e-13, err_msg=f"db{l}")
    for l, (dA, gA) in enumerate(zip(expected_dAs, got_dAs), start=1):
        np.testing.assert_allclose(gA, dA, rtol=1e-9, atol=1e-13, err_msg=f"dA{l}")


def randomize_biases(model, rng):
    for layer in model.layers:           # the course starts b at 0; any b must work
        layer.b.data = rng.standard_normal(layer.b.shape) * 0.5


def test_logistic_regression_gradient_is_the_course_formula():
    rng = np.random.default_rng(0)
    n_x, m = 7, 11
    X, Y = rng.standard_normal((n_x, m)), rng.integers(0, 2, size=(1, m))
    model = nn.LogisticRegression(n_x)
    model.layer1.W.data = rng.standard_normal((1, n_x))
    model.layer1.b.data = np.array([[0.3]])
    cost = model.cost(X, Y)
    cost.backward()
    A = 1 / (1 + np.exp(-(model.layer1.W.data @ X + 0.3)))
    # week 2: dw = X (A − Y)ᵀ / m in the course's (n_x, 1) layout, db = Σ (A − Y) / m
    dw = X @ (A - Y).T / m
    np.testing.assert_allclose(model.layer1.W.grad.numpy(), dw.T, rtol=1e-10)
    np.testing.assert_allclose(model.layer1.b.grad.numpy(), [[np.sum(A - Y) / m]], rtol=1e-10)
    J = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    assert cost.item() == pytest.approx(J, rel=1e-12)


def test_two_layer_tanh_network_gradients_are_the_course_formulas():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, 30))
    Y = rng.integers(0, 2, size=(1, 30)).astype(float)
    model = nn.TwoLayerNet(2, 4, 1, hidden="tanh", init="xavier", seed=3)
    randomize_biases(model, rng)
    # week 3: dZ2 = A2 − Y; dW2 = dZ2 A1ᵀ / m; dZ1 = W2ᵀ dZ2 * (1 − A1²); dW1 = dZ1 Xᵀ / m
    assert_same_gradients(model, X, Y)


@settings(max_examples=40, deadline=None)
@given(layer_dims=st.lists(st.integers(1, 6), min_size=2, max_size=5),
       m=st.integers(1, 9),
       hidden=st.sampled_from(sorted(DERIVATIVES)),
       seed=st.integers(0, 2 ** 32 - 1))
def test_deep_network_gradients_are_the_course_formulas(layer_dims, m, hidden, seed):
    rng = np.random.default_rng(seed)
    model = nn.DeepNN(layer_dims, hidden=hidden, output="sigmoid", init="he", seed=rng)
    randomize_biases(model, rng)
    X = rng.standard_normal((layer_dims[0], m))
    assert_same_gradients(model, X, random_labels(rng, layer_dims[-1], m, "sigmoid"))


@settings(max_examples=25, deadline=None)
@given(layer_dims=st.lists(st.integers(2, 5), min_size=2, max_size=4),
       m=st.integers(1, 8), seed=st.integers(0, 2 ** 32 - 1))
def test_softmax_output_gradient_is_A_minus_Y(layer_dims, m, seed):
    rng = np.random.default_rng(seed)
    model = nn.DeepNN(layer_dims, hidden="tanh", output="softmax", init="xavier", seed=rng)
    randomize_biases(model, rng)
    X = rng.standard_normal((layer_dims[0], m))
    assert_same_gradients(model, X, random_labels(rng, layer_dims[-1], m, "softmax"))


def test_deep_network_on_cat_sized_input_matches_course_backprop():
    # the course's architecture, on random pictures (12288 features), with its initialization
    rng = np.random.default_rng(5)
    X = rng.uniform(0, 1, size=(12288, 16))
    Y = rng.integers(0, 2, size=(1, 16)).astype(float)
    model = nn.DeepNN([12288, 20, 7, 5, 1], seed=nn.init.course_rng(1))
    assert_same_gradients(model, X, Y)


def test_gradients_after_fit_steps_match_course_update():
    # one fit iteration is exactly W := W − α dW with the course's dW
    rng = np.random.default_rng(2)
    X = rng.standard_normal((3, 10))
    Y = rng.integers(0, 2, size=(1, 10)).astype(float)
    model = nn.DeepNN([3, 4, 1], hidden="relu", init="he", seed=0)
    before = [(layer.W.data.copy(), layer.b.data.copy()) for layer in model.layers]
    grads, _ = course_backprop(before, X, Y, "relu", "sigmoid")
    model.fit(X, Y, iterations=1, learning_rate=0.1)
    for layer, (W, b), (dW, db) in zip(model.layers, before, grads):
        np.testing.assert_allclose(layer.W.data, W - 0.1 * dW, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer.b.data, b - 0.1 * db, rtol=1e-12, atol=1e-15)
