"""Activation primitives g(z) of the course, and softmax / log_softmax, computed stably."""
from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import operand
from .reduce import _normalize_axis


# exp(x) overflows above these: the log of the largest finite value, rounded down
_EXP_LIMIT = {np.dtype(t): float(np.floor(np.log(np.finfo(t).max)))
              for t in (np.float16, np.float32, np.float64)}


def _sigmoid(z):
    if z.dtype.kind != "f":
        z = z.astype(np.float64)
    # an array to work in place on (numpy gives a scalar for a 0-d input)
    out = np.negative(z) if z.ndim else np.negative(z, out=np.empty_like(z))
    if out.size and out.max() > _EXP_LIMIT.get(out.dtype, 88.0):
        # exp(-z) would overflow: use exp(-|z|), which never does (same values).
        e = np.exp(-np.abs(z))
        s = 1 / (1 + e)
        return np.where(z >= 0, s, e * s)
    np.exp(out, out=out)            # in place: 1 / (1 + e^(−z)) with no temporaries
    out += 1
    return np.reciprocal(out, out=out)


class Sigmoid(Function):
    rule = "dz = da · a(1 − a)"
    def forward(self, z):
        return _sigmoid(z)
    def backward(self, grad, out, z):
        return (grad * out * (1 - out),)


class Tanh(Function):
    rule = "dz = da · (1 − a²)"
    def forward(self, z):
        return np.tanh(z)
    def backward(self, grad, out, z):
        return (grad * (1 - out * out),)


class ReLU(Function):
    name = "relu"
    rule = "dz = da · [z > 0]"
    def forward(self, z):
        self.positive = z > 0
        return np.maximum(z, 0)
    def backward(self, grad, out, z):
        return (np.where(self.positive, grad, 0),)


class LeakyReLU(Function):
    name = "leaky_relu"
    rule = "dz = da · (1 if z > 0 else α)"
    def forward(self, z, alpha):
        self.slope = np.where(z > 0, 1.0, alpha).astype(z.dtype, copy=False)
        return z * self.slope
    def backward(self, grad, out, z):
        return (grad * self.slope,)


class Softplus(Function):
    rule = "dz = da · σ(β·z)   (da where β·z > threshold: the linear part)"
    def forward(self, z, beta, threshold):
        if z.dtype.kind != "f":
            z = z.astype(np.float64)
        bz = z * z.dtype.type(beta)
        smooth = np.logaddexp(0, bz).astype(z.dtype, copy=False)
        if beta != 1:
            smooth = smooth / z.dtype.type(beta)
        return np.where(bz > threshold, z, smooth)
    def backward(self, grad, out, z):
        # σ(β·z) = exp(β·z − log(1 + e^(β·z))) = exp(β·(z − out)); past the threshold out = z,
        # so the same expression gives exactly 1 there (and 0 as its derivative, as PyTorch)
        return (grad * np.exp((z - out) * self.params["beta"]),)


class Softmax(Function):
    rule = "dz = a · (da − Σ da·a)"
    def forward(self, z, axis):
        e = np.exp(z - z.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)
    def backward(self, grad, out, z):
        return (out * (grad - (grad * out).sum(axis=self.params["axis"], keepdims=True)),)


class LogSoftmax(Function):
    name = "log_softmax"
    rule = "dz = da − softmax(z) · Σ da"
    def forward(self, z, axis):
        shifted = z - z.max(axis=axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    def backward(self, grad, out, z):
        return (grad - np.exp(out) * grad.sum(axis=self.params["axis"], keepdims=True),)


def sigmoid(z):
    """The logistic function σ(z) = 1 / (1 + e^(−z)), stable for large |z|.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.sigmoid(ag.tensor([0.0, 1000.0, -1000.0]))
    tensor([0.5, 1. , 0. ])
    """
    return Sigmoid.apply(operand(z))


def tanh(z):
    """Hyperbolic tangent."""
    return Tanh.apply(operand(z))


def relu(z):
    """max(z, 0); its derivative at 0 is taken as 0."""
    return ReLU.apply(operand(z))


def leaky_relu(z, alpha=0.01):
    """z for z > 0, alpha·z otherwise."""
    return LeakyReLU.apply(operand(z), alpha=float(alpha))


def softplus(z, beta=1.0, threshold=20.0):
    """log(1 + e^(β·z)) / β, stable for large |z|; its derivative is σ(β·z).

    As ``torch.nn.functional.softplus``: ``beta`` sharpens the curve toward relu as it
    grows, and where β·z > ``threshold`` the result is z itself (derivative 1).

    Parameters
    ----------
    z : Tensor or array_like
    beta : float, optional
        A finite number other than 0 (default 1).
    threshold : float, optional
        Above it (in units of β·z) the function is the identity (default 20).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.softplus(ag.tensor([0.0, 10.0]), beta=2.0)
    tensor([ 0.3466, 10.    ])
    >>> ag.softplus(ag.tensor([1.0, 30.0]), threshold=5.0)
    tensor([ 1.3133, 30.    ])
    """
    z = operand(z)
    beta, threshold = _finite(beta, "beta"), _finite(threshold, "threshold")
    if beta == 0:
        raise ValueError(f"softplus: beta must not be 0 (it divides), input shape {z.shape}")
    return Softplus.apply(z, beta=beta, threshold=threshold)


def _finite(value, what):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"softplus: {what} must be a number, got "
                        f"{type(value).__name__}") from None
    if not np.isfinite(number):
        raise ValueError(f"softplus: {what} must be finite, got {number}")
    return number


def softmax(z, axis=-1):
    """exp(z) / Σ exp(z) along ``axis`` (the course's classes are along axis 0)."""
    z = operand(z)
    return Softmax.apply(z, axis=_normalize_axis(axis, z.shape, "softmax", allow_none=False))


def log_softmax(z, axis=-1):
    """log(softmax(z)) along ``axis``, computed without overflow."""
    z = operand(z)
    return LogSoftmax.apply(z, axis=_normalize_axis(axis, z.shape, "log_softmax", allow_none=False))
