"""nn: the networks of the course "Neural Networks and Deep Learning", built on autograd_lite.

Conventions — the course's, used everywhere in this package
-----------------------------------------------------------
* ``X`` has shape ``(n_x, m)``: **one example per column**.  ``Y`` has shape ``(n_y, m)``,
  ``(1, m)`` for a yes/no label.  A ``Y`` of shape ``(m,)`` or ``(m, 1)`` is refused with a
  clear error (never broadcast into an ``(m, m)`` cost): write ``Y.reshape(1, -1)``.
* Layer ``l`` (numbered from 1, ``A[0] = X``) has ``W[l]`` of shape ``(n[l], n[l−1])`` and
  ``b[l]`` of shape ``(n[l], 1)`` and computes::

      Z[l] = W[l]·A[l−1] + b[l]        A[l] = g[l](Z[l])

* The parameters of layer ``l`` are named ``layer<l>.W`` and ``layer<l>.b``; the operations
  of a layer are recorded under ``autograd_lite.name_scope("layer<l>")``.
* No backward formula is written in this package: every gradient comes from the engine,
  ``cost.backward()``.  The tests check it against the course's closed forms
  (dZ[L] = A[L] − Y, dW[l] = dZ[l]·A[l−1]ᵀ / m, …).

Contents: :class:`Module` / :class:`Parameter` (module.py), layers (layers.py), activations
(functional.py), initializers (init.py), costs (losses.py), optimizers (optim.py), the
course's models (models.py), data sets (datasets.py), :func:`save` / :func:`load`
(serialization.py) and pictures (plotting.py).  See docs/nn.md.

Examples
--------
>>> import nn
>>> X, Y = nn.datasets.planar_flower()                   # X (2, 400), Y (1, 400)
>>> model = nn.TwoLayerNet(n_x=2, n_h=4, n_y=1, hidden="tanh", seed=2)
>>> costs = model.fit(X, Y, iterations=2000, learning_rate=1.2)
>>> model.score(X, Y) > 0.85
True
"""
from autograd_lite import __version__     # one version for both packages (setup.cfg reads it)

from . import datasets, functional, init, losses, optim
from .errors import (ConfigError, DataError, FileFormatError, MissingFileError, NNError,
                     NNShapeError, StateError, TrainingError)
from .layers import Identity, LeakyReLU, Linear, ReLU, Sequential, Sigmoid, Softmax, Tanh
from .models import DeepNN, LogisticRegression, Model, TwoLayerNet
from .module import Module, Parameter
from .plotting import plot_costs, plot_decision_boundary
from .serialization import load, save
# pictures: convolution and pooling layers, the CNN (conv.py, cnn.py)
from . import cnn
from .cnn import CNN
from .conv import AvgPool2d, Conv2d, Flatten, MaxPool2d
# experiments: many runs over a grid of hyperparameters (sweep/); nn.sweep is the function
from .sweep import SweepResult, log_uniform, sweep

__all__ = [
    "Module", "Parameter",
    "Linear", "Sequential", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Identity", "Softmax",
    "Model", "LogisticRegression", "TwoLayerNet", "DeepNN",
    "save", "load", "plot_costs", "plot_decision_boundary",
    "NNError", "ConfigError", "DataError", "NNShapeError", "StateError", "FileFormatError",
    "MissingFileError", "TrainingError",
    "datasets", "functional", "init", "losses", "optim",
    "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "CNN", "cnn",
    "sweep", "SweepResult", "log_uniform",
]
