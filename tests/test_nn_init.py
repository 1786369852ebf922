"""Initializers: the course's exact random streams and the statistics of each scheme."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from nn import init


def test_course_legacy_stream_is_reproduced_layer_by_layer():
    layer_dims = [12288, 20, 7, 5, 1]
    # the course: np.random.seed(1); W[l] = np.random.randn(n[l], n[l-1]) / np.sqrt(n[l-1])
    legacy = np.random.RandomState(1)
    expected = [legacy.randn(n, n_prev) / np.sqrt(n_prev)
                for n_prev, n in zip(layer_dims[:-1], layer_dims[1:])]
    model = nn.DeepNN(layer_dims, init="deep", seed=init.course_rng(1))
    for layer, W in zip(model.layers, expected):
        np.testing.assert_array_equal(layer.W.data, W)          # bit for bit
        np.testing.assert_array_equal(layer.b.data, np.zeros((W.shape[0], 1)))


def test_course_shallow_initialization_stream():
    # week 3: np.random.seed(2); W1 = randn(n_h, n_x) * 0.01; W2 = randn(n_y, n_h) * 0.01
    legacy = np.random.RandomState(2)
    W1, W2 = legacy.randn(4, 2) * 0.01, legacy.randn(1, 4) * 0.01
    model = nn.TwoLayerNet(2, 4, 1, seed=init.course_rng(2))
    np.testing.assert_array_equal(model.layer1.W.data, W1)
    np.testing.assert_array_equal(model.layer2.W.data, W2)


def test_course_rng_leaves_numpys_global_state_alone():
    before = np.random.get_state()[1].copy()
    nn.DeepNN([5, 3, 1], seed=init.course_rng(1))
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_he_stream_matches_course_2_formula():
    legacy = np.random.RandomState(3)
    expected = legacy.randn(4, 6) * np.sqrt(2.0 / 6)
    np.testing.assert_array_equal(init.he(4, 6, init.course_rng(3)), expected)


def test_logistic_regression_starts_at_zero_without_drawing():
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    model = nn.LogisticRegression(6, seed=rng)
    assert rng.bit_generator.state == state
    assert not model.layer1.W.data.any() and not model.layer1.b.data.any()
    assert model.layer1.W.shape == (1, 6)


@pytest.mark.parametrize("name", ["small", "deep", "he", "xavier"])
def test_an_int_seed_or_a_random_state_give_reproducible_weights(name):
    a = nn.DeepNN([4, 3, 2], init=name, seed=7)
    b = nn.DeepNN([4, 3, 2], init=name, seed=np.random.RandomState(7))
    c = nn.DeepNN([4, 3, 2], init=name, seed=8)
    np.testing.assert_array_equal(a.layer2.W.data, b.layer2.W.data)
    assert not np.array_equal(a.layer2.W.data, c.layer2.W.data)


# --- one meaning of seed: an int is the course's np.random.seed(seed) stream everywhere ----------

def test_an_int_seed_is_the_course_stream_in_every_model():
    # the course's notebooks: np.random.seed(s), then randn layer by layer (global numpy)
    def course_weights(seed, layer_dims, scale):
        np.random.seed(seed)
        return [scale(np.random.randn(n, n_prev), n_prev)
                for n_prev, n in zip(layer_dims[:-1], layer_dims[1:])]

    state = np.random.get_state()
    try:
        deep = course_weights(1, [12288, 20, 7, 5, 1], lambda W, n_prev: W / np.sqrt(n_prev))
        shallow = course_weights(2, [2, 4, 1], lambda W, n_prev: W * 0.01)
    finally:
        np.random.set_state(state)
    models = [(nn.DeepNN([12288, 20, 7, 5, 1], seed=1), deep),
              (nn.TwoLayerNet(2, 4, 1, seed=2), shallow)]
    for model, expected in models:
        assert len(model.layers) == len(expected)
        for layer, W in zip(model.layers, expected):
            np.testing.assert_array_equal(layer.W.data, W)               # bit for bit


def test_seed_1_and_course_rng_1_are_the_same_everywhere():
    np.testing.assert_array_equal(nn.Linear(5, 3, init="he", seed=1).W.data,
                                  nn.Linear(5, 3, init="he", seed=init.course_rng(1)).W.data)
    for (W, _), (W_rs, _) in zip(init.initialize([4, 3, 2], "deep", seed=1),
                                 init.initialize([4, 3, 2], "deep", seed=init.course_rng(1))):
        np.testing.assert_array_equal(W, W_rs)
    X, Y = nn.datasets.xor(m=30, seed=3)
    np.testing.assert_array_equal(X, np.random.RandomState(3).uniform(-1.0, 1.0, size=(2, 30)))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), n_in=st.integers(1, 6), n_out=st.integers(1, 6))
def test_a_layers_int_seed_draws_randn_after_np_random_seed(seed, n_in, n_out):
    expected = np.random.RandomState(seed).randn(n_out, n_in) / np.sqrt(n_in)
    np.testing.assert_array_equal(nn.Linear(n_in, n_out, init="deep", seed=seed).W.data,
                                  expected)


def test_mini_batch_shuffling_with_an_int_seed_is_the_course_permutation():
    # fit(seed=4) shuffles with RandomState(4).permutation(m), epoch after epoch (the course's
    # mini-batch notebook draws np.random.permutation(m) after np.random.seed)
    class Recording(np.random.RandomState):
        orders = []

        def permutation(self, m):
            order = super().permutation(m)
            self.orders.append(order)
            return order

    X, Y = nn.datasets.xor(m=12, seed=0)
    runs = []
    for seed in (4, Recording(4)):
        model = nn.LogisticRegression(2)
        runs.append(model.fit(X, Y, iterations=3, learning_rate=0.1, batch_size=5, seed=seed))
    assert runs[0] == runs[1]                                       # bit for bit
    course = np.random.RandomState(4)
    assert [order.tolist() for order in Recording.orders] == \
        [course.permutation(12).tolist() for _ in range(3)]


def test_a_generator_is_still_accepted_and_drawn_in_order():
    model = nn.DeepNN([3, 4, 2], init="deep", seed=np.random.default_rng(5))
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(model.layer1.W.data, rng.standard_normal((4, 3)) / np.sqrt(3))
    np.testing.assert_array_equal(model.layer2.W.data, rng.standard_normal((2, 4)) / np.sqrt(4))


def test_an_int_seed_leaves_numpys_global_state_alone():
    before = np.random.get_state()[1].copy()
    nn.DeepNN([5, 3, 1], seed=1)
    nn.datasets.moons(m=10, seed=1)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("seed", [-1, 2 ** 32, True, 1.0, "1"])
def test_a_seed_numpy_cannot_take_is_named(seed):
    with pytest.raises(nn.ConfigError, match=r"seed must be .*not"):
        nn.DeepNN([3, 1], seed=seed)


SCALES = {   # the standard deviation of each scheme, from its definition
    "small": lambda n_out, n_in: 0.01,
    "deep": lambda n_out, n_in: 1 / np.sqrt(n_in),
    "he": lambda n_out, n_in: np.sqrt(2 / n_in),
    "xavier": lambda n_out, n_in: np.sqrt(2 / (n_in + n_out)),
}


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(sorted(SCALES)), n_out=st.integers(50, 200),
       n_in=st.integers(50, 200), seed=st.integers(0, 2 ** 32 - 1))
def test_initializer_statistics(name, n_out, n_in, seed):
    W = init.get_initializer(name)(n_out, n_in, init.make_rng(seed))
    n, sigma = W.size, SCALES[name](n_out, n_in)
    assert W.shape == (n_out, n_in)
    # mean within 6 standard errors of 0; std within 6 standard errors of sigma
    assert abs(W.mean()) < 6 * sigma / np.sqrt(n)
    assert abs(W.std() / sigma - 1) < 6 / np.sqrt(2 * n)


def test_initialize_returns_course_shaped_pairs():
    params = init.initialize([5, 4, 1], "he", seed=0)
    assert [(W.shape, b.shape) for W, b in params] == [((4, 5), (4, 1)), ((1, 4), (1, 1))]


def test_unknown_initializer_and_bad_seed_are_named():
    with pytest.raises(nn.ConfigError, match="unknown init 'uniform'.*zeros.*he"):
        nn.DeepNN([2, 1], init="uniform")
    with pytest.raises(nn.ConfigError, match="seed must be"):
        init.make_rng("1")


def test_float32_initialization():
    assert init.deep(3, 4, init.make_rng(0), dtype=np.float32).dtype == np.float32
