"""max_pool2d with dilation and return_indices, and max_unpool2d (ops/pool.py), as PyTorch's:
values and indices against a direct loop over the window's taps, derivatives against central
differences at first and second order, the indices in a compiled step, errors for bad input."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import assert_gradients_match, assert_second_gradients_match
from op_checks import check_compiled_step_is_bitwise_eager

VALUES = settings(max_examples=40, deadline=None)
FIRST = settings(max_examples=20, deadline=None)
SECOND = settings(max_examples=10, deadline=None)


def max_pool_reference(x, kernel, stride, padding, dilation):
    """Values and flat H·W indices: for each window, its taps row by row, the padding
    skipped; a tap wins if larger, or if it is a nan (PyTorch's kernel: the last nan wins)."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    N, C, H, W = x.shape
    OH = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    OW = (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out, where = np.zeros((N, C, OH, OW)), np.zeros((N, C, OH, OW), dtype=np.int64)
    for n, c, i, j in np.ndindex(N, C, OH, OW):
        best = None
        for u in range(kh):
            for v in range(kw):
                r, q = i * sh - ph + u * dh, j * sw - pw + v * dw
                if not (0 <= r < H and 0 <= q < W):
                    continue
                value = x[n, c, r, q]
                if best is None or value > best or np.isnan(value):
                    best, where[n, c, i, j] = value, r * W + q
        if best is None:
            return None                 # a window of padding only
        out[n, c, i, j] = best
    return out, where


@st.composite
def pool_cases(draw, max_side=3, ties=False):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    size = [max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, max_side))
            for k, p, d in zip(kernel, padding, dilation)]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if ties:
        x = rng.integers(-2, 3, (2, 2, *size)).astype(np.float64)
        x[rng.random(x.shape) < 0.1] = np.nan
        x[rng.random(x.shape) < 0.1] = -np.inf
    else:   # a permutation spaced by 0.1: no ties, so the max is differentiable
        x = rng.permutation(2 * 2 * size[0] * size[1]).reshape(2, 2, *size) * 0.1
    return x, dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation)


def reference(x, p):
    return max_pool_reference(x, p["kernel_size"], p["stride"], p["padding"], p["dilation"])


@VALUES
@given(pool_cases(ties=True))
def test_max_pool_values_and_indices_match_a_loop_with_ties_nan_and_minus_inf(case):
    x, p = case
    if reference(x, p) is None:
        with pytest.raises(ag.ShapeError, match="max_pool2d: .* holds padding only"):
            ag.max_pool2d(x, **p)
        return
    values, where = ag.max_pool2d(x, **p, return_indices=True)
    expected, expected_where = reference(x, p)
    np.testing.assert_array_equal(values.numpy(), expected)
    np.testing.assert_array_equal(where.numpy(), expected_where)
    assert where.dtype == np.int64 and not where.requires_grad
    # the gradient of each window goes to the element its index names
    t = ag.tensor(x, requires_grad=True)
    g = np.arange(1.0, values.size + 1).reshape(values.shape)
    (ag.max_pool2d(t, **p) * g).sum().backward()
    expected_grad = np.zeros(x.shape).reshape(2, 2, -1)
    np.add.at(expected_grad, (*np.indices(where.shape)[:2], expected_where), g)
    np.testing.assert_array_equal(t.grad.numpy(), expected_grad.reshape(x.shape))


@FIRST
@given(pool_cases())
def test_dilated_max_pool_first_derivatives(case):
    x, p = case
    assume(reference(x, p) is not None)
    assert_gradients_match(lambda t: ag.max_pool2d(t, **p), [x], eps=1e-4)


@SECOND
@given(pool_cases(max_side=2))
def test_dilated_max_pool_second_derivatives(case):
    x, p = case
    assume(reference(x, p) is not None)
    assert_second_gradients_match(lambda t: ag.max_pool2d(t, **p) ** 3, [x], eps=1e-4)


def test_the_last_nan_of_a_window_wins_as_in_pytorchs_kernel():
    x = ag.tensor([[[[np.nan, 1.0, np.nan, 5.0]]]], requires_grad=True)
    values, where = ag.max_pool2d(x, (1, 4), return_indices=True)
    assert np.isnan(values.item()) and where.item() == 2
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[[0.0, 0.0, 1.0, 0.0]]]])


def test_padding_never_wins_even_over_minus_inf():
    x = ag.tensor(np.full((1, 1, 2, 2), -np.inf), requires_grad=True)
    values, where = ag.max_pool2d(x, 3, stride=1, padding=1, return_indices=True)
    np.testing.assert_array_equal(where.numpy()[0, 0], [[0, 0], [0, 0]])   # torch: the first
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], [[4.0, 0.0], [0.0, 0.0]])


# --- max_unpool2d ---------------------------------------------------------------------------

def unpool_reference(x, where, size):
    N, C = x.shape[:2]
    out = np.zeros((N, C, size[0] * size[1]))
    for n, c, i, j in np.ndindex(*x.shape):
        out[n, c, where[n, c, i, j]] = x[n, c, i, j]
    return out.reshape(N, C, *size)


@VALUES
@given(st.integers(0, 2**32 - 1), st.sampled_from([(2, None, 0), (3, 2, 1), (2, 1, 0)]))
def test_max_unpool_puts_each_value_back_at_its_index(seed, geometry):
    kernel, stride, padding = geometry
    rng = np.random.default_rng(seed)
    x = rng.permutation(2 * 3 * 5 * 6).reshape(2, 3, 5, 6) * 0.1
    values, where = ag.max_pool2d(x, kernel, stride, padding, return_indices=True)
    size = x.shape[2:]
    unpool = dict(kernel_size=kernel, stride=stride, padding=padding, output_size=size)
    restored = ag.max_unpool2d(values, where, **unpool)
    np.testing.assert_array_equal(restored.numpy(),
                                  unpool_reference(values.numpy(), where.numpy(), size))
    t = ag.tensor(values.numpy(), requires_grad=True)
    g = rng.standard_normal(size)
    (ag.max_unpool2d(t, where, **unpool) * g).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(),
                                  np.take_along_axis(np.broadcast_to(g, (2, 3) + size)
                                                     .reshape(2, 3, -1),
                                                     where.numpy().reshape(2, 3, -1), 2)
                                  .reshape(values.shape))
    flat = where.numpy().reshape(6, -1)
    if any(len(set(row)) < len(row) for row in flat):
        return      # a repeated index: torch's gradient (each copy reads it) is no derivative
    assert_gradients_match(lambda u: ag.max_unpool2d(u, where, **unpool), [values.numpy()])
    assert_second_gradients_match(lambda u: ag.max_unpool2d(u, where, **unpool) ** 2,
                                  [values.numpy()])


def test_max_unpool_output_size_and_errors():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    values, where = ag.max_pool2d(x, 2, return_indices=True)
    assert ag.max_unpool2d(values, where, 2, output_size=(5, 5)).shape == (1, 1, 5, 5)
    assert ag.max_unpool2d(values, where, 2, output_size=(1, 1, 4, 5)).shape == (1, 1, 4, 5)
    with pytest.raises(ag.ShapeError, match=r"max_unpool2d: output_size \(7, 4\) must be"):
        ag.max_unpool2d(values, where, 2, output_size=(7, 4))
    with pytest.raises(ag.ShapeError, match="max_unpool2d: an index is outside"):
        ag.max_unpool2d(values, where + 100, 2)
    with pytest.raises(ag.ShapeError, match="max_unpool2d: the indices must be integers"):
        ag.max_unpool2d(values, where.astype(np.float64), 2)
    with pytest.raises(ag.ShapeError, match="max_unpool2d: the input must be 4-D"):
        ag.max_unpool2d(values.reshape(2, 2), where.reshape(2, 2), 2)


def test_bad_dilation_is_refused():
    with pytest.raises(ag.ShapeError, match="max_pool2d: dilation must be an integer ≥ 1"):
        ag.max_pool2d(np.ones((1, 1, 4, 4)), 2, dilation=0)
    with pytest.raises(ag.ShapeError, match="dilated|larger than the padded input"):
        ag.max_pool2d(np.ones((1, 1, 4, 4)), 3, dilation=2)


def test_indices_and_unpool_in_a_compiled_step_follow_the_data():
    w = ag.tensor(np.ones((1, 1, 4, 4)), requires_grad=True)

    def step(x):
        w.grad = None
        dilated, spread = ag.max_pool2d(w * x, 2, stride=1, dilation=2, return_indices=True)
        values, where = ag.max_pool2d(w * x, 2, return_indices=True)
        (ag.max_unpool2d(values, where, 2) * x).sum().backward()
        return dilated, spread, values, where, w.grad

    rng = np.random.default_rng(0)
    compiled = check_compiled_step_is_bitwise_eager(
        step, [rng.standard_normal((1, 1, 4, 4)) for _ in range(4)])
    assert compiled.replays >= 1
