"""The simplify pass: derivative chains as shorter algebra, equal to eager up to rounding.

``ag.compile(step, simplify=True)`` rewrites a program's elementwise chains from their
algebra (:mod:`autograd_lite.simplify`).  Its results are eager's up to rounding: the bound
(docs/compile.md) is normwise — every result differs from eager's by at most
``SIMPLIFY_BOUND`` ulps of the result's largest magnitude — and tested here on random
programs; the course's tables hold to every digit they print.
"""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import algebra
import nn

from test_compile_passes import _assert_bitwise, _inputs, _program, _run, random_programs

SIMPLIFY_BOUND = 256          # ulps of the largest magnitude of each result (documented)


def _assert_within_bound(eager, simplified):
    assert len(eager) == len(simplified)
    for e, s in zip(eager, simplified):
        if e is None:
            assert s is None
            continue
        e = np.asarray(e.data if isinstance(e, ag.Tensor) else e)
        s = np.asarray(s.data if isinstance(s, ag.Tensor) else s)
        assert (e.dtype, e.shape) == (s.dtype, s.shape)
        finite = np.isfinite(e)
        assert np.isfinite(s[finite]).all()          # never worse than eager
        if finite.any():
            scale = np.abs(e[finite]).max()
            limit = SIMPLIFY_BOUND * np.finfo(e.dtype).eps * scale
            assert np.abs(s[finite] - e[finite]).max() <= limit


def _calls_from_eager_states(ops, second_order, passes, inputs):
    """Each call of the compiled step beside eager's and beside eager's in extended
    precision (np.longdouble: the reference), all from the parameter eager had before the
    call, so that one step's rounding is compared, not its growth over later steps."""
    step, w = _program(ops, second_order)
    precise, w_precise = _program(ops, second_order)
    compiled = ag.compile(step, passes=passes)
    calls = []
    with np.errstate(all="ignore"):
        for x in inputs:
            start = w.data.copy()
            eager = [_array(r) for r in step(x)] + [w.data.copy()]
            w_precise.data = start.astype(np.longdouble)
            reference = [_array(r) for r in precise(x.astype(np.longdouble))]
            reference.append(w_precise.data)
            w.data[...] = start
            calls.append((eager, reference,
                          [_array(r) for r in compiled(x)] + [w.data.copy()]))
            w.data[...] = eager[-1]
    return calls


EPS = np.finfo(np.float64).eps


def _array(x):
    return np.array(x.data if isinstance(x, ag.Tensor) else x)


def _assert_as_accurate_as_eager(eager, reference, simplified):
    """Normwise, per result: the simplified program's error (against extended precision)
    is at most ERROR_FACTOR times eager's, plus ULPS ulps of the result's magnitude."""
    for e, r, s in zip(eager, reference, simplified):
        assert (e.dtype, e.shape) == (s.dtype, s.shape)
        finite = np.isfinite(e) & np.isfinite(r)
        if not finite.any():
            continue
        assert np.isfinite(s[finite]).all()             # never worse than eager
        r = r[finite].astype(np.float64)
        eager_error = np.abs(e[finite] - r).max()
        limit = ERROR_FACTOR * eager_error + ULPS * EPS * np.abs(r).max()
        assert np.abs(s[finite] - r).max() <= limit


ERROR_FACTOR, ULPS = 4, 16         # the documented bound (docs/compile.md)


@settings(max_examples=40, deadline=None)
@random_programs
def test_simplified_random_programs_are_as_accurate_as_eager(ops, second_order, seed):
    inputs = _inputs(seed)
    for passes in [("direct", "simplify"), ("direct", "simplify", "buffers")]:
        for eager, reference, simplified in _calls_from_eager_states(ops, second_order,
                                                                     passes, inputs):
            _assert_as_accurate_as_eager(eager, reference, simplified)
    eager = _run(ops, second_order, None, inputs)
    # without "direct" the program calls op methods: nothing elementwise to rewrite, and
    # what simplify still does (equal expressions once, sum_to that does not reduce) is exact
    _assert_bitwise(eager, _run(ops, second_order, ("simplify",), inputs))


def _flower(simplify, iterations, passes=None):
    X, Y = nn.datasets.planar_flower(m=400, seed=1)
    model = nn.TwoLayerNet(2, 4, 1, seed=nn.init.course_rng(2))
    if passes is not None:
        object.__setattr__(model, "step_", ag.compile(model._train_step, passes=passes))
    costs = model.fit(X, Y, iterations=iterations, learning_rate=1.2, progress=False,
                      simplify=simplify)
    return model, costs


def test_the_flower_backward_is_the_course_formula_and_the_table_holds():
    model, costs = _flower(True, 7001, passes=("direct", "simplify"))
    source = model.step_.source
    backward = source[source.index("# backward"):source.index("# update")]
    assert "dlayer2_add = (layer2_sigmoid - Y) / scalar_3" in backward   # dZ2 = (A2 − Y)/m
    assert "dlayer1_add = dlayer1_tanh * (1 - layer1_tanh * layer1_tanh)" in backward
    assert "cost_" not in backward               # the cost's chain is gone
    assert "if float(v[14]) != 1.0 or float(v[16]) != 1.0:" in source     # the 1 of 1 − Y and of 1 − A
    # the course's table (week 3), to every digit it prints
    course = {0: 0.693048, 1000: 0.288083, 2000: 0.254385, 3000: 0.233864, 4000: 0.226792,
              5000: 0.222644, 6000: 0.219731, 7000: 0.217504}
    assert {i: round(costs[i], 6) for i in course} == course
    assert model.step_.captures == 1 and model.step_.replays == 7000


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_one_simplified_step_of_the_flower_is_eager_within_the_bound(dtype):
    X, Y = nn.datasets.planar_flower(m=400, seed=1)
    trained, _ = _flower(False, 50)
    start = [p.data.copy() for p in trained.parameters()]
    results = []
    for simplify in (False, True):
        model = nn.TwoLayerNet(2, 4, 1, seed=0, dtype=dtype)
        for p, value in zip(model.parameters(), start):
            p.data[...] = value
        Xt, Yt = model._check_data(X.astype(dtype), Y)
        opt = nn.optim.GradientDescent(model.parameters(), 1.2)
        step = ag.compile(model._train_step,
                          passes=("direct", "simplify") if simplify else ("direct",))
        step(Xt, Yt, opt)                    # captured (eager), then replayed:
        cost = step(Xt, Yt, opt)
        assert step.replays == 1
        dZ2 = re.search(r"dlayer2_add = \(layer2_sigmoid - Y\) / scalar\w*  ", step.source)
        assert (dZ2 is not None) == simplify
        results.append([cost] + [p.grad for p in model.parameters()]
                       + [p.data for p in model.parameters()])
    _assert_within_bound(*results)


def test_a_python_number_that_changes_runs_the_unsimplified_program():
    w = ag.tensor([[0.3, -0.2, 0.5]], requires_grad=True, name="w")
    one = 1.0

    def step(x, y):
        w.grad = None
        a = ag.sigmoid(w @ x)
        J = -(y * ag.log(a) + (one - y) * ag.log(one - a)).sum() / 4
        J.backward()
        return J, w.grad

    x = np.array([[1.0, 2.0, -1.0, 0.5], [0.5, -1.0, 2.0, 1.0], [1.0, 1.0, 1.0, 1.0]])
    y = ag.tensor([[1.0, 0.0, 1.0, 0.0]], name="y")
    simplified = ag.compile(step, passes=("direct", "simplify"))
    plain = ag.compile(step)
    for _ in range(2):
        _assert_within_bound(step(x, y), simplified(x, y))
    assert "dmatmul = (sigmoid - y) / scalar_3" in simplified.source
    one = 1.5                                    # the guard fails: the plain program runs
    for _ in range(2):
        _assert_bitwise(step(x, y), simplified(x, y))
        _assert_bitwise(step(x, y), plain(x, y))
    assert simplified.captures == 1              # the same path, its other program


def test_simplify_is_checked_and_kept_by_a_copy():
    with pytest.raises(TypeError, match="simplify must be True or False"):
        ag.compile(lambda: None, simplify="yes")
    step = ag.compile(lambda: None, simplify=True)
    assert step.simplify and step.passes == ("direct", "simplify", "exact", "buffers")
    import copy
    assert copy.deepcopy(step).passes == step.passes
    assert not ag.compile(lambda: None).simplify
    model = nn.TwoLayerNet(2, 4, 1, seed=0)
    with pytest.raises(nn.ConfigError, match="simplify=True.*compile=False"):
        model.fit(np.zeros((2, 4)), np.zeros((1, 4)), iterations=1, compile=False,
                  simplify=True)


# --- the algebra ----------------------------------------------------------------------------

def _evaluate(form, values):
    coefficient, factors = form
    out = coefficient
    for key, power in factors.items():
        poly = sum(c * np.prod([values[a] ** p for a, p in m]) for m, c in key)
        out = out * poly ** power
    return out


EXPRESSIONS = st.recursive(
    st.sampled_from(["a", "b", "c"]) | st.sampled_from([1.0, 2.0, 0.5]),
    lambda inner: st.tuples(st.sampled_from("+*/"), inner, inner), max_leaves=8)


def _build(expr, values):
    """The expression's algebraic form and its value computed directly."""
    if isinstance(expr, str):
        return algebra.atom(expr), values[expr]
    if isinstance(expr, float):
        return algebra.constant(expr), expr
    op, left, right = expr
    (f, x), (g, y) = _build(left, values), _build(right, values)
    combine = {"+": algebra.add, "*": algebra.multiply, "/": algebra.divide}[op]
    direct = {"+": x + y, "*": x * y, "/": x / y}[op]
    return combine(f, g), direct


@settings(max_examples=200, deadline=None)
@given(expr=EXPRESSIONS, values=st.fixed_dictionaries(
    {k: st.floats(1.0, 2.0) for k in "abc"}))
def test_a_form_has_the_value_of_its_expression(expr, values):
    # positive atoms and + * / only: no cancellation, so the relative error stays small
    try:
        form, direct = _build(expr, values)
    except algebra.TooBig:
        return
    assert _evaluate(form, values) == pytest.approx(direct, rel=1e-12)


def test_forms_cancel_what_the_algebra_cancels():
    a, y = algebra.atom("a"), algebra.atom("y")
    one = algebra.constant(1.0)
    assert algebra.divide(a, a) == one
    assert algebra.add(algebra.subtract(a, y), algebra.subtract(y, a)) == algebra.ZERO
    # the sigmoid and cross-entropy chain: (y/a − (1−y)/(1−a)) · a(1−a) = y − a
    one_minus_a = algebra.subtract(one, a)
    da = algebra.subtract(algebra.divide(y, a),
                          algebra.divide(algebra.subtract(one, y), one_minus_a))
    dz = algebra.multiply(algebra.multiply(da, a), one_minus_a)
    assert dz == algebra.subtract(y, a)


def test_softmax_with_cross_entropy_simplifies_to_probabilities_minus_labels():
    rng = np.random.RandomState(0)
    X = rng.randn(20, 64)
    Y = np.eye(5)[:, rng.randint(0, 5, 64)]
    runs = []
    for passes in [("direct",), ("direct", "simplify")]:
        model = nn.DeepNN([20, 16, 5], hidden="relu", output="softmax", seed=0)
        Xt, Yt = model._check_data(X, Y)
        opt = nn.optim.GradientDescent(model.parameters(), 0.1)
        step = ag.compile(model._train_step, passes=passes)
        costs = [step(Xt, Yt, opt).item() for _ in range(3)]
        runs.append((step.source, costs, [p.data for p in model.parameters()]))
    source = runs[1][0]
    backward = source[source.index("# backward"):source.index("# update")]
    # dZ = (P · Σ_classes Y − Y) / m: the course's P − Y where the labels are one-hot
    assert ("dlayer2_add = (Y.sum(axis=(0,), keepdims=True) * layer2_softmax - Y) / scalar"
            in backward)
    assert "cost_" not in backward
    assert runs[0][1][0] == runs[1][1][0]           # the first call is eager in both
    np.testing.assert_allclose(runs[1][1], runs[0][1], rtol=1e-13)
    for a, b in zip(runs[0][2], runs[1][2]):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-15)


def test_a_0d_parameter_updated_inside_the_step_is_read_after_its_update():
    def run(compiled):
        s = ag.tensor(1.0, requires_grad=True)      # unnamed and 0-d, as a Python number
        y = ag.tensor([[-1.0, -2.0, -1.0]], name="y")
        x = ag.tensor([[1.0, 1.0, 1.0]], name="x")   # ds = -4: s goes 1, 2, 3, 4 (small ints)

        def step():
            s.grad = None
            J = (x * s * y).sum()
            J.backward()
            with ag.no_grad():
                s.__isub__(0.25 * s.grad)                   # s changes inside the step
            K = ((s - y) * (s - y) / (s * 1.0)).sum()       # read after the update
            return J, K, s.grad
        step = ag.compile(step, simplify=True) if compiled else step
        return [[_array(r) for r in step()] + [s.data.copy()] for _ in range(3)]
    for eager, simplified in zip(run(False), run(True)):
        for e, c in zip(eager, simplified):
            np.testing.assert_allclose(c, e, rtol=1e-14, atol=0)
