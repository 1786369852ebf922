"""Matrix multiplication: 1-D, 2-D and batched (numpy's ``matmul`` rules)."""
from __future__ import annotations

import numpy as np

from ..errors import RankOneWarning, ShapeError
from ..function import Function, warn_at_user_code
from ..tensor import Tensor
from .elementwise import _pair
from .products import dot_nd


class MatMul(Function):
    rule = "dA = dZ · Bᵀ,  dB = Aᵀ · dZ   (Z = A · B; e.g. dW = dZ · Xᵀ)"
    def forward(self, a, b):
        if a.ndim == 2 and b.ndim == 2:
            return np.dot(a, b)      # the course's np.dot(W, A): BLAS, faster than @ when small
        return a @ b
    def backward(self, grad, out, a, b):
        need_a, need_b = self.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:          # the course's case: dW = dZ · Xᵀ
            return (np.dot(grad, b.T) if need_a else None), \
                (np.dot(a.T, grad) if need_b else None)
        # numpy treats a 1-D left operand as a row and a 1-D right operand as a column.
        a2 = np.expand_dims(a, 0) if a.ndim == 1 else a
        b2 = np.expand_dims(b, 1) if b.ndim == 1 else b
        g2 = np.expand_dims(grad, -1) if b.ndim == 1 else grad
        g2 = np.expand_dims(g2, -2) if a.ndim == 1 else g2
        da = db = None
        if need_a:   # batch dims are summed away by the engine
            da = g2 @ np.swapaxes(b2, -1, -2)
            da = da.reshape(da.shape[:-2] + a.shape) if a.ndim == 1 else da
        if need_b:
            db = np.swapaxes(a2, -1, -2) @ g2
            db = db.reshape(db.shape[:-2] + b.shape) if b.ndim == 1 else db
        return da, db


def matmul(a, b):
    """Matrix product ``a @ b`` (the course's ``np.dot(W, A)`` for 2-D arrays).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> W = ag.tensor([[1.0, 2.0]], requires_grad=True)     # (n[1], n[0]) = (1, 2)
    >>> X = ag.tensor([[1.0, 0.0, 2.0], [0.0, 1.0, 1.0]])   # (n_x, m) = (2, 3)
    >>> (W @ X).numpy()
    array([[1., 2., 4.]])
    """
    if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
        a, b = _pair(a, b)
    try:
        out = MatMul.apply(a, b)
    except ShapeError:
        raise _mismatch(a.shape, b.shape) from None
    if (a.ndim == 1) != (b.ndim == 1):
        _check_rank_one_product(a.shape, b.shape, out.shape)
    return out


def _check_rank_one_product(sa, sb, shape_out):
    """Warn when a rank-1 (n,) operand meets a matrix: ``w.T @ X`` with ``w`` of shape (n,)
    gives a rank-1 (m,) result where the course means a (1, m) row (``.T`` of a rank-1
    array does nothing).  The elementwise ops' "rank 1 array" warning, for products."""
    one, other, side = (sa, sb, "left") if len(sa) == 1 else (sb, sa, "right")
    n = one[0]
    if n <= 1:
        return
    meant = (f"x.reshape(1, {n}) for a row, or x.reshape({n}, 1) for a column (x.T is then "
             f"a (1, {n}) row)" if side == "left" else f"x.reshape({n}, 1) for a column")
    warn_at_user_code(
        f"matmul: a rank-1 array of shape {one} on the {side} of a product with shape "
        f"{other} gives a rank-1 result of shape {shape_out}. Rank-1 arrays are neither rows "
        f"nor columns (and .T leaves them as they are); reshape it: {meant}", RankOneWarning)


def _mismatch(sa, sb):
    """The error for operands whose shapes do not fit, saying which dimensions disagree."""
    if not sa or not sb:
        return ShapeError(f"matmul: operands must be at least 1-D, got shapes {sa} and {sb} "
                          "(use * to multiply by a scalar)")
    inner = sb[-2] if len(sb) > 1 else sb[0]
    where = "first" if len(sb) == 1 else "second-to-last"
    if sa[-1] != inner:
        return ShapeError(f"matmul: shapes {sa} and {sb} do not fit: the last dimension of "
                          f"the left ({sa[-1]}) must equal the {where} of the right ({inner})")
    return ShapeError(f"matmul: the batch dimensions of shapes {sa} and {sb} do not broadcast")


def dot(a, b):
    """numpy's ``dot``: a matrix product of 1-D/2-D operands (the course's ``np.dot(W, A)``),
    a product with a scalar, or for N-D operands a sum over the last axis of ``a`` and the
    second-to-last of ``b``."""
    a, b = _pair(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim > 2 or b.ndim > 2:
        return dot_nd(a, b)
    return matmul(a, b)
