"""Trigonometric and hyperbolic primitives: each forward (numpy) sits above its derivative.

The derivatives are written with numpy functions, which run our own ops on Tensors, so each
line also gives the second derivative (``create_graph=True``).
"""
from __future__ import annotations

import math

import numpy as np

from ..function import Function
from ..tensor import Tensor, operand
from .elementwise import _pair

_PI_180 = math.pi / 180     # a Python float keeps float32 gradients float32


class Sin(Function):
    rule = "da = dout · cos a"
    def forward(self, a):
        return np.sin(a)
    def backward(self, grad, out, a):
        return (grad * np.cos(a),)


class Cos(Function):
    rule = "da = −dout · sin a"
    def forward(self, a):
        return np.cos(a)
    def backward(self, grad, out, a):
        return (-grad * np.sin(a),)


class Tan(Function):
    rule = "da = dout · (1 + out²)"
    def forward(self, a):
        return np.tan(a)
    def backward(self, grad, out, a):
        return (grad * (1 + out * out),)


class Arcsin(Function):
    rule = "da = dout / √(1 − a²)"
    def forward(self, a):
        return np.arcsin(a)
    def backward(self, grad, out, a):
        return (grad / np.sqrt(1 - a * a),)


class Arccos(Function):
    rule = "da = −dout / √(1 − a²)"
    def forward(self, a):
        return np.arccos(a)
    def backward(self, grad, out, a):
        return (-grad / np.sqrt(1 - a * a),)


class Arctan(Function):
    rule = "da = dout / (1 + a²)"
    def forward(self, a):
        return np.arctan(a)
    def backward(self, grad, out, a):
        return (grad / (1 + a * a),)


class Arctan2(Function):
    broadcasts = True
    rule = "dy = dout · x / (x² + y²),  dx = −dout · y / (x² + y²)"
    def forward(self, y, x):
        return np.arctan2(y, x)
    def backward(self, grad, out, y, x):
        need_y, need_x = self.needs_input_grad
        scale = grad / (x * x + y * y)
        return (scale * x if need_y else None), (-scale * y if need_x else None)


class Hypot(Function):
    broadcasts = True
    rule = "da = dout · a / out,  db = dout · b / out   (0 where out = 0)"
    def forward(self, a, b):
        return np.hypot(a, b)
    def backward(self, grad, out, a, b):
        need_a, need_b = self.needs_input_grad
        scale = grad / np.where(out == 0, 1, out)    # a = b = 0: a and b are 0, so is the slope
        return (scale * a if need_a else None), (scale * b if need_b else None)


class Sinh(Function):
    rule = "da = dout · cosh a"
    def forward(self, a):
        return np.sinh(a)
    def backward(self, grad, out, a):
        return (grad * np.cosh(a),)


class Cosh(Function):
    rule = "da = dout · sinh a"
    def forward(self, a):
        return np.cosh(a)
    def backward(self, grad, out, a):
        return (grad * np.sinh(a),)


class Arcsinh(Function):
    rule = "da = dout / √(a² + 1)"
    def forward(self, a):
        return np.arcsinh(a)
    def backward(self, grad, out, a):
        return (grad / np.sqrt(a * a + 1),)


class Arccosh(Function):
    rule = "da = dout / √(a² − 1)"
    def forward(self, a):
        return np.arccosh(a)
    def backward(self, grad, out, a):
        return (grad / np.sqrt(a * a - 1),)


class Arctanh(Function):
    rule = "da = dout / (1 − a²)"
    def forward(self, a):
        return np.arctanh(a)
    def backward(self, grad, out, a):
        return (grad / (1 - a * a),)


class Deg2rad(Function):
    rule = "da = dout · π/180"
    def forward(self, a):
        return np.deg2rad(a)
    def backward(self, grad, out, a):
        return (grad * _PI_180,)


class Rad2deg(Function):
    rule = "da = dout · 180/π"
    def forward(self, a):
        return np.rad2deg(a)
    def backward(self, grad, out, a):
        return (grad / _PI_180,)


class Sinc(Function):
    rule = "da = dout · (cos πa − out) / a   (0 at a = 0)"
    def forward(self, a):
        return np.sinc(a)
    def backward(self, grad, out, a):
        return (grad * _sinc_slope(a, out),)


class SincSlope(Function):
    name = "sinc_slope"
    rule = "da = dout · (−π² sinc a − 2 out / a)   (its series near a = 0)"
    def forward(self, a, sinc):
        return _sinc_slope_array(a, sinc)
    def backward(self, grad, out, a):
        near, safe = _near_zero(a)
        a2 = a * a
        series = -_PI2 / 3 + a2 * (_PI2 ** 2 / 10 - a2 * (_PI2 ** 3 / 168))
        return (grad * np.where(near, series, -_PI2 * np.sinc(a) - 2 * out / safe),)


_PI2 = math.pi ** 2
_SERIES_BELOW = 1e-2     # |a| under this: Taylor series (the quotients lose digits near 0)


def _near_zero(a):
    """Where ``a`` is near 0, and ``a`` with those places replaced by 1 (safe to divide)."""
    near = np.abs(a) < _SERIES_BELOW
    return near, np.where(near, 1, a)


def _sinc_slope_array(a, sinc):
    """d sinc(a)/da on arrays: (cos πa − sinc a) / a, or its Taylor series near 0."""
    near, safe = _near_zero(a)
    a2 = a * a
    series = a * (-_PI2 / 3 + a2 * (_PI2 ** 2 / 30 - a2 * (_PI2 ** 3 / 840)))
    slope = np.where(near, series, (np.cos(math.pi * a) - sinc) / safe)
    return slope.astype(a.dtype, copy=False)


def _sinc_slope(a, out):
    if isinstance(a, Tensor):               # recording (create_graph): a differentiable slope
        return SincSlope.apply(a, sinc=out.data)
    return _sinc_slope_array(a, out)


# --- the public functions --------------------------------------------------------------------

def sin(a):
    """Sine, elementwise (radians).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor(0.0, requires_grad=True)
    >>> ag.sin(x).backward()
    >>> x.grad.item()                  # cos 0
    1.0
    """
    return Sin.apply(operand(a))


def cos(a):
    """Cosine, elementwise (radians)."""
    return Cos.apply(operand(a))


def tan(a):
    """Tangent, elementwise (radians)."""
    return Tan.apply(operand(a))


def arcsin(a):
    """Inverse sine; its derivative is infinite at ±1."""
    return Arcsin.apply(operand(a))


def arccos(a):
    """Inverse cosine; its derivative is infinite at ±1."""
    return Arccos.apply(operand(a))


def arctan(a):
    """Inverse tangent, elementwise."""
    return Arctan.apply(operand(a))


def arctan2(y, x):
    """The angle of the point (x, y), as ``np.arctan2(y, x)``; both arguments differentiable.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.arctan2(ag.tensor(1.0), ag.tensor(1.0)).item() * 4
    3.141592653589793
    """
    return Arctan2.apply(*_pair(y, x))


def hypot(a, b):
    """√(a² + b²) without overflow; the gradient at a = b = 0 is taken as 0."""
    return Hypot.apply(*_pair(a, b))


def sinh(a):
    """Hyperbolic sine, elementwise."""
    return Sinh.apply(operand(a))


def cosh(a):
    """Hyperbolic cosine, elementwise."""
    return Cosh.apply(operand(a))


def arcsinh(a):
    """Inverse hyperbolic sine, elementwise."""
    return Arcsinh.apply(operand(a))


def arccosh(a):
    """Inverse hyperbolic cosine (defined for a ≥ 1), elementwise."""
    return Arccosh.apply(operand(a))


def arctanh(a):
    """Inverse hyperbolic tangent (defined for |a| < 1), elementwise."""
    return Arctanh.apply(operand(a))


def deg2rad(a):
    """Degrees to radians, as ``np.deg2rad``."""
    return Deg2rad.apply(operand(a))


def rad2deg(a):
    """Radians to degrees, as ``np.rad2deg``."""
    return Rad2deg.apply(operand(a))


def sinc(a):
    """The normalized sinc, sin(πa)/(πa) with sinc(0) = 1, as ``np.sinc``.

    Its derivative at 0 is 0 and its second derivative there −π²/3 (the limits).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.sinc(ag.tensor([0.0, 0.5])).numpy().round(4).tolist()
    [1.0, 0.6366]
    """
    return Sinc.apply(operand(a))
