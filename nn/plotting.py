"""Pictures of training: the cost curve and a 2-D decision boundary, written to image files.

Uses matplotlib's object interface with the Agg renderer (no pyplot, no window, no global
backend change), so it works on servers and in tests.  :func:`cost_figure` and
:func:`decision_boundary_figure` return the matplotlib ``Figure`` (to adjust it, or to look at
its axes); :func:`plot_costs` and :func:`plot_decision_boundary` save that figure to a file.

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

from .errors import ConfigError, NNShapeError


def _figure(figsize):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


# A cost curve spanning more than this ratio (two decades) gets a logarithmic axis.
LOG_SCALE_FROM = 100.0


def cost_figure(costs, title=None, learning_rate=None, unit=None):
    """The cost J against the iteration (or epoch) number, as a matplotlib ``Figure``.

    Parameters
    ----------
    costs : sequence of float
        One cost per iteration, e.g. the list returned by ``model.fit``.
    title : str, optional
        Default: "Learning rate = α" when ``learning_rate`` is given, else "Cost".
    learning_rate : float, optional
        Shown in the default title.
    unit : {"iteration", "epoch"}, optional
        What one cost stands for, the label of the horizontal axis.  Default: ``costs.unit``
        when ``costs`` is what ``fit`` returned ("epoch" for a mini-batch run), else
        "iteration".

    The cost axis is logarithmic when the (positive) costs span more than two decades, so
    the end of a long run is not a flat line at 0.

    Examples
    --------
    >>> import nn
    >>> ax = nn.plotting.cost_figure([1.0, 0.1, 0.001], unit="epoch").axes[0]
    >>> ax.get_xlabel(), ax.get_yscale()
    ('epoch', 'log')
    """
    # a cost tensor is plotted by its value (np.asarray refuses a tensor that requires grad)
    if isinstance(costs, ag.Tensor):
        costs_array = np.asarray(costs.data, dtype=float)
    else:
        costs_array = np.asarray([c.data if isinstance(c, ag.Tensor) else c for c in costs]
                                 if not isinstance(costs, np.ndarray) else costs, dtype=float)
    if costs_array.ndim != 1 or costs_array.size == 0:
        raise NNShapeError(f"plot_costs: costs must be a non-empty list of numbers, got "
                           f"an array of shape {costs_array.shape}")
    unit = unit or getattr(costs, "unit", "iteration")
    if unit not in ("iteration", "epoch"):
        raise ConfigError(f"plot_costs: unit must be 'iteration' or 'epoch', not {unit!r}")
    fig = _figure((6, 4))
    ax = fig.add_subplot()
    ax.plot(np.arange(costs_array.size), costs_array)
    ax.set_xlabel(unit)
    ax.set_ylabel("cost J")
    finite = costs_array[np.isfinite(costs_array)]
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > LOG_SCALE_FROM:
        ax.set_yscale("log")
    if title is None:
        title = "Cost" if learning_rate is None else f"Learning rate = {learning_rate}"
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def plot_costs(costs, path, title=None, learning_rate=None, dpi=100, unit=None):
    """Plot the cost J against the iteration (or epoch) number and save it to ``path``.

    Parameters
    ----------
    costs : sequence of float
        One cost per iteration, e.g. the list returned by ``model.fit``.
    path : str or Path
        The image file; its suffix chooses the format (PNG, SVG, …).
    title, learning_rate, unit
        As for :func:`cost_figure`: the horizontal axis says "epoch" for a mini-batch run's
        costs, and the cost axis is logarithmic when the costs span more than two decades.

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
    fig = cost_figure(costs, title=title, learning_rate=learning_rate, unit=unit)
    path = Path(path)
    fig.savefig(path, dpi=dpi)
    return path


def decision_boundary_figure(model, X, Y, resolution=300, title=None, classes=None):
    """The plane coloured by ``model``'s prediction, with the examples of 2-D data on it.

    The legend names each class (with its colour) and gives the model's accuracy on the
    examples drawn.

    Parameters
    ----------
    model : Model or callable
        Something with ``predict(X)``, or a function mapping X (2, k) to labels (1, k).
    X : array (2, m)
        The examples, one per column.
    Y : array (1, m)
        Their labels (colours of the points).
    resolution : int
        Grid points per axis over the data's range plus a margin of 1.
    title : str, optional
        The figure's title.
    classes : sequence of str, optional
        The name of label 0, 1, …, e.g. ``["non-cat", "cat"]``; default "y = 0", "y = 1".

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import nn
    >>> X, Y = nn.datasets.xor(m=50, seed=0)
    >>> rule = lambda P: ((P[0] > 0) != (P[1] > 0)).astype(int).reshape(1, -1)
    >>> legend = nn.plotting.decision_boundary_figure(rule, X, Y).axes[0].get_legend()
    >>> legend.get_title().get_text(), [t.get_text() for t in legend.get_texts()]
    ('accuracy 100.0 %', ['y = 0', 'y = 1'])
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
    accuracy = float(np.mean(np.asarray(predict(X)).ravel() == Y.ravel()))

    fig = _figure((6, 5))
    ax = fig.add_subplot()
    values = np.unique(np.concatenate([Y.ravel(), labels.ravel()]))
    low, high = values.min(), max(values.max(), values.min() + 1)
    ax.contourf(xx, yy, labels, cmap="Spectral", alpha=0.8, vmin=low, vmax=high)
    cmap = _colormap("Spectral")
    for value in np.unique(Y):
        mask = Y.ravel() == value
        ax.scatter(X[0, mask], X[1, mask], color=cmap((value - low) / (high - low)), s=12,
                   edgecolors="k", linewidths=0.3, label=_class_name(value, classes))
    ax.legend(title=f"accuracy {100 * accuracy:.1f} %", loc="best", fontsize="small")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_decision_boundary(model, X, Y, path, resolution=300, title=None, dpi=100,
                           classes=None):
    """Colour the plane by ``model``'s prediction, draw the examples and save it to ``path``.

    The legend names the classes and gives the accuracy on (X, Y); see
    :func:`decision_boundary_figure` for the parameters.

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
    fig = decision_boundary_figure(model, X, Y, resolution=resolution, title=title,
                                   classes=classes)
    path = Path(path)
    fig.savefig(path, dpi=dpi)
    return path


def mislabelled_figure(X, Y, predictions, classes=("non-cat", "cat"), image_shape=None,
                       columns=5):
    """The pictures whose prediction is not their label, as the course's
    ``print_mislabeled_images``: each titled "Prediction: …" and "Class: …".

    Parameters
    ----------
    X : array (n_x, m)
        Flattened pictures, one per column, in the course's layout (H, W, channels), values
        in [0, 1].
    Y : array (1, m)
        Their labels.
    predictions : array (1, m)
        The model's labels, e.g. ``model.predict(X)``.
    classes : sequence of str
        The names of label 0 and label 1.
    image_shape : (H, W, channels), optional
        Default: square RGB pictures, n_x = 3·s² (64×64×3 for the cats).
    columns : int
        Pictures per row.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per mislabelled picture (none when every prediction is right).

    Examples
    --------
    >>> import numpy as np, nn
    >>> X = np.zeros((3 * 8 * 8, 4))
    >>> fig = nn.plotting.mislabelled_figure(X, np.array([[1, 0, 1, 0]]),
    ...                                      np.array([[1, 1, 0, 0]]))
    >>> [ax.get_title() for ax in fig.axes]
    ['Prediction: cat\\nClass: non-cat', 'Prediction: non-cat\\nClass: cat']
    """
    X = np.asarray(X.data if isinstance(X, ag.Tensor) else X)
    Y = np.asarray(Y).reshape(-1)
    predictions = np.asarray(predictions).reshape(-1)
    if X.ndim != 2 or Y.size != X.shape[1] or predictions.size != X.shape[1]:
        raise NNShapeError(f"mislabelled_figure: X has shape {X.shape}, Y {Y.shape} and "
                           f"predictions {predictions.shape}; give X (n_x, m) and both "
                           "labels as (1, m)")
    if image_shape is None:
        side = int(round(np.sqrt(X.shape[0] / 3)))
        if 3 * side * side != X.shape[0]:
            raise NNShapeError(f"mislabelled_figure: n_x = {X.shape[0]} is not 3·s² (square "
                               "RGB pictures); give image_shape=(H, W, channels)")
        image_shape = (side, side, 3)
    wrong = np.flatnonzero(predictions != Y)
    rows = max(1, -(-wrong.size // columns))
    fig = _figure((2.2 * columns, 2.6 * rows))
    for k, column in enumerate(wrong):
        ax = fig.add_subplot(rows, columns, k + 1)
        ax.imshow(X[:, column].reshape(image_shape).squeeze().clip(0, 1),
                  cmap="gray" if image_shape[-1] == 1 else None, interpolation="nearest")
        ax.set_title(f"Prediction: {_class_name(predictions[column], classes)}\n"
                     f"Class: {_class_name(Y[column], classes)}", fontsize="small")
        ax.axis("off")
    fig.tight_layout()
    return fig


def _colormap(name):
    from matplotlib import colormaps
    return colormaps[name]


def _class_name(value, classes):
    """The legend's name of label ``value``: ``classes[value]`` if given, else "y = value"."""
    number = int(value) if float(value).is_integer() else value
    if classes is not None and isinstance(number, int) and 0 <= number < len(classes):
        name = classes[number]
        return name.decode() if isinstance(name, bytes) else str(name)
    return f"y = {number}"
