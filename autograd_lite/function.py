"""The Function base class and the grad mode (``no_grad`` / ``enable_grad``).

A primitive is one subclass of :class:`Function` with ``forward`` (on numpy arrays) directly
above ``backward`` (written with the library's own differentiable operations, so the same
definition gives first- and higher-order derivatives).  ``Function.apply`` runs the forward
pass and, when a gradient will be needed, records the call into the graph.
"""
from __future__ import annotations

import functools
import linecache
import math
import os
import sys
import threading
import warnings
import weakref
import zlib

import numpy as np

from .errors import GraphError, RankOneWarning, ShapeError

class _ThreadState(threading.local):
    """Per-thread switches; class attributes are the defaults every new thread starts with."""
    enabled = True      # grad mode
    scope = None        # innermost name_scope
    anomaly = False     # detect_anomaly
    capture = None      # the Recorder of autograd_lite.compile while a call is captured
    trace = None        # the Trace of autograd_lite.compile while a compiled step runs


_state = _ThreadState()


def is_grad_enabled() -> bool:
    """Whether operations are being recorded in this thread (default: True)."""
    return _state.enabled


class _GradMode:
    """Context manager *and* decorator that sets the grad mode of the current thread."""

    mode = True

    def __enter__(self):
        state = _state
        self._previous = state.enabled
        state.enabled = self.mode

    def __exit__(self, *exc):
        _state.enabled = self._previous
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Stop recording operations (inference, parameter updates).  Per thread.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> with ag.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """

    mode = False


class enable_grad(_GradMode):
    """Record operations again, e.g. inside a ``no_grad`` block.  Per thread.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> w = ag.tensor(3.0, requires_grad=True)
    >>> with ag.no_grad():
    ...     with ag.enable_grad():
    ...         y = w * w
    >>> y.requires_grad
    True
    """

    mode = True


class set_grad_enabled(_GradMode):
    """Set the grad mode to ``mode`` for a block (or a decorated function)."""

    def __init__(self, mode: bool = True):
        self.mode = bool(mode)

    def __call__(self, func):
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)
        return wrapper


# --- name scopes: ops created inside an nn layer remember the layer (for graph pictures) -----

def current_scope():
    """The dotted name of the innermost :class:`name_scope` of this thread, or None."""
    return _state.scope


class name_scope:
    """Label the operations recorded inside this block, e.g. with the layer that made them.

    Scopes nest with dots (``"model.layer2"``); :func:`autograd_lite.draw_graph` draws one
    box per scope.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> w = ag.tensor(2.0, requires_grad=True)
    >>> with ag.name_scope("layer1"):
    ...     z = w * 3
    >>> z.grad_fn.scope
    'layer1'
    """

    def __init__(self, name: str):
        self.name = str(name)

    def __enter__(self):
        state = _state
        self._previous = previous = state.scope
        state.scope = self.name if previous is None else f"{previous}.{self.name}"
        return self

    def __exit__(self, *exc):
        _state.scope = self._previous
        return False


# --- anomaly mode: remember where each op was created, check every backward result -----------

def is_anomaly_enabled() -> bool:
    return _state.anomaly


class detect_anomaly:
    """Make a backward pass that produces NaN or inf raise :class:`~autograd_lite.AnomalyError`.

    The error names the operation whose derivative produced the bad value and the line of
    user code that created that operation.  Slower: it records a stack frame per operation.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> with ag.detect_anomaly():
    ...     y = ag.sqrt(x).sum()
    ...     try:
    ...         y.backward()
    ...     except ag.AnomalyError as e:
    ...         print(str(e).splitlines()[0])
    backward of 'sqrt' produced inf in the gradient of its input 0 (shape (2,))
    """

    def __enter__(self):
        self._previous = is_anomaly_enabled()
        _state.anomaly = True
        return self

    def __exit__(self, *exc):
        _state.anomaly = self._previous
        return False


# The library's own folders: autograd_lite/ and its sibling nn/ (installed side by side).
_LIBRARY_DIRS = tuple(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                   name) + os.sep for name in ("autograd_lite", "nn"))


def _user_code_frame():
    """The innermost stack frame whose code is not in autograd_lite or nn, nor a compiled
    step's program (None if none): in a replay, the line that called the step."""
    frame = sys._getframe(1)
    while frame is not None and (
            frame.f_code.co_filename.startswith("<compiled ")    # a replayed program
            or os.path.abspath(frame.f_code.co_filename).startswith(_LIBRARY_DIRS)):
        frame = frame.f_back
    return frame


def warn_at_user_code(message: str, category=UserWarning) -> None:
    """Issue a warning attributed to the innermost line of user code (not autograd_lite/nn)."""
    frame = _user_code_frame()
    if frame is None:
        warnings.warn(message, category, stacklevel=2)
        return
    registry = frame.f_globals.setdefault("__warningregistry__", {})
    warnings.warn_explicit(message, category, frame.f_code.co_filename, frame.f_lineno,
                           module=frame.f_globals.get("__name__"), registry=registry)


def _user_frame() -> str:
    """Where user code created an op, as 'file:line in func: code' (for anomaly mode)."""
    frame = _user_code_frame()
    if frame is None:
        return "<unknown>"
    code = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}: {code}"


def _fingerprint(array) -> int:
    """A checksum of an array's bytes (anomaly mode compares it before backward)."""
    return zlib.crc32(np.ascontiguousarray(array).view(np.uint8).reshape(-1))


class _Clock:
    """A global clock of in-place changes.  A write into a tensor's memory (assigning
    ``t.data``, an in-place operator such as ``w -= step``) advances it and stamps the tensor
    that owns the memory.  An op recorded at time T whose input carries a later stamp saw
    stale data.

    Views (``X.T``, ``x[1:]``, ``x.reshape(...)`` when numpy gives a view) and ``detach()``
    share the memory of their base, so they share its stamp too: ``t._base`` is the tensor
    that owns the memory (None when ``t`` owns it), as PyTorch's views share a version counter.

    One instance, :data:`Clock` (an instance attribute ticks faster than a class attribute,
    whose every write invalidates the type's attribute caches).
    """

    def __init__(self):
        self.now = 0
        self.lock = threading.Lock()     # ticks must not go backwards when threads write

    def stamp(self, tensor):
        """Record a write into ``tensor``'s memory: stamp its owner (itself or its base)."""
        owner = tensor if tensor._base is None else tensor._base
        with self.lock:
            self.now = now = self.now + 1
            owner._version = now

    def stamp_each(self, tensors):
        """:meth:`stamp` each of ``tensors``, in order (one optimizer step)."""
        with self.lock:
            now = self.now
            for tensor in tensors:
                now += 1
                (tensor if tensor._base is None else tensor._base)._version = now
            self.now = now

    @staticmethod
    def version(tensor) -> int:
        """The time of the last write into ``tensor``'s memory (through any alias)."""
        return (tensor if tensor._base is None else tensor._base)._version


Clock = _Clock()


class _ReleasedInputs:
    """``fn.inputs`` of a released op: its ReleasedTensor records, made when first read
    (pictures, traces), since backward only notes a few facts per input, cheaply.

    A non-data descriptor: a recorded op's own ``inputs`` attribute hides it, so reading
    that costs nothing extra (a ``__getattr__`` on Function would slow every attribute read
    of every op)."""

    def __get__(self, fn, owner=None):
        if fn is None:
            return self
        records = fn.__dict__.get("_records")
        if records is None:
            raise AttributeError(f"{type(fn).__name__!r} object has no attribute 'inputs'")
        inputs = fn.__dict__["inputs"] = tuple(_record(r) for r in records)
        return inputs


class Function:
    """Base class of every primitive operation.

    Subclasses define ``forward(self, *arrays, **params) -> ndarray`` and
    ``backward(self, grad, out, *inputs) -> tuple`` with one gradient per input (``None`` for
    an input that needs none; ``self.needs_input_grad`` tells which are wanted).
    ``backward`` is written with numpy operators and functions (``np.exp``, ``np.where``,
    ``np.broadcast_to``, ``@``, ``.sum``, ...): on a first-order pass the engine hands it
    plain arrays, so it costs what numpy costs; with ``create_graph=True`` it hands it
    Tensors, whose numpy protocol records every step — one definition serves both.
    Masks may be saved on ``self`` in ``forward``.  Reducing a broadcast gradient back to
    its input's shape is the engine's job.
    """

    name = "function"          # shown in errors, graph pictures and traces
    rule = ""                  # the local derivative in the course's notation (for viz)
    broadcasts = False         # an elementwise op of two inputs (checked for rank-1 pitfalls)
    differentiable = True      # False: the output never requires a gradient (argmax, ==, ...)
    scope = None               # the name_scope the op was recorded in (an nn layer)
    released = False
    inputs = _ReleasedInputs()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__.lower()

    @classmethod
    def apply(cls, *inputs, **params):
        """Run the forward pass on ``inputs`` (Tensors) and record it if a gradient is needed.

        Inside a compiled step the op is an event of its trace instead (ag.compile)."""
        trace = _state.trace
        if trace is not None:
            return trace.apply(cls, inputs, params)
        return _eager_apply(cls, inputs, params)

    def forward(self, *arrays, **params):
        raise NotImplementedError

    def backward(self, grad, out, *inputs):
        raise NotImplementedError

    def release(self, memo=None, out=None):
        """Free what was saved for backward; keep what the graph looked like.

        Like PyTorch's ``grad_fn`` after a backward: the op, its rule, scope and scalar
        params stay, and ``inputs`` become :class:`ReleasedTensor` records (shape, dtype,
        name, the Function that produced them) instead of tensors, so pictures and traces
        still work while the arrays and masks are freed.  Parameters (leaves that require a
        gradient) stay themselves: they are alive anyway and carry ``.grad``.  ``memo``
        (``{id(tensor): record}``) gives a tensor used by several ops one record.  A later
        backward through it is an error.
        """
        _release_graph(((self, out),), memo)

    def check_versions(self, out=None):
        """Raise if a tensor saved for backward was modified in place after this call.

        Checked are the inputs and, if given, the output ``out`` (some derivatives, e.g.
        exp's and sigmoid's, read it).  Writes through ``Tensor.data`` assignment or an
        in-place operator — also through a view or a ``detach()``-ed alias — are caught by the
        mutation :class:`Clock`; in anomaly mode a fingerprint of each input also catches
        writes into the array itself (``t.data[0] = 5``)."""
        prints = self.__dict__.get("fingerprints")
        for i, t in enumerate(self.inputs):
            if Clock.version(t) > self.clock or (prints and _fingerprint(t._data) != prints[i]):
                raise _modified(self.name, f"input {i}", t)
        if out is not None and Clock.version(out) > self.clock:
            raise _modified(self.name, "its output", out)

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"


def _eager_apply(cls, inputs, params):
    """What ``Function.apply`` does eagerly: the forward pass, and the graph if needed."""
    fn = _new(cls)
    n = len(inputs)
    try:
        if n == 2 and not params:       # the common cases, without building lists
            a, b = inputs
            data_a, data_b = a._data, b._data
            data = fn.forward(data_a, data_b)
            needs = _NEEDS_TWO[a._requires_grad][b._requires_grad]
            if data_a.ndim != data_b.ndim and cls.broadcasts and (
                    data_a.ndim == 1 or data_b.ndim == 1):    # only then can it warn
                _check_rank_one(cls.name, data_a.shape, data_b.shape, data.shape)
        elif n == 1 and not params:
            a = inputs[0]
            data = fn.forward(a._data)
            needs = _NEEDS_ONE[a._requires_grad]
        else:
            data, needs = _forward(fn, inputs, params)
        if not cls.differentiable:
            needs = (False,) * n
    except np.linalg.LinAlgError:
        raise               # a singular matrix is not a shape problem: numpy's own error
    except ValueError as exc:
        raise ShapeError(
            f"{cls.name}: cannot apply to shapes "
            f"{', '.join(str(t.shape) for t in inputs)}: {exc}"
            + _rank_one_hint(inputs)) from None
    state = _state
    if state.capture is not None:       # ag.compile is capturing a step: note the call
        data = state.capture.op(fn, inputs, needs, params, data)
    enabled = state.enabled
    if not enabled or True not in needs:
        out = _make_tensor(data, False)
        if enabled:               # a constant made while recording: what it is (viz)
            out._origin = _origin(cls, inputs)
        return out
    out = _make_tensor(data, True)
    fn.inputs = inputs
    fn.needs_input_grad = needs
    fn.params = params or _NO_PARAMS       # one empty dict for all: fewer objects per op
    fn.clock = Clock.now
    scope = state.scope
    if scope is not None:
        fn.scope = scope
    if state.anomaly:
        fn.created_at = _user_frame()
        fn.fingerprints = tuple(_fingerprint(t._data) for t in inputs)
    out._fn = fn
    return out


def _forward(fn, inputs, params):
    """``fn.forward`` on the inputs' arrays, with parameters or any number of inputs; and
    which inputs need a gradient."""
    if len(inputs) == 1:            # a reduction, a reshape, a cast: no lists to build
        a = inputs[0]
        return fn.forward(a._data, **params), _NEEDS_ONE[a._requires_grad]
    if len(inputs) == 2 and fn.broadcasts:
        a, b = inputs
        data = fn.forward(a._data, b._data, **params)
        if a._data.ndim != b._data.ndim and (a._data.ndim == 1 or b._data.ndim == 1):
            _check_rank_one(fn.name, a._data.shape, b._data.shape, data.shape)
    else:
        data = fn.forward(*[t._data for t in inputs], **params)
    return data, tuple([t._requires_grad for t in inputs])


_NO_PARAMS = {}     # the params of every op that has none (read only: never written to)

# which inputs need a gradient, indexed by their requires_grad (no tuple built per op)
_NEEDS_ONE = ((False,), (True,))
_NEEDS_TWO = (((False, False), (False, True)), ((True, False), (True, True)))


def _modified(op, which, t):
    def described(t):
        return f"shape {t.shape}{', name ' + repr(t.name) if t.name else ''}"
    where = described(t)
    if t._base is not None:         # the write went through another alias of its memory
        where += f"; a view or detach() of the tensor of {described(t._base)}"
    return GraphError(
        f"{op}: {which} ({where}) was modified in place after the forward pass; its "
        "gradient would be wrong. Recompute the forward pass after changing the data (e.g. "
        "after an optimizer step).")


def _origin(cls, inputs) -> tuple:
    """``(op name, parts)`` telling what a constant is (``1 - Y``: ``("sub", (1.0, "Y"))``).

    A part is an input's name, a number written in the expression, the origin of an
    unnamed constant made the same way (one level deep), or None."""
    parts = []
    for t in inputs:
        if t.name:
            parts.append(t.name)
            continue
        sub = getattr(t, "_origin", None)
        if sub is not None:
            parts.append(sub if not any(type(p) is tuple for p in sub[1]) else None)
        elif t._data.ndim == 0 and t._fn is None:
            parts.append(t._data.item())
        else:
            parts.append(None)
    return cls.name, tuple(parts)


_KEPT = ("scope", "created_at")     # kept by release() besides inputs, needs and params
_PLAIN = 4                          # inputs, needs_input_grad, params, clock: nothing more


def _release_graph(ops, memo=None):
    """``Function.release`` of every ``(fn, out)`` pair of ``ops`` (``out`` the tensor ``fn``
    produced, or None): the engine's release of a whole graph after backward, in one loop."""
    ref, plain, kept_keys = weakref.ref, _PLAIN, _KEPT
    for fn, out in ops:
        old = fn.__dict__
        records = []
        for t in old.get("inputs", ()):
            made_by = t._fn
            if made_by is not None:
                records.append(made_by)          # a result: its op describes it (see out)
            elif t._requires_grad:
                records.append(t)                # a parameter stays itself
            else:                                # a constant: a few facts, once per tensor
                if memo is None:
                    memo = {}
                entry = memo.get(id(t))
                if entry is None:                # t kept alive in memo: ids stay unique
                    data = t._data
                    number = data if data.ndim == 0 and not t.name else None
                    entry = memo[id(t)] = ([ref(t), data.shape, data.dtype, t.name, False,
                                            None, _origin_of(t), number, None], t)
                records.append(entry[0])
        params = old.get("params")
        kept = {"_records": records, "released": True,
                "needs_input_grad": old.get("needs_input_grad"),
                "params": ({k: v for k, v in params.items() if _small(v)} if params
                           else _NO_PARAMS)}
        if out is not None:                      # what this op produced, for its consumers
            data = out._data
            kept["_out"] = [ref(out), data.shape, data.dtype, out.name, out._requires_grad,
                            None, None, None, None]   # no cycle to self
        if len(old) > plain:                     # rare keys: a scope, anomaly mode's line
            for key in kept_keys:
                if key in old:
                    kept[key] = old[key]
        fn.__dict__ = kept


def _small(value) -> bool:
    """A parameter worth keeping after release (axis=1, alpha=0.01), not an array or mask."""
    if isinstance(value, tuple):
        return len(value) <= 8 and all(_small(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str, slice, np.generic,
                                               np.dtype, type))


def _origin_of(t):
    """What a constant is (``1 - Y``), for a record of it; None for results of ops."""
    return None if t._fn is not None else getattr(t, "_origin", None)


def _record(r):
    """A release record as its :class:`ReleasedTensor`, made once: a constant's list, or the
    op that produced a result (its ``_out``); parameters as they are."""
    if isinstance(r, Function):
        fn, r = r, r.__dict__.get("_out")
        if r is None:                            # released without its output known
            return None
        r[5] = fn                                # its grad_fn (not stored: no cycle)
    if type(r) is not list:
        return r
    if r[8] is None:
        r[8] = ReleasedTensor._from_record(r)
    return r[8]


class ReleasedTensor:
    """What a released graph remembers of a tensor it used: its description, not its array.

    ``shape``, ``dtype``, ``name``, ``requires_grad`` and ``grad_fn`` (the Function that
    produced it, itself released) are kept; ``data`` is the array only while the tensor is
    still alive somewhere else (a weak reference), else None: the value was freed.  A number
    written in the expression (``1 - a``) keeps its value.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> w = ag.tensor([1.0, 2.0], requires_grad=True, name="w")
    >>> h = ag.exp(w)
    >>> h.name = "h"
    >>> J = (h * 2.0).sum()
    >>> del h
    >>> J.backward()
    >>> record = J.grad_fn.inputs[0].grad_fn.inputs[0]      # sum ← mul ← h
    >>> record.name, record.shape, record.grad_fn.name, record.data is None
    ('h', (2,), 'exp', True)
    >>> record.grad_fn.inputs[0] is w                       # parameters stay themselves
    True
    """

    __slots__ = ("shape", "dtype", "name", "requires_grad", "grad_fn", "origin", "_ref",
                 "_value")

    def __init__(self, t):
        self._set(weakref.ref(t), t._data.shape, t._data.dtype, t.name, t._requires_grad,
                  t._fn, _origin_of(t), t._data)

    @classmethod
    def _from_record(cls, r):
        """From what ``Function.release`` noted (the array only if the tensor is alive)."""
        record = object.__new__(cls)
        t = r[0]()
        record._set(r[0], *r[1:7], r[7] if t is None else t._data)
        return record

    def _set(self, ref, shape, dtype, name, requires_grad, fn, origin, data):
        self.shape, self.dtype, self.name = shape, dtype, name
        self.requires_grad, self.grad_fn, self.origin = requires_grad, fn, origin
        if fn is None and data is not None and data.ndim == 0 and not name:
            self._value, self._ref = data, None     # a number written in the expression
        else:
            self._value, self._ref = None, ref

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: math.prod(self.shape))
    is_leaf = property(lambda self: self.grad_fn is None)

    @property
    def tensor(self):
        """The tensor itself if it is still alive, else None."""
        return None if self._ref is None else self._ref()

    @property
    def data(self):
        """The values, or None when they were freed with the graph."""
        if self._value is not None:
            return self._value
        t = self.tensor
        return None if t is None else t._data

    @property
    def grad(self):
        t = self.tensor
        return None if t is None else t.grad

    def item(self):
        return self.data.item()

    def __repr__(self):
        state = "alive" if self.data is not None else "freed"
        return (f"<ReleasedTensor {self.name or ''} shape={self.shape} dtype={self.dtype} "
                f"({state})>")


def _rank_one_hint(inputs):
    """For a failed op: a hint when a rank-1 operand met a matrix (likely meant as a column)."""
    for t in inputs:
        if t.ndim == 1 and t.shape[0] > 1 and any(o.ndim >= 2 for o in inputs):
            n = t.shape[0]
            return (f"; the rank-1 operand of shape ({n},) acts as a row — for a column use "
                    f"x.reshape({n}, 1)")
    return ""


def _check_rank_one(op, shape_a, shape_b, shape_out):
    """Warn when a rank-1 (n,) array meets a matrix and the two expand each other into a
    bigger result, e.g. (n,) with (n, 1) giving (n, n): the course's "rank 1 array" pitfall.
    A plain row broadcast ((n,) with (m, n)) is left alone."""
    size_out = math.prod(shape_out)
    if size_out <= max(math.prod(shape_a), math.prod(shape_b)):
        return
    for one, other in ((shape_a, shape_b), (shape_b, shape_a)):
        if len(one) == 1 and one[0] > 1 and len(other) >= 2:
            n = one[0]
            warn_at_user_code(
                f"{op}: a rank-1 array of shape {one} was broadcast against shape {other}, "
                f"giving {shape_out}. Rank-1 arrays act as rows; if a column or row vector "
                f"is meant, reshape it: x.reshape({n}, 1) or x.reshape(1, {n})", RankOneWarning)
            return


_new = object.__new__
_make_tensor = None     # Tensor._make, bound by autograd_lite.tensor once Tensor exists
