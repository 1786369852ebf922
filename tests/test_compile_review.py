"""An adversarial review of simplify, update_each and the replayed saturation warning: the
cases it found, each against eager (they failed on the code as reviewed, and pass now)."""
import warnings

import numpy as np
import pytest

import autograd_lite as ag
import nn

ERROR_FACTOR, ULPS = 4, 16         # the documented bound (docs/compile.md)


def _div_chain_step(x):
    """J = Σ G · (x·c / b): the derivative is computed eagerly as (G / b) · c."""
    def step(G, c, b):
        x.grad = None
        J = ((-(-(x * c) / b)) * G).sum()
        J.backward()
        return J, x.grad
    return step


def _eager_and_simplified(dtype, value):
    x_e, x_s = (ag.tensor(np.ones((2, 3), dtype), requires_grad=True) for _ in range(2))
    eager, simplified = _div_chain_step(x_e), ag.compile(_div_chain_step(x_s), simplify=True)
    G, c, b = (np.full((2, 3), value, dtype) for _ in range(3))    # three distinct arrays
    with np.errstate(all="ignore"):
        e = [np.array(t.data) for t in eager(G, c, b)]
        for _ in range(3):                                          # capture, then replays
            s = [np.array(t.data) for t in simplified(G, c, b)]
    reference = [np.full((), 6 * value, np.longdouble), np.full((2, 3), value, np.longdouble)]
    return e, s, reference


def _assert_bound(e, s, r):
    for e_, s_, r_ in zip(e, s, r):
        assert np.isfinite(e_).all()
        assert np.isfinite(s_).all(), f"eager {e_.ravel()[0]!r}, simplified {s_.ravel()[0]!r}"
        r_ = r_.astype(np.float64)
        eps = np.finfo(e_.dtype).eps
        limit = ERROR_FACTOR * np.abs(e_ - r_).max() + ULPS * eps * np.abs(r_).max()
        assert np.abs(s_ - r_).max() <= limit, (e_.ravel()[0], s_.ravel()[0])


# The emitter wrote every rational form as (product of the numerator's arrays) / (product
# of the denominator's), so G·c overflowed (or underflowed) where eager's (G / b)·c stays
# in range; it now divides as soon as it can.
@pytest.mark.parametrize("dtype, value", [(np.float64, 1e200), (np.float32, 1e20)])
def test_simplify_overflows_where_eager_is_finite(dtype, value):
    e, s, r = _eager_and_simplified(dtype, value)
    _assert_bound(e, s, r)          # simplified: inf for J and x.grad, eager: finite


@pytest.mark.parametrize("dtype, value", [(np.float64, 1e-160), (np.float64, 1e-200),
                                          (np.float32, 1e-20)])
def test_simplify_underflow_breaks_the_documented_bound(dtype, value):
    e, s, r = _eager_and_simplified(dtype, value)
    _assert_bound(e, s, r)          # simplified loses digits (or gives 0) in subnormals


# With warnings as errors (pytest -W error, filterwarnings = error), the
# saturation check now raises from inside program.run (Trace.sync / Trace.finish), after
# finish() has set trace.events = None and before the lazy tensors are materialised: the
# parameters stay Lazy for a dead trace (w.data: TypeError in Trace.sync,
# len(self.events)) and every later call fails (AttributeError in Trace._refs).  Eager
# raises at ag.log and leaves everything usable.
def _sigmoid_cost_step():
    w = ag.tensor(np.array([[1.0, 1.0, 1.0]]), requires_grad=True)
    opt = nn.optim.GradientDescent([w], 0.1)

    def step(X, Y):
        w.grad = None
        A = ag.sigmoid(w * X)
        J = -(Y * ag.log(A) + (1 - Y) * ag.log(1 - A)).mean()
        J.backward()
        opt.step()
        return J
    return step, w


@pytest.mark.parametrize("passes", [{}, {"simplify": True}, {"passes": ()}])
def test_saturation_warning_as_error_leaves_the_compiled_step_usable(passes):
    ok, sat = np.array([[0.5, -1.0, 2.0]]), np.array([[50.0, -1.0, 2.0]])
    Y = ag.tensor(np.array([[1.0, 0.0, 1.0]]))
    runs = []
    for compiled in (False, True):
        step, w = _sigmoid_cost_step()
        if compiled:
            step = ag.compile(step, **passes)
        seen = []
        for X in (ok, ok, sat, ok, sat, ok):
            with warnings.catch_warnings():
                warnings.simplefilter("error", ag.NumericalWarning)
                try:
                    with np.errstate(all="ignore"):
                        seen.append(float(step(X, Y).item()))
                except ag.NumericalWarning:
                    seen.append("warned")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                seen.append(w.data.copy())       # compiled: TypeError after the first raise
        runs.append(seen)
    eager, compiled = runs
    assert len(eager) == len(compiled)
    for a, b in zip(eager, compiled):
        if isinstance(a, np.ndarray):
            assert np.array_equal(a, b)
        else:
            assert a == b


# A step that writes its input array with numpy after a sync point: the default compiled
# step reads it as written, as eagerly.  (simplify=True reads the later program through the
# earlier one's statements, B = 2.5·w·X, as if X were unchanged: its documented limit.)
def _mutating_step(w):
    def step(X):
        w.grad = None
        A = w * X
        B = A * 2.5
        B.sum().item()                  # a sync point: the program so far runs
        X[...] = X * 2                  # the step writes its input array (numpy)
        D = B / X
        J = (D * A).sum()
        J.backward()
        return J, D
    return step


# simplify=True reads through the earlier segment (B = 2.5·w·X) and differs from eager
# here: the documented limit of simplify (untracked numpy writes between sync points);
# the default passes are bitwise eager.
@pytest.mark.parametrize("passes", [{}])
def test_an_input_written_after_a_sync_is_read_as_written(passes):
    rng = np.random.RandomState(0)
    inputs = [rng.rand(2, 3) + 0.5 for _ in range(4)]
    w_e, w_c = (ag.tensor(np.linspace(0.5, 1.5, 6).reshape(2, 3), requires_grad=True)
                for _ in range(2))
    eager, compiled = _mutating_step(w_e), ag.compile(_mutating_step(w_c), **passes)
    for X in inputs:
        J_e, D_e = eager(X.copy())
        J_c, D_c = compiled(X.copy())
        # simplify=True, from the second call on: J 2x, D 2x and w.grad differ from eager
        np.testing.assert_allclose(J_c.item(), J_e.item(), rtol=1e-13)
        np.testing.assert_allclose(D_c.data, D_e.data, rtol=1e-13)
        np.testing.assert_allclose(w_c.grad.data, w_e.grad.data, rtol=1e-13)


# Random programs (the ops of tests/test_compile_passes.py) beyond that file's harness:
# float32, a sigmoid cross-entropy cost, inputs scaled by 1e-3 / 1 / 10.  These two broke
# the bound while a rewritten product was formed before its division (float32 overflow);
# two more that still break it — a result that cancels to 1e-36, and one at 1.02 times
# the bound — are the documented limits of simplify (docs/compile.md), not tests here.
def _random_program(ops, second_order, dtype, cost):
    from test_compile_passes import _program
    return _program(ops, second_order, dtype, "square" if cost == "sq" else "cross-entropy")


def _value(x):
    return np.array(x.data if isinstance(x, ag.Tensor) else x)


@pytest.mark.parametrize("ops, second_order, dtype, cost, inputs", [
    pytest.param(['log_softmax', 'sqrt', 'sigmoid'], False, np.float32, 'sq',
                 [[[0.00039386600838042796, 0.0009700190857984126, -0.0006452182424254715, 0.0004501362273003906], [0.0005588628118857741, -0.00022101629292592406, 0.0006138402386568487, 0.0021329540759325027], [-8.264777716249228e-05, -0.002664094092324376, 0.0004037792969029397, -0.0003487125795800239]], [[0.0004895352176390588, -0.0015186519594863057, 0.0003791359777096659, -0.0008333900477737188], [-0.0005344972596503794, -0.0010178155498579144, 0.002399548189714551, 0.0005262975464574993], [-4.702540172729641e-05, -0.00254485453478992, -0.00022286114108283073, 0.0006207007099874318]], [[6.921809836057946e-05, 0.00041805143700912595, 0.00020792345458175987, 0.00016307606711052358], [-0.00112332368735224, 0.002071104710921645, 6.164483784232289e-05, 0.00014162507432047278], [0.001215317752212286, 0.0016374594997614622, 0.00013385468628257513, -0.0004738008137792349]]],
                 id='bad_286'),   # w.grad: error 1.33e-10 > bound 1.03e-10
    pytest.param(['sqrt', 'pow', 'maximum'], True, np.float32, 'sq',
                 [[[-0.5880411863327026, 2.483698844909668, -2.2219810485839844, 9.672301292419434], [10.77236557006836, 8.703932762145996, 9.966344833374023, 17.047100067138672], [-23.239913940429688, 6.033382892608643, 0.9464585185050964, -17.33156394958496]], [[2.7413220405578613, -15.955375671386719, -0.8744514584541321, 6.831254959106445], [6.470225811004639, -8.83930778503418, -4.961156368255615, 7.030953884124756], [-0.07371296733617783, 6.050349712371826, 2.2358319759368896, 16.099761962890625]], [[36.92371368408203, 13.996438026428223, 15.648681640625, 12.086661338806152], [-11.773247718811035, -6.440950870513916, 6.534849166870117, -19.01422691345215], [12.449477195739746, 1.5566668510437012, 2.9356906414031982, 5.451905250549316]]],
                 id='nf_345'),   # w.grad and w: inf/nan where eager and the reference are finite
])
def test_simplified_random_programs_beyond_the_harness(ops, second_order, dtype, cost,
                                                        inputs):
    step, w = _random_program(ops, second_order, dtype, cost)
    precise, w_precise = _random_program(ops, second_order, dtype, cost)
    plain, w_c = _random_program(ops, second_order, dtype, cost)
    compiled = ag.compile(plain, simplify=True)
    failures = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for call, x in enumerate(np.array(inputs, dtype)):
            start = w.data.copy()          # each call from eager's parameter: one step's error
            eager = [_value(r) for r in step(x)] + [w.data.copy()]
            w_precise.data = start.astype(np.longdouble)
            reference = [_value(r) for r in precise(x.astype(np.longdouble))]
            reference.append(w_precise.data.copy())
            w_c.data[...] = start
            simplified = [_value(r) for r in compiled(x)] + [w_c.data.copy()]
            w.data[...] = eager[-1]
            for k, (e, r, s) in enumerate(zip(eager, reference, simplified)):
                finite = np.isfinite(e) & np.isfinite(r)
                if not finite.any():
                    continue
                if not np.isfinite(s[finite]).all():
                    failures.append((call, k, "not finite where eager is"))
                    continue
                r = r[finite].astype(np.float64)
                limit = (ERROR_FACTOR * np.abs(e[finite] - r).max()
                         + ULPS * np.finfo(e.dtype).eps * np.abs(r).max())
                error = np.abs(s[finite] - r).max()
                if error > limit:
                    failures.append((call, k, f"error {error:.3g} > bound {limit:.3g}"))
    assert not failures
