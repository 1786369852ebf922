"""The data sets ``autograd-lite train --dataset`` knows, each as a train and a test split.

=============  ==============================================================  ============
name           train / test                                                    features
=============  ==============================================================  ============
``planar``     the course's week-3 flower (400 points, ``np.random.seed(1)``);  2
               test: 400 fresh points of the same flower (seed 2)
``xor``        200 / 200 points in [−1, 1]², label = signs differ               2
``moons``      200 / 200 points on two interleaving half circles                2
``circles``    200 / 200 points on two concentric circles                       2
``catvnoncat`` the course's 209 / 50 cat pictures, read from ``--data-dir``      12288
=============  ==============================================================  ============

Examples
--------
>>> from autograd_lite.cli.data import load_dataset
>>> data = load_dataset("planar")
>>> data.train_x.shape, data.test_x.shape, data.title
((2, 400), (2, 400), 'the planar flower')
"""
from __future__ import annotations

from typing import NamedTuple, Optional

import numpy as np


class Dataset(NamedTuple):
    """A train and a test split in the course's layout (X (n_x, m), Y (1, m)).

    Examples
    --------
    >>> train_x, train_y, test_x, test_y, classes, title = load_dataset("moons")
    >>> train_x.shape, test_y.shape, title
    ((2, 200), (1, 200), 'two moons')
    """

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    classes: Optional[tuple]     # class names where the data has them (cats)
    title: str


def _generated(make, title):
    """A 2-D data set: training points from seed 0 (the course's 1 for the flower), test + 1."""
    def load(data_dir=None):
        train_x, train_y = make(train=True)
        test_x, test_y = make(train=False)
        return Dataset(train_x, train_y, test_x, test_y, None, title)
    return load


def _planar(train):
    import nn
    return nn.datasets.planar_flower(m=400, seed=1 if train else 2)


def _xor(train):
    import nn
    return nn.datasets.xor(m=200, seed=0 if train else 1)


def _moons(train):
    import nn
    return nn.datasets.moons(m=200, seed=0 if train else 1)


def _circles(train):
    import nn
    return nn.datasets.circles(m=200, seed=0 if train else 1)


def _catvnoncat(data_dir=None):
    import nn
    data = nn.datasets.load_catvnoncat(data_dir)
    return Dataset(data.train_x, data.train_y, data.test_x, data.test_y, tuple(data.classes),
                   "the cat / non-cat pictures")


DATASETS = {
    "planar": _generated(_planar, "the planar flower"),
    "xor": _generated(_xor, "xor"),
    "moons": _generated(_moons, "two moons"),
    "circles": _generated(_circles, "two circles"),
    "catvnoncat": _catvnoncat,
}


def load_dataset(name, data_dir=None):
    """The data set ``name`` (a key of ``DATASETS``) as a :class:`Dataset`.

    ``data_dir`` is only used by ``catvnoncat`` (default: ``$AUTOGRAD_LITE_DATA``, else the
    first of ``./shared/data``, ``../shared/data`` and ``shared/data`` beside the checkout
    that holds the files; see :func:`nn.datasets.data_dirs`).

    Examples
    --------
    >>> data = load_dataset("xor")
    >>> data.train_y.shape, data.classes
    ((1, 200), None)
    """
    return DATASETS[name](data_dir)
