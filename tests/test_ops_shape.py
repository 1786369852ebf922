"""pad, tile, repeat, flip, roll, rot90, the split and stack families, atleast_nd, append,
moveaxis / rollaxis, ravel, expand_dims: values equal numpy's exactly (through ``ag.f`` and
through numpy's own function on a Tensor), gradients match central differences at first and
second order, bad input names the op and the shape."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import arrays, assert_gradients_match, assert_second_gradients_match
from autograd_lite.testing import shapes
from op_checks import family_tests

FIRST = settings(max_examples=25, deadline=None)
SECOND = settings(max_examples=8, deadline=None)


def check_op(ag_f, np_f, x, second=True):
    """ag_f and np_f on a Tensor equal numpy's value exactly; gradients at both orders."""
    expected = np_f(x)
    np.testing.assert_array_equal(ag_f(ag.tensor(x)).numpy(), expected)
    via_numpy = np_f(ag.tensor(x))
    assert isinstance(via_numpy, ag.Tensor)
    np.testing.assert_array_equal(via_numpy.numpy(), expected)
    assert_gradients_match(ag_f, [x])
    if second:       # these ops are linear: square the result so the Hessian is not zero
        assert_second_gradients_match(lambda t: ag_f(t) ** 2, [x])


# --- strategies: an array and the keyword arguments of one call -----------------------------

@st.composite
def pad_case(draw):
    mode = draw(st.sampled_from(["constant", "edge", "reflect", "symmetric", "wrap"]))
    x = draw(arrays(shapes(max_dims=3, min_side=0 if mode == "constant" else 1, max_side=3)))
    pair = st.tuples(st.integers(0, 3), st.integers(0, 3))
    per_axis = st.lists(pair, min_size=x.ndim, max_size=x.ndim).map(tuple)
    width = draw(st.one_of(st.integers(0, 3), pair, *([per_axis] if x.ndim else [])))
    kwargs = {"constant_values": draw(st.floats(-3, 3))} if mode == "constant" else {}
    return x, dict(pad_width=width, mode=mode, **kwargs)


@st.composite
def tile_case(draw):
    x = draw(arrays(shapes(max_dims=3, min_side=0, max_side=3)))
    return x, dict(reps=tuple(draw(st.lists(st.integers(0, 3), min_size=0, max_size=4))))


@st.composite
def repeat_case(draw):
    x = draw(arrays(shapes(max_dims=3, min_side=0, max_side=3)))
    axis = draw(st.none() | st.integers(-x.ndim, x.ndim - 1)) if x.ndim else None
    n = x.size if axis is None else x.shape[axis]
    repeats = draw(st.integers(0, 3) | st.lists(st.integers(0, 3), min_size=n, max_size=n))
    return x, dict(repeats=repeats, axis=axis)


@st.composite
def axis_case(draw, allow_tuple=True, min_side=0, min_dims=0):
    x = draw(arrays(shapes(min_dims=min_dims, max_dims=3, min_side=min_side, max_side=3)))
    options = st.none()
    if x.ndim:
        options |= st.integers(-x.ndim, x.ndim - 1)
        if allow_tuple:
            options |= st.lists(st.integers(0, x.ndim - 1), max_size=x.ndim,
                                unique=True).map(tuple)
    return x, draw(options)


@st.composite
def roll_case(draw):
    x, axis = draw(axis_case(allow_tuple=False))
    return x, dict(shift=draw(st.integers(-5, 5)), axis=axis)


@st.composite
def rot90_case(draw):
    x = draw(arrays(shapes(min_dims=2, max_dims=3, min_side=0, max_side=3)))
    axes = draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=2, max_size=2).filter(
        lambda ax: ax[0] % x.ndim != ax[1] % x.ndim))
    return x, dict(k=draw(st.integers(-3, 5)), axes=tuple(axes))


@st.composite
def moveaxis_case(draw):
    x = draw(arrays(shapes(min_dims=1, max_dims=4, max_side=3)))
    source = draw(st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=x.ndim, unique=True))
    destination = draw(st.permutations(range(x.ndim)))[:len(source)]
    return x, dict(source=source, destination=destination)


@st.composite
def rollaxis_case(draw):
    x = draw(arrays(shapes(min_dims=1, max_dims=4, max_side=3)))
    return x, dict(axis=draw(st.integers(-x.ndim, x.ndim - 1)),
                   start=draw(st.integers(-x.ndim, x.ndim)))


@st.composite
def expand_dims_case(draw):
    x = draw(arrays(shapes(max_dims=3, max_side=3)))
    n = draw(st.integers(1, 2))
    axis = draw(st.lists(st.integers(0, x.ndim + n - 1), min_size=n, max_size=n, unique=True))
    return x, dict(axis=axis[0] if n == 1 else tuple(axis))


CASES = {
    "pad": (pad_case(), ag.pad, np.pad),
    "tile": (tile_case(), ag.tile, np.tile),
    "repeat": (repeat_case(), ag.repeat, np.repeat),
    "flip": (axis_case().map(lambda c: (c[0], dict(axis=c[1]))), ag.flip, np.flip),
    "roll": (roll_case(), ag.roll, np.roll),
    "rot90": (rot90_case(), ag.rot90, np.rot90),
    "moveaxis": (moveaxis_case(), ag.moveaxis, np.moveaxis),
    "rollaxis": (rollaxis_case(), ag.rollaxis, np.rollaxis),
    "expand_dims": (expand_dims_case(), ag.expand_dims, np.expand_dims),
    "ravel": (arrays(shapes(max_side=3)).map(lambda x: (x, {})), ag.ravel, np.ravel),
}


test_value_and_first_order, test_second_order = family_tests(CASES)


def test_pad_reflect_gradient_counts_each_copy():
    x = ag.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    out = ag.pad(x, (2, 1), mode="reflect")           # [3, 2, 1, 2, 3, 4, 3]
    np.testing.assert_array_equal(out.numpy(), [3, 2, 1, 2, 3, 4, 3])
    out.backward(np.arange(1.0, 8.0))
    np.testing.assert_array_equal(x.grad.numpy(), [3, 2 + 4, 1 + 5 + 7, 6])


def test_pad_constant_and_per_axis_widths_match_numpy_for_a_cnn_batch():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 4))     # (m, c, h, w)
    width = ((0, 0), (0, 0), (1, 1), (2, 2))
    t = ag.tensor(x, requires_grad=True)
    out = ag.pad(t, width, constant_values=0.5)
    np.testing.assert_array_equal(out.numpy(), np.pad(x, width, constant_values=0.5))
    out.backward(np.ones(out.shape))
    np.testing.assert_array_equal(t.grad.numpy(), np.ones(x.shape))


def test_pad_errors_name_the_op_and_the_shape():
    x = ag.tensor(np.ones((2, 3)))
    with pytest.raises(ag.ShapeError, match=r"pad: pad_width .* shape \(2, 3\)"):
        ag.pad(x, ((1, 1), (1, 1), (1, 1)))
    with pytest.raises(ValueError, match="pad: mode 'median' is not supported"):
        ag.pad(x, 1, mode="median")
    with pytest.raises(ValueError, match="negative"):
        ag.pad(x, -1)
    with pytest.raises(ag.GraphError, match="constant_values requires a gradient"):
        ag.pad(x, 1, constant_values=ag.tensor(1.0, requires_grad=True))
    with pytest.raises(ag.ShapeError, match=r"pad: .*\(0, 2\)"):
        ag.pad(ag.tensor(np.ones((0, 2))), 1, mode="edge")


def test_repeat_and_tile_errors():
    x = ag.tensor(np.ones((2, 3)))
    with pytest.raises(ag.ShapeError, match=r"repeat: 2 counts given for axis 1 .*\(2, 3\)"):
        ag.repeat(x, [1, 2], axis=1)
    with pytest.raises(ValueError, match="repeat: repeats must be non-negative"):
        ag.repeat(x, -1)
    with pytest.raises(ValueError, match="tile: reps must be non-negative"):
        ag.tile(x, (1.5,))
    with pytest.raises(ag.ShapeError, match=r"flip: axis 2 is out of range .*\(2, 3\)"):
        ag.flip(x, 2)
    with pytest.raises(ag.ShapeError, match=r"rot90: .*shape \(3,\)"):
        ag.rot90(ag.tensor(np.ones(3)))


def test_flip_variants_and_roll_with_several_axes():
    x = np.arange(12.0).reshape(3, 4)
    t = ag.tensor(x)
    np.testing.assert_array_equal(ag.fliplr(t).numpy(), np.fliplr(x))
    np.testing.assert_array_equal(np.flipud(t).numpy(), np.flipud(x))
    np.testing.assert_array_equal(ag.roll(t, (1, -2), (0, 1)).numpy(), np.roll(x, (1, -2), (0, 1)))
    assert_gradients_match(lambda a: ag.roll(a, (1, -2), (0, 1)), [x])
    with pytest.raises(ag.ShapeError, match="fliplr: needs at least 2"):
        ag.fliplr(ag.tensor([1.0]))


# --- split: a list of tensors, each differentiable ----------------------------------------

@st.composite
def split_case(draw):
    x = draw(arrays(shapes(min_dims=1, max_dims=3, min_side=0, max_side=5)))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[axis]
    sections = draw(st.integers(1, 4) | st.lists(st.integers(0, n + 1), max_size=3).map(sorted))
    return x, sections, axis


def _weighted(pieces):
    """One tensor from a list of pieces, each scaled differently (so mix-ups show)."""
    return ag.concatenate([ag.reshape(p, -1) * (i + 1) for i, p in enumerate(pieces)] +
                          [ag.zeros(1)])


@FIRST
@given(split_case())
def test_array_split_values_and_gradients(case):
    x, sections, axis = case
    expected = np.array_split(x, sections, axis)
    for got in (ag.array_split(ag.tensor(x), sections, axis),
                np.array_split(ag.tensor(x), sections, axis)):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            np.testing.assert_array_equal(g.numpy(), e)
    assert_gradients_match(lambda t: _weighted(ag.array_split(t, sections, axis)), [x])


@SECOND
@given(split_case())
def test_array_split_second_order(case):
    x, sections, axis = case
    assert_second_gradients_match(
        lambda t: _weighted(ag.array_split(t, sections, axis)) ** 2, [x])


def test_split_family_matches_numpy_and_refuses_unequal_parts():
    x = np.arange(24.0).reshape(2, 4, 3)
    t = ag.tensor(x)
    for ag_f, np_f, arg in ((ag.split, np.split, 2), (ag.vsplit, np.vsplit, 2),
                            (ag.hsplit, np.hsplit, [1, 3]), (ag.dsplit, np.dsplit, 3)):
        for g, e in zip(ag_f(t, arg), np_f(x, arg)):
            np.testing.assert_array_equal(g.numpy(), e)
    with pytest.raises(ag.ShapeError, match=r"split: axis 1 of shape \(2, 4, 3\) does not split "
                                            r"into 3 equal parts"):
        ag.split(t, 3, axis=1)
    with pytest.raises(ag.ShapeError, match="dsplit: needs at least 3"):
        ag.dsplit(ag.tensor(np.ones((2, 2))), 2)


# --- stacking, atleast_nd, append -----------------------------------------------------------

@st.composite
def stack_case(draw):
    base = draw(shapes(max_dims=3, max_side=3))
    count = draw(st.integers(1, 3))
    return [draw(arrays(base)) for _ in range(count)]


STACKERS = {"vstack": (ag.vstack, np.vstack), "hstack": (ag.hstack, np.hstack),
            "column_stack": (ag.column_stack, np.column_stack),
            "dstack": (ag.dstack, np.dstack), "stack": (ag.stack, np.stack),
            "concatenate": (lambda xs: ag.concatenate(xs, axis=None),
                            lambda xs: np.concatenate(xs, axis=None))}


@pytest.mark.parametrize("name", sorted(STACKERS))
@FIRST
@given(xs=stack_case())
def test_stacking_values_and_gradients(name, xs):
    ag_f, np_f = STACKERS[name]
    if name == "column_stack" and xs[0].ndim == 0:
        xs = [x.reshape(1) for x in xs]          # numpy's column_stack refuses 0-d
    expected = np_f(xs)
    np.testing.assert_array_equal(ag_f([ag.tensor(x) for x in xs]).numpy(), expected)
    np.testing.assert_array_equal(np_f([ag.tensor(x) for x in xs]).numpy(), expected)
    assert_gradients_match(lambda *ts: ag_f(list(ts)), xs)
    assert_second_gradients_match(lambda *ts: ag_f(list(ts)) ** 2, xs[:2])  if len(xs) == 2 \
        else None


@FIRST
@given(x=arrays(shapes(max_dims=3, max_side=3)))
def test_atleast_nd(x):
    for ag_f, np_f in ((ag.atleast_1d, np.atleast_1d), (ag.atleast_2d, np.atleast_2d),
                       (ag.atleast_3d, np.atleast_3d)):
        check_op(ag_f, np_f, x, second=False)
        pair = ag_f(ag.tensor(x), ag.tensor(x))
        assert isinstance(pair, tuple) and pair[1].shape == np_f(x).shape


@FIRST
@given(x=arrays(shapes(min_dims=1, max_dims=2, max_side=3)), y=arrays(shapes(max_dims=2)),
       use_axis=st.booleans())
def test_append(x, y, use_axis):
    if use_axis:
        y = np.ones(x.shape[:-1] + (2,))
        assert_gradients_match(lambda a, b: ag.append(a, b, axis=-1), [x, y])
        np.testing.assert_array_equal(np.append(ag.tensor(x), y, axis=-1).numpy(),
                                      np.append(x, y, axis=-1))
    else:
        assert_gradients_match(ag.append, [x, y])
        np.testing.assert_array_equal(ag.append(x, y).numpy(), np.append(x, y))


def test_axis_errors_name_the_op():
    t = ag.tensor(np.ones((2, 3)))
    with pytest.raises(ag.ShapeError, match=r"moveaxis: axis 5 is out of range .*\(2, 3\)"):
        ag.moveaxis(t, 5, 0)
    with pytest.raises(ag.ShapeError, match="moveaxis: repeated axis"):
        ag.moveaxis(t, (0, 0), (0, 1))
    with pytest.raises(ag.ShapeError, match="expand_dims: repeated axis"):
        ag.expand_dims(t, (0, 0))
    with pytest.raises(TypeError, match="vstack: needs a non-empty list"):
        ag.vstack([])
