"""What the lines of a compiled program do to its arrays, for the passes that move them.

A program's line computes a value (``a = x * y``), notes a value on an op object
(``sum_1.kept = (1, 1)``), makes a check that only reads (``warn_if_saturated_1(a)``),
hands a value out (``v[3] = a``), writes an array in place (``np.subtract(w, g, out=w)``,
``a += b``, ``a[i] = b``) or calls something no pass can read (an op's method), which may
write whatever it was handed and keep it.  :class:`Lines` says which, and which variables
may share memory: a static union over the program in which a view joins what it is a view
of, and what came from outside the program (inputs, constants) or was handed to a call is
one group, the world.
"""
from __future__ import annotations

import ast

import numpy as np

from .buffers import _fresh, _parse_all, reads_only

WORLD = "<world>"         # the group of what the program did not make, or handed to a call
_ANY = 99
#: numpy functions that only compute their result, with how many positional arguments
#: they may have before ``out`` (not np.empty: its values are no value)
_NUMPY = {"dot": 2, "transpose": 2, "asarray": 2, "ascontiguousarray": 2, "broadcast_to": 2,
          "where": 3, "reshape": 3, "sum": 2, "mean": 2, "concatenate": 2, "stack": 2,
          "expand_dims": 2, "squeeze": 2, "swapaxes": 3, "moveaxis": 3, "zeros": 2, "ones": 2,
          "zeros_like": 2, "ones_like": 2, "full": 3, "full_like": 3, "tensordot": 3,
          "einsum": _ANY, "outer": 2, "clip": 3, "take": 3, "diagonal": 4, "tril": 2,
          "triu": 2, "flip": 2, "roll": 3, "pad": 3, "tile": 2, "repeat": 3, "trace": 5,
          "kron": 2, "cross": 2, "diag": 2}
#: an array's methods that only compute their result, and their positional arguments
_METHODS = {"reshape": _ANY, "transpose": _ANY, "sum": 2, "mean": 2, "max": 1, "min": 1,
            "prod": 2, "astype": 2, "copy": 1, "ravel": 1, "flatten": 1, "squeeze": 1,
            "swapaxes": 2, "any": 1, "all": 1, "argmax": 1, "argmin": 1, "cumsum": 2,
            "cumprod": 2, "dot": 1, "clip": 2, "conj": 0, "round": 1, "std": 2, "var": 2,
            "item": _ANY, "diagonal": 3, "trace": 4, "nonzero": 0, "view": 2}


def _helpers():
    """The ids of the ops' helpers a program calls that only compute their result, of
    those whose result is a new array, and of ``sum_to`` and ``expand``."""
    from .ops.activation import _sigmoid
    from .ops.movement import _sum_to_array, expand
    from .ops.reduce import _kept_shape
    pure = {id(f) for f in (_sigmoid, _sum_to_array, expand, _kept_shape)}
    return pure, {id(_sigmoid), id(expand)}, id(_sum_to_array), id(expand)


class Lines:
    """The lines of a program, parsed, each with its kind (blank, def, note, check, store,
    write, effect), and the groups of variables that may share memory."""

    def __init__(self, lines, namespace):
        self.namespace = namespace
        self.nodes = _parse_all(lines)
        self.helpers, self.fresh_helpers, self.sum_to, self.expand = _helpers()
        self.loads, self.stores, self.kinds = [], [], []   # by line: names read, assigned
        for node in self.nodes:
            loads, stores, impure = self._scan(node)
            self.loads.append(loads)
            self.stores.append(stores)
            self.kinds.append(self._kind(node, impure))
        self._groups()

    def _scan(self, node):
        """The names a line reads and assigns, and its calls that may write (None for a
        closure or a comprehension), in one walk."""
        loads, stores, impure = [], [], []
        for n in ast.walk(node) if node is not None else ():
            if isinstance(n, ast.Name):
                (loads if isinstance(n.ctx, ast.Load) else stores).append(n.id)
            elif isinstance(n, ast.Call):
                if not self._pure_call(n):
                    impure.append(n)
            elif isinstance(n, (ast.Lambda, ast.NamedExpr, ast.Yield, ast.YieldFrom,
                                ast.Await, ast.Starred, ast.comprehension)):
                impure = None
                break
        return loads, stores, impure

    def object(self, name):
        """Whether a name is an object of the namespace (an op, a helper), not an array."""
        value = self.namespace.get(name)
        return name == "np" or (name in self.namespace and not isinstance(value, np.ndarray))

    def _kind(self, node, impure):
        """What a line does (see the class), given the calls in it that may write."""
        if node is None or isinstance(node, ast.Pass):
            return "blank"
        if store(node) is not None:
            return "store"
        if impure is None:
            return "effect"
        if not impure and isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                return "def"
            if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                    and self.object(target.value.id) and target.value.id != "np"):
                return "note"               # op.kept = ...: a note an op's method reads
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                    and not self.object(target.value.id):
                return "write"
        if not impure and isinstance(node, ast.AugAssign) and isinstance(node.target,
                                                                         ast.Name):
            return "write"
        if reads_only(node, self.namespace):
            return "check"
        if _in_place(node) is not None and impure == [node.value]:
            return "write"                  # np.subtract(w, g, out=w, casting=...)
        return "effect"

    def _pure_call(self, n):
        """A call that writes nothing: a pure helper, numpy or an array's method with no
        ``out`` (not even as a positional argument: ``np.add(a, b, c)``) nor ``where``."""
        f, count = n.func, len(n.args)
        if any(k.arg in ("out", "where", None) for k in n.keywords) \
                or any(isinstance(a, ast.Starred) for a in n.args):
            return False
        if isinstance(f, ast.Name):
            return id(self.namespace.get(f.id)) in self.helpers
        if not isinstance(f, ast.Attribute):
            return False
        if isinstance(f.value, ast.Name) and f.value.id == "np":
            ufunc = getattr(np, f.attr, None)
            if isinstance(ufunc, np.ufunc):
                return count <= ufunc.nin
            return count <= _NUMPY.get(f.attr, -1)
        if (isinstance(f.value, ast.Attribute) and isinstance(f.value.value, ast.Name)
                and f.value.value.id == "np"):               # np.add.reduce(a, axis, dtype)
            return isinstance(getattr(np, f.value.attr, None), np.ufunc) \
                and f.attr == "reduce" and count <= 3
        if isinstance(f.value, ast.Name) and self.object(f.value.id):
            return False                                       # op.backward(...)
        return count <= _METHODS.get(f.attr, -1)

    def _groups(self):
        """Which variables may share memory (a static union over the program: views join
        their operands, what a call is handed joins the world), which lines write which
        group, and the last line reading each group."""
        parent = {WORLD: WORLD}

        def find(x):
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(a, b):
            parent[find(a)] = find(b)

        defined, self.definitions, self.stored, self.escaped = set(), {}, set(), set()
        reads = []
        for node, kind, loads, stores in zip(self.nodes, self.kinds, self.loads, self.stores):
            names = [u for u in loads if not self.object(u)]
            reads.append(names)
            for u in names:
                if u not in defined:
                    union(u, WORLD)               # a load, a constant: from outside
            for t in stores:
                defined.add(t)
                self.definitions[t] = self.definitions.get(t, 0) + 1
            if kind == "store":
                self.stored.add(store(node))
            elif kind == "def" and not self.fresh(node.value):
                for u in names:
                    union(stores[0], u)
            elif kind in ("note", "effect"):
                self.escaped.update(names)
                for u in names + stores:
                    union(u, WORLD)
        self.find = find
        self.written, direct = {}, set()           # group -> the lines that write it
        for i, (node, kind) in enumerate(zip(self.nodes, self.kinds)):
            if kind == "effect":
                self.written.setdefault(find(WORLD), []).append(i)
            elif kind == "write":
                direct.add(write_target(node))
                self.written.setdefault(find(write_target(node)), []).append(i)
        self.last_read = {}
        for i, names in enumerate(reads):
            for u in names:
                self.last_read[find(u)] = i
        self.members = {}
        for name in parent:
            self.members.setdefault(find(name), set()).add(name)
        # the program's constants that no line writes or hands to a call
        self.frozen = {name for name, value in self.namespace.items()
                       if isinstance(value, np.ndarray) and name not in self.escaped
                       and name not in direct}
        self.consts = {name for name in self.frozen if self.namespace[name].shape == ()
                       and self.namespace[name].dtype.kind == "f"}

    def fresh(self, node):
        """Whether an expression gives a new array (not a view of what it reads)."""
        return _fresh(node) or reduces(node) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and id(self.namespace.get(node.func.id)) in self.fresh_helpers)

    def may_merge(self, t, h, i):
        """Whether the line ``i`` defining ``t`` may make ``t`` the array of ``h`` (or a view
        of it): ``t`` not handed out and never written after, ``h`` not written while ``t``
        is read (and neither assigned again)."""
        if t in self.stored or self.definitions.get(t) != 1 or self.definitions.get(h, 0) > 1:
            return False
        gt, gh = self.find(t), self.find(h)
        last = self.last_read.get(gt, i)
        return not any(j > i for j in self.written.get(gt, ())) and \
            not any(i < j <= last for j in self.written.get(gh, ()))


def store(node):
    """The name of ``v[k] = name`` (a value the program hands out), or None."""
    if (isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Subscript)
            and isinstance(node.targets[0].value, ast.Name) and node.targets[0].value.id == "v"
            and isinstance(node.value, ast.Name)):
        return node.value.id
    return None


def _in_place(node):
    """The target of ``np.<ufunc>(..., out=name)`` on a line of its own, or None."""
    value = node.value if isinstance(node, ast.Expr) else None
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and isinstance(value.func.value, ast.Name) and value.func.value.id == "np"
            and isinstance(getattr(np, value.func.attr, None), np.ufunc)):
        return None
    outs = [k.value for k in value.keywords if k.arg == "out"]
    others = [k for k in value.keywords if k.arg not in ("out", "casting")]
    if len(outs) == 1 and isinstance(outs[0], ast.Name) and not others:
        return outs[0].id
    return None


def write_target(node):
    """The variable a line of kind "write" writes."""
    if isinstance(node, ast.AugAssign):
        return node.target.id
    if isinstance(node, ast.Assign):
        return node.targets[0].value.id
    return _in_place(node)


def reduces(node):
    """A reduction (``x.sum(...)``, ``np.add.reduce(...)``): a new array of its operand."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("sum", "reduce", "mean", "max", "min", "prod"))
