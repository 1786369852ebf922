"""Lists of tensors through numpy, converting tensors to arrays, and the Tensor conveniences:
a gradient is either carried along or refused loudly, never dropped in silence."""
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.testing import assert_gradients_match


def test_numpy_stack_and_concatenate_of_tensors_differentiate():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    out = np.stack([x, 2 * x])
    assert isinstance(out, ag.Tensor) and out.shape == (2, 2)
    np.concatenate([x, x * x, np.ones(1)]).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1 + 2 * 1.0, 1 + 2 * 2.0])
    np.testing.assert_array_equal(np.concatenate([x, x], axis=None).numpy(), [1, 2, 1, 2])


def test_numpy_functions_given_a_plain_list_of_tensors_raise_instead_of_dropping_the_grad():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    for call in (lambda: np.mean([x, x + 2]), lambda: np.array([x, 2 * x]),
                 lambda: np.asarray(x), lambda: np.array(x), lambda: np.asarray(x, dtype=float)):
        with pytest.raises(ag.GraphError, match=r"requires grad \(shape \(2,\)\).*\.detach\(\)"):
            call()


def test_explicit_conversions_still_work_and_constants_convert_freely():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert x.numpy() is x.data
    np.testing.assert_array_equal(np.asarray(x.detach()), [1.0, 2.0])
    with ag.no_grad():
        np.testing.assert_array_equal(np.asarray(x), [1.0, 2.0])
    c = ag.tensor([3.0, 4.0])                       # needs no gradient: nothing to lose
    np.testing.assert_array_equal(np.mean([c, c + 2]), 4.5)
    np.testing.assert_array_equal(np.array([c, c]), [[3.0, 4.0], [3.0, 4.0]])


def test_shape_queries():
    t = ag.tensor(np.ones((2, 3)), requires_grad=True)
    assert np.ndim(t) == 2 and np.shape(t) == (2, 3) and np.size(t) == 6
    assert np.size(t, 1) == 3 and len(t) == 2


def test_tensor_methods_match_numpy():
    x = np.arange(12.0).reshape(3, 4)
    t = ag.tensor(x)
    checks = [
        (t.ravel(), x.ravel()), (t.flatten(), x.flatten()), (t.repeat(2, axis=1), x.repeat(2, 1)),
        (t.repeat(2), x.repeat(2)), (t.diagonal(1), x.diagonal(1)), (t.trace(), x.trace()),
        (t.take([0, 5]), x.take([0, 5])), (t.take([1], axis=1), x.take([1], axis=1)),
        (t.tile((2, 1)), np.tile(x, (2, 1))), (t.flip(0), np.flip(x, 0)),
        (t.roll(1), np.roll(x, 1)), (t.moveaxis(0, 1), np.moveaxis(x, 0, 1)),
        (t.tril(), np.tril(x)), (t.triu(1), np.triu(x, 1)),
        (t.inner(x), np.inner(x, x)), (t.outer(x[0]), np.outer(x, x[0])),
        (t.tensordot(x.T, 1), np.tensordot(x, x.T, 1)),
        (t.index_add(0, [0, 0], np.ones((2, 4))), x + np.array([[2.0], [0], [0]])),
    ]
    for got, expected in checks:
        np.testing.assert_array_equal(got.numpy(), expected)
    assert_gradients_match(lambda a: a.repeat(2, axis=0).trace() + a.diagonal().sum(), [x])


def test_plot_costs_takes_the_values_of_cost_tensors_that_require_grad(tmp_path):
    import nn
    w = ag.tensor(2.0, requires_grad=True)
    costs = [w * w, w * 1.5, w]                  # a hand-written loop's list of costs
    path = nn.plot_costs(costs, tmp_path / "costs.svg", title="tensors")
    assert "tensors" in path.read_text()
    assert w.grad is None and costs[0].requires_grad        # nothing detached in place
