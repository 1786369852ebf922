"""Optimizers: gradient descent, momentum and Adam (course 2's update rules).

Each optimizer reads the gradients the engine left in ``p.grad`` and updates the
parameters with in-place tensor operations (``p -= α · v``) under
``autograd_lite.no_grad()``: the same parameter objects change, every update bumps the
parameter's version (a graph recorded before the update refuses to run backward), and a
step compiled with :func:`autograd_lite.compile` replays the update too.  Optimizer state
(momentum v, RMSprop s, Adam's step count t) lives in tensors for the same reason.

Examples
--------
>>> import autograd_lite as ag, nn
>>> w = nn.Parameter([[1.0, 2.0]])
>>> opt = nn.optim.GradientDescent([w], learning_rate=0.1)
>>> (w * w).sum().backward()               # dw = 2w
>>> opt.step()
>>> w.data                                 # w − 0.1 · 2w
array([[0.8, 1.6]])
"""
from __future__ import annotations

import math
import numbers

import numpy as np

import autograd_lite as ag
from autograd_lite import inplace

from .errors import ConfigError, lookup


def _check_rate(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{what} must be a positive finite number, not {value!r}")
    return float(value)


def _check_beta(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ConfigError(f"{what} must be a number in [0, 1), not {value!r}")
    return float(value)


class Optimizer:
    """Base class: holds the parameters and the learning rate α; subclasses define ``_update``.

    Examples
    --------
    >>> import nn
    >>> opt = nn.optim.GradientDescent(nn.Linear(2, 1, seed=0).parameters(), 0.5)
    >>> opt.learning_rate, len(opt.parameters)
    (0.5, 2)
    """

    def __init__(self, parameters, learning_rate):
        self.parameters = list(parameters)
        if not self.parameters:
            raise ConfigError(f"{type(self).__name__}: got no parameters to optimize")
        for p in self.parameters:
            if not isinstance(p, ag.Tensor) or not p.requires_grad:
                raise ConfigError(f"{type(self).__name__}: every parameter must be a Tensor "
                                  f"with requires_grad=True, got {p!r}")
        self.learning_rate = _check_rate(learning_rate, f"{type(self).__name__}: learning_rate")

    def zero_grad(self):
        """Forget the parameters' gradients (``p.grad = None``) before the next backward.

        Examples
        --------
        >>> import nn
        >>> w = nn.Parameter([1.0])
        >>> (w * 3).sum().backward()
        >>> opt = nn.optim.GradientDescent([w], 0.1)
        >>> opt.zero_grad(); w.grad is None
        True
        """
        for p in self.parameters:
            p.grad = None

    def step(self):
        """Update every parameter that has a gradient, without recording into a graph.

        Examples
        --------
        >>> import nn
        >>> w = nn.Parameter([1.0])
        >>> (w * 3).sum().backward()
        >>> nn.optim.GradientDescent([w], 0.1).step(); w.data
        array([0.7])
        """
        with ag.no_grad():
            self._update()

    def _update(self):
        raise NotImplementedError


class GradientDescent(Optimizer):
    """Plain (batch) gradient descent: w := w − α·dw.

    Examples
    --------
    >>> import nn
    >>> w = nn.Parameter([2.0])
    >>> (w * w).sum().backward()
    >>> nn.optim.GradientDescent([w], learning_rate=0.25).step(); w.data
    array([1.])
    """

    def _update(self):
        have, grads = [], []            # one pass: each .grad is read once
        for p in self.parameters:
            g = p.grad
            if g is not None:
                have.append(p)
                grads.append(g)
        # p -= p.grad * α for each, as one event of a compiled step
        inplace.update_each(have, np.subtract, grads, self.learning_rate)


class Momentum(Optimizer):
    """Gradient descent with momentum: v := β·v + (1−β)·dw;  w := w − α·v.

    Examples
    --------
    >>> import nn
    >>> w = nn.Parameter([1.0])
    >>> opt = nn.optim.Momentum([w], learning_rate=1.0, beta=0.9)
    >>> (w * 1.0).sum().backward()           # dw = 1 -> v = 0.1
    >>> opt.step(); w.data
    array([0.9])
    """

    def __init__(self, parameters, learning_rate, beta=0.9):
        super().__init__(parameters, learning_rate)
        self.beta = _check_beta(beta, "Momentum: beta")
        self.v = [_state_like(p, "v") for p in self.parameters]

    def _update(self):
        beta = self.beta
        have, vs, grads = [], [], []
        for p, v in zip(self.parameters, self.v):
            g = p.grad
            if g is not None:
                v *= beta
                have.append(p)
                vs.append(v)
                grads.append(g)
        # v += dw·(1−β), then p −= v·α, each for all parameters as one event of a compiled
        # step; every array sees the same numpy calls as in a loop over the parameters
        inplace.update_each(vs, np.add, grads, 1.0 - beta)
        inplace.update_each(have, np.subtract, vs, self.learning_rate)


class Adam(Optimizer):
    """Adam: momentum v and RMSprop s with bias correction (course 2's formulas).

    v := β1·v + (1−β1)·dw;  s := β2·s + (1−β2)·dw²;  v̂ = v / (1−β1^t);  ŝ = s / (1−β2^t);
    w := w − α·v̂ / (√ŝ + ε), with t the number of steps taken so far (from 1).

    Examples
    --------
    >>> import nn
    >>> w = nn.Parameter([1.0])
    >>> opt = nn.optim.Adam([w], learning_rate=0.1)
    >>> (w * 5.0).sum().backward()           # the first step moves by about α
    >>> opt.step(); w.data.round(6)
    array([0.9])
    """

    def __init__(self, parameters, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-8):
        super().__init__(parameters, learning_rate)
        self.beta1 = _check_beta(beta1, "Adam: beta1")
        self.beta2 = _check_beta(beta2, "Adam: beta2")
        self.epsilon = _check_rate(epsilon, "Adam: epsilon")
        self._t = ag.tensor(0.0, name="adam.t")       # a tensor, so compiled steps count too
        self.v = [_state_like(p, "v") for p in self.parameters]
        self.s = [_state_like(p, "s") for p in self.parameters]

    @property
    def t(self):
        """The number of steps taken so far."""
        return int(self._t._data)

    def _update(self):
        self._t += 1.0
        b1, b2, eps = self.beta1, self.beta2, self.epsilon
        correct1, correct2 = 1.0 - b1 ** self._t, 1.0 - b2 ** self._t
        lr = self.learning_rate / correct1
        have, vs, ss, grads = [], [], [], []
        for p, v, s in zip(self.parameters, self.v, self.s):
            g = p.grad
            if g is not None:
                v *= b1
                s *= b2
                have.append(p)
                vs.append(v)
                ss.append(s)
                grads.append(g)
        # v += dw·(1−β1) and s += dw²·(1−β2), each for all parameters as one event of a
        # compiled step (every array sees the same numpy calls as in a loop)
        inplace.update_each(vs, np.add, grads, 1.0 - b1)
        inplace.update_each(ss, np.add, [g * g for g in grads], 1.0 - b2)
        for p, v, s in zip(have, vs, ss):
            step = v / (ag.sqrt(s / correct2) + eps)     # v / (√ŝ + ε); α / (1−β1^t) gives v̂
            p -= step * lr


def _state_like(p, what):
    """A zero tensor shaped like parameter ``p`` for optimizer state (``v`` of layer1.W)."""
    return ag.zeros(p.shape, dtype=p.dtype, name=f"{what}.{p.name}" if p.name else what)


OPTIMIZERS = {"gd": GradientDescent, "gradient_descent": GradientDescent,
              "momentum": Momentum, "adam": Adam}


def get_optimizer(name, parameters, learning_rate, **options):
    """Make the optimizer called ``name`` (``"gd"``, ``"momentum"``, ``"adam"``).

    ``options`` go to its constructor (``beta`` for momentum; ``beta1``, ``beta2``,
    ``epsilon`` for Adam).

    Examples
    --------
    >>> import nn
    >>> opt = nn.optim.get_optimizer("adam", nn.Linear(2, 1, seed=0).parameters(), 0.01)
    >>> type(opt).__name__, opt.beta2
    ('Adam', 0.999)
    """
    cls = lookup(OPTIMIZERS, name, "optimizer")
    try:
        return cls(parameters, learning_rate, **options)
    except TypeError as exc:
        raise ConfigError(f"optimizer {name!r}: {exc}") from None
