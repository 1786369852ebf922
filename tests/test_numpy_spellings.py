"""numpy's own spellings on Tensors (the ones HIPS autograd's tests use): arrays from lists
mixing tensors and numbers, np.gradient, np.linspace with tensor ends, np.partition and
np.argpartition, N-D np.dot, np.diagonal, % / np.mod / np.remainder / divmod.

Forward values are numpy's exactly (the same numbers, the same dtype); gradients are checked
against central differences over hypothesis' random shapes."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import arrays, assert_gradients_match, assert_second_gradients_match
from autograd_lite.testing import shapes
from math_cases import distinct

FIRST = dict(max_examples=25, deadline=None)
SECOND = dict(max_examples=8, deadline=None)
pytestmark = pytest.mark.filterwarnings("ignore::autograd_lite.RankOneWarning")


def same(result, expected):
    """A Tensor holding numpy's answer bit for bit, dtype included."""
    assert isinstance(result, ag.Tensor), type(result)
    assert result.dtype == expected.dtype, (result.dtype, expected.dtype)
    np.testing.assert_array_equal(result.numpy(), expected)


# --- arrays from lists mixing tensors and numbers ---------------------------------------------

def test_hips_array_spellings_of_a_scalar():
    x = ag.tensor(3.0, requires_grad=True)
    A = ag.array([[x, x * 1.0, x + 2.5], [x ** 2, x, x / 2.0]])
    same(A, np.array([[3.0, 3.0, 5.5], [9.0, 3.0, 1.5]]))
    (A + A).sum().backward()
    assert x.grad.item() == 2 * (1 + 1 + 1 + 2 * 3.0 + 1 + 0.5)


def test_np_array_and_asarray_with_like_a_tensor():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    A = np.array([x, [3.0, 4.0]], like=x)
    same(A, np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert A.requires_grad
    assert np.asarray(x, like=x) is x
    same(np.asarray([1, 2], like=x), np.array([1, 2]))
    same(np.array([[1, 2]], dtype=np.float32, like=x), np.array([[1, 2]], dtype=np.float32))


def test_a_tensor_alone_is_copied_and_keeps_its_gradient():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ag.array(x)
    assert y is not x and not np.shares_memory(y.numpy(), x.numpy())
    (y * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


@st.composite
def nested(draw):
    """A nested list whose leaves are Tensors, arrays or numbers of one shape, and the same
    nesting of plain arrays."""
    shape = draw(shapes(max_dims=2, max_side=3))
    dims = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    count = int(np.prod(dims))
    values = [draw(arrays(shape)) for _ in range(count)]
    kinds = draw(st.lists(st.sampled_from(["tensor", "array", "number", "float32"]),
                          min_size=count, max_size=count))
    if shape != ():
        kinds = [k if k != "number" else "list" for k in kinds]
    leaves, plain = [], []
    for v, k in zip(values, kinds):
        if k == "tensor":
            leaves.append(ag.tensor(v))
            plain.append(v)
        elif k == "float32":
            leaves.append(ag.tensor(v.astype(np.float32)))
            plain.append(v.astype(np.float32))
        elif k == "array":
            leaves.append(v)
            plain.append(v)
        elif k == "number":
            leaves.append(float(v))
            plain.append(float(v))
        else:
            leaves.append(v.tolist())
            plain.append(v.tolist())

    def nest(items):
        for d in reversed(dims[1:]):
            items = [items[i:i + d] for i in range(0, len(items), d)]
        return items
    return nest(leaves), nest(plain)


@settings(**FIRST)
@given(case=nested())
def test_array_and_stack_of_nested_lists_equal_numpy(case):
    mixed, plain = case
    same(ag.array(mixed), np.array(plain))
    if any(isinstance(m, ag.Tensor) for m in mixed):   # numpy hands np.stack to Tensors
        same(np.stack(mixed), np.stack([np.asarray(p) for p in plain]))


@settings(**FIRST)
@given(x=arrays(shape=shapes(max_dims=2, max_side=3)))
def test_array_gradients_match_central_differences(x):
    def build(t):
        return ag.array([[t * 2.0, t + 1.0], [ag.sin(t), t * t]])
    assert_gradients_match(build, [x])
    assert_second_gradients_match(lambda t: build(t) ** 2, [x])


def test_a_ragged_list_is_refused_with_the_shapes():
    x = ag.tensor(1.0, requires_grad=True)
    with pytest.raises(ag.ShapeError, match=r"array: .*one shape.*\(\).*\(2,\)"):
        ag.array([x, [1.0, 2.0]])
    with pytest.raises(ag.ShapeError, match=r"stack: all arrays must have the same shape"):
        np.stack([ag.tensor([1.0]), [1.0, 2.0]])


# --- np.gradient --------------------------------------------------------------------------

@st.composite
def sampled(draw, dtype=np.float64):
    """f on a grid (every side ≥ 3), an axis choice, the spacings, edge_order."""
    shape = draw(shapes(min_dims=1, max_dims=3, min_side=3, max_side=5))
    f = draw(arrays(shape, dtype=dtype))
    axis = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1),
                          st.lists(st.integers(0, len(shape) - 1), min_size=1,
                                   max_size=len(shape), unique=True).map(tuple)))
    axes = tuple(range(len(shape))) if axis is None else (
        (axis % len(shape),) if isinstance(axis, int) else axis)
    kind = draw(st.sampled_from(["none", "scalar", "numpy scalar", "per axis"]))
    if kind == "none":
        spacing = ()
    elif kind == "scalar":
        spacing = (draw(st.floats(0.1, 3.0)),)
    elif kind == "numpy scalar":
        spacing = (np.float64(draw(st.floats(0.1, 3.0))),)
    else:
        spacing = []
        for ax in axes:
            if draw(st.booleans()):
                spacing.append(draw(st.floats(0.1, 3.0)))
            else:                             # coordinates: increasing, uneven
                steps = draw(arrays(shape[ax] - 1, min_value=0.2, max_value=2.0))
                start = draw(st.floats(-3.0, 3.0))
                spacing.append(start + np.concatenate([[0.0], np.cumsum(steps)]))
        spacing = tuple(spacing)
    return f, spacing, dict(axis=axis, edge_order=draw(st.sampled_from([1, 2])))


def _as_list(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


@settings(**FIRST)
@given(case=sampled())
def test_gradient_equals_numpy(case):
    f, spacing, kwargs = case
    expected = _as_list(np.gradient(f, *spacing, **kwargs))
    for got in (ag.gradient(ag.tensor(f), *spacing, **kwargs),
                np.gradient(ag.tensor(f), *spacing, **kwargs)):
        got = _as_list(got)
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            same(g, e)


@settings(**FIRST)
@given(case=sampled(dtype=np.float32))
def test_gradient_of_float32_equals_numpy(case):
    f, spacing, kwargs = case
    for g, e in zip(_as_list(np.gradient(ag.tensor(f), *spacing, **kwargs)),
                    _as_list(np.gradient(f, *spacing, **kwargs))):
        same(g, e)


def test_gradient_of_integers_is_float64_as_numpy():
    f = np.array([[1, 4, 9], [2, 3, 7]])
    for g, e in zip(np.gradient(ag.tensor(f)), np.gradient(f)):
        same(g, e)


@settings(**FIRST)
@given(case=sampled())
def test_gradient_is_differentiable(case):
    f, spacing, kwargs = case

    def total(t):
        return sum((r * (k + 1.0)).sum() for k, r in
                   enumerate(_as_list(ag.gradient(t, *spacing, **kwargs))))
    assert_gradients_match(total, [f])


@settings(**SECOND)
@given(case=sampled())
def test_gradient_second_order(case):
    f, spacing, kwargs = case

    def squares(t):
        return sum((r * r).sum() for r in _as_list(ag.gradient(t, *spacing, **kwargs)))
    assert_second_gradients_match(squares, [f])


def test_gradient_of_known_functions():
    x = np.linspace(0.0, 2.0, 9)
    # exact for a quadratic with second-order edges: d(x²) = 2x
    d = ag.gradient(ag.tensor(x ** 2), x[1] - x[0], edge_order=2)
    np.testing.assert_allclose(d.numpy(), 2 * x, rtol=1e-12, atol=1e-12)
    # the first-order edges of x²: (x1² - x0²) / h = x0 + x1
    d = ag.gradient(ag.tensor(x ** 2), x)
    assert np.isclose(d.numpy()[0], x[0] + x[1]) and np.isclose(d.numpy()[-1], x[-2] + x[-1])


def test_gradient_errors():
    with pytest.raises(ValueError, match=r"gradient: shape \(2,\) is too small .* 3 elements"):
        ag.gradient(ag.tensor([1.0, 2.0]), edge_order=2)
    with pytest.raises(ValueError, match="gradient: edge_order must be 1 or 2"):
        ag.gradient(ag.tensor([1.0, 2.0, 3.0]), edge_order=3)
    with pytest.raises(TypeError, match="gradient: 2 spacings given for 1 axes"):
        ag.gradient(ag.tensor([1.0, 2.0, 3.0]), 1.0, 2.0)
    with pytest.raises(ValueError, match="gradient: coordinates 0 have length 2"):
        ag.gradient(ag.tensor([1.0, 2.0, 3.0]), np.array([0.0, 1.0]))
    with pytest.raises(TypeError, match="gradient: a spacing that requires a gradient"):
        ag.gradient(ag.tensor([1.0, 2.0, 3.0]), ag.tensor(1.0, requires_grad=True))


# --- np.linspace ---------------------------------------------------------------------------

@st.composite
def ends(draw):
    shape_a, shape_b = draw(st.sampled_from([((), ()), ((2,), ()), ((), (3,)), ((2,), (2,)),
                                             ((2, 1), (3,))]))
    a = draw(arrays(shape_a))
    b = draw(arrays(shape_b))
    if draw(st.booleans()):                      # the same ends: a zero step
        b = np.broadcast_to(a, np.broadcast_shapes(shape_a, shape_b)).copy() if shape_b else a
    return a, b, dict(num=draw(st.integers(0, 7)), endpoint=draw(st.booleans()))


@settings(**FIRST)
@given(case=ends(), axis=st.sampled_from([0, -1]), wrap=st.sampled_from(["both", "start",
                                                                          "stop"]))
def test_linspace_equals_numpy(case, axis, wrap):
    a, b, kwargs = case
    ta = ag.tensor(a) if wrap in ("both", "start") else a
    tb = ag.tensor(b) if wrap in ("both", "stop") else b
    expected, step = np.linspace(a, b, axis=axis, retstep=True, **kwargs)
    got, got_step = np.linspace(ta, tb, axis=axis, retstep=True, **kwargs)
    same(got, expected)
    np.testing.assert_array_equal(np.asarray(got_step.numpy() if isinstance(got_step, ag.Tensor)
                                             else got_step), step)
    same(ag.linspace(ta, tb, axis=axis, **kwargs), expected)


def test_linspace_dtypes_equal_numpy():
    a32 = np.float32(0.5)
    for start, stop, dtype in [(ag.tensor(a32), 2.0, None), (ag.tensor(1), 5, None),
                               (ag.tensor(0.0), 9.0, np.int64), (ag.tensor(a32), 3.0, np.float64)]:
        plain = [np.asarray(x.numpy()) if isinstance(x, ag.Tensor) else x for x in (start, stop)]
        same(np.linspace(start, stop, 6, dtype=dtype), np.linspace(*plain, 6, dtype=dtype))


@settings(**FIRST)
@given(case=ends())
def test_linspace_gradients_match_central_differences(case):
    a, b, kwargs = case
    weights = np.arange(1.0, 1.0 + kwargs["num"])

    def f(s, e):
        y = ag.linspace(s, e, **kwargs)
        return y * weights.reshape((-1,) + (1,) * (y.ndim - 1))
    assert_gradients_match(f, [a, b])


def test_linspace_gradient_is_the_interpolation_weights():
    a, b = ag.tensor(1.0, requires_grad=True), ag.tensor(3.0, requires_grad=True)
    y = ag.linspace(a, b, 5)
    ga, gb = ag.grad(y[1], [a, b])
    assert (ga.item(), gb.item()) == (0.75, 0.25)
    with pytest.raises(ValueError, match="linspace: the number of samples, -1"):
        ag.linspace(a, b, -1)


# --- np.partition, np.argpartition ---------------------------------------------------------

@st.composite
def to_partition(draw, nans=False):
    shape = draw(shapes(min_dims=1, max_dims=3, max_side=5))
    x = draw(arrays(shape))
    if nans:       # nans and ties: np.partition and np.argpartition then order differently
        x = np.round(x)
        x[draw(arrays(shape)) > 2.0] = np.nan
    axis = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    n = x.size if axis is None else shape[axis]
    kth = draw(st.one_of(st.integers(-n, n - 1),
                         st.lists(st.integers(0, n - 1), min_size=1, max_size=n,
                                  unique=True).map(tuple)))
    return x, kth, axis


@settings(**FIRST)
@given(case=to_partition())
def test_partition_and_argpartition_equal_numpy(case):
    x, kth, axis = case
    same(np.partition(ag.tensor(x), kth, axis=axis), np.partition(x, kth, axis=axis))
    same(ag.partition(ag.tensor(x), kth, axis=axis), np.partition(x, kth, axis=axis))
    index = np.argpartition(ag.tensor(x), kth, axis=axis)
    same(index, np.argpartition(x, kth, axis=axis))
    assert not index.requires_grad
    if axis is not None:
        same(ag.tensor(x).partition(kth, axis=axis), np.partition(x, kth, axis=axis))


@settings(**FIRST)
@given(case=to_partition(nans=True))
def test_partition_with_nans_and_ties_equals_numpy_and_moves_the_gradient(case):
    x, kth, axis = case
    t = ag.tensor(x, requires_grad=True)
    y = np.partition(t, kth, axis=axis)
    np.testing.assert_array_equal(y.numpy(), np.partition(x, kth, axis=axis))
    weights = np.arange(1.0, 1.0 + y.size).reshape(y.shape)
    (y * weights).sum().backward()
    # the gradient is a permutation of the weights, sent where the values came from
    g = t.grad.numpy().reshape(-1)
    np.testing.assert_array_equal(np.sort(g), weights.reshape(-1))
    flat = x.reshape(-1)
    came_from = np.argsort(g)            # weight i + 1 went to input came_from[i]
    np.testing.assert_array_equal(flat[came_from], y.numpy().reshape(-1))


@settings(**FIRST)
@given(case=to_partition())
def test_partition_gradients_match_central_differences(case):
    x, kth, axis = case
    x = distinct(x)                            # ties are kinks of the order
    weights = np.arange(1.0, 1.0 + x.size).reshape(x.shape if axis is not None else -1)
    assert_gradients_match(lambda t: ag.partition(t, kth, axis=axis) * weights, [x])


def test_partition_errors():
    with pytest.raises(ValueError, match=r"partition: kth 3 is out of bounds .*\(3,\)"):
        ag.partition(ag.tensor([1.0, 2.0, 3.0]), 3)
    with pytest.raises(ag.ShapeError, match="partition: axis 1 is out of range"):
        ag.partition(ag.tensor([1.0, 2.0, 3.0]), 0, axis=1)
    with pytest.raises(TypeError, match="partition: kind= and order="):
        np.partition(ag.tensor([1.0, 2.0]), 0, order="x")


def test_partition_in_a_compiled_step_follows_the_data():
    w = ag.tensor(np.zeros(4), requires_grad=True)

    def step(x):
        w.grad = None
        y = ag.partition(w + x, 1)
        (y * ag.tensor([1.0, 10.0, 100.0, 1000.0])).sum().backward()
        return y, w.grad
    compiled = ag.compile(step)
    rng = np.random.default_rng(3)
    for _ in range(4):
        x = rng.permutation(4).astype(float)
        ye, ge = step(x)
        yc, gc = compiled(x)
        same(yc, ye.numpy())
        same(gc, ge.numpy())
        same(yc, np.partition(x, 1))
    assert compiled.replays == 3


# --- N-D np.dot, np.diagonal ---------------------------------------------------------------

@st.composite
def dot_operands(draw):
    k = draw(st.integers(1, 3))
    lead_a = draw(shapes(max_dims=2, max_side=3))
    lead_b = draw(shapes(max_dims=2, max_side=3))
    tail_b = draw(st.sampled_from([(), (2,)]))
    sa = lead_a + (k,)
    sb = (lead_b + (k,) + tail_b) if tail_b else (k,)
    if len(sb) > 1:                        # second-to-last axis of b is summed
        sb = lead_b + (k, 2)
    return draw(arrays(sa)), draw(arrays(sb))


@settings(**FIRST)
@given(ops=dot_operands())
def test_nd_dot_equals_numpy_and_its_gradients_match(ops):
    a, b = ops
    same(np.dot(ag.tensor(a), ag.tensor(b)), np.dot(a, b))
    same(ag.dot(a, ag.tensor(b)), np.dot(a, b))
    assert_gradients_match(lambda x, y: np.dot(x, y), [a, b])


@st.composite
def diagonals(draw):
    shape = draw(shapes(min_dims=2, max_dims=4, max_side=4))
    ax1, ax2 = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=2, max_size=2,
                             unique_by=lambda a: a % len(shape)))
    return draw(arrays(shape)), dict(offset=draw(st.integers(-3, 3)), axis1=ax1, axis2=ax2)


@settings(**FIRST)
@given(case=diagonals())
def test_diagonal_equals_numpy_and_its_gradients_match(case):
    x, kwargs = case
    same(np.diagonal(ag.tensor(x), **kwargs), np.diagonal(x, **kwargs))
    same(ag.tensor(x).diagonal(**kwargs), np.diagonal(x, **kwargs))
    assert_gradients_match(lambda t: np.diagonal(t, **kwargs) * 3.0, [x])


# --- %, np.mod, np.remainder, divmod --------------------------------------------------------

@st.composite
def divisions(draw):
    shape = draw(shapes(max_dims=2, max_side=3))
    a = draw(arrays(shape))
    b = draw(arrays(draw(st.sampled_from([(), shape])), min_value=0.5, max_value=3.0))
    b = b * draw(st.sampled_from([1.0, -1.0]))
    return a, b


def _off_the_jumps(a, b):
    """a moved away from the multiples of b, where a % b jumps."""
    q = np.floor(a / b)
    frac = a / b - q
    return np.where((frac < 0.05) | (frac > 0.95), (q + 0.5) * b, a)


@settings(**FIRST)
@given(ops=divisions())
def test_mod_spellings_equal_numpy_and_gradients_match(ops):
    a, b = ops
    ta, tb = ag.tensor(a), ag.tensor(b)
    expected = np.mod(a, b)
    for got in (ta % tb, np.mod(ta, tb), np.remainder(ta, b), a % tb, ta.remainder(tb)):
        same(got, expected)
    q, r = divmod(ta, tb)
    nq, nr = np.divmod(ta, tb)
    same(q, np.floor_divide(a, b))
    same(r, expected)
    same(nq, np.floor_divide(a, b))
    same(nr, expected)
    a = _off_the_jumps(a, b)
    assert_gradients_match(lambda x, y: x % y, [a, b])
    assert_gradients_match(lambda x: np.mod(x, 1.5), [_off_the_jumps(a, 1.5)])


def test_mod_gradient_is_one_and_minus_the_quotient():
    a, b = ag.tensor([7.0, -7.0], requires_grad=True), ag.tensor([2.0, 2.0], requires_grad=True)
    (a % b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), -np.floor(np.array([7.0, -7.0]) / 2.0))


def test_the_spellings_in_a_compiled_step_follow_the_data():
    w = ag.tensor(np.ones(5), requires_grad=True)

    def step(x, s):
        w.grad = None
        f = w * x
        d = np.gradient(f, 0.5, edge_order=2)
        grid = np.linspace(f[0], f[-1], 4)
        A = ag.array([[f[1], 2.0], [s, f[2] * f[3]]])
        (d.sum() + (grid * grid).sum() + A.sum()).backward()
        return d, grid, A, w.grad
    compiled = ag.compile(step)
    rng = np.random.default_rng(5)
    for _ in range(4):
        x, s = rng.standard_normal(5), float(rng.standard_normal())
        eager, replayed = step(x, s), compiled(x, s)
        for e, c in zip(eager, replayed):
            same(c, e.numpy())
        same(replayed[0], np.gradient(x, 0.5, edge_order=2))
        same(replayed[1], np.linspace(x[0], x[-1], 4))
    assert compiled.captures == 1 and compiled.replays == 3


def test_bad_input_gets_errors_naming_the_function():
    t = ag.tensor([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="linspace: num must be an integer, got 2.5"):
        ag.linspace(0.0, 1.0, 2.5)
    with pytest.raises(TypeError, match="gradient: boolean values"):
        ag.gradient(ag.tensor([True, False, True]))
    with pytest.raises(ag.ShapeError, match=r"gradient: axis 3 is not a valid axis .*\(3,\)"):
        ag.gradient(t, axis=3)
    with pytest.raises(ag.ShapeError, match=r"gradient: axis \(0, 0\)"):
        ag.gradient(t, axis=(0, 0))
    with pytest.raises(TypeError, match="partition: kth must be an integer .* 1.5"):
        ag.partition(t, 1.5)
    with pytest.raises(ag.ShapeError, match="array: the entries of a list must all have one "
                                            "shape .*inhomogeneous"):
        ag.array([[1.0], [1.0, 2.0]])
    with pytest.raises(ag.DTypeError):
        ag.array(["a", "b"])


def test_array_copy_ndmin_and_asarray():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert ag.array(x, copy=False) is x and ag.asarray(x) is x
    same(ag.array(x, ndmin=3), np.array([1.0, 2.0], ndmin=3))
    same(np.array([x, x], ndmin=4, like=x), np.array([[1.0, 2.0]] * 2, ndmin=4))
    same(ag.asarray([[1, 2]], dtype=np.float32), np.asarray([[1, 2]], dtype=np.float32))
    same(ag.asarray(x, dtype=np.float32), np.array([1.0, 2.0], dtype=np.float32))
    ag.asarray([x, x * 2.0]).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])
