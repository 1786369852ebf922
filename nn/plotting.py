"""Pictures of training: the cost curve and a 2-D decision boundary, written to image files.

Uses matplotlib's object interface with the Agg renderer (no pyplot, no window, no global
backend change), so it works on servers and in tests.

Examples
--------
>>> import os, tempfile, nn
>>> path = nn.plot_costs([0.69, 0.5, 0.3], os.path.join(tempfile.mkdtemp(), "costs.png"))
>>> path.suffix
'.png'
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

import autograd_lite as ag

from .errors import NNShapeError


def _figure(figsize):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def plot_costs(costs, path, title=None, learning_rate=None, dpi=100):
    """Plot the cost J against the iteration number and save it to ``path`` (PNG, SVG, …).

    Parameters
    ----------
    costs : sequence of float
        One cost per iteration, e.g. the list returned by ``model.fit``.
    path : str or Path
        The image file; its suffix chooses the format.
    title : str, optional
        Default: "Learning rate = α" when ``learning_rate`` is given, else "Cost".

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import os, tempfile, nn
    >>> out = os.path.join(tempfile.mkdtemp(), "costs.png")
    >>> nn.plot_costs([0.7, 0.4, 0.2], out, learning_rate=0.005).name
    'costs.png'
    """
    # a cost tensor is plotted by its value (np.asarray refuses a tensor that requires grad)
    if isinstance(costs, ag.Tensor):
        costs = costs.data
    elif not isinstance(costs, np.ndarray):
        costs = [c.data if isinstance(c, ag.Tensor) else c for c in costs]
    costs = np.asarray(costs, dtype=float)
    if costs.ndim != 1 or costs.size == 0:
        raise NNShapeError(f"plot_costs: costs must be a non-empty list of numbers, got "
                           f"an array of shape {costs.shape}")
    fig = _figure((6, 4))
    ax = fig.add_subplot()
    ax.plot(np.arange(costs.size), costs)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost J")
    if title is None:
        title = "Cost" if learning_rate is None else f"Learning rate = {learning_rate}"
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=dpi)
    return path


def plot_decision_boundary(model, X, Y, path, resolution=300, title=None, dpi=100):
    """Colour the plane by ``model``'s prediction and draw the examples of 2-D data on it.

    Parameters
    ----------
    model : Model or callable
        Something with ``predict(X)``, or a function mapping X (2, k) to labels (1, k).
    X : array (2, m)
        The examples, one per column.
    Y : array (1, m)
        Their labels (colours of the points).
    path : str or Path
        The image file.
    resolution : int
        Grid points per axis over the data's range plus a margin of 1.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import os, tempfile, nn
    >>> X, Y = nn.datasets.xor(m=50, seed=0)
    >>> rule = lambda P: ((P[0] > 0) != (P[1] > 0)).astype(int).reshape(1, -1)
    >>> out = os.path.join(tempfile.mkdtemp(), "xor.png")
    >>> nn.plot_decision_boundary(rule, X, Y, out).name
    'xor.png'
    """
    X = np.asarray(X.data if isinstance(X, ag.Tensor) else X)
    Y = np.asarray(Y.data if isinstance(Y, ag.Tensor) else Y)
    if X.ndim != 2 or X.shape[0] != 2:
        raise NNShapeError(f"plot_decision_boundary: X has shape {X.shape}; it must be "
                           "(2, m): two features, one example per column")
    if Y.size != X.shape[1]:
        raise NNShapeError(f"plot_decision_boundary: Y has shape {Y.shape} but X has "
                           f"{X.shape[1]} examples; Y must be (1, m)")
    predict = model.predict if hasattr(model, "predict") else model
    x_min, x_max = X[0].min() - 1, X[0].max() + 1
    y_min, y_max = X[1].min() - 1, X[1].max() + 1
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, resolution),
                         np.linspace(y_min, y_max, resolution))
    grid = np.stack([xx.ravel(), yy.ravel()])                 # (2, resolution²)
    labels = np.asarray(predict(grid)).reshape(xx.shape)

    fig = _figure((6, 5))
    ax = fig.add_subplot()
    ax.contourf(xx, yy, labels, cmap="Spectral", alpha=0.8)
    ax.scatter(X[0], X[1], c=Y.ravel(), cmap="Spectral", s=12, edgecolors="k",
               linewidths=0.3)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=dpi)
    return path
