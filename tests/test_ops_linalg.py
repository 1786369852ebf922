"""Matrix multiplication: every numpy matmul case (1-D and 2-D operands, batches that
broadcast), first and second order, and the course's dW = dZ · Xᵀ exactly."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import (arrays, assert_gradients_match,
                                   assert_second_gradients_match, broadcastable_shapes)

FIRST = settings(max_examples=40, deadline=None)
SECOND = settings(max_examples=20, deadline=None)

KINDS = ["vector@vector", "vector@matrix", "matrix@vector", "matrix@matrix",
         "batch@batch", "vector@batch", "batch@vector"]


@st.composite
def matmul_operands(draw, kind, max_side=4):
    n, m, k = (draw(st.integers(1, max_side)) for _ in range(3))
    batch_a, batch_b = draw(broadcastable_shapes(min_dims=1, max_dims=2, max_side=3))
    shape_a = {"vector": (m,), "matrix": (n, m), "batch": batch_a + (n, m)}[kind.split("@")[0]]
    shape_b = {"vector": (m,), "matrix": (m, k), "batch": batch_b + (m, k)}[kind.split("@")[1]]
    return draw(arrays(shape_a, min_value=-2.0, max_value=2.0)), \
        draw(arrays(shape_b, min_value=-2.0, max_value=2.0))


@pytest.mark.parametrize("kind", KINDS)
@FIRST
@given(data=st.data())
def test_matmul_first_order_and_value(kind, data):
    a, b = data.draw(matmul_operands(kind))
    out = ag.tensor(a) @ ag.tensor(b)
    np.testing.assert_allclose(out.numpy(), a @ b, rtol=1e-12, atol=1e-12)
    assert out.shape == np.matmul(a, b).shape
    assert_gradients_match(ag.matmul, [a, b])


@pytest.mark.parametrize("kind", KINDS)
@SECOND
@given(data=st.data())
def test_matmul_second_order(kind, data):
    a, b = data.draw(matmul_operands(kind, max_side=3))
    assert_second_gradients_match(lambda x, y: x @ y, [a, b])


def test_course_layer_dW_is_dZ_times_X_transposed_and_db_sums_over_examples():
    rng = np.random.default_rng(1)
    W = ag.tensor(rng.standard_normal((3, 4)), requires_grad=True)      # (n[1], n_x)
    b = ag.tensor(np.zeros((3, 1)), requires_grad=True)
    X = ag.tensor(rng.standard_normal((4, 5)))                          # (n_x, m)
    Z = W @ X + b
    dZ = rng.standard_normal((3, 5))
    Z.backward(dZ)
    np.testing.assert_allclose(W.grad.numpy(), dZ @ X.numpy().T, rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), dZ.sum(axis=1, keepdims=True), rtol=1e-12)
    assert X.grad is None


def test_gradient_with_respect_to_the_right_operand_is_A_transposed_times_dZ():
    A = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    B = ag.tensor(np.ones((2, 2)), requires_grad=True)
    dZ = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    (ag.tensor(A) @ B).backward(dZ)
    np.testing.assert_array_equal(B.grad.numpy(), A.T @ dZ)


def test_vector_cases_exactly():
    u = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = ag.tensor([4.0, 5.0, 6.0], requires_grad=True)
    out = u @ v
    assert out.shape == () and out.item() == 32.0
    out.backward()
    np.testing.assert_array_equal(u.grad.numpy(), v.numpy())
    np.testing.assert_array_equal(v.grad.numpy(), u.numpy())
    M = ag.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    u.zero_grad()
    (u @ M).backward(np.array([1.0, -1.0]))
    np.testing.assert_array_equal(u.grad.numpy(), M.numpy() @ [1.0, -1.0])
    np.testing.assert_array_equal(M.grad.numpy(), np.outer(u.numpy(), [1.0, -1.0]))


def test_broadcast_batch_gradients_are_summed_back():
    a = ag.tensor(np.ones((2, 1, 3, 4)), requires_grad=True)
    b = ag.tensor(np.ones((5, 4, 2)), requires_grad=True)
    out = a @ b
    assert out.shape == (2, 5, 3, 2)
    out.sum().backward()
    assert a.grad.shape == (2, 1, 3, 4) and b.grad.shape == (5, 4, 2)
    np.testing.assert_array_equal(a.grad.numpy(), np.full((2, 1, 3, 4), 10.0))
    np.testing.assert_array_equal(b.grad.numpy(), np.full((5, 4, 2), 6.0))


def test_ways_to_spell_a_matrix_product_agree():
    W = np.array([[1.0, 2.0]])
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    t = ag.tensor(W, requires_grad=True)
    for out in (t @ X, t.dot(X), t.matmul(X), ag.matmul(t, X), np.dot(t, X), np.matmul(t, X)):
        assert isinstance(out, ag.Tensor) and out.requires_grad
        np.testing.assert_array_equal(out.numpy(), W @ X)
    left = X @ ag.tensor(W.T, requires_grad=True)           # ndarray on the left
    assert isinstance(left, ag.Tensor) and left.requires_grad


def test_float32_matmul_stays_float32():
    W = ag.tensor(np.ones((2, 3)), dtype=np.float32, requires_grad=True)
    X = ag.tensor(np.ones((3, 4)), dtype=np.float32)
    Z = W @ X
    assert Z.dtype == np.float32
    Z.sum().backward()
    assert W.grad.dtype == np.float32


def test_shape_errors_name_matmul_and_both_shapes():
    with pytest.raises(ag.ShapeError, match=r"matmul: shapes \(2, 3\) and \(2, 3\) do not fit"):
        ag.tensor(np.ones((2, 3))) @ ag.tensor(np.ones((2, 3)))
    with pytest.raises(ag.ShapeError, match=r"matmul.*\(3,\).*\(4,\)"):
        ag.tensor(np.ones(3)) @ ag.tensor(np.ones(4))
    with pytest.raises(ag.ShapeError, match="at least 1-D"):
        ag.tensor(2.0) @ ag.tensor(np.ones(3))
    with pytest.raises(ag.ShapeError, match=r"matmul.*\(2, 3, 4\).*\(3, 4, 5\)"):
        ag.tensor(np.ones((2, 3, 4))) @ ag.tensor(np.ones((3, 4, 5)))


# --- the rank-1 pitfall of products: w.T @ X with w of shape (n,) -----------------------------

def _rank_one_messages(record):
    return [str(w.message) for w in record if issubclass(w.category, ag.RankOneWarning)]


@pytest.mark.parametrize("product", [lambda a, b: a @ b, ag.matmul, ag.dot, np.dot, np.matmul],
                         ids=["@", "ag.matmul", "ag.dot", "np.dot", "np.matmul"])
def test_a_rank_one_left_operand_of_a_product_warns_naming_shapes_and_reshape(product):
    w, X = ag.tensor(np.ones(3), requires_grad=True), ag.tensor(np.ones((3, 4)))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        out = product(w.T, X)
    assert out.shape == (4,)
    [message] = _rank_one_messages(record)
    assert message.startswith("matmul: a rank-1 array of shape (3,) on the left of a product "
                              "with shape (3, 4) gives a rank-1 result of shape (4,)")
    assert "x.reshape(3, 1)" in message and "x.reshape(1, 3)" in message
    assert record[0].filename == __file__


def test_a_rank_one_right_operand_of_a_product_warns_too():
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        ag.tensor(np.ones((4, 3))) @ np.ones(3)
    [message] = _rank_one_messages(record)
    assert "shape (3,) on the right of a product with shape (4, 3)" in message
    assert "x.reshape(3, 1) for a column" in message


@pytest.mark.parametrize("a, b", [((3,), (3,)), ((1, 3), (3, 4)), ((3, 4), (4, 1)),
                                  ((1,), (1, 4)), ((2, 3, 4), (2, 4, 5))])
def test_no_rank_one_warning_for_proper_vectors_and_matrices(a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ag.RankOneWarning)
        out = ag.tensor(np.ones(a)) @ ag.tensor(np.ones(b))
    assert out.shape == np.matmul(np.ones(a), np.ones(b)).shape
