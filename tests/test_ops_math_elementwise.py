"""Trigonometric, hyperbolic, exponential and logarithmic ops (ops/trig.py, ops/exponential.py):
values equal to numpy's exactly; gradients against central differences at first and second
order over random shapes (0-d, size-1, empty, broadcasting); conventions at special points."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import assert_gradients_match, assert_second_gradients_match
from math_cases import FIRST, SECOND, any_shape_arrays, away_from_zero, grads, pairs

pytestmark = pytest.mark.filterwarnings("ignore:.*rank-1 array")

# name: (ag function, numpy function, map from [-5, 5] into the op's smooth domain)
UNARY = {
    "sin": (ag.sin, np.sin, None),
    "cos": (ag.cos, np.cos, None),
    "tan": (ag.tan, np.tan, lambda x: 0.24 * x),
    "arcsin": (ag.arcsin, np.arcsin, lambda x: 0.18 * x),
    "arccos": (ag.arccos, np.arccos, lambda x: 0.18 * x),
    "arctan": (ag.arctan, np.arctan, None),
    "sinh": (ag.sinh, np.sinh, None),
    "cosh": (ag.cosh, np.cosh, None),
    "arcsinh": (ag.arcsinh, np.arcsinh, None),
    "arccosh": (ag.arccosh, np.arccosh, lambda x: 1.2 + np.abs(x)),
    "arctanh": (ag.arctanh, np.arctanh, lambda x: 0.18 * x),
    "deg2rad": (ag.deg2rad, np.deg2rad, None),
    "rad2deg": (ag.rad2deg, np.rad2deg, None),
    "sinc": (ag.sinc, np.sinc, None),
    "square": (ag.square, np.square, None),
    "reciprocal": (ag.reciprocal, np.reciprocal, away_from_zero),
    "log1p": (ag.log1p, np.log1p, lambda x: np.abs(x) - 0.8),
    "expm1": (ag.expm1, np.expm1, None),
    "log2": (ag.log2, np.log2, lambda x: 0.2 + np.abs(x)),
    "log10": (ag.log10, np.log10, lambda x: 0.2 + np.abs(x)),
    "exp2": (ag.exp2, np.exp2, None),
    "erf": (ag.erf, np.vectorize(math.erf, otypes=[float]), None),
}

BINARY = {
    "arctan2": (ag.arctan2, np.arctan2, lambda a, b: (away_from_zero(a), b)),   # off the cut
    "hypot": (ag.hypot, np.hypot, lambda a, b: (away_from_zero(a), b)),
    "logaddexp": (ag.logaddexp, np.logaddexp, None),
    "logaddexp2": (ag.logaddexp2, np.logaddexp2, None),
}


def prepared(table, name, *values):
    prepare = table[name][2]
    if prepare is None:
        return values
    out = prepare(*values)
    return out if isinstance(out, tuple) else (out,)


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(**FIRST)
@given(x=any_shape_arrays())
def test_unary_values_equal_numpy_and_gradients_match(name, x):
    f, reference, _ = UNARY[name]
    (x,) = prepared(UNARY, name, x)
    np.testing.assert_array_equal(f(ag.tensor(x)).numpy(), reference(x))
    assert_gradients_match(f, [x])


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(**SECOND)
@given(x=any_shape_arrays(max_side=3))
def test_unary_second_order(name, x):
    f = UNARY[name][0]
    assert_second_gradients_match(f, list(prepared(UNARY, name, x)))


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(**FIRST)
@given(pair=pairs())
def test_binary_values_equal_numpy_and_gradients_match(name, pair):
    f, reference, _ = BINARY[name]
    a, b = prepared(BINARY, name, *pair)
    np.testing.assert_array_equal(f(ag.tensor(a), ag.tensor(b)).numpy(), reference(a, b))
    assert_gradients_match(f, [a, b])


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(**SECOND)
@given(pair=pairs(max_side=3))
def test_binary_second_order(name, pair):
    assert_second_gradients_match(BINARY[name][0], list(prepared(BINARY, name, *pair)))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_gradient_only_for_the_input_that_needs_it(name):
    f = BINARY[name][0]
    a = ag.tensor([0.5, -1.5], requires_grad=True)
    b = ag.tensor([2.0, 0.7])
    f(a, b).sum().backward()
    f(b, a).sum().backward()
    assert b.grad is None and a.grad.shape == (2,)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_keeps_the_float_dtype_of_value_and_gradient(name, dtype):
    f, reference, _ = UNARY[name]
    (x,) = prepared(UNARY, name, np.linspace(-2, 2, 5))
    t = ag.tensor(x.astype(dtype), requires_grad=True)
    y = f(t)
    y.sum().backward()
    assert y.dtype == dtype and t.grad.dtype == dtype
    if name != "erf":           # numpy has no erf; ours is math.erf rounded to the dtype
        np.testing.assert_array_equal(y.numpy(), reference(x.astype(dtype)))


def test_known_derivatives():
    x = np.array([-1.5, 0.3, 2.0])
    np.testing.assert_allclose(grads(ag.sin, x)[0], np.cos(x), rtol=1e-15)
    np.testing.assert_allclose(grads(ag.cos, x)[0], -np.sin(x), rtol=1e-15)
    np.testing.assert_allclose(grads(ag.tan, x)[0], 1 / np.cos(x) ** 2, rtol=1e-13)
    np.testing.assert_allclose(grads(ag.arctan, x)[0], 1 / (1 + x * x), rtol=1e-15)
    np.testing.assert_allclose(grads(ag.erf, x)[0], 2 / np.sqrt(np.pi) * np.exp(-x * x),
                               rtol=1e-15)
    np.testing.assert_allclose(grads(ag.exp2, x)[0], np.log(2) * 2 ** x, rtol=1e-15)
    y = np.array([0.5, -2.0, 1.0])
    da, db = grads(ag.arctan2, x, y)
    np.testing.assert_allclose(da, y / (x * x + y * y), rtol=1e-15)
    np.testing.assert_allclose(db, -x / (x * x + y * y), rtol=1e-15)


def test_sinc_at_zero_first_derivative_0_second_minus_pi_squared_over_3():
    x = ag.tensor([0.0], requires_grad=True)
    (d1,) = ag.grad(ag.sinc(x).sum(), [x], create_graph=True)
    assert d1.item() == 0.0
    (d2,) = ag.grad(d1.sum(), [x])
    assert d2.item() == pytest.approx(-math.pi ** 2 / 3, rel=1e-14)


def test_hypot_gradient_at_the_origin_is_zero():
    a, b = grads(ag.hypot, np.array([0.0, 3.0]), np.array([0.0, 4.0]))
    assert a[0] == 0.0 and b[0] == 0.0
    np.testing.assert_allclose([a[1], b[1]], [0.6, 0.8], rtol=1e-15)


def test_logaddexp_is_stable_for_huge_inputs():
    a, b = grads(ag.logaddexp, np.array([1000.0, -1000.0]), np.array([1000.0, 0.0]))
    np.testing.assert_allclose(a, [0.5, 0.0])
    np.testing.assert_allclose(b, [0.5, 1.0])


def test_erf_matches_math_erf_on_integers_and_empty():
    assert ag.erf(ag.tensor([1, 2])).tolist() == [math.erf(1), math.erf(2)]
    assert ag.erf(ag.tensor(np.zeros((0, 2)))).shape == (0, 2)
