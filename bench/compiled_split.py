"""Where a compiled shallow step's time goes: the whole call split by what its Python does, and
the replayed program line by line, grouped.

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


def compiled_call_split(calls=3000, simplify=False):
    """µs per call of the compiled shallow step, split by what the step's Python does.

    The step's functions are wrapped with a clock (about 0.1 µs each, included), each
    counting its own time without the wrapped parts inside it: the optimizer's zero_grad
    and step, the model's forward, the cost, backward, the sync points (Trace.sync), the
    end of the call (Trace.finish) and the programs that those run."""
    X, Y = nn.datasets.planar_flower(m=400, seed=1)
    model = nn.TwoLayerNet(2, 4, 1, seed=nn.init.course_rng(2))
    Xt, Yt = model._check_data(X, Y)
    opt = nn.optim.GradientDescent(model.parameters(), 1.2)
    step = ag.compile(model._train_step, simplify=simplify)
    for _ in range(20):
        step(Xt, Yt, opt).item()
    spent, inner, clock = {}, [0], time.perf_counter_ns

    def timing(label, original):
        def timed(*args, **kwargs):
            outer, inner[0] = inner[0], 0
            start = clock()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = clock() - start
                spent[label] = spent.get(label, 0) + elapsed - inner[0]
                inner[0] = outer + elapsed
        return timed

    segment = ag.CompiledStep.segment

    def timed_segment(self, *args, **kwargs):
        program = segment(self, *args, **kwargs)
        if not getattr(program, "_timed", False):
            program.run, program._timed = timing("programs", program.run), True
        return program
    parts = {"opt.zero_grad()": (opt, "zero_grad"),
             "model(X): the forward pass's Python, 6 ops traced": (model, "forward"),
             "the cost's Python, 10 ops traced": (model, "_cost_fn"),
             "cost.backward(): one event": (ag.Tensor, "backward"),
             "opt.step(): one event": (opt, "step"),
             "the 2 sync points (the cost's saturation check, the NaN stop): hand-off":
                 (tracing.Trace, "sync"),
             "end of the call: results, closing the trace": (tracing.Trace, "finish")}
    originals = [(owner, name, getattr(owner, name)) for owner, name in parts.values()]
    for label, (owner, name) in parts.items():
        setattr(owner, name, timing(label, getattr(owner, name)))
    ag.CompiledStep.segment = timed_segment
    try:
        for _ in range(50):
            step(Xt, Yt, opt).item()
        spent.clear()
        start = clock()                      # the parts' clock (wall time), for the rest
        for _ in range(calls):
            step(Xt, Yt, opt).item()
        total = (clock() - start) / calls / 1e3
    finally:
        ag.CompiledStep.segment = segment
        for owner, name, original in originals:
            if owner is model or owner is opt:
                delattr(owner, name)          # the instance's own wrapper: the class's again
            else:
                setattr(owner, name, original)
    us = {label: spent.get(label, 0) / calls / 1e3 for label in parts}
    program = spent.get("programs", 0) / calls / 1e3
    rows = list(us.items()) + [
        ("the numpy programs (run at the sync points and the end)", program),
        ("the rest: the call's own bookkeeping, the NaN stop's Python, .item()",
         total - sum(us.values()) - program)]
    title = ", simplify=True" if simplify else ""
    lines = [f"### shallow, compiled{title}: the call split by what its Python does", "",
             f"One call: {total:.1f} µs (wall time, {calls} calls), of which the numpy "
             f"programs {program:.1f} µs. The rest is Python that runs on every call by "
             "design (issue 17): the step's own lines and one trace event per op. Each part "
             "is its own time, without the parts inside it, measured with a clock around "
             "it (≈ 0.1 µs each, included).", "", "| part | µs per call |", "|---|---|"]
    lines += [f"| {label} | {t:.1f} |" for label, t in rows]
    return {"per_call_us": dict(rows, total=total), "markdown": "\n".join(lines)}
