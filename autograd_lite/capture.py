"""The recorder behind :func:`autograd_lite.compile`: a captured call's numpy calls.

While a call of a compiled step is captured (:mod:`autograd_lite.tracing`), ``Function.apply``,
the engine's backward pass, ``.grad`` writes and in-place operators report each array they
compute to the :class:`Recorder` of the thread (``_state.capture``).  Every array gets a
*slot*, known by the array's identity; the trace numbers the slots of the arrays that come
from outside (the program's inputs), the recorder those it computes.  Each call becomes an
:class:`_Entry` tagged with the event of the trace it belongs to, so that
:mod:`autograd_lite.program` can write any stretch of events as a program.  The calls are
the ops' own ``forward`` and ``backward`` methods: a program holds no second copy of any
derivative.
"""
from __future__ import annotations

import builtins
import keyword
import re

import numpy as np

from .function import _state
from .tensor import Tensor


class _Slot:
    """An array of the program: what it is (ext, out, const) and what it is called."""
    __slots__ = ("index", "name", "kind", "value", "shape", "dtype", "c_order")

    def __init__(self, index, name, kind, value):
        self.index, self.name, self.kind = index, name, kind
        self.value = value           # the array at capture (kept alive: ids stay unique)
        self.shape, self.dtype = np.shape(value), getattr(value, "dtype", None)
        # in C order at capture (a number counts as one); for an input, part of the key
        self.c_order = not isinstance(value, np.ndarray) or value.flags.c_contiguous


class _Entry:
    """One line of the program: ``outs = call(args)``, with what it needs and changes."""
    __slots__ = ("kind", "code", "args", "outs", "effect", "after", "comment", "phase",
                 "event", "op", "params")

    def __init__(self, kind, code, args, outs, effect=False, after=None, comment="",
                 phase="forward", event=0, op=None, params=None):
        self.kind = kind             # fwd, bwd, attr, call, inplace
        self.code = code             # a format string over {0}, {1}, ... (args)
        self.args = args             # slots read (list of _Slot)
        self.outs = outs             # slots written (list of _Slot or None)
        self.effect = effect         # changes the world (kept even if nothing reads it)
        self.after = after           # an entry that must also be kept (the op's forward)
        self.comment = comment
        self.phase = phase
        self.event = event           # the trace event (its depth in the trie) it belongs to
        self.op = op                 # fwd, bwd: the op object whose method the line calls
        self.params = params         # fwd: the op's params (arrays among them are args)


class Recorder:
    """Collects the numpy calls of one captured call (``_state.capture`` of the thread)."""

    def __init__(self, fn):
        self.fn = fn
        self.slots = []                  # every _Slot, in creation order: its index is its number
        self.by_id = {}                  # id(array) -> _Slot
        self.entries = []
        self.objects = {}                # namespace name -> object (ops, constants)
        self.object_names = {}           # id(object) -> namespace name
        self.op_entry = {}               # id(eager Function) -> (replay Function, entry, name)
        self.op_names = {}               # op name -> how many so far (matmul_1, matmul_2)
        self.phase = "forward"
        self.event = 0                   # the trace event being run
        self.writes = None               # the .grad a backward pass wrote: (tensor, key)
        self.trace = None                # the Trace that numbers the program's inputs
        self.reuse = None                # iterator over the op objects of a known event
        self.event_ops = []              # the op objects made for the current event

    # --- slots ----------------------------------------------------------------------------
    def _new_slot(self, array, name, kind):
        slot = _Slot(len(self.slots), name, kind, array)
        self.slots.append(slot)
        self.by_id.setdefault(id(array), slot)
        return slot

    def external(self, index, array, name):
        """An input of the program, numbered ``index`` by the trace."""
        assert index == len(self.slots), (index, len(self.slots))
        self._new_slot(array, name or ("scalar" if np.ndim(array) == 0 else "x"), "ext")

    def slot_index(self, array):
        """The number of the slot holding ``array`` (a constant slot if it is new)."""
        return self.slot_of_array(array).index

    def slot_of_tensor(self, t):
        slot = self.slot_of_array(t._data)
        if slot.kind == "ext" and t.name and slot.name in ("x", "scalar"):
            slot.name = t.name
        return slot

    def slot_of_array(self, array):
        """The slot of an array seen before, or a new constant slot (an engine constant:
        the seed's ones, ...; everything from outside the step is an external)."""
        slot = self.by_id.get(id(array))
        if slot is None:
            slot = self._new_slot(np.asarray(array), "const", "const")
        return slot

    def _produced(self, array, name):
        if id(array) in self.by_id:
            return None                  # the call returned an array it was given
        return self._new_slot(array, name, "out")

    def _object(self, obj, name):
        key = id(obj)
        if key in self.object_names:
            return self.object_names[key]
        name = self._unique(_ident(name))
        self.objects[name] = obj
        self.object_names[key] = name
        return name

    def _unique(self, name):
        n = self.op_names.get(name, 0) + 1
        self.op_names[name] = n
        return f"{name}_{n}"

    def _add(self, entry):
        entry.event = self.event
        self.entries.append(entry)
        return entry

    # --- what the library reports ------------------------------------------------------------
    def op(self, fn, inputs, needs, params, data):
        """``Function.apply`` ran ``fn.forward``; returns the output array to wrap."""
        if type(data) is not np.ndarray:
            data = np.asarray(data)
        if self.reuse is not None:               # an event captured before: its op objects
            replay = next(self.reuse)
        else:
            replay = object.__new__(type(fn))
        self.event_ops.append(replay)
        replay.needs_input_grad = needs
        replay.params = dict(params)
        op_name = self._object(replay, fn.name)
        args = [self.slot_of_tensor(t) for t in inputs]
        kw, kw_args = self._params(params, len(args))
        scope = _state.scope
        out_name = f"{scope}.{fn.name}" if scope else fn.name
        out = self._produced(data, out_name)
        code = f"{op_name}.forward({', '.join('{%d}' % i for i in range(len(args)))}{kw})"
        # backward reads array parameters (an index, a mask) from self.params: refresh them
        code = "".join(f"{op_name}.params[{key!r}] = {{{len(args) + i}}}\n"
                       for i, key in enumerate(k for k, v in params.items()
                                               if isinstance(v, np.ndarray))) + code
        if self.phase == "backward" and not _state.enabled:
            self.phase = "update"            # ops under no_grad after a backward pass
        entry = self._add(_Entry("fwd", code, args + kw_args, [out], comment=fn.name,
                                 phase=self.phase, op=replay, params=replay.params))
        self.op_entry[id(fn)] = (replay, entry, op_name)
        return data

    def _params(self, params, first):
        """Keyword arguments as source text; arrays among them become slots."""
        parts, slots = [], []
        for key, value in params.items():
            if isinstance(value, np.ndarray):
                slots.append(self.slot_of_array(value))
                parts.append(f"{key}={{{first + len(slots) - 1}}}")
            else:
                parts.append(f"{key}={self._literal(value)}")
        return ("" if not parts else (", " if first else "") + ", ".join(parts)), slots

    def _literal(self, value):
        if _plain(value):
            return repr(value)
        if isinstance(value, np.dtype):
            return f"np.dtype({value.str!r})"
        return self._object(value, "const")

    def backward(self, fn, grad, out, inputs, raw):
        """The engine called ``fn.backward`` on arrays (first order)."""
        self.phase = "backward"
        replay, fwd, op_name = self.op_entry[id(fn)]
        args = [self.slot_of_array(grad), self.slot_of_array(out)] + [
            self.slot_of_array(x) for x in inputs]
        outs = []
        for x, g in zip(inputs, raw):
            if g is None:
                outs.append(None)
            else:
                base = self.by_id[id(x)].name if id(x) in self.by_id else "x"
                outs.append(self._produced(g, "d" + base))
        code = f"{op_name}.backward({', '.join('{%d}' % i for i in range(len(args)))})"
        self._add(_Entry("bwd", code, args, outs, after=fwd, comment=_rule(fn),
                         phase="backward", op=replay))

    def tensor_backward(self, fn, grad, out, inputs):
        """The engine calls ``fn.backward`` on Tensors (create_graph): its arithmetic is
        recorded op by op; the arrays ``forward`` saved on ``fn`` are read from the replayed
        op, and are handed to backward as Tensors so that arithmetic on them is recorded too."""
        self.phase = "backward"
        replay, fwd, op_name = self.op_entry[id(fn)]
        saved = {k: v for k, v in fn.__dict__.items() if type(v) is np.ndarray}
        for key, array in saved.items():
            if id(array) not in self.by_id:
                slot = self._new_slot(array, f"{op_name}.{key}", "out")
                self._add(_Entry("attr", f"{op_name}.{key}", [], [slot], after=fwd,
                                 phase="backward"))
            fn.__dict__[key] = Tensor._make(array)
        try:
            return fn.backward(grad, out, *inputs)
        finally:
            fn.__dict__.update(saved)

    def grad_name(self, array):
        """``d`` + the name of the array a gradient belongs to (``dlayer1_b``)."""
        slot = self.by_id.get(id(array))
        return "d" + (slot.name if slot is not None else "x")

    def call(self, args, result, code, name):
        """An array function the engine applied (sum_to, +, astype, a seed)."""
        if isinstance(result, Tensor):
            return                               # create_graph: recorded by its op
        arg_slots = [self.slot_of_array(a) for a in args]
        out = self._produced(result, name)
        if out is not None:
            self._add(_Entry("call", code, arg_slots, [out], phase=self.phase))

    def check(self, fn, arrays):
        """A check the eager code made on values (``fn(*arrays)``, e.g. a warning): the
        program makes it too, on every replay."""
        name = self._object(fn, fn.__name__)
        slots = [self.slot_of_array(a) for a in arrays]
        code = f"{name}(" + ", ".join(f"{{{i}}}" for i in range(len(slots))) + ")"
        self._add(_Entry("call", code, slots, [], effect=True, phase=self.phase))

    def write_grad(self, t, old, grad, stored):
        """The engine wrote ``.grad`` of ``t`` (first order): ``old`` the gradient that was
        there, ``grad`` the one computed, ``stored`` what it kept (``grad`` or a copy)."""
        written = t._grad._data
        if old is None:
            value, args = ("{0}" if stored is grad else "{0}.copy()"), [grad]
        else:
            value, args = "{0} + {1}", [old._data, grad]
        key = self._grad_key(old)
        if old is None and stored is grad:
            self.writes.append((t, key))         # .grad is the computed array itself
            return
        slots = [self.slot_of_array(a) for a in args]
        out = self._new_slot(written, f"{t.name or 't'}.grad", "out")
        self._add(_Entry("call", value, slots, [out], phase="backward"))
        self.writes.append((t, key))

    def wrote_grad(self, t, old):
        """``.grad`` of ``t`` written under create_graph (its arithmetic was recorded)."""
        self.writes.append((t, self._grad_key(old)))

    def _grad_key(self, old):
        if old is None:
            return None
        return self.trace.grad_input(old)[1]

    def inplace(self, ufunc, target, other, base):
        """``target op= other`` under no_grad, about to change target's array."""
        self.phase = "update"
        slot = self.slot_of_tensor(target)
        other_slot = self.slot_of_tensor(other)
        code = f"np.{ufunc.__name__}({{0}}, {{1}}, out={{0}}, casting='same_kind')"
        self._add(_Entry("inplace", code, [slot, other_slot], [], effect=True,
                         phase="update"))

    def done(self):
        """The capture is over: keep what programs are written from, not the arrays."""
        from .program import fold_constants
        self.entries = fold_constants(self.entries)
        self.by_id = None
        self.op_entry = None
        for slot in self.slots:
            if slot.kind != "const":       # a number's value is kept (for simplify's guards)
                slot.value = np.array(slot.value) if slot.shape == () else None


def _rule(fn):
    rule = type(fn).rule
    return f"{fn.name}: {rule}" if rule else fn.name


def _plain(value):
    if value is None or type(value) in (bool, int, float, str):
        return True
    if type(value) in (tuple, list):
        return all(_plain(v) for v in value)
    if type(value) is slice:
        return all(_plain(v) for v in (value.start, value.stop, value.step))
    return False


_NOT_WORD = re.compile(r"\W+")
_RESERVED = {"np", "sum_to", "v"} | set(dir(builtins))


def _ident(text):
    """A Python identifier from a tensor or op name: ``layer1.W`` -> ``layer1_W``."""
    name = _NOT_WORD.sub("_", str(text)).strip("_") or "v"
    if name[0].isdigit():
        name = "v" + name
    if keyword.iskeyword(name) or name in _RESERVED:
        name += "_"
    return name
