"""Regression tests of issue 19's defects: each op right at its corners (constant data, nan,
empty arrays, bool dtypes, the odd argument form), against numpy's value and PyTorch's
gradient convention."""
import numpy as np
import pytest
from hypothesis import given, settings

import autograd_lite as ag
from autograd_lite.testing import arrays, assert_gradients_match
from math_cases import grads


# --- tril / triu keep the dtype (a bool mask stays bool) ------------------------------------

@pytest.mark.parametrize("f", [ag.tril, ag.triu], ids=["tril", "triu"])
@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.float32])
def test_tril_and_triu_keep_the_dtype_as_numpy(f, dtype):
    m = np.array([[1, 0, 1], [1, 1, 0], [0, 1, 1]], dtype=dtype)
    out = f(ag.tensor(m), k=0)
    expected = getattr(np, f.__name__)(m)
    assert out.dtype == expected.dtype == dtype
    np.testing.assert_array_equal(out.numpy(), expected)


# --- std of constant data: gradient 0 (PyTorch), not nan --------------------------------------

@pytest.mark.parametrize("ddof", [0, 1])
def test_std_of_constant_data_has_gradient_zero(ddof):
    x = ag.tensor([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]], requires_grad=True)
    s = ag.std(x, axis=1, ddof=ddof)
    s.sum().backward()
    np.testing.assert_array_equal(s.numpy(), np.std(x.numpy(), axis=1, ddof=ddof))
    np.testing.assert_array_equal(x.grad.numpy()[0], [0.0, 0.0, 0.0])
    dev = x.numpy()[1] - x.numpy()[1].mean()
    np.testing.assert_allclose(x.grad.numpy()[1], dev / ((3 - ddof) * s.numpy()[1]))


@settings(max_examples=20, deadline=None)
@given(x=arrays(shape=(2, 3), min_value=-3, max_value=3))
def test_std_away_from_constant_data_matches_numerical_gradients(x):
    x = x + np.arange(3.0)                  # the rows are never constant
    assert_gradients_match(lambda t: ag.std(t, axis=1, ddof=1), [x])


# --- nan in max_pool2d's window, and fmax/fmin of two nans ----------------------------------

def test_max_pool2d_sends_the_gradient_of_a_window_with_nan_to_the_nan():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 0, 1] = np.nan
    x[0, 0, 3, 2] = np.nan
    t = ag.tensor(x, requires_grad=True)
    y = ag.max_pool2d(t, 2)
    y.sum().backward()
    assert np.isnan(y.numpy()[0, 0, 0, 0]) and np.isnan(y.numpy()[0, 0, 1, 1])
    expected = np.zeros((4, 4))
    expected[0, 1] = expected[1, 3] = expected[3, 1] = expected[3, 2] = 1.0
    np.testing.assert_array_equal(t.grad.numpy()[0, 0], expected)


@pytest.mark.parametrize("f", [ag.fmax, ag.fmin], ids=["fmax", "fmin"])
def test_fmax_and_fmin_of_two_nans_give_the_gradient_to_a(f):
    a = ag.tensor([np.nan, np.nan, 1.0], requires_grad=True)
    b = ag.tensor([np.nan, 2.0, np.nan], requires_grad=True)
    f(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.0, 1.0, 0.0])


# --- diff(n=0), take of an empty index, tensordot with unequal axis lists -----------------------

def test_diff_of_order_zero_is_the_input_without_prepend_or_append():
    x = np.array([1.0, 4.0, 9.0])
    out = ag.diff(ag.tensor(x), n=0, prepend=[0.0], append=5.0)
    np.testing.assert_array_equal(out.numpy(), np.diff(x, n=0, prepend=[0.0], append=5.0))
    assert out.shape == (3,)


def test_take_of_an_empty_list_is_an_empty_result_as_numpy():
    x = np.arange(6.0).reshape(2, 3)
    for axis in (0, 1, None):
        out = ag.take(ag.tensor(x), [], axis=axis)
        assert out.shape == np.take(x, [], axis=axis).shape
    t = ag.tensor(x, requires_grad=True)
    ag.take(t, [], axis=1).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.zeros((2, 3)))
    assert ag.tensor(x)[[]].shape == x[[]].shape == (0, 3)


def test_tensordot_with_axis_lists_of_unequal_length_is_a_shape_error():
    x = ag.tensor(np.ones((2, 2)))
    with pytest.raises(ag.ShapeError, match=r"tensordot: axes \[1\] of shape \(2, 2\) and "
                                            r"axes \[1, 0\]"):
        ag.tensordot(x, x, axes=([1], [1, 0]))


# --- matrix norms from the singular values ----------------------------------------------------

@pytest.mark.parametrize("ord", [2, -2, "nuc"])
@settings(max_examples=15, deadline=None)
@given(x=arrays(shape=(3, 4), min_value=-3, max_value=3))
def test_matrix_norms_of_singular_values_equal_numpy_and_numerical_gradients(ord, x):
    np.testing.assert_array_equal(ag.norm(ag.tensor(x), ord=ord).numpy(),
                                  np.linalg.norm(x, ord))
    np.testing.assert_array_equal(np.linalg.norm(ag.tensor(x), ord).numpy(),
                                  np.linalg.norm(x, ord))
    s = np.linalg.svd(x, compute_uv=False)
    if np.min(np.diff(s)) > -1e-3 or s[-1] < 1e-3:
        return                  # tied or zero singular values: no unique derivative
    assert_gradients_match(lambda t: ag.norm(t, ord=ord), [x])


@pytest.mark.parametrize("ord", [2, -2, "nuc"])
def test_matrix_norms_over_two_axes_of_a_batch_equal_numpy(ord):
    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    np.testing.assert_array_equal(ag.norm(ag.tensor(x), ord=ord, axis=(2, 0)).numpy(),
                                  np.linalg.norm(x, ord, axis=(2, 0)))
    kept = ag.norm(ag.tensor(x), ord=ord, axis=(0, 1), keepdims=True)
    np.testing.assert_array_equal(kept.numpy(), np.linalg.norm(x, ord, (0, 1), keepdims=True))


def test_nuclear_norm_gradient_is_u_times_v_transposed():
    x = np.array([[3.0, 1.0], [1.0, 2.0], [0.0, 1.0]])
    u, _, vt = np.linalg.svd(x, full_matrices=False)
    np.testing.assert_allclose(grads(lambda t: ag.norm(t, "nuc"), x)[0], u @ vt, atol=1e-12)


def test_second_derivatives_of_singular_values_are_refused_clearly():
    x = ag.tensor([[3.0, 1.0], [1.0, 2.0]], requires_grad=True)
    with pytest.raises(ag.GraphError, match="svdvals: second derivatives"):
        ag.grad(ag.norm(x, 2), [x], create_graph=True)


# --- conv2d of an empty batch: an empty result and empty gradients (PyTorch) -----------------

def test_conv2d_of_an_empty_batch_is_empty_with_empty_gradients():
    x = ag.tensor(np.ones((0, 3, 5, 5)), requires_grad=True)
    w = ag.tensor(np.ones((2, 3, 3, 3)), requires_grad=True)
    b = ag.tensor(np.ones(2), requires_grad=True)
    y = ag.conv2d(x, w, b, padding=1, stride=2)
    assert y.shape == (0, 2, 3, 3)
    y.sum().backward()
    assert x.grad.shape == (0, 3, 5, 5)
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros((2, 3, 3, 3)))
    np.testing.assert_array_equal(b.grad.numpy(), [0.0, 0.0])
