"""Why a target is missed: per-op cost breakdown, cProfile by area, memory diffs.

``bench/run.py`` calls :func:`explain_misses` after the timed workloads; every section it
returns goes into docs/performance.md under "Why the misses miss".  Run one section by hand:

    .venv/bin/python bench/profiling.py overhead      # per-op breakdown (timing, no profiler)
    .venv/bin/python bench/profiling.py shallow       # cProfile of TwoLayerNet.fit by area
    .venv/bin/python bench/profiling.py deep

The breakdown reaches into engine internals (``engine._count_consumers``, ``Function``
objects through ``Tensor._fn``); a measurement that no longer fits the engine shows "n/a"
instead of failing the bench.
"""
from __future__ import annotations

import cProfile
import gc
import pstats
import sys
import time
from pathlib import Path

if __name__ == "__main__":        # pin threads before numpy loads, as bench/run.py does
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.harness import pin_threads
    pin_threads(1)

import numpy as np  # noqa: E402

import autograd_lite as ag  # noqa: E402
import nn  # noqa: E402


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


REPEATS = 25


def _best(fn, repeats=REPEATS, number=1):
    """Minimum CPU seconds of ``number`` calls of ``fn`` over ``repeats`` (timeit's advice)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(number):
            fn()
        best = min(best, time.process_time() - start)
    return best / number


def _graph(root):
    """The Functions below ``root`` that need a gradient, inputs first (iteratively)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        t, done = stack.pop()
        if done:
            order.append(t)
            continue
        if id(t) in seen or t._fn is None:
            continue
        seen.add(id(t))
        stack.append((t, True))
        stack += [(x, False) for x in t._fn.inputs if x.requires_grad]
    return order


# --- breakdowns by timing (no profiler) ------------------------------------------------------

def _measure(fn, **kw):
    """Best time of ``fn``, or None when it fails (an engine internal that changed)."""
    try:
        return _best(fn, **kw)
    except Exception:
        return None


def _backward_parts(make_root):
    """Seconds of one backward pass split up: counting, formulas, engine loop, releasing.

    ``make_root()`` records a fresh graph and returns its scalar output.  Every repeat
    records a graph and takes it apart right away, as a training step does (a graph
    recorded long before runs on cold caches and would charge that to the engine).
    """
    from autograd_lite import engine
    best = {"count": [], "retained": [], "formulas": [], "release": []}
    nodes = 0
    for _ in range(REPEATS):
        root = make_root()
        graph = _graph(root)
        nodes = len(graph)
        leaves = [x for t in graph for x in t._fn.inputs if x._fn is None and x.requires_grad]
        for leaf in leaves:        # as after zero_grad: nothing to accumulate into
            leaf.grad = None
        best["count"].append(_timed(lambda: engine._count_consumers([root])))
        best["retained"].append(_timed(lambda: root.backward(retain_graph=True)))
        grads = _incoming_grads(root, graph)
        items = [(t._fn, grads[id(t)], t._data, [x._data for x in t._fn.inputs])
                 for t in graph]

        def formulas():
            for fn, g, out, inputs in items:
                fn.backward(g, out, *inputs)
        best["formulas"].append(_timed(formulas))
        best["release"].append(_timed(lambda: [t._fn.release() for t in graph]))
    count, retained, formulas, release = (min(best[k]) for k in
                                          ("count", "retained", "formulas", "release"))
    return {"total": retained + release, "count": count, "formulas": formulas,
            "loop": retained - count - formulas, "release": release, "nodes": nodes}


def _incoming_grads(root, graph):
    """The gradient each node received in a real pass (via the engine's observer hook), or
    ones of the output's shape when the hook is not available."""
    seen = {}
    try:
        from autograd_lite import engine
        engine.backward([root], retain_graph=True, inputs=None,
                        observer=lambda t, fn, g, raw, fitted: seen.setdefault(id(t), g))
    except Exception:
        pass
    return {id(t): seen.get(id(t), np.ones_like(t._data)) for t in graph}


class _Rows:
    """Rows of (part, µs per unit, what it is), with the numbers kept by label."""

    def __init__(self, per):
        self.per, self.rows, self.values = per, [], {}

    def add(self, label, seconds, note, per=None):
        per = per or self.per
        value = None if seconds is None else seconds / per * 1e6
        self.values[label.strip()] = value
        self.rows.append((label, "n/a" if value is None else f"{value:.2f}", note))

    def add_backward(self, make_root, per_node):
        try:
            b = _backward_parts(make_root)
        except Exception as exc:
            self.rows.append(("backward parts", "n/a", f"engine internals changed ({exc!r})"))
            return None
        n = b["nodes"] if per_node else self.per
        self.add("backward, total", b["total"], "root.backward(): the parts below")
        self.add("  counting consumers", b["count"], "engine._count_consumers: a first pass "
                 "over the graph", n)
        self.add("  ops' backward formulas", b["formulas"], "each fn.backward(grad, out, "
                 "*inputs) called directly: numpy + the call", n)
        self.add("  engine loop", b["loop"], "backward(retain_graph=True) minus the two "
                 "above: pending dict, shape/dtype checks, ready list", n)
        self.add("  releasing the graph", b["release"], "fn.release() of every node, timed "
                 "alone", n)
        return b


def per_op_breakdown(n_blocks=300, shape=(4, 4)):
    """Where the µs of one elementwise op go: numpy, dispatch, recording, backward loop."""
    rng = np.random.RandomState(0)
    x, a, b = rng.rand(*shape), 0.5 + rng.rand(*shape), rng.rand(*shape) - 0.5
    ta, tb = ag.tensor(a), ag.tensor(b)
    n_ops = 3 * n_blocks + 1

    def numpy_forward():
        y = x
        for _ in range(n_blocks):
            y = np.tanh(y * a + b)
        return y.sum()

    def chain():
        y = ag.tensor(x, requires_grad=True)
        for _ in range(n_blocks):
            y = ag.tanh(y * ta + tb)
        return y.sum()

    def chain_no_grad():
        with ag.no_grad():
            return chain()

    rows = _Rows(n_ops)
    rows.add("numpy alone (forward)", _measure(numpy_forward), "the same ops on bare arrays: "
             "the floor")
    rows.add("forward, no_grad", _measure(chain_no_grad), "operator/ops function → "
             "Function.apply → Tensor._make, nothing recorded")
    rows.add("forward, recording", _measure(chain), "the same with the graph recorded")
    rows.add_backward(chain, per_node=True)
    with_gc, gc_seconds, collections = _gc_share(lambda: chain().backward())
    rows.add("forward + backward", with_gc, "one chain, as in the timed workload")
    rows.add("  of which garbage collection", gc_seconds, f"time inside gc collections "
             f"({collections:.1f} per chain, via gc.callbacks)")

    micro = []
    tx = ag.tensor(x, requires_grad=True)
    from autograd_lite.ops import elementwise as ew
    for label, fn in [("np.multiply(x, a)", lambda: np.multiply(x, a)),
                      ("Tensor._make(x)", lambda: ag.Tensor._make(x)),
                      ("Mul.apply(tx, ta) (recording)", lambda: ew.Mul.apply(tx, ta)),
                      ("tx * ta (operator, recording)", lambda: tx * ta),
                      ("ag.tanh(tx) (recording)", lambda: ag.tanh(tx))]:
        seconds = _measure(fn, repeats=5, number=20000)
        micro.append((label, "n/a" if seconds is None else f"{seconds * 1e6:.2f}"))

    markdown = (
        f"#### Per-op breakdown (y = tanh(y·a + b) on a {shape} tensor, {n_ops} ops; "
        f"µs per op, best of {REPEATS}, CPU time, no profiler)\n\n"
        + _table(("part", "µs per op", "what it is"), rows.rows)
        + "\n\nSingle calls (µs, best of 5 × 20,000):\n\n"
        + _table(("call", "µs"), micro))
    return {"per_op_us": rows.values, "micro": dict(micro), "markdown": markdown}


def shallow_breakdown(learning_rate=1.2):
    """One iteration of the flower network, split up like the per-op breakdown (µs)."""
    from bench import handwritten as hw
    X, Y = nn.datasets.planar_flower(m=400, seed=1)
    Y = Y.astype(np.float64)
    init = hw.initialize_parameters(2, 4, 1, seed=2)
    A2, cache = hw.forward_propagation(X, init)
    grads = hw.backward_propagation(init, cache, X, Y)
    model = nn.TwoLayerNet(2, 4, 1, seed=nn.init.course_rng(2))
    opt = nn.optim.GradientDescent(model.parameters(), learning_rate)
    W1, b1, W2, b2 = (ag.tensor(init[k], requires_grad=True) for k in ("W1", "b1", "W2", "b2"))
    Xt, Yt, m = ag.as_tensor(X), ag.as_tensor(Y), X.shape[1]

    def raw_cost():
        A2 = ag.sigmoid(W2 @ ag.tanh(W1 @ Xt + b1) + b2)
        return -(Yt * ag.log(A2) + (1 - Yt) * ag.log(1 - A2)).sum() / m

    def nn_cost_no_grad():
        with ag.no_grad():
            return model.cost(X, Y)

    model.cost(X, Y).backward()
    saved = [p.grad for p in opt.parameters]

    def step():
        opt.zero_grad()
        for p, g in zip(opt.parameters, saved):
            p.grad = g
        opt.step()

    rows = _Rows(1)
    rows.add("numpy: forward + cost", _measure(lambda: hw.compute_cost_shallow(
        hw.forward_propagation(X, init)[0], Y), number=100),
        "forward_propagation + compute_cost (hand-written)")
    rows.add("numpy: backward", _measure(lambda: hw.backward_propagation(init, cache, X, Y),
                                         number=100), "backward_propagation (hand-written)")
    rows.add("numpy: update", _measure(lambda: hw.update_parameters_shallow(init, grads,
                                                                            learning_rate),
                                       number=100), "update_parameters (hand-written)")
    rows.add("engine: forward + cost, ops only", _measure(raw_cost, number=100),
             "the same with autograd_lite ops, recording")
    rows.add("engine: forward + cost, nn", _measure(lambda: model.cost(X, Y), number=100),
             "model.cost(X, Y): Module.__call__, name scopes, data checks, recording")
    rows.add("engine: forward + cost, nn, no_grad", _measure(nn_cost_no_grad, number=100),
             "the same without recording")
    backward = rows.add_backward(lambda: model.cost(X, Y), per_node=False)
    rows.add("nn: optimizer zero_grad + step", _measure(step, number=100),
             "GradientDescent: in-place W -= α·dW")
    nodes = backward["nodes"] if backward else count_nodes(model.cost(X, Y))
    spots = _hot_spots(model, X, Y)
    markdown = (f"#### One iteration of the flower network, split up (µs, best of {REPEATS}, "
                f"CPU time, no profiler; the graph has {nodes} nodes)\n\n"
                + _table(("part", "µs per iteration", "what it is"), rows.rows)
                + "\n\nSingle calls on this network's arrays (µs, best of 5 × 2,000), each "
                "beside the bare numpy it wraps:\n\n"
                + _table(("call", "µs", "times per iteration"), spots))
    return {"per_iteration_us": rows.values, "nodes": nodes, "hot_spots": spots,
            "markdown": markdown}


def _hot_spots(model, X, Y):
    """Engine calls that cost more than the numpy inside them, timed one by one."""
    from autograd_lite import engine
    from nn import losses
    root = model.cost(X, Y)
    b1 = model.layer1.b
    g = np.random.RandomState(0).rand(4, X.shape[1])
    one = np.ones((1, 1))
    Xt, Yt = ag.as_tensor(X), ag.as_tensor(Y)
    A = model(Xt)
    calls = [
        ("engine._fit(dZ1 (4, m), b1 (4, 1)) → sum_to", lambda: engine._fit(g, b1, 1, None,
                                                                          False), "2"),
        ("  np.add.reduce(dZ1, axis=1, keepdims=True)",
         lambda: np.add.reduce(g, axis=1, keepdims=True), ""),
        ("np.broadcast_to(grad, (1, m)) (Sum.backward)",
         lambda: np.broadcast_to(one, (1, X.shape[1])), "1"),
        ("  np.full((1, m), grad)", lambda: np.full((1, X.shape[1]), 1.0), ""),
        ("engine._count_consumers([cost])", lambda: engine._count_consumers([root]), "1"),
        ("engine._seed(cost)", lambda: engine._seed(root, None, False), "1"),
        ("  np.ones((), float64)", lambda: np.ones((), dtype=np.float64), ""),
        ("model(X) (2 layers: Module.__call__ + name_scope + ops)", lambda: model(Xt), "1"),
        ("losses.binary_cross_entropy(A, Y) (10 ops)",
         lambda: losses.binary_cross_entropy(A, Yt), "1"),
        ("ag.name_scope enter + exit", _scope, "3"),
    ]
    rows = []
    for label, fn, times in calls:
        seconds = _measure(fn, repeats=5, number=2000)
        rows.append((label, "n/a" if seconds is None else f"{seconds * 1e6:.2f}", times))
    return rows


def _scope():
    with ag.name_scope("layer"):
        pass


def _gc_share(fn, repeats=15):
    """Best CPU time of ``fn()``; mean time spent in gc collections and their number."""
    spent, count, started = [0.0], [0], [0.0]

    def callback(phase, info):
        if phase == "start":
            started[0] = time.process_time()
        else:
            spent[0] += time.process_time() - started[0]
            count[0] += 1
    gc.collect()
    gc.callbacks.append(callback)
    try:
        best = _best(fn, repeats=repeats)
    finally:
        gc.callbacks.remove(callback)
    return best, spent[0] / repeats, count[0] / repeats


def _timed(fn):
    start = time.process_time()
    fn()
    return time.process_time() - start


# --- cProfile by area -------------------------------------------------------------------------

AREAS = (("autograd_lite/function.py", "Function.apply & grad mode (function.py)"),
         ("autograd_lite/engine.py", "backward pass (engine.py)"),
         ("autograd_lite/tensor.py", "Tensor: operators, _make, operand (tensor.py)"),
         ("autograd_lite/ops/", "ops: forward/backward formulas incl. their numpy work"),
         ("nn/", "nn: Module.__call__, layers, losses, optim, fit"),
         ("numpy/", "numpy's Python-level functions"),
         ("~", "C built-ins (numpy methods, dict/list, id, ...)"))


def _area(filename):
    name = filename.replace("\\", "/")
    for key, label in AREAS:
        if key == "~" and name == "~" or key != "~" and key in name:
            return label
    return "other (bench, stdlib)"


def profile_by_area(fn, steps, what, top=12):
    """cProfile of ``fn()``; tottime grouped by area and the top functions, per step."""
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = sum(v[2] for v in stats.values())
    areas = {}
    for (filename, line, func), (cc, nc, tt, ct, callers) in stats.items():
        label = _area(filename)
        areas[label] = areas.get(label, 0.0) + tt
    area_rows = [(label, f"{t / steps * 1e6:,.1f}", f"{100 * t / total:.0f}%")
                 for label, t in sorted(areas.items(), key=lambda kv: -kv[1])]
    funcs = sorted(stats.items(), key=lambda kv: -kv[1][2])[:top]
    func_rows = []
    for (filename, line, func), (cc, nc, tt, ct, callers) in funcs:
        where = func if filename == "~" else f"{_short(filename)}:{line} {func}"
        func_rows.append((f"`{where}`", f"{nc / steps:,.1f}", f"{tt / nc * 1e6:.2f}",
                          f"{tt / steps * 1e6:,.1f}", f"{100 * tt / total:.0f}%"))
    markdown = (
        f"#### cProfile of {what} (per {('iteration' if steps > 1 else 'run')}; cProfile "
        "inflates call-heavy Python code, so read the shares, not the absolute µs)\n\n"
        + _table(("area (own time)", "µs", "share"), area_rows) + "\n\n"
        + _table(("function", "calls", "µs per call", "µs", "share"), func_rows))
    return {"areas": {k: v / steps for k, v in areas.items()}, "total": total / steps,
            "markdown": markdown}


def _short(filename):
    name = filename.replace("\\", "/")
    for key in ("autograd_lite/", "nn/", "numpy/", "bench/"):
        if key in name:
            return key + name.split(key, 1)[1]
    return Path(name).name


def count_nodes(cost):
    """Number of recorded operations (Functions) in the graph below ``cost``."""
    return len(_graph(cost))


def shallow_profile(iterations=500):
    """Nodes per iteration, nn's share and a cProfile of TwoLayerNet.fit."""
    X, Y = nn.datasets.planar_flower(m=400, seed=1)
    model = nn.TwoLayerNet(2, 4, 1, seed=nn.init.course_rng(2))
    nodes = count_nodes(model.cost(X, Y))
    prof = profile_by_area(lambda: model.fit(X, Y, iterations=iterations, learning_rate=1.2,
                                             progress=False), iterations,
                           f"TwoLayerNet.fit ({iterations} iterations)")
    prof["nodes"] = nodes
    prof["markdown"] = (f"One iteration records {nodes} operations (forward: 2 matmuls, 2 "
                        "bias adds, tanh, sigmoid, the cost's log/mul/sub/add/sum/div/neg).\n\n"
                        + prof["markdown"])
    return prof


def deep_profile(iterations=20):
    """cProfile of DeepNN.fit on the cat data (or its stand-in)."""
    from bench.workloads import DEEP_DIMS, cat_data
    data, _ = cat_data(log=lambda *args: None)
    model = nn.DeepNN(DEEP_DIMS, seed=nn.init.course_rng(1))
    return profile_by_area(lambda: model.fit(data.train_x, data.train_y, iterations=iterations,
                                             learning_rate=0.0075, progress=False),
                           iterations, f"DeepNN.fit ({iterations} iterations)")


def memory_profile(iterations=3000, first=1000):
    """The allocation sites whose held bytes grew between iteration ``first`` and the end."""
    import tracemalloc
    X, Y = nn.datasets.planar_flower(m=400, seed=1)
    Y = Y.astype(np.float64)
    model = nn.TwoLayerNet(2, 4, 1, seed=nn.init.course_rng(2))
    opt = nn.optim.GradientDescent(model.parameters(), 1.2)
    tracemalloc.start(8)
    try:
        for i in range(1, iterations + 1):
            opt.zero_grad()
            cost = model.cost(X, Y)
            cost.backward()
            opt.step()
            if i == first:
                gc.collect()
                before = tracemalloc.take_snapshot()
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    diffs = [d for d in after.compare_to(before, "traceback") if d.size_diff > 0][:5]
    rows = [(f"{d.size_diff:+,} B", f"{d.count_diff:+,}",
             "<br>".join(f"`{_short(f.filename)}:{f.lineno}`" for f in d.traceback[-4:]))
            for d in diffs]
    return {"markdown": f"#### Allocation sites that grew (iteration {first:,} → "
                        f"{iterations:,})\n\n" + _table(("bytes", "objects", "where"), rows)}


# --- called by run.py -------------------------------------------------------------------------

def explain_misses(results, args, log=print):
    """One section per missed target, with the numbers that say why."""
    missed = {t["workload"] for r in results for t in r["targets"] if not t["passed"]}
    by_name = {r["name"]: r for r in results}
    sections = []
    if missed & {"overhead", "shallow"}:
        log("profiling: per-op breakdown")
        part = per_op_breakdown()
        part["markdown"] = _overhead_why(part, by_name) + "\n\n" + part["markdown"]
        sections.append({"workload": "overhead", **part})
    if "shallow" in missed:
        log("profiling: shallow (timing breakdown, cProfile)")
        split = shallow_breakdown()
        part = shallow_profile(iterations=min(500, args.shallow_iterations))
        part["breakdown"] = split["per_iteration_us"]
        part["markdown"] = "\n\n".join([_shallow_why(part, split, by_name), split["markdown"],
                                         part["markdown"]])
        sections.append({"workload": "shallow", **part})
    if "shallow" in missed:
        log("profiling: shallow, compiled (the replayed program line by line)")
        from .compiled_split import compiled_call_split, compiled_shallow_split
        sections.append({"workload": "shallow (compiled, the call)", **compiled_call_split()})
        for simplify in (False, True):
            part = compiled_shallow_split(simplify=simplify)
            name = "shallow (compiled, simplify=True)" if simplify else "shallow (compiled)"
            sections.append({"workload": name, **part})
    if "deep" in missed:
        log("profiling: deep (cProfile)")
        part = deep_profile(iterations=min(20, args.deep_iterations))
        part["markdown"] = "### deep\n\n" + part["markdown"]
        sections.append({"workload": "deep", **part})
    if "memory" in missed:
        log("profiling: memory growth (tracemalloc)")
        part = memory_profile()
        part["markdown"] = "### memory\n\n" + part["markdown"]
        sections.append({"workload": "memory", **part})
    return sections


def _overhead_why(part, by_name):
    p = part["per_op_us"]
    r = by_name.get("overhead")
    missed = r is None or any(not t["passed"] for t in r["targets"])
    lines = ["### overhead: the cost of one recorded op" + (
        "" if missed else " (the overhead target passed; this is what the shallow "
        "workload pays per op)")]
    if r is not None:
        us = r["per_op_us"]
        lines.append(
            f"In the timed run an elementwise op costs {us['engine']['total']:.1f} µs forward + "
            f"backward ({us['engine'].get('forward', 0):.1f} forward, "
            f"{us['engine'].get('backward', 0):.1f} backward); numpy alone needs "
            f"{us['numpy']['total']:.1f} µs"
            + (f" and PyTorch {us['torch']['total']:.1f} µs" if "torch" in us else "")
            + ". The measurements below, taken separately, split that up:")
    fwd, no_grad = p.get("forward, recording"), p.get("forward, no_grad")
    numpy_fwd = p.get("numpy alone (forward)")
    if None not in (fwd, no_grad, numpy_fwd):
        lines.append(f"- forward: {numpy_fwd:.1f} µs of numpy, {no_grad - numpy_fwd:.1f} µs of "
                     f"dispatch and Tensor creation, {fwd - no_grad:.1f} µs of recording.")
    names = ("counting consumers", "ops' backward formulas", "engine loop",
             "releasing the graph")
    if all(p.get(n) is not None for n in names):
        count, formulas, loop, release = (p[n] for n in names)
        lines.append(f"- backward, per node: {count:.1f} µs counting consumers (a separate "
                     f"pass), {formulas:.1f} µs in the ops' formulas, {loop:.1f} µs in the "
                     f"engine's loop, {release:.1f} µs releasing.")
    gc_share = p.get("of which garbage collection")
    if gc_share is not None:
        lines.append(f"- the garbage collector: {gc_share:.2f} µs per op.")
    return "\n".join(lines)


def _shallow_why(part, split, by_name):
    lines = ["### shallow: per-iteration cost"]
    r = by_name.get("shallow")
    if r is not None:
        us = r["per_iteration_us"]
        nodes = part["nodes"]
        lines.append(
            f"One iteration records {nodes} ops. Per iteration in the timed run: hand-written "
            f"numpy {us['numpy']:.0f} µs, engine through nn {us['engine']:.0f} µs, engine ops "
            f"without nn {us['engine_raw']:.0f} µs"
            + (f", PyTorch {us['torch']:.0f} µs" if "torch" in us else "")
            + f". The targets allow {2 * us['numpy']:.0f} µs (2 × numpy)"
            + (f" and {us['torch'] / 2:.0f} µs (PyTorch ÷ 2)" if "torch" in us else "") + ".")
        t = r["timings"]
        n = r["config"]["iterations"]
        mins = {k: v["time"]["min"] / n * 1e6 for k, v in t.items()}
        lines.append(f"- nn's own overhead in the timed run: fit − the same ops written out = "
                     f"{us['engine'] - us['engine_raw']:+.0f} µs per iteration on the medians,"
                     f" {mins['engine'] - mins['engine_raw']:+.0f} µs on the minimums "
                     "(noise-sized; the split below measures it directly).")
    b = split["per_iteration_us"]
    keys = ("numpy: forward + cost", "numpy: backward", "engine: forward + cost, ops only",
            "engine: forward + cost, nn", "backward, total", "counting consumers",
            "ops' backward formulas", "engine loop", "releasing the graph")
    if all(b.get(k) is not None for k in keys):
        lines.append(
            f"- forward + cost: numpy {b[keys[0]]:.0f} µs, engine ops {b[keys[2]]:.0f} µs, "
            f"through nn {b[keys[3]]:.0f} µs (nn's own share: "
            f"{b[keys[3]] - b[keys[2]]:.0f} µs).")
        lines.append(
            f"- backward: numpy {b[keys[1]]:.0f} µs, engine {b[keys[4]]:.0f} µs = "
            f"{b[keys[5]]:.0f} counting consumers + {b[keys[6]]:.0f} ops' formulas + "
            f"{b[keys[7]]:.0f} engine loop (sum_to of the bias gradients, seeding, "
            f"accumulating, writing .grad) + {b[keys[8]]:.0f} releasing.")
    return "\n".join(lines)


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "overhead"
    section = {"overhead": per_op_breakdown, "shallow": shallow_profile,
               "shallow-split": shallow_breakdown, "deep": deep_profile,
               "memory": memory_profile}[what]()
    print(section["markdown"])
