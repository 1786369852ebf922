"""Costs: the course's formulas, the stable logit forms, and refusal of mis-shaped labels."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
import nn
from nn import losses


def test_binary_cross_entropy_is_the_course_cost():
    A = np.array([[0.9, 0.2, 0.6, 0.01]])
    Y = np.array([[1, 0, 0, 1]])
    J = -(np.log(0.9) + np.log(0.8) + np.log(0.4) + np.log(0.01)) / 4
    assert losses.binary_cross_entropy(A, Y).item() == pytest.approx(J, rel=1e-14)
    assert losses.binary_cross_entropy([[0.5, 0.5]], [[1, 0]]).item() == \
        pytest.approx(np.log(2), rel=1e-15)


def test_binary_cross_entropy_gradient_on_sigmoid_output_is_A_minus_Y_over_m():
    Z = ag.tensor([[-2.0, 0.5, 3.0]], requires_grad=True)
    Y = np.array([[0, 1, 0]])
    losses.binary_cross_entropy(ag.sigmoid(Z), Y).backward()
    A = 1 / (1 + np.exp(-Z.numpy()))
    np.testing.assert_allclose(Z.grad.numpy(), (A - Y) / 3, rtol=1e-12)


def test_binary_cross_entropy_eps_keeps_saturated_outputs_finite():
    A, Y = np.array([[1.0, 0.0]]), np.array([[0, 1]])
    with np.errstate(divide="ignore"), pytest.warns(ag.NumericalWarning) as caught:
        assert np.isinf(losses.binary_cross_entropy(A, Y).item())
    assert len(caught) == 1 and str(caught[0].message).startswith(
        "binary_cross_entropy: 2 prediction(s) are exactly 0 or 1 on the wrong side of their "
        "label (the first in example 0, row 0: a = 1.0, y = 0.0), so the cost is inf")
    assert losses.binary_cross_entropy(A, Y, eps=1e-12).item() == \
        pytest.approx(-np.log(1e-12), rel=1e-6)


logits = hnp.arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 6)),
                    elements=st.floats(-10, 10))   # moderate: σ does not saturate


@settings(max_examples=60, deadline=None)
@given(Z=logits, data=st.data())
def test_bce_on_logits_equals_bce_on_sigmoid_probabilities(Z, data):
    Y = data.draw(hnp.arrays(np.int64, Z.shape, elements=st.integers(0, 1)))
    on_logits = losses.binary_cross_entropy_with_logits(Z, Y)
    on_probs = losses.binary_cross_entropy(ag.sigmoid(Z), Y)
    assert on_logits.item() == pytest.approx(on_probs.item(), rel=1e-9, abs=1e-12)
    # and the same gradient, σ(Z) − Y over m
    Zt = ag.tensor(Z, requires_grad=True)
    losses.binary_cross_entropy_with_logits(Zt, Y).backward()
    np.testing.assert_allclose(Zt.grad.numpy(), (1 / (1 + np.exp(-Z)) - Y) / Z.shape[1],
                               rtol=1e-9, atol=1e-15)


def test_bce_on_logits_is_finite_and_accurate_where_probabilities_saturate():
    Z, Y = np.array([[800.0, -800.0]]), np.array([[0, 1]])
    assert losses.binary_cross_entropy_with_logits(Z, Y).item() == pytest.approx(800.0)
    # −log(1 − σ(20)) = 20 + log(1 + e^−20); 1 − σ(20) ≈ 2e-9 loses 7 digits in probabilities
    exact = 20 + np.log1p(np.exp(-20.0))
    assert losses.binary_cross_entropy_with_logits([[20.0]], [[0]]).item() == \
        pytest.approx(exact, rel=1e-15)


def test_mean_squared_error():
    A, Y = np.array([[1.0, 2.0, 4.0], [0.0, 0.0, 1.0]]), np.zeros((2, 3))
    assert losses.mean_squared_error(A, Y).item() == pytest.approx((1 + 4 + 16 + 1) / 3)


def test_cross_entropy_on_probabilities():
    A = np.array([[0.7, 0.1], [0.2, 0.3], [0.1, 0.6]])
    Y = np.array([[1, 0], [0, 0], [0, 1]])
    assert losses.cross_entropy(A, Y).item() == \
        pytest.approx(-(np.log(0.7) + np.log(0.6)) / 2, rel=1e-14)


@settings(max_examples=50, deadline=None)
@given(Z=hnp.arrays(np.float64, st.tuples(st.integers(2, 4), st.integers(1, 5)),
                    elements=st.floats(-20, 20)), seed=st.integers(0, 10 ** 6))
def test_softmax_cross_entropy_equals_cross_entropy_of_softmax(Z, seed):
    n, m = Z.shape
    Y = np.eye(n)[:, np.random.default_rng(seed).integers(0, n, size=m)]
    e = np.exp(Z - Z.max(axis=0))
    softmax = e / e.sum(axis=0)
    expected = -np.sum(Y * np.log(softmax)) / m
    assert losses.softmax_cross_entropy(Z, Y).item() == pytest.approx(expected, rel=1e-9,
                                                                      abs=1e-12)
    Zt = ag.tensor(Z, requires_grad=True)
    losses.softmax_cross_entropy(Zt, Y).backward()
    np.testing.assert_allclose(Zt.grad.numpy(), (softmax - Y) / m, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("Y, hint", [
    (np.zeros(5), r"Y.reshape\(1, -1\)"),
    (np.zeros((5, 1)), r"Y\.T"),
    (np.zeros((1, 4)), ""),
])
@pytest.mark.parametrize("loss", [losses.binary_cross_entropy, losses.mean_squared_error,
                                  losses.binary_cross_entropy_with_logits,
                                  losses.cross_entropy, losses.softmax_cross_entropy])
def test_labels_of_another_shape_are_refused_not_broadcast(loss, Y, hint):
    A = np.full((1, 5), 0.5)
    with pytest.raises(nn.NNShapeError, match=rf"\(1, 5\).*{Y.shape}.*\(n_y, m\).*{hint}"):
        loss(A, Y)


def test_get_loss_by_name():
    assert losses.get_loss("binary_cross_entropy") is losses.binary_cross_entropy
    with pytest.raises(nn.ConfigError, match="unknown loss 'hinge'.*mean_squared_error"):
        losses.get_loss("hinge")
