"""Tensor: construction, dtypes, operators with Python numbers and numpy arrays on either
side, comparisons, float32 end to end, the numpy protocol, repr and the small accessors."""
import numpy as np
import pytest

import autograd_lite as ag


# --- construction and dtypes -----------------------------------------------------------------

def test_tensor_copies_and_as_tensor_does_not():
    data = np.ones(3)
    t = ag.tensor(data)
    assert t.numpy() is not data and not np.shares_memory(t.numpy(), data)
    assert ag.as_tensor(data).numpy() is data
    same = ag.tensor([1.0])
    assert ag.as_tensor(same) is same
    assert ag.tensor(ag.tensor([1.0, 2.0], requires_grad=True)).requires_grad is False


def test_default_dtypes():
    assert ag.tensor([1.0, 2.0]).dtype == np.float64
    assert ag.tensor([1, 2]).dtype == np.int64
    assert ag.tensor([1, 2], dtype="float32").dtype == np.float32
    assert ag.zeros((2, 3)).dtype == np.float64 and ag.zeros((2, 3)).shape == (2, 3)
    assert ag.ones(2, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(ag.ones((2,), requires_grad=True).numpy(), [1.0, 1.0])
    assert ag.zeros(2, requires_grad=True, name="b").requires_grad


@pytest.mark.parametrize("data, dtype", [([1, 2], None), ([True, False], None),
                                         ([1.0], np.int32)])
def test_integer_and_bool_tensors_cannot_require_grad(data, dtype):
    with pytest.raises(ag.DTypeError, match=r"only floating-point tensors.*dtype (int|bool)"):
        ag.tensor(data, dtype=dtype, requires_grad=True)
    t = ag.tensor(data, dtype=dtype)
    with pytest.raises(ag.DTypeError, match="convert it first"):
        t.requires_grad_()
    assert not t.requires_grad


def test_python_objects_are_refused():
    with pytest.raises(ag.DTypeError, match="Python objects"):
        ag.tensor([{"a": 1}])
    with pytest.raises(ag.DTypeError):
        ag.as_tensor([None, 1.0])


def test_float16_and_float32_can_require_grad():
    for dtype in (np.float16, np.float32):
        t = ag.tensor([1.0], dtype=dtype, requires_grad=True)
        (t * t).sum().backward()
        assert t.grad.dtype == dtype and t.grad.item() == 2.0


# --- accessors -------------------------------------------------------------------------------

def test_shape_ndim_size_dtype_T():
    t = ag.tensor(np.arange(6.0).reshape(2, 3))
    assert (t.shape, t.ndim, t.size, t.dtype) == ((2, 3), 2, 6, np.float64)
    assert t.T.shape == (3, 2)
    np.testing.assert_array_equal(t.T.numpy(), np.arange(6.0).reshape(2, 3).T)
    assert ag.tensor(1.0).shape == () and ag.tensor(1.0).ndim == 0 and len(t) == 2


def test_item_float_int_and_their_errors():
    assert ag.tensor([[2.5]]).item() == 2.5 and isinstance(ag.tensor([[2.5]]).item(), float)
    assert float(ag.tensor(2.5)) == 2.5 and int(ag.tensor(3.7)) == 3
    with pytest.raises(ValueError, match=r"item: only one-element.*\(2,\)"):
        ag.tensor([1.0, 2.0]).item()


def test_numpy_array_tolist_and_detach():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    assert w.numpy() is w.data
    copy = np.array(w)
    assert isinstance(copy, np.ndarray) and not np.shares_memory(copy, w.data)
    np.testing.assert_array_equal(np.asarray(w), [1.0, 2.0])
    assert np.asarray(w, dtype=np.float32).dtype == np.float32
    assert w.tolist() == [1.0, 2.0]
    d = (w * 2).detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    np.testing.assert_array_equal(d.numpy(), [2.0, 4.0])


def test_is_leaf_grad_fn_and_bool():
    w = ag.tensor([1.0], requires_grad=True)
    y = w * 2
    assert w.is_leaf and not y.is_leaf
    assert w.grad_fn is None and y.grad_fn.name == "mul"
    assert bool(ag.tensor([1.0])) and not bool(ag.tensor(0.0))
    with pytest.raises(ValueError):
        bool(ag.tensor([1.0, 2.0]))


def test_iterating_yields_rows():
    rows = list(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert len(rows) == 2 and all(isinstance(r, ag.Tensor) for r in rows)
    np.testing.assert_array_equal(rows[1].numpy(), [3.0, 4.0])


def test_item_assignment_is_refused():
    t = ag.tensor([1.0, 2.0])
    with pytest.raises(ag.GraphError, match="item assignment"):
        t[0] = 5.0


def test_tensors_are_hashable_by_identity():
    a, b = ag.tensor([1.0]), ag.tensor([1.0])
    table = {a: "a", b: "b"}
    assert table[a] == "a" and table[b] == "b"


# --- repr ------------------------------------------------------------------------------------

def test_repr_is_readable():
    w = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="W")
    assert repr(w) == ("tensor([[1., 2.],\n"
                       "        [3., 4.]], name='W', requires_grad=True)")
    assert repr(ag.tensor(2.5)) == "tensor(2.5)"
    assert repr(ag.tensor([0.5, 1.0]) * 2) == "tensor([1., 2.])"
    assert repr(w.sum()) == "tensor(10., grad_fn=sum)"
    assert repr(ag.tensor([1.5], dtype=np.float32)) == "tensor([1.5], dtype=float32)"
    assert repr(ag.tensor([1, 2])) == "tensor([1, 2], dtype=int64)"
    assert repr(ag.exp(ag.tensor([0.0, 1.0]))) == "tensor([1.    , 2.7183])"
    long = repr(ag.tensor(np.arange(1000.0)))
    assert "..." in long and len(long) < 200


# --- operators with Python numbers and numpy arrays ------------------------------------------

OPERATORS = {
    "+": (lambda a, b: a + b, lambda a, b: (np.ones_like(a), np.ones_like(b))),
    "-": (lambda a, b: a - b, lambda a, b: (np.ones_like(a), -np.ones_like(b))),
    "*": (lambda a, b: a * b, lambda a, b: (b, a)),
    "/": (lambda a, b: a / b, lambda a, b: (1 / b, -a / b ** 2)),
    "**": (lambda a, b: a ** b, lambda a, b: (b * a ** (b - 1), a ** b * np.log(a))),
}


@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_numpy_array_on_either_side_gives_a_tensor(op):
    f, derivatives = OPERATORS[op]
    a, b = np.array([1.5, 2.0]), np.array([3.0, 0.5])
    for left_is_tensor in (True, False):
        t = ag.tensor(a if left_is_tensor else b, requires_grad=True)
        out = f(t, b) if left_is_tensor else f(a, t)
        assert isinstance(out, ag.Tensor) and out.requires_grad, (op, left_is_tensor)
        np.testing.assert_allclose(out.numpy(), f(a, b))
        out.sum().backward()
        expected = derivatives(a, b)[0 if left_is_tensor else 1]
        np.testing.assert_allclose(t.grad.numpy(), expected, rtol=1e-12)


def test_numpy_array_on_the_left_of_matmul():
    W = ag.tensor([[1.0], [2.0]], requires_grad=True)
    out = np.array([[1.0, 1.0]]) @ W
    assert isinstance(out, ag.Tensor) and out.item() == 3.0
    out.backward()
    np.testing.assert_array_equal(W.grad.numpy(), [[1.0], [1.0]])


@pytest.mark.parametrize("number", [2, 2.0, np.float64(2.0), np.int64(2)])
def test_python_and_numpy_numbers_on_either_side(number):
    x = ag.tensor([1.0, 4.0], requires_grad=True)
    results = {
        "x + n": (x + number, [3.0, 6.0]), "n + x": (number + x, [3.0, 6.0]),
        "x - n": (x - number, [-1.0, 2.0]), "n - x": (number - x, [1.0, -2.0]),
        "x * n": (x * number, [2.0, 8.0]), "n * x": (number * x, [2.0, 8.0]),
        "x / n": (x / number, [0.5, 2.0]), "n / x": (number / x, [2.0, 0.5]),
        "x ** n": (x ** number, [1.0, 16.0]), "n ** x": (number ** x, [2.0, 16.0]),
    }
    for label, (out, expected) in results.items():
        assert isinstance(out, ag.Tensor) and out.requires_grad, label
        np.testing.assert_allclose(out.numpy(), expected, err_msg=label)
    (number / x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [-2.0, -2.0 / 16])


def test_unary_operators():
    x = ag.tensor([-1.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal((-x).numpy(), [1.0, -2.0])
    assert +x is x
    np.testing.assert_array_equal(abs(x).numpy(), [1.0, 2.0])
    (abs(x) - x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [-2.0, 0.0])


# --- comparisons -----------------------------------------------------------------------------

@pytest.mark.parametrize("compare, expected", [
    (lambda a, b: a < b, [True, False, False]), (lambda a, b: a <= b, [True, True, False]),
    (lambda a, b: a > b, [False, False, True]), (lambda a, b: a >= b, [False, True, True]),
    (lambda a, b: a == b, [False, True, False]), (lambda a, b: a != b, [True, False, True]),
])
def test_comparisons_give_bool_tensors_without_gradient(compare, expected):
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for other in (2.0, np.array([2.0, 2.0, 2.0]), ag.tensor([2.0, 2.0, 2.0], requires_grad=True)):
        out = compare(x, other)
        assert isinstance(out, ag.Tensor)
        assert out.dtype == np.bool_ and not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out.numpy(), expected)
    flipped = compare(np.array([2.0, 2.0, 2.0]), x)            # ndarray on the left
    assert isinstance(flipped, ag.Tensor) and flipped.dtype == np.bool_


def test_comparing_with_none_follows_python():
    t = ag.tensor([1.0, 2.0])
    assert (t == None) is False and (t != None) is True          # noqa: E711
    assert t in [None, t]
    with pytest.raises(TypeError):
        t < None


# --- float32 end to end ----------------------------------------------------------------------

def test_float32_stays_float32_with_python_numbers():
    x = ag.tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    outs = [x * 2.0, 2.0 * x, x + 1, 1 - x, x / 3, 3.0 / x, x ** 2, 2 ** x, -x,
            x * np.float64(2.0), ag.maximum(x, 1.5), ag.where(x > 1, x, 0.0),
            ag.clip(x, 0.0, 1.5), x.mean(), ag.exp(x), ag.log(x), ag.sqrt(x), x @ x]
    for i, out in enumerate(outs):
        assert out.dtype == np.float32, i
    sum(o.sum() for o in outs).backward()
    assert x.grad.dtype == np.float32


def test_float64_arrays_promote_float32_like_numpy():
    x = ag.tensor([1.0], dtype=np.float32, requires_grad=True)
    out = x + np.array([1.0])
    assert out.dtype == np.float64
    out.sum().backward()
    assert x.grad.dtype == np.float32


def test_integer_tensors_compute_without_gradients():
    i = ag.tensor([1, 2, 3])
    assert (i * 2).dtype == np.int64 and (i + 0.5).dtype == np.float64
    w = ag.tensor([1.0, 1.0, 1.0], requires_grad=True)
    (w * i).sum().backward()                       # int data, float parameter
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 2.0, 3.0])


# --- the numpy protocol: numpy functions on Tensors run our ops ------------------------------

def test_numpy_functions_on_tensors_are_differentiable():
    x = ag.tensor([[0.5, -1.0], [2.0, 0.0]], requires_grad=True)
    out = np.sum(np.exp(x) * np.tanh(x), axis=0)
    assert isinstance(out, ag.Tensor) and out.grad_fn.name == "sum"
    out.sum().backward()
    d = x.numpy()
    expected = np.exp(d) * np.tanh(d) + np.exp(d) * (1 - np.tanh(d) ** 2)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)
    assert isinstance(np.where(x.numpy() > 0, x, 0.0), ag.Tensor)
    assert np.transpose(x).shape == (2, 2) and np.reshape(x, (4,)).shape == (4,)


def test_numpy_functions_without_a_derivative_are_refused():
    with pytest.raises(TypeError):
        np.cbrt(ag.tensor([1.0], requires_grad=True))    # np.sin has one now (ops/trig.py)


def test_numpy_functions_accept_numpys_keyword_names():
    t = ag.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    np.testing.assert_array_equal(np.clip(t, a_min=0, a_max=2).numpy(), [[1.0, 0.0], [2.0, 2.0]])
    assert np.transpose(t, axes=(1, 0)).shape == (2, 2)
    assert np.reshape(t, shape=(4,)).shape == (4,)
    np.transpose(t, axes=(1, 0)).sum().backward()      # still differentiable
    np.testing.assert_array_equal(t.grad.numpy(), np.ones((2, 2)))
