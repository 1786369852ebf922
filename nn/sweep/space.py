"""The search space of a sweep: checking a grid, expanding it, sampling it, naming its runs.

A grid maps hyperparameters to their values: a list (or tuple) of values is swept, a single
value is fixed.  ``layers`` takes hidden sizes: ``4`` is one hidden layer of 4 units and
``[20, 7, 5]`` three layers, so ``{"layers": [1, 2, 3]}`` sweeps three shallow networks and
``{"layers": [[20, 7, 5], [8, 4]]}`` two deep ones.  For a random search the learning rate
may also be a range, :func:`log_uniform`.

Examples
--------
>>> from nn.sweep.space import check_grid, grid_points, swept
>>> grid = check_grid({"layers": [1, 2], "learning_rate": [0.5, 1.2], "iterations": 100})
>>> [(p["layers"], p["learning_rate"]) for p in grid_points(grid)]
[([1], 0.5), ([1], 1.2), ([2], 0.5), ([2], 1.2)]
>>> swept(grid)
['layers', 'learning_rate']
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
import numbers
import re

import numpy as np

from ..errors import ConfigError

MODELS = ("logreg", "shallow", "deep", "cnn")
OPTIMIZERS = ("gd", "momentum", "adam")
# The hyperparameters a grid may name, in the order of the table's columns.
HYPERPARAMETERS = ("model", "layers", "hidden", "init", "learning_rate", "iterations",
                   "optimizer", "batch_size", "seed")


class LogUniform:
    """A learning rate drawn log-uniformly from [low, high] in a random search.

    ``log(α)`` is uniform, so each decade of the range gets as many runs: the course's
    advice for the learning rate (week 2 of course 2), rather than a uniform draw that
    would put 90 % of the runs in the top decade.

    Examples
    --------
    >>> import numpy as np
    >>> rates = LogUniform(1e-4, 1.0).sample(np.random.default_rng(0), 1000)
    >>> bool(rates.min() >= 1e-4 and rates.max() <= 1.0), bool(0.4 < (rates < 1e-2).mean() < 0.6)
    (True, True)
    """

    def __init__(self, low, high):
        for name, value in (("low", low), ("high", high)):
            if not _positive_number(value):
                raise ConfigError(f"sweep: log_uniform: {name} must be a positive number, "
                                  f"not {value!r}")
        if not low < high:
            raise ConfigError(f"sweep: log_uniform: low must be below high, not {low!r} "
                              f">= {high!r}")
        self.low, self.high = float(low), float(high)

    def sample(self, rng, size=None):
        """Draw from ``rng`` (a numpy Generator): floats in [low, high]."""
        return np.exp(rng.uniform(math.log(self.low), math.log(self.high), size))

    def __repr__(self):
        return f"log_uniform({self.low:g}, {self.high:g})"


def log_uniform(low, high):
    """The range [low, high] for the learning rate of a random search, sampled log-uniformly.

    Examples
    --------
    >>> log_uniform(1e-4, 1)
    log_uniform(0.0001, 1)
    """
    return LogUniform(low, high)


# --- checking -----------------------------------------------------------------------------
def _positive_number(value):
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value) and value > 0)


def _integer(value, low, high=None):
    return (isinstance(value, numbers.Integral) and not isinstance(value, bool)
            and value >= low and (high is None or value < high))


def _choice(choices):
    def check(value):
        if isinstance(value, str) and value in choices:
            return value
        raise ValueError(f"choose one of {', '.join(choices)}")
    return check


def _layers(value):
    """4 -> [4]; [20, 7, 5] -> [20, 7, 5]; [] (logreg) -> []."""
    if _integer(value, 1):
        return [int(value)]
    if isinstance(value, (list, tuple)) and all(_integer(n, 1) for n in value):
        return [int(n) for n in value]
    raise ValueError("give hidden sizes: an int such as 4, or a list such as [20, 7, 5]")


def _learning_rate(value):
    if _positive_number(value):
        return float(value)
    raise ValueError("a learning rate is a positive number")


def _positive_int(value):
    if _integer(value, 1):
        return int(value)
    raise ValueError("expected a positive integer")


def _batch_size(value):
    return None if value is None else _positive_int(value)


def _seed(value):
    if _integer(value, 0, 2 ** 32):
        return int(value)
    raise ValueError("a seed is an integer with 0 <= seed < 2**32")


def _checkers():
    from ..init import INITIALIZERS
    from ..models import HIDDEN

    return {"model": _choice(MODELS), "layers": _layers, "hidden": _choice(HIDDEN),
            "init": _choice(sorted(INITIALIZERS)), "learning_rate": _learning_rate,
            "iterations": _positive_int, "optimizer": _choice(OPTIMIZERS),
            "batch_size": _batch_size, "seed": _seed}


def check_grid(grid):
    """The grid with every value checked and normalised: ``{name: list of values or range}``.

    Refuses, with one line naming the hyperparameter and the value, an unknown name, an
    empty list, a value of the wrong type and a range for anything but the learning rate.

    Examples
    --------
    >>> check_grid({"layers": 4, "learning_rate": [1.2]})
    {'layers': [[4]], 'learning_rate': [1.2]}
    >>> check_grid({"lr": [0.1]})
    Traceback (most recent call last):
    ...
    nn.errors.ConfigError: sweep: unknown hyperparameter 'lr'; choose from model, layers, hidden, init, learning_rate, iterations, optimizer, batch_size, seed
    """
    if not isinstance(grid, dict):
        raise ConfigError(f"sweep: the grid must be a dict {{hyperparameter: values}}, not "
                          f"{type(grid).__name__}")
    checkers, checked = _checkers(), {}
    for name, values in grid.items():
        if name not in checkers:
            raise ConfigError(f"sweep: unknown hyperparameter {name!r}; choose from "
                              f"{', '.join(HYPERPARAMETERS)}")
        if isinstance(values, LogUniform):
            if name != "learning_rate":
                raise ConfigError(f"sweep: {name}: a range ({values!r}) is only for "
                                  "learning_rate; give a list of values")
            checked[name] = values
            continue
        # a list of values is swept; anything else is one fixed value (layers=[20, 7, 5]
        # would be three sweeps of one layer each: write [[20, 7, 5]] for one deep network)
        many = isinstance(values, (list, tuple))
        if many and not values:
            raise ConfigError(f"sweep: {name}: an empty list of values; give at least one")
        listed = list(values) if many else [values]
        normalised = []
        for value in listed:
            try:
                normalised.append(checkers[name](value))
            except ValueError as why:
                raise ConfigError(f"sweep: {name}: {value!r} is not a valid value ({why})") \
                    from None
        checked[name] = normalised
    return {name: checked[name] for name in HYPERPARAMETERS if name in checked}


def swept(grid):
    """The hyperparameters that take more than one value (or a range), in column order.

    Examples
    --------
    >>> swept({"layers": [[1], [2]], "iterations": [100]})
    ['layers']
    """
    return [name for name, values in grid.items()
            if isinstance(values, LogUniform) or len(values) > 1]


# --- the runs -----------------------------------------------------------------------------
def grid_points(grid):
    """Every combination of the grid's values, the last hyperparameter changing fastest.

    Examples
    --------
    >>> len(grid_points({"seed": [1, 2, 3], "hidden": ["tanh", "relu"]}))
    6
    """
    if any(isinstance(values, LogUniform) for values in grid.values()):
        raise ConfigError("sweep: a range (log_uniform) needs search='random'; a grid "
                          "search takes lists of values")
    names = list(grid)
    return [dict(zip(names, combination))
            for combination in itertools.product(*(grid[name] for name in names))]


def random_points(grid, runs, seed=0):
    """``runs`` points drawn from the grid: a list gives one of its values, a range a
    log-uniform draw.  The same ``seed`` draws the same points; repeats are dropped.

    Examples
    --------
    >>> points = random_points({"learning_rate": log_uniform(1e-3, 1), "seed": [1, 2]}, 3)
    >>> len(points), all(1e-3 <= p["learning_rate"] <= 1 for p in points)
    (3, True)
    """
    if not _integer(runs, 1):
        raise ConfigError(f"sweep: a random search needs runs, a positive number of runs, "
                          f"not {runs!r}")
    rng = np.random.default_rng(seed)
    points, seen = [], set()
    for _ in range(runs):
        point = {}
        for name, values in grid.items():
            if isinstance(values, LogUniform):
                point[name] = float(values.sample(rng))
            else:
                point[name] = values[int(rng.integers(len(values)))]
        key = json.dumps(point, sort_keys=True)
        if key not in seen:
            seen.add(key)
            points.append(point)
    return points


def format_value(value):
    """A value as the table and the folder names write it: ``20,7,5``, ``1.2``, ``tanh``.

    Examples
    --------
    >>> format_value([20, 7, 5]), format_value(0.0075), format_value(None)
    ('20,7,5', '0.0075', '')
    """
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ",".join(str(n) for n in value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def label(settings, names):
    """``layers=4, learning_rate=1.2``: the values of ``names`` in ``settings``.

    Examples
    --------
    >>> label({"layers": [4], "seed": 2}, ["layers", "seed"])
    'layers=4, seed=2'
    """
    return ", ".join(f"{name}={format_value(settings[name])}" for name in names)


def run_name(settings, names):
    """The run's folder name: the swept values, then a hash of all its settings.

    Two runs with the same settings have the same name (so a rerun finds its folder), and
    any other setting changes the hash (so a run with more iterations is a new run).

    Examples
    --------
    >>> s = {"dataset": "planar", "layers": [4], "learning_rate": 1.2}
    >>> run_name(s, ["layers"])
    'layers=4-...'
    """
    digest = hashlib.sha1(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:8]
    readable = "_".join(f"{name}={format_value(settings[name])}" for name in names)
    readable = re.sub(r"[^A-Za-z0-9=.,_+-]", "-", readable)
    return f"{readable}-{digest}" if readable else f"run-{digest}"
