"""inv, solve, det, slogdet: values equal numpy's exactly, batched as numpy is, gradients at
first and second order on well-conditioned random matrices, the closed forms (d det = det ·
A⁻ᵀ), and singular matrices (a clear LinAlgError; det's gradient is the cofactor matrix)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import arrays, assert_gradients_match, assert_second_gradients_match

FIRST = settings(max_examples=20, deadline=None)
SECOND = settings(max_examples=8, deadline=None)


@st.composite
def matrices(draw, max_n=3):
    """Batches of well-conditioned square matrices: n·I plus a small random part."""
    n = draw(st.integers(1, max_n))
    batch = tuple(draw(st.lists(st.integers(1, 2), max_size=2)))
    noise = draw(arrays(batch + (n, n), min_value=-0.5, max_value=0.5))
    sign = draw(st.sampled_from([1.0, -1.0]))
    return sign * (n * np.eye(n) + noise)


@FIRST
@given(matrices())
def test_inv_det_slogdet_values_and_first_order(A):
    np.testing.assert_array_equal(ag.inv(A).numpy(), np.linalg.inv(A))
    np.testing.assert_array_equal(np.linalg.inv(ag.tensor(A)).numpy(), np.linalg.inv(A))
    np.testing.assert_array_equal(ag.det(A).numpy(), np.linalg.det(A))
    np.testing.assert_array_equal(np.linalg.det(ag.tensor(A)).numpy(), np.linalg.det(A))
    sign, logdet = np.linalg.slogdet(ag.tensor(A))
    np.testing.assert_array_equal(sign.numpy(), np.linalg.slogdet(A).sign)
    np.testing.assert_array_equal(logdet.numpy(), np.linalg.slogdet(A).logabsdet)
    assert_gradients_match(ag.inv, [A])
    assert_gradients_match(ag.det, [A])
    assert_gradients_match(lambda t: ag.slogdet(t).logabsdet, [A])


@SECOND
@given(matrices())
def test_inv_det_slogdet_second_order(A):
    assert_second_gradients_match(ag.inv, [A])
    assert_second_gradients_match(ag.det, [A])
    assert_second_gradients_match(lambda t: ag.slogdet(t)[1], [A])


@st.composite
def systems(draw):
    A = draw(matrices())
    n = A.shape[-1]
    if draw(st.booleans()):
        b_shape = (n,)
    else:
        b_shape = tuple(draw(st.lists(st.integers(1, 2), max_size=1))) + (n, draw(st.integers(1, 2)))
    return A, draw(arrays(b_shape, min_value=-2, max_value=2))


@FIRST
@given(systems())
def test_solve_value_and_gradients(case):
    A, b = case
    try:
        expected = np.linalg.solve(A, b)
    except ValueError:                   # batch shapes that numpy does not broadcast
        with pytest.raises(ag.ShapeError):
            ag.solve(A, b)
        return
    np.testing.assert_array_equal(ag.solve(A, b).numpy(), expected)
    np.testing.assert_array_equal(np.linalg.solve(ag.tensor(A), b).numpy(), expected)
    assert_gradients_match(ag.solve, [A, b])
    assert_second_gradients_match(ag.solve, [A, b])


def test_det_gradient_is_det_times_inverse_transposed():
    A = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])
    t = ag.tensor(A, requires_grad=True)
    ag.det(t).backward()
    np.testing.assert_allclose(t.grad.numpy(), np.linalg.det(A) * np.linalg.inv(A).T, rtol=1e-12)
    t.zero_grad()
    ag.slogdet(t).logabsdet.backward()
    np.testing.assert_allclose(t.grad.numpy(), np.linalg.inv(A).T, rtol=1e-12)


def test_singular_matrices():
    S = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]])      # rank 2
    with pytest.raises(np.linalg.LinAlgError, match=r"inv: the matrix \(shape \(3, 3\)\) is "
                                                    "singular"):
        ag.inv(S)
    with pytest.raises(np.linalg.LinAlgError, match="solve: the matrix"):
        ag.solve(S, np.ones(3))
    # det's gradient at a singular matrix is the cofactor matrix (exists, not det · A⁻ᵀ)
    t = ag.tensor(S, requires_grad=True)
    d = ag.det(t)
    assert d.item() == 0.0
    d.backward()
    cofactor = np.array([[np.linalg.det(np.delete(np.delete(S, i, 0), j, 1)) * (-1) ** (i + j)
                          for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(t.grad.numpy(), cofactor, atol=1e-12)
    sign, logdet = ag.slogdet(ag.tensor(S, requires_grad=True))
    assert sign.item() == 0.0 and logdet.item() == -np.inf
    with pytest.raises(np.linalg.LinAlgError, match="slogdet: .* singular: log|det| is -inf"):
        logdet.backward()


def test_shape_errors_name_the_op():
    with pytest.raises(ag.ShapeError, match=r"det: needs square matrices .* shape \(2, 3\)"):
        ag.det(np.ones((2, 3)))
    with pytest.raises(ag.ShapeError, match=r"solve: b of shape \(2,\) does not fit matrices of "
                                            r"shape \(3, 3\)"):
        ag.solve(np.eye(3), np.ones(2))
