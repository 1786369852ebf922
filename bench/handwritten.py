"""The baseline: the course's models in plain numpy, with its explicit backward formulas.

Written the way the course's notebooks write them (weeks 3 and 4 of "Neural Networks and
Deep Learning"), so that the benchmark compares the engine with what a learner would code
by hand:

* sigmoid ``1 / (1 + np.exp(-Z))``, relu ``np.maximum(0, Z)``;
* output layer ``dZ = A − Y``; every layer ``dW = 1/m dZ·A_prevᵀ``,
  ``db = 1/m Σ dZ`` (keepdims), ``dA_prev = Wᵀ·dZ``;
* ``relu_backward`` copies dA and sets ``dZ[Z <= 0] = 0``;
* ``L_model_backward`` computes ``dA_prev`` for every layer, the input layer included
  (the gradient of X, which nobody uses);
* ``update_parameters`` builds new arrays ``W − α·dW``.

Random numbers come from a private ``np.random.RandomState(seed)``: the same stream as the
course's ``np.random.seed(seed)`` without touching numpy's global state.

Examples
--------
>>> import numpy as np
>>> from bench import handwritten as hw
>>> X = np.random.RandomState(0).rand(4, 6)
>>> Y = (X[:1] > 0.5).astype(float)
>>> parameters = hw.initialize_parameters_deep([4, 3, 1])
>>> parameters, costs = hw.L_layer_model(X, Y, parameters, 0.1, num_iterations=5)
>>> len(costs), costs[-1] < costs[0]
(5, True)
"""
from __future__ import annotations

import numpy as np


# --- activations ------------------------------------------------------------------------------

def sigmoid(Z):
    """σ(Z) = 1 / (1 + e^(−Z))."""
    return 1 / (1 + np.exp(-Z))


def relu(Z):
    """max(0, Z)."""
    return np.maximum(0, Z)


def relu_backward(dA, Z):
    """dZ = dA where Z > 0, else 0 (the course's copy-and-mask)."""
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


# --- week 4: the L-layer model ----------------------------------------------------------------

def initialize_parameters_deep(layer_dims, seed=1, dtype=np.float64):
    """W[l] = randn(n[l], n[l−1]) / √n[l−1], b[l] = 0, drawn layer by layer from ``seed``."""
    rng = np.random.RandomState(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        W = rng.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters["W" + str(l)] = W.astype(dtype, copy=False)
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1), dtype=dtype)
    return parameters


def linear_forward(A, W, b):
    """Z = W·A + b; the cache keeps (A, W, b) for the backward pass."""
    Z = np.dot(W, A) + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    """A = g(W·A_prev + b) for g = relu or sigmoid; cache = (linear cache, Z)."""
    Z, linear_cache = linear_forward(A_prev, W, b)
    A = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return A, (linear_cache, Z)


def L_model_forward(X, parameters):
    """[LINEAR → RELU] × (L−1) → LINEAR → SIGMOID; returns AL and the caches."""
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)],
                                             parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)],
                                          parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    """Cross-entropy J = −1/m Σ [y log a + (1−y) log(1−a)] (week 4's np.dot form)."""
    m = Y.shape[1]
    cost = (1. / m) * (-np.dot(Y, np.log(AL).T) - np.dot(1 - Y, np.log(1 - AL).T))
    return float(np.squeeze(cost))


def linear_backward(dZ, cache):
    """dW = 1/m dZ·A_prevᵀ, db = 1/m Σ dZ (keepdims), dA_prev = Wᵀ·dZ."""
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1. / m * np.dot(dZ, A_prev.T)
    db = 1. / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def L_model_backward(AL, Y, caches):
    """All gradients; dZ[L] = AL − Y, then relu_backward and linear_backward down to layer 1.

    Like the course's, it computes dA_prev of layer 1 too, i.e. the gradient of X.
    """
    grads = {}
    L = len(caches)
    linear_cache, _ = caches[L - 1]
    dZ = AL - Y
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = \
        linear_backward(dZ, linear_cache)
    for l in reversed(range(L - 1)):
        linear_cache, Z = caches[l]
        dZ = relu_backward(grads["dA" + str(l + 1)], Z)
        grads["dA" + str(l)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = \
            linear_backward(dZ, linear_cache)
    return grads


def update_parameters(parameters, grads, learning_rate):
    """W[l] = W[l] − α dW[l], b[l] = b[l] − α db[l] (new arrays, as the course writes it)."""
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters


def L_layer_model(X, Y, parameters, learning_rate, num_iterations):
    """Batch gradient descent from ``parameters``; returns them and the cost of every iteration."""
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        costs.append(compute_cost(AL, Y))
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs


def predict(X, parameters):
    """Labels 0/1 (1, m): 1 where AL > 0.5."""
    AL, _ = L_model_forward(X, parameters)
    return (AL > 0.5).astype(np.int64)


# --- week 3: the shallow network --------------------------------------------------------------

def initialize_parameters(n_x, n_h, n_y, seed=2, dtype=np.float64):
    """W1 = randn(n_h, n_x)·0.01, W2 = randn(n_y, n_h)·0.01, b = 0 (the course's seed 2)."""
    rng = np.random.RandomState(seed)
    W1 = rng.randn(n_h, n_x) * 0.01
    W2 = rng.randn(n_y, n_h) * 0.01
    return {"W1": W1.astype(dtype, copy=False), "b1": np.zeros((n_h, 1), dtype=dtype),
            "W2": W2.astype(dtype, copy=False), "b2": np.zeros((n_y, 1), dtype=dtype)}


def forward_propagation(X, parameters):
    """Z1 = W1·X + b1, A1 = tanh(Z1), Z2 = W2·A1 + b2, A2 = σ(Z2)."""
    Z1 = np.dot(parameters["W1"], X) + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = np.dot(parameters["W2"], A1) + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost_shallow(A2, Y):
    """Cross-entropy (week 3's np.multiply form)."""
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    return float(np.squeeze(-np.sum(logprobs) / m))


def backward_propagation(parameters, cache, X, Y):
    """dZ2 = A2 − Y, dZ1 = W2ᵀ·dZ2 · (1 − A1²); dW, db as in every layer."""
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dW2 = (1 / m) * np.dot(dZ2, A1.T)
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(parameters["W2"].T, dZ2) * (1 - np.power(A1, 2))
    dW1 = (1 / m) * np.dot(dZ1, X.T)
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters_shallow(parameters, grads, learning_rate):
    """θ = θ − α dθ for W1, b1, W2, b2 (new arrays)."""
    return {key: parameters[key] - learning_rate * grads["d" + key]
            for key in ("W1", "b1", "W2", "b2")}


def nn_model(X, Y, parameters, learning_rate, num_iterations):
    """Week 3's training loop from ``parameters``; returns them and the cost of every iteration."""
    costs = []
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        costs.append(compute_cost_shallow(A2, Y))
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters_shallow(parameters, grads, learning_rate)
    return parameters, costs


# --- a chain of small elementwise ops, differentiated by hand ---------------------------------

def chain_forward_backward(x, a, b, n_blocks):
    """y = tanh(y·a + b) repeated ``n_blocks`` times from y = x; returns (Σ y, dΣy/dx).

    Each block is three elementwise ops (mul, add, tanh); the backward pass multiplies by
    (1 − out²) and by a, as one would write it by hand.
    """
    outs = []
    y = x
    for _ in range(n_blocks):
        y = np.tanh(y * a + b)
        outs.append(y)
    total = y.sum()
    grad = np.ones_like(y)
    for out in reversed(outs):
        grad = grad * (1 - out * out) * a     # tanh, then add (passes it on), then mul
    return total, grad
