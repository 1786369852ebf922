"""Reliability: ``detect_anomaly()`` turns a NaN/inf born in a backward pass into an
AnomalyError that names the operation whose derivative produced it and the line of user
code that created that operation — not some later place the NaN reached.
"""
import re
import sys
import threading
import warnings

import numpy as np
import pytest

import autograd_lite as ag
import nn

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")   # numpy's divide by zero


def _line():
    """The caller's current line number."""
    return sys._getframe(1).f_lineno


def _anomaly(run):
    """Run ``run()`` (forward and backward) in anomaly mode; return the AnomalyError."""
    with ag.detect_anomaly():
        with pytest.raises(ag.AnomalyError) as info:
            run()
    return info.value


def _where(line):
    return f"created at {__file__}:{line} in "


def test_sqrt_at_zero_names_sqrt_inf_input_shape_rule_and_the_line():
    x = ag.tensor([0.0, 4.0], requires_grad=True)
    with ag.detect_anomaly():
        line = _line(); y = ag.sqrt(x)                   # noqa: E702
        with pytest.raises(ag.AnomalyError) as info:
            (y * 3).sum().backward()
    message = str(info.value)
    first, created, rule = message.splitlines()
    assert first == "backward of 'sqrt' produced inf in the gradient of its input 0 " \
                    "(shape (2,))"
    assert _where(line) in created
    assert created.endswith("line = _line(); y = ag.sqrt(x)                   # noqa: E702")
    assert "da = dout / (2 · out)" in rule and "incoming gradient was finite" in rule
    assert isinstance(info.value, FloatingPointError)     # and a standard numeric error


def test_log_at_zero_names_log():
    x = ag.tensor([[0.0, 1.0]], requires_grad=True)
    with ag.detect_anomaly():
        line = _line(); J = ag.log(x).sum()              # noqa: E702
        with pytest.raises(ag.AnomalyError) as info:
            J.backward()
    assert str(info.value).startswith("backward of 'log' produced inf in the gradient of "
                                      "its input 0 (shape (1, 2))")
    assert _where(line) in str(info.value)


def test_zero_over_zero_in_div_names_div():
    x = ag.tensor([0.0, 1.0], requires_grad=True)
    y = ag.tensor([0.0, 2.0], requires_grad=True)
    with ag.detect_anomaly():
        line = _line(); r = x / y                        # noqa: E702
        assert np.isnan(r.numpy()[0])                    # the forward already made 0/0
        with pytest.raises(ag.AnomalyError) as info:
            r.sum().backward()
    message = str(info.value)
    assert re.match(r"backward of 'div' produced (inf|nan) in the gradient of its input \d",
                    message)
    assert _where(line) in message
    assert "db = −dout · out / b" in message


def test_negative_base_to_a_fractional_power_names_pow_and_nan():
    a = ag.tensor([-1.0, 4.0], requires_grad=True)
    with ag.detect_anomaly():
        line = _line(); y = a ** 0.5                     # noqa: E702
        with pytest.raises(ag.AnomalyError) as info:
            y.sum().backward()
    assert str(info.value).startswith("backward of 'pow' produced nan")
    assert _where(line) in str(info.value)


def test_the_op_named_is_the_first_culprit_not_where_the_inf_ends_up():
    x = ag.tensor([0.0, 1.0], requires_grad=True)
    with ag.detect_anomaly():
        line = _line(); s = ag.sqrt(x)                   # noqa: E702
        y = ag.exp(s * 2 - 1) + ag.tanh(s)               # several ops downstream of sqrt
        with pytest.raises(ag.AnomalyError) as info:
            y.sum().backward()
    assert str(info.value).startswith("backward of 'sqrt'")
    assert _where(line) in str(info.value)


def test_an_op_inside_nn_is_located_at_the_users_line_that_called_nn():
    model = nn.LogisticRegression(1)
    model.layer1.W.data = np.array([[-1.0]])             # σ(−1000) = 0 for a label 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                  # the cost's NumericalWarning
        with ag.detect_anomaly():
            line = _line(); J = model.cost(np.array([[1000.0]]), np.array([[1]]))  # noqa
            assert J.item() == np.inf
            with pytest.raises(ag.AnomalyError) as info:
                J.backward()
    message = str(info.value)
    assert message.startswith("backward of 'log' produced inf")
    assert _where(line) in message
    assert "/nn/" not in message


def test_no_false_alarm_gradients_are_identical_with_and_without_anomaly_mode():
    X, Y = nn.datasets.moons(m=40, seed=0)

    def gradients(anomaly):
        model = nn.DeepNN([2, 5, 1], hidden="tanh", seed=0)
        if anomaly:
            with ag.detect_anomaly():
                model.cost(X, Y).backward()
        else:
            model.cost(X, Y).backward()
        return [p.grad.numpy() for p in model.parameters()]

    for a, b in zip(gradients(True), gradients(False)):
        np.testing.assert_array_equal(a, b)


def test_without_anomaly_mode_the_same_backward_silently_gives_inf():
    # why the mode exists (and a check that the cases above really produce inf)
    x = ag.tensor([0.0, 4.0], requires_grad=True)
    ag.sqrt(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [np.inf, 0.25])


def test_anomaly_mode_is_restored_after_the_block_even_after_an_error():
    assert not ag.function.is_anomaly_enabled()
    with pytest.raises(ZeroDivisionError):
        with ag.detect_anomaly():
            assert ag.function.is_anomaly_enabled()
            1 / 0
    assert not ag.function.is_anomaly_enabled()


def test_anomaly_mode_is_per_thread():
    seen = []

    def other():
        seen.append(ag.function.is_anomaly_enabled())
        x = ag.tensor([0.0], requires_grad=True)
        ag.sqrt(x).sum().backward()                      # no error in this thread
        seen.append(x.grad.numpy()[0])

    with ag.detect_anomaly():
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(10)
    assert seen == [False, np.inf]


def test_second_order_backward_is_checked_too():
    x = ag.tensor([0.0, 1.0], requires_grad=True)
    error = _anomaly(lambda: ag.grad(ag.sqrt(x).sum(), x, create_graph=True))
    assert str(error).startswith("backward of 'sqrt' produced inf")


def test_an_op_recorded_outside_anomaly_mode_says_how_to_locate_it():
    x = ag.tensor([0.0, 4.0], requires_grad=True)
    y = ag.sqrt(x).sum()                                 # forward outside the block
    with ag.detect_anomaly():
        with pytest.raises(ag.AnomalyError) as info:
            y.backward()
    message = str(info.value)
    assert message.startswith("backward of 'sqrt' produced inf")
    assert "detect_anomaly" in message and "forward" in message


def test_in_anomaly_mode_a_write_into_saved_data_through_an_index_is_detected():
    w = ag.tensor([1.0, 2.0], requires_grad=True, name="w")
    with ag.detect_anomaly():
        y = (w * w).sum()
        w.data[0] = 5.0                                  # the graph saved w = [1, 2]
        with pytest.raises(ag.GraphError, match=r"mul: input 0 .*name 'w'.*modified in place"):
            y.backward()
