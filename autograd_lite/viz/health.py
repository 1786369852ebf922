"""Gradient health: per-layer gradient norms that make vanishing or exploding gradients visible."""
from __future__ import annotations

import math

import numpy as np

from ..errors import GraphError
from ..tensor import Tensor
from ._graph import Walk, name_map

EXPLODING = 1e3      # a layer norm above this is flagged "exploding?"
VANISHING = 1e-4     # ... below this fraction of the largest layer norm, "vanishing?"


def gradient_norms(source, *, per="layer", names=None) -> dict:
    """Euclidean norms of the gradients, per layer (default) or per parameter.

    Parameters
    ----------
    source : Tensor, or parameters
        A loss: before ``backward()`` its gradients are computed without touching
        ``.grad`` (``grad(..., retain_graph=True)``); after it, its parameters' ``.grad``.  Or the parameters themselves after
        ``backward()``: a list of tensors, a dict / (name, tensor) pairs, or a model with
        ``named_parameters()``; then their ``.grad`` is used.
    per : {"layer", "parameter"}
        ``"layer"`` groups parameters by the ``name_scope`` of the operations that use them
        (an nn layer), falling back to the prefix of a dotted name (``layer1.W`` ->
        ``layer1``).  ``"parameter"`` gives one norm per parameter.
    names : dict or pairs, optional
        Names for parameters that have no ``Tensor.name`` (e.g. ``model.named_parameters()``).

    Returns
    -------
    dict
        ``{group name: norm}``, input side first.  A norm is NaN or inf when the gradient
        holds such values.  Norms many orders of magnitude apart between layers are the
        signature of vanishing (tiny near the input) or exploding gradients.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> w = ag.tensor([3.0, 4.0], requires_grad=True, name="layer1.w")
    >>> loss = (w * w).sum() / 2           # gradient = w, norm 5
    >>> gradient_norms(loss)
    {'layer1': 5.0}
    >>> loss.backward()
    >>> gradient_norms([w], per="parameter")
    {'layer1.w': 5.0}
    """
    if per not in ("layer", "parameter"):
        raise ValueError(f"gradient_norms: per must be 'layer' or 'parameter', not {per!r}")
    if isinstance(source, Tensor) and not source.is_leaf:
        groups = _from_loss(source, names)
    else:
        groups = _from_params(source, names)
    if per == "parameter":
        return {name: norm for group in groups.values() for name, norm in group}
    return {layer: _combine(norm for _, norm in group) for layer, group in groups.items()}


def _from_loss(loss, names) -> dict:
    """{layer: [(param name, norm)]} for the parameters of ``loss``'s graph, input side first."""
    walk = Walk(loss, names)
    params = [t for t in reversed(walk.tensors()) if walk.is_param(t)]
    grads = walk.gradients(params)
    if walk.released and not grads:
        raise GraphError(
            "gradient_norms: backward() already ran through this loss's graph and none of its "
            "parameters has a .grad (cleared since?); pass the loss before backward(), or "
            "call loss.backward(retain_graph=True) to keep the graph")
    groups = {}
    for i, t in enumerate(params):
        if id(t) in grads:
            name = walk.name(t) or f"param{i}"
            groups.setdefault(walk.layer(t, i), []).append((name, _norm(grads[id(t)])))
    return groups


def _from_params(source, names) -> dict:
    """{layer: [(param name, norm)]} from the ``.grad`` of the given parameters."""
    if isinstance(source, Tensor) or hasattr(source, "named_parameters") \
            or isinstance(source, dict):
        pairs = _pairs(source)
    else:
        items = list(source)
        pairs = items if items and isinstance(items[0], tuple) else \
            [(None, t) for t in items]
    extra = name_map(names)
    groups, missing = {}, []
    for i, (name, t) in enumerate(pairs):
        if not isinstance(t, Tensor):
            raise TypeError(f"gradient_norms: expected tensors, got {type(t).__name__}")
        name = name or extra.get(id(t)) or t.name or f"param{i}"
        if t.grad is None:
            missing.append(name)
            continue
        groups.setdefault(name.rsplit(".", 1)[0], []).append((name, _norm(t.grad.numpy())))
    if not groups:
        raise GraphError(
            "gradient_norms: none of these parameters has a gradient yet "
            f"({', '.join(missing) or 'no parameters given'}); call loss.backward() first, "
            "or pass the loss itself before backward")
    return groups


def _pairs(source):
    if isinstance(source, Tensor):
        return [(None, source)]
    if hasattr(source, "named_parameters"):
        return list(source.named_parameters())
    return list(source.items())


def _norm(array) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        array = np.asarray(array, dtype=np.float64)
        return math.sqrt(float(np.sum(array * array)))


def _combine(norms) -> float:
    """The norm of several gradients together: sqrt of the sum of their squared norms."""
    return math.sqrt(sum(n * n for n in norms))


def verdict(norm: float, largest: float) -> str:
    """'NaN/inf', 'exploding?', 'vanishing?' or '' for one layer's gradient norm."""
    if not math.isfinite(norm):
        return "NaN/inf"
    if norm > EXPLODING:
        return "exploding?"
    if largest > 0 and math.isfinite(largest) and norm < VANISHING * largest:
        return "vanishing?"
    return ""
