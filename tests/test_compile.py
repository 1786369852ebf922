"""ag.compile: a captured step replays bitwise what the eager step computes, or refuses.

Every comparison here is equality, not closeness: a replay runs the same numpy calls in the
same order as the eager step, so any difference is a bug.
"""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
import nn


def _params(seed=0, shapes=((4, 2), (4, 1), (1, 4), (1, 1))):
    rng = np.random.RandomState(seed)
    names = ("W1", "b1", "W2", "b2")
    return [ag.tensor(rng.randn(*s) * 0.5, requires_grad=True, name=n)
            for s, n in zip(shapes, names)]


def _shallow_step(params, lr=0.5):
    W1, b1, W2, b2 = params

    def step(X, Y):
        for p in params:
            p.grad = None
        A1 = ag.tanh(W1 @ X + b1)
        A2 = ag.sigmoid(W2 @ A1 + b2)
        J = -(Y * ag.log(A2) + (1 - Y) * ag.log(1 - A2)).mean()
        J.backward()
        with ag.no_grad():
            for p in params:
                p -= lr * p.grad
        return J
    return step


def _data(m=50, seed=1):
    rng = np.random.RandomState(seed)
    X = rng.randn(2, m)
    Y = (rng.rand(1, m) > 0.5).astype(np.float64)
    return X, Y


def _run_both(make_step, calls):
    """The same step eagerly and compiled from equal parameters: results of every call."""
    eager_params, compiled_params = _params(), _params()
    eager, compiled = make_step(eager_params), ag.compile(make_step(compiled_params))
    out_e = [eager(*args) for args in calls]
    out_c = [compiled(*args) for args in calls]
    return out_e, out_c, eager_params, compiled_params, compiled


def test_replay_is_bitwise_the_eager_step_and_updates_the_same_parameter_objects():
    X, Y = _data()
    calls = [(X, Y)] * 6
    out_e, out_c, pe, pc, step = _run_both(_shallow_step, calls)
    assert [j.item() for j in out_e] == [j.item() for j in out_c]
    for a, b in zip(pe, pc):
        assert np.array_equal(a.data, b.data) and np.array_equal(a.grad.data, b.grad.data)
        assert b.is_leaf and b.requires_grad              # still the parameters, updated
    assert (step.captures, step.replays) == (1, 5)


def test_a_new_batch_of_the_same_shape_replays_on_the_new_data():
    batches = [_data(seed=s) for s in range(5)]
    out_e, out_c, pe, pc, step = _run_both(_shallow_step, batches)
    assert [j.item() for j in out_e] == [j.item() for j in out_c]
    assert step.captures == 1


def test_new_shapes_capture_again_and_each_signature_keeps_its_program():
    calls = [_data(m=50), _data(m=50, seed=2), _data(m=16), _data(m=50, seed=3), _data(m=16)]
    out_e, out_c, pe, pc, step = _run_both(_shallow_step, calls)
    assert [j.item() for j in out_e] == [j.item() for j in out_c]
    assert (step.captures, step.replays) == (2, 3)


def test_float32_steps_replay_in_float32():
    X, Y = (a.astype(np.float32) for a in _data())

    def make(params):
        for p in params:
            p.data = p.data.astype(np.float32)
        return _shallow_step(params)
    out_e, out_c, pe, pc, step = _run_both(make, [(X, Y)] * 4)
    assert out_c[-1].dtype == np.float32
    assert [j.item() for j in out_e] == [j.item() for j in out_c]


def test_a_parameter_replaced_by_another_shape_captures_again():
    params = _params()
    step = ag.compile(_shallow_step(params))
    X, Y = _data()
    step(X, Y)
    step(X, Y)
    params[0].data = np.zeros((4, 2))             # same shape: replayed, reads the new values
    j_same = step(X, Y)
    assert step.captures == 1
    params[0].data = np.zeros((3, 2))             # another shape: W2 @ A1 no longer fits
    with pytest.raises(ag.ShapeError):
        step(X, Y)
    assert step.captures == 1                      # a failed capture keeps nothing
    params[0].data, params[1].data = np.zeros((3, 2)), np.zeros((3, 1))
    params[2].data = np.zeros((1, 3))
    step(X, Y)
    assert step.captures == 2
    assert np.isfinite(j_same.item())


def test_accumulating_grads_without_zero_grad_matches_eager():
    def make(params):
        W1 = params[0]

        def step(X):
            (W1 * X[:, :1].T.sum()).sum().backward()     # never cleared: .grad accumulates
            return W1.grad * 1
        return step
    X, _ = _data()
    out_e, out_c, pe, pc, step = _run_both(make, [(X,)] * 4)
    for a, b in zip(out_e, out_c):
        assert np.array_equal(a.data, b.data)
    assert np.array_equal(pe[0].grad.data, pc[0].grad.data)


def test_the_program_prunes_the_gradient_of_the_data_and_unused_work():
    W = ag.tensor(np.ones((3, 2)), requires_grad=True, name="W")

    @ag.compile
    def step(X):
        unused = ag.exp(X) * 2                          # computed, never used: pruned
        J = (W @ X).sum()
        J.backward()
        return J
    step(np.ones((2, 4)))
    source = step.source
    assert "np.exp" not in source and "dX" not in source
    assert "dW = np.dot(dmatmul, X.T)" in source              # no gradient for X (needs none)
    step = ag.compile(step.fn, passes=())               # the ops' methods, called
    step(np.ones((2, 4)))
    assert "exp" not in step.source and "dX" not in step.source
    assert "dW, _ = matmul_1.backward(" in step.source


def test_source_names_tensors_and_shows_each_rule():
    model = nn.TwoLayerNet(2, 4, 1, seed=0)
    X, Y = _data()
    model.fit(X, Y, iterations=2, learning_rate=0.1, progress=False)
    step = ag.compile(model._make_step(nn.optim.GradientDescent(model.parameters(), 0.1)),
                      passes=("direct",))           # without buffers: as the course writes it
    Xt, Yt = model._check_data(X, Y)
    Xt.name, Yt.name = "X", "Y"
    step(Xt, Yt)
    source = step.source
    for text in ("layer1_W             = v[0]   # input (4, 2) float64",
                 "layer1_matmul = np.dot(layer1_W, X)", "layer1_tanh = np.tanh(layer1_add)",
                 "dlayer1_add = dlayer1_tanh * (1 - layer1_tanh * layer1_tanh)",
                 "dlayer1_W = np.dot(dlayer1_add, X.T)",
                 "# tanh: dz = da · (1 − a²)", "# forward", "# backward", "# update",
                 "np.subtract(layer1_W, "):
        assert text in source, text
    compile(source, "<source>", "exec")                 # it is valid Python


# --- nn: fit compiles by default; costs bitwise those of the eager fit ----------------------

@pytest.mark.parametrize("optimizer,options", [("gd", {}), ("momentum", {"beta": 0.9}),
                                               ("adam", {"beta1": 0.9, "beta2": 0.99})])
def test_fit_compiled_equals_eager_for_each_optimizer_with_minibatches(optimizer, options):
    X, Y = nn.datasets.planar_flower(m=200, seed=1)
    runs = []
    for compiled in (False, True):
        model = nn.TwoLayerNet(2, 4, 1, seed=nn.init.course_rng(2))
        costs = model.fit(X, Y, iterations=6, learning_rate=0.05, optimizer=optimizer,
                          batch_size=64, seed=0, compile=compiled, progress=False, **options)
        runs.append((costs, [p.data.copy() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0]                     # 200 = 3·64 + 8: a short last batch
    for a, b in zip(runs[0][1], runs[1][1]):
        assert np.array_equal(a, b)


def test_fit_compiled_equals_eager_on_the_planar_flower():
    X, Y = nn.datasets.planar_flower()
    costs = []
    for compiled in (False, True):
        model = nn.TwoLayerNet(2, 4, 1, seed=nn.init.course_rng(2))
        costs.append(model.fit(X, Y, 1500, 1.2, compile=compiled, progress=False))
    assert costs[0] == costs[1]
    assert round(costs[1][1000], 6) == 0.288083          # the course's printed cost


def test_fit_compiled_equals_eager_for_logistic_regression_on_the_cats(cat_data):
    costs = []
    for compiled in (False, True):
        model = nn.LogisticRegression(cat_data.train_x.shape[0])
        costs.append(model.fit(cat_data.train_x, cat_data.train_y, 2000, 0.005,
                               compile=compiled, progress=False))
    assert costs[0] == costs[1]
    assert [round(costs[1][i], 6) for i in (0, 100, 1900)] == [0.693147, 0.584508, 0.140872]


@pytest.mark.slow
def test_fit_compiled_equals_eager_for_the_deep_network_on_the_cats(cat_data):
    costs, scores = [], []
    for compiled in (False, True):
        model = nn.DeepNN([12288, 20, 7, 5, 1], seed=nn.init.course_rng(1))
        costs.append(model.fit(cat_data.train_x, cat_data.train_y, 2500, 0.0075,
                               compile=compiled, progress=False))
        scores.append((model.score(cat_data.train_x, cat_data.train_y),
                       model.score(cat_data.test_x, cat_data.test_y)))
    assert costs[0] == costs[1]                           # all 2500 costs, bitwise
    assert round(costs[1][2400], 6) == 0.092878 and scores[0] == scores[1]


def test_a_diverging_compiled_fit_stops_before_applying_the_bad_gradient():
    X, Y = nn.datasets.circles(m=50, seed=0)
    results = []
    for compiled in (False, True):
        model = nn.DeepNN([2, 3, 1], hidden="relu", init="he", seed=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(nn.TrainingError) as info:
                model.fit(X, Y, iterations=300, learning_rate=100.0, compile=compiled,
                          progress=False)
        results.append((model.costs_, str(info.value), [p.data.copy() for p in model.parameters()]))
    assert results[0][0] == results[1][0] and results[0][1] == results[1][1]
    assert all(np.array_equal(a, b) for a, b in zip(results[0][2], results[1][2]))


def test_a_cost_whose_branch_changes_on_replay_falls_back_and_matches_eager():
    # binary_cross_entropy takes another formula when a probability is exactly 0 or 1: the
    # guard sees it change on the replay, and that call runs (and captures) eagerly
    def make(params):
        W = params[0]

        def step(X, Y):
            W.grad = None
            J = nn.losses.binary_cross_entropy(ag.sigmoid(W[:1] @ X), Y)
            J.backward()
            return J, W.grad * 1
        return step
    small, huge = np.ones((2, 3)), np.full((2, 3), 1e3)
    Y = np.array([[1.0, 0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out_e, out_c, _, _, step = _run_both(make, [(small, Y), (huge, Y), (small, Y)])
    for (je, ge), (jc, gc) in zip(out_e, out_c):
        assert je.item() == jc.item() and np.array_equal(ge.data, gc.data, equal_nan=True)
    assert step.captures == 2


# --- second order -----------------------------------------------------------------------------

def _hvp_step(params):
    """A Hessian-vector product of the shallow cost, v = all ones."""
    W1, b1, W2, b2 = params

    def step(X, Y):
        A2 = ag.sigmoid(W2 @ ag.tanh(W1 @ X + b1) + b2)
        J = -(Y * ag.log(A2) + (1 - Y) * ag.log(1 - A2)).mean()
        grads = ag.grad(J, params, create_graph=True)
        dot = sum((g * ag.ones(g.shape)).sum() for g in grads)
        return ag.grad(dot, params)
    return step


def test_second_order_hessian_vector_products_replay_bitwise():
    batches = [_data(seed=s) for s in range(4)]
    out_e, out_c, _, _, step = _run_both(_hvp_step, batches)
    for he, hc in zip(out_e, out_c):
        for a, b in zip(he, hc):
            assert np.array_equal(a.data, b.data)
    assert step.replays == 3


@pytest.mark.parametrize("op", [ag.relu, ag.abs, lambda x: ag.maximum(x, 0.3 * x),
                                lambda x: ag.clip(x, -0.5, 0.5), lambda x: x ** 3,
                                lambda x: ag.where(x > 0, x * x, -x)])
def test_second_order_through_ops_that_save_masks_reads_the_replayed_masks(op):
    w = ag.tensor([0.3, -0.2, 0.5], requires_grad=True)

    def step(X):
        g = ag.grad((op(w * X) * w).sum(), w, create_graph=True)
        return ag.grad((g * g).sum(), w)
    compiled = ag.compile(step)
    rng = np.random.RandomState(0)
    for _ in range(5):                                  # signs change: so do the masks
        X = rng.randn(3)
        assert np.array_equal(step(X).data, compiled(X).data)


# --- what a replay could not repeat is refused while capturing --------------------------------

def test_anomaly_mode_runs_the_step_eagerly():
    params = _params()
    step = ag.compile(_shallow_step(params))
    with ag.detect_anomaly():
        step(*_data())
        step(*_data())
    assert step.captures == 0 and step.replays == 0


def test_source_before_the_first_call_says_so():
    with pytest.raises(ag.CaptureError, match="has not been called yet"):
        ag.compile(lambda X: X).source


# --- random programs: compiled == eager -------------------------------------------------------

_UNARY = [ag.tanh, ag.sigmoid, ag.exp, ag.relu, lambda x: x * x, lambda x: -x,
          lambda x: ag.abs(x), lambda x: ag.softplus(x), lambda x: x.T.T,
          lambda x: ag.log(1 + x * x), lambda x: ag.sqrt(1 + x * x), lambda x: x.sum(0),
          lambda x: x.max(-1, keepdims=True), lambda x: ag.where(x > 0.1, x, 2 * x)]
_BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b,
           lambda a, b: a / (1.5 + b * b), lambda a, b: ag.maximum(a, b)]


@settings(max_examples=40, deadline=None)
@given(ops=st.lists(st.tuples(st.integers(0, len(_UNARY) - 1), st.integers(0, len(_BINARY) - 1),
                              st.integers(0, 3)), min_size=1, max_size=8),
       seed=st.integers(0, 2**16), order=st.sampled_from([1, 2]))
def test_random_programs_replay_bitwise(ops, seed, order):
    rng = np.random.RandomState(seed)
    w = ag.tensor(rng.randn(3, 4), requires_grad=True, name="w")
    v = ag.tensor(rng.randn(1, 4), requires_grad=True, name="v")

    def step(X):
        values = [w * X, v + X, X]
        for u, b, pick in ops:
            x = _UNARY[u](values[pick % len(values)])
            y = values[(pick + 1) % len(values)]
            if x.shape == y.shape or (x.ndim == 2 and y.ndim == 2):
                x = _BINARY[b](x, y)
            values.append(x)
        J = sum(t.sum() for t in values[-2:])
        if order == 1:
            return ag.grad(J, [w, v], allow_unused=True) + [J]
        g = ag.grad(J, [w, v], create_graph=True, allow_unused=True)
        return ag.grad(sum((t * t).sum() for t in g if t is not None) + (w * v).sum(), [w, v],
                       allow_unused=True)
    compiled = ag.compile(step)
    for _ in range(3):
        X = ag.as_tensor(rng.randn(3, 4))
        try:
            eager = step(X)
        except ag.GraphError:                        # nothing here needs a gradient
            with pytest.raises(ag.GraphError):
                compiled(X)
            continue
        replayed = compiled(X)
        assert len(eager) == len(replayed)
        for a, b in zip(eager, replayed):
            assert (a is None and b is None) or np.array_equal(a.data, b.data, equal_nan=True)


def test_a_tensor_made_in_the_step_and_updated_in_place_starts_fresh_on_every_replay():
    w = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def step(X):
        total = ag.zeros(3)                     # made inside the step: fresh every call
        with ag.no_grad():
            total += X
            total *= 2.0
        return w * total
    compiled = ag.compile(step)
    for k in range(4):
        X = np.full(3, float(k))
        assert np.array_equal(step(X).data, compiled(X).data)
    assert compiled.replays == 3


def test_a_retained_intermediate_gets_its_gradient_on_every_call():
    w = ag.tensor([1.0, -2.0], requires_grad=True, name="w")
    kept = []

    def step(X):
        w.grad = None
        Z = (w * X).retain_grad()                # an intermediate, kept by the Python
        kept.append(Z)
        (Z * Z).sum().backward()
        return w.grad * 1, Z.grad
    compiled = ag.compile(step)
    X = np.array([3.0, 4.0])
    (first, dZ1), (second, dZ2) = compiled(X), compiled(X * 2)
    assert np.array_equal(first.data, 2 * (w.data * X) * X)
    assert np.array_equal(second.data, 2 * (w.data * 2 * X) * 2 * X)
    assert np.array_equal(kept[0].grad.data, 2 * w.data * X) and kept[0].grad is dZ1
    assert np.array_equal(kept[1].grad.data, 2 * w.data * 2 * X) and kept[1].grad is dZ2
    assert compiled.replays == 1


def test_results_keep_their_structure_numbers_and_none_included():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    step = ag.compile(lambda X, k: {"J": (w * X).sum(), "parts": [w * X, None], "k": k})
    for X in (np.ones(2), np.array([3.0, -1.0])):
        out = step(X, 7)
        assert set(out) == {"J", "parts", "k"} and out["k"] == 7 and out["parts"][1] is None
        assert out["J"].item() == float((w.data * X).sum())
        assert np.array_equal(out["parts"][0].data, w.data * X)
    assert (step.captures, step.replays) == (1, 1)


def test_results_held_only_as_a_detached_view_or_in_a_container_get_their_values():
    """At the end of a call only the lazy tensors something still holds get arrays: a
    detach() of an intermediate the step dropped, a result kept in a list by the step."""
    kept = []

    def make(params):
        W1, b1, W2, b2 = params

        def step(X):
            A1 = ag.tanh(W1 @ X + b1)
            kept.append(A1 * 2.0)                      # held by a list, not returned
            out = (W2 @ A1 + b2).detach()              # the tensor it views is dropped
            return out
        return step
    X, _ = _data()
    calls = [(X,), (X * 0.5,), (X - 1.0,)]
    out_e, out_c, _, _, compiled = _run_both(make, calls)
    assert compiled.replays == 2
    for e, c in zip(out_e, out_c):
        assert np.array_equal(e.data, c.data)
    for e, c in zip(kept[:3], kept[3:]):               # the eager calls, then the compiled
        assert np.array_equal(e.data, c.data)
