"""The timed workloads (deep, shallow, overhead): data, implementations, checks and targets.

Each ``run_*`` function times the engine against the hand-written numpy baseline (and
PyTorch when given) in one interleaved loop, checks that all of them computed the same
thing, and returns a dict with the timings, the checks and the targets of the issue.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

import nn

from . import engine_models as engine
from . import handwritten as hw
from .harness import interleaved, relative_difference

PROJECT = Path(__file__).resolve().parents[1]

DEEP_DIMS = [12288, 20, 7, 5, 1]
COST_RTOL = 1e-8          # float64 implementations must agree on the final cost to this
SIMPLIFIED_RTOL = 1e-6     # simplify=True rounds differently; 2000 training steps amplify it


def check(name, passed, detail):
    """One correctness check: a fast wrong answer is no result."""
    return {"check": name, "passed": bool(passed), "detail": detail}


def target(workload, what, value, limit, passed, measured, goal):
    """One target line: measured value, target, PASS/MISS."""
    return {"workload": workload, "what": what, "value": value, "limit": limit,
            "passed": passed, "measured": measured, "target": goal}


def _ratio(timings, a, b):
    """Median of a ÷ median of b, and the range of the per-round ratios (same round, A vs B)."""
    ratio = timings[a]["time"]["median"] / timings[b]["time"]["median"]
    rounds = [x / y for x, y in zip(timings[a]["time"]["samples"],
                                    timings[b]["time"]["samples"])]
    return ratio, f"{ratio:.2f} (rounds {min(rounds):.2f}–{max(rounds):.2f})"


def _cost_checks(timings, reference, names, rtol=COST_RTOL):
    ref = timings[reference]["result"]["final_cost"]
    checks = []
    for name in names:
        cost = timings[name]["result"]["final_cost"]
        rel = relative_difference(cost, ref)
        checks.append(check(f"{name} final cost = {reference}'s", rel <= rtol,
                            f"{cost:.15g} vs {ref:.15g} (relative difference {rel:.1e}, "
                            f"limit {rtol:.0e})"))
    for name, entry in timings.items():
        if "nondeterministic" in entry:
            checks.append(check(f"{name} repeats agree", False,
                                f"final costs {entry['nondeterministic']}"))
    return checks


def _bitwise_checks(timings, pairs):
    """A compiled fit must give every cost of the eager fit, bitwise."""
    return [check(f"{a} costs = {b}'s, bitwise",
                  timings[a]["result"]["costs"] == timings[b]["result"]["costs"],
                  f"{len(timings[a]['result']['costs'])} costs compared")
            for a, b in pairs]


# --- deep ---------------------------------------------------------------------------------------

def cat_data(log=print):
    """The course's cat pictures, or random data of the same shape when the files are absent."""
    try:
        data = nn.datasets.load_catvnoncat()
        # relative to the project: docs/performance.md names no folder of this machine
        folder = os.path.relpath(nn.datasets.default_data_dir(), PROJECT)
        source = f"cat/non-cat pictures from {folder}"
    except nn.errors.NNError as exc:
        log(f"    cat data not found ({exc}); using random data of the same shape")
        rng = np.random.RandomState(0)
        data = nn.datasets.CatData(rng.rand(12288, 209), (rng.rand(1, 209) > 0.5).astype(int),
                                   rng.rand(12288, 50), (rng.rand(1, 50) > 0.5).astype(int),
                                   ("non-cat", "cat"))
        source = "random data of the cat data's shape (data files not found)"
    return data, source


def run_deep(iterations, repeats, torch_models=None, learning_rate=0.0075, log=print,
             clock="cpu"):
    """The course's L-layer model on the cat data: engine (float64, float32) vs numpy vs torch."""
    data, source = cat_data(log)
    X, Y, X_test, Y_test = data.train_x, data.train_y, data.test_x, data.test_y
    Y_float = Y.astype(np.float64)
    init = hw.initialize_parameters_deep(DEEP_DIMS, seed=1)

    def numpy_run(dtype=np.float64):
        # float32: the same course code on float32 arrays (its Python numbers stay weak)
        parameters = {k: v.astype(dtype) for k, v in init.items()}
        X_run, Y_run = np.asarray(X, dtype=dtype), Y_float.astype(dtype)

        def run():
            params, costs = hw.L_layer_model(X_run, Y_run, parameters, learning_rate,
                                             iterations)

            def accuracies():
                return {"train_accuracy": _accuracy(hw.predict(X_run, params), Y),
                        "test_accuracy": _accuracy(hw.predict(X_test, params), Y_test)}
            return {"costs": costs, "final_cost": costs[-1], "after": accuracies}
        return run

    prepares = {
        "numpy": numpy_run,
        "numpy_f32": lambda: numpy_run(np.float32),
        "engine": lambda: engine.prepare_deep(X, Y, DEEP_DIMS, learning_rate, iterations,
                                              X_test, Y_test),
        "engine_f32": lambda: engine.prepare_deep(X, Y, DEEP_DIMS, learning_rate, iterations,
                                                  X_test, Y_test, dtype=np.float32),
        "compiled": lambda: engine.prepare_deep(X, Y, DEEP_DIMS, learning_rate, iterations,
                                                X_test, Y_test, compile=True),
        "compiled_f32": lambda: engine.prepare_deep(X, Y, DEEP_DIMS, learning_rate, iterations,
                                                    X_test, Y_test, dtype=np.float32,
                                                    compile=True),
    }
    if torch_models is not None:
        prepares["torch"] = lambda: torch_models.prepare_deep(X, Y, init, learning_rate,
                                                              iterations, X_test, Y_test)
    model = engine.prepare_deep(X[:, :2], Y[:, :2], DEEP_DIMS, learning_rate, 1).model
    same_init = all(np.array_equal(layer.W.data, init[f"W{l}"])
                    for l, layer in enumerate(model.layers, start=1))
    timings = interleaved(prepares, repeats, log, clock)

    checks = [check("same initial parameters", same_init,
                    "DeepNN(seed=course_rng(1)) draws the W[l] of initialize_parameters_deep")]
    checks += _cost_checks(timings, "numpy", [n for n in ("engine", "torch") if n in timings])
    checks += _bitwise_checks(timings, [("compiled", "engine"), ("compiled_f32", "engine_f32")])
    f32, f64 = timings["engine_f32"]["result"], timings["engine"]["result"]
    for name, reference in (("engine_f32", "engine"), ("numpy_f32", "numpy")):
        a, b = timings[name]["result"]["final_cost"], timings[reference]["result"]["final_cost"]
        rel32 = relative_difference(a, b)
        checks.append(check(f"{name} final cost ≈ {reference}'s", rel32 <= 1e-3,
                            f"{a:.8g} vs {b:.8g} (relative difference {rel32:.1e}, limit 1e-3)"))

    targets = []
    r, text = _ratio(timings, "engine", "numpy")
    targets.append(target("deep", "engine / hand-written numpy (time)", r, 0.75, r <= 0.75,
                          text, "≤ 0.75"))
    r, text = _ratio(timings, "compiled", "numpy")    # float64: its matmuls alone are 0.62
    targets.append(target("deep", "compiled fit / hand-written numpy (time)", r, 0.75,
                          r <= 0.75, text, "≤ 0.75"))
    r, text = _ratio(timings, "compiled_f32", "numpy_f32")     # issue 18's measure
    targets.append(target("deep", "compiled float32 / hand-written numpy float32 (time)", r,
                          0.62, r <= 0.62, text, "≤ 0.62"))
    r, text = _ratio(timings, "compiled_f32", "compiled")
    targets.append(target("deep", "compiled float32 / compiled float64 (time)", r, 1.0,
                          r < 1.0, text, "< 1"))
    if "torch" in timings:
        r, text = _ratio(timings, "engine", "torch")
        targets.append(target("deep", "engine / PyTorch (time)", r, 1.2, r <= 1.2,
                              text, "≤ 1.2"))
    r, text = _ratio(timings, "engine_f32", "engine")
    same_acc = (f32["train_accuracy"] == f64["train_accuracy"]
                and f32["test_accuracy"] == f64["test_accuracy"])
    targets.append(target(
        "deep", "float32 / float64 (time), accuracy train/test", r, 1.0, r < 1.0 and same_acc,
        f"{text}; f32 {_pct(f32['train_accuracy'])}/{_pct(f32['test_accuracy'])}, "
        f"f64 {_pct(f64['train_accuracy'])}/{_pct(f64['test_accuracy'])}",
        "< 1, same accuracy"))
    return {"name": "deep", "timings": timings, "checks": checks, "targets": targets,
            "config": {"layer_dims": DEEP_DIMS, "iterations": iterations, "repeats": repeats,
                       "learning_rate": learning_rate, "m": X.shape[1], "data": source,
                       "X_layout": "C" if X.flags.c_contiguous else "F" if X.flags.f_contiguous
                       else "strided"}}


def _accuracy(predictions, Y):
    return float((predictions == np.asarray(Y)).all(axis=0).mean())


def _pct(x):
    return f"{100 * x:.1f}%"


# --- shallow ------------------------------------------------------------------------------------

def run_shallow(iterations, repeats, torch_models=None, n_h=4, learning_rate=1.2, log=print,
                clock="cpu", jax_models=None):
    """The planar flower 2 → 4 → 1 tanh network: per-operation overhead dominates.

    With torch, ``torch.compile`` of the whole step runs beside PyTorch eager; with jax,
    ``jax.jit`` of the whole step (both only as baselines: rows, no targets)."""
    X, Y = nn.datasets.planar_flower(m=400, seed=1)
    Y_float = Y.astype(np.float64)
    init = hw.initialize_parameters(X.shape[0], n_h, 1, seed=2)

    def numpy_run():
        def run():
            _, costs = hw.nn_model(X, Y_float, dict(init), learning_rate, iterations)
            return {"costs": costs, "final_cost": costs[-1]}
        return run

    prepares = {
        "numpy": numpy_run,
        "engine": lambda: engine.prepare_shallow(X, Y, n_h, learning_rate, iterations),
        "engine_raw": lambda: engine.prepare_shallow_raw(X, Y_float, init, learning_rate,
                                                         iterations),
        "compiled": lambda: engine.prepare_shallow(X, Y, n_h, learning_rate, iterations,
                                                   compile=True),
        "simplified": lambda: engine.prepare_shallow(X, Y, n_h, learning_rate, iterations,
                                                     compile=True, simplify=True),
    }
    if torch_models is not None:
        prepares["torch"] = lambda: torch_models.prepare_shallow(X, Y_float, init,
                                                                 learning_rate, iterations)
    if torch_models is not None and torch_models.can_compile():
        prepares["torch_compile"] = lambda: torch_models.prepare_shallow_compiled(
            X, Y_float, init, learning_rate, iterations)
    if jax_models is not None:
        prepares["jax"] = lambda: jax_models.prepare_shallow(X, Y_float, init, learning_rate,
                                                             iterations)
    model = engine.prepare_shallow(X, Y, n_h, learning_rate, 1).model
    same_init = all(np.array_equal(getattr(model, f"layer{l}").W.data, init[f"W{l}"])
                    for l in (1, 2))
    timings = interleaved(prepares, repeats, log, clock)

    checks = [check("same initial parameters", same_init,
                    "TwoLayerNet(seed=course_rng(2)) draws the course's W1, W2")]
    checks += _cost_checks(timings, "numpy", [n for n in timings if n not in (
        "numpy", "compiled", "simplified")])
    # simplified: equal to eager up to rounding, which 2000 steps at α = 1.2 amplify
    checks += _cost_checks(timings, "numpy", ["simplified"], rtol=SIMPLIFIED_RTOL)
    checks += _bitwise_checks(timings, [("compiled", "engine")])
    targets = []
    r, text = _ratio(timings, "compiled", "numpy")
    targets.append(target("shallow", "compiled fit / hand-written numpy (time)", r, 1.1,
                          r <= 1.1, text, "≤ 1.1"))
    r, text = _ratio(timings, "simplified", "numpy")
    targets.append(target("shallow", "compiled fit, simplify=True / hand-written numpy "
                          "(time)", r, 0.85, r <= 0.85, text, "≤ 0.85"))
    r, text = _ratio(timings, "engine", "numpy")
    targets.append(target("shallow", "engine / hand-written numpy (time)", r, 4.0, r <= 4.0,
                          text, "≤ 4"))
    if "torch" in timings:
        r, text = _ratio(timings, "torch", "engine")
        targets.append(target("shallow", "PyTorch / engine (time, speed-up)", r, 2.0,
                              r >= 2.0, text, "≥ 2"))
    per_iteration = {name: entry["time"]["median"] / iterations * 1e6
                     for name, entry in timings.items()}
    return {"name": "shallow", "timings": timings, "checks": checks, "targets": targets,
            "per_iteration_us": per_iteration,
            "config": {"layer_dims": [X.shape[0], n_h, 1], "m": X.shape[1],
                       "iterations": iterations, "repeats": repeats,
                       "learning_rate": learning_rate}}


# --- overhead -----------------------------------------------------------------------------------

def run_overhead(n_blocks, repeats, torch_models=None, shape=(4, 4), log=print,
                 clock="cpu", jax_models=None):
    """Forward + backward of a long chain of small elementwise ops; µs per op (and the
    same chain as one ``torch.compile``-d or ``jax.jit``-ted call where they import)."""
    rng = np.random.RandomState(0)
    x, a, b = rng.rand(*shape), 0.5 + rng.rand(*shape), rng.rand(*shape) - 0.5
    n_ops = 3 * n_blocks + 1        # mul, add, tanh per block, then one sum

    def numpy_run():
        def run():
            total, grad = hw.chain_forward_backward(x, a, b, n_blocks)
            return {"final_cost": float(total), "grad": grad}
        return run

    prepares = {"numpy": numpy_run, "engine": lambda: engine.prepare_chain(x, a, b, n_blocks)}
    if torch_models is not None:
        prepares["torch"] = lambda: torch_models.prepare_chain(x, a, b, n_blocks)
    if torch_models is not None and torch_models.can_compile():
        prepares["torch_compile"] = lambda: torch_models.prepare_chain_compiled(x, a, b,
                                                                                n_blocks)
    if jax_models is not None:
        prepares["jax"] = lambda: jax_models.prepare_chain(x, a, b, n_blocks)
    timings = interleaved(prepares, repeats, lambda *args: None, clock)

    others = [name for name in timings if name != "numpy"]
    checks = _cost_checks(timings, "numpy", others)
    ref = timings["numpy"]["result"]["grad"]
    for name in others:
        grad = timings[name]["result"].pop("grad")
        checks.append(check(f"{name} dx = hand-written dx", np.allclose(grad, ref, rtol=1e-10),
                            f"max |difference| {np.max(np.abs(grad - ref)):.1e}"))
    timings["numpy"]["result"].pop("grad")
    per_op = {name: {"total": entry["time"]["median"] / n_ops * 1e6,
                     "min": entry["time"]["min"] / n_ops * 1e6,
                     **{p: s["median"] / n_ops * 1e6 for p, s in entry["phases"].items()}}
              for name, entry in timings.items()}
    us = per_op["engine"]["total"]
    targets = [target("overhead", "engine forward + backward per elementwise op", us, 6.0,
                      us <= 6.0, f"{us:.1f} µs (min {per_op['engine']['min']:.1f} µs)",
                      "≤ 6 µs")]
    return {"name": "overhead", "timings": timings, "checks": checks, "targets": targets,
            "per_op_us": per_op,
            "config": {"shape": list(shape), "blocks": n_blocks, "ops": n_ops,
                       "repeats": repeats, "chain": "y = tanh(y * a + b), then sum"}}
