"""autograd_lite.testing: the strategies produce what they promise, the assertions catch
wrong derivatives."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.ops.activation import Tanh
from autograd_lite.testing import (arrays, assert_gradients_match,
                                   assert_second_gradients_match, axes, broadcastable_shapes,
                                   shapes, tensors)

MANY = settings(max_examples=60, deadline=None)


@MANY
@given(shape=shapes())
def test_shapes_default_bounds(shape):
    assert isinstance(shape, tuple) and 0 <= len(shape) <= 3
    assert all(1 <= n <= 4 for n in shape)


@MANY
@given(data=st.data(), bounds=st.tuples(st.integers(0, 2), st.integers(0, 2),
                                        st.integers(1, 3), st.integers(0, 3)))
def test_shapes_respect_their_arguments(data, bounds):
    min_dims, extra_dims, min_side, extra_side = bounds
    shape = data.draw(shapes(min_dims, min_dims + extra_dims, min_side, min_side + extra_side))
    assert min_dims <= len(shape) <= min_dims + extra_dims
    assert all(min_side <= n <= min_side + extra_side for n in shape)


@MANY
@given(x=arrays())
def test_arrays_are_finite_float64_within_bounds(x):
    assert isinstance(x, np.ndarray) and x.dtype == np.float64
    assert np.all(np.isfinite(x)) and np.all((x >= -5.0) & (x <= 5.0))


@MANY
@given(x=arrays(shape=(2, 3), dtype=np.float32, min_value=0.5, max_value=1.5))
def test_arrays_take_a_shape_dtype_and_range(x):
    assert x.shape == (2, 3) and x.dtype == np.float32
    assert np.all((x >= 0.5) & (x <= 1.5))


@MANY
@given(x=arrays(shape=shapes(min_dims=2, max_dims=2, max_side=2)))
def test_arrays_take_a_shape_strategy(x):
    assert x.ndim == 2 and max(x.shape) <= 2


@MANY
@given(t=tensors(requires_grad=True), c=tensors(shape=(3,)))
def test_tensors_are_tensors(t, c):
    assert isinstance(t, ag.Tensor) and t.requires_grad and t.is_leaf
    assert t.dtype == np.float64
    assert isinstance(c, ag.Tensor) and c.shape == (3,) and not c.requires_grad


@MANY
@given(pair=broadcastable_shapes())
def test_broadcastable_shapes_broadcast(pair):
    assert len(pair) == 2
    result = np.broadcast_shapes(*pair)
    np.broadcast_to(np.zeros(pair[0]), result)
    np.broadcast_to(np.zeros(pair[1]), result)
    assert all(len(s) <= 3 and all(1 <= n <= 4 for n in s) for s in pair)


@pytest.mark.filterwarnings("ignore:.*rank-1 array")
@MANY
@given(shapes_=broadcastable_shapes(num_shapes=3, min_dims=1, max_dims=2, max_side=3))
def test_broadcastable_shapes_of_three(shapes_):
    assert len(shapes_) == 3 and all(1 <= len(s) <= 2 for s in shapes_)
    out = (ag.tensor(np.ones(shapes_[0])) + np.ones(shapes_[1])) * np.ones(shapes_[2])
    assert out.shape == np.broadcast_shapes(*shapes_)


def test_broadcastable_shapes_cover_size_one_and_0d():
    seen = {"0-d": False, "differ": False}

    @settings(max_examples=150, deadline=None)
    @given(pair=broadcastable_shapes())
    def look(pair):
        seen["0-d"] |= () in pair
        seen["differ"] |= pair[0] != pair[1]

    look()
    assert seen == {"0-d": True, "differ": True}


@MANY
@given(data=st.data(), ndim=st.integers(0, 4))
def test_axes_are_valid_for_the_given_ndim(data, ndim):
    axis = data.draw(axes(ndim))
    x = np.zeros((2,) * ndim)
    if isinstance(axis, int):
        assert -ndim <= axis < ndim
    elif axis is not None:
        assert isinstance(axis, tuple) and 1 <= len(axis) <= ndim
        assert len(set(axis)) == len(axis) and all(0 <= a < ndim for a in axis)
    assert ag.tensor(x).sum(axis=axis).shape == np.sum(x, axis=axis).shape


@MANY
@given(data=st.data(), ndim=st.integers(1, 3))
def test_axes_options(data, ndim):
    assert data.draw(axes(ndim, allow_none=False)) is not None
    assert isinstance(data.draw(axes(ndim, allow_none=False, allow_tuple=False)), int)


def test_axes_of_a_0d_array_can_only_be_none():
    @settings(max_examples=10, deadline=None)
    @given(axis=axes(0))
    def check(axis):
        assert axis is None
    check()


# --- the assertions --------------------------------------------------------------------------

def test_assert_gradients_match_returns_the_report_when_right():
    report = assert_gradients_match(ag.tanh, [np.array([0.1, -0.5])])
    assert report.passed


def test_assert_gradients_match_fails_on_a_wrong_derivative(monkeypatch):
    monkeypatch.setattr(Tanh, "backward", lambda self, grad, out, *rest: (grad * out,))
    with pytest.raises(AssertionError, match="gradcheck: FAILED"):
        assert_gradients_match(ag.tanh, [np.array([0.1, -0.5])])


def test_assert_second_gradients_match(monkeypatch):
    x = np.array([0.1, -0.5])
    assert assert_second_gradients_match(ag.tanh, [x]).passed
    def first_order_only(self, grad, out, *rest):
        values = out.detach() if isinstance(out, ag.Tensor) else out    # drops out's graph
        return (grad * (1 - values ** 2),)
    monkeypatch.setattr(Tanh, "backward", first_order_only)
    assert_gradients_match(ag.tanh, [x])                     # first order still right
    with pytest.raises(AssertionError, match="FAILED"):
        assert_second_gradients_match(ag.tanh, [x])


def test_assert_gradients_match_tolerates_kinks():
    report = assert_gradients_match(ag.relu, [np.array([0.0, 1.0])])
    assert report.inputs[0].status == "kink"
