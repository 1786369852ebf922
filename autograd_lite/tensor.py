"""Tensor: a numpy array that remembers how it was computed.

The operators and methods here only delegate to the primitives in ``autograd_lite.ops``;
the derivatives live there, the backward pass lives in ``autograd_lite.engine``.
"""
from __future__ import annotations

import copy
import numbers

import numpy as np

from .errors import DTypeError, GraphError
from .function import Clock, _state, is_grad_enabled
from .real_numbers import NUMBER_KINDS, calling_operation, not_numbers
from .tensor_math import MathMethods
from .tensor_shape import ShapeMethods


def _is_float(dtype) -> bool:
    return dtype.kind == "f"


class Tensor(MathMethods, ShapeMethods):
    """An n-dimensional array that records the operations applied to it.

    Create one with :func:`autograd_lite.tensor`.  ``data`` is the numpy array, ``grad`` the
    gradient (a Tensor, filled by :meth:`backward`), ``requires_grad`` whether gradients
    flow to it.

    In-place operators (``w -= learning_rate * w.grad``, ``+=``, ``*=``, ``/=``, ``**=``,
    ``@=``) write into the same array, keep the dtype and bump the version; on a tensor that
    requires a gradient they must run under :class:`~autograd_lite.no_grad`.  Pickling and
    ``copy.deepcopy`` keep the value only (data, ``requires_grad``, ``name``; deepcopy also
    ``grad``), never the graph: a computed tensor pickles as a leaf, as ``torch.save`` does,
    and deep-copying one is refused, as in PyTorch (copy ``t.detach()`` instead).

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

    __slots__ = ("_data", "_grad", "_requires_grad", "_fn", "name", "_version", "_base",
                 "_retains_grad", "__weakref__",
                 "_origin")    # set only on constants made while recording: `1 - Y` (viz)

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
        elif isinstance(data, np.ma.MaskedArray):
            data = _unmasked(data, "tensor")
        array = np.array(data, dtype=dtype)
        if array.dtype.kind not in NUMBER_KINDS:
            raise not_numbers("tensor", array, data)
        self._data = array
        self._grad = None
        self._requires_grad = False
        self._fn = None
        self.name = name
        self._version = 0
        self._base = None
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
        t._base = None          # the tensor whose memory this one views (see Clock)
        t._retains_grad = False
        return t

    # --- the array --------------------------------------------------------------------------
    @property
    def data(self) -> np.ndarray:
        """The underlying numpy array.

        Assigning to it (``t.data = new``, ``t.data -= step``) bumps the version of the tensor
        and of every view sharing its memory, so a backward through a graph that saved the old
        values is refused.  Writing into the array itself (``t.data[...] = value``) is the
        escape hatch: it is not tracked.  The safe way to update a parameter is an in-place
        operator under ``no_grad`` (``with ag.no_grad(): w -= learning_rate * w.grad``).
        """
        data = self._data
        return data if type(data) is np.ndarray else _value(self)

    @data.setter
    def data(self, value):
        if _state.trace is not None:          # a compiled step: this call runs eagerly
            _state.trace.go_eager()
        value = np.asarray(value._data if isinstance(value, Tensor) else value)
        if value.dtype.kind not in NUMBER_KINDS:
            raise not_numbers("data", value, value)
        if self._requires_grad and not _is_float(value.dtype):
            raise DTypeError(f"data: this tensor requires a gradient, so its data must be "
                             f"floating-point, not {value.dtype} (shape {value.shape}); "
                             "convert it first, e.g. value.astype('float64')")
        if value is not self._data and not (self._base is not None
                                            and _views_memory_of(value, self._base)):
            self._base = None           # a new array: no longer a view of another tensor
        self._data = value
        Clock.stamp(self)

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
        """The gradient accumulated by :meth:`backward` (a Tensor of this shape), or None.

        Reading the ``.grad`` of a result (a tensor made by an operation, not a leaf) that
        has none warns, naming the tensor and why, as PyTorch does: backward keeps only the
        leaves' gradients.  This is what ``w = w - lr * w.grad`` leads to: the new ``w`` is
        a result, so the next ``w.grad`` is None.

        Examples
        --------
        >>> import warnings, autograd_lite as ag
        >>> w = ag.tensor([1.0, 2.0], requires_grad=True, name="w")
        >>> (w * w).sum().backward()
        >>> w.grad
        tensor([2., 4.])
        >>> w = w - 0.1 * w.grad                    # a new tensor, made by sub
        >>> (w * w).sum().backward()
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     print(w.grad)
        None
        >>> print(caught[0].message)                # doctest: +ELLIPSIS
        the .grad of this tensor of shape (2,) is None: it is not a leaf tensor but the result of sub, ...
        """
        if self._grad is None and self._fn is not None and not self._retains_grad:
            import warnings
            what = (f"{self.name}.grad is None: {self.name} is" if self.name else
                    f"the .grad of this tensor of shape {self.shape} is None: it is")
            warnings.warn(
                f"{what} not a leaf tensor but the result of {self._fn.name}, and "
                "backward() keeps the gradients of leaf tensors only (the parameters, made "
                "with requires_grad=True). If it came from `w = w - learning_rate * w.grad`, "
                "which replaces the parameter by a new tensor, update it in place instead: "
                "`with ag.no_grad(): w -= learning_rate * w.grad`",
                UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        self._grad = value

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (shares memory; do not modify it in place)."""
        data = self._data
        return data if type(data) is np.ndarray else _value(self)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        data = self._data
        if data.size != 1:
            raise ValueError(f"item: only one-element tensors convert to a Python number, "
                             f"this one has shape {self.shape}")
        return (data if type(data) is np.ndarray else _value(self)).item()

    def tolist(self):
        data = self._data
        return (data if type(data) is np.ndarray else _value(self)).tolist()

    def detach(self) -> "Tensor":
        """A tensor sharing the data but cut from the graph (no gradient flows through it).

        It shares the version too: a write through either one makes a graph that saved the
        other refuse backward."""
        if type(self._data) is np.ndarray:
            t = Tensor._make(self._data)
            if _state.trace is not None:         # a compiled step: its slot is self's
                _state.trace.detached(self, t)
        else:
            t = _alias(self)
        t.name = self.name
        t._base = self if self._base is None else self._base
        return t

    def __array__(self, dtype=None, copy=None):
        if type(self._data) is not np.ndarray:
            _value(self)
        if self._requires_grad and is_grad_enabled():
            raise GraphError(
                f"numpy cannot convert a tensor that requires grad (shape {self.shape}) to an "
                "array: the result would silently drop its gradient. Use t.detach() or "
                "t.numpy() to take the values on purpose; to combine a list of tensors use "
                "ag.stack / ag.concatenate (or np.stack), which differentiate")
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def __len__(self):
        return len(self._data)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self):
        data = self._data
        return bool(data if type(data) is np.ndarray else _value(self))

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __hash__(self):
        return id(self)

    # --- copies hold the value, never the graph ----------------------------------------------
    def __reduce__(self):
        # pickle: data, requires_grad and name; a computed tensor loads as a leaf (torch.save)
        data = self._data
        data = data if type(data) is np.ndarray else _value(self)
        return (_unpickle, (data, self._requires_grad, self.name))

    def __deepcopy__(self, memo):
        if self._fn is not None:
            raise GraphError(
                f"copy: only leaf tensors can be copied, this one (shape {self.shape}) "
                f"was computed by '{self._fn.name}' and copying its graph would send gradients "
                "to copies of its inputs. Copy its value instead: copy.deepcopy(t.detach())")
        data = self._data
        data = data if type(data) is np.ndarray else _value(self)
        t = Tensor(data, requires_grad=self._requires_grad, name=self.name)
        memo[id(self)] = t
        if self._grad is not None:
            t._grad = copy.deepcopy(self._grad, memo)
        return t

    def __copy__(self):
        return self.__deepcopy__({})

    def __repr__(self):
        if type(self._data) is not np.ndarray:
            _value(self)
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
        _engine.backward([self], None if grad is None else [grad],
                         retain_graph=retain_graph, create_graph=create_graph)

    def retain_grad(self) -> "Tensor":
        """Keep this (non-leaf) tensor's gradient in ``.grad`` after backward, e.g. to look at dZ."""
        if not self._requires_grad:
            raise GraphError("retain_grad: this tensor does not require a gradient")
        if _state.trace is not None:          # a compiled step: later backward passes see it
            _state.trace.retain(self)
        self._retains_grad = True
        return self

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets ``.grad`` to None)."""
        self.grad = None

    # --- operators: all delegate to ops ------------------------------------------------------
    # Binary operators call the primitive directly (the hot path of every model); _add is
    # ew.Add.apply, bound once at the end of this module.
    def __add__(self, other):
        return _add(self, other if isinstance(other, Tensor) else operand(other, self))

    def __radd__(self, other):
        return _add(other if isinstance(other, Tensor) else operand(other, self), self)

    def __sub__(self, other):
        return _sub(self, other if isinstance(other, Tensor) else operand(other, self))

    def __rsub__(self, other):
        return _sub(other if isinstance(other, Tensor) else operand(other, self), self)

    def __mul__(self, other):
        return _mul(self, other if isinstance(other, Tensor) else operand(other, self))

    def __rmul__(self, other):
        return _mul(other if isinstance(other, Tensor) else operand(other, self), self)

    def __truediv__(self, other):
        if self._data.dtype.kind == "f":
            return _div(self, other if isinstance(other, Tensor) else operand(other, self))
        return ew.div(self, other)          # an integer tensor: a Python int may not fit it

    def __rtruediv__(self, other):
        if self._data.dtype.kind == "f":
            return _div(other if isinstance(other, Tensor) else operand(other, self), self)
        return ew.div(other, self)

    def __pow__(self, other): return ew.pow(self, other)
    def __rpow__(self, other): return ew.pow(other, self)
    def __matmul__(self, other): return linalg.matmul(self, other)
    def __rmatmul__(self, other): return linalg.matmul(other, self)
    def __neg__(self): return ew.Neg.apply(self)
    def __pos__(self): return self
    def __abs__(self): return ew.abs(self)

    # In-place operators write into the tensor's own array (see autograd_lite.inplace).
    def __iadd__(self, other): return inplace.update(self, np.add, other)
    def __isub__(self, other): return inplace.update(self, np.subtract, other)
    def __imul__(self, other): return inplace.update(self, np.multiply, other)
    def __itruediv__(self, other): return inplace.update(self, np.true_divide, other)
    def __ipow__(self, other): return inplace.update(self, np.power, other)
    def __imatmul__(self, other): return inplace.update(self, np.matmul, other)

    def __lt__(self, other): return ew.compare(np.less, self, other)
    def __le__(self, other): return ew.compare(np.less_equal, self, other)
    def __gt__(self, other): return ew.compare(np.greater, self, other)
    def __ge__(self, other): return ew.compare(np.greater_equal, self, other)
    def __eq__(self, other): return ew.compare(np.equal, self, other)
    def __ne__(self, other): return ew.compare(np.not_equal, self, other)

    def __getitem__(self, index): return movement.getitem(self, index)

    def __setitem__(self, index, value):
        if inplace.is_own_region(self, index, value):
            return          # `t[i] += 1` writes back the view it already updated in place
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


def _views_memory_of(array, t) -> bool:
    """Whether numpy made ``array`` as a view of ``t``'s memory (a view's ``base`` is the
    array that owns the memory; ``ops.movement._View`` makes the same test inline)."""
    memory = array.base
    return memory is not None and (memory is t._data or memory is t._data.base)


def _unpickle(data, requires_grad, name):
    t = Tensor._make(data)          # the unpickled array is already a fresh copy
    t.name = name
    t.requires_grad = requires_grad
    return t


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
    if isinstance(data, np.ma.MaskedArray):
        data = _unmasked(data, "as_tensor")
    array = np.asarray(data, dtype=dtype)
    if array.dtype.kind not in NUMBER_KINDS:
        raise not_numbers("as_tensor", array, data)
    return Tensor._make(array)


def _unmasked(data, op):
    """The plain array of a masked array that hides nothing; refuse one that does (a tensor
    has no mask: it would compute with the values under the mask)."""
    hidden = np.ma.getmaskarray(data)
    if hidden.any():
        raise DTypeError(
            f"{op}: the masked array (shape {data.shape}) hides {int(hidden.sum())} masked "
            f"value(s) of {data.size}; a tensor has no mask and would compute with the values "
            "under it. Fill them first, e.g. x.filled(0) or x.filled(x.mean()), or drop those "
            "entries, and pass the plain array")
    return data.data


def _other(x, like):
    """The other operand of a binary operator as a Tensor (fast path for Tensors)."""
    return x if isinstance(x, Tensor) else operand(x, like)


def operand(x, like: Tensor | None = None, op: str | None = None) -> Tensor:
    """Turn an operand of a Tensor operation into a Tensor.

    A Python number takes the floating dtype of ``like`` (so ``float32_tensor * 2.0`` stays
    float32); with an integer or boolean ``like`` a Python ``int``, ``float`` or ``bool`` is
    "weak" as in numpy 2 (NEP 50: ``int32_tensor + 1`` stays int32); arrays follow numpy's
    promotion rules.  Data that is not numbers (complex, strings, objects) is refused with
    a DTypeError naming the operation ``op`` (by default the function that called
    ``operand``).
    """
    if isinstance(x, Tensor):
        return x
    kind = type(x)
    if like is not None and (kind is float or kind is int or (
            isinstance(x, numbers.Number) and not isinstance(x, complex))):
        dtype = like._data.dtype
        if dtype.kind == "f":
            return Tensor._make(np.array(x, dtype=dtype))
        if kind is int or kind is float or kind is bool:
            return Tensor._make(_weak_scalar(x, dtype))
    if isinstance(x, np.ma.MaskedArray):
        x = _unmasked(x, op or calling_operation())
    array = np.asarray(x)
    if array.dtype.kind not in NUMBER_KINDS:
        raise not_numbers(op or calling_operation(), array, x)
    return Tensor._make(array)


def _weak_scalar(x, dtype):
    """A Python number as the 0-d array numpy 2 would use next to an array of ``dtype``."""
    result = np.result_type(dtype, x)
    try:
        return np.array(x, dtype=result)
    except OverflowError:
        raise OverflowError(
            f"the Python number {x} does not fit the tensor's dtype {dtype}: as in numpy 2, a "
            "Python number takes the tensor's dtype. Convert the tensor first, e.g. "
            "t.astype('int64') or t.astype('float64')") from None


def _value(t):
    """The array of a tensor inside a compiled step whose values are not computed yet: the
    step's program runs up to here (a sync point) to give it."""
    array = t._data.resolve()
    if type(t._data) is not np.ndarray:
        t._data = array
    return array


def _alias(t):
    """``detach()`` of a lazy tensor: a lazy tensor of the same values."""
    alias = _state.trace.alias(t) if _state.trace is not None else None
    return alias if alias is not None else Tensor._make(_value(t))


from . import function as _function  # noqa: E402

_function._make_tensor = Tensor._make

# Imported last: the ops modules use Tensor and operand defined above.
from .ops import activation as act  # noqa: E402
from .ops import elementwise as ew  # noqa: E402
from .ops import linalg, movement, reduce  # noqa: E402
from . import inplace  # noqa: E402

_add, _sub, _mul, _div = ew.Add.apply, ew.Sub.apply, ew.Mul.apply, ew.Div.apply

# The engine uses Tensor: imported once it exists (an import inside Tensor.backward would be
# run on every call).
from . import engine as _engine  # noqa: E402


# numpy's ufuncs and functions on Tensors -> our ops: the explicit tables of numpy_api.py
from .numpy_api import FUNCTIONS as _FUNCTIONS  # noqa: E402
from .numpy_api import UFUNCS as _UFUNCS  # noqa: E402
