"""Pooling of images in NCHW layout: ``max_pool2d``, ``avg_pool2d``, ``max_unpool2d``.

The pools look at the windows of the padded input (a strided view, no copy of the windows)
and send their gradient back by folding — each window's gradient added back where the window
came from.  The internal ``image_windows`` and ``fold_windows`` are each other's derivative,
so second derivatives work.  (The public ``ag.unfold`` is PyTorch's ``Tensor.unfold``, in
ops/movement.py.)
"""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..tensor import Tensor, operand
from .cumulative import _take_along
from .conv import (Geometry, check_image, fold_array, int_pair, output_size, pad_array,
                   padding_pairs, windows)


class ImageWindows(Function):
    name = "image_windows"
    rule = "dx = fold_windows(dout): each window's gradient added back where it came from"
    def forward(self, x, geometry, kernel):
        xp = pad_array(x, geometry.padding)
        return windows(xp, kernel, geometry.stride, geometry.dilation)
    def backward(self, grad, out, x):
        return (fold_windows(grad, self.params["geometry"], x.shape),)


class FoldWindows(Function):
    name = "fold_windows"
    rule = "dcols = image_windows(dout): the windows of the gradient"
    def forward(self, cols, geometry, shape):
        return fold_array(cols, shape, geometry)
    def backward(self, grad, out, cols):
        return (image_windows(grad, self.params["geometry"], cols.shape[-2:]),)


def image_windows(x, geometry, kernel):
    """The (N, C, OH, OW, kh, kw) windows of zero-padded ``x``; an array for an array."""
    if isinstance(x, Tensor):
        return ImageWindows.apply(x, geometry=geometry, kernel=tuple(kernel))
    return windows(pad_array(x, geometry.padding), kernel, geometry.stride, geometry.dilation)


def fold_windows(cols, geometry, shape):
    """Windows (N, C, OH, OW, kh, kw) added into zeros of ``shape`` (image_windows' adjoint)."""
    if isinstance(cols, Tensor):
        return FoldWindows.apply(cols, geometry=geometry, shape=tuple(shape))
    return fold_array(cols, tuple(shape), geometry)


class MaxPool2d(Function):
    name = "max_pool2d"
    rule = "dx = dout at the first maximum of each window (row by row; the last nan), 0 elsewhere"
    def forward(self, x, geometry, kernel):
        first, top = _first_maximum(x, geometry, kernel)
        self.mask = first[..., None, None] == np.arange(kernel[0] * kernel[1]).reshape(kernel)
        return top
    def backward(self, grad, out, x):
        return (fold_windows(grad[..., None, None] * self.mask, self.params["geometry"],
                             x.shape),)


class MaxPool2dIndex(Function):
    name = "max_pool2d_index"
    differentiable = False
    rule = "no gradient (the indices of max_pool2d's maxima, flat over H·W)"
    def forward(self, x, geometry, kernel):
        first, _ = _first_maximum(x, geometry, kernel)
        (sh, sw), ((top, _), (left, _)), (dh, dw) = geometry[:3]
        OH, OW = first.shape[-2:]
        rows = np.arange(OH)[:, None] * sh - top + first // kernel[1] * dh
        cols = np.arange(OW)[None, :] * sw - left + first % kernel[1] * dw
        return (rows * x.shape[-1] + cols).astype(np.int64)


def _first_maximum(x, geometry, kernel):
    """Per window: the offset k = u·kw + v of its first maximum and the maximum itself, by
    PyTorch's kernel: a tap wins if larger or if it is a nan (so the last nan wins); padding
    loses to any element, −inf included (PyTorch skips it)."""
    xp = pad_array(x, geometry.padding, -np.inf)
    win = windows(xp, kernel, geometry.stride, geometry.dilation)
    padded = geometry.padding != ((0, 0), (0, 0))
    if padded:
        real = windows(pad_array(np.ones(x.shape[-2:], bool), geometry.padding, False),
                       kernel, geometry.stride, geometry.dilation)
        seen = real[..., 0, 0].copy()
    top = win[..., 0, 0].copy()
    first = np.zeros(top.shape, dtype=np.intp)
    for k, (u, v) in enumerate(np.ndindex(*kernel)):   # kh·kw steps, no loop over pixels
        value = win[..., u, v]
        later = value > top                    # strictly: a tie keeps the first maximum
        later |= np.isnan(value)               # every nan takes over: the last one wins
        if padded:
            later |= real[..., u, v] & ~seen   # the first element after padding only
            seen = seen | real[..., u, v]
        np.copyto(first, k, where=later)
        np.maximum(top, value, out=top)
    return first, top


class AvgPool2d(Function):
    name = "avg_pool2d"
    rule = "dx = dout / (kh·kw) spread over each window"
    def forward(self, x, geometry, kernel):
        return image_windows(x, geometry, kernel).mean(axis=(-2, -1))
    def backward(self, grad, out, x):
        kh, kw = self.params["kernel"]
        share = np.broadcast_to((grad / (kh * kw))[..., None, None], out.shape + (kh, kw))
        return (fold_windows(share, self.params["geometry"], x.shape),)


def _pool_geometry(op, x, kernel_size, stride, padding, dilation=1):
    check_image(x, op)
    kernel = int_pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None else int_pair(stride, "stride", op)
    padding = padding_pairs(padding, op)
    dilation = int_pair(dilation, "dilation", op)
    for k, pads in zip(kernel, padding):
        if max(pads) > k // 2:
            raise ShapeError(f"{op}: padding {pads} must be at most half the kernel size "
                             f"{kernel} (a window of padding only would have no value)")
    geometry = Geometry(stride, padding, dilation)
    sizes = output_size(op, x.shape, kernel, geometry, what="pooling window")
    for axis, (n, o, k, s, (lo, _), d) in enumerate(zip(x.shape[2:], sizes, kernel, stride,
                                                       padding, dilation)):
        for i in range(o):
            if not any(0 <= i * s - lo + u * d < n for u in range(k)):
                raise ShapeError(
                    f"{op}: with padding {padding} and dilation {dilation}, window {i} along "
                    f"{'HW'[axis]} of the input of shape {x.shape} holds padding only (it "
                    "would have no value); pad less")
    return geometry, kernel


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, return_indices=False):
    """The maximum of each kh×kw window of a batch of images (N, C, H, W).

    ``stride`` defaults to the kernel size (windows side by side); ``padding`` (at most
    half the kernel) adds −∞ around the image; ``dilation`` spaces the window's taps.
    Ties: the whole gradient of a window goes to its *first* maximum in row-major order
    (PyTorch's and JAX's choice), so the result is one of the subgradients; overlapping
    windows add their gradients up.  A window holding a nan gives nan, and its gradient goes
    to that nan (the last one if several: PyTorch's kernel).

    Parameters
    ----------
    x : Tensor or array (N, C, H, W)
    kernel_size, stride, dilation : int or (int, int)
    padding : int, (ph, pw) or ((top, bottom), (left, right))
    return_indices : bool
        Also return where each maximum is, as ``torch.nn.functional.max_pool2d``: an int64
        tensor (N, C, OH, OW) of indices flat over the input's H·W (``row · W + col``), for
        :func:`max_unpool2d`.

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> x = ag.tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    >>> y = ag.max_pool2d(x, 2)
    >>> y.numpy()[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    >>> y.sum().backward()
    >>> x.grad.numpy()[0, 0]
    array([[0., 0., 0., 0.],
           [0., 1., 0., 1.],
           [0., 0., 0., 0.],
           [0., 1., 0., 1.]])
    >>> _, where = ag.max_pool2d(x, 2, dilation=2, stride=1, return_indices=True)
    >>> where.numpy()[0, 0]
    array([[10, 11],
           [14, 15]])
    """
    x = operand(x)
    geometry, kernel = _pool_geometry("max_pool2d", x, kernel_size, stride, padding, dilation)
    out = MaxPool2d.apply(x, geometry=geometry, kernel=kernel)
    if not return_indices:
        return out
    return out, MaxPool2dIndex.apply(x, geometry=geometry, kernel=kernel)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """The mean of each kh×kw window of a batch of images (N, C, H, W).

    ``stride`` defaults to the kernel size; zero ``padding`` counts in the mean (PyTorch's
    default ``count_include_pad=True``).

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> x = ag.tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    >>> ag.avg_pool2d(x, 2).numpy()[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    x = operand(x)
    geometry, kernel = _pool_geometry("avg_pool2d", x, kernel_size, stride, padding)
    return AvgPool2d.apply(x, geometry=geometry, kernel=kernel)


class MaxUnpool2d(Function):
    name = "max_unpool2d"
    rule = "dx = dout read at the indices (each index's gradient, as PyTorch)"
    def forward(self, x, indices, shape):
        N, C = x.shape[:2]
        out = np.zeros(shape, dtype=x.dtype)
        np.put_along_axis(out.reshape(N, C, -1), indices.reshape(N, C, -1),
                          x.reshape(N, C, -1), axis=2)
        return out
    def backward(self, grad, out, x, indices):
        N, C = x.shape[:2]
        flat = _take_along(grad.reshape(N, C, -1), indices.reshape(N, C, -1), 2)
        return flat.reshape(x.shape), None


def max_unpool2d(x, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Put each value back where :func:`max_pool2d` found it, zeros elsewhere (a partial
    inverse of max pooling), as ``torch.nn.functional.max_unpool2d``.

    Parameters
    ----------
    x : Tensor or array (N, C, h, w)
        The pooled values.
    indices : Tensor or array of ints, shape of ``x``
        The flat ``row · W + col`` indices that ``max_pool2d(..., return_indices=True)`` gave.
    kernel_size, stride, padding
        Those of the pooling; the output is ``(h − 1)·stride − 2·padding + kernel`` high (and
        likewise wide) unless ``output_size`` ((H, W) or (N, C, H, W)) says otherwise.

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> x = ag.tensor([[[[1.0, 5.0], [3.0, 2.0]]]])
    >>> y, where = ag.max_pool2d(x, 2, return_indices=True)
    >>> ag.max_unpool2d(y, where, 2).numpy()[0, 0]
    array([[0., 5.],
           [0., 0.]])
    """
    op = "max_unpool2d"
    x, indices = operand(x), operand(indices)
    check_image(x, op)
    kernel = int_pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None else int_pair(stride, "stride", op)
    (top, bottom), (left, right) = padding_pairs(padding, op)
    if indices.shape != x.shape or indices.dtype.kind not in "iu":
        raise ShapeError(f"{op}: the indices must be integers of the input's shape {x.shape}, "
                         f"got {indices.dtype} of shape {indices.shape}")
    default = tuple((n - 1) * s - lo - hi + k for n, s, k, lo, hi in zip(
        x.shape[2:], stride, kernel, (top, left), (bottom, right)))
    size = default if output_size is None else tuple(output_size)[-2:]
    if len(size) != 2 or any(not default[i] - stride[i] < int(size[i]) < default[i] + stride[i]
                             for i in range(2)):
        raise ShapeError(f"{op}: output_size {output_size!r} must be (H, W) within a stride "
                         f"of the default {default} (input shape {x.shape})")
    size = tuple(int(n) for n in size)
    flat = indices.data
    if flat.size and (flat.min() < 0 or flat.max() >= size[0] * size[1]):
        raise ShapeError(f"{op}: an index is outside the output of H×W = {size[0]}×{size[1]} "
                         f"(indices from {flat.min()} to {flat.max()}; input shape {x.shape})")
    return MaxUnpool2d.apply(x, indices, shape=x.shape[:2] + size)
