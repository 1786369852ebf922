"""The eager fast paths (one- and two-input ops without params, the n-input and params paths
beside them) give exactly the course's hand-written gradients, and a released op still
describes its inputs."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.function import Function, ReleasedTensor
from autograd_lite.testing import arrays, shapes


@st.composite
def chains(draw):
    """x, a, b of one shape and a number of blocks of y = tanh(y·a + b)."""
    shape = draw(shapes(min_dims=1, max_dims=2))
    return (draw(arrays(shape)), draw(arrays(shape)), draw(arrays(shape)),
            draw(st.integers(1, 6)))


def _hand_written(x, a, b, n):
    """Σ y and its gradients with respect to x, a and b, as one writes them with numpy."""
    ys, y = [], x
    for _ in range(n):
        ys.append(y)
        y = np.tanh(y * a + b)
        ys[-1] = (ys[-1], y)
    grad, da, db = np.ones_like(y), 0, 0
    for y_in, out in reversed(ys):
        dz = grad * (1 - out * out)          # tanh
        db = db + dz                         # add
        da = da + dz * y_in                  # mul
        grad = dz * a
    return y.sum(), grad, da, db


@settings(max_examples=30, deadline=None)
@given(chains())
def test_a_chain_of_one_and_two_input_ops_gives_the_hand_written_gradients_bitwise(case):
    x, a, b, n = case
    tx = ag.tensor(x, requires_grad=True)
    ta, tb = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    y = tx
    for _ in range(n):
        y = ag.tanh(y * ta + tb)
    total = y.sum()
    total.backward()
    want_total, dx, da, db = _hand_written(x, a, b, n)
    assert total.item() == want_total
    np.testing.assert_array_equal(tx.grad.numpy(), dx)
    # the engine adds the blocks' contributions from the last block back: same order here
    np.testing.assert_array_equal(ta.grad.numpy(), da)
    np.testing.assert_array_equal(tb.grad.numpy(), db)


def test_one_tensor_as_both_inputs_gets_both_contributions():
    x = ag.tensor([1.5, -2.0], requires_grad=True)
    (x + x).sum().backward()                  # add's backward hands back one array twice
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, -4.0])


def test_an_op_with_params_and_an_op_of_three_inputs_take_the_general_path():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = ag.tensor([[10.0, 20.0], [30.0, 40.0]], requires_grad=True)
    picked = ag.where(np.array([[True, False], [False, True]]), x, y)   # three inputs
    (picked.sum(axis=0) * ag.tensor([1.0, 2.0])).sum().backward()      # axis: a param
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 0.0], [0.0, 2.0]])
    np.testing.assert_array_equal(y.grad.numpy(), [[0.0, 2.0], [1.0, 0.0]])


def test_which_inputs_need_a_gradient_is_recorded_per_input():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    c = ag.tensor([3.0, 4.0])
    assert (w * c).grad_fn.needs_input_grad == (True, False)
    assert (c * w).grad_fn.needs_input_grad == (False, True)
    assert (w * w).grad_fn.needs_input_grad == (True, True)
    assert ag.tanh(w).grad_fn.needs_input_grad == (True,)
    assert (c * c).grad_fn is None


def test_a_released_op_describes_its_inputs_and_a_fresh_op_has_none():
    w = ag.tensor([1.0, 2.0], requires_grad=True, name="w")
    h = ag.exp(w)
    J = (h * ag.tensor([3.0, 4.0], name="c")).sum()
    del h
    J.backward()
    mul = J.grad_fn.inputs[0].grad_fn
    assert mul.released
    h_record, c_record = mul.inputs
    assert isinstance(h_record, ReleasedTensor) and h_record.grad_fn.name == "exp"
    assert h_record.data is None and h_record.shape == (2,)
    assert c_record.name == "c" and c_record.shape == (2,)
    assert h_record.grad_fn.inputs[0] is w
    assert mul.inputs is mul.inputs                   # made once
    with pytest.raises(AttributeError, match="'Mul' object has no attribute 'inputs'"):
        type(mul)().inputs


def test_reading_an_attribute_of_an_op_goes_through_no_python_hook():
    # a __getattr__ on Function made every attribute read in the forward and backward
    # loops go through a slower lookup; the lazy inputs of a released op do without it
    assert "__getattr__" not in vars(Function)
    assert "__getattribute__" not in vars(Function)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_the_implied_seed_is_a_one_of_the_output_dtype_that_grad_owns(dtype, shape):
    x = ag.tensor(np.full(shape, 3.0, dtype=dtype), requires_grad=True)
    x.backward()                                    # a leaf as the root: its .grad is the seed
    seed = x.grad.numpy()
    assert seed.shape == shape and seed.dtype == dtype and seed.item() == 1.0
    assert seed.flags.writeable and seed.flags.owndata


def test_releasing_one_op_or_a_whole_graph_keeps_the_same_description():
    from autograd_lite.function import _release_graph
    w = ag.tensor([1.0, 2.0], requires_grad=True, name="w")
    c = ag.tensor([3.0, 4.0], name="c")
    ops = []
    for _ in range(2):
        h = ag.exp(w)
        J = (h * c + 1.0).sum()
        ops.append([(t._fn, t) for t in ag.engine.topological_order([J]) if t._fn])
    for fn, out in ops[0]:
        fn.release(None, out)                       # one at a time, no shared memo
    _release_graph(ops[1])                           # as the engine does after backward

    def described(fn):
        return [(type(r).__name__, r.shape, r.dtype, r.name,
                 getattr(getattr(r, "grad_fn", None), "name", None), r.requires_grad)
                for r in fn.inputs]
    for (one, _), (whole, _) in zip(ops[0], ops[1]):
        assert one.released and whole.released
        assert described(one) == described(whole)
        assert one.params == whole.params and one.needs_input_grad == whole.needs_input_grad


@pytest.mark.parametrize("other", [2.0, np.float64(2.0), np.ones((3, 1)), np.ones((1, 3))])
def test_no_rank_one_warning_without_a_rank_one_operand(other, recwarn):
    x = ag.tensor(np.ones((3, 3)), requires_grad=True)
    (x * other + other - x).sum().backward()
    assert not [w for w in recwarn if issubclass(w.category, ag.RankOneWarning)]
    with pytest.warns(ag.RankOneWarning):           # (3,) against (3, 1): the course's trap
        ag.tensor(np.ones(3)) * ag.tensor(np.ones((3, 1)))


def test_a_broadcast_gradient_is_summed_into_an_array_the_grad_owns():
    W = ag.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    b = ag.tensor(np.zeros((3, 1)), requires_grad=True)
    X = np.arange(8.0).reshape(2, 4)
    Z = W @ X + b                                   # b (3, 1) broadcast over 4 examples
    upstream = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
    Z.backward(upstream)
    assert b.grad.numpy().base is None              # its own memory, not a view of the sum
    np.testing.assert_array_equal(b.grad.numpy(), upstream.sum(axis=1, keepdims=True))
    assert not np.shares_memory(b.grad.numpy(), upstream)
