"""The backward pass: topological order, the chain rule, accumulation — in one place.

Every op's ``backward`` returns one gradient per input; this module sums gradients that
meet at a tensor, reduces broadcast gradients back to the input's shape (``sum_to``), checks
shapes and dtypes, writes leaves' ``.grad`` and releases the graph afterwards.
"""
from __future__ import annotations

import numpy as np

from .errors import AnomalyError, GraphError, ShapeError
from .function import is_anomaly_enabled, set_grad_enabled
from .ops.elementwise import astype
from .ops.movement import sum_to
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
            raise GraphError(
                f"backward: the graph through '{fn.name}' was already released by an earlier "
                "backward pass. Recompute the forward pass, or call backward(retain_graph=True) "
                "the first time if you need to go through the same graph twice.")
        for inp in fn.inputs:
            if inp._requires_grad and id(inp) not in seen:
                stack.append((inp, False))
    return order


def _seed(root, grad):
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
        return Tensor._make(np.ones(root.shape, dtype=root.dtype))
    grad = grad if isinstance(grad, Tensor) else as_tensor(grad, dtype=root.dtype)
    if grad.shape != root.shape:
        raise ShapeError(f"backward: grad has shape {grad.shape} but the output has shape "
                         f"{root.shape}")
    return grad


def _fit(grad, inp, index, fn):
    """Bring one input gradient to the input's shape and dtype; refuse what cannot fit."""
    if not isinstance(grad, Tensor):
        grad = as_tensor(grad)
    if grad.shape != inp.shape:
        try:
            grad = sum_to(grad, inp.shape)
        except ShapeError:
            raise GraphError(
                f"{fn.name}: backward returned a gradient of shape {grad.shape} for input "
                f"{index} of shape {inp.shape}") from None
    if grad.dtype != inp.dtype:
        grad = astype(grad, inp.dtype)
    return grad


def _check_finite(fn, upstream, grads):
    """Anomaly mode: name the op whose derivative turned finite numbers into NaN/inf."""
    if not np.all(np.isfinite(upstream._data)):
        return
    for i, (inp, g) in enumerate(zip(fn.inputs, grads)):
        if g is None or np.all(np.isfinite(g._data)):
            continue
        bad = "nan" if np.isnan(g._data).any() else "inf"
        raise AnomalyError(
            f"backward of '{fn.name}' produced {bad} in the gradient of its input {i} "
            f"(shape {inp.shape})\n"
            f"  the operation was created at {getattr(fn, 'created_at', '<unknown>')}\n"
            f"  its derivative rule: {fn.rule or '?'}; the incoming gradient was finite")


def backward(roots, grads=None, *, retain_graph=None, create_graph=False, inputs=None,
             allow_unused=False, observer=None):
    """Run the chain rule from ``roots`` back through the graph.

    Without ``inputs``, gradients accumulate into the ``.grad`` of every leaf that requires
    one (and of tensors that called ``retain_grad()``).  With ``inputs``, nothing is written
    to ``.grad``: the gradients of those tensors are returned instead.  Leaves' ``.grad`` are
    written only after the whole pass succeeded.

    ``observer(tensor, fn, grad, raw, fitted)``, if given, is called after each op's backward
    with the op's output tensor, its Function, the incoming gradient, the gradients its
    ``backward`` returned and those after the engine fitted them to the inputs' shapes
    (``trace_backward`` uses it to print the chain-rule steps).
    """
    if retain_graph is None:
        retain_graph = create_graph
    grads = [None] * len(roots) if grads is None else list(grads)
    if len(grads) != len(roots):
        raise ValueError(f"backward: {len(roots)} outputs but {len(grads)} gradients")
    pending = {}                      # tensor -> its gradient so far
    for root, g in zip(roots, grads):
        g = _seed(root, g)
        pending[root] = g if root not in pending else pending[root] + g

    targets = None if inputs is None else {t: None for t in inputs}
    order = topological_order(roots)
    leaf_grads, retained = {}, []
    anomaly = is_anomaly_enabled()
    with set_grad_enabled(create_graph):
        for t in reversed(order):
            g = pending.pop(t, None)
            if g is None:
                continue
            fn = t._fn
            if targets is not None:
                if t in targets:
                    targets[t] = g
            elif fn is None:
                leaf_grads[t] = g
            elif t._retains_grad:
                retained.append((t, g))
            if fn is None:
                continue
            fn.check_versions()
            in_grads = fn.backward(g)
            fitted = [None if (ig is None or not need) else _fit(ig, inp, i, fn)
                      for i, (inp, need, ig) in enumerate(
                          zip(fn.inputs, fn.needs_input_grad, in_grads))]
            if anomaly:
                _check_finite(fn, g, fitted)
            if observer is not None:
                observer(t, fn, g, in_grads, fitted)
            for inp, ig in zip(fn.inputs, fitted):
                if ig is not None:
                    prev = pending.get(inp)
                    pending[inp] = ig if prev is None else prev + ig

        if targets is None:
            _write_grads(list(leaf_grads.items()) + retained)

    if not retain_graph:
        for t in order:
            if t._fn is not None:
                t._fn.release()
    if targets is None:
        return None
    missing = [i for i, g in enumerate(targets.values()) if g is None]
    if missing and not allow_unused:
        raise GraphError(f"grad: input(s) {missing} were not used to compute the output(s); "
                         "pass allow_unused=True to get None for them")
    return list(targets.values())


def _write_grads(items):
    """Accumulate into ``.grad``; a gradient object shared by two tensors is copied first."""
    used = set()
    for t, g in items:
        if id(g._data) in used:
            g = Tensor._make(g._data.copy(), g._requires_grad) if g._fn is None else g
        used.add(id(g._data))
        t.grad = g if t.grad is None else t.grad + g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False, observer=None):
    """Gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` is untouched).

    With ``create_graph=True`` the result is itself differentiable: grad of grad gives second
    derivatives, Hessian-vector products, ...  Returns one Tensor for one input, else a list.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor(0.5, requires_grad=True)
    >>> y = ag.tanh(x)
    >>> dy = ag.grad(y, x, create_graph=True)          # 1 - tanh(x)^2
    >>> d2y = ag.grad(dy, x)                           # -2 tanh(x) (1 - tanh(x)^2)
    >>> round(d2y.item(), 6)
    -0.727026
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
