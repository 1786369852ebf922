"""The search space of nn.sweep: grid expansion, random sampling, run names, bad grids."""
import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from nn.sweep.space import (HYPERPARAMETERS, check_grid, grid_points, random_points,
                            run_name, swept)

FAST = dict(max_examples=40, deadline=None)

# valid values of each hyperparameter, as a user writes them
VALUES = {
    "model": st.sampled_from(["logreg", "shallow", "deep"]),
    "layers": st.one_of(st.integers(1, 60), st.lists(st.integers(1, 30), min_size=1,
                                                      max_size=3)),
    "hidden": st.sampled_from(nn.models.HIDDEN),
    "init": st.sampled_from(["small", "deep", "he", "xavier"]),
    "learning_rate": st.floats(1e-6, 10.0),
    "iterations": st.integers(1, 10_000),
    "optimizer": st.sampled_from(["gd", "momentum", "adam"]),
    "batch_size": st.one_of(st.none(), st.integers(1, 512)),
    "seed": st.integers(0, 2 ** 32 - 1),
}


def _key(value):
    return json.dumps(value)


def _layers_key(value):
    """4 and [4] are the same hidden layer sizes."""
    return _key([value] if isinstance(value, int) else value)


@st.composite
def grids(draw, max_values=3):
    """A grid: some hyperparameters, each with a list of 1..max_values distinct values."""
    names = draw(st.lists(st.sampled_from(HYPERPARAMETERS), min_size=1, max_size=4,
                          unique=True))
    return {name: draw(st.lists(VALUES[name], min_size=1, max_size=max_values,
                                unique_by=_layers_key if name == "layers" else _key))
            for name in names}


@given(grids())
@settings(**FAST)
def test_the_grid_is_every_combination_once_in_product_order(grid):
    checked = check_grid(grid)
    points = grid_points(checked)
    names = list(checked)
    expected = [dict(zip(names, combination))
                for combination in itertools.product(*checked.values())]
    assert points == expected
    assert len(points) == math.prod(len(values) for values in checked.values())
    assert all(list(point) == names for point in points)


@given(grids())
@settings(**FAST)
def test_checking_a_grid_twice_changes_nothing(grid):
    assert check_grid(check_grid(grid)) == check_grid(grid)


@given(grids())
@settings(**FAST)
def test_swept_names_the_hyperparameters_with_several_values(grid):
    checked = check_grid(grid)
    assert swept(checked) == [name for name in HYPERPARAMETERS
                              if name in checked and len(checked[name]) > 1]


@given(grids(), st.integers(1, 30), st.integers(0, 2 ** 31))
@settings(**FAST)
def test_random_points_come_from_the_grid_and_repeat_with_the_seed(grid, runs, seed):
    checked = check_grid(grid)
    points = random_points(checked, runs, seed)
    assert points == random_points(checked, runs, seed)
    assert 1 <= len(points) <= runs
    assert len({_key(p) for p in points}) == len(points)          # repeats dropped
    for point in points:
        assert all(point[name] in values for name, values in checked.items())


@given(st.floats(1e-8, 1.0), st.floats(1.5, 1e4), st.integers(1, 20), st.integers(0, 99))
@settings(**FAST)
def test_a_log_uniform_range_stays_within_its_bounds(low, ratio, runs, seed):
    grid = check_grid({"learning_rate": nn.log_uniform(low, low * ratio), "layers": [4]})
    points = random_points(grid, runs, seed)
    assert len(points) == runs                                      # continuous: no repeats
    assert all(low <= p["learning_rate"] <= low * ratio for p in points)


def test_log_uniform_gives_each_decade_the_same_share():
    rates = nn.log_uniform(1e-4, 1.0).sample(np.random.default_rng(0), 20_000)
    shares = np.histogram(np.log10(rates), bins=4, range=(-4, 0))[0] / rates.size
    assert np.all(np.abs(shares - 0.25) < 0.02)


@given(grids(max_values=2))
@settings(**FAST)
def test_run_names_differ_exactly_when_settings_differ(grid):
    checked = check_grid(grid)
    points = grid_points(checked)
    names = [run_name(dict(p, dataset="planar"), swept(checked)) for p in points]
    assert len(set(names)) == len(points)
    assert names == [run_name(dict(p, dataset="planar"), swept(checked)) for p in points]
    assert run_name(dict(points[0], dataset="planar"), swept(checked)) != \
        run_name(dict(points[0], dataset="moons"), swept(checked))


@pytest.mark.parametrize("grid, words", [
    ({"lr": [0.1]}, "unknown hyperparameter 'lr'"),
    ({"layers": []}, "layers: an empty list of values"),
    ({"learning_rate": ["fast"]}, "learning_rate: 'fast' is not a valid value"),
    ({"learning_rate": -1.0}, "learning_rate: -1.0 is not a valid value"),
    ({"iterations": [100, 2.5]}, "iterations: 2.5 is not a valid value"),
    ({"iterations": True}, "iterations: True is not a valid value"),
    ({"layers": [4, 0]}, "layers: 0 is not a valid value"),
    ({"layers": ["4"]}, "layers: '4' is not a valid value"),
    ({"hidden": ["swish"]}, "hidden: 'swish' is not a valid value (choose one of relu"),
    ({"seed": [-1]}, "seed: -1 is not a valid value"),
    ({"seed": [2 ** 32]}, "seed: 4294967296 is not a valid value"),
    ({"optimizer": "sgd"}, "optimizer: 'sgd' is not a valid value"),
    ({"iterations": nn.log_uniform(1, 10)}, "iterations: a range"),
    ("layers=4", "the grid must be a dict"),
])
def test_a_bad_grid_is_refused_in_one_line_naming_it(grid, words):
    with pytest.raises(nn.ConfigError) as caught:
        check_grid(grid)
    message = str(caught.value)
    assert words in message and "\n" not in message and message.startswith("sweep: ")


def test_a_range_needs_a_random_search():
    with pytest.raises(nn.ConfigError, match="needs search='random'"):
        grid_points(check_grid({"learning_rate": nn.log_uniform(1e-3, 1)}))
    with pytest.raises(nn.ConfigError, match="positive number of runs"):
        random_points(check_grid({"seed": [1, 2]}), 0)
    with pytest.raises(nn.ConfigError, match="low must be below high"):
        nn.log_uniform(1.0, 0.1)
