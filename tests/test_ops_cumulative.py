"""prod, cumsum, cumprod, diff (ops/cumulative.py): values equal numpy's; gradients against
central differences at first and second order over random shapes and axes; exact gradients
where factors are 0 (one zero, two zeros along the axis)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import (arrays, assert_gradients_match,
                                   assert_second_gradients_match, axes)
from math_cases import FIRST, SECOND, any_shape_arrays, distinct, grads
from op_checks import check_compiled_step_is_bitwise_eager


@st.composite
def with_axis(draw, axis_kind="reduce", max_side=4, zeros=True):
    """(x, axis) with x of any shape (empty axes included), some entries set to exactly 0."""
    x = draw(any_shape_arrays(max_side=max_side, min_value=-2.0, max_value=2.0))
    if zeros and x.size:
        holes = draw(st.lists(st.integers(0, x.size - 1), max_size=3))
        x = x.copy()
        x.reshape(-1)[holes] = 0.0
    if axis_kind == "reduce":
        axis = draw(axes(x.ndim))
    else:
        axis = draw(st.none() | st.integers(-x.ndim, x.ndim - 1)) if x.ndim else None
    return x, axis


def others_product(x, axis):
    """The closed form of d prod / dx: the product of the other elements (no division)."""
    x = np.moveaxis(x, axis, -1)
    n = x.shape[-1]
    out = np.stack([np.prod(np.delete(x, i, axis=-1), axis=-1) for i in range(n)], axis=-1)
    return np.moveaxis(out, -1, axis)


@settings(**FIRST)
@given(case=with_axis(), keepdims=st.booleans())
def test_prod_equals_numpy_and_gradients_match(case, keepdims):
    x, axis = case
    np.testing.assert_array_equal(ag.prod(ag.tensor(x), axis, keepdims).numpy(),
                                  np.prod(x, axis=axis, keepdims=keepdims))
    assert_gradients_match(lambda t: ag.prod(t, axis, keepdims), [x])


@settings(**SECOND)
@given(case=with_axis(max_side=3), keepdims=st.booleans())
def test_prod_second_order_with_zeros(case, keepdims):
    x, axis = case
    assert_second_gradients_match(lambda t: ag.prod(t, axis, keepdims), [x])


@pytest.mark.parametrize("row", [[2.0, 0.0, 5.0, 3.0],      # one zero
                                 [0.0, 4.0, 0.0, 3.0],      # two zeros
                                 [0.0, 0.0, 0.0, 0.0],
                                 [2.0, -1.5, 5.0, 3.0]])
def test_prod_gradient_with_zeros_is_the_product_of_the_others_exactly(row):
    x = np.array([row, row[::-1]])
    np.testing.assert_array_equal(grads(lambda t: ag.prod(t, axis=1), x)[0],
                                  others_product(x, 1))


def test_prod_hessian_at_zeros():
    # d²/dx_i dx_j prod = product of the elements other than i and j
    x = ag.tensor([0.0, 2.0, 0.0, 3.0], requires_grad=True)
    (g,) = ag.grad(ag.prod(x), [x], create_graph=True)
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.0, 0.0, 0.0])
    rows = [ag.grad(g[i], [x], retain_graph=True)[0].numpy() for i in range(4)]
    np.testing.assert_array_equal(rows, [[0, 0, 6, 0], [0, 0, 0, 0],
                                         [6, 0, 0, 0], [0, 0, 0, 0]])


@settings(**FIRST)
@given(case=with_axis("running"))
def test_cumsum_cumprod_equal_numpy_and_gradients_match(case):
    x, axis = case
    for f, reference in ((ag.cumsum, np.cumsum), (ag.cumprod, np.cumprod)):
        np.testing.assert_array_equal(f(ag.tensor(x), axis).numpy(), reference(x, axis=axis))
        assert_gradients_match(lambda t: f(t, axis), [x])


@settings(**SECOND)
@given(case=with_axis("running", max_side=3))
def test_cumsum_cumprod_second_order_with_zeros(case):
    x, axis = case
    assert_second_gradients_match(lambda t: ag.cumsum(t, axis) ** 2, [x])
    assert_second_gradients_match(lambda t: ag.cumprod(t, axis), [x])


def test_cumprod_gradient_with_zeros_exactly():
    # y = (a, ab, abc, abcd); dL/da_i = Σ_{k≥i} g_k Π_{j≤k, j≠i} a_j
    a = np.array([2.0, 0.0, 3.0, 0.0])
    g = np.array([1.0, 10.0, 100.0, 1000.0])
    x = ag.tensor(a, requires_grad=True)
    ag.cumprod(x).backward(ag.tensor(g))
    expected = [1 + 10 * 0 + 100 * 0 + 0, 10 * 2 + 100 * 2 * 3 + 1000 * 0, 0, 0]
    np.testing.assert_array_equal(x.grad.numpy(), expected)


@settings(**FIRST)
@given(x=any_shape_arrays(min_dims=1), n=st.integers(0, 3), data=st.data())
def test_diff_equals_numpy_and_gradients_match(x, n, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    np.testing.assert_array_equal(ag.diff(ag.tensor(x), n, axis).numpy(),
                                  np.diff(x, n, axis=axis))
    assert_gradients_match(lambda t: ag.diff(t, n, axis) ** 2, [x])


def test_diff_with_prepend_and_append():
    x = np.array([[1.0, 4.0, 9.0], [2.0, 3.0, 7.0]])
    for kwargs in ({"prepend": 0.0}, {"append": np.array([[1.0], [2.0]])},
                   {"prepend": 1.0, "append": 5.0}):
        np.testing.assert_array_equal(ag.diff(ag.tensor(x), axis=1, **kwargs).numpy(),
                                      np.diff(x, axis=1, **kwargs))
    np.testing.assert_array_equal(grads(lambda t: ag.diff(t, prepend=0.0), x)[0],
                                  np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]))


def test_bad_arguments_name_the_operation():
    with pytest.raises(ag.ShapeError, match="cumsum: axis must be one int"):
        ag.cumsum(ag.tensor(np.ones((2, 2))), axis=(0, 1))
    with pytest.raises(ag.ShapeError, match="prod: axis 2 is out of range"):
        ag.prod(ag.tensor(np.ones((2, 2))), axis=2)
    with pytest.raises(ag.ShapeError, match="diff: needs at least one dimension"):
        ag.diff(ag.tensor(1.0))
    with pytest.raises(ValueError, match="diff: the order n must be non-negative"):
        ag.diff(ag.tensor([1.0, 2.0]), -1)


# --- cummax / cummin: the gradient goes where each running extreme came from -----------------

@pytest.mark.parametrize("f, ufunc", [(ag.cummax, np.maximum), (ag.cummin, np.minimum)],
                         ids=["cummax", "cummin"])
@settings(max_examples=25, deadline=None)
@given(x=any_shape_arrays(min_side=1), data=st.data())
def test_cummax_and_cummin_equal_numpy_and_match_numerical_gradients(f, ufunc, x, data):
    x = distinct(x)                                  # no ties: a unique derivative
    axis = data.draw(st.sampled_from([None] + list(range(-x.ndim, x.ndim))))
    expected = ufunc.accumulate(x.ravel() if axis is None else x, axis=0 if axis is None
                                else axis)
    np.testing.assert_array_equal(f(ag.tensor(x), axis).numpy(), expected)
    np.testing.assert_array_equal(getattr(ag.tensor(x), f.__name__)(axis).numpy(), expected)
    assert_gradients_match(lambda t: f(t, axis), [x])
    assert_second_gradients_match(lambda t: f(t, axis) ** 2, [x])


def test_cummax_indices_and_gradient_at_ties_and_nan_follow_pytorch():
    x = ag.tensor([1.0, 3.0, 3.0, np.nan, 5.0, np.nan], requires_grad=True)
    values, indices = ag.cummax(x, return_indices=True)
    np.testing.assert_array_equal(values.numpy(), np.maximum.accumulate(x.numpy()))
    np.testing.assert_array_equal(indices.numpy(), [0, 1, 2, 3, 3, 3])   # latest tie, first nan
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0, 1.0, 3.0, 0.0, 0.0])
    _, low = ag.cummin(ag.tensor([[2.0, 1.0], [1.0, 4.0]]), axis=0, return_indices=True)
    np.testing.assert_array_equal(low.numpy(), [[0, 0], [1, 0]])
    assert not indices.requires_grad


def test_cummax_in_a_compiled_step_follows_the_data():
    w = ag.tensor(np.ones(4), requires_grad=True)

    def step(x):
        w.grad = None
        loss = (w * ag.cummax(x)).sum()
        loss.backward()
        return w.grad

    compiled = ag.compile(step)
    for x in ([1.0, 0.0, 2.0, 1.0], [4.0, 3.0, 2.0, 1.0], [0.0, 1.0, 2.0, 3.0]):
        np.testing.assert_array_equal(compiled(ag.tensor(x)).numpy(),
                                      step(ag.tensor(x)).numpy())


# --- logcumsumexp (torch.logcumsumexp) ----------------------------------------------------------

def logcumsumexp_reference(x, axis):
    """log Σ_{j≤i} exp(x_j), one prefix at a time, shifted by the prefix's maximum."""
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    out = np.empty_like(x)
    for i in range(x.shape[-1]):
        prefix = x[..., :i + 1]
        top = prefix.max(axis=-1, keepdims=True)
        safe = np.where(np.isfinite(top), top, 0.0)
        out[..., i] = (np.log(np.exp(prefix - safe).sum(axis=-1, keepdims=True)) + safe)[..., 0]
    return np.moveaxis(out, -1, axis)


def logcumsumexp_grad_reference(x, g, axis):
    """da_j = Σ_{i≥j} g_i · exp(x_j − out_i), by the definition (a running softmax)."""
    out = np.moveaxis(logcumsumexp_reference(x, axis), axis, -1)
    xs, gs = np.moveaxis(x, axis, -1), np.moveaxis(g, axis, -1)
    n = xs.shape[-1]
    grad = np.zeros_like(xs)
    for j in range(n):
        for i in range(j, n):
            grad[..., j] += gs[..., i] * np.exp(xs[..., j] - out[..., i])
    return np.moveaxis(grad, -1, axis)


@settings(**FIRST)
@given(data=st.data())
def test_logcumsumexp_values_and_gradient_by_definition(data):
    x = data.draw(arrays(min_value=-30.0, max_value=30.0))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1)) if x.ndim else 0
    if x.ndim == 0:
        np.testing.assert_array_equal(ag.logcumsumexp(x, axis).numpy(), x)
        return
    g = data.draw(arrays(shape=x.shape))
    np.testing.assert_allclose(ag.logcumsumexp(x, axis).numpy(),
                               logcumsumexp_reference(x, axis), rtol=1e-12, atol=1e-12)
    t = ag.tensor(x, requires_grad=True)
    (ag.logcumsumexp(t, axis) * g).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), logcumsumexp_grad_reference(x, g, axis),
                               rtol=1e-9, atol=1e-12)
    assert_gradients_match(lambda u: ag.logcumsumexp(u, axis), [x])


@settings(**SECOND)
@given(x=arrays(max_side=3, min_value=-3.0, max_value=3.0))
def test_logcumsumexp_second_order(x):
    axis = x.ndim - 1 if x.ndim else 0
    assert_second_gradients_match(lambda u: ag.logcumsumexp(u, axis) ** 2, [x])


def test_logcumsumexp_stable_for_huge_values_and_minus_inf():
    x = ag.tensor([-np.inf, -np.inf, 1000.0, 1000.0, -np.inf, -1000.0], requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = ag.logcumsumexp(x, axis=0)
        (out * np.arange(1.0, 7.0)).sum().backward()
    np.testing.assert_array_equal(out.numpy()[:2], [-np.inf, -np.inf])
    np.testing.assert_allclose(out.numpy()[2:], 1000.0 + np.log([1, 2, 2, 2]), rtol=1e-15)
    # the two equal maxima share every later weight: (4 + 5 + 6) / 2 each, and 3 / 1 for the first
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0, 3.0 + 7.5, 7.5, 0.0, 0.0], rtol=1e-12)
    assert ag.logcumsumexp(ag.tensor(np.zeros((2, 0))), axis=1).shape == (2, 0)
    assert ag.logcumsumexp(np.array([1, 2]), axis=0).dtype == np.float64
    assert ag.logcumsumexp(np.ones(2, np.float32), axis=0).dtype == np.float32


def test_logcumsumexp_axis_none_flattens_and_bad_axes_are_refused():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(ag.logcumsumexp(x, None).numpy(),
                               logcumsumexp_reference(x.reshape(-1), 0), rtol=1e-13)
    with pytest.raises(ag.ShapeError, match="logcumsumexp: axis 2 is out of range"):
        ag.logcumsumexp(x, 2)
    with pytest.raises(ag.ShapeError, match="logcumsumexp: axis must be one int"):
        ag.logcumsumexp(x, (0, 1))


def test_logcumsumexp_in_a_compiled_step_is_bitwise_eager():
    w = ag.tensor(np.linspace(-1, 1, 4), requires_grad=True)

    def step(x):
        w.grad = None
        out = ag.logcumsumexp(w * x, axis=0)
        (g,) = ag.grad((out * out).sum(), [w], create_graph=True)
        (g * g).sum().backward()
        return out, g, w.grad

    compiled = check_compiled_step_is_bitwise_eager(
        step, ([1.0, 3.0, -2.0, 0.5], [50.0, -50.0, 0.0, 1.0], [0.1] * 4))
    assert compiled.replays >= 1
