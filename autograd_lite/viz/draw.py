"""draw_graph / save_graph: the computational graph as a Graphviz picture.

Square boxes are tensors (yellow: parameters, grey: data, white: computed, green: the root),
rounded blue boxes are operations.  Operations recorded inside ``name_scope("layer1")`` (an nn layer)
sit in one cluster box per layer.
"""
from __future__ import annotations

import pathlib
import re

import graphviz
import numpy as np

from ..tensor import Tensor
from ._format import array_text, dot_label, grad_name, nonfinite, number, shape_text
from ._graph import Walk
from .health import _combine, _norm, verdict

# Ops whose inputs are broadcast to the output's shape (their edges say so).
BROADCASTING = {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "where"}
SYMBOLS = {"add": "+", "sub": "−", "mul": "×", "div": "/", "pow": "^"}

FONT = "Helvetica"
STYLES = {
    "param": dict(shape="box", style="filled,bold", fillcolor="#ffe08a"),
    "data": dict(shape="box", style="filled", fillcolor="#e4e4e4"),
    "computed": dict(shape="box", style="filled", fillcolor="#ffffff"),
    "root": dict(shape="box", style="filled,bold", fillcolor="#b9e8c4", peripheries="2"),
    "op": dict(shape="box", style="rounded,filled", fillcolor="#d6e6fb", color="#5b7db1",
               fontsize="10", margin="0.08,0.03"),
    "more": dict(shape="note", style="filled", fillcolor="#fff3d6", fontsize="10"),
}
BAD = dict(color="#d62728", penwidth="2.5", fontcolor="#b00000")
BROADCAST_EDGE = dict(color="#c26a00", fontcolor="#c26a00", penwidth="1.6")
CLUSTER = dict(style="rounded,filled", fillcolor="#f6f8fb", color="#8a96a8", fontsize="11",
               labeljust="l")

INSTALL_HINT = ("Install Graphviz: sudo apt-get install graphviz (Debian/Ubuntu), "
                "brew install graphviz (macOS), conda install -c conda-forge graphviz, "
                "or see https://graphviz.org/download/")


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """The Graphviz program ``dot`` is needed to render a picture but is not installed."""

    def __init__(self, target: str):
        RuntimeError.__init__(
            self,
            f"rendering {target} needs the Graphviz program 'dot', which was not found on "
            f"PATH. {INSTALL_HINT}. Without it you can still save the DOT source, e.g. "
            "save_graph(loss, 'graph.gv').")


class GraphPicture(graphviz.Digraph):
    """A ``graphviz.Digraph`` that, in a notebook without ``dot``, shows how to install it."""

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            return {"text/plain": str(GraphvizNotFoundError("this graph")) + "\n\n"
                    + self.source}


def draw_graph(root, *, show_values=False, show_grads=False, show_backward=False,
               rankdir="LR", max_nodes=120, names=None) -> graphviz.Digraph:
    """Draw the computational graph that produced ``root`` (a tensor, or a list of them).

    Draw *before* ``loss.backward()`` (or after ``backward(retain_graph=True)``): a plain
    backward releases the graph.  Gradients are computed here, not taken from a backward.

    Parameters
    ----------
    root : Tensor or list of Tensor
        The output(s) to draw, usually the loss.
    show_values : bool
        Show the numbers of each tensor (a short summary for more than 6 numbers).
    show_grads : bool
        Show d(root)/d(node) at every node that requires a gradient, computed with
        ``grad(..., retain_graph=True)`` so no ``.grad`` changes.  A root with several
        elements is treated as its sum.
    show_backward : bool
        Show each operation's local derivative rule (``dz = da · a(1 − a)``).
    rankdir : {"LR", "TB", "RL", "BT"}
        Direction of the flow, left-to-right by default.
    max_nodes : int
        Draw at most this many nodes, those nearest the root; the rest becomes one note.
    names : dict, (name, tensor) pairs or a model, optional
        Names for tensors without ``Tensor.name``, e.g. ``model.named_parameters()``.

    Returns
    -------
    graphviz.Digraph
        Displays inline in Jupyter; ``.source`` is the DOT text; see :func:`save_graph`.

    Notes
    -----
    Parameters that all feed one ``name_scope`` (an nn layer) go into that layer's box.
    Nodes whose value or gradient holds NaN/inf get a red border and a warning line.  Once
    gradients are known (``show_grads=True``, or leaves whose ``.grad`` is set), each layer
    box shows the norm of its parameters' gradients and flags ``vanishing?`` (below 1e-4 of
    the largest layer) or ``exploding?`` (above 1e3).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> w = ag.tensor([[0.5], [-0.5]], requires_grad=True, name="w")
    >>> x = ag.tensor([[1.0], [2.0]], name="x")
    >>> b = ag.tensor(0.1, requires_grad=True, name="b")
    >>> a = ag.sigmoid(w.T @ x + b)
    >>> a.name = "a"
    >>> g = draw_graph(a, show_grads=True, show_backward=True)
    >>> "dz = da · a(1 − a)" in g.source
    True
    >>> g.source.count("->")                 # w→transpose→matmul→add→sigmoid→a, x, b
    7
    """
    if int(max_nodes) < 1:
        raise ValueError(f"draw_graph: max_nodes must be at least 1, got {max_nodes}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_graph: rankdir must be LR, TB, RL or BT, not {rankdir!r}")
    walk = Walk(root, names)
    drawing = _Drawing(walk, int(max_nodes), show_values=show_values, show_grads=show_grads,
                       show_backward=show_backward)
    picture = GraphPicture(
        name="autograd_lite",
        graph_attr=dict(rankdir=rankdir, nodesep="0.25", ranksep="0.3", bgcolor="white",
                        fontname=FONT),
        node_attr=dict(fontname=FONT, fontsize="11"),
        edge_attr=dict(fontname=FONT, fontsize="9", arrowsize="0.7"))
    drawing.emit(picture, int(max_nodes))
    caption = _caption(walk, show_grads)
    if caption:
        picture.attr(label=caption, labelloc="b", fontsize="10")
    return picture


def save_graph(root, path, **draw_kwargs) -> pathlib.Path:
    """Draw ``root`` (or take a drawn Digraph) and write it to ``path``.

    The suffix picks the format: ``.svg``, ``.png`` and ``.pdf`` are rendered with the
    Graphviz program ``dot``; ``.gv`` / ``.dot`` write the DOT source, which needs no
    Graphviz program.

    Parameters
    ----------
    root : Tensor, list of Tensor or graphviz.Digraph
        What to draw (passed to :func:`draw_graph` with ``draw_kwargs``), or a picture.
    path : str or pathlib.Path
        The file to write.
    **draw_kwargs
        ``show_values``, ``show_grads``, ``show_backward``, ``rankdir``, ``max_nodes``,
        ``names``, as in :func:`draw_graph`.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    GraphvizNotFoundError
        Rendering was asked for but ``dot`` is not installed (the message says how to
        install it); nothing is written.

    Examples
    --------
    >>> import os, tempfile, autograd_lite as ag
    >>> w = ag.tensor(2.0, requires_grad=True, name="w")
    >>> y = w * 3
    >>> path = save_graph(y, os.path.join(tempfile.mkdtemp(), "y.gv"))
    >>> path.read_text().startswith("digraph autograd_lite {")
    True
    """
    path = pathlib.Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png", ".pdf", ".gv", ".dot"):
        raise ValueError(f"save_graph: cannot tell the format of {str(path)!r}; end the file "
                         "name with .svg, .png, .pdf (rendered by Graphviz) or .gv (source)")
    if isinstance(root, graphviz.Digraph):
        if draw_kwargs:
            raise TypeError("save_graph: drawing options only apply to a tensor, not to an "
                            f"already drawn graph (got {', '.join(draw_kwargs)})")
        picture = root
    else:
        picture = draw_graph(root, **draw_kwargs)
    if suffix in (".gv", ".dot"):
        path.write_text(picture.source, encoding="utf-8")
        return path
    try:
        data = picture.pipe(format=suffix[1:])
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(str(path)) from None
    path.write_bytes(data)
    return path


def _caption(walk, show_grads) -> str:
    if not show_grads:
        return ""
    if not any(r.requires_grad for r in walk.roots):
        return "no gradients: nothing in this graph requires grad"
    if walk.seeded_with_ones:
        return "gradients shown are those of the sum of the root's elements"
    return ""


class _Drawing:
    """Labels, styles and placement of the nodes of one picture.

    An unnamed intermediate result is not drawn as a box of its own: its operation's node
    stands for it (the shape is on the outgoing edges), which halves long chains.  Named
    results (``z``, ``a``), roots and leaves get boxes.
    """

    def __init__(self, walk, max_nodes, *, show_values, show_grads, show_backward):
        self.walk = walk
        self.show_values, self.show_backward = show_values, show_backward
        self.root_ids = {id(r) for r in walk.roots}
        drawable = [n for n in walk.nodes if not self.merged(n)]
        self.shown = drawable[:max_nodes]
        self.hidden = len(drawable) - len(self.shown)
        self.ids = {id(n): f"n{i}" for i, n in enumerate(self.shown)}
        self.result = {}                  # id(fn) -> its unnamed result, drawn as the op
        for fn in self.shown:
            out = walk.output.get(id(fn))
            if out is not None and self.merged(out):
                self.result[id(fn)] = out
                self.ids[id(out)] = self.ids[id(fn)]
        tensors = [t for t in walk.tensors() if id(t) in self.ids]
        self.grads = walk.gradients(tensors) if show_grads else {}
        self.known = dict(self.grads)     # for health marks: also a retained .grad
        for t in tensors:
            if walk.is_param(t) and id(t) not in self.known and t.grad is not None:
                self.known[id(t)] = t.grad.numpy()

    def merged(self, node) -> bool:
        """True for an unnamed intermediate tensor (drawn as part of its operation)."""
        return (isinstance(node, Tensor) and node.grad_fn is not None
                and not self.walk.name(node) and id(node) not in self.root_ids)

    # --- nodes ---------------------------------------------------------------------------
    def tensor_node(self, t: Tensor) -> dict:
        walk = self.walk
        name = walk.name(t)
        lines = [name] if name else ([] if t.grad_fn else [walk.label(t)])
        lines.append(f"{shape_text(t.shape)} {t.dtype}")
        lines += self.numbers(t, name)
        attrs = dict(STYLES[self.kind(t)])
        warnings = self.warnings(t)
        if warnings:
            lines += warnings
            attrs.update(BAD)
        return dict(label=dot_label(lines), **attrs)

    def numbers(self, t: Tensor, name, merged=False) -> list:
        """The value and gradient lines asked for; an op's own result is ``out``."""
        value, grad = ("out = ", "dout = ") if merged else \
            ("= ", f"{grad_name(name) if name else 'grad'} = ")
        lines = [value + array_text(t.data)] if self.show_values else []
        if id(t) in self.grads:
            lines.append(grad + array_text(self.grads[id(t)]))
        return lines

    def warnings(self, t: Tensor) -> list:
        """'⚠ value has NaN' / '⚠ grad has inf' lines for non-finite numbers."""
        found = [f"⚠ value has {bad}" for bad in [nonfinite(t.data)] if bad]
        if id(t) in self.known:
            found += [f"⚠ grad has {bad}" for bad in [nonfinite(self.known[id(t)])] if bad]
        return found

    def kind(self, t: Tensor) -> str:
        if id(t) in self.root_ids:
            return "root"
        if t.grad_fn is not None:
            return "computed"
        return "param" if t.requires_grad else "data"

    def op_node(self, fn) -> dict:
        lines = [fn.name]
        literal = self.literal_line(fn)
        if literal:
            lines.append(literal)
        options = ", ".join(f"{k}={v}" for k, v in fn.params.items()
                            if v is not None and v is not False
                            and not isinstance(v, np.ndarray))
        if options:
            lines.append(options if len(options) <= 40 else options[:39] + "…")
        if self.show_backward and fn.rule:
            lines += [part for part in re.split(r",\s{2,}|\s{3,}", fn.rule) if part]
        attrs = dict(STYLES["op"])
        result = self.result.get(id(fn))
        if result is not None:
            lines += self.numbers(result, None, merged=True)
            warnings = self.warnings(result)
            if warnings:
                lines += warnings
                attrs.update(BAD)
        return dict(label=dot_label(lines), **attrs)

    def literal_line(self, fn) -> str:
        """``1 − a`` or ``· / 4`` when the op uses a number written in the expression."""
        if not any(self.walk.is_literal(t) for t in fn.inputs):
            return ""
        parts = [number(t.item()) if self.walk.is_literal(t) else (self.walk.name(t) or "·")
                 for t in fn.inputs]
        if fn.name in SYMBOLS and len(parts) == 2:
            return f"{parts[0]} {SYMBOLS[fn.name]} {parts[1]}"
        return f"{fn.name}({', '.join(parts)})"

    # --- edges ---------------------------------------------------------------------------
    def edges(self, hidden_id):
        """(tail, head, attrs) for every edge; edges from undrawn nodes start at the note."""
        walk, ids = self.walk, self.ids
        for node in self.shown:
            if isinstance(node, Tensor):
                if node.grad_fn is not None and id(node.grad_fn) not in ids:
                    yield hidden_id, ids[id(node)], {}
                continue
            out = walk.output[id(node)]
            if id(out) in ids and id(node) not in self.result:
                yield ids[id(node)], ids[id(out)], dict(weight="4")
            from_hidden = False
            for inp in node.inputs:
                if walk.is_literal(inp):
                    continue
                if id(inp) in ids:
                    yield ids[id(inp)], ids[id(node)], self.input_edge(node, inp, out)
                elif not from_hidden:
                    from_hidden = True
                    yield hidden_id, ids[id(node)], {}

    def input_edge(self, fn, inp, out) -> dict:
        """The shape flowing in; a broadcast input says what it is broadcast to."""
        attrs = {}
        if inp.grad_fn is not None:
            # A heavier main line (computed -> op) keeps the chain of layers straight; a
            # longer edge into the next layer leaves room for that layer's W and b, so the
            # layer boxes line up instead of climbing like stairs.
            attrs["weight"] = "4"
            if fn.scope != inp.grad_fn.scope:
                attrs["minlen"] = "2"
        if fn.name in BROADCASTING and inp.shape != out.shape:
            return dict(label=f"{shape_text(inp.shape)} ⇒ broadcast to {shape_text(out.shape)}",
                        **BROADCAST_EDGE, **attrs)
        return dict(label=shape_text(inp.shape), **attrs)

    # --- layer boxes -----------------------------------------------------------------------
    def layer_norms(self) -> dict:
        """{scope: norm of the gradients of the parameters drawn inside it (and its sub-boxes)}."""
        squares = {}
        for t in self.walk.tensors(self.shown):
            scope = self.walk.scope(t)
            if scope and self.walk.is_param(t) and id(t) in self.known:
                parts = scope.split(".")
                for k in range(1, len(parts) + 1):
                    squares.setdefault(".".join(parts[:k]), []).append(_norm(self.known[id(t)]))
        return {scope: _combine(norms) for scope, norms in squares.items()}

    def cluster_label(self, scope, norms, largest) -> tuple:
        lines = [scope.rsplit(".", 1)[-1]]
        if scope not in norms:
            return dot_label(lines), {}
        flag = verdict(norms[scope], largest)
        lines.append(f"‖grad‖ = {number(norms[scope])}" + (f"  ⚠ {flag}" if flag else ""))
        return dot_label(lines), (dict(color=BAD["color"], fontcolor=BAD["fontcolor"],
                                       penwidth="2") if flag else {})

    def emit(self, picture, max_nodes):
        by_scope = {}
        for node in reversed(self.shown):       # inputs first: dot keeps that order
            by_scope.setdefault(self.walk.scope(node), []).append(node)
        scopes = []                       # every scope and its parents, in first-seen order
        for scope in by_scope:
            parts = (scope or "").split(".") if scope else []
            for k in range(1, len(parts) + 1):
                if ".".join(parts[:k]) not in scopes:
                    scopes.append(".".join(parts[:k]))
        norms = self.layer_norms()
        finite = [n for n in norms.values() if np.isfinite(n)]
        largest = max(finite, default=0.0)

        def fill(graph, scope):
            for node in by_scope.get(scope, ()):
                attrs = self.tensor_node(node) if isinstance(node, Tensor) else self.op_node(node)
                if not isinstance(node, Tensor) or node.grad_fn is not None:
                    attrs["group"] = "main"           # dot keeps the main line straight
                graph.node(self.ids[id(node)], **attrs)
            for child in scopes:
                if child.rpartition(".")[0] == (scope or "") and child != scope:
                    label, extra = self.cluster_label(child, norms, largest)
                    with graph.subgraph(name=f"cluster_{scopes.index(child)}") as box:
                        box.attr(label=label, **{**CLUSTER, **extra})
                        fill(box, child)

        fill(picture, None)
        hidden_id = "more"
        if self.hidden:
            picture.node(hidden_id, dot_label([
                f"… {self.hidden} more nodes not drawn",
                f"(max_nodes={max_nodes}: pass a larger max_nodes,",
                "or draw a part of the graph, e.g. one layer's output)"]), **STYLES["more"])
        for tail, head, attrs in self.edges(hidden_id):
            picture.edge(tail, head, **attrs)
