"""Shared input makers for the tests of the numpy-vocabulary ops (not a test module)."""
import numpy as np
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import arrays, broadcastable_shapes

FIRST = dict(max_examples=25, deadline=None)
SECOND = dict(max_examples=12, deadline=None)


def any_shape_arrays(max_side=4, min_side=0, **kwargs):
    """Arrays of any shape up to 3-d, with 0-d, size-1 and empty (size-0) axes."""
    return arrays(min_side=min_side, max_side=max_side, **kwargs)


@st.composite
def pairs(draw, max_side=4, min_side=0):
    """Two arrays of mutually broadcastable shapes (0-d, size-1 and empty axes included)."""
    sa, sb = draw(broadcastable_shapes(min_side=min_side, max_side=max_side))
    return draw(arrays(sa)), draw(arrays(sb))


def away_from_zero(x, margin=0.5):
    """Same signs, magnitudes at least ``margin`` (for divisors and the like)."""
    return np.where(x >= 0, margin + np.abs(x), -margin - np.abs(x))


def distinct(x, low=0.3, step=0.1):
    """The same shape and signs, with all magnitudes distinct (no ties anywhere)."""
    flat = np.abs(x).ravel()
    ranks = np.empty(flat.size)
    ranks[np.argsort(flat, kind="stable")] = np.arange(flat.size)
    return (np.where(x >= 0, 1.0, -1.0) * (low + step * ranks.reshape(x.shape)))


def grads(f, *values):
    """The engine's gradient of f(*inputs).sum() for float64 leaves made from ``values``."""
    xs = [ag.tensor(v, requires_grad=True) for v in values]
    f(*xs).sum().backward()
    return [x.grad.numpy() for x in xs]
