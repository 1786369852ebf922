"""ag.compile with ordinary Python: the step's Python runs on every call, so Python state
changed between calls, side effects, aliasing and value reads behave exactly as eagerly.

Each test runs the same scenario twice from equal starting states, once eagerly and once
compiled, with the same Python changes between calls, and compares everything Python can
see bitwise: results, parameters, ``.grad``, the side effects' logs.
"""
import copy
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
import nn


def _same(a, b):
    """Bitwise equality of nested results (tensors, arrays, numbers, lists, dicts, None)."""
    if isinstance(a, ag.Tensor):
        assert isinstance(b, ag.Tensor) and a.dtype == b.dtype
        assert np.array_equal(a.data, b.data, equal_nan=True), (a, b)
    elif isinstance(a, np.ndarray):
        assert np.array_equal(a, b, equal_nan=True)
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b)
    else:
        assert a == b, (a, b)


def _both(scenario, calls=6):
    """Run ``scenario(compiled)`` for compiled in (False, True): it returns a list of what
    it saw; both lists must be bitwise equal.  Returns the compiled run's step object."""
    eager, compiled = scenario(False), scenario(True)
    _same(eager[0], compiled[0])
    return compiled[1]


def _params(seed=0):
    rng = np.random.RandomState(seed)
    return [ag.tensor(rng.randn(*s) * 0.5, requires_grad=True, name=n)
            for s, n in zip(((4, 2), (4, 1), (1, 4), (1, 1)), ("W1", "b1", "W2", "b2"))]


def _data(m=40, seed=1):
    rng = np.random.RandomState(seed)
    return rng.randn(2, m), (rng.rand(1, m) > 0.5).astype(np.float64)


def _cost(params, X, Y, activation=ag.tanh):
    W1, b1, W2, b2 = params
    A2 = ag.sigmoid(W2 @ activation(W1 @ X + b1) + b2)
    return -(Y * ag.log(A2) + (1 - Y) * ag.log(1 - A2)).mean()


def _zero_grads(params):
    for p in params:
        p.grad = None


def _descend(params, J, lr):
    """``J.backward()`` and one gradient-descent update of ``params`` in place."""
    J.backward()
    with ag.no_grad():
        for p in params:
            p -= lr * p.grad


def _wrap(fn, compiled):
    return ag.compile(fn) if compiled else fn


# --- Python state read by the step --------------------------------------------------------

def test_a_learning_rate_decay_in_a_fit_callback_is_applied():
    X, Y = nn.datasets.planar_flower()

    def run(compiled):
        model = nn.TwoLayerNet(2, 4, 1, hidden="tanh", seed=2)
        opt = nn.optim.GradientDescent(model.parameters(), 1.2)

        def decay(i, cost, model):
            opt.learning_rate = 1.2 * 0.99 ** i
        costs = model.fit(X, Y, iterations=200, optimizer=opt, callback=decay,
                          compile=compiled, progress=False)
        return [list(costs), [p.data for p in model.parameters()]], model.step_
    step = _both(run)
    assert step.captures == 1 and step.replays == 199


@pytest.mark.parametrize("kind", ["global", "attribute", "dict", "closure list"])
def test_a_learning_rate_changed_between_calls_is_read_on_every_call(kind):
    X, Y = _data()
    cfg = type("Config", (), {})()
    holder = {}

    def run(compiled):
        params = _params()
        store = {"lr": 0.5}

        def read():
            return {"global": globals().get("LR", 0.5), "attribute": getattr(cfg, "lr", 0.5),
                    "dict": store["lr"], "closure list": holder.get("lr", 0.5)}[kind]

        def step(X, Y):
            _zero_grads(params)
            J = _cost(params, X, Y)
            _descend(params, J, read())
            return J
        step = _wrap(step, compiled)
        seen = []
        for i in range(8):
            lr = 0.5 / (1 + i)
            globals()["LR"] = cfg.lr = store["lr"] = holder["lr"] = lr
            seen.append(step(X, Y))
        return [seen, params], step
    step = _both(run)
    assert step.captures == 1 and step.replays == 7
    globals().pop("LR", None)


def test_a_float_argument_that_changes_every_call_captures_once():
    X, Y = _data()

    def run(compiled):
        params = _params()

        def step(X, Y, lr):
            _zero_grads(params)
            J = _cost(params, X, Y)
            _descend(params, J, lr)
            return J
        step = _wrap(step, compiled)
        seen = [step(X, Y, 0.9 ** i) for i in range(100)]
        return [seen, params], step
    step = _both(run)
    assert step.captures == 1 and step.replays == 99


def test_a_flag_a_string_and_a_loop_count_pick_the_path_on_every_call():
    X, Y = _data()
    activations = {"tanh": ag.tanh, "relu": ag.relu, "sigmoid": ag.sigmoid}
    settings_ = [(True, "tanh", 1), (False, "relu", 2), (True, "tanh", 1), (True, "sigmoid", 3),
                 (False, "relu", 2), (True, "tanh", 0), (True, "tanh", 1)]

    def run(compiled):
        params = _params()
        state = {}

        def step(X, Y):
            _zero_grads(params)
            J = _cost(params, X, Y, activations[state["act"]])
            if state["flag"]:
                J = J * 2.0
            for _ in range(state["n"]):
                J = J + (params[0] * params[0]).sum() * 0.01
            _descend(params, J, 0.1)
            return J
        step = _wrap(step, compiled)
        seen = []
        for flag, act, n in settings_:
            state.update(flag=flag, act=act, n=n)
            seen.append(step(X, Y))
        return [seen, params, [p.grad for p in params]], step
    step = _both(run)
    assert step.captures == 4 and step.replays == 3       # four distinct paths


def test_eval_mode_read_by_a_layer_switches_its_path():
    class Noisy(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 3, seed=0)

        def forward(self, X):
            Z = self.lin(X)
            return Z * 0.5 if self.training else Z

    X = np.random.RandomState(3).randn(2, 5)

    def run(compiled):
        net = Noisy()
        step = _wrap(lambda X: net(X).sum(), compiled)
        seen = []
        for mode in ("train", "eval", "train", "eval"):
            getattr(net, mode)()
            seen.append(step(X))
        return [seen], step
    step = _both(run)
    assert (step.captures, step.replays) == (2, 2)


def test_an_adam_beta_changed_between_calls_is_used():
    X, Y = _data()

    def run(compiled):
        model = nn.TwoLayerNet(2, 3, 1, seed=1)
        opt = nn.optim.Adam(model.parameters(), 0.01)
        costs = []
        for i in range(6):
            opt.beta1 = 0.9 - 0.1 * i
            costs += model.fit(X, Y, iterations=1, optimizer=opt, compile=compiled,
                               progress=False)
        return [costs, [p.data for p in model.parameters()]], model.step_
    step = _both(run)
    assert step.captures == 1


def test_a_parameter_replaced_or_appended_is_used():
    X = np.random.RandomState(4).randn(3, 4)

    def run(compiled):
        params = [ag.tensor(np.ones((3, 4)), requires_grad=True, name="w")]

        def step(X):
            J = sum((p * X).sum() for p in params)
            _zero_grads(params)
            J.backward()
            return J, [p.grad for p in params]
        step = _wrap(step, compiled)
        seen = [step(X)]
        params[0] = ag.tensor(np.full((3, 4), 2.0), requires_grad=True)   # replaced
        seen.append(step(X))
        params.append(ag.tensor(np.full((3, 4), -1.0), requires_grad=True))  # appended
        seen.append(step(X))
        seen.append(step(X))
        return [seen], step
    step = _both(run)
    assert (step.captures, step.replays) == (2, 2)


# --- Python side effects inside the step --------------------------------------------------

def test_side_effects_happen_on_every_call(capsys):
    X, Y = _data()

    def run(compiled):
        params = _params()
        log = {"count": 0, "costs": [], "hooks": []}
        obj = type("Holder", (), {})()

        def hook(J):
            log["hooks"].append(J)

        def step(X, Y):
            _zero_grads(params)
            J = _cost(params, X, Y)
            log["count"] += 1
            log["costs"].append(J)                 # a lazy tensor, computed when read
            obj.last = J
            hook(J)
            print("cost", J.item())               # a value read mid-step
            _descend(params, J, 0.5)
            return J
        step = _wrap(step, compiled)
        results = [step(X, Y) for _ in range(5)]
        printed = capsys.readouterr().out
        return [results, log, obj.last, printed, params], step
    step = _both(run)
    assert step.captures == 1 and step.replays == 4


def test_the_library_warning_is_issued_on_every_call():
    w = ag.tensor([[40.0, -40.0]], requires_grad=True)
    X, Y = np.array([[1.0], [0.0]]), np.array([[0.0]])

    def run(compiled):
        step = _wrap(lambda X, Y: nn.losses.binary_cross_entropy(ag.sigmoid(w @ X), Y),
                     compiled)
        counts = []
        for _ in range(3):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                J = step(X, Y)
            counts.append(sum(issubclass(c.category, ag.NumericalWarning) for c in caught))
        return [counts, J], step
    _both(run)
    assert run(True)[0][0] == [1, 1, 1]         # once per call, compiled too


# --- values derived from data -------------------------------------------------------------

@pytest.mark.parametrize("helper", [
    lambda h: ag.argmax(h, axis=0), lambda h: ag.argmin(h, axis=1), lambda h: ag.argsort(h),
    lambda h: ag.isfinite(h), lambda h: ag.any(h > 0.5), lambda h: ag.all(h > -1.0),
    lambda h: h > 0.0])
def test_value_derived_helpers_follow_the_data(helper):
    rng = np.random.RandomState(5)
    batches = [rng.randn(3, 4) for _ in range(4)]

    def run(compiled):
        w = ag.tensor(np.ones((3, 4)), requires_grad=True)
        step = _wrap(lambda X: helper(w * X), compiled)
        return [[step(X) for X in batches]], step
    _both(run)


def test_repr_deepcopy_and_a_tensor_made_from_an_argument_follow_the_data():
    rng = np.random.RandomState(6)
    batches = [rng.randn(2, 3) for _ in range(4)]

    def run(compiled):
        w = ag.tensor(np.ones((2, 3)), requires_grad=True, name="w")

        def step(X):
            h = w * ag.tensor(X)                  # ag.tensor of an argument, inside the step
            text = repr(h.detach())
            with ag.no_grad():
                w.__iadd__(X)
            copied = copy.deepcopy(w)
            return text, copied.data.copy(), h
        step = _wrap(step, compiled)
        return [[step(X) for X in batches]], step
    _both(run)


def test_a_closed_over_numpy_array_mutated_between_calls_is_read_again():
    mask = np.array([1.0, 0.0, 1.0])

    def run(compiled):
        w = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
        local = mask.copy()
        step = _wrap(lambda X: (w * local * X + 1.0 + 1.0).sum(), compiled)
        seen = []
        for i in range(4):
            local[i % 3] = 10.0 * i
            seen.append(step(np.full(3, 2.0)))
        return [seen], step
    step = _both(run)
    assert step.captures == 1


# --- aliasing and signatures --------------------------------------------------------------

def test_the_same_array_twice_then_two_arrays():
    A, B = np.array([1.0, 2.0]), np.array([5.0, -3.0])

    def run(compiled):
        w = ag.tensor([0.5, 0.25], requires_grad=True)
        step = _wrap(lambda P, Q: (w * P + Q * Q).sum(), compiled)
        return [[step(A, A), step(A, B), step(B, B), step(A, B)]], step
    _both(run)


def test_an_argument_that_is_also_a_closed_over_parameter():
    def run(compiled):
        w = ag.tensor([1.0, 3.0], requires_grad=True)

        def step(u):
            w.grad = None
            (w * u).sum().backward()
            with ag.no_grad():
                w.__isub__(0.1 * w.grad)
            return w.grad
        step = _wrap(step, compiled)
        other = ag.tensor([2.0, 2.0], requires_grad=True)
        return [[step(w), step(other), step(w), w.data.copy()]], step
    _both(run)


def test_minus_zero_is_not_zero():
    def run(compiled):
        step = _wrap(lambda x, c: ag.tensor(1.0) / (ag.as_tensor(x) * c), compiled)
        with np.errstate(divide="ignore"):
            seen = [step(np.ones(2), 0.0), step(np.ones(2), -0.0)]
        assert seen[0].data[0] == np.inf and seen[1].data[0] == -np.inf
        return [seen], step
    _both(run)


def test_an_argument_changed_in_place_and_a_view_made_outside():
    def run(compiled):
        X = np.arange(6.0).reshape(2, 3)
        w = ag.tensor(np.ones((3, 2)), requires_grad=True)
        view = ag.as_tensor(X).T                          # made outside the step
        step = _wrap(lambda X, V: (w * V).sum() + X.sum(), compiled)
        seen = []
        for i in range(4):
            X *= 2.0                                       # the caller's array, changed
            seen.append(step(X, view))
        return [seen], step
    _both(run)


def test_backward_of_a_result_after_the_step_names_compile():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    step = ag.compile(lambda X: (w * X).sum())
    for _ in range(2):
        J = step(np.ones(2))
        with pytest.raises(ag.GraphError, match=r"compiled step \(ag.compile\)"):
            J.backward()


# --- value reads and data assignment ------------------------------------------------------

def test_a_branch_on_a_value_read_mid_step_matches_eager():
    X, Y = _data()

    def run(compiled):
        params = _params()

        def step(X, Y):
            _zero_grads(params)
            J = _cost(params, X, Y)
            if J.item() > 0.6:                    # a sync point, then another path
                J = J * 2.0
            _descend(params, J, 0.8)
            return J
        step = _wrap(step, compiled)
        return [[step(X, Y) for _ in range(12)], params], step
    _both(run)


def test_a_value_read_after_the_update_and_a_later_new_path():
    X, Y = _data()

    def run(compiled):
        params = _params()
        seen = []

        def step(X, Y, extra):
            _zero_grads(params)
            J = _cost(params, X, Y)
            _descend(params, J, 0.5)
            seen.append(float(params[0].sum()))  # reads an updated parameter
            if extra:                            # a path not seen before, after the read
                J = J + params[0].sum()
            return J
        step = _wrap(step, compiled)
        out = [step(X, Y, e) for e in (False, False, True, False, True)]
        return [out, seen, params], step
    _both(run)


def test_a_detached_value_updates_a_state_in_place_on_every_call():
    """``state += a.detach() * c``: the detached tensor is its tensor's value of this call
    (it was a constant of the capture: from the second replay on the state grew by the
    first call's value)."""
    def run(compiled):
        w = ag.tensor(np.full((2,), 2.0), requires_grad=True)
        state = ag.tensor(np.ones(2))

        def step(x):
            w.grad = None
            a = w * x
            with ag.no_grad():
                state.__iadd__(a.detach() * 0.25)
            (x * state * w).sum().backward()
            return w.grad
        step = _wrap(step, compiled)
        out = [step(ag.tensor(np.array([1.0, 3.0]) * k)) for k in (1, 2, 3, 4)]
        return [out, state], step
    step = _both(run)
    assert (step.captures, step.replays) == (1, 3)


def test_a_detached_value_after_which_the_path_changes():
    """A replay that turns into a capture after a detach() makes the detached tensor again
    from its tensor's new value, also when it is read after the new branch."""
    def run(compiled):
        w = ag.tensor(np.array([[0.5, -1.0]]), requires_grad=True)
        kept = []

        def step(x, branch):
            w.grad = None
            a = ag.tanh(w * x)
            d = a.detach()
            if branch:                            # a path not seen before, after the detach
                a = a * 2.0
            J = (a * d).sum() + (d * d).mean()
            J.backward()
            kept.append(d)
            return J, w.grad
        step = _wrap(step, compiled)
        out = [step(ag.tensor(np.array([[1.0, 2.0]]) * (k + 1)), b)
               for k, b in enumerate((False, False, True, True, False))]
        return [out, kept], step
    step = _both(run)
    assert step.captures == 2


def test_assigning_data_inside_the_step_runs_it_eagerly():
    X = np.array([1.0, 2.0])

    def run(compiled):
        w = ag.tensor([1.0, 2.0], requires_grad=True, name="w")

        def step(X):
            w.grad = None
            J = (w * X).sum()
            J.backward()
            w.data = w.data - 0.1 * w.grad.numpy()
            return J
        step = _wrap(step, compiled)
        return [[step(X) for _ in range(3)], w], step
    _both(run)


def test_random_draws_inside_the_step_are_new_every_call():
    def run(compiled):
        np.random.seed(0)
        rng = np.random.default_rng(1)
        w = ag.tensor(np.ones(4), requires_grad=True)
        step = _wrap(lambda X: (w * X * np.random.rand(4) * rng.random(4)).sum(), compiled)
        return [[step(np.ones(4)) for _ in range(4)]], step
    _both(run)


def test_an_error_after_an_update_leaves_the_update_done_as_eagerly():
    def run(compiled):
        w = ag.tensor([1.0, 2.0], requires_grad=True)

        def step(X, fail):
            with ag.no_grad():
                w.__isub__(X)
            if fail:
                raise RuntimeError("stop")
            return w * 1

        step = _wrap(step, compiled)
        seen = [step(np.ones(2), False), step(np.ones(2), False)]
        with pytest.raises(RuntimeError):
            step(np.ones(2), True)
        seen.append(w.data.copy())
        seen.append(step(np.ones(2), False))
        return [seen], step
    _both(run)


# --- fit in a loop ------------------------------------------------------------------------

def test_fit_one_iteration_in_a_loop_replays_and_leaves_no_growth():
    X, Y = _data()
    model = nn.TwoLayerNet(2, 3, 1, seed=0)
    eager = nn.TwoLayerNet(2, 3, 1, seed=0)
    for _ in range(20):
        model.fit(X, Y, iterations=1, learning_rate=0.5, progress=False)
        eager.fit(X, Y, iterations=1, learning_rate=0.5, progress=False, compile=False)
    _same([p.data for p in model.parameters()], [p.data for p in eager.parameters()])
    assert model.step_.captures == 1 and model.step_.replays == 19
    tracemalloc.start()
    try:
        for _ in range(200):
            model.fit(X, Y, iterations=1, learning_rate=0.5, progress=False)
        before = len(tracemalloc.take_snapshot().traces)
        for _ in range(2000):
            model.fit(X, Y, iterations=1, learning_rate=0.5, progress=False)
        after = len(tracemalloc.take_snapshot().traces)
    finally:
        tracemalloc.stop()
    assert after - before < 200, (before, after)
    assert model.step_.captures == 1


# --- random programs with random Python state changes between calls -----------------------

_UNARY = [ag.tanh, ag.sigmoid, ag.exp, ag.relu, lambda x: x * x, lambda x: -x,
          lambda x: ag.abs(x), lambda x: x.T.T, lambda x: x.sum(0, keepdims=True) + x,
          lambda x: x.max(-1, keepdims=True) * x]


@settings(max_examples=30, deadline=None)
@given(ops=st.lists(st.integers(0, len(_UNARY) - 1), min_size=1, max_size=5),
       changes=st.lists(st.tuples(st.floats(-2, 2), st.booleans(), st.integers(0, 2),
                                  st.booleans()), min_size=2, max_size=6),
       seed=st.integers(0, 2**16))
def test_random_programs_with_python_state_changed_between_calls(ops, changes, seed):
    def run(compiled):
        rng = np.random.RandomState(seed)
        w = ag.tensor(rng.randn(3, 4), requires_grad=True, name="w")
        state = {}
        log = []

        def step(X):
            w.grad = None
            h = w * X
            for k in ops[:len(ops) - state["drop"]]:
                h = _UNARY[k](h)
            J = (h * state["scale"]).sum()
            if state["flag"]:
                J = J + (w * w).sum()
            if state["read"]:
                log.append(J.item())
            J.backward()
            with ag.no_grad():
                w.__isub__(state["scale"] * 0.01 * w.grad)
            return J, w.grad
        step = _wrap(step, compiled)
        out = []
        for scale, flag, drop, read in changes:
            state.update(scale=scale, flag=flag, drop=min(drop, len(ops) - 1), read=read)
            out.append(step(rng.randn(3, 4)))
        return [out, log, w], step
    with np.errstate(all="ignore"):         # exp chains may overflow: the same in both runs
        _both(run)


def test_a_second_derivative_whose_steps_depend_on_the_values_follows_them():
    # pow's derivative at 0^0 needs a guard whose presence once depended on the values
    p = ag.tensor([0.0, 2.0, 3.0])

    def run(compiled):
        a = ag.tensor([1.0, 1.0, 2.0], requires_grad=True)

        def hvp(values):
            with ag.no_grad():
                a.__imul__(0.0)
                a.__iadd__(values)
            g = ag.grad((a ** p).sum(), a, create_graph=True)
            return g, ag.grad(g.sum(), a)
        hvp = _wrap(hvp, compiled)
        with np.errstate(all="ignore"):
            seen = [hvp(np.array(v)) for v in ([1.0, 1.0, 2.0], [0.0, 0.0, 2.0],
                                               [1.0, 0.0, 1.0], [0.0, 1.0, 0.0])]
        return [seen], hvp
    step = _both(run)
    assert step.captures == 1


# --- an optimizer's step as one event (inplace.update_each) ---------------------------------

@pytest.mark.parametrize("after", ["nothing", "a new branch", "a .data assignment"])
def test_an_optimizer_step_is_one_event_and_survives_a_new_path_after_it(after):
    X, Y = _data()
    flags = [False, False, True, True, False, True]

    def run(compiled):
        params = _params()
        opt = nn.optim.GradientDescent(params, 0.3)
        seen = []

        def step(X, Y, flag):
            opt.zero_grad()
            J = _cost(params, X, Y)
            J.backward()
            opt.step()                                # one update_each event
            if flag and after == "a new branch":      # an event no earlier call had: the
                seen.append((params[0] * 2).sum())    # update is run again, recording
            if flag and after == "a .data assignment":
                params[3].data = params[3].data * 1.0  # the call goes eager from the start
            return J
        step = _wrap(step, compiled)
        for flag in flags:
            seen.append(step(X, Y, flag))
            seen.append([p.data.copy() for p in params])
        return seen, step
    step = _both(run)
    if after == "nothing":
        assert (step.captures, step.replays) == (1, 5)
        update = step.source[step.source.index("# update"):]
        assert update.count("np.subtract(") == 4
        assert update.count("= v[") == 0 and step.source.count("scalar_") >= 1


def test_update_each_is_the_loop_it_replaces_for_any_dtypes():
    from autograd_lite import inplace
    rng = np.random.RandomState(0)
    for dtypes in [(np.float64, np.float64), (np.float32, np.float32),
                   (np.float32, np.float64)]:                     # mixed: the loop itself
        runs = []
        for grouped in (False, True):
            ts = [ag.tensor(rng.randn(3, 2).astype(d), requires_grad=True) for d in dtypes]
            grads = [ag.tensor(np.linspace(-1, 1, 6).reshape(3, 2).astype(d)) for d in dtypes]
            for t in ts:
                t.data[...] = np.arange(6).reshape(3, 2)
            with ag.no_grad():
                if grouped:
                    inplace.update_each(ts, np.subtract, grads, 0.1)
                else:
                    for t, g in zip(ts, grads):
                        t -= g * 0.1
            runs.append([t.data for t in ts])
        for a, b in zip(*runs):
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    w = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(ag.GraphError, match="in place"):       # grad mode: refused as p -= ...
        inplace.update_each([w], np.subtract, [ag.tensor([1.0])], 0.1)


def test_a_replay_warns_where_eager_warns_on_values():
    """log of a saturated sigmoid warns (NumericalWarning) on every call that saturates,
    compiled or not: the program makes the check eager makes, attributed to the caller."""
    w = ag.tensor([[1.0]], requires_grad=True)

    def run(compiled):
        def step(x):
            w.grad = None
            J = -ag.log(1 - ag.sigmoid(w @ x)).sum()
            J.backward()
            return J
        step = _wrap(step, compiled)
        seen = []
        for scale in (1.0, 60.0, 1.0, 60.0, 60.0):   # σ(60) rounds to 1: log(0)
            with warnings.catch_warnings(record=True) as got:
                warnings.simplefilter("always")
                with np.errstate(all="ignore"):
                    J = step(np.array([[scale, 0.5]]))
            seen.append([type(g.message).__name__ for g in got
                         if issubclass(g.category, ag.NumericalWarning)])
            seen.append(J)
        warned = ["NumericalWarning"]
        assert seen[::2] == [[], warned, [], warned, warned]
        return seen, step
    step = _both(run)
    assert step.replays == 4
