"""Square-matrix linear algebra: inv, solve, det, slogdet (real, batched over leading axes),
and the singular values of any matrix (for norm's ord 2, −2 and 'nuc').

Derivatives (A⁻ᵀ is the inverse transposed):
    d inv(A)  = −A⁻¹ · dA · A⁻¹         d det(A) = det(A) · tr(A⁻¹ dA)
    d solve   = A⁻¹ (db − dA · x)        d log|det A| = tr(A⁻¹ dA)
    d σ_i = u_iᵀ · dA · v_i             (A = U diag(σ) Vᵀ)
A singular matrix has no inverse: inv and solve raise numpy's ``LinAlgError`` naming the op;
det's gradient there is the cofactor matrix (first order only); slogdet's is infinite.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..errors import GraphError, ShapeError
from ..function import Function
from ..tensor import Tensor, as_tensor, operand
from .elementwise import _pair


def _singular(op, shape):
    return np.linalg.LinAlgError(
        f"{op}: the matrix (shape {shape}) is singular" + (" (at least one in the batch)"
                                                            if len(shape) > 2 else ""))


def _mT(x):
    return np.swapaxes(x, -1, -2)


class Inv(Function):
    rule = "dA = −outᵀ · dout · outᵀ"
    def forward(self, a):
        try:
            return np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise _singular("inv", a.shape) from None
    def backward(self, grad, out, a):
        return (-(_mT(out) @ grad @ _mT(out)),)


class Solve(Function):
    rule = "db = solve(Aᵀ, dout),  dA = −db · outᵀ"
    def forward(self, a, b):
        try:
            return np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            raise _singular("solve", a.shape) from None
    def backward(self, grad, out, a, b):
        need_a, need_b = self.needs_input_grad
        if b.ndim == 1:       # b is one vector: solve for a column, as numpy does
            db = np.linalg.solve(_mT(a), grad[..., None])[..., 0]
            da = -(db[..., :, None] * out[..., None, :]) if need_a else None
        else:
            db = np.linalg.solve(_mT(a), grad)
            da = -(db @ _mT(out)) if need_a else None
        return da, (db if need_b else None)


class Det(Function):
    rule = "dA = dout · out · A⁻ᵀ   (the cofactor matrix where A is singular)"
    def forward(self, a):
        return np.asarray(np.linalg.det(a))
    def backward(self, grad, out, a):
        if np.any((out.data if isinstance(out, Tensor) else out) == 0):    # singular
            if isinstance(out, Tensor):
                raise GraphError(f"det: second derivatives at a singular matrix (shape "
                                 f"{a.shape}) are not supported")
            return (grad[..., None, None] * _cofactor(a),)
        return ((grad * out)[..., None, None] * _mT(np.linalg.inv(a)),)


def _cofactor(a):
    """The cofactor matrix (d det / dA) from the SVD A = U S Vᵀ: it is
    det(U) det(V) · U · diag(∏ of the other singular values) · Vᵀ, defined when A is singular."""
    u, s, vt = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.where(np.eye(n, dtype=bool), 1, s[..., None, :]).prod(axis=-1)
    sign = np.linalg.det(u) * np.linalg.det(vt)
    return sign[..., None, None] * (u * others[..., None, :]) @ vt


class LogAbsDet(Function):
    name = "slogdet"
    rule = "dA = dout · A⁻ᵀ"
    def forward(self, a):
        self.sign, logabsdet = np.linalg.slogdet(a)
        return np.asarray(logabsdet)
    def backward(self, grad, out, a):
        if np.any(self.sign == 0):
            raise np.linalg.LinAlgError(
                f"slogdet: the matrix (shape {a.shape}) is singular: log|det| is -inf and its "
                "gradient is infinite")
        return (grad[..., None, None] * _mT(np.linalg.inv(a)),)


class SingularValues(Function):
    name = "svdvals"
    rule = "dA = U · diag(dout) · Vᵀ   (first order only)"
    def forward(self, a):
        self.u, _, self.vt = np.linalg.svd(a, full_matrices=False)
        return np.linalg.svd(a, compute_uv=False)     # the values numpy's norm gives
    def backward(self, grad, out, a):
        if isinstance(grad, Tensor):
            raise GraphError(f"svdvals: second derivatives of singular values (norm with ord "
                             f"2, -2 or 'nuc', matrix of shape {a.shape}) are not supported")
        return ((self.u * grad[..., None, :]) @ self.vt,)


def singular_values(a):
    """The singular values of the matrices in the last two axes, largest first (as
    ``np.linalg.svd(a, compute_uv=False)``); differentiable at first order.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.singular_values(ag.tensor([[3.0, 0.0], [0.0, -4.0]]))
    tensor([4., 3.])
    """
    a = operand(a)
    if a.ndim < 2:
        raise ShapeError(f"singular_values: needs a matrix (at least 2-D), got shape {a.shape}")
    if a.dtype.kind != "f":
        a = a.astype(np.float64)
    return SingularValues.apply(a)


SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])


def _square(a, op):
    a = operand(a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"{op}: needs square matrices in the last two axes, got shape {a.shape}")
    if a.dtype.kind not in "fiub":
        raise TypeError(f"{op}: needs real numbers, got dtype {a.dtype}")
    return a.astype(np.float64) if a.dtype.kind != "f" else a


def inv(a):
    """The inverse of a square matrix (or of each in a batch), as ``numpy.linalg.inv``.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.inv(ag.tensor([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.5 , 0.  ],
            [0.  , 0.25]])
    """
    return Inv.apply(_square(a, "inv"))


def solve(a, b):
    """``x`` with ``a @ x = b``, as ``numpy.linalg.solve`` (``b`` is one vector when 1-D,
    else a stack of columns ``(..., M, K)``).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> ag.solve(ag.tensor([[2.0, 0.0], [0.0, 4.0]]), ag.tensor([2.0, 2.0]))
    tensor([1. , 0.5])
    """
    a = _square(a, "solve")
    a, b = _pair(a, b)
    if b.ndim == 0 or (b.ndim == 1 and b.shape[0] != a.shape[-1]) or (
            b.ndim > 1 and b.shape[-2] != a.shape[-1]):
        raise ShapeError(f"solve: b of shape {b.shape} does not fit matrices of shape {a.shape}"
                         f"; b must be ({a.shape[-1]},) or (..., {a.shape[-1]}, K)")
    return Solve.apply(a, b)


def det(a):
    """The determinant (of each matrix in a batch), as ``numpy.linalg.det``.

    Its gradient is ``det(A) · A⁻ᵀ``; at a singular matrix, the cofactor matrix.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> A = ag.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
    >>> ag.det(A).backward()
    >>> A.grad
    tensor([[ 3., -1.],
            [-1.,  2.]])
    """
    return Det.apply(_square(a, "det"))


def slogdet(a):
    """Sign and log of the absolute determinant, as ``numpy.linalg.slogdet``: a named pair
    ``(sign, logabsdet)``; ``logabsdet`` is differentiable (gradient ``A⁻ᵀ``), ``sign`` not.

    Examples
    --------
    >>> import autograd_lite as ag
    >>> sign, logdet = ag.slogdet(ag.tensor([[-2.0, 0.0], [0.0, 3.0]]))
    >>> sign.item(), round(logdet.item(), 4)
    (-1.0, 1.7918)
    """
    a = _square(a, "slogdet")
    logabsdet = LogAbsDet.apply(a)
    sign = np.linalg.slogdet(a.data)[0] if logabsdet.grad_fn is None else \
        logabsdet.grad_fn.sign
    return SlogdetResult(as_tensor(np.asarray(sign)), logabsdet)
