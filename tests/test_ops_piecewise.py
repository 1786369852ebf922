"""Rounding, sign, remainders, fabs/fmax/fmin, nan_to_num, isnan/isinf/isfinite
(ops/piecewise.py): values equal numpy's; zero gradients at and between the jumps; the
remainders' gradients against central differences at first and second order."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import (arrays, assert_gradients_match,
                                   assert_second_gradients_match)
from math_cases import FIRST, SECOND, any_shape_arrays, away_from_zero, grads, pairs

pytestmark = pytest.mark.filterwarnings("ignore:.*rank-1 array")

FLAT = {
    "sign": (ag.sign, np.sign),
    "floor": (ag.floor, np.floor),
    "ceil": (ag.ceil, np.ceil),
    "trunc": (ag.trunc, np.trunc),
    "rint": (ag.rint, np.rint),
    "round": (ag.round, np.round),
    "round_2": (lambda t: ag.round(t, 2), lambda x: np.round(x, 2)),
    "round_builtin": (round, np.round),
}


def with_jumps(x):
    """Random values with some placed exactly on the jumps (integers, halves, 0)."""
    return np.where(np.abs(x) < 2, np.round(x * 2) / 2, x)


@pytest.mark.parametrize("name", sorted(FLAT))
@settings(**FIRST)
@given(x=any_shape_arrays())
def test_flat_ops_equal_numpy_and_have_zero_gradient_everywhere(name, x):
    f, reference = FLAT[name]
    x = with_jumps(x)
    t = ag.tensor(x, requires_grad=True)
    y = f(t)
    np.testing.assert_array_equal(y.numpy(), reference(x))
    (dx,) = ag.grad(y.sum(), [t], create_graph=True)
    np.testing.assert_array_equal(dx.numpy(), np.zeros_like(x))
    assert dx.dtype == x.dtype


def test_sign_and_floor_have_zero_gradient_at_their_jumps():
    x = ag.tensor([-1.0, -0.0, 0.0, 2.0], requires_grad=True)
    (ag.sign(x) + ag.floor(x) * 3 + x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0, 1.0, 1.0])


def quotient_away_from_integers(a, b):
    """Divisor away from 0 and a / b at least 0.1 away from an integer (off the jumps)."""
    b = away_from_zero(b)
    frac = 0.1 + 0.8 * (np.abs(a) % 1)
    return (np.trunc(a) + np.where(a >= 0, frac, -frac)) * b, b


REMAINDERS = {
    "remainder": (ag.remainder, np.remainder),
    "mod_operator": (lambda a, b: a % b, np.remainder),
    "fmod": (ag.fmod, np.fmod),
}


@pytest.mark.parametrize("name", sorted(REMAINDERS))
@settings(**FIRST)
@given(pair=pairs())
def test_remainders_equal_numpy_and_gradients_match(name, pair):
    f, reference = REMAINDERS[name]
    a, b = quotient_away_from_integers(*pair)
    np.testing.assert_array_equal(f(ag.tensor(a), ag.tensor(b)).numpy(), reference(a, b))
    assert_gradients_match(f, [a, b])


@pytest.mark.parametrize("name", ["remainder", "fmod"])
@settings(**SECOND)
@given(pair=pairs(max_side=3))
def test_remainders_second_order(name, pair):
    f = REMAINDERS[name][0]
    a, b = quotient_away_from_integers(*pair)
    assert_second_gradients_match(lambda x, y: f(x, y) ** 2, [a, b])


def test_remainder_gradients_are_one_and_minus_the_quotient():
    a, b = np.array([7.5, -7.5, 7.5]), np.array([2.0, 2.0, -2.0])
    da, db = grads(ag.remainder, a, b)
    np.testing.assert_array_equal(da, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(db, -np.floor(a / b))
    da, db = grads(ag.fmod, a, b)
    np.testing.assert_array_equal(db, -np.trunc(a / b))


def test_mod_and_floordiv_operators_with_numbers_on_either_side():
    t = ag.tensor([5.5, -5.5])
    assert (t % 2).tolist() == [1.5, 0.5]
    assert (7.0 % ag.tensor([2.0, -3.0])).tolist() == [1.0, -2.0]
    assert (t // 2).tolist() == [2.0, -3.0]
    assert (11.0 // ag.tensor([4.0])).tolist() == [2.0]
    x = ag.tensor([5.5], requires_grad=True)
    (x // 2 + x).sum().backward()
    assert x.grad.tolist() == [1.0]


@settings(**FIRST)
@given(pair=pairs())
def test_fmax_fmin_equal_numpy_and_gradients_match(pair):
    a, b = np.round(pair[0], 1) + 0.05, np.round(pair[1], 1)     # never equal
    for f, reference in ((ag.fmax, np.fmax), (ag.fmin, np.fmin)):
        np.testing.assert_array_equal(f(ag.tensor(a), ag.tensor(b)).numpy(), reference(a, b))
        assert_gradients_match(f, [a, b])


def test_fmax_fmin_ignore_nan_and_share_ties():
    a = np.array([np.nan, 1.0, 2.0, 3.0])
    b = np.array([4.0, np.nan, 2.0, 1.0])
    da, db = grads(ag.fmax, a, b)
    np.testing.assert_array_equal(da, [0.0, 1.0, 0.5, 1.0])
    np.testing.assert_array_equal(db, [1.0, 0.0, 0.5, 0.0])
    da, db = grads(ag.fmin, a, b)
    np.testing.assert_array_equal(da, [0.0, 1.0, 0.5, 0.0])


@settings(**FIRST)
@given(x=any_shape_arrays())
def test_fabs_equals_numpy_and_its_gradient_is_the_sign(x):
    x = with_jumps(x)
    np.testing.assert_array_equal(ag.fabs(ag.tensor(x)).numpy(), np.fabs(x))
    np.testing.assert_array_equal(grads(ag.fabs, x)[0], np.sign(x))


def test_fabs_of_integers_is_float_as_numpy():
    assert ag.fabs(ag.tensor([-2, 3])).dtype == np.float64


@settings(**FIRST)
@given(x=any_shape_arrays(), specials=st.lists(st.sampled_from([np.nan, np.inf, -np.inf]),
                                               max_size=3))
def test_nan_to_num_equals_numpy_and_passes_gradient_only_where_finite(x, specials):
    x = x.copy()
    flat = x.reshape(-1)
    flat[:len(specials)] = specials[:flat.size]
    for kwargs in ({}, {"nan": -1.0, "posinf": 9.0, "neginf": -9.0}):
        np.testing.assert_array_equal(ag.nan_to_num(ag.tensor(x), **kwargs).numpy(),
                                      np.nan_to_num(x, **kwargs))
    finite_sum = lambda t: ag.nan_to_num(t, posinf=9.0, neginf=-9.0)     # noqa: E731
    np.testing.assert_array_equal(grads(finite_sum, x)[0], np.isfinite(x).astype(float))


@settings(**FIRST)
@given(x=any_shape_arrays(max_side=3))
def test_nan_to_num_second_order(x):
    assert_second_gradients_match(lambda t: ag.nan_to_num(t) ** 2, [x])


def test_isnan_isinf_isfinite_are_boolean_and_not_differentiable():
    x = ag.tensor([np.nan, np.inf, -np.inf, 1.0], requires_grad=True)
    for f, reference in ((ag.isnan, np.isnan), (ag.isinf, np.isinf),
                         (ag.isfinite, np.isfinite)):
        y = f(x)
        assert y.dtype == bool and not y.requires_grad
        np.testing.assert_array_equal(y.numpy(), reference(x.numpy()))
