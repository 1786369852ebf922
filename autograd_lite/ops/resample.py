"""Resampling of signals and images: ``interpolate`` (nearest, linear, bilinear), as PyTorch's.

Linear interpolation along one axis is a primitive: each output reads two neighbours ``i0``,
``i1`` with weights ``l0``, ``l1`` (PyTorch's index and weight rules), and its derivative is
the adjoint — each output's gradient shared back between its two neighbours.  The two are
each other's derivative, so second order works.  Bilinear is linear along W, then along H,
the order PyTorch sums in; nearest is a gather (``take``) along each axis.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..tensor import Tensor, operand
from .indexing import take


def _weighted_pair(x, axis, i0, i1, l0, l1):
    """x[i0]·l0 + x[i1]·l1 along ``axis`` (the weights broadcast along it)."""
    shape = [1] * x.ndim
    shape[axis] = -1
    return (np.take(x, i0, axis=axis) * l0.reshape(shape)
            + np.take(x, i1, axis=axis) * l1.reshape(shape))


def _shared_back(grad, axis, i0, i1, l0, l1, size):
    """The adjoint of ``_weighted_pair``: dout·l0 added at i0 and dout·l1 at i1."""
    shape = [1] * grad.ndim
    shape[axis] = -1
    out = np.zeros(grad.shape[:axis] + (size,) + grad.shape[axis + 1:], dtype=grad.dtype)
    moved = np.moveaxis(out, axis, 0)             # a view: the additions land in out
    np.add.at(moved, i0, np.moveaxis(grad * l0.reshape(shape), axis, 0))
    np.add.at(moved, i1, np.moveaxis(grad * l1.reshape(shape), axis, 0))
    return out


class ResampleLinear(Function):
    name = "resample_linear"
    rule = "da = dout·l0 added back at i0 and dout·l1 at i1 (resample_linear_adjoint)"
    def forward(self, a, axis, i0, i1, l0, l1):
        return _weighted_pair(a, axis, i0, i1, l0, l1)
    def backward(self, grad, out, a):
        p = self.params
        return (_adjoint(grad, p["axis"], p["i0"], p["i1"], p["l0"], p["l1"],
                         a.shape[p["axis"]]),)


class ResampleLinearAdjoint(Function):
    name = "resample_linear_adjoint"
    rule = "dgrad = resample_linear(dout): each output reads its two neighbours again"
    def forward(self, grad, axis, i0, i1, l0, l1, size):
        return _shared_back(grad, axis, i0, i1, l0, l1, size)
    def backward(self, grad, out, g):
        p = self.params
        return (_linear(grad, p["axis"], p["i0"], p["i1"], p["l0"], p["l1"]),)


def _linear(x, axis, i0, i1, l0, l1):
    if isinstance(x, Tensor):
        return ResampleLinear.apply(x, axis=axis, i0=i0, i1=i1, l0=l0, l1=l1)
    return _weighted_pair(x, axis, i0, i1, l0, l1)


def _adjoint(grad, axis, i0, i1, l0, l1, size):
    if isinstance(grad, Tensor):
        return ResampleLinearAdjoint.apply(grad, axis=axis, i0=i0, i1=i1, l0=l0, l1=l1,
                                           size=size)
    return _shared_back(grad, axis, i0, i1, l0, l1, size)


# --- PyTorch's index and weight rules (aten/src/ATen/native/UpSample.h) -----------------------

def _nearest_indices(n_in, n_out, scale_factor):
    """out[i] reads in[min(floor(i · scale), n_in − 1)], scale = 1/scale_factor if given, else
    n_in/n_out, in float32 as PyTorch's kernel (and the shortcuts it takes)."""
    if n_out == n_in:
        return np.arange(n_out)
    if n_out == 2 * n_in:
        return np.arange(n_out) >> 1
    scale = (np.float32(1.0 / scale_factor) if scale_factor
             else np.float32(n_in) / np.float32(n_out))
    position = np.floor(np.arange(n_out, dtype=np.float32) * scale)
    return np.minimum(position.astype(np.int64), n_in - 1)


def _linear_weights(n_in, n_out, scale_factor, align_corners, dtype):
    """i0, i1, l0, l1 of linear interpolation, as PyTorch computes them (in the input's
    float type): the source position, clamped at 0, its floor and the fraction."""
    real = dtype.type
    if align_corners:
        scale = real(n_in - 1) / real(n_out - 1) if n_out > 1 else real(0)
        source = real(scale) * np.arange(n_out, dtype=dtype)
    else:
        scale = real(1.0 / scale_factor) if scale_factor else real(n_in) / real(n_out)
        source = real(scale) * (np.arange(n_out, dtype=dtype) + real(0.5)) - real(0.5)
        source = np.maximum(source, real(0))
    # PyTorch's guard_index_and_lambda takes floorf: the floor of the position in float32
    i0 = np.minimum(np.floor(source.astype(np.float32)).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    l1 = np.clip(source - i0.astype(dtype), 0, 1).astype(dtype)
    return i0, i1, (real(1) - l1).astype(dtype), l1


_MODES = {"nearest": (3, 4), "linear": (3,), "bilinear": (4,)}


def interpolate(x, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize a batch of signals (N, C, W) or images (N, C, H, W), as
    ``torch.nn.functional.interpolate``.

    Parameters
    ----------
    x : Tensor or array (N, C, W) or (N, C, H, W)
    size : int or tuple of ints, optional
        The output's spatial size.
    scale_factor : float or tuple of floats, optional
        Instead of ``size``: the output is ``floor(n · scale_factor)`` along each axis, and
        the source positions use ``1 / scale_factor`` (PyTorch's default,
        ``recompute_scale_factor=None``).
    mode : {"nearest", "linear", "bilinear"}
        "nearest": out[i] = in[floor(i · scale)]; "linear" (3-D) and "bilinear" (4-D): the
        two neighbours of the source position ``(i + 0.5) · scale − 0.5`` (clamped at 0),
        weighted by distance.
    align_corners : bool, optional
        Linear modes only: the corner pixels' centres meet, source position
        ``i · (n_in − 1) / (n_out − 1)``.  Default False.
    recompute_scale_factor : bool, optional
        True: with ``scale_factor``, positions use the sizes' ratio ``n_in / n_out`` instead.
    antialias : bool
        Only False (PyTorch's default) is supported.

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> x = ag.tensor([[[1.0, 2.0, 4.0]]])
    >>> ag.interpolate(x, scale_factor=2).numpy()
    array([[[1., 1., 2., 2., 4., 4.]]])
    >>> ag.interpolate(x, size=5, mode="linear", align_corners=True).numpy()
    array([[[1. , 1.5, 2. , 3. , 4. ]]])
    """
    op = "interpolate"
    x = operand(x)
    if mode not in _MODES:
        raise ValueError(f"{op}: mode must be one of {', '.join(map(repr, _MODES))}, "
                         f"got {mode!r}")
    if x.ndim not in _MODES[mode]:
        wanted = " or ".join(f"{n}-D" for n in _MODES[mode])
        raise ShapeError(f"{op}: mode {mode!r} needs a {wanted} input (N, C, "
                         f"{'W' if x.ndim == 3 else 'H, W'}), got shape {x.shape}")
    if align_corners is not None and mode == "nearest":
        raise ValueError(f"{op}: align_corners can only be set with the modes 'linear' and "
                         f"'bilinear', not {mode!r}")
    if antialias:
        raise ValueError(f"{op}: antialias=True is not supported (input shape {x.shape})")
    spatial = x.shape[2:]
    sizes, factors = _output_sizes(op, spatial, size, scale_factor, x.shape)
    if recompute_scale_factor:
        factors = (None,) * len(sizes)
    if mode == "nearest":
        for axis, (n_in, n_out, factor) in enumerate(zip(spatial, sizes, factors), start=2):
            x = take(x, _nearest_indices(n_in, n_out, factor), axis=axis)
        return x
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    # along W first (the inner sums), then H: PyTorch's order, so the sums round alike
    for axis in reversed(range(2, x.ndim)):
        n_in, n_out, factor = spatial[axis - 2], sizes[axis - 2], factors[axis - 2]
        i0, i1, l0, l1 = _linear_weights(n_in, n_out, factor, bool(align_corners), x.dtype)
        x = ResampleLinear.apply(x, axis=axis, i0=i0, i1=i1, l0=l0, l1=l1)
    return x


def _output_sizes(op, spatial, size, scale_factor, shape):
    """The output's spatial sizes, and the scale factors to compute positions with (None:
    from the sizes)."""
    d = len(spatial)
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: give exactly one of size and scale_factor (input shape "
                         f"{shape})")
    if size is not None:
        sizes = _per_axis(size, d, "size", op, shape)
        if not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 1
                   for n in sizes):
            raise ShapeError(f"{op}: size must be positive integers, got {size!r} (input "
                             f"shape {shape})")
        return tuple(int(n) for n in sizes), (None,) * d
    factors = _per_axis(scale_factor, d, "scale_factor", op, shape)
    if not all(isinstance(f, numbers.Real) and not isinstance(f, bool) and math.isfinite(f)
               and f > 0 for f in factors):
        raise ValueError(f"{op}: scale_factor must be positive finite numbers, got "
                         f"{scale_factor!r} (input shape {shape})")
    sizes = tuple(math.floor(n * float(f)) for n, f in zip(spatial, factors))
    if min(sizes) < 1:
        raise ShapeError(f"{op}: scale_factor {scale_factor!r} makes an empty output from the "
                         f"spatial size {spatial} (input shape {shape})")
    return sizes, tuple(float(f) for f in factors)


def _per_axis(value, d, what, op, shape):
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * d
    if len(values) != d:
        raise ShapeError(f"{op}: {what} {value!r} must have one entry per spatial axis ({d}) "
                         f"of the input of shape {shape}")
    return values
