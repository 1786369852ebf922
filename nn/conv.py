"""Layers for pictures: Conv2d, MaxPool2d, AvgPool2d and Flatten.

Images are ``(m, C, H, W)`` — examples, channels, height, width (PyTorch's "NCHW").  A
convolution layer has ``W`` of shape ``(F, C / groups, kh, kw)`` (F filters) and ``b`` of
shape ``(F,)``.  :class:`Flatten` turns images back into the course's layout ``(n, m)``, one
example per column, so the course's :class:`~nn.Linear` layers follow it unchanged.
No backward formula here: ``autograd_lite.conv2d`` and the pooling ops carry theirs.

Examples
--------
>>> import numpy as np, nn
>>> net = nn.Sequential(nn.Conv2d(3, 4, 3, padding="same", activation="relu", seed=0),
...                     nn.MaxPool2d(2), nn.Flatten(),
...                     nn.Linear(4 * 4 * 4, 1, activation="sigmoid", seed=0))
>>> net(np.zeros((5, 3, 8, 8))).shape       # 5 pictures -> (n_y, m)
(1, 5)
"""
from __future__ import annotations

import numpy as np

import autograd_lite as ag
from autograd_lite.ops.conv import padding_pairs

from . import functional as F
from .errors import ConfigError, NNShapeError
from .init import get_initializer, make_rng
from .layers import _positive_int
from .module import Module, Parameter


def _pair(value, what):
    pair = (value, value) if not isinstance(value, (tuple, list)) else tuple(value)
    if len(pair) != 2:
        raise ConfigError(f"{what} must be an integer or a pair of integers, not {value!r}")
    return tuple(_positive_int(n, what) for n in pair)


def _check_images(layer, A, channels=None):
    """Refuse anything but (m, C, H, W) images (with ``channels`` channels), naming the layer."""
    shape = A.shape
    if len(shape) != 4:
        hint = ""
        if len(shape) == 2:
            hint = ("; a course-layout X (n_x, m) becomes pictures with "
                    "nn.cnn.to_images(X, (C, H, W))")
        elif len(shape) == 3:
            hint = "; for one picture use A.reshape(1, *A.shape)"
        raise NNShapeError(f"{layer}: the input has shape {shape} but this layer expects "
                           f"pictures (m, C, H, W) — examples, channels, height, width{hint}")
    if channels is not None and shape[1] != channels:
        raise NNShapeError(f"{layer}: the input has shape {shape}, i.e. {shape[1]} channels, "
                           f"but this layer expects {channels} (m, {channels}, H, W)"
                           + (" (did you mean A.transpose(0, 3, 1, 2)?)"
                              if shape[3] == channels else ""))


def _run(layer, op, *args, **kwargs):
    """Run ``op``; a shape error from it is re-raised naming the layer."""
    try:
        return op(*args, **kwargs)
    except ag.ShapeError as exc:
        raise NNShapeError(f"{layer}: {exc}") from None


class Conv2d(Module):
    """A convolution layer ``Z = W ∗ A_prev + b`` (then ``A = g(Z)``) on (m, C, H, W) pictures.

    Parameters
    ----------
    in_channels, out_channels : int
        C and F; W has shape (F, C / groups, kh, kw), b has shape (F,) (zeros).
    kernel_size : int or (int, int)
        kh, kw.
    stride, padding, dilation, groups
        As in :func:`autograd_lite.conv2d` (padding may be ``"same"``).
    activation : str or None
        One of ``nn.functional.ACTIVATIONS``; None or ``"identity"`` returns Z.
    init : str
        Initializer of W, drawn as an (F, C/groups·kh·kw) matrix — fan-in n[l−1] =
        C/groups·kh·kw — and reshaped; default ``"he"`` (√(2 / fan-in), for ReLU).
    seed, dtype
        As for :class:`~nn.Linear`.

    Examples
    --------
    >>> import numpy as np, nn
    >>> conv = nn.Conv2d(3, 8, 3, stride=2, padding=1, activation="relu", seed=0)
    >>> conv.W.shape, conv.b.shape, conv(np.ones((2, 3, 16, 16))).shape
    ((8, 3, 3, 3), (8,), (2, 8, 8, 8))
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, activation=None, init="he", seed=None,
                 dtype=np.float64):
        super().__init__()
        self.in_channels = _positive_int(in_channels, "Conv2d: in_channels")
        self.out_channels = _positive_int(out_channels, "Conv2d: out_channels")
        self.kernel_size = _pair(kernel_size, "Conv2d: kernel_size")
        self.stride = _pair(stride, "Conv2d: stride")
        self.dilation = _pair(dilation, "Conv2d: dilation")
        self.groups = _positive_int(groups, "Conv2d: groups")
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ConfigError(f"Conv2d: groups={self.groups} must divide in_channels="
                              f"{self.in_channels} and out_channels={self.out_channels}")
        if not (isinstance(padding, str) and padding in ("same", "valid")):
            try:
                padding_pairs(padding, "Conv2d")
            except ag.ShapeError as exc:
                raise ConfigError(f"{exc}; or 'same' / 'valid'") from None
        self.padding = padding
        self.activation = "identity" if activation is None else activation
        self._g = F.get_activation(self.activation)
        self.init = init
        initializer = get_initializer(init)
        rng = None if init == "zeros" else make_rng(seed)
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        fan_in = shape[1] * shape[2] * shape[3]
        W = initializer(self.out_channels, fan_in, rng, dtype).reshape(shape)
        self.W = Parameter(W, dtype=dtype)
        self.b = Parameter(np.zeros(self.out_channels, dtype=dtype), dtype=dtype)

    def forward(self, A_prev):
        layer = self._prefix or "Conv2d"
        _check_images(layer, A_prev, self.in_channels)
        Z = _run(layer, ag.conv2d, A_prev, self.W, self.b, stride=self.stride,
                 padding=self.padding, dilation=self.dilation, groups=self.groups)
        return self._g(Z)

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding!r}, activation="
                f"{self.activation!r}" + (f", groups={self.groups}" if self.groups > 1 else ""))


class _Pool(Module):
    """Shared by the pooling layers: kernel, stride (default: the kernel), padding."""

    op = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        kind = type(self).__name__
        self.kernel_size = _pair(kernel_size, f"{kind}: kernel_size")
        self.stride = self.kernel_size if stride is None else _pair(stride, f"{kind}: stride")
        self.padding = padding

    def forward(self, A_prev):
        layer = self._prefix or type(self).__name__
        _check_images(layer, A_prev)
        return _run(layer, type(self).op, A_prev, self.kernel_size, self.stride, self.padding)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding!r}"


class MaxPool2d(_Pool):
    """The maximum of each window (:func:`autograd_lite.max_pool2d`; ties: the first maximum).

    Examples
    --------
    >>> import numpy as np, nn
    >>> nn.MaxPool2d(2)(np.arange(16.0).reshape(1, 1, 4, 4)).numpy()[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """

    op = staticmethod(ag.max_pool2d)


class AvgPool2d(_Pool):
    """The mean of each window (:func:`autograd_lite.avg_pool2d`; zero padding counts).

    Examples
    --------
    >>> import numpy as np, nn
    >>> nn.AvgPool2d(2)(np.arange(16.0).reshape(1, 1, 4, 4)).numpy()[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """

    op = staticmethod(ag.avg_pool2d)


class Flatten(Module):
    """Pictures (m, C, H, W) to the course's layout (C·H·W, m): one example per column.

    Each column is its picture's values in C, H, W order, ready for :class:`~nn.Linear`.

    Examples
    --------
    >>> import numpy as np, nn
    >>> A = nn.Flatten()(np.arange(12.0).reshape(2, 3, 2, 1))      # two 3×2×1 pictures
    >>> A.shape, A.numpy()[:, 1].tolist()
    ((6, 2), [6.0, 7.0, 8.0, 9.0, 10.0, 11.0])
    """

    def forward(self, A_prev):
        A_prev = ag.as_tensor(A_prev)
        if A_prev.ndim < 2:
            raise NNShapeError(f"{self._prefix or 'Flatten'}: the input has shape "
                               f"{A_prev.shape}; expected (m, ...) with m examples first")
        return A_prev.reshape(A_prev.shape[0], -1).T
