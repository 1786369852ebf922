"""Hypothesis strategies and assertions for property-testing your own differentiable functions.

Our own test suite uses exactly these.  Requires ``hypothesis`` (in the ``dev`` extra).

Examples
--------
>>> from hypothesis import given, settings
>>> import autograd_lite as ag
>>> from autograd_lite.testing import arrays, assert_gradients_match
>>> @settings(max_examples=10, deadline=None)
... @given(arrays(shape=(2, 3)))
... def test_my_softsign(x):
...     assert_gradients_match(lambda t: t / (1 + ag.abs(t)), [x])
>>> test_my_softsign()
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .gradcheck import gradcheck, gradgradcheck
from .tensor import Tensor

__all__ = ["shapes", "arrays", "tensors", "broadcastable_shapes", "axes",
           "assert_gradients_match", "assert_second_gradients_match"]


def shapes(min_dims=0, max_dims=3, min_side=1, max_side=4):
    """Array shapes, including 0-d ``()`` and size-1 axes by default."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def arrays(shape=None, dtype=np.float64, min_value=-5.0, max_value=5.0, **shape_kwargs):
    """float arrays with finite values in ``[min_value, max_value]``.

    ``shape`` may be a tuple or a strategy; by default any shape from :func:`shapes`.
    """
    if shape is None:
        shape = shapes(**shape_kwargs)
    elements = st.floats(min_value=min_value, max_value=max_value, allow_nan=False,
                         allow_infinity=False, width=np.dtype(dtype).itemsize * 8)
    return hnp.arrays(dtype=dtype, shape=shape, elements=elements)


def tensors(shape=None, dtype=np.float64, requires_grad=False, **kwargs):
    """Tensors built from :func:`arrays`."""
    return arrays(shape, dtype, **kwargs).map(
        lambda a: Tensor(a, requires_grad=requires_grad))


def broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=4):
    """Tuples of ``num_shapes`` shapes that broadcast together (numpy's rules).

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(broadcastable_shapes())
    ... def test(pair):
    ...     np.broadcast_shapes(*pair)      # never raises
    >>> test()
    """
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
        max_side=max_side).map(lambda result: result.input_shapes)


def axes(ndim, allow_none=True, allow_tuple=True):
    """A reduction ``axis`` for an array of ``ndim`` dimensions: None, an int or a tuple."""
    options = []
    if allow_none:
        options.append(st.none())
    if ndim > 0:
        options.append(st.integers(-ndim, ndim - 1))
        if allow_tuple:
            options.append(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim,
                                    unique=True).map(tuple))
    return st.one_of(*options)


def assert_gradients_match(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Assert that the engine's gradient of ``f`` matches central differences (first order).

    Kinks crossed by the finite-difference step are tolerated (reported as warnings).
    """
    report = gradcheck(f, inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=False)
    assert report.passed, str(report)
    return report


def assert_second_gradients_match(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Assert that second derivatives (grad of grad) of ``f`` match central differences."""
    report = gradgradcheck(f, inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=False)
    assert report.passed, str(report)
    return report
