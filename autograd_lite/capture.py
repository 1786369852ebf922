"""The recorder behind :func:`autograd_lite.compile`: a step's numpy calls as a program.

While a step is captured, ``Function.apply``, the engine's backward pass, ``.grad``
writes and in-place operators report each array they compute to the :class:`Recorder`
of the thread.  Every array gets a *slot*, known by the array's identity; an array that
comes from outside the step is read from its tensor on every replay.  ``build`` prunes
what no output needs and turns the rest into Python source — one line per call, named
after the tensors — that is compiled once and run on every replay.  The calls are the
ops' own ``forward`` and ``backward`` methods: a compiled program holds no second copy
of any derivative.
"""
from __future__ import annotations

import builtins
import keyword
import os
import re
import sys
import weakref

import numpy as np

from .errors import CaptureError
from .function import _LIBRARY_DIRS, _state, _user_code_frame
from .tensor import Tensor


class StaleProgram(Exception):
    """A replay found the world changed since the capture (a parameter's shape, ...)."""


# --- arguments: flatten nested lists / tuples / dicts, and the signature of a call --------

class Tree:
    """How to put flat leaves back into the nested lists, tuples and dicts they came from."""

    def __init__(self, kind, children=(), keys=()):
        self.kind, self.children, self.keys = kind, tuple(children), tuple(keys)
        self.key = (kind, self.keys, tuple(c.key for c in self.children))

    def unflatten(self, leaves):
        return self._build(iter(leaves))

    def _build(self, it):
        if self.kind == "leaf":
            return next(it)
        parts = [child._build(it) for child in self.children]
        if self.kind == "dict":
            return dict(zip(self.keys, parts))
        return tuple(parts) if self.kind == "tuple" else parts

    def __eq__(self, other):
        return isinstance(other, Tree) and self.key == other.key

    def __hash__(self):
        return hash(self.key)


def flatten(value):
    """(leaves, tree) of a nested structure of lists, tuples and dicts."""
    leaves = []

    def walk(v):
        if type(v) in (list, tuple):
            return Tree("list" if type(v) is list else "tuple", [walk(x) for x in v])
        if type(v) is dict:
            keys = list(v)
            return Tree("dict", [walk(v[k]) for k in keys], keys)
        leaves.append(v)
        return Tree("leaf")
    return leaves, walk(value)


def signature(leaves):
    """What a program depends on in its arguments: shapes and dtypes, other values as such."""
    sig = []
    for i, v in enumerate(leaves):
        kind = type(v)
        if kind is Tensor:
            data = v._data
            sig.append((data.shape, data.dtype, v._requires_grad))
        elif kind is np.ndarray:
            sig.append((v.shape, v.dtype))
        elif isinstance(v, Tensor):
            sig.append((kind, v._data.shape, v._data.dtype, v._requires_grad))
        elif isinstance(v, np.ndarray):
            sig.append((kind, v.shape, v.dtype))
        else:
            try:
                hash(v)
            except TypeError:
                raise CaptureError(
                    f"compile: argument {i} is a {type(v).__name__}, which cannot be part of "
                    "a step's signature; pass arrays, tensors, numbers or strings") from None
            sig.append(("value", type(v), v))
    return tuple(sig)


def rng_states(fn):
    """States of numpy's global generator and of the generators ``fn`` closes over."""
    states = [np.random.get_state()[1].tobytes()]
    cells = [c.cell_contents for c in (getattr(fn, "__closure__", None) or ())
             if _cell_filled(c)]
    owner = getattr(fn, "__self__", None)
    if owner is not None:
        cells.extend(getattr(owner, "__dict__", {}).values())
    for value in cells:
        if isinstance(value, np.random.Generator):
            states.append(repr(value.bit_generator.state))
        elif isinstance(value, np.random.RandomState):
            states.append(value.get_state()[1].tobytes())
    return states


def _cell_filled(cell):
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


# --- guards: a library's data-dependent choice, checked again on every replay -------------

def guard(predicate, *tensors):
    """``predicate(*arrays)`` of the tensors' data — a value a compiled step may branch on.

    Eagerly this is just the predicate's result.  While a step is captured the result is
    remembered, and every replay evaluates the predicate again: if it gives another result
    (the program would have taken the other branch), the call runs eagerly and captures the
    other path.  Library code uses it where it chooses a formula from the data (e.g. a
    saturated sigmoid output in a cost).

    Examples
    --------
    >>> import numpy as np, autograd_lite as ag
    >>> from autograd_lite.capture import guard
    >>> guard(lambda a: bool((a > 0).all()), ag.tensor([1.0, 2.0]))
    True
    """
    value = predicate(*[t._data for t in tensors])
    recorder = _state.capture
    if recorder is not None:
        recorder.guard(predicate, tensors, value)
    return value


def value_read(tensor, what):
    """Called by Tensor's value accessors while a step is captured: refuse user reads.

    The library's own reads are allowed: it guards what it branches on."""
    frame = sys._getframe(2)                     # whoever called the accessor
    while frame is not None and frame.f_code.co_filename == __file__.replace(
            "capture.py", "tensor.py"):
        frame = frame.f_back                     # float(t) calls t.item()
    if frame is None or os.path.abspath(frame.f_code.co_filename).startswith(_LIBRARY_DIRS):
        return
    where = f"{frame.f_code.co_filename}:{frame.f_lineno}"
    update = (" To update a parameter, write `with ag.no_grad(): w -= lr * w.grad`, which "
              "the replay repeats." if "data" in what else "")
    raise CaptureError(
        f"compile: {what} reads a value inside a compiled step (at {where}); a replay runs "
        "only the numpy program and would reuse the value of the first call. Return the "
        "tensor and read it outside the step, use ag.where for a choice per element, or "
        f"call the step without compile.{update}")


# --- the recorder -------------------------------------------------------------------------

class _Slot:
    """An array of the program: where it comes from and what it is called."""
    __slots__ = ("index", "name", "kind", "source", "value")

    def __init__(self, index, name, kind, source, value):
        self.index, self.name, self.kind, self.source = index, name, kind, source
        self.value = value           # the array at capture time (kept alive: ids stay unique)


class _Entry:
    """One line of the program: ``outs = call(args)``, with what it needs and changes."""
    __slots__ = ("kind", "code", "args", "outs", "effect", "after", "comment", "phase")

    def __init__(self, kind, code, args, outs, effect=False, after=None, comment="",
                 phase="forward"):
        self.kind = kind             # fwd, bwd, attr, call, inplace, write, setgrad, guard
        self.code = code             # a format string over {0}, {1}, ... (args) and {out}
        self.args = args             # slots read (list of _Slot)
        self.outs = outs             # slots written (list of _Slot or None)
        self.effect = effect         # changes the world (kept even if nothing reads it)
        self.after = after           # an entry that must also be kept (the op's forward)
        self.comment = comment
        self.phase = phase


class Recorder:
    """Collects the calls of one captured step (one per thread, in ``_state.capture``)."""

    def __init__(self, fn):
        self.fn = fn
        self.slots = []                  # every _Slot, in creation order
        self.by_id = {}                  # id(array) -> _Slot
        self.entries = []
        self.objects = {}                # namespace name -> object (ops, tensors, constants)
        self.object_names = {}           # id(object) -> namespace name
        self.op_entry = {}               # id(eager Function) -> (replay Function, its entry)
        self.op_names = {}               # op name -> how many so far (matmul_1, matmul_2)
        self.arg_tensors = {}            # id(Tensor argument) -> its index
        self.arg_kinds = {}              # argument index -> "tensor" or "array"
        self.reads = []                  # (slot, weakref to the tensor read from outside)
        self.grad_known = set()          # ids of tensors whose .grad the step set itself
        self.grad_guards = {}            # id(tensor) -> (weakref, .grad was None at capture)
        self.phase = "forward"
        self.effects_started = False
        self.late_guard = None

    # --- slots ----------------------------------------------------------------------------
    def _new_slot(self, array, name, kind, source=None):
        slot = _Slot(len(self.slots), name, kind, source, array)
        self.slots.append(slot)
        self.by_id[id(array)] = slot
        return slot

    def bind_arguments(self, leaves):
        """Slots for the call's arrays; arrays reach the step as constant Tensors."""
        out = []
        for i, v in enumerate(leaves):
            if isinstance(v, Tensor):
                self.arg_tensors[id(v)] = i
                self.arg_kinds[i] = "tensor"
                if id(v._data) not in self.by_id:
                    self._new_slot(v._data, v.name or f"arg{i}", "arg", i)
                out.append(v)
            elif isinstance(v, np.ndarray):
                t = Tensor._make(v)
                self.arg_tensors[id(t)] = i
                self.arg_kinds[i] = "array"
                if id(v) not in self.by_id:
                    self._new_slot(v, f"arg{i}", "arg", i)
                out.append(t)
            else:
                out.append(v)
        return out

    def slot_of_tensor(self, t):
        """The slot holding ``t``'s data now; data from outside the step is read live."""
        slot = self.by_id.get(id(t._data))
        if slot is not None:
            if slot.kind == "arg" and t.name and slot.name.startswith("arg"):
                slot.name = t.name                       # X.name = "X" names argument 0
            return slot
        slot = self._new_slot(t._data, t.name or "t", "read")
        self.reads.append((slot, weakref.ref(t)))
        return slot

    def slot_of_array(self, array):
        """The slot of an array computed in the step, or a new constant slot."""
        slot = self.by_id.get(id(array))
        if slot is None:
            slot = self._new_slot(array, "const", "const")
        return slot

    def _produced(self, array, name):
        slot = self.by_id.get(id(array))
        if slot is not None:
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
        if entry.kind in ("write", "inplace", "bump"):      # a rerun would repeat these
            self.effects_started = True
        self.entries.append(entry)
        return entry

    # --- what the library reports ------------------------------------------------------------
    def op(self, fn, inputs, needs, params, data):
        """``Function.apply`` ran ``fn.forward``; returns the output array to wrap."""
        if type(data) is not np.ndarray:
            data = np.asarray(data)
        replay = object.__new__(type(fn))
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
                                 phase=self.phase))
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
                         phase="backward"))

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
        for key, value in fn.__dict__.items():
            if value is None:            # a branch taken in backward must be taken again
                self._add(_Entry("guard", f"{op_name}.{key} is not None", [], [], effect=True,
                                 after=fwd, phase="backward"))
        try:
            return fn.backward(grad, out, *inputs)
        finally:
            fn.__dict__.update(saved)

    def compare(self, ufunc, a, b, result):
        """A comparison (no gradient, so no op): its boolean array is computed again."""
        if type(result) is not np.ndarray:
            result = np.asarray(result)
        args = [self.slot_of_tensor(a), self.slot_of_tensor(b)]
        out = self._produced(result, ufunc.__name__)
        self._add(_Entry("call", f"np.{ufunc.__name__}({{0}}, {{1}})", args, [out],
                         phase=self.phase))
        return result

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

    def write_grad(self, t, grad, stored, written):
        """The engine wrote ``.grad`` of ``t``: ``grad`` as computed, ``stored`` the array it
        keeps (``grad`` or a copy owning its memory), ``written`` the new ``t.grad`` array.
        The replay writes the same way (assigning, or adding to a gradient already there),
        so it needs no guard; whether a copy is needed depends only on the program."""
        self.grad_known.add(id(t))
        ref = self._tensor_name(t)
        value = "{0}" if stored is grad else "{0}.copy()"
        args = [self.slot_of_array(grad)]
        # a fresh slot even when the array is ``grad`` itself: a replay may add to an older
        # gradient instead, and whatever reads ``t.grad`` later must read what was written
        out = self._new_slot(written, f"{t.name or 't'}.grad", "out")
        self._add(_Entry("write", f"_add_grad({ref}, {value})", args, [out], effect=True,
                         phase="backward"))

    def set_grad(self, t, value):
        """``t.grad = value`` inside the step (``zero_grad``, or a gradient set by hand)."""
        ref = self._tensor_name(t)
        self.grad_known.add(id(t))
        if value is None:
            self._add(_Entry("setgrad", f"{ref}._grad = None", [], [], effect=True,
                             phase=self.phase))
        else:
            self._add(_Entry("setgrad", f"{ref}._grad = _make({{0}})",
                             [self.slot_of_tensor(value)], [], effect=True, phase=self.phase))

    def read_grad(self, t, g):
        """``t.grad`` was read: if the step did not write it, it must be read live."""
        if g is not None and id(g._data) not in self.by_id:
            ref = self._tensor_name(t)
            slot = self._new_slot(g._data, f"{t.name or 't'}.grad", "out")
            self._add(_Entry("attr", f"{ref}.grad._data", [], [slot], phase=self.phase))
        self._note_grad(t)

    def _note_grad(self, t):
        if id(t) not in self.grad_known and id(t) not in self.grad_guards:
            self.grad_guards[id(t)] = (t, t.grad is None)

    def inplace(self, ufunc, target, other, base):
        """``target op= other`` under no_grad: mutates target's array (and bumps ``base``)."""
        self.phase = "update"
        slot = self.slot_of_tensor(target)
        other_slot = self.slot_of_tensor(other)
        code = f"np.{ufunc.__name__}({{0}}, {{1}}, out={{0}}, casting='same_kind')"
        self._add(_Entry("inplace", code, [slot, other_slot], [], effect=True,
                         phase="update"))
        if base is not None:
            ref = self._tensor_name(base)
            self._add(_Entry("bump", f"_bump({ref})", [], [], effect=True, phase="update"))

    def guard(self, predicate, tensors, value):
        name = self._object(predicate, getattr(predicate, "__name__", "predicate"))
        slots = [self.slot_of_tensor(t) for t in tensors]
        code = f"{name}({', '.join('{%d}' % i for i in range(len(slots)))}) != {value!r}"
        if self.effects_started and self.late_guard is None:
            self.late_guard = _where()
        self._add(_Entry("guard", code, slots, [], effect=True, phase=self.phase))

    def _tensor_name(self, t):
        if id(t) in self.arg_tensors:
            return f"_args[{self.arg_tensors[id(t)]}]"
        return self._object(t, "T_" + (t.name or "t"))

    # --- building the program ----------------------------------------------------------------
    def build(self, result, name="step"):
        from .program import build_program
        return build_program(self, result, name)


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


def _where():
    frame = _user_code_frame()
    return "<unknown>" if frame is None else f"{frame.f_code.co_filename}:{frame.f_lineno}"


_NOT_WORD = re.compile(r"\W+")
_RESERVED = {"np", "sum_to"} | set(dir(builtins))


def _ident(text):
    """A Python identifier from a tensor or op name: ``layer1.W`` -> ``layer1_W``."""
    name = _NOT_WORD.sub("_", str(text)).strip("_") or "v"
    if name[0].isdigit():
        name = "v" + name
    if keyword.iskeyword(name) or name in _RESERVED:
        name += "_"
    return name

