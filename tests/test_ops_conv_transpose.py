"""conv_transpose2d (ops/conv.py) as torch.nn.functional.conv_transpose2d: values against a
direct scatter loop, the adjoint of conv2d exactly, derivatives against central differences
at first and second order, a compiled step, errors for bad input."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import assert_gradients_match, assert_second_gradients_match
from op_checks import check_compiled_step_is_bitwise_eager

VALUES = settings(max_examples=40, deadline=None)
FIRST = settings(max_examples=20, deadline=None)
SECOND = settings(max_examples=8, deadline=None)


def conv_transpose_reference(x, w, b, stride, padding, output_padding, dilation, groups):
    """Each input pixel spreads x · W over its patch of the output (the textbook loop)."""
    (sh, sw), (ph, pw), (oh, ow), (dh, dw) = stride, padding, output_padding, dilation
    N, C, H, W = x.shape
    _, Cog, kh, kw = w.shape
    Cig = C // groups
    OH = (H - 1) * sh - 2 * ph + dh * (kh - 1) + oh + 1
    OW = (W - 1) * sw - 2 * pw + dw * (kw - 1) + ow + 1
    out = np.zeros((N, Cog * groups, OH, OW))
    for n, c, i, j in np.ndindex(N, C, H, W):
        g = c // Cig
        for co, u, v in np.ndindex(Cog, kh, kw):
            r, q = i * sh - ph + u * dh, j * sw - pw + v * dw
            if 0 <= r < OH and 0 <= q < OW:
                out[n, g * Cog + co, r, q] += x[n, c, i, j] * w[c, co, u, v]
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


@st.composite
def cases(draw, max_side=3):
    groups = draw(st.integers(1, 2))
    Cig, Cog, N = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    size = (draw(st.integers(1, max_side)), draw(st.integers(1, max_side)))
    padding = []
    for n, s, d, k, e in zip(size, stride, dilation, kernel, output_padding):
        full = (n - 1) * s + d * (k - 1) + e + 1
        padding.append(draw(st.integers(0, (full - 1) // 2)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((N, Cig * groups, *size))
    w = rng.standard_normal((Cig * groups, Cog, *kernel))
    b = rng.standard_normal(Cog * groups) if draw(st.booleans()) else None
    return x, w, b, dict(stride=stride, padding=tuple(padding), output_padding=output_padding,
                         dilation=dilation, groups=groups)


@VALUES
@given(cases())
def test_conv_transpose2d_matches_a_direct_loop(case):
    x, w, b, p = case
    expected = conv_transpose_reference(x, w, b, p["stride"], p["padding"],
                                        p["output_padding"], p["dilation"], p["groups"])
    np.testing.assert_allclose(ag.conv_transpose2d(x, w, b, **p).numpy(), expected,
                               rtol=1e-12, atol=1e-12)


@VALUES
@given(cases())
def test_conv_transpose2d_is_the_adjoint_of_conv2d(case):
    """<conv2d(y, W), x> = <y, conv_transpose2d(x, W)> for every y of the output's shape
    (an output_padding past the stride gives conv2d more windows than x has pixels: those
    meet no pixel)."""
    x, w, _, p = case
    out = ag.conv_transpose2d(x, w, **p).numpy()
    y = np.random.default_rng(0).standard_normal(out.shape)
    conv = ag.conv2d(y, w, stride=p["stride"], padding=p["padding"], dilation=p["dilation"],
                     groups=p["groups"]).numpy()
    assert conv.shape[:2] == x.shape[:2]
    assert all(m >= n for m, n in zip(conv.shape[2:], x.shape[2:]))
    conv = conv[..., :x.shape[2], :x.shape[3]]
    np.testing.assert_allclose((conv * x).sum(), (y * out).sum(), rtol=1e-10, atol=1e-10)


def inputs(x, w, b):
    return [x, w] + ([] if b is None else [b])


@FIRST
@given(cases())
def test_conv_transpose2d_first_derivatives(case):
    x, w, b, p = case
    f = lambda x, w, *b: ag.conv_transpose2d(x, w, b[0] if b else None, **p)
    assert_gradients_match(f, inputs(x, w, b))


@SECOND
@given(cases(max_side=2))
def test_conv_transpose2d_second_derivatives(case):
    x, w, b, p = case
    f = lambda x, w, *b: ag.conv_transpose2d(x, w, b[0] if b else None, **p) ** 2
    assert_second_gradients_match(f, inputs(x, w, b))


def test_a_stride_two_kernel_spreads_each_pixel_over_its_patch():
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    out = ag.conv_transpose2d(x, np.ones((1, 1, 2, 2)), stride=2).numpy()[0, 0]
    np.testing.assert_array_equal(out, np.kron([[1.0, 2.0], [3.0, 4.0]], np.ones((2, 2))))
    out = ag.conv_transpose2d(x, np.ones((1, 1, 3, 3)), stride=2, padding=1,
                              output_padding=1).numpy()[0, 0]
    assert out.shape == (4, 4)
    # the last column is the full output's column 4: only x[:, 1] reaches it (rows 1-4)
    np.testing.assert_array_equal(out[:, -1], [2.0, 2.0 + 4.0, 4.0, 4.0])


@pytest.mark.parametrize("call, words", [
    (lambda: ag.conv_transpose2d(np.ones((1, 2, 3, 3)), np.ones((3, 1, 2, 2))),
     ["conv_transpose2d", "2 channels", "(3, 1, 2, 2)"]),
    (lambda: ag.conv_transpose2d(np.ones((1, 2, 3, 3)), np.ones((2, 1, 2))),
     ["weight must be 4-D", "(2, 1, 2)"]),
    (lambda: ag.conv_transpose2d(np.ones((2, 3, 3)), np.ones((2, 1, 2, 2))),
     ["4-D (N, C, H, W)", "(2, 3, 3)"]),
    (lambda: ag.conv_transpose2d(np.ones((1, 2, 3, 3)), np.ones((2, 1, 2, 2)), stride=2,
                                 output_padding=2), ["output_padding (2, 2)", "stride (2, 2)",
                                                     "dilation (1, 1)"]),
    (lambda: ag.conv_transpose2d(np.ones((1, 2, 1, 1)), np.ones((2, 1, 1, 1)), padding=1),
     ["padding (1, 1) leaves no output"]),
    (lambda: ag.conv_transpose2d(np.ones((1, 2, 3, 3)), np.ones((2, 1, 2, 2)), np.ones(2)),
     ["bias", "(1,)", "(2,)"]),
    (lambda: ag.conv_transpose2d(np.ones((1, 3, 3, 3)), np.ones((3, 1, 2, 2)), groups=2),
     ["divisible by groups=2"]),
    (lambda: ag.conv_transpose2d(np.ones((1, 2, 3, 3)), np.ones((2, 1, 2, 2)), stride=0),
     ["stride", "integer ≥ 1"]),
])
def test_bad_input_names_the_operation_and_the_shapes(call, words):
    with pytest.raises(ag.ShapeError) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_empty_batch_and_float32():
    out = ag.conv_transpose2d(np.ones((0, 2, 3, 3)), np.ones((2, 1, 2, 2)), stride=2)
    assert out.shape == (0, 1, 6, 6)
    x = ag.tensor(np.ones((1, 2, 3, 3), np.float32), requires_grad=True)
    w = ag.tensor(np.ones((2, 3, 2, 2), np.float32), requires_grad=True)
    ag.conv_transpose2d(x, w, stride=2).sum().backward()
    assert x.grad.dtype == w.grad.dtype == np.float32


@pytest.mark.parametrize("with_bias", [False, True])
def test_conv_transpose2d_in_a_compiled_step_is_bitwise_eager(with_bias):
    rng = np.random.default_rng(4)
    w = ag.tensor(rng.standard_normal((2, 3, 3, 3)), requires_grad=True)
    b = ag.tensor(rng.standard_normal(3), requires_grad=True)

    def step(x):
        w.grad = b.grad = None
        out = ag.conv_transpose2d(x, w, b if with_bias else None, stride=2, padding=1,
                                  output_padding=1)
        (g,) = ag.grad((out ** 2).sum(), [w], create_graph=True)
        ((g ** 2).sum() + out.sum()).backward()
        return out, g, w.grad, b.grad if with_bias else g

    compiled = check_compiled_step_is_bitwise_eager(
        step, [rng.standard_normal((1, 2, 3, 3)) for _ in range(3)])
    # (with the bias, an op of three outside tensors — x, w, b — is captured anew on every
    # call at main 0ceea53, for any op (concatenate([x, w, b]) too): Trace.apply's key keeps
    # the requires_grad of the inputs only up to the second new one, the captured key all)
    assert compiled.replays >= 1 or with_bias
