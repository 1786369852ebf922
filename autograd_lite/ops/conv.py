"""Convolution of images: ``conv2d``, ``conv_transpose2d`` and the bilinear primitives of
their derivatives.

Images are (N, C, H, W) — batch, channels, height, width (PyTorch's "NCHW" layout); a
kernel W is (F, C / groups, kh, kw) and a bias b is (F,).  Like every deep-learning
library, "convolution" is a cross-correlation (the kernel is not flipped)::

    out[n, f, i, j] = b[f] + Σ_c,u,v  W[f, c, u, v] · x_pad[n, c, i·s + u·d, j·s + v·d]

Every op is one (batched) matrix product on the windows of the padded input (im2col
through ``sliding_window_view``); folding windows back (col2im) loops over the kh·kw kernel
offsets, never over pixels.

The derivative table closes on three bilinear operations — conv(x, W), its adjoint in x
(``conv2d_input_grad``, the "transposed convolution") and its adjoint in W
(``conv2d_weight_grad``) — so each backward is written with the other two, and the same
definitions serve second and higher derivatives.
"""
from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..tensor import Tensor, operand
from .shape import pad


class Geometry(NamedTuple):
    """How windows are laid over an image: stride, padding, dilation and groups."""
    stride: tuple            # (sh, sw)
    padding: tuple           # ((top, bottom), (left, right))
    dilation: tuple          # (dh, dw)
    groups: int = 1


# --- numpy: windows (im2col) and their adjoint (col2im) -------------------------------------

def pad_array(x, padding, value=0.0):
    """``x`` with its last two axes padded by ``((top, bottom), (left, right))`` of ``value``."""
    (top, bottom), (left, right) = padding
    if not (top or bottom or left or right):
        return x
    *lead, H, W = x.shape
    out = np.full((*lead, H + top + bottom, W + left + right), value, dtype=x.dtype)
    out[..., top:top + H, left:left + W] = x
    return out


def windows(xp, kernel, stride, dilation):
    """The (..., OH, OW, kh, kw) read-only view of every window of the (padded) ``xp``."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    view = np.lib.stride_tricks.sliding_window_view(xp, span, axis=(-2, -1))
    return view[..., ::sh, ::sw, ::dh, ::dw]


def fold_array(cols, shape, geometry):
    """The adjoint of ``windows`` after padding: add each window back where it came from, then
    cut the padding off.  ``cols`` is (..., OH, OW, kh, kw), ``shape`` the unpadded (..., H, W)."""
    *lead, OH, OW, kh, kw = cols.shape
    (sh, sw), ((top, bottom), (left, right)), (dh, dw) = geometry[:3]
    H, W = shape[-2] + top + bottom, shape[-1] + left + right
    if (sh, sw) == (kh, kw) and (dh, dw) == (1, 1) and (H, W) == (OH * kh, OW * kw):
        # windows side by side that tile the image (e.g. a 2×2 max-pool): one copy
        tiles = cols.swapaxes(-3, -2).reshape(*lead, H, W)
        return tiles[..., top:H - bottom, left:W - right]
    out = np.zeros((*lead, H, W), dtype=cols.dtype)
    for u in range(kh):                      # kh·kw strided additions, no loop over pixels
        for v in range(kw):
            out[..., u * dh:u * dh + sh * (OH - 1) + 1:sh,
                v * dw:v * dw + sw * (OW - 1) + 1:sw] += cols[..., u, v]
    return out[..., top:H - bottom, left:W - right]


def _columns(x, kernel, geometry):
    """im2col: the windows of x as (N, groups, C/groups·kh·kw, OH·OW) matrices, and OH, OW.

    One matrix per picture, pixels along the rows: the copy out of the strided view reads
    whole image rows, and products with it come out in NCHW order without a transpose."""
    N, C = x.shape[:2]
    g = geometry.groups
    win = windows(pad_array(x, geometry.padding), kernel, geometry.stride, geometry.dilation)
    OH, OW = win.shape[2:4]
    win = win.reshape(N, g, C // g, OH, OW, *kernel).transpose(0, 1, 2, 5, 6, 3, 4)
    rows = C // g * kernel[0] * kernel[1]        # not -1: an empty batch has no size to infer
    return win.reshape(N, g, rows, OH * OW), OH, OW


def conv_array(x, w, geometry):
    """out = conv(x, W) on arrays: a matrix product per picture and group."""
    F, g = w.shape[0], geometry.groups
    cols, OH, OW = _columns(x, w.shape[2:], geometry)
    out = w.reshape(g, F // g, -1) @ cols                     # (N, g, F/g, OH·OW)
    return out.reshape(x.shape[0], F, OH, OW)


def _per_group(grad, g):
    """dout (N, F, OH, OW) as (N, g, F/g, OH·OW)."""
    N, F, OH, OW = grad.shape
    return grad.reshape(N, g, F // g, OH * OW)


def conv_weight_grad_array(x, grad, geometry, w_shape):
    """dW[f, c, u, v] = Σ_n,i,j dout[n, f, i, j] · x_pad[n, c, i·s + u·d, j·s + v·d]."""
    cols, _, _ = _columns(x, w_shape[2:], geometry)
    dw = (_per_group(grad, geometry.groups) @ cols.transpose(0, 1, 3, 2)).sum(axis=0)
    return dw.reshape(w_shape)


def conv_input_grad_array(grad, w, geometry, x_shape):
    """dx = the transposed convolution of dout with W: W spreads each dout back over its window."""
    N, C, H, W = x_shape
    F, Cg, kh, kw = w.shape
    g = geometry.groups
    OH, OW = grad.shape[2:]
    # (N, g, Cg·kh·kw, OH·OW): every (channel, kernel offset) gets a contiguous image plane
    dcols = w.reshape(g, F // g, -1).transpose(0, 2, 1) @ _per_group(grad, g)
    dcols = dcols.reshape(N, g, Cg, kh, kw, OH, OW).transpose(0, 1, 2, 5, 6, 3, 4)
    return fold_array(dcols, (N, g, Cg, H, W), geometry).reshape(x_shape)


# --- the derivative table -------------------------------------------------------------------

class Conv2d(Function):
    name = "conv2d"
    rule = ("dx = conv2d_input_grad(dout, W),  dW = conv2d_weight_grad(x, dout),  "
            "db = Σ dout over n, i, j")
    def forward(self, x, w, *b, geometry):
        out = conv_array(x, w, geometry)
        if b:
            out += b[0].reshape(1, -1, 1, 1)
        return out
    def backward(self, grad, out, x, w, *b):
        geometry = self.params["geometry"]
        need_x, need_w, *need_b = self.needs_input_grad
        dx = conv2d_input_grad(grad, w, geometry, x.shape) if need_x else None
        dw = conv2d_weight_grad(x, grad, geometry, w.shape) if need_w else None
        if not b:
            return dx, dw
        return dx, dw, (grad.sum(axis=(0, 2, 3)) if need_b[0] else None)


class Conv2dInputGrad(Function):
    name = "conv2d_input_grad"
    rule = "d(dout) = conv2d(dout', W),  dW = conv2d_weight_grad(dout', dout)"
    def forward(self, grad_out, w, geometry, x_shape):
        return conv_input_grad_array(grad_out, w, geometry, x_shape)
    def backward(self, grad, out, grad_out, w):
        geometry = self.params["geometry"]
        need_g, need_w = self.needs_input_grad[:2]       # (a bias of conv_transpose2d: 3)
        return (_conv(grad, w, geometry) if need_g else None,
                conv2d_weight_grad(grad, grad_out, geometry, w.shape) if need_w else None)


class Conv2dWeightGrad(Function):
    name = "conv2d_weight_grad"
    rule = "dx = conv2d_input_grad(dout, dW'),  d(dout) = conv2d(x, dW')"
    def forward(self, x, grad_out, geometry, w_shape):
        return conv_weight_grad_array(x, grad_out, geometry, w_shape)
    def backward(self, grad, out, x, grad_out):
        geometry = self.params["geometry"]
        need_x, need_g = self.needs_input_grad
        return (conv2d_input_grad(grad_out, grad, geometry, x.shape) if need_x else None,
                _conv(x, grad, geometry) if need_g else None)


class ConvTranspose2d(Conv2dInputGrad):
    """conv2d_input_grad with a bias, under PyTorch's name: its public face."""
    name = "conv_transpose2d"
    rule = "dx = conv2d(dout, W),  dW = conv2d_weight_grad(dout, x),  db = Σ dout over n, i, j"
    def forward(self, x, w, *b, geometry, x_shape):
        out = conv_input_grad_array(x, w, geometry, x_shape)
        if b:
            out += b[0].reshape(1, -1, 1, 1)
        return out
    def backward(self, grad, out, x, w, *b):
        dx, dw = super().backward(grad, out, x, w)
        if not b:
            return dx, dw
        return dx, dw, (grad.sum(axis=(0, 2, 3)) if self.needs_input_grad[2] else None)


# Each helper records its primitive when given a Tensor (create_graph) and is plain numpy on
# arrays (a first-order backward pass), like a numpy function.
def _conv(x, w, geometry):
    if isinstance(x, Tensor) or isinstance(w, Tensor):
        return Conv2d.apply(operand(x), operand(w), geometry=geometry)
    return conv_array(x, w, geometry)


def conv2d_input_grad(grad, w, geometry, x_shape):
    """The gradient of conv2d with respect to its input (a transposed convolution)."""
    if isinstance(grad, Tensor) or isinstance(w, Tensor):
        return Conv2dInputGrad.apply(operand(grad), operand(w), geometry=geometry,
                                     x_shape=tuple(x_shape))
    return conv_input_grad_array(grad, w, geometry, tuple(x_shape))


def conv2d_weight_grad(x, grad, geometry, w_shape):
    """The gradient of conv2d with respect to its kernel."""
    if isinstance(x, Tensor) or isinstance(grad, Tensor):
        return Conv2dWeightGrad.apply(operand(x), operand(grad), geometry=geometry,
                                      w_shape=tuple(w_shape))
    return conv_weight_grad_array(x, grad, geometry, tuple(w_shape))


# --- arguments --------------------------------------------------------------------------------

def int_pair(value, what, op, minimum=1):
    """An int or a pair of ints (each ≥ ``minimum``) as a pair."""
    pair = (value, value) if isinstance(value, numbers.Integral) else value
    try:
        pair = tuple(pair)
    except TypeError:
        pair = ()
    if len(pair) != 2 or not all(isinstance(n, numbers.Integral) and not isinstance(n, bool)
                                 and n >= minimum for n in pair):
        raise ShapeError(f"{op}: {what} must be an integer ≥ {minimum} or a pair of them, "
                         f"not {value!r}")
    return tuple(int(n) for n in pair)


def padding_pairs(padding, op):
    """An int, (ph, pw) or ((top, bottom), (left, right)) as the last form."""
    if isinstance(padding, (tuple, list)) and len(padding) == 2 and all(
            isinstance(p, (tuple, list)) for p in padding):
        return tuple(int_pair(tuple(p), "padding", op, minimum=0) for p in padding)
    ph, pw = int_pair(padding, "padding", op, minimum=0)
    return (ph, ph), (pw, pw)


def _same_padding(size, kernel, stride, dilation):
    """TensorFlow/JAX "SAME": out = ceil(size / stride); the extra row goes at the end."""
    span = dilation * (kernel - 1) + 1
    total = max((-(-size // stride) - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def check_image(x, op, what="the input"):
    if x.ndim != 4:
        raise ShapeError(f"{op}: {what} must be 4-D (N, C, H, W) — batch, channels, height, "
                         f"width — but has shape {x.shape}"
                         + ("; for one image use x.reshape(1, *x.shape)" if x.ndim == 3
                            else ""))


def output_size(op, x_shape, kernel, geometry, what="kernel"):
    """(OH, OW); a (dilated) kernel larger than the padded input is an error."""
    sizes = []
    for axis, (n, k, s, (lo, hi), d) in enumerate(zip(
            x_shape[2:], kernel, geometry.stride, geometry.padding, geometry.dilation)):
        span = d * (k - 1) + 1
        if n + lo + hi < span:
            raise ShapeError(
                f"{op}: the {what} {kernel[0]}×{kernel[1]}"
                + (f" (dilated to {span} along {'HW'[axis]})" if d > 1 else "")
                + f" is larger than the padded input: shape {x_shape} padded by "
                f"{lo}+{hi} gives {'height' if axis == 0 else 'width'} {n + lo + hi}; "
                "pad more or use a smaller kernel")
        sizes.append((n + lo + hi - span) // s + 1)
    return tuple(sizes)


def _checked_operands(op, x, w, groups, layout):
    """x and W as Tensors: a 4-D batch of images, a 4-D weight (``layout`` names its axes),
    and ``groups`` a positive integer."""
    x, w = operand(x), operand(w)
    check_image(x, op)
    if w.ndim != 4:
        raise ShapeError(f"{op}: the weight must be 4-D ({layout}), but has shape {w.shape}")
    if isinstance(groups, bool) or not isinstance(groups, numbers.Integral) or groups < 1:
        raise ShapeError(f"{op}: groups must be a positive integer, not {groups!r}")
    return x, w


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) of a batch of images in NCHW layout.

    Parameters
    ----------
    x : Tensor or array (N, C, H, W)
        Batch, channels, height, width.
    w : Tensor or array (F, C / groups, kh, kw)
        F filters.
    b : Tensor or array (F,), optional
        One bias per filter.
    stride, dilation : int or (int, int)
        Step between windows; spacing between kernel taps.
    padding : int, (ph, pw), ((top, bottom), (left, right)), "valid" or "same"
        Zeros around the image.  "same" keeps ``ceil(H / stride)`` rows (TensorFlow's and
        JAX's rule; for stride 1, PyTorch's): an odd total is padded one more at the end.
    groups : int
        Split channels and filters into this many independent groups (C and F divisible).

    Returns
    -------
    Tensor (N, F, OH, OW) with ``OH = (H + top + bottom − dh·(kh − 1) − 1) // sh + 1``.

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> x = ag.tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    >>> w = ag.tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    >>> ag.conv2d(x, w, stride=2).numpy()[0, 0]          # sums of the 2×2 blocks
    array([[10., 18.],
           [42., 50.]])
    >>> ag.conv2d(x, w, padding="same").shape
    (1, 1, 4, 4)
    """
    op = "conv2d"
    x, w = _checked_operands(op, x, w, groups, "F, C/groups, kh, kw")
    F, Cg, kh, kw = w.shape
    C = x.shape[1]
    if C % groups or F % groups:
        raise ShapeError(f"{op}: groups={groups} must divide the input's {C} channels (shape "
                         f"{x.shape}) and the weight's {F} filters (shape {w.shape})")
    if Cg * groups != C:
        raise ShapeError(f"{op}: the input has {C} channels (shape {x.shape}) but the weight "
                         f"of shape {w.shape} expects {Cg}" + (f" × {groups} groups = "
                                                               f"{Cg * groups}" if groups > 1
                                                               else ""))
    stride = int_pair(stride, "stride", op)
    dilation = int_pair(dilation, "dilation", op)
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ShapeError(f"{op}: padding must be a number, a pair, 'same' or 'valid', "
                             f"not {padding!r}")
        padding = ((0, 0), (0, 0)) if padding == "valid" else tuple(
            _same_padding(n, k, s, d) for n, k, s, d in zip(x.shape[2:], (kh, kw), stride,
                                                            dilation))
    else:
        padding = padding_pairs(padding, op)
    geometry = Geometry(stride, padding, dilation, int(groups))
    output_size(op, x.shape, (kh, kw), geometry)
    if b is None:
        return Conv2d.apply(x, w, geometry=geometry)
    b = operand(b)
    if b.shape != (F,):
        raise ShapeError(f"{op}: the bias must have shape (F,) = ({F},), one per filter of "
                         f"the weight {w.shape}, but has shape {b.shape}")
    return Conv2d.apply(x, w, b, geometry=geometry)


def conv_transpose2d(x, w, bias=None, stride=1, padding=0, output_padding=0, dilation=1,
                     groups=1):
    """The transposed convolution of a batch of images, as
    ``torch.nn.functional.conv_transpose2d``: the gradient of :func:`conv2d` with respect to
    its input, so it spreads each input pixel over a kernel-sized patch of the output.

    Parameters
    ----------
    x : Tensor or array (N, C_in, H, W)
    w : Tensor or array (C_in, C_out / groups, kh, kw)
        PyTorch's layout: input channels first.
    bias : Tensor or array (C_out,), optional
    stride, padding, dilation : int or (int, int)
        Those of the convolution this one transposes; ``padding`` is taken off each side.
    output_padding : int or (int, int)
        Rows and columns added at the bottom and right (each smaller than the stride or the
        dilation) to choose between the input sizes that a convolution maps to one size.
    groups : int

    Returns
    -------
    Tensor (N, C_out, OH, OW) with
    ``OH = (H − 1)·sh − 2·ph + dh·(kh − 1) + output_padding + 1``.

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> x = ag.tensor([[[[1.0, 2.0]]]])
    >>> ag.conv_transpose2d(x, np.ones((1, 1, 1, 2)), stride=(1, 2)).numpy()
    array([[[[1., 1., 2., 2.]]]])
    """
    op = "conv_transpose2d"
    x, w = _checked_operands(op, x, w, groups, "C_in, C_out/groups, kh, kw")
    C, Cg_out, kh, kw = w.shape
    if x.shape[1] != C or C % groups:
        raise ShapeError(f"{op}: the input has {x.shape[1]} channels (shape {x.shape}); the "
                         f"weight of shape {w.shape} needs {C}, divisible by groups={groups}")
    stride = int_pair(stride, "stride", op)
    dilation = int_pair(dilation, "dilation", op)
    pads = int_pair(padding, "padding", op, minimum=0)
    extra = int_pair(output_padding, "output_padding", op, minimum=0)
    if any(e >= max(s, d) for e, s, d in zip(extra, stride, dilation)):
        raise ShapeError(f"{op}: output_padding {extra} must be smaller than the stride "
                         f"{stride} or the dilation {dilation}")
    size = tuple((n - 1) * s - 2 * p + d * (k - 1) + e + 1 for n, s, p, d, k, e in zip(
        x.shape[2:], stride, pads, dilation, (kh, kw), extra))
    if min(size) < 1:
        raise ShapeError(f"{op}: padding {pads} leaves no output from the input of shape "
                         f"{x.shape} (output size {size})")
    geometry = Geometry(stride, tuple((p, p) for p in pads), dilation, int(groups))
    shape = (x.shape[0], Cg_out * groups) + size
    windows = output_size(op, shape, (kh, kw), geometry)
    if windows != x.shape[2:]:
        # output_padding ≥ stride (below the dilation): the convolution of this output has
        # more windows than x has pixels; zero pixels at the end stand for them
        x = pad(x, ((0, 0), (0, 0)) + tuple((0, m - n) for m, n in zip(windows, x.shape[2:])))
    if bias is None:
        return ConvTranspose2d.apply(x, w, geometry=geometry, x_shape=shape)
    bias = operand(bias)
    if bias.shape != (shape[1],):
        raise ShapeError(f"{op}: the bias must have shape ({shape[1]},), one per output "
                         f"channel of the weight {w.shape}, but has shape {bias.shape}")
    return ConvTranspose2d.apply(x, w, bias, geometry=geometry, x_shape=shape)
