"""Elementwise primitives: each forward (numpy) sits directly above its derivative.

Read each ``backward`` as a line of a derivative table: ``grad`` is dL/d(out), the returned
values are dL/d(input).  Broadcasting is undone by the engine, not here.
"""
from __future__ import annotations

import numpy as np

from ..errors import DTypeError, GraphError, ShapeError
from ..errors import NumericalWarning
from ..function import Function, _state, warn_at_user_code
from ..tensor import Tensor, as_tensor, operand


def _pair(a, b):
    """Both operands as Tensors; a Python number takes the other operand's dtype (numpy 2's
    "weak" scalars: ``float32_tensor * 2.0`` stays float32, ``int32_tensor + 1`` int32)."""
    if isinstance(a, Tensor):
        return a, operand(b, a)
    b = operand(b)
    return operand(a, b), b


class Add(Function):
    broadcasts = True
    rule = "da = dout,  db = dout"
    def forward(self, a, b):
        return a + b
    def backward(self, grad, out, a, b):
        return grad, grad


class Sub(Function):
    broadcasts = True
    rule = "da = dout,  db = −dout"
    def forward(self, a, b):
        return a - b
    def backward(self, grad, out, a, b):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Function):
    broadcasts = True
    rule = "da = dout · b,  db = dout · a"
    def forward(self, a, b):
        return a * b
    def backward(self, grad, out, a, b):
        need_a, need_b = self.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Div(Function):
    broadcasts = True
    rule = "da = dout / b,  db = −dout · out / b"
    def forward(self, a, b):
        return a / b
    def backward(self, grad, out, a, b):
        need_a, need_b = self.needs_input_grad
        return (grad / b if need_a else None), (-grad * out / b if need_b else None)


class Neg(Function):
    rule = "da = −dout"
    def forward(self, a):
        return -a
    def backward(self, grad, out, a):
        return (-grad,)


class Pow(Function):
    broadcasts = True
    rule = "da = dout · p · a^(p−1),  dp = dout · out · log a   (−inf at 0^p, p < 0; nan at a < 0)"
    def forward(self, a, p):
        # where a = 0 and p = 0, p · a^(p−1) would be 0 · inf = nan: remember those places
        # (always the same steps, whatever the values: a compiled step records them once)
        self.zero_zero = (a == 0) & (p == 0)
        return a ** p
    def backward(self, grad, out, a, p):
        need_a, need_p = self.needs_input_grad
        da = dp = None
        if need_a:
            base = np.where(self.zero_zero, 1, a)
            da = grad * p * base ** (p - 1)          # the factor p is 0 where base was replaced
        if need_p:
            # d/dp a^p = a^p log a for a > 0, written with a^p recomputed on a safe base (1
            # where a <= 0, so log gives 0): out · log a itself would send 0 · inf = nan into
            # higher derivatives.  The limits elsewhere are added as a constant (PyTorch's
            # values): 0 at 0^p with p >= 0, −inf at 0^p with p < 0, nan at a < 0 (a^p of a
            # negative base has no slope in p, not even at an integer p).
            safe = np.where(a > 0, a, 1)
            dp = grad * (safe ** p * np.log(safe) + _pow_edge(a, p, out.dtype))
        return da, dp


class PowEdge(Function):
    name = "pow_edge"
    differentiable = False
    rule = "no gradient (the limits of d/dp a^p where a <= 0)"
    def forward(self, a, p, dtype):
        with np.errstate(invalid="ignore"):
            edge = np.where((a == 0) & (p < 0), -np.inf, 0.0)
            return np.where(a < 0, np.nan, edge).astype(dtype, copy=False)


def _pow_edge(a, p, dtype):
    """PowEdge of arrays (first order) or of Tensors (recorded, under create_graph)."""
    if isinstance(a, Tensor):
        return PowEdge.apply(a, p, dtype=dtype)
    return _new_function(PowEdge).forward(a, p, dtype)


_new_function = object.__new__


class Exp(Function):
    rule = "da = dout · out"
    def forward(self, a):
        return np.exp(a)
    def backward(self, grad, out, a):
        return (grad * out,)


class Log(Function):
    rule = "da = dout / a"
    def forward(self, a):
        return np.log(a)
    def backward(self, grad, out, a):
        return (grad / a,)


class Sqrt(Function):
    rule = "da = dout / (2 · out)"
    def forward(self, a):
        return np.sqrt(a)
    def backward(self, grad, out, a):
        return (grad / (2 * out),)


class Abs(Function):
    rule = "da = dout · sign(a)   (0 at a = 0)"
    def forward(self, a):
        self.sign = np.sign(a)
        return np.abs(a)
    def backward(self, grad, out, a):
        return (grad * self.sign,)


class Maximum(Function):
    broadcasts = True
    rule = "da = dout · [a > b],  db = dout · [b > a]   (ties: half each)"
    def forward(self, a, b):
        self.share_a = ((a > b) + 0.5 * (a == b)).astype(np.result_type(a, b), copy=False)
        return np.maximum(a, b)
    def backward(self, grad, out, a, b):
        return grad * self.share_a, grad * (1 - self.share_a)


class Minimum(Function):
    broadcasts = True
    rule = "da = dout · [a < b],  db = dout · [b < a]   (ties: half each)"
    def forward(self, a, b):
        self.share_a = ((a < b) + 0.5 * (a == b)).astype(np.result_type(a, b), copy=False)
        return np.minimum(a, b)
    def backward(self, grad, out, a, b):
        return grad * self.share_a, grad * (1 - self.share_a)


class Where(Function):
    broadcasts = True
    rule = "da = dout · [cond],  db = dout · [not cond]"
    def forward(self, a, b, condition):
        self.condition = condition
        return np.where(condition, a, b)
    def backward(self, grad, out, a, b):
        need_a, need_b = self.needs_input_grad
        da = np.where(self.condition, grad, 0) if need_a else None
        db = np.where(self.condition, 0, grad) if need_b else None
        return da, db


class Clip(Function):
    rule = "da = dout · [lo ≤ a ≤ hi]"
    def forward(self, a, lo, hi):
        self.inside = np.ones(a.shape, dtype=bool)
        if lo is not None:
            self.inside &= a >= lo
        if hi is not None:
            self.inside &= a <= hi
        return np.clip(a, lo, hi)
    def backward(self, grad, out, a):
        return (np.where(self.inside, grad, 0),)


class Cast(Function):
    rule = "da = dout (cast back to a's dtype)"
    def forward(self, a, dtype):
        return a.astype(dtype)
    def backward(self, grad, out, a):
        return (grad.astype(a.dtype),)


# --- the public functions --------------------------------------------------------------------

def add(a, b):
    """``a + b`` with broadcasting."""
    return Add.apply(*_pair(a, b))


def sub(a, b):
    """``a - b`` with broadcasting."""
    return Sub.apply(*_pair(a, b))


def mul(a, b):
    """``a * b`` elementwise, with broadcasting."""
    return Mul.apply(*_pair(a, b))


def div(a, b):
    """``a / b`` elementwise, with broadcasting; integers divide to float64, as in numpy."""
    return Div.apply(*_pair(_divisor(a), _divisor(b)))


def _divisor(x):
    """A Python int as a float: true division casts to float anyway, so a number that does
    not fit an integer tensor's dtype still divides (``int8_tensor / 200``, as numpy does)."""
    return float(x) if type(x) is int or type(x) is bool else x


def neg(a):
    """``-a``."""
    return Neg.apply(operand(a))


def pow(a, p):
    """``a ** p``; ``p`` may be a number or a tensor (then differentiated too).

    Integer tensors keep their dtype with a Python int exponent (``int32 ** 2`` is int32) and,
    as in numpy, refuse negative integer exponents.

    The exponent's derivative ``a^p · log a`` takes PyTorch's values where ``a <= 0``: 0 at
    ``0^p`` with ``p >= 0``, −inf (the limit) at ``0^p`` with ``p < 0``, and nan at a negative
    base, where ``a^p`` has no slope in ``p`` (also at an integer ``p``).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> a = ag.tensor([-2.0, 0.0, 0.0, 1.0])
    >>> p = ag.tensor([2.0, 2.0, -1.0, 3.0], requires_grad=True)
    >>> (a ** p).sum().backward()
    >>> p.grad
    tensor([ nan,   0., -inf,   0.])
    """
    a, p = _pair(a, p)
    if a.dtype.kind in "biu" and p.dtype.kind in "biu" and (p._data < 0).any():
        raise DTypeError(
            f"pow: integers to negative integer powers are not allowed (as in numpy): the base "
            f"has dtype {a.dtype} (shape {a.shape}), the exponent {p.dtype} with values below 0. "
            "Convert to float first, e.g. t.astype('float64') ** p")
    return Pow.apply(a, p)


def exp(a):
    """Elementwise ``e ** a``.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.exp(ag.tensor([0.0, 1.0]))
    tensor([1.    , 2.7183])
    """
    return Exp.apply(operand(a))


def log(a):
    """Natural logarithm, elementwise.

    Warns (:class:`~autograd_lite.errors.NumericalWarning`) when its input is a sigmoid, or
    1 − sigmoid, that rounded to exactly 0: compute such costs from the logits instead.
    """
    a = operand(a)
    if a._fn is not None and _from_sigmoid(a):
        if _state.capture is not None:         # a compiled step checks on every replay
            _state.capture.check(_warn_if_saturated, [a._data])
        _warn_if_saturated(a._data)
    return Log.apply(a)


def _warn_if_saturated(a):
    """log's warning for a sigmoid output (or 1 − it) that rounded to exactly 0."""
    if not a.all():
        warn_at_user_code(
            "log: its input comes from sigmoid and contains exact 0 (σ(z) rounds to 0 or 1 "
            "once |z| is about 37 or more), so log gives -inf and the cost inf or nan. "
            "Compute the cost from the logits Z instead: "
            "nn.losses.binary_cross_entropy_with_logits(Z, Y)", NumericalWarning)


_warn_if_saturated.reads_only = True      # a program's passes may move values around it


def _from_sigmoid(a) -> bool:
    """True for sigmoid(z) and for c − sigmoid(z) (as in log(1 − A))."""
    fn = a._fn
    if fn.name == "sigmoid":
        return True
    return fn.name == "sub" and not fn.released and fn.inputs[1]._fn is not None \
        and fn.inputs[1]._fn.name == "sigmoid"


def sqrt(a):
    """Square root, elementwise."""
    return Sqrt.apply(operand(a))


def abs(a):
    """Absolute value; its derivative at 0 is taken as 0."""
    return Abs.apply(operand(a))


def maximum(a, b):
    """Elementwise maximum; at ties the gradient is split half and half."""
    return Maximum.apply(*_pair(a, b))


def minimum(a, b):
    """Elementwise minimum; at ties the gradient is split half and half."""
    return Minimum.apply(*_pair(a, b))


def where(condition, a, b):
    """Pick ``a`` where ``condition`` is true, else ``b`` (condition gets no gradient).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([-1.0, 2.0])
    >>> ag.where(x > 0, x, 0.0)
    tensor([0., 2.])
    """
    if isinstance(condition, Tensor):
        condition = condition._data
    condition = np.asarray(condition, dtype=bool)
    a, b = _pair(a, b)
    return Where.apply(a, b, condition=condition)


def clip(a, min=None, max=None):
    """Limit values to ``[min, max]``; the gradient is 0 where the value was clipped.

    The bounds (numbers, arrays or constant Tensors) get no gradient.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.clip(ag.tensor([-2.0, 0.5, 3.0]), -1.0, 1.0)
    tensor([-1. ,  0.5,  1. ])
    """
    if min is None and max is None:
        raise ValueError("clip: give at least one of min and max")
    return Clip.apply(operand(a), lo=_bound(min, "min"), hi=_bound(max, "max"))


def _bound(value, which):
    """A bound of clip as a plain number or array (clip differentiates only its input)."""
    if not isinstance(value, Tensor):
        return value
    if value.requires_grad:
        raise GraphError(f"clip: the bound {which} requires a gradient, but clip gives none to "
                         "its bounds; use ag.maximum(a, lo) and ag.minimum(a, hi) instead")
    return value.data


def astype(a, dtype):
    """Convert to ``dtype``; the gradient is converted back."""
    a = operand(a)
    dtype = np.dtype(dtype)
    if a.dtype == dtype:
        return a
    return Cast.apply(a, dtype=dtype)


class Answer(Function):
    """An op whose integer or boolean answer has no gradient (``<``, argmax, isnan, ``&``):
    recorded like any other op, so a compiled step computes it again from each call's data.
    A subclass names its numpy ``ufunc`` or defines ``forward``."""
    differentiable = False
    rule = "no gradient (an integer or boolean answer)"
    def forward(self, *arrays):
        return self.ufunc(*arrays)


class Comparison(Answer):
    """``<``, ``==``, ...: ``symbol`` is the operator, for errors."""


class Less(Comparison):
    ufunc, symbol = staticmethod(np.less), "<"


class LessEqual(Comparison):
    name = "less_equal"
    ufunc, symbol = staticmethod(np.less_equal), "<="


class Greater(Comparison):
    ufunc, symbol = staticmethod(np.greater), ">"


class GreaterEqual(Comparison):
    name = "greater_equal"
    ufunc, symbol = staticmethod(np.greater_equal), ">="


class Equal(Comparison):
    ufunc, symbol = staticmethod(np.equal), "=="


class NotEqual(Comparison):
    name = "not_equal"
    ufunc, symbol = staticmethod(np.not_equal), "!="


COMPARISONS = {cls.ufunc: cls for cls in (Less, LessEqual, Greater, GreaterEqual, Equal,
                                          NotEqual)}


def compare(ufunc, a, b):
    """A comparison (``<``, ``==``, ...): a boolean tensor with no gradient."""
    if a is None or b is None:
        # Python's own rule then applies: ``t == None`` is False, ``t != None`` True
        return NotImplemented
    a, b = _compared(a, b)
    cls = COMPARISONS[ufunc]
    check_broadcast(f"{cls.name} ({cls.symbol}): cannot compare", a, b)
    return cls.apply(a, b)


def check_broadcast(what, a, b):
    """Raise a ShapeError starting with ``what`` unless the shapes of a and b broadcast."""
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"{what} shapes {a.shape} and {b.shape}, they do not broadcast "
                         "together; make the shapes agree (e.g. reshape one of them)") from None


def _compared(a, b):
    """Both operands as Tensors, as arithmetic makes them; a Python int that does not fit an
    integer tensor's dtype (``int8_tensor < 1000``) is an int64 array: still exact, as numpy."""
    try:
        return _pair(a, b)
    except OverflowError:
        return _pair(as_tensor(a), as_tensor(b))
