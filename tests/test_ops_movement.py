"""Shape primitives: transpose, reshape, broadcast_to / sum_to, squeeze / unsqueeze,
concatenate, stack and indexing (slices, integer arrays with repeats, boolean masks)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite.testing import (arrays, assert_gradients_match,
                                   assert_second_gradients_match, broadcastable_shapes, shapes)
from op_checks import check_compiled_step_is_bitwise_eager

FIRST = settings(max_examples=40, deadline=None)
SECOND = settings(max_examples=20, deadline=None)


def check_both_orders(f, inputs, second=True):
    """First order on f; second order on f squared (a movement op alone is linear)."""
    assert_gradients_match(f, inputs)
    if second:
        assert_second_gradients_match(lambda *xs: f(*xs) ** 2, inputs)


def grad_of(f, x, upstream=None):
    t = ag.tensor(x, requires_grad=True)
    out = f(t)
    out.backward(np.ones(out.shape) if upstream is None else upstream)
    return t.grad.numpy()


# --- transpose / permute / swapaxes --------------------------------------------------------

@st.composite
def permuted(draw, max_side=4):
    x = draw(arrays(shapes(max_side=max_side)))
    return x, tuple(draw(st.permutations(range(x.ndim))))


@FIRST
@given(case=permuted())
def test_transpose_first_order(case):
    x, perm = case
    assert_gradients_match(lambda t: t.transpose(perm), [x])
    np.testing.assert_array_equal(ag.transpose(x, perm).numpy(), np.transpose(x, perm))
    np.testing.assert_array_equal(ag.tensor(x).permute(*perm).numpy(), np.transpose(x, perm))


@SECOND
@given(case=permuted(max_side=3))
def test_transpose_second_order(case):
    x, perm = case
    assert_second_gradients_match(lambda t: ag.transpose(t, perm) ** 2, [x])


def test_transpose_default_T_and_swapaxes():
    x = np.arange(24.0).reshape(2, 3, 4)
    t = ag.tensor(x, requires_grad=True)
    assert t.T.shape == (4, 3, 2) and ag.transpose(t).shape == (4, 3, 2)
    np.testing.assert_array_equal(t.swapaxes(0, -1).numpy(), np.swapaxes(x, 0, -1))
    upstream = np.arange(24.0).reshape(4, 3, 2)
    t.T.backward(upstream)
    np.testing.assert_array_equal(t.grad.numpy(), upstream.T)


def test_transpose_rejects_a_non_permutation_and_swapaxes_a_bad_axis():
    with pytest.raises(ag.ShapeError, match=r"transpose.*\(2, 3\)"):
        ag.tensor(np.ones((2, 3))).transpose(0, 0)
    with pytest.raises(ag.ShapeError, match=r"swapaxes: axis 2 is out of range.*\(2, 3\)"):
        ag.tensor(np.ones((2, 3))).swapaxes(0, 2)


# --- reshape / flatten ----------------------------------------------------------------------

@st.composite
def reshaped(draw, max_side=4):
    x = draw(arrays(shapes(max_side=max_side)))
    target = list(draw(st.permutations(x.shape)))
    target.insert(draw(st.integers(0, len(target))), 1)
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return x, tuple(target)


@FIRST
@given(case=reshaped())
def test_reshape_first_order(case):
    x, target = case
    assert_gradients_match(lambda t: t.reshape(target), [x])
    np.testing.assert_array_equal(ag.reshape(x, target).numpy(), x.reshape(target))
    np.testing.assert_array_equal(ag.reshape(x, *target).numpy(), x.reshape(target))


@SECOND
@given(case=reshaped(max_side=3))
def test_reshape_second_order(case):
    x, target = case
    assert_second_gradients_match(lambda t: t.reshape(target) ** 2, [x])


def test_flatten_and_bad_reshape():
    t = ag.tensor(np.ones((2, 3)), requires_grad=True)
    assert t.flatten().shape == (6,)
    with pytest.raises(ag.ShapeError, match=r"reshape.*\(2, 3\)"):
        t.reshape(4, 2)


# --- broadcast_to / expand and its reverse sum_to --------------------------------------------

@st.composite
def broadcast_cases(draw, max_side=4):
    small, other = draw(broadcastable_shapes(max_side=max_side))
    big = np.broadcast_shapes(small, other)
    return small, big


@FIRST
@given(case=broadcast_cases(), data=st.data())
def test_broadcast_to_and_sum_to_first_order(case, data):
    small, big = case
    x = data.draw(arrays(small))
    assert_gradients_match(lambda t: ag.broadcast_to(t, big), [x])
    assert_gradients_match(lambda t: t.expand(*big) if big else t.expand(big), [x])
    np.testing.assert_array_equal(ag.broadcast_to(x, big).numpy(), np.broadcast_to(x, big))
    y = data.draw(arrays(big))
    assert_gradients_match(lambda t: ag.sum_to(t, small), [y])
    expected = y.sum(axis=tuple(range(len(big) - len(small))))
    expected = expected.sum(axis=tuple(i for i, n in enumerate(small) if n == 1),
                            keepdims=True).reshape(small)
    np.testing.assert_allclose(ag.sum_to(ag.tensor(y), small).numpy(), expected, rtol=1e-12,
                               atol=1e-12)


@SECOND
@given(case=broadcast_cases(max_side=3), data=st.data())
def test_broadcast_to_and_sum_to_second_order(case, data):
    small, big = case
    assert_second_gradients_match(lambda t: ag.broadcast_to(t, big) ** 2,
                                  [data.draw(arrays(small))])
    assert_second_gradients_match(lambda t: ag.sum_to(t, small) ** 2, [data.draw(arrays(big))])


def test_broadcast_gradient_is_summed_exactly():
    x = np.array([[1.0], [2.0]])
    upstream = np.arange(12.0).reshape(2, 2, 3)
    np.testing.assert_array_equal(grad_of(lambda t: t.broadcast_to(2, 2, 3), x, upstream),
                                  upstream.sum(axis=(0, 2))[:, None])


def test_sum_to_of_a_plain_array_is_a_plain_array():
    # backward formulas call sum_to on arrays in first-order passes, on Tensors under
    # create_graph: like a numpy function, it returns what it was given
    y = np.arange(6.0).reshape(2, 3)
    out = ag.sum_to(y, (1, 3))
    assert type(out) is np.ndarray
    np.testing.assert_array_equal(out, [[3.0, 5.0, 7.0]])
    assert isinstance(ag.sum_to(ag.tensor(y), (1, 3)), ag.Tensor)


def test_broadcast_and_sum_to_shape_errors():
    with pytest.raises(ag.ShapeError, match="broadcast_to"):
        ag.broadcast_to(ag.tensor(np.ones(3)), (2, 4))
    with pytest.raises(ag.ShapeError, match=r"sum_to.*\(2, 3\).*\(4,\)"):
        ag.sum_to(ag.tensor(np.ones((2, 3))), (4,))


# --- squeeze / unsqueeze ---------------------------------------------------------------------

@st.composite
def squeezable(draw, max_side=2):
    x = draw(arrays(shapes(max_side=max_side)))         # many size-1 axes
    ones = [i for i, n in enumerate(x.shape) if n == 1]
    axis = draw(st.one_of(st.none(), st.lists(st.sampled_from(ones), min_size=1, unique=True)
                          .map(tuple))) if ones else None
    return x, axis


@FIRST
@given(case=squeezable())
def test_squeeze_first_order(case):
    x, axis = case
    assert_gradients_match(lambda t: t.squeeze(axis), [x])
    np.testing.assert_array_equal(ag.squeeze(x, axis).numpy(), np.squeeze(x, axis))


@SECOND
@given(case=squeezable())
def test_squeeze_second_order(case):
    x, axis = case
    assert_second_gradients_match(lambda t: ag.squeeze(t, axis) ** 2, [x])


@FIRST
@given(x=arrays(), data=st.data())
def test_unsqueeze_first_and_second_order(x, data):
    axis = data.draw(st.integers(-x.ndim - 1, x.ndim))
    out = ag.unsqueeze(x, axis)
    np.testing.assert_array_equal(out.numpy(), np.expand_dims(x, axis))
    assert_gradients_match(lambda t: t.unsqueeze(axis), [x])
    if x.size <= 8:
        assert_second_gradients_match(lambda t: ag.unsqueeze(t, axis) ** 2, [x])


def test_squeeze_and_unsqueeze_errors():
    t = ag.tensor(np.ones((1, 3)))
    with pytest.raises(ag.ShapeError, match=r"squeeze: axis 1 of shape \(1, 3\) has length 3"):
        t.squeeze(1)
    with pytest.raises(ag.ShapeError, match="squeeze: axis 5 is out of range"):
        t.squeeze(5)
    with pytest.raises(ag.ShapeError, match="squeeze: axis 0 is out of range"):
        ag.tensor(1.0).squeeze(0)
    with pytest.raises(ag.ShapeError, match="unsqueeze: axis 3"):
        t.unsqueeze(3)


# --- concatenate / stack ---------------------------------------------------------------------

@st.composite
def concat_cases(draw, max_side=3):
    base = list(draw(shapes(min_dims=1, max_side=max_side)))
    axis = draw(st.integers(-len(base), len(base) - 1))
    pieces = []
    for _ in range(draw(st.integers(1, 3))):
        shape = list(base)
        shape[axis] = draw(st.integers(1, max_side))
        pieces.append(draw(arrays(tuple(shape))))
    return pieces, axis


@FIRST
@given(case=concat_cases())
def test_concatenate_first_order(case):
    pieces, axis = case
    assert_gradients_match(lambda *ts: ag.concatenate(ts, axis=axis), pieces)
    np.testing.assert_array_equal(ag.concatenate(pieces, axis=axis).numpy(),
                                  np.concatenate(pieces, axis=axis))


@SECOND
@given(case=concat_cases(max_side=2))
def test_concatenate_second_order(case):
    pieces, axis = case
    assert_second_gradients_match(lambda *ts: ag.concatenate(ts, axis=axis) ** 2, pieces)


@st.composite
def stack_cases(draw, max_side=3):
    shape = draw(shapes(max_side=max_side))
    pieces = [draw(arrays(shape)) for _ in range(draw(st.integers(1, 3)))]
    return pieces, draw(st.integers(-len(shape) - 1, len(shape)))


@FIRST
@given(case=stack_cases())
def test_stack_first_order(case):
    pieces, axis = case
    assert_gradients_match(lambda *ts: ag.stack(ts, axis=axis), pieces)
    np.testing.assert_array_equal(ag.stack(pieces, axis=axis).numpy(),
                                  np.stack(pieces, axis=axis))


@SECOND
@given(case=stack_cases(max_side=2))
def test_stack_second_order(case):
    pieces, axis = case
    assert_second_gradients_match(lambda *ts: ag.stack(ts, axis=axis) ** 2, pieces)


def test_concatenate_and_stack_give_each_input_its_slice():
    a = ag.tensor([[1.0, 2.0]], requires_grad=True)
    b = ag.tensor([[3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    c = ag.tensor([[7.0, 8.0]])                          # a constant in the middle
    out = ag.concatenate([a, c, b], axis=0)
    out.backward(np.arange(8.0).reshape(4, 2))
    np.testing.assert_array_equal(a.grad.numpy(), [[0.0, 1.0]])
    np.testing.assert_array_equal(b.grad.numpy(), [[4.0, 5.0], [6.0, 7.0]])
    assert c.grad is None
    x, y = ag.tensor([1.0, 2.0], requires_grad=True), ag.tensor([3.0, 4.0], requires_grad=True)
    ag.stack([x, y], axis=1).backward(np.array([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 3.0])
    np.testing.assert_array_equal(y.grad.numpy(), [2.0, 4.0])


def test_concatenate_and_stack_errors():
    with pytest.raises(ag.ShapeError, match="concatenate"):
        ag.concatenate([ag.tensor(np.ones((2, 3))), ag.tensor(np.ones((2, 4)))], axis=0)
    with pytest.raises(ag.ShapeError, match="concatenate: axis 2 is out of range"):
        ag.concatenate([ag.tensor(np.ones((2, 3)))] * 2, axis=2)
    with pytest.raises(ag.ShapeError, match="concatenate"):
        ag.concatenate([ag.tensor(np.ones((2, 3))), ag.tensor(np.ones(3))], axis=1)
    with pytest.raises(ag.ShapeError, match="concatenate: needs at least one"):
        ag.concatenate([])
    with pytest.raises(ag.ShapeError, match=r"stack.*\(2,\).*\(3,\)"):
        ag.stack([ag.tensor(np.ones(2)), ag.tensor(np.ones(3))])


# --- indexing ----------------------------------------------------------------------------------

@st.composite
def basic_indexed(draw, max_side=4):
    x = draw(arrays(shapes(max_side=max_side)))
    index = draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True))
    return x, index


@FIRST
@given(case=basic_indexed())
def test_getitem_basic_indices_first_order(case):
    x, index = case
    np.testing.assert_array_equal(ag.tensor(x)[index].numpy(), x[index])
    assert_gradients_match(lambda t: t[index], [x])


@SECOND
@given(case=basic_indexed(max_side=3))
def test_getitem_basic_indices_second_order(case):
    x, index = case
    assert_second_gradients_match(lambda t: t[index] ** 2, [x])


@st.composite
def integer_indexed(draw, max_side=4):
    x = draw(arrays(shapes(min_dims=1, max_side=max_side)))
    index = draw(hnp.integer_array_indices(x.shape, result_shape=hnp.array_shapes(
        min_dims=1, max_dims=2, max_side=5)))          # repeats are frequent
    return x, index


@FIRST
@given(case=integer_indexed())
def test_getitem_integer_arrays_first_order(case):
    x, index = case
    np.testing.assert_array_equal(ag.tensor(x)[index].numpy(), x[index])
    assert_gradients_match(lambda t: t[index], [x])
    # repeated indices accumulate: the gradient counts how often each element was picked
    counts = np.zeros(x.shape)
    np.add.at(counts, index, 1.0)
    np.testing.assert_array_equal(grad_of(lambda t: t[index], x), counts)


@SECOND
@given(case=integer_indexed(max_side=3))
def test_getitem_integer_arrays_second_order(case):
    x, index = case
    assert_second_gradients_match(lambda t: t[index] ** 2, [x])


@st.composite
def masked(draw, max_side=4):
    x = draw(arrays(shapes(min_dims=1, max_side=max_side)))
    ndim = draw(st.integers(1, x.ndim))                 # a mask over the leading axes
    mask = draw(hnp.arrays(np.bool_, x.shape[:ndim]))
    return x, mask


@FIRST
@given(case=masked())
def test_getitem_boolean_mask_first_order(case):
    x, mask = case
    np.testing.assert_array_equal(ag.tensor(x)[mask].numpy(), x[mask])
    assert_gradients_match(lambda t: t[mask], [x])
    expected = np.broadcast_to(mask.reshape(mask.shape + (1,) * (x.ndim - mask.ndim)), x.shape)
    np.testing.assert_array_equal(grad_of(lambda t: t[mask], x), expected.astype(float))


@SECOND
@given(case=masked(max_side=3))
def test_getitem_boolean_mask_second_order(case):
    x, mask = case
    assert_second_gradients_match(lambda t: t[mask] ** 2, [x])


def test_repeated_indices_accumulate_exactly():
    x = ag.tensor([10.0, 20.0, 30.0], requires_grad=True)
    x[[0, 0, 2, 0]].backward(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [7.0, 0.0, 3.0])
    W = ag.tensor(np.zeros((3, 2)), requires_grad=True)
    (W[np.array([2, 2]), :] * 1.0).sum().backward()          # rows, with a slice
    np.testing.assert_array_equal(W.grad.numpy(), [[0, 0], [0, 0], [2, 2]])
    W.zero_grad()
    W[ag.tensor([1, 1, 1]), 0].sum().backward()                # a Tensor as an index
    np.testing.assert_array_equal(W.grad.numpy(), [[0, 0], [3, 0], [0, 0]])


def test_iterating_a_tensor_differentiates_through_indexing():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    total = sum(row * row for row in x)
    total.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0, 6.0])


def test_index_errors():
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ag.ShapeError, match=r"getitem.*\(2,\)"):
        t[5]
    with pytest.raises(ag.GraphError, match="item assignment"):
        t[0] = 3.0


# --- unfold (PyTorch's Tensor.unfold) and sliding_window_view ----------------------------------

def unfold_reference(x, axis, size, step):
    """out[..., w, ..., k] = x[..., w·step + k, ...], one window at a time."""
    axis %= x.ndim
    n = x.shape[axis]
    count = (n - size) // step + 1
    moved = np.moveaxis(x, axis, -1)
    out = np.zeros(moved.shape[:-1] + (count, size))
    for w in range(count):
        for k in range(size):
            out[..., w, k] = moved[..., w * step + k]
    return np.moveaxis(out, -2, axis)


@st.composite
def unfold_cases(draw):
    x = draw(arrays(shape=draw(shapes(min_dims=1, max_dims=3, max_side=5))))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    size = draw(st.integers(0, x.shape[axis]))
    return x, axis, size, draw(st.integers(1, 3))


@settings(max_examples=40, deadline=None)
@given(unfold_cases())
def test_unfold_values_and_first_order(case):
    x, axis, size, step = case
    out = ag.unfold(x, axis, size, step)
    np.testing.assert_array_equal(out.numpy(), unfold_reference(x, axis, size, step))
    assert_gradients_match(lambda t: ag.unfold(t, axis, size, step), [x])


@settings(max_examples=15, deadline=None)
@given(unfold_cases())
def test_unfold_second_order(case):
    x, axis, size, step = case
    assert_second_gradients_match(lambda t: ag.unfold(t, axis, size, step) ** 2, [x])


def test_unfold_gradient_counts_the_windows_holding_each_element():
    x = ag.tensor(np.zeros(6), requires_grad=True)
    ag.unfold(x, 0, 3, 1).sum().backward()        # windows 0-2, 1-3, 2-4, 3-5
    np.testing.assert_array_equal(x.grad.numpy(), [1, 2, 3, 3, 2, 1])
    x.grad = None
    ag.unfold(x, 0, 2, 3).sum().backward()        # windows 0-1, 3-4: element 2 and 5 unused
    np.testing.assert_array_equal(x.grad.numpy(), [1, 1, 0, 1, 1, 0])
    np.testing.assert_array_equal(ag.unfold(ag.tensor(3.0), 0, 1, 1).numpy(), [3.0])


@pytest.mark.parametrize("args, error, words", [
    ((0, 2, 0), ValueError, ["unfold", "step must be positive", "0"]),
    ((0, 2, -1), ValueError, ["step must be positive"]),
    ((1, 5, 1), ag.ShapeError, ["window size 5", "length 4 of axis 1", "(3, 4)"]),
    ((2, 1, 1), ag.ShapeError, ["dimension 2 is out of range", "(3, 4)"]),
    ((0, 1.5, 1), TypeError, ["size must be an int"]),
])
def test_unfold_bad_input_is_refused(args, error, words):
    with pytest.raises(error) as info:
        ag.unfold(np.ones((3, 4)), *args)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


@pytest.mark.parametrize("window, axis", [((2, 2), None), (2, 1), ((2, 3), (2, 2)),
                                          ((1, 2), (0, -1))])
def test_sliding_window_view_equals_numpys(window, axis):
    x = np.arange(24.0).reshape(2, 3, 4)
    if axis is None:
        window, x = window, x[0]
    expected = np.lib.stride_tricks.sliding_window_view(x, window, axis=axis)
    np.testing.assert_array_equal(ag.sliding_window_view(x, window, axis=axis).numpy(),
                                  expected)
    assert_gradients_match(lambda t: ag.sliding_window_view(t, window, axis=axis), [x])


def test_unfold_in_a_compiled_step_is_bitwise_eager():
    w = ag.tensor(np.linspace(-1, 1, 7), requires_grad=True)

    def step(x):
        w.grad = None
        frames = ag.unfold(w * x, 0, 3, 2)
        (g,) = ag.grad((frames ** 3).sum(), [w], create_graph=True)
        (g ** 2).sum().backward()
        return frames, g, w.grad

    rng = np.random.default_rng(2)
    compiled = check_compiled_step_is_bitwise_eager(
        step, [rng.standard_normal(7) for _ in range(4)])
    assert compiled.replays >= 1
