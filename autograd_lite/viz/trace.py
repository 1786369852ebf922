"""trace_backward: the chain-rule steps of a backward pass, one per operation, as text."""
from __future__ import annotations

import html
import inspect
import math
import re
from dataclasses import dataclass, field

from ..engine import backward
from ..tensor import Tensor
from ._format import grad_name, number, shape_text, value_text
from ._graph import Walk, is_tensor, origin
from ._picture import BROADCASTING
from .health import _norm


@dataclass
class InputGradient:
    """The gradient one step passes to one input of its operation."""

    name: str                    # "db", "d[matmul]"
    shape: tuple | None          # its shape after the engine fitted it (the input's shape)
    raw_shape: tuple | None      # the shape the op's backward returned
    summed_axes: tuple = ()      # axes summed to undo broadcasting
    note: str = ""               # e.g. "constant: no gradient"
    next_step: int | None = None  # the step that carries this gradient further back
    value: str = ""              # "= 6", "mean …, min …, max …"; '' once freed by backward

    def text(self) -> str:
        if self.shape is None:
            return f"{self.name}: {self.note}"
        if self.raw_shape == self.shape:
            text = f"{self.name}  {shape_text(self.shape)}"
        elif not self.summed_axes:       # e.g. (1, 1) -> (): the same single number
            text = f"{self.name}  {shape_text(self.raw_shape)} → reshaped to " \
                   f"{shape_text(self.shape)}"
        else:
            text = (f"{self.name}  {shape_text(self.raw_shape)} → {summed_text(self)} → "
                    f"{shape_text(self.shape)}")
        text += f"  {self.value}" if self.value else ""
        return text + (f"   → step {self.next_step}" if self.next_step else "")


@dataclass
class TraceStep:
    """One chain-rule step: an operation turns its upstream gradient into input gradients."""

    index: int
    op: str
    output: str | None           # the name of the op's result, if it has one
    output_shape: tuple
    scope: str | None
    rule: str
    upstream: str                # name of the incoming gradient, e.g. "dz"
    upstream_shape: tuple
    gradients: list = field(default_factory=list)
    sources: list = field(default_factory=list)   # the steps whose gradients were summed here
    value: str = ""              # the result's value ("= 33"); '' once freed by backward
    upstream_value: str = ""     # the incoming gradient's value ("= 1")

    def upstream_note(self) -> str:
        if self.index == 1:
            return "   (the seed: 1)"
        if len(self.sources) > 1:
            return f"   (the sum of the gradients from steps {', '.join(map(str, self.sources))})"
        return ""

    def head(self) -> str:
        out = f"{self.output} {shape_text(self.output_shape)}" if self.output \
            else shape_text(self.output_shape)
        out += f"  {self.value}" if self.value else ""
        return f"{self.op} → {out}" + (f"   in {self.scope}" if self.scope else "")

    def upstream_text(self) -> str:
        value = f"  {self.upstream_value}" if self.upstream_value else ""
        return (f"{self.upstream}  {shape_text(self.upstream_shape)}{value}"
                f"{self.upstream_note()}")


def summed_text(g: InputGradient) -> str:
    """'summed over axis 1 (the m = 4 examples)' for a gradient the engine reduced."""
    axes = g.summed_axes
    text = f"summed over axis {axes[0]}" if len(axes) == 1 else f"summed over axes {axes}"
    if len(g.raw_shape) == 2 and 1 in axes and g.raw_shape[1] > 1:
        text += f" (the m = {g.raw_shape[1]} examples)"
    return text


def _summed_axes(raw_shape, shape) -> tuple:
    """The axes along which a gradient of ``raw_shape`` was summed to get ``shape``."""
    lead = len(raw_shape) - len(shape)
    return tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape)
                                      if n == 1 and raw_shape[i + lead] != 1)


class BackwardTrace:
    """The steps of one backward pass; ``print()`` it, or show it in a notebook as a table.

    ``steps`` is the list of :class:`TraceStep`; ``parameters`` lists
    ``(gradient name, shape, norm)`` of the parameters' gradients.
    """

    def __init__(self, root_name, root_shape, steps, parameters, released=False):
        self.root_name, self.root_shape = root_name, root_shape
        self.steps, self.parameters = steps, parameters
        self.released = released

    def __len__(self):
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def __getitem__(self, i):
        return self.steps[i]

    def header(self) -> str:
        return (f"Backward trace of {self.root_name} {shape_text(self.root_shape)}: "
                f"{len(self.steps)} chain-rule steps, from {self.root_name} back to the "
                + ("inputs (after backward(): the gradients between the steps were freed; "
                   "the parameters' .grad is below)" if self.released else
                   "inputs (the graph is kept, no .grad was changed)"))

    def __str__(self):
        lines = [self.header(), ""]
        for s in self.steps:
            lines.append(f"{s.index:>2}. {s.head()}")
            lines.append(f"    rule      {s.rule or '?'}")
            lines.append(f"    upstream  {s.upstream_text()}")
            for k, g in enumerate(s.gradients):
                lines.append(("    gives     " if k == 0 else " " * 14) + g.text())
        if self.parameters:
            lines += ["", "Gradients of the parameters:"]
            width = max(len(name) for name, _, _ in self.parameters)
            for name, shape, norm in self.parameters:
                lines.append(f"  {name:<{width}}  {shape_text(shape):<10} ‖{name}‖ = "
                             f"{number(norm)}")
        return "\n".join(lines)

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        e = html.escape
        rows = "".join(
            f"<tr><td>{s.index}</td><td>{e(s.head())}</td><td>{e(s.rule or '?')}</td>"
            f"<td>{e(s.upstream_text())}</td>"
            f"<td>{'<br>'.join(e(g.text()) for g in s.gradients)}</td></tr>"
            for s in self.steps)
        return (f"<table><caption>{e(self.header())}</caption><tr><th>#</th>"
                "<th>operation → result</th><th>local rule</th><th>upstream</th>"
                f"<th>gives</th></tr>{rows}</table>")


def trace_backward(loss, *, names=None) -> BackwardTrace:
    """Run the chain rule from ``loss`` and record every step, without consuming anything.

    Each step names the operation and its result, the local derivative rule, the upstream
    gradient and each gradient it passes on, and where the engine summed a broadcast
    gradient back to its input's shape (``db`` summed over the m examples).  Small tensors
    (up to 6 numbers) show their values, larger ones ``mean, min, max``.  The graph is kept
    (``retain_graph=True``) and no ``.grad`` is changed.

    After ``loss.backward()`` the gradients between the steps were freed: the trace then
    shows the same steps with their shapes and rules, and the parameters' ``.grad``.

    Parameters
    ----------
    loss : Tensor
        A one-element tensor (usually the cost J).
    names : dict, (name, tensor) pairs or a model, optional
        Names for tensors without ``Tensor.name``.

    Returns
    -------
    BackwardTrace
        ``print(trace)`` in a terminal; a notebook shows it as a table.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> W = ag.tensor([[1.0, 2.0]], requires_grad=True, name="W")
    >>> X = ag.tensor([[1.0, 0.0, 2.0], [0.0, 1.0, 1.0]], name="X")
    >>> b = ag.tensor([[0.5]], requires_grad=True, name="b")
    >>> Z = W @ X + b
    >>> Z.name = "Z"
    >>> trace = trace_backward(Z.sum())
    >>> print(trace[1].gradients[1].text())
    db  (1, 3) → summed over axis 1 (the m = 3 examples) → (1, 1)  = [[3.]]
    >>> W.grad is None
    True
    """
    if not isinstance(loss, Tensor):
        raise TypeError(f"trace_backward: expected the loss Tensor, got {type(loss).__name__}")
    walk = Walk(loss, names)
    params = course_order(walk, loss)
    if walk.released:
        steps, found = _released_steps(walk, loss), [t.grad for t in params]
    else:
        steps, found = _live_steps(walk, loss, params)
    step_of = {id(s.tensor): s.index for s in steps}
    for step in steps:                     # link each gradient to where it goes next
        for g, inp in zip(step.gradients, step.inputs):
            g.next_step = step_of.get(id(inp))
            if g.next_step and g.shape is not None:
                steps[g.next_step - 1].sources.append(step.index)
    summary = [(grad_name(walk.label(t)), t.shape, _norm(g.numpy()))
               for t, g in zip(params, found) if g is not None]
    return BackwardTrace(walk.label(loss), loss.shape, steps, summary, walk.released)


def course_order(walk, loss):
    """The parameters in the course's order: as the expression reads, left to right
    (J = 3(a + bc): a, b, c; A = σ(wᵀX + b): w, b), and layer after layer in the order the
    forward pass runs them (layer1.W, layer1.b, layer2.W, layer2.b).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> from autograd_lite.viz._graph import Walk
    >>> a, b, c = (ag.tensor(x, requires_grad=True, name=n) for x, n in ((5., "a"), (3., "b"),
    ...                                                                  (2., "c")))
    >>> J = 3 * (a + b * c)
    >>> [t.name for t in course_order(Walk(J), J)]
    ['a', 'b', 'c']
    """
    reading, seen, stack = [], set(), [loss]
    while stack:                                # depth first, inputs left to right
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if walk.is_param(t):
            reading.append(t)
        elif t.grad_fn is not None:
            stack.extend(reversed([x for x in t.grad_fn.inputs if not walk.is_literal(x)]))
    # a layer's place: how far from the loss its farthest node lies (walk.nodes is
    # breadth first from the loss), so that the first layer of the forward pass comes first
    farthest = {}
    for index, node in enumerate(walk.nodes):
        farthest[walk.scope(node)] = index
    return sorted(reading, key=lambda t: -farthest.get(walk.scope(t), 0))


def _live_steps(walk, loss, params):
    """The steps as the engine runs them, with the values of every gradient."""
    steps = []

    def observe(t, fn, grad, raw, fitted):
        steps.append(_step(walk, len(steps) + 1, t, fn, grad, raw, fitted))

    found = backward([loss], retain_graph=True, inputs=params, allow_unused=True,
                     observer=observe)
    return steps, found


def _released_steps(walk, loss):
    """The steps of a graph released by backward(): the engine's order (Kahn's algorithm,
    as in ``engine.backward``), shapes and rules; the gradients themselves were freed."""
    consumers = {}
    for node in walk.nodes:
        if not is_tensor(node):
            for x, need in zip(node.inputs, node.needs_input_grad):
                if need:
                    consumers[id(x)] = consumers.get(id(x), 0) + 1
    steps, ready = [], [loss]
    while ready:
        t = ready.pop()
        fn = t.grad_fn
        if fn is None:
            continue
        raw = [None if not need else
               (t.shape if fn.name in BROADCASTING and x.shape != t.shape else x.shape)
               for x, need in zip(fn.inputs, fn.needs_input_grad)]
        known = [x.grad if walk.is_param(x) and x.grad is not None else r   # a leaf's .grad
                 for x, r in zip(fn.inputs, raw)]
        steps.append(_step(walk, len(steps) + 1, t, fn, None, raw, known))
        for x, need in zip(fn.inputs, fn.needs_input_grad):
            if need:
                consumers[id(x)] -= 1
                if not consumers[id(x)]:
                    ready.append(x)
    return steps


def _step(walk, index, t, fn, grad, raw, fitted) -> TraceStep:
    """One step; ``grad``, ``raw`` and ``fitted`` are arrays, or shapes once released."""
    gradients, inputs = [], []
    for inp, r, g in zip(fn.inputs, raw, fitted):
        if walk.is_literal(inp):
            continue
        inputs.append(inp)
        if not inp.requires_grad:
            name = walk.name(inp) or (walk.label(inp) if origin(inp) else None)   # 1 − Y
            gradients.append(InputGradient(name or f"a constant {shape_text(inp.shape)}",
                                           None, None,
                                           note="constant, no gradient" if name else
                                           "no gradient"))
            continue
        name = grad_name(walk.label(inp))
        if g is None:
            gradients.append(InputGradient(name, None, None, note="no gradient"))
            continue
        raw_shape, shape = _shape(r), _shape(g)
        broadcast = raw_shape != shape and math.prod(raw_shape) != math.prod(shape)
        gradients.append(InputGradient(name, shape, raw_shape,
                                       _summed_axes(raw_shape, shape) if broadcast else (),
                                       value=value_text(_array(g))))
    step = TraceStep(index=index, op=fn.name, output=walk.name(t), output_shape=t.shape,
                     scope=fn.scope, rule=named_rule(walk, t, fn),
                     upstream=grad_name(walk.label(t)),
                     upstream_shape=t.shape if grad is None else tuple(grad.shape),
                     gradients=gradients, value=value_text(t.data),
                     upstream_value=value_text(_array(grad)))
    step.tensor, step.inputs = t, inputs          # for linking the steps
    return step


def named_rule(walk, t, fn) -> str:
    """The op's rule written with the names of this step: ``du · c`` instead of ``dout · b``.

    The rule's operand names (the op's ``forward`` arguments ``a``, ``b``, …, ``out`` and
    ``dout``) become the actual inputs, the result and its gradient, so that the rule of
    ``u = b · c`` reads ``db = du · c,  dc = du · b`` — not the generic ``db = dout · a``,
    whose ``a`` and ``b`` clash with the course's variables.  Parts for inputs that need no
    gradient (a number such as the 3 of ``3 · v``) are left out.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> from autograd_lite.viz._graph import Walk
    >>> b = ag.tensor(3.0, requires_grad=True, name="b")
    >>> c = ag.tensor(2.0, requires_grad=True, name="c")
    >>> u = b * c
    >>> u.name = "u"
    >>> named_rule(Walk(u, None), u, u.grad_fn)
    'db = du · c,  dc = du · b'
    """
    rule = fn.rule or ""
    forward = getattr(type(fn), "forward", None)
    try:
        arguments = list(inspect.signature(forward).parameters)[1:1 + len(fn.inputs)]
    except (TypeError, ValueError):
        return rule
    lhs = [part.split(" =")[0].strip() for part in rule.split(",  ")]
    # only rules written in the engine's vocabulary (dout, out and the forward's arguments);
    # others (sigmoid's "dz = da · a(1 − a)", matmul's A, B, Z) have their own letters
    if (len(arguments) != len(fn.inputs) or "dout" not in rule
            or not all(x[1:] in arguments for x in lhs)):
        return rule
    names = {"out": walk.label(t), "dout": grad_name(walk.label(t))}
    needed = {}
    for argument, x in zip(arguments, fn.inputs):
        names[argument] = number(float(x.data)) if walk.is_literal(x) else walk.label(x)
        names["d" + argument] = grad_name(names[argument])
        needed["d" + argument] = x.requires_grad
    parts = [part for part in rule.split(",  ")
             if needed.get(part.split(" =")[0].strip(), True)]
    # names end at any non-ASCII-word character: `doutᵀ` is dout, transposed
    pattern = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(map(re.escape, names), key=len,
                                                                reverse=True))
                         + r")(?![A-Za-z0-9_])")
    return ",  ".join(pattern.sub(lambda m: names[m.group(1)], part) for part in parts)


def _shape(x) -> tuple:
    return tuple(x) if isinstance(x, tuple) else tuple(x.shape)


def _array(x):
    """The numbers of a gradient (array or Tensor), or None for a shape (released graph)."""
    if x is None or isinstance(x, tuple):
        return None
    return x.numpy() if isinstance(x, Tensor) else x
