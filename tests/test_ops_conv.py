"""conv2d, max_pool2d, avg_pool2d: values against direct loops, derivatives against central
differences at first and second order, and errors for bad input."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import assert_gradients_match, assert_second_gradients_match

VALUES = settings(max_examples=40, deadline=None)
FIRST = settings(max_examples=25, deadline=None)
SECOND = settings(max_examples=12, deadline=None)


# --- direct loop references (one output element at a time, the textbook definition) -------

def conv_reference(x, w, b, stride, padding, dilation, groups):
    (sh, sw), ((top, bottom), (left, right)), (dh, dw) = stride, padding, dilation
    N, C, H, W = x.shape
    F, Cg, kh, kw = w.shape
    xp = np.zeros((N, C, H + top + bottom, W + left + right))
    xp[:, :, top:top + H, left:left + W] = x
    OH = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    OW = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((N, F, OH, OW))
    for n in range(N):
        for f in range(F):
            group = f // (F // groups)
            for i in range(OH):
                for j in range(OW):
                    total = 0.0 if b is None else b[f]
                    for c in range(Cg):
                        for u in range(kh):
                            for v in range(kw):
                                pixel = xp[n, group * Cg + c, i * sh + u * dh, j * sw + v * dw]
                                total += w[f, c, u, v] * pixel
                    out[n, f, i, j] = total
    return out


def pool_reference(x, kernel, stride, padding, reduce, fill):
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    N, C, H, W = x.shape
    xp = np.full((N, C, H + 2 * ph, W + 2 * pw), fill)
    xp[:, :, ph:ph + H, pw:pw + W] = x
    OH, OW = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    out = np.zeros((N, C, OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = reduce(xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw],
                                     axis=(2, 3))
    return out


# --- strategies -------------------------------------------------------------------------------

@st.composite
def conv_cases(draw, max_side=3, with_bias=None):
    """x, W, b and the geometry of a valid conv2d: any sizes, strides, paddings, dilations,
    groups; the padded input always holds at least one window."""
    groups = draw(st.integers(1, 2))
    Cg, Fg, N = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2))
    size = []
    for k, d, pads in zip(kernel, dilation, padding):
        span = d * (k - 1) + 1
        size.append(max(1, span - sum(pads)) + draw(st.integers(0, max_side)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((N, Cg * groups, *size))
    w = rng.standard_normal((Fg * groups, Cg, *kernel))
    bias = draw(st.booleans()) if with_bias is None else with_bias
    b = rng.standard_normal(Fg * groups) if bias else None
    return x, w, b, dict(stride=stride, padding=padding, dilation=dilation, groups=groups)


def conv_fn(geometry, has_bias, then=None):
    def f(x, w, *b):
        out = ag.conv2d(x, w, b[0] if has_bias else None, **geometry)
        return out if then is None else then(out)
    return f


def inputs(x, w, b):
    return [x, w] + ([] if b is None else [b])


# --- conv2d -----------------------------------------------------------------------------------

@VALUES
@given(conv_cases())
def test_conv2d_matches_a_direct_loop(case):
    x, w, b, geometry = case
    out = ag.conv2d(x, w, b, **geometry)
    expected = conv_reference(x, w, b, geometry["stride"], geometry["padding"],
                              geometry["dilation"], geometry["groups"])
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


@FIRST
@given(conv_cases())
def test_conv2d_first_derivatives(case):
    x, w, b, geometry = case
    assert_gradients_match(conv_fn(geometry, b is not None), inputs(x, w, b))


@SECOND
@given(conv_cases(max_side=2))
def test_conv2d_second_derivatives(case):
    x, w, b, geometry = case
    # tanh makes every input's gradient depend on every input (a bilinear conv alone
    # leaves d²/dx² = 0)
    assert_second_gradients_match(conv_fn(geometry, b is not None, then=ag.tanh),
                                  inputs(x, w, b))


@SECOND
@given(conv_cases(max_side=2, with_bias=False))
def test_conv2d_third_derivative_through_the_adjoint_ops(case):
    """grad of grad of grad: the backward of each of the three conv primitives is used."""
    x, w, _, geometry = case
    v = np.random.default_rng(0).standard_normal(ag.conv2d(x, w, **geometry).shape)

    def grad_of_cube(x, w):
        x = x if x.requires_grad else x.detach().requires_grad_()
        w = w if w.requires_grad else w.detach().requires_grad_()
        with ag.enable_grad():
            out = (ag.conv2d(x, w, **geometry) ** 3 * v).sum()
            dx, dw = ag.grad(out, [x, w], create_graph=True)
        return (dx ** 2).sum() + (dw ** 2).sum()

    assert_second_gradients_match(grad_of_cube, [x, w], rtol=1e-3, atol=1e-4)


@given(n=st.integers(1, 9), k=st.integers(1, 4), s=st.integers(1, 3), d=st.integers(1, 2))
@settings(max_examples=40, deadline=None)
def test_same_padding_keeps_ceil_size_over_stride(n, k, s, d):
    x = np.ones((1, 1, n, n + 1))
    out = ag.conv2d(x, np.ones((1, 1, k, k)), stride=s, dilation=d, padding="same")
    assert out.shape == (1, 1, -(-n // s), -(-(n + 1) // s))


def test_same_padding_of_an_odd_kernel_is_symmetric_and_even_kernels_pad_the_end():
    rng = np.random.default_rng(1)
    x, w3, w2 = (rng.standard_normal(s) for s in ((2, 3, 5, 6), (4, 3, 3, 3), (4, 3, 2, 2)))
    assert np.array_equal(ag.conv2d(x, w3, padding="same").numpy(),
                          ag.conv2d(x, w3, padding=1).numpy())
    assert np.array_equal(ag.conv2d(x, w2, padding="same").numpy(),
                          ag.conv2d(x, w2, padding=((0, 1), (0, 1))).numpy())
    assert np.array_equal(ag.conv2d(x, w3, padding="valid").numpy(),
                          ag.conv2d(x, w3).numpy())


def test_groups_equal_separate_convolutions_of_the_channel_groups():
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 4, 6, 6)), rng.standard_normal((6, 2, 3, 3))
    out = ag.conv2d(x, w, groups=2, padding=1).numpy()
    halves = [ag.conv2d(x[:, 2 * i:2 * i + 2], w[3 * i:3 * i + 3], padding=1).numpy()
              for i in range(2)]
    np.testing.assert_allclose(out, np.concatenate(halves, axis=1), rtol=1e-13, atol=1e-13)


def test_bias_gradient_is_the_sum_of_dout_over_batch_and_pixels():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 2, 5, 5))
    w, b = ag.tensor(rng.standard_normal((4, 2, 3, 3))), ag.tensor(np.zeros(4), requires_grad=True)
    v = rng.standard_normal((3, 4, 3, 3))
    (ag.conv2d(x, w, b) * v).sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), v.sum(axis=(0, 2, 3)), rtol=1e-13)


def test_float32_stays_float32():
    x = ag.tensor(np.ones((1, 2, 4, 4), dtype=np.float32), requires_grad=True)
    w = ag.tensor(np.ones((3, 2, 3, 3), dtype=np.float32), requires_grad=True)
    ag.conv2d(x, w, padding=1).sum().backward()
    assert x.grad.dtype == w.grad.dtype == np.float32


# --- pooling ----------------------------------------------------------------------------------

@st.composite
def pool_cases(draw, max_side=3):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    size = [max(1, k - 2 * p) + draw(st.integers(0, max_side))
            for k, p in zip(kernel, padding)]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # a permutation spaced by 0.1: no ties, so the max is differentiable
    x = rng.permutation(2 * 2 * size[0] * size[1]).reshape(2, 2, *size) * 0.1
    return x, dict(kernel_size=kernel, stride=stride, padding=padding)


POOLS = {"max": (ag.max_pool2d, np.max, -np.inf), "avg": (ag.avg_pool2d, np.mean, 0.0)}


@pytest.mark.parametrize("kind", sorted(POOLS))
@VALUES
@given(pool_cases())
def test_pooling_matches_a_direct_loop(kind, case):
    x, p = case
    pool, reduce, fill = POOLS[kind]
    expected = pool_reference(x, p["kernel_size"], p["stride"], p["padding"], reduce, fill)
    np.testing.assert_allclose(pool(x, **p).numpy(), expected, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("kind", sorted(POOLS))
@FIRST
@given(pool_cases())
def test_pooling_first_derivatives(kind, case):
    x, p = case
    pool = POOLS[kind][0]
    assert_gradients_match(lambda t: pool(t, **p), [x], eps=1e-4)


@pytest.mark.parametrize("kind", sorted(POOLS))
@SECOND
@given(pool_cases(max_side=2))
def test_pooling_second_derivatives(kind, case):
    x, p = case
    pool = POOLS[kind][0]
    assert_second_gradients_match(lambda t: pool(t, **p) ** 3, [x], eps=1e-4)


def test_max_pool_ties_send_the_gradient_to_the_first_maximum():
    x = ag.tensor([[[[1.0, 3.0], [3.0, 3.0]]]], requires_grad=True)
    ag.max_pool2d(x, 2).sum().backward()
    assert x.grad.numpy().tolist() == [[[[0.0, 1.0], [0.0, 0.0]]]]


def test_overlapping_max_windows_add_their_gradients():
    x = ag.tensor(np.array([[[[0.0, 5.0, 0.0, 1.0]]]]), requires_grad=True)
    ag.max_pool2d(x, (1, 2), stride=1).sum().backward()      # windows 0-1, 1-2, 2-3
    assert x.grad.numpy().tolist() == [[[[0.0, 2.0, 0.0, 1.0]]]]


def test_avg_pool_counts_the_zero_padding():
    out = ag.avg_pool2d(np.ones((1, 1, 2, 2)), 2, stride=1, padding=1).numpy()[0, 0]
    assert out.tolist() == [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]]


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("call, words", [
    (lambda: ag.conv2d(np.ones((3, 8, 8)), np.ones((2, 3, 3, 3))),
     ["conv2d", "4-D (N, C, H, W)", "(3, 8, 8)", "x.reshape(1, *x.shape)"]),
    (lambda: ag.conv2d(np.ones((1, 3, 8, 8)), np.ones((2, 3, 3))),
     ["conv2d", "weight", "(2, 3, 3)"]),
    (lambda: ag.conv2d(np.ones((1, 3, 8, 8)), np.ones((2, 4, 3, 3))),
     ["conv2d", "3 channels", "(1, 3, 8, 8)", "(2, 4, 3, 3)", "expects 4"]),
    (lambda: ag.conv2d(np.ones((1, 4, 8, 8)), np.ones((3, 2, 3, 3)), groups=2),
     ["groups=2", "4 channels", "3 filters"]),
    (lambda: ag.conv2d(np.ones((1, 3, 4, 4)), np.ones((2, 3, 5, 5)), padding=0),
     ["conv2d", "kernel 5×5", "larger than the padded input", "(1, 3, 4, 4)", "height 4"]),
    (lambda: ag.conv2d(np.ones((1, 3, 5, 5)), np.ones((2, 3, 3, 3)), dilation=3),
     ["kernel 3×3", "dilated to 7", "height 5"]),
    (lambda: ag.conv2d(np.ones((1, 3, 5, 5)), np.ones((2, 3, 3, 3)), np.ones((3,))),
     ["bias", "(2,)", "(3,)"]),
    (lambda: ag.conv2d(np.ones((1, 3, 5, 5)), np.ones((2, 3, 3, 3)), stride=0),
     ["stride", "integer ≥ 1", "0"]),
    (lambda: ag.conv2d(np.ones((1, 3, 5, 5)), np.ones((2, 3, 3, 3)), padding="full"),
     ["padding", "'same'", "'full'"]),
    (lambda: ag.max_pool2d(np.ones((1, 1, 3, 3)), 4),
     ["max_pool2d", "pooling window 4×4", "larger than the padded input"]),
    (lambda: ag.max_pool2d(np.ones((1, 1, 6, 6)), 2, padding=2),
     ["max_pool2d", "padding", "half the kernel"]),
    (lambda: ag.avg_pool2d(np.ones((6, 6)), 2), ["avg_pool2d", "4-D", "(6, 6)"]),
])
def test_bad_input_names_the_operation_and_the_shapes(call, words):
    with pytest.raises(ag.ShapeError) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


@pytest.mark.parametrize("padding", [0, 1])
def test_windows_that_tile_the_padded_image_fold_back_exactly(padding):
    """stride = kernel and the padded image an exact multiple: fold takes its one-copy path."""
    rng = np.random.default_rng(5)
    x = rng.permutation(2 * 3 * 4 * 6).reshape(2, 3, 4, 6) * 0.1 - 5 + 0.05 * padding
    w = rng.standard_normal((2, 3, 2, 2))
    x = x[:, :, :4 - 2 * padding, :6 - 2 * padding]
    assert_gradients_match(lambda x, w: ag.conv2d(x, w, stride=2, padding=padding), [x, w])
    assert_gradients_match(lambda x: ag.max_pool2d(x, 2, padding=padding), [x], eps=1e-4)
    assert_second_gradients_match(lambda x: ag.avg_pool2d(x, 2, padding=padding) ** 2, [x])
