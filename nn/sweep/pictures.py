"""The pictures of a sweep: all cost curves, accuracy against a hyperparameter, and the
grid of decision boundaries of 2-D data (the course's hidden-size figure).

Each function returns a matplotlib ``Figure`` (object interface, Agg renderer, as
:mod:`nn.plotting`).  The curves are the costs each run folder's ``metrics.json`` keeps
(``printed_costs``), so a picture of finished runs needs nothing but their folders.

Examples
--------
>>> from nn.sweep.pictures import cost_curves_figure
>>> fig = cost_curves_figure([("lr=0.1", {0: 0.69, 50: 0.4}), ("lr=1", {0: 0.69, 50: 0.2})])
>>> [line.get_label() for line in fig.axes[0].get_lines()]
['lr=0.1', 'lr=1']
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..plotting import LOG_SCALE_FROM, _figure, decision_boundary_figure
from .space import format_value

MAX_BOUNDARIES = 30          # panels in one grid of decision boundaries
MAX_LEGEND = 12              # curves named in a legend


def cost_curves_figure(curves, title="Cost of every run", unit="iteration"):
    """One plot of the cost J of several runs: ``curves`` is ``[(label, {i: J})]``.

    Examples
    --------
    >>> cost_curves_figure([("a", {0: 1.0, 9: 0.001})]).axes[0].get_yscale()
    'log'
    """
    fig = _figure((7, 4.5))
    ax = fig.add_subplot()
    finite = []
    for label, costs in curves:
        steps = sorted(int(i) for i in costs)
        values = [costs[i] if i in costs else costs[str(i)] for i in steps]
        ax.plot(steps, values, label=label, linewidth=1.2)
        finite += [v for v in values if v is not None and math.isfinite(v)]
    if finite and min(finite) > 0 and max(finite) / min(finite) > LOG_SCALE_FROM:
        ax.set_yscale("log")
    ax.set_xlabel(unit)
    ax.set_ylabel("cost J")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if 0 < len(curves) <= MAX_LEGEND:
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def accuracy_figure(rows, x, others=()):
    """Train and test accuracy of the finished ``rows`` against the hyperparameter ``x``.

    A number is drawn on a numeric axis (logarithmic for a learning rate, or values over
    two decades); anything else (hidden sizes, names) one tick per value.  Each
    combination of the hyperparameters ``others`` is a line of its own.

    Examples
    --------
    >>> rows = [dict(status="ok", layers=[n], train_accuracy=a, test_accuracy=a - 0.1)
    ...         for n, a in ((1, 0.675), (4, 0.905))]
    >>> ax = accuracy_figure(rows, "layers").axes[0]
    >>> ax.get_xlabel(), [t.get_text() for t in ax.get_xticklabels()]
    ('layers', ['1', '4'])
    """
    rows = [row for row in rows if row["status"] == "ok"]
    values = list(dict.fromkeys(format_value(row[x]) for row in rows))
    numeric = rows and all(isinstance(row[x], numbers.Real) for row in rows)
    fig = _figure((7, 4.5))
    ax = fig.add_subplot()
    groups = {}
    for row in rows:
        groups.setdefault(tuple(format_value(row[name]) for name in others), []).append(row)
    for key, members in groups.items():
        members = sorted(members, key=lambda row: row[x] if numeric
                         else values.index(format_value(row[x])))
        where = [row[x] if numeric else values.index(format_value(row[x])) for row in members]
        suffix = ", ".join(f"{n}={v}" for n, v in zip(others, key))
        for split, style in (("train", "o-"), ("test", "s--")):
            ax.plot(where, [100 * row[f"{split}_accuracy"] for row in members], style,
                    label=f"{split} {suffix}".strip())
    if numeric:
        positive = [row[x] for row in rows if row[x] > 0]
        if x == "learning_rate" or (positive and max(positive) / min(positive) > 100):
            ax.set_xscale("log")
    else:
        ax.set_xticks(range(len(values)), values)
    ax.set_xlabel(x)
    ax.set_ylabel("accuracy (%)")
    ax.set_title(f"Accuracy against {x}")
    ax.grid(True, alpha=0.3)
    if len(groups) * 2 <= MAX_LEGEND:
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def boundaries_figure(panels, X, Y, columns=2, resolution=150):
    """The decision boundaries of several models, one panel each: ``[(title, model)]``.

    Each panel is :func:`nn.plotting.decision_boundary_figure` (with its accuracy in the
    legend), drawn and placed in the grid.

    Examples
    --------
    >>> import nn
    >>> X, Y = nn.datasets.xor(m=20, seed=0)
    >>> rule = lambda P: (P[0] > 0).astype(int).reshape(1, -1)
    >>> fig = boundaries_figure([("a", rule), ("b", rule), ("c", rule)], X, Y, resolution=20)
    >>> len(fig.axes)
    3
    """
    panels = panels[:MAX_BOUNDARIES]
    columns = min(columns, len(panels))
    rows = math.ceil(len(panels) / columns)
    fig = _figure((4.5 * columns, 3.9 * rows))
    for i, (title, model) in enumerate(panels):
        panel = decision_boundary_figure(model, X, Y, resolution=resolution, title=title)
        panel.canvas.draw()
        ax = fig.add_subplot(rows, columns, i + 1)
        ax.imshow(np.asarray(panel.canvas.buffer_rgba()))
        ax.set_axis_off()
    fig.tight_layout()
    return fig
