"""Bitwise, logical and closeness answers: ``& | ^ ~ << >>``, ``np.logical_*``, ``isclose``,
``allclose`` and ``nonzero``.

None has a gradient: each is a recorded primitive with ``differentiable = False``, so a
compiled step computes it again from every call's data.  Bitwise operators take integers
and bools, as numpy's do; logical ones take any numbers (non-zero is true).
"""
from __future__ import annotations

import numpy as np

from ..errors import DTypeError
from ..tensor import operand
from .elementwise import Answer, _pair, check_broadcast


class BitwiseAnd(Answer):
    name, ufunc = "bitwise_and", staticmethod(np.bitwise_and)


class BitwiseOr(Answer):
    name, ufunc = "bitwise_or", staticmethod(np.bitwise_or)


class BitwiseXor(Answer):
    name, ufunc = "bitwise_xor", staticmethod(np.bitwise_xor)


class Invert(Answer):
    name, ufunc = "invert", staticmethod(np.invert)


class LeftShift(Answer):
    name, ufunc = "left_shift", staticmethod(np.left_shift)


class RightShift(Answer):
    name, ufunc = "right_shift", staticmethod(np.right_shift)


class LogicalAnd(Answer):
    name, ufunc = "logical_and", staticmethod(np.logical_and)


class LogicalOr(Answer):
    name, ufunc = "logical_or", staticmethod(np.logical_or)


class LogicalXor(Answer):
    name, ufunc = "logical_xor", staticmethod(np.logical_xor)


class LogicalNot(Answer):
    name, ufunc = "logical_not", staticmethod(np.logical_not)


class IsClose(Answer):
    name = "isclose"
    def forward(self, a, b, rtol, atol, equal_nan):
        return np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


class Nonzero(Answer):
    def forward(self, a):
        return np.stack(np.nonzero(np.atleast_1d(a)))    # one row of indices per axis


def _binary(cls, a, b, symbol=None):
    a, b = _pair(a, b)
    _integers(cls.name, a, b)
    check_broadcast(f"{cls.name}{f' ({symbol})' if symbol else ''}: cannot combine", a, b)
    return cls.apply(a, b)


def _integers(op, *tensors, symbol=None):
    """Bitwise ops take integers and bools only (numpy's TypeError, said clearly)."""
    if op.startswith("logical"):
        return
    for t in tensors:
        if t.dtype.kind not in "biu":
            raise DTypeError(f"{op}: takes integer or boolean tensors, got dtype {t.dtype} "
                             f"(shape {t.shape}); compare first (e.g. x > 0) or convert with "
                             ".astype('int64')")


# --- the public functions --------------------------------------------------------------------

def bitwise_and(a, b):
    """``a & b`` of integers or bools, as ``np.bitwise_and``; no gradient.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([1.0, -2.0, 3.0])
    >>> (x > 0) & (x < 2)
    tensor([ True, False, False], dtype=bool)
    >>> ag.tensor([12, 10]) & 6
    tensor([4, 2], dtype=int64)
    """
    return _binary(BitwiseAnd, a, b, "&")


def bitwise_or(a, b):
    """``a | b`` of integers or bools, as ``np.bitwise_or``; no gradient."""
    return _binary(BitwiseOr, a, b, "|")


def bitwise_xor(a, b):
    """``a ^ b`` of integers or bools, as ``np.bitwise_xor``; no gradient."""
    return _binary(BitwiseXor, a, b, "^")


def left_shift(a, b):
    """``a << b`` of integers, as ``np.left_shift``; no gradient."""
    return _binary(LeftShift, a, b, "<<")


def right_shift(a, b):
    """``a >> b`` of integers, as ``np.right_shift``; no gradient."""
    return _binary(RightShift, a, b, ">>")


def invert(a):
    """``~a``: bitwise not of integers, logical not of bools (``np.invert``); no gradient."""
    a = operand(a)
    _integers("invert", a)
    return Invert.apply(a)


bitwise_not = invert


def logical_and(a, b):
    """Elementwise ``a and b`` (non-zero is true), as ``np.logical_and``; no gradient."""
    return _binary(LogicalAnd, a, b)


def logical_or(a, b):
    """Elementwise ``a or b`` (non-zero is true), as ``np.logical_or``; no gradient."""
    return _binary(LogicalOr, a, b)


def logical_xor(a, b):
    """Elementwise ``a != b`` as truth values, as ``np.logical_xor``; no gradient."""
    return _binary(LogicalXor, a, b)


def logical_not(a):
    """Elementwise ``not a`` (zero is false), as ``np.logical_not``; no gradient.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.logical_not(ag.tensor([0.0, 2.0]))
    tensor([ True, False], dtype=bool)
    """
    return LogicalNot.apply(operand(a))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Where ``|a − b| <= atol + rtol·|b|``, as ``np.isclose``: a boolean tensor, no gradient.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.isclose(ag.tensor([1.0, 1.1]), 1.0 + 1e-9)
    tensor([ True, False], dtype=bool)
    """
    a, b = _pair(a, b)
    check_broadcast("isclose: cannot compare", a, b)
    return IsClose.apply(a, b, rtol=float(rtol), atol=float(atol), equal_nan=bool(equal_nan))


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether ``isclose`` holds everywhere, as ``np.allclose``: a 0-d boolean tensor (``bool()``
    of it is the answer; inside a compiled step keep it a tensor).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> bool(ag.allclose(ag.tensor([1.0, 2.0]), [1.0, 2.0 + 1e-9]))
    True
    """
    from .sorting import all as _all
    return _all(isclose(a, b, rtol, atol, equal_nan))


def nonzero(a):
    """The indices of the non-zero elements, one integer tensor per axis (``np.nonzero``).

    A 0-d input is read as 1-d, as numpy ≥ 2 requires ``np.atleast_1d`` for it.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> rows, cols = ag.nonzero(ag.tensor([[0.0, 3.0], [4.0, 0.0]]))
    >>> rows, cols
    (tensor([0, 1], dtype=int64), tensor([1, 0], dtype=int64))
    """
    a = operand(a)
    indices = Nonzero.apply(a)
    return tuple(indices[i] for i in range(max(a.ndim, 1)))

