"""Memory: peak of a deep training run, and no growth over many iterations (tracemalloc).

tracemalloc sees every numpy array buffer and Python object allocated after ``start()``;
the data and the initial parameters are made before it starts, so both implementations are
charged only for what training allocates.  PyTorch's allocator is invisible to it, so
torch has no column here.
"""
from __future__ import annotations

import gc
import sys
import tracemalloc

import numpy as np

import nn

from . import handwritten as hw
from .workloads import DEEP_DIMS, cat_data, target

GROWTH_TOLERANCE = 16384      # bytes: allocator caches (numpy, free lists) move by a few KiB;
#                               a leak of one small object per iteration would add > 250 KiB


def _peak(train):
    gc.collect()
    tracemalloc.start()
    try:
        train()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def deep_peak(iterations, learning_rate=0.0075, log=print):
    """Peak bytes allocated while training the deep model, engine (DeepNN.fit) vs numpy."""
    data, _ = cat_data(log=lambda *args: None)
    X, Y = data.train_x, data.train_y
    Y_float = Y.astype(np.float64)
    init = hw.initialize_parameters_deep(DEEP_DIMS, seed=1)

    model = nn.DeepNN(DEEP_DIMS, seed=nn.init.course_rng(1))
    engine_peak = _peak(lambda: model.fit(X, Y, iterations=iterations,
                                          learning_rate=learning_rate, progress=False))
    parameters = {k: v.copy() for k, v in init.items()}
    numpy_peak = _peak(lambda: hw.L_layer_model(X, Y_float, parameters, learning_rate,
                                                iterations))
    return {"engine": engine_peak, "numpy": numpy_peak, "iterations": iterations,
            "X_bytes": X.nbytes}


def _growth(step, iterations, checkpoints):
    """Traced bytes (after gc.collect) at each checkpoint while calling ``step()``."""
    seen = {}
    gc.collect()
    tracemalloc.start()
    try:
        for i in range(1, iterations + 1):
            step()
            if i in checkpoints:
                gc.collect()
                seen[i] = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return seen


def _numpy_shallow_step(X, Y, learning_rate):
    """One hand-written training step of the course's flower network (week 3's code)."""
    parameters = [hw.initialize_parameters(2, 4, 1, seed=2)]

    def numpy_step():
        A2, cache = hw.forward_propagation(X, parameters[0])
        hw.compute_cost_shallow(A2, Y)
        grads = hw.backward_propagation(parameters[0], cache, X, Y)
        parameters[0] = hw.update_parameters_shallow(parameters[0], grads, learning_rate)
    return numpy_step


def growth(iterations, first, learning_rate=1.2):
    """Bytes held at iteration ``first`` and ``iterations`` of the shallow flower network.

    The engine loop is the nn API's training step written out (optimizer.zero_grad,
    model.cost, cost.backward, optimizer.step, cost.item) so that nothing is kept on
    purpose; ``fit`` additionally keeps one cost per iteration (reported separately).
    """
    X, Y = nn.datasets.planar_flower(m=400, seed=1)
    Y = Y.astype(np.float64)
    checkpoints = {first, iterations // 2, iterations}

    model = nn.TwoLayerNet(2, 4, 1, seed=nn.init.course_rng(2))
    opt = nn.optim.GradientDescent(model.parameters(), learning_rate)

    def engine_step():
        opt.zero_grad()
        cost = model.cost(X, Y)
        cost.backward()
        opt.step()
        cost.item()

    numpy_step = _numpy_shallow_step(X, Y, learning_rate)

    fit_model = nn.TwoLayerNet(2, 4, 1, seed=nn.init.course_rng(2))
    fit_seen = {}
    history_bytes = {}

    def record(i, cost, model):
        if i + 1 in checkpoints:
            gc.collect()
            fit_seen[i + 1] = tracemalloc.get_traced_memory()[0]
            costs = model.costs_
            history_bytes[i + 1] = sys.getsizeof(costs) + sum(sys.getsizeof(c) for c in costs)

    gc.collect()
    tracemalloc.start()
    try:
        fit_model.fit(X, Y, iterations=iterations, learning_rate=learning_rate,
                      progress=False, callback=record)
    finally:
        tracemalloc.stop()
    return {"engine": _growth(engine_step, iterations, checkpoints),
            "numpy": _growth(numpy_step, iterations, checkpoints),
            "engine_fit": fit_seen, "engine_fit_history": history_bytes,
            "first": first, "iterations": iterations}


def call_peak(call, calls=7):
    """Least, over some calls, of the bytes a call allocates beyond what it started with."""
    gc.collect()
    tracemalloc.start()
    try:
        peaks = []
        for _ in range(calls):
            base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            result = call()
            peaks.append(tracemalloc.get_traced_memory()[1] - base)
            del result
    finally:
        tracemalloc.stop()
    return min(peaks)


def held_at_end(call):
    """What a compiled call holds just before it lets go of its arrays (Trace.close), beyond
    what was allocated before it: bytes of numpy arrays (numpy's tracemalloc domain), and of
    everything else (the trace's Python objects: tensors, stand-ins, dicts, events)."""
    from autograd_lite import tracing
    close, snapshots = tracing.Trace.close, []

    def closing(trace):
        snapshots.append(tracemalloc.take_snapshot())
        close(trace)
    call()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        tracing.Trace.close = closing
        try:
            result = call()
        finally:
            tracing.Trace.close = close
        del result
    finally:
        tracemalloc.stop()
    after, numpy_domain = snapshots[-1], np.lib.tracemalloc_domain

    def grown(inclusive):
        only = [tracemalloc.DomainFilter(inclusive, numpy_domain)]
        return sum(stat.size_diff for stat in after.filter_traces(only).compare_to(
            before.filter_traces(only), "filename"))
    return grown(True), grown(False)


def replay_allocation(m=400, learning_rate=1.2):
    """Bytes one compiled shallow training step allocates at its peak (fit's own step,
    ``model.step_``), with every program pass and with none, beside the hand-written step."""
    import autograd_lite as ag
    from autograd_lite.compile import PASSES
    X, Y = nn.datasets.planar_flower(m=m, seed=1)
    Yf = Y.astype(np.float64)
    seen = {}
    for label, passes in (("compiled", PASSES),
                          ("compiled, passes=()", ())):
        model = nn.TwoLayerNet(2, 4, 1, seed=nn.init.course_rng(2))
        object.__setattr__(model, "step_", ag.compile(model._train_step, passes=passes))
        model.fit(X, Y, iterations=3, learning_rate=learning_rate, progress=False)
        opt = nn.optim.GradientDescent(model.parameters(), learning_rate)
        Xt, Yt = model._check_data(X, Y)            # what fit hands its step
        seen[label] = call_peak(lambda: model.step_(Xt, Yt, opt))
        if passes == PASSES:
            seen["held at the end: arrays"], seen["held at the end: the rest"] = \
                held_at_end(lambda: model.step_(Xt, Yt, opt))
    seen["hand-written numpy"] = call_peak(_numpy_shallow_step(X, Yf, learning_rate))
    seen["returned (gradients and cost)"] = sum(p.data.nbytes for p in model.parameters()) + 8
    seen["one (4, m) array"] = 4 * m * 8
    return seen


def run_memory(peak_iterations, growth_iterations, growth_first, log=print):
    """The memory measurements, with their targets."""
    peak = deep_peak(peak_iterations, log=log)
    log(f"    peak: engine {peak['engine'] / 2**20:.1f} MiB, "
        f"numpy {peak['numpy'] / 2**20:.1f} MiB")
    grow = growth(growth_iterations, growth_first)
    first, last = growth_first, growth_iterations
    engine_growth = grow["engine"][last] - grow["engine"][first]
    log(f"    growth {first} -> {last}: engine {engine_growth:+d} B, "
        f"numpy {grow['numpy'][last] - grow['numpy'][first]:+d} B")
    fit_growth = grow["engine_fit"][last] - grow["engine_fit"][first]
    history = grow["engine_fit_history"][last] - grow["engine_fit_history"][first]

    replay = replay_allocation()
    log("    one shallow step's peak allocation: " + ", ".join(
        f"{k} {v:,} B" for k, v in replay.items()))
    r = peak["engine"] / peak["numpy"]
    extra = replay["compiled"] - replay["returned (gradients and cost)"]
    targets = [
        target("memory", f"peak of a deep training run ({peak_iterations} iterations), "
               "engine / numpy", r, 1.25, r <= 1.25,
               f"{r:.2f} ({peak['engine'] / 2**20:.1f} / {peak['numpy'] / 2**20:.1f} MiB)",
               "≤ 1.25"),
        target("memory", f"growth from iteration {first:,} to {last:,} (flower net, "
               "nn training step)", engine_growth, GROWTH_TOLERANCE,
               engine_growth <= GROWTH_TOLERANCE,
               f"{engine_growth:+,} B ({grow['engine'][first]:,} → {grow['engine'][last]:,} B)",
               f"≤ {GROWTH_TOLERANCE:,} B"),
        target("memory", "a compiled shallow step (fit, m = 400): bytes allocated beyond what "
               "it returns, in (4, m) arrays", extra / replay["one (4, m) array"], 1.0,
               extra <= replay["one (4, m) array"],
               f"{replay['compiled']:,} B at its peak, {extra:,} B beyond the "
               f"{replay['returned (gradients and cost)']:,} B it returns (passes=(): "
               f"{replay['compiled, passes=()']:,} B; hand-written numpy "
               f"{replay['hand-written numpy']:,} B); at its end the call holds "
               f"{replay['held at the end: arrays']:,} B of numpy arrays and "
               f"{replay['held at the end: the rest']:,} B of other objects (its trace: "
               "tensors, stand-ins, dicts)", "≤ one (4, m) array"),
    ]
    notes = [f"`fit` itself grew {fit_growth:+,} B from iteration {first:,} to {last:,}; its "
             f"cost history `costs_` (one float per iteration, kept on purpose) accounts for "
             f"{history:+,} B of that, leaving {fit_growth - history:+,} B."]
    return {"name": "memory", "peak": peak, "growth": grow, "replay": replay,
            "targets": targets,
            "checks": [], "notes": notes,
            "config": {"peak_iterations": peak_iterations,
                       "growth_iterations": growth_iterations, "growth_first": first,
                       "growth_tolerance_bytes": GROWTH_TOLERANCE}}
