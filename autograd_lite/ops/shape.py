"""Shape primitives beyond reshape/transpose: pad, tile, repeat, flip, roll, rot90.

Each only moves (or copies) numbers, so each derivative moves them back: a copy's gradient
is added onto the element it was copied from.
"""
from __future__ import annotations

import numpy as np

from ..errors import GraphError, ShapeError
from ..function import Function
from ..tensor import Tensor, operand
from .movement import scatter_add

# np.pad modes that only copy elements of the input (their derivative adds the copies back)
_COPY_MODES = ("edge", "reflect", "symmetric", "wrap")


class Pad(Function):
    rule = "da = dout's interior (constant mode); edge/reflect copies add onto their source"
    def forward(self, a, pad_width, mode, constant_values):
        width = np.array(pad_width, dtype=np.intp).reshape(a.ndim, 2) if a.ndim else 0
        if mode == "constant":
            return np.pad(a, width, mode="constant", constant_values=constant_values)
        # where each output element was copied from, as a flat index into a
        self.source = np.pad(np.arange(a.size).reshape(a.shape), width, mode=mode)
        return np.pad(a, width, mode=mode)
    def backward(self, grad, out, a):
        if self.params["mode"] == "constant":
            inner = tuple(slice(before, before + n)
                          for (before, _), n in zip(self.params["pad_width"], a.shape))
            return (grad[inner],)
        return (scatter_add(grad, self.source, (a.size,)).reshape(a.shape),)


class PadStat(Function):
    name = "pad_stat"
    rule = ("da = dout's interior, plus each pad's dout summed and handed to what it was made "
            "of: the stat_length elements (mean ÷ n; median: its middle one or two), or the "
            "edge element (linear_ramp: × the ramp's weight k / width)")
    def forward(self, a, pad_width, mode, stat_length, end_values):
        # numpy pads one axis after the other (corners from the already padded axes); so do
        # we, noting which elements each median came from (an array attribute per axis and
        # side: a compiled step refreshes those)
        out = a
        for axis, pair in enumerate(pad_width):
            widths = [(0, 0)] * a.ndim
            widths[axis] = pair
            if mode == "linear_ramp":
                out = np.pad(out, widths, mode=mode, end_values=end_values)
                continue
            lengths = [(None, None)] * a.ndim
            lengths[axis] = stat_length[axis]
            if mode == "median":
                for side, w in enumerate(_median_weights(out, axis, pair, stat_length[axis])):
                    if w is not None:
                        setattr(self, f"median_{axis}_{side}", w)
            out = np.pad(out, widths, mode=mode, stat_length=_stat_arg(lengths, axis))
        return out if out is not a else a.copy()     # a 0-d input: never its own array
    def backward(self, grad, out, a):
        p = self.params
        for axis in reversed(range(a.ndim)):
            medians = [getattr(self, f"median_{axis}_{side}", None) for side in (0, 1)]
            grad = _pad_stat_back(grad, axis, a.shape[axis], p["pad_width"][axis], p["mode"],
                                  p["stat_length"][axis], medians)
        return (grad,)


def _stat_arg(lengths, axis):
    """numpy's stat_length for one axis (the whole axis where None)."""
    before, after = lengths[axis]
    return None if before is None and after is None else tuple(
        (n if n is not None else 10**12, m if m is not None else 10**12) if i == axis
        else (1, 1) for i, (n, m) in enumerate(lengths))


def _stat_region(n, pair_length):
    """How many elements each side's statistic reads (numpy: stat_length, at most n)."""
    before, after = pair_length if pair_length is not None else (None, None)
    return (n if before is None else min(before, n)), (n if after is None else min(after, n))


def _median_weights(x, axis, pair, pair_length):
    """For each side: weights over its stat region along ``axis`` (1 at the median element, ½
    at each of the two middle ones for an even count), the derivative of np.median."""
    n = x.shape[axis]
    sides = []
    for side, (width, length) in enumerate(zip(pair, _stat_region(n, pair_length))):
        if not width:
            sides.append(None)
            continue
        region = np.take(x, np.arange(n - length, n) if side else np.arange(length), axis=axis)
        order = np.argsort(region, axis=axis, kind="stable")
        rank = np.argsort(order, axis=axis, kind="stable")
        weights = ((rank == (length - 1) // 2).astype(x.dtype) + (rank == length // 2)) / 2
        sides.append(weights.astype(x.dtype))
    return sides


def _pad_stat_back(grad, axis, n, pair, mode, pair_length, medians):
    """One axis of PadStat's backward: the interior of ``grad`` plus what its pads send back."""
    before, after = pair
    lead = (slice(None),) * axis
    inner = grad[lead + (slice(before, before + n),)]
    lengths = _stat_region(n, pair_length)
    for side, width in enumerate(pair):
        if not width:
            continue
        part = grad[lead + ((slice(before + n, None),) if side else (slice(0, before),))]
        if mode == "linear_ramp":     # the k-th value of a ramp is end + (edge − end)·k/width
            shape = [1] * grad.ndim
            shape[axis] = width
            k = np.arange(width) if side == 0 else np.arange(width)[::-1]
            weights = (k / width).astype(grad.dtype).reshape(shape)
            share, length = (part * weights).sum(axis=axis, keepdims=True), 1
        else:
            length = lengths[side]
            share = part.sum(axis=axis, keepdims=True)
            share = share / length if mode == "mean" else share * medians[side]
        gap = (n - length, 0) if side else (0, n - length)
        inner = inner + _zero_pad_axis(share, axis, gap, length)
    return inner


def _zero_pad_axis(v, axis, gap, length):
    """``v`` (length, or 1 to broadcast, along ``axis``) placed in zeros with ``gap``."""
    if v.shape[axis] != length:
        shape = list(v.shape)
        shape[axis] = length
        v = np.broadcast_to(v, tuple(shape))
    widths = [(0, 0)] * v.ndim
    widths[axis] = gap
    if isinstance(v, Tensor):
        return Pad.apply(v, pad_width=tuple(widths), mode="constant", constant_values=0)
    return np.pad(v, widths)


class Tile(Function):
    rule = "da = dout summed over the tiled copies"
    def forward(self, a, reps):
        return np.tile(a, reps)
    def backward(self, grad, out, a):
        # out's axis i holds reps[i] copies of a block of n[i]: split it, sum the copies
        ndim = out.ndim
        reps = (1,) * (ndim - len(self.params["reps"])) + self.params["reps"]
        sizes = (1,) * (ndim - a.ndim) + a.shape
        pairs = tuple(n for pair in zip(reps, sizes) for n in pair)
        return (grad.reshape(pairs).sum(axis=tuple(range(0, 2 * ndim, 2))).reshape(a.shape),)


class Repeat(Function):
    rule = "da = dout summed over each element's copies"
    def forward(self, a, repeats, axis):
        return np.repeat(a, repeats, axis)
    def backward(self, grad, out, a):
        repeats, axis = self.params["repeats"], self.params["axis"]
        if np.ndim(repeats) == 0:     # every element copied r times, side by side
            r = int(repeats)
            split = a.shape[:axis] + (a.shape[axis], r) + a.shape[axis + 1:]
            return (grad.reshape(split).sum(axis=axis + 1),)
        source = np.repeat(np.arange(a.shape[axis]), repeats)
        return (scatter_add(grad, (slice(None),) * axis + (source,), a.shape),)


class Flip(Function):
    rule = "da = dout flipped back"
    def forward(self, a, axis):
        return np.flip(a, axis)
    def backward(self, grad, out, a):
        return (np.flip(grad, self.params["axis"]),)


class Roll(Function):
    rule = "da = dout rolled back by −shift"
    def forward(self, a, shift, axis):
        return np.roll(a, shift, axis)
    def backward(self, grad, out, a):
        back = tuple(-s for s in self.params["shift"])
        return (np.roll(grad, back, self.params["axis"]),)


class Rot90(Function):
    rule = "da = dout rotated back (k → −k)"
    def forward(self, m, k, axes):
        return np.rot90(m, k, axes)
    def backward(self, grad, out, m):
        return (np.rot90(grad, -self.params["k"], self.params["axes"]),)


# --- the public functions --------------------------------------------------------------------

def pad(array, pad_width, mode="constant", **kwargs):
    """Pad a tensor, as ``numpy.pad``: modes ``constant`` (``constant_values``), ``edge``,
    ``reflect``, ``symmetric``, ``wrap``, ``mean`` and ``median`` (``stat_length``) and
    ``linear_ramp`` (``end_values``).

    ``pad_width`` takes numpy's forms: ``n``, ``(before, after)`` or one pair per axis.  The
    padding constants get no gradient; a copied element's gradient adds onto its source.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> ag.pad(x, (1, 2), constant_values=9.0)
    tensor([9., 1., 2., 3., 9., 9.], grad_fn=pad)
    >>> ag.pad(x, 1, mode="reflect").sum().backward()
    >>> x.grad                                 # the reflected 2 appears twice
    tensor([1., 3., 1.])
    >>> ag.pad(x, 2, mode="linear_ramp", end_values=(5, 0)).numpy().tolist()
    [5.0, 3.0, 1.0, 2.0, 3.0, 1.5, 0.0]
    >>> ag.pad(x, (1, 0), mode="mean", stat_length=2)
    tensor([1.5, 1. , 2. , 3. ], grad_fn=pad_stat)
    """
    array = operand(array)
    width = _pad_pairs(pad_width, array.shape)
    if mode in _STAT_MODES:
        return _pad_stat(array, width, mode, kwargs)
    if mode not in ("constant",) + _COPY_MODES:
        raise ValueError(f"pad: mode {mode!r} is not supported for tensors; use one of "
                         f"{('constant',) + _COPY_MODES + _STAT_MODES}")
    allowed = {"constant": {"constant_values"}, "reflect": {"reflect_type"},
               "symmetric": {"reflect_type"}}.get(mode, set())
    unknown = set(kwargs) - allowed
    if unknown:
        raise TypeError(f"pad: mode {mode!r} takes no argument(s) {sorted(unknown)}")
    if kwargs.get("reflect_type", "even") != "even":
        raise ValueError("pad: only reflect_type='even' is supported for tensors")
    values = kwargs.get("constant_values", 0)
    if isinstance(values, Tensor):
        if values.requires_grad:
            raise GraphError("pad: constant_values requires a gradient, but pad gives none to "
                             "its constants; concatenate the tensors instead")
        values = values.data
    return Pad.apply(array, pad_width=width, mode=mode,
                     constant_values=None if mode != "constant" else values)


_STAT_MODES = ("mean", "median", "linear_ramp")


def _pad_stat(array, width, mode, kwargs):
    """pad's modes mean and median (``stat_length``) and linear_ramp (``end_values``)."""
    key = "end_values" if mode == "linear_ramp" else "stat_length"
    unknown = set(kwargs) - {key}
    if unknown:
        raise TypeError(f"pad: mode {mode!r} takes no argument(s) {sorted(unknown)}")
    value = kwargs.get(key)
    if isinstance(value, Tensor):
        if value.requires_grad:
            raise GraphError(f"pad: {key} requires a gradient, but pad gives none to it")
        value = value.data
    if mode != "linear_ramp" and array.ndim and min(array.shape) == 0 and any(map(any, width)):
        raise ShapeError(f"pad: mode {mode!r} needs values to take the {mode} of, but the "
                         f"tensor of shape {array.shape} is empty")
    lengths, ends = None, 0
    if mode == "linear_ramp":
        ends = _per_axis_pairs(0 if value is None else value, array.shape, key, float)
    elif value is not None:
        lengths = _per_axis_pairs(value, array.shape, key, int)
        if any(n <= 0 for pair, w in zip(lengths, width) for n, side in zip(pair, w) if side):
            raise ValueError(f"pad: stat_length {value!r} must be positive (a statistic of no "
                             "values)")
    return PadStat.apply(array, pad_width=width, mode=mode, end_values=ends,
                         stat_length=lengths or tuple((None, None) for _ in width))


def _per_axis_pairs(value, shape, key, kind):
    """numpy's n / (before, after) / one pair per axis forms, as a tuple of pairs."""
    try:
        pairs = np.broadcast_to(np.asarray(value, dtype=np.float64), (len(shape), 2))
    except (ValueError, TypeError):
        raise ShapeError(f"pad: {key} {value!r} does not fit a tensor of shape {shape}: give "
                         "n, (before, after) or one pair per axis") from None
    if kind is int and not np.all(pairs == np.round(pairs)):
        raise TypeError(f"pad: {key} must be integers, got {value!r}")
    return tuple((kind(b), kind(e)) for b, e in pairs)


def _pad_pairs(pad_width, shape):
    """numpy's pad_width forms as one (before, after) pair of ints per axis."""
    if isinstance(pad_width, Tensor):
        pad_width = pad_width.data
    if isinstance(pad_width, dict):           # numpy >= 2.3: {axis: n or (before, after)}
        pairs = [(0, 0)] * len(shape)
        for axis, width in pad_width.items():
            pairs[_axis(axis, len(shape), "pad", shape)] = np.broadcast_to(width, 2)
        pad_width = pairs
    widths = np.asarray(pad_width)
    if widths.dtype.kind not in "iu" and not (widths.dtype.kind == "f" and
                                             np.all(widths == np.round(widths))):
        raise TypeError(f"pad: pad_width must be integers, got {pad_width!r}")
    try:
        widths = np.broadcast_to(widths.astype(np.int64), (len(shape), 2))
    except ValueError:
        raise ShapeError(f"pad: pad_width {pad_width!r} does not fit a tensor of shape "
                         f"{shape}: give n, (before, after) or one pair per axis") from None
    if (widths < 0).any():
        raise ValueError(f"pad: pad_width {pad_width!r} has negative values")
    return tuple((int(b), int(e)) for b, e in widths)


def tile(A, reps):
    """Repeat the whole tensor ``reps`` times along each axis, as ``numpy.tile``.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.tile(ag.tensor([1.0, 2.0]), (2, 2))
    tensor([[1., 2., 1., 2.],
            [1., 2., 1., 2.]])
    """
    A = operand(A)
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    if any(not isinstance(r, (int, np.integer)) or r < 0 for r in reps):
        raise ValueError(f"tile: reps must be non-negative integers, got {reps}")
    return Tile.apply(A, reps=tuple(int(r) for r in reps))


def repeat(a, repeats, axis=None):
    """Repeat each element ``repeats`` times (a number, or one count per element) along
    ``axis``; without an axis the tensor is flattened first, as ``numpy.repeat``.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.repeat(ag.tensor([1.0, 2.0]), [1, 3])
    tensor([1., 2., 2., 2.])
    """
    a = operand(a)
    if axis is None:
        a, axis = a.reshape(-1), 0
    axis = _axis(axis, a.ndim, "repeat", a.shape)
    repeats = repeats.data if isinstance(repeats, Tensor) else np.asarray(repeats)
    if repeats.size == 0:           # [] for an empty axis: numpy reads it as integers
        repeats = repeats.astype(np.intp)
    if repeats.dtype.kind not in "iu" or (repeats < 0).any():
        raise ValueError(f"repeat: repeats must be non-negative integers, got {repeats}")
    if repeats.size == 1:
        repeats = int(repeats.reshape(()))
    elif repeats.shape != (a.shape[axis],):
        raise ShapeError(f"repeat: {repeats.size} counts given for axis {axis} of length "
                         f"{a.shape[axis]} (shape {a.shape}); give one count or one per element")
    return Repeat.apply(a, repeats=repeats, axis=axis)


def flip(m, axis=None):
    """Reverse the order of elements along ``axis`` (all axes by default).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.flip(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), axis=1)
    tensor([[2., 1.],
            [4., 3.]])
    """
    m = operand(m)
    if axis is not None:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        axis = tuple(_axis(ax, m.ndim, "flip", m.shape) for ax in axes)
        if len(set(axis)) != len(axis):
            raise ShapeError(f"flip: repeated axis in {axes}")
    return Flip.apply(m, axis=axis)


def fliplr(m):
    """Reverse the columns (axis 1); needs at least 2 dimensions."""
    m = operand(m)
    if m.ndim < 2:
        raise ShapeError(f"fliplr: needs at least 2 dimensions, got shape {m.shape}")
    return flip(m, 1)


def flipud(m):
    """Reverse the rows (axis 0); needs at least 1 dimension."""
    m = operand(m)
    if m.ndim < 1:
        raise ShapeError("flipud: needs at least 1 dimension, got a 0-d tensor")
    return flip(m, 0)


def roll(a, shift, axis=None):
    """Shift elements along ``axis`` cyclically (the flattened tensor without an axis).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.roll(ag.tensor([1.0, 2.0, 3.0]), 1)
    tensor([3., 1., 2.])
    """
    a = operand(a)
    shifts = (shift,) if np.ndim(shift) == 0 else tuple(shift)
    if axis is not None:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        axis = tuple(_axis(ax, a.ndim, "roll", a.shape) for ax in axes)
        if len(shifts) == 1:
            shifts = shifts * len(axis)
        if len(shifts) != len(axis):
            raise ShapeError(f"roll: {len(shifts)} shifts for {len(axis)} axes")
    elif len(shifts) != 1:
        raise ShapeError("roll: several shifts need as many axes")
    return Roll.apply(a, shift=tuple(int(s) for s in shifts), axis=axis)


def rot90(m, k=1, axes=(0, 1)):
    """Rotate by 90° ``k`` times in the plane of ``axes`` (from the first towards the second).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.rot90(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor([[2., 4.],
            [1., 3.]])
    """
    m = operand(m)
    axes = tuple(axes)
    if len(axes) != 2 or m.ndim < 2:
        raise ShapeError(f"rot90: needs 2 axes of a tensor of at least 2 dimensions, got axes "
                         f"{axes} for shape {m.shape}")
    axes = tuple(_axis(ax, m.ndim, "rot90", m.shape) for ax in axes)
    if axes[0] == axes[1]:
        raise ShapeError(f"rot90: the two axes must differ, got {axes}")
    return Rot90.apply(m, k=int(k) % 4, axes=axes)


def _axis(axis, ndim, op, shape):
    """One axis as a non-negative int, or a ShapeError naming the op and the shape."""
    if not isinstance(axis, (int, np.integer)) or not -ndim <= axis < max(ndim, 1) or not ndim:
        raise ShapeError(f"{op}: axis {axis} is out of range for a tensor of shape {shape}")
    return int(axis) % ndim
