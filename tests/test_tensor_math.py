"""numpy's own functions on a Tensor (np.sin(t), np.var(t), np.linalg.norm(t), ...) and the
Tensor math methods (t.sin(), t.prod(), t % 2, ...) run the same ops as ``ag.name``."""
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.tensor_math import numpy_tables

UFUNCS, FUNCTIONS = numpy_tables()
X = np.array([[0.3, -0.7, 0.5], [0.9, 0.2, -0.4]])
Y = np.array([1.5, -2.0, 0.8])


_INTEGER = (np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert, np.left_shift,
            np.right_shift)


def inputs_for(ufunc):
    if ufunc in _INTEGER:                   # bitwise ops take integers
        ints = (np.arange(6).reshape(2, 3), np.array([[1, 2, 3], [0, 1, 2]]))
        return ints if ufunc.nin == 2 else ints[:1]
    if ufunc in (np.arccosh,):
        return (X + 2,)
    if ufunc in (np.log2, np.log10):
        return (np.abs(X),)
    return (X, Y) if ufunc.nin == 2 else (X,)


@pytest.mark.parametrize("ufunc", list(UFUNCS), ids=lambda u: u.__name__)
def test_every_numpy_ufunc_in_the_table_runs_our_op_on_a_tensor(ufunc):
    values = inputs_for(ufunc)
    t = ag.tensor(values[0], requires_grad=values[0].dtype.kind == "f")
    out = ufunc(t, *values[1:])
    assert isinstance(out, ag.Tensor)
    np.testing.assert_array_equal(out.numpy(), ufunc(*values))
    ours = UFUNCS[ufunc](t, *values[1:])
    np.testing.assert_array_equal(out.numpy(), ours.numpy())
    if out.dtype.kind == "f":
        assert out.requires_grad and out.grad_fn.name == ours.grad_fn.name
    if ufunc.nin == 2:      # a Tensor on the right works as well
        right = ufunc(values[1], ag.tensor(values[0]))
        np.testing.assert_array_equal(right.numpy(), ufunc(values[1], values[0]))


FUNCTION_CALLS = [
    (np.sinc, (X,), {}), (np.nan_to_num, (X,), {"nan": 1.0}), (np.diff, (X,), {"axis": 0}),
    (np.linalg.norm, (X,), {"ord": 1, "axis": 1}), (np.round, (X, 1), {}),
    (np.around, (X,), {}), (np.prod, (X, 1), {"keepdims": True}), (np.cumsum, (X, 0), {}),
    (np.cumprod, (X,), {}), (np.var, (X,), {"ddof": 1, "axis": 0}), (np.std, (X, 1), {}),
    (np.sort, (X,), {"axis": 0}), (np.argsort, (X,), {}), (np.argmax, (X, 1), {}),
    (np.argmin, (X,), {}), (np.any, (X > 0, 0), {}), (np.all, (X,), {"keepdims": True}),
    (np.nonzero, (X > 0,), {}), (np.isclose, (X, X + 1e-9), {}),
    (np.allclose, (X, X + 1e-9), {}),
]


def test_the_function_calls_cover_the_table():
    assert {f for f, _, _ in FUNCTION_CALLS} == set(FUNCTIONS)


@pytest.mark.parametrize("func, args, kwargs", FUNCTION_CALLS, ids=lambda v: getattr(
    v, "__name__", ""))
def test_every_numpy_function_in_the_table_runs_our_op_on_a_tensor(func, args, kwargs):
    t = ag.tensor(args[0], requires_grad=args[0].dtype.kind == "f")
    out = func(t, *args[1:], **kwargs)
    if func is np.allclose:                 # a single answer, as numpy's
        assert bool(out) is bool(func(*args, **kwargs))
        return
    if func is np.nonzero:                  # one index tensor per axis, as numpy's
        for o, e in zip(out, func(*args, **kwargs), strict=True):
            assert isinstance(o, ag.Tensor) and np.array_equal(o.numpy(), e)
        return
    assert isinstance(out, ag.Tensor)
    np.testing.assert_array_equal(out.numpy(), func(*args, **kwargs))
    if out.dtype.kind == "f":
        out.sum().backward()
        assert t.grad.shape == t.shape


def test_numpy_arguments_a_tensor_cannot_honour_are_refused():
    t = ag.tensor(X)
    with pytest.raises(TypeError, match="np.prod on a Tensor does not take dtype"):
        np.prod(t, dtype=np.float32)
    with pytest.raises(TypeError, match="np.var on a Tensor does not take out"):
        np.var(t, out=np.empty(()))
    with pytest.raises(TypeError, match="np.sort on a Tensor does not take order"):
        np.sort(t, order="x")


def test_second_derivative_through_numpy_functions():
    x = ag.tensor(0.7, requires_grad=True)
    (d1,) = ag.grad(np.sin(x) * np.exp2(x), [x], create_graph=True)
    (d2,) = ag.grad(d1, [x])
    s, c, e, ln2 = np.sin(0.7), np.cos(0.7), 2 ** 0.7, np.log(2)
    assert d2.item() == pytest.approx(e * (-s + 2 * c * ln2 + s * ln2 ** 2), rel=1e-13)


METHODS = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh",
           "arctanh", "sinc", "square", "reciprocal", "log1p", "expm1", "log2", "log10",
           "exp2", "erf", "sign", "floor", "ceil", "trunc", "round", "nan_to_num", "isnan",
           "isinf", "isfinite", "prod", "cumsum", "cumprod", "diff", "var", "std", "norm",
           "sort", "argsort", "argmax", "argmin", "any", "all"]


@pytest.mark.parametrize("name", METHODS)
def test_methods_equal_the_functions(name):
    values = np.abs(X) if name in ("log2", "log10") else X
    t = ag.tensor(values)
    np.testing.assert_array_equal(getattr(t, name)().numpy(), getattr(ag, name)(t).numpy())


def test_methods_with_arguments():
    t = ag.tensor(X)
    np.testing.assert_array_equal((t + 2).arccosh().numpy(),
                                  np.arccosh(X + 2))
    np.testing.assert_array_equal(t.prod(axis=1, keepdims=True).numpy(),
                                  np.prod(X, axis=1, keepdims=True))
    np.testing.assert_array_equal(t.var(0, ddof=1).numpy(), np.var(X, axis=0, ddof=1))
    np.testing.assert_array_equal(t.std(axis=1, keepdims=True).numpy(),
                                  np.std(X, axis=1, keepdims=True))
    np.testing.assert_array_equal(t.argmax(axis=1).numpy(), X.argmax(axis=1))
    np.testing.assert_array_equal(t.round(1).numpy(), X.round(1))
    np.testing.assert_array_equal(round(t, 1).numpy(), X.round(1))
    np.testing.assert_array_equal(t.fmod(0.3).numpy(), np.fmod(X, 0.3))
    np.testing.assert_array_equal(t.remainder(0.3).numpy(), X % 0.3)
    np.testing.assert_array_equal(t.norm(np.inf, axis=0).numpy(),
                                  np.linalg.norm(X, np.inf, axis=0))
    np.testing.assert_array_equal(t.cumsum(axis=1).numpy(), X.cumsum(axis=1))


def test_sort_method_returns_a_new_tensor_and_leaves_the_data_alone():
    t = ag.tensor(Y, requires_grad=True)
    s = t.sort()
    np.testing.assert_array_equal(s.numpy(), np.sort(Y))
    np.testing.assert_array_equal(t.numpy(), Y)
