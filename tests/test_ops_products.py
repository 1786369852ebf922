"""tensordot, dot (N-D), inner, outer, kron, cross: values equal numpy's exactly, gradients
at first and second order over random shapes."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import arrays, assert_gradients_match, assert_second_gradients_match
from autograd_lite.testing import shapes

FIRST = settings(max_examples=25, deadline=None)
SECOND = settings(max_examples=10, deadline=None)


def small(shape):
    return arrays(shape, min_value=-2.0, max_value=2.0)


@st.composite
def tensordot_case(draw):
    summed = draw(st.lists(st.integers(0, 3), max_size=2))
    free_a = draw(st.lists(st.integers(1, 3), max_size=2))
    free_b = draw(st.lists(st.integers(1, 3), max_size=2))
    # put the summed axes at random places in each operand, in a random pairing order
    order = draw(st.permutations(range(len(summed))))
    pos_a = draw(st.permutations(range(len(summed) + len(free_a))))
    pos_b = draw(st.permutations(range(len(summed) + len(free_b))))
    shape_a, shape_b = [0] * len(pos_a), [0] * len(pos_b)
    for i, p in enumerate(pos_a):
        shape_a[p] = summed[i] if i < len(summed) else free_a[i - len(summed)]
    for i, p in enumerate(pos_b):
        shape_b[p] = summed[order[i]] if i < len(summed) else free_b[i - len(summed)]
    axes_a = list(pos_a[:len(summed)])
    axes_b = [pos_b[list(order).index(i)] for i in range(len(summed))]
    if not summed and draw(st.booleans()):
        axes = 0
    else:
        axes = (axes_a, axes_b)
    return draw(small(tuple(shape_a))), draw(small(tuple(shape_b))), axes


@FIRST
@given(tensordot_case())
def test_tensordot_value_and_first_order(case):
    a, b, axes = case
    expected = np.tensordot(a, b, axes)
    np.testing.assert_array_equal(ag.tensordot(a, b, axes).numpy(), expected)
    np.testing.assert_array_equal(np.tensordot(ag.tensor(a), b, axes).numpy(), expected)
    assert_gradients_match(lambda x, y: ag.tensordot(x, y, axes), [a, b])


@SECOND
@given(tensordot_case())
def test_tensordot_second_order(case):
    a, b, axes = case
    assert_second_gradients_match(lambda x, y: ag.tensordot(x, y, axes) ** 2, [a, b])


@st.composite
def dot_case(draw):
    k = draw(st.integers(1, 3))
    lead_a = draw(st.lists(st.integers(1, 3), max_size=2))
    lead_b = draw(st.lists(st.integers(1, 2), max_size=2))
    b_shape = tuple(lead_b) + (k, draw(st.integers(1, 3))) if draw(st.booleans()) else (k,)
    return draw(small(tuple(lead_a) + (k,))), draw(small(b_shape))


@FIRST
@given(dot_case())
def test_dot_of_any_rank_matches_numpy(case):
    a, b = case
    expected = np.dot(a, b)
    for got in (ag.dot(a, b), np.dot(ag.tensor(a), b), ag.tensor(a).dot(b)):
        np.testing.assert_array_equal(got.numpy(), expected)
    assert_gradients_match(ag.dot, [a, b])
    assert_second_gradients_match(lambda x, y: ag.dot(x, y) ** 2, [a, b])


@FIRST
@given(dot_case())
def test_inner_matches_numpy(case):
    a, b = case
    b = np.moveaxis(b, -2, -1) if b.ndim > 1 else b      # inner sums over both last axes
    expected = np.inner(a, b)
    np.testing.assert_array_equal(ag.inner(a, b).numpy(), expected)
    np.testing.assert_array_equal(np.inner(ag.tensor(a), b).numpy(), expected)
    assert_gradients_match(ag.inner, [a, b])
    assert_second_gradients_match(lambda x, y: ag.inner(x, y) ** 2, [a, b])


@FIRST
@given(a=small(shapes(max_dims=3, max_side=3)), b=small(shapes(max_dims=3, max_side=3)))
def test_outer_and_kron_match_numpy(a, b):
    for ag_f, np_f in ((ag.outer, np.outer), (ag.kron, np.kron)):
        expected = np_f(a, b)
        np.testing.assert_array_equal(ag_f(a, b).numpy(), expected)
        np.testing.assert_array_equal(np_f(ag.tensor(a), ag.tensor(b)).numpy(), expected)
        assert_gradients_match(ag_f, [a, b])
        assert_second_gradients_match(lambda x, y: ag_f(x, y) ** 2, [a, b])


@st.composite
def cross_case(draw):
    batch_a, batch_b = draw(st.sampled_from([((), ()), ((2,), ()), ((2, 1), (3,)), ((1,), (2,))]))
    a = draw(small(batch_a + (3,)))
    b = draw(small(batch_b + (3,)))
    axisa, axisb = draw(st.integers(-a.ndim, a.ndim - 1)), draw(st.integers(-b.ndim, b.ndim - 1))
    a, b = np.moveaxis(a, -1, axisa), np.moveaxis(b, -1, axisb)
    ndim = max(a.ndim, b.ndim)
    return a, b, dict(axisa=axisa, axisb=axisb, axisc=draw(st.integers(-ndim, ndim - 1)))


@FIRST
@given(cross_case())
def test_cross_matches_numpy(case):
    a, b, kwargs = case
    expected = np.cross(a, b, **kwargs)
    np.testing.assert_array_equal(ag.cross(a, b, **kwargs).numpy(), expected)
    np.testing.assert_array_equal(np.cross(ag.tensor(a), b, **kwargs).numpy(), expected)
    assert_gradients_match(lambda x, y: ag.cross(x, y, **kwargs), [a, b])
    assert_second_gradients_match(lambda x, y: ag.cross(x, y, **kwargs) ** 2, [a, b])


def test_product_errors_name_the_op_and_the_shapes():
    with pytest.raises(ag.ShapeError, match=r"tensordot: axes \[1\] of shape \(2, 3\) and axes "
                                            r"\[0\] of shape \(2, 3\)"):
        ag.tensordot(np.ones((2, 3)), np.ones((2, 3)), axes=([1], [0]))
    with pytest.raises(ag.ShapeError, match=r"dot: shapes \(2, 2, 3\) and \(2, 3\) do not fit"):
        ag.dot(np.ones((2, 2, 3)), np.ones((2, 3)))
    with pytest.raises(ag.ShapeError, match=r"inner: the last axes of shapes \(2,\) and \(3,\)"):
        ag.inner(np.ones(2), np.ones(3))
    with pytest.raises(ag.ShapeError, match=r"cross: axis -1 of a \(shape \(2,\)\) must have "
                                            r"length 3"):
        ag.cross(np.ones(2), np.ones(3))
