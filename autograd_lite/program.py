"""A captured step as a program: pruning, Python source and its replay.

:func:`build_program` takes what a :class:`~autograd_lite.capture.Recorder` collected,
keeps the calls that an output, a ``.grad`` or an update needs, names every array after
its tensor (``layer1.W`` → ``layer1_W``, its gradient ``dlayer1_W``), writes the program as
Python source and compiles it once.  :class:`Program` runs it.
"""
from __future__ import annotations

import linecache

import numpy as np

from .capture import StaleProgram, _ident, flatten
from .engine import _GRAD_LOCK
from .errors import CaptureError
from .function import Clock
from .ops.movement import _sum_to_array as sum_to
from .tensor import Tensor

_TENSOR = object()          # a result leaf that is a tensor (rebuilt from the replay's array)
_PHASES = {"forward": "# forward", "backward": "# backward (each op's derivative, in reverse)",
           "update": "# update"}


class Program:
    """A compiled step's straight-line numpy program for one signature.

    Attributes
    ----------
    source : str
        The program as Python text (what runs on every replay).
    lines : int
        Number of calls in the program after pruning.
    """

    def __init__(self, source, namespace, name, tree, results, lines, pruned):
        self.source = source
        self.name = name
        self.lines = lines
        self.pruned = pruned
        self._tree = tree
        self._results = results          # per result leaf: _TENSOR, or the value of capture
        self._single = tree.kind == "leaf" and results == [_TENSOR]
        filename = f"<compiled {name} #{id(self):x}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), namespace)
        self._run = namespace["_program"]

    def run(self, leaves):
        """Replay on the call's flattened arguments; the step's result, rebuilt."""
        arrays = self._run(leaves)
        if self._single:                             # the common result: one tensor
            return Tensor._make(arrays[0])
        arrays = iter(arrays)                        # numbers, None, ... as at capture
        return self._tree.unflatten([Tensor._make(next(arrays)) if r is _TENSOR else r
                                     for r in self._results])

    def __repr__(self):
        return f"<Program {self.name}: {self.lines} calls ({self.pruned} pruned)>"


def _add_grad(t, grad):
    """``.grad`` written as the eager pass writes it; returns the array written."""
    with _GRAD_LOCK:                                 # threads sharing a leaf take turns
        old = t._grad
        t._grad = new = Tensor._make(grad) if old is None else old + Tensor._make(grad)
    return new._data


def _bump(t):
    """An in-place update changed ``t``: advance its version as the eager operator does."""
    Clock.stamp(t)


def _late_guard(where):
    raise CaptureError(
        f"compile: a value-dependent choice made after an update in the step (at {where}) "
        "came out differently on a replay, after the update had been applied. Make that "
        "choice before updating parameters, or call the step without compile")


def build_program(rec, result, name):
    """Prune the recorded calls, write them as Python and compile them."""
    leaves, tree = flatten(result)
    results = [_TENSOR if isinstance(leaf, Tensor) else leaf for leaf in leaves]
    out_slots = [rec.slot_of_tensor(leaf) for leaf in leaves if isinstance(leaf, Tensor)]

    # tensors read from outside the step are read on every replay; those made inside it (or
    # that died with it) are constants, and writes to them are nothing a replay must repeat
    reads = []
    for slot, ref in rec.reads:
        t = ref()
        if t is None or rec.is_made(t):
            slot.kind = "const"
        else:
            slot.kind, slot.source = "read", t
            reads.append(slot)

    alive = {name: None if made else ref() for name, (ref, made) in rec.tensor_refs.items()}
    dead = {name for name, t in alive.items() if t is None}
    entries = _fold_constants(_without_dead_targets(rec.entries, dead))
    entries, renamed = _copy_written_constants(entries)
    out_slots = [renamed.get(id(s), s) for s in out_slots]
    kept = _prune(entries, out_slots)
    for slot in reads:
        rec._object(slot.source, "T_" + (slot.source.name or "t"))
    guards = []
    for ref, was_none in rec.grad_guards.values():
        t = ref()
        if t is not None:
            guards.append((rec._tensor_name(t), t, was_none))
    ns = {"np": np, "sum_to": sum_to, "_make": Tensor._make, "_add_grad": _add_grad,
          "_bump": _bump, "_stale": StaleProgram, "_late_guard": _late_guard}
    ns.update(rec.objects)
    ns.update((name, t) for name, t in alive.items() if t is not None)
    names = _Names(taken=set(ns))

    used = {id(s) for e in kept for s in e.args + [o for o in e.outs if o is not None]}
    used |= {id(s) for s in out_slots}

    constants = {}

    def ref(slot):
        if slot.kind == "const":
            value = slot.value
            same = (value.dtype.str, value.shape, value.tobytes()) if value.size <= 4 \
                else id(slot)
            key = constants.get(same)
            if key is None:
                key = constants[same] = f"c{len(constants) + 1}"
                ns[key] = value
            return key
        return names.of(slot)

    body, checks = [], []
    for i, slot in enumerate(s for s in rec.slots if s.kind == "arg" and id(s) in used):
        body.append(f"{names.of(slot)} = _args[{slot.source}]"
                    + ("._data" if rec.arg_kinds[slot.source] == "tensor" else ""))
    for slot in reads:
        if id(slot) not in used:
            continue
        t = slot.source
        tname = rec._object(t, "T_" + (t.name or "t"))
        local = names.of(slot)
        body.append(f"{local} = {tname}._data")
        checks.append(f"{local}.shape != {slot.value.shape!r} or {local}.dtype != "
                      f"np.dtype({slot.value.dtype.str!r}) or {tname}._requires_grad is not "
                      f"{t._requires_grad!r}")
    for tname, t, was_none in guards:
        ns[tname] = t
        checks.append(f"({tname}._grad is None) is not {was_none!r}")

    lines, phase = [], None
    effect_seen = False
    for entry in kept:
        if entry.phase != phase and entry.kind not in ("guard",):
            phase = entry.phase
            lines.append("")
            lines.append(_PHASES[phase])
        args = [ref(s) for s in entry.args]
        code = entry.code.format(*args)
        if entry.kind == "guard":
            action = "raise _stale" if not effect_seen else f"_late_guard({rec.late_guard!r})"
            lines.append(f"if {code}: {action}")
            continue
        if entry.kind in ("write", "inplace", "bump"):     # a rerun would repeat these
            effect_seen = True
        *prefix, last = code.split("\n")
        lines.extend(prefix)
        outs = entry.outs
        if outs and any(o is not None for o in outs):
            targets = [names.of(o) if o is not None and id(o) in used else "_" for o in outs]
            if entry.kind == "bwd":
                target = ", ".join(targets) + ("," if len(targets) == 1 else "")
            else:
                target = targets[0]
            last = f"{target} = {last}"
        elif entry.kind == "bwd":
            last = f"_ = {last}"
        if entry.comment:
            last = f"{last:<60}  # {entry.comment}"
        lines.append(last)

    returns = [ref(s) for s in out_slots]
    calls = sum(1 for e in kept if e.kind in ("fwd", "bwd", "call", "inplace", "write"))
    header = ["def _program(_args):",
              f"    # {name}, captured by ag.compile: {calls} numpy calls, replayed while the "
              "inputs keep their shapes and dtypes"]
    text = [f"# {key} = {_describe(ns[key])}" for key in constants.values()]
    text.extend(body)
    if checks:
        text.append("if (" + "\n        or ".join(checks) + "):")
        text.append("    raise _stale")
    text.extend(lines)
    text.append("")
    text.append("return (" + ", ".join(returns) + ("," if len(returns) == 1 else "") + ")")
    source = "\n".join(header + ["    " + line if line else "" for line in text]) + "\n"

    return Program(source, ns, name, tree, results, lines=calls,
                   pruned=len(rec.entries) - len(kept))


def _describe(value):
    """A constant for the program's header comment: its value if small, else its shape."""
    if value.size <= 4:
        text = np.array2string(value, separator=", ").replace("\n", "")
        return f"{' '.join(text.split())}  ({value.dtype})"
    return f"array of shape {value.shape} ({value.dtype})"


def _without_dead_targets(entries, dead):
    """Drop writes to tensors that died with the step; reads of their .grad are constants."""
    out = []
    for entry in entries:
        if entry.target in dead:
            if entry.kind == "attr":
                entry.outs[0].kind = "const"
            continue
        out.append(entry)
    return out


def _fold_constants(entries):
    """Calls whose every input is a constant give the same array on every replay: keep the
    array of the capture instead (e.g. the seed's −1/m of a mean)."""
    needed_later = {id(e.after) for e in entries if e.after is not None}
    out = []
    for entry in entries:
        if (entry.kind in ("fwd", "call") and not entry.effect and id(entry) not in needed_later
                and entry.outs and all(o is not None for o in entry.outs)
                and all(s.kind == "const" for s in entry.args)):
            for slot in entry.outs:
                slot.kind = "const"
            continue
        out.append(entry)
    return out


def _copy_written_constants(entries):
    """An in-place update of a constant (a tensor made inside the step) must start from a
    fresh copy on every replay, as the eager step starts from a fresh tensor."""
    out, renamed = [], {}
    for entry in entries:
        entry.args = [renamed.get(id(s), s) for s in entry.args]
        if entry.kind == "inplace" and entry.args[0].kind == "const":
            const = entry.args[0]
            start = type(const)(const.index, const.name, "const", None, const.before)
            fresh = type(const)(const.index, const.name, "out", None, const.value)
            out.append(type(entry)("call", "{0}.copy()", [start], [fresh]))
            renamed[id(const)] = fresh
            entry.args = [fresh] + entry.args[1:]
        out.append(entry)
    return out, renamed


def _prune(entries, outputs):
    """The entries an output, a ``.grad`` write or an update needs, in program order."""
    needed = {id(s) for s in outputs}
    forced = set()
    kept = []
    for entry in reversed(entries):
        if not (entry.effect or id(entry) in forced
                or any(o is not None and id(o) in needed for o in entry.outs)):
            continue
        kept.append(entry)
        needed.update(id(s) for s in entry.args)
        if entry.after is not None:
            forced.add(id(entry.after))
    kept.reverse()
    return kept


class _Names:
    """Readable, unique local names for the program's arrays."""

    def __init__(self, taken):
        self.names = {}
        self.taken = set(taken)

    def of(self, slot):
        name = self.names.get(id(slot))
        if name is None:
            base = _ident(slot.name)
            name, n = base, 1
            while name in self.taken:
                n += 1
                name = f"{base}_{n}"
            self.taken.add(name)
            self.names[id(slot)] = name
        return name

