"""Bitwise, logical and closeness answers, nonzero and copysign: numpy's values exactly, no
gradient (or copysign's), recorded so that a compiled step follows the data."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite.testing import assert_gradients_match, assert_second_gradients_match
from op_checks import check_compiled_answer_follows_the_data
from math_cases import FIRST, SECOND, any_shape_arrays, away_from_zero, grads, pairs


def int_pairs(dtype=np.int64, low=-20, high=20):
    """Two integer (or bool) arrays of broadcastable shapes."""
    from autograd_lite.testing import broadcastable_shapes
    elements = st.booleans() if dtype is np.bool_ else st.integers(low, high)

    @st.composite
    def draw_pair(draw):
        sa, sb = draw(broadcastable_shapes(min_side=0))
        return (draw(hnp.arrays(dtype, sa, elements=elements)),
                draw(hnp.arrays(dtype, sb, elements=elements)))
    return draw_pair()


BINARY = {
    "&": (lambda a, b: a & b, np.bitwise_and), "|": (lambda a, b: a | b, np.bitwise_or),
    "^": (lambda a, b: a ^ b, np.bitwise_xor),
    "logical_and": (ag.logical_and, np.logical_and), "logical_or": (ag.logical_or, np.logical_or),
    "logical_xor": (ag.logical_xor, np.logical_xor),
}


@pytest.mark.parametrize("dtype", [np.int64, np.bool_])
@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_bitwise_and_logical_operators_equal_numpy(name, dtype, data):
    a, b = data.draw(int_pairs(dtype))
    ours, theirs = BINARY[name]
    expected = theirs(a, b)
    for out in (ours(ag.tensor(a), ag.tensor(b)), ours(ag.tensor(a), b),
                theirs(ag.tensor(a), ag.tensor(b))):
        assert isinstance(out, ag.Tensor) and out.dtype == expected.dtype
        np.testing.assert_array_equal(out.numpy(), expected)
        assert not out.requires_grad


@settings(max_examples=20, deadline=None)
@given(pair=int_pairs(low=0, high=6))
def test_shifts_and_invert_equal_numpy(pair):
    a, b = pair
    t = ag.tensor(a)
    np.testing.assert_array_equal((t << b).numpy(), a << b)
    np.testing.assert_array_equal((t >> ag.tensor(b)).numpy(), a >> b)
    np.testing.assert_array_equal((3 << ag.tensor(b)).numpy(), 3 << b)
    np.testing.assert_array_equal((~t).numpy(), ~a)
    np.testing.assert_array_equal(np.invert(t).numpy(), ~a)
    np.testing.assert_array_equal(np.left_shift(t, b).numpy(), np.left_shift(a, b))


def test_a_mask_made_by_and_selects_with_where_and_gradients_flow_through_where():
    x = ag.tensor([-2.0, 0.5, 1.5, 3.0], requires_grad=True)
    keep = (x > 0) & ~(x > 2)
    np.testing.assert_array_equal(keep.numpy(), [False, True, True, False])
    ag.where(keep, x * x, 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 3.0, 0.0])


@settings(**FIRST)
@given(x=any_shape_arrays())
def test_logical_not_of_floats_equals_numpy(x):
    x = np.where(np.abs(x) < 1, 0.0, x)
    np.testing.assert_array_equal(ag.logical_not(ag.tensor(x)).numpy(), np.logical_not(x))
    np.testing.assert_array_equal(np.logical_not(ag.tensor(x)).numpy(), np.logical_not(x))


def test_bitwise_operators_refuse_floats_naming_the_op_and_dtype():
    with pytest.raises(ag.DTypeError, match=r"bitwise_and: takes integer or boolean tensors, "
                                            r"got dtype float64 \(shape \(2,\)\)"):
        ag.tensor([1.0, 2.0]) & 1
    with pytest.raises(ag.DTypeError, match="invert: takes integer or boolean"):
        ~ag.tensor([1.0])
    with pytest.raises(ag.ShapeError, match=r"bitwise_or \(\|\): cannot combine shapes \(3,\) "
                                            r"and \(2,\)"):
        ag.tensor([1, 2, 3]) | ag.tensor([1, 2])


# --- isclose / allclose -----------------------------------------------------------------------

@pytest.mark.parametrize("equal_nan", [False, True])
@settings(max_examples=25, deadline=None)
@given(pair=pairs(), scale=st.sampled_from([0.0, 1e-9, 1e-3]))
def test_isclose_and_allclose_equal_numpy(pair, scale, equal_nan):
    a, b = pair
    b = np.broadcast_to(a, np.broadcast_shapes(a.shape, b.shape)) + scale * b
    b = np.where(b > 4, np.nan, b)
    a = np.where(a > 4, np.nan, a)
    kw = dict(rtol=1e-5, atol=1e-8, equal_nan=equal_nan)
    np.testing.assert_array_equal(ag.isclose(ag.tensor(a), b, **kw).numpy(),
                                  np.isclose(a, b, **kw))
    np.testing.assert_array_equal(np.isclose(ag.tensor(a), ag.tensor(b), **kw).numpy(),
                                  np.isclose(a, b, **kw))
    assert bool(ag.allclose(a, ag.tensor(b), **kw)) == np.allclose(a, b, **kw)
    assert bool(np.allclose(ag.tensor(a), b, **kw)) == np.allclose(a, b, **kw)
    assert ag.tensor(a).isclose(b, **kw).shape == np.isclose(a, b).shape


# --- nonzero -----------------------------------------------------------------------------------

@settings(**FIRST)
@given(x=any_shape_arrays(min_side=0))
def test_nonzero_equals_numpy(x):
    x = np.where(np.abs(x) < 2, 0.0, x)
    expected = np.nonzero(np.atleast_1d(x))
    for out in (ag.nonzero(ag.tensor(x)), ag.tensor(x).nonzero()):
        assert len(out) == len(expected)
        for ours, theirs in zip(out, expected):
            assert ours.dtype == theirs.dtype
            np.testing.assert_array_equal(ours.numpy(), theirs)
    if x.ndim:
        for ours, theirs in zip(np.nonzero(ag.tensor(x)), np.nonzero(x)):
            np.testing.assert_array_equal(ours.numpy(), theirs)


def test_indexing_with_nonzero_selects_and_routes_the_gradient():
    x = ag.tensor([[0.0, 2.0], [3.0, 0.0]], requires_grad=True)
    picked = x[ag.nonzero(x)]
    np.testing.assert_array_equal(picked.numpy(), [2.0, 3.0])
    (picked * picked).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 4.0], [6.0, 0.0]])


# --- the answers in a compiled step --------------------------------------------------------------

ANSWERS = {
    "&": lambda x: (x > 0) & (x < 1), "|": lambda x: (x > 1) | (x < -1), "~": lambda x: ~(x > 0),
    "^": lambda x: (x > 0) ^ (x > 1), "<<": lambda x: (x > 0).astype(np.int64) << 2,
    "logical_or": lambda x: ag.logical_or(x > 1, x < -1), "isclose": lambda x: ag.isclose(x, 0.1),
    "allclose": lambda x: ag.allclose(x, x * 1.0), "nonzero": lambda x: ag.nonzero(x > 0)[1],
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_answers_in_a_compiled_step_follow_each_calls_data(name):
    rng = np.random.default_rng(5)
    inputs = []
    for i in range(4):
        x = rng.normal(size=(3, 2))
        x[0, 0] = 0.1
        x[1, 1] = 0.1 if i % 2 else 5.0
        inputs.append(x)
    check_compiled_answer_follows_the_data(ANSWERS[name], inputs)


# --- copysign -------------------------------------------------------------------------------------

@settings(**FIRST)
@given(pair=pairs())
def test_copysign_equals_numpy_and_matches_numerical_gradients(pair):
    a, b = away_from_zero(pair[0]), away_from_zero(pair[1])
    np.testing.assert_array_equal(ag.copysign(ag.tensor(a), b).numpy(), np.copysign(a, b))
    np.testing.assert_array_equal(np.copysign(ag.tensor(a), ag.tensor(b)).numpy(),
                                  np.copysign(a, b))
    np.testing.assert_array_equal(ag.tensor(a).copysign(b).numpy(), np.copysign(a, b))
    assert_gradients_match(ag.copysign, [a, b])


@settings(**SECOND)
@given(pair=pairs(max_side=3))
def test_copysign_second_order(pair):
    a, b = away_from_zero(pair[0]), away_from_zero(pair[1])
    assert_second_gradients_match(lambda s, t: ag.copysign(s, t) ** 2, [a, b])


def test_copysign_at_zero_and_negative_zero_as_pytorch():
    da, db = grads(ag.copysign, np.array([0.0, 2.0, -2.0, 3.0]), np.array([-1.0, -0.0, 0.0, 1.0]))
    np.testing.assert_array_equal(da, [0.0, -1.0, -1.0, 1.0])
    np.testing.assert_array_equal(db, [0.0, 0.0, 0.0, 0.0])
    out = ag.copysign(ag.tensor([1, 2], dtype=np.int8), -1)
    assert out.dtype == np.copysign(np.array([1, 2], np.int8), -1).dtype
