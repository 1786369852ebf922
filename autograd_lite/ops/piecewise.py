"""Piecewise primitives: rounding, sign, remainders, and the NaN-aware fabs/fmax/fmin/nan_to_num.

Rounding and sign are flat between their jumps, so their derivative is 0 everywhere (also at
the jumps, by convention, as in PyTorch and JAX).  ``a % b`` is ``a − q·b`` with the integer
quotient ``q`` held fixed, which is how its derivative is taken.
"""
from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor, operand
from .elementwise import Answer, _pair


def _zeros(grad):
    """A zero gradient shaped like ``grad`` (a constant: its own derivative is 0 too)."""
    if isinstance(grad, Tensor):
        return Tensor._make(np.zeros(grad.shape, grad.dtype))
    return np.zeros_like(grad)


class Flat(Function):
    """A piecewise-constant op: every input gets a zero gradient."""
    rule = "da = 0   (flat between jumps; 0 at the jumps too)"
    def backward(self, grad, out, *inputs):
        return tuple(_zeros(grad) if need else None for need in self.needs_input_grad)


class Sign(Flat):
    def forward(self, a):
        return np.sign(a)


class Floor(Flat):
    def forward(self, a):
        return np.floor(a)


class Ceil(Flat):
    def forward(self, a):
        return np.ceil(a)


class Trunc(Flat):
    def forward(self, a):
        return np.trunc(a)


class Rint(Flat):
    def forward(self, a):
        return np.rint(a)


class Round(Flat):
    def forward(self, a, decimals):
        return np.round(a, decimals)


class FloorDivide(Flat):
    name = "floor_divide"
    broadcasts = True
    rule = "da = 0,  db = 0   (an integer result)"
    def forward(self, a, b):
        return np.floor_divide(a, b)


class Remainder(Function):
    broadcasts = True
    rule = "da = dout,  db = −dout · q   (q = floor(a / b), held fixed)"
    def forward(self, a, b):
        out = np.remainder(a, b)
        self.quotient = _quotient(a, b, out)
        return out
    def backward(self, grad, out, a, b):
        return grad, (-grad * self.quotient if self.needs_input_grad[1] else None)


class Fmod(Function):
    broadcasts = True
    rule = "da = dout,  db = −dout · q   (q = trunc(a / b), held fixed)"
    def forward(self, a, b):
        out = np.fmod(a, b)
        self.quotient = _quotient(a, b, out)
        return out
    def backward(self, grad, out, a, b):
        return grad, (-grad * self.quotient if self.needs_input_grad[1] else None)


def _quotient(a, b, out):
    """The integer q with a = q·b + out (exactly the one numpy's remainder used)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.round((a - out) / b)


class Fabs(Function):
    rule = "da = dout · sign(a)   (0 at a = 0)"
    def forward(self, a):
        self.sign = np.sign(a)
        return np.fabs(a)
    def backward(self, grad, out, a):
        return (grad * self.sign,)


class Fmax(Function):
    broadcasts = True
    rule = "da = dout · [a > b or b is nan],  db = the rest   (ties: half each)"
    def forward(self, a, b):
        self.share_a = _share(a > b, a, b)
        return np.fmax(a, b)
    def backward(self, grad, out, a, b):
        return grad * self.share_a, grad * (1 - self.share_a)


class Fmin(Function):
    broadcasts = True
    rule = "da = dout · [a < b or b is nan],  db = the rest   (ties: half each)"
    def forward(self, a, b):
        self.share_a = _share(a < b, a, b)
        return np.fmin(a, b)
    def backward(self, grad, out, a, b):
        return grad * self.share_a, grad * (1 - self.share_a)


def _share(a_wins, a, b):
    """The part of the gradient that goes to a: 1 where a wins or b is nan (also when both
    are), ½ at ties."""
    wins = a_wins | np.isnan(b)          # both nan: a's, as numpy returns a (and ag.max)
    return (wins + 0.5 * (a == b)).astype(np.result_type(a, b), copy=False)


class Copysign(Function):
    broadcasts = True
    rule = "da = dout · out / a   (±1; 0 at a = 0, as PyTorch),  db = 0"
    def forward(self, a, b):
        out = np.copysign(a, b)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.flip = np.where(a == 0, 0, out / a).astype(out.dtype, copy=False)
        return out
    def backward(self, grad, out, a, b):
        return grad * self.flip, (_zeros(grad) if self.needs_input_grad[1] else None)


class NanToNum(Function):
    name = "nan_to_num"
    rule = "da = dout where a is finite, 0 where nan or ±inf was replaced"
    def forward(self, a, nan, posinf, neginf):
        self.finite = np.isfinite(a)
        return np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)
    def backward(self, grad, out, a):
        return (np.where(self.finite, grad, 0),)


class IsNan(Answer):
    ufunc = staticmethod(np.isnan)


class IsInf(Answer):
    ufunc = staticmethod(np.isinf)


class IsFinite(Answer):
    ufunc = staticmethod(np.isfinite)


# --- the public functions --------------------------------------------------------------------

def sign(a):
    """−1, 0 or 1 by the sign of ``a``; its gradient is 0 everywhere (also at 0).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    >>> ag.sign(x).sum().backward()
    >>> x.grad
    tensor([0., 0., 0.])
    """
    return Sign.apply(operand(a))


def floor(a):
    """Round down; the gradient is 0 everywhere (also at the integers)."""
    return Floor.apply(operand(a))


def ceil(a):
    """Round up; the gradient is 0 everywhere (also at the integers)."""
    return Ceil.apply(operand(a))


def trunc(a):
    """Round toward zero; the gradient is 0 everywhere."""
    return Trunc.apply(operand(a))


def rint(a):
    """Round to the nearest integer (halves to even); the gradient is 0 everywhere."""
    return Rint.apply(operand(a))


def round(a, decimals=0):
    """Round to ``decimals`` places as ``np.round`` (halves to even); the gradient is 0.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.round(ag.tensor([0.5, 1.5, 2.5]))
    tensor([0., 2., 2.])
    >>> ag.round(ag.tensor(3.14159), 2)
    tensor(3.14)
    """
    return Round.apply(operand(a), decimals=int(decimals))


def floor_divide(a, b):
    """``a // b`` as numpy; the gradient is 0 for both arguments."""
    return FloorDivide.apply(*_pair(a, b))


def remainder(a, b):
    """``a % b`` with the sign of ``b`` (Python's and numpy's ``%``); both differentiable.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> (ag.tensor([5.5, -5.5]) % 2.0).tolist()
    [1.5, 0.5]
    """
    return Remainder.apply(*_pair(a, b))


mod = remainder


def fmod(a, b):
    """The C remainder ``a − trunc(a / b)·b``, with the sign of ``a``; both differentiable."""
    return Fmod.apply(*_pair(a, b))


def fabs(a):
    """Absolute value as a float; its derivative at 0 is taken as 0."""
    return Fabs.apply(operand(a))


def fmax(a, b):
    """Elementwise maximum that ignores NaN (the other value wins); ties share the gradient."""
    return Fmax.apply(*_pair(a, b))


def fmin(a, b):
    """Elementwise minimum that ignores NaN (the other value wins); ties share the gradient."""
    return Fmin.apply(*_pair(a, b))


def copysign(a, b):
    """The magnitude of ``a`` with the sign of ``b`` (its sign bit: −0.0 counts as negative),
    as ``np.copysign``.  ``a`` gets the gradient ±1 (0 at a = 0, as PyTorch), ``b`` none.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> a = ag.tensor([2.0, -3.0, 0.0], requires_grad=True)
    >>> y = ag.copysign(a, ag.tensor([-1.0, 1.0, -0.0]))
    >>> y.sum().backward()
    >>> y, a.grad
    (tensor([-2.,  3., -0.], grad_fn=copysign), tensor([-1., -1.,  0.]))
    """
    a, b = _pair(a, b)
    if a.dtype.kind != "f":
        a = a.astype(np.result_type(a.dtype, b.dtype, np.float16))
    return Copysign.apply(a, b)


def nan_to_num(a, copy=True, nan=0.0, posinf=None, neginf=None):
    """Replace nan and ±inf by finite numbers; the replaced places get no gradient.

    ``copy`` is accepted for numpy's signature; a new tensor is always returned.

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> ag.nan_to_num(ag.tensor([np.nan, 1.0, np.inf]), posinf=9.0)
    tensor([0., 1., 9.])
    """
    return NanToNum.apply(operand(a), nan=nan, posinf=posinf, neginf=neginf)


def isnan(a):
    """Where ``a`` is nan: a boolean tensor (no gradient)."""
    return IsNan.apply(operand(a))


def isinf(a):
    """Where ``a`` is ±inf: a boolean tensor (no gradient)."""
    return IsInf.apply(operand(a))


def isfinite(a):
    """Where ``a`` is neither nan nor ±inf: a boolean tensor (no gradient).

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> ag.isfinite(ag.tensor([1.0, np.nan, -np.inf]))
    tensor([ True, False, False], dtype=bool)
    """
    return IsFinite.apply(operand(a))
