"""Where a compiled shallow step's time goes: the replayed program line by line, grouped.

The program's own source (``step.source``) is instrumented: every line is timed, the cost
of the timer itself is measured on empty lines and taken off, and the lines are grouped by
what they do (an op's forward, an op's backward, the engine's array work, ``.grad`` writes,
the update).  Beside it: the hand-written numpy of the course and its number of numpy calls.
"""
from __future__ import annotations

import statistics
import time

import numpy as np

import autograd_lite as ag
from autograd_lite import tracing
import nn

from . import handwritten as hw

HANDWRITTEN_CALLS = 35     # numpy calls of forward + cost + backward + update, week 3's code
_PHASES = {"# forward": "forward and cost", "# backward": "backward", "# update": "update",
           "# results": "results handed to Python (v[k] = ...)"}


def _instrument(source):
    """The program with every simple body line timed into ``_acc[k]``; the lines' groups
    (the program's phase: its ``# forward``, ``# backward``, ``# update`` sections)."""
    out, groups, phase = [], [], "inputs read from v"
    for line in source.splitlines():
        body = line.strip()
        for mark, name in _PHASES.items():
            if body.startswith(mark):
                phase = name
        simple = (line.startswith("    ") and body and not body.startswith(("#", "return",
                  "def ", "if ", "or ", "raise")) and not line.startswith("        "))
        if not simple:
            out.append(line)
            continue
        k = len(groups)
        groups.append(phase)
        out.append(f"    _t = _clock()")
        out.append(line)
        out.append(f"    _acc[{k}] += _clock() - _t")
    return "\n".join(out) + "\n", groups


def compiled_shallow_split(iterations=2000, repeats=5, simplify=False):
    """µs per iteration of the compiled shallow step, by group, beside hand-written numpy."""
    X, Y = nn.datasets.planar_flower(m=400, seed=1)
    model = nn.TwoLayerNet(2, 4, 1, seed=nn.init.course_rng(2))
    Xt, Yt = model._check_data(X, Y)
    opt = nn.optim.GradientDescent(model.parameters(), 1.2)
    step = ag.compile(model._train_step, simplify=simplify)
    seen = {}
    finish = tracing.Trace.finish

    def keeping(trace):                  # the arrays of a call, to run the program alone
        seen["values"] = dict(trace.values)
        return finish(trace)
    tracing.Trace.finish = keeping
    try:
        step(Xt, Yt, opt).item()
        step(Xt, Yt, opt).item()
    finally:
        tracing.Trace.finish = finish
    program = step.program
    source, groups = _instrument(program.source)
    acc = [0.0] * len(groups)
    namespace = dict(program.run.__globals__, _clock=time.thread_time, _acc=acc)
    exec(compile(source, "<instrumented>", "exec"), namespace)
    run = namespace["_program"]
    leaves = seen["values"]

    def timer_cost():
        clock, spare = time.thread_time, [0.0]
        t0 = clock()
        for _ in range(1000):
            t = clock()
            spare[0] += clock() - t
        return (clock() - t0) / 1000

    for _ in range(50):
        run(leaves)
    acc[:] = [0.0] * len(groups)
    for _ in range(iterations):
        run(leaves)
    empty = timer_cost()
    per_line = [max(a / iterations - empty * 0.5, 0.0) for a in acc]   # half: inside the pair
    by_group = {}
    for g, t in zip(groups, per_line):
        by_group.setdefault(g, [0.0, 0])
        by_group[g][0] += t
        by_group[g][1] += 1

    params = hw.initialize_parameters(2, 4, 1)
    Yf = Y.astype(np.float64)

    def hand():
        nonlocal params
        A2, cache = hw.forward_propagation(X, params)
        hw.compute_cost_shallow(A2, Yf)
        grads = hw.backward_propagation(params, cache, X, Yf)
        params = hw.update_parameters_shallow(params, grads, 1.2)

    plain = program.run
    times = {"hand-written numpy (course)": hand, "replayed program": lambda: plain(leaves),
             "compiled step call (Python re-run + trace + program)":
                 lambda: step(Xt, Yt, opt).item()}
    medians = {}
    for name, fn in times.items():
        samples = []
        for _ in range(repeats):
            t0 = time.process_time()
            for _ in range(200):
                fn()
            samples.append((time.process_time() - t0) / 200)
        medians[name] = statistics.median(samples)

    title = ", simplify=True" if simplify else ""
    lines = [f"### shallow, compiled{title}: where the replay's time goes", "",
             f"The step's whole program, run alone on one call's arrays (it records "
             f"{program.lines} calls of ops and of the engine before its passes; the course's "
             f"hand-written step makes about {HANDWRITTEN_CALLS}), beside that step and the "
             f"whole compiled call. Medians of {repeats} × 200 "
             "iterations (process time), then the program's lines timed one by one (thread time) "
             f"({iterations} iterations, timer cost {empty * 1e9:.0f} ns per line taken off):",
             "", "| what | µs per iteration |", "|---|---|"]
    lines += [f"| {name} | {t * 1e6:.1f} |" for name, t in medians.items()]
    lines += ["", "| program lines | lines | µs per iteration |", "|---|---|---|"]
    lines += [f"| {g} | {n} | {t * 1e6:.1f} |" for g, (t, n) in by_group.items()]
    return {"per_iteration_us": {k: v * 1e6 for k, v in medians.items()},
            "groups_us": {g: t * 1e6 for g, (t, n) in by_group.items()},
            "markdown": "\n".join(lines)}
