"""Compiled steps whose Python runs on every call (issue 17): the costs of trusting them.

- ``fit(iterations=1)`` called many times, compiled against eager (the step is kept per
  model, so a loop of one-iteration fits replays instead of capturing);
- a step given a new float learning rate on every call: how many captures in 100 calls;
- memory: traced blocks left after 10,000 one-iteration fits, against after 1,000.
"""
from __future__ import annotations

import statistics
import time
import tracemalloc

import numpy as np

import autograd_lite as ag
import nn
from bench.workloads import target


def _fits(model, X, Y, calls, compile):
    start = time.process_time()
    for _ in range(calls):
        model.fit(X, Y, iterations=1, learning_rate=1.2, progress=False, compile=compile)
    return time.process_time() - start


def run_rerun(calls, repeats, growth_fits, log=print):
    X, Y = nn.datasets.planar_flower()
    compiled_model = nn.TwoLayerNet(2, 4, 1, seed=2)
    eager_model = nn.TwoLayerNet(2, 4, 1, seed=2)
    _fits(compiled_model, X, Y, 5, True)
    _fits(eager_model, X, Y, 5, False)
    ratios = []
    for _ in range(repeats):                       # interleaved rounds
        c = _fits(compiled_model, X, Y, calls, True)
        e = _fits(eager_model, X, Y, calls, False)
        ratios.append(c / e)
    same = all(np.array_equal(a.data, b.data) for a, b in
               zip(compiled_model.parameters(), eager_model.parameters()))
    ratio = statistics.median(ratios)
    fit_text = (f"{ratio:.2f} (rounds {min(ratios):.2f}–{max(ratios):.2f}; "
                f"{compiled_model.step_.captures} capture(s) in {5 + calls * repeats} compiled fits)")
    log(f"    fit(iterations=1) compiled / eager: {fit_text}")

    params = [ag.tensor(np.full((4, 2), 0.1), requires_grad=True)]

    def step(X, lr):
        params[0].grad = None
        J = (ag.tanh(params[0] @ X) ** 2).mean()
        J.backward()
        with ag.no_grad():
            params[0] -= lr * params[0].grad
        return J
    compiled = ag.compile(step)
    for i in range(100):
        compiled(X, 0.5 * 0.97 ** i)
    captures = compiled.captures
    log(f"    new float learning rate on every call: {captures} capture(s) in 100 calls")

    model = nn.TwoLayerNet(2, 4, 1, seed=2)
    tracemalloc.start()
    try:
        for _ in range(growth_fits // 10):
            model.fit(X, Y, iterations=1, learning_rate=1.2, progress=False)
        before = len(tracemalloc.take_snapshot().traces)
        for _ in range(growth_fits - growth_fits // 10):
            model.fit(X, Y, iterations=1, learning_rate=1.2, progress=False)
        after = len(tracemalloc.take_snapshot().traces)
    finally:
        tracemalloc.stop()
    growth = after - before
    log(f"    blocks after {growth_fits} fits - after {growth_fits // 10}: {growth:+d}")
    return {"name": "rerun", "timings": {},
            "checks": [{"check": "compiled fit(iterations=1) loop = eager", "passed": same,
                        "detail": "parameters bitwise equal"}],
            "targets": [
                target("rerun", "compiled fit(iterations=1) × N / eager", ratio, 1.0,
                       ratio <= 1.0, fit_text, "≤ 1.0"),
                target("rerun", "captures of a step given a new float lr, 100 calls", captures,
                       1, captures == 1, str(captures), "1"),
                target("rerun", f"blocks grown over {growth_fits} fit(iterations=1)", growth,
                       2000, growth < 2000, f"{growth:+d}", "< 2,000")],
            "config": {"calls": calls, "repeats": repeats, "growth_fits": growth_fits}}
