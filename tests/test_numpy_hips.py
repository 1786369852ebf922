"""Checks of the kind in HIPS autograd's test suite (tests/test_numpy.py, test_systematic.py,
test_linalg.py), written with our API and our check helpers: numpy's own functions called on
Tensors, each checked in reverse mode to second order against central differences, and in
forward mode (ag.jvp) against a central difference along a random direction.

The cases are ours (the inputs are drawn from a seeded generator); each names the HIPS test
it stands for.  Out of scope and left out: complex numbers, np.r_/np.c_, eigh, cholesky, svd.
"""
import operator

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.testing import assert_gradients_match, assert_second_gradients_match

pytestmark = pytest.mark.filterwarnings("ignore::autograd_lite.RankOneWarning",
                                        "ignore::RuntimeWarning")


def R(*shape, seed=[0]):
    """Standard normal numbers of ``shape`` from one seeded stream (a float for no shape)."""
    seed[0] += 1
    values = np.random.RandomState(seed[0]).randn(*shape)
    return float(values) if not shape else values


def check_grads(fun, *args, order=2, fwd=True):
    """Reverse mode to ``order`` and forward mode (jvp) against central differences."""
    args = [np.asarray(a, dtype=np.float64) for a in args]
    assert_gradients_match(fun, args)
    if order >= 2:
        assert_second_gradients_match(fun, args)
    if fwd:
        check_jvp(fun, args)


def check_jvp(fun, args, eps=1e-6):
    rng = np.random.default_rng(7)
    us = [rng.standard_normal(np.shape(a)) for a in args]
    _, Ju = ag.jvp(fun, tuple(args), v=tuple(us))
    with ag.no_grad():
        plus = fun(*[ag.tensor(a + eps * u) for a, u in zip(args, us)]).numpy()
        minus = fun(*[ag.tensor(a - eps * u) for a, u in zip(args, us)]).numpy()
    np.testing.assert_allclose(Ju.numpy(), (plus - minus) / (2 * eps), rtol=1e-4, atol=1e-5)


# --- tests/test_numpy.py -----------------------------------------------------------------------

_offset = np.random.RandomState(3).randint(-9, 11)
_C = np.random.RandomState(4).randn(4, 5) > 0
_y = np.array([0.0, np.nan, np.inf, -np.inf])
_inds = np.ones(5)[:, None]


def _cast_to_int(W):
    np.concatenate((W, _inds), axis=1)
    new_W, new_inds = W[:, :-1], W[:, -1].astype(np.int64)
    assert new_inds.dtype == np.int64
    return new_W[new_inds].sum()


NUMPY = {
    "dot mat vect": (lambda x, y: np.dot(x, y), [R(10, 11), R(11)]),
    "dot mat mat": (lambda x, y: np.dot(x, y), [R(10, 11), R(10, 11).T]),
    "dot vect mat": (lambda x, y: np.dot(x, y), [R(10), R(10, 11)]),
    "dot vect vect": (lambda x, y: np.dot(x, y), [R(11), R(11)]),
    "dot_with_floats mat float": (lambda x, y: np.dot(x, y), [R(10, 11), R()]),
    "dot_with_floats float mat": (lambda x, y: np.dot(x, y), [R(), R(10, 11)]),
    "dot_with_floats vect float": (lambda x, y: np.dot(x, y), [R(10), R()]),
    "dot_with_floats float vect": (lambda x, y: np.dot(x, y), [R(), R(10)]),
    "outer": (lambda x, y: np.outer(x, y), [R(11), R(11)]),
    "max": (lambda x: np.max(x), [R(10, 11)]),
    "max_axis": (lambda x: np.max(x, axis=1), [R(3, 4, 5)]),
    "max_axis_keepdims": (lambda x: np.max(x, axis=1, keepdims=True), [R(3, 4, 5)]),
    "min": (lambda x: np.min(x), [R(10, 11)]),
    "min_axis": (lambda x: np.min(x, axis=1), [R(3, 4, 5)]),
    "min_axis_keepdims": (lambda x: np.min(x, axis=1, keepdims=True), [R(3, 4, 5)]),
    "sum_1": (lambda x: np.sum(x), [R(10, 11)]),
    "sum_2": (lambda x: np.sum(x, axis=0), [R(10, 11)]),
    "sum_3": (lambda x: np.sum(x, axis=0, keepdims=True), [R(10, 11)]),
    "sum_with_axis_tuple": (lambda x: np.sum(x, axis=(1, 2)), [R(10, 11, 7)]),
    "flipud": (lambda x: np.flipud(x), [R(10, 11)]),
    "fliplr": (lambda x: np.fliplr(x), [R(10, 11)]),
    "rot90": (lambda x: np.rot90(x), [R(10, 11)]),
    "cumsum_axis0": (lambda x: np.cumsum(x, axis=0), [R(10, 11)]),
    "cumsum_axis1": (lambda x: np.cumsum(x, axis=1), [R(10, 11)]),
    "cumsum_1d": (lambda x: np.cumsum(x), [R(10)]),
    "cumsum_no_axis": (lambda x: np.cumsum(x), [R(10, 11)]),
    "non_numpy_sum": (lambda x, y: sum([x, y]), [R(10, 11), R(10, 11)]),
    "mean_1": (lambda x: np.mean(x), [R(10, 11)]),
    "mean_2": (lambda x: np.mean(x, axis=0), [R(10, 11)]),
    "mean_3": (lambda x: np.mean(x, axis=0, keepdims=True), [R(10, 11)]),
    "index_ints": (lambda x: x[3, 0, 1], [R(5, 6, 4)]),
    "index_slice": (lambda x: x[::-1, 2:4, :], [R(5, 6, 4)]),
    "index_lists": (lambda x: x[[0, 1, 2], :, :], [R(5, 6, 4)]),
    "index_mixed": (lambda x: x[3, 2:, [1, 3]], [R(5, 6, 4)]),
    "vector_slice": (lambda x: x[2:4], [R(5)]),
    "index_slice_fanout": (lambda x: x[::-1, 2:4, :] + x[::-1, 3:5, :], [R(5, 6, 4)]),
    "index_multiple_slices": (lambda x: x[2:6][1:3], [R(7)]),
    "reshape_method": (lambda x: x.reshape((5 * 4, 6)), [R(5, 6, 4)]),
    "reshape_call": (lambda x: np.reshape(x, (5 * 4, 6)), [R(5, 6, 4)]),
    "reshape_method_nolist": (lambda x: x.reshape(5 * 4, 6), [R(5, 6, 4)]),
    "ravel_method": (lambda x: x.ravel(), [R(5, 6, 4)]),
    "ravel_call": (lambda x: np.ravel(x), [R(5, 6, 4)]),
    "flatten_method": (lambda x: x.flatten(), [R(5, 6, 4)]),
    "simple_append_list": (lambda a, b: np.append(a, b), [[1.0, 2.0, 3.0], 4.0]),
    "simple_concatenate": (lambda x: np.concatenate((_A564, x)), [R(4, 6, 4)]),
    "concatenate_axis_0": (lambda x: np.concatenate((_B564, x, _B564)), [R(5, 6, 4)]),
    "concatenate_axis_1": (lambda x: np.concatenate((_B564, x, _B564), axis=1), [R(5, 6, 4)]),
    "concatenate_axis_1_unnamed": (lambda x: np.concatenate((_B564, x, _B564), 1),
                                   [R(5, 6, 4)]),
    "trace": (lambda x: np.trace(x, offset=_offset), [R(10, 11)]),
    "trace2": (lambda x: np.trace(x, offset=_offset), [R(11, 10)]),
    "split": (lambda x: np.split(x, 2)[0], [R(10)]),
    "trace_extradims": (lambda x: np.trace(x, offset=1), [R(5, 6, 4, 3)]),
    "diag": (lambda x: np.diag(x), [R(10, 10)]),
    "transpose": (lambda x: x.T, [R(8, 8)]),
    "roll": (lambda x: np.roll(x, 2, axis=1), [R(4, 5)]),
    "roll_no_axis": (lambda x: np.roll(x, 2), [R(4, 5)]),
    "triu": (lambda x: np.triu(x, k=2), [R(5, 5)]),
    "tril": (lambda x: np.tril(x, k=2), [R(5, 5)]),
    "clip": (lambda x: np.clip(x, a_min=0.1, a_max=1.1), [R(5, 5)]),
    "prod_1": (lambda x: np.prod(x), [R(2, 3) ** 2 / 10.0 + 0.1]),
    "prod_2": (lambda x: np.prod(x, axis=0), [R(2, 3) ** 2 + 0.1]),
    "prod_3": (lambda x: np.prod(x, axis=0, keepdims=True), [R(2, 3) ** 2 + 0.1]),
    "prod_4": (lambda x: np.prod(x), [R(7) ** 2 + 0.1]),
    "1d_array": (lambda x: ag.array([x, x * 1.0, x + 2.5]), [3.0]),
    "2d_array": (lambda x: ag.array([[x, x * 1.0, x + 2.5], [x ** 2, x, x / 2.0]]), [3.0]),
    "1d_array_fanout": (lambda x: (lambda A: A + A)(ag.array([x, x * 1.0, x + 2.5])), [3.0]),
    "2d_array_fanout": (lambda x: (lambda A: A + A)(
        ag.array([[x, x * 1.0, x + 2.5], [x ** 2, x, x / 2.0]])), [3.0]),
    "array_from_scalar": (lambda x: ag.array(x), [3.0]),
    "array_from_arrays": (lambda x: ag.array([x, x]), [R(3, 2)]),
    "array_from_arrays_2": (lambda x: ag.array([[2 * x, x + 1], [x, x]]), [R(3, 2)]),
    "np.array like": (lambda x: np.array([x, x * 2.0], like=x), [R(3, 2)]),
    "len": (lambda x: x if len(x) == 3 else None, [R(3, 2)]),
    "no_relation": (lambda x: ag.tensor(_C.astype(float)), [R(3, 2)]),
    "where": (lambda x, y: np.where(_C, x, y), [R(4, 5), R(4, 5)]),
    "squeeze_func": (lambda x: np.squeeze(x), [R(5, 1, 4)]),
    "squeeze_method": (lambda x: x.squeeze(), [R(5, 1, 4)]),
    "repeat": (lambda x: np.repeat(x, 2, axis=1), [R(5, 3, 4)]),
    "repeat_axis1_rep1": (lambda x: np.repeat(x, 1, axis=1), [R(5, 3, 4)]),
    "repeat_axis0": (lambda x: np.repeat(x, 2, axis=0), [R(5, 3)]),
    "repeat_1d_axis0": (lambda x: np.repeat(x, 2, axis=0), [R(5)]),
    "repeat_axis0_rep1": (lambda x: np.repeat(x, 1, axis=0), [R(5, 1)]),
    "expand_dims": (lambda x: np.expand_dims(x, 2), [R(5, 1, 4)]),
    "tensordot_kwargs_by_position": (
        lambda x: np.tensordot(x * np.ones((2, 2)), x * np.ones((2, 2)), 2), [1.0]),
    "multi_index": (lambda x: np.sum(x[[0, 0]]), [R(3)]),
    "multi_index2": (lambda x: np.sum(x[[0, 1, 0]]), [R(3)]),
    "index_dot_slices": (lambda x: np.dot(x[:2], x[2:]), [R(4)]),
    "cast_to_int": (_cast_to_int, [R(5, 10)]),
    "diagonal": (lambda D: np.diagonal(D, axis1=-1, axis2=-2), [R(4, 4)]),
    "diagonal 3d": (lambda D: np.diagonal(D, axis1=-1, axis2=-2), [R(3, 4, 4)]),
    "nan_to_num": (lambda x: np.sum(np.sin(np.nan_to_num(x + _y))), [R(4)]),
    "max_equal_values": (lambda x: np.max(ag.array([x, x])), [1.0]),
    "max_equal_values_2d +": (lambda x: np.max(ag.array([[x, x], [x, 0.5]]), axis=1), [1.0]),
    "max_equal_values_2d -": (lambda x: np.max(ag.array([[x, x], [x, 0.5]]), axis=1), [-1.0]),
    "min_3_way_equality +": (lambda x: np.min(ag.array([[x, x, x], [x, 0.5, 0.5],
                                                        [0.5, 0.5, 0.5], [x, x, 0.5]]),
                                              axis=0), [1.0]),
    "min_3_way_equality -": (lambda x: np.min(ag.array([[x, x, x], [x, 0.5, 0.5],
                                                        [0.5, 0.5, 0.5], [x, x, 0.5]]),
                                              axis=0), [-1.0]),
    "maximum_equal_values": (lambda x: np.maximum(x, x), [1.0]),
    **{f"maximum_equal_values_2d {v}": (lambda x: np.maximum(
        ag.array([x, x, 0.5]), ag.array([[x, 0.5, x], [x, x, 0.5]])), [v])
       for v in (1.0, -1.0, 2.0)},
    **{f"linspace num={n} {a},{b}": (lambda x, y, n=n: np.linspace(x, y, n), [a, b])
       for n in (0, 1, 5) for a, b in ((1.2, 3.4), (1.2, -3.4), (1.2, 1.2))},
    "gradient": (lambda x: np.gradient(x), [R(6)]),
    "gradient 2d edge_order 2": (lambda x: np.gradient(x, 0.5, edge_order=2)[1], [R(4, 5)]),
    "partition": (lambda x: np.partition(x, 3), [R(7)]),
    "mod": (lambda x: x % 1.7, [np.array([0.3, 1.1, -0.4, 2.5])]),
}
_A564, _B564 = R(5, 6, 4), R(5, 6, 4)


@pytest.mark.parametrize("name", list(NUMPY))
def test_numpy(name):
    fun, args = NUMPY[name]
    check_grads(fun, *args)


def test_simple_append_arr():
    check_grads(lambda a, b: np.append(a, b), np.array([1.0, 2.0, 3.0]), 4.0)


def test_astype_gives_the_gradient_in_the_input_dtype():
    x = ag.tensor(np.arange(3, dtype="float32"), requires_grad=True)
    np.sum(np.sin(x.astype("float64"))).backward()
    assert x.grad.dtype == np.float32


def test_var_and_std_with_ddof():
    B, C, D = R(3), R(3, 4), R(1, 3)
    for f in (np.var, np.std):
        for x in (B, C, D):
            for keepdims in (True, False):
                for ddof in (0, 1):
                    check_grads(lambda t: f(t, axis=None, keepdims=keepdims, ddof=ddof), x)
        for x in (C, D):
            for axis in (None, 1):
                for keepdims in (True, False):
                    check_grads(lambda t: f(t, axis=axis, keepdims=keepdims, ddof=2), x)


# --- tests/test_systematic.py ------------------------------------------------------------------

def _stat_inputs():
    return [R(), R(1), R(3), R(1, 3), R(3, 1), R(3, 4)]


@pytest.mark.parametrize("f", [np.max, np.min, np.mean, np.sum, np.prod, np.var, np.std],
                         ids=lambda f: f.__name__)
def test_stat(f):
    for x in _stat_inputs():
        x = np.asarray(x) + (0.0 if f is not np.prod else 3.0)
        check_grads(lambda t: f(t), x)
        for axis in range(np.ndim(x)):
            for keepdims in (True, False):
                check_grads(lambda t: f(t, axis=axis, keepdims=keepdims), x)


UNARY = {
    "sin": (np.sin, None), "abs": (np.abs, (0.1, 4.0)), "absolute": (np.absolute, (0.1, 4.0)),
    "arccosh": (np.arccosh, (1.1, 4.0)), "arcsinh": (np.arcsinh, (-0.9, 0.9)),
    "arctanh": (np.arctanh, (-0.9, 0.9)), "ceil": (np.ceil, (-1.5, 1.5)), "cos": (np.cos, None),
    "cosh": (np.cosh, None), "deg2rad": (np.deg2rad, None),
    "degrees": (lambda x: np.degrees(x) / 50.0, None), "exp": (np.exp, None),
    "exp2": (np.exp2, None), "expm1": (np.expm1, None), "fabs": (np.fabs, None),
    "floor": (np.floor, (-1.5, 1.5)), "log": (np.log, (0.2, 2.0)),
    "log10": (np.log10, (0.2, 2.0)), "log1p": (np.log1p, (0.2, 2.0)),
    "log2": (np.log2, (0.2, 2.0)), "rad2deg": (lambda x: np.rad2deg(x) / 50.0, None),
    "radians": (np.radians, None), "sign": (np.sign, None), "sinh": (np.sinh, None),
    "sqrt": (np.sqrt, (1.0, 3.0)), "square": (np.square, None), "tan": (np.tan, (-1.1, 1.1)),
    "tanh": (np.tanh, None),
}


def _within(x, lims):
    if lims is None:
        return x
    low, high = lims
    return low + (high - low) * (np.tanh(x) + 1) / 2       # the same draws, moved in range


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_ufunc(name):
    f, lims = UNARY[name]
    for x in (R(), R(1), R(3), R(3, 2)):
        x = _within(np.asarray(x), lims)
        if name == "fabs":
            x = np.where(np.abs(x) < 0.1, x + 0.3, x)      # away from the kink
        check_grads(f, x)


BINARY = {
    "add": (np.add, None, None, True), "logaddexp": (np.logaddexp, None, None, True),
    "logaddexp2": (np.logaddexp2, None, None, True),
    "remainder": (np.remainder, (-0.9, 0.9), (0.7, 1.9), False),
    "true_divide": (np.true_divide, None, (0.3, 2.0), True),
    "mod": (np.mod, None, (0.8, 2.1), False),
    "true_divide_neg": (np.true_divide, None, (-2.0, -0.3), True),
    "mod_neg": (np.mod, None, (-2.0, -0.3), False),
    "op_mul": (operator.mul, None, None, True), "op_add": (operator.add, None, None, True),
    "op_sub": (operator.sub, None, None, True),
    "op_mod": (operator.mod, None, (0.3, 2.0), False),
    "op_mod_neg": (operator.mod, None, (-2.0, -0.3), False),
    "op_div": (operator.truediv, None, (0.5, 2.0), True),
    "op_pow": (operator.pow, (0.7, 2.0), None, True),
}


def _off_jumps(a, b):
    """For a % b: a moved off the multiples of b, where the value jumps."""
    frac = a / b - np.floor(a / b)
    return np.where((frac < 0.05) | (frac > 0.95), a + 0.2 * np.abs(b), a)


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_ufunc(name):
    f, lims_a, lims_b, same_args = BINARY[name]
    for sa, sb in (((), ()), ((3,), ()), ((), (3,)), ((3, 1), (1, 4)), ((2, 3), (2, 3)),
                   ((3,), (2, 3))):
        a = _within(np.asarray(R(*sa)), lims_a)
        b = _within(np.asarray(R(*sb)), lims_b)
        if not same_args:                            # a % b: a off the jumps
            a = _off_jumps(np.broadcast_to(a, np.broadcast_shapes(a.shape, b.shape)), b)
        check_grads(f, a, b)
        if same_args and np.shape(a) == np.shape(b):
            check_grads(lambda x: f(x, x), a)


@pytest.mark.parametrize("axes", [None, [0, 1, 2], [0, 2, 1], [2, 0, 1], [2, 1, 0], [1, 0, 2],
                                  [1, 2, 0]])
def test_transpose_axes(axes):
    check_grads(lambda x: np.transpose(x, axes), R(2, 3, 4))


@pytest.mark.parametrize("a", [1.5, R(3), R(2, 3)], ids=["scalar", "vector", "matrix"])
@pytest.mark.parametrize("b", [0.3, R(3), R(3, 4)], ids=["scalar", "vector", "matrix"])
def test_dot_combinations(a, b):
    check_grads(lambda x, y: np.dot(x, y), a, b)


TENSORDOT = [
    ([R(1, 3), R(2, 3, 2)], [R(3), R(3, 1), R(3, 4, 2)], [[(1,), (0,)]]),
    ([R(3), R(3, 1), R(3, 4, 2)], [R(1, 3), R(2, 3, 2)], [[(0,), (1,)]]),
    ([R(2, 3), R(2, 3, 4)], [R(1, 2, 3), R(2, 2, 3, 4)], [[(0, 1), (1, 2)], [(1, 0), (2, 1)]]),
    ([R(2, 2), R(4, 2, 2)], [R(2, 2), R(2, 2, 4)], [1, 2]),
]


@pytest.mark.parametrize("case", range(len(TENSORDOT)))
def test_tensordot(case):
    first, second, axes_options = TENSORDOT[case]
    for a in first:
        for b in second:
            for axes in axes_options:
                try:
                    np.tensordot(a, b, axes)
                except ValueError:
                    continue                        # numpy refuses this pairing too
                check_grads(lambda x, y: np.tensordot(x, y, axes), a, b)


@pytest.mark.parametrize("f", [np.maximum, np.minimum], ids=lambda f: f.__name__)
def test_maximum_minimum(f):
    for a in (R(1), R(1, 4), R(3, 4)):
        for b in (R(1), R(1, 4), R(3, 4)):
            check_grads(f, a, b)


def test_sort_and_partition():
    for x in (R(1), R(7)):
        check_grads(np.sort, x)
    for x in (R(7), R(14)):
        for kth in (0, 3, 6):
            check_grads(lambda t: np.partition(t, kth), x)


@pytest.mark.parametrize("f", [np.atleast_1d, np.atleast_2d, np.atleast_3d],
                         ids=lambda f: f.__name__)
def test_atleast(f):
    for x in (1.2, R(1), R(7), R(1, 4), R(2, 4), R(2, 4, 5), R(2, 4, 3, 5)):
        check_grads(f, x)


EINSUM = {
    "transpose": ("ij->ji", [R(1, 1)]),
    "transpose 4x4": ("ij->ji", [R(4, 4)]),
    "transpose 3x4": ("ij->ji", [R(3, 4)]),
    "matmult": ("ij,jk->ik", [R(2, 3), R(3, 4)]),
    "covsum": ("ijk,lji->lki", [R(3, 4, 4), R(4, 4, 3)]),
    "ellipses": ("...jk,...lj->...lk", [R(3, 4, 4), R(3, 4, 4)]),
    "ellipses elementwise": ("...,...->...", [R(3, 4, 4), R(3, 4, 4)]),
    "three_args": ("ijk,lji,lli->lki", [R(3, 4, 4), R(4, 4, 3), R(4, 4, 3)]),
}


@pytest.mark.parametrize("name", list(EINSUM))
def test_einsum(name):
    spec, operands = EINSUM[name]
    check_grads(lambda *xs: np.einsum(spec, *xs), *operands)


def test_trace_offsets():
    for x in (R(5, 5), R(4, 5), R(5, 4)):
        for offset in (-1, 0, 1):
            check_grads(lambda t: np.trace(t, offset=offset), x)


# --- tests/test_linalg.py (reverse mode there; forward mode checked here too) -----------------

def _psd(D):
    m = R(D, D)
    return m @ m.T


LINALG = {
    "inv": (np.linalg.inv, [(lambda m: m @ m + np.eye(8))(R(8, 8))]),
    "inv_3d": (np.linalg.inv, [R(4, 4, 4) + 5 * np.eye(4)]),
    "inv_4d": (np.linalg.inv, [R(4, 4, 4, 4) + 5 * np.eye(4)]),
    "solve_arg1": (lambda a: np.linalg.solve(a, _B87), [R(8, 8) + 10.0 * np.eye(8)]),
    "solve_arg1_1d": (lambda a: np.linalg.solve(a, _B8), [R(8, 8) + 10.0 * np.eye(8)]),
    "solve_arg2": (lambda b: np.linalg.solve(_A66, b), [R(6, 5)]),
    "solve_arg1_3d_3d": (lambda a: np.linalg.solve(a, _B546), [R(5, 4, 4) + 5 * np.eye(4)]),
    "det": (np.linalg.det, [R(6, 6)]),
    "det_3d": (np.linalg.det, [R(3, 3, 3)]),
    "slogdet": (lambda x: np.linalg.slogdet(x)[1], [R(6, 6)]),
    "slogdet negated": (lambda x: np.linalg.slogdet(-x)[1], [R(6, 6)]),
    "slogdet_3d": (lambda x: np.sum(np.linalg.slogdet(x)[1]),
                   [np.stack([_psd(5) + 5 * np.eye(5) for _ in range(3)])]),
    "vector_2norm": (lambda x: np.linalg.norm(x), [R(6)]),
    "frobenius_norm": (lambda x: np.linalg.norm(x), [R(6, 5)]),
    "frobenius_norm_axis": (lambda x: np.linalg.norm(x, axis=(0, 1)), [R(6, 5, 4)]),
    **{f"vector_norm_ord {o}": (lambda x, o=o: np.linalg.norm(x, ord=o), [R(6)])
       for o in (2, 3, 4)},
    **{f"norm_axis {a}": (lambda x, a=a: np.linalg.norm(x, axis=a), [R(6, 5, 4)])
       for a in range(3)},
}
_B87, _B8, _A66, _B546 = R(8, 7), R(8), R(6, 6) + np.eye(6), R(5, 4, 6)


@pytest.mark.parametrize("name", list(LINALG))
def test_linalg(name):
    fun, args = LINALG[name]
    check_grads(fun, *args)


# --- tests/test_jacobian.py and test_wrappers.py: the functional API ---------------------------

def test_jacobian_against_grad():
    A = ag.tensor(R(1, 3), requires_grad=True)
    fun = lambda x: np.sum(np.sin(x), axis=1, keepdims=True)
    g = ag.grad(fun(A).sum(), A)
    J = ag.jacobian(fun, A)
    assert J.shape == (1, 1, 1, 3)
    np.testing.assert_allclose(J.numpy().reshape(1, 3), g.numpy(), rtol=1e-15)


def test_jacobian_scalar_to_vector():
    val = R()
    J = ag.jacobian(lambda x: ag.array([x, x ** 2, x ** 3]), val)
    np.testing.assert_allclose(J.numpy(), [1.0, 2 * val, 3 * val ** 2], rtol=1e-14)


def test_jacobian_against_stacked_grads():
    def inner(x):      # a derivative inside the function: d/dy (e^y tanh x0) at y = x1
        return ag.jacobian(lambda y: np.exp(y) * np.tanh(x[0]), x[1], create_graph=True)
    scalar_funs = [lambda x: np.sum(x ** 3), lambda x: np.prod(np.sin(x) + np.sin(x)), inner]
    x = R(5)
    J = ag.jacobian(lambda t: ag.array([f(t) for f in scalar_funs]), x)
    grads = [ag.jacobian(f, x) for f in scalar_funs]
    np.testing.assert_allclose(J.numpy(), np.vstack([g.numpy() for g in grads]), rtol=1e-13)


def test_jacobian_higher_order():
    fun = lambda x: np.sin(np.outer(x, x)) + np.cos(np.dot(x, x))
    assert ag.jacobian(fun, R(2)).shape == (2, 2, 2)
    assert ag.jacobian(lambda x: ag.jacobian(fun, x, create_graph=True), R(2)).shape == (2,) * 4
    check_grads(lambda x: np.sum(np.sin(ag.jacobian(fun, x, create_graph=True))), R(2),
                fwd=False)
    check_grads(lambda x: np.sum(np.sin(ag.jacobian(
        lambda y: ag.jacobian(fun, y, create_graph=True), x, create_graph=True))), R(2),
        order=1, fwd=False)


def test_value_and_grad():
    x = R(5)
    value, g = ag.vjp(lambda t: np.sum(np.sin(t) ** 2), x)
    assert value.item() == np.sum(np.sin(x) ** 2)
    np.testing.assert_allclose(g.numpy(), 2 * np.sin(x) * np.cos(x), rtol=1e-14)


def test_hessian_of_a_quadratic():
    H = R(5, 5)
    np.testing.assert_allclose(ag.hessian(lambda x: np.dot(np.dot(x, H), x), R(5)).numpy(),
                               H + H.T, rtol=1e-14)


def test_multigrad_of_several_arguments():
    A, B, C, D, E = 0.5, -0.3, 0.2, -1.1, 0.7
    fun = lambda d, b: A + np.sin(b) + np.cosh(C) + np.cos(d) + np.tan(E) + 0.6 - 0.1
    gd, gb = ag.jacobian(fun, (D, B))
    nd, nb = ag.numerical_grad(fun, [np.array(D), np.array(B)])
    np.testing.assert_allclose([gd.item(), gb.item()], [nd, nb], rtol=1e-7)


def test_elementwise_grad():
    A, B = R(10), 0.9
    _, g = ag.vjp(lambda a: a + np.sin(a) + np.cosh(a), A, v=np.ones(10))
    np.testing.assert_allclose(g.numpy(), 1 + np.cos(A) + np.sinh(A), rtol=1e-14)
    _, (ga, gb) = ag.vjp(lambda a, b: a + np.sin(a) + np.cosh(b), (B, A), v=np.ones(10))
    np.testing.assert_allclose(gb.numpy(), np.sinh(A), rtol=1e-14)


@pytest.mark.parametrize("shape", [(5,), (5, 4), (5, 4, 3)])
def test_hessian_vector_matrix_and_tensor_products(shape):
    fun = lambda a: np.sum(np.sin(a))
    a, V = R(*shape), R(*shape)
    H = ag.hessian(fun, a).numpy()
    expected = np.tensordot(H, V, axes=len(shape))
    for product in (ag.hvp, ag.vhp):
        np.testing.assert_allclose(product(fun, a, V)[1].numpy(), expected, rtol=1e-12,
                                   atol=1e-14)


@pytest.mark.parametrize("shape", [(5,), (5, 4)])
def test_vector_and_matrix_jacobian_products(shape):
    fun = lambda a: np.roll(np.sin(a), 1)          # an asymmetric Jacobian
    a, V = R(*shape), R(*shape)
    J = ag.jacobian(fun, a).numpy()
    np.testing.assert_allclose(ag.vjp(fun, a, V)[1].numpy(),
                               np.tensordot(V, J, axes=len(shape)), rtol=1e-14)
    np.testing.assert_allclose(ag.jvp(fun, a, V)[1].numpy(),
                               np.tensordot(J, V, axes=len(shape)), rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_gradients_keep_the_input_dtype(dtype):
    y = np.random.RandomState(0).randn(10, 10).astype(dtype)
    _, g = ag.vjp(lambda x: np.sum(x ** 2), y)
    assert g.dtype == dtype


# --- tests/test_binary_ops.py: the operators on every pairing of shapes -----------------------

_PAIRS = [2.0, R(6), R(7, 6), R(1, 6)]
_OPERATORS = {
    "mul": (operator.mul, lambda a, b: (a, b)),
    "add": (operator.add, lambda a, b: (a, b)),
    "sub": (operator.sub, lambda a, b: (a, b)),
    "div": (operator.truediv, lambda a, b: (np.sqrt(a ** 2 + 0.5), np.sqrt(b ** 2 + 0.5))),
    "pow": (operator.pow, lambda a, b: (np.abs(a) + 1.1, np.round(b))),
}


@pytest.mark.parametrize("name", list(_OPERATORS))
@pytest.mark.parametrize("first", range(4), ids=["scalar", "vector", "mat", "mat2"])
@pytest.mark.parametrize("second", range(4), ids=["scalar", "vector", "mat", "mat2"])
def test_binary_operator(name, first, second):
    f, prepare = _OPERATORS[name]
    a, b = prepare(np.asarray(_PAIRS[first]), np.asarray(_PAIRS[second]))
    check_grads(lambda x, y: f(x, y).sum(), a, b)
