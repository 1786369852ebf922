"""take, take_along_axis, diagonal / diag / trace, tril / triu, select, add_at / index_add:
values equal numpy's exactly, gradients match central differences at first and second order
(repeated indices add up), bad input names the op and the shape."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import arrays, assert_gradients_match, assert_second_gradients_match
from autograd_lite.testing import shapes
from op_checks import family_tests

FIRST = settings(max_examples=25, deadline=None)
SECOND = settings(max_examples=8, deadline=None)


@st.composite
def take_case(draw):
    x = draw(arrays(shapes(max_dims=3, max_side=4)))
    axis = draw(st.none() | st.integers(-x.ndim, x.ndim - 1)) if x.ndim else None
    n = x.size if axis is None else x.shape[axis]
    index = st.integers(-n, n - 1)
    indices = draw(index | st.lists(index, max_size=5).map(lambda i: np.array(i, dtype=int)))
    return x, dict(indices=indices, axis=axis)


@st.composite
def take_along_case(draw):
    x = draw(arrays(shapes(min_dims=1, max_dims=3, max_side=4)))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[axis]
    shape = list(x.shape)
    shape[axis] = draw(st.integers(0, 5))
    # the other axes may also be 1 (they broadcast), as numpy allows
    shape = [1 if i != axis % x.ndim and draw(st.booleans()) else m for i, m in enumerate(shape)]
    indices = np.array(draw(st.lists(st.integers(-n, n - 1), min_size=int(np.prod(shape)),
                                     max_size=int(np.prod(shape)))), dtype=int).reshape(shape)
    return x, dict(indices=indices, axis=axis)


@st.composite
def diagonal_case(draw):
    x = draw(arrays(shapes(min_dims=2, max_dims=4, min_side=0, max_side=4)))
    axes = draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=2, max_size=2).filter(
        lambda ax: ax[0] % x.ndim != ax[1] % x.ndim))
    return x, dict(offset=draw(st.integers(-4, 4)), axis1=axes[0], axis2=axes[1])


@st.composite
def triangle_case(draw):
    x = draw(arrays(shapes(min_dims=1, max_dims=3, min_side=0, max_side=4)))
    return x, dict(k=draw(st.integers(-3, 3)))


@st.composite
def diag_case(draw):
    x = draw(arrays(shapes(min_dims=1, max_dims=2, max_side=4)))
    return x, dict(k=draw(st.integers(-3, 3)))


CASES = {
    "take": (take_case(), ag.take, np.take),
    "take_along_axis": (take_along_case(), ag.take_along_axis, np.take_along_axis),
    "diagonal": (diagonal_case(), ag.diagonal, np.diagonal),
    "trace": (diagonal_case(), ag.trace, np.trace),
    "diag": (diag_case(), ag.diag, np.diag),
    "tril": (triangle_case(), ag.tril, np.tril),
    "triu": (triangle_case(), ag.triu, np.triu),
}


test_value_and_first_order, test_second_order = family_tests(CASES)


def test_take_repeated_indices_add_their_gradients_and_modes():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    ag.take(x, [0, 0, 2, -1]).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 0.0, 2.0])
    data = np.arange(5.0)
    for mode in ("wrap", "clip"):
        np.testing.assert_array_equal(ag.take(data, [-7, 2, 9], mode=mode).numpy(),
                                      np.take(data, [-7, 2, 9], mode=mode))
    with pytest.raises(ag.ShapeError, match=r"getitem: index .* does not fit shape \(5,\)"):
        ag.take(data, [5])
    with pytest.raises(TypeError, match="take: indices must be integers"):
        ag.take(data, np.array([0.5]))


def test_take_along_axis_with_argsort_sorts_differentiably():
    x = np.array([[3.0, 1.0, 2.0], [0.0, -1.0, 5.0]])
    order = np.argsort(x, axis=1)
    t = ag.tensor(x, requires_grad=True)
    out = ag.take_along_axis(t, order, axis=1)
    np.testing.assert_array_equal(out.numpy(), np.sort(x, axis=1))
    out.backward(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    np.testing.assert_array_equal(t.grad.numpy(), [[3.0, 1.0, 2.0], [5.0, 4.0, 6.0]])
    with pytest.raises(ag.ShapeError, match=r"take_along_axis: indices of shape \(3,\) .*"
                                            r"\(2, 3\)"):
        ag.take_along_axis(t, np.array([0, 1, 2]), axis=1)


def test_trace_and_diagonal_gradients_are_the_identity_pattern():
    A = ag.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    ag.trace(A, offset=1).backward()
    np.testing.assert_array_equal(A.grad.numpy(), np.eye(3, 4, k=1))
    assert ag.tensor(np.eye(3)).trace().item() == 3.0
    np.testing.assert_array_equal(ag.tensor(np.arange(9.0).reshape(3, 3)).diagonal().numpy(),
                                  [0.0, 4.0, 8.0])
    with pytest.raises(ag.ShapeError, match=r"diagonal: needs at least 2 dimensions, got "
                                            r"shape \(3,\)"):
        ag.diagonal(ag.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(ag.ShapeError, match=r"diag: needs a 1-D or 2-D tensor, got shape "):
        ag.diag(ag.zeros((2, 2, 2)))


# --- select -----------------------------------------------------------------------------------

@FIRST
@given(x=arrays(shapes(max_dims=2, max_side=4)), default_is_tensor=st.booleans())
def test_select_first_true_condition_wins(x, default_is_tensor):
    conds = [x < -1, x < 1]                     # overlapping: the first must win
    choices = [lambda t: -t, lambda t: 2 * t]
    expected = np.select(conds, [-x, 2 * x], default=(x ** 2 if default_is_tensor else 7.0))

    def f(t):
        default = t ** 2 if default_is_tensor else 7.0
        return ag.select(conds, [c(t) for c in choices], default=default)

    np.testing.assert_array_equal(f(ag.tensor(x)).numpy(), expected)
    t = ag.tensor(x)
    np.testing.assert_array_equal(
        np.select(conds, [-t, 2 * t], default=(t ** 2 if default_is_tensor else 7.0)).numpy(),
        expected)
    assert_gradients_match(f, [x])
    assert_second_gradients_match(lambda t: f(t) ** 2, [x])


def test_select_errors():
    x = ag.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="select: 1 conditions but 2 choices"):
        ag.select([x > 0], [x, x])
    with pytest.raises(TypeError, match="select: condition 0 has dtype float64, not bool"):
        ag.select([np.ones(2)], [x])


# --- add_at / index_add: scatter without mutation ----------------------------------------------

@st.composite
def index_add_case(draw):
    a = draw(arrays(shapes(min_dims=1, max_dims=3, max_side=4)))
    axis = draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[axis]
    index = np.array(draw(st.lists(st.integers(-n, n - 1), max_size=6)), dtype=int)
    shape = list(a.shape)
    shape[axis] = len(index)
    return a, axis, index, draw(arrays(tuple(shape)))


@FIRST
@given(index_add_case())
def test_index_add_matches_np_add_at_and_leaves_the_input_alone(case):
    a, axis, index, values = case
    expected = a.copy()
    np.add.at(expected, (slice(None),) * (axis % a.ndim) + (index,), values)
    t = ag.tensor(a)
    out = ag.index_add(t, axis, index, values)
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(t.numpy(), a)                 # not changed
    np.testing.assert_array_equal(t.index_add(axis, index, values).numpy(), expected)
    assert_gradients_match(lambda x, v: ag.index_add(x, axis, index, v), [a, values])


@SECOND
@given(index_add_case())
def test_index_add_second_order(case):
    a, axis, index, values = case
    assert_second_gradients_match(lambda x, v: ag.index_add(x, axis, index, v) ** 2,
                                  [a, values])


def test_add_at_repeats_accumulate_and_values_broadcast():
    a = ag.tensor(np.zeros((3, 2)), requires_grad=True)
    v = ag.tensor([1.0, 10.0], requires_grad=True)         # broadcast over the 3 indices
    out = ag.add_at(a, [0, 0, 2], v)
    np.testing.assert_array_equal(out.numpy(), [[2.0, 20.0], [0.0, 0.0], [1.0, 10.0]])
    out.backward(np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(a.grad.numpy(), np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(v.grad.numpy(), [0 + 0 + 4, 1 + 1 + 5])
    with pytest.raises(ag.ShapeError, match=r"add_at: index .* does not fit shape \(3, 2\)"):
        ag.add_at(a, [3], v)
    with pytest.raises(ag.ShapeError, match=r"index_add: values of shape \(2,\) for 1 indices "
                                            r"along axis 0 of shape \(3, 2\); expected \(1, 2\)"):
        ag.index_add(a, 0, [1], v)
