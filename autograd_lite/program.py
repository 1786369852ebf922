"""A stretch of a captured path as a program: pruning, Python source and its run.

:func:`build_program` takes the entries a :class:`~autograd_lite.capture.Recorder` noted for
the events ``start < event <= end`` of a path, keeps the calls that the wanted outputs or an
in-place update need, names every array after its tensor (``layer1.W`` → ``layer1_W``, its
gradient ``dlayer1_W``), writes them as Python source and compiles it once.  A program reads
its inputs from, and writes its outputs to, the call's dict of arrays by slot number
(``v[3]``).  :class:`Program` runs it.
"""
from __future__ import annotations

import itertools
import linecache
import re
import threading
import weakref

import numpy as np

from .buffers import c_ordered, plan_buffers
from .capture import _ident
from .exact import remove_repeats
from .inlining import inline, param_source
from .ops.movement import _sum_to_array as sum_to

_PHASES = {"forward": "# forward", "backward": "# backward (each op's derivative, in reverse)",
           "update": "# update"}
_numbers = itertools.count(1)


class Program:
    """The numpy program of some events of a compiled step's path.

    Attributes
    ----------
    source : str
        The program as Python text (what runs).
    lines : int
        Number of numpy calls after pruning.
    updates : tuple of int
        The slots it writes in place (parameters, optimizer state).
    """

    def __init__(self, source, namespace, name, lines, pruned, updates):
        self.source = source
        self.name = name
        self.lines = lines
        self.pruned = pruned
        self.updates = updates
        filename = f"<compiled {name} #{next(_numbers)}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        weakref.finalize(self, linecache.cache.pop, filename, None)   # tracebacks, no leak
        exec(compile(source, filename, "exec"), namespace)
        self.run = namespace["_program"]

    def __repr__(self):
        return f"<Program {self.name}: {self.lines} calls ({self.pruned} pruned)>"


_AST_LOCK = threading.Lock()     # CPython's ast module is not thread-safe (3.11)


def build_program(rec, start, end, outputs, name, direct=True, buffers=True, fresh=None,
                  simplify=False, exact=True):
    """See :func:`_build_program` (one thread at a time: the passes parse Python)."""
    with _AST_LOCK:
        return _build_program(rec, start, end, outputs, name, direct, buffers, fresh, simplify,
                              exact)


def _build_program(rec, start, end, outputs, name, direct=True, buffers=True, fresh=None,
                   simplify=False, exact=True):
    """The program of events ``start < event <= end`` of ``rec``'s path, storing the slots
    ``outputs`` (None: every array it computes) into the call's dict.

    ``direct``: write the ops' method bodies into the program where they are a few lines
    of numpy (:mod:`autograd_lite.inlining`) instead of calling the methods; ``buffers``:
    compute intermediates into buffers reused from call to call (:mod:`autograd_lite.buffers`).
    ``fresh``: the slots among the stored ones that Python may keep (None: all of them); the
    others are read only by later programs of the same call, and may be buffers.
    ``simplify``: rewrite elementwise derivative chains as shorter algebra
    (:mod:`autograd_lite.simplify`; equal to the other programs up to rounding); ``exact``:
    do the work the program does twice once (:mod:`autograd_lite.exact`; bitwise)."""
    entries = [e for e in rec.entries if start < e.event <= end]
    produced = {id(o): o for e in entries for o in e.outs if o is not None}
    if outputs is None:
        wanted = [o for o in produced.values() if o.kind == "out"]
    else:
        wanted = [rec.slots[i] for i in outputs]
    kept = _prune(entries, wanted)
    made = {id(o) for e in kept for o in e.outs if o is not None}

    ns = {"np": np, "sum_to": sum_to}
    ns.update(rec.objects)
    names = _Names(taken=set(ns))
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

    loads, seen = [], set()
    for entry in kept:
        for slot in entry.args:
            if slot.kind != "const" and id(slot) not in made and id(slot) not in seen:
                seen.add(id(slot))
                loads.append(slot)
    loads.sort(key=lambda s: s.index)

    bound = {}

    def bind(value, base):
        key = bound.get(id(value))
        if key is None:
            key = bound[id(value)] = names.fresh("_" + _ident(base))
            ns[key] = value
        return key

    def emit(entries, made):
        lines, phase = [], None
        for entry in entries:
            if entry.phase != phase:
                phase = entry.phase
                lines.append("")
                lines.append(_PHASES[phase])
            code = entry.code.format(*[ref(s) for s in entry.args])
            *prefix, last = code.split("\n")
            lines.extend(prefix)
            outs = entry.outs
            body = _direct(entry, rec, ref, names, bind, made) if direct else None
            if body is not None:
                lines.extend(body)
                continue
            if outs and any(o is not None for o in outs):
                targets = [names.of(o) if o is not None and id(o) in made else "_"
                           for o in outs]
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
        return lines

    lines = emit(kept, made)
    stores = []
    for slot in wanted:
        if id(slot) in made:
            stores.append(f"v[{slot.index}] = {names.of(slot)}")
        elif slot.kind == "const":
            stores.append(f"v[{slot.index}] = {ref(slot)}")
    header_lines, note, before, changed_by = [], "", list(lines), []
    if simplify:
        lines, stores, header_lines = _simplified(
            rec, start, end, outputs, name, direct, buffers, fresh, exact, lines, stores,
            loads, kept, made, emit, names, ns)
        if header_lines or lines != before:
            changed_by.append("simplify")
    slots = {names.names[id(s)]: s for e in kept for s in list(e.outs) + list(e.args) + loads
             if s is not None and id(s) in names.names}
    if exact:
        done = remove_repeats(lines + stores, slots.get, ns)
        cut = len(done) - len(stores)              # it keeps every store (in their order)
        if done[:cut] != lines:
            lines, stores = done[:cut], done[cut:]
            used = {word for line in lines + stores for word in _words(line)}
            loads[:] = [s for s in loads if names.of(s) in used]
            changed_by.append("exact")
    if header_lines or changed_by and _operations(before) != _operations(lines):
        note = (f" ({_operations(before)} operations, {_operations(lines)} after "
                f"{' and '.join(changed_by)})")
    if buffers:
        internal = set() if fresh is None else {
            names.of(slot) for slot in wanted if id(slot) in made and slot.index not in fresh}
        in_c = _loads_in_c_order(rec, start, loads, emit, names, ns)
        planned, _ = plan_buffers(lines + stores, slots.get, ns, internal, in_c)
        cut = len(planned) - len(stores)           # the stores come back as they were
        lines, stores = planned[:cut], planned[cut:]
    calls = sum(1 for e in kept if e.kind in ("fwd", "bwd", "call", "inplace"))
    updates = tuple(sorted({e.args[0].index for e in kept if e.kind == "inplace"}))
    text = [f"# {key} = {_describe(ns[key])}" for key in constants.values()]
    text.extend(f"{names.of(s):<20} = v[{s.index}]   # {_input(s)}" for s in loads)
    text.extend(lines)
    if stores:
        text.append("")
        text.append("# results")
        text.extend(stores)
    header = ["def _program(v):",
              f"    # {name}, compiled by ag.compile: {calls} numpy calls{note}; v holds the "
              "arrays of this call by number"] + ["    " + line for line in header_lines]
    if not any(line.strip() and not line.lstrip().startswith("#") for line in text):
        text.append("pass                            # nothing to compute in this stretch")
    source = "\n".join(header + ["    " + line if line else "" for line in text]) + "\n"
    return Program(source, ns, name, lines=calls, pruned=len(entries) - len(kept),
                   updates=updates)


def _simplified(rec, start, end, outputs, name, direct, buffers, fresh, exact, lines, stores,
                loads, kept, made, emit, names, ns):
    """The simplify pass on ``lines`` + ``stores``: the new lines and stores, with ``loads``
    extended in place, and the header lines of its guards (whose failure runs the
    unsimplified program, built here too)."""
    from .simplify import simplify
    earlier = [e for e in rec.entries if e.event <= start]
    context = emit(earlier, {id(o) for e in earlier for o in e.outs if o is not None})
    by_name = {}
    for slot in rec.slots:
        if id(slot) in names.names:
            by_name[names.names[id(slot)]] = slot
    here = {id(s) for s in loads} | made

    def available(var):
        if var in ns:
            return "here"
        slot = by_name.get(var)
        if slot is None:
            return None
        if id(slot) in here:
            return "here"
        return slot if slot.kind == "ext" else None

    result = simplify(lines + stores, context, by_name.get, ns, available)
    if not result.rewrites:
        return lines, stores, []
    cut = len(result.lines) - len(stores)
    lines, stores = result.lines[:cut], result.lines[cut:]
    loads.extend(s for s in result.loads.values() if s not in loads)
    loads.sort(key=lambda s: s.index)
    used = {word for line in lines + stores for word in _words(line)}
    loads[:] = [s for s in loads if names.of(s) in used]
    header = []
    if result.guards:
        plain = _build_program(rec, start, end, outputs, name, direct, buffers, fresh,
                               exact=exact)
        ns["_unsimplified"] = plain.run
        checks = " or ".join(f"float(v[{i}]) != {value!r}" for i, value in result.guards)
        header = [f"if {checks}:   # the Python numbers the simplification took as constants",
                  "    return _unsimplified(v)"]
    return lines, stores, header


def _loads_in_c_order(rec, start, loads, emit, names, ns):
    """The loads the buffers pass may take to be in C order: the step's inputs that were at
    the capture (their layout is part of the path's key, Trace._op_refs), and what the
    call's earlier programs made in C order."""
    ordered = {names.of(s) for s in loads if s.kind != "out" and s.c_order}
    if any(s.kind == "out" for s in loads):
        earlier = [e for e in rec.entries if e.event <= start]
        context = emit(earlier, {id(o) for e in earlier for o in e.outs if o is not None})
        slots = {names.names[id(s)]: s for e in earlier for s in list(e.outs) + list(e.args)
                 if s is not None and id(s) in names.names}
        inputs = {name for name, s in slots.items() if s.kind != "out" and s.c_order}
        ordered |= {names.of(s) for s in loads if s.kind == "out"} & c_ordered(
            context, slots.get, ns, inputs)
    return ordered


def _operations(lines):
    """The numpy operations of some lines (arithmetic and calls, not the results' stores)."""
    from .simplify import _operations as operations, _parse
    nodes = [_parse(line) for line in lines if not line.strip().startswith("v[")]
    return sum(operations(node) for node in nodes if node is not None)


def _words(line):
    return re.findall(r"[A-Za-z_][A-Za-z_0-9]*", line.split("#", 1)[0])


def _direct(entry, rec, ref, names, bind, made):
    """The lines of an op's inlined method body for ``entry``, or None to call the method."""
    if entry.op is None or entry.kind not in ("fwd", "bwd"):
        return None
    refs = [ref(s) for s in entry.args]
    op_name = rec.object_names[id(entry.op)]
    if entry.kind == "fwd":
        arrays = [k for k, v in entry.params.items() if isinstance(v, np.ndarray)]
        inputs = refs[:len(refs) - len(arrays)]
        params = dict(zip(arrays, refs[len(inputs):]))
        for key, value in entry.params.items():
            if key not in params:
                params[key] = param_source(value, bind)
        body = inline(entry.op, "forward", inputs, params, op_name, names.fresh, bind,
                      [s.shape for s in entry.args])
    else:
        body = inline(entry.op, "backward", refs, {}, op_name, names.fresh, bind,
                      [s.shape for s in entry.args])
    if body is None:
        return None
    lines = list(body.lines)
    outs = entry.outs
    if entry.kind == "fwd":
        if not isinstance(body.results, str) or outs[0] is None:
            return None
        target = names.of(outs[0]) if id(outs[0]) in made else "_"
        result = [f"{target} = {body.results}"]
    elif isinstance(body.results, str):
        targets = [names.of(o) if o is not None and id(o) in made else "_" for o in outs]
        result = [f"{', '.join(targets)}{',' if len(targets) == 1 else ''} = {body.results}"]
    else:
        if len(body.results) != len(outs):
            return None
        result = []
        for out, expr in zip(outs, body.results):
            if out is not None and expr is None:
                return None                   # the method answers differently: call it
            if out is not None and id(out) in made:
                result.append(f"{names.of(out)} = {expr}")
        if not result:
            result = ["pass"]
    if entry.comment:
        result[-1] = f"{result[-1]:<60}  # {entry.comment}"
    return lines + result


def _input(slot):
    what = f"{slot.shape} {slot.dtype}" if slot.dtype is not None else str(slot.shape)
    return ("input " if slot.kind == "ext" else "computed before ") + what


def _describe(value):
    """A constant for the program's header comment: its value if small, else its shape."""
    if value.size <= 4:
        text = np.array2string(value, separator=", ").replace("\n", "")
        return f"{' '.join(text.split())}  ({value.dtype})"
    return f"array of shape {value.shape} ({value.dtype})"


def fold_constants(entries):
    """Calls whose every input is a constant give the same array on every call: keep the
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


def _prune(entries, outputs):
    """The entries the outputs or an in-place update need, in program order."""
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
        self.tried = {}          # base -> the last n of base_n found taken (names only grow)

    def fresh(self, base):
        """An unused name starting with ``base``: ``base``, else ``base_2``, ``base_3``, …"""
        n = self.tried.get(base, 1)
        name = base if n == 1 else f"{base}_{n}"
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.tried[base] = n
        self.taken.add(name)
        return name

    def of(self, slot):
        name = self.names.get(id(slot))
        if name is None:
            name = self.names[id(slot)] = self.fresh(_ident(slot.name))
        return name
