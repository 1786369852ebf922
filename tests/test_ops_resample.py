"""interpolate (ops/resample.py) as torch.nn.functional.interpolate: nearest, linear and
bilinear values against loops written from PyTorch's index and weight rules and against
outputs PyTorch prints, derivatives against central differences at first and second order,
a compiled step, errors for bad input."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import assert_gradients_match, assert_second_gradients_match
from op_checks import check_compiled_step_is_bitwise_eager

VALUES = settings(max_examples=40, deadline=None)
FIRST = settings(max_examples=20, deadline=None)
SECOND = settings(max_examples=10, deadline=None)


def source_nearest(i, n_in, n_out, factor):
    if n_out == n_in:
        return i
    if n_out == 2 * n_in:
        return i // 2
    scale = np.float32(1.0 / factor) if factor else np.float32(n_in) / np.float32(n_out)
    return min(int(math.floor(np.float32(i) * scale)), n_in - 1)


def source_linear(i, n_in, n_out, factor, align_corners):
    """(i0, i1, l0, l1) in float64, one output position at a time."""
    if align_corners:
        src = i * ((n_in - 1) / (n_out - 1)) if n_out > 1 else 0.0
    else:
        scale = 1.0 / factor if factor else n_in / n_out
        src = max(scale * (i + 0.5) - 0.5, 0.0)
    i0 = min(int(math.floor(np.float32(src))), n_in - 1)     # PyTorch's floorf
    i1 = min(i0 + 1, n_in - 1)
    l1 = min(max(src - i0, 0.0), 1.0)
    return i0, i1, 1.0 - l1, l1


def interpolate_reference(x, sizes, factors, mode, align_corners):
    N, C, *spatial = x.shape
    out = np.zeros((N, C, *sizes))
    for pos in np.ndindex(*sizes):
        if mode == "nearest":
            src = tuple(source_nearest(i, n, m, f)
                        for i, n, m, f in zip(pos, spatial, sizes, factors))
            out[(..., *pos)] = x[(..., *src)]
            continue
        pairs = [source_linear(i, n, m, f, align_corners)
                 for i, n, m, f in zip(pos, spatial, sizes, factors)]
        if len(pairs) == 1:
            (i0, i1, l0, l1), = pairs
            out[..., pos[0]] = x[..., i0] * l0 + x[..., i1] * l1
        else:
            (h0, h1, a0, a1), (w0, w1, b0, b1) = pairs
            top = x[..., h0, w0] * b0 + x[..., h0, w1] * b1
            bottom = x[..., h1, w0] * b0 + x[..., h1, w1] * b1
            out[(..., *pos)] = top * a0 + bottom * a1
    return out


@st.composite
def cases(draw, max_side=5):
    mode = draw(st.sampled_from(["nearest", "linear", "bilinear"]))
    d = {"linear": 1, "bilinear": 2}.get(mode) or draw(st.integers(1, 2))
    spatial = tuple(draw(st.integers(1, max_side)) for _ in range(d))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((draw(st.integers(1, 2)), draw(st.integers(1, 2)), *spatial))
    kwargs = {"mode": mode}
    if mode != "nearest":
        kwargs["align_corners"] = draw(st.booleans())
    if draw(st.booleans()):
        kwargs["size"] = tuple(draw(st.integers(1, 2 * max_side)) for _ in range(d))
        sizes, factors = kwargs["size"], (None,) * d
    else:
        factors = tuple(draw(st.sampled_from([0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0]))
                        for _ in range(d))
        sizes = tuple(math.floor(n * f) for n, f in zip(spatial, factors))
        if min(sizes) < 1:
            factors = tuple(max(f, 1.0) for f in factors)
            sizes = tuple(math.floor(n * f) for n, f in zip(spatial, factors))
        kwargs["scale_factor"] = factors
    return x, kwargs, sizes, factors


@VALUES
@given(cases())
def test_interpolate_matches_a_loop_of_pytorchs_rules(case):
    x, kwargs, sizes, factors = case
    expected = interpolate_reference(x, sizes, factors, kwargs["mode"],
                                     kwargs.get("align_corners", False))
    out = ag.interpolate(x, **kwargs)
    assert out.shape == x.shape[:2] + tuple(sizes)
    # bitwise: the same weights, summed in PyTorch's order (along W, then H)
    np.testing.assert_array_equal(out.numpy(), expected)


@FIRST
@given(cases(max_side=3))
def test_interpolate_first_derivatives(case):
    x, kwargs, _, _ = case
    assert_gradients_match(lambda t: ag.interpolate(t, **kwargs), [x])


@SECOND
@given(cases(max_side=3))
def test_interpolate_second_derivatives(case):
    x, kwargs, _, _ = case
    assert_second_gradients_match(lambda t: ag.interpolate(t, **kwargs) ** 2, [x])


def test_outputs_pytorch_prints():
    square = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    np.testing.assert_allclose(ag.interpolate(square, scale_factor=2, mode="bilinear").numpy(),
                               [[[[1.0, 1.25, 1.75, 2.0], [1.5, 1.75, 2.25, 2.5],
                                  [2.5, 2.75, 3.25, 3.5], [3.0, 3.25, 3.75, 4.0]]]])
    np.testing.assert_allclose(
        ag.interpolate(square, size=(3, 3), mode="bilinear", align_corners=True).numpy(),
        [[[[1.0, 1.5, 2.0], [2.0, 2.5, 3.0], [3.0, 3.5, 4.0]]]])
    np.testing.assert_allclose(
        ag.interpolate(np.arange(4.0).reshape(1, 1, 4), size=3, mode="linear").numpy(),
        [[[1 / 6, 1.5, 2 + 5 / 6]]])
    np.testing.assert_array_equal(
        ag.interpolate(np.arange(3.0).reshape(1, 1, 3), size=5).numpy(), [[[0, 0, 1, 1, 2]]])
    np.testing.assert_array_equal(
        ag.interpolate(square, scale_factor=(1, 2)).numpy(),
        [[[[1.0, 1.0, 2.0, 2.0], [3.0, 3.0, 4.0, 4.0]]]])


def test_recompute_scale_factor_uses_the_ratio_of_the_sizes():
    x = np.arange(5.0).reshape(1, 1, 5)
    # scale_factor 1.5: 7 outputs; positions from 1/1.5, or from 5/7 when recomputed
    plain = ag.interpolate(x, scale_factor=1.5, mode="linear").numpy()
    again = ag.interpolate(x, scale_factor=1.5, mode="linear", recompute_scale_factor=True)
    np.testing.assert_array_equal(again.numpy(), ag.interpolate(x, size=7, mode="linear").numpy())
    assert not np.array_equal(plain, again.numpy())
    with pytest.raises(ValueError, match="antialias=True is not supported"):
        ag.interpolate(x, size=7, mode="linear", antialias=True)


def test_gradient_shares_each_output_between_its_neighbours():
    x = ag.tensor(np.zeros((1, 1, 2)), requires_grad=True)
    ag.interpolate(x, size=4, mode="linear").sum().backward()
    # weights per output: (1, 0), (0.75, 0.25), (0.25, 0.75), (0, 1)
    np.testing.assert_array_equal(x.grad.numpy(), [[[2.0, 2.0]]])
    x = ag.tensor(np.zeros((1, 1, 2, 2)), requires_grad=True)
    ag.interpolate(x, scale_factor=2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((1, 1, 2, 2), 4.0))


def test_float32_stays_float32():
    x = np.ones((1, 2, 3, 3), dtype=np.float32)
    assert ag.interpolate(x, size=5, mode="bilinear").dtype == np.float32
    assert ag.interpolate(x, size=5).dtype == np.float32


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(size=4, mode="cubic"), ValueError, ["interpolate", "mode", "'cubic'"]),
    (dict(size=4, scale_factor=2), ValueError, ["exactly one of size and scale_factor"]),
    (dict(), ValueError, ["exactly one of size and scale_factor"]),
    (dict(size=4, mode="linear"), ag.ShapeError, ["'linear'", "3-D", "(1, 2, 3, 3)"]),
    (dict(size=4, align_corners=True), ValueError, ["align_corners", "'nearest'"]),
    (dict(size=(4, 4, 4)), ag.ShapeError, ["one entry per spatial axis (2)"]),
    (dict(size=0), ag.ShapeError, ["size must be positive integers"]),
    (dict(scale_factor=-1.0), ValueError, ["scale_factor must be positive finite"]),
    (dict(scale_factor=0.1), ag.ShapeError, ["empty output"]),
])
def test_bad_input_is_refused_with_the_reason(kwargs, error, words):
    with pytest.raises(error) as info:
        ag.interpolate(np.ones((1, 2, 3, 3)), **kwargs)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_interpolate_in_a_compiled_step_is_bitwise_eager():
    w = ag.tensor(np.ones((1, 1, 3, 3)), requires_grad=True)

    def step(x):
        w.grad = None
        up = ag.interpolate(w * x, size=(5, 4), mode="bilinear")
        near = ag.interpolate(w * x, scale_factor=1.5)
        (g,) = ag.grad((up ** 2).sum() + (near ** 2).sum(), [w], create_graph=True)
        (g ** 2).sum().backward()
        return up, near, g, w.grad

    rng = np.random.default_rng(1)
    compiled = check_compiled_step_is_bitwise_eager(
        step, [rng.standard_normal((1, 1, 3, 3)) for _ in range(4)])
    assert compiled.replays >= 1
