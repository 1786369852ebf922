"""One call of a compiled step: its Python runs, its array work is traced and replayed.

While :class:`~autograd_lite.compile.CompiledStep` runs a step, ``_state.trace`` is a
:class:`Trace`.  Every primitive (``Function.apply``), backward pass, in-place update and
``retain_grad`` of the step reaches it as an *event*, and the events are matched one by one
against a trie of the paths captured on earlier calls (:class:`Node`).  While they match,
results are *lazy* tensors: their shapes and dtypes are known from the capture, their values
are not computed yet.  At the end of the call — or earlier, when the Python needs a value
(``.item()``, ``bool(t)``, ``.numpy()``: a *sync point*) — the captured numpy program runs the
array work of the events so far in one go, and the lazy tensors get their arrays.

The inputs of a program are the tensors and arrays that enter its events from outside the
trace (*externals*: the batch, the parameters, a learning rate as a 0-d array, the optimizer's
state), read on every call.  An event the trie has not seen — another branch, loop count,
shape, dtype, aliasing of the inputs, ``requires_grad`` or ``.grad`` state — makes the call
*capture*: the events so far run again through the real engine (so that a backward pass later
in the step finds its graph), the rest of the call runs eagerly while a
:class:`~autograd_lite.capture.Recorder` notes every numpy call, and the new path joins the
trie when the call returns.  Python side effects are never replayed: they simply happen,
because the Python runs.
"""
from __future__ import annotations

import inspect
import math
import sys

import numpy as np

from .errors import CaptureError
from .function import Clock, Function, _check_rank_one, _eager_apply, _new, _state
from .tensor import Tensor


class Lazy:
    """The stand-in for the array of a lazy tensor: shape and dtype now, values on demand.

    Reading values (``np.asarray``, any array attribute or operator) makes the trace run the
    program so far (a sync point); afterwards the stand-in holds the array."""

    __slots__ = ("shape", "dtype", "slot", "trace", "value", "uses")

    def __init__(self, slot, shape, dtype, trace):
        self.slot = slot
        self.shape = shape
        self.dtype = dtype
        self.trace = trace
        self.value = None
        self.uses = 0          # op events holding its tensor as an input (Trace._held)

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: math.prod(self.shape))

    def resolve(self):
        if self.value is None:
            trace = self.trace
            if trace is None or trace.closed:
                raise CaptureError(
                    "compile: this tensor's value was never computed: the compiled step that "
                    "made it raised an error before its values were needed")
            trace.sync()
        return self.value

    def __array__(self, dtype=None, copy=None):
        value = self.resolve()
        return value if dtype is None else value.astype(dtype)

    def __getattr__(self, name):
        return getattr(self.resolve(), name)

    def __len__(self):
        return len(self.resolve())

    def __iter__(self):
        return iter(self.resolve())

    def __getitem__(self, index):
        return self.resolve()[index]

    def __bool__(self):
        return bool(self.resolve())

    def __repr__(self):
        state = "pending" if self.value is None else "computed"
        return f"<lazy array slot {self.slot} shape={self.shape} dtype={self.dtype} ({state})>"


def _delegate(name):
    def method(self, *args):
        return getattr(self.resolve(), name)(*[a.resolve() if type(a) is Lazy else a
                                               for a in args])
    method.__name__ = name
    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
              "xor", "lshift", "rshift"):
    for _form in ("__%s__", "__r%s__"):
        setattr(Lazy, _form % _name, _delegate(_form % _name))
for _name in ("__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__", "__neg__", "__pos__",
              "__abs__", "__invert__", "__float__", "__int__", "__index__", "__complex__"):
    setattr(Lazy, _name, _delegate(_name))
Lazy.__hash__ = object.__hash__


class Released(Function):
    """The grad_fn of a compiled step's result: its graph lives in the program, not here."""
    name = "compiled step"
    released = True
    why = ("backward: this tensor is a result of a compiled step (ag.compile), whose graph is "
           "not kept after the call: call backward() inside the step, or run the step without "
           "compile to differentiate its results afterwards")
    _records = ()


COMPILED = _new(Released)
COMPILED.__dict__.update(_records=[], released=True, needs_input_grad=(), params={})


class Node:
    """One event of a captured path; its children are the events seen after it.

    ``outs`` describes what the event produced ``(slot, shape, dtype, requires_grad)``;
    ``new`` the slots its new externals got; ``writes`` (backward) the ``.grad`` it wrote,
    ``returns`` (``ag.grad``) the gradients it returned.  ``capture`` is the
    :class:`~autograd_lite.capture.Recorder` of the call that made the node: its entries up
    to ``depth`` are the program of the path from the root to here."""

    __slots__ = ("children", "depth", "capture", "outs", "new", "writes", "returns",
                 "targets", "programs", "ready", "ops", "warn")

    def __init__(self, depth):
        self.children = {}
        self.depth = depth
        self.capture = None
        self.outs = None
        self.new = ()
        self.writes = ()
        self.returns = None
        self.targets = {}        # backward's key -> the slots whose .grad it writes
        self.programs = {}       # (start depth, outputs) -> Program ending here
        self.ready = False       # set when the call that made it returned normally
        self.ops = ()            # the op objects its program calls (shared by all captures)
        self.warn = None         # an op's rank-1 check, decided by the shapes of the path


def _lazy_tensor(tensor_type, standin, requires_grad):
    t = _new(tensor_type)
    t._data = standin
    t._grad = None
    t._requires_grad = requires_grad
    t._fn = COMPILED if requires_grad else None
    t.name = None
    t._version = 0
    t._base = None
    t._retains_grad = False
    return t


class Trace:
    """The events of one call of a compiled step, matched against its trie or captured."""

    def __init__(self, step):
        self.step = step
        self.node = step.root         # lazy while not None: the node the events lead to
        self.synced = step.root       # the program has run up to here
        self.values = {}              # slot -> array (externals, and computed when synced)
        self.by_tensor = {}           # id(tensor) -> slot (externals and computed tensors)
        self.by_array = {}            # id(array) -> slot (externals that need no gradient)
        self.arrays = {}              # id(array) -> first slot of any external with it
        self.objs = {}                # slot -> external tensor (kept alive: ids stay unique)
        self.lazy = []                # lazy result tensors, in the order they were made
        self.lazy_index = {}          # slot -> position in self.lazy
        self.done = 0                 # self.lazy[:done] have their arrays
        self.events = []              # what to run again if the call turns to capturing
        self.pending = []             # externals updated in place, until the program runs
        self.snapshots = []           # (array, copy) of externals a synced program updated
        self.recorder = None          # capturing: notes the numpy calls
        self.cnode = None             # capturing: the node of the last event
        self.made = []                # capturing: nodes made by this call
        self.kept = []                # capturing: tensors made by the events (ids unique)
        self.eager = False            # turned eager for good (nothing is captured)
        self.closed = False

    # --- what an event's tensors are ------------------------------------------------------
    def _refs(self, tensors):
        """The key of some tensors — a slot each, or what a new external is — and the new
        externals (tensors from outside the trace, in order of first appearance)."""
        refs, new = [], None
        for t in tensors:
            d = t._data
            if type(d) is Lazy:
                if d.trace is not self:
                    d.resolve()                # from an earlier call: its value, or an error
                    d = t._data = d.value
                else:
                    refs.append(d.slot)
                    continue
            s = self.by_tensor.get(id(t))
            if s is None and not t._requires_grad:
                s = self.by_array.get(id(d))
            if s is not None:
                refs.append(s)
                continue
            if new is None:
                new = []
            for j, u in enumerate(new):        # the same new external twice in one event
                if u is t or (not t._requires_grad and not u._requires_grad
                              and u._data is d):
                    refs.append(("again", j))
                    break
            else:                              # what it is; which known array it shares
                refs.append((d.shape, d.dtype, d.flags.c_contiguous, t._requires_grad,
                             self.arrays.get(id(d))))
                new.append(t)
        return tuple(refs), new

    def _op_refs(self, inputs):
        """The key of an op's inputs — each one's slot (or what a new external is) and
        whether it requires a gradient — and the new externals among them (as
        :meth:`_refs`, inline for the common kinds of input)."""
        refs, new = [], None
        by_tensor, by_array = self.by_tensor, self.by_array
        for t in inputs:
            d = t._data
            rg = t._requires_grad
            if type(d) is Lazy and d.trace is self:
                refs.append(d.slot)
                refs.append(rg)
                d.uses += 1
                continue
            s = by_tensor.get(id(t))
            if s is None and not rg:
                s = by_array.get(id(d))
            if s is not None:
                refs.append(s)
                refs.append(rg)
            elif type(d) is not np.ndarray:    # a lazy tensor of another call, ...
                refs, new = self._refs(inputs)
                return (refs, tuple([t._requires_grad for t in inputs])), new
            elif new is None:
                refs.append((d.shape, d.dtype, d.flags.c_contiguous, rg, self.arrays.get(id(d))))
                refs.append(rg)
                new = [t]
            else:
                for j, u in enumerate(new):    # the same new external twice in one event
                    if u is t or (not rg and not u._requires_grad and u._data is d):
                        refs.append(("again", j))
                        break
                else:
                    refs.append((d.shape, d.dtype, d.flags.c_contiguous, rg, self.arrays.get(id(d))))
                    new.append(t)
                refs.append(rg)
        return tuple(refs), new

    def _register(self, t, slot):
        """``t`` (from outside the trace) is the array of ``slot`` in this call."""
        d = t._data
        self.values[slot] = d
        self.by_tensor[id(t)] = slot
        self.objs[slot] = t
        self.arrays.setdefault(id(d), slot)
        if not t._requires_grad:
            self.by_array.setdefault(id(d), slot)
        if self.recorder is not None:
            self.recorder.external(slot, d, t.name or self._arg_name(t))

    def _arg_name(self, t):
        """The step's parameter name of an argument (``X``), to name it in the program."""
        names = self.__dict__.get("arg_names")
        if names is None:
            names = self.arg_names = {}
            try:
                bound = inspect.signature(self.step.fn).bind(*self.args[0], **self.args[1])
            except (TypeError, ValueError):
                bound = None
            for name, value in (bound.arguments.items() if bound is not None else ()):
                names.setdefault(id(value), name)
                if isinstance(value, Tensor):
                    names.setdefault(id(value._data), name)
        return names.get(id(t)) or names.get(id(t._data))

    args = ((), {})

    def _externals(self, new, slots):
        if self.recorder is not None:
            for t, slot in zip(new, slots):
                self._register(t, slot)
            return
        values, by_tensor, objs, arrays = self.values, self.by_tensor, self.objs, self.arrays
        by_array = self.by_array
        for t, slot in zip(new, slots):
            d = t._data
            values[slot] = d
            by_tensor[id(t)] = slot
            objs[slot] = t
            if id(d) not in arrays:
                arrays[id(d)] = slot
            if not t._requires_grad and id(d) not in by_array:
                by_array[id(d)] = slot

    def _new_externals(self, new):
        """Capturing: give new externals the recorder's next slots."""
        slots = []
        for t in new or ():
            slot = len(self.recorder.slots)
            self._register(t, slot)
            slots.append(slot)
        return tuple(slots)

    def _slot_of(self, t):
        d = t._data
        if type(d) is Lazy and d.trace is self:
            return d.slot
        s = self.by_tensor.get(id(t))
        if s is None and not t._requires_grad:
            s = self.by_array.get(id(d))
        return s

    def _tensor_any(self, slot):
        """Capturing: the tensor of a slot (an external, or a result of an event)."""
        t = self.objs.get(slot)
        if t is None:
            for u in self.kept:
                if self.by_tensor.get(id(u)) == slot:
                    return u
        return t

    def _tensor(self, slot):
        i = self.lazy_index.get(slot)
        return self.lazy[i] if i is not None else self.objs[slot]

    def _params_part(self, params, new):
        """An op's params as part of its key, and its new externals with the arrays among
        the params (an index array, a mask) added."""
        plain = _plain_params(params)
        if plain is not None:
            return plain, new
        arrays = []
        pkey = tuple([(k, _frozen(v, arrays)) for k, v in params.items()])
        if arrays:
            arefs, more = self._refs(arrays)
            new = (new or []) + (more or [])
            pkey = (pkey, arefs)
        return pkey, new

    def _make_lazy(self, cls_tensor, out):
        slot, shape, dtype, requires_grad = out
        t = _lazy_tensor(cls_tensor, Lazy(slot, shape, dtype, self), requires_grad)
        self.lazy_index[slot] = len(self.lazy)
        self.lazy.append(t)
        return t

    # --- events ---------------------------------------------------------------------------
    def apply(self, cls, inputs, params):
        """``cls.apply(*inputs, **params)`` inside the step (the hot path of a replay)."""
        node = self.node
        if node is None:
            return self._capture_op(cls, inputs, params)
        refs, new = self._op_refs(inputs)
        pkey = ()
        if params:
            pkey, new = self._params_part(params, new)
        state = _state
        enabled = state.enabled
        child = node.children.get((cls, refs, pkey, enabled))
        if child is None or not child.ready:
            self.capture_now()
            return self._capture_op(cls, inputs, params)
        if new:
            self._externals(new, child.new)
        self.node = child
        out = self._make_lazy(Tensor, child.outs)
        if child.warn is not None:             # decided by the shapes: once per path
            _check_rank_one(*child.warn)
        self.events.append(("op", cls, inputs, params, enabled, state.scope, out))
        return out

    def _capture_op(self, cls, inputs, params):
        refs, new = self._op_refs(inputs)
        pkey, new = self._params_part(params, new) if params else ((), new)
        key = (cls, refs, pkey, _state.enabled)
        slots = self._new_externals(new)
        child = self._child(key)
        self._internal_begin()
        try:
            out = _eager_apply(cls, inputs, params)
        finally:
            self._internal_end()
        slot = self.recorder.slot_index(out._data)
        self.by_tensor[id(out)] = slot
        self.kept.append(out)
        self._describe(child, outs=(slot, out.shape, out.dtype, out._requires_grad), new=slots)
        if cls.broadcasts and len(inputs) == 2:
            a, b = inputs[0].shape, inputs[1].shape
            if (len(a) != len(b) and (len(a) == 1 or len(b) == 1)
                    and math.prod(out.shape) > max(math.prod(a), math.prod(b))):
                child.warn = (cls.name, a, b, out.shape)    # _check_rank_one may warn
        return out

    def backward(self, roots, grads, retain_graph, create_graph, inputs, allow_unused):
        """``engine.backward`` inside the step: writes ``.grad`` or returns gradients."""
        grads = [None] * len(roots) if grads is None else list(grads)
        grads = [g if g is None or isinstance(g, Tensor) else Tensor._make(np.asarray(g))
                 for g in grads]
        tensors = list(roots) + [g for g in grads if g is not None] + list(inputs or ())
        options = (retain_graph, create_graph, inputs, allow_unused)
        refs, new = self._refs(tensors)
        base = ("backward", refs, tuple([g is not None for g in grads]), retain_graph,
                create_graph, inputs is not None, allow_unused, _state.enabled)
        if self.node is not None:
            known = self.node.targets.get(base)
            if known is not None:
                result = self._lazy_backward(base, known, new, Tensor, roots, grads, options)
                if result is not _MISS:
                    return result
            self.capture_now()
            refs, new = self._refs(tensors)
        return self._capture_backward(base, new, roots, grads, options)

    def _lazy_backward(self, base, known, new, cls_tensor, roots, grads, options):
        targets, base_slots = known
        if new:
            self._externals(new, base_slots)
        olds, states, extra = [], [], []
        for slot in targets:
            t = self._tensor(slot)
            g = t._grad
            olds.append((t, g))
            if g is None:
                states.append(None)
            else:
                ref, more = self._refs([g])
                states.append(ref[0])
                extra.extend(more or ())
        child = self.node.children.get((base, tuple(states)))
        if child is None or not child.ready:
            return _MISS
        if extra:
            self._externals(extra, child.new)
        self.node = child
        writes = []
        for (target, out), (t, _) in zip(child.writes, olds):
            g = self._make_lazy(cls_tensor, out)
            t._grad = g
            writes.append((t, g))
        results = None
        if child.returns is not None:
            results = [None if out is None else self._make_lazy(cls_tensor, out)
                       for out in child.returns]
        self.events.append(("backward", roots, grads, options, olds, writes, results))
        return results

    def grad_input(self, g):
        """Capturing: the ``.grad`` a backward pass adds to — its slot, and its key."""
        ref, new = self._refs([g])
        slots = self._new_externals(new)
        self.grad_slots.extend(slots)
        return self._slot_of(g), ref[0]

    grad_slots = None

    def _capture_backward(self, base, new, roots, grads, options):
        from . import engine
        retain_graph, create_graph, inputs, allow_unused = options
        base_slots = self._new_externals(new)
        rec = self.recorder
        parent = self.cnode if self.cnode is not None else self.step.root
        known = parent.targets.get(base)
        seen = None
        if known is not None:                 # a backward pass seen here: reuse its op objects
            states = tuple(None if self._tensor_any(slot)._grad is None
                           else self._refs([self._tensor_any(slot)._grad])[0][0]
                           for slot in known[0])
            seen = parent.children.get((base, states))
        pending = Node(parent.depth + 1) if seen is None else seen
        self._begin(pending)
        rec.writes, self.grad_slots = [], []
        self._internal_begin()
        try:
            results = engine.backward(roots, grads, retain_graph=retain_graph,
                                      create_graph=create_graph, inputs=inputs,
                                      allow_unused=allow_unused)
        finally:
            self._internal_end()
        targets, states, writes = [], [], []
        for t, state in rec.writes:
            targets.append(self._slot_of(t))
            states.append(state)
            g = t._grad
            slot = rec.slot_index(g._data)
            self.by_tensor[id(g)] = slot
            self.kept.append(g)
            writes.append((targets[-1], (slot, g.shape, g.dtype, g._requires_grad)))
        returns = None
        if results is not None:
            returns = []
            for g in results:
                if g is None:
                    returns.append(None)
                    continue
                slot = rec.slot_index(g._data)
                self.by_tensor[id(g)] = slot
                self.kept.append(g)
                returns.append((slot, g.shape, g.dtype, g._requires_grad))
        known = (tuple(targets), base_slots)
        if parent.targets.setdefault(base, known) != known:
            raise CaptureError("compile: internal error: a backward pass captured again wrote "
                               "other gradients")
        ops, rec.reuse = rec.event_ops, None
        child = self._child((base, tuple(states)), begin=False)
        rec.event_ops = ops
        self._describe(child, new=tuple(self.grad_slots), writes=tuple(writes),
                       returns=returns)
        self.grad_slots = None
        return results

    def inplace(self, t, ufunc, other):
        """``t <op>= other`` under no_grad inside the step (checked by inplace.update)."""
        if self.node is not None and ufunc is np.power and t.dtype.kind in "iu":
            self.capture_now()                   # its check reads the exponent's values
        if self.node is None:
            return self._capture_inplace(t, ufunc, other)
        refs, new = self._refs([t, other])
        key = ("inplace", ufunc, refs, _state.enabled)
        child = self.node.children.get(key)
        if child is None or not child.ready:
            self.capture_now()
            return self._capture_inplace(t, ufunc, other)
        if new:
            self._externals(new, child.new)
        self.node = child
        d = t._data
        if type(d) is not Lazy:                  # an external: written when the program runs
            if not d.flags.writeable:
                self.capture_now()
                return self._capture_inplace(t, ufunc, other)
            t._data = Lazy(self.by_tensor[id(t)], d.shape, d.dtype, self)
            self.pending.append((t, d))
        Clock.stamp(t)
        self.events.append(("inplace", t, ufunc, other, _state.enabled))
        return t

    def _capture_inplace(self, t, ufunc, other):
        from . import inplace
        refs, new = self._refs([t, other])
        key = ("inplace", ufunc, refs, _state.enabled)
        slots = self._new_externals(new)
        child = self._child(key)
        self._internal_begin()
        try:
            inplace.update(t, ufunc, other)
        finally:
            self._internal_end()
        self._describe(child, new=slots)
        return t

    def update_each(self, ts, ufunc, others, scale):
        """``t <op>= other * scale`` for each pair under no_grad (inplace.update_each): one
        event, whose program is each pair's multiply and in-place update."""
        if self.node is None:
            return self._capture_update_each(ts, ufunc, others, scale)
        refs, new = self._op_refs([*ts, *others, scale])
        child = self.node.children.get(("update_each", ufunc, refs, _state.enabled))
        if child is None or not child.ready:
            self.capture_now()
            return self._capture_update_each(ts, ufunc, others, scale)
        for t in ts:
            d = t._data
            if type(d) is not Lazy and not d.flags.writeable:
                self.capture_now()                   # its update raises the error eagerly
                return self._capture_update_each(ts, ufunc, others, scale)
        if new:
            self._externals(new, child.new)
        self.node = child
        by_tensor, pending = self.by_tensor, self.pending
        for t in ts:
            d = t._data
            if type(d) is not Lazy:                  # an external: written when the program runs
                t._data = Lazy(by_tensor[id(t)], d.shape, d.dtype, self)
                pending.append((t, d))
        Clock.stamp_each(ts)
        self.events.append(("update_each", ts, ufunc, others, scale, _state.enabled))

    def _capture_update_each(self, ts, ufunc, others, scale):
        from . import inplace
        refs, new = self._op_refs([*ts, *others, scale])
        slots = self._new_externals(new)
        child = self._child(("update_each", ufunc, refs, _state.enabled))
        self._internal_begin()
        try:
            for t, g in zip(ts, others):
                inplace.update(t, ufunc, g * scale)
        finally:
            self._internal_end()
        self._describe(child, new=slots)

    def alias(self, t):
        """``t.detach()`` of a lazy tensor ``t``: another lazy tensor of its values (an
        event, so that a capture after it makes the detached tensor again)."""
        standin = t._data
        if type(standin) is not Lazy or standin.trace is not self:
            return None
        alias = _lazy_tensor(Tensor, standin, False)
        self.lazy.append(alias)
        self.events.append(("detach", t, alias))
        return alias

    def detached(self, t, alias):
        """Capturing: ``alias = t.detach()`` shares ``t``'s array, so it is ``t``'s slot (as
        :meth:`alias` makes it on a replay), not a new input."""
        if self.node is None and self.recorder is not None:
            slot = self.by_tensor.get(id(t))
            if slot is not None and self.objs.get(slot) is not t:    # not an input's
                self.by_tensor[id(alias)] = slot
                self.kept.append(alias)

    def retain(self, t):
        """``t.retain_grad()`` inside the step: the backward passes after it depend on it."""
        refs, new = self._refs([t])
        key = ("retain", refs)
        if self.node is not None:
            child = self.node.children.get(key)
            if child is not None and child.ready:
                if new:
                    self._externals(new, child.new)
                self.node = child
                self.events.append(("retain", t))
                return
            self.capture_now()
            refs, new = self._refs([t])
        slots = self._new_externals(new)
        child = self._child(key)
        self._describe(child, new=slots)

    # --- capturing --------------------------------------------------------------------------
    def _child(self, key, begin=True):
        parent = self.cnode if self.cnode is not None else self.step.root
        child = parent.children.get(key)
        if child is None:
            child = Node(parent.depth + 1)
            parent.children[key] = child
            self.made.append((parent, key, child))
        self.cnode = child
        if begin:
            self._begin(child)
        return child

    def _begin(self, child):
        """Capturing: the numpy calls from here on belong to the event of ``child``."""
        rec = self.recorder
        rec.event = child.depth
        rec.reuse = iter(child.ops) if child.ready else None
        rec.event_ops = []

    def _describe(self, child, outs=None, new=(), writes=(), returns=None):
        self.recorder.reuse = None
        if child.ready:
            if child.outs != outs or child.new != new:
                raise CaptureError("compile: internal error: an event captured again gave "
                                   "another program (its slots differ)")
            return
        child.outs, child.new, child.writes, child.returns = outs, new, writes, returns
        child.capture = self.recorder
        child.ops = tuple(self.recorder.event_ops)

    def _internal_begin(self):
        _state.trace = None             # what the engine does inside an event is not an event

    def _internal_end(self):
        _state.trace = self

    def capture_now(self):
        """The events so far leave the trie: run them again eagerly, recording, and go on
        capturing."""
        from .capture import Recorder
        recorder = Recorder(self.step.fn)
        recorder.trace = self
        self._rerun(recorder)

    def go_eager(self):
        """Run the rest of the call eagerly and capture nothing (something a program cannot
        repeat happened, e.g. assigning ``.data``)."""
        if self.eager:
            return
        if self.node is not None or self.recorder is not None:
            self._rerun(None)
        self.eager = True
        _state.trace = None
        _state.capture = None

    def _rerun(self, recorder):
        events, self.events = self.events, []
        for array, copy in reversed(self.snapshots):   # undo updates a synced program made
            np.copyto(array, copy)
        self._restore_pending()
        self.snapshots = []
        now = {}
        for ev in events:
            if ev[0] == "backward":
                for t, _ in ev[4]:
                    now[id(t)] = (t, t._grad)
        self.node = None
        self.recorder = recorder
        self.values, self.by_tensor, self.by_array, self.objs = {}, {}, {}, {}
        self.arrays = {}
        self.lazy_index = {}
        self.cnode = None
        if recorder is None:
            _state.trace = None
        else:
            _state.capture = recorder
        enabled, scope = _state.enabled, _state.scope
        try:
            for ev in events:
                kind = ev[0]
                if kind == "op":
                    _, cls, inputs, params, _state.enabled, _state.scope, out = ev
                    real = (self._capture_op(cls, inputs, params) if recorder is not None
                            else _eager_apply(cls, inputs, params))
                    self._transplant(real, out)
                elif kind == "backward":
                    _, roots, grads, (retain, create, inputs, unused), olds, writes, results = ev
                    for t, old in olds:
                        t._grad = old
                    if recorder is not None:
                        real = self.backward(roots, grads, retain, create, inputs, unused)
                    else:
                        from . import engine
                        real = engine.backward(roots, grads, retain_graph=retain,
                                               create_graph=create, inputs=inputs,
                                               allow_unused=unused)
                    for t, lazy in writes:
                        self._transplant(t._grad, lazy)
                        t._grad = lazy
                    for r, lazy in zip(real or (), results or ()):
                        if lazy is not None:
                            self._transplant(r, lazy)
                elif kind == "inplace":
                    _, t, ufunc, other, _state.enabled = ev
                    from . import inplace
                    if recorder is not None:
                        self._capture_inplace(t, ufunc, other)
                    else:
                        inplace.update(t, ufunc, other)
                elif kind == "update_each":
                    _, ts, ufunc, others, scale, _state.enabled = ev
                    if recorder is not None:
                        self._capture_update_each(ts, ufunc, others, scale)
                    else:
                        from . import inplace
                        for t, g in zip(ts, others):
                            inplace.update(t, ufunc, g * scale)
                elif kind == "detach":
                    _, t, alias = ev
                    self._transplant(t.detach(), alias)
                elif kind == "retain":
                    if recorder is not None:
                        self.retain(ev[1])
        finally:
            _state.enabled, _state.scope = enabled, scope
        for t, g in now.values():
            t._grad = g
        self.lazy, self.done = [], 0

    def _transplant(self, real, lazy):
        """The lazy tensor becomes the real one (Python holds the lazy object)."""
        standin = lazy._data
        lazy._data, lazy._fn, lazy._requires_grad = real._data, real._fn, real._requires_grad
        if type(standin) is Lazy:
            standin.value = real._data
        slot = self.by_tensor.pop(id(real), None)
        if slot is not None:
            self.by_tensor[id(lazy)] = slot
        self.kept.append(lazy)

    # --- running the program ----------------------------------------------------------------
    def sync(self):
        """A value is needed now: run the program up to the last event."""
        node = self.node
        if node is None or node is self.synced:
            self._materialize(all_=True)
            return
        held = self._held() if "buffers" in self.step.passes else None
        program = self.step.segment(self.synced, node, None, held)
        if program.updates:
            for slot in program.updates:                # undone if the call turns to capture
                if slot in self.objs:
                    array = self.values[slot]
                    self.snapshots.append((array, array.copy()))
        program.run(self.values)
        self.synced = node
        self._materialize(all_=True)
        self._restore_pending()

    def _restore_pending(self):
        for t, array in self.pending:
            standin = t._data
            if type(standin) is Lazy:
                standin.value = array
            t._data = array
        self.pending = []

    def finish(self):
        """The step returned: run what is left of the program, give results their arrays."""
        self.events = None
        try:
            if self.node is not None and self.node is not self.synced:
                held = self._live()
                live = tuple([t._data.slot for t in held])
                program = self.step.segment(self.synced, self.node, live)
                program.run(self.values)           # a check in it may raise (a warning
                self._materialize(held=held)       # as an error): the call still ends
            else:                                  # cleanly, its parameters as they are
                live = None
        finally:
            self._restore_pending()
            self.close()
        return live

    def abort(self):
        """The step raised: its events before the error still take effect, as eagerly."""
        self.events = None
        try:
            if self.node is not None and self.node is not self.synced:
                self.step.segment(self.synced, self.node, None).run(self.values)
                self._materialize(all_=True)
        finally:
            self._restore_pending()
            for parent, key, child in self.made:
                if not child.ready:
                    parent.children.pop(key, None)
            self.close()

    def commit(self):
        """A captured path joins the trie; returns the slots of the results still held."""
        self.events = None
        live = set()
        base = _BASE
        kept, self.kept = {id(t): t for t in self.kept}, None
        for t in kept.values():
            if sys.getrefcount(t) > base:
                slot = self.by_tensor.get(id(t))
                if slot is not None:
                    live.add(slot)
        for parent, key, child in self.made:
            child.ready = True
        if self.recorder is not None:
            self.recorder.done()
        for t in kept.values():             # results of a step keep no graph after the call
            if t._fn is not None and t._fn is not COMPILED:
                t._fn = COMPILED
        return tuple(sorted(live))

    def close(self):
        """Drop what this call held: the arrays, the tensors, the arguments."""
        self.closed = True
        self.values = self.objs = self.by_tensor = self.by_array = self.arrays = None
        self.lazy = self.kept = self.events = self.made = None
        self.pending = self.snapshots = ()
        self.args = ((), {})
        self.__dict__.pop("arg_names", None)
        if self.recorder is not None:
            self.recorder.trace = None

    def _live(self):
        """The lazy tensors that something outside the trace still holds (or whose
        stand-in it holds)."""
        live = []
        base = _BASE
        lazy = self.lazy
        refcount = sys.getrefcount
        for i in range(self.done, len(lazy)):
            t = lazy[i]
            if refcount(t) > base or refcount(t._data) > base:
                live.append(t)
        return live

    def _held(self):
        """At a sync point: the slots of the lazy tensors something outside the trace holds
        (their arrays must be new; the others are unreachable from Python, and their arrays
        are read only by this call's later programs, so they may be buffers).  The trace's
        own references are counted off: its list of lazy tensors, the event that made each
        and the op events that take it as an input (``Lazy.uses``); references from other
        events count as held (safe: they are few), and so does a stand-in two tensors
        share (``detach()``)."""
        held = []
        base = _BASE + 1                    # + the event that made it
        refcount = sys.getrefcount
        lazy = self.lazy
        for i in range(self.done, len(lazy)):
            t = lazy[i]
            d = t._data
            # uses counts the events of every tensor sharing the stand-in, so a shared
            # stand-in (detach) must count as held: the second test is not redundant
            if type(d) is Lazy and (refcount(t) > base + d.uses or refcount(d) > _SHARED):
                held.append(d.slot)
        return tuple(sorted(set(held)))

    def _materialize(self, all_=False, slots=None, held=None):
        """Give the lazy tensors made since the last sync their arrays: all of them, those
        of ``slots``, or the tensors ``held``."""
        values = self.values
        wanted = None if all_ or held is not None else set(slots)
        for t in self.lazy[self.done:] if held is None else held:
            standin = t._data
            if type(standin) is not Lazy:
                continue
            if wanted is not None and standin.slot not in wanted:
                continue
            array = values[standin.slot]
            if type(array) is not np.ndarray:       # a 0-d result as numpy returns it
                array = values[standin.slot] = np.asarray(array)
            standin.value = array
            t._data = array
            self.by_tensor[id(t)] = standin.slot
        self.done = len(self.lazy)



_PLAIN = (int, bool, str, type(None))


def _plain_params(params):
    """Params as a key when they are all ints, bools, strings or None (the common case)."""
    for v in params.values():
        if type(v) not in _PLAIN:
            return None
    return tuple(params.items())


def _frozen(value, arrays):
    """A parameter as a key: exact for floats (-0.0 and nan too), arrays as externals."""
    kind = type(value)
    if kind is float or kind is np.float64 or kind is np.float32:
        return ("f", float(value).hex())
    if kind is tuple or kind is list:
        return (kind.__name__,) + tuple(_frozen(v, arrays) for v in value)
    if kind is slice:
        return ("slice", _frozen(value.start, arrays), _frozen(value.stop, arrays),
                _frozen(value.step, arrays))
    if kind is np.ndarray:
        arrays.append(Tensor._make(value))
        return ("array", len(arrays) - 1)
    try:
        hash(value)
    except TypeError:
        raise CaptureError(f"compile: an op parameter of type {kind.__name__} cannot be "
                           "traced") from None
    return value


_MISS = object()


def _baselines():
    """What sys.getrefcount says, in the loops of Trace._live and Trace._held, of a tensor
    nothing else holds, and of its stand-in when no other tensor shares it."""
    class Probe:
        _data = None
    items = [Probe()]
    items[0]._data = Probe()
    for i in range(len(items)):
        t = items[i]
        d = t._data
        return sys.getrefcount(t), sys.getrefcount(d)


_BASE, _SHARED = _baselines()
