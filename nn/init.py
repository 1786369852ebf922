"""Weight initializers in the course's layout: each returns W[l] of shape (n[l], n[l−1]).

Every initializer takes ``(n_out, n_in, rng)`` with ``n_out = n[l]`` and ``n_in = n[l−1]``.
``rng`` comes from :func:`make_rng`, which accepts a seed, a numpy ``Generator`` or a legacy
``RandomState``.  The biases b[l] always start at zero.

An integer seed means the course's stream everywhere in ``nn``: ``seed=1`` draws exactly what
the course's notebooks draw after ``np.random.seed(1)`` — ``np.random.randn(n[l], n[l−1])``
layer after layer — from its own ``np.random.RandomState(1)``, without touching numpy's global
state.  Pass a ``np.random.default_rng(...)`` Generator for numpy's newer stream.

=============  ==========================================  =================================
name           W[l] =                                      used for
=============  ==========================================  =================================
``zeros``      0                                           logistic regression (week 2)
``small``      randn(n[l], n[l−1]) · 0.01                  the shallow network (week 3)
``deep``       randn(n[l], n[l−1]) / √n[l−1]               the L-layer network (week 4)
``he``         randn(n[l], n[l−1]) · √(2 / n[l−1])         ReLU networks (He et al. 2015)
``xavier``     randn(n[l], n[l−1]) · √(2 / (n[l−1]+n[l]))  Glorot & Bengio 2010 (normal)
=============  ==========================================  =================================

Examples
--------
>>> import numpy as np
>>> from nn.init import initialize
>>> (W1, b1), (W2, b2) = initialize([3, 2, 1], "deep", seed=1)
>>> legacy = np.random.RandomState(1)      # the stream np.random.seed(1) gives the course
>>> np.array_equal(W1, legacy.randn(2, 3) / np.sqrt(3)), b1.shape
(True, (2, 1))
"""
from __future__ import annotations

import numbers

import numpy as np

from .errors import ConfigError, lookup


def make_rng(seed=None):
    """A random generator from ``seed``: None (fresh entropy), an int, a Generator or a RandomState.

    An int gives the course's stream, ``np.random.RandomState(seed)`` — the numbers
    ``np.random.seed(seed)`` makes numpy's global functions draw — so ``seed=1`` reproduces the
    course's notebooks.  A Generator or RandomState is returned as is, so several layers drawing
    from it continue one stream in order.  None gives a fresh ``np.random.default_rng()``.

    Examples
    --------
    >>> import numpy as np
    >>> from nn.init import make_rng
    >>> legacy = np.random.RandomState(1)          # what np.random.seed(1) sets up
    >>> np.array_equal(make_rng(1).standard_normal((2, 3)), legacy.randn(2, 3))
    True
    """
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return course_rng(seed)
    raise ConfigError(f"seed must be None, an int, a numpy Generator or a RandomState, "
                      f"not {type(seed).__name__}")


def course_rng(seed=1):
    """The course's random stream: ``np.random.RandomState(seed)``, as after ``np.random.seed(seed)``.

    The stream an integer ``seed`` means everywhere in ``nn`` (``seed=1`` and
    ``seed=course_rng(1)`` are the same).  ``seed`` must lie in [0, 2³²), as for numpy.

    Examples
    --------
    >>> import numpy as np
    >>> from nn.init import course_rng
    >>> float(course_rng(1).randn()) == float(np.random.RandomState(1).randn())
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) \
            or not 0 <= seed < 2 ** 32:
        raise ConfigError(f"seed must be an integer in [0, 2**32) (numpy's np.random.seed "
                          f"accepts no other), not {seed!r}")
    return np.random.RandomState(int(seed))


def _randn(rng, n_out, n_in):
    # RandomState.standard_normal(shape) is the very stream of the course's randn(n_out, n_in).
    return rng.standard_normal((n_out, n_in))


def zeros(n_out, n_in, rng=None, dtype=np.float64):
    """W = 0 (draws nothing from ``rng``).

    Examples
    --------
    >>> from nn import init
    >>> init.zeros(1, 3)
    array([[0., 0., 0.]])
    """
    return np.zeros((n_out, n_in), dtype=dtype)


def small(n_out, n_in, rng, dtype=np.float64):
    """W = randn(n_out, n_in) · 0.01, the course's shallow-network initialization.

    Examples
    --------
    >>> from nn import init
    >>> W = init.small(4, 2, init.make_rng(0))
    >>> W.shape, bool(abs(W).max() < 0.05)
    ((4, 2), True)
    """
    return (_randn(rng, n_out, n_in) * 0.01).astype(dtype, copy=False)


def deep(n_out, n_in, rng, dtype=np.float64):
    """W = randn(n_out, n_in) / √n_in, the course's L-layer initialization.

    Examples
    --------
    >>> import numpy as np
    >>> from nn import init
    >>> W = init.deep(20, 12288, init.course_rng(1))
    >>> bool(np.allclose(W.std(), 1 / np.sqrt(12288), rtol=0.01))
    True
    """
    return (_randn(rng, n_out, n_in) / np.sqrt(n_in)).astype(dtype, copy=False)


def he(n_out, n_in, rng, dtype=np.float64):
    """W = randn(n_out, n_in) · √(2 / n_in) (He initialization, for ReLU layers).

    Examples
    --------
    >>> from nn import init
    >>> init.he(3, 5, init.make_rng(0)).shape
    (3, 5)
    """
    return (_randn(rng, n_out, n_in) * np.sqrt(2.0 / n_in)).astype(dtype, copy=False)


def xavier(n_out, n_in, rng, dtype=np.float64):
    """W = randn(n_out, n_in) · √(2 / (n_in + n_out)) (Xavier/Glorot normal initialization).

    The course's lectures also call ``randn / √n[l−1]`` "Xavier"; that one is :func:`deep`.

    Examples
    --------
    >>> from nn import init
    >>> init.xavier(3, 5, init.make_rng(0)).shape
    (3, 5)
    """
    return (_randn(rng, n_out, n_in) * np.sqrt(2.0 / (n_in + n_out))).astype(dtype, copy=False)


INITIALIZERS = {"zeros": zeros, "small": small, "deep": deep, "he": he, "xavier": xavier,
                "glorot": xavier}


def get_initializer(name):
    """The initializer called ``name`` (one of :data:`INITIALIZERS`).

    Examples
    --------
    >>> from nn import init
    >>> init.get_initializer("he") is init.he
    True
    """
    return lookup(INITIALIZERS, name, "init")


def initialize(layer_dims, init="deep", seed=None, dtype=np.float64):
    """[(W[1], b[1]), …, (W[L], b[L])] for ``layer_dims = [n[0], …, n[L]]``, drawn layer by layer.

    Examples
    --------
    >>> from nn.init import initialize
    >>> [(W.shape, b.shape) for W, b in initialize([4, 3, 1], "he", seed=0)]
    [((3, 4), (3, 1)), ((1, 3), (1, 1))]
    """
    initializer = get_initializer(init)
    rng = make_rng(seed)
    return [(initializer(n_out, n_in, rng, dtype), np.zeros((n_out, 1), dtype=dtype))
            for n_in, n_out in zip(layer_dims[:-1], layer_dims[1:])]
