"""Checks shared by the op-family tests: an op against numpy's value and numerical gradients.

Each family's test module has a table ``{name: (strategy, ag_f, np_f)}``; the strategy draws
an array ``x`` and the keyword arguments of one call.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import assert_gradients_match, assert_second_gradients_match


def check_value_and_first_order(case, data):
    """ag_f, and np_f on a Tensor, equal np_f's value exactly; first derivatives match."""
    strategy, ag_f, np_f = case
    x, kwargs = data.draw(strategy)
    expected = np_f(x, **kwargs)
    np.testing.assert_array_equal(ag_f(ag.tensor(x), **kwargs).numpy(), expected)
    via_numpy = np_f(ag.tensor(x), **kwargs)
    assert isinstance(via_numpy, ag.Tensor)
    np.testing.assert_array_equal(via_numpy.numpy(), expected)
    assert_gradients_match(lambda t: ag_f(t, **kwargs), [x])


def check_second_order(case, data):
    """Second derivatives of the op squared (the ops are linear: their own Hessian is 0)."""
    strategy, ag_f, _ = case
    x, kwargs = data.draw(strategy)
    assert_second_gradients_match(lambda t: ag_f(t, **kwargs) ** 2, [x])


def family_tests(cases, first_examples=25, second_examples=8):
    """The two parametrized tests of a family's table (assign them to test_* names)."""
    @pytest.mark.parametrize("name", sorted(cases))
    @settings(max_examples=first_examples, deadline=None)
    @given(data=st.data())
    def test_value_and_first_order(name, data):
        check_value_and_first_order(cases[name], data)

    @pytest.mark.parametrize("name", sorted(cases))
    @settings(max_examples=second_examples, deadline=None)
    @given(data=st.data())
    def test_second_order(name, data):
        check_second_order(cases[name], data)

    return test_value_and_first_order, test_second_order


def check_compiled_answer_follows_the_data(f, inputs):
    """A step returning ``f(x)`` beside a backward pass, compiled: on every input of
    ``inputs`` (arrays of one shape) the replay gives what ``f`` gives eagerly."""
    w = ag.tensor(np.ones(np.shape(inputs[0])), requires_grad=True)

    def step(x):
        w.grad = None
        (w * x).sum().backward()
        return f(x)

    compiled = ag.compile(step)
    for x in inputs:
        out, expected = compiled(ag.tensor(x)), f(ag.tensor(x))
        assert not out.requires_grad and out.dtype == expected.dtype
        np.testing.assert_array_equal(out.numpy(), expected.numpy())


def check_compiled_step_is_bitwise_eager(step, inputs):
    """``ag.compile(step)`` on each input (an array) returns, bitwise, what ``step`` returns
    eagerly on it (a tuple of tensors), and replays its program at least once."""
    compiled = ag.compile(step)
    for x in inputs:
        for got, expected in zip(compiled(ag.tensor(x)), step(ag.tensor(x))):
            np.testing.assert_array_equal(got.numpy(), expected.numpy())
    return compiled
