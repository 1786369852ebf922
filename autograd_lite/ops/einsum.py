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

    numpy's sublist form works too: ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` is
    ``einsum('ij,jk->ik', a, b)`` (indices are ints from 0 to 51, ``...`` is ``Ellipsis``;
    the output sublist is optional).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> A = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> ag.einsum("ii", A)                      # the trace
    tensor(5., grad_fn=einsum)
    >>> ag.einsum("ij,j->i", A, ag.tensor([1.0, 1.0]))
    tensor([3., 7.], grad_fn=einsum)
    >>> ag.einsum(A, [0, 1], A, [1, 2], [0, 2])  # A @ A, in sublists
    tensor([[ 7., 10.],
            [15., 22.]], grad_fn=einsum)
    """
    if not isinstance(subscripts, str):
        subscripts, operands = _from_sublists((subscripts,) + operands)
    tensors = [operand(x) for x in operands]
    if not tensors:
        raise ShapeError("einsum: needs at least one operand")
    return Einsum.apply(*tensors, subscripts=subscripts, optimize=optimize)


def _from_sublists(args):
    """numpy's ``(op0, sublist0, op1, sublist1, ..., [sublist_out])`` as subscripts and
    operands; index i is the letter numpy gives it (0-25: A-Z, 26-51: a-z)."""
    pairs, output = args[:len(args) // 2 * 2], args[len(args) // 2 * 2:]
    operands = pairs[0::2]
    terms = [_term(sub, k) for k, sub in enumerate(pairs[1::2])]
    spec = ",".join(terms)
    if output:
        spec += "->" + _term(output[0], "out")
    return spec, operands


def _term(sublist, which):
    if isinstance(sublist, str) or not isinstance(sublist, (list, tuple)):
        raise TypeError(f"einsum: give the subscripts as a string first, e.g. "
                        f"einsum('ij,jk->ik', a, b), or in numpy's sublist form "
                        f"einsum(a, [0, 1], b, [1, 2]); sublist {which} is {sublist!r}")
    letters = []
    for index in sublist:
        if index is Ellipsis:
            letters.append("...")
        elif (isinstance(index, (int, np.integer)) and not isinstance(index, bool)
              and 0 <= index < 52):
            letters.append(string.ascii_uppercase[index] if index < 26
                           else string.ascii_lowercase[index - 26])
        else:
            raise ValueError(f"einsum: sublist {which} holds {index!r}; indices must be ints "
                             "from 0 to 51 (or Ellipsis)")
    return "".join(letters)
