"""Sorting and searching: sort (differentiable values), and the integer/boolean answers
argsort, argmax, argmin, any, all (no gradient).

``sort`` only moves numbers: its derivative sends each output's gradient back to the place
the value came from.  Equal values are sorted in their original order (a stable sort), so
each tied input gets the gradient of the output position it was sorted to.
"""
from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor, operand
from .elementwise import Answer
from .reduce import _normalize_axis


def _permute(x, index, axis):
    """``x`` reordered along ``axis`` by a permutation ``index`` (recorded for Tensors)."""
    if isinstance(x, Tensor):
        return Permute.apply(x, index=index, axis=axis)
    return np.take_along_axis(x, index, axis=axis)


class Sort(Function):
    rule = "da = dout put back where each value came from   (ties: in their original order)"
    def forward(self, a, axis):
        self.index = np.argsort(a, axis=axis, kind="stable")
        return np.take_along_axis(a, self.index, axis=axis)
    def backward(self, grad, out, a):
        axis = self.params["axis"]
        return (_permute(grad, np.argsort(self.index, axis=axis), axis),)


class Permute(Function):
    rule = "da = dout reordered by the inverse permutation"
    def forward(self, a, index, axis):
        return np.take_along_axis(a, index, axis=axis)
    def backward(self, grad, out, a):
        axis = self.params["axis"]
        return (_permute(grad, np.argsort(self.params["index"], axis=axis), axis),)


def sort(a, axis=-1):
    """The values sorted along ``axis`` (flattened when None), as ``np.sort``; differentiable.

    Unlike ``ndarray.sort`` this returns a new tensor.  Tied values are taken in their
    original order, each getting the gradient of the position it lands in.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([3.0, 1.0, 2.0], requires_grad=True)
    >>> y = ag.sort(x)
    >>> (y * ag.tensor([1.0, 10.0, 100.0])).sum().backward()
    >>> y, x.grad
    (tensor([1., 2., 3.], grad_fn=sort), tensor([100.,   1.,  10.]))
    """
    a = operand(a)
    if axis is None:
        a, axis = a.reshape(-1), 0
    return Sort.apply(a, axis=_normalize_axis(axis, a.shape, "sort")[0])


class Argsort(Answer):
    def forward(self, a, axis, kind):
        return np.argsort(a, axis=axis, kind=kind)


class Argmax(Answer):
    def forward(self, a, axis, keepdims):
        return np.asarray(np.argmax(a, axis=axis, keepdims=keepdims))


class Argmin(Answer):
    def forward(self, a, axis, keepdims):
        return np.asarray(np.argmin(a, axis=axis, keepdims=keepdims))


class Any(Answer):
    def forward(self, a, axis, keepdims):
        return np.asarray(np.any(a, axis=axis, keepdims=keepdims))


class All(Answer):
    def forward(self, a, axis, keepdims):
        return np.asarray(np.all(a, axis=axis, keepdims=keepdims))


def _checked(a, axis, op):
    """``a`` as a Tensor, after checking ``axis`` against its shape (an error naming ``op``)."""
    a = operand(a)
    if axis is not None:
        _normalize_axis(axis, a.shape, op)
    return a


def argsort(a, axis=-1, kind=None):
    """The indices that sort ``a`` along ``axis``, as ``np.argsort`` (an integer tensor)."""
    return Argsort.apply(_checked(a, axis, "argsort"), axis=axis, kind=kind)


def argmax(a, axis=None, keepdims=False):
    """The index of the largest value (first one at ties), as ``np.argmax``; no gradient.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.tensor([[1.0, 5.0], [7.0, 2.0]]).argmax(axis=1)
    tensor([1, 0], dtype=int64)
    """
    return Argmax.apply(_checked(a, axis, "argmax"), axis=axis, keepdims=bool(keepdims))


def argmin(a, axis=None, keepdims=False):
    """The index of the smallest value (first one at ties), as ``np.argmin``; no gradient."""
    return Argmin.apply(_checked(a, axis, "argmin"), axis=axis, keepdims=bool(keepdims))


def any(a, axis=None, keepdims=False):
    """Whether any element (along ``axis``) is non-zero: a boolean tensor, no gradient."""
    return Any.apply(_checked(a, axis, "any"), axis=_axis_param(axis), keepdims=bool(keepdims))


def all(a, axis=None, keepdims=False):
    """Whether all elements (along ``axis``) are non-zero: a boolean tensor, no gradient."""
    return All.apply(_checked(a, axis, "all"), axis=_axis_param(axis), keepdims=bool(keepdims))


def _axis_param(axis):
    """An axis as a recorded parameter: a list of axes becomes a tuple (numpy takes both)."""
    return tuple(axis) if isinstance(axis, list) else axis


# --- partial sorting: np.partition (differentiable values), np.argpartition (indices) -------

class Partition(Function):
    rule = "da = dout put back where each value came from"
    def forward(self, a, kth, axis):
        out = np.partition(a, kth, axis=axis)
        # where each value came from: a[index] == out.  (With nans, np.partition and
        # np.argpartition order the elements differently, so the values come from
        # np.partition itself.)  Both sort alike: the i-th smallest of out is a's.
        order_a = np.argsort(a, axis=axis, kind="stable")
        order_out = np.argsort(out, axis=axis, kind="stable")
        self.index = np.empty_like(order_a)
        np.put_along_axis(self.index, order_out, order_a, axis=axis)
        return out
    def backward(self, grad, out, a):
        axis = self.params["axis"]
        return (_permute(grad, np.argsort(self.index, axis=axis), axis),)


class Argpartition(Answer):
    def forward(self, a, kth, axis):
        return np.argpartition(a, kth, axis=axis)


def _partitioned(a, kth, axis, op):
    """The tensor (flattened for axis None), ``kth`` as a recorded parameter (an int or a
    tuple) and the axis, checked."""
    a = operand(a)
    if axis is None:
        a, axis = a.reshape(-1), 0
    if a.ndim == 0:
        raise ValueError(f"{op}: a 0-d array cannot be partitioned (numpy's AxisError)")
    axis = _normalize_axis(axis, a.shape, op)[0]
    n = a.shape[axis]
    kth_array = np.asarray(kth)
    if kth_array.dtype.kind not in "iu" or kth_array.ndim > 1:
        raise TypeError(f"{op}: kth must be an integer or a sequence of integers, got {kth!r}")
    kths = [int(k) for k in kth_array.reshape(-1).tolist()]
    for k in kths:
        if not -n <= k < n:
            raise ValueError(f"{op}: kth {k} is out of bounds for axis {axis} of shape "
                             f"{a.shape} (size {n})")
    return a, (kths[0] if np.ndim(kth) == 0 else tuple(kths)), axis


def partition(a, kth, axis=-1):
    """A copy of ``a`` with the ``kth`` element in its sorted place along ``axis``, smaller
    ones before it and larger ones after, as ``np.partition`` (the same order as numpy's);
    differentiable: each value's gradient goes back to where it came from.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([3.0, 1.0, 4.0, 2.0], requires_grad=True)
    >>> y = ag.partition(x, 1)
    >>> y[1].backward()                  # the second smallest is 2.0, at index 3
    >>> y[1], x.grad
    (tensor(2., grad_fn=getitem), tensor([0., 0., 0., 1.]))
    """
    a, kth, axis = _partitioned(a, kth, axis, "partition")
    return Partition.apply(a, kth=kth, axis=axis)


def argpartition(a, kth, axis=-1):
    """The indices that would partition ``a`` (``np.argpartition``): an integer tensor, no
    gradient."""
    a, kth, axis = _partitioned(a, kth, axis, "argpartition")
    return Argpartition.apply(a, kth=kth, axis=axis)
