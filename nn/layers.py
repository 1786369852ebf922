"""Layers in the course's layout: Linear (with an optional activation), activations, Sequential.

Layer l computes ``Z[l] = W[l]·A[l−1] + b[l]`` with W[l] of shape (n[l], n[l−1]), b[l] of
shape (n[l], 1) and A[l−1] of shape (n[l−1], m), one example per column; then
``A[l] = g[l](Z[l])``.  ``Linear(n_in, n_out, activation="relu")`` is that whole layer, so
a graph drawing shows Z and A of one layer in one box.

Examples
--------
>>> import numpy as np, nn
>>> layer = nn.Linear(3, 2, activation="tanh", seed=0)
>>> layer(np.zeros((3, 4))).shape          # (n[l], m)
(2, 4)
"""
from __future__ import annotations

import numbers

import numpy as np

from . import functional as F
from .errors import ConfigError, NNShapeError
from .init import get_initializer, make_rng
from .module import Module, Parameter


def _positive_int(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ConfigError(f"{what} must be a positive integer, not {value!r}")
    return int(value)


class Linear(Module):
    """One layer: ``Z = W·A_prev + b``, then ``A = g(Z)`` for ``activation`` g (default none).

    Parameters
    ----------
    n_in, n_out : int
        n[l−1] and n[l]; W has shape (n_out, n_in), b has shape (n_out, 1) (zeros).
    activation : str or None
        One of ``nn.functional.ACTIVATIONS`` (``"relu"``, ``"tanh"``, ``"sigmoid"``, …);
        None or ``"identity"`` returns Z.
    init : str
        The initializer of W (``"zeros"``, ``"small"``, ``"deep"``, ``"he"``, ``"xavier"``).
    seed : None, int, numpy Generator or RandomState
        Where W's random numbers come from; an int is the course's ``np.random.seed(seed)``
        stream (see :func:`nn.init.make_rng`).
    dtype : numpy dtype
        Of W and b (float64 by default).

    Examples
    --------
    >>> import numpy as np, nn
    >>> layer = nn.Linear(2, 1, activation="sigmoid", init="zeros")
    >>> layer(np.array([[1.0, -1.0], [2.0, 0.5]]))      # σ(0) for both examples
    tensor([[0.5, 0.5]], grad_fn=sigmoid)
    """

    def __init__(self, n_in, n_out, activation=None, init="deep", seed=None, dtype=np.float64):
        super().__init__()
        self.n_in = _positive_int(n_in, "Linear: n_in")
        self.n_out = _positive_int(n_out, "Linear: n_out")
        self.activation = "identity" if activation is None else activation
        self._g = F.get_activation(self.activation)
        self.init = init
        initializer = get_initializer(init)
        rng = None if init == "zeros" else make_rng(seed)
        self.W = Parameter(initializer(self.n_out, self.n_in, rng, dtype), dtype=dtype)
        self.b = Parameter(np.zeros((self.n_out, 1), dtype=dtype), dtype=dtype)

    def forward(self, A_prev):
        shape = A_prev.shape
        if len(shape) != 2 or shape[0] != self.n_in:
            raise NNShapeError(
                f"{self._prefix or 'Linear'}: the input has shape {shape} but this layer "
                f"expects (n[l-1], m) = ({self.n_in}, m), one example per column"
                + (" (did you mean its transpose?)" if len(shape) == 2
                   and shape[1] == self.n_in else ""))
        return self._g(self.W @ A_prev + self.b)

    def extra_repr(self):
        return f"n_in={self.n_in}, n_out={self.n_out}, activation={self.activation!r}"


class _Activation(Module):
    """A module applying one activation function (no parameters)."""

    name = "identity"

    def forward(self, Z):
        return F.ACTIVATIONS[self.name](Z)


class Sigmoid(_Activation):
    """The module form of :func:`nn.functional.sigmoid`.

    Examples
    --------
    >>> import nn
    >>> nn.Sigmoid()([[0.0]])
    tensor([[0.5]])
    """

    name = "sigmoid"


class Tanh(_Activation):
    """The module form of :func:`nn.functional.tanh`.

    Examples
    --------
    >>> import nn
    >>> nn.Tanh()([[0.0]])
    tensor([[0.]])
    """

    name = "tanh"


class ReLU(_Activation):
    """The module form of :func:`nn.functional.relu`.

    Examples
    --------
    >>> import nn
    >>> nn.ReLU()([[-1.0, 1.0]])
    tensor([[0., 1.]])
    """

    name = "relu"


class Identity(_Activation):
    """The module form of :func:`nn.functional.identity`.

    Examples
    --------
    >>> import nn
    >>> nn.Identity()([[-1.0]])
    tensor([[-1.]])
    """

    name = "identity"


class LeakyReLU(Module):
    """The module form of :func:`nn.functional.leaky_relu`.

    Examples
    --------
    >>> import nn
    >>> nn.LeakyReLU(alpha=0.1)([[-1.0, 1.0]])
    tensor([[-0.1,  1. ]])
    """

    def __init__(self, alpha=0.01):
        super().__init__()
        self.alpha = float(alpha)

    def forward(self, Z):
        return F.leaky_relu(Z, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class Softmax(Module):
    """The module form of :func:`nn.functional.softmax` (classes along ``axis``, default 0).

    Examples
    --------
    >>> import nn
    >>> nn.Softmax()([[1.0], [1.0]])
    tensor([[0.5],
            [0.5]])
    """

    def __init__(self, axis=0):
        super().__init__()
        self.axis = axis

    def forward(self, Z):
        return F.softmax(Z, self.axis)

    def extra_repr(self):
        return f"axis={self.axis}"


class Sequential(Module):
    """Modules applied one after the other; the i-th (from 1) is named ``layer<i>``.

    Give each course layer as one ``Linear(..., activation=...)`` so that the names match the
    course's numbering (``layer1.W`` is W[1]).

    Examples
    --------
    >>> import numpy as np, nn
    >>> net = nn.Sequential(nn.Linear(2, 4, activation="tanh", seed=0),
    ...                     nn.Linear(4, 1, activation="sigmoid", seed=0))
    >>> net(np.zeros((2, 3))).shape, len(net), net[0] is net.layer1
    ((1, 3), 2, True)
    """

    def __init__(self, *modules):
        super().__init__()
        for i, module in enumerate(modules, start=1):
            self.add_module(f"layer{i}", module)

    def forward(self, A):
        for module in self._modules.values():
            A = module(A)
        return A

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        return list(self._modules.values())[index]
