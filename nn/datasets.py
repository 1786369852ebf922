"""Data sets in the course's layout: X (n_x, m) with one example per column, Y (1, m).

* :func:`load_catvnoncat` — week 2/4's cat pictures (64×64×3), read from the course's
  ``train_catvnoncat.h5`` and ``test_catvnoncat.h5``.
* :func:`planar_flower` — week 3's two-class "flower", generated from the course's formula.
* :func:`xor`, :func:`circles`, :func:`moons` — small 2-D sets for demos, no download.

Examples
--------
>>> import nn
>>> X, Y = nn.datasets.planar_flower()
>>> X.shape, Y.shape
((2, 400), (1, 400))
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .errors import ConfigError, FileFormatError, MissingFileError
from .init import make_rng
from .layers import _positive_int

DATA_ENV = "AUTOGRAD_LITE_DATA"
CAT_FILES = ("train_catvnoncat.h5", "test_catvnoncat.h5")
# the folder that holds this checkout (after a non-editable install: site-packages' parent)
_BESIDE_THE_CHECKOUT = Path(__file__).resolve().parent.parent.parent
_WAYS = (f"point at the folder that holds {' and '.join(CAT_FILES)} with --data-dir DIR "
         f"(autograd-lite train and the examples), load_catvnoncat(data_dir=DIR) in Python, "
         f"or the environment variable {DATA_ENV}=DIR; or put the files in ./shared/data")


def data_dirs():
    """The folders searched for the course's data files, in order.

    ``$AUTOGRAD_LITE_DATA`` alone when it is set; otherwise ``./shared/data`` and
    ``../shared/data`` (relative to the current folder, so that it works after a
    non-editable ``pip install .`` too) and the ``shared/data`` folder beside this checkout.

    Examples
    --------
    >>> import nn
    >>> all(folder.parts[-2:] == ("shared", "data") for folder in nn.datasets.data_dirs())
    True
    """
    env = os.environ.get(DATA_ENV)
    if env:
        return [Path(env)]
    cwd = Path.cwd()
    folders = [cwd / "shared" / "data", cwd.parent / "shared" / "data",
               _BESIDE_THE_CHECKOUT / "shared" / "data"]
    return list(dict.fromkeys(folders))              # in order, each once


def default_data_dir():
    """Where the course's data files are: the first of :func:`data_dirs` that holds them
    (the first of them when none does).

    Examples
    --------
    >>> import nn
    >>> nn.datasets.default_data_dir().name
    'data'
    """
    folders = data_dirs()
    for folder in folders:
        if all((folder / name).is_file() for name in CAT_FILES):
            return folder
    return folders[0]


class CatData(NamedTuple):
    """The cat/non-cat data: flattened, scaled pictures and labels in the course's layout.

    A named tuple, so it unpacks like the course's ``load_data()``.

    Examples
    --------
    >>> import numpy as np
    >>> from nn.datasets import CatData
    >>> data = CatData(np.zeros((12288, 2)), np.zeros((1, 2)), np.zeros((12288, 1)),
    ...                np.zeros((1, 1)), ("non-cat", "cat"))
    >>> train_x, train_y, test_x, test_y, classes = data
    >>> data.train_x is train_x
    True
    """

    train_x: np.ndarray      # (12288, 209), values in [0, 1]
    train_y: np.ndarray      # (1, 209), 0 = non-cat, 1 = cat
    test_x: np.ndarray       # (12288, 50)
    test_y: np.ndarray       # (1, 50)
    classes: tuple           # ("non-cat", "cat")


def _read_h5(path, x_key, y_key):
    import h5py

    if not path.is_file():
        raise MissingFileError(f"load_catvnoncat: no data file at {path}; {_WAYS}")
    try:
        with h5py.File(path, "r") as f:
            x_orig, y_orig = f[x_key][:], f[y_key][:]
            classes = tuple(c.decode() if isinstance(c, bytes) else str(c)
                            for c in f["list_classes"][:])
    except (OSError, KeyError) as exc:
        raise FileFormatError(f"load_catvnoncat: cannot read {path}: {exc}") from None
    if x_orig.ndim != 4 or y_orig.shape != (x_orig.shape[0],):
        raise FileFormatError(f"load_catvnoncat: {path} holds pictures of shape "
                              f"{x_orig.shape} and labels of shape {y_orig.shape}; expected "
                              "(m, height, width, 3) and (m,)")
    return x_orig, y_orig, classes


def load_catvnoncat(data_dir=None):
    """The course's cat/non-cat pictures as ``(train_x, train_y, test_x, test_y, classes)``.

    Each picture is flattened to a column and scaled to [0, 1]: ``X = x_orig.reshape(m, -1).T
    / 255``, so train_x is (12288, 209) and test_x (12288, 50); Y is (1, m) of 0/1 (int64).

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder with ``train_catvnoncat.h5`` and ``test_catvnoncat.h5``; default: the first
        of :func:`data_dirs` that holds them.  A missing file raises
        :class:`~nn.errors.MissingFileError` naming its path (or every folder searched)
        and every way to point at the data.

    Examples
    --------
    >>> import nn
    >>> data = nn.datasets.load_catvnoncat()             # doctest: +SKIP
    >>> data.train_x.shape, data.test_y.shape, data.classes  # doctest: +SKIP
    ((12288, 209), (1, 50), ('non-cat', 'cat'))
    """
    if data_dir is None:
        data_dir = default_data_dir()
        if not (data_dir / CAT_FILES[0]).is_file():
            raise MissingFileError(
                f"load_catvnoncat: the course's data files were not found; looked in "
                f"{', '.join(map(str, data_dirs()))}. To use them, {_WAYS}")
    data_dir = Path(data_dir)
    train_x, train_y, classes = _read_h5(data_dir / "train_catvnoncat.h5",
                                         "train_set_x", "train_set_y")
    test_x, test_y, _ = _read_h5(data_dir / "test_catvnoncat.h5", "test_set_x", "test_set_y")
    return CatData(train_x.reshape(train_x.shape[0], -1).T / 255,
                   train_y.reshape(1, -1),
                   test_x.reshape(test_x.shape[0], -1).T / 255,
                   test_y.reshape(1, -1),
                   classes)


def planar_flower(m=400, seed=1):
    """Week 3's flower: two classes of m/2 points each on the petals of r = 4·sin(4t).

    Generated from the course's ``load_planar_dataset`` formula with a private
    ``np.random.RandomState(seed)`` (the course's ``np.random.seed(1)`` stream for seed 1;
    numpy's global state is left alone).  Returns X (2, m) and Y (1, m), both float64: the
    course's Y is uint8, whose ``2 * Y - 1`` wraps around to 255 instead of giving −1.

    Examples
    --------
    >>> import nn
    >>> X, Y = nn.datasets.planar_flower(m=400)
    >>> X.shape, Y.dtype.name, int(Y.sum()), sorted(set((2 * Y - 1).ravel().tolist()))
    ((2, 400), 'float64', 200, [-1.0, 1.0])
    """
    m = _positive_int(m, "planar_flower: m")
    if m % 2:
        raise ConfigError(f"planar_flower: m must be even (two classes of m/2 points), not {m}")
    rng = seed if isinstance(seed, np.random.RandomState) else np.random.RandomState(seed)
    N, D, a = m // 2, 2, 4
    X = np.zeros((m, D))
    Y = np.zeros((m, 1))
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + rng.randn(N) * 0.2   # theta
        r = a * np.sin(4 * t) + rng.randn(N) * 0.2                          # radius
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def xor(m=200, seed=0):
    """Points uniform in [−1, 1]²; y = 1 where exactly one coordinate is positive.

    Returns X (2, m) float64 and Y (1, m) int64.

    Examples
    --------
    >>> import nn
    >>> X, Y = nn.datasets.xor(m=4, seed=0)
    >>> bool(((X[0] > 0) != (X[1] > 0)).astype(int).tolist() == Y[0].tolist())
    True
    """
    m = _positive_int(m, "xor: m")
    X = make_rng(seed).uniform(-1.0, 1.0, size=(2, m))
    Y = ((X[0] > 0) != (X[1] > 0)).astype(np.int64).reshape(1, m)
    return X, Y


def circles(m=200, noise=0.05, factor=0.5, seed=0):
    """Two concentric circles: y = 0 on the unit circle, y = 1 on radius ``factor``.

    Gaussian noise of standard deviation ``noise`` is added to each coordinate.
    Returns X (2, m) float64 and Y (1, m) int64 (the first m//2 examples are y = 0).

    Examples
    --------
    >>> import numpy as np, nn
    >>> X, Y = nn.datasets.circles(m=6, noise=0.0)
    >>> np.hypot(*X).round(6).tolist(), Y.tolist()
    ([1.0, 1.0, 1.0, 0.5, 0.5, 0.5], [[0, 0, 0, 1, 1, 1]])
    """
    m = _positive_int(m, "circles: m")
    if not 0 < factor < 1:
        raise ConfigError(f"circles: factor must be in (0, 1), not {factor!r}")
    rng = make_rng(seed)
    Y = (np.arange(m) >= m // 2).astype(np.int64)
    radius = np.where(Y == 1, factor, 1.0)
    angle = rng.uniform(0.0, 2 * np.pi, size=m)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += rng.normal(0.0, noise, size=X.shape) if noise else 0.0
    return X, Y.reshape(1, m)


def moons(m=200, noise=0.1, seed=0):
    """Two interleaving half circles: y = 0 on the upper one, y = 1 on the lower one.

    Gaussian noise of standard deviation ``noise`` is added to each coordinate.
    Returns X (2, m) float64 and Y (1, m) int64 (the first m//2 examples are y = 0).

    Examples
    --------
    >>> import nn
    >>> X, Y = nn.datasets.moons(m=100, seed=0)
    >>> X.shape, int(Y.sum())
    ((2, 100), 50)
    """
    m = _positive_int(m, "moons: m")
    rng = make_rng(seed)
    n_upper = m // 2
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, m - n_upper)
    X = np.concatenate([np.stack([np.cos(t_upper), np.sin(t_upper)]),
                        np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])], axis=1)
    X += rng.normal(0.0, noise, size=X.shape) if noise else 0.0
    Y = (np.arange(m) >= n_upper).astype(np.int64).reshape(1, m)
    return X, Y
