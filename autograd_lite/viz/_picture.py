"""How one picture looks: node labels and styles, edges, layer boxes.

Square boxes are tensors (yellow: parameters, grey: data, white: computed, green: the root),
rounded blue boxes are operations; an unnamed intermediate result is drawn as part of its
operation.  Operations recorded inside ``name_scope("layer1")`` sit in one box per layer.
"""
from __future__ import annotations

import re

import numpy as np

from ._format import (SYMBOLS, array_text, dot_label, grad_name, nonfinite, number,
                      params_text, shape_text)
from ._graph import is_tensor
from .health import _combine, _norm, verdict

FONT = "Helvetica"

# Ops whose inputs are broadcast to the output's shape (their edges say so).
BROADCASTING = {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "where"}

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

FREED = "freed by backward()"


def caption(walk, show_grads, show_values=False) -> str:
    """A note under the picture about the gradients and values shown, or ''."""
    if walk.released and (show_grads or show_values):
        return ("after backward(): " + ("the parameters' .grad is shown; " if show_grads
                                        else "") + "the values saved for it were freed")
    if not show_grads:
        return ""
    if not any(r.requires_grad for r in walk.roots):
        return "no gradients: nothing in this graph requires grad"
    if walk.seeded_with_ones:
        return "gradients shown are those of the sum of the root's elements"
    return ""


class Drawing:
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
        return (is_tensor(node) and node.grad_fn is not None
                and not self.walk.name(node) and id(node) not in self.root_ids)

    # --- nodes ---------------------------------------------------------------------------
    def tensor_node(self, t) -> dict:
        walk = self.walk
        name = walk.name(t)
        lines = [name] if name else ([] if t.grad_fn else [walk.label(t)])
        lines.append(f"{shape_text(t.shape)} {t.dtype}")
        lines += self.numbers(t, name)
        attrs = dict(STYLES[self.kind(t)])
        if t.data is None:                # freed by backward(): drawn dashed
            attrs["style"] += ",dashed"
        warnings = self.warnings(t)
        if warnings:
            lines += warnings
            attrs.update(BAD)
        return dict(label=dot_label(lines), **attrs)

    def numbers(self, t, name, merged=False) -> list:
        """The value and gradient lines asked for; an op's own result is ``out``."""
        value, grad = ("out = ", "dout = ") if merged else \
            ("= ", f"{grad_name(name) if name else 'grad'} = ")
        data = t.data
        lines = [value + (FREED if data is None else array_text(data))] \
            if self.show_values else []
        if id(t) in self.grads:
            lines.append(grad + array_text(self.grads[id(t)]))
        return lines

    def warnings(self, t) -> list:
        """'⚠ value has NaN' / '⚠ grad has inf' lines for non-finite numbers."""
        data = t.data
        found = [f"⚠ value has {bad}" for bad in [nonfinite(data)] if bad] \
            if data is not None else []
        if id(t) in self.known:
            found += [f"⚠ grad has {bad}" for bad in [nonfinite(self.known[id(t)])] if bad]
        return found

    def kind(self, t) -> str:
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
        options = params_text(fn.params)
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
            if is_tensor(node):
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
                attrs = self.tensor_node(node) if is_tensor(node) else self.op_node(node)
                if not is_tensor(node) or node.grad_fn is not None:
                    attrs["group"] = "main"           # dot keeps the main line straight
                graph.node(self.ids[id(node)], **attrs)
                self.labels[self.ids[id(node)]] = attrs["label"]
            for child in scopes:
                if child.rpartition(".")[0] == (scope or "") and child != scope:
                    label, extra = self.cluster_label(child, norms, largest)
                    with graph.subgraph(name=f"cluster_{scopes.index(child)}") as box:
                        box.attr(label=label, **{**CLUSTER, **extra})
                        fill(box, child)

        self.labels, self.edge_list = {}, []      # for choosing the direction (_layout)
        fill(picture, None)
        hidden_id = "more"
        if self.hidden:
            self.labels[hidden_id] = dot_label([
                f"… {self.hidden} more nodes not drawn",
                f"(max_nodes={max_nodes}: pass a larger max_nodes,",
                "or draw a part of the graph, e.g. one layer's output)"])
            picture.node(hidden_id, self.labels[hidden_id], **STYLES["more"])
        for tail, head, attrs in self.edges(hidden_id):
            picture.edge(tail, head, **attrs)
            self.edge_list.append((tail, head, attrs.get("label", "")))
