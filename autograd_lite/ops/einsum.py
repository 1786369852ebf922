"""einsum: sums of products written in index notation, and their derivatives.

The gradient of one operand is another einsum: ``dout`` times the other operands, summed
over every index the operand lacks.  Two details make that work for any subscripts:

* an index repeated in the operand (``'ii->i'``, the diagonal) gets a fresh name in the
  result, tied to the first by an identity matrix: the gradient lands on the diagonal;
* an index found only in the operand (``'ij->i'``: j is summed away) comes back through a
  vector of ones: every element along it gets the same gradient.
"""
from __future__ import annotations

import string
from collections import Counter

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..tensor import operand


class Einsum(Function):
    rule = "dxₖ = einsum(dout and the other operands → xₖ's indices)"
    def forward(self, *arrays, subscripts, optimize):
        self.terms, self.out_term = _explicit(subscripts, [x.shape for x in arrays])
        return np.asarray(np.einsum(subscripts, *arrays, optimize=optimize))
    def backward(self, grad, out, *inputs):
        return tuple(_operand_grad(k, grad, inputs, self.terms, self.out_term,
                                   self.params["optimize"]) if need else None
                     for k, need in enumerate(self.needs_input_grad))


def _operand_grad(k, grad, inputs, terms, out_term, optimize):
    """The gradient of operand ``k``: one einsum of ``grad`` with the other operands (with
    the forward's ``optimize``, so large contractions may use BLAS here as well)."""
    target, shape = terms[k], inputs[k].shape
    dtype = inputs[k].dtype
    subs = [out_term] + [t for j, t in enumerate(terms) if j != k]
    operands = [grad] + [x for j, x in enumerate(inputs) if j != k]
    sizes = {}              # the sizes each index has elsewhere (1 broadcasts)
    for term, x in zip(subs, operands):
        for c, n in zip(term, x.shape):
            sizes.setdefault(c, set()).add(n)
    fresh = iter(c for c in string.ascii_letters if c not in "".join(terms) + out_term)
    result = ""
    for c, n in zip(target, shape):
        if c in result:                     # repeated: a new name, tied by the identity
            name = next(fresh)
            subs.append(c + name)
            operands.append(np.eye(n, dtype=dtype))
            result += name
            continue
        if n not in sizes.get(c, ()):       # only here (or broadcast elsewhere): ones
            subs.append(c)
            operands.append(np.ones(n, dtype=dtype))
            sizes.setdefault(c, set()).add(n)
        result += c
    return np.einsum(",".join(subs) + "->" + result, *operands, optimize=optimize)


def _explicit(subscripts, shapes):
    """Input terms and the output term with '...' replaced by letters and the output
    spelled out (numpy's implicit mode: the indices seen once, in alphabetical order)."""
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"subscripts {subscripts!r} name {len(terms)} operand(s) but "
                         f"{len(shapes)} were given")
    for term in terms + [output]:
        if any(c not in string.ascii_letters for c in term.replace("...", "")):
            raise ValueError(f"subscripts {subscripts!r}: indices must be letters a-z, A-Z")
    ranks = [len(shape) - len(term.replace("...", "")) if "..." in term else 0
             for term, shape in zip(terms, shapes)]
    free = [c for c in string.ascii_letters if c not in spec]
    width = max(ranks, default=0)
    if width > len(free):
        raise ValueError(f"subscripts {subscripts!r}: too many dimensions under '...'")
    dots = "".join(free[:width])
    terms = [term.replace("...", dots[width - r:] if r else "") for term, r in zip(terms, ranks)]
    if arrow:
        output = output.replace("...", dots)
    else:
        counts = Counter("".join(terms))
        output = dots + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in dots))
    return terms, output


def einsum(subscripts, *operands, optimize=False):
    """Einstein summation, as ``numpy.einsum``: repeated indices (``'ii->i'``, ``'ii'``),
    implicit output, broadcasting with ``'...'`` and any number of operands; differentiable
    at every order.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> A = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> ag.einsum("ii", A)                      # the trace
    tensor(5., grad_fn=einsum)
    >>> ag.einsum("ij,j->i", A, ag.tensor([1.0, 1.0]))
    tensor([3., 7.], grad_fn=einsum)
    """
    if not isinstance(subscripts, str):
        raise TypeError("einsum: give the subscripts as a string first, e.g. "
                        "einsum('ij,jk->ik', a, b) (the sublist form is not supported)")
    tensors = [operand(x) for x in operands]
    if not tensors:
        raise ShapeError("einsum: needs at least one operand")
    return Einsum.apply(*tensors, subscripts=subscripts, optimize=optimize)
