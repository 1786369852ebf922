"""The *buffers* pass of a compiled program: intermediate arrays written into reused memory.

Every numpy call of a program allocates its result.  A compiled program is run many times
with the same shapes, so this pass gives each intermediate that a ufunc or ``@`` computes a
buffer, allocated once with the program, and reuses a buffer as soon as the value in it is
dead: ``h = np.tanh(z, out=_buf_3)``.  The values are the same numpy calls on the same
arrays, so the results stay bitwise those of eager.

What may not live in a buffer, because it could still be read after the buffer is reused
(by this call or, once the program has returned, by Python):

- a value the program hands out (stored into ``v``: results, ``.grad``, values read at a
  sync point), or a value stored on an op object (``op.mask = ...``), or passed to an op's
  method (which may keep it for its backward);
- anything such a value may be a view of: a line that is not a fresh ufunc result (``x.T``,
  ``x.reshape(...)``, ``sum_to(x, ...)``, a helper's result, a plain ``y = x``) is taken to
  alias all of its inputs, and a buffer stays busy until the last read of every alias.
"""
from __future__ import annotations

import ast
import heapq

import numpy as np

from .ops.activation import _sigmoid
from .ops.movement import _sum_to_array, expand

# (not ``**``: numpy computes ``a ** 2`` as square and ``a ** 0.5`` as sqrt, np.power does not)
_BINARY = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "true_divide",
           ast.MatMult: "matmul"}
_UNARY = {ast.USub: "negative"}


def plan_buffers(lines, slot_of, namespace, internal=(), in_c_order=()):
    """``lines`` (program statements, in order) with buffers; buffers go into ``namespace``.

    ``slot_of(name)`` gives the slot of a program variable (its shape and dtype) or None.
    ``internal``: variables stored into ``v`` only for the later programs of the same call
    (not for Python): they may be buffers, busy to the end of the program.  ``in_c_order``:
    the variables the program loads that are in C order (:func:`c_ordered`)."""
    lines, temporaries, parsed = _split(lines, slot_of)
    known = slot_of

    def slot_of(name):            # a constant of the program has a shape and dtype too
        constant = namespace.get(name)
        return temporaries.get(name) or known(name) or (
            constant if isinstance(constant, np.ndarray) else None)
    aliases = {}                  # name -> names whose memory it may share (itself included)
    escaping = set()
    held = set()                  # read after this program, by the call's later programs
    fresh_at = {}                 # line index -> (target, ufunc name, operand sources)
    reads = {}                    # name -> indices of the lines that read it
    ordered = c_ordered(parsed, slot_of, namespace, in_c_order)
    for i, node in enumerate(parsed):
        if node is None:
            continue
        used = _loads(node)
        for name in used:
            reads.setdefault(name, []).append(i)
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets) \
                and len(node.targets) == 1:
            target = node.targets[0].id
            call = _ufunc_form(node.value)
            if call is not None:
                fresh_at[i] = (target, call)
            if _fresh(node.value) or _reduces(node.value, slot_of):
                aliases[target] = {target}
            else:
                aliases[target] = {target}.union(*[aliases.get(u, {u}) for u in used])
            if _calls_a_method(node.value, namespace):
                escaping.update(*[aliases.get(u, {u}) for u in used])
            continue
        if _stores_internal(node, internal):
            held.update(*[aliases.get(u, {u}) for u in used])
            continue
        if isinstance(node, ast.Assign):
            names = [n.id for t in node.targets for n in ast.walk(t)
                     if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
            stored_outside = any(not isinstance(t, (ast.Name, ast.Tuple)) for t in node.targets)
            for target in names:
                aliases[target] = {target}.union(*[aliases.get(u, {u}) for u in used])
            if stored_outside or _calls_a_method(node.value, namespace):
                escaping.update(*[aliases.get(u, {u}) for u in used])
            continue
        if not (_writes_in_place(node) or reads_only(node, namespace)):
            escaping.update(*[aliases.get(u, {u}) for u in used])   # it may keep them
    # the last line that reads a value or anything that may alias it
    last_read = {}
    for name, group in aliases.items():
        for member in group:
            for i in reads.get(name, ()):
                last_read[member] = max(last_read.get(member, -1), i)
    for name in held:
        last_read[name] = len(parsed)

    # busy: a heap of (last line that reads it, when it was taken, key, buffer); a buffer is
    # free again after that line, and buffers freed at one line go back in the order taken
    free, busy, out, count = {}, [], list(lines), 0
    for i, node in enumerate(parsed):
        released = []
        while busy and busy[0][0] < i:
            released.append(heapq.heappop(busy))
        for _, _, key, buffer in sorted(released, key=lambda b: b[1]):
            free.setdefault(key, []).append(buffer)
        if i not in fresh_at:
            continue
        target, (ufunc, operands) = fresh_at[i]
        slot = slot_of(target)
        if target in escaping or slot is None or not slot.shape or slot.dtype is None:
            continue
        if target not in ordered and not _one_axis(slot.shape):
            continue                      # eagerly in its operands' order (F of a transpose)
        dtypes = [slot_of(o).dtype for o in operands if isinstance(o, str)
                  and slot_of(o) is not None]
        named = [o for o in operands if isinstance(o, str)]
        if len(dtypes) != len(named) or any(d != slot.dtype for d in dtypes):
            continue                      # a cast, or a local of an op: keep numpy's result
        key = (tuple(slot.shape), np.dtype(slot.dtype).str)
        pool = free.get(key)
        if pool:
            buffer = pool.pop()
        else:
            count += 1
            buffer = f"_buf_{count}"
            namespace[buffer] = np.empty(slot.shape, dtype=slot.dtype)
        heapq.heappush(busy, (last_read.get(target, i), i, key, buffer))
        out[i] = _with_out(lines[i], node, ufunc, buffer)
    return out, count


def c_ordered(lines, slot_of, namespace, loads=()):
    """The variables of ``lines`` (text or parsed) whose arrays are in C order, given the
    ``loads`` that are (see :func:`_in_c_order`)."""
    ordered = set(loads)
    for node in lines:
        if isinstance(node, str):
            node = _parse(node)
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            target = node.targets[0].id
            if _in_c_order(node.value, ordered, slot_of, namespace, slot_of(target)):
                ordered.add(target)
            else:
                ordered.discard(target)
    return ordered


def _one_axis(shape):
    """A shape with at most one axis longer than 1: its array is in C and F order at once."""
    return sum(n > 1 for n in shape) <= 1


def _in_c_order(value, ordered, slot_of, namespace, slot=None):
    """Whether ``value`` (of ``slot``'s shape) is an array in C order, given the variables
    ``ordered`` that are.

    A ufunc gives its result the order of its operands (``-x`` of a transposed ``x`` is in F
    order; where they disagree, C order wins), and a sum adds in memory order, so a buffer
    (C order) is bitwise the eager value only where the eager value is in C order too: a
    product (``np.dot``, ``@``), elementwise work with an operand of its shape in C order or
    with every operand in C order, a reshape, ``sum_to`` of such values."""
    def full(n):
        """An operand in C order with the result's shape: its order is the result's."""
        return (slot is not None and isinstance(n, ast.Name) and known(n)
                and slot_of(n.id) is not None
                and tuple(slot_of(n.id).shape) == tuple(slot.shape))

    def known(n):
        if isinstance(n, ast.Constant):
            return True
        if isinstance(n, ast.Name):
            slot, constant = slot_of(n.id), namespace.get(n.id)
            if isinstance(constant, np.ndarray):
                return constant.flags.c_contiguous
            return n.id in ordered or (slot is not None and _one_axis(slot.shape))
        if isinstance(n, ast.UnaryOp):
            return known(n.operand)
        if isinstance(n, ast.BinOp):
            operands = [n.left, n.right]
            return isinstance(n.op, ast.MatMult) or n is value and any(map(full, operands)) \
                or all(map(known, operands))
        if not isinstance(n, ast.Call) or n.keywords and not _reduces(n, slot_of):
            return False
        f = n.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "np":
            if f.attr == "dot":
                return True
            return isinstance(getattr(np, f.attr, None), np.ufunc) and (
                n is value and any(map(full, n.args)) or all(map(known, n.args)))
        if isinstance(f, ast.Attribute) and f.attr == "reduce":           # np.add.reduce(x)
            return bool(n.args) and known(n.args[0])
        if isinstance(f, ast.Attribute) and f.attr == "reshape":
            return known(f.value)
        helper = namespace.get(f.id) if isinstance(f, ast.Name) else None
        if helper is expand:
            return True
        return helper in (_sum_to_array, _sigmoid) and bool(n.args) and known(n.args[0])
    return known(value)


class _Temporary:
    """What a sub-expression gives: its shape and dtype (as a slot's)."""

    def __init__(self, shape, dtype):
        self.shape, self.dtype = shape, dtype


_ELEMENTWISE = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def _split(lines, slot_of):
    """Nested elementwise arithmetic (``g * (1 - a * a)``) as one line per operation, in
    Python's order of evaluation, so that each intermediate can have a buffer too.

    Returns the lines, the temporaries' shapes and dtypes, and each line parsed (None for
    a comment or a blank line)."""
    out, temporaries, count, nodes = [], {}, 0, []
    for line, node in zip(lines, _parse_all(lines)):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and _nested(node.value)):
            out.append(line)
            nodes.append(node)
            continue
        dtype = _common_float_dtype(node.value, slot_of)
        if dtype is None:
            out.append(line)
            nodes.append(node)
            continue
        steps = []

        def flatten(n):
            nonlocal count
            if not isinstance(n, (ast.BinOp, ast.UnaryOp)):
                return n, _shape_of(n, slot_of)
            if isinstance(n, ast.BinOp):
                left, ls = flatten(n.left)
                right, rs = flatten(n.right)
                shape = np.broadcast_shapes(ls, rs)
                expr = ast.BinOp(left, n.op, right)
            else:
                operand, shape = flatten(n.operand)
                expr = ast.UnaryOp(n.op, operand)
            count += 1
            name = f"_tmp_{count}"
            temporaries[name] = _Temporary(shape, dtype)
            steps.append((name, expr))
            return ast.Name(name, ast.Load()), shape

        flatten(node.value)
        indent = line[:len(line) - len(line.lstrip())]
        last_name, last_expr = steps.pop()
        for name, expr in steps:
            out.append(f"{indent}{name} = {ast.unparse(expr)}")
            nodes.append(_parse(out[-1]))
        comment = line.split("  # ", 1)[1] if "  # " in line else None
        text = f"{indent}{node.targets[0].id} = {ast.unparse(last_expr)}"
        out.append(f"{text:<64}  # {comment}" if comment is not None else text)
        nodes.append(_parse(out[-1]))
        del temporaries[last_name]
    return out, temporaries, nodes


def _nested(value):
    """Elementwise arithmetic with at least one operation inside another."""
    if not _arithmetic_tree(value) or not isinstance(value, (ast.BinOp, ast.UnaryOp)):
        return False
    inner = [value.left, value.right] if isinstance(value, ast.BinOp) else [value.operand]
    return any(isinstance(n, (ast.BinOp, ast.UnaryOp)) for n in inner)


def _arithmetic_tree(n):
    if isinstance(n, ast.BinOp):
        return type(n.op) in _ELEMENTWISE and _arithmetic_tree(n.left) \
            and _arithmetic_tree(n.right)
    if isinstance(n, ast.UnaryOp):
        return isinstance(n.op, ast.USub) and _arithmetic_tree(n.operand)
    return isinstance(n, ast.Name) or (isinstance(n, ast.Constant)
                                       and type(n.value) in (int, float))


def _common_float_dtype(value, slot_of):
    """The one floating dtype of all the names in ``value`` (Python numbers adapt to it)."""
    dtypes = set()
    for n in ast.walk(value):
        if isinstance(n, ast.Name):
            slot = slot_of(n.id)
            if slot is None or slot.dtype is None:
                return None
            dtypes.add(np.dtype(slot.dtype))
    if len(dtypes) != 1:
        return None
    dtype, = dtypes
    return dtype if dtype.kind == "f" else None


def _shape_of(n, slot_of):
    if isinstance(n, ast.Name):
        return tuple(slot_of(n.id).shape)
    return ()


def _stores_internal(node, internal):
    """``v[k] = name`` for a variable only the call's later programs read."""
    return (isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Subscript)
            and isinstance(node.targets[0].value, ast.Name) and node.targets[0].value.id == "v"
            and isinstance(node.value, ast.Name) and node.value.id in internal)


def _parse(line):
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    return ast.parse(text).body[0]


def _parse_all(lines):
    """:func:`_parse` of every line, with one ``ast.parse`` of them all (a call of the
    parser costs far more than a line of a program); line by line when some line is not
    exactly one statement."""
    texts = [line.strip() for line in lines]
    code = [i for i, text in enumerate(texts) if text and not text.startswith("#")]
    try:
        body = ast.parse("\n".join(texts[i] for i in code)).body
    except SyntaxError:
        body = None
    if body is None or len(body) != len(code) or any(
            node.lineno != k + 1 or node.end_lineno != k + 1 for k, node in enumerate(body)):
        return [_parse(line) for line in lines]
    nodes = [None] * len(lines)
    for i, node in zip(code, body):
        nodes[i] = node
    return nodes


def _loads(node):
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)]


def _writes_in_place(node):
    """``np.<ufunc>(a, b, out=a, ...)``: the update of a parameter; it keeps nothing."""
    value = node.value if isinstance(node, ast.Expr) else None
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and isinstance(value.func.value, ast.Name) and value.func.value.id == "np"
            and isinstance(getattr(np, value.func.attr, None), np.ufunc)
            and all(isinstance(a, (ast.Name, ast.Constant)) for a in value.args))


def _calls_a_method(node, namespace):
    """A call of an op's method (``op.forward(...)``): it may keep what it is given.  (An
    array's own methods, ``x.sum()``, ``x.reshape(...)``, keep nothing; their result may be
    a view, which the aliases account for.)"""
    for n in ast.walk(node):
        if (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                and isinstance(n.func.value, ast.Name)):
            owner = n.func.value.id
            if owner != "np" and owner in namespace \
                    and not isinstance(namespace[owner], np.ndarray):
                return True
    return False


def reads_only(node, namespace):
    """A call that only reads its arguments (a check: its function says ``reads_only``)."""
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and getattr(namespace.get(node.value.func.id), "reads_only", False))


def _reduces(value, slot_of):
    """``sum_to(x, shape)`` with a shape other than x's: a new array (with x's own shape it
    is x itself); so is ``np.add.reduce(x, ...)``, also reshaped (the engine's sum_to)."""
    if (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and value.func.attr == "reshape"):
        value = value.func.value
    if (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and value.func.attr == "reduce" and isinstance(value.func.value, ast.Attribute)
            and isinstance(value.func.value.value, ast.Name)
            and value.func.value.value.id == "np"):
        return True
    if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id == "sum_to" and len(value.args) == 2
            and isinstance(value.args[0], ast.Name)):
        try:
            shape = tuple(ast.literal_eval(value.args[1]))
        except (ValueError, TypeError):
            return False
        slot = slot_of(value.args[0].id)
        return slot is not None and tuple(slot.shape) != shape
    return False


_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.MatMult, ast.Pow, ast.FloorDiv,
               ast.Mod)


def _fresh(value):
    """Arithmetic on arrays (``a * (1 - b)``, ``-a``, ``np.exp(a)``) gives a new array, never
    a view of its operands."""
    if isinstance(value, ast.BinOp):
        return isinstance(value.op, _ARITHMETIC)
    if isinstance(value, ast.UnaryOp):
        return isinstance(value.op, (ast.USub, ast.UAdd))
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and isinstance(value.func.value, ast.Name) and value.func.value.id == "np"
            and (isinstance(getattr(np, value.func.attr, None), np.ufunc)
                 or value.func.attr == "dot")
            and not any(k.arg == "out" for k in value.keywords))


def _ufunc_form(value):
    """``(ufunc name, operands)`` when ``value`` is one ufunc call on its operands
    (``a + b``, ``-a``, ``np.tanh(a)``, ``a @ b``), or ``np.dot`` of two arrays: its result
    is a new array."""
    if isinstance(value, ast.BinOp) and type(value.op) in _BINARY:
        parts = [value.left, value.right]
        name = _BINARY[type(value.op)]
    elif isinstance(value, ast.UnaryOp) and type(value.op) in _UNARY:
        parts = [value.operand]
        name = _UNARY[type(value.op)]
    elif (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
          and isinstance(value.func.value, ast.Name) and value.func.value.id == "np"
          and isinstance(getattr(np, value.func.attr, None), np.ufunc) and not value.keywords
          and getattr(np, value.func.attr).nout == 1
          and len(value.args) == getattr(np, value.func.attr).nin):
        parts = list(value.args)
        name = value.func.attr
    elif (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
          and isinstance(value.func.value, ast.Name) and value.func.value.id == "np"
          and value.func.attr == "dot" and len(value.args) == 2 and not value.keywords):
        parts = list(value.args)     # of 2-D arrays (MatMul's): out= must be C-contiguous,
        name = "dot"                 # of the result's dtype, as a buffer is
    else:
        return None
    operands = []
    for part in parts:
        if isinstance(part, ast.Name):
            operands.append(part.id)
        elif (isinstance(part, ast.Attribute) and part.attr == "T"
              and isinstance(part.value, ast.Name)):
            operands.append(part.value.id)           # a transposed view, read by the call
        elif isinstance(part, ast.Constant) and type(part.value) in (int, float):
            operands.append(part.value)
        elif (isinstance(part, ast.UnaryOp) and isinstance(part.op, ast.USub)
              and isinstance(part.operand, ast.Constant)):
            operands.append(-part.operand.value)
        else:
            return None          # a nested expression: its temporaries are numpy's
    return name, operands


def _with_out(line, node, ufunc, buffer):
    """The line with its ufunc written as ``np.<ufunc>(..., out=buffer)``."""
    value = node.value
    if isinstance(value, ast.BinOp):
        args = [value.left, value.right]
    elif isinstance(value, ast.UnaryOp):
        args = [value.operand]
    else:
        args = value.args
    call = f"np.{ufunc}({', '.join(ast.unparse(a) for a in args)}, out={buffer})"
    indent = line[:len(line) - len(line.lstrip())]
    comment = line.split("#", 1)[1] if "  # " in line else None
    text = f"{indent}{node.targets[0].id} = {call}"
    return f"{text:<64}  #{comment}" if comment is not None else text
