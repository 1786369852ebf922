"""Tensor: a numpy array that remembers how it was computed.

The operators and methods here only delegate to the primitives in ``autograd_lite.ops``;
the derivatives live there, the backward pass lives in ``autograd_lite.engine``.
"""
from __future__ import annotations

import numbers

import numpy as np

from .errors import DTypeError, GraphError, ShapeError
from .function import Clock, _state


def _is_float(dtype) -> bool:
    return dtype.kind == "f"


class Tensor:
    """An n-dimensional array that records the operations applied to it.

    Create one with :func:`autograd_lite.tensor`.  ``data`` is the numpy array, ``grad`` the
    gradient (a Tensor, filled by :meth:`backward`), ``requires_grad`` whether gradients
    flow to it.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> w = ag.tensor([[1.0, 2.0]], requires_grad=True, name="w")
    >>> x = ag.tensor([[3.0], [4.0]])
    >>> z = w @ x                      # (1, 2) @ (2, 1) -> (1, 1)
    >>> z.sum().backward()
    >>> w.grad.numpy()
    array([[3., 4.]])
    """

    __slots__ = ("_data", "_grad", "_requires_grad", "_fn", "name", "_version",
                 "_retains_grad", "__weakref__")

    # --- numpy protocol: np.exp(t), ndarray + t, np.where(c, t, 0) run our differentiable ops.
    # The tables at the end of this module list exactly which numpy functions are supported.
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        op = _UFUNCS.get(ufunc) if method == "__call__" and not kwargs else None
        if op is None:
            return NotImplemented
        return op(*inputs)

    def __array_function__(self, func, types, args, kwargs):
        op = _FUNCTIONS.get(func)
        if op is None:
            return NotImplemented
        return op(*args, **kwargs)

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        if isinstance(data, Tensor):
            data = data._data
        array = np.array(data, dtype=dtype)
        if array.dtype == object:
            raise DTypeError(f"tensor: cannot make a tensor of Python objects from {type(data)}")
        self._data = array
        self._grad = None
        self._requires_grad = False
        self._fn = None
        self.name = name
        self._version = 0
        self._retains_grad = False
        self.requires_grad = requires_grad

    @classmethod
    def _make(cls, data, requires_grad=False):
        """Fast constructor for results of operations (no copy, no checks)."""
        t = object.__new__(cls)
        t._data = data if type(data) is np.ndarray else np.asarray(data)
        t._grad = None
        t._requires_grad = requires_grad
        t._fn = None
        t.name = None
        t._version = 0
        t._retains_grad = False
        return t

    # --- the array --------------------------------------------------------------------------
    @property
    def data(self) -> np.ndarray:
        """The underlying numpy array.  Assigning to it (``t.data -= lr * g``) bumps the version,
        so a backward through a graph that saved the old values is refused."""
        if _state.capture is not None:
            value_read(self, ".data")
        return self._data

    @data.setter
    def data(self, value):
        if _state.capture is not None:
            value_read(self, "assigning .data")
        value = np.asarray(value._data if isinstance(value, Tensor) else value)
        if self._requires_grad and not _is_float(value.dtype):
            raise DTypeError(f"data: this tensor requires a gradient, so its data must be "
                             f"floating-point, not {value.dtype} (shape {value.shape}); "
                             "convert it first, e.g. value.astype('float64')")
        self._data = value
        with Clock.lock:
            Clock.now += 1
            self._version = Clock.now

    @property
    def requires_grad(self) -> bool:
        """Whether a gradient is computed for this tensor."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        flag = bool(flag)
        if flag and not _is_float(self._data.dtype):
            raise DTypeError(
                f"requires_grad: only floating-point tensors can have gradients, this one has "
                f"dtype {self._data.dtype} (shape {self.shape}); convert it first, e.g. "
                "tensor(data, dtype='float64')")
        if not flag and self._fn is not None:
            raise GraphError("requires_grad: cannot switch off gradients of a computed tensor; "
                             "use .detach()")
        self._requires_grad = flag

    def requires_grad_(self, flag: bool = True) -> "Tensor":
        """Set ``requires_grad`` in place and return self."""
        self.requires_grad = flag
        return self

    shape = property(lambda self: self._data.shape, doc="Shape tuple of the data.")
    ndim = property(lambda self: self._data.ndim, doc="Number of dimensions.")
    size = property(lambda self: self._data.size, doc="Number of elements.")
    dtype = property(lambda self: self._data.dtype, doc="numpy dtype of the data.")

    @property
    def is_leaf(self) -> bool:
        """True for tensors created by the user (parameters, data), False for results of ops."""
        return self._fn is None

    @property
    def grad_fn(self):
        """The :class:`~autograd_lite.function.Function` that produced this tensor, or None."""
        return self._fn

    @property
    def grad(self):
        """The gradient accumulated by :meth:`backward` (a Tensor of this shape), or None."""
        if _state.capture is not None:
            _state.capture.read_grad(self, self._grad)
        return self._grad

    @grad.setter
    def grad(self, value):
        if _state.capture is not None:
            _state.capture.set_grad(self, value)
        self._grad = value

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (shares memory; do not modify it in place)."""
        if _state.capture is not None:
            value_read(self, ".numpy()")
        return self._data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if _state.capture is not None:
            value_read(self, ".item()")
        if self._data.size != 1:
            raise ValueError(f"item: only one-element tensors convert to a Python number, "
                             f"this one has shape {self.shape}")
        return self._data.item()

    def tolist(self):
        if _state.capture is not None:
            value_read(self, ".tolist()")
        return self._data.tolist()

    def detach(self) -> "Tensor":
        """A tensor sharing the data but cut from the graph (no gradient flows through it)."""
        t = Tensor._make(self._data)
        t.name = self.name
        return t

    def __array__(self, dtype=None, copy=None):
        if _state.capture is not None:
            value_read(self, "np.asarray(tensor)")
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def __len__(self):
        return len(self._data)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self):
        if _state.capture is not None:
            value_read(self, "bool(tensor)")
        return bool(self._data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __hash__(self):
        return id(self)

    def __repr__(self):
        body = np.array2string(self._data, separator=", ", precision=4, threshold=20,
                               prefix="tensor(")
        extras = []
        if self._data.dtype != np.float64 and self._data.size:
            extras.append(f"dtype={self._data.dtype}")
        if self.name:
            extras.append(f"name={self.name!r}")
        if self._fn is not None:
            extras.append(f"grad_fn={self._fn.name}")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # --- gradients --------------------------------------------------------------------------
    def backward(self, grad=None, retain_graph: bool | None = None, create_graph: bool = False):
        """Back-propagate from this tensor: accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        A scalar gets the seed gradient 1; other shapes need ``grad`` of the same shape.
        The graph's saved arrays are released afterwards unless ``retain_graph=True``;
        ``create_graph=True`` records the backward pass itself, for higher derivatives.

        Examples
        --------
        >>> import autograd_lite as ag
        >>> x = ag.tensor(3.0, requires_grad=True)
        >>> (x * x).backward()
        >>> x.grad.item()
        6.0
        """
        from .engine import backward
        backward([self], None if grad is None else [grad],
                 retain_graph=retain_graph, create_graph=create_graph)

    def retain_grad(self) -> "Tensor":
        """Keep this (non-leaf) tensor's gradient in ``.grad`` after backward, e.g. to look at dZ."""
        if not self._requires_grad:
            raise GraphError("retain_grad: this tensor does not require a gradient")
        self._retains_grad = True
        return self

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets ``.grad`` to None)."""
        self.grad = None

    # --- operators: all delegate to ops ------------------------------------------------------
    # Binary operators call the primitive directly (the hot path of every model).
    def __add__(self, other): return ew.Add.apply(self, _other(other, self))
    def __radd__(self, other): return ew.Add.apply(_other(other, self), self)
    def __sub__(self, other): return ew.Sub.apply(self, _other(other, self))
    def __rsub__(self, other): return ew.Sub.apply(_other(other, self), self)
    def __mul__(self, other): return ew.Mul.apply(self, _other(other, self))
    def __rmul__(self, other): return ew.Mul.apply(_other(other, self), self)
    def __truediv__(self, other): return ew.Div.apply(self, _other(other, self))
    def __rtruediv__(self, other): return ew.Div.apply(_other(other, self), self)
    def __pow__(self, other): return ew.pow(self, other)
    def __rpow__(self, other): return ew.pow(other, self)
    def __matmul__(self, other): return linalg.matmul(self, other)
    def __iadd__(self, other): return _inplace(self, np.add, other)
    def __isub__(self, other): return _inplace(self, np.subtract, other)
    def __imul__(self, other): return _inplace(self, np.multiply, other)
    def __itruediv__(self, other): return _inplace(self, np.true_divide, other)
    def __rmatmul__(self, other): return linalg.matmul(other, self)
    def __neg__(self): return ew.Neg.apply(self)
    def __pos__(self): return self
    def __abs__(self): return ew.abs(self)

    def __lt__(self, other): return ew.compare(np.less, self, other)
    def __le__(self, other): return ew.compare(np.less_equal, self, other)
    def __gt__(self, other): return ew.compare(np.greater, self, other)
    def __ge__(self, other): return ew.compare(np.greater_equal, self, other)
    def __eq__(self, other): return ew.compare(np.equal, self, other)
    def __ne__(self, other): return ew.compare(np.not_equal, self, other)

    def __getitem__(self, index): return movement.getitem(self, index)

    def __setitem__(self, index, value):
        raise GraphError("Tensor does not support item assignment: it would silently change "
                         "values the graph saved. Build a new tensor (ag.where, ag.concatenate) "
                         "or, outside the graph, change .data")

    # --- methods: numpy-like names, all delegate to ops -------------------------------------
    def exp(self): return ew.exp(self)
    def log(self): return ew.log(self)
    def sqrt(self): return ew.sqrt(self)
    def abs(self): return ew.abs(self)
    def clip(self, min=None, max=None): return ew.clip(self, min, max)
    def sigmoid(self): return act.sigmoid(self)
    def tanh(self): return act.tanh(self)
    def relu(self): return act.relu(self)
    def leaky_relu(self, alpha=0.01): return act.leaky_relu(self, alpha)
    def softplus(self): return act.softplus(self)
    def softmax(self, axis=-1): return act.softmax(self, axis)
    def log_softmax(self, axis=-1): return act.log_softmax(self, axis)

    def sum(self, axis=None, keepdims=False): return reduce.sum(self, axis, keepdims)
    def mean(self, axis=None, keepdims=False): return reduce.mean(self, axis, keepdims)
    def max(self, axis=None, keepdims=False): return reduce.max(self, axis, keepdims)
    def min(self, axis=None, keepdims=False): return reduce.min(self, axis, keepdims)
    def logsumexp(self, axis=None, keepdims=False): return reduce.logsumexp(self, axis, keepdims)

    def reshape(self, *shape): return movement.reshape(self, *shape)
    def transpose(self, *axes): return movement.transpose(self, *axes)
    def permute(self, *axes): return movement.transpose(self, *axes)
    def swapaxes(self, a, b): return movement.swapaxes(self, a, b)
    def squeeze(self, axis=None): return movement.squeeze(self, axis)
    def unsqueeze(self, axis): return movement.unsqueeze(self, axis)
    def expand(self, *shape): return movement.broadcast_to(self, *shape)
    def broadcast_to(self, *shape): return movement.broadcast_to(self, *shape)
    def flatten(self): return movement.reshape(self, -1)
    def astype(self, dtype): return ew.astype(self, dtype)
    def float(self): return ew.astype(self, np.float64)
    def dot(self, other): return linalg.dot(self, other)
    def matmul(self, other): return linalg.matmul(self, other)

    @property
    def T(self):
        """Transpose (all axes reversed, as numpy's ``.T``)."""
        return movement.transpose(self)


def tensor(data, requires_grad: bool = False, dtype=None, name: str | None = None) -> Tensor:
    """Make a Tensor from array-like ``data`` (copied).  Float data defaults to float64.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="W")
    tensor([[1., 2.],
            [3., 4.]], name='W', requires_grad=True)
    >>> ag.tensor([1, 0, 1]).dtype
    dtype('int64')
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


def as_tensor(data, dtype=None) -> Tensor:
    """Wrap ``data`` without copying when it already is an ndarray (or return a Tensor as is).

    Use it for large inputs such as a data matrix X.

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> X = np.ones((3, 2))
    >>> ag.as_tensor(X).data is X
    True
    """
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype == dtype else ew.astype(data, dtype)
    array = np.asarray(data, dtype=dtype)
    if array.dtype == object:
        raise DTypeError(f"as_tensor: cannot make a tensor of Python objects from {type(data)}")
    return Tensor._make(array)


def _inplace(t, ufunc, other):
    """``t op= other``: update t's array in place (same tensor, still a leaf), bump its version.

    A tensor that requires a gradient may only be updated under ``no_grad`` (an optimizer
    step); the graph would otherwise silently lose the old values."""
    other = _other(other, t)
    name = ufunc.__name__
    if _state.enabled and (t._requires_grad or other._requires_grad):
        raise GraphError(
            f"{name} in place: this tensor (shape {t.shape}"
            f"{', name ' + repr(t.name) if t.name else ''}) "
            + ("requires a gradient" if t._requires_grad else
               "would need a gradient from the right-hand side")
            + "; update it inside `with ag.no_grad():` (e.g. an optimizer step), or write "
            "t = t op x to record the operation")
    try:
        shape = np.broadcast_shapes(t._data.shape, other._data.shape)
    except ValueError:
        shape = None
    if shape != t._data.shape:
        raise ShapeError(f"{name} in place: the right-hand side of shape {other.shape} does "
                         f"not fit the tensor of shape {t.shape}")
    recorder = _state.capture
    ufunc(t._data, other._data, out=t._data, casting="same_kind")
    with Clock.lock:
        Clock.now += 1
        t._version = Clock.now
    if recorder is not None:
        recorder.inplace(ufunc, t, other, t)
    return t


def _other(x, like):
    """The other operand of a binary operator as a Tensor (fast path for Tensors)."""
    return x if isinstance(x, Tensor) else operand(x, like)


def operand(x, like: Tensor | None = None) -> Tensor:
    """Turn an operand of a Tensor operation into a Tensor.

    A Python number takes the floating dtype of ``like`` (so ``float32_tensor * 2.0`` stays
    float32); arrays follow numpy's promotion rules.
    """
    if isinstance(x, Tensor):
        return x
    kind = type(x)
    if like is not None and (kind is float or kind is int or (
            isinstance(x, numbers.Number) and not isinstance(x, complex))):
        dtype = like._data.dtype
        if dtype.kind == "f":
            return Tensor._make(np.array(x, dtype=dtype))
    return as_tensor(x)


from . import function as _function  # noqa: E402
from .capture import value_read  # noqa: E402

_function._make_tensor = Tensor._make

# Imported last: the ops modules use Tensor and operand defined above.
from .ops import activation as act  # noqa: E402
from .ops import elementwise as ew  # noqa: E402
from .ops import linalg, movement, reduce  # noqa: E402


def _comparison(ufunc):
    return lambda a, b: ew.compare(ufunc, a, b)


# numpy ufuncs on Tensors -> our ops (ops' backward formulas are written with these).
_UFUNCS = {
    np.add: ew.add, np.subtract: ew.sub, np.multiply: ew.mul, np.true_divide: ew.div,
    np.negative: ew.neg, np.positive: lambda a: a, np.power: ew.pow, np.exp: ew.exp,
    np.log: ew.log, np.sqrt: ew.sqrt, np.absolute: ew.abs, np.maximum: ew.maximum,
    np.minimum: ew.minimum, np.tanh: act.tanh, np.matmul: linalg.matmul,
    **{u: _comparison(u) for u in (np.less, np.less_equal, np.greater, np.greater_equal,
                                   np.equal, np.not_equal)},
}

# numpy functions on Tensors -> our ops.
def _np_clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None):
    return ew.clip(a, a_min if a_min is not None else min, a_max if a_max is not None else max)


def _np_reshape(a, shape, order="C"):
    if order != "C":
        raise ValueError("reshape: only order='C' is supported for tensors")
    return movement.reshape(a, shape)


def _np_transpose(a, axes=None):
    return movement.transpose(a) if axes is None else movement.transpose(a, axes)


_FUNCTIONS = {
    np.where: ew.where, np.clip: _np_clip, np.sum: reduce.sum, np.mean: reduce.mean,
    np.max: reduce.max, np.min: reduce.min, np.amax: reduce.max, np.amin: reduce.min,
    np.reshape: _np_reshape, np.transpose: _np_transpose,
    np.swapaxes: movement.swapaxes, np.expand_dims: movement.unsqueeze,
    np.squeeze: movement.squeeze, np.broadcast_to: movement.broadcast_to,
    np.concatenate: movement.concatenate, np.stack: movement.stack, np.dot: linalg.dot,
}
