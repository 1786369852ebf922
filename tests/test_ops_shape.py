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
from op_checks import check_compiled_step_is_bitwise_eager, family_tests

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
    with pytest.raises(ValueError, match="pad: mode .maximum. is not supported"):
        ag.pad(x, 1, mode="maximum")
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


# --- pad modes mean, median (stat_length) and linear_ramp (end_values) ------------------------

@st.composite
def stat_pad_cases(draw, distinct=True):
    x = draw(arrays(shape=draw(shapes(min_dims=1, max_dims=3, max_side=4))))
    if distinct:      # medians of distinct values: the derivative is defined
        x = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).permutation(
            x.size).reshape(x.shape) * 0.1 + 0.05
    width = [(draw(st.integers(0, 3)), draw(st.integers(0, 3))) for _ in range(x.ndim)]
    mode = draw(st.sampled_from(["mean", "median", "linear_ramp"]))
    kwargs = {}
    if mode == "linear_ramp" and draw(st.booleans()):
        kwargs["end_values"] = draw(st.sampled_from(
            [1.5, (0.0, -2.0), [(float(i), -float(i)) for i in range(x.ndim)]]))
    if mode != "linear_ramp" and draw(st.booleans()):
        kwargs["stat_length"] = draw(st.sampled_from(
            [1, 2, (1, 3), [(i + 1, 2) for i in range(x.ndim)]]))
    return x, width, mode, kwargs


@settings(max_examples=60, deadline=None)
@given(stat_pad_cases(distinct=False))
def test_stat_pad_values_equal_numpys_bitwise(case):
    x, width, mode, kwargs = case
    np.testing.assert_array_equal(ag.pad(x, width, mode=mode, **kwargs).numpy(),
                                  np.pad(x, width, mode=mode, **kwargs))
    via_numpy = np.pad(ag.tensor(x), width, mode=mode, **kwargs)
    np.testing.assert_array_equal(via_numpy.numpy(), np.pad(x, width, mode=mode, **kwargs))


@settings(max_examples=40, deadline=None)
@given(stat_pad_cases())
def test_stat_pad_first_order(case):
    x, width, mode, kwargs = case
    assert_gradients_match(lambda t: ag.pad(t, width, mode=mode, **kwargs), [x])


@settings(max_examples=15, deadline=None)
@given(stat_pad_cases())
def test_stat_pad_second_order(case):
    x, width, mode, kwargs = case
    assert_second_gradients_match(lambda t: ag.pad(t, width, mode=mode, **kwargs) ** 2, [x])


def test_stat_pad_gradients_by_hand():
    def grad(x, *args, **kwargs):
        t = ag.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
        ag.pad(t, *args, **kwargs).sum().backward()
        return t.grad.numpy()
    # mean of the first two: each pad element sends 1/2 to each of them
    np.testing.assert_array_equal(grad([1, 2, 3], (2, 0), mode="mean", stat_length=2),
                                  [2.0, 2.0, 1.0])
    # the median of 4 values is the mean of the middle two (2 and 3)
    np.testing.assert_array_equal(grad([4, 2, 1, 3], (1, 1), mode="median"),
                                  [1.0, 2.0, 1.0, 2.0])
    # ramps of 4 values from the end value 0 to the edge: weights 0, 1/4, 2/4, 3/4
    np.testing.assert_array_equal(grad([5, 7], (4, 0), mode="linear_ramp"), [2.5, 1.0])
    np.testing.assert_array_equal(grad([5, 7], (0, 2), mode="linear_ramp"), [1.0, 1.5])


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(mode="mean", stat_length=0), ValueError, ["stat_length", "positive"]),
    (dict(mode="median", stat_length=(1, 2, 3)), ag.ShapeError, ["stat_length", "(2, 3)"]),
    (dict(mode="mean", stat_length=1.5), TypeError, ["stat_length must be integers"]),
    (dict(mode="linear_ramp", stat_length=1), TypeError, ["'linear_ramp'", "stat_length"]),
    (dict(mode="mean", end_values=1), TypeError, ["'mean'", "end_values"]),
    (dict(mode="maximum"), ValueError, ["'maximum'", "linear_ramp"]),
])
def test_stat_pad_bad_input(kwargs, error, words):
    with pytest.raises(error) as info:
        ag.pad(np.ones((2, 3)), 1, **kwargs)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_stat_pad_of_an_empty_tensor_is_refused():
    with pytest.raises(ag.ShapeError, match="pad: mode 'mean' needs values"):
        ag.pad(np.ones((0, 3)), 1, mode="mean")


def test_stat_pad_in_a_compiled_step_follows_the_data():
    w = ag.tensor(np.ones((3, 3)), requires_grad=True)

    def step(x):
        w.grad = None
        out = (ag.pad(w * x, 2, mode="median") + ag.pad(w * x, 2, mode="mean", stat_length=2)
               + ag.pad(w * x, 2, mode="linear_ramp", end_values=1.0))
        (g,) = ag.grad((out ** 2).sum(), [w], create_graph=True)
        (g ** 2).sum().backward()
        return out, g, w.grad

    rng = np.random.default_rng(5)
    compiled = check_compiled_step_is_bitwise_eager(
        step, [rng.standard_normal((3, 3)) for _ in range(4)])
    assert compiled.replays >= 1
