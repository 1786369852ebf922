"""Exponentials, logarithms and powers beyond exp/log/sqrt: each forward above its derivative.

``log1p``/``expm1`` stay accurate near 0, ``logaddexp`` never overflows; ``erf`` is computed
with Python's ``math.erf`` (no scipy).
"""
from __future__ import annotations

import math

import numpy as np

from ..function import Function
from ..tensor import operand
from .elementwise import _pair

_LN2 = math.log(2)              # Python floats keep float32 gradients float32
_LN10 = math.log(10)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


class Square(Function):
    rule = "da = dout · 2a"
    def forward(self, a):
        return np.square(a)
    def backward(self, grad, out, a):
        return (grad * (2 * a),)


class Reciprocal(Function):
    rule = "da = −dout · out²"
    def forward(self, a):
        return np.reciprocal(a)
    def backward(self, grad, out, a):
        return (-grad * (out * out),)


class Log1p(Function):
    rule = "da = dout / (1 + a)"
    def forward(self, a):
        return np.log1p(a)
    def backward(self, grad, out, a):
        return (grad / (1 + a),)


class Expm1(Function):
    rule = "da = dout · (out + 1)"
    def forward(self, a):
        return np.expm1(a)
    def backward(self, grad, out, a):
        return (grad * (out + 1),)


class Log2(Function):
    rule = "da = dout / (a · ln 2)"
    def forward(self, a):
        return np.log2(a)
    def backward(self, grad, out, a):
        return (grad / (a * _LN2),)


class Log10(Function):
    rule = "da = dout / (a · ln 10)"
    def forward(self, a):
        return np.log10(a)
    def backward(self, grad, out, a):
        return (grad / (a * _LN10),)


class Exp2(Function):
    rule = "da = dout · out · ln 2"
    def forward(self, a):
        return np.exp2(a)
    def backward(self, grad, out, a):
        return (grad * out * _LN2,)


class LogAddExp(Function):
    name = "logaddexp"
    broadcasts = True
    rule = "da = dout · e^(a − out),  db = dout · e^(b − out)"
    def forward(self, a, b):
        return np.logaddexp(a, b)
    def backward(self, grad, out, a, b):
        need_a, need_b = self.needs_input_grad
        return ((grad * np.exp(a - out) if need_a else None),
                (grad * np.exp(b - out) if need_b else None))


class LogAddExp2(Function):
    name = "logaddexp2"
    broadcasts = True
    rule = "da = dout · 2^(a − out),  db = dout · 2^(b − out)"
    def forward(self, a, b):
        return np.logaddexp2(a, b)
    def backward(self, grad, out, a, b):
        need_a, need_b = self.needs_input_grad
        return ((grad * np.exp2(a - out) if need_a else None),
                (grad * np.exp2(b - out) if need_b else None))


_erf_array = np.vectorize(math.erf, otypes=[np.float64])


class Erf(Function):
    rule = "da = dout · 2/√π · e^(−a²)"
    def forward(self, a):
        dtype = a.dtype if a.dtype.kind == "f" else np.float64
        return np.asarray(_erf_array(a), dtype=dtype)
    def backward(self, grad, out, a):
        return (grad * (_TWO_OVER_SQRT_PI * np.exp(-(a * a))),)


# --- the public functions --------------------------------------------------------------------

def square(a):
    """``a ** 2``, elementwise.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor(3.0, requires_grad=True)
    >>> ag.square(x).backward()
    >>> x.grad.item()
    6.0
    """
    return Square.apply(operand(a))


def reciprocal(a):
    """``1 / a``, elementwise (integer input stays integer, as in numpy)."""
    return Reciprocal.apply(operand(a))


def log1p(a):
    """log(1 + a), accurate for small a."""
    return Log1p.apply(operand(a))


def expm1(a):
    """e^a − 1, accurate for small a."""
    return Expm1.apply(operand(a))


def log2(a):
    """Base-2 logarithm, elementwise."""
    return Log2.apply(operand(a))


def log10(a):
    """Base-10 logarithm, elementwise."""
    return Log10.apply(operand(a))


def exp2(a):
    """2 ** a, elementwise."""
    return Exp2.apply(operand(a))


def logaddexp(a, b):
    """log(e^a + e^b) without overflow; both arguments differentiable.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.logaddexp(ag.tensor(1000.0), ag.tensor(1000.0))       # 1000 + log 2
    tensor(1000.6931)
    """
    return LogAddExp.apply(*_pair(a, b))


def logaddexp2(a, b):
    """log2(2^a + 2^b) without overflow; both arguments differentiable."""
    return LogAddExp2.apply(*_pair(a, b))


def erf(a):
    """The error function 2/√π ∫₀^a e^(−t²) dt, elementwise (computed with ``math.erf``).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor(0.0, requires_grad=True)
    >>> ag.erf(x).backward()
    >>> round(x.grad.item(), 6)       # 2/√π
    1.128379
    """
    return Erf.apply(operand(a))
