"""The workloads of compiled steps (ag.compile): an MLP on mini-batches, a Hessian-vector
product, and the cost of capturing a step.

The deep and shallow workloads (bench/workloads.py) time compiled fits beside the eager
ones; these three add what only a compiled step answers.
"""
from __future__ import annotations

import statistics
import time

import numpy as np

import autograd_lite as ag
import nn

from .harness import interleaved
from .workloads import _bitwise_checks, _cost_checks, _ratio, check, target

MLP_DIMS = [784, 256, 128, 10]


# --- MLP, softmax cross-entropy, mini-batches ---------------------------------------------------

def _mlp_data(m, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(MLP_DIMS[0], m)
    labels = rng.randint(0, MLP_DIMS[-1], size=m)
    Y = np.zeros((MLP_DIMS[-1], m))
    Y[labels, np.arange(m)] = 1.0
    return X, Y


def _mlp_numpy(X, Y, params, learning_rate, epochs, batch_size, seed):
    """Hand-written: ReLU layers, a stable softmax, dZ = (A − Y)/m, gradient descent; the
    same mini-batches in the same order as ``fit`` (its shuffle is nn.init.make_rng(seed))."""
    W = [params[f"W{l}"].copy() for l in (1, 2, 3)]
    b = [params[f"b{l}"].copy() for l in (1, 2, 3)]
    rng = nn.init.make_rng(seed)
    m_all = X.shape[1]
    costs = []
    for _ in range(epochs):
        order = rng.permutation(m_all)
        Xs, Ys = X[:, order], Y[:, order]
        total = 0.0
        for start in range(0, m_all, batch_size):
            Xb, Yb = Xs[:, start:start + batch_size], Ys[:, start:start + batch_size]
            m = Xb.shape[1]
            A, cache = Xb, []
            for l in range(3):
                Z = W[l] @ A + b[l]
                cache.append((A, Z))
                A = np.maximum(Z, 0) if l < 2 else Z
            e = np.exp(A - A.max(axis=0, keepdims=True))
            A3 = e / e.sum(axis=0, keepdims=True)
            total += float(-(Yb * np.log(A3)).sum() / m) * m
            dZ = (A3 - Yb) / m
            for l in (2, 1, 0):
                A_prev, Z = cache[l]
                dW, db = dZ @ A_prev.T, dZ.sum(axis=1, keepdims=True)
                if l:
                    dZ = (W[l].T @ dZ) * (cache[l - 1][1] > 0)
                W[l] -= learning_rate * dW
                b[l] -= learning_rate * db
        costs.append(total / m_all)
    return costs


def run_mlp(epochs, repeats, m=1024, batch_size=128, learning_rate=0.1, log=print,
            clock="cpu"):
    """[784, 256, 128, 10], ReLU, softmax cross-entropy, batches of 128: compiled vs numpy."""
    X, Y = _mlp_data(m)
    template = nn.DeepNN(MLP_DIMS, hidden="relu", output="softmax", init="he",
                         seed=nn.init.course_rng(3))
    init = {}
    for p in template.parameters():                  # "layer1.W" -> "W1"
        layer, name = p.name.split(".")
        init[name + layer[len("layer"):]] = p.data.copy()

    def numpy_run():
        def run():
            costs = _mlp_numpy(X, Y, init, learning_rate, epochs, batch_size, seed=0)
            return {"costs": costs, "final_cost": costs[-1]}
        return run

    def engine_run(compiled, warm=False):
        model = nn.DeepNN(MLP_DIMS, hidden="relu", output="softmax", init="he",
                          seed=nn.init.course_rng(3))
        if warm:    # two steps before the clock: the capture, then the first replay, which
            # builds the programs (one per stretch between sync points); then reset
            start = [p.data.copy() for p in model.parameters()]
            model.fit(X[:, :2 * batch_size], Y[:, :2 * batch_size], iterations=1,
                      learning_rate=learning_rate, batch_size=batch_size, seed=0,
                      progress=False, compile=True)
            for p, data in zip(model.parameters(), start):
                np.copyto(p.data, data)

        def run():
            costs = model.fit(X, Y, iterations=epochs, learning_rate=learning_rate,
                              batch_size=batch_size, seed=0, progress=False, compile=compiled)
            return {"costs": [float(c) for c in costs], "final_cost": float(costs[-1])}
        return run

    # "compiled" pays its capture and its program builds inside the clock (3 epochs are 24
    # steps; the two cost about three steps); "compiled_warm" is the steady state
    prepares = {"numpy": numpy_run, "engine": lambda: engine_run(False),
                "compiled": lambda: engine_run(True),
                "compiled_warm": lambda: engine_run(True, warm=True)}
    timings = interleaved(prepares, repeats, log, clock)
    checks = _cost_checks(timings, "numpy", ["engine", "compiled", "compiled_warm"])
    checks += _bitwise_checks(timings, [("compiled", "engine"), ("compiled_warm", "engine")])
    r, text = _ratio(timings, "compiled", "numpy")
    targets = [target("mlp", "compiled fit / hand-written numpy (time)", r, 0.95, r <= 0.95,
                      text, "≤ 0.95")]
    r, text = _ratio(timings, "compiled_warm", "numpy")
    targets.append(target("mlp", "compiled fit, captured before the clock / hand-written "
                          "numpy (time)", r, 0.95, r <= 0.95, text, "≤ 0.95"))
    return {"name": "mlp", "timings": timings, "checks": checks, "targets": targets,
            "config": {"layer_dims": MLP_DIMS, "m": m, "batch_size": batch_size,
                       "iterations": epochs, "learning_rate": learning_rate,
                       "cost": "softmax + cross-entropy", "data": "random, one-hot labels"}}


# --- Hessian-vector product of the shallow model's cost ----------------------------------------

def _shallow_problem(seed=2):
    X, Y = nn.datasets.planar_flower(m=400, seed=1)
    rng = np.random.RandomState(seed)
    shapes = {"W1": (4, 2), "b1": (4, 1), "W2": (1, 4), "b2": (1, 1)}
    params = {k: rng.randn(*s) * 0.5 for k, s in shapes.items()}
    vector = {k: rng.randn(*s) for k, s in shapes.items()}
    return X, Y.astype(np.float64), params, vector


def hvp_numpy(X, Y, p, v):
    """Hv by Pearlmutter's R-operator, written by hand for the 2-layer tanh/sigmoid network."""
    m = X.shape[1]
    W1, b1, W2, b2 = p["W1"], p["b1"], p["W2"], p["b2"]
    V1, c1, V2, c2 = v["W1"], v["b1"], v["W2"], v["b2"]
    A1 = np.tanh(W1 @ X + b1)
    A2 = 1 / (1 + np.exp(-(W2 @ A1 + b2)))
    dZ2 = (A2 - Y) / m
    dA1 = W2.T @ dZ2
    g1 = 1 - A1 * A1                                  # tanh'
    R_A1 = g1 * (V1 @ X + c1)
    R_Z2 = V2 @ A1 + W2 @ R_A1 + c2
    R_dZ2 = A2 * (1 - A2) * R_Z2 / m
    R_dA1 = V2.T @ dZ2 + W2.T @ R_dZ2
    R_dZ1 = R_dA1 * g1 - 2 * dA1 * A1 * R_A1
    return {"W1": R_dZ1 @ X.T, "b1": R_dZ1.sum(axis=1, keepdims=True),
            "W2": R_dZ2 @ A1.T + dZ2 @ R_A1.T, "b2": R_dZ2.sum(axis=1, keepdims=True)}


def _hvp_engine_step(params, vector):
    names = list(params)

    def hvp(X, Y):
        A2 = ag.sigmoid(params["W2"] @ ag.tanh(params["W1"] @ X + params["b1"]) + params["b2"])
        J = -(Y * ag.log(A2) + (1 - Y) * ag.log(1 - A2)).mean()
        grads = ag.grad(J, [params[k] for k in names], create_graph=True)
        dot = sum((g * vector[k]).sum() for g, k in zip(grads, names))
        return ag.grad(dot, [params[k] for k in names])
    return hvp


def run_hvp(calls, repeats, log=print, clock="cpu"):
    """Hessian-vector products of the shallow cost: compiled double backward vs by hand."""
    X, Y, p, v = _shallow_problem()

    def numpy_run():
        def run():
            for _ in range(calls):
                out = hvp_numpy(X, Y, p, v)
            return {"final_cost": float(sum(a.sum() for a in out.values())), "hv": out}
        return run

    def engine_run(compiled):
        params = {k: ag.tensor(a, requires_grad=True, name=k) for k, a in p.items()}
        step = _hvp_engine_step(params, {k: ag.tensor(a) for k, a in v.items()})
        if compiled:
            step = ag.compile(step)
            step(X, Y)                                   # captured before the clock starts

        def run():
            for _ in range(calls):
                out = step(X, Y)
            hv = {k: t.data for k, t in zip(params, out)}
            return {"final_cost": float(sum(a.sum() for a in hv.values())), "hv": hv}
        return run

    prepares = {"hand_rop": numpy_run, "engine": lambda: engine_run(False),
                "compiled": lambda: engine_run(True)}
    timings = interleaved(prepares, repeats, log, clock)
    reference = timings["hand_rop"]["result"].pop("hv")
    checks = []
    for name in ("engine", "compiled"):
        hv = timings[name]["result"].pop("hv")
        worst = max(float(np.abs(hv[k] - reference[k]).max() / np.abs(reference[k]).max())
                    for k in reference)
        checks.append(check(f"{name} Hv = hand-written R-operator's", worst <= 1e-10,
                            f"largest relative difference {worst:.1e}"))
    eager_hv = timings["engine"]["result"]["final_cost"]
    checks.append(check("compiled Hv = eager Hv, bitwise",
                        timings["compiled"]["result"]["final_cost"] == eager_hv, "sum of Hv"))
    r, text = _ratio(timings, "compiled", "hand_rop")
    targets = [target("hvp", "compiled Hv / hand-written R-operator (time)", r, 1.5, r <= 1.5,
                      text, "≤ 1.5")]
    return {"name": "hvp", "timings": timings, "checks": checks, "targets": targets,
            "baseline": "hand_rop",
            "config": {"model": "planar 2 → 4 → 1, tanh/sigmoid, m = 400", "iterations": calls,
                       "method": "ag.grad(create_graph=True), then ag.grad of <g, v>"}}


# --- capture cost ----------------------------------------------------------------------------

def run_capture(repeats, eager_iterations=200, log=print):
    """How long capturing the shallow fit's step takes, in eager iterations of that step."""
    X, Y = nn.datasets.planar_flower(m=400, seed=1)
    ratios, captures, iterations = [], [], []
    for _ in range(repeats):
        model = nn.TwoLayerNet(2, 4, 1, seed=nn.init.course_rng(2))
        Xt, Yt = model._check_data(X, Y)
        step = model._make_step(nn.optim.GradientDescent(model.parameters(), 1.2))
        start = time.process_time()
        for _ in range(eager_iterations):
            step(Xt, Yt)
        eager = (time.process_time() - start) / eager_iterations
        compiled = ag.compile(step)
        start = time.process_time()
        compiled(Xt, Yt)
        capture = time.process_time() - start
        ratios.append(capture / eager)
        captures.append(capture)
        iterations.append(eager)
    ratio = statistics.median(ratios)
    text = (f"{ratio:.1f} (capture {statistics.median(captures) * 1e3:.2f} ms, eager iteration "
            f"{statistics.median(iterations) * 1e6:.0f} µs; rounds {min(ratios):.1f}–"
            f"{max(ratios):.1f})")
    log(f"    capture: {text}")
    return {"name": "capture", "timings": {}, "checks": [],
            "targets": [target("capture", "capture of the shallow step / one eager iteration",
                               ratio, 20.0, ratio <= 20.0, text, "≤ 20")],
            "config": {"repeats": repeats, "eager_iterations": eager_iterations}}
