"""Pooling of images in NCHW layout: ``max_pool2d`` and ``avg_pool2d``, plus fold / unfold.

Both look at the windows of the padded input (a strided view, no copy of the windows) and
send their gradient back with ``fold`` — each window's gradient added back where the window
came from.  ``fold`` and ``unfold`` are each other's derivative, so second derivatives work.
"""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..tensor import Tensor, operand
from .conv import (Geometry, check_image, fold_array, int_pair, output_size, pad_array,
                   padding_pairs, windows)


class Unfold(Function):
    rule = "dx = fold(dout): each window's gradient added back where it came from"
    def forward(self, x, geometry, kernel):
        xp = pad_array(x, geometry.padding)
        return windows(xp, kernel, geometry.stride, geometry.dilation)
    def backward(self, grad, out, x):
        return (fold(grad, self.params["geometry"], x.shape),)


class Fold(Function):
    rule = "dcols = unfold(dout): the windows of the gradient"
    def forward(self, cols, geometry, shape):
        return fold_array(cols, shape, geometry)
    def backward(self, grad, out, cols):
        return (unfold(grad, self.params["geometry"], cols.shape[-2:]),)


def unfold(x, geometry, kernel):
    """The (N, C, OH, OW, kh, kw) windows of zero-padded ``x``; an array for an array."""
    if isinstance(x, Tensor):
        return Unfold.apply(x, geometry=geometry, kernel=tuple(kernel))
    return windows(pad_array(x, geometry.padding), kernel, geometry.stride, geometry.dilation)


def fold(cols, geometry, shape):
    """Windows (N, C, OH, OW, kh, kw) added into zeros of ``shape`` (the adjoint of unfold)."""
    if isinstance(cols, Tensor):
        return Fold.apply(cols, geometry=geometry, shape=tuple(shape))
    return fold_array(cols, tuple(shape), geometry)


class MaxPool2d(Function):
    name = "max_pool2d"
    rule = "dx = dout at the first maximum of each window (row by row), 0 elsewhere"
    def forward(self, x, geometry, kernel):
        win = windows(pad_array(x, geometry.padding, -np.inf), kernel, geometry.stride,
                      geometry.dilation)
        top = win[..., 0, 0].copy()
        first = np.zeros(top.shape, dtype=np.intp)
        for k, (u, v) in enumerate(np.ndindex(*kernel)):   # kh·kw steps, no loop over pixels
            later = win[..., u, v] > top           # strictly: a tie keeps the first maximum
            later |= np.isnan(win[..., u, v]) & ~np.isnan(top)     # the first nan wins
            np.copyto(first, k, where=later)
            np.maximum(top, win[..., u, v], out=top)
        self.mask = first[..., None, None] == np.arange(k + 1).reshape(kernel)  # one-hot
        return top
    def backward(self, grad, out, x):
        return (fold(grad[..., None, None] * self.mask, self.params["geometry"], x.shape),)


class AvgPool2d(Function):
    name = "avg_pool2d"
    rule = "dx = dout / (kh·kw) spread over each window"
    def forward(self, x, geometry, kernel):
        return unfold(x, geometry, kernel).mean(axis=(-2, -1))
    def backward(self, grad, out, x):
        kh, kw = self.params["kernel"]
        share = np.broadcast_to((grad / (kh * kw))[..., None, None], out.shape + (kh, kw))
        return (fold(share, self.params["geometry"], x.shape),)


def _pool_geometry(op, x, kernel_size, stride, padding):
    check_image(x, op)
    kernel = int_pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None else int_pair(stride, "stride", op)
    padding = padding_pairs(padding, op)
    for k, pads in zip(kernel, padding):
        if max(pads) > k // 2:
            raise ShapeError(f"{op}: padding {pads} must be at most half the kernel size "
                             f"{kernel} (a window of padding only would have no value)")
    geometry = Geometry(stride, padding, (1, 1))
    output_size(op, x.shape, kernel, geometry, what="pooling window")
    return geometry, kernel


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """The maximum of each kh×kw window of a batch of images (N, C, H, W).

    ``stride`` defaults to the kernel size (windows side by side); ``padding`` (at most
    half the kernel) adds −∞ around the image.  Ties: the whole gradient of a window goes
    to its *first* maximum in row-major order (PyTorch's and JAX's choice), so the result
    is one of the subgradients; overlapping windows add their gradients up.  A window
    holding a nan gives nan, and its gradient goes to that (first) nan, as ``ag.max``.

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
    """
    x = operand(x)
    geometry, kernel = _pool_geometry("max_pool2d", x, kernel_size, stride, padding)
    return MaxPool2d.apply(x, geometry=geometry, kernel=kernel)


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
