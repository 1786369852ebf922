"""Reliability: numerical edge cases stay finite, or fail loudly where they cannot.

* The activations and the logits-based costs are finite, with finite gradients, at ±1000.
* The probability-based costs at a = 0 or 1 follow nn's documented rule: a right and sure
  prediction costs 0 (0·log 0 = 0) with a finite gradient; a wrong and sure one costs inf,
  with a NumericalWarning naming the example and pointing at the logits-based cost; fit
  stops there with TrainingError instead of training on NaN.
* ``log(sigmoid(z))`` written by hand warns, at the user's line, when σ rounded to 0.
* Property tests over wide ranges (autograd_lite.testing strategies).
"""
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
import nn
from autograd_lite.testing import arrays, assert_gradients_match, assert_second_gradients_match
from nn import losses

WIDE = settings(max_examples=40, deadline=None)


def _value_and_grad(f, z, weights=None):
    """f(z) and the gradient of Σ f(z)·weights with respect to z."""
    z = ag.tensor(z, requires_grad=True)
    out = f(z)
    w = np.ones(out.shape) if weights is None else weights
    (out * w).sum().backward()
    return out.numpy(), z.grad.numpy()


def _line():
    return sys._getframe(1).f_lineno


EXTREMES = np.array([[-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0]])


# --- activations at ±1000: values and gradients, exactly ---------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_at_extremes(dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # not even an overflow warning
        a, g = _value_and_grad(ag.sigmoid, EXTREMES.astype(dtype))
    assert a.dtype == dtype and g.dtype == dtype
    assert a[0, 0] == 0.0 and a[0, -1] == 1.0 and a[0, 3] == 0.5
    assert g[0, 0] == 0.0 and g[0, -1] == 0.0 and g[0, 3] == 0.25
    assert np.all(np.isfinite(g)) and np.all((g >= 0) & (g <= 0.25))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_tanh_at_extremes(dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a, g = _value_and_grad(ag.tanh, EXTREMES.astype(dtype))
    assert (a[0, 0], a[0, -1]) == (-1.0, 1.0)
    assert (g[0, 0], g[0, -1], g[0, 3]) == (0.0, 0.0, 1.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softplus_at_extremes(dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a, g = _value_and_grad(ag.softplus, EXTREMES.astype(dtype))
    assert a[0, 0] == 0.0 and a[0, -1] == 1000.0
    assert a[0, 3] == pytest.approx(np.log(2), rel=1e-6)
    assert g[0, 0] == 0.0 and g[0, -1] == 1.0 and g[0, 3] == pytest.approx(0.5)


def test_logsumexp_at_extremes():
    z = np.array([[1000.0, 1000.0, -1000.0], [-1000.0, -1000.0, -1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, g = _value_and_grad(lambda t: ag.logsumexp(t, axis=1), z)
    np.testing.assert_allclose(out, [1000 + np.log(2), -1000 + np.log(3)], rtol=1e-15)
    # exp(z − out) loses about |z|·ε of relative accuracy: ~1e-13 at |z| = 1000
    np.testing.assert_allclose(g, [[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-12)


def test_softmax_and_log_softmax_at_extremes():
    # the course's layout: classes along axis 0, one example per column
    Z = np.array([[1000.0, -1000.0, 0.0],
                  [-1000.0, -1000.0, 0.0],
                  [0.0, 1000.0, 0.0]])
    weights = np.arange(9.0).reshape(3, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A, gA = _value_and_grad(lambda t: ag.softmax(t, axis=0), Z, weights)
        L, gL = _value_and_grad(lambda t: ag.log_softmax(t, axis=0), Z, weights)
    np.testing.assert_array_equal(A[:, 0], [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(A[:, 1], [0.0, 0.0, 1.0])
    np.testing.assert_allclose(A[:, 2], [1 / 3] * 3)
    np.testing.assert_array_equal(L[:, 0], [0.0, -2000.0, -1000.0])
    assert np.all(np.isfinite(gA)) and np.all(np.isfinite(gL))
    # d/dz Σ w·log_softmax(z) = w − softmax(z)·Σw, per column
    np.testing.assert_allclose(gL, weights - A * weights.sum(axis=0), atol=1e-12)


@pytest.mark.parametrize("z, y, cost, dz", [
    (1000.0, 0, 1000.0, 1.0),          # sure and wrong: cost z, dZ = σ(z) − y
    (-1000.0, 1, 1000.0, -1.0),
    (1000.0, 1, 0.0, 0.0),             # sure and right
    (-1000.0, 0, 0.0, 0.0),
])
def test_bce_with_logits_is_finite_at_extremes(z, y, cost, dz):
    Z = ag.tensor([[z, 0.0]], requires_grad=True)
    J = losses.binary_cross_entropy_with_logits(Z, [[y, 1]])
    J.backward()
    assert J.item() == pytest.approx((cost + np.log(2)) / 2, rel=1e-15)
    np.testing.assert_allclose(Z.grad.numpy(), [[dz / 2, -0.25]], rtol=1e-15)


def test_softmax_cross_entropy_is_finite_at_extremes():
    Z = ag.tensor([[1000.0, -1000.0], [-1000.0, 1000.0], [0.0, 0.0]], requires_grad=True)
    Y = np.array([[0, 0], [1, 1], [0, 0]])          # first example sure and wrong
    J = losses.softmax_cross_entropy(Z, Y)
    J.backward()
    assert J.item() == pytest.approx(2000.0 / 2, rel=1e-15)
    np.testing.assert_allclose(Z.grad.numpy(), [[0.5, 0.0], [-0.5, 0.0], [0.0, 0.0]],
                               atol=1e-300)


# --- probability-based costs at a = 0 or 1: nn's documented rule ------------------------------

def test_a_sure_and_right_prediction_costs_zero_with_a_finite_gradient():
    # σ(40) rounds to 1.0 and σ(−800) to 0.0: the course's formula would give 0·(−inf) = nan
    Z = ag.tensor([[40.0, -800.0, 0.0]], requires_grad=True)
    A = ag.sigmoid(Z)
    assert A.numpy()[0, 0] == 1.0 and A.numpy()[0, 1] == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # no warning: nothing went wrong
        J = losses.binary_cross_entropy(A, [[1, 0, 1]])
        J.backward()
    assert J.item() == pytest.approx(np.log(2) / 3, rel=1e-15)
    # the same as from the logits: dZ = (σ(Z) − Y) / m
    np.testing.assert_allclose(Z.grad.numpy(), [[0.0, 0.0, -0.5 / 3]], atol=1e-300)


@pytest.mark.parametrize("A, Y, first", [
    ([[0.5, 1.0]], [[1, 0]], "example 1, row 0: a = 1.0, y = 0.0"),
    ([[0.0, 0.5]], [[1, 1]], "example 0, row 0: a = 0.0, y = 1.0"),
    ([[0.0, 0.5]], [[0.3, 1]], "example 0, row 0: a = 0.0, y = 0.3"),   # a soft label
])
def test_a_sure_and_wrong_prediction_costs_inf_and_warns_where(A, Y, first):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        line = _line(); J = losses.binary_cross_entropy(A, Y)       # noqa: E702
    assert J.item() == np.inf
    [w] = [w for w in record if issubclass(w.category, ag.NumericalWarning)]
    message = str(w.message)
    assert message.startswith("binary_cross_entropy: 1 prediction(s) are exactly 0 or 1 on "
                              "the wrong side of their label")
    assert first in message and "cost is inf" in message
    assert "nn.losses.binary_cross_entropy_with_logits(Z, Y)" in message and "eps" in message
    assert (w.filename, w.lineno) == (__file__, line)


def test_eps_clips_a_saturated_prediction_to_a_finite_cost_with_a_finite_gradient():
    A = ag.tensor([[1.0, 0.0]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        J = losses.binary_cross_entropy(A, [[0, 1]], eps=1e-12)
        J.backward()
    assert J.item() == pytest.approx(-np.log(1e-12), rel=1e-6)
    assert np.all(A.grad.numpy() == 0)                 # clipped: no slope left, but no nan


def test_cross_entropy_on_softmax_probabilities_follows_the_same_rule():
    Z = ag.tensor([[800.0, 0.0], [0.0, 0.0]], requires_grad=True)
    A = ag.softmax(Z, axis=0)                            # first column: exactly (1, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        J = losses.cross_entropy(A, [[1, 1], [0, 0]])
        J.backward()
    assert J.item() == pytest.approx(np.log(2) / 2)
    assert np.all(np.isfinite(Z.grad.numpy()))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        assert losses.cross_entropy(A.detach(), [[0, 1], [1, 0]]).item() == np.inf
    [w] = [w for w in record if issubclass(w.category, ag.NumericalWarning)]
    assert str(w.message).startswith("cross_entropy: 1 prediction(s)")
    assert "nn.losses.softmax_cross_entropy(Z, Y)" in str(w.message)


def _saturated_model(sign):
    """A logistic regression already sure of itself: z = ±1000 on two examples."""
    model = nn.LogisticRegression(1)
    model.layer1.W.data = np.array([[sign * 1.0]])
    return model, np.array([[-1000.0, 1000.0]])


def test_fit_on_sure_and_right_predictions_keeps_finite_costs():
    model, X = _saturated_model(+1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        costs = model.fit(X, np.array([[0, 1]]), iterations=5, learning_rate=0.1,
                          progress=False)
    assert costs == [0.0] * 5
    assert np.isfinite(model.layer1.W.data).all()


def test_fit_stops_with_a_training_error_when_the_cost_becomes_inf():
    model, X = _saturated_model(-1)
    W_before = model.layer1.W.data.copy()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with pytest.raises(nn.TrainingError) as info:
            model.fit(X, np.array([[0, 1]]), iterations=5, learning_rate=0.1, progress=False)
    message = str(info.value)
    assert message.startswith("LogisticRegression.fit: the cost became inf at iteration 0")
    assert "learning_rate (it is 0.1)" in message
    assert isinstance(info.value, FloatingPointError)
    np.testing.assert_array_equal(model.layer1.W.data, W_before)   # no NaN step was taken
    assert model.costs_ == []
    numerical = [w for w in record if issubclass(w.category, ag.NumericalWarning)]
    assert numerical and "2 prediction(s)" in str(numerical[0].message)
    assert numerical[0].filename == __file__                       # the line calling fit


def test_fit_that_diverges_names_the_iteration_and_the_last_finite_cost():
    X, Y = nn.datasets.circles(m=50, seed=0)
    model = nn.DeepNN([2, 3, 1], hidden="relu", init="he", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(nn.TrainingError) as info:
            model.fit(X, Y, iterations=300, learning_rate=100.0, progress=False)
    i = len(model.costs_)
    assert i >= 1                                      # a few finite costs, then inf
    assert f"at iteration {i} (it was {model.costs_[-1]:.6g} at iteration {i - 1})" in \
        str(info.value)
    assert all(np.isfinite(model.costs_))
    assert all(np.isfinite(p.data).all() for p in model.parameters())


# --- log(sigmoid(z)) by hand: pointed at the logits-based cost --------------------------------

def _numerical_warnings(record):
    return [w for w in record if issubclass(w.category, ag.NumericalWarning)]


@pytest.mark.parametrize("write", ["ag.log(sigmoid)", "sigmoid.log()", "log(1 - sigmoid)"])
def test_log_of_a_sigmoid_rounded_to_zero_warns_at_the_users_line(write):
    z = ag.tensor([[-1000.0, 0.0, 1000.0]], requires_grad=True)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        if write == "ag.log(sigmoid)":
            line = _line(); out = ag.log(ag.sigmoid(z))            # noqa: E702
        elif write == "sigmoid.log()":
            line = _line(); out = ag.sigmoid(z).log()              # noqa: E702
        else:
            line = _line(); out = ag.log(1 - ag.sigmoid(z))        # noqa: E702
    assert np.isinf(out.numpy()).sum() == 1
    [w] = _numerical_warnings(record)
    assert issubclass(w.category, UserWarning)
    message = str(w.message)
    assert message.startswith("log: ") and "sigmoid" in message
    assert "nn.losses.binary_cross_entropy_with_logits" in message
    assert hasattr(nn.losses, "binary_cross_entropy_with_logits")   # the name is real
    assert (w.filename, w.lineno) == (__file__, line)


def test_log_of_a_sigmoid_that_did_not_round_is_quiet():
    z = ag.tensor([[-30.0, 0.0, 30.0]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ag.log(ag.sigmoid(z)) + ag.log(1 - ag.sigmoid(z))
    assert np.all(np.isfinite(out.numpy()))


# --- properties over wide ranges ---------------------------------------------------------------

def _sigmoid_reference(z):
    return np.exp(-np.logaddexp(0.0, -z))                # stable, never overflows


@WIDE
@given(arrays(min_value=-1e4, max_value=1e4))
def test_sigmoid_tanh_softplus_are_finite_bounded_and_exact_everywhere(z):
    for f in (ag.sigmoid, ag.tanh, ag.softplus):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out, g = _value_and_grad(f, z)
        assert np.all(np.isfinite(out)) and np.all(np.isfinite(g))
    s, ds = _value_and_grad(ag.sigmoid, z)
    np.testing.assert_allclose(s, _sigmoid_reference(z), rtol=1e-12, atol=1e-300)
    assert np.all((0 <= ds) & (ds <= 0.25))
    sp, dsp = _value_and_grad(ag.softplus, z)
    np.testing.assert_allclose(sp, np.logaddexp(0.0, z), rtol=1e-12)
    assert np.all(sp >= np.maximum(z, 0))
    np.testing.assert_allclose(dsp, _sigmoid_reference(z), rtol=1e-9, atol=1e-300)
    t, dt = _value_and_grad(ag.tanh, z)
    assert np.all((np.abs(t) <= 1) & (0 <= dt) & (dt <= 1))


@WIDE
@given(arrays(shape=st.tuples(st.integers(1, 4), st.integers(1, 5)), min_value=-1e4,
              max_value=1e4))
def test_softmax_family_is_finite_and_normalised_everywhere(Z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A, gA = _value_and_grad(lambda t: ag.softmax(t, axis=0), Z, np.cos(Z))
        L, gL = _value_and_grad(lambda t: ag.log_softmax(t, axis=0), Z, np.cos(Z))
        S, gS = _value_and_grad(lambda t: ag.logsumexp(t, axis=0), Z)
    for x in (A, gA, L, gL, S, gS):
        assert np.all(np.isfinite(x))
    np.testing.assert_allclose(A.sum(axis=0), 1.0, rtol=1e-12)
    assert np.all(L <= 0)
    top, n = Z.max(axis=0), Z.shape[0]
    assert np.all((S >= top) & (S <= top + np.log(n) + 1e-9 * np.abs(top)))
    np.testing.assert_allclose(gS.sum(axis=0), 1.0, rtol=1e-12)    # the softmax weights
    np.testing.assert_allclose(np.exp(L), A, rtol=1e-9, atol=1e-300)


@WIDE
@given(Z=arrays(shape=st.tuples(st.integers(1, 3), st.integers(1, 5)), min_value=-1e4,
                max_value=1e4), data=st.data())
def test_bce_with_logits_is_finite_nonnegative_and_exact_everywhere(Z, data):
    Y = data.draw(arrays(shape=Z.shape, min_value=0.0, max_value=1.0))
    Zt = ag.tensor(Z, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        J = losses.binary_cross_entropy_with_logits(Zt, Y)
        J.backward()
    m = Z.shape[1]
    exact = (np.logaddexp(0.0, Z) - Y * Z).sum() / m
    assert J.item() == pytest.approx(exact, rel=1e-9, abs=1e-9)
    assert J.item() >= -1e-9 * np.abs(Z).sum()
    np.testing.assert_allclose(Zt.grad.numpy(), (_sigmoid_reference(Z) - Y) / m, rtol=1e-9,
                               atol=1e-15)


@settings(max_examples=25, deadline=None)
@given(arrays(shape=st.tuples(st.integers(1, 3), st.integers(1, 3)), min_value=-100.0,
              max_value=100.0))
def test_gradients_match_finite_differences_over_a_wide_range(Z):
    for f in (ag.softplus, lambda t: ag.log_softmax(t, axis=0),
              lambda t: ag.logsumexp(t, axis=0), ag.sigmoid, ag.tanh):
        assert_gradients_match(f, [Z], atol=1e-6, rtol=1e-4)


# --- second derivatives that are identically zero: zeros, at every order --------------------
# The derivative of relu, leaky_relu, abs, clip, where, x·2 ... does not change with x, so their
# backward builds it without x.  The engine records each gradient it returns under
# create_graph=True as a function of its input, so differentiating it again gives zeros
# (JAX's answer, and PyTorch's for relu-like ops), with or without allow_unused.

CONSTANT = ag.tensor([3.0, -1.0, 0.5, 2.5])
PIECEWISE_LINEAR = {
    "relu": ag.relu,
    "leaky_relu": lambda x: ag.leaky_relu(x, 0.1),
    "abs": ag.abs,
    "clip": lambda x: ag.clip(x, -1.0, 1.0),
    "maximum": lambda x: ag.maximum(x, 0.25),
    "minimum": lambda x: ag.minimum(x, CONSTANT),
    "where": lambda x: ag.where(x > 0, x, 0.0),
    "times-2": lambda x: x * 2,
    "plus-1": lambda x: x + 1,
    "neg": lambda x: -x,
    "mean": lambda x: x.mean() * np.ones(4),
    "max": lambda x: x.max() * np.ones(4),
    "matmul-by-a-constant": lambda x: (x.reshape(1, 4) @ np.arange(16.0).reshape(4, 4))[0],
    "transpose-reshape": lambda x: x.reshape(2, 2).T.reshape(-1),
    "relu-times-a-leaf": lambda x: ag.relu(x) * ag.tensor(np.ones(4), requires_grad=True),
}
X_VALUES = np.array([-1.5, -0.3, 0.7, 2.0])


@pytest.mark.parametrize("allow_unused", [False, True])
@pytest.mark.parametrize("name", sorted(PIECEWISE_LINEAR))
def test_an_identically_zero_second_derivative_is_zeros(name, allow_unused):
    f = PIECEWISE_LINEAR[name]
    x = ag.tensor(X_VALUES, requires_grad=True)
    g = ag.grad((f(x) * np.arange(1.0, 5.0)).sum(), x, create_graph=True)
    assert g.requires_grad
    h = ag.grad(g.sum(), x, create_graph=True, allow_unused=allow_unused)
    np.testing.assert_array_equal(h.numpy(), np.zeros(4))
    third = ag.grad(h.sum(), x, allow_unused=allow_unused)
    np.testing.assert_array_equal(third.numpy(), np.zeros(4))
    assert_second_gradients_match(lambda t: f(t) * np.arange(1.0, 5.0), [X_VALUES])


def test_a_zero_second_derivative_through_backward_and_dot_grad():
    x = ag.tensor(X_VALUES, requires_grad=True)
    ag.leaky_relu(x, 0.1).sum().backward(create_graph=True)
    np.testing.assert_array_equal(x.grad.numpy(), [0.1, 0.1, 1.0, 1.0])
    first = x.grad
    x.grad = None
    first.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(4))


def test_a_gradient_that_depends_on_its_input_keeps_its_own_graph():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    g = ag.grad((x ** 3).sum(), x, create_graph=True)
    assert g.grad_fn.name != "depends_on"        # nothing added where x is already reached
    np.testing.assert_array_equal(ag.grad(g.sum(), x).numpy(), [6.0, 12.0])


def test_an_input_the_output_never_used_is_still_unused():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    z = ag.tensor([5.0], requires_grad=True)
    g = ag.grad((x * 2).sum(), x, create_graph=True)
    with pytest.raises(ag.GraphError, match=r"input\(s\) \[0\] were not used"):
        ag.grad(g.sum(), z, retain_graph=True)
    assert ag.grad(g.sum(), z, allow_unused=True) is None


# --- an infinite derivative under detect_anomaly: the AnomalyError, not numpy's warning -------

def test_anomaly_mode_reports_an_infinite_derivative_without_numpys_warning():
    x = ag.tensor([0.0, 4.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                 # any warning would fail the test
        with ag.detect_anomaly():
            y = ag.sqrt(x).sum()
            with pytest.raises(ag.AnomalyError, match="backward of 'sqrt' produced inf"):
                y.backward()


def test_outside_anomaly_mode_an_infinite_derivative_is_inf_as_numpy_computes_it():
    x = ag.tensor([0.0, 4.0], requires_grad=True)
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        ag.sqrt(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [np.inf, 0.25])
