"""The *direct calls* pass of a compiled program: an op's method body, inlined.

A captured program calls each op's own ``forward`` and ``backward`` methods
(``add_1.forward(a, b)``).  Most of those methods are a line of numpy (``return a + b``,
``return (grad * (1 - out * out),)``), and calling them costs more than the numpy they run.
This pass writes the body of such a method into the program instead, with the method's
arguments replaced by the program's arrays, its params by their values, ``self`` by the op
object, and ``self.needs_input_grad`` by what the capture saw — so the program reads
``layer1_add = layer1_matmul + layer1_b`` and still runs the very expression the op declares:
there is no second copy of any derivative, and the numbers are bitwise the method's.

A body is inlined when it is straight-line code: assignments (to locals or to attributes of
``self``) and a final ``return``, with no control flow, ``with``, ``del``, closures or
comprehensions, and no assignment to an argument; anything else keeps its method call.
"""
from __future__ import annotations

import ast
import builtins
import inspect
import textwrap
import types

import numpy as np

_TEMPLATES = {}          # (class, method name) -> _Template or None
_FOLDABLE = set()        # helpers computed while a program is written, given constants


def foldable(fn):
    """Mark a helper of op methods as a pure function of plain values (shapes, axes): called
    with constants in an inlined body, it runs while the program is written and its result
    is written in (``self.kept = (1, 1)``), not called on every run."""
    _FOLDABLE.add(fn)
    return fn


class _Template:
    """A method body ready to be written with other names: its statements and its return."""

    def __init__(self, params, statements, globals_):
        self.params = params             # the method's parameter names, without self
        self.statements = statements     # ast statements, ending in returns
        self.globals = globals_          # the module the method was written in


def template(cls, method):
    """The inlinable body of ``cls.<method>``, or None."""
    key = (cls, method)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = _parse(_defining_function(cls, method))
    return _TEMPLATES[key]


def _defining_function(cls, method):
    for klass in cls.__mro__:
        fn = klass.__dict__.get(method)
        if fn is not None:
            return fn if isinstance(fn, types.FunctionType) else None
    return None


_PLAIN_STATEMENTS = (ast.Assign, ast.Return, ast.Expr, ast.If, ast.Pass)
_REFUSED_NODES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
                  ast.NamedExpr, ast.Yield, ast.YieldFrom, ast.Await, ast.Starred,
                  ast.Global, ast.Nonlocal)


def _parse(fn):
    if fn is None:
        return None
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        definition = ast.parse(source).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return None
    if not isinstance(definition, ast.FunctionDef) or definition.name != fn.__name__:
        return None        # the file changed since it was imported: call the method
    arguments = definition.args
    if (arguments.vararg or arguments.kwarg or arguments.kwonlyargs or arguments.defaults
            or arguments.posonlyargs or not arguments.args or arguments.args[0].arg != "self"):
        return None
    params = [a.arg for a in arguments.args[1:]]
    body = definition.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]                                   # the docstring
    if not body or not _returns(body):
        return None
    for statement in ast.walk(definition):
        if isinstance(statement, ast.stmt) and statement is not definition \
                and not isinstance(statement, _PLAIN_STATEMENTS):
            return None
    for statement in body:
        if _refused(statement, branches=False):
            return None
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) \
                    and node.id in params:
                return None
    return _Template(params, body, fn.__globals__)


def _refused(node, branches=True):
    """Whether ``node`` holds a closure or a comprehension; with ``branches=False`` not
    counting those in a branch of ``x if test else y`` (the test may be decided when the
    body is written: Transpose's ``axes if axes == (1, 0) else tuple(... for ...)``)."""
    if isinstance(node, _REFUSED_NODES):
        return True
    if isinstance(node, ast.IfExp) and not branches:
        return _refused(node.test, branches)
    return any(_refused(child, branches) for child in ast.iter_child_nodes(node))


def _returns(statements):
    """Every way through ``statements`` ends in a ``return`` of a value."""
    last = statements[-1]
    if isinstance(last, ast.Return):
        return last.value is not None
    if isinstance(last, ast.If):
        return bool(last.orelse) and _returns(last.body) and _returns(last.orelse)
    return False


class Inlined:
    """What :func:`inline` gives: source lines to run first, then the result expression(s)."""

    def __init__(self, lines, results):
        self.lines = lines               # statements (str), in order
        self.results = results           # a str per output (None: no output), or one str


def inline(op, method, args, params, op_name, fresh, bind, shapes=()):
    """The body of ``op.<method>(*args, **params)`` as program source, or None.

    ``args`` are source expressions of the arrays passed (the method's parameters in
    order), ``params`` the source of the params by name (:func:`param_source`), ``op_name`` the op object's name in
    the program, ``fresh(base)`` gives an unused local name, ``bind(value, base)`` puts an
    object into the program's namespace and returns its name.  ``shapes`` are the shapes of
    ``args`` (a program is made for one set of shapes): ``a.ndim``, ``a.shape`` and ``a.size``
    become constants, and an ``if`` on them takes its branch while the program is written."""
    tmpl = template(type(op), method)
    if tmpl is None:
        return None
    given = dict(zip(tmpl.params, args))
    for name in tmpl.params[len(args):]:
        if name not in params:
            return None
        given[name] = params[name]
    if len(args) > len(tmpl.params) or given.keys() != set(tmpl.params):
        return None
    writer = _Writer(op, op_name, given, tmpl.globals, fresh, bind,
                     dict(zip(tmpl.params, shapes)))
    try:
        lines, result = writer.block(tmpl.statements)
    except _CannotInline:
        return None
    if isinstance(result, ast.Tuple):
        results = [None if _is_none(e) else ast.unparse(e) for e in result.elts]
    else:
        results = ast.unparse(result)
    return Inlined(lines, results)


class _CannotInline(Exception):
    pass


def _is_none(node):
    return isinstance(node, ast.Constant) and node.value is None


def param_source(value, bind):
    """A param value as source: a literal where it is one, else a name ``bind`` gives it."""
    if _plain(value):
        return repr(value)
    return bind(value, "const")


def _immutable(value):
    """A plain value no statement can change (not a list)."""
    if type(value) is tuple:
        return all(map(_immutable, value))
    return type(value) is not list and _plain(value)


def _plain(value):
    if value is None or type(value) in (bool, int, str):
        return True
    if type(value) is float:
        return value == value and value not in (float("inf"), float("-inf"))
    if type(value) in (tuple, list):
        return all(_plain(v) for v in value)
    return False


class _Writer(ast.NodeTransformer):
    """Rewrites a method's statements with the program's names."""

    def __init__(self, op, op_name, given, globals_, fresh, bind, shapes):
        self.op, self.op_name = op, op_name
        self.given = dict(given)
        self.globals, self.fresh, self.bind = globals_, fresh, bind
        self.shapes = shapes
        self.locals = {}                 # a local of the body -> its program name

    def block(self, statements):
        """The lines of ``statements`` up to their ``return``, and the returned expression;
        an ``if`` must be decided by constants (needs, shapes)."""
        lines = []
        for statement in statements:
            if statement is _NO_RETURN:
                return lines, None
            if isinstance(statement, ast.Return):
                return lines, self.expression(statement.value)
            if isinstance(statement, ast.Pass):
                continue
            if isinstance(statement, ast.If):
                test = _fold(self.visit(_copy(statement.test)))
                if not isinstance(test, ast.Constant):
                    raise _CannotInline
                chosen = statement.body if test.value else statement.orelse
                if chosen and _returns(chosen):
                    more, result = self.block(chosen)
                    return lines + more, result
                more, result = self.block(list(chosen) + [_NO_RETURN])
                lines.extend(more)
                continue
            line = self.statement(statement)
            if line is not None:
                lines.append(line)
        raise _CannotInline

    def statement(self, node):
        node = self.visit(_copy(node))
        return None if node is None else ast.unparse(_fold(node))

    def expression(self, node):
        return _fold(self.visit(_copy(node)))

    # --- names --------------------------------------------------------------------------
    def visit_Name(self, node):
        name = node.id
        if isinstance(node.ctx, ast.Store):
            if name == "self":
                raise _CannotInline
            if name in self.constants:                     # assigned again: a local now
                self.constants = {k: v for k, v in self.constants.items() if k != name}
            local = self.locals.get(name)
            if local is None:
                local = self.locals[name] = self.fresh(f"{self.op_name}_{name}")
            return ast.copy_location(ast.Name(local, ast.Store()), node)
        if name in self.constants:
            return ast.copy_location(ast.Constant(self.constants[name]), node)
        if name in self.locals:
            return ast.copy_location(ast.Name(self.locals[name], ast.Load()), node)
        if name in self.given:
            text = self.given[name]
            if text is None:
                raise _CannotInline
            return ast.copy_location(ast.parse(text, mode="eval").body, node)
        if name == "self":
            return ast.copy_location(ast.Name(self.op_name, ast.Load()), node)
        return ast.copy_location(ast.Name(self._global(name), ast.Load()), node)

    constants = {}

    def _global(self, name):
        if name in self.globals:
            value = self.globals[name]
            if value is np:
                return "np"
            return self.bind(value, name)
        if hasattr(builtins, name):
            return name
        raise _CannotInline

    def visit_IfExp(self, node):
        test = _fold(self.visit(node.test))
        if isinstance(test, ast.Constant):              # decided now: only its branch
            chosen = node.body if test.value else node.orelse
            if _refused(chosen):
                raise _CannotInline
            return self.visit(chosen)
        if _refused(node):
            raise _CannotInline
        return ast.copy_location(ast.IfExp(test, self.visit(node.body),
                                           self.visit(node.orelse)), node)

    def visit_Call(self, node):
        fn = self.globals.get(node.func.id) if isinstance(node.func, ast.Name) else None
        if fn in _FOLDABLE and not node.keywords and node.func.id not in self.locals:
            args = [_fold(self.visit(a)) for a in node.args]
            if all(isinstance(a, ast.Constant) for a in args):
                value = fn(*[a.value for a in args])
                if _plain(value):
                    return ast.copy_location(ast.Constant(value), node)
        return self.generic_visit(node)

    def visit_Attribute(self, node):
        value = node.value
        if isinstance(value, ast.Name) and isinstance(node.ctx, ast.Load):
            if value.id == "self" and node.attr == "needs_input_grad":
                return ast.copy_location(ast.Constant(tuple(self.op.needs_input_grad)), node)
            shape = self.shapes.get(value.id)
            if shape is not None and value.id not in self.locals:
                known = {"ndim": len(shape), "shape": tuple(shape),
                         "size": _size(shape)}.get(node.attr)
                if known is not None:
                    return ast.copy_location(ast.Constant(known), node)
        return self.generic_visit(node)

    def visit_Assign(self, node):
        value = self.visit(node.value)
        if (len(node.targets) == 1 and isinstance(node.targets[0], ast.Tuple)
                and isinstance(value, ast.Constant) and isinstance(value.value, tuple)
                and all(isinstance(e, ast.Name) for e in node.targets[0].elts)
                and len(node.targets[0].elts) == len(value.value)):
            # need_a, need_b = self.needs_input_grad: the names become constants
            self.constants = dict(self.constants)
            for target, v in zip(node.targets[0].elts, value.value):
                self.constants[target.id] = v
            return None                          # no line: the names are constants now
        if (len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id not in self.locals):
            folded = _fold(value)
            if isinstance(folded, ast.Constant) and _immutable(folded.value):
                # axes = self.params["axes"]: the name is its value (an `if` on it decides)
                self.constants = dict(self.constants, **{node.targets[0].id: folded.value})
                return None
        targets = [self.visit(t) for t in node.targets]
        return ast.copy_location(ast.Assign(targets=targets, value=value), node)

    def visit_Subscript(self, node):
        target = node.value
        if (isinstance(target, ast.Attribute) and target.attr == "params"
                and isinstance(target.value, ast.Name) and target.value.id == "self"
                and isinstance(node.slice, ast.Constant) and isinstance(node.ctx, ast.Load)):
            value = self.op.params.get(node.slice.value, _MISSING)
            if value is not _MISSING and _plain(value):     # a number, a flag: its value
                return ast.copy_location(ast.parse(repr(value), mode="eval").body, node)
        node = self.generic_visit(node)
        if (isinstance(node.value, ast.Constant) and isinstance(node.value.value, tuple)
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, int)):
            return ast.copy_location(ast.Constant(node.value.value[node.slice.value]), node)
        return node


def _copy(node):
    return ast.parse(ast.unparse(node)).body[0] if isinstance(node, ast.stmt) \
        else ast.parse(ast.unparse(node), mode="eval").body


_NO_RETURN = ast.Pass()
_MISSING = object()


def _size(shape):
    n = 1
    for d in shape:
        n *= d
    return n


class _Fold(ast.NodeTransformer):
    """Constant expressions computed now: ``2 == 2 and True``, ``x if True else y``."""

    def visit_IfExp(self, n):
        n = self.generic_visit(n)
        if isinstance(n.test, ast.Constant):
            return n.body if n.test.value else n.orelse
        return n

    def _constant(self, n):
        n = self.generic_visit(n)
        parts = [c for c in ast.iter_child_nodes(n) if isinstance(c, ast.expr)]
        if all(isinstance(c, ast.Constant) for c in parts):
            value = eval(compile(ast.Expression(n), "<fold>", "eval"), {"__builtins__": {}})
            return ast.copy_location(ast.Constant(value), n)
        return n

    visit_Compare = visit_BoolOp = visit_UnaryOp = _constant

    def visit_Tuple(self, n):            # (1, 0): one constant, which a test can compare
        n = self.generic_visit(n)
        if isinstance(n.ctx, ast.Load) and all(isinstance(e, ast.Constant) for e in n.elts):
            return ast.copy_location(ast.Constant(tuple(e.value for e in n.elts)), n)
        return n

    def visit_BoolOp(self, n):           # and/or: decided by the constants among them
        n = self.generic_visit(n)
        if all(isinstance(c, ast.Constant) for c in n.values):
            return self._constant(n)
        return n


def _fold(node):
    return _Fold().visit(node)
