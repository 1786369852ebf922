"""In-place operators on tensors: ``w -= learning_rate * w.grad`` and its siblings.

Every in-place update goes through :func:`update`, the one place that writes into a tensor's
array: it checks the grad mode, the shapes and the dtypes first (so nothing is half-written),
runs the numpy ufunc with ``out=`` the tensor's own array and stamps the version, so a graph
that saved the old values refuses backward.
"""
from __future__ import annotations

import numpy as np

from .errors import DTypeError, GraphError, ShapeError
from .function import Clock, _state, is_grad_enabled
from .ops.movement import _plain_index
from .tensor import Tensor, operand

_SYMBOLS = {np.add: "+=", np.subtract: "-=", np.multiply: "*=", np.true_divide: "/=",
            np.power: "**=", np.matmul: "@="}


def update(t: Tensor, ufunc, other) -> Tensor:
    """``t <op>= other`` in place: same tensor, same array, same dtype, version bumped.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> (w * w).sum().backward()
    >>> with ag.no_grad():
    ...     w -= 0.25 * w.grad            # what an optimizer step does
    >>> w, w.is_leaf
    (tensor([0.5, 1. ], requires_grad=True), True)
    """
    op = _SYMBOLS[ufunc]
    if is_grad_enabled():
        _refuse_while_recording(t, op, other)
    other = other if isinstance(other, Tensor) else operand(other, t, op)
    if _state.trace is not None:        # a compiled step: an event of its trace
        return _state.trace.inplace(t, ufunc, other)
    value, out = other._data, t._data
    if not out.flags.writeable:
        raise GraphError(
            f"{op}: the tensor (shape {t.shape}) cannot be written in place: its data is "
            "read-only (a view made by broadcast_to/expand, whose elements share memory, or "
            "a read-only numpy array). Update a copy instead: t = t * 1")
    if ufunc is np.power and out.dtype.kind in "iu" and np.any(value < 0):
        raise DTypeError(f"{op}: an integer tensor (dtype {out.dtype}) cannot be raised to a "
                         "negative power in place; convert it to float first")
    if ufunc is not np.matmul and value.shape != out.shape and not _fits(value.shape, out.shape):
        raise ShapeError(f"{op}: a tensor of shape {out.shape} cannot be updated in place "
                         f"with an operand of shape {value.shape}: the result would have "
                         "another shape. Build a new tensor instead (t = t op x)")
    if _state.capture is not None:     # ag.compile captures the update
        _state.capture.inplace(ufunc, t, other, t if t._base is None else t._base)
    try:
        ufunc(out, value, out=out, casting="same_kind")
    except TypeError as exc:        # numpy's UFuncTypeError: the result cannot be cast back
        raise DTypeError(f"{op}: cannot write the result for dtypes {out.dtype} and "
                         f"{value.dtype} into the tensor's {out.dtype} array in place "
                         f"({exc}); convert the tensor first (t = t.astype(...))") from None
    except ValueError as exc:       # matmul: the product has another shape
        raise ShapeError(f"{op}: a tensor of shape {out.shape} cannot be updated in place "
                         f"with an operand of shape {value.shape}: {exc}") from None
    Clock.stamp(t)
    return t


def update_each(tensors, ufunc, others, scale) -> None:
    """``t <op>= other * scale`` for each pair, in order: an optimizer's step, one event.

    The same numpy calls as the loop ``for t, g in zip(tensors, others): t -= g * scale``
    (so the same bits); in a compiled step the whole loop is one event of its trace
    instead of two per tensor.  ``scale`` is a Python number.

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> from autograd_lite import inplace
    >>> w, b = ag.tensor([1.0, 2.0], requires_grad=True), ag.tensor([0.5], requires_grad=True)
    >>> (w.sum() + 2 * b.sum()).backward()
    >>> with ag.no_grad():
    ...     inplace.update_each([w, b], np.subtract, [w.grad, b.grad], 0.25)
    >>> w.data, b.data
    (array([0.75, 1.75]), array([0.]))
    """
    trace = _state.trace
    if trace is not None and not is_grad_enabled():
        tensors, others = list(tensors), [operand(g) for g in others]
        dtypes = {g._data.dtype for g in others}
        if len(dtypes) == 1 and dtypes.pop().kind == "f":
            trace.update_each(tensors, ufunc, others, operand(scale, others[0]))
            return
    for t, g in zip(tensors, others):                # the loop itself (and its checks)
        update(t, ufunc, operand(g) * scale)


def is_own_region(t, index, value) -> bool:
    """Whether ``value`` is a tensor viewing exactly the memory ``t[index]`` selects.

    Python runs ``t[i] += x`` as ``v = t[i]; v += x; t[i] = v``: when ``t[i]`` is a view, the
    update already happened in place and the assignment writes the region onto itself."""
    owner = t if t._base is None else t._base
    if not isinstance(value, Tensor) or value._base is not owner:
        return False
    try:
        region = t._data[_plain_index(index)]
    except (IndexError, TypeError, ValueError):
        return False
    return (region.__array_interface__["data"][0] == value._data.__array_interface__["data"][0]
            and region.shape == value.shape and region.strides == value._data.strides
            and region.dtype == value.dtype)


def _fits(shape, target) -> bool:
    """Whether an operand of ``shape`` broadcasts to ``target`` without growing it."""
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _refuse_while_recording(t, op, other):
    """Grad mode on: an in-place change of a tensor the graph needs would be hidden from it."""
    what = f"tensor {t.name!r}" if t.name else "tensor"
    if t._requires_grad:
        raise GraphError(
            f"{op}: cannot update a {what} of shape {t.shape} in place while gradients are "
            "recorded: it requires a gradient, and the graph would not see the change. Wrap "
            "the update in `with ag.no_grad():` (e.g. an optimizer step: "
            f"`with ag.no_grad(): w -= learning_rate * w.grad`), or build a new tensor "
            f"(`t = t {op[:-1]} x`)")
    if isinstance(other, Tensor) and other._requires_grad:
        raise GraphError(
            f"{op}: the right-hand side (shape {other.shape}) requires a gradient, which an "
            f"in-place update of a {what} of shape {t.shape} cannot pass on. Build a new "
            f"tensor (`t = t {op[:-1]} x`) to keep the gradient, or wrap the update in "
            "`with ag.no_grad():` to use the value only")
