"""Reliability: threads do not disturb each other.

``no_grad`` and ``name_scope`` are per thread, and two models trained in two threads at the
same time end bit for bit where they end when trained one after the other — even with the
interpreter switching threads every few microseconds, so that one thread's optimizer steps
(which advance the engine's mutation clock) land between the other's forward and backward.
"""
import sys
import threading
import time

import numpy as np
import pytest

import autograd_lite as ag
import nn


@pytest.fixture
def fast_switching():
    """Make the interpreter switch threads very often while the test runs."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(previous)


def _run_in_threads(*jobs, timeout=60):
    """Start every job at the same moment, each in its own thread; return their results."""
    barrier = threading.Barrier(len(jobs))
    results, errors, spans = [None] * len(jobs), [], [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            start = time.perf_counter()
            results[i] = job()
            spans[i] = (start, time.perf_counter())
        except BaseException as exc:          # reported in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    assert not errors, errors
    # they really ran at the same time: every job started before every other one ended
    assert max(start for start, _ in spans) < min(end for _, end in spans)
    return results


def test_no_grad_in_one_thread_does_not_stop_recording_in_another():
    inside, recorded = threading.Event(), threading.Event()
    seen = {}

    def quiet():
        w = ag.tensor([1.0], requires_grad=True)
        with ag.no_grad():
            inside.set()
            assert recorded.wait(10)          # the other thread records meanwhile
            seen["quiet"] = (w * 2).grad_fn
        seen["quiet after"] = (w * 2).grad_fn is not None

    def busy():
        assert inside.wait(10)
        w = ag.tensor([1.0], requires_grad=True)
        seen["busy"] = (w * 2).grad_fn is not None
        seen["busy mode"] = ag.is_grad_enabled()
        recorded.set()

    _run_in_threads(quiet, busy)
    assert seen == {"quiet": None, "quiet after": True, "busy": True, "busy mode": True}


def test_name_scopes_do_not_leak_between_threads():
    inside, done = threading.Event(), threading.Event()
    scopes = {}

    def scoped():
        with ag.name_scope("layer1"):
            inside.set()
            assert done.wait(10)
            scopes["scoped"] = (ag.tensor(1.0, requires_grad=True) * 2).grad_fn.scope

    def plain():
        assert inside.wait(10)
        scopes["plain"] = (ag.tensor(1.0, requires_grad=True) * 2).grad_fn.scope
        done.set()

    _run_in_threads(scoped, plain)
    assert scopes == {"scoped": "layer1", "plain": None}


def _job(kind):
    """A function training one model from scratch; returns (costs, parameters)."""
    def train():
        if kind == "deep-gd":
            X, Y = nn.datasets.moons(m=120, seed=0)
            model = nn.DeepNN([2, 6, 4, 1], hidden="relu", init="he", seed=1)
            costs = model.fit(X, Y, iterations=300, learning_rate=0.3, progress=False)
        elif kind == "shallow-adam":
            X, Y = nn.datasets.circles(m=100, seed=2)
            model = nn.TwoLayerNet(2, 5, 1, seed=3)
            costs = model.fit(X, Y, iterations=300, learning_rate=0.02, optimizer="adam",
                              progress=False)
        else:                                  # mini-batches: shuffling per fit
            X, Y = nn.datasets.xor(m=90, seed=4)
            model = nn.DeepNN([2, 8, 1], hidden="tanh", init="xavier", seed=5)
            costs = model.fit(X, Y, iterations=60, learning_rate=0.5, batch_size=16,
                              optimizer="momentum", seed=6, progress=False)
        return costs, model.state_dict()
    return train


def _assert_same(a, b):
    costs_a, params_a = a
    costs_b, params_b = b
    assert costs_a == costs_b                  # float ==: bit for bit
    assert params_a.keys() == params_b.keys()
    for name in params_a:
        np.testing.assert_array_equal(params_a[name], params_b[name], err_msg=name)


@pytest.mark.parametrize("kinds", [("deep-gd", "shallow-adam"), ("deep-gd", "deep-gd"),
                                   ("minibatch-momentum", "shallow-adam")])
def test_two_models_trained_at_once_match_training_one_after_the_other(kinds,
                                                                       fast_switching):
    one_after_the_other = [_job(kind)() for kind in kinds]
    at_once = _run_in_threads(*[_job(kind) for kind in kinds])
    for alone, together in zip(one_after_the_other, at_once):
        _assert_same(alone, together)
    assert all(np.isfinite(costs).all() and costs[-1] < costs[0]
               for costs, _ in one_after_the_other)


def test_a_thread_doing_inference_while_another_trains_sees_no_graph_and_no_errors(
        fast_switching):
    X, Y = nn.datasets.moons(m=100, seed=0)
    trained = nn.DeepNN([2, 5, 1], hidden="tanh", seed=0)
    frozen = nn.DeepNN([2, 5, 1], hidden="tanh", seed=0)
    expected = frozen.predict_proba(X)

    def infer():
        outputs = [frozen.predict_proba(X) for _ in range(300)]
        return all(np.array_equal(o, expected) for o in outputs)

    def train():
        return trained.fit(X, Y, iterations=300, learning_rate=0.5, progress=False)

    same, costs = _run_in_threads(infer, train)
    assert same is True
    assert costs[-1] < costs[0]
    assert all(p.grad is None for p in frozen.parameters())


def test_threads_backpropagating_into_one_shared_leaf_lose_no_gradient(fast_switching):
    # 8 threads x 1000 backward passes of d/dx sum(x * 1) = 1 into the same x.grad: the
    # read-add-write of .grad must not interleave, or some of the 8000 ones are lost.
    x = ag.tensor(np.zeros(3), requires_grad=True)

    def job():
        for _ in range(1000):
            (x * 1.0).sum().backward()

    _run_in_threads(*[job] * 8)
    np.testing.assert_array_equal(x.grad.numpy(), [8000.0, 8000.0, 8000.0])
