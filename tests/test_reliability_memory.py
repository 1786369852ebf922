"""Reliability: training does not grow memory, graphs are freed, inference records nothing.

10,000 iterations are counted with ``sys.getallocatedblocks()`` (cheap: a leak of even one
Python object per iteration shows as thousands of blocks); a shorter run is measured in
bytes with tracemalloc, which is too slow to trace all 10,000.
"""
import gc
import sys
import tracemalloc
import weakref

import numpy as np
import pytest

import autograd_lite as ag
import nn


@pytest.fixture
def small():
    X, Y = nn.datasets.moons(m=8, seed=0)
    model = nn.DeepNN([2, 3, 1], hidden="tanh", init="xavier", seed=0)
    return model, X, Y


def _live_functions():
    """How many graph nodes (Function objects recorded into a graph) exist right now; the
    op objects a compiled step's program calls are not graph nodes."""
    gc.collect()
    return sum(isinstance(o, ag.Function) and ("inputs" in o.__dict__ or "_records" in o.__dict__)
               for o in gc.get_objects())


def test_10000_fit_iterations_leave_no_growth(small):
    model, X, Y = small
    blocks = {}

    def measure(i, cost, model):
        model.costs_.clear()              # the history is the one thing meant to grow
        if i in (999, 9_999):
            gc.collect()
            blocks[i] = sys.getallocatedblocks()

    costs = model.fit(X, Y, iterations=10_000, learning_rate=0.5, progress=False,
                      callback=measure)
    assert costs == []                    # cleared by the callback, after every iteration
    growth = blocks[9_999] - blocks[999]
    assert growth < 500, f"{growth} more memory blocks after 9,000 more iterations"
    assert model.cost(X, Y).item() < 0.5  # and it did train


def test_training_iterations_do_not_grow_traced_memory(small):
    model, X, Y = small
    opt = nn.optim.Adam(model.parameters(), learning_rate=0.01)
    kept = []

    def step():                           # what fit does in one iteration
        opt.zero_grad()
        J = model.cost(X, Y)
        J.backward()
        opt.step()
        return J.item()

    for _ in range(300):                  # warm up: caches, Adam's moments
        step()
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(500):
            step()
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - before
        # calibration: what keeping one graph per iteration would cost
        gc.collect()
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(20):
            kept.append(model.cost(X, Y))
        per_graph = (tracemalloc.get_traced_memory()[0] - start) / 20
    finally:
        tracemalloc.stop()
    # numpy's small-array caches wander by about ±10 KB; a graph kept per iteration would
    # add 500 of them.  (A single float kept per iteration is caught by the block count
    # of the 10,000-iteration test above.)
    assert per_graph > 1_000
    assert growth < 25_000 < 500 * per_graph, f"{growth} bytes more after 500 iterations"


def test_no_graph_node_survives_fit(small):
    model, X, Y = small
    before = _live_functions()
    model.fit(X, Y, iterations=300, learning_rate=0.5, progress=False)
    assert _live_functions() == before


def test_backward_releases_the_graph_even_while_the_cost_is_still_referenced(small):
    model, X, Y = small
    X_tensor = ag.tensor(X)
    J = model.cost(X_tensor, Y)
    A1 = J.grad_fn.inputs[0]              # something inside the graph
    probes = [weakref.ref(X_tensor), weakref.ref(A1)]
    del X_tensor, A1
    assert all(p() is not None for p in probes)     # the graph holds them ...
    J.backward()
    gc.collect()
    assert all(p() is None for p in probes)         # ... until backward released it
    assert J.item() > 0


def test_a_graph_dropped_without_backward_is_freed(small):
    model, X, Y = small
    before = _live_functions()
    J = model.cost(X, Y)
    assert _live_functions() > before
    probe = weakref.ref(J.grad_fn)
    del J
    gc.collect()
    assert probe() is None and _live_functions() == before


def test_no_grad_inference_records_no_graph(small):
    model, X, _ = small
    before = _live_functions()
    with ag.no_grad():
        A = model(X)
    assert A.grad_fn is None and not A.requires_grad
    proba = model.predict_proba(X)
    labels = model.predict(X)
    assert isinstance(proba, np.ndarray) and labels.shape == (1, 8)
    assert _live_functions() == before
    assert all(p.grad is None for p in model.parameters())
    np.testing.assert_array_equal(proba, A.numpy())


def test_inference_keeps_no_reference_to_its_input(small):
    model, X, _ = small
    X_copy = X.copy()
    probe = weakref.ref(X_copy)
    model.predict(X_copy)
    model.predict_proba(X_copy)
    del X_copy
    gc.collect()
    assert probe() is None


def test_graph_recording_resumes_after_no_grad(small):
    model, X, Y = small
    with ag.no_grad():
        assert model.cost(X, Y).grad_fn is None
    J = model.cost(X, Y)
    assert J.grad_fn is not None and J.requires_grad


def test_after_backward_an_intermediate_is_freed_but_still_drawn_with_its_shape(small):
    from autograd_lite.viz import draw_graph, trace_backward

    model, X, Y = small
    W1 = model.parameters()[0]
    with ag.name_scope("probe"):
        H = ag.tanh(W1 @ ag.tensor(X))            # (3, 8): an intermediate nobody keeps
    H.name = "H"
    probe = weakref.ref(H.data)
    J = (H * H).mean()
    J.name = "J"
    del H
    J.backward()
    gc.collect()
    assert probe() is None                       # its array went with the saved values
    source = draw_graph(J, show_values=True).source
    assert 'label="H\\n(3, 8) float64\\n= freed by backward()"' in source
    assert "(3, 8)" in str(trace_backward(J))
