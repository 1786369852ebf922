"""Walk a computational graph for pictures, traces and gradient norms.

Unlike the engine's ``topological_order``, the walk also keeps the constant inputs (the data
X, Y), because a picture of the model must show them.  Literal numbers (``1 - a``,
``total / m``) are not nodes of their own: the operation that uses them shows them.

After a plain ``backward()`` the graph is released: its operations keep their inputs as
:class:`~autograd_lite.function.ReleasedTensor` records (shape, dtype, name, no array), so
the walk still sees the whole structure; values that were freed are None.
"""
from __future__ import annotations

from collections import deque

import numpy as np

from ..engine import grad as _grad
from ..function import Function
from ..tensor import Tensor
from ._format import SMALL, array_text, origin_text


def is_tensor(node) -> bool:
    """A Tensor or a released graph's record of one (not an operation)."""
    return not isinstance(node, Function)


def origin(t):
    """How a constant computed from other constants was made (``1 - Y``), or None."""
    return getattr(t, "_origin", None) if isinstance(t, Tensor) else t.origin


def as_roots(root) -> list:
    """One Tensor or several (list/tuple) as a list; anything else is a TypeError."""
    roots = [root] if isinstance(root, Tensor) else list(root)
    for i, r in enumerate(roots):
        if not isinstance(r, Tensor):
            raise TypeError(f"expected a Tensor (or a list of Tensors), got {type(r).__name__}"
                            + (f" at position {i}" if len(roots) > 1 else ""))
    if not roots:
        raise ValueError("needs at least one tensor to start from")
    return roots


def name_map(names) -> dict:
    """``{id(tensor): name}`` from a dict, (name, tensor) pairs or ``model.named_parameters()``."""
    if names is None:
        return {}
    if hasattr(names, "named_parameters"):
        names = names.named_parameters()
    pairs = names.items() if isinstance(names, dict) else names
    out = {}
    for name, t in pairs:
        if not isinstance(t, Tensor):
            raise TypeError(f"names: {name!r} maps to a {type(t).__name__}, not a Tensor")
        out[id(t)] = str(name)
    return out


class Walk:
    """The tensors and operations reachable from ``roots``, nearest to the roots first.

    ``nodes`` holds Tensors and Functions in breadth-first order (each Function right after
    the tensor it produced), so cutting the list keeps the part next to the loss.  In a
    released graph (after ``backward()``) the tensors below the roots are
    :class:`~autograd_lite.function.ReleasedTensor` records and ``released`` is True.
    """

    def __init__(self, roots, names=None):
        self.roots = as_roots(roots)
        self.names = name_map(names)
        self.nodes = []
        self.output = {}          # id(fn) -> the tensor it produced
        self.consumers = {}       # id(tensor) -> the Functions that use it
        self.released = False     # True once backward() freed the saved values
        seen = set()
        queue = deque(self.roots)
        while queue:
            t = queue.popleft()
            if id(t) in seen:
                continue
            seen.add(id(t))
            self.nodes.append(t)
            fn = t.grad_fn
            if fn is None:
                continue
            self.released = self.released or fn.released
            self.nodes.append(fn)
            self.output[id(fn)] = t
            for inp in fn.inputs:
                self.consumers.setdefault(id(inp), []).append(fn)
                if id(inp) not in seen and not self.is_literal(inp):
                    queue.append(inp)

    # --- what a node is --------------------------------------------------------------------
    def tensors(self, nodes=None) -> list:
        return [n for n in (self.nodes if nodes is None else nodes) if is_tensor(n)]

    def is_literal(self, t: Tensor) -> bool:
        """A number written in the expression (``1 - a``): unnamed, constant and 0-d."""
        return (t.is_leaf and not t.requires_grad and t.ndim == 0 and not t.name
                and id(t) not in self.names)

    @staticmethod
    def is_param(t: Tensor) -> bool:
        return t.is_leaf and t.requires_grad

    def name(self, t: Tensor):
        """The given name (``names=``), else ``Tensor.name``, else None."""
        alive = t if isinstance(t, Tensor) else t.tensor       # a record: its tensor, if any
        return self.names.get(id(alive)) or t.name or None

    def label(self, t: Tensor) -> str:
        """A name for text: the tensor's name, or what it is (``[sigmoid]``, ``constant``)."""
        name = self.name(t)
        if name:
            return name
        if t.grad_fn is not None:
            return f"[{t.grad_fn.name}]"
        if t.requires_grad:
            return "parameter"
        made = origin(t)                  # `1 − Y`: what the constant was computed from
        if made is not None:
            return origin_text(made)
        data = t.data
        return "constant" if data is None or data.size > SMALL else \
            f"constant {array_text(data)}"

    def scope(self, node):
        """The name_scope a node belongs to: its op's scope; for a parameter, the scope of
        the operations that use it when they all share one."""
        if not is_tensor(node):
            return node.scope
        if node.grad_fn is not None:
            return node.grad_fn.scope
        if not node.requires_grad:
            return None
        scopes = {fn.scope for fn in self.consumers.get(id(node), ())}
        return scopes.pop() if len(scopes) == 1 else None

    def layer(self, t: Tensor, index: int) -> str:
        """The group of a parameter for gradient norms: its scope, else the prefix of its
        dotted name (``layer1.W`` -> ``layer1``), else its name."""
        scope = self.scope(t)
        if scope:
            return scope
        name = self.name(t) or f"param{index}"
        return name.rsplit(".", 1)[0]

    # --- gradients ---------------------------------------------------------------------------
    def gradients(self, tensors) -> dict:
        """``{id(t): ndarray}``: d(roots)/d(t) for each tensor that requires a gradient.

        Computed with ``grad(..., retain_graph=True)``: the graph stays usable and no
        ``.grad`` changes.  A root with more than one element is seeded with ones, i.e. the
        gradients are those of its sum.  A released graph cannot be differentiated again:
        there, the parameters' ``.grad`` (what the backward left) is all there is.
        """
        if self.released:
            return {id(t): t.grad.numpy() for t in tensors
                    if self.is_param(t) and t.grad is not None}
        roots = [r for r in self.roots if r.requires_grad]
        wanted = [t for t in tensors if t.requires_grad]
        if not roots or not wanted:
            return {}
        seeds = [None if r.size == 1 else np.ones(r.shape, dtype=r.dtype) for r in roots]
        found = _grad(roots, wanted, grad_outputs=seeds, retain_graph=True,
                      allow_unused=True)
        return {id(t): g.numpy() for t, g in zip(wanted, found) if g is not None}

    @property
    def seeded_with_ones(self) -> bool:
        return any(r.requires_grad and r.size != 1 for r in self.roots)

