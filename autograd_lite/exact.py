"""The *exact* pass of a compiled program: work it does twice, done once, bitwise.

The chain rule writes the same work more than once, most of all in second order: a
Hessian-vector product's program computes ``tanh * tanh`` for tanh's derivative and again
for the derivative of that derivative, ``1 − a`` as ``c2 - a`` and as ``1 - a``, ``dout``
through two negations, ``x.transpose((1, 0)).T``.  This pass numbers the program's values
(value numbering): two expressions are one value when they make the same call on the same
values, and a value the program has already is read instead of computed again — only
where that is bitwise what the program did:

- the same call (a ufunc, ``@``, ``np.dot``, an array's method, a helper known to be pure)
  on the same operands in the same order (never commuted: NaN payloads), with no operand
  written in between: an ``out=``, an update in place, a store into an array, and any call
  the pass does not know (an op's method, which may write whatever an object holds) give
  every value they may reach a new number;
- a Python number and a 0-d constant are one operand of ``+ − * /`` (maximum, minimum) when
  the other operand has the constant's float dtype and the number is exact in it:
  ``1 - a`` is ``c2 - a`` for a float64 ``a``, not for a float32 one (``c2 - a`` is float64);
- ``−(−x)`` is ``x`` (negation flips the sign bit), ``x.transpose(p).T`` is ``x`` when the
  axes come back in order, ``sum_to(x, x.shape)`` and ``np.asarray(x)`` are ``x``;
- a note an op's forward made (``sum_1.kept = (1, 1)``) is read as its value, and what
  only reshapes, transposes or expands constants (``_expand(c2.reshape((1, 1)), (1, 4))``,
  the ones a sum's backward starts from) is the same array on every call: it is computed
  once, read-only, where no line writes or hands it out;
- a line whose whole value the program has already is dropped, its name read as that
  value, only when neither array is written while both are read and it is not a value the
  program hands out (each of those stays its own array); a reuse inside a view
  (``(a * b).T``) is such an alias too.  Lines left without a reader go when they cannot
  raise a floating-point error (a negation, a view: ``ddiv = -dadd`` once ``-ddiv`` is
  ``dadd``).

Which lines write what, and which variables may share memory, is
:mod:`autograd_lite.effects`' part.
"""
from __future__ import annotations

import ast

import numpy as np

from .buffers import _in_c_order, _loads, _one_axis
from .effects import WORLD, Lines, write_target

#: ufuncs that give the same bits for a Python number as for a 0-d array of its value
_EXACT_UFUNCS = {"add", "subtract", "multiply", "true_divide", "maximum", "minimum"}
_BINARY = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "true_divide",
           ast.MatMult: "matmul"}
_COMPARE = {ast.Gt: "greater", ast.GtE: "greater_equal", ast.Lt: "less",
            ast.LtE: "less_equal", ast.Eq: "equal", ast.NotEq: "not_equal"}
_NOT = object()           # what _literal gives for an expression that is no literal
_VIEWS = {"transpose", "reshape", "view", "squeeze", "swapaxes", "ravel", "diagonal",
          "asarray", "broadcast_to", "expand_dims", "moveaxis"}


def remove_repeats(lines, slot_of, namespace):
    """``lines`` (the program's statements in order, the results' ``v[k] = x`` included)
    with the work they do twice done once.  ``slot_of(name)`` gives a variable's slot (its
    shape and dtype) or None; ``namespace`` is the program's globals."""
    return _Pass(lines, slot_of, namespace).run()


class _Pass:
    """Value numbering over the lines, in order (see the module's docstring)."""

    def __init__(self, lines, slot_of, namespace):
        self.lines, self.slot_of, self.namespace = lines, slot_of, namespace
        self.program = Lines(lines, namespace)
        self.nodes, self.kinds = self.program.nodes, self.program.kinds

    # --- the pass ---------------------------------------------------------------------------
    def run(self):
        self.vn = {}                   # name -> its value's number
        self.count = 0
        self.value = {}                # the key of a computation -> its value's number
        self.defined_as = {}           # value number -> the key it was computed from
        self.holders = {}              # value number -> the names that hold it
        self.facts = {}                # value number -> (shape, dtype) where known
        self.renamed = {}              # a dropped line's name -> the name read instead
        self.notes = {}                # (object, attribute) -> (key, its literal or _NOT)
        self.epoch = 0                 # the world's writes so far (what notes depend on)
        self.folded = {}               # line -> what its constant is
        self.ordered = set()           # variables in C order whatever the inputs' layouts
        out, changed = [], False               # (line, node, the names it reads)
        for i, (line, node, kind) in enumerate(zip(self.lines, self.nodes, self.kinds)):
            if kind == "blank":
                out.append((line, node, ()))
                continue
            new = self._line(i, node, kind)
            if new is None:
                changed = True
                continue
            loads = self.program.loads[i]
            if new is not node:
                changed = True
                text = ast.unparse(new)
                comment = line.split("  # ", 1)[1] if "  # " in line else None
                if i in self.folded:
                    comment = self.folded[i] + (f"; {comment}" if comment else "")
                line = f"{text:<60}  # {comment}" if comment is not None else text
                loads = _loads(new)
            out.append((line, new, loads))
        if not changed:
            return list(self.lines)
        expands = {name for name, f in self.namespace.items() if id(f) == self.program.expand}
        return _drop_unread(out, self.program.stored, self.program.definitions, expands)

    def _line(self, i, node, kind):
        """The line ``i`` rewritten (None: dropped), and its effects on the numbering."""
        if kind == "def":
            target = node.targets[0].id
            value, key = self._number(node.value, False, (target, i))
            holder = self._holder(key)
            if (holder is not None and holder != target and isinstance(value, ast.Name)
                    and self.program.may_merge(target, holder, i)):
                self.renamed[target] = holder       # the line's whole value is there
                return None
            self.renamed.pop(target, None)
            self._define(target, key)
            if _in_c_order(value, self.ordered, self.slot_of, self.namespace,
                           self.slot_of(target)):
                self.ordered.add(target)
            value = self._fold(target, value, i) or value
            if value is node.value:
                return node
            return ast.copy_location(ast.Assign([node.targets[0]], value), node)
        if kind == "note":
            value, key = self._number(node.value, False, None)
            target = node.targets[0]
            literal = _literal(value)
            self.notes[(target.value.id, target.attr)] = (
                (("lit", repr(literal)), literal) if literal is not _NOT
                else (("note", self.epoch, i), _NOT))
            return node if value is node.value else ast.copy_location(
                ast.Assign(node.targets, value), node)
        if any(u in self.renamed for u in self.program.loads[i]):
            node = _Reads(self.renamed).visit(_copy(node))
        if kind in ("write", "effect"):
            if kind == "effect":
                self.notes = {}                # a method may change what an object holds
            self._invalidate(self.program.find(
                write_target(node) if kind == "write" else WORLD))
            for t in self.program.stores[i]:
                self._define(t, None)
        return node

    def _fold(self, target, value, i):
        """The name of a new constant for ``value`` if it only moves constants
        (``_expand(c2.reshape((1, 1)), (1, 4))``: the same array on every call) and ``target``
        is neither handed out nor written; or None."""
        if isinstance(value, ast.Name) or not self._moves_constants(value):
            return None
        group = self.program.find(target)
        if (target in self.program.stored or self.program.definitions.get(target) != 1
                or any(j > i for j in self.program.written.get(group, ()))):
            return None
        array = eval(ast.unparse(value), dict(self.namespace))    # noqa: S307 - our own text
        if type(array) is not np.ndarray:
            return None
        array.setflags(write=False)          # shared by every call: no line may write it
        name = f"_fold_{target}"
        while name in self.namespace:
            name += "_"
        self.namespace[name] = array
        self.folded[i] = f"computed once: {array.shape} {array.dtype}, the same every call"
        return ast.Name(name, ast.Load())

    def _moves_constants(self, node):
        """Whether an expression only reshapes, transposes or expands constants."""
        if isinstance(node, ast.Name):
            return node.id in self.program.frozen
        if _literal(node) is not _NOT:
            return True
        if isinstance(node, ast.Attribute):
            return node.attr == "T" and self._moves_constants(node.value)
        if not isinstance(node, ast.Call) or node.keywords \
                or not all(map(self._moves_constants, node.args)):
            return False
        f = node.func
        if isinstance(f, ast.Name):
            return id(self.namespace.get(f.id)) == self.program.expand
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "np":
            return f.attr in ("broadcast_to", "reshape", "transpose")
        return (isinstance(f, ast.Attribute) and f.attr in ("reshape", "transpose")
                and self._moves_constants(f.value))

    def _define(self, name, key):
        """``name`` now holds the value of ``key`` (None: a value of its own)."""
        number = self.value.get(key) if key is not None else None
        if key is not None and key[0] == "v":
            number = key[1]
        if number is None:
            self.count += 1
            number = self.count
            if key is not None:
                self.value[key] = number
                self.defined_as[number] = key
        self.vn[name] = number
        self.holders.setdefault(number, []).append(name)
        if number not in self.facts:
            slot = self.slot_of(name)
            if slot is not None and slot.dtype is not None:
                self.facts[number] = (tuple(slot.shape), np.dtype(slot.dtype))

    def _invalidate(self, group):
        """The arrays of ``group`` were written: their names hold new values."""
        if group == self.program.find(WORLD):         # arrays held by objects may have changed
            self.epoch += 1
            self.notes = {k: v for k, v in self.notes.items() if v[1] is not _NOT}
        for name in self.program.members.get(group, ()):
            if name in self.vn:
                self._define(name, None)

    def _number_of(self, name):
        """The value number a variable holds now."""
        number = self.vn.get(name)
        if number is None:                     # read from v, or a constant of the namespace
            self._define(name, None)
            number = self.vn[name]
            value = self.namespace.get(name)
            if isinstance(value, np.ndarray):
                self.facts[number] = (value.shape, value.dtype)
        return number

    def _holder(self, key):
        """A variable holding the value ``key`` now, or None."""
        if key is None:
            return None
        number = key[1] if key[0] == "v" else self.value.get(key)
        for name in self.holders.get(number, ()):
            if self.vn.get(name) == number:
                return name
        return None

    # --- expressions --------------------------------------------------------------------
    def _number(self, node, fresh_above, where):
        """``node`` with the values the program has read instead of computed, and its key
        (None: a value the pass cannot name).  ``fresh_above``: the value is only read by
        a computation that makes a new array; ``where``: (target, line) of a definition."""
        if isinstance(node, ast.Name):
            name = self.renamed.get(node.id, node.id)
            new = node if name == node.id else ast.copy_location(ast.Name(name, ast.Load()),
                                                                 node)
            if self.program.object(name):
                return new, ("obj", name)
            return new, ("v", self._number_of(name))
        literal = _literal(node)
        if literal is not _NOT:
            return node, ("lit", repr(literal))
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in self.notes):
            key, literal = self.notes[(node.value.id, node.attr)]
            if literal is not _NOT:           # op.kept = (1, 1) before: read as (1, 1)
                return ast.copy_location(ast.Constant(literal), node), key
        fresh = fresh_above or self.program.fresh(node)
        changed, keys, fields = False, [], {}
        for field, value in ast.iter_fields(node):
            if isinstance(value, ast.expr):
                new, key = self._number(value, fresh, where)
                fields[field] = new
                changed |= new is not value
                keys.append((field, key))
            elif isinstance(value, list):
                new, key = self._number_list(value, fresh, where)
                fields[field] = new
                changed |= any(a is not b for a, b in zip(new, value))
                keys.append((field, key))
            else:
                fields[field] = value
                keys.append((field, _plain_field(value)))
        if changed:
            node = ast.copy_location(type(node)(**fields), node)
        parts = dict(keys)
        if fresh:
            node, parts = self._unbroadcast(node, parts)
        key = self._key(node, parts)
        if key is None:
            return node, None
        simpler = self._simpler(key)
        holder = self._holder(simpler)
        if holder is None:
            return node, simpler
        number = self.vn[holder]
        if _is_view(node) and simpler[0] != "v":
            return node, ("v", number)            # x.T for t = x.T: costs little, reads well
        target, line = where or (None, None)
        if fresh_above or (target is not None and self.program.may_merge(target, holder, line)):
            return ast.copy_location(ast.Name(holder, ast.Load()), node), ("v", number)
        return node, ("v", number)

    def _unbroadcast(self, node, parts):
        """``node`` with an operand of ``+ − * /`` (maximum, minimum) that only broadcasts a
        value (``_expand(d, (1, 400))``, ``np.broadcast_to(r, (1, 400))``) read as that
        value, where the other operand broadcasts it to the same shape: the same operations
        on the same numbers, without the array made for them."""
        if isinstance(node, ast.BinOp) and _BINARY.get(type(node.op)) in _EXACT_UFUNCS:
            fields = ["left", "right"]
        elif (isinstance(node, ast.Call) and len(node.args) == 2 and not node.keywords
              and isinstance(node.func, ast.Attribute) and node.func.attr in _EXACT_UFUNCS
              and isinstance(node.func.value, ast.Name) and node.func.value.id == "np"):
            fields = [0, 1]
        else:
            return node, parts
        operands = [getattr(node, f) if isinstance(f, str) else node.args[f] for f in fields]
        keys = [parts[f] if isinstance(f, str) else parts["args"][f] for f in fields]
        for j in (0, 1):
            if keys[j] is None or keys[1 - j] is None or keys[j][0] != "v":
                continue
            inner, other = self._structure(keys[j]), self._shape(keys[1 - j])
            if other is None or inner[0] != "call" or inner[3] or len(inner[2]) != 2 \
                    or inner[2][1][0] != "lit":
                continue
            fn = inner[1]       # a view (strides 0) broadcasts as numpy would; a copy is in C
            if not (fn == ("np", "broadcast_to") or fn[0] == "obj" and id(self.namespace.get(
                    fn[1])) == self.program.expand and self._in_c_order(keys[1 - j])):
                continue
            value, shape = inner[2][0], ast.literal_eval(inner[2][1][1])
            holder = self._holder(value)   # a name: x.reshape(...) at each use was slower
            if holder is None:
                continue
            facts, wide = self.facts.get(self.vn[holder]), self.facts.get(keys[j][1])
            if facts is None or wide is None or facts[1] != wide[1] \
                    or _broadcast(facts[0], other) != _broadcast(shape, other):
                continue
            operands[j], keys[j] = ast.Name(holder, ast.Load()), ("v", self.vn[holder])
            if isinstance(fields[0], str):
                node = ast.copy_location(ast.BinOp(operands[0], node.op, operands[1]), node)
                parts = dict(parts, left=keys[0], right=keys[1])
            else:
                node = ast.copy_location(ast.Call(node.func, operands, []), node)
                parts = dict(parts, args=tuple(keys))
        return node, parts

    def _number_list(self, values, fresh, where):
        out, keys = [], []
        for value in values:
            if isinstance(value, ast.keyword):
                new, key = self._number(value.value, fresh, where)
                out.append(value if new is value.value else ast.keyword(value.arg, new))
                keys.append(("kw", value.arg, key))
            elif isinstance(value, ast.expr):
                new, key = self._number(value, fresh, where)
                out.append(new)
                keys.append(key)
            else:                                   # a comparison's operator
                out.append(value)
                keys.append(_plain_field(value))
        return out, (None if any(k is None for k in keys) else tuple(keys))

    def _key(self, node, parts):
        """The key of a computation from its parts' keys, or None."""
        if any(key is None for field, key in parts.items() if field != "ctx"):
            return None
        if isinstance(node, ast.BinOp):
            name = _BINARY.get(type(node.op), type(node.op).__name__)
            return self._call_key(name, [node.left, node.right], [parts["left"],
                                                                  parts["right"]])
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return ("negative", parts["operand"])
            return (type(node.op).__name__, parts["operand"])
        if isinstance(node, ast.Compare):
            if len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
                return (_COMPARE[type(node.ops[0])], parts["left"], parts["comparators"][0])
            return None
        if isinstance(node, ast.Attribute):
            base = parts["value"]
            if base[0] == "obj":
                if base[1] == "np":
                    return ("np", node.attr)
                note = self.notes.get((base[1], node.attr))
                return ("attr", base[1], node.attr, self.epoch) if note is None else note[0]
            if node.attr == "T":
                return ("T", base)
            return ("getattr", base, node.attr)
        if isinstance(node, ast.Subscript):
            return ("getitem", parts["value"], parts["slice"])
        if isinstance(node, (ast.Tuple, ast.List)):
            return (type(node).__name__,) + parts["elts"]
        if isinstance(node, ast.Slice):
            return ("slice", parts["lower"], parts["upper"], parts["step"])
        if isinstance(node, ast.Call):
            func, args, keywords = parts["func"], parts["args"], parts["keywords"]
            if func[0] == "np" and isinstance(getattr(np, func[1], None), np.ufunc) \
                    and not keywords:
                return self._call_key(func[1], node.args, list(args))
            if (func[0] == "getattr" and func[2] == "transpose" and len(node.args) == 1
                    and not keywords and isinstance(_literal(node.args[0]), tuple)):
                return ("transpose", func[1], _literal(node.args[0]))
            return ("call", func, args, keywords)
        return None

    def _call_key(self, name, nodes, keys):
        """The key of ufunc ``name`` on operands: a number and a 0-d constant of the other
        operand's dtype are one operand where that gives the same bits."""
        if name in _EXACT_UFUNCS and len(keys) == 2:
            dtypes = [self._dtype(k) for k in keys]
            canonical = list(keys)
            for j, node in enumerate(nodes):
                other = dtypes[1 - j]
                if other is None or other.kind != "f":
                    continue
                bits = self._number_bits(node, other)
                if bits is not None:
                    canonical[j] = ("num", other.str, bits)
            keys = canonical
        return (name,) + tuple(keys)

    def _number_value(self, node):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value
        if isinstance(node, ast.Name) and node.id in self.program.consts:
            return self.namespace[node.id]
        return None

    def _number_bits(self, node, dtype):
        """The bits of a number operand in ``dtype``, where numpy computes with them."""
        value = self._number_value(node)
        if value is None:
            return None
        if isinstance(value, np.ndarray):
            return value.tobytes() if value.dtype == dtype else None
        with np.errstate(all="ignore"):
            cast = dtype.type(value)
        return cast.tobytes() if float(cast) == value else None   # exact in dtype

    def _dtype(self, key):
        """The dtype of a value, where known (arrays of the program, float ufuncs of them)."""
        if key is None:
            return None
        if key[0] == "v":
            facts = self.facts.get(key[1])
            return None if facts is None else facts[1]
        if key[0] in _EXACT_UFUNCS or key[0] == "negative":
            dtypes = {self._dtype(k) for k in key[1:] if k[0] not in ("num", "lit")}
            if len(dtypes) == 1:
                dtype, = dtypes
                return dtype if dtype is not None and dtype.kind == "f" else None
        return None

    def _in_c_order(self, key):
        """Whether a value is in C order (or has one long axis) whatever the inputs' layouts:
        then −(−x) and x, or x + y and x + a broadcast copy of y, have the same layout (a
        reduction adds in memory order)."""
        holder = self._holder(key)
        shape = self._shape(key)
        return holder in self.ordered or (shape is not None and _one_axis(shape))

    def _shape(self, key):
        facts = self.facts.get(key[1]) if key[0] == "v" else None
        return None if facts is None else facts[0]

    def _structure(self, key):
        if key[0] == "v":
            return self.defined_as.get(key[1], key)
        return key

    def _simpler(self, key):
        """An equal key that reads less: −(−x) → x, transposes composed, sum_to(x, x.shape)
        → x, np.asarray(x) → x."""
        kind = key[0]
        if kind == "negative":
            inner = self._structure(key[1])
            if inner[0] == "negative" and inner[1][0] == "v" and self._shape(inner[1]) \
                    and self._in_c_order(inner[1]):
                return inner[1]              # an array (not a 0-d scalar), laid out the same
        elif kind == "T":                           # x.T: x.transpose(reversed axes)
            inner = self._structure(key[1])
            ndim = len(inner[2]) if inner[0] == "transpose" else len(self._shape(key[1]) or ())
            if inner[0] == "T":
                return inner[1]
            if ndim:
                return self._simpler(("transpose", key[1], tuple(range(ndim))[::-1]))
        elif kind == "transpose" and key[2]:
            base, axes = key[1], key[2]
            inner = self._structure(base)
            if inner[0] == "transpose" and len(inner[2]) == len(axes):
                base, axes = inner[1], tuple(inner[2][j] for j in axes)
            if axes == tuple(range(len(axes))):
                return base                          # the same layout as base's
            return ("transpose", base, axes)
        elif kind == "call" and key[1][0] == "obj" and not key[3]:
            fn = self.namespace.get(key[1][1])
            args = key[2]
            if id(fn) == self.program.sum_to and len(args) == 2 and args[1][0] == "lit":
                shape = self._shape(args[0])
                if shape and repr(tuple(shape)) == args[1][1]:
                    return args[0]
        elif kind == "call" and key[1] == ("np", "asarray") and not key[3] \
                and len(key[2]) == 1 and self._shape(key[2][0]):
            return key[2][0]
        return key


class _Reads(ast.NodeTransformer):
    """Reads of dropped lines' names as the names that hold their values."""

    def __init__(self, renamed):
        self.renamed = renamed

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.renamed:
            return ast.copy_location(ast.Name(self.renamed[node.id], ast.Load()), node)
        return node


def _copy(node):
    return ast.parse(ast.unparse(node)).body[0]


def _plain_field(value):
    """The key of a field that is no expression (an operator, a context, a name)."""
    return ("field", type(value).__name__ if isinstance(value, ast.AST) else repr(value))


def _literal(node):
    """The value of a literal (a number, a string, None, a tuple of them), or _NOT."""
    if not isinstance(node, (ast.Constant, ast.Tuple)):
        return _NOT
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return _NOT
    return value if value is None or isinstance(value, (int, float, tuple, str)) else _NOT


def _is_view(node):
    """An expression that may give a view of its operand (no arithmetic of its own)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "T"
    if isinstance(node, ast.Subscript):
        return True
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in _VIEWS)


def _broadcast(a, b):
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        return None


def _cannot_raise(value, copies=()):
    """A value whose computation raises no floating-point error: a name, a negation, a
    view or (a call of one of the names ``copies``) a broadcast copy of one."""
    if isinstance(value, ast.Name) or _literal(value) is not _NOT:
        return True
    if isinstance(value, ast.UnaryOp):
        return isinstance(value.op, ast.USub) and _cannot_raise(value.operand)
    if isinstance(value, ast.Attribute):
        return value.attr == "T" and _cannot_raise(value.value)
    if not (isinstance(value, ast.Call) and not value.keywords
            and all(map(_cannot_raise, value.args))):
        return False
    return (_is_view(value) and _cannot_raise(value.func.value)) or (
        isinstance(value.func, ast.Name) and value.func.id in copies)


def _drop_unread(lines, stored, definitions, copies):
    """The text of ``lines`` ((text, node, names read) each) without the definitions the pass
    left unread that cannot raise."""
    read = {}
    for _, _, loads in lines:
        for u in loads:
            read[u] = read.get(u, 0) + 1
    keep = [True] * len(lines)
    for i in range(len(lines) - 1, -1, -1):
        _, node, loads = lines[i]
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            target = node.targets[0].id
            if (not read.get(target) and target not in stored
                    and definitions.get(target) == 1 and _cannot_raise(node.value, copies)):
                keep[i] = False
                for u in loads:
                    read[u] -= 1
    return [text for (text, _, _), k in zip(lines, keep) if k]
