"""Shape primitives: reshape, transpose, broadcast_to / sum_to, indexing, concatenate, stack,
and the sliding windows of PyTorch's ``unfold``.

Their derivatives only move numbers around: the backward of each is another movement op.
"""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..tensor import Tensor, operand


def _shape_arg(shape):
    """Accept ``f(2, 3)`` and ``f((2, 3))`` alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(n) for n in shape)


def _sum_to_axes(shape, target):
    """The axes to sum a gradient of ``shape`` over so that it fits ``target`` again."""
    lead = len(shape) - len(target)
    return tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(target) if n == 1 and shape[i + lead] != 1)


def _sum_to_array(a, shape):
    axes = _SUM_TO_PLANS.get((a.shape, shape))
    if axes is None:
        lead = a.ndim - len(shape)
        # refuse what broadcasting could not have produced: a reshape would hide a wrong
        # gradient
        if lead < 0 or any(n != 1 and n != m for n, m in zip(shape, a.shape[lead:])):
            raise ShapeError(f"sum_to: an array of shape {a.shape} cannot be summed to shape "
                             f"{shape}")
        axes = _sum_to_axes(a.shape, shape)
        if len(_SUM_TO_PLANS) < 4096:      # a model has a handful of shape pairs
            _SUM_TO_PLANS[(a.shape, shape)] = axes
    return np.add.reduce(a, axis=axes, keepdims=True).reshape(shape) if axes \
        else a.reshape(shape)


_SUM_TO_PLANS = {}


def expand(x, shape):
    """Broadcast ``x`` to ``shape``: a Tensor through the recorded :func:`broadcast_to`, a
    plain array into a new writable array (faster than ``np.broadcast_to`` on small arrays,
    and a gradient must own its memory anyway)."""
    if isinstance(x, Tensor):
        return broadcast_to(x, shape)
    out = np.empty(shape, dtype=np.result_type(x))
    out[...] = x
    return out


def _scatter_add_array(g, index, shape):
    out = np.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        out[index] = g            # a basic index never repeats an element
    else:
        np.add.at(out, index, g)  # repeated integer indices must accumulate
    return out


_record = Function.apply.__func__      # Function.apply without super()'s cost (hot path)


class _View(Function):
    """A movement op whose result may be a numpy view of its input.  Such a result shares
    its input's memory, so it shares its version (``_base``, see ``function.Clock``): a write
    through either one makes graphs that saved the other refuse backward — also when the view
    was made under no_grad or from a constant (``X.T``)."""
    @classmethod
    def apply(cls, a, **params):
        out = _record(cls, a, **params)
        memory = out._data.base        # numpy points a view at the array owning the memory
        if memory is not None and (memory is a._data or memory is a._data.base):
            out._base = a if a._base is None else a._base
        return out


class Reshape(_View):
    rule = "da = dout reshaped back"
    def forward(self, a, shape):
        return a.reshape(shape)
    def backward(self, grad, out, a):
        return (grad.reshape(a.shape),)


class Transpose(_View):
    rule = "da = doutᵀ"
    def forward(self, a, axes):
        return a.transpose(axes)
    def backward(self, grad, out, a):
        axes = self.params["axes"]
        inverse = axes if axes == (1, 0) else tuple(int(i) for i in np.argsort(axes))
        return (grad.transpose(inverse),)


class BroadcastTo(_View):
    name = "broadcast_to"
    rule = "da = dout summed over the broadcast axes"
    def forward(self, a, shape):
        return np.broadcast_to(a, shape)
    def backward(self, grad, out, a):
        return (sum_to(grad, a.shape),)


class SumTo(Function):
    name = "sum_to"
    rule = "da = dout broadcast back"
    def forward(self, a, shape):
        return _sum_to_array(a, shape)
    def backward(self, grad, out, a):
        return (expand(grad, a.shape),)


class GetItem(_View):
    name = "getitem"
    rule = "da = dout scattered into zeros at the index (repeats add up)"
    def forward(self, a, index):
        return a[index]
    def backward(self, grad, out, a):
        return (scatter_add(grad, self.params["index"], a.shape),)


class ScatterAdd(Function):
    name = "scatter_add"
    rule = "dg = dout[index]"
    def forward(self, g, index, shape):
        return _scatter_add_array(g, index, shape)
    def backward(self, grad, out, g):
        return (grad[self.params["index"]],)


class Concatenate(Function):
    rule = "each input gets its slice of dout"
    def forward(self, *arrays, axis):
        out = np.concatenate(arrays, axis=axis)     # first: it checks the shapes and the axis
        # Python ints, not an array: a compiled second derivative keeps them as they are
        self.bounds = tuple(np.cumsum([0] + [x.shape[axis] for x in arrays]).tolist())
        return out
    def backward(self, grad, out, *inputs):
        axis = self.params["axis"]
        lead = (slice(None),) * (axis % grad.ndim)
        return tuple(grad[lead + (slice(start, stop),)] if need else None
                     for start, stop, need in zip(self.bounds[:-1], self.bounds[1:],
                                                  self.needs_input_grad))


class Stack(Function):
    rule = "each input gets its slice of dout"
    def forward(self, *arrays, axis):
        return np.stack(arrays, axis=axis)
    def backward(self, grad, out, *inputs):
        lead = (slice(None),) * (self.params["axis"] % grad.ndim)
        return tuple(grad[lead + (i,)] if need else None
                     for i, need in enumerate(self.needs_input_grad))


def _is_basic(index) -> bool:
    """True for indices made only of ints, slices, None and Ellipsis (no repeats possible)."""
    parts = index if isinstance(index, tuple) else (index,)
    for p in parts:
        if isinstance(p, (bool, np.bool_)):
            return False
        if not (isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis):
            return False
    return True


def _plain_index(index):
    """Replace Tensors inside an index by their arrays; lists become integer/bool arrays."""
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, list):
        array = np.asarray(index)
        # an empty list is an empty integer index, as numpy reads x[[]] (not float64)
        return array.astype(np.intp) if array.size == 0 and array.dtype.kind == "f" else array
    return index


# --- the public functions --------------------------------------------------------------------

def reshape(a, *shape):
    """Same data, new shape (one dimension may be -1)."""
    a = operand(a)
    shape = _shape_arg(shape)
    if shape == a.shape:
        return a
    return Reshape.apply(a, shape=shape)


def transpose(a, *axes):
    """Permute the axes (reverse them when none are given), like ``numpy.transpose``.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.transpose(ag.tensor([[1.0, 2.0, 3.0]])).shape
    (3, 1)
    """
    a = operand(a)
    if not axes or axes == (None,):
        if a.ndim < 2:
            return a
        axes = _REVERSED.get(a.ndim) or tuple(range(a.ndim))[::-1]
    else:
        axes = _shape_arg(axes)
        if sorted(ax % max(a.ndim, 1) for ax in axes) != list(range(a.ndim)):
            raise ShapeError(f"transpose: axes {axes} are not a permutation of the axes of a "
                             f"tensor of shape {a.shape}")
        axes = tuple(ax % a.ndim for ax in axes)
        if axes == tuple(range(a.ndim)):
            return a
    return Transpose.apply(a, axes=axes)


_REVERSED = {2: (1, 0), 3: (2, 1, 0)}


def swapaxes(a, axis1, axis2):
    """Exchange two axes."""
    a = operand(a)
    for ax in (axis1, axis2):
        if not -a.ndim <= ax < a.ndim:
            raise ShapeError(f"swapaxes: axis {ax} is out of range for a tensor of shape "
                             f"{a.shape}")
    axes = list(range(a.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(a, tuple(axes))


def squeeze(a, axis=None):
    """Remove axes of length 1 (all of them, or the given one(s))."""
    a = operand(a)
    if axis is None:
        shape = tuple(n for n in a.shape if n != 1)
    else:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        for ax in axes:
            if not -a.ndim <= ax < a.ndim:
                raise ShapeError(f"squeeze: axis {ax} is out of range for a tensor of shape "
                                 f"{a.shape}")
        axes = {ax % a.ndim for ax in axes}
        for ax in axes:
            if a.shape[ax] != 1:
                raise ShapeError(f"squeeze: axis {ax} of shape {a.shape} has length "
                                 f"{a.shape[ax]}, not 1")
        shape = tuple(n for i, n in enumerate(a.shape) if i not in axes)
    return reshape(a, shape)


def unsqueeze(a, axis):
    """Insert an axis of length 1 at ``axis``."""
    a = operand(a)
    ndim = a.ndim + 1
    if not -ndim <= axis < ndim:
        raise ShapeError(f"unsqueeze: axis {axis} out of range for shape {a.shape}")
    shape = list(a.shape)
    shape.insert(axis % ndim, 1)
    return reshape(a, tuple(shape))


def broadcast_to(a, *shape):
    """Repeat ``a`` along axes of length 1 (and new leading axes) to ``shape``."""
    a = operand(a)
    shape = _shape_arg(shape)
    if shape == a.shape:
        return a
    return BroadcastTo.apply(a, shape=shape)


def sum_to(a, shape):
    """Sum ``a`` down to ``shape`` — the reverse of broadcasting ``shape`` up to ``a.shape``.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.sum_to(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), (2, 1))
    tensor([[3.],
            [7.]])

    Like a numpy function, a plain array gives a plain array (backward formulas use it on
    arrays in first-order passes, on Tensors under ``create_graph``).
    """
    shape = tuple(shape)
    if not isinstance(a, Tensor):                      # a plain array: plain numpy
        a = np.asarray(a)
        return a if a.shape == shape else _sum_to_array(a, shape)
    a = operand(a)
    if shape == a.shape:
        return a
    try:
        ok = np.broadcast_shapes(shape, a.shape) == a.shape
    except ValueError:
        ok = False
    if not ok:
        raise ShapeError(f"sum_to: a tensor of shape {a.shape} cannot be summed to shape {shape}")
    return SumTo.apply(a, shape=shape)


def scatter_add(g, index, shape):
    """Zeros of ``shape`` with ``g`` added at ``index`` (repeated indices add up): the
    derivative of indexing.  Plain arrays give a plain array."""
    if isinstance(g, Tensor):
        return ScatterAdd.apply(g, index=index, shape=tuple(shape))
    return _scatter_add_array(np.asarray(g), index, tuple(shape))


def getitem(a, index):
    """``a[index]`` with slices, integers, integer arrays and boolean masks."""
    a = operand(a)
    index = _plain_index(index)
    try:
        return GetItem.apply(a, index=index)
    except IndexError as exc:
        raise ShapeError(f"getitem: index {index!r} does not fit shape {a.shape}: {exc}") from None


def concatenate(tensors, axis=0):
    """Join tensors along an existing axis.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.concatenate([ag.tensor([1.0]), ag.tensor([2.0, 3.0])]).shape
    (3,)
    """
    tensors = [operand(t) for t in tensors]
    if not tensors:
        raise ShapeError("concatenate: needs at least one tensor")
    if axis is None:                    # numpy: flatten, then join
        tensors, axis = [reshape(t, -1) for t in tensors], 0
    ndim = tensors[0].ndim
    if not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise ShapeError(f"concatenate: axis {axis} is out of range for tensors of shape "
                         f"{tensors[0].shape}")
    return Concatenate.apply(*tensors, axis=int(axis))


def stack(tensors, axis=0):
    """Join tensors of the same shape along a new axis."""
    tensors = [operand(t) for t in tensors]
    if not tensors:
        raise ShapeError("stack: needs at least one tensor")
    return Stack.apply(*tensors, axis=axis)


# --- sliding windows: PyTorch's Tensor.unfold ------------------------------------------------

class Unfold(Function):
    rule = "da = each window's dout added back where the window came from (unfold_adjoint)"
    def forward(self, a, axis, size, step):
        view = np.lib.stride_tricks.sliding_window_view(a, size, axis=axis)
        return view[(slice(None),) * axis + (slice(None, None, step),)].copy()
    def backward(self, grad, out, a):
        p = self.params
        return (_unfold_adjoint(grad, p["axis"], p["step"], a.shape),)


class UnfoldAdjoint(Function):
    name = "unfold_adjoint"
    rule = "dgrad = unfold(dout): the windows of the gradient"
    def forward(self, grad, axis, step, shape):
        out = np.zeros(shape, dtype=grad.dtype)
        windows, size = grad.shape[axis], grad.shape[-1]
        moved = np.moveaxis(out, axis, -1)               # a view: the additions land in out
        cols = np.moveaxis(grad, axis, -2)               # (..., windows, size)
        for k in range(size):                            # size strided additions
            moved[..., k:k + step * (windows - 1) + 1:step] += cols[..., k]
        return out
    def backward(self, grad, out, g):
        p = self.params
        return (_unfold(grad, p["axis"], g.shape[-1], p["step"]),)


def _unfold(x, axis, size, step):
    if isinstance(x, Tensor):
        return Unfold.apply(x, axis=axis, size=size, step=step)
    return object.__new__(Unfold).forward(x, axis, size, step)


def _unfold_adjoint(grad, axis, step, shape):
    if isinstance(grad, Tensor):
        return UnfoldAdjoint.apply(grad, axis=axis, step=step, shape=tuple(shape))
    return object.__new__(UnfoldAdjoint).forward(grad, axis, step, tuple(shape))


def unfold(x, dimension, size, step):
    """Every slice of length ``size`` along ``dimension``, ``step`` apart, as PyTorch's
    ``Tensor.unfold``: that axis becomes the number of windows ``(n − size) // step + 1``
    and a new last axis of length ``size`` holds each window.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.unfold(ag.tensor([1.0, 2.0, 3.0, 4.0, 5.0]), 0, 2, 2)
    tensor([[1., 2.],
            [3., 4.]])
    """
    x = operand(x)
    op = "unfold"
    if x.ndim == 0:                      # torch: a 0-d tensor is one element along dim 0
        return _unfold_scalar(x, dimension, size, step)
    axis = _one_axis(dimension, x, op)
    for value, what in ((size, "size"), (step, "step")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{op}: {what} must be an int, got {value!r}")
    if step < 1:
        raise ValueError(f"{op}: step must be positive, got {step} (shape {x.shape})")
    if not 0 <= size <= x.shape[axis]:
        raise ShapeError(f"{op}: window size {size} must be from 0 to the length "
                         f"{x.shape[axis]} of axis {axis} (shape {x.shape})")
    return Unfold.apply(x, axis=axis, size=int(size), step=int(step))


def _unfold_scalar(x, dimension, size, step):
    if dimension not in (0, -1) or size not in (0, 1) or step < 1:
        raise ShapeError(f"unfold: a 0-d tensor has one element along dimension 0; got "
                         f"dimension {dimension}, size {size}, step {step}")
    return Unfold.apply(x.reshape(1), axis=0, size=int(size), step=int(step)).reshape(
        (int(size),))


def _one_axis(axis, x, op):
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not (
            -x.ndim <= axis < x.ndim):
        raise ShapeError(f"{op}: dimension {axis!r} is out of range for shape {x.shape}")
    return int(axis) % x.ndim


def sliding_window_view(x, window_shape, axis=None):
    """``numpy.lib.stride_tricks.sliding_window_view`` on a Tensor (a copy, not a view): a
    composite of :func:`unfold` with step 1, one axis after another.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.sliding_window_view(ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), (2, 2)).shape
    (1, 2, 2, 2)
    """
    x = operand(x)
    window = (window_shape,) if isinstance(window_shape, (int, np.integer)) else tuple(
        window_shape)
    axes = tuple(range(x.ndim)) if axis is None else (
        (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis))
    if len(window) != len(axes):
        raise ShapeError(f"sliding_window_view: window_shape {window_shape!r} needs one entry "
                         f"per axis of {axes} (input shape {x.shape})")
    axes = tuple(_one_axis(a, x, "sliding_window_view") for a in axes)   # before any unfold
    for n, a in zip(window, axes):
        x = unfold(x, a, n, 1)
    return x
