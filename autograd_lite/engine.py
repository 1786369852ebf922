"""The backward pass: topological order, the chain rule, accumulation — in one place.

Every op's ``backward`` returns one gradient per input; this module sums gradients that
meet at a tensor, reduces broadcast gradients back to the input's shape (``sum_to``), checks
shapes and dtypes, writes leaves' ``.grad`` and releases the graph afterwards.
"""
from __future__ import annotations

import contextlib
import threading
from itertools import compress

import numpy as np

from .errors import AnomalyError, DTypeError, GraphError, ShapeError
from .function import Clock, Function, _state, is_anomaly_enabled, _release_graph
from .ops.movement import _sum_to_array, _sum_to_axes, sum_to
from .tensor import Tensor, as_tensor


def topological_order(roots):
    """Tensors that need a gradient, reachable from ``roots``, inputs before their results.

    Iterative depth-first search (no recursion), so a chain of any length is fine.
    """
    order, seen = [], set()
    stack = [(root, False) for root in reversed(roots)]
    while stack:
        t, done = stack.pop()
        if done:
            order.append(t)
            continue
        if id(t) in seen:
            continue
        seen.add(id(t))
        stack.append((t, True))
        fn = t._fn
        if fn is None:
            continue
        if fn.released:
            raise _released(fn)
        for inp in fn.inputs:
            if inp._requires_grad and id(inp) not in seen:
                stack.append((inp, False))
    return order


def _released(fn):
    why = getattr(type(fn), "why", None)        # a compiled step's result says so
    if why:
        return GraphError(why)
    return GraphError(
        f"backward: the graph through '{fn.name}' was already released by an earlier "
        "backward pass. Recompute the forward pass, or call backward(retain_graph=True) "
        "the first time if you need to go through the same graph twice.")


def _count_consumers(roots):
    """For every tensor below ``roots`` that needs a gradient: how many op inputs it feeds.

    A tensor's gradient is complete once that many contributions have arrived (Kahn's
    algorithm, as HIPS autograd does it); an explicit stack, so no recursion limit.
    """
    if len(roots) == 1:                 # the common case: one cost
        stack, root_ids = [roots[0]], (id(roots[0]),)
    else:
        stack = list({id(r): r for r in roots}.values())  # a root given twice counts once
        root_ids = {id(r) for r in stack}
    consumers = {}
    count_of, pop, push = consumers.get, stack.pop, stack.append
    while stack:
        fn = pop()._fn
        if fn is None:
            continue
        if fn.released:
            raise _released(fn)
        for x in compress(fn.inputs, fn.needs_input_grad):    # the inputs that need one
            key = id(x)
            count = count_of(key)
            if count is None:               # seen for the first time: walk below it
                consumers[key] = 1
                if x._fn is not None and key not in root_ids:
                    push(x)
            else:
                consumers[key] = count + 1
    return consumers


def _seed(root, grad, as_tensors):
    """The starting gradient d(root)/d(root): 1 for a one-element tensor, else ``grad``."""
    if not root._requires_grad:
        raise GraphError(
            f"backward: this tensor (shape {root.shape}) does not require a gradient: none of "
            "the tensors it was computed from has requires_grad=True (or it was computed "
            "under no_grad)")
    if grad is None:
        if root.size != 1:
            raise GraphError(
                f"backward: a gradient can only be implied for a one-element output, this one "
                f"has shape {root.shape}; pass grad= of that shape, or reduce it first "
                "(e.g. loss.sum() or loss.mean())")
        data = root._data       # a 0-d array is made faster by np.array than by np.ones
        grad = (np.array(1, dtype=data.dtype) if data.ndim == 0
                else np.ones(data.shape, dtype=data.dtype))
    elif isinstance(grad, Tensor):
        given = grad._data
        grad = grad.astype(root.dtype) if as_tensors else np.array(given, dtype=root.dtype)
        if _state.capture is not None:
            _state.capture.call([given], grad,
                                f"np.array({{0}}, dtype=np.dtype({root.dtype.str!r}))", "seed")
    else:
        given = grad
        if np.asarray(given).dtype.kind not in "biuf":  # complex would lose its imaginary part
            raise DTypeError(
                f"backward: the gradient given for the output (shape {root.shape}) has dtype "
                f"{np.asarray(given).dtype}; gradients are real numbers of the output's dtype "
                f"({root.dtype}). autograd_lite differentiates real-valued functions only")
        grad = np.array(grad, dtype=root.dtype)      # a copy: .grad must not alias it
        if _state.capture is not None and isinstance(given, np.ndarray):
            _state.capture.call([given], grad,
                                f"np.array({{0}}, dtype=np.dtype({root.dtype.str!r}))", "seed")
    if grad.shape != root.shape:
        raise ShapeError(f"backward: grad has shape {grad.shape} but the output has shape "
                         f"{root.shape}")
    return as_tensor(grad) if as_tensors and not isinstance(grad, Tensor) else grad


def _sum_to_code(shape, target):
    """The program's text for ``sum_to`` from ``shape`` to ``target``: the numpy calls
    ``sum_to`` makes for these shapes (``np.add.reduce(dZ, axis=1, keepdims=True)``, the
    course's ``np.sum(dZ, axis=1, keepdims=True)``), without the function around them."""
    axes = _sum_to_axes(shape, target)
    kept = tuple(1 if i in axes else n for i, n in enumerate(shape))
    if not axes:
        return f"{{0}}.reshape({target!r})"
    axis = axes[0] if len(axes) == 1 else axes
    code = f"np.add.reduce({{0}}, axis={axis!r}, keepdims=True)"
    return code if kept == tuple(target) else f"{code}.reshape({target!r})"


def _fit(grad, inp, index, fn, as_tensors):
    """Bring one input gradient to the input's shape and dtype; refuse what cannot fit."""
    if as_tensors and not isinstance(grad, Tensor):
        grad = as_tensor(grad)
    shape = inp._data.shape
    recorder = _state.capture
    if grad.shape != shape:
        try:
            summed = (_sum_to_array(grad, shape) if type(grad) is np.ndarray  # plain numpy
                      else sum_to(grad, shape))
        except (ShapeError, ValueError):
            raise GraphError(
                f"{fn.name}: backward returned a gradient of shape {grad.shape} for input "
                f"{index} of shape {shape}") from None
        if recorder is not None:
            recorder.call([grad], summed, _sum_to_code(grad.shape, shape),
                          recorder.grad_name(inp._data))
        elif type(summed) is np.ndarray and _reshaped_sum(summed, grad):
            summed = summed.base    # the sum itself, not a same-shape view of it: a .grad
                                    # that owns its memory is written without a copy check
        grad = summed
    if grad.dtype != inp._data.dtype:
        cast = grad.astype(inp._data.dtype)
        if recorder is not None:
            recorder.call([grad], cast, f"{{0}}.astype(np.dtype({inp._data.dtype.str!r}))",
                          recorder.grad_name(inp._data))
        grad = cast
    return grad


def _reshaped_sum(summed, grad) -> bool:
    """Whether ``summed`` is a same-shape view of a new array (the reduction's result),
    not of ``grad``'s memory: then that array can stand for it."""
    base = summed.base
    return (base is not None and base.base is None and base.shape == summed.shape
            and base is not grad and base is not grad.base)


_AS_IS = contextlib.nullcontext()


def _check_finite(fn, upstream, grads):
    """Anomaly mode: name the op whose derivative turned finite numbers into NaN/inf."""
    if not np.all(np.isfinite(_array(upstream))):
        return
    for i, (inp, g) in enumerate(zip(fn.inputs, grads)):
        if g is None or np.all(np.isfinite(_array(g))):
            continue
        bad = "nan" if np.isnan(_array(g)).any() else "inf"
        raise AnomalyError(
            f"backward of '{fn.name}' produced {bad} in the gradient of its input {i} "
            f"(shape {inp.shape})\n"
            f"  the operation was created at {_created_at(fn)}\n"
            f"  its derivative rule: {fn.rule or '?'}; the incoming gradient was finite")


def _observe(t, fn, g, raw, as_tensors, observer):
    """Anomaly checks and the observer callback, off the fast path."""
    fitted = [None if (ig is None or not need) else _fit(ig, x, i, fn, as_tensors)
              for i, (x, need, ig) in enumerate(zip(fn.inputs, fn.needs_input_grad, raw))]
    if is_anomaly_enabled():
        _check_finite(fn, g, fitted)
    if observer is not None:
        observer(t, fn, g, raw, fitted)


def _created_at(fn):
    where = fn.__dict__.get("created_at")
    if where is None:
        return ("<unknown>: it was recorded outside detect_anomaly(); run the forward pass "
                "inside the `with detect_anomaly():` block as well to see its line")
    return where


def _array(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def backward(roots, grads=None, *, retain_graph=None, create_graph=False, inputs=None,
             allow_unused=False, observer=None):
    """Run the chain rule from ``roots`` back through the graph.

    Without ``inputs``, gradients accumulate into the ``.grad`` of every leaf that requires
    one (and of tensors that called ``retain_grad()``).  With ``inputs``, nothing is written
    to ``.grad``: the gradients of those tensors are returned instead.  Leaves' ``.grad`` are
    written only after the whole pass succeeded.

    A first-order pass runs each op's ``backward`` on plain numpy arrays; with
    ``create_graph=True`` it runs them on Tensors, recording the pass for higher derivatives.

    ``observer(tensor, fn, grad, raw, fitted)``, if given, is called after each op's backward
    with the op's output tensor, its Function, the incoming gradient, the gradients its
    ``backward`` returned and those after the engine fitted them to the inputs' shapes
    (``trace_backward`` uses it to print the chain-rule steps).
    """
    trace = _state.trace
    if trace is not None:                     # inside a compiled step: an event of its trace
        if observer is None:
            return trace.backward(roots, grads, retain_graph, create_graph, inputs,
                                  allow_unused)
        trace.go_eager()
    if retain_graph is None:
        retain_graph = create_graph
    if grads is None:
        grads = (None,) * len(roots)
    else:
        grads = list(grads)
        if len(grads) != len(roots):
            raise ValueError(f"backward: {len(roots)} outputs but {len(grads)} gradients")
    pending = {}                      # id(tensor) -> its gradient so far
    for root, g in zip(roots, grads):
        g = _seed(root, g, create_graph)
        key = id(root)
        pending[key] = g if key not in pending else pending[key] + g

    targets = None if inputs is None else {id(t): None for t in inputs}
    consumers = _count_consumers(roots)
    if len(roots) == 1:               # (no other root can wait for it)
        ready = [roots[0]]
    else:
        ready = list({id(r): r for r in roots if id(r) not in consumers}.values())
    done, leaf_grads, retained = [], [], []
    state = _state
    anomaly = state.anomaly
    careful = anomaly or observer is not None
    recorder = state.capture
    plain = recorder is None and not create_graph     # fn.backward on arrays, as it is
    now = Clock.now
    grad_mode = state.enabled           # the pass records only with create_graph
    state.enabled = create_graph
    pop, push, take = ready.pop, ready.append, pending.pop
    try:
        # In anomaly mode a NaN or inf in a gradient is an AnomalyError naming the op and the
        # user's line; numpy's RuntimeWarning (pointing into an ops file) would only repeat it.
        with np.errstate(all="ignore") if anomaly else _AS_IS:
            while ready:
                t = pop()
                g = take(id(t), None)
                fn = t._fn
                if fn is None:                # a leaf: its gradient is complete
                    if g is not None:
                        if targets is None:
                            leaf_grads.append((t, g))
                        elif id(t) in targets:
                            targets[id(t)] = g
                    continue
                if g is not None:
                    if targets is not None:
                        if id(t) in targets:
                            targets[id(t)] = g
                    elif t._retains_grad:
                        retained.append((t, g))
                if not retain_graph:
                    done.append((fn, t))
                xs, needs = fn.inputs, fn.needs_input_grad
                if g is None:                 # nothing reached t: its inputs get nothing from it
                    raw = (None,) * len(xs)
                else:
                    if fn.clock != now or careful:
                        fn.check_versions(t)
                    n = len(xs) if plain else 0
                    if n == 2:
                        raw = fn.backward(g, t._data, xs[0]._data, xs[1]._data)
                    elif n == 1:
                        raw = fn.backward(g, t._data, xs[0]._data)
                    else:
                        raw = _call_backward(fn, g, t, xs, recorder, create_graph)
                    if careful:
                        _observe(t, fn, g, raw, create_graph, observer)
                for i, need in enumerate(needs):
                    if not need:
                        continue
                    x = xs[i]
                    key = id(x)
                    ig = raw[i]
                    if ig is not None:
                        data = x._data
                        if create_graph or ig.shape != data.shape or (
                                ig.dtype is not data.dtype and ig.dtype != data.dtype):
                            ig = _fit(ig, x, i, fn, create_graph)
                        prev = pending.get(key)
                        if prev is None:
                            pending[key] = ig
                        else:                                 # a second path into x
                            pending[key] = total = prev + ig
                            if recorder is not None:
                                recorder.call([prev, ig], total, "{0} + {1}",
                                              recorder.grad_name(x._data))
                    left = consumers[key] - 1
                    if left:
                        consumers[key] = left
                    else:
                        push(x)

            if create_graph:
                targets, leaf_grads, retained = _depending_on_inputs(targets, inputs,
                                                                     leaf_grads + retained)
            if targets is None:
                _write_grads(leaf_grads + retained if retained else leaf_grads)
    finally:
        state.enabled = grad_mode

    if not retain_graph:                 # one record per tensor, shared by the ops using it
        _release_graph(done)
    if targets is None:
        return None
    results = [targets[id(t)] for t in inputs]         # one per input, repeats included
    missing = [i for i, g in enumerate(results) if g is None]
    if missing and not allow_unused:
        raise GraphError(f"grad: input(s) {missing} were not used to compute the output(s); "
                         "pass allow_unused=True to get None for them")
    return [g if g is None or isinstance(g, Tensor) else Tensor._make(np.asarray(g))
            for g in results]


def _call_backward(fn, g, t, xs, recorder, create_graph):
    """``fn.backward`` off the two fast paths: on Tensors (``create_graph``), recorded while
    ``ag.compile`` captures a step, or with any number of inputs."""
    if recorder is not None:
        if create_graph:
            return recorder.tensor_backward(fn, g, t, xs)
        inputs = [x._data for x in xs]
        raw = fn.backward(g, t._data, *inputs)
        recorder.backward(fn, g, t._data, inputs, raw)
        return raw
    if create_graph:
        return fn.backward(g, t, *xs)
    return fn.backward(g, t._data, *[x._data for x in xs])


_GRAD_LOCK = threading.Lock()


class DependsOn(Function):
    """A gradient recorded, under ``create_graph``, as a function of the input it belongs to.

    The derivative of relu, leaky_relu, abs, where, x·2 ... does not change with x, so their
    backward builds it without x; differentiating it again would find x unused.  Linked here,
    a second derivative that is identically zero comes back as zeros (as JAX gives, and
    PyTorch for relu-like ops), at every order.
    """
    name = "depends_on"
    rule = "dg = dout,  dx = 0"
    def forward(self, g, x):
        return g.copy()              # a new array: two gradients never share memory
    def backward(self, grad, out, g, x):
        return grad, np.zeros(x.shape, x.dtype)


def _depending_on_inputs(targets, inputs, items):
    """Link each returned gradient (``targets`` of ``inputs``, or the leaves' ``items``) whose
    graph does not reach the tensor it is the gradient of, to that tensor."""
    def linked(g, t):
        if g is None or (g._requires_grad and _reaches(g, t)):
            return g
        return DependsOn.apply(g, t)

    if targets is not None:
        tensors = {id(t): t for t in inputs}
        targets = {key: linked(g, tensors[key]) for key, g in targets.items()}
    return targets, [(t, linked(g, t)) for t, g in items], []


def _reaches(g, t):
    """Whether ``t`` is one of the tensors ``g`` was computed from (depth-first, iterative)."""
    stack, seen = [g], set()
    while stack:
        u = stack.pop()
        if u is t:
            return True
        fn = u._fn
        if fn is None or fn.released or id(u) in seen:
            continue
        seen.add(id(u))
        stack.extend(x for x in fn.inputs if x._requires_grad)
    return False


def _write_grads(items):
    """Accumulate into ``.grad`` as Tensors (see :func:`write_grad`).

    Threads running backward into the same leaves take turns here: ``t.grad + g`` read and
    written back by two threads at once would lose one of the gradients."""
    with _GRAD_LOCK:
        _accumulate(items)


def _accumulate(items):
    used = set()
    recorder = _state.capture
    if recorder is None:
        for t, g in items:
            write_grad(t, g, used)
        return
    for t, g in items:
        old = t._grad
        if isinstance(g, Tensor):                         # create_graph: ops are recorded
            write_grad(t, g, used)
            recorder.wrote_grad(t, old)
            continue
        _state.capture = None        # the write's own arithmetic is replayed as a whole
        try:
            stored = write_grad(t, g, used)
        finally:
            _state.capture = recorder
        recorder.write_grad(t, old, g, stored)


def write_grad(t, g, used):
    """Accumulate ``g`` into ``t.grad``; returns the gradient as stored (``g`` or a copy).

    A gradient array shared by two tensors of one pass (``used`` holds their ids), or a
    read-only view (from broadcast_to), is copied so every ``.grad`` owns its memory."""
    if type(g) is np.ndarray and g.base is None and id(g) not in used:   # the common case
        used.add(id(g))
        stored = g
        g = Tensor._make(g)
    elif isinstance(g, Tensor):                   # create_graph: keep the graph
        if id(g) in used or not g._data.flags.writeable:
            g = g * 1                             # new memory, still differentiable
        used.add(id(g))
        stored = g
    else:                                         # the rare cases: views, scalars, repeats
        owner = _owner(np.asarray(g))
        if id(owner) in used or not g.flags.writeable:
            g = g.copy()
            owner = g
        g = np.asarray(g)
        used.add(id(owner))
        used.add(id(g))
        stored = g
        g = Tensor._make(g)
    t._grad = g if t._grad is None else t._grad + g      # (the setter would note it twice)
    return stored


def _owner(array):
    """The array that owns the memory of ``array`` (itself, or the base of a view)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False, observer=None):
    """Gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` is untouched).

    With ``create_graph=True`` the result is itself differentiable: grad of grad gives second
    derivatives, Hessian-vector products, ...  Each gradient is then recorded as a function
    of its input, so a derivative that does not change with x (of relu, abs, x·2, ...) gives
    a second derivative of zeros, not an error or None (JAX's answer; PyTorch's for relu-like
    ops).  ``allow_unused=True`` gives None only for an input the outputs were not computed
    from at all.  Returns one Tensor for one input, else a list.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor(0.5, requires_grad=True)
    >>> y = ag.tanh(x)
    >>> dy = ag.grad(y, x, create_graph=True)          # 1 - tanh(x)^2
    >>> d2y = ag.grad(dy, x)                           # -2 tanh(x) (1 - tanh(x)^2)
    >>> round(d2y.item(), 6)
    -0.726862
    >>> dr = ag.grad(ag.relu(x), x, create_graph=True)   # 1 for x > 0, whatever x is
    >>> ag.grad(dr, x)
    tensor(0.)
    """
    single_out = isinstance(outputs, Tensor)
    outputs = [outputs] if single_out else list(outputs)
    single_in = isinstance(inputs, Tensor)
    inputs = [inputs] if single_in else list(inputs)
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t._requires_grad:
            raise GraphError(f"grad: input {i} does not require a gradient")
    if grad_outputs is not None and single_out and not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    result = backward(outputs, grad_outputs, retain_graph=retain_graph,
                      create_graph=create_graph, inputs=inputs, allow_unused=allow_unused,
                      observer=observer)
    return result[0] if single_in else result
