"""Values on a grid: ``linspace`` (a grid between ends that may be Tensors) and ``gradient``
(finite differences of values sampled on a grid), as numpy's functions of those names.

Neither needs a derivative of its own: each is numpy's own formula written with slices,
products, sums and one concatenate or ``where``, so the numbers are numpy's bit for bit and
the graph shows those primitives.
"""
from __future__ import annotations

import operator

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor, operand
from .elementwise import where
from .joining import moveaxis
from .movement import broadcast_to, concatenate, getitem, reshape
from .piecewise import floor
from .sorting import any as _any


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop``, as ``np.linspace``;
    differentiable in ``start`` and ``stop`` (Tensors, arrays or numbers).

    The values are numpy's: ``start + i · step`` with ``step = (stop - start) / div``, the
    last one ``stop`` itself (with ``endpoint``).  With ``retstep`` the step is returned too.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> a = ag.tensor(1.0, requires_grad=True)
    >>> y = ag.linspace(a, 2.0, num=5)
    >>> y.sum().backward()                 # Σ (1 - i/4) · da = (1 + .75 + .5 + .25 + 0)
    >>> y, a.grad
    (tensor([1.  , 1.25, 1.5 , 1.75, 2.  ], grad_fn=concatenate), tensor(2.5))
    """
    try:
        num = operator.index(num)
    except TypeError:
        raise TypeError(f"linspace: num must be an integer, got {num!r}") from None
    if num < 0:
        raise ValueError(f"linspace: the number of samples, {num}, must be non-negative")
    div = (num - 1) if endpoint else num
    start, stop = _ends(start, stop)
    dt = start.dtype
    integer_dtype = dtype is not None and np.issubdtype(dtype, np.integer)
    delta = stop - start
    steps = np.arange(0, num, dtype=dt).reshape((-1,) + (1,) * delta.ndim)
    if div > 0:
        step = delta / div
        # numpy's branch for a step that underflows to 0 (gh-5437), taken for every element
        # when any step is 0; chosen by where, so no value is read in a compiled step
        tiny = _any(step == 0)
        y = where(tiny, (steps / div) * delta, steps * step)
    else:
        step = np.nan
        y = steps * delta
    y = y + start
    if endpoint and num > 1:
        last = broadcast_to(stop, y.shape[1:])
        y = concatenate([y[:-1], reshape(last, (1,) + last.shape)], axis=0)
    if axis != 0:
        y = moveaxis(y, 0, axis)
    if integer_dtype:
        y = floor(y)
    if dtype is not None:
        y = y.astype(dtype)
    return (y, step) if retstep else y


def _ends(start, stop):
    """``start`` and ``stop`` as Tensors of numpy's floating result type for linspace."""
    values = [x if isinstance(x, Tensor) else np.asarray(x) for x in (start, stop)]
    weak = [type(x) in (int, float, bool) for x in (start, stop)]
    dtypes = [type(x)(0) if w else v.dtype for x, v, w in zip((start, stop), values, weak)]
    dt = np.result_type(*dtypes, 1.0)           # at least floating, as ensure_inexact
    if all(weak):
        dt = np.dtype(np.float64)
    return tuple(operand(v).astype(dt) if isinstance(v, Tensor) else Tensor(v.astype(dt))
                 for v in values)


def gradient(f, *varargs, axis=None, edge_order=1):
    """The derivative of values ``f`` sampled on a grid, as ``np.gradient``: central
    differences inside, one-sided ones (first or second order, ``edge_order``) at the ends;
    differentiable in ``f``.

    ``varargs`` are the spacings as in numpy: nothing (1), one number for every axis, or one
    number or 1-D array of coordinates per axis.  The spacings are constants (Tensors that
    require a gradient are refused).  Returns one Tensor for one axis, else a tuple.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> f = ag.tensor([1.0, 4.0, 9.0, 16.0], requires_grad=True)
    >>> ag.gradient(f, 2.0)
    tensor([1.5, 2. , 3. , 3.5], grad_fn=concatenate)
    >>> ag.gradient(f, edge_order=2)
    tensor([2., 4., 6., 8.], grad_fn=concatenate)
    """
    f = operand(f)
    if f.dtype.kind == "b":
        raise TypeError(f"gradient: boolean values (shape {f.shape}) have no differences; "
                        "convert them first, e.g. f.astype(float)")
    n_dim = f.ndim
    try:
        axes = tuple(range(n_dim)) if axis is None else tuple(
            np.lib.array_utils.normalize_axis_tuple(axis, n_dim))
    except (ValueError, TypeError):          # numpy's AxisError, a repeated axis
        raise ShapeError(f"gradient: axis {axis!r} is not a valid axis (or tuple of distinct "
                         f"axes) for shape {f.shape}") from None
    spacings = _spacings(f, axes, varargs)
    if edge_order not in (1, 2):
        raise ValueError(f"gradient: edge_order must be 1 or 2, not {edge_order!r}")
    otype = f.dtype if f.dtype.kind == "f" else np.dtype(np.float64)
    if f.dtype.kind in "iu":
        f = f.astype(np.float64)
    outs = []
    for ax, dx in zip(axes, spacings):
        if f.shape[ax] < edge_order + 1:
            raise ValueError(
                f"gradient: shape {f.shape} is too small along axis {ax} to calculate a "
                f"numerical gradient: at least edge_order + 1 = {edge_order + 1} elements "
                "are required")
        out = concatenate(_along(f, ax, dx, edge_order), axis=ax)
        outs.append(out if out.dtype == otype else out.astype(otype))
    return outs[0] if len(axes) == 1 else tuple(outs)


def _spacings(f, axes, varargs):
    """numpy's spacing per axis: a number (uniform) or the differences of coordinates."""
    values = []
    for d in varargs:
        if isinstance(d, Tensor):
            if d.requires_grad:
                raise TypeError("gradient: a spacing that requires a gradient is not "
                                "differentiated; pass its values (d.detach())")
            d = d.numpy()
        values.append(d)
    if not values:
        return [1.0] * len(axes)
    if len(values) == 1 and np.ndim(values[0]) == 0:
        return values * len(axes)
    if len(values) != len(axes):
        raise TypeError(f"gradient: {len(values)} spacings given for {len(axes)} axes; give "
                        "none, one number, or one per axis")
    dx = list(values)
    for i, distances in enumerate(dx):
        distances = np.asanyarray(distances)
        if distances.ndim == 0:
            continue
        if distances.ndim != 1:
            raise ValueError(f"gradient: spacing {i} must be a number or 1-D coordinates, "
                             f"got shape {distances.shape}")
        if len(distances) != f.shape[axes[i]]:
            raise ValueError(f"gradient: coordinates {i} have length {len(distances)} but "
                             f"axis {axes[i]} of shape {f.shape} has {f.shape[axes[i]]}")
        if np.issubdtype(distances.dtype, np.integer):
            distances = distances.astype(np.float64)
        diffx = np.diff(distances)
        if (diffx == diffx[0]).all():
            diffx = diffx[0]
        dx[i] = diffx
    return dx


def _along(f, ax, dx, edge_order):
    """The three parts of numpy's formula along ``ax``: first edge, interior, last edge."""
    def part(start, stop):
        return getitem(f, (slice(None),) * ax + (slice(start, stop),))

    def shaped(c):        # coefficients of non-uniform spacing, broadcast along ax
        return np.reshape(c, (-1,) + (1,) * (f.ndim - ax - 1))

    uniform = np.ndim(dx) == 0
    if uniform:
        inner = (part(2, None) - part(None, -2)) / _strong(2. * dx)
    else:
        dx1, dx2 = dx[0:-1], dx[1:]
        a = -(dx2) / (dx1 * (dx1 + dx2))
        b = (dx2 - dx1) / (dx1 * dx2)
        c = dx1 / (dx2 * (dx1 + dx2))
        inner = shaped(a) * part(None, -2) + shaped(b) * part(1, -1) + shaped(c) * part(2, None)
    if edge_order == 1:
        first = (part(1, 2) - part(0, 1)) / _strong(dx if uniform else dx[0])
        last = (part(-1, None) - part(-2, -1)) / _strong(dx if uniform else dx[-1])
        return [first, inner, last]
    if uniform:
        a, b, c = -1.5 / dx, 2. / dx, -0.5 / dx
    else:
        dx1, dx2 = dx[0], dx[1]
        a = -(2. * dx1 + dx2) / (dx1 * (dx1 + dx2))
        b = (dx1 + dx2) / (dx1 * dx2)
        c = - dx1 / (dx2 * (dx1 + dx2))
    a, b, c = _strong(a), _strong(b), _strong(c)
    first = a * part(0, 1) + b * part(1, 2) + c * part(2, 3)
    if uniform:
        a, b, c = 0.5 / dx, -2. / dx, 1.5 / dx
    else:
        dx1, dx2 = dx[-2], dx[-1]
        a = (dx2) / (dx1 * (dx1 + dx2))
        b = - (dx2 + dx1) / (dx1 * dx2)
        c = (2. * dx2 + dx1) / (dx2 * (dx1 + dx2))
    a, b, c = _strong(a), _strong(b), _strong(c)
    last = a * part(-3, -2) + b * part(-2, -1) + c * part(-1, None)
    return [first, inner, last]


def _strong(c):
    """A numpy scalar as a 0-d array: numpy promotes ``float32 array * np.float64(c)`` to
    float64 (NEP 50), where a Tensor op would treat a scalar as weak, as a Python float."""
    return np.asarray(c) if isinstance(c, np.generic) else c
