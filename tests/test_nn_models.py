"""The models' API: shapes, errors, fit options (printing, progress, callback, optimizers,
mini-batches), predict and score."""
import re

import numpy as np
import pytest

import autograd_lite as ag
import nn


def tiny_data(m=8, n_x=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    return X, (X[0:1] > 0).astype(np.int64)


def test_model_architectures():
    assert nn.LogisticRegression(5).layer_dims == [5, 1]
    shallow = nn.TwoLayerNet(2, 4, 1, seed=0)
    assert shallow.layer_dims == [2, 4, 1]
    assert [l.activation for l in shallow.layers] == ["tanh", "sigmoid"]
    deep = nn.DeepNN([6, 5, 4, 1], hidden="leaky_relu", seed=0)
    assert [l.activation for l in deep.layers] == ["leaky_relu", "leaky_relu", "sigmoid"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(layer_dims=[3]), "at least two positive integers"),
    (dict(layer_dims="12288"), "at least two positive integers"),
    (dict(layer_dims=[3, 0, 1]), r"layer_dims\[1\] must be a positive integer"),
    (dict(layer_dims=[3, 1], hidden="softmax"), "unknown hidden activation 'softmax'.*relu"),
    (dict(layer_dims=[3, 1], output="tanh"), "unknown output activation 'tanh'.*sigmoid"),
    (dict(layer_dims=[3, 1], output="softmax"), "softmax output needs at least 2 units"),
    (dict(layer_dims=[3, 1], init="normal"), "unknown init 'normal'"),
])
def test_bad_architectures_are_named(kwargs, message):
    with pytest.raises(nn.ConfigError, match=message):
        nn.DeepNN(**kwargs)


def test_X_that_does_not_fit_layer_dims_is_named():
    model = nn.DeepNN([4, 3, 1], seed=0)
    with pytest.raises(nn.NNShapeError, match=r"X has shape \(3, 10\).*\(4, m\)"):
        model.fit(np.ones((3, 10)), np.ones((1, 10)), iterations=1, learning_rate=0.1)
    with pytest.raises(nn.NNShapeError, match=r"X has shape \(10, 4\).*X\.T"):
        model.predict(np.ones((10, 4)))


@pytest.mark.parametrize("Y, hint", [
    (np.ones(10), r"Y\.reshape\(1, -1\)"),
    (np.ones((10, 1)), r"Y\.T"),
    (np.ones((1, 9)), r"\(1, 10\)"),
])
def test_Y_of_shape_m_or_m_1_is_refused_not_broadcast(Y, hint):
    model = nn.LogisticRegression(3)
    with pytest.raises(nn.NNShapeError, match=rf"Y has shape {re.escape(str(Y.shape))}.*{hint}"):
        model.fit(np.ones((3, 10)), Y, iterations=1, learning_rate=0.1)


def test_labels_outside_0_1_are_refused():
    with pytest.raises(nn.DataError, match=r"\[0, 1\].*\[0, 2\]"):
        nn.LogisticRegression(1).fit(np.ones((1, 3)), np.array([[0, 1, 2]]), 1, 0.1)


@pytest.mark.parametrize("kwargs, message", [
    (dict(iterations=0, learning_rate=0.1), "iterations must be a positive integer"),
    (dict(iterations=2.5, learning_rate=0.1), "iterations must be a positive integer"),
    (dict(iterations=10, learning_rate=0), "learning_rate must be a positive finite number"),
    (dict(iterations=10, learning_rate=-1), "learning_rate must be a positive finite number"),
    (dict(iterations=10, learning_rate=0.1, optimizer="sgdx"), "unknown optimizer 'sgdx'"),
    (dict(iterations=10, learning_rate=0.1, batch_size=0), "batch_size must be a positive"),
    (dict(iterations=10, learning_rate=0.1, print_every=-5), "print_every must be a positive"),
    (dict(iterations=10, learning_rate=0.1, callback=3), "callback must be callable"),
])
def test_bad_fit_arguments_are_named(kwargs, message):
    X, Y = tiny_data()
    model = nn.DeepNN([3, 2, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(nn.ConfigError, match=message):
        model.fit(X, Y, **kwargs)
    for name, value in model.state_dict().items():       # nothing was trained
        np.testing.assert_array_equal(value, before[name])


def test_fit_prints_the_course_line_every_n_iterations_and_at_the_end(capsys):
    X, Y = tiny_data()
    costs = nn.LogisticRegression(3).fit(X, Y, iterations=25, learning_rate=0.1,
                                         print_every=10)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"Cost after iteration {i}: {costs[i]:f}" for i in (0, 10, 20, 24)]
    assert lines[0] == "Cost after iteration 0: 0.693147"       # σ(0) = 0.5: J = log 2


def test_a_mini_batch_fit_prints_and_records_epochs(capsys):
    X, Y = tiny_data()
    costs = nn.LogisticRegression(3).fit(X, Y, iterations=5, learning_rate=0.1,
                                         batch_size=3, print_every=2, seed=0)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"Cost after epoch {i}: {costs[i]:f}" for i in (0, 2, 4)]
    assert costs.unit == "epoch" and len(costs) == 5
    # one batch of all m examples: epoch 0's cost is the zero model's log 2
    one_batch = nn.LogisticRegression(3).fit(X, Y, iterations=1, learning_rate=0.1,
                                             batch_size=X.shape[1], print_every=1, seed=0)
    assert capsys.readouterr().out == "Cost after epoch 0: 0.693147\n"
    assert one_batch == [pytest.approx(np.log(2), abs=1e-15)]


def test_a_full_batch_fit_records_iterations():
    X, Y = tiny_data()
    costs = nn.LogisticRegression(3).fit(X, Y, iterations=3, learning_rate=0.1)
    assert costs.unit == "iteration" and isinstance(costs, list)


def test_fit_returns_every_cost_as_a_float_and_keeps_it():
    X, Y = tiny_data()
    model = nn.DeepNN([3, 2, 1], seed=0)
    costs = model.fit(X, Y, iterations=7, learning_rate=0.1)
    assert len(costs) == 7 and all(type(c) is float for c in costs)
    assert model.costs_ is costs
    # each recorded cost is the cost before that iteration's update: the last one is not
    # the cost of the trained model
    assert model.cost(X, Y).item() != costs[-1]


def test_callback_sees_every_iteration_and_can_stop_training():
    X, Y = tiny_data()
    seen = []

    def callback(i, cost, model):
        seen.append((i, cost, isinstance(model, nn.DeepNN)))
        return i == 4

    costs = nn.DeepNN([3, 2, 1], seed=0).fit(X, Y, iterations=100, learning_rate=0.1,
                                             callback=callback)
    assert [i for i, _, _ in seen] == [0, 1, 2, 3, 4]
    assert [c for _, c, _ in seen] == costs and all(ok for _, _, ok in seen)


def test_progress_bar_is_drawn_when_asked(capsys):
    X, Y = tiny_data()
    nn.LogisticRegression(3).fit(X, Y, iterations=20, learning_rate=0.1, progress=True)
    err = capsys.readouterr().err
    assert "LogisticRegression.fit" in err and "/20 [" in err


def test_no_progress_bar_for_short_fits(capsys):
    X, Y = tiny_data()
    nn.LogisticRegression(3).fit(X, Y, iterations=20, learning_rate=0.1)
    assert capsys.readouterr().err == ""


def test_cost_decreases_with_each_optimizer():
    X, Y = nn.datasets.moons(m=200, seed=1)
    for name, rate in [("gd", 0.5), ("momentum", 0.5), ("adam", 0.01)]:
        model = nn.DeepNN([2, 8, 1], hidden="tanh", init="xavier", seed=0)
        costs = model.fit(X, Y, iterations=400, learning_rate=rate, optimizer=name)
        assert costs[-1] < 0.6 * costs[0], name


def test_fit_accepts_an_optimizer_instance_but_not_also_a_rate():
    X, Y = tiny_data()
    model = nn.DeepNN([3, 2, 1], seed=0)
    opt = nn.optim.Adam(model.parameters(), learning_rate=0.01)
    model.fit(X, Y, iterations=3, optimizer=opt)
    assert opt.t == 3
    with pytest.raises(nn.ConfigError, match="not both"):
        model.fit(X, Y, iterations=3, learning_rate=0.1, optimizer=opt)


def test_mini_batch_epoch_cost_is_the_mean_over_examples():
    X, Y = tiny_data(m=10)
    model = nn.DeepNN([3, 2, 1], seed=0)
    start = model.state_dict()
    costs = model.fit(X, Y, iterations=1, learning_rate=0.1, batch_size=4, seed=5)
    # replay: the same shuffle, batches of 4, 4, 2, one gradient step each
    replay = nn.DeepNN([3, 2, 1], seed=0)
    replay.load_state_dict(start)
    order = np.random.RandomState(5).permutation(10)      # seed=5: the course's stream
    total = 0.0
    for batch in (order[:4], order[4:8], order[8:]):
        J = replay.cost(X[:, batch], Y[:, batch])
        total += J.item() * len(batch)
        replay.zero_grad()
        J.backward()
        with ag.no_grad():
            for p in replay.parameters():
                p.data -= 0.1 * p.grad.data
    assert costs == [pytest.approx(total / 10, rel=1e-12)]
    for name, value in replay.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[name], value, rtol=1e-12)


def test_predict_thresholds_at_one_half_and_score_counts_columns():
    model = nn.LogisticRegression(1)
    model.layer1.W.data = np.array([[1.0]])
    X = np.array([[-1.0, 0.0, 1e-9, 2.0]])                 # σ: <0.5, =0.5, >0.5, >0.5
    np.testing.assert_array_equal(model.predict(X), [[0, 0, 1, 1]])
    np.testing.assert_allclose(model.predict_proba(X), 1 / (1 + np.exp(-X)), rtol=1e-12)
    assert model.score(X, np.array([[0, 1, 1, 1]])) == 0.75
    assert model.accuracy(X, np.array([[0, 0, 1, 1]])) == 1.0


def test_predict_records_no_graph(monkeypatch):
    model = nn.DeepNN([2, 3, 1], seed=0)
    outputs = []
    original = model.layer2.forward
    monkeypatch.setattr(model.layer2, "forward", lambda A: outputs.append(original(A)) or
                        outputs[-1])
    model.predict(np.ones((2, 4)))
    assert len(outputs) == 1
    assert not outputs[0].requires_grad and outputs[0].grad_fn is None


def test_softmax_model_predicts_one_hot_and_learns():
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 3.0, -3.0], [3.0, -2.0, -2.0]])
    labels = rng.integers(0, 3, size=150)
    X = centers[:, labels] + rng.standard_normal((2, 150)) * 0.5
    Y = np.eye(3)[:, labels]
    model = nn.DeepNN([2, 6, 3], hidden="relu", output="softmax", init="he", seed=0)
    costs = model.fit(X, Y, iterations=300, learning_rate=0.5)
    assert costs[0] > 1.0 > 0.2 > costs[-1]
    P = model.predict(X)
    assert P.shape == (3, 150) and (P.sum(axis=0) == 1).all()
    assert model.score(X, Y) > 0.95


def test_fit_uses_X_without_copying(monkeypatch):
    X, Y = tiny_data()
    seen = []
    model = nn.LogisticRegression(3)
    original = model.layer1.forward

    def spy(A_prev):
        seen.append(A_prev)
        return original(A_prev)

    monkeypatch.setattr(model.layer1, "forward", spy)
    model.fit(X, Y, iterations=2, learning_rate=0.1)
    assert all(t.data is X for t in seen)


def test_integer_X_is_converted():
    model = nn.LogisticRegression(2)
    costs = model.fit(np.array([[0, 1], [1, 0]]), np.array([[0, 1]]), 5, 0.1)
    assert costs[0] == pytest.approx(np.log(2))


# --- the eager loop: each graph is dropped with its cost, not released op by op --------------

@pytest.mark.parametrize("optimizer,rate", [("gd", 1.2), ("momentum", 0.5), ("adam", 0.01)])
def test_eager_fit_is_bitwise_the_loop_a_learner_writes(optimizer, rate):
    X, Y = nn.datasets.planar_flower(m=100, seed=1)
    model = nn.TwoLayerNet(2, 4, 1, seed=2)
    hand = nn.TwoLayerNet(2, 4, 1, seed=2)
    costs = model.fit(X, Y, iterations=30, learning_rate=rate, optimizer=optimizer,
                      compile=False)
    opt = nn.optim.get_optimizer(optimizer, hand.parameters(), rate)
    hand_costs = []
    for _ in range(30):                    # backward() releases the graph: the default
        opt.zero_grad()
        J = hand.cost(X, Y)
        hand_costs.append(J.item())
        J.backward()
        opt.step()
    assert costs == hand_costs             # floats compared exactly
    for name, value in hand.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[name], value)


@pytest.mark.parametrize("batch_size", [None, 32])
def test_eager_fit_frees_each_graph_with_its_cost_without_the_collector(batch_size):
    import gc
    X, Y = nn.datasets.planar_flower(m=100, seed=1)
    model = nn.TwoLayerNet(2, 4, 1, seed=2)

    def graph_nodes():          # Function objects holding their inputs (unreleased)
        return sum(isinstance(o, ag.Function) and "inputs" in o.__dict__
                   for o in gc.get_objects())

    gc.collect()
    before = graph_nodes()
    gc.disable()                # what reference counting frees, it frees at once
    try:
        model.fit(X, Y, iterations=20, learning_rate=0.5, batch_size=batch_size, seed=0,
                  compile=False)
        assert graph_nodes() == before
    finally:
        gc.enable()
