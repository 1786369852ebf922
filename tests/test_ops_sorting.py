"""sort (differentiable values), argsort, argmax, argmin, any, all (ops/sorting.py): results
equal numpy's; sort's gradient against central differences at first and second order; ties
follow the documented stable order."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import assert_gradients_match, assert_second_gradients_match
from op_checks import check_compiled_answer_follows_the_data
from math_cases import FIRST, SECOND, any_shape_arrays, distinct, grads


def some_axis(x):
    return st.none() | (st.integers(-x.ndim, x.ndim - 1) if x.ndim else st.none())


@settings(**FIRST)
@given(x=any_shape_arrays(), data=st.data())
def test_sort_values_equal_numpy_and_gradients_match(x, data):
    axis = data.draw(some_axis(x)) if x.ndim else None
    np.testing.assert_array_equal(ag.sort(ag.tensor(x), axis).numpy(), np.sort(x, axis=axis))
    weights = np.arange(1.0, 1.0 + (x.size or 1))     # a different slope for each position
    f = lambda t: ag.sort(t, axis) * weights.reshape(-1)[:x.size].reshape(  # noqa: E731
        np.sort(x, axis=axis).shape)
    assert_gradients_match(f, [distinct(x)])


@settings(**SECOND)
@given(x=any_shape_arrays(max_side=3), data=st.data())
def test_sort_second_order(x, data):
    axis = data.draw(some_axis(x)) if x.ndim else None
    assert_second_gradients_match(lambda t: ag.sort(t, axis) ** 3, [distinct(x)])


def test_sort_ties_take_their_original_order():
    # equal values keep their order: the first 2.0 lands in position 1, the second in 2
    x = ag.tensor([2.0, 1.0, 2.0], requires_grad=True)
    (ag.sort(x) * ag.tensor([1.0, 10.0, 100.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [10.0, 1.0, 100.0])


def test_sort_gradient_goes_back_along_the_axis():
    x = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, -1.0]])
    g = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    t = ag.tensor(x, requires_grad=True)
    ag.sort(t, axis=1).backward(ag.tensor(g))
    np.testing.assert_array_equal(t.grad.numpy(), [[3.0, 1.0, 2.0], [5.0, 6.0, 4.0]])


@settings(**FIRST)
@given(x=any_shape_arrays(min_side=1), keepdims=st.booleans(), data=st.data())
def test_index_and_truth_results_equal_numpy_and_carry_no_gradient(x, keepdims, data):
    x = np.round(x)                                   # ties and zeros happen
    axis = data.draw(some_axis(x)) if x.ndim else None
    t = ag.tensor(x, requires_grad=True)
    for f, reference in ((ag.argmax, np.argmax), (ag.argmin, np.argmin),
                         (ag.any, np.any), (ag.all, np.all)):
        out = f(t, axis, keepdims)
        expected = reference(x, axis=axis, keepdims=keepdims)
        np.testing.assert_array_equal(out.numpy(), expected)
        assert out.dtype == np.asarray(expected).dtype and not out.requires_grad
    if x.ndim:
        np.testing.assert_array_equal(ag.argsort(t, axis).numpy(), np.argsort(x, axis=axis))
        np.testing.assert_array_equal(ag.argsort(t, axis, kind="stable").numpy(),
                                      np.argsort(x, axis=axis, kind="stable"))


def test_sort_of_a_0d_tensor_needs_axis_none():
    assert ag.sort(ag.tensor(2.0), axis=None).tolist() == [2.0]
    with pytest.raises(ag.ShapeError, match=r"sort: axis -1 is out of range for a tensor of shape \(\)"):
        ag.sort(ag.tensor(2.0))


def test_sorting_integers_and_booleans():
    assert ag.sort(ag.tensor([3, 1, 2])).tolist() == [1, 2, 3]
    assert ag.any(ag.tensor([False, True])).item() is True
    assert grads(lambda t: ag.sort(t) * 0 + t.argmax(), np.array([2.0, 1.0]))[0].tolist() \
        == [0.0, 0.0]


def test_bad_axes_raise_shape_errors_naming_the_operation():
    t = ag.tensor(np.ones((2, 3)))
    for f in (ag.argmax, ag.argmin, ag.any, ag.all, ag.argsort, ag.sort):
        with pytest.raises(ag.ShapeError, match=rf"{f.__name__}: axis 2 is out of range"):
            f(t, 2)


# --- the integer and boolean answers are recorded ops: a compiled step follows the data -------

ANSWERS = {
    "argmax": lambda x: ag.argmax(x, axis=0), "argmin": lambda x: ag.argmin(x),
    "argsort": lambda x: ag.argsort(x, axis=0), "any": lambda x: ag.any(x > 0.5, axis=0),
    "all": lambda x: ag.all(x > -0.5), "isnan": ag.isnan, "isinf": ag.isinf,
    "isfinite": ag.isfinite, "less": lambda x: x < 0.1, "less_equal": lambda x: x <= 0.1,
    "greater": lambda x: x > 0.1, "greater_equal": lambda x: x >= 0.1,
    "equal": lambda x: x == x[0], "not_equal": lambda x: x != x[0],
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_answers_in_a_compiled_step_follow_each_calls_data(name):
    rng = np.random.default_rng(3)
    inputs = []
    for _ in range(4):
        x = rng.normal(size=(3, 2))
        x[rng.integers(3), rng.integers(2)] = rng.choice([np.nan, np.inf, 0.1])
        inputs.append(x)
    check_compiled_answer_follows_the_data(ANSWERS[name], inputs)


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_answers_never_require_a_gradient(name):
    x = ag.tensor(np.array([[1.0, -2.0], [np.nan, 0.1], [3.0, 0.1]]), requires_grad=True)
    out = ANSWERS[name](x)
    assert not out.requires_grad and out.grad_fn is None
