"""numerical_grad, gradcheck, gradgradcheck and the course's gradient check: they pass on
right derivatives, fail on wrong ones naming the op, the parameter and the element, and
report a kink as a warning."""
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.gradcheck import GradcheckError, find_bad_ops
from autograd_lite.course_check import CourseCheck
from autograd_lite.ops.activation import Sigmoid, Tanh
from autograd_lite.ops.linalg import MatMul


def wrong_at(original, index, factor=3.0, input_number=0):
    """A backward that multiplies one element of one input's gradient by ``factor``."""
    def backward(self, *args):
        grads = list(original(self, *args))
        g = grads[input_number]
        if g is not None and g.ndim == len(index) and all(
                i < n for i, n in zip(index, g.shape)):
            bump = np.ones(g.shape)
            bump[index] = factor
            grads[input_number] = g * bump
        return tuple(grads)
    return backward


# --- numerical_grad ----------------------------------------------------------------------------

def test_numerical_grad_of_known_functions():
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    (g,) = ag.numerical_grad(lambda t: (t ** 3).sum(), [x])
    np.testing.assert_allclose(g, 3 * x ** 2, rtol=1e-8)
    gx, gy = ag.numerical_grad(lambda a, b: (a * b).sum(), [x, 2 * x])
    np.testing.assert_allclose(gx, 2 * x, rtol=1e-8)
    np.testing.assert_allclose(gy, x, rtol=1e-8)
    np.testing.assert_array_equal(x, [[1.0, 2.0], [-1.0, 0.5]])       # inputs untouched


def test_numerical_grad_weights_a_non_scalar_output_with_grad_output():
    x = np.array([1.0, 2.0, 3.0])
    v = np.array([1.0, 0.0, -2.0])
    (g,) = ag.numerical_grad(lambda t: t * t, [x], grad_output=v)
    np.testing.assert_allclose(g, 2 * x * v, rtol=1e-8, atol=1e-8)


def test_numerical_grad_of_a_non_c_ordered_input():
    x = np.asfortranarray(np.arange(6.0).reshape(2, 3))                # e.g. a transpose
    (g,) = ag.numerical_grad(lambda t: (t * t).sum(), [x])
    np.testing.assert_allclose(g, 2 * x, rtol=1e-8, atol=1e-8)
    (g,) = ag.numerical_grad(lambda t: (t * t).sum(), [ag.tensor(x.T)])
    np.testing.assert_allclose(g, 2 * x.T, rtol=1e-8, atol=1e-8)


# --- gradcheck: passing -----------------------------------------------------------------------

def test_gradcheck_passes_and_reports_every_input():
    W = ag.tensor(np.random.default_rng(0).standard_normal((2, 3)), name="W")
    X = np.random.default_rng(1).standard_normal((3, 4))
    report = ag.gradcheck(lambda w, x: ag.tanh(w @ x), [W, X])
    assert report.passed and not report.warnings and report.bad_ops == []
    assert [r.name for r in report.inputs] == ["W", "input 1"]
    assert [r.shape for r in report.inputs] == [(2, 3), (3, 4)]
    assert all(r.status == "ok" and r.max_abs_error < 1e-7 for r in report.inputs)
    assert str(report).startswith("gradcheck: passed")


def test_gradcheck_converts_float32_inputs_to_float64():
    x = np.array([0.3, -0.7], dtype=np.float32)
    assert ag.gradcheck(lambda t: ag.sigmoid(t) * 2.0, [x]).passed


def test_gradcheck_of_an_input_that_is_not_used_expects_zero():
    report = ag.gradcheck(lambda a, b: a * 2, [np.ones(2), np.ones(3)])
    assert report.passed and report.inputs[1].max_abs_error == 0.0


# --- gradcheck: failing, naming the op, the parameter and the element --------------------------

def test_gradcheck_names_the_wrong_op_the_parameter_and_the_element(monkeypatch):
    monkeypatch.setattr(Sigmoid, "backward", wrong_at(Sigmoid.backward, (1, 2)))
    W = ag.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3), name="W")
    b = ag.tensor([[0.1], [0.2]], name="b")
    f = lambda w, b: ag.sigmoid(w + b).sum()               # noqa: E731
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(f, [W, b])
    report = ag.gradcheck(f, [W, b], raise_exception=False)
    assert not report.passed
    w_report, b_report = report.inputs
    assert (w_report.name, w_report.status, w_report.worst_index) == ("W", "FAIL", (1, 2))
    assert b_report.name == "b" and b_report.status == "FAIL" and b_report.worst_index == (1, 0)
    s = 1 / (1 + np.exp(-(W.numpy() + b.numpy())))
    expected = 3 * s[1, 2] * (1 - s[1, 2])
    assert w_report.analytic == pytest.approx(expected)
    assert w_report.numerical == pytest.approx(expected / 3, rel=1e-6)
    assert report.bad_ops == ["sigmoid"]
    message = str(info.value)
    assert "gradcheck: FAILED" in message and "W" in message and "(1, 2)" in message
    assert "the derivative of 'sigmoid' disagrees" in message


def test_find_bad_ops_checks_each_op_at_its_own_inputs(monkeypatch):
    monkeypatch.setattr(MatMul, "backward", wrong_at(MatMul.backward, (0, 1), input_number=1))
    W = ag.tensor(np.ones((2, 3)), requires_grad=True)
    X = ag.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    out = ag.tanh(W @ X * 0.1).sum()
    assert find_bad_ops(out) == ["matmul"]


def test_gradcheck_passes_a_non_scalar_output_through_a_random_vector(monkeypatch):
    x = np.array([0.2, -0.4, 1.1])
    assert ag.gradcheck(ag.tanh, [x]).passed                   # vector-Jacobian product
    monkeypatch.setattr(Tanh, "backward", wrong_at(Tanh.backward, (2,), factor=1.5))
    report = ag.gradcheck(ag.tanh, [x], raise_exception=False)
    assert not report.passed and report.inputs[0].worst_index == (2,)


# --- kinks -----------------------------------------------------------------------------------

@pytest.mark.parametrize("f", [ag.relu, lambda t: ag.clip(t, 0.0, 1.0),
                               lambda t: ag.leaky_relu(t, 0.1)],
                         ids=["relu", "clip", "leaky_relu"])
def test_a_kink_is_a_warning_not_a_failure(f):
    report = ag.gradcheck(f, [np.array([0.0, 1.5, -2.0])])
    assert report.passed
    (r,) = report.inputs
    assert r.status == "kink" and r.kinks == [(0,)]
    assert report.warnings == [r]
    assert "warning" in str(report) and "kink" in str(report)


@pytest.mark.parametrize("f", [ag.abs, lambda t: ag.maximum(t, 0.0)], ids=["abs", "maximum"])
def test_symmetric_conventions_agree_with_central_differences(f):
    # abs'(0) = 0 and a tie of maximum split half / half are exactly what central
    # differences give at the kink: no warning
    report = ag.gradcheck(f, [np.array([0.0, 1.5])])
    assert report.passed and report.inputs[0].status == "ok"


def test_a_wrong_derivative_next_to_a_kink_still_fails(monkeypatch):
    from autograd_lite.ops.activation import ReLU
    monkeypatch.setattr(ReLU, "backward", wrong_at(ReLU.backward, (1,), factor=2.0))
    report = ag.gradcheck(ag.relu, [np.array([0.0, 1.5, -2.0])], raise_exception=False)
    assert not report.passed
    assert report.inputs[0].status == "FAIL" and report.inputs[0].worst_index == (1,)


# --- gradgradcheck ---------------------------------------------------------------------------

def test_gradgradcheck_passes_on_right_second_derivatives():
    x = np.array([0.3, -1.2, 2.0])
    for f in (ag.tanh, ag.sigmoid, ag.exp, lambda t: t ** 3, lambda t: ag.softmax(t)):
        assert ag.gradgradcheck(f, [x]).passed
    assert ag.gradgradcheck(lambda a, b: (a * b).sum(), [x, x[::-1]]).passed


def test_gradgradcheck_of_a_function_with_a_constant_derivative():
    x = np.array([0.5, -1.5])
    for f in (lambda t: t * 2, lambda t: t.sum(), ag.relu, lambda t: t.reshape(2, 1)):
        report = ag.gradgradcheck(f, [x])
        assert report.passed and report.inputs[0].max_abs_error == 0.0


def test_gradgradcheck_catches_a_derivative_that_is_right_only_at_first_order(monkeypatch):
    def first_order_only(self, grad, out, *inputs):
        values = out.detach() if isinstance(out, ag.Tensor) else out    # drops out's graph
        return (grad * (1 - values ** 2),)
    monkeypatch.setattr(Tanh, "backward", first_order_only)
    x = np.array([0.3, -1.2])
    assert ag.gradcheck(ag.tanh, [x]).passed
    report = ag.gradgradcheck(ag.tanh, [x], raise_exception=False)
    assert not report.passed and report.inputs[0].status == "FAIL"
    with pytest.raises(GradcheckError):
        ag.gradgradcheck(ag.tanh, [x])


# --- the course's gradient check -------------------------------------------------------------

def course_model():
    rng = np.random.default_rng(3)
    params = {"W1": ag.tensor(rng.standard_normal((3, 2)), requires_grad=True),
              "b1": ag.tensor(np.zeros((3, 1)), requires_grad=True),
              "W2": ag.tensor(rng.standard_normal((1, 3)), requires_grad=True),
              "b2": ag.tensor(np.zeros((1, 1)), requires_grad=True)}
    X = rng.standard_normal((2, 4))
    Y = np.array([[1.0, 0.0, 0.0, 1.0]])

    def cost():
        A1 = ag.tanh(params["W1"] @ X + params["b1"])
        A2 = ag.sigmoid(params["W2"] @ A1 + params["b2"])
        return -(Y * ag.log(A2) + (1 - Y) * ag.log(1 - A2)).mean()

    return params, cost


def test_course_gradient_check_passes_and_restores_the_parameters():
    params, cost = course_model()
    before = {k: p.numpy().copy() for k, p in params.items()}
    check = ag.course_gradient_check(cost, params)
    assert check.passed and check.difference < 2e-7 and check.bad_ops == []
    assert str(check).startswith("Your backward propagation works perfectly fine!")
    for k, p in params.items():
        np.testing.assert_array_equal(p.numpy(), before[k])


def test_course_gradient_check_names_the_parameter_element_and_op(monkeypatch):
    monkeypatch.setattr(MatMul, "backward", wrong_at(MatMul.backward, (2, 1), factor=5.0))
    params, cost = course_model()
    check = ag.course_gradient_check(cost, params)
    assert not check.passed and check.difference > 2e-7
    assert (check.worst_parameter, check.worst_index) == ("W1", (2, 1))
    assert "matmul" in check.bad_ops
    text = str(check)
    assert "There is a mistake in the backward propagation!" in text
    assert "W1[2, 1]" in text and "'matmul'" in text
    with pytest.raises(GradcheckError, match="W1"):
        ag.course_gradient_check(cost, params, raise_exception=True)


def test_course_gradient_check_of_a_non_c_ordered_parameter():
    W = ag.tensor(np.asfortranarray(np.arange(6.0).reshape(2, 3) / 10), requires_grad=True)
    x = ag.tensor([[1.0], [2.0], [-1.0]])
    check = ag.course_gradient_check(lambda: ag.sigmoid(W @ x).sum(), {"W": W})
    assert check.passed and check.difference < 1e-8


# --- f must return a Tensor ------------------------------------------------------------------

@pytest.mark.parametrize("returned, shown", [
    ("s", "str 's'"), (None, "NoneType None"), ([1.0, 2.0], "list [1.0, 2.0]"),
    (np.array([2.0, 4.0]), "ndarray array([2., 4.])")])
def test_gradcheck_and_gradgradcheck_say_f_must_return_a_tensor(returned, shown):
    x = np.array([1.0, 2.0])
    for check, name in ((ag.gradcheck, "gradcheck"), (ag.gradgradcheck, "gradgradcheck")):
        with pytest.raises(TypeError) as info:
            check(lambda t: returned, [x])
        assert str(info.value) == (f"{name}: f must return a Tensor built with autograd_lite "
                                   f"operations; it returned {shown}")


def test_course_gradient_check_says_loss_fn_must_return_a_tensor():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="^course_gradient_check: loss_fn must return a Tensor"
                                        ".*; it returned float 3.0$"):
        ag.course_gradient_check(lambda: 3.0, {"w": w})


def test_numerical_grad_takes_numbers_and_refuses_anything_else():
    x = np.array([1.0, 2.0])
    g, = ag.numerical_grad(lambda t: (t.numpy() ** 2).sum(), [x])      # a float is fine
    np.testing.assert_allclose(g, [2.0, 4.0], rtol=1e-6)
    long_text = "x" * 100
    with pytest.raises(TypeError) as info:
        ag.numerical_grad(lambda t: long_text, [x])
    assert str(info.value) == ("numerical_grad: f must return a Tensor built with autograd_lite "
                               "operations (or an array of numbers); it returned str '"
                               + "x" * 36 + "...")         # a long value is cut at 40 chars


def test_a_kink_of_a_zero_dimensional_input_is_reported_not_a_crash():
    # relu at 0: central differences give 1/2, the engine's convention 0 — a kink, not an error
    x = ag.tensor(0.0, requires_grad=True)
    report = ag.gradcheck(ag.relu, [x], raise_exception=False)
    assert report.passed and report.inputs[0].status == "kink" and report.inputs[0].kinks == [()]


# --- the course's check tells a mistake from an unreliable numerical side -----------------

def test_course_check_at_tiny_gradients_on_a_large_cost_is_not_a_mistake():
    # J = 100 + 1e-4·Σw²: rounding of J (~1e-14) over 2ε = 2e-7 swamps gradients of 2e-4;
    # a wider step (no truncation error for a quadratic) shows the gradient is right
    w = ag.tensor([[1.0, -0.5, 0.25]], requires_grad=True)
    check = ag.course_gradient_check(lambda: 100.0 + 1e-4 * (w ** 2).sum(), {"w": w})
    assert check.difference_at_epsilon > 2e-7           # the course's ε alone would cry wolf
    assert check.verdict == "passed" and check.step > 1e-7 and check.difference < 2e-7
    text = str(check)
    assert text.startswith("Your backward propagation works perfectly fine! difference = ")
    assert "at epsilon 1e-07 the central differences lost digits" in text


def test_course_check_on_a_saturated_example_is_inconclusive_not_a_mistake():
    # 1 − a ≈ 1e-11 with y = 0: log(1 − a) keeps 5 digits, and a change of w smaller than
    # 1e-5 does not change 1 − a at all; no step gives trustworthy differences
    w = ag.tensor([[12.5, 12.5]], requires_grad=True)
    X = np.array([[1.0, 0.3], [1.0, -0.2]])
    Y = np.array([[0.0, 1.0]])

    def cost():
        A = ag.sigmoid(w @ X)
        return -(Y * ag.log(A) + (1 - Y) * ag.log(1 - A)).mean()

    check = ag.course_gradient_check(cost, {"w": w})
    assert check.verdict == "inconclusive" and not check.passed and check.bad_ops == []
    text = str(check)
    assert text.startswith("The check cannot tell: the numerical gradient is unreliable here, "
                           "not necessarily the backward propagation.")
    assert "mistake" not in text


def test_course_check_still_finds_a_small_mistake_once_the_numerics_are_reliable(monkeypatch):
    monkeypatch.setattr(MatMul, "backward", wrong_at(MatMul.backward, (0, 0), factor=1.001))
    params, cost = course_model()
    check = ag.course_gradient_check(cost, params)
    assert check.verdict == "mistake" and check.worst_index == (0, 0)     # W1 or W2
    assert str(check).startswith("There is a mistake in the backward propagation!")


def test_find_bad_ops_checks_log_near_zero_inside_its_domain(recwarn):
    x = ag.tensor([[2.4e-8, 0.5]], requires_grad=True)
    assert find_bad_ops(ag.log(x).sum()) == []          # ε = 1e-6 would step below 0
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_an_inconclusive_check_below_the_threshold_does_not_claim_it_is_above():
    # the difference at the chosen step is small, but the step's error bar is not: the
    # report must not print "7.921e-08 > 2e-07"
    check = CourseCheck(difference=7.921e-08, threshold=2e-7, worst_parameter="layer2.W",
                        worst_index=(0, 2), analytic=0.61204779, numerical=0.6120479,
                        bad_ops=[], step=0.01, difference_at_epsilon=4.5e-3,
                        uncertainty=4.674e-07, verdict="inconclusive")
    text = str(check)
    assert "difference = 7.921e-08 at step 0.01, below 2e-07, but the numerical estimates at " \
           "steps 0.01 and 0.02 themselves disagree by 4.674e-07 on the same scale" in text
    assert " > " not in text.splitlines()[0]
    above = CourseCheck(**{**check.__dict__, "difference": 3.5e-07})
    assert "difference = 3.500e-07 > 2e-07, but the numerical estimates" in str(above)
