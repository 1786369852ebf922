"""Matrix multiplication: 1-D, 2-D and batched (numpy's ``matmul`` rules)."""
from __future__ import annotations

from ..errors import ShapeError
from ..function import Function
from .elementwise import _pair
from .movement import reshape, swapaxes, unsqueeze


class MatMul(Function):
    rule = "dA = dZ · Bᵀ,  dB = Aᵀ · dZ   (Z = A · B; e.g. dW = dZ · Xᵀ)"
    def forward(self, a, b):
        return a @ b
    def backward(self, grad):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:          # the course's case, kept short
            return (grad @ b.T if need_a else None), (a.T @ grad if need_b else None)
        # numpy treats a 1-D left operand as a row and a 1-D right operand as a column.
        a2 = unsqueeze(a, 0) if a.ndim == 1 else a
        b2 = unsqueeze(b, 1) if b.ndim == 1 else b
        g2 = unsqueeze(grad, -1) if b.ndim == 1 else grad
        g2 = unsqueeze(g2, -2) if a.ndim == 1 else g2
        da = db = None
        if need_a:   # batch dims are summed away by the engine
            da = g2 @ swapaxes(b2, -1, -2)
            da = reshape(da, da.shape[:-2] + a.shape) if a.ndim == 1 else da
        if need_b:
            db = swapaxes(a2, -1, -2) @ g2
            db = reshape(db, db.shape[:-2] + b.shape) if b.ndim == 1 else db
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
    a, b = _pair(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: operands must be at least 1-D, got shapes {a.shape} and "
                         f"{b.shape} (use * to multiply by a scalar)")
    inner_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if a.shape[-1] != inner_b:
        raise ShapeError(f"matmul: shapes {a.shape} and {b.shape} do not fit: the last "
                         f"dimension of the left ({a.shape[-1]}) must equal the "
                         f"{'first' if b.ndim == 1 else 'second-to-last'} of the right "
                         f"({inner_b})")
    return MatMul.apply(a, b)
