"""The course's three models, each a stack of layers ``layer1 … layerL``.

* :class:`LogisticRegression` — week 2: A = σ(W·X + b), W of shape (1, n_x) (the course's
  wᵀ), zero-initialised.
* :class:`TwoLayerNet` — week 3: one hidden layer (tanh by default), sigmoid output.
* :class:`DeepNN` — week 4: ``layer_dims = [n_x, n[1], …, n[L]]``, ReLU hidden layers and a
  sigmoid output, W[l] = randn / √n[l−1].

X is (n_x, m) and Y is (n_y, m), one example per column.  ``fit`` runs gradient descent on
the course's cost; every gradient comes from ``cost.backward()``.

Examples
--------
>>> import nn
>>> X, Y = nn.datasets.xor(m=200, seed=0)
>>> model = nn.DeepNN([2, 8, 1], hidden="tanh", init="xavier", seed=0)
>>> costs = model.fit(X, Y, iterations=1500, learning_rate=0.5)
>>> costs[-1] < costs[0], model.score(X, Y) > 0.9
(True, True)
"""
from __future__ import annotations

import math

import numpy as np

import autograd_lite as ag

from . import losses
from .errors import ConfigError, DataError, NNShapeError, TrainingError
from .init import make_rng
from .layers import Linear, _positive_int
from .module import Module
from .optim import Optimizer, _check_rate, get_optimizer

# The cost each output unit is trained with (the course's pairings).
OUTPUT_LOSSES = {"sigmoid": losses.binary_cross_entropy, "softmax": losses.cross_entropy}
HIDDEN = ("relu", "tanh", "sigmoid", "leaky_relu", "identity")

# Fits with at least this many iterations show a progress bar (when stderr is a terminal).
PROGRESS_FROM = 500


class Model(Module):
    """A network of fully connected layers, ``layer_dims = [n_x, n[1], …, n[L]]``, with fit/predict.

    Parameters
    ----------
    layer_dims : list of int
        n[0] = n_x, then the units of each layer; L = len(layer_dims) − 1 layers.
    hidden : str
        Activation of layers 1 … L−1: one of ``"relu"``, ``"tanh"``, ``"sigmoid"``,
        ``"leaky_relu"`` (α = 0.01), ``"identity"``.
    output : str
        Activation of layer L: ``"sigmoid"`` (binary cross-entropy cost, predictions 0/1 at
        0.5) or ``"softmax"`` (cross-entropy cost on one-hot Y, predictions one-hot).
    init : str
        Initializer of every W (see :mod:`nn.init`).
    seed : None, int, numpy Generator or RandomState
        One stream, drawn layer by layer in order.  An int is the course's
        ``np.random.seed(seed)`` stream (``seed=1`` reproduces week 4's numbers); see
        :func:`nn.init.make_rng`.
    dtype : numpy dtype
        Of the parameters.

    Examples
    --------
    >>> import nn
    >>> model = nn.models.Model([3, 4, 1], hidden="relu", output="sigmoid", init="he", seed=0)
    >>> [p.name for p in model.parameters()]
    ['layer1.W', 'layer1.b', 'layer2.W', 'layer2.b']
    """

    default_iterations = 2500
    default_learning_rate = 0.0075
    step_ = None       # the compiled training step fit keeps (ag.CompiledStep), after a fit

    def __init__(self, layer_dims, hidden="relu", output="sigmoid", init="deep", seed=None,
                 dtype=np.float64):
        super().__init__()
        name = type(self).__name__
        if isinstance(layer_dims, (str, bytes)) or not hasattr(layer_dims, "__len__") \
                or len(layer_dims) < 2:
            raise ConfigError(f"{name}: layer_dims must be a list [n_x, n[1], ..., n[L]] of at "
                              f"least two positive integers, not {layer_dims!r}")
        dims = [_positive_int(n, f"{name}: layer_dims[{i}]") for i, n in enumerate(layer_dims)]
        if hidden not in HIDDEN:
            raise ConfigError(f"{name}: unknown hidden activation {hidden!r}; choose one of "
                              f"{', '.join(HIDDEN)}")
        if output not in OUTPUT_LOSSES:
            raise ConfigError(f"{name}: unknown output activation {output!r}; choose one of "
                              f"{', '.join(OUTPUT_LOSSES)}")
        if output == "softmax" and dims[-1] < 2:
            raise ConfigError(f"{name}: a softmax output needs at least 2 units, "
                              f"layer_dims ends with {dims[-1]}")
        self.layer_dims, self.hidden, self.output = dims, hidden, output
        self.dtype = np.dtype(dtype)
        self._cost_fn = OUTPUT_LOSSES[output]
        rng = make_rng(seed) if init != "zeros" else None
        L = len(dims) - 1
        for l in range(1, L + 1):
            self.add_module(f"layer{l}", Linear(dims[l - 1], dims[l],
                                                activation=hidden if l < L else output,
                                                init=init, seed=rng, dtype=self.dtype))
        self.costs_ = []

    @property
    def layers(self):
        """The layers [layer1, …, layerL]."""
        return list(self._modules.values())

    # --- forward and cost -------------------------------------------------------------------
    def forward(self, X):
        """A[L] for X of shape (n_x, m): each layer maps A[l−1] to A[l].

        Examples
        --------
        >>> import numpy as np, nn
        >>> nn.DeepNN([3, 2, 1], seed=0)(np.zeros((3, 5))).shape
        (1, 5)
        """
        A = X
        for layer in self._modules.values():
            A = layer(A)
        return A

    def cost(self, X, Y):
        """The cost J of the current parameters on (X, Y), as a differentiable Tensor.

        Examples
        --------
        >>> import numpy as np, nn
        >>> model = nn.LogisticRegression(2)
        >>> round(model.cost(np.ones((2, 3)), np.array([[1, 0, 1]])).item(), 6)   # log 2
        0.693147
        """
        X, Y = self._check_data(X, Y)
        A = self(X)                       # the layers keep their own boxes in graph pictures
        with ag.name_scope("cost"):
            return self._cost_fn(A, Y)

    def _check_X(self, X):
        """X as a float Tensor of shape (n_x, m) with finite values (no copy for a float array)."""
        name = type(self).__name__
        X = _numeric(X, f"{name}: X")
        if not np.issubdtype(X.dtype, np.floating):
            X = ag.as_tensor(X.data, dtype=np.float64)
        n_x = self.layer_dims[0]
        if X.ndim != 2 or X.shape[0] != n_x:
            hint = " (did you mean X.T?)" if X.ndim == 2 and X.shape[1] == n_x else ""
            raise NNShapeError(f"{name}: X has shape {X.shape} but the model "
                               f"expects (n_x, m) = ({n_x}, m), one example per column{hint}")
        _check_finite(X.data, f"{name}: X")
        return X

    def _check_data(self, X, Y):
        """X (n_x, m) and Y (n_y, m) as Tensors of finite values; Y in X's float dtype."""
        name = type(self).__name__
        X = self._check_X(X)
        Y = _numeric(Y, f"{name}: Y").data
        n_y, m = self.layer_dims[-1], X.shape[1]
        if Y.shape != (n_y, m):
            hint = ""
            if Y.shape == (m, n_y):
                hint = " (did you mean Y.T?)"
            elif Y.shape == (m,) and n_y == 1:
                hint = " (give it as (1, m), e.g. Y.reshape(1, -1))"
            raise NNShapeError(f"{name}: Y has shape {Y.shape} but X has "
                               f"m = {m} examples and the output has n_y = {n_y} units; Y "
                               f"must be (n_y, m) = ({n_y}, {m}){hint}")
        if m == 0:
            raise NNShapeError(f"{name}: X has shape {X.shape}: no examples (m = 0), so "
                               "there is no cost to compute")
        _check_finite(Y, f"{name}: Y")
        if Y.min() < 0 or Y.max() > 1:
            raise DataError(f"{name}: labels Y must lie in [0, 1] for a "
                            f"{self.output} output; they range over [{Y.min()}, {Y.max()}]")
        return X, ag.as_tensor(Y.astype(X.dtype, copy=False))

    # --- training ---------------------------------------------------------------------------
    def fit(self, X, Y, iterations=None, learning_rate=None, *, optimizer="gd",
            batch_size=None, print_every=None, progress=None, callback=None, seed=None,
            compile=True, simplify=False, **optimizer_options):
        """Train by gradient descent on the cost; return the cost of every iteration.

        Each iteration computes A[L] = forward(X), the cost J(A[L], Y), its gradients with
        ``J.backward()`` and one optimizer step.  The returned list (also kept in
        ``self.costs_``) holds J before each iteration's update, as the course prints it.

        Parameters
        ----------
        X : array (n_x, m)
            One example per column (used without copying).
        Y : array (n_y, m)
            Labels; (m,) and (m, 1) are refused, use ``Y.reshape(1, -1)``.
        iterations : int
            Number of gradient steps (epochs with ``batch_size``); default: the course's.
        learning_rate : float
            α; default: the course's value for this model.
        optimizer : {"gd", "momentum", "adam"} or an :class:`~nn.optim.Optimizer`
            With an Optimizer instance, leave ``learning_rate`` unset.
        batch_size : int, optional
            Mini-batches of this many examples, reshuffled each epoch; the recorded cost is
            the epoch's mean over examples.  Default: the whole batch (the course's weeks 2–4).
        print_every : int, optional
            Print "Cost after iteration i: J" every that many iterations and at the last one
            ("Cost after epoch i: J" with ``batch_size``, as the course's mini-batch runs).
        progress : bool, optional
            Show a tqdm progress bar; by default shown for fits of at least 500 iterations
            when standard error is a terminal.
        callback : callable, optional
            ``callback(iteration, cost, model)`` after every iteration; returning True stops
            training.
        seed : None, int, numpy Generator or RandomState
            Shuffling of mini-batches (an int is the course's ``np.random.seed(seed)`` stream).
        compile : bool
            Capture the training step once with :func:`autograd_lite.compile` and replay its
            numpy program on later iterations (the costs are bitwise those of the eager
            step, only faster).  ``False`` runs every step eagerly; so does anomaly mode.
        simplify : bool
            With ``compile``, also simplify the step's program (``ag.compile(...,
            simplify=True)``: the sigmoid and cross-entropy derivative becomes the course's
            dZ = (A − Y) / m, and so on).  Faster, but the costs are those of the eager step
            only up to rounding, not bitwise (docs/compile.md gives the bound).
        **optimizer_options
            ``beta`` (momentum), ``beta1``, ``beta2``, ``epsilon`` (Adam).

        Returns
        -------
        CostHistory
            The cost at every iteration (a list of float); its ``unit`` is "iteration", or
            "epoch" with ``batch_size``, so :func:`nn.plot_costs` labels its axis right.

        Examples
        --------
        >>> import nn
        >>> X, Y = nn.datasets.circles(m=100, seed=0)
        >>> model = nn.TwoLayerNet(2, 8, 1, seed=0)
        >>> costs = model.fit(X, Y, iterations=1000, learning_rate=1.0)
        >>> len(costs), costs[-1] < 0.5 * costs[0]
        (1000, True)
        """
        name = type(self).__name__
        if iterations is None:
            iterations = self.default_iterations
        iterations = _positive_int(iterations, f"{name}.fit: iterations")
        opt = self._make_optimizer(optimizer, learning_rate, optimizer_options)
        if print_every is not None:
            print_every = _positive_int(print_every, f"{name}.fit: print_every")
        if batch_size is not None:
            batch_size = _positive_int(batch_size, f"{name}.fit: batch_size")
        if callback is not None and not callable(callback):
            raise ConfigError(f"{name}.fit: callback must be callable, not {callback!r}")
        if not isinstance(simplify, bool) or (simplify and not compile):
            raise ConfigError(f"{name}.fit: simplify must be True or False, and True only "
                              f"with compile=True (got simplify={simplify!r}, "
                              f"compile={compile!r})")
        X, Y = self._check_data(X, Y)
        X.name, Y.name = "X", "Y"
        rng = make_rng(seed) if batch_size is not None else None
        unit = "iteration" if batch_size is None else "epoch"

        steps, bar = range(iterations), None
        if progress or (progress is None and iterations >= PROGRESS_FROM):
            from tqdm.auto import tqdm
            bar = tqdm(steps, desc=f"{name}.fit", unit="it" if unit == "iteration" else unit,
                       leave=False, disable=None if progress is None else False)
            steps = bar
        write = print if bar is None else bar.write
        history = self.costs_ = CostHistory(unit=unit)
        self.train()
        step = self._make_step(opt, compile, simplify)
        diverged = None
        try:
            for i in steps:
                try:
                    if batch_size is None:
                        cost = step(X, Y).item()
                    else:
                        cost = self._epoch(X, Y, step, batch_size, rng)
                except _Diverged as exc:
                    diverged = exc.cost, i
                    break
                history.append(cost)
                if print_every is not None and (i % print_every == 0 or i == iterations - 1):
                    write(f"Cost after {unit} {i}: {cost:f}")
                if callback is not None and callback(i, cost, self):
                    break
        finally:
            if bar is not None:
                bar.close()
        if diverged is not None:
            # raised outside the except block and without the data or the (compiled) step,
            # so that a kept error holds neither the graph (through __context__) nor X
            # (through its traceback)
            del X, Y, step
            raise self._diverged(*diverged, history, opt)
        return history

    def _make_optimizer(self, optimizer, learning_rate, options):
        name = type(self).__name__
        if isinstance(optimizer, Optimizer):
            if learning_rate is not None or options:
                raise ConfigError(f"{name}.fit: give either an Optimizer instance or "
                                  "learning_rate and optimizer options, not both")
            return optimizer
        if learning_rate is None:
            learning_rate = self.default_learning_rate
        learning_rate = _check_rate(learning_rate, f"{name}.fit: learning_rate")
        return get_optimizer(optimizer, self.parameters(), learning_rate, **options)

    def _make_step(self, opt, compile=False, simplify=False):
        """``step(X, Y)``: one gradient step of ``opt``, compiled or not.

        The compiled step is made once per model and kept in ``step_`` (its ``source`` is
        the program, its ``captures`` and ``replays`` count the calls): its Python runs on
        every call, so each fit's optimizer and settings are used as they are.  The eager
        step is for a caller that reads each cost and drops it at once, as ``fit`` does: the
        cost's graph goes with it (``retain_graph=True``, see :meth:`_train_step`)."""
        if not compile:
            return lambda X, Y: self._train_step(X, Y, opt, retain_graph=True)
        step = self.__dict__.get("step_")
        if not isinstance(step, ag.CompiledStep) or step.simplify != simplify:
            step = ag.compile(self._train_step, simplify=simplify)
            object.__setattr__(self, "step_", step)
        return lambda X, Y: step(X, Y, opt)

    def _train_step(self, X, Y, opt, retain_graph=None):
        """The training step: one gradient step on (X, Y), returning the cost before it.

        A NaN or infinite cost stops before its gradient could reach the parameters (the
        check reads the cost, so a compiled step makes it on every call too).

        ``retain_graph=True`` is for a caller that reads the cost and drops it at once, as
        ``fit``'s eager loop does: the graph is then freed with the cost, which costs less
        than releasing it op by op after backward (a tenth of an eager step on the flower)."""
        opt.zero_grad()
        A = self(X)
        with ag.name_scope("cost"):
            cost = self._cost_fn(A, Y)
        if not _all_finite(cost.data):
            raise _Diverged(cost.item())
        cost.backward(retain_graph=retain_graph)
        opt.step()
        return cost

    def _diverged(self, cost, i, history, opt):
        """The error for a cost that became NaN or inf at iteration ``i``."""
        before = f" (it was {history[-1]:.6g} at iteration {i - 1})" if history else ""
        rate = getattr(opt, "learning_rate", None)
        error = TrainingError(
            f"{type(self).__name__}.fit: the cost became {cost} at iteration {i}{before}; "
            "training stopped without applying its gradient, and costs_ holds the costs "
            f"so far. Try a smaller learning_rate (it is {rate}); if a sigmoid output "
            "saturated, a NumericalWarning above names where")
        # the facts, for callers that speak to the user in other words (the command line)
        error.cost, error.iteration, error.learning_rate = cost, i, rate
        return error

    def _epoch(self, X, Y, step, batch_size, rng):
        """One pass over shuffled mini-batches; returns the mean cost over the m examples."""
        m = X.shape[1]
        order = rng.permutation(m)
        X_data, Y_data = X.data, Y.data
        total = 0.0
        for start in range(0, m, batch_size):
            # take: the columns X[:, batch] as a contiguous array (several times faster than
            # fancy indexing on a wide X). A column slice of one shuffled copy would be a
            # strided view, and np.dot copies such an operand on every dW = dZ · Xᵀ
            batch = order[start:start + batch_size]
            X_batch = ag.as_tensor(X_data.take(batch, axis=1))
            Y_batch = ag.as_tensor(Y_data.take(batch, axis=1))
            total += step(X_batch, Y_batch).item() * X_batch.shape[1]
        return total / m

    # --- prediction -------------------------------------------------------------------------
    def predict_proba(self, X):
        """A[L] as a numpy array (n_y, m), computed without recording a graph.

        Examples
        --------
        >>> import numpy as np, nn
        >>> nn.LogisticRegression(2).predict_proba(np.ones((2, 3)))
        array([[0.5, 0.5, 0.5]])
        """
        with ag.no_grad():
            return self(self._check_X(X)).data

    def predict(self, X):
        """Predicted labels (n_y, m): 1 where A > 0.5 else 0 (sigmoid); one-hot (softmax).

        Examples
        --------
        >>> import numpy as np, nn
        >>> model = nn.LogisticRegression(1)
        >>> model.layer1.W.data = np.array([[1.0]])
        >>> model.predict(np.array([[-2.0, 0.0, 3.0]]))
        array([[0, 0, 1]])
        """
        A = self.predict_proba(X)
        if self.output == "softmax":
            return (np.arange(A.shape[0])[:, None] == A.argmax(axis=0)).astype(np.int64)
        return (A > 0.5).astype(np.int64)

    def score(self, X, Y):
        """The fraction of examples (columns) predicted exactly right (×100 for the course's %).

        Examples
        --------
        >>> import numpy as np, nn
        >>> model = nn.LogisticRegression(1)
        >>> model.layer1.W.data = np.array([[1.0]])
        >>> model.score(np.array([[-2.0, 0.5, 3.0]]), np.array([[0, 0, 1]]))
        0.6666666666666666
        """
        X, Y = self._check_data(X, Y)
        right = (self.predict(X) == Y.data).all(axis=0)
        return float(right.mean())

    accuracy = score

    # --- architecture -----------------------------------------------------------------------
    def config(self):
        """The constructor arguments that rebuild this architecture (JSON-ready).

        Examples
        --------
        >>> import nn
        >>> nn.DeepNN([4, 3, 1], seed=0).config()["layer_dims"]
        [4, 3, 1]
        """
        return {"class": type(self).__name__, "layer_dims": list(self.layer_dims),
                "hidden": self.hidden, "output": self.output, "dtype": self.dtype.name}

    @classmethod
    def from_config(cls, config):
        """A model of the architecture ``config`` (from :meth:`config`), zero-initialised.

        Examples
        --------
        >>> import nn
        >>> model = nn.DeepNN([4, 3, 1], seed=0)
        >>> nn.DeepNN.from_config(model.config()).layer_dims
        [4, 3, 1]
        """
        kwargs = {k: v for k, v in config.items() if k != "class"}
        return cls(**kwargs, init="zeros")

    @classmethod
    def _layer_dims_of(cls, config):
        """The layer_dims that ``config`` declares, read without building the model."""
        return config.get("layer_dims")

    def extra_repr(self):
        return f"layer_dims={self.layer_dims}, hidden={self.hidden!r}, output={self.output!r}"


class CostHistory(list):
    """The costs ``fit`` returns, one per iteration — or per epoch: ``unit`` says which.

    A plain list of float otherwise (it compares, prints and serializes as one).

    Examples
    --------
    >>> from nn.models import CostHistory
    >>> costs = CostHistory([0.69, 0.52], unit="epoch")
    >>> costs == [0.69, 0.52], costs.unit
    (True, 'epoch')
    """

    def __init__(self, costs=(), unit="iteration"):
        super().__init__(costs)
        self.unit = unit


class _Diverged(Exception):
    """Raised by a training step whose cost is NaN or inf (fit turns it into TrainingError)."""

    def __init__(self, cost):
        super().__init__(cost)
        self.cost = cost


def _all_finite(array):
    if array.size == 1:                        # the cost: a scalar test is 10x cheaper
        return math.isfinite(array.item())
    return bool(np.isfinite(array).all())


def _numeric(data, what):
    """``data`` as a Tensor of numbers (bool, int or float); refuses text, objects, complex,
    and masked arrays that hide values (the model would learn from what is under the mask)."""
    if isinstance(data, np.ma.MaskedArray) and np.ma.getmaskarray(data).any():
        hidden = np.ma.getmaskarray(data)
        first = tuple(int(i) for i in np.argwhere(hidden)[0])
        where = (f"row {first[0]}, column {first[1]} (example {first[1]})" if len(first) == 2
                 else f"index {first}")
        todo = ("labels cannot be filled in: drop those examples (the same columns of X and Y)"
                if what.endswith("Y") else
                "fill them (e.g. X.filled(X.mean())) or drop those examples (columns)")
        raise DataError(
            f"{what} is a masked array with {int(hidden.sum())} masked value(s) of "
            f"{data.size} (the first at {where}); the model has no use for a mask and would "
            f"learn from the values hidden under it: {todo}, and pass the plain array")
    try:
        data = ag.as_tensor(data)
    except (ag.AutogradError, ValueError, TypeError) as exc:
        raise DataError(f"{what} is not an array of numbers: {exc}") from None
    if data.dtype.kind not in "biuf":
        raise DataError(f"{what} has dtype {data.dtype} (shape {data.shape}); it must hold "
                        "numbers, e.g. X.astype(np.float64)")
    return data


def _check_finite(array, what):
    """Refuse NaN or inf, naming how many there are and where the first one is."""
    if array.dtype.kind != "f" or np.isfinite(array).all():
        return
    bad = ~np.isfinite(array)
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    where = f"row {first[0]}, column {first[1]} (example {first[1]})" if len(first) == 2 \
        else f"index {first}"
    raise DataError(f"{what} contains {int(bad.sum())} NaN or inf value(s) (of {array.size}); "
                    f"the first, {array[first]}, is at {where}. Clean or impute the data "
                    "before training or predicting")


class LogisticRegression(Model):
    """Week 2's logistic regression: A = σ(W·X + b), W (1, n_x) = the course's wᵀ, b (1, 1).

    Zero-initialised like the course; defaults of :meth:`fit`: 2000 iterations, α = 0.005.

    Examples
    --------
    >>> import numpy as np, nn
    >>> X = np.array([[0.0, 1.0, 2.0, 3.0]])
    >>> Y = np.array([[0, 0, 1, 1]])
    >>> model = nn.LogisticRegression(1)
    >>> costs = model.fit(X, Y, iterations=2000, learning_rate=0.5)
    >>> model.predict(X), model.layer1.W.name
    (array([[0, 0, 1, 1]]), 'layer1.W')
    """

    default_iterations = 2000
    default_learning_rate = 0.005

    def __init__(self, n_x, init="zeros", seed=None, dtype=np.float64):
        super().__init__([n_x, 1], output="sigmoid", init=init, seed=seed, dtype=dtype)

    def config(self):
        return {"class": "LogisticRegression", "n_x": self.layer_dims[0],
                "dtype": self.dtype.name}

    @classmethod
    def _layer_dims_of(cls, config):
        return [config.get("n_x"), 1]


class TwoLayerNet(Model):
    """Week 3's shallow network: n_x → n_h (``hidden``, tanh) → n_y (sigmoid).

    W = randn · 0.01 by default (``init="small"``); ``seed=2`` is the course's
    ``np.random.seed(2)``.  Defaults of :meth:`fit`: 10000 iterations, α = 1.2.

    Examples
    --------
    >>> import nn
    >>> model = nn.TwoLayerNet(2, 4, 1, seed=2)
    >>> model.layer1.W.shape, model.layer2.W.shape, model.layer1.activation
    ((4, 2), (1, 4), 'tanh')
    """

    default_iterations = 10000
    default_learning_rate = 1.2

    def __init__(self, n_x, n_h, n_y=1, hidden="tanh", output="sigmoid", init="small",
                 seed=None, dtype=np.float64):
        super().__init__([n_x, n_h, n_y], hidden=hidden, output=output, init=init, seed=seed,
                         dtype=dtype)

    def config(self):
        n_x, n_h, n_y = self.layer_dims
        return {"class": "TwoLayerNet", "n_x": n_x, "n_h": n_h, "n_y": n_y,
                "hidden": self.hidden, "output": self.output, "dtype": self.dtype.name}

    @classmethod
    def _layer_dims_of(cls, config):
        return [config.get("n_x"), config.get("n_h"), config.get("n_y", 1)]


class DeepNN(Model):
    """Week 4's L-layer network: ``[LINEAR → hidden] × (L−1) → LINEAR → output``.

    W[l] = randn(n[l], n[l−1]) / √n[l−1] by default (``init="deep"``);
    ``seed=1`` (the course's ``np.random.seed(1)``) reproduces the course's numbers.  Defaults of
    :meth:`fit`: 2500 iterations, α = 0.0075.

    Examples
    --------
    >>> import nn
    >>> model = nn.DeepNN([12288, 20, 7, 5, 1], seed=1)
    >>> [layer.W.shape for layer in model.layers]
    [(20, 12288), (7, 20), (5, 7), (1, 5)]
    """


MODELS = {cls.__name__: cls for cls in (LogisticRegression, TwoLayerNet, DeepNN)}
