"""Activation functions g(Z) of the course, as plain functions and by name.

Every function here is a thin name for a differentiable ``autograd_lite`` operation, so the
engine provides its derivative.  In the course's layout the classes of a softmax lie along
axis 0 (one example per column), which is this module's default.

Examples
--------
>>> import numpy as np
>>> from nn import functional as F
>>> F.get_activation("relu")(np.array([[-1.0, 2.0]]))
tensor([[0., 2.]])
"""
from __future__ import annotations

import autograd_lite as ag

from .errors import NNShapeError, lookup


def sigmoid(Z):
    """σ(Z) = 1 / (1 + e^(−Z)), elementwise.

    Examples
    --------
    >>> from nn import functional as F
    >>> F.sigmoid([[0.0]])
    tensor([[0.5]])
    """
    return ag.sigmoid(Z)


def tanh(Z):
    """tanh(Z), elementwise.

    Examples
    --------
    >>> from nn import functional as F
    >>> F.tanh([[0.0]])
    tensor([[0.]])
    """
    return ag.tanh(Z)


def relu(Z):
    """max(Z, 0), elementwise (its derivative at 0 is taken as 0).

    Examples
    --------
    >>> from nn import functional as F
    >>> F.relu([[-2.0, 3.0]])
    tensor([[0., 3.]])
    """
    return ag.relu(Z)


def leaky_relu(Z, alpha=0.01):
    """Z where Z > 0, alpha·Z elsewhere.

    Examples
    --------
    >>> from nn import functional as F
    >>> F.leaky_relu([[-2.0, 3.0]])
    tensor([[-0.02,  3.  ]])
    """
    return ag.leaky_relu(Z, alpha)


def identity(Z):
    """Z itself (a linear output unit).

    Examples
    --------
    >>> from nn import functional as F
    >>> F.identity([[1.5]])
    tensor([[1.5]])
    """
    return ag.as_tensor(Z)


def softmax(Z, axis=0):
    """e^Z / Σ e^Z over the classes, which lie along ``axis`` (0 in the course's layout).

    Examples
    --------
    >>> from nn import functional as F
    >>> F.softmax([[0.0, 1.0], [0.0, 1.0]])       # two classes, two examples
    tensor([[0.5, 0.5],
            [0.5, 0.5]])
    """
    return ag.softmax(Z, axis=axis)


def linear(A_prev, W, b):
    """Z = W·A_prev + b: W (n[l], n[l−1]), A_prev (n[l−1], m), b (n[l], 1) → Z (n[l], m).

    Examples
    --------
    >>> import numpy as np
    >>> from nn import functional as F
    >>> F.linear(np.ones((2, 3)), np.array([[1.0, 2.0]]), np.array([[0.5]]))
    tensor([[3.5, 3.5, 3.5]])
    """
    W, A_prev, b = ag.as_tensor(W), ag.as_tensor(A_prev), ag.as_tensor(b)
    if W.ndim == 2 and b.shape != (W.shape[0], 1):
        # a rank-1 b of shape (n,) would be added to every *column* of Z, not every row
        raise NNShapeError(f"linear: b has shape {b.shape} but must be (n[l], 1) = "
                           f"({W.shape[0]}, 1), one bias per unit of the layer"
                           + (", e.g. b.reshape(-1, 1)" if b.size == W.shape[0] else ""))
    return W @ A_prev + b


ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "identity": identity,
    "softmax": softmax,
}


def get_activation(name):
    """The activation function called ``name`` (one of :data:`ACTIVATIONS`).

    Raises :class:`~nn.errors.ConfigError` naming the allowed names for an unknown one.

    Examples
    --------
    >>> from nn import functional as F
    >>> F.get_activation("tanh") is F.tanh
    True
    """
    return lookup(ACTIVATIONS, name, "activation")
