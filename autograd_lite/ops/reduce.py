"""Reductions with ``axis`` and ``keepdims``: sum, max, min, logsumexp; mean is sum / n."""
from __future__ import annotations

import builtins
import math

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..inlining import foldable
from ..tensor import operand
from .movement import expand


def _normalize_axis(axis, shape, op, allow_none=True):
    """``axis`` as a sorted tuple of non-negative ints (or None for all axes)."""
    if axis is None:
        if allow_none:
            return None
        raise ShapeError(f"{op}: needs an axis")
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    ndim = len(shape)
    out = []
    for ax in axes:
        if not isinstance(ax, (int, np.integer)) or not -ndim <= ax < builtins.max(ndim, 1):
            raise ShapeError(f"{op}: axis {ax} is out of range for a tensor of shape {shape}")
        if ndim == 0:
            raise ShapeError(f"{op}: a 0-d tensor has no axis {ax}")
        out.append(int(ax) % ndim)
    if len(set(out)) != len(out):
        raise ShapeError(f"{op}: repeated axis in {axis}")
    return tuple(sorted(out))


def _reduced_shape(shape, axis):
    """The shape of the result with keepdims=False."""
    if axis is None:
        return ()
    return tuple(n for i, n in enumerate(shape) if i not in axis)


@foldable
def _kept_shape(shape, axis):
    """The shape of the result with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


class Sum(Function):
    rule = "da = dout broadcast back over the summed axes"
    def forward(self, a, axis, keepdims):
        self.kept = _kept_shape(a.shape, axis)
        return np.asarray(a.sum(axis=axis, keepdims=keepdims))
    def backward(self, grad, out, a):
        return (expand(grad.reshape(self.kept), a.shape),)


class Max(Function):
    rule = "da = dout at the maximum (ties, or NaNs: shared equally), 0 elsewhere"
    def forward(self, a, axis, keepdims):
        top = a.max(axis=axis, keepdims=True)
        return _extreme(self, a, top, axis, keepdims)
    def backward(self, grad, out, a):
        return (grad.reshape(self.kept) * self.share,)


class Min(Function):
    rule = "da = dout at the minimum (ties, or NaNs: shared equally), 0 elsewhere"
    def forward(self, a, axis, keepdims):
        bottom = a.min(axis=axis, keepdims=True)
        return _extreme(self, a, bottom, axis, keepdims)
    def backward(self, grad, out, a):
        return (grad.reshape(self.kept) * self.share,)


def _extreme(fn, a, extreme, axis, keepdims):
    """Save on ``fn`` each element's share of the gradient of the max/min ``extreme`` (kept
    dims): 1/k for the k elements equal to it, 0 elsewhere; return the reduced result.

    The max or min of data with NaN is NaN: then the NaN elements share the gradient (as in
    PyTorch), where ``a == extreme`` alone would give 0/0 everywhere.
    """
    fn.kept = _kept_shape(a.shape, axis)
    if a.dtype.kind == "f":              # only floats get gradients: no share for ints, bools
        hit = a == extreme
        if np.isnan(extreme).any():
            hit |= np.isnan(a) & np.isnan(extreme)
        fn.share = (hit / hit.sum(axis=axis, keepdims=True)).astype(a.dtype, copy=False)
    return extreme if keepdims else extreme.reshape(_reduced_shape(a.shape, axis))


class LogSumExp(Function):
    rule = "da = dout · softmax(a)"
    def forward(self, a, axis, keepdims):
        self.kept = _kept_shape(a.shape, axis)
        top = a.max(axis=axis, keepdims=True)
        top = np.where(np.isfinite(top), top, 0)
        out = top + np.log(np.exp(a - top).sum(axis=axis, keepdims=True))
        return out if keepdims else out.reshape(_reduced_shape(a.shape, axis))
    def backward(self, grad, out, a):
        return (grad.reshape(self.kept) * np.exp(a - out.reshape(self.kept)),)


def sum(a, axis=None, keepdims=False):
    """Sum over ``axis`` (all axes by default).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.sum(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), axis=1, keepdims=True)
    tensor([[3.],
            [7.]])
    """
    a = operand(a)
    axis = None if axis is None else _normalize_axis(axis, a.shape, "sum")
    return Sum.apply(a, axis=axis, keepdims=bool(keepdims))


def mean(a, axis=None, keepdims=False):
    """Mean over ``axis`` (all axes by default): ``sum / n``.

    Over an empty selection the mean is nan with a RuntimeWarning, as in numpy."""
    a = operand(a)
    if a.dtype == np.float16:         # as numpy does: accumulate float16 in float32
        return mean(a.astype(np.float32), axis, keepdims).astype(np.float16)
    axes = _normalize_axis(axis, a.shape, "mean")
    n = a.size if axes is None else math.prod(a.shape[i] for i in axes)
    total = Sum.apply(a, axis=axes, keepdims=bool(keepdims))
    if n == 0:                        # as numpy: nan, with a warning (0/0 without its noise)
        from ..function import warn_at_user_code
        warn_at_user_code("Mean of empty slice.", RuntimeWarning)
        return total * math.nan
    return total / n if total.dtype.kind == "f" else total / float(n)


def max(a, axis=None, keepdims=False):
    """Maximum over ``axis``; when several elements tie, they share the gradient equally.

    Over data with NaN the result is NaN (as numpy's) and the NaN elements get the gradient.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([1.0, 3.0, 3.0], requires_grad=True)
    >>> x.max().backward()
    >>> x.grad
    tensor([0. , 0.5, 0.5])
    """
    a = operand(a)
    return Max.apply(a, axis=_normalize_axis(axis, a.shape, "max"), keepdims=bool(keepdims))


def min(a, axis=None, keepdims=False):
    """Minimum over ``axis``; when several elements tie, they share the gradient equally.

    Exactly numpy's minimum for every dtype (unsigned and boolean included); over data with
    NaN the result is NaN and the NaN elements get the gradient.

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> ag.min(ag.tensor(np.array([[0, 1], [2, 3]], dtype=np.uint8)), axis=0)
    tensor([0, 1], dtype=uint8)
    """
    a = operand(a)
    return Min.apply(a, axis=_normalize_axis(axis, a.shape, "min"), keepdims=bool(keepdims))


def logsumexp(a, axis=None, keepdims=False):
    """log Σ exp(a) over ``axis``, computed without overflow."""
    a = operand(a)
    return LogSumExp.apply(a, axis=_normalize_axis(axis, a.shape, "logsumexp"),
                           keepdims=bool(keepdims))
