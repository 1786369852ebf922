"""The engine side of each workload, written the way a user writes it.

The deep and shallow models go through the nn package's public API (``DeepNN.fit``,
``TwoLayerNet.fit``); ``shallow_raw`` builds the same shallow network from autograd_lite
operations alone, so the difference between the two is the nn package's own overhead.
Every ``prepare_*`` does the untimed set-up and returns ``run()``, the part that is timed.
"""
from __future__ import annotations

import time

import numpy as np

import autograd_lite as ag
import nn


def _fit_result(model, costs, X, Y, X_test=None, Y_test=None):
    """The costs, and under "after" the accuracies (computed once the clock has stopped)."""
    def accuracies():
        out = {"train_accuracy": model.score(X, Y)}
        if X_test is not None:
            out["test_accuracy"] = model.score(X_test, Y_test)
        return out
    return {"costs": [float(c) for c in costs], "final_cost": float(costs[-1]),
            "after": accuracies}


def prepare_deep(X, Y, layer_dims, learning_rate, iterations, X_test=None, Y_test=None,
                 dtype=np.float64, compile=False):
    """DeepNN(layer_dims, seed=course_rng(1)).fit(X, Y) — the course's week 4 model
    (``compile=True``: the fit's step is captured once and replayed, ag.compile)."""
    # the very array the baselines get (no copy for float64; float32 keeps the memory layout)
    X = np.asarray(X, dtype=dtype)
    X_test = None if X_test is None else np.asarray(X_test, dtype=dtype)
    model = nn.DeepNN(layer_dims, seed=nn.init.course_rng(1), dtype=dtype)

    def run():
        costs = model.fit(X, Y, iterations=iterations, learning_rate=learning_rate,
                          progress=False, compile=compile)
        return _fit_result(model, costs, X, Y, X_test, Y_test)
    run.model = model
    return run


def prepare_shallow(X, Y, n_h, learning_rate, iterations, compile=False, simplify=False):
    """TwoLayerNet(n_x, n_h, 1, seed=course_rng(2)).fit(X, Y) — the course's week 3 model."""
    model = nn.TwoLayerNet(X.shape[0], n_h, 1, seed=nn.init.course_rng(2))

    def run():
        costs = model.fit(X, Y, iterations=iterations, learning_rate=learning_rate,
                          progress=False, compile=compile, simplify=simplify)
        return _fit_result(model, costs, X, Y)
    run.model = model
    return run


def prepare_shallow_raw(X, Y, parameters, learning_rate, iterations):
    """The shallow network from autograd_lite operations only (no nn): the engine's floor."""
    W1, b1, W2, b2 = (ag.tensor(parameters[k], requires_grad=True)
                      for k in ("W1", "b1", "W2", "b2"))
    params = (W1, b1, W2, b2)
    X = ag.as_tensor(X)
    Y = ag.as_tensor(np.asarray(Y, dtype=X.dtype))
    m = X.shape[1]

    def run():
        costs = []
        for i in range(iterations):
            A1 = ag.tanh(W1 @ X + b1)
            A2 = ag.sigmoid(W2 @ A1 + b2)
            cost = -(Y * ag.log(A2) + (1 - Y) * ag.log(1 - A2)).sum() / m
            cost.backward()
            with ag.no_grad():
                for p in params:
                    p.data -= learning_rate * p.grad.data
                    p.grad = None
            costs.append(cost.item())
        return {"costs": costs, "final_cost": costs[-1]}
    return run


def prepare_chain(x, a, b, n_blocks):
    """Forward and backward of y = tanh(y·a + b), ``n_blocks`` times (3 elementwise ops each)."""
    a, b = ag.tensor(a), ag.tensor(b)

    def run():
        start = time.process_time()
        x_t = ag.tensor(x, requires_grad=True)
        y = x_t
        for _ in range(n_blocks):
            y = ag.tanh(y * a + b)
        total = y.sum()
        middle = time.process_time()
        total.backward()
        end = time.process_time()
        return {"final_cost": total.item(), "grad": x_t.grad.data,
                "phases": {"forward": middle - start, "backward": end - middle}}
    return run
