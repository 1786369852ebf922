"""scatter and scatter_reduce (ops/indexing.py) as torch.scatter / torch.scatter_reduce:
values against a loop over the index written from PyTorch's definition, gradients against
PyTorch's rules (ties of amax/amin split evenly, products with zeros) and against central
differences at first and second order, a compiled step, errors for bad input."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import assert_gradients_match, assert_second_gradients_match
from op_checks import check_compiled_step_is_bitwise_eager

VALUES = settings(max_examples=60, deadline=None)
FIRST = settings(max_examples=25, deadline=None)
SECOND = settings(max_examples=12, deadline=None)
REDUCES = ["sum", "prod", "mean", "amax", "amin"]


def reference(x, axis, index, src, reduce, include_self):
    """One element of the index at a time: the list of values landing on each place, then
    reduced (PyTorch's definition); a plain scatter keeps the last value written."""
    landed = {}
    for pos in np.ndindex(*index.shape):
        place = list(pos)
        place[axis] = index[pos]
        landed.setdefault(tuple(place), []).append(src[pos])
    out = x.astype(np.result_type(x, src)).copy()
    for place, values in landed.items():
        if reduce is None:
            out[place] = values[-1]
            continue
        values = ([x[place]] if include_self else []) + values
        out[place] = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max,
                      "amin": np.min}[reduce](values)
    return out


@st.composite
def cases(draw, ties=False, max_side=3):
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.integers(1, max_side)) for _ in range(ndim))
    axis = draw(st.integers(0, ndim - 1))
    index_shape = tuple(draw(st.integers(1, n if d != axis else max_side + 1))
                        for d, n in enumerate(shape))
    src_shape = tuple(n + draw(st.integers(0, 1)) for n in index_shape)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    index = rng.integers(0, shape[axis], index_shape)
    if ties:    # small integers: ties between x and src, zeros in products
        x = rng.integers(-2, 3, shape).astype(np.float64)
        src = rng.integers(-2, 3, src_shape).astype(np.float64)
    else:       # distinct values away from 0: every reduction differentiable
        values = rng.permutation(np.prod(shape) + np.prod(src_shape)) * 0.1 + 0.5
        values *= rng.choice([-1, 1], values.shape)
        x, src = values[:np.prod(shape)].reshape(shape), values[np.prod(shape):].reshape(
            src_shape)
    return x, axis, index, src


def unique_places(axis, index):
    places = [p[:axis] + (index[p],) + p[axis + 1:] for p in np.ndindex(*index.shape)]
    return len(set(places)) == len(places)


@VALUES
@given(cases(ties=True), st.sampled_from([None] + REDUCES), st.booleans())
def test_values_match_a_loop_over_the_index(case, reduce, include_self):
    x, axis, index, src = case
    if reduce is None:
        assume(unique_places(axis, index))   # a place written twice keeps either value
        out = ag.scatter(x, axis, index, src)
    else:
        out = ag.scatter_reduce(x, axis, index, src, reduce, include_self=include_self)
    np.testing.assert_allclose(out.numpy(), reference(x, axis, index, src, reduce,
                                                      include_self), rtol=1e-14)
    assert out.dtype == np.float64


@FIRST
@given(cases(), st.sampled_from([None] + REDUCES), st.booleans())
def test_first_derivatives(case, reduce, include_self):
    x, axis, index, src = case
    if reduce is None:
        assume(unique_places(axis, index))
        f = lambda a, s: ag.scatter(a, axis, index, s)
    else:
        f = lambda a, s: ag.scatter_reduce(a, axis, index, s, reduce, include_self)
    assert_gradients_match(f, [x, src])


@SECOND
@given(cases(max_side=2), st.sampled_from(REDUCES), st.booleans())
def test_second_derivatives(case, reduce, include_self):
    x, axis, index, src = case
    assert_second_gradients_match(
        lambda a, s: ag.scatter_reduce(a, axis, index, s, reduce, include_self) ** 2, [x, src])


def grads(x, index, src, reduce, include_self=True, axis=0, g=None):
    a, s = ag.tensor(x, requires_grad=True), ag.tensor(src, requires_grad=True)
    out = ag.scatter_reduce(a, axis, index, s, reduce, include_self)
    (out * (np.ones(out.shape) if g is None else g)).sum().backward()
    return a.grad.numpy(), s.grad.numpy()


def test_amax_amin_split_the_gradient_evenly_among_ties():
    x, src, index = np.array([3.0, 1.0]), np.array([3.0, 3.0, 0.5, 2.0]), [0, 0, 1, 1]
    ga, gs = grads(x, index, src, "amax")          # place 0: x and two src tie at 3
    np.testing.assert_allclose(ga, [1 / 3, 0.0])
    np.testing.assert_allclose(gs, [1 / 3, 1 / 3, 0.0, 1.0])
    ga, gs = grads(x, index, src, "amin")
    np.testing.assert_allclose(ga, [1 / 3, 0.0])
    np.testing.assert_allclose(gs, [1 / 3, 1 / 3, 1.0, 0.0])
    ga, gs = grads(x, index, src, "amax", include_self=False)   # x is left out: no tie
    np.testing.assert_allclose(ga, [0.0, 0.0])
    np.testing.assert_allclose(gs, [0.5, 0.5, 0.0, 1.0])


def test_prod_gradient_is_the_product_of_the_others_with_zeros():
    x = np.array([2.0, 5.0, 0.0])
    src = np.array([0.0, 3.0, 4.0, 0.0, 7.0])
    index = [0, 0, 1, 2, 2]
    # place 0: 2·0·3 (one zero), place 1: 5·4, place 2: 0·0·7 (two zeros)
    ga, gs = grads(x, index, src, "prod")
    np.testing.assert_array_equal(ga, [0.0, 4.0, 0.0])
    np.testing.assert_array_equal(gs, [6.0, 0.0, 5.0, 0.0, 0.0])
    ga, gs = grads(x, index, src, "prod", include_self=False)
    np.testing.assert_array_equal(ga, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(gs, [3.0, 0.0, 1.0, 7.0, 0.0])


def test_mean_counts_self_and_scatter_overwrites():
    x, src = np.array([1.0, 2.0, 3.0]), np.array([4.0, 6.0, 8.0])
    out = ag.scatter_reduce(x, 0, [0, 0, 2], src, "mean")
    np.testing.assert_array_equal(out.numpy(), [11 / 3, 2.0, 5.5])
    ga, gs = grads(x, [0, 0, 2], src, "mean", include_self=False)
    np.testing.assert_array_equal(ga, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(gs, [0.5, 0.5, 1.0])
    integer = ag.scatter_reduce(np.array([1, 2]), 0, [0, 0], np.array([2, 4]), "mean")
    np.testing.assert_array_equal(integer.numpy(), [2, 2])            # 7 // 3, as torch
    a, s = ag.tensor(x, requires_grad=True), ag.tensor(src[:2], requires_grad=True)
    ag.scatter(a, 0, [2, 0], s).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(s.grad.numpy(), [1.0, 1.0])


def test_scatter_of_a_number_and_of_a_larger_src():
    out = ag.scatter(np.zeros((2, 3)), 1, np.array([[0, 2], [1, 1]]), 9.0)
    np.testing.assert_array_equal(out.numpy(), [[9, 0, 9], [0, 9, 0]])
    s = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    ag.scatter(np.zeros((3, 3)), 0, np.array([[2, 0]]), s).sum().backward()
    np.testing.assert_array_equal(s.grad.numpy(), [[1, 1, 0], [0, 0, 0]])


@pytest.mark.parametrize("call, error, words", [
    (lambda: ag.scatter_reduce(np.zeros(3), 0, [0], np.ones(1), "max"), ValueError,
     ["scatter_reduce", "reduce", "'max'"]),
    (lambda: ag.scatter(np.zeros(3), 0, [3], np.ones(1)), ag.ShapeError,
     ["scatter", "out of range", "size 3"]),
    (lambda: ag.scatter(np.zeros(3), 0, [-1], np.ones(1)), ag.ShapeError, ["out of range"]),
    (lambda: ag.scatter(np.zeros(3), 0, np.array([0.0]), np.ones(1)), TypeError,
     ["index must be integers", "float64"]),
    (lambda: ag.scatter(np.zeros((2, 2)), 0, [0, 1], np.ones(2)), ag.ShapeError,
     ["same rank", "(2,)", "(2, 2)"]),
    (lambda: ag.scatter(np.zeros((2, 2)), 0, [[0, 1, 0]], np.ones((1, 3))), ag.ShapeError,
     ["larger than", "axis 1"]),
    (lambda: ag.scatter(np.zeros((2, 2)), 2, [[0]], np.ones((1, 1))), ag.ShapeError,
     ["axis 2 is out of range"]),
])
def test_bad_input_is_refused_with_the_reason(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_scatter_reduce_in_a_compiled_step_follows_the_index():
    w = ag.tensor(np.ones(4), requires_grad=True)
    src = ag.tensor(np.array([1.0, 2.0, 3.0, 4.0]), requires_grad=True)

    def step(x):
        w.grad = src.grad = None
        index = ag.argsort(x)                    # a different index on every call
        out = ag.scatter_reduce(w * x, 0, index, src, "amax") + ag.scatter_reduce(
            w * x, 0, index % 2, src, "prod") + ag.scatter(w, 0, index, src * x)
        (g,) = ag.grad((out ** 2).sum(), [w], create_graph=True)
        (g ** 2).sum().backward()
        return out, g, w.grad, src.grad

    rng = np.random.default_rng(3)
    compiled = check_compiled_step_is_bitwise_eager(
        step, [rng.standard_normal(4) for _ in range(4)])
    assert compiled.replays >= 1
