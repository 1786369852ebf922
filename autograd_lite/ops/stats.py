"""Spread and size: var and std (composites of mean, − and ·), and ``np.linalg.norm``.

The 2-norm (and the Frobenius norm) is one primitive, so its value equals numpy's bit for bit
and its gradient at 0 can follow a convention: 0, a subgradient, as in PyTorch.  The other
orders are built from abs, sum, max/min and powers (abs has slope 0 at 0, so they give 0
at 0 too).
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..tensor import operand
from . import reduce
from .elementwise import Pow
from .elementwise import abs as _abs
from .elementwise import where
from .joining import moveaxis
from .linalg_solve import singular_values
from .piecewise import Flat
from .reduce import _kept_shape, _normalize_axis


class Norm(Function):
    rule = "da = dout · a / out   (0 where out = 0)"
    def forward(self, a, axis, keepdims):
        self.kept = _kept_shape(a.shape, (axis,) if isinstance(axis, int) else axis)
        return np.asarray(np.linalg.norm(a, axis=axis, keepdims=keepdims))
    def backward(self, grad, out, a):
        out = out.reshape(self.kept)
        return (grad.reshape(self.kept) * a / np.where(out == 0, 1, out),)


class StdRoot(Function):
    name = "sqrt"
    rule = "da = dout / (2 · out)   (0 where out = 0: PyTorch's std of constant data)"
    def forward(self, a):
        out = np.sqrt(a)
        self.spread = out != 0
        return out
    def backward(self, grad, out, a):
        return (np.where(self.spread, grad, 0) / (2 * np.where(self.spread, out, 1)),)


class IsNonzero(Flat):
    name = "is_nonzero"
    def forward(self, a):
        return (a != 0).astype(a.dtype)


def var(a, axis=None, ddof=0, keepdims=False):
    """Variance over ``axis``: the summed squared deviation from the mean, over ``n − ddof``.

    As numpy: ``ddof=1`` gives the sample variance; ``n − ddof ≤ 0`` gives inf or nan with
    a RuntimeWarning.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    >>> v = ag.var(x, ddof=1)
    >>> v.backward()
    >>> round(v.item(), 4), x.grad.numpy().round(4).tolist()   # 2 (x − mean) / (n − 1)
    (1.6667, [-1.0, -0.3333, 0.3333, 1.0])
    """
    a = operand(a)
    axes = _normalize_axis(axis, a.shape, "var")
    n = a.size if axes is None else math.prod(a.shape[i] for i in axes)
    if n == 0:
        warnings.warn("Mean of empty slice.", RuntimeWarning, stacklevel=2)
        return reduce.sum(a, axes, keepdims) * math.nan
    deviation = a - reduce.mean(a, axes, keepdims=True)
    total = reduce.sum(deviation * deviation, axes, keepdims)
    if n - ddof <= 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=2)
        with np.errstate(invalid="ignore"):   # 0 · inf = nan where all values are equal
            return total * math.inf
    return total / (n - ddof)


def std(a, axis=None, ddof=0, keepdims=False):
    """Standard deviation, ``sqrt(var(a, axis, ddof, keepdims))``.

    Where all values are equal (std = 0) the gradient is 0, as in PyTorch (and as ``norm``
    at 0): a subgradient, where the square root's slope at 0 would give nan and poison a
    whole update.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([[1.0, 3.0], [2.0, 2.0]], requires_grad=True)
    >>> s = ag.std(x, axis=1)
    >>> s.sum().backward()
    >>> s, x.grad
    (tensor([1., 0.], grad_fn=sqrt), tensor([[-0.5,  0.5],
            [ 0. ,  0. ]]))
    """
    return StdRoot.apply(var(a, axis, ddof, keepdims))


def norm(x, ord=None, axis=None, keepdims=False):
    """A vector or matrix norm, as ``np.linalg.norm``.

    Vectors (one axis): ``ord`` None or 2 (Euclidean), 1, ``inf``, ``-inf``, 0 (the count
    of non-zeros, no gradient) and any other number p: (Σ|x|^p)^(1/p).  Matrices (two axes,
    or a 2-d tensor with ``ord`` given): ``'fro'``, 1, −1, ``inf``, ``-inf``, and from the
    singular values 2 (the largest), −2 (the smallest) and ``'nuc'`` (their sum; these three
    at first order only).  With ``ord``
    and ``axis`` both None, the 2-norm of all elements.  At x = 0 the gradient is 0 (for
    p < 1, which is not a norm, components at 0 have no finite slope).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([3.0, -4.0], requires_grad=True)
    >>> ag.norm(x).backward()
    >>> x.grad                       # x / |x|
    tensor([ 0.6, -0.8])
    >>> ag.norm(x, ord=1).item(), ag.norm(x, ord=float("inf")).item()
    (7.0, 4.0)
    """
    x = operand(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    if axis is None:
        if ord is None:
            return Norm.apply(x, axis=None, keepdims=bool(keepdims))
        if x.ndim not in (1, 2):
            raise ShapeError(f"norm: ord={ord!r} needs a 1-d or 2-d tensor (or an axis), "
                             f"got shape {x.shape}")
        axis = tuple(range(x.ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if len(axes) == 1:
        return _vector_norm(x, ord, _normalize_axis(axes[0], x.shape, "norm")[0], keepdims)
    if len(axes) == 2:
        row, col = (_normalize_axis(ax, x.shape, "norm")[0] for ax in axes)
        if row == col:
            raise ShapeError(f"norm: a matrix norm needs two different axes, not {axis!r}")
        result = _matrix_norm(x, ord, row, col)
        if keepdims:
            shape = list(x.shape)
            shape[row] = shape[col] = 1
            result = result.reshape(shape)
        return result
    raise ShapeError(f"norm: axis must name one axis (a vector norm) or two (a matrix norm), "
                     f"not {axis!r}")


def _vector_norm(x, ord, axis, keepdims):
    if ord is None or ord == 2:
        return Norm.apply(x, axis=axis, keepdims=bool(keepdims))
    if isinstance(ord, str):
        raise ValueError(f"norm: ord={ord!r} is a matrix norm; a vector (one axis) takes a "
                         "number: 1, 2, inf, -inf, 0 or any p")
    if ord == math.inf:
        return reduce.max(_abs(x), axis, keepdims)
    if ord == -math.inf:
        return reduce.min(_abs(x), axis, keepdims)
    if ord == 0:
        return reduce.sum(IsNonzero.apply(x), axis, keepdims)     # a count: gradient 0
    if ord == 1:
        return reduce.sum(_abs(x), axis, keepdims)
    total = reduce.sum(_abs(x) ** ord, axis, keepdims)
    zero = total.data == 0
    if not zero.any():
        return _root(total, ord)
    # the root has no slope at 0: give the zero vector the gradient 0, as the other orders
    return where(zero, 0.0, _root(where(zero, 1.0, total), ord))


class _ScalarPow(Pow):
    """``a ** p`` of one number, in numpy's scalar arithmetic (C ``pow``, which may differ
    from the ufunc's by an ulp): what np.linalg.norm computes for the root of a whole
    vector's p-norm.  The derivative is Pow's."""
    name = "pow"
    def forward(self, a, p):
        self.zero_zero = (a == 0) & (p == 0)
        return np.asarray(a[()] ** p[()])


def _root(total, ord):
    """total ** (1/ord) as np.linalg.norm takes it: on a scalar when the norm is one."""
    if total.ndim:
        return total ** (1 / ord)
    return _ScalarPow.apply(total, operand(1 / ord, total))


def _matrix_norm(x, ord, row, col):
    if ord is None or ord == "fro":
        return Norm.apply(x, axis=(row, col), keepdims=False)
    if ord in (1, -1):            # the largest (smallest) column sum of |x|
        pick = reduce.max if ord == 1 else reduce.min
        return pick(reduce.sum(_abs(x), row), col - 1 if col > row else col)
    if ord in (math.inf, -math.inf):      # the largest (smallest) row sum of |x|
        pick = reduce.max if ord == math.inf else reduce.min
        return pick(reduce.sum(_abs(x), col), row - 1 if row > col else row)
    if ord in (2, -2, "nuc"):      # from the singular values of the (row, col) matrices
        values = singular_values(moveaxis(x, (row, col), (-2, -1)))
        pick = {2: reduce.max, -2: reduce.min, "nuc": reduce.sum}[ord]
        return pick(values, -1)
    raise ValueError(f"norm: ord={ord!r} is not supported for a matrix; use 'fro', 'nuc', 1, "
                     "-1, 2, -2, inf or -inf")
