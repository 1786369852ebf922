"""The *simplify* pass of a compiled program: derivative chains rewritten as shorter algebra.

The backward pass of a cost is the chain rule applied op by op: for the course's sigmoid
output and cross-entropy cost, ten calls compute dZ = dA · A(1 − A) from
dA = −(1/m)(Y/A − (1 − Y)/(1 − A)).  Done by hand, the algebra gives dZ = (A − Y)/m.  This
pass does that algebra on the program (``ag.compile(step, simplify=True)``):

- every elementwise statement (``+ − * /``, ``**`` by a small int, unary minus, a
  broadcast scalar) is read as a rational function of the arrays it reads
  (:mod:`autograd_lite.algebra`), through the statements before it — also those of the
  call's earlier programs;
- each value that a non-elementwise statement (``@``, ``np.tanh``, ``sum_to``, a result)
  reads is written again from its simplified function when that takes fewer operations,
  using a value the program already has where one equals a factor (``1 − A`` computed for
  the cost is reused by its derivative); statements no longer read are dropped.  A new
  sum in the rewrite must be linear in the arrays (``A − Y``): an expanded sum of products
  (``x·x − y·y``) can lose to cancellation digits that the original kept;
- Python numbers that are small integers at capture (the ``1`` of ``1 − Y``) are taken as
  constants, so that ``(1 − Y)`` and the sigmoid's ``(1 − A)`` can meet: the program
  checks they still hold and runs the unsimplified program when one does not;
- then what the program computes twice is computed once (:mod:`autograd_lite.exact`: the
  same call on the same values, ``sum_to`` that does not reduce, ``x.T.T``).

Every rewrite is checked before it is taken: the old and new statements run on random
arrays of the captured shapes and dtypes, and must give the same shape, dtype and values
(normwise, to 1e-6 or 1,000 ulps).  The results are those of eager up to rounding, not bitwise: see
docs/compile.md for the bound that the tests hold it to.
"""
from __future__ import annotations

import ast
import io
import tokenize

import numpy as np

from . import algebra
from .algebra import TooBig
from .buffers import reads_only
from .exact import remove_repeats

_OPERATORS = {ast.Add: algebra.add, ast.Sub: algebra.subtract, ast.Mult: algebra.multiply,
              ast.Div: algebra.divide}
#: calls with no effect besides their result, which the pass may move, share or drop
_PURE_CALLS = {"sum_to", "_expand", "_sigmoid", "_kept_shape"}
_PURE_NUMPY = {"tanh", "exp", "log", "sqrt", "abs", "maximum", "minimum", "where", "sign",
               "log1p", "expm1", "square", "matmul", "add", "subtract", "multiply",
               "true_divide", "negative", "transpose", "asarray", "sin", "cos"}
_SPECIALISED = (-2.0, -1.0, 0.0, 1.0, 2.0)


class Simplified:
    """What :func:`simplify` made: the new ``lines``, the ``guards`` (slot, value) it
    assumed, the ``loads`` (name, slot) it needs beyond the program's, and ``rewrites``."""

    def __init__(self, lines, guards, loads, rewrites):
        self.lines, self.guards, self.loads, self.rewrites = lines, guards, loads, rewrites


class _Sum:
    """The slot-like facts of a sum the pass writes (``y.sum(axis=0, keepdims=True)``)."""
    kind = "sum"

    def __init__(self, shape, dtype, names):
        self.shape, self.dtype, self.names = shape, dtype, names


class _Statement:
    __slots__ = ("index", "text", "node", "target", "value", "pure", "elementwise", "epoch",
                 "here", "comment")

    def __init__(self, index, text, here):
        self.index, self.text, self.here = index, text, here
        self.node = _parse(text)
        self.comment = _comment(text) if self.node is not None else None
        self.target = self.value = None
        node = self.node
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            self.target, self.value = node.targets[0].id, node.value
        self.pure = self.elementwise = False
        self.epoch = 0


def simplify(lines, context, slot_of, namespace, available):
    """Simplify the program ``lines`` (statements, in order; results stores included).

    ``context``: the statements of the call's earlier programs (read, never changed);
    ``slot_of(name)``: the slot of a program variable, or None; ``namespace``: the program's
    globals (op objects, constants); ``available(name)``: whether the program has that
    array (a load or a line of its own) or can read it from ``v`` (an input of the call)."""
    statements = [_Statement(i, t, False) for i, t in enumerate(context)]
    statements += [_Statement(len(context) + i, t, True) for i, t in enumerate(lines)]
    return _Pass(statements, slot_of, namespace, available).run()


class _Pass:
    def __init__(self, statements, slot_of, namespace, available):
        self.statements = statements
        self.sums = {}                # the text of a sum the pass writes -> its _Sum
        self.slot_of = lambda name: self.sums.get(name) or slot_of(name)
        self.namespace, self.available = namespace, available
        self.special = {}             # name -> (slot, value): a Python number taken as constant
        self.written = {k.value.id for st in statements if st.node is not None    # in place
                        for n in ast.walk(st.node) if isinstance(n, ast.Call)
                        for k in n.keywords if k.arg == "out" and isinstance(k.value, ast.Name)}
        self.definition = {}          # name -> its elementwise statement
        self.forms = {}
        self.rng = np.random.default_rng(0)
        epoch = 0
        for s in statements:
            s.pure = s.node is None or _is_pure(s, namespace)
            if not s.pure:
                epoch += 1
            s.epoch = epoch
            if s.target is not None and s.pure and self._elementwise(s.value):
                s.elementwise = True
                self.definition[s.target] = s

    # --- reading statements as algebra ---------------------------------------------------
    def _elementwise(self, node):
        try:
            return self._form(node, algebra.atom, None) is not None
        except TooBig:
            return False

    def _form(self, node, name_form, cone):
        """The algebra of an expression, or None if it is not elementwise."""
        if isinstance(node, ast.Name):
            return name_form(node.id)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return algebra.constant(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            f = self._form(node.operand, name_form, cone)
            return None if f is None else (algebra.negate(f) if isinstance(node.op, ast.USub)
                                           else f)
        if isinstance(node, ast.BinOp):
            if (isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant)
                    and type(node.right.value) is int and 2 <= node.right.value <= 4):
                f = self._form(node.left, name_form, cone)
                if f is None:
                    return None
                out = f
                for _ in range(node.right.value - 1):
                    out = algebra.multiply(out, f)
                return out
            combine = _OPERATORS.get(type(node.op))
            if combine is None:
                return None
            f = self._form(node.left, name_form, cone)
            g = self._form(node.right, name_form, cone) if f is not None else None
            return None if g is None else combine(f, g)
        scalar = _broadcast_scalar(node, self.slot_of)
        if scalar is not None:
            return name_form(scalar)
        return self._sum_form(node, name_form, cone)

    def _sum_form(self, node, name_form, cone):
        """``e.sum(axis=k, keepdims=True)`` as the 0-d factors of ``e`` times a new atom, the
        sum of the rest (sums are linear): softmax's Σ da·a over cross-entropy's da = −y/(a m)
        is −(1/m) Σ y.  None when ``node`` is no such sum."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "sum" and not node.args
                and {k.arg for k in node.keywords} == {"axis", "keepdims"}):
            return None
        options = {k.arg: k.value for k in node.keywords}
        try:
            axis, keepdims = (ast.literal_eval(options["axis"]),
                              ast.literal_eval(options["keepdims"]))
        except ValueError:
            return None
        inner = self._form(node.func.value, name_form, cone)
        if inner is None or keepdims is not True or inner[0] == 0.0:
            return None
        scalars = {k: p for k, p in inner[1].items()
                   if all(self._shape(a) == () for m, _ in k for a, _ in m)}
        rest = (1.0, {k: p for k, p in inner[1].items() if k not in scalars})
        if not rest[1]:
            return None
        shapes = [self._shape(a) for a in algebra.atoms_of(rest)]
        if any(shape is None for shape in shapes):
            return None
        text = _Emitter(rest, self.slot_of, {}, None, None).text()
        if text is None:
            return None
        shape = np.broadcast_shapes(*shapes)
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        axes = tuple(a % len(shape) for a in axes)
        dtypes = [self.slot_of(a).dtype for a in algebra.atoms_of(rest)]
        operand = text if text.isidentifier() else f"({text})"
        name = f"{operand}.sum(axis={axis!r}, keepdims=True)"
        self.sums[name] = _Sum(tuple(1 if i in axes else n for i, n in enumerate(shape)),
                               np.result_type(*dtypes), algebra.atoms_of(rest))
        return algebra.multiply((inner[0], scalars), algebra.atom(name))

    def _shape(self, name):
        slot = self.slot_of(name)
        return None if slot is None else tuple(slot.shape)

    def form_of(self, name, epoch, cone):
        """The algebra of a variable as seen by a statement of ``epoch``: through its
        elementwise definition if it has one in the same epoch; ``cone`` collects the
        statements it was read through."""
        value = self._number(name)
        if value is not None:
            return algebra.constant(value)
        s = self.definition.get(name)
        if s is None or s.epoch != epoch:
            return algebra.atom(name)
        cone.add(s.index)
        key = (name, epoch)
        if key not in self.forms:
            inner = set()
            self.forms[key] = (self._form(s.value, lambda n: self.form_of(n, epoch, inner),
                                          inner), inner)
        form, inner = self.forms[key]
        cone.update(inner)
        return form

    def _number(self, name):
        """The value of a variable that is a known number: a constant, or a Python number
        (an unnamed 0-d input, never written in place) that is a small integer at capture
        (checked on every run)."""
        value = self.namespace.get(name)
        if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind == "f":
            return float(value)
        slot = self.slot_of(name)
        if slot is not None and slot.kind == "ext" and slot.name == "scalar" and \
                slot.shape == () and getattr(slot.dtype, "kind", None) == "f" and \
                name not in self.written and float(slot.value) in _SPECIALISED:
            self.special[name] = (slot.index, float(slot.value))
            return float(slot.value)
        return None

    # --- the pass ------------------------------------------------------------------------
    def run(self):
        here = [s for s in self.statements if s.here]
        readers = {}
        for s in self.statements:
            if s.node is None:
                continue
            for name in _names_read(s.node):
                readers.setdefault(name, []).append(s)
        named = {}                    # frozen polynomial -> a variable equal to it
        for s in self.statements:     # the values read from v, and the context's ones
            if s.elementwise and not s.here and self.available(s.target):
                self._name_polynomial(s, named)
        rewrites, new_loads, guards = 0, {}, set()
        self.roots = set()            # values that stay: read by more than elementwise lines
        for s in here:
            users = readers.get(s.target, [])
            if s.elementwise and not (users and all(u.elementwise and u.epoch == s.epoch
                                                    for u in users)):
                self.roots.add(s.target)
        for s in here:
            if s.target not in self.roots:
                continue              # read only inside other elementwise lines: inlined
            result = self._rewrite(s, named)
            if result is not None:
                text, loads, cone = result
                s.text = text
                s.node = _parse(text)
                s.value = s.node.value
                rewrites += 1
                new_loads.update(loads)
                for i in cone:
                    for name in _names_read(self.statements[i].node):
                        if name in self.special:
                            guards.add(self.special[name])
            self._name_polynomial(s, named)
        lines = remove_repeats(_drop_dead(here), self.slot_of, self.namespace)
        return Simplified(lines, sorted(guards), new_loads, rewrites)

    def _name_polynomial(self, s, named):
        """Remember ``s.target`` as the variable equal to its polynomial (1 − A …)."""
        try:
            form = self.form_of(s.target, s.epoch, set())
        except TooBig:
            return
        if form is None:
            return
        coefficient, factors = form
        if coefficient == 1.0 and len(factors) == 1:
            (key, power), = factors.items()
            if power == 1 and algebra.is_atom(key) is None:
                named.setdefault((key, s.epoch), s.target)

    def _rewrite(self, s, named):
        """The simplified text of statement ``s`` and the loads it needs, or None."""
        cone = set()
        try:
            form = self.form_of(s.target, s.epoch, cone)
        except TooBig:
            return None
        if form is None:              # elementwise only with its reads kept opaque
            return None
        loads = {}
        names = set(algebra.atoms_of(form))
        while names & set(self.sums):
            for name in names & set(self.sums):
                names = (names - {name}) | set(self.sums[name].names)
        for name in names:
            where = self.available(name)
            if where is None:
                return None
            if where != "here":
                loads[name] = where
        text = _Emitter(form, self.slot_of, named, s.epoch, s.index).text()
        if text is None:
            return None
        new_ops = _operations(ast.parse(text, mode="eval"))
        gone = [self.statements[i] for i in cone if self.statements[i].here and (
            i == s.index or self.statements[i].target not in self.roots)]
        old_ops = sum(_operations(g.value) for g in gone)
        if new_ops >= old_ops:
            return None
        if not self._same(s, cone, text):
            return None
        comment = f"simplified from {old_ops} operations"
        line = f"{s.target} = {text}"
        return f"{line:<60}  # {comment}", loads, cone

    def _same(self, s, cone, text):
        """Whether ``text`` computes what the statements ``cone`` compute for ``s.target``
        (shape, dtype, and values normwise, on random arrays of the captured kind)."""
        env = dict(self.namespace)
        defined = {self.statements[i].target for i in cone}
        needed = set()
        for i in cone:
            needed |= _names_read(self.statements[i].node)
        needed |= _names_read(ast.parse(text, mode="eval"))
        for name in sorted(needed - defined):          # the same draws in every process
            if name in self.namespace:
                continue
            slot = self.slot_of(name)
            if slot is None:
                return False
            if name in self.special or (slot.kind == "ext" and slot.shape == ()):
                env[name] = slot.value
            elif slot.dtype is None:
                return False
            else:
                env[name] = self.rng.uniform(1.5, 2.5, slot.shape).astype(slot.dtype)
        with np.errstate(all="ignore"):
            try:
                for i in sorted(cone):
                    statement = self.statements[i]
                    scalar = _broadcast_scalar(statement.value, self.slot_of)
                    if scalar is not None:         # its op's notes are set by a run
                        shape = self.slot_of(statement.target).shape
                        env[statement.target] = np.broadcast_to(env[scalar], shape)
                        continue
                    exec(compile(ast.Module([statement.node], []), "<check>", "exec"), env)
                old = env[s.target]
                new = eval(text, env)
            except Exception:                          # noqa: BLE001 - a check, not a run
                return False
        old, new = np.asarray(old), np.asarray(new)
        if old.shape != new.shape or old.dtype != new.dtype:
            return False
        # a check of the algebra, not of rounding: wrong algebra is off by O(1), normwise
        rtol = max(1e-6, 1000 * np.finfo(old.dtype).eps) if old.dtype.kind == "f" else 1e-6
        finite = np.isfinite(old)
        if not np.array_equal(finite, np.isfinite(new)):
            return False
        if not finite.any():
            return True
        scale = np.abs(old[finite]).max()
        return bool(np.abs(new[finite] - old[finite]).max() <= rtol * scale)


class _Emitter:
    """Python text for an algebraic form: scalars grouped, arrays multiplied, one division."""

    def __init__(self, form, slot_of, named, epoch, index):
        self.form, self.slot_of, self.named = form, slot_of, named
        self.epoch, self.index = epoch, index

    def _scalar(self, name):
        slot = self.slot_of(name)
        return slot is not None and slot.shape == ()

    def _sum(self, name):
        return isinstance(self.slot_of(name), _Sum)

    def text(self):
        coefficient, factors = self.form
        if not factors:
            return None                # a constant: leave it to the original code
        num_arrays, num_scalars, den = [], [], []
        for key, power in sorted(factors.items(), key=lambda kv: (-kv[1], repr(kv[0]))):
            atom = algebra.is_atom(key)
            if atom is not None:
                text, scalar, sum_ = atom, self._scalar(atom), False
            else:
                text = self.named.get((key, self.epoch))
                sum_ = text is None
                if sum_ and any(sum(p for a, p in m if not self._sum(a)) > 1 for m, _ in key):
                    return None        # a new sum of products can cancel where the
                    #                    original did not (x·x − y·y): keep the original
                if sum_ and power == 1 and coefficient < 0 and not num_arrays:
                    text, coefficient = _polynomial(key, -1.0), -coefficient
                elif sum_:
                    text = _polynomial(key, 1.0)
                scalar = all(self._scalar(a) for m, _ in key for a, _ in m)
            if sum_:
                text = f"({text})"
            if power > 0:
                (num_scalars if scalar else num_arrays).extend([text] * power)
            else:
                den.extend([text] * -power)
        if coefficient not in (1.0, -1.0):
            num_scalars.append(_number(coefficient))
        if not num_arrays:
            num_arrays, num_scalars = num_scalars or ["1"], []
        factors = list(num_arrays)
        if num_scalars:
            group = " * ".join(num_scalars)
            factors.append(f"({group})" if len(num_scalars) > 1 else group)
        # one factor at a time, dividing as soon as it can: a product of all the numerator's
        # arrays (G · c before / b) can overflow or underflow where the chain rule did not
        expr = factors[0]
        for i in range(max(len(factors) - 1, len(den))):
            if i < len(den):
                expr = f"{expr} / {den[i]}"
            if i + 1 < len(factors):
                expr = f"{expr} * {factors[i + 1]}"
        if coefficient == -1.0:
            expr = f"-({expr})" if (" " in expr) else f"-{expr}"
        return expr


def _polynomial(key, sign):
    """A normalised polynomial as text, ``sign`` times it (a positive term first)."""
    out = []
    terms = [(m, c * sign) for m, c in key]
    first = next((i for i, (_, c) in enumerate(terms) if c > 0), 0)
    terms.insert(0, terms.pop(first))
    for monomial, coefficient in terms:
        atoms = " * ".join(" * ".join([a] * p) for a, p in monomial)
        magnitude = abs(coefficient)
        if not atoms:
            term = _number(magnitude)
        elif magnitude == 1.0:
            term = atoms
        else:
            term = f"{_number(magnitude)} * {atoms}"
        if not out:
            out.append(term if coefficient > 0 else f"-{term}")
        else:
            out.append(f"+ {term}" if coefficient > 0 else f"- {term}")
    return " ".join(out)


def _number(value):
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)


def _operations(node):
    """How many numpy operations an expression does (arithmetic and calls; a reshape is a
    view, not counted)."""
    return sum(isinstance(n, (ast.BinOp, ast.UnaryOp, ast.Call)) and not (
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "reshape")
        for n in ast.walk(node))


def _broadcast_scalar(node, slot_of):
    """``x`` when ``node`` is ``_expand(x.reshape(...), shape)`` of a 0-d ``x``."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "_expand" and node.args
            and isinstance(node.args[0], ast.Call)
            and isinstance(node.args[0].func, ast.Attribute)
            and node.args[0].func.attr == "reshape"
            and isinstance(node.args[0].func.value, ast.Name)):
        name = node.args[0].func.value.id
        slot = slot_of(name)
        if slot is not None and slot.shape == ():
            return name
    return None


def _is_pure(s, namespace):
    """Whether a statement only computes a value (no array written in place, no method call
    that may keep or change its arguments)."""
    node = s.node
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
            node.targets[0], ast.Attribute) and isinstance(node.targets[0].value, ast.Name) \
            and not isinstance(namespace.get(node.targets[0].value.id), np.ndarray) \
            and node.targets[0].value.id in namespace:
        return _pure_expression(node.value, namespace)   # op.kept = ...: a note on the op
    if s.target is None:
        return reads_only(node, namespace)
    return _pure_expression(s.value, namespace)


def _pure_expression(node, namespace):
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            if any(k.arg == "out" for k in n.keywords):
                return False
            f = n.func
            if isinstance(f, ast.Name) and f.id in _PURE_CALLS:
                continue
            if (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                    and f.value.id == "np" and f.attr in _PURE_NUMPY):
                continue
            if isinstance(f, ast.Attribute) and f.attr in ("reshape", "sum", "transpose"):
                continue
            return False
        if isinstance(n, (ast.Lambda, ast.NamedExpr, ast.Yield)):
            return False
    return True


def _names_read(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)}


def _drop_dead(statements):
    """The lines, without pure assignments that nothing after them reads."""
    live, keep = set(), []
    for s in reversed(statements):
        if s.node is not None and s.target is not None and s.pure and s.target not in live \
                and s.elementwise:
            continue
        if s.node is not None:
            live |= _names_read(s.node)
        keep.append(s.text)
    keep.reverse()
    return keep


def _parse(text):
    body = text.strip()
    if not body or body.startswith("#"):
        return None
    try:
        module = ast.parse(body)
    except SyntaxError:
        return None
    return module.body[0] if len(module.body) == 1 else None


def _comment(text):
    try:
        for token in tokenize.generate_tokens(io.StringIO(text.strip()).readline):
            if token.type == tokenize.COMMENT:
                return token.string[1:].strip()
    except (tokenize.TokenError, IndentationError):
        return None
    return None
