"""numpy's splitting, stacking and axis-moving functions, built from the movement primitives;
``array`` of nested lists mixing tensors and numbers.

None of these needs a derivative of its own: each is a few slices, reshapes, transposes or
one concatenate or stack, and the graph shows those.
"""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor, operand
from .movement import concatenate, getitem, reshape, stack, transpose
from .shape import _axis


# --- splitting: a list of tensors, each a slice (so each is differentiable) ------------------

def array_split(ary, indices_or_sections, axis=0):
    """Split into a list of tensors along ``axis``: ``n`` nearly equal parts, or at the given
    indices (``numpy.array_split``).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> [p.shape for p in ag.array_split(ag.tensor([1.0, 2.0, 3.0]), 2)]
    [(2,), (1,)]
    """
    ary = operand(ary)
    axis = _axis(axis, ary.ndim, "split", ary.shape)
    n = ary.shape[axis]
    if np.ndim(indices_or_sections) == 0:
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError(f"split: the number of sections must be larger than 0, "
                             f"got {indices_or_sections}")
        each, extra = divmod(n, sections)
        sizes = [each + 1] * extra + [each] * (sections - extra)
        bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    lead = (slice(None),) * axis
    return [getitem(ary, lead + (slice(start, stop),))
            for start, stop in zip(bounds[:-1], bounds[1:])]


def split(ary, indices_or_sections, axis=0):
    """Split into ``n`` equal parts along ``axis``, or at the given indices (``numpy.split``).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> top, bottom = ag.split(x, 2)
    >>> (3 * bottom).sum().backward()
    >>> x.grad
    tensor([[0., 0.],
            [3., 3.]])
    """
    ary = operand(ary)
    if np.ndim(indices_or_sections) == 0:
        n = ary.shape[_axis(axis, ary.ndim, "split", ary.shape)]
        if int(indices_or_sections) > 0 and n % int(indices_or_sections):
            raise ShapeError(f"split: axis {axis} of shape {ary.shape} does not split into "
                             f"{indices_or_sections} equal parts; use array_split")
    return array_split(ary, indices_or_sections, axis)


def vsplit(ary, indices_or_sections):
    """:func:`split` along axis 0 (at least 2 dimensions)."""
    return _split_at_least(ary, indices_or_sections, 2, 0, "vsplit")


def hsplit(ary, indices_or_sections):
    """:func:`split` along axis 1 (axis 0 for a 1-D tensor)."""
    ary = operand(ary)
    return _split_at_least(ary, indices_or_sections, 1, 1 if ary.ndim > 1 else 0, "hsplit")


def dsplit(ary, indices_or_sections):
    """:func:`split` along axis 2 (at least 3 dimensions)."""
    return _split_at_least(ary, indices_or_sections, 3, 2, "dsplit")


def _split_at_least(ary, indices_or_sections, ndim, axis, op):
    ary = operand(ary)
    if ary.ndim < ndim:
        raise ShapeError(f"{op}: needs at least {ndim} dimension(s), got shape {ary.shape}")
    return split(ary, indices_or_sections, axis)


# --- at least n dimensions, and the stacking functions built on them -----------------------

def atleast_1d(*arys):
    """View 0-d inputs as 1-D; one tensor in, one out, else a tuple (``numpy.atleast_1d``)."""
    return _each(arys, lambda a: reshape(a, 1) if a.ndim == 0 else a)


def atleast_2d(*arys):
    """0-d → (1, 1), (n,) → (1, n); higher ranks unchanged."""
    return _each(arys, lambda a: reshape(a, (1,) * (2 - a.ndim) + a.shape) if a.ndim < 2 else a)


def atleast_3d(*arys):
    """0-d → (1, 1, 1), (n,) → (1, n, 1), (m, n) → (m, n, 1), as ``numpy.atleast_3d``."""
    def three(a):
        shape = {0: (1, 1, 1), 1: (1,) + a.shape + (1,), 2: a.shape + (1,)}.get(a.ndim)
        return a if shape is None else reshape(a, shape)
    return _each(arys, three)


def _each(arys, f):
    results = tuple(f(operand(a)) for a in arys)
    return results[0] if len(results) == 1 else results


def vstack(tup):
    """Stack rows: 1-D tensors become rows, then concatenate along axis 0.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.vstack([ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0])]).shape
    (2, 2)
    """
    return concatenate([atleast_2d(t) for t in _sequence(tup, "vstack")], axis=0)


def hstack(tup):
    """Concatenate along axis 1 (axis 0 when the tensors are 1-D)."""
    tensors = [atleast_1d(t) for t in _sequence(tup, "hstack")]
    return concatenate(tensors, axis=0 if tensors[0].ndim == 1 else 1)


def column_stack(tup):
    """1-D tensors become columns; then concatenate along axis 1."""
    tensors = [operand(t) for t in _sequence(tup, "column_stack")]
    return concatenate([reshape(t, (t.size, 1)) if t.ndim < 2 else t for t in tensors], axis=1)


def dstack(tup):
    """Concatenate along axis 2 (depth) after :func:`atleast_3d`."""
    return concatenate([atleast_3d(t) for t in _sequence(tup, "dstack")], axis=2)


def _sequence(tup, op):
    if isinstance(tup, (Tensor, np.ndarray)) or not tup:
        raise TypeError(f"{op}: needs a non-empty list or tuple of tensors")
    return list(tup)


def append(arr, values, axis=None):
    """``arr`` followed by ``values`` along ``axis`` (both flattened without an axis)."""
    arr, values = operand(arr), operand(values)
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], axis=0)
    return concatenate([arr, values], axis=axis)


# --- arrays from nested lists of tensors and numbers -----------------------------------------

def array(object, dtype=None, *, copy=True, ndmin=0):
    """``np.array`` for nested lists and tuples mixing Tensors and numbers: a differentiable
    Tensor (each Tensor's gradient is its slice of the result's).

    The values and the dtype are numpy's for the same nesting of arrays (Python floats count
    as float64, as in ``np.array``).  Data without a Tensor in it becomes a new leaf; a
    Tensor on its own is copied.  ``np.array(..., like=t)`` with a Tensor ``t`` runs this
    too (numpy does not hand a plain ``np.array([t1, t2])`` to the Tensors: use
    ``ag.array`` or ``np.stack`` there).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor(3.0, requires_grad=True)
    >>> A = ag.array([[x, 1.0], [2.0, x * x]])
    >>> A.sum().backward()
    >>> A, x.grad
    (tensor([[3., 1.],
            [2., 9.]], grad_fn=stack), tensor(7.))
    """
    if dtype is not None:
        dtype = np.dtype(dtype)
    if isinstance(object, Tensor) and not copy:
        out = object
    elif isinstance(object, Tensor):
        out = reshape(stack([object]), object.shape)     # a copy, as np.array makes
    elif isinstance(object, (list, tuple)) and _holds_tensor(object):
        if not object:
            raise ShapeError("array: an empty list holds no Tensor")
        items = [array(item) for item in object]
        shapes = {item.shape for item in items}
        if len(shapes) > 1:
            raise ShapeError(
                f"array: the entries of a list must all have one shape to make an array; "
                f"got shapes {sorted(shapes, key=len)} (numpy would call this an "
                "inhomogeneous shape)")
        out = stack(items)
    else:
        try:
            out = Tensor(np.array(object, dtype=dtype))
        except ValueError as error:       # numpy's "inhomogeneous shape" of a ragged list
            raise ShapeError(f"array: the entries of a list must all have one shape to make "
                             f"an array ({error})") from None
    if dtype is not None and out.dtype != dtype:
        out = out.astype(dtype)
    if out.ndim < ndmin:
        out = reshape(out, (1,) * (ndmin - out.ndim) + out.shape)
    return out


def asarray(a, dtype=None):
    """``np.asarray`` for Tensors and lists mixing them with numbers: a Tensor of the right
    dtype is returned as it is, anything else made as :func:`array` makes it.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([1.0, 2.0])
    >>> ag.asarray(x) is x, ag.asarray([x, x]).shape
    (True, (2, 2))
    """
    return array(a, dtype, copy=False)


def _holds_tensor(obj):
    if isinstance(obj, Tensor):
        return True
    return isinstance(obj, (list, tuple)) and any(_holds_tensor(o) for o in obj)


def _np_array(object, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, **kwargs):
    """``np.array(object, like=tensor)``: :func:`array`, refusing what a Tensor cannot do."""
    if order not in ("K", "A", "C") or kwargs:
        raise TypeError("np.array on Tensors takes object, dtype, copy and ndmin only (no "
                        "order='F' or other options)")
    return array(object, dtype, copy=copy is not False, ndmin=ndmin)


def _np_asarray(a, dtype=None, order=None, **kwargs):
    """``np.asarray(a, like=tensor)``: :func:`asarray`."""
    if order not in (None, "K", "A", "C") or kwargs:
        raise TypeError("np.asarray on Tensors takes a and dtype only")
    return asarray(a, dtype)


def stack_arrays(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """``np.stack`` on Tensors: the entries may be Tensors, arrays, numbers or nested lists
    mixing them (each made an array as :func:`array` does)."""
    if out is not None:
        raise TypeError("stack: out= is not supported for tensors")
    items = [array(a) if isinstance(a, (list, tuple)) else operand(a) for a in arrays]
    if not items:
        raise ShapeError("stack: needs at least one array")
    shapes = [t.shape for t in items]
    if len(set(shapes)) > 1:
        raise ShapeError(f"stack: all arrays must have the same shape, got {shapes}")
    result = stack(items, axis=axis)
    return result if dtype is None else result.astype(dtype)


# --- moving axes ---------------------------------------------------------------------------

def moveaxis(a, source, destination):
    """Move axes to new positions, the others keep their order (``numpy.moveaxis``).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.moveaxis(ag.zeros((2, 3, 4)), 0, -1).shape
    (3, 4, 2)
    """
    a = operand(a)
    source = _axes(source, a, "moveaxis")
    destination = _axes(destination, a, "moveaxis")
    if len(source) != len(destination):
        raise ShapeError(f"moveaxis: source {source} and destination {destination} must "
                         "have the same number of axes")
    order = [n for n in range(a.ndim) if n not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return transpose(a, tuple(order))


def rollaxis(a, axis, start=0):
    """Roll ``axis`` backwards until it lies before position ``start`` (``numpy.rollaxis``)."""
    a = operand(a)
    axis = _axis(axis, a.ndim, "rollaxis", a.shape)
    start = start + a.ndim if start < 0 else start        # numpy's rule (not start % (n+1))
    if not 0 <= start <= a.ndim:
        raise ShapeError(f"rollaxis: start {start} is out of range for shape {a.shape}")
    if axis < start:
        start -= 1
    if axis == start:
        return a
    order = [n for n in range(a.ndim) if n != axis]
    order.insert(start, axis)
    return transpose(a, tuple(order))


def _axes(axes, a, op):
    axes = (axes,) if np.ndim(axes) == 0 else tuple(axes)
    out = tuple(_axis(ax, a.ndim, op, a.shape) for ax in axes)
    if len(set(out)) != len(out):
        raise ShapeError(f"{op}: repeated axis in {axes}")
    return out


def ravel(a, order="C"):
    """The elements as a 1-D tensor (``numpy.ravel``, C order)."""
    if order not in ("C", "A", "K"):
        raise ValueError(f"ravel: only order='C' is supported for tensors, got {order!r}")
    return reshape(operand(a), -1)


def expand_dims(a, axis):
    """Insert axes of length 1 at ``axis`` (an int or a tuple), as ``numpy.expand_dims``.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.expand_dims(ag.zeros((2, 3)), (0, -1)).shape
    (1, 2, 3, 1)
    """
    a = operand(a)
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    ndim = a.ndim + len(axes)
    new = {_axis(ax, ndim, "expand_dims", a.shape) for ax in axes}
    if len(new) != len(axes):
        raise ShapeError(f"expand_dims: repeated axis in {axes}")
    sizes = iter(a.shape)
    return reshape(a, tuple(1 if i in new else next(sizes) for i in range(ndim)))
