"""Indexing functions: take, take_along_axis, diagonal / diag / trace, tril / triu, select,
the assignment-free scatter ``add_at`` / ``index_add``, and PyTorch's ``scatter`` /
``scatter_reduce``.

Only the scatters are new primitives; the rest are ``getitem`` (whose derivative scatters the
gradient back, repeats adding up) or ``where`` with a fixed mask.
"""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..tensor import Tensor, operand
from .elementwise import _pair, where
from .joining import moveaxis
from .cumulative import _put_along, _take_along
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


# --- scatter and scatter_reduce (PyTorch's, along one axis, the index an input) -------------

_REDUCE = {"sum": np.add, "prod": np.multiply, "mean": np.add, "amax": np.maximum,
           "amin": np.minimum}


class Scatter(Function):
    name = "scatter_reduce"
    rule = ("scatter: da = dout off the written places, dsrc = dout[index];  sum / mean: the "
            "same (÷ count);  prod: dout × the other factors;  amax / amin: dout split "
            "evenly among the elements equal to the result")
    def forward(self, a, index, src, axis, reduce, include_self):
        where = _positions(index, axis)
        values = src[_region(index.shape)]
        out = a.astype(np.result_type(a, src))               # a copy: a is never changed
        self.written = np.zeros(a.shape, bool)
        self.written[where] = True
        if reduce is None:
            out[where] = values
            return out
        if not include_self:
            out[where] = _identity(reduce, out.dtype)
        _REDUCE[reduce].at(out, where, values)
        if reduce == "mean":
            count = np.zeros(a.shape, out.dtype)
            np.add.at(count, where, 1)
            count += bool(include_self)
            self.count = np.where(count == 0, 1, count).astype(out.dtype)
            out = out // self.count if out.dtype.kind in "iub" else out / self.count
        return out
    def backward(self, grad, out, a, index, src):
        axis, reduce, include_self = (self.params[k] for k in ("axis", "reduce", "include_self"))
        kept = ~self.written if reduce is None or not include_self else None
        if reduce == "mean":
            grad = grad / self.count
        if reduce in (None, "sum", "mean"):
            da = grad if kept is None else np.where(kept, grad, 0)
            return da, None, _embed(_gather(grad, index, axis), src.shape)
        if reduce == "prod":
            return _prod_grads(grad, a, index, src, axis, kept)
        # amax / amin: the gradient shared evenly among the elements equal to the result
        region = src[_region(index.shape)]
        a_is = a == out if kept is None else (a == out) & kept
        src_is = region == _gather(out, index, axis)
        ties = a_is + _scatter_sum(src_is, index, axis, a.shape)
        share = grad / np.where(ties == 0, 1, ties)
        return (np.where(a_is, share, 0), None,
                _embed(np.where(src_is, _gather(share, index, axis), 0), src.shape))


def _prod_grads(grad, a, index, src, axis, kept):
    """d(product)/d(factor) = the product of the other factors, exact with zeros: count the
    zeros at each place; one zero gets the product of the rest, the others get 0."""
    region = src[_region(index.shape)]
    own = a if kept is None else np.where(kept, a, 1)          # a is no factor where dropped
    own_zero, src_zero = own == 0, region == 0
    zeros = own_zero + _scatter_sum(src_zero, index, axis, a.shape)
    nonzero_product = _scatter_prod(np.where(own_zero, 1, own), index,
                                    np.where(src_zero, 1, region), axis)

    def others(factor, is_zero, zeros, product):
        return np.where(is_zero, np.where(zeros == 1, product, 0),
                        np.where(zeros == 0, product / np.where(is_zero, 1, factor), 0))

    da = grad * others(own, own_zero, zeros, nonzero_product)
    if kept is not None:
        da = np.where(kept, da, 0)
    dsrc = _gather(grad, index, axis) * others(region, src_zero, _gather(zeros, index, axis),
                                                _gather(nonzero_product, index, axis))
    return da, None, _embed(dsrc, src.shape)


def _identity(reduce, dtype):
    """What a reduction starts from when ``a`` is left out (include_self=False)."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    info = np.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


def _positions(index, axis):
    """The places ``index`` writes to: index[i, j, ...] along ``axis``, i, j, ... elsewhere."""
    where = list(np.indices(index.shape, sparse=True))
    where[axis] = index
    return tuple(where)


def _region(shape):
    return tuple(slice(0, n) for n in shape)


# the helpers record their primitives on Tensors (create_graph) and are numpy on arrays
def _gather(t, index, axis):
    """t[index] along ``axis`` at the places of the index (PyTorch's gather)."""
    region = list(_region(index.shape))
    region[axis] = slice(None)
    return _take_along(t[tuple(region)], index, axis)


def _scatter_sum(v, index, axis, shape):
    """Zeros of ``shape`` with the index-shaped ``v`` added at the index's places."""
    region = index.shape[:axis] + (shape[axis],) + index.shape[axis + 1:]
    if v.dtype == bool:
        v = v.astype(np.int64)
    return _embed(_put_along(v, index, axis, region), shape)


def _scatter_prod(a, index, src, axis):
    if isinstance(a, Tensor) or isinstance(src, Tensor):
        return Scatter.apply(operand(a), operand(index), operand(src), axis=axis, reduce="prod",
                             include_self=True)
    return object.__new__(Scatter).forward(a, index, src, axis, "prod", True)


def _embed(v, shape):
    """``v`` in the corner of zeros of ``shape`` (the part of src an index did not reach)."""
    return v if tuple(v.shape) == tuple(shape) else scatter_add(v, _region(v.shape), shape)


def scatter(x, axis, index, src):
    """``x`` with ``src`` written at ``index`` along ``axis``, as ``torch.scatter``:
    ``out[index[i, j], j] = src[i, j]`` for axis 0 (likewise for any axis and rank).

    ``index`` has the rank of ``x``; along the other axes it is no longer than ``x``, and
    no longer than ``src`` anywhere (the rest of src is unused).  ``src`` may be a number.
    A place written twice keeps one of the values (PyTorch leaves which undefined).  The
    gradient of ``x`` is 0 where it was overwritten; ``src`` gets ``dout`` at the index (as
    PyTorch, also for a repeated index).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.scatter(ag.zeros((2, 3)), 1, [[2], [0]], ag.tensor([[5.0], [7.0]]))
    tensor([[0., 0., 5.],
            [7., 0., 0.]])
    """
    return _scatter("scatter", x, axis, index, src, None, True)


def scatter_reduce(x, axis, index, src, reduce, include_self=True):
    """``x`` with ``src`` combined into it at ``index`` along ``axis``, as
    ``torch.scatter_reduce``: ``reduce`` "sum", "prod", "mean", "amax" or "amin" of the values
    landing on one place, and of the element of ``x`` there unless ``include_self=False``.

    Gradients as PyTorch's: "prod" gets the product of the other factors (exact with zeros);
    "amax"/"amin" share ``dout`` evenly among the elements equal to the result; "mean"
    divides by the count.  With ``include_self=False`` the overwritten elements of ``x`` get 0
    (and do not count as ties).  Integer "mean" rounds down, as PyTorch.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> out = ag.scatter_reduce(x, 0, [0, 0, 2], ag.tensor([4.0, 1.0, 3.0]), "amax")
    >>> out
    tensor([4., 2., 3.], grad_fn=scatter_reduce)
    >>> out.sum().backward()
    >>> x.grad                                 # 3.0 ties with the src at place 2: half each
    tensor([0. , 1. , 0.5])
    """
    if reduce not in _REDUCE:
        raise ValueError(f"scatter_reduce: reduce must be one of "
                         f"{', '.join(map(repr, _REDUCE))}, got {reduce!r}")
    return _scatter("scatter_reduce", x, axis, index, src, reduce, bool(include_self))


def _scatter(op, x, axis, index, src, reduce, include_self):
    x = operand(x)
    index = operand(np.asarray(index) if isinstance(index, list) else index)
    src = operand(src, x)
    if index.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be integers, got dtype {index.dtype}")
    if src.ndim == 0:                            # a number: the value at every place
        src = src.broadcast_to(index.shape)
    axis = _axis(axis, x.ndim, op, x.shape)
    if not (index.ndim == x.ndim == src.ndim) and index.size:
        raise ShapeError(f"{op}: index, input and src must have the same rank, got shapes "
                         f"{index.shape}, {x.shape} and {src.shape}")
    if index.size == 0:
        return x.astype(np.result_type(x.dtype, src.dtype)) * 1
    for d, n in enumerate(index.shape):
        if n > src.shape[d] or (d != axis and n > x.shape[d]):
            raise ShapeError(f"{op}: index of shape {index.shape} is larger than src "
                             f"{src.shape} or than the input {x.shape} along axis {d}")
    data = index.data
    if data.min() < 0 or data.max() >= x.shape[axis]:
        raise ShapeError(f"{op}: index from {data.min()} to {data.max()} is out of range for "
                         f"axis {axis} of size {x.shape[axis]} (input shape {x.shape})")
    return Scatter.apply(x, index, src, axis=axis, reduce=reduce, include_self=include_self)
