"""Indexing functions: take, take_along_axis, diagonal / diag / trace, tril / triu, select,
and the assignment-free scatter ``add_at`` / ``index_add``.

Only the scatter is a new primitive; the rest are ``getitem`` (whose derivative scatters the
gradient back, repeats adding up) or ``where`` with a fixed mask.
"""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..tensor import Tensor, operand
from .elementwise import _pair, where
from .joining import moveaxis
from .movement import _plain_index, getitem, scatter_add
from .reduce import sum as _sum
from .shape import _axis


class AddAt(Function):
    name = "add_at"
    rule = "da = dout,  dvalues = dout[index]"
    def forward(self, a, values, index):
        out = a.astype(np.result_type(a, values))      # a copy: a itself is never changed
        np.add.at(out, index, values)
        return out
    def backward(self, grad, out, a, values):
        need_a, need_values = self.needs_input_grad
        return (grad if need_a else None), (grad[self.params["index"]] if need_values else None)


def add_at(a, indices, values):
    """``a`` with ``values`` added at ``indices`` (repeated indices add up): ``numpy.add.at``
    without changing ``a``.  Both ``a`` and ``values`` get gradients.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.add_at(ag.zeros(3), [0, 0, 2], ag.tensor([1.0, 2.0, 5.0]))
    tensor([3., 0., 5.])
    """
    a, values = _pair(a, values)
    index = _plain_index(indices)
    try:
        return AddAt.apply(a, values, index=index)
    except IndexError as exc:
        raise ShapeError(f"add_at: index {indices!r} does not fit shape {a.shape}: {exc}") \
            from None


def index_add(a, axis, index, values):
    """``a`` with slice ``values[..., i, ...]`` added at position ``index[i]`` along ``axis``
    (repeats add up), like ``torch.index_add``, without changing ``a``.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.index_add(ag.zeros((2, 3)), 1, [0, 2, 0], ag.ones((2, 3)))
    tensor([[2., 0., 1.],
            [2., 0., 1.]])
    """
    a = operand(a)
    axis = _axis(axis, a.ndim, "index_add", a.shape)
    index = _plain_index(index)
    if np.ndim(index) != 1:
        raise ShapeError(f"index_add: index must be 1-D, got shape {np.shape(index)}")
    expected = a.shape[:axis] + (len(index),) + a.shape[axis + 1:]
    if np.shape(values) != expected:
        raise ShapeError(f"index_add: values of shape {np.shape(values)} for {len(index)} "
                         f"indices along axis {axis} of shape {a.shape}; expected {expected}")
    return add_at(a, (slice(None),) * axis + (index,), values)


# --- gathering: getitem with a computed index ------------------------------------------------

def take(a, indices, axis=None, mode="raise"):
    """Elements at ``indices`` along ``axis`` (of the flattened tensor without an axis), as
    ``numpy.take``; ``mode`` 'raise', 'wrap' or 'clip'.  Repeated indices add their gradients.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.take(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), [1, 1], axis=1)
    tensor([[2., 2.],
            [4., 4.]])
    """
    a = operand(a)
    if axis is None:
        a, axis = a.reshape(-1), 0
    axis = _axis(axis, a.ndim, "take", a.shape)
    indices = _plain_index(indices)
    n = a.shape[axis]
    if mode == "wrap" and n:
        indices = np.mod(indices, n)
    elif mode == "clip":
        indices = np.clip(indices, 0, n - 1)
    elif mode != "raise":
        raise ValueError(f"take: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
    if isinstance(indices, np.ndarray) and indices.dtype.kind not in "iu":
        raise TypeError(f"take: indices must be integers, got dtype {indices.dtype}")
    return getitem(a, (slice(None),) * axis + (indices,))


def take_along_axis(arr, indices, axis=-1):
    """Pick ``indices`` along ``axis`` at every position of the other axes, as
    ``numpy.take_along_axis`` (e.g. with the result of ``argsort``).

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> x = ag.tensor([[3.0, 1.0, 2.0]])
    >>> ag.take_along_axis(x, np.argsort(x.data, axis=1), axis=1)
    tensor([[1., 2., 3.]])
    """
    arr = operand(arr)
    indices = np.asarray(_plain_index(indices))
    if axis is None:
        if indices.ndim != 1:
            raise ShapeError(f"take_along_axis: with axis=None indices must be 1-D, got shape "
                             f"{indices.shape}")
        arr, axis = arr.reshape(-1), 0
    axis = _axis(axis, arr.ndim, "take_along_axis", arr.shape)
    if indices.ndim != arr.ndim:
        raise ShapeError(f"take_along_axis: indices of shape {indices.shape} and the tensor of "
                         f"shape {arr.shape} must have the same number of dimensions")
    if indices.dtype.kind not in "iu":
        raise TypeError(f"take_along_axis: indices must be integers, got dtype {indices.dtype}")
    index = []
    for i, n in enumerate(arr.shape):
        if i == axis:
            index.append(indices)
        else:
            index.append(np.arange(n).reshape((1,) * i + (n,) + (1,) * (arr.ndim - i - 1)))
    return getitem(arr, tuple(index))


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal (``offset`` above it when positive) in the plane of ``axis1``/``axis2``,
    as the last axis of the result (``numpy.diagonal``).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.diagonal(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor([1., 4.])
    """
    a = operand(a)
    if a.ndim < 2:
        raise ShapeError(f"diagonal: needs at least 2 dimensions, got shape {a.shape}")
    axes = (_axis(axis1, a.ndim, "diagonal", a.shape), _axis(axis2, a.ndim, "diagonal", a.shape))
    if axes[0] == axes[1]:
        raise ShapeError(f"diagonal: axis1 and axis2 must differ, got {axis1} and {axis2}")
    offset = int(offset)
    rows, cols = a.shape[axes[0]], a.shape[axes[1]]
    first_row, first_col = max(-offset, 0), max(offset, 0)
    n = max(0, min(rows - first_row, cols - first_col))
    moved = moveaxis(a, axes, (-2, -1))
    return getitem(moved, (Ellipsis, np.arange(first_row, first_row + n),
                           np.arange(first_col, first_col + n)))


def trace(a, offset=0, axis1=0, axis2=1):
    """Sum of the diagonal (``numpy.trace``).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> A = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> ag.trace(A).backward()
    >>> A.grad
    tensor([[1., 0.],
            [0., 1.]])
    """
    return _sum(diagonal(a, offset, axis1, axis2), axis=-1)


def diag(v, k=0):
    """A 1-D tensor → the square matrix with it on diagonal ``k``; a 2-D tensor → its
    diagonal ``k`` (``numpy.diag``).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.diag(ag.tensor([1.0, 2.0]))
    tensor([[1., 0.],
            [0., 2.]])
    """
    v = operand(v)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ShapeError(f"diag: needs a 1-D or 2-D tensor, got shape {v.shape}")
    k, n = int(k), v.shape[0]
    size = n + abs(k)
    positions = np.arange(n)
    return scatter_add(v, (positions + max(-k, 0), positions + max(k, 0)), (size, size))


def tril(m, k=0):
    """Zero the elements above diagonal ``k`` of the last two axes (``numpy.tril``)."""
    m = operand(m)
    if m.ndim == 0:
        raise ShapeError("tril: needs at least 1 dimension, got a 0-d tensor")
    mask = np.tri(*m.shape[-2:], k=k, dtype=bool)
    return where(mask, m, _zero(m))


def triu(m, k=0):
    """Zero the elements below diagonal ``k`` of the last two axes (``numpy.triu``)."""
    m = operand(m)
    if m.ndim == 0:
        raise ShapeError("triu: needs at least 1 dimension, got a 0-d tensor")
    mask = np.tri(*m.shape[-2:], k=k - 1, dtype=bool)
    return where(mask, _zero(m), m)


def _zero(m):
    """A 0 of ``m``'s own dtype (a Python 0 would make a bool tensor int64)."""
    return Tensor._make(np.zeros((), m.dtype))


def select(condlist, choicelist, default=0):
    """For each element, the choice of the first true condition, else ``default``
    (``numpy.select``); the conditions get no gradient.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([-2.0, 0.5, 3.0])
    >>> ag.select([x < 0, x > 1], [-x, 2 * x], default=x)
    tensor([2. , 0.5, 6. ])
    """
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: {len(condlist)} conditions but {len(choicelist)} choices")
    if not condlist:
        raise ValueError("select: needs at least one condition")
    conditions = [np.asarray(_plain_index(c)) for c in condlist]
    for i, c in enumerate(conditions):
        if c.dtype != bool:
            raise TypeError(f"select: condition {i} has dtype {c.dtype}, not bool")
    result = default
    for condition, choice in zip(conditions[::-1], choicelist[::-1]):
        result = where(condition, choice, result)
    return result
