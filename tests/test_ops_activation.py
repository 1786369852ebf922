"""Activations g(z) and softmax / log_softmax: numerical gradients at first and second order,
the course's closed-form derivatives checked exactly, kink conventions, numerical stability."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import (arrays, assert_gradients_match,
                                   assert_second_gradients_match, axes, shapes)
from op_checks import check_compiled_step_is_bitwise_eager

FIRST = settings(max_examples=40, deadline=None)
SECOND = settings(max_examples=20, deadline=None)


def off_kink(x):
    """Values k/10 + 0.05: at least 0.05 away from the kink at 0."""
    return np.round(x, 1) + 0.05


def grad_of_sum(f, x):
    t = ag.tensor(x, requires_grad=True)
    f(t).sum().backward()
    return t.grad.numpy()


def sig(z):
    """The logistic function in float64, without overflow: exp(−log(1 + e^(−z)))."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=np.float64)))


ACTIVATIONS = {
    "sigmoid": ag.sigmoid,
    "tanh": ag.tanh,
    "softplus": ag.softplus,
    "relu": ag.relu,
    "leaky_relu": lambda z: ag.leaky_relu(z, 0.1),
    "sigmoid_method": lambda z: z.sigmoid(),
    "relu_method": lambda z: z.relu(),
}
KINKED = {"relu", "leaky_relu", "relu_method"}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@FIRST
@given(z=arrays())
def test_activation_first_order(name, z):
    z = off_kink(z) if name in KINKED else z
    assert_gradients_match(ACTIVATIONS[name], [z])


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "relu", "leaky_relu"])
@SECOND
@given(z=arrays(max_side=3))
def test_activation_second_order(name, z):
    z = off_kink(z) if name in KINKED else z
    assert_second_gradients_match(ACTIVATIONS[name], [z])


@FIRST
@given(z=arrays(), alpha=st.floats(0.0, 0.5))
def test_leaky_relu_any_alpha(z, alpha):
    z = off_kink(z)
    assert_gradients_match(lambda t: ag.leaky_relu(t, alpha), [z])
    np.testing.assert_array_equal(grad_of_sum(lambda t: t.leaky_relu(alpha), z),
                                  np.where(z > 0, 1.0, alpha))
    np.testing.assert_allclose(ag.leaky_relu(z, alpha).numpy(), np.where(z > 0, z, alpha * z))


# --- the course's closed forms, exactly ----------------------------------------------------

@FIRST
@given(z=arrays(min_value=-20.0, max_value=20.0))
def test_sigmoid_derivative_is_s_times_one_minus_s(z):
    s = sig(z)
    np.testing.assert_allclose(ag.sigmoid(z).numpy(), s, rtol=1e-12, atol=1e-300)
    # 1 − s cancels for large z: the derivative is exact up to an absolute error of ~1e-16
    np.testing.assert_allclose(grad_of_sum(ag.sigmoid, z), s * (1 - s), rtol=1e-9, atol=1e-15)


@FIRST
@given(z=arrays())
def test_tanh_derivative_is_one_minus_tanh_squared(z):
    np.testing.assert_allclose(grad_of_sum(ag.tanh, z), 1 - np.tanh(z) ** 2, rtol=1e-12,
                               atol=1e-15)


@FIRST
@given(z=arrays(min_value=-3.0, max_value=3.0))
def test_second_derivative_of_tanh_is_minus_2_tanh_times_1_minus_tanh_squared(z):
    t = ag.tensor(z, requires_grad=True)
    dy = ag.grad(ag.tanh(t).sum(), t, create_graph=True)
    d2y = ag.grad(dy.sum(), t)
    th = np.tanh(z)
    np.testing.assert_allclose(d2y.numpy(), -2 * th * (1 - th ** 2), rtol=1e-10, atol=1e-15)


@FIRST
@given(data=st.data())
def test_logistic_loss_derivative_is_sigma_minus_y(data):
    z = data.draw(arrays(min_value=-10.0, max_value=10.0))
    y = (data.draw(arrays(z.shape)) > 0).astype(np.float64)       # labels 0 / 1
    Z = ag.tensor(z, requires_grad=True)
    A = ag.sigmoid(Z)
    L = -(y * ag.log(A) + (1 - y) * ag.log(1 - A))
    L.sum().backward()
    np.testing.assert_allclose(Z.grad.numpy(), sig(z) - y, rtol=1e-6, atol=1e-9)


def test_softplus_derivative_is_sigmoid_and_relu_is_its_limit():
    z = np.array([-30.0, -1.0, 0.0, 2.0, 30.0])
    np.testing.assert_allclose(grad_of_sum(ag.softplus, z), sig(z), rtol=1e-12)
    np.testing.assert_allclose(ag.softplus(z).numpy(), np.logaddexp(0, z), rtol=1e-12)


# --- kinks and extremes --------------------------------------------------------------------

def test_kink_conventions_at_zero():
    z = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(grad_of_sum(ag.relu, z), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(grad_of_sum(lambda t: ag.leaky_relu(t, 0.2), z),
                                  [0.2, 0.2, 1.0])


def test_stable_for_huge_inputs():
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = ag.sigmoid(z).numpy()
        sp = ag.softplus(z).numpy()
        g = grad_of_sum(ag.sigmoid, z)
    np.testing.assert_allclose(s, [0.0, sig(-50.0), 0.5, 1.0, 1.0], rtol=1e-12, atol=0)
    np.testing.assert_allclose(sp, [0.0, np.log1p(np.exp(-50.0)), np.log(2), 50.0, 1000.0],
                               rtol=1e-12)
    assert np.all(np.isfinite(g)) and g[2] == 0.25
    assert np.all(np.isfinite(ag.log_softmax(ag.tensor(z)).numpy()))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_sigmoid_never_overflows_in_low_precision(dtype):
    z = ag.tensor([-1000.0, -100.0, -20.0, -11.5, 0.0, 20.0, 1000.0], dtype=dtype,
                  requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):
        a = ag.sigmoid(z)
        (a * 1.0).sum().backward()
    assert a.dtype == dtype and z.grad.dtype == dtype
    expected = sig(z.numpy().astype(np.float64)).astype(dtype)
    np.testing.assert_allclose(a.numpy(), expected, rtol=np.finfo(dtype).eps * 4, atol=0)


def test_float32_stays_float32():
    z = ag.tensor([-2.0, 0.5, 3.0], dtype=np.float32, requires_grad=True)
    for f in (ag.sigmoid, ag.tanh, ag.relu, ag.softplus, ag.leaky_relu, ag.softmax,
              ag.log_softmax):
        z.zero_grad()
        out = f(z)
        assert out.dtype == np.float32, f
        (out * out).sum().backward()
        assert z.grad.dtype == np.float32, f


# --- softmax and log_softmax along an axis -------------------------------------------------

@st.composite
def with_axis(draw, max_side=4, allow_tuple=True):
    x = draw(arrays(shapes(min_dims=1, max_side=max_side)))
    return x, draw(axes(x.ndim, allow_none=False, allow_tuple=allow_tuple))


@pytest.mark.parametrize("f", [ag.softmax, ag.log_softmax], ids=["softmax", "log_softmax"])
@FIRST
@given(case=with_axis())
def test_softmax_first_order(f, case):
    x, axis = case
    assert_gradients_match(lambda t: f(t, axis=axis), [x])


@pytest.mark.parametrize("f", [ag.softmax, ag.log_softmax], ids=["softmax", "log_softmax"])
@SECOND
@given(case=with_axis(max_side=3))
def test_softmax_second_order(f, case):
    x, axis = case
    assert_second_gradients_match(lambda t: f(t, axis=axis), [x])


@FIRST
@given(case=with_axis(allow_tuple=False))
def test_softmax_values_sum_to_one_and_log_softmax_is_its_log(case):
    x, axis = case
    a = ag.softmax(x, axis=axis).numpy()
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    np.testing.assert_allclose(a, e / e.sum(axis=axis, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(a.sum(axis=axis), 1.0, rtol=1e-12)
    np.testing.assert_allclose(ag.log_softmax(x, axis=axis).numpy(), np.log(a), atol=1e-12)
    np.testing.assert_allclose(ag.tensor(x).softmax(axis).numpy(), a)


def test_softmax_cross_entropy_gradient_is_a_minus_y_along_the_class_axis():
    # the course's layout: classes along axis 0, examples along axis 1
    Z = ag.tensor([[1.0, -2.0, 0.5], [0.0, 3.0, 0.5], [-1.0, 1.0, 2.0]], requires_grad=True)
    Y = np.eye(3)[:, [2, 0, 1]]
    loss = -(Y * ag.log_softmax(Z, axis=0)).sum()
    loss.backward()
    np.testing.assert_allclose(Z.grad.numpy(), ag.softmax(Z, axis=0).numpy() - Y, atol=1e-12)


def test_softmax_needs_a_valid_axis():
    with pytest.raises(ag.ShapeError, match="softmax"):
        ag.softmax(ag.tensor(1.0))
    with pytest.raises(ag.ShapeError, match="axis 2"):
        ag.log_softmax(ag.tensor([[1.0, 2.0]]), axis=2)
    with pytest.raises(ag.ShapeError, match="softmax"):
        ag.softmax(ag.tensor([1.0]), axis=None)


@pytest.mark.parametrize("beta", [0.5, 2.0, 10.0])
@settings(max_examples=20, deadline=None)
@given(x=arrays(min_value=-4, max_value=4))
def test_softplus_with_beta_is_log1p_exp_of_beta_z_over_beta(beta, x):
    # (and z itself where β·z passes PyTorch's default threshold 20)
    np.testing.assert_allclose(ag.softplus(ag.tensor(x), beta=beta).numpy(),
                               np.where(beta * x > 20, x, np.logaddexp(0, beta * x) / beta),
                               rtol=1e-12, atol=1e-300)
    assert_gradients_match(lambda t: ag.softplus(t, beta=beta), [x])
    assert_second_gradients_match(lambda t: ag.softplus(t, beta=beta), [x])


# --- softplus(beta, threshold) as torch.nn.functional.softplus ----------------------------------

def softplus_reference(z, beta, threshold):
    """PyTorch's definition: log1p(exp(β·z)) / β, and z itself where β·z > threshold."""
    bz = beta * z
    with np.errstate(over="ignore"):
        smooth = np.log1p(np.exp(bz)) / beta
    return np.where(bz > threshold, z, smooth)


@FIRST
@given(z=arrays(min_value=-8.0, max_value=8.0), beta=st.sampled_from([0.5, 1.0, 2.0, 3.0, -1.5]),
       threshold=st.sampled_from([1.0, 5.0, 20.0]))
def test_softplus_beta_threshold_values_and_gradients(z, beta, threshold):
    bz = beta * z
    z = np.where(np.abs(bz - threshold) < 0.05, z + 0.1 / beta, z)   # off the switch point
    np.testing.assert_allclose(ag.softplus(z, beta=beta, threshold=threshold).numpy(),
                               softplus_reference(z, beta, threshold), rtol=1e-12, atol=1e-15)
    expected = np.where(beta * z > threshold, 1.0, sig(beta * z))
    np.testing.assert_allclose(grad_of_sum(lambda t: ag.softplus(t, beta, threshold), z),
                               expected, rtol=1e-12, atol=1e-15)
    assert_gradients_match(lambda t: ag.softplus(t, beta=beta, threshold=threshold), [z])


@SECOND
@given(z=arrays(max_side=3), beta=st.sampled_from([0.5, 2.0, -1.0]))
def test_softplus_beta_second_order(z, beta):
    assert_second_gradients_match(lambda t: ag.softplus(t, beta=beta, threshold=3.0), [z])


def test_softplus_threshold_is_exactly_linear_and_its_curvature_zero():
    z = ag.tensor([10.0, 21.0, 1000.0], requires_grad=True)
    out = ag.softplus(z)
    np.testing.assert_array_equal(out.numpy()[1:], [21.0, 1000.0])   # torch: z itself past 20
    (g,) = ag.grad(out.sum(), [z], create_graph=True)
    np.testing.assert_array_equal(g.numpy()[1:], [1.0, 1.0])
    (h,) = ag.grad(g.sum(), [z])
    np.testing.assert_allclose(h.numpy(), [sig(10.0) * (1 - sig(10.0)), 0.0, 0.0], rtol=1e-9)


def test_softplus_keeps_float32_and_refuses_bad_beta():
    assert ag.softplus(np.ones(3, dtype=np.float32), beta=2.0).dtype == np.float32
    with pytest.raises(ValueError, match="softplus: beta must not be 0"):
        ag.softplus(ag.tensor([1.0]), beta=0)
    with pytest.raises(ValueError, match="softplus: threshold must be finite"):
        ag.softplus(ag.tensor([1.0]), threshold=float("nan"))
    with pytest.raises(TypeError, match="softplus: beta must be a number"):
        ag.softplus(ag.tensor([1.0]), beta="big")


def test_softplus_in_a_compiled_step_is_bitwise_eager():
    w = ag.tensor(np.linspace(-2, 2, 5), requires_grad=True)

    def step(x):
        w.grad = None
        loss = ag.softplus(w * x, beta=2.0, threshold=4.0).sum()
        loss.backward()
        return loss, w.grad

    compiled = check_compiled_step_is_bitwise_eager(
        step, ([1.0, 3.0, -2.0, 0.5, 4.0], [9.0, -9.0, 0.0, 1.0, 2.0], [0.1] * 5))
    assert compiled.replays >= 1
