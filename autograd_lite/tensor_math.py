"""The math methods of Tensor (``t.sin()``, ``t.var(axis)``, ``t % 2``, ...), kept out of
tensor.py so that file stays short.  Each one only delegates to an op in ``autograd_lite.ops``.
"""
from __future__ import annotations

import numpy as np

from . import ops as _ops     # the op modules are attributes once tensor.py has loaded them


class MathMethods:
    """Mixin of :class:`~autograd_lite.Tensor`: numpy's (and PyTorch's) elementwise math and
    reductions as methods.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> t = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> t.prod(axis=1), t.var(), t.argmax(axis=0)
    (tensor([ 2., 12.]), tensor(1.25), tensor([1, 1], dtype=int64))
    """

    __slots__ = ()

    # --- operators -------------------------------------------------------------------------
    def __mod__(self, other): return _ops.piecewise.remainder(self, other)
    def __rmod__(self, other): return _ops.piecewise.remainder(other, self)
    def __floordiv__(self, other): return _ops.piecewise.floor_divide(self, other)
    def __rfloordiv__(self, other): return _ops.piecewise.floor_divide(other, self)
    def __divmod__(self, other): return self // other, self % other
    def __rdivmod__(self, other):
        return _ops.piecewise.floor_divide(other, self), _ops.piecewise.remainder(other, self)

    # bitwise on integers and bools (``mask_a & mask_b``); no gradient
    def __and__(self, other): return _ops.logical.bitwise_and(self, other)
    def __rand__(self, other): return _ops.logical.bitwise_and(other, self)
    def __or__(self, other): return _ops.logical.bitwise_or(self, other)
    def __ror__(self, other): return _ops.logical.bitwise_or(other, self)
    def __xor__(self, other): return _ops.logical.bitwise_xor(self, other)
    def __rxor__(self, other): return _ops.logical.bitwise_xor(other, self)
    def __lshift__(self, other): return _ops.logical.left_shift(self, other)
    def __rlshift__(self, other): return _ops.logical.left_shift(other, self)
    def __rshift__(self, other): return _ops.logical.right_shift(self, other)
    def __rrshift__(self, other): return _ops.logical.right_shift(other, self)
    def __invert__(self): return _ops.logical.invert(self)

    def __round__(self, ndigits=None):
        return _ops.piecewise.round(self, 0 if ndigits is None else ndigits)

    # --- elementwise -----------------------------------------------------------------------
    def sin(self): return _ops.trig.sin(self)
    def cos(self): return _ops.trig.cos(self)
    def tan(self): return _ops.trig.tan(self)
    def arcsin(self): return _ops.trig.arcsin(self)
    def arccos(self): return _ops.trig.arccos(self)
    def arctan(self): return _ops.trig.arctan(self)
    def sinh(self): return _ops.trig.sinh(self)
    def cosh(self): return _ops.trig.cosh(self)
    def arcsinh(self): return _ops.trig.arcsinh(self)
    def arccosh(self): return _ops.trig.arccosh(self)
    def arctanh(self): return _ops.trig.arctanh(self)
    def sinc(self): return _ops.trig.sinc(self)

    def square(self): return _ops.exponential.square(self)
    def reciprocal(self): return _ops.exponential.reciprocal(self)
    def log1p(self): return _ops.exponential.log1p(self)
    def expm1(self): return _ops.exponential.expm1(self)
    def log2(self): return _ops.exponential.log2(self)
    def log10(self): return _ops.exponential.log10(self)
    def exp2(self): return _ops.exponential.exp2(self)
    def erf(self): return _ops.exponential.erf(self)

    def sign(self): return _ops.piecewise.sign(self)
    def floor(self): return _ops.piecewise.floor(self)
    def ceil(self): return _ops.piecewise.ceil(self)
    def trunc(self): return _ops.piecewise.trunc(self)
    def round(self, decimals=0): return _ops.piecewise.round(self, decimals)
    def fmod(self, other): return _ops.piecewise.fmod(self, other)
    def remainder(self, other): return _ops.piecewise.remainder(self, other)
    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return _ops.piecewise.nan_to_num(self, nan=nan, posinf=posinf, neginf=neginf)
    def isnan(self): return _ops.piecewise.isnan(self)
    def isinf(self): return _ops.piecewise.isinf(self)
    def isfinite(self): return _ops.piecewise.isfinite(self)
    def copysign(self, other): return _ops.piecewise.copysign(self, other)
    def nonzero(self): return _ops.logical.nonzero(self)
    def logical_not(self): return _ops.logical.logical_not(self)
    def logical_and(self, other): return _ops.logical.logical_and(self, other)
    def logical_or(self, other): return _ops.logical.logical_or(self, other)
    def logical_xor(self, other): return _ops.logical.logical_xor(self, other)
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _ops.logical.isclose(self, other, rtol, atol, equal_nan)
    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _ops.logical.allclose(self, other, rtol, atol, equal_nan)

    # --- reductions and running totals -----------------------------------------------------
    def prod(self, axis=None, keepdims=False): return _ops.cumulative.prod(self, axis, keepdims)
    def cumsum(self, axis=None): return _ops.cumulative.cumsum(self, axis)
    def cumprod(self, axis=None): return _ops.cumulative.cumprod(self, axis)
    def diff(self, n=1, axis=-1): return _ops.cumulative.diff(self, n, axis)
    def cummax(self, axis=None, return_indices=False):
        return _ops.cumulative.cummax(self, axis, return_indices)
    def cummin(self, axis=None, return_indices=False):
        return _ops.cumulative.cummin(self, axis, return_indices)
    def var(self, axis=None, ddof=0, keepdims=False):
        return _ops.stats.var(self, axis, ddof, keepdims)
    def std(self, axis=None, ddof=0, keepdims=False):
        return _ops.stats.std(self, axis, ddof, keepdims)
    def norm(self, ord=None, axis=None, keepdims=False):
        return _ops.stats.norm(self, ord, axis, keepdims)

    def sort(self, axis=-1):
        """A sorted copy (differentiable), unlike numpy's in-place ``ndarray.sort``."""
        return _ops.sorting.sort(self, axis)
    def argsort(self, axis=-1, kind=None): return _ops.sorting.argsort(self, axis, kind)
    def partition(self, kth, axis=-1):
        """A partitioned copy (differentiable), unlike numpy's in-place ``ndarray.partition``."""
        return _ops.sorting.partition(self, kth, axis)
    def argpartition(self, kth, axis=-1): return _ops.sorting.argpartition(self, kth, axis)
    def argmax(self, axis=None, keepdims=False): return _ops.sorting.argmax(self, axis, keepdims)
    def argmin(self, axis=None, keepdims=False): return _ops.sorting.argmin(self, axis, keepdims)
    def any(self, axis=None, keepdims=False): return _ops.sorting.any(self, axis, keepdims)
    def all(self, axis=None, keepdims=False): return _ops.sorting.all(self, axis, keepdims)


# --- numpy's own functions on a Tensor (np.sin(t), np.var(t, ddof=1), ...) ------------------

def numpy_tables():
    """The numpy ufuncs and functions that run our ops when given a Tensor: two dicts that
    tensor.py adds to its ``_UFUNCS`` and ``_FUNCTIONS`` once the op modules are loaded."""
    from .ops import cumulative, exponential, logical, piecewise, sorting, stats, trig
    ufuncs = {
        np.sin: trig.sin, np.cos: trig.cos, np.tan: trig.tan, np.arcsin: trig.arcsin,
        np.arccos: trig.arccos, np.arctan: trig.arctan, np.arctan2: trig.arctan2,
        np.hypot: trig.hypot, np.sinh: trig.sinh, np.cosh: trig.cosh,
        np.arcsinh: trig.arcsinh, np.arccosh: trig.arccosh, np.arctanh: trig.arctanh,
        np.deg2rad: trig.deg2rad, np.radians: trig.deg2rad, np.rad2deg: trig.rad2deg,
        np.degrees: trig.rad2deg,
        np.square: exponential.square, np.reciprocal: exponential.reciprocal,
        np.log1p: exponential.log1p, np.expm1: exponential.expm1, np.log2: exponential.log2,
        np.log10: exponential.log10, np.exp2: exponential.exp2,
        np.logaddexp: exponential.logaddexp, np.logaddexp2: exponential.logaddexp2,
        np.sign: piecewise.sign, np.floor: piecewise.floor, np.ceil: piecewise.ceil,
        np.trunc: piecewise.trunc, np.rint: piecewise.rint, np.fmod: piecewise.fmod,
        np.remainder: piecewise.remainder, np.floor_divide: piecewise.floor_divide,
        np.fabs: piecewise.fabs, np.fmax: piecewise.fmax, np.fmin: piecewise.fmin,
        np.isnan: piecewise.isnan, np.isinf: piecewise.isinf, np.isfinite: piecewise.isfinite,
        np.copysign: piecewise.copysign,
        np.bitwise_and: logical.bitwise_and, np.bitwise_or: logical.bitwise_or,
        np.bitwise_xor: logical.bitwise_xor, np.invert: logical.invert,
        np.left_shift: logical.left_shift, np.right_shift: logical.right_shift,
        np.logical_and: logical.logical_and, np.logical_or: logical.logical_or,
        np.logical_xor: logical.logical_xor, np.logical_not: logical.logical_not,
    }
    functions = {
        np.sinc: trig.sinc, np.nan_to_num: piecewise.nan_to_num, np.diff: cumulative.diff,
        np.linalg.norm: stats.norm, np.round: _np_round, np.around: _np_round,
        np.prod: _np_prod, np.cumsum: _np_cumsum, np.cumprod: _np_cumprod, np.var: _np_var,
        np.std: _np_std, np.sort: _np_sort, np.argsort: _np_argsort,
        np.argmax: _np_argmax, np.argmin: _np_argmin, np.any: _np_any, np.all: _np_all,
        np.isclose: logical.isclose, np.allclose: logical.allclose, np.nonzero: logical.nonzero,
    }
    return ufuncs, functions


# numpy's signatures, with the arguments a Tensor op cannot honour refused (never ignored)
def _np_round(a, decimals=0, out=None):
    _refuse("round", out=out)
    return _ops.piecewise.round(a, decimals)


def _np_prod(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    _refuse("prod", dtype=dtype, out=out, **kwargs)
    return _ops.cumulative.prod(a, axis, keepdims)


def _np_cumsum(a, axis=None, dtype=None, out=None):
    _refuse("cumsum", dtype=dtype, out=out)
    return _ops.cumulative.cumsum(a, axis)


def _np_cumprod(a, axis=None, dtype=None, out=None):
    _refuse("cumprod", dtype=dtype, out=out)
    return _ops.cumulative.cumprod(a, axis)


def _np_var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
    _refuse("var", dtype=dtype, out=out, **kwargs)
    return _ops.stats.var(a, axis, ddof, keepdims)


def _np_std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
    _refuse("std", dtype=dtype, out=out, **kwargs)
    return _ops.stats.std(a, axis, ddof, keepdims)


def _np_sort(a, axis=-1, kind=None, order=None, **kwargs):
    _refuse("sort", order=order, **kwargs)
    return _ops.sorting.sort(a, axis)


def _np_argsort(a, axis=-1, kind=None, order=None, **kwargs):
    _refuse("argsort", order=order, **kwargs)
    return _ops.sorting.argsort(a, axis, kind)


def _np_argmax(a, axis=None, out=None, *, keepdims=False):
    _refuse("argmax", out=out)
    return _ops.sorting.argmax(a, axis, keepdims)


def _np_argmin(a, axis=None, out=None, *, keepdims=False):
    _refuse("argmin", out=out)
    return _ops.sorting.argmin(a, axis, keepdims)


def _np_any(a, axis=None, out=None, keepdims=False, **kwargs):
    _refuse("any", out=out, **kwargs)
    return _ops.sorting.any(a, axis, keepdims)


def _np_all(a, axis=None, out=None, keepdims=False, **kwargs):
    _refuse("all", out=out, **kwargs)
    return _ops.sorting.all(a, axis, keepdims)


def _refuse(name, **arguments):
    """Raise for numpy arguments given a value (``out``, ``dtype``, ``where``, ...)."""
    given = [k for k, v in arguments.items() if v is not None and v is not np._NoValue]
    if given:
        raise TypeError(f"np.{name} on a Tensor does not take {', '.join(given)}; call it "
                        "without (convert with .astype(), keep the result instead of out=)")
