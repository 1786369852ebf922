"""The functional API: Jacobians, Hessians and their products with vectors, of a function.

``vjp``, ``jvp``, ``jacobian``, ``hessian``, ``vhp`` and ``hvp`` take a function and the point
to differentiate it at, as ``torch.autograd.functional`` does:

- ``inputs`` is one input (a Tensor, an array, a float) or a **tuple** of them; the function is
  called as ``func(*inputs)``.  A list is one array-like input, not several inputs.
- results per input come back as one Tensor for one input, a tuple for a tuple of inputs
  (``jacobian(f, (x, y))`` gives ``(df/dx, df/dy)``); for a function returning a tuple, the
  Jacobian is a tuple over outputs of those.
- ``jacobian(f, x)`` has shape ``out.shape + x.shape``; ``hessian(f, x)`` has shape
  ``x.shape + x.shape`` (``x_i.shape + x_j.shape`` for block ``[i][j]``).
- ``create_graph=True`` records the computation, so the results can be differentiated again
  (with respect to the inputs given as Tensors that require a gradient); without it the
  results are constants and the inputs' ``.grad`` is never touched.

Everything is built from reverse passes (:func:`~autograd_lite.grad`): the forward-mode
product ``jvp`` is the *double-vjp* trick — ``g(u) = Jᵀu`` is linear in ``u``, so the
gradient of ``<g(u), v>`` with respect to ``u`` is ``J v`` — so each op's derivative stays
declared once, in its ``backward``.  The functions work inside :func:`~autograd_lite.compile`.
"""
from __future__ import annotations

import numpy as np

from .engine import grad as _grad
from .errors import DTypeError, GraphError, ShapeError
from .function import enable_grad
from .gradcheck import _returned
from .ops.movement import reshape, stack
from .tensor import Tensor

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


# --- inputs, outputs and vectors ---------------------------------------------------------------

def _as_tuple(x):
    """``(items, was_tuple)``: a tuple stays a tuple of items, anything else is one item."""
    return (tuple(x), True) if isinstance(x, tuple) else ((x,), False)


def _leaves(who, func, inputs, create_graph):
    """The point as tensors to differentiate at: floating-point leaves requiring a gradient.

    With ``create_graph`` a Tensor that requires a gradient is used as it is, so that the
    results stay connected to it; otherwise each input is a fresh leaf on the same data."""
    if not callable(func):
        raise TypeError(f"{who}: expected a function as the first argument, got "
                        f"{type(func).__name__}")
    if not inputs:
        raise TypeError(f"{who}: inputs is an empty tuple; give the point to differentiate "
                        "at (a Tensor, an array, a float, or a tuple of them)")
    leaves = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor):
            dtype = x.dtype
        else:
            try:
                x = np.asarray(x)
            except Exception as error:       # e.g. a ragged list
                raise TypeError(f"{who}: input {i} is not an array of numbers: {error}") from None
            dtype = x.dtype
        if dtype.kind != "f":
            raise DTypeError(
                f"{who}: input {i} (shape {np.shape(x)}) has dtype {dtype}, which cannot be "
                "differentiated; pass floating-point values (e.g. x.astype(float) or 2.0 "
                "instead of 2)")
        if isinstance(x, Tensor):
            leaves.append(x if create_graph and x.requires_grad
                          else x.detach().requires_grad_())
        else:
            leaves.append(Tensor(x, requires_grad=True))
    return tuple(leaves)


def _call(who, func, leaves):
    """``func(*leaves)`` as a tuple of floating-point Tensors, and whether it was a tuple."""
    with enable_grad():
        out = func(*leaves)
    outs, was_tuple = _as_tuple(out)
    if not outs:
        raise TypeError(f"{who}: the function returned an empty tuple")
    for k, o in enumerate(outs):
        which = f"output {k}" if was_tuple else "the output"
        _returned(o, who, "the function" + (f" (its output {k})" if was_tuple else ""))
        if o.dtype.kind != "f":
            raise DTypeError(
                f"{who}: {which} (shape {o.shape}) has dtype {o.dtype}, which has no "
                "derivative; return floating-point values")
    return outs, was_tuple


def _vectors(who, v, like, what):
    """``v`` as one array or Tensor per tensor of ``like`` with its shape; None means ones,
    allowed only for one tensor of one element."""
    if v is None:
        if len(like) != 1 or like[0].size != 1:
            shapes = ", ".join(str(t.shape) for t in like)
            raise ShapeError(
                f"{who}: v can only be left out when the {what} is a single element; "
                f"the {what} has shape(s) {shapes}: pass v of that shape")
        return (np.ones(like[0].shape, dtype=like[0].dtype),)
    vs, _ = _as_tuple(v)
    if len(vs) != len(like):
        raise ShapeError(f"{who}: v has {len(vs)} entries but there are {len(like)} "
                         f"{what}s; pass a tuple with one v per {what}")
    fitted = []
    for k, (vk, t) in enumerate(zip(vs, like)):
        if not isinstance(vk, Tensor):
            vk = np.asarray(vk, dtype=t.dtype)
        if vk.shape != t.shape:
            raise ShapeError(f"{who}: v{f'[{k}]' if len(like) > 1 else ''} has shape "
                             f"{vk.shape} but the {what}{f' {k}' if len(like) > 1 else ''} "
                             f"has shape {t.shape}")
        fitted.append(vk)
    return tuple(fitted)


def _zeros(t):
    return Tensor(np.zeros(t.shape, dtype=t.dtype))


def _grads(outs, leaves, vs, create_graph, strict=None):
    """``Σ_k vs[k]ᵀ ∂outs[k]/∂leaves``, one Tensor per leaf (zeros where none depends;
    with ``strict``, the name of the caller, that is an error)."""
    live = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
    got = [None] * len(leaves)
    if live:
        got = _grad([o for o, _ in live], list(leaves), [v for _, v in live],
                    retain_graph=True, create_graph=create_graph, allow_unused=True)
    _check_strict(strict, got)
    return [_zeros(x) if g is None else g for g, x in zip(got, leaves)]


def _check_strict(who, got, what="input"):
    """With ``strict`` (``who`` is given): refuse an ``what`` the outputs do not depend on,
    as torch.autograd.functional does, instead of giving it zeros."""
    missing = [i for i, g in enumerate(got) if g is None]
    if who and missing:
        raise GraphError(f"{who}: the output does not depend on {what} {missing[0]}; that is "
                         "an error with strict=True (without it, its derivative is zeros)")


def _result(items, was_tuple):
    return tuple(items) if was_tuple else items[0]


# --- products with vectors --------------------------------------------------------------------

def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """The vector-Jacobian product ``vᵀ J`` of ``func`` at ``inputs`` (one reverse pass).

    Parameters
    ----------
    func : callable
        Takes the inputs as Tensors, returns a Tensor or a tuple of Tensors.
    inputs : Tensor, array, float, or tuple of them
        The point; ``func`` is called as ``func(*inputs)`` for a tuple.
    v : array or Tensor (a tuple of them for a tuple of outputs), optional
        Shaped like the output; may be left out for a one-element output.
    create_graph : bool
        Record the computation so that the result can be differentiated again.
    strict : bool
        Raise a GraphError when the output does not depend on an input (else zeros).

    Returns
    -------
    (output, vjp)
        The function's value, and ``vᵀ J`` shaped like the inputs (a tuple for a tuple).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> out, g = ag.vjp(lambda x: x ** 2, ag.tensor([1.0, 2.0]), v=[1.0, 10.0])
    >>> out, g
    (tensor([1., 4.]), tensor([ 2., 40.]))
    """
    xs, in_tuple = _as_tuple(inputs)
    leaves = _leaves("vjp", func, xs, create_graph)
    outs, out_tuple = _call("vjp", func, leaves)
    vs = _vectors("vjp", v, outs, "output")
    products = _grads(outs, leaves, vs, create_graph, "vjp" if strict else None)
    return _output(outs, out_tuple, create_graph), _result(products, in_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """The Jacobian-vector product ``J v`` of ``func`` at ``inputs`` (forward mode).

    Built from two reverse passes: ``g(u) = Jᵀu`` is recorded for a dummy ``u``, and the
    gradient of ``<g(u), v>`` with respect to ``u`` is ``J v``.

    Parameters
    ----------
    func : callable
        Takes the inputs as Tensors, returns a Tensor or a tuple of Tensors.
    inputs : Tensor, array, float, or tuple of them
        The point; ``func`` is called as ``func(*inputs)`` for a tuple.
    v : array or Tensor (a tuple of them for a tuple of inputs), optional
        The tangent, shaped like the inputs; may be left out for one one-element input.
    create_graph : bool
        Record the computation so that the result can be differentiated again.
    strict : bool
        Raise a GraphError when the output does not depend on an input (else zeros).

    Returns
    -------
    (output, jvp)
        The function's value, and ``J v`` shaped like the output (a tuple for a tuple).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> out, t = ag.jvp(lambda x, y: x * y, (ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0])),
    ...                 v=([1.0, 0.0], [0.0, 1.0]))
    >>> t                                  # y·dx + x·dy
    tensor([3., 2.])
    """
    xs, _ = _as_tuple(inputs)
    leaves = _leaves("jvp", func, xs, create_graph)
    outs, out_tuple = _call("jvp", func, leaves)
    vs = _vectors("jvp", v, leaves, "input")
    products = _forward_products(outs, leaves, vs, create_graph, "jvp" if strict else None)
    return _output(outs, out_tuple, create_graph), _result(products, out_tuple)


def _forward_products(outs, leaves, vs, create_graph, strict=None):
    """``J v`` per output by the double-vjp trick (the dummy ``u`` holds zeros)."""
    return _tangents(outs, _transposed(outs, leaves, strict), vs, create_graph)


def _transposed(outs, leaves, strict=None):
    """The first reverse pass of the trick: ``g(u) = Jᵀu`` recorded for dummy ``u`` (one per
    output that requires a gradient); ``(live outputs, us, gs)``."""
    live = [k for k, o in enumerate(outs) if o.requires_grad]
    if not live:
        _check_strict(strict, [None] * len(leaves))
        return live, [], []
    us = [Tensor(np.zeros(outs[k].shape, dtype=outs[k].dtype), requires_grad=True)
          for k in live]
    gs = _grad([outs[k] for k in live], list(leaves), us, retain_graph=True,
               create_graph=True, allow_unused=True)
    _check_strict(strict, gs)
    return live, us, gs


def _tangents(outs, transposed, vs, create_graph):
    """The second pass: the gradient of ``<g(u), v>`` with respect to ``u`` is ``J v``."""
    live, us, gs = transposed
    products = [_zeros(o) for o in outs]
    pairs = [(g, v) for g, v in zip(gs, vs) if g is not None and g.requires_grad]
    if not pairs:
        return products
    got = _grad([g for g, _ in pairs], us, [v for _, v in pairs], retain_graph=True,
                create_graph=create_graph, allow_unused=True)
    for k, p in zip(live, got):
        if p is not None:
            products[k] = p
    return products


def _output(outs, was_tuple, create_graph):
    """The function's value as returned: detached unless the graph is kept."""
    outs = outs if create_graph else [o.detach() for o in outs]
    return _result(list(outs), was_tuple)


# --- whole Jacobians and Hessians ---------------------------------------------------------------

def _one_hot(i, t):
    seed = np.zeros(t.size, dtype=t.dtype)
    seed[i] = 1.0
    return seed.reshape(t.shape)


def _rows(out, leaves, create_graph, strict=None):
    """The Jacobian of one output, one reverse pass per output element: a list with one
    Tensor of shape ``out.shape + x.shape`` per leaf."""
    if not out.requires_grad:
        _check_strict(strict, [None] * len(leaves))
        return [Tensor(np.zeros(out.shape + x.shape, dtype=x.dtype)) for x in leaves]
    per_leaf = [[] for _ in leaves]
    for i in range(out.size):
        gs = _grads([out], leaves, [_one_hot(i, out)], create_graph, strict)
        for rows, g in zip(per_leaf, gs):
            rows.append(g)
    return [reshape(stack(rows), out.shape + x.shape) if rows
            else Tensor(np.zeros(out.shape + x.shape, dtype=x.dtype))
            for rows, x in zip(per_leaf, leaves)]


def _columns(outs, leaves, create_graph, strict=None):
    """The Jacobians of all outputs, one forward product per input element (the first pass
    of the trick is shared): ``J[k][j]`` of shape ``outs[k].shape + leaves[j].shape``."""
    transposed = _transposed(outs, leaves, strict)
    blocks = []
    for j, x in enumerate(leaves):
        columns = [[] for _ in outs]
        for e in range(x.size):
            vs = [_one_hot(e, x) if m == j else np.zeros(y.shape, dtype=y.dtype)
                  for m, y in enumerate(leaves)]
            for column, p in zip(columns, _tangents(outs, transposed, vs, create_graph)):
                column.append(p)
        blocks.append([reshape(stack(c, axis=-1), o.shape + x.shape) if c
                       else Tensor(np.zeros(o.shape + x.shape, dtype=o.dtype))
                       for c, o in zip(columns, outs)])
    return [[blocks[j][k] for j in range(len(leaves))] for k in range(len(outs))]


def _strategy(who, strategy):
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"{who}: the strategy must be 'reverse-mode' or 'forward-mode', "
                         f"not {strategy!r}")
    return strategy


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: ``J[i..., j...] = ∂out[i...] / ∂x[j...]``.

    One reverse pass per output element.  Its shape is ``out.shape + x.shape``; for a tuple
    of inputs the result is a tuple over the inputs, and for a function returning a tuple, a
    tuple over the outputs of those (``J[k][j]`` is output ``k`` by input ``j``).

    Parameters
    ----------
    func : callable
        Takes the inputs as Tensors, returns a Tensor or a tuple of Tensors.
    inputs : Tensor, array, float, or tuple of them
        The point; ``func`` is called as ``func(*inputs)`` for a tuple.
    create_graph : bool
        Record the computation so that the Jacobian can be differentiated again.
    strict : bool
        Raise a GraphError when an output does not depend on an input (else zeros).
    vectorize : bool
        Accepted for PyTorch's signature; the passes run one after the other either way.
    strategy : {"reverse-mode", "forward-mode"}
        One reverse pass per output element, or one forward product (``jvp``) per input
        element: the cheaper when the inputs have fewer elements than the outputs.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.jacobian(lambda x: x ** 2, ag.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    >>> dx, dy = ag.jacobian(lambda x, y: x * y, (2.0, 3.0))
    >>> dx, dy
    (tensor(3.), tensor(2.))
    """
    forward = _strategy("jacobian", strategy) == "forward-mode"
    xs, in_tuple = _as_tuple(inputs)
    leaves = _leaves("jacobian", func, xs, create_graph)
    outs, out_tuple = _call("jacobian", func, leaves)
    strict = "jacobian" if strict else None
    per_output = (_columns(outs, leaves, create_graph, strict) if forward
                  else [_rows(o, leaves, create_graph, strict) for o in outs])
    return _result([_result(b, in_tuple) for b in per_output], out_tuple)


def _gradient(who, func, inputs, create_graph, strict):
    """The scalar ``func(*inputs)``, its leaves, and its gradient recorded for a second pass."""
    xs, in_tuple = _as_tuple(inputs)
    leaves = _leaves(who, func, xs, create_graph)
    out = _scalar_output(who, func, leaves)
    grads = _grads([out], leaves, [np.ones(out.shape, dtype=out.dtype)], True,
                   who if strict else None)
    return out, leaves, grads, in_tuple


def _scalar_output(who, func, leaves):
    outs, was_tuple = _call(who, func, leaves)
    if was_tuple or outs[0].size != 1:
        shape = tuple(o.shape for o in outs) if was_tuple else outs[0].shape
        raise ShapeError(
            f"{who}: the function must return a single-element Tensor (a scalar), it returned "
            f"{'a tuple of shapes' if was_tuple else 'shape'} {shape}; reduce it first "
            "(e.g. .sum()), or use jacobian for a vector output")
    return outs[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar ``func`` at ``inputs``: ``H[i.., j..] = ∂²f / ∂x[i..] ∂x[j..]``.

    The Jacobian of the gradient (one reverse pass per input element through the recorded
    first one).  Its shape is ``x.shape + x.shape``; for a tuple of inputs it is a tuple of
    tuples of blocks, ``H[i][j]`` of shape ``x_i.shape + x_j.shape``.

    Parameters
    ----------
    func : callable
        Takes the inputs as Tensors, returns a single-element Tensor.
    inputs : Tensor, array, float, or tuple of them
        The point; ``func`` is called as ``func(*inputs)`` for a tuple.
    create_graph : bool
        Record the computation so that the Hessian can be differentiated again.
    strict : bool
        Raise a GraphError when the output does not depend on an input (else zeros).
    vectorize : bool
        Accepted for PyTorch's signature; the passes run one after the other either way.
    outer_jacobian_strategy : {"reverse-mode", "forward-mode"}
        How the Jacobian of the gradient is taken (see :func:`jacobian`).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.hessian(lambda x: x[0] ** 2 * x[1], ag.tensor([1.0, 3.0]))   # [[2y, 2x], [2x, 0]]
    tensor([[6., 2.],
            [2., 0.]])
    """
    forward = _strategy("hessian", outer_jacobian_strategy) == "forward-mode"
    out, leaves, grads, in_tuple = _gradient("hessian", func, inputs, create_graph, strict)
    per_input = (_columns(grads, leaves, create_graph) if forward
                 else [_rows(g, leaves, create_graph) for g in grads])
    blocks = [_result(b, in_tuple) for b in per_input]
    return _result(blocks, in_tuple)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """The vector-Hessian product ``vᵀ H`` of a scalar ``func`` at ``inputs``: the gradient of
    ``<∇f, v>`` (two reverse passes).

    Parameters
    ----------
    func : callable
        Takes the inputs as Tensors, returns a single-element Tensor.
    inputs : Tensor, array, float, or tuple of them
        The point; ``func`` is called as ``func(*inputs)`` for a tuple.
    v : array or Tensor (a tuple of them for a tuple of inputs), optional
        Shaped like the inputs; may be left out for one one-element input.
    create_graph : bool
        Record the computation so that the result can be differentiated again.
    strict : bool
        Raise a GraphError when the output does not depend on an input (else zeros).

    Returns
    -------
    (output, vhp)
        The function's value, and ``vᵀ H`` shaped like the inputs (a tuple for a tuple).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> out, p = ag.vhp(lambda x: (x ** 3).sum(), ag.tensor([1.0, 2.0]), v=[1.0, 1.0])
    >>> p                                  # H = diag(6x)
    tensor([ 6., 12.])
    """
    out, leaves, grads, in_tuple = _gradient("vhp", func, inputs, create_graph, strict)
    vs = _vectors("vhp", v, leaves, "input")
    products = _grads(grads, leaves, vs, create_graph)
    return _output([out], False, create_graph), _result(products, in_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """The Hessian-vector product ``H v`` of a scalar ``func`` at ``inputs``: the forward-mode
    product of the gradient (``jvp`` of ``∇f``, by the double-vjp trick).

    For a twice continuously differentiable ``func`` the Hessian is symmetric and this equals
    :func:`vhp`; at a kink (relu, abs, max) the two may pick different one-sided derivatives.

    Parameters
    ----------
    func : callable
        Takes the inputs as Tensors, returns a single-element Tensor.
    inputs : Tensor, array, float, or tuple of them
        The point; ``func`` is called as ``func(*inputs)`` for a tuple.
    v : array or Tensor (a tuple of them for a tuple of inputs), optional
        Shaped like the inputs; may be left out for one one-element input.
    create_graph : bool
        Record the computation so that the result can be differentiated again.
    strict : bool
        Raise a GraphError when the output does not depend on an input (else zeros).

    Returns
    -------
    (output, hvp)
        The function's value, and ``H v`` shaped like the inputs (a tuple for a tuple).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> f = lambda x, y: (x * x * y).sum()            # H = [[2y, 2x], [2x, 0]]
    >>> out, (px, py) = ag.hvp(f, (ag.tensor([1.0]), ag.tensor([3.0])), v=([1.0], [0.0]))
    >>> px, py
    (tensor([6.]), tensor([2.]))
    """
    out, leaves, grads, in_tuple = _gradient("hvp", func, inputs, create_graph, strict)
    vs = _vectors("hvp", v, leaves, "input")
    products = _forward_products(grads, leaves, vs, create_graph)
    return _output([out], False, create_graph), _result(products, in_tuple)
