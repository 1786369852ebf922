"""var, std, norm (ops/stats.py) and the mean of an empty selection: values equal numpy's;
gradients against central differences at first and second order over random shapes, axes,
ddof and keepdims; the documented gradient of a norm at 0."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import (assert_gradients_match, assert_second_gradients_match,
                                   axes)
from math_cases import FIRST, SECOND, any_shape_arrays, distinct, grads


@st.composite
def spread(draw, max_side=4, min_side=1):
    """(x, axis, ddof, keepdims) with distinct values and n − ddof ≥ 1 along the axes."""
    x = distinct(draw(any_shape_arrays(max_side=max_side)))
    axis = draw(axes(x.ndim))
    n = x.size if axis is None else math.prod(
        x.shape[i] for i in ((axis,) if isinstance(axis, int) else axis))
    assume(n >= min_side)
    ddof = draw(st.integers(0, n - 1)) if n else 0
    return x, axis, ddof, draw(st.booleans())


@settings(**FIRST)
@given(case=spread())
def test_var_std_equal_numpy_and_gradients_match(case):
    x, axis, ddof, keepdims = case
    t = ag.tensor(x)
    np.testing.assert_array_equal(ag.var(t, axis, ddof, keepdims).numpy(),
                                  np.var(x, axis=axis, ddof=ddof, keepdims=keepdims))
    np.testing.assert_array_equal(ag.std(t, axis, ddof, keepdims).numpy(),
                                  np.std(x, axis=axis, ddof=ddof, keepdims=keepdims))
    assert_gradients_match(lambda u: ag.var(u, axis, ddof, keepdims), [x])


@settings(**FIRST)
@given(case=spread(min_side=2))
def test_std_gradients_match_where_std_is_positive(case):
    x, axis, ddof, keepdims = case
    assert_gradients_match(lambda u: ag.std(u, axis, ddof, keepdims), [x])


@settings(**SECOND)
@given(case=spread(max_side=3, min_side=2))
def test_var_std_second_order(case):
    x, axis, ddof, keepdims = case
    assert_second_gradients_match(lambda u: ag.var(u, axis, ddof, keepdims), [x])
    assert_second_gradients_match(lambda u: ag.std(u, axis, ddof, keepdims), [x])


def test_var_gradient_closed_form():
    x = np.array([[1.0, 2.0, 6.0], [0.0, 0.0, 3.0]])
    (g,) = grads(lambda t: ag.var(t, axis=1, ddof=1), x)
    np.testing.assert_allclose(g, 2 * (x - x.mean(axis=1, keepdims=True)) / 2, rtol=1e-15)


def test_var_with_too_few_degrees_of_freedom_is_inf_or_nan_with_a_warning():
    x = np.array([[1.0, 3.0], [2.0, 2.0]])
    with pytest.warns(RuntimeWarning, match="Degrees of freedom"):
        v = ag.var(ag.tensor(x), axis=1, ddof=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(v.numpy(), np.var(x, axis=1, ddof=2))


def test_std_of_equal_values_has_gradient_zero_as_pytorch():
    x = ag.tensor([2.0, 2.0], requires_grad=True)
    ag.std(x).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


@pytest.mark.parametrize("shape, axis", [((0,), None), ((0, 3), 0), ((3, 0), 1),
                                         ((2, 0, 2), (0, 1))])
def test_mean_and_var_of_an_empty_selection_are_nan_with_a_warning(shape, axis):
    x = np.zeros(shape)
    t = ag.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected_mean, expected_var = np.mean(x, axis=axis), np.var(x, axis=axis)
    with pytest.warns(RuntimeWarning, match="Mean of empty slice"):
        m = ag.mean(t, axis)
    np.testing.assert_array_equal(m.numpy(), expected_mean)
    assert m.shape == np.shape(expected_mean)
    with pytest.warns(RuntimeWarning):
        np.testing.assert_array_equal(ag.var(t, axis).numpy(), expected_var)
    m.sum().backward()
    assert t.grad.shape == shape


def test_mean_of_a_non_empty_result_over_an_empty_axis_is_empty_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ag.tensor(np.zeros((3, 0))).mean(axis=0).shape == (0,)


# --- norm --------------------------------------------------------------------------------------

VECTOR_ORDS = [None, 2, 1, np.inf, -np.inf, 0, 3, 1.5]
MATRIX_ORDS = [None, "fro", 1, -1, np.inf, -np.inf]


@settings(**FIRST)
@given(x=any_shape_arrays(min_dims=1, min_side=1), ord=st.sampled_from(VECTOR_ORDS),
       keepdims=st.booleans(), data=st.data())
def test_vector_norms_equal_numpy_and_gradients_match(x, ord, keepdims, data):
    x = distinct(x)
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    f = lambda t: ag.norm(t, ord, axis, keepdims)     # noqa: E731
    np.testing.assert_array_equal(f(ag.tensor(x)).numpy(),
                                  np.linalg.norm(x, ord, axis, keepdims))
    assert_gradients_match(f, [x])


@settings(**FIRST)
@given(x=any_shape_arrays(min_dims=2, min_side=1), ord=st.sampled_from(MATRIX_ORDS),
       keepdims=st.booleans(), data=st.data())
def test_matrix_norms_equal_numpy_and_gradients_match(x, ord, keepdims, data):
    x = distinct(x)
    axis = tuple(data.draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=2,
                                    max_size=2, unique_by=lambda i: i % x.ndim)))
    f = lambda t: ag.norm(t, ord, axis, keepdims)     # noqa: E731
    np.testing.assert_array_equal(f(ag.tensor(x)).numpy(),
                                  np.linalg.norm(x, ord, axis, keepdims))
    assert_gradients_match(f, [x])


@settings(**FIRST)
@given(x=any_shape_arrays(), keepdims=st.booleans())
def test_default_norm_of_any_shape_equals_numpy(x, keepdims):
    np.testing.assert_array_equal(ag.norm(ag.tensor(x), keepdims=keepdims).numpy(),
                                  np.linalg.norm(x, keepdims=keepdims))
    if x.size:
        assert_gradients_match(lambda t: ag.norm(t, keepdims=keepdims), [distinct(x)])


@settings(**SECOND)
@given(x=any_shape_arrays(min_dims=1, max_side=3, min_side=1),
       ord=st.sampled_from([None, 1, np.inf, 3]))
def test_norm_second_order(x, ord):
    assert_second_gradients_match(lambda t: ag.norm(t, ord, -1), [distinct(x)])


@pytest.mark.parametrize("ord", [None, 2, 1, np.inf, -np.inf, 0, 3, 1.5])
def test_norm_gradient_at_zero_is_zero(ord):
    assert grads(lambda t: ag.norm(t, ord), np.zeros(3))[0].tolist() == [0.0, 0.0, 0.0]
    assert grads(lambda t: ag.norm(t, ord, axis=1), np.zeros((2, 3)))[0].tolist() == \
        [[0.0] * 3] * 2


def test_frobenius_norm_gradient_at_zero_is_zero_and_elsewhere_x_over_norm():
    x = np.array([[0.0, 0.0], [3.0, 4.0]])
    (g,) = grads(lambda t: ag.norm(t, axis=1), x)
    np.testing.assert_array_equal(g, [[0.0, 0.0], [0.6, 0.8]])
    (g,) = grads(lambda t: ag.norm(t, "fro"), np.zeros((2, 2)))
    np.testing.assert_array_equal(g, np.zeros((2, 2)))


def test_norm_of_integers_is_float_and_bad_orders_are_refused():
    assert ag.norm(ag.tensor([3, 4])).item() == 5.0
    x = ag.tensor(np.ones((2, 2)))
    with pytest.raises(ValueError, match="norm: ord=3 is not supported for a matrix"):
        ag.norm(x, 3)
    with pytest.raises(ValueError, match="norm: ord='fro' is a matrix norm"):
        ag.norm(ag.tensor([1.0]), "fro")
    with pytest.raises(ag.ShapeError, match="norm: ord=1 needs a 1-d or 2-d tensor"):
        ag.norm(ag.tensor(np.ones((2, 2, 2))), 1)
    with pytest.raises(ag.ShapeError, match="norm: axis must name one axis"):
        ag.norm(ag.tensor(np.ones((2, 2, 2))), axis=(0, 1, 2))


@pytest.mark.parametrize("ord", [3, 1.5])
def test_p_norm_of_a_zero_row_beside_others_equals_numpy_with_gradient_0_there(ord):
    x = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 3.0]])
    np.testing.assert_array_equal(ag.norm(ag.tensor(x), ord, axis=1).numpy(),
                                  np.linalg.norm(x, ord, axis=1))
    (g,) = grads(lambda t: ag.norm(t, ord, axis=1), x)
    np.testing.assert_array_equal(g[0], [0.0, 0.0, 0.0])
    norm = np.linalg.norm(x[1], ord)
    np.testing.assert_allclose(g[1], np.sign(x[1]) * np.abs(x[1]) ** (ord - 1)
                               / norm ** (ord - 1), rtol=1e-14)
