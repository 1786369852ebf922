"""Products of tensors: tensordot, N-D dot, inner (primitives), outer, kron, cross (built
from multiplication and slices).

The derivative of a contraction is another contraction: contract ``dout`` with the other
operand over the axes that were not summed, then put the axes back in the operand's order.
"""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..function import Function
from .elementwise import _pair
from .joining import moveaxis, ravel
from .movement import broadcast_to, getitem, reshape, stack


class TensorDot(Function):
    name = "tensordot"
    rule = "da = dout ⋅ b over b's free axes,  db = a ⋅ dout over a's free axes"
    def forward(self, a, b, axes_a, axes_b):
        return np.tensordot(a, b, (axes_a, axes_b))
    def backward(self, grad, out, a, b):
        axes_a, axes_b = self.params["axes_a"], self.params["axes_b"]
        free_a = [i for i in range(a.ndim) if i not in axes_a]
        free_b = [i for i in range(b.ndim) if i not in axes_b]
        need_a, need_b = self.needs_input_grad
        da = db = None
        if need_a:    # result axes: a's free axes, then b's summed axes in b's order
            held = free_a + [axes_a[axes_b.index(j)] for j in sorted(axes_b)]
            da = np.tensordot(grad, b, (list(range(len(free_a), grad.ndim)), free_b))
            da = np.transpose(da, _inverse(held))
        if need_b:    # result axes: a's summed axes in a's order, then b's free axes
            held = [axes_b[axes_a.index(i)] for i in sorted(axes_a)] + free_b
            db = np.tensordot(a, grad, (free_a, list(range(len(free_a)))))
            db = np.transpose(db, _inverse(held))
        return da, db


class Dot(TensorDot):
    name = "dot"
    rule = "as tensordot over a's last axis and b's second-to-last"
    def forward(self, a, b, axes_a, axes_b):
        return np.dot(a, b)


class Inner(TensorDot):
    name = "inner"
    rule = "as tensordot over the last axes of a and b"
    def forward(self, a, b, axes_a, axes_b):
        return np.inner(a, b)


def _inverse(permutation):
    """The axes order that undoes ``permutation`` (as a tuple of ints)."""
    return tuple(int(i) for i in np.argsort(permutation))


def tensordot(a, b, axes=2):
    """Sum products over ``axes`` of ``a`` and ``b`` (``numpy.tensordot``): an int ``n`` pairs
    the last ``n`` axes of ``a`` with the first ``n`` of ``b``; else ``(axes_a, axes_b)``.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> A, B = ag.ones((2, 3, 4)), ag.ones((3, 4, 5))
    >>> ag.tensordot(A, B, axes=([1, 2], [0, 1])).shape
    (2, 5)
    """
    a, b = _pair(a, b)
    if not isinstance(axes, (tuple, list)):
        n = int(axes)
        if n < 0 or n > min(a.ndim, b.ndim):
            raise ShapeError(f"tensordot: cannot sum over {n} axes of shapes {a.shape} and "
                             f"{b.shape}")
        axes_a, axes_b = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        try:
            axes_a, axes_b = ([x] if np.ndim(x) == 0 else list(x) for x in axes)
        except (TypeError, ValueError):
            raise ShapeError(f"tensordot: axes must be an int or a pair of axis lists, got "
                             f"{axes!r}") from None
    axes_a = _contracted(axes_a, a.shape, "first")
    axes_b = _contracted(axes_b, b.shape, "second")
    if len(axes_a) != len(axes_b) or any(a.shape[i] != b.shape[j]
                                         for i, j in zip(axes_a, axes_b)):
        raise ShapeError(f"tensordot: axes {axes_a} of shape {a.shape} and axes {axes_b} of "
                         f"shape {b.shape} do not have matching lengths")
    return TensorDot.apply(a, b, axes_a=axes_a, axes_b=axes_b)


def _contracted(axes, shape, which):
    out = []
    for ax in axes:
        if not isinstance(ax, (int, np.integer)) or not -len(shape) <= ax < len(shape):
            raise ShapeError(f"tensordot: axis {ax} is out of range for the {which} operand "
                             f"of shape {shape}")
        out.append(int(ax) % len(shape))
    if len(set(out)) != len(out):
        raise ShapeError(f"tensordot: repeated axis in {axes} for shape {shape}")
    return out


def dot_nd(a, b):
    """numpy's ``dot`` when an operand has more than 2 dimensions: a sum over the last axis
    of ``a`` and the second-to-last of ``b`` (the last, if ``b`` is 1-D)."""
    a, b = _pair(a, b)
    axis_b = max(b.ndim - 2, 0)
    if a.shape[-1] != b.shape[axis_b]:
        raise ShapeError(f"dot: shapes {a.shape} and {b.shape} do not fit: the last axis of "
                         f"the first ({a.shape[-1]}) must equal axis {axis_b} of the second "
                         f"({b.shape[axis_b]})")
    return Dot.apply(a, b, axes_a=[a.ndim - 1], axes_b=[axis_b])


def inner(a, b):
    """Sum of products over the last axes (``numpy.inner``); a 0-d operand multiplies.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.inner(ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]))
    tensor(11.)
    """
    a, b = _pair(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"inner: the last axes of shapes {a.shape} and {b.shape} differ")
    return Inner.apply(a, b, axes_a=[a.ndim - 1], axes_b=[b.ndim - 1])


def outer(a, b):
    """All products ``a[i] * b[j]`` of the flattened operands (``numpy.outer``).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.outer(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 10.0]))
    tensor([[ 1., 10.],
            [ 2., 20.]])
    """
    a, b = _pair(a, b)
    return reshape(ravel(a), (a.size, 1)) * reshape(ravel(b), (1, b.size))


def kron(a, b):
    """The Kronecker product: blocks ``a[i, j] * b`` (``numpy.kron``).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.kron(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 10.0]))
    tensor([ 1., 10.,  2., 20.])
    """
    a, b = _pair(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    ndim = max(a.ndim, b.ndim)
    shape_a = (1,) * (ndim - a.ndim) + a.shape
    shape_b = (1,) * (ndim - b.ndim) + b.shape
    # interleave: a's axes at even positions, b's at odd ones, then merge each pair
    a2 = reshape(a, tuple(n for size in shape_a for n in (size, 1)))
    b2 = reshape(b, tuple(n for size in shape_b for n in (1, size)))
    return reshape(a2 * b2, tuple(m * n for m, n in zip(shape_a, shape_b)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors along the given axes (``numpy.cross``), broadcasting the
    others.  (numpy's deprecated 2-vectors are not supported: add a zero component.)

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.cross(ag.tensor([1.0, 0.0, 0.0]), ag.tensor([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    """
    a, b = _pair(a, b)
    if axis is not None:
        axisa = axisb = axisc = axis
    for name, t, ax in (("a", a, axisa), ("b", b, axisb)):
        if t.ndim == 0 or not -t.ndim <= ax < t.ndim or t.shape[ax] != 3:
            raise ShapeError(f"cross: axis {ax} of {name} (shape {t.shape}) must have length 3")
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"cross: the vectors' other axes do not broadcast: shapes {a.shape} "
                         f"and {b.shape} (vector axis last)") from None
    # the same shape first: numpy broadcasts the batch axes on purpose (no rank-1 warning)
    a, b = broadcast_to(a, shape), broadcast_to(b, shape)
    a0, a1, a2 = (getitem(a, (Ellipsis, i)) for i in range(3))
    b0, b1, b2 = (getitem(b, (Ellipsis, i)) for i in range(3))
    ndim = len(shape)
    if not -ndim <= axisc < ndim:
        raise ShapeError(f"cross: axisc {axisc} is out of range for the result's "
                         f"{ndim} dimensions")
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=axisc)
