"""Products and running totals along an axis: prod, cumsum, cumprod, diff, cummax, cummin,
logcumsumexp.

The derivative of a product is the product of all the *other* factors.  Dividing ``out`` by a
factor fails where a factor is 0, so ``prod`` multiplies the running products from the left
and from the right instead, and ``cumprod`` takes a slower exact path when its input has a 0.
Both are written with cumprod and cumsum themselves, so they serve second order too.
"""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..tensor import Tensor, operand
from .movement import concatenate
from .reduce import _kept_shape, _normalize_axis


def _array(x):
    return x.data if isinstance(x, Tensor) else x


def _flip(x, axis):
    """``x`` reversed along ``axis`` (an index, so Tensors record it)."""
    return x[(slice(None),) * axis + (slice(None, None, -1),)]


def _ones_like_first(x):
    """Ones shaped like ``x[..., :1]`` (a constant)."""
    ones = np.ones(x.shape[:-1] + (1,), dtype=x.dtype)
    return Tensor._make(ones) if isinstance(x, Tensor) else ones


def _exclusive_cumprod(x):
    """Along the last axis: the product of the elements before each one (1 for the first)."""
    return np.concatenate([_ones_like_first(x), np.cumprod(x[..., :-1], axis=-1)], axis=-1)


def _others_product(x):
    """Along the last axis: the product of all elements but each one (exact with zeros)."""
    left = _exclusive_cumprod(x)
    right = _flip(_exclusive_cumprod(_flip(x, x.ndim - 1)), x.ndim - 1)
    return left * right


class Prod(Function):
    rule = "da = dout · (product of the other factors)   (exact with zeros)"
    def forward(self, a, axis, keepdims):
        self.kept = _kept_shape(a.shape, axis)
        return np.asarray(np.prod(a, axis=axis, keepdims=keepdims))
    def backward(self, grad, out, a):
        axes = self.params["axis"]
        axes = tuple(range(a.ndim)) if axes is None else axes
        if a.size == 0:
            return (_zeros(a),)
        rest = tuple(i for i in range(a.ndim) if i not in axes)
        order = rest + axes                     # the reduced axes last, then flattened
        moved = np.transpose(a, order) if a.ndim else a
        flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
        others = _others_product(flat).reshape(moved.shape)
        if a.ndim:
            others = np.transpose(others, tuple(int(i) for i in np.argsort(order)))
        return (grad.reshape(self.kept) * others,)


def _zeros(a):
    zeros = np.zeros(a.shape, a.dtype)
    return Tensor._make(zeros) if isinstance(a, Tensor) else zeros


class Cumsum(Function):
    rule = "da = reverse running sum of dout"
    def forward(self, a, axis):
        return np.cumsum(a, axis=axis)
    def backward(self, grad, out, a):
        axis = self.params["axis"]
        return (_flip(np.cumsum(_flip(grad, axis), axis=axis), axis),)


class Cumprod(Function):
    rule = "da_i = Σ_{k≥i} dout_k · Π_{j≤k, j≠i} a_j   (= reverse cumsum(dout · out) / a_i)"
    def forward(self, a, axis):
        return np.cumprod(a, axis=axis)
    def backward(self, grad, out, a):
        axis = self.params["axis"]
        if _safe_to_divide(_array(a), _array(out)):
            return (_flip(np.cumsum(_flip(grad * out, axis), axis=axis), axis) / a,)
        last = a.ndim - 1
        x, g = np.swapaxes(a, axis, last), np.swapaxes(grad, axis, last)
        return (np.swapaxes(_cumprod_grad_with_zeros(x, g), axis, last),)


def _safe_to_divide(a, out):
    """Whether dividing the running products by a_i is accurate, also when differentiated
    again: no factor is 0 or below √eps in size (the second derivative would cancel terms
    of size 1/a_i), and no running product is beyond √tiny or √max (its square would under-
    or overflow).  Otherwise the division-free path is taken."""
    if a.size == 0:
        return True
    info = np.finfo(a.dtype)
    size, products = np.abs(a), np.abs(out)
    return bool(size.min() >= np.sqrt(info.eps) and products.min() >= np.sqrt(info.tiny)
                and products.max() <= np.sqrt(info.max))


def _cumprod_grad_with_zeros(x, g):
    """The vjp of cumprod along the last axis without division (n × n products; used when
    x has a 0, or values too small or large to divide by safely).

    grad_i = L_i · Σ_{k≥i} g_k · Π_{i<j≤k} x_j, with L_i the product of the x_j before i.
    """
    n = x.shape[-1]
    i, j = np.indices((n, n))
    after_i = np.where(j > i, x[..., None, :], 1)           # row i: x_j for j > i, else 1
    spans = np.where(j >= i, np.cumprod(after_i, axis=-1), 0)  # Π_{i<j≤k} x_j for k ≥ i
    return _exclusive_cumprod(x) * (spans * g[..., None, :]).sum(axis=-1)


# --- the public functions --------------------------------------------------------------------

def prod(a, axis=None, keepdims=False):
    """Product over ``axis`` (all axes by default); exact gradients where factors are 0.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([2.0, 0.0, 5.0], requires_grad=True)
    >>> ag.prod(x).backward()
    >>> x.grad                       # the product of the other two factors
    tensor([ 0., 10.,  0.])
    """
    a = operand(a)
    return Prod.apply(a, axis=_normalize_axis(axis, a.shape, "prod"), keepdims=bool(keepdims))


def _single_axis(a, axis, op):
    """The one axis of a running operation; ``None`` flattens ``a`` first, as numpy does."""
    if axis is None:
        return a.reshape(-1), 0
    if not isinstance(axis, (int, np.integer)):
        raise ShapeError(f"{op}: axis must be one int or None, not {axis!r}")
    return a, _normalize_axis(axis, a.shape, op)[0]


def cumsum(a, axis=None):
    """Running sum along ``axis`` (of the flattened tensor when ``axis`` is None).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.cumsum(ag.tensor([1.0, 2.0, 3.0]))
    tensor([1., 3., 6.])
    """
    a, axis = _single_axis(operand(a), axis, "cumsum")
    return Cumsum.apply(a, axis=axis)


def cumprod(a, axis=None):
    """Running product along ``axis`` (flattened when None); exact gradients with zeros."""
    a, axis = _single_axis(operand(a), axis, "cumprod")
    return Cumprod.apply(a, axis=axis)


def diff(a, n=1, axis=-1, prepend=None, append=None):
    """The ``n``-th difference along ``axis``, as ``np.diff`` (a composite of slices and −).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.diff(ag.tensor([1.0, 4.0, 9.0, 16.0]), n=2)
    tensor([2., 2.])
    """
    a = operand(a)
    if n == 0:                  # numpy's: the input itself, without prepend or append
        return a
    if n < 0:
        raise ValueError(f"diff: the order n must be non-negative, not {n}")
    if a.ndim == 0:
        raise ShapeError("diff: needs at least one dimension, got a 0-d tensor")
    axis = _normalize_axis(axis, a.shape, "diff")[0]
    if prepend is not None or append is not None:
        parts = [_edge(prepend, a, axis), a, _edge(append, a, axis)]
        a = concatenate([p for p in parts if p is not None], axis=axis)
    lead = (slice(None),) * axis
    for _ in range(n):
        a = a[lead + (slice(1, None),)] - a[lead + (slice(None, -1),)]
    return a


def _edge(value, a, axis):
    """``prepend``/``append`` of diff: a scalar is broadcast to one slice along ``axis``."""
    if value is None:
        return None
    value = operand(value, a)
    if value.ndim == 0:
        shape = a.shape[:axis] + (1,) + a.shape[axis + 1:]
        value = value.broadcast_to(shape)
    return value




class RunningMax(Function):
    """The running maximum (``ufunc`` np.maximum) or minimum along ``axis``; each output's
    gradient goes to the element it came from (PyTorch's cummax indices: the latest one at
    ties, the first nan once there is one)."""
    name = "cummax"
    rule = "da = dout added back at the index each running extreme came from"
    ufunc = staticmethod(np.maximum)
    def forward(self, a, axis):
        running = self.ufunc.accumulate(a, axis=axis)
        shape = [1] * a.ndim
        shape[axis] = a.shape[axis]
        positions = np.arange(a.shape[axis]).reshape(shape)
        with np.errstate(invalid="ignore"):
            new = (a == running) | (np.isnan(a) & ~_nan_before(a, axis))
        self.index = np.maximum.accumulate(np.where(new, positions, 0), axis=axis)
        return running
    def backward(self, grad, out, a):
        return (_put_along(grad, self.index, self.params["axis"], a.shape),)


class RunningMin(RunningMax):
    name = "cummin"
    ufunc = staticmethod(np.minimum)


class TakeAlong(Function):
    name = "take_along"
    rule = "da = dout added back at index (put_along)"
    def forward(self, a, index, axis):
        return np.take_along_axis(a, index, axis=axis)
    def backward(self, grad, out, a, index):
        return _put_along(grad, index, self.params["axis"], a.shape), None


class PutAlong(Function):
    name = "put_along"
    rule = "dgrad = dout taken at index (take_along)"
    def forward(self, grad, index, axis, shape):
        out = np.zeros(shape, grad.dtype)
        where = list(np.indices(index.shape, sparse=True))
        where[axis] = index
        np.add.at(out, tuple(where), grad)
        return out
    def backward(self, grad, out, g, index):
        return _take_along(grad, index, self.params["axis"]), None


# the index is an input (no gradient): a compiled step feeds each call's index
def _put_along(grad, index, axis, shape):
    if isinstance(grad, Tensor):
        return PutAlong.apply(grad, operand(index), axis=axis, shape=tuple(shape))
    return object.__new__(PutAlong).forward(grad, index, axis, tuple(shape))


def _take_along(a, index, axis):
    if isinstance(a, Tensor):
        return TakeAlong.apply(a, operand(index), axis=axis)
    return np.take_along_axis(a, index, axis=axis)


def _nan_before(a, axis):
    """Where a nan came earlier along ``axis`` (the first nan stays the running extreme)."""
    seen = np.logical_or.accumulate(np.isnan(a), axis=axis)
    return np.concatenate([np.zeros_like(np.take(seen, [0], axis=axis)),
                           np.take(seen, np.arange(a.shape[axis] - 1), axis=axis)], axis=axis)


def cummax(a, axis=None, return_indices=False):
    """Running maximum along ``axis`` (flattened when None), as ``np.maximum.accumulate``.

    Each output takes the gradient to the element it came from: the latest of tied maxima,
    and the first nan once one appeared (PyTorch's ``cummax``).  With ``return_indices`` also
    those indices (an integer tensor, no gradient), as ``torch.cummax``.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([1.0, 3.0, 2.0, 3.0], requires_grad=True)
    >>> values, indices = ag.cummax(x, return_indices=True)
    >>> values.sum().backward()
    >>> values, indices, x.grad
    (tensor([1., 3., 3., 3.], grad_fn=cummax), tensor([0, 1, 1, 3], dtype=int64),
     tensor([1., 2., 0., 1.]))
    """
    return _running_extreme(RunningMax, a, axis, return_indices, "cummax")


def cummin(a, axis=None, return_indices=False):
    """Running minimum along ``axis``, as ``np.minimum.accumulate``; see :func:`cummax`."""
    return _running_extreme(RunningMin, a, axis, return_indices, "cummin")


def _running_extreme(cls, a, axis, return_indices, op):
    a, axis = _single_axis(operand(a), axis, op)
    values = cls.apply(a, axis=axis)
    if not return_indices:
        return values
    return values, RunningIndex.apply(a, axis=axis, which=cls)


class RunningIndex(Function):
    name = "running_index"
    differentiable = False
    rule = "no gradient (the indices of cummax / cummin)"
    def forward(self, a, axis, which):
        op = object.__new__(which)
        op.forward(a, axis)
        return op.index


class LogCumSumExp(Function):
    rule = "da_j = Σ_{i≥j} dout_i · exp(a_j − out_i)   (a reversed running softmax)"
    def forward(self, a, axis):
        if a.dtype.kind != "f":
            a = a.astype(np.float64)
        with np.errstate(under="ignore"):
            return np.logaddexp.accumulate(a, axis=axis)
    def backward(self, grad, out, a):
        axis = self.params["axis"]
        if isinstance(grad, Tensor):
            return (LogCumSumExpVJP.apply(grad, a, out, axis=axis),)
        return (_weighted_running_sum(grad, -_finite_out(out), a, axis, reverse=True),)


class LogCumSumExpVJP(Function):
    """The gradient of logcumsumexp as its own primitive: it is linear in ``grad``, and
    this keeps its derivative in ``grad`` exact where grad is 0 (the log-space formula's
    masked logs would lose it)."""
    name = "logcumsumexp_vjp"
    rule = ("dgrad_i = Σ_{j≤i} dout_j · exp(a_j − out_i);  da = dout · out_vjp;  "
            "dlcse = −grad · dgrad")
    def forward(self, grad, a, out, axis):
        return _weighted_running_sum(grad, -_finite_out(out), a, axis, reverse=True)
    def backward(self, grad, res, g, a, out):
        axis = self.params["axis"]
        d_g = _weighted_running_sum(grad, a, -_finite_out(out), axis, reverse=False)
        return d_g, grad * res, -g * d_g


def _finite_out(out):
    """``out`` with −inf read as 0: an all −inf prefix, whose elements get 0 anyway."""
    return np.where(out == -np.inf, 0, out)


def _weighted_running_sum(v, inner, outer, axis, reverse):
    """exp(outer_i) · Σ v_j exp(inner_j) over j ≤ i (j ≥ i if ``reverse``), in log space:
    the positive and the negative parts of v each through a running logcumsumexp
    (TensorFlow's and PyTorch's stable form; the masked logs see 1, never 0)."""
    log_size = np.log(np.abs(np.where(v == 0, 1, v)))
    parts = []
    for sign in (v > 0, v < 0):
        log_part = np.where(sign, log_size, -np.inf) + inner
        if reverse:
            running = _flip(_logcumsumexp(_flip(log_part, axis), axis), axis)
        else:
            running = _logcumsumexp(log_part, axis)
        parts.append(np.exp(running + outer))
    return parts[0] - parts[1]


def _logcumsumexp(x, axis):
    """The primitive on a Tensor (recorded), ``np.logaddexp.accumulate`` on an array."""
    if isinstance(x, Tensor):
        return LogCumSumExp.apply(x, axis=axis)
    with np.errstate(under="ignore"):
        return np.logaddexp.accumulate(x, axis=axis)


def logcumsumexp(a, axis):
    """log(cumsum(exp(a))) along ``axis``, without overflow, as ``torch.logcumsumexp``.

    Large values and −inf are fine: each step is ``np.logaddexp``.  The gradient is a
    running softmax, computed in log space (stable too) and differentiable again.

    Parameters
    ----------
    a : Tensor or array_like
        Integers are taken as float64.
    axis : int or None
        The axis to run along (``None``: the flattened tensor, as ``np.cumsum``).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([0.0, 0.0, 1000.0, -float("inf")], requires_grad=True)
    >>> out = ag.logcumsumexp(x, axis=0)
    >>> out.numpy().round(4).tolist()
    [0.0, 0.6931, 1000.0, 1000.0]
    >>> out[1].backward()
    >>> x.grad
    tensor([0.5, 0.5, 0. , 0. ])
    """
    a = operand(a)
    if a.ndim == 0 and axis in (0, -1):       # torch: a 0-d tensor runs along its one element
        return LogCumSumExp.apply(a.reshape(1), axis=0).reshape(())
    a, axis = _single_axis(a, axis, "logcumsumexp")
    return LogCumSumExp.apply(a, axis=axis)
