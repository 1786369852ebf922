"""Costs J of a batch of m examples: the mean over examples of each example's loss.

Outputs and labels are in the course's layout, (n_y, m) with one example per column, and
must have exactly the same shape — a Y of shape (m,) or (m, 1) is refused with a clear
error instead of being broadcast into an (m, m) table.  Each cost is built from
differentiable operations; the engine provides its gradient (for example dZ = A − Y for
a sigmoid output with binary cross-entropy).

Examples
--------
>>> import numpy as np, nn
>>> A = np.array([[0.5, 0.5]])
>>> Y = np.array([[1, 0]])
>>> round(nn.losses.binary_cross_entropy(A, Y).item(), 6)     # log 2
0.693147
"""
from __future__ import annotations

import numpy as np

import autograd_lite as ag
from autograd_lite.function import warn_at_user_code

from .errors import NNShapeError, lookup


def _pair(A, Y, name):
    """A as a Tensor, Y as a Tensor of A's float dtype, both (n_y, m) of the same shape."""
    if not isinstance(A, ag.Tensor):
        A = ag.as_tensor(A)
    dtype = A.dtype                  # each property read is a call: read them once
    if dtype.kind != "f":            # not floating (np.issubdtype costs 10x more per call)
        A = A.astype(np.float64)
        dtype = A.dtype
    if not isinstance(Y, ag.Tensor):
        Y = ag.as_tensor(np.asarray(Y))
    if Y.dtype != dtype:
        Y = Y.astype(dtype)        # recorded, so a compiled step converts each new Y
    shape = A.shape
    if len(shape) != 2 or Y.shape != shape:
        hint = ""
        if Y.shape == A.shape[::-1]:
            hint = " (did you mean Y.T?)"
        elif A.ndim == 2 and Y.shape == (A.shape[1],):
            hint = " (give it as (1, m), e.g. Y.reshape(1, -1))"
        raise NNShapeError(f"{name}: the output has shape {A.shape} and Y has shape "
                           f"{Y.shape}; both must be (n_y, m), one example per column{hint}")
    return A, Y


def binary_cross_entropy(A, Y, eps=0.0):
    """The course's cost J = −(1/m) Σ [y·log(a) + (1−y)·log(1−a)] on probabilities A.

    Parameters
    ----------
    A : Tensor or array, (n_y, m)
        Predicted probabilities (a sigmoid output).
    Y : array, (n_y, m)
        Labels in [0, 1].
    eps : float
        If positive, A is first clipped to [eps, 1 − eps], so that a saturated output gives
        a finite cost.  The default 0 is the course's exact formula.

    Notes
    -----
    In float64 σ(z) rounds to exactly 1 once z ≳ 37 and to exactly 0 once z ≲ −745.  At
    such a saturated output:

    * a right prediction (a = y = 0 or a = y = 1) contributes 0, the limit of its term
      (0·log 0 = 0), and a finite gradient; the formula as written would give
      0·(−inf) = nan and poison the whole cost;
    * a wrong one (a = 0 with y > 0, or a = 1 with y < 1) makes the cost +inf, and a
      :class:`~autograd_lite.NumericalWarning` names the first such example and points to
      :func:`binary_cross_entropy_with_logits`, which never saturates.

    Examples
    --------
    >>> import nn
    >>> round(nn.losses.binary_cross_entropy([[0.9, 0.2]], [[1, 0]]).item(), 6)
    0.164252
    >>> nn.losses.binary_cross_entropy([[1.0, 0.0]], [[1, 0]]).item() == 0   # right, sure
    True
    """
    A, Y = _pair(A, Y, "binary_cross_entropy")
    if eps:
        A = ag.clip(A, eps, 1.0 - eps)
    m = A.shape[1]
    if _outside_open_unit_interval(A.data):
        return _saturated_binary_cross_entropy(A, Y, m)
    return -(Y * ag.log(A) + (1.0 - Y) * ag.log(1.0 - A)).sum() / m


def _outside_open_unit_interval(a):
    """Some probability is exactly 0 or 1 (a saturated sigmoid)."""
    return bool(a.size) and bool(_min(a, None) <= 0.0 or _max(a, None) >= 1.0)


_min, _max = np.minimum.reduce, np.maximum.reduce     # a.min(), a.max() without the wrapper


def _has_zero_or_less(a):
    return bool(a.size) and bool(_min(a, None) <= 0.0)


def _saturated_binary_cross_entropy(A, Y, m):
    """binary_cross_entropy where some a is exactly 0 or 1: 0·log 0 counts as 0."""
    a, y = A.data, Y.data
    wrong = ((a <= 0.0) & (y > 0)) | ((a >= 1.0) & (y < 1))
    if wrong.any():
        _warn_saturated("binary_cross_entropy", wrong, a, y, "sigmoid",
                        "binary_cross_entropy_with_logits(Z, Y)")
    # log(1) = 0 where the label's weight is 0, so no 0·log(0) = nan, in value or gradient
    log_a = ag.log(ag.where(Y > 0, A, 1.0))
    log_1_minus_a = ag.log(ag.where(Y < 1, 1.0 - A, 1.0))
    return -(Y * log_a + (1.0 - Y) * log_1_minus_a).sum() / m


def _warn_saturated(name, wrong, a, y, activation, logits_loss):
    """A NumericalWarning at the user's line: a saturated output makes the cost inf."""
    row, col = (int(i) for i in np.argwhere(wrong)[0])
    warn_at_user_code(
        f"{name}: {int(wrong.sum())} prediction(s) are exactly 0 or 1 on the wrong side of "
        f"their label (the first in example {col}, row {row}: a = {a[row, col]}, "
        f"y = {y[row, col]}), so the cost is inf: the {activation} output saturated. Compute "
        f"the cost from the logits Z with nn.losses.{logits_loss}, or pass eps (e.g. 1e-12) "
        "to clip A", ag.NumericalWarning)


def binary_cross_entropy_with_logits(Z, Y):
    """binary_cross_entropy(σ(Z), Y) computed from the logits Z without overflow.

    Uses −[y log σ(z) + (1−y) log(1−σ(z))] = softplus(z) − y·z, which stays finite for
    any z; its gradient is σ(Z) − Y divided by m.

    Examples
    --------
    >>> import nn
    >>> round(nn.losses.binary_cross_entropy_with_logits([[0.0, 800.0]], [[1, 1]]).item(), 6)
    0.346574
    """
    Z, Y = _pair(Z, Y, "binary_cross_entropy_with_logits")
    m = Z.shape[1]
    return (ag.softplus(Z) - Y * Z).sum() / m


def mean_squared_error(A, Y):
    """J = (1/m) Σ (a − y)², summed over the n_y outputs and averaged over the m examples.

    Examples
    --------
    >>> import nn
    >>> nn.losses.mean_squared_error([[1.0, 2.0]], [[0.0, 0.0]]).item()
    2.5
    """
    A, Y = _pair(A, Y, "mean_squared_error")
    m = A.shape[1]
    return ((A - Y) ** 2).sum() / m


def cross_entropy(A, Y, eps=0.0):
    """J = −(1/m) Σ y·log(a) for class probabilities A (a softmax output), classes on axis 0.

    ``Y`` is one-hot, (n_classes, m).  ``eps`` > 0 clips A to [eps, 1] first.  An output
    a = 0 counts as binary_cross_entropy's do: 0 where y = 0, an infinite cost (with a
    NumericalWarning) where y > 0.

    Examples
    --------
    >>> import nn
    >>> A = [[0.5, 0.25], [0.5, 0.75]]          # 2 classes, 2 examples
    >>> round(nn.losses.cross_entropy(A, [[1, 0], [0, 1]]).item(), 6)
    0.490415
    """
    A, Y = _pair(A, Y, "cross_entropy")
    if eps:
        A = ag.clip(A, eps, 1.0)
    m = A.shape[1]
    if _has_zero_or_less(A.data):
        # as in binary_cross_entropy: 0·log 0 counts as 0, a wrong sure prediction costs inf
        a, y = A.data, Y.data
        wrong = (a <= 0.0) & (y > 0)
        if wrong.any():
            _warn_saturated("cross_entropy", wrong, a, y, "softmax",
                            "softmax_cross_entropy(Z, Y)")
        return -(Y * ag.log(ag.where(Y > 0, A, 1.0))).sum() / m
    return -(Y * ag.log(A)).sum() / m


def softmax_cross_entropy(Z, Y):
    """cross_entropy(softmax(Z), Y) computed from the logits Z without overflow.

    ``Z`` and the one-hot ``Y`` are (n_classes, m); uses log_softmax along axis 0.

    Examples
    --------
    >>> import nn
    >>> round(nn.losses.softmax_cross_entropy([[0.0], [0.0]], [[1], [0]]).item(), 6)
    0.693147
    """
    Z, Y = _pair(Z, Y, "softmax_cross_entropy")
    m = Z.shape[1]
    return -(Y * ag.log_softmax(Z, axis=0)).sum() / m


LOSSES = {
    "binary_cross_entropy": binary_cross_entropy,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "mean_squared_error": mean_squared_error,
    "cross_entropy": cross_entropy,
    "softmax_cross_entropy": softmax_cross_entropy,
}


def get_loss(name):
    """The cost function called ``name`` (one of :data:`LOSSES`).

    Examples
    --------
    >>> import nn
    >>> nn.losses.get_loss("mean_squared_error") is nn.losses.mean_squared_error
    True
    """
    return lookup(LOSSES, name, "loss")
