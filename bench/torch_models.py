"""The PyTorch side of each workload: eager mode, CPU, float64, the course's layout.

The same models as ``handwritten.py`` written with raw tensors (X is (n_x, m)), autograd
for the gradients and a plain ``p -= α·p.grad`` update under ``torch.no_grad()`` — the
leanest eager PyTorch loop, so it is a demanding baseline (``torch.nn`` modules and
``torch.optim`` would only add Python overhead).  Import this module only after checking
that torch is importable.
"""
from __future__ import annotations

import time

import numpy as np
import torch


def _params(parameters, keys, dtype):
    return [torch.tensor(np.asarray(parameters[k]), dtype=dtype, requires_grad=True)
            for k in keys]


def _step(params, learning_rate):
    with torch.no_grad():
        for p in params:
            p -= learning_rate * p.grad
            p.grad = None


def _bce(A, Y, m):
    return -(Y * torch.log(A) + (1 - Y) * torch.log(1 - A)).sum() / m


def prepare_deep(X, Y, parameters, learning_rate, iterations, X_test=None, Y_test=None,
                 dtype=torch.float64):
    """The L-layer model: [LINEAR → RELU] × (L−1) → LINEAR → SIGMOID, batch gradient
    descent."""
    L = len(parameters) // 2
    params = _params(parameters, [f"{k}{l}" for l in range(1, L + 1) for k in "Wb"], dtype)
    X_t = torch.as_tensor(X, dtype=dtype)         # shares X's memory and layout
    Y_t = torch.as_tensor(np.asarray(Y), dtype=dtype)
    m = X_t.shape[1]

    def forward(A):
        for l in range(L):
            Z = params[2 * l] @ A + params[2 * l + 1]
            A = torch.relu(Z) if l < L - 1 else torch.sigmoid(Z)
        return A

    def accuracies():
        with torch.no_grad():
            out = {"train_accuracy": _accuracy(forward(X_t), Y)}
            if X_test is not None:
                X_test_t = torch.as_tensor(X_test, dtype=dtype)
                out["test_accuracy"] = _accuracy(forward(X_test_t), Y_test)
        return out

    def run():
        costs = []
        for i in range(iterations):
            cost = _bce(forward(X_t), Y_t, m)
            cost.backward()
            _step(params, learning_rate)
            costs.append(cost.item())
        return {"costs": costs, "final_cost": costs[-1], "after": accuracies}
    return run


def _accuracy(A, Y):
    return float(((A.numpy() > 0.5) == np.asarray(Y)).all(axis=0).mean())


def prepare_shallow(X, Y, parameters, learning_rate, iterations, dtype=torch.float64):
    """The 2-layer network: tanh hidden layer, sigmoid output."""
    params = _params(parameters, ("W1", "b1", "W2", "b2"), dtype)
    W1, b1, W2, b2 = params
    X_t = torch.as_tensor(np.asarray(X), dtype=dtype)
    Y_t = torch.as_tensor(np.asarray(Y), dtype=dtype)
    m = X_t.shape[1]

    def run():
        costs = []
        for i in range(iterations):
            A1 = torch.tanh(W1 @ X_t + b1)
            A2 = torch.sigmoid(W2 @ A1 + b2)
            cost = _bce(A2, Y_t, m)
            cost.backward()
            _step(params, learning_rate)
            costs.append(cost.item())
        return {"costs": costs, "final_cost": costs[-1]}
    return run


def prepare_chain(x, a, b, n_blocks, dtype=torch.float64):
    """Forward and backward of y = tanh(y·a + b), ``n_blocks`` times."""
    a, b = torch.as_tensor(a, dtype=dtype), torch.as_tensor(b, dtype=dtype)

    def run():
        start = time.process_time()
        x_t = torch.tensor(x, dtype=dtype, requires_grad=True)
        y = x_t
        for _ in range(n_blocks):
            y = torch.tanh(y * a + b)
        total = y.sum()
        middle = time.process_time()
        total.backward()
        end = time.process_time()
        return {"final_cost": total.item(), "grad": x_t.grad.numpy(),
                "phases": {"forward": middle - start, "backward": end - middle}}
    return run


def set_threads(n):
    """Use ``n`` intra-op threads (and one inter-op thread) in this process."""
    torch.set_num_threads(n)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:      # only allowed before the first parallel work; harmless after
        pass


def info():
    """Version and threading of this torch build, for the report."""
    config = torch.__config__.parallel_info().splitlines()
    wanted = ("ATen/Parallel", "at::get_num_threads", "at::get_num_interop_threads",
              "OpenMP", "MKL", "std::thread")
    return {"version": torch.__version__, "threads": torch.get_num_threads(),
            "parallel": [line.strip() for line in config
                         if line.strip().startswith(wanted)]}


# --- torch.compile of the whole step (a baseline only where it works: it needs a C compiler) ---

_COMPILED = {}


def can_compile():
    """Whether torch.compile works here (its CPU backend needs a C++ compiler), tried once."""
    if "works" not in _COMPILED:
        try:
            torch.compile(lambda t: t * 2.0)(torch.ones(2))
            _COMPILED["works"] = True
        except Exception:          # no compiler, an unsupported platform: no such rows
            _COMPILED["works"] = False
    return _COMPILED["works"]


def _compiled(key, make):
    """One compiled function per workload and shape: torch.compile traces on first use only."""
    if key not in _COMPILED:
        _COMPILED[key] = torch.compile(make())
    return _COMPILED[key]


def _shallow_cost(W1, b1, W2, b2, X, Y):
    A1 = torch.tanh(W1 @ X + b1)
    A2 = torch.sigmoid(W2 @ A1 + b2)
    return _bce(A2, Y, X.shape[1])


def prepare_shallow_compiled(X, Y, parameters, learning_rate, iterations,
                             dtype=torch.float64):
    """The 2-layer network with one ``torch.compile``-d step: forward, the gradients
    (``torch.func.grad_and_value``, so the backward is in the same graph) and the update."""
    init = [torch.tensor(np.asarray(parameters[k]), dtype=dtype)
            for k in ("W1", "b1", "W2", "b2")]
    X_t = torch.as_tensor(np.asarray(X), dtype=dtype)
    Y_t = torch.as_tensor(np.asarray(Y), dtype=dtype)

    def make():
        gradient = torch.func.grad_and_value(_shallow_cost, argnums=(0, 1, 2, 3))

        def step(W1, b1, W2, b2, X, Y):
            grads, cost = gradient(W1, b1, W2, b2, X, Y)
            return [p - learning_rate * g for p, g in zip((W1, b1, W2, b2), grads)], cost
        return step
    step = _compiled(("shallow", learning_rate, tuple(X_t.shape)), make)
    step(*init, X_t, Y_t)                     # compiled here, not in the timed run

    def run():
        params, costs = init, []
        for i in range(iterations):
            params, cost = step(*params, X_t, Y_t)
            costs.append(cost.item())
        return {"costs": costs, "final_cost": costs[-1]}
    return run


def prepare_chain_compiled(x, a, b, n_blocks, dtype=torch.float64):
    """Forward and backward of y = tanh(y·a + b), ``n_blocks`` times, as one compiled call."""
    a, b = torch.as_tensor(a, dtype=dtype), torch.as_tensor(b, dtype=dtype)
    x_t = torch.as_tensor(x, dtype=dtype)

    def make():
        def total(x):
            y = x
            for _ in range(n_blocks):
                y = torch.tanh(y * a + b)
            return y.sum()
        return torch.func.grad_and_value(total)
    chain = _compiled(("chain", n_blocks, tuple(x_t.shape)), make)
    chain(x_t)

    def run():
        grad, total = chain(x_t)
        return {"final_cost": total.item(), "grad": grad.numpy()}
    return run
