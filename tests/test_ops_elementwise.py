"""Elementwise primitives: gradients against central differences (first and second order),
over random shapes with broadcasting, 0-d and size-1 axes; kink conventions checked exactly."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import (arrays, assert_gradients_match,
                                   assert_second_gradients_match, broadcastable_shapes, shapes)

# random broadcasting meets the course's rank-1 pitfall on purpose (tested on its own below)
pytestmark = pytest.mark.filterwarnings("ignore:.*rank-1 array")

FIRST = settings(max_examples=40, deadline=None)
SECOND = settings(max_examples=20, deadline=None)


@st.composite
def pairs(draw, max_side=4, a_range=(-5.0, 5.0), b_range=(-5.0, 5.0)):
    """Two arrays of mutually broadcastable shapes (0-d and size-1 axes included)."""
    sa, sb = draw(broadcastable_shapes(max_side=max_side))
    a = draw(arrays(sa, min_value=a_range[0], max_value=a_range[1]))
    b = draw(arrays(sb, min_value=b_range[0], max_value=b_range[1]))
    return a, b


def off_grid(x):
    """Values k/10 + 0.05: at least 0.05 away from 0 and from every on_grid value."""
    return np.round(x, 1) + 0.05


def on_grid(x):
    return np.round(x, 1)


def nonzero(x):
    """Same magnitudes, kept at least 0.5 away from 0 (for divisors)."""
    return np.where(x >= 0, 0.5 + np.abs(x), -0.5 - np.abs(x))


def grads(f, *arrays_):
    """The engine's gradient of f(*inputs).sum() for float64 leaves made from arrays_."""
    xs = [ag.tensor(a, requires_grad=True) for a in arrays_]
    f(*xs).sum().backward()
    return [x.grad.numpy() for x in xs]


# --- binary arithmetic, with broadcasting --------------------------------------------------

BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: (a, b)),
    "sub": (lambda a, b: a - b, lambda a, b: (a, b)),
    "mul": (lambda a, b: a * b, lambda a, b: (a, b)),
    "div": (lambda a, b: a / b, lambda a, b: (a, nonzero(b) / 2)),
    "add_fn": (ag.add, lambda a, b: (a, b)),
    "sub_fn": (ag.sub, lambda a, b: (a, b)),
    "mul_fn": (ag.mul, lambda a, b: (a, b)),
    "div_fn": (ag.div, lambda a, b: (a, nonzero(b) / 2)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@FIRST
@given(pair=pairs())
def test_binary_first_order(name, pair):
    f, prepare = BINARY[name]
    assert_gradients_match(f, list(prepare(*pair)))


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
@SECOND
@given(pair=pairs(max_side=3))
def test_binary_second_order(name, pair):
    f, prepare = BINARY[name]
    assert_second_gradients_match(f, list(prepare(*pair)))


@FIRST
@given(pair=pairs())
def test_binary_values_match_numpy(pair):
    a, b = pair
    b = nonzero(b)
    ta, tb = ag.tensor(a), ag.tensor(b)
    np.testing.assert_array_equal((ta + tb).numpy(), a + b)
    np.testing.assert_array_equal((ta - tb).numpy(), a - b)
    np.testing.assert_array_equal((ta * tb).numpy(), a * b)
    np.testing.assert_array_equal((ta / tb).numpy(), a / b)
    assert (ta * tb).shape == np.broadcast_shapes(a.shape, b.shape)


def test_broadcast_gradients_are_summed_back_exactly():
    a = np.arange(6.0).reshape(2, 3)
    b = np.array([10.0, 20.0, 30.0])
    da, db = grads(lambda x, y: x * y, a, b)
    np.testing.assert_array_equal(da, np.broadcast_to(b, (2, 3)))
    np.testing.assert_array_equal(db, a.sum(axis=0))
    da, db = grads(lambda x, y: x / y, a, b)
    np.testing.assert_allclose(db, (-a / b ** 2).sum(axis=0))


def test_same_tensor_on_both_sides_accumulates():
    x = ag.tensor([1.0, -2.0, 3.0], requires_grad=True)
    (x * x + x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * x.numpy() + 1)


# --- unary ---------------------------------------------------------------------------------

UNARY = {
    # name: (function, strategy for its input)
    "neg": (ag.neg, arrays()),
    "neg_op": (lambda x: -x, arrays()),
    "exp": (ag.exp, arrays()),
    "log": (ag.log, arrays(min_value=0.2, max_value=5.0)),
    "sqrt": (ag.sqrt, arrays(min_value=0.2, max_value=5.0)),
    "abs": (ag.abs, arrays().map(off_grid)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@FIRST
@given(data=st.data())
def test_unary_first_order(name, data):
    f, strategy = UNARY[name]
    assert_gradients_match(f, [data.draw(strategy)])


@pytest.mark.parametrize("name", sorted(UNARY))
@SECOND
@given(data=st.data())
def test_unary_second_order(name, data):
    f, strategy = UNARY[name]
    assert_second_gradients_match(f, [data.draw(strategy)])


def test_unary_known_derivatives():
    x = np.array([0.3, 1.0, 2.5])
    np.testing.assert_allclose(grads(ag.exp, x)[0], np.exp(x))
    np.testing.assert_allclose(grads(ag.log, x)[0], 1 / x)
    np.testing.assert_allclose(grads(ag.sqrt, x)[0], 0.5 / np.sqrt(x))
    np.testing.assert_array_equal(grads(ag.neg, x)[0], -np.ones(3))


def test_abs_derivative_is_sign_and_zero_at_zero():
    np.testing.assert_array_equal(grads(ag.abs, np.array([-2.0, 0.0, 3.0]))[0], [-1.0, 0.0, 1.0])


def test_log_of_zero_gives_inf_gradient_under_detect_anomaly():
    x = ag.tensor([0.0, 1.0], requires_grad=True)
    with ag.detect_anomaly(), np.errstate(divide="ignore"):
        y = ag.log(x).sum()
        with pytest.raises(ag.AnomalyError, match="'log'"):
            y.backward()


# --- pow: tensor and scalar exponents ------------------------------------------------------

@FIRST
@given(pair=pairs(a_range=(0.5, 3.0), b_range=(-2.0, 2.0)))
def test_pow_tensor_exponent_first_order(pair):
    assert_gradients_match(lambda a, p: a ** p, list(pair))


@SECOND
@given(pair=pairs(max_side=3, a_range=(0.5, 3.0), b_range=(-2.0, 2.0)))
def test_pow_tensor_exponent_second_order(pair):
    assert_second_gradients_match(ag.pow, list(pair))


@FIRST
@given(x=arrays(), p=st.sampled_from([1, 2, 3, -1, -2]))
def test_pow_integer_scalar_exponent_any_sign_base(x, p):
    x = off_grid(x) if p > 0 else nonzero(x)
    assert_gradients_match(lambda a: a ** p, [x])
    np.testing.assert_allclose(grads(lambda a: a ** p, x)[0], p * x ** (p - 1.0), rtol=1e-12)


@FIRST
@given(x=arrays(min_value=0.2, max_value=4.0), p=st.sampled_from([0.5, 1.5, -0.5, -2.5, 0.0]))
def test_pow_real_scalar_exponent_positive_base(x, p):
    assert_gradients_match(lambda a: a ** p, [x])


@SECOND
@given(x=arrays(max_side=3, min_value=0.2, max_value=4.0),
       p=st.sampled_from([2, 3, 0.5, -1, 1.5]))
def test_pow_scalar_exponent_second_order(x, p):
    assert_second_gradients_match(lambda a: a ** p, [x])


@FIRST
@given(x=arrays(min_value=-3.0, max_value=3.0))
def test_number_to_the_power_of_a_tensor(x):
    assert_gradients_match(lambda a: 2.0 ** a, [x])
    np.testing.assert_allclose(grads(lambda a: 2.0 ** a, x)[0], np.log(2.0) * 2.0 ** x)


def test_pow_exponent_gradient_is_nan_at_a_negative_base_and_zero_at_zero_to_a_positive_p():
    # PyTorch's values: a^p of a negative base has no slope in p (log a is nan), even where
    # p is an integer and a^p itself is a number
    a = ag.tensor([-2.0, 0.0, 3.0])
    p = ag.tensor([2.0, 2.0, 2.0], requires_grad=True)
    (a ** p).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), [np.nan, 0.0, 9.0 * np.log(3.0)])


# --- maximum / minimum: ties split half and half -------------------------------------------

@pytest.mark.parametrize("f", [ag.maximum, ag.minimum], ids=["maximum", "minimum"])
@FIRST
@given(pair=pairs())
def test_maximum_minimum_first_order(f, pair):
    a, b = pair
    assert_gradients_match(f, [off_grid(a), on_grid(b)])     # never a tie


@pytest.mark.parametrize("f", [ag.maximum, ag.minimum], ids=["maximum", "minimum"])
@SECOND
@given(pair=pairs(max_side=3))
def test_maximum_minimum_second_order(f, pair):
    a, b = pair
    assert_second_gradients_match(f, [off_grid(a), on_grid(b)])


def test_maximum_ties_split_the_gradient_half_and_half():
    a = np.array([1.0, 3.0, 2.0, -1.0])
    b = np.array([2.0, 3.0, 2.0, -4.0])
    da, db = grads(ag.maximum, a, b)
    np.testing.assert_array_equal(da, [0.0, 0.5, 0.5, 1.0])
    np.testing.assert_array_equal(db, [1.0, 0.5, 0.5, 0.0])
    da, db = grads(ag.minimum, a, b)
    np.testing.assert_array_equal(da, [1.0, 0.5, 0.5, 0.0])
    np.testing.assert_array_equal(db, [0.0, 0.5, 0.5, 1.0])


def test_maximum_tie_with_a_broadcast_scalar_sums_the_halves():
    a = ag.tensor([0.0, 0.0, 1.0], requires_grad=True)
    b = ag.tensor(0.0, requires_grad=True)
    ag.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 0.5, 1.0])
    assert b.grad.shape == () and b.grad.item() == 1.0


# --- where and clip --------------------------------------------------------------------------

@st.composite
def where_inputs(draw, max_side=4):
    sc, sa, sb = draw(broadcastable_shapes(num_shapes=3, max_side=max_side))
    condition = draw(arrays(sc)) > 0
    return condition, draw(arrays(sa)), draw(arrays(sb))


@FIRST
@given(inputs=where_inputs())
def test_where_first_order(inputs):
    condition, a, b = inputs
    assert_gradients_match(lambda x, y: ag.where(condition, x, y), [a, b])
    np.testing.assert_array_equal(ag.where(condition, a, b).numpy(), np.where(condition, a, b))


@SECOND
@given(inputs=where_inputs(max_side=3))
def test_where_second_order(inputs):
    condition, a, b = inputs
    assert_second_gradients_match(lambda x, y: ag.where(condition, x * y, y * y), [a, b])


def test_where_routes_the_gradient_and_accepts_a_tensor_condition():
    x = ag.tensor([-1.0, 2.0, -3.0], requires_grad=True)
    y = ag.tensor(5.0, requires_grad=True)
    ag.where(x > 0, x, y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0])
    assert y.grad.item() == 2.0


@FIRST
@given(x=arrays(), bounds=st.tuples(st.integers(-40, 40), st.integers(0, 40)),
       sides=st.sampled_from(["both", "min", "max"]))
def test_clip_first_order(x, bounds, sides):
    lo = bounds[0] / 10
    hi = lo + bounds[1] / 10
    lo, hi = (lo if sides != "max" else None), (hi if sides != "min" else None)
    x = off_grid(x)                                   # never exactly at a bound
    assert_gradients_match(lambda a: ag.clip(a, lo, hi), [x])
    np.testing.assert_array_equal(ag.clip(x, lo, hi).numpy(), np.clip(x, lo, hi))


@SECOND
@given(x=arrays(max_side=3))
def test_clip_second_order(x):
    assert_second_gradients_match(lambda a: ag.clip(a * a, 0.3, 2.0), [off_grid(x)])


def test_clip_gradient_is_one_inside_and_at_the_bounds_zero_outside():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    np.testing.assert_array_equal(grads(lambda a: ag.clip(a, -1.0, 1.0), x)[0],
                                  [0.0, 1.0, 1.0, 1.0, 0.0])
    np.testing.assert_array_equal(grads(lambda a: a.clip(min=0.5), x)[0],
                                  [0.0, 0.0, 0.0, 1.0, 1.0])


def test_clip_bounds_may_be_arrays_or_constant_tensors_but_get_no_gradient():
    x = ag.tensor([0.5, 2.0, -1.0], requires_grad=True)
    for lo in (np.zeros(3), ag.tensor([0.0, 0.0, 0.0])):
        x.zero_grad()
        y = ag.clip(x, lo, ag.tensor(1.0))
        np.testing.assert_array_equal(y.numpy(), [0.5, 1.0, 0.0])
        y.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0, 0.0])
    with pytest.raises(ag.GraphError, match="clip: the bound min requires a gradient"):
        ag.clip(x, ag.tensor(0.0, requires_grad=True))


def test_clip_without_bounds_is_an_error():
    with pytest.raises(ValueError, match="clip"):
        ag.clip(ag.tensor([1.0]))


# --- astype ----------------------------------------------------------------------------------

@FIRST
@given(x=arrays(min_value=-3.0, max_value=3.0))
def test_astype_to_float32_and_back(x):
    t = ag.tensor(x, requires_grad=True)
    c = ag.astype(t, np.float32)
    assert c.dtype == np.float32 and c.grad_fn.name == "cast"
    weights = np.linspace(-1.0, 1.0, x.size, dtype=np.float32).reshape(x.shape)
    (c * weights).sum().backward()
    assert t.grad.dtype == np.float64
    np.testing.assert_array_equal(t.grad.numpy(), weights.astype(np.float64))
    # through float32 the finite differences are only good to float32 precision
    assert_gradients_match(lambda a: ag.astype(ag.astype(a, "float32") ** 2, "float64"), [x],
                           eps=1e-2, atol=1e-2, rtol=1e-2)


@SECOND
@given(x=arrays(max_side=3, min_value=-2.0, max_value=2.0))
def test_astype_second_order(x):
    # a cubic through float32: the second derivative 6x, to float32 precision
    assert_second_gradients_match(lambda a: ag.astype(ag.astype(a, np.float32) ** 3, "float64"),
                                  [x], eps=1e-2, atol=2e-2, rtol=2e-2)


def test_astype_same_dtype_is_the_tensor_itself_and_int_to_float_starts_a_graph():
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    assert ag.astype(t, np.float64) is t
    i = ag.tensor([1, 2])
    f = i.astype(np.float64)
    assert f.dtype == np.float64 and not f.requires_grad
    np.testing.assert_array_equal(i.float().numpy(), [1.0, 2.0])


def test_float32_gradient_of_float64_computation_is_cast_back():
    w = ag.tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    x = ag.tensor([0.5, 0.25])                      # float64: numpy promotes the product
    y = (w * x).sum()
    assert y.dtype == np.float64
    y.backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad.numpy(), np.array([0.5, 0.25], dtype=np.float32))


# --- shapes: 0-d and size-1 explicitly -------------------------------------------------------

@pytest.mark.parametrize("shape_a, shape_b", [((), ()), ((), (3,)), ((1,), (2, 3)),
                                              ((2, 1, 3), (4, 1)), ((1, 1), ())])
def test_binary_ops_on_0d_and_size1_shapes(shape_a, shape_b):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape_a)
    b = nonzero(rng.standard_normal(shape_b))
    for f in (ag.add, ag.sub, ag.mul, ag.div):
        assert_gradients_match(f, [a, b])
        da, db = grads(f, a, b)
        assert da.shape == shape_a and db.shape == shape_b


def test_mismatched_shapes_raise_shape_error_naming_the_op_and_shapes():
    with pytest.raises(ag.ShapeError, match=r"mul.*\(2, 3\).*\(4,\)"):
        ag.tensor(np.ones((2, 3))) * ag.tensor(np.ones(4))
    with pytest.raises(ag.ShapeError, match=r"maximum.*\(2,\).*\(3,\)"):
        ag.maximum(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 2.0, 3.0]))


@settings(max_examples=20, deadline=None)
@given(shape=shapes())
def test_constant_operand_gets_no_gradient_but_the_other_does(shape):
    x = ag.tensor(np.full(shape, 2.0), requires_grad=True)
    c = ag.tensor(np.full(shape, 3.0))
    (x * c + c / x - c).sum().backward()
    assert c.grad is None
    np.testing.assert_allclose(x.grad.numpy(), np.full(shape, 3.0 - 3.0 / 4.0))


# --- the course's pitfalls, warned about -----------------------------------------------------

@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("shape_a, shape_b", [((3,), (3, 1)), ((3, 1), (3,)), ((3,), (2, 1)),
                                              ((4,), (2, 4, 1))])
def test_a_rank_one_array_expanded_by_a_column_warns_naming_op_and_shapes(shape_a, shape_b):
    a, b = ag.tensor(np.ones(shape_a), requires_grad=True), np.ones(shape_b)
    with pytest.warns(ag.RankOneWarning, match=r"mul: a rank-1 array of shape \(\d,\) was "
                                                r"broadcast against shape") as record:
        out = a * b
    assert out.shape == np.broadcast_shapes(shape_a, shape_b)
    assert record[0].filename == __file__                     # points at the user's line


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("shape_a, shape_b", [((3,), (2, 3)), ((1, 3), (2, 3)), ((2, 1), (2, 3)),
                                              ((3,), (3,)), ((), (2, 3)), ((1,), (2, 3))])
def test_row_broadcasts_and_shapes_without_rank_one_do_not_warn(shape_a, shape_b):
    out = ag.tensor(np.ones(shape_a), requires_grad=True) + np.ones(shape_b)
    assert out.shape == np.broadcast_shapes(shape_a, shape_b)


@pytest.mark.filterwarnings("ignore:divide by zero")
def test_log_of_a_sigmoid_rounded_to_zero_warns():
    with pytest.warns(ag.NumericalWarning, match="logits"):
        ag.log(ag.sigmoid(ag.tensor([-800.0, 0.0], requires_grad=True)))
    with pytest.warns(ag.NumericalWarning, match="logits"):
        ag.log(1 - ag.sigmoid(ag.tensor([40.0], requires_grad=True)))


@pytest.mark.filterwarnings("error")
def test_log_of_a_sigmoid_that_did_not_round_is_quiet():
    z = ag.tensor([-30.0, 0.0, 30.0], requires_grad=True)
    out = ag.log(ag.sigmoid(z)) + ag.log(1 - ag.sigmoid(z))
    assert np.all(np.isfinite(out.numpy()))


def test_pow_derivatives_at_zero_base_are_finite_at_every_order():
    x = ag.tensor([0.0, 2.0], requires_grad=True)
    (x ** 0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])    # d/dx x^0 = 0, not 0·inf
    x = ag.tensor([0.0, 2.0], requires_grad=True)
    d1 = ag.grad((x ** 2).sum(), x, create_graph=True)            # 2x
    d2 = ag.grad(d1.sum(), x, create_graph=True)                  # 2
    d3 = ag.grad(d2.sum(), x, allow_unused=True)                  # 0
    np.testing.assert_array_equal(d1.numpy(), [0.0, 4.0])
    np.testing.assert_array_equal(d2.numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(d3.numpy(), [0.0, 0.0])


# --- comparisons of shapes that do not broadcast ---------------------------------------------

@pytest.mark.parametrize("compare, name", [
    (lambda a, b: a < b, "less (<)"), (lambda a, b: a <= b, "less_equal (<=)"),
    (lambda a, b: a > b, "greater (>)"), (lambda a, b: a >= b, "greater_equal (>=)"),
    (lambda a, b: a == b, "equal (==)"), (lambda a, b: a != b, "not_equal (!=)")])
def test_comparing_shapes_that_do_not_broadcast_raises_shape_error(compare, name):
    for other in (ag.tensor([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])):
        with pytest.raises(ag.ShapeError) as info:
            compare(ag.tensor([1.0, 2.0]), other)
        assert str(info.value).startswith(f"{name}: cannot compare shapes (2,) and (3,)")


def test_comparisons_with_python_numbers_follow_numpy_even_out_of_the_dtypes_range():
    operators = {np.less: lambda a, b: a < b, np.greater_equal: lambda a, b: a >= b,
                 np.equal: lambda a, b: a == b, np.not_equal: lambda a, b: a != b}
    for x in (np.array([-5, 0, 100], dtype=np.int8), np.array([0.1, 0.2], dtype=np.float32)):
        for number in (1000, -1000, 2 ** 40, 0.1, 0.5, True):
            for ufunc, op in operators.items():
                got = op(ag.tensor(x), number)
                assert got.dtype == bool
                np.testing.assert_array_equal(got.numpy(), ufunc(x, number))
                np.testing.assert_array_equal(op(number, ag.tensor(x)).numpy(), op(number, x))


# --- integer and boolean dtypes follow numpy 2 (Python numbers are "weak", NEP 50) ------------

ARITHMETIC = {
    "add": lambda a, s: a + s, "sub": lambda a, s: a - s, "mul": lambda a, s: a * s,
    "div": lambda a, s: a / s, "pow": lambda a, s: a ** s,
    "radd": lambda a, s: s + a, "rsub": lambda a, s: s - a, "rmul": lambda a, s: s * a,
    "rdiv": lambda a, s: s / a, "rpow": lambda a, s: s ** a,
}
DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint32, np.bool_,
          np.float16, np.float32, np.float64]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")      # numpy's own (1 / 0, overflow)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("op", sorted(ARITHMETIC))
def test_result_dtype_and_value_follow_numpy(dtype, op):
    data = np.array([1, 0, 1], dtype) if dtype is np.bool_ else np.array([3, 0, 2], dtype)
    f = ARITHMETIC[op]
    for number in (2, 0, -1, -3, 200, 2 ** 40, 1.5, True):
        try:
            expected = f(data, number)
        except OverflowError:              # numpy 2: the number does not fit the dtype
            with pytest.raises(OverflowError, match=f"number {number} does not fit"):
                f(ag.tensor(data), number)
            continue
        except ValueError:                 # numpy: integers to negative integer powers
            with pytest.raises(ag.DTypeError, match="pow: integers to negative integer powers"):
                f(ag.tensor(data), number)
            continue
        except TypeError:                  # numpy: no boolean subtraction
            with pytest.raises(TypeError, match="boolean subtract"):
                f(ag.tensor(data), number)
            continue
        got = f(ag.tensor(data), number)
        if dtype is np.bool_ and op == "pow" and number == 2:
            # numpy's power has a fast path for ** 2 (np.square), which gives int8 for bools;
            # every other bool ** int is int64 in numpy, and so is ours, ** 2 included
            assert expected.dtype == np.int8 and got.dtype == np.int64
        else:
            assert got.dtype == expected.dtype, (op, number)
        np.testing.assert_array_equal(got.numpy(), expected, err_msg=f"{op} {number}")


def test_integer_tensors_keep_their_dtype_with_python_numbers():
    x = ag.tensor(np.array([1, 2, 3], dtype=np.int32))
    assert (x ** 2).dtype == np.int32 and (x + 1).dtype == np.int32
    assert (2 * x - 1).dtype == np.int32 and (x / 2).dtype == np.float64
    np.testing.assert_array_equal((x ** 2).numpy(), [1, 4, 9])
    assert (ag.tensor(np.array([1, 2], np.uint8)) + 255).numpy().tolist() == [0, 1]  # wraps
    with pytest.raises(OverflowError, match="1000 does not fit the tensor's dtype int8"):
        ag.tensor(np.array([1], np.int8)) + 1000
    with pytest.raises(ag.DTypeError, match=r"pow: .*int32.*astype\('float64'\)"):
        x ** -1


def test_float32_tensors_with_python_numbers_stay_float32():
    x = ag.tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    for out in (x + 1, x * 2.5, x / 3, x ** 2, 2 ** x, 1 - x, x * True):
        assert out.dtype == np.float32
    (x ** 2 / 3).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.numpy(), [2 / 3, 4 / 3], rtol=1e-6)


# --- pow at base 0: d/dp 0^p = 0 for p >= 0 and −inf (the limit) for p < 0 ------------------

@pytest.mark.parametrize("p", [-2.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0])
def test_pow_at_base_zero_follows_the_rule_at_first_and_second_order(p):
    a = ag.tensor([0.0], requires_grad=True)
    q = ag.tensor([p], requires_grad=True)
    with np.errstate(divide="ignore"):             # numpy's own for 0 ** negative (forward)
        da, dp = ag.grad((a ** q).sum(), [a, q], create_graph=True)
        dp_da, dp_dp = ag.grad(dp.sum(), [a, q])
        da_da, da_dp = ag.grad(da.sum(), [a, q])
    assert dp.item() == (-np.inf if p < 0 else 0.0)
    assert dp_da.item() == 0.0 and dp_dp.item() == 0.0
    # d/da a^p = p·a^(p−1) at a = 0: 0 for p = 0 (the rule) and p > 1, 1 for p = 1, ±inf below
    finite = {0.0: (0.0, 0.0), 1.0: (1.0, 0.0), 2.0: (0.0, 2.0), 3.0: (0.0, 0.0)}
    # below: p·0^(p−1) = ±inf and p(p−1)·0^(p−2) = ±inf, the signs of p and p(p−1)
    expected_da, expected_da_da = finite.get(p, (np.copysign(np.inf, p),
                                                 np.copysign(np.inf, p * (p - 1))))
    assert da.item() == expected_da
    assert da_da.item() == expected_da_da
    # d/dp (p·a^(p−1)) = a^(p−1) + p·a^(p−1)·log a: inf − inf = nan for 0 < p < 1 (as in
    # PyTorch), a number or ±inf otherwise
    assert np.isnan(da_dp.item()) == (0 < p < 1)


def test_pow_with_a_tensor_exponent_at_base_zero_is_the_limit_as_in_pytorch():
    # d/dp 0^p: −inf for p < 0 (a^p log a → −inf as a → 0+), 0 for p > 0; never nan
    a = ag.tensor([0.0, 0.0, 2.0])
    p = ag.tensor([-1.0, 0.5, -1.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        (a ** p).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), [-np.inf, 0.0, 0.5 * np.log(2.0)])


def test_pow_gradients_of_both_inputs_at_zero_to_a_negative_power_are_minus_inf():
    x = ag.tensor(0.0, requires_grad=True)
    y = ag.tensor(-1.5, requires_grad=True)
    with np.errstate(divide="ignore"):
        (x ** y).backward()
    assert x.grad.item() == -np.inf and y.grad.item() == -np.inf


def test_pow_exponent_gradient_of_a_float32_base_stays_float32():
    a = ag.tensor(np.array([-1.0, 0.0, 2.0], np.float32))
    p = ag.tensor(np.array([0.5, -1.0, 2.0], np.float32), requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        (a ** p).sum().backward()
    assert p.grad.dtype == np.float32
    np.testing.assert_array_equal(p.grad.numpy(),
                                  np.array([np.nan, -np.inf, 4 * np.log(2.0)], np.float32))
