"""Reductions with axis and keepdims: sum, mean, max / min (ties share equally), logsumexp."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite.testing import (arrays, assert_gradients_match,
                                   assert_second_gradients_match, axes, shapes)

FIRST = settings(max_examples=40, deadline=None)
SECOND = settings(max_examples=20, deadline=None)


@st.composite
def reductions(draw, max_side=4):
    """An array (0-d included), a valid axis (None, int or tuple) and keepdims."""
    x = draw(arrays(shapes(max_side=max_side)))
    return x, draw(axes(x.ndim)), draw(st.booleans())


def separated(x, gap=0.01):
    """x with ties broken: values at least ``gap`` apart, the order of x kept."""
    ranks = np.argsort(np.argsort(x, axis=None, kind="stable")).reshape(x.shape)
    return x + gap * ranks


REDUCTIONS = {
    "sum": (ag.sum, np.sum),
    "mean": (ag.mean, np.mean),
    "max": (ag.max, np.max),
    "min": (ag.min, np.min),
    "logsumexp": (ag.logsumexp,
                  lambda x, axis, keepdims: np.log(np.sum(np.exp(x), axis=axis,
                                                          keepdims=keepdims))),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@FIRST
@given(case=reductions())
def test_reduction_first_order_and_value(name, case):
    x, axis, keepdims = case
    f, reference = REDUCTIONS[name]
    if name in ("max", "min"):
        x = separated(x)
    out = f(x, axis=axis, keepdims=keepdims)
    expected = reference(x, axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)
    assert_gradients_match(lambda t: f(t, axis=axis, keepdims=keepdims), [x])


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@SECOND
@given(case=reductions(max_side=3))
def test_reduction_second_order(name, case):
    x, axis, keepdims = case
    f, _ = REDUCTIONS[name]
    if name in ("max", "min"):
        x = separated(x)
    # square the result, so the second derivative is not trivially zero for linear reductions
    assert_second_gradients_match(lambda t: f(t, axis=axis, keepdims=keepdims) ** 2, [x])


@FIRST
@given(case=reductions())
def test_methods_match_functions(case):
    x, axis, keepdims = case
    t = ag.tensor(separated(x))
    for method, func in [(t.sum, ag.sum), (t.mean, ag.mean), (t.max, ag.max), (t.min, ag.min),
                         (t.logsumexp, ag.logsumexp)]:
        np.testing.assert_array_equal(method(axis, keepdims).numpy(),
                                      func(t, axis, keepdims).numpy())


def test_sum_and_mean_gradients_exactly():
    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    x.sum(axis=1).backward(ag.tensor([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 1, 1], [10, 10, 10]])
    x.zero_grad()
    x.mean(axis=(0, 1)).backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 3), 1 / 6))
    x.zero_grad()
    x.mean(axis=0, keepdims=True).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 3), 0.5))


def test_reducing_a_0d_tensor_over_all_axes():
    x = ag.tensor(3.0, requires_grad=True)
    for f in (ag.sum, ag.mean, ag.max, ag.min, ag.logsumexp):
        x.zero_grad()
        out = f(x)
        assert out.shape == () and out.item() == pytest.approx(3.0)
        out.backward()
        assert x.grad.shape == () and x.grad.item() == pytest.approx(1.0)


# --- max / min ties: the gradient is shared equally -----------------------------------------

def test_max_ties_share_the_gradient_equally():
    x = ag.tensor([1.0, 3.0, 3.0, 3.0, 2.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0, 1 / 3, 1 / 3, 1 / 3, 0])


def test_max_and_min_ties_along_an_axis_with_keepdims():
    data = np.array([[5.0, 5.0, 1.0],
                     [2.0, 7.0, 7.0],
                     [0.0, 0.0, 0.0]])
    x = ag.tensor(data, requires_grad=True)
    out = x.max(axis=1, keepdims=True)
    assert out.shape == (3, 1)
    (out * ag.tensor([[1.0], [2.0], [3.0]])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, 0.5, 0], [0, 1, 1], [1, 1, 1]])
    x.zero_grad()
    x.min(axis=0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0, 0], [0, 0, 0], [1, 1, 1]])
    x.zero_grad()
    x.min(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0, 1], [1, 0, 0], [1 / 3, 1 / 3, 1 / 3]])


def test_max_over_several_axes_shares_among_all_tied_elements():
    x = ag.tensor(np.ones((2, 2, 3)), requires_grad=True)
    x.max(axis=(0, 2)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 2, 3), 1 / 6))


def test_gradcheck_and_max_ties():
    # a two-way tie: the half shares are exactly what central differences give
    report = ag.gradcheck(lambda t: t.max(), [np.array([1.0, 2.0, 2.0])])
    assert report.inputs[0].status == "ok"
    # a three-way tie: 1/3 each, central differences say 1/2: a kink warning, not a failure
    report = ag.gradcheck(lambda t: t.max(), [np.array([2.0, 2.0, 2.0])])
    assert report.passed and report.inputs[0].status == "kink"
    assert sorted(report.inputs[0].kinks) == [(0,), (1,), (2,)]


# --- logsumexp -------------------------------------------------------------------------------

def test_logsumexp_is_stable_and_its_gradient_is_softmax():
    x = np.array([[1000.0, 1000.0], [-1000.0, 0.0]])
    t = ag.tensor(x, requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):
        out = ag.logsumexp(t, axis=1)
    np.testing.assert_allclose(out.numpy(), [1000.0 + np.log(2.0), 0.0])
    out.sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), [[0.5, 0.5], [0.0, 1.0]])


# --- errors ----------------------------------------------------------------------------------

def test_bad_axes_raise_shape_error_naming_the_op():
    t = ag.tensor(np.ones((2, 3)))
    with pytest.raises(ag.ShapeError, match=r"sum: axis 2 is out of range.*\(2, 3\)"):
        t.sum(axis=2)
    with pytest.raises(ag.ShapeError, match="max: repeated axis"):
        t.max(axis=(1, -1))
    with pytest.raises(ag.ShapeError, match="0-d"):
        ag.tensor(1.0).sum(axis=0)


def test_mean_of_integers_is_float():
    m = ag.tensor([1, 2]).mean()
    assert m.dtype == np.float64 and m.item() == 1.5


def test_float32_reductions_stay_float32():
    x = ag.tensor([[1.0, 2.0], [3.0, 5.0]], dtype=np.float32, requires_grad=True)
    for f in (ag.sum, ag.mean, ag.max, ag.min, ag.logsumexp):
        x.zero_grad()
        out = f(x, axis=0)
        assert out.dtype == np.float32
        out.sum().backward()
        assert x.grad.dtype == np.float32


def test_float16_mean_accumulates_without_overflow():
    x = ag.tensor(np.ones((256, 256)), dtype=np.float16, requires_grad=True)
    y = x.mean()                                       # 65,536 elements: a float16 sum is inf
    y.backward()
    assert y.dtype == np.float16 and y.item() == 1.0
    assert x.grad.dtype == np.float16
    np.testing.assert_allclose(x.grad.numpy(), np.float16(1 / 65536), rtol=1e-3)


# --- min is its own primitive: numpy's result exactly, for every dtype ------------------------

EXACT_DTYPES = [np.uint8, np.int8, np.int32, np.int64, np.uint64, np.bool_, np.float16,
                np.float32, np.float64]


@pytest.mark.parametrize("dtype", EXACT_DTYPES, ids=lambda d: np.dtype(d).name)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_min_and_max_equal_numpy_exactly_for_every_dtype(dtype, data):
    # any value of the dtype: its extremes, and for floats inf and NaN
    x = data.draw(hnp.arrays(dtype, shapes()))
    axis, keepdims = data.draw(axes(x.ndim)), data.draw(st.booleans())
    for f, reference in ((ag.min, np.min), (ag.max, np.max)):
        out = f(x, axis=axis, keepdims=keepdims)
        expected = reference(x, axis=axis, keepdims=keepdims)
        assert out.dtype == expected.dtype and out.shape == np.shape(expected)
        np.testing.assert_array_equal(out.numpy(), expected)


def test_min_of_unsigned_extreme_and_boolean_values():
    assert ag.min(ag.tensor(np.array([[0, 1], [2, 3]], dtype=np.uint8))).item() == 0
    np.testing.assert_array_equal(
        ag.min(ag.tensor(np.array([[0, 1], [2, 3]], dtype=np.uint8)), axis=1).numpy(), [0, 2])
    lowest = np.iinfo(np.int32).min
    out = ag.min(ag.tensor(np.array([lowest, 0, 7], dtype=np.int32)))
    assert out.dtype == np.int32 and out.item() == lowest
    assert ag.tensor([True, False, True]).min().item() is False
    np.testing.assert_array_equal(ag.min(ag.tensor([[True, False], [True, True]]), axis=1)
                                  .numpy(), [False, True])


def test_min_axis_error_names_min():
    with pytest.raises(ag.ShapeError, match=r"^min: axis 2 is out of range.*\(2, 3\)"):
        ag.tensor(np.ones((2, 3))).min(axis=2)
    with pytest.raises(ag.ShapeError, match="^min: repeated axis"):
        ag.min(np.ones((2, 3)), axis=(0, -2))


@settings(max_examples=30, deadline=None)
@given(case=reductions())
def test_min_gradient_is_max_gradient_of_the_negated_data(case):
    # the two primitives share the tie rule: d min(x) = d max(−x) elementwise, bit for bit
    x, axis, keepdims = case
    x = np.round(x)                             # many ties
    a = ag.tensor(x, requires_grad=True)
    b = ag.tensor(-x, requires_grad=True)
    weights = np.arange(1.0, 1 + np.size(np.min(x, axis=axis, keepdims=keepdims)))
    weights = weights.reshape(np.shape(np.min(x, axis=axis, keepdims=keepdims)))
    (a.min(axis, keepdims) * weights).sum().backward()
    (b.max(axis, keepdims) * weights).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


# --- max / min over data with NaN: the gradient goes to the NaN(s), as in PyTorch --------------

def test_max_and_min_over_nan_send_the_gradient_to_the_nans():
    for f in (ag.max, ag.min):
        x = ag.tensor([1.0, np.nan, 3.0, np.nan], requires_grad=True)
        out = f(x)
        assert np.isnan(out.item())
        out.backward()
        np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.5, 0.0, 0.5])


def test_max_along_an_axis_with_nan_only_in_some_rows():
    x = ag.tensor([[1.0, np.nan, 2.0],
                   [4.0, 5.0, 5.0],
                   [np.nan, np.nan, np.nan]], requires_grad=True)
    out = x.max(axis=1)
    np.testing.assert_array_equal(out.numpy(), [np.nan, 5.0, np.nan])
    (out * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 1, 0], [0, 1, 1], [1, 1, 1]])


@pytest.mark.parametrize("f", [ag.max, ag.min], ids=["max", "min"])
@settings(max_examples=30, deadline=None)
@given(case=reductions(), data=st.data())
def test_extreme_gradients_with_nan_are_finite_shares_that_sum_to_one(f, case, data):
    x, axis, keepdims = case
    x = np.round(x)
    holes = data.draw(hnp.arrays(bool, x.shape))
    x = np.where(holes, np.nan, x)
    t = ag.tensor(x, requires_grad=True)
    out = f(t, axis=axis, keepdims=keepdims)
    np.testing.assert_array_equal(out.numpy(), (np.max if f is ag.max else np.min)(
        x, axis=axis, keepdims=keepdims))
    out.sum().backward()
    g = t.grad.numpy()
    assert np.all(np.isfinite(g)) and np.all(g >= 0)
    np.testing.assert_allclose(np.sum(g, axis=axis), 1.0, rtol=1e-12)
    # the gradient sits only where x equals the result, a NaN counting as equal to a NaN
    result = out.numpy() if keepdims or axis is None else np.expand_dims(out.numpy(), axis)
    hit = (x == result) | (np.isnan(x) & np.isnan(result))
    assert np.all(g[~hit] == 0)
