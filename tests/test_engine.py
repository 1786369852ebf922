"""The backward pass: seeds, accumulation, graph release, retain_graph / retain_grad,
create_graph and ag.grad, grad mode (per thread), in-place detection, error messages."""
import gc
import threading
import weakref

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.ops.elementwise import Exp
from autograd_lite.ops.linalg import MatMul


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# --- seeds -----------------------------------------------------------------------------------

def test_a_scalar_output_gets_the_seed_one():
    x = ag.tensor(3.0, requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0
    w = ag.tensor([[2.0]], requires_grad=True)             # one element, shape (1, 1)
    (w * 5.0).backward()
    assert w.grad.shape == (1, 1) and w.grad.item() == 5.0


def test_non_scalar_output_needs_a_grad_and_the_error_names_its_shape():
    x = ag.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ag.GraphError, match=r"shape \(2, 3\).*loss.sum\(\)"):
        (x * 2).backward()
    with pytest.raises(ag.ShapeError, match=r"grad has shape \(3,\).*shape \(2, 3\)"):
        (x * 2).backward(np.ones(3))
    (x * 2).backward(np.full((2, 3), 0.5))
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 3)))


def test_backward_of_a_tensor_without_gradient_is_an_error():
    with pytest.raises(ag.GraphError, match="does not require a gradient"):
        (ag.tensor([1.0, 2.0]) * 2).sum().backward()
    x = ag.tensor(1.0, requires_grad=True)
    with ag.no_grad():
        y = x * 2
    with pytest.raises(ag.GraphError, match="no_grad"):
        y.backward()


def test_several_roots_at_once():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y1, y2 = (x * x).sum(), (3 * x).sum()
    ag.backward([y1, y2])
    np.testing.assert_array_equal(x.grad.numpy(), 2 * x.numpy() + 3)
    x.zero_grad()
    y = x * x
    ag.backward([y, y.sum()], [np.array([1.0, 0.0]), None])     # the same graph twice
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 4.0])


# --- accumulation ----------------------------------------------------------------------------

def test_gradients_accumulate_across_backward_calls_until_zero_grad():
    w = ag.tensor([1.0, -2.0], requires_grad=True)
    for _ in range(3):
        (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), 3 * 2 * w.numpy())
    w.zero_grad()
    assert w.grad is None
    (w * 3).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 3.0])


def test_a_shared_subexpression_receives_the_sum_of_its_uses():
    x = ag.tensor(0.7, requires_grad=True)
    y = ag.tanh(x)                                    # used three times
    z = y * y + ag.exp(y) - 2 * y
    z.backward()
    t = np.tanh(0.7)
    assert x.grad.item() == pytest.approx((2 * t + np.exp(t) - 2) * (1 - t ** 2), rel=1e-12)


def test_a_chain_of_100000_ops_back_propagates_without_recursion_error():
    x = ag.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


# --- what is (not) computed, what is freed ----------------------------------------------------

def test_a_constant_input_gets_no_gradient_computed(monkeypatch):
    returned = []
    original = MatMul.backward

    def spy(self, *args):
        grads = original(self, *args)
        returned.append((self.needs_input_grad, grads))
        return grads

    monkeypatch.setattr(MatMul, "backward", spy)
    W = ag.tensor(np.ones((2, 3)), requires_grad=True)
    X = ag.tensor(np.ones((3, 4)))                           # data: a constant
    (W @ X).sum().backward()
    [(needs, (dW, dX))] = returned
    assert needs == (True, False)
    assert dX is None and dW is not None
    assert X.grad is None


def test_an_op_on_constants_only_is_not_recorded_and_its_backward_never_runs(monkeypatch):
    calls = []
    original = Exp.backward
    monkeypatch.setattr(Exp, "backward", lambda self, *args: calls.append(1) or original(
        self, *args))
    w = ag.tensor(2.0, requires_grad=True)
    c = ag.exp(ag.tensor(1.0))                               # no input needs a gradient
    assert c.grad_fn is None and not c.requires_grad
    (w * c).backward()
    assert calls == []
    assert w.grad.item() == pytest.approx(np.e)
    (ag.exp(w)).backward()
    assert calls == [1]


def test_saved_tensors_are_freed_after_backward():
    w = ag.tensor(np.ones(1000), requires_grad=True)
    h = ag.exp(w)                                            # an intermediate, saved by mul
    alive = weakref.ref(h)
    loss = (h * h).sum()
    del h
    gc.collect()
    assert alive() is not None                               # the graph holds it
    loss.backward()
    gc.collect()
    assert alive() is None                                   # released with the graph
    assert loss.grad_fn is not None and loss.grad_fn.released


def test_arrays_saved_by_an_op_are_freed_after_backward():
    w = ag.tensor(np.linspace(-1.0, 1.0, 1000), requires_grad=True)
    r = ag.relu(w)
    fn = r.grad_fn
    mask = weakref.ref(fn.positive)                          # saved by the forward pass
    loss = (r * 2.0).sum()
    del r
    loss.backward()
    gc.collect()
    assert mask() is None and fn.released


def test_a_second_backward_through_a_released_graph_is_an_error():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(ag.GraphError, match="already released.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward_and_the_gradients_add_up():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    np.testing.assert_array_equal(first, 3 * x.numpy() ** 2)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * first)
    with pytest.raises(ag.GraphError):
        y.backward()


# --- retain_grad: dZ of the course ----------------------------------------------------------

def test_retain_grad_keeps_dZ_which_is_A_minus_Y_for_sigmoid_and_cross_entropy():
    rng = np.random.default_rng(0)
    W = ag.tensor(rng.standard_normal((1, 3)), requires_grad=True)
    b = ag.tensor(np.zeros((1, 1)), requires_grad=True)
    X = rng.standard_normal((3, 5))
    Y = np.array([[1.0, 0.0, 1.0, 1.0, 0.0]])
    Z = (W @ X + b).retain_grad()
    A = ag.sigmoid(Z)
    cost = -(Y * ag.log(A) + (1 - Y) * ag.log(1 - A)).sum()
    cost.backward()
    np.testing.assert_allclose(Z.grad.numpy(), A.numpy() - Y, rtol=1e-10)
    np.testing.assert_allclose(W.grad.numpy(), (A.numpy() - Y) @ X.T, rtol=1e-10)
    assert A.grad is None                                    # not retained


def test_retain_grad_needs_a_tensor_that_requires_grad():
    with pytest.raises(ag.GraphError, match="retain_grad"):
        ag.tensor([1.0]).retain_grad()


# --- higher order: create_graph and ag.grad -------------------------------------------------

def test_create_graph_makes_the_gradient_differentiable():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.grad_fn is not None
    np.testing.assert_array_equal(g.numpy(), 3 * x.numpy() ** 2)
    x.grad = None
    g.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 6 * x.numpy())


def test_grad_of_grad():
    x = ag.tensor(0.5, requires_grad=True)
    dy = ag.grad(ag.tanh(x), x, create_graph=True)
    d2y = ag.grad(dy, x, create_graph=True)
    d3y = ag.grad(d2y, x)
    t = np.tanh(0.5)
    assert dy.item() == pytest.approx(1 - t ** 2, rel=1e-12)
    assert d2y.item() == pytest.approx(-2 * t * (1 - t ** 2), rel=1e-12)
    assert d3y.item() == pytest.approx((1 - t ** 2) * (6 * t ** 2 - 2), rel=1e-12)


def test_hessian_vector_product_of_a_quadratic_form_is_A_plus_A_transposed_times_v():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((4, 4))
    v = rng.standard_normal(4)
    x = ag.tensor(rng.standard_normal(4), requires_grad=True)
    f = x @ A @ x
    g = ag.grad(f, x, create_graph=True)
    np.testing.assert_allclose(g.numpy(), (A + A.T) @ x.numpy(), rtol=1e-12)
    hv = ag.grad((g * v).sum(), x)
    np.testing.assert_allclose(hv.numpy(), (A + A.T) @ v, rtol=1e-12)


def test_ag_grad_returns_gradients_and_leaves_dot_grad_alone():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ag.tensor(3.0, requires_grad=True)
    x.grad = ag.tensor([100.0, 100.0])
    gx, gy = ag.grad((x * y).sum(), [x, y])
    np.testing.assert_array_equal(gx.numpy(), [3.0, 3.0])
    assert gy.item() == 3.0
    np.testing.assert_array_equal(x.grad.numpy(), [100.0, 100.0])
    assert y.grad is None


def test_ag_grad_of_an_intermediate_and_with_grad_outputs():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    out = ag.exp(h)
    gh = ag.grad(out, h, grad_outputs=np.array([1.0, 0.5]))
    np.testing.assert_allclose(gh.numpy(), np.exp(h.numpy()) * [1.0, 0.5])


def test_allow_unused():
    x = ag.tensor(1.0, requires_grad=True)
    unused = ag.tensor(2.0, requires_grad=True)
    y = x * 3
    with pytest.raises(ag.GraphError, match=r"input\(s\) \[1\] were not used.*allow_unused"):
        ag.grad(y, [x, unused], retain_graph=True)
    gx, gu = ag.grad(y, [x, unused], allow_unused=True)
    assert gx.item() == 3.0 and gu is None


def test_ag_grad_needs_inputs_that_require_grad():
    x = ag.tensor(1.0, requires_grad=True)
    with pytest.raises(ag.GraphError, match="input 1 does not require a gradient"):
        ag.grad(x * 2, [x, ag.tensor(1.0)])


def test_ag_grad_with_a_repeated_input_returns_one_gradient_per_input():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    grads = ag.grad((x * x).sum(), [x, x])
    assert len(grads) == 2
    for g in grads:
        np.testing.assert_array_equal(g.numpy(), [2.0, 4.0])


# --- leaves' .grad own their memory ---------------------------------------------------------

def test_leaf_gradients_do_not_share_memory_through_views():
    a = ag.tensor(np.ones((1, 3)), requires_grad=True)
    b = ag.tensor(np.ones(3), requires_grad=True)
    ((a.reshape(3) + b) * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    b.grad.data *= 0                                         # e.g. in-place gradient clipping
    np.testing.assert_array_equal(a.grad.numpy(), [[1.0, 2.0, 3.0]])


def test_leaf_gradient_does_not_alias_the_callers_grad_array():
    a = ag.tensor(np.ones(3), requires_grad=True)
    b = ag.tensor(np.ones(3), requires_grad=True)
    upstream = np.array([1.0, 2.0, 3.0])
    (a + b).backward(upstream)
    upstream[:] = 0
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 2.0, 3.0])


def test_leaf_gradients_are_writable_even_after_a_broadcast():
    w = ag.tensor(np.ones((2, 3)), requires_grad=True)
    w.sum().backward()                          # the gradient is a broadcast of one number
    w.grad.data *= 0.5
    np.testing.assert_array_equal(w.grad.numpy(), np.full((2, 3), 0.5))


# --- grad mode -------------------------------------------------------------------------------

def test_no_grad_and_enable_grad_as_context_managers():
    w = ag.tensor([1.0], requires_grad=True)
    assert ag.is_grad_enabled()
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        y = w * 2
        with ag.enable_grad():
            z = w * 2
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None
    with ag.set_grad_enabled(False):
        assert not (w * 2).requires_grad


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with ag.no_grad():
            1 / 0
    assert ag.is_grad_enabled()


def test_no_grad_and_enable_grad_as_decorators():
    w = ag.tensor([1.0], requires_grad=True)

    @ag.no_grad()
    def predict(x):
        return x * 2

    @ag.enable_grad()
    def train_step(x):
        return x * 2

    @ag.set_grad_enabled(False)
    def frozen(x):
        return x * 2

    assert not predict(w).requires_grad
    assert not frozen(w).requires_grad
    with ag.no_grad():
        assert train_step(w).requires_grad
    assert predict.__name__ == "predict"
    assert ag.is_grad_enabled()


def test_no_grad_is_per_thread():
    inside, release = threading.Event(), threading.Event()
    seen = {}

    def worker():
        with ag.no_grad():
            seen["worker"] = ag.is_grad_enabled()
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=worker)
    thread.start()
    assert inside.wait(5)
    try:
        w = ag.tensor([1.0], requires_grad=True)
        seen["main"] = ag.is_grad_enabled()
        seen["recorded"] = (w * 2).requires_grad
    finally:
        release.set()
        thread.join(5)
    assert seen == {"worker": False, "main": True, "recorded": True}


def test_a_new_thread_starts_with_grad_enabled():
    result = []
    with ag.no_grad():
        thread = threading.Thread(target=lambda: result.append(ag.is_grad_enabled()))
        thread.start()
        thread.join(5)
    assert result == [True]


# --- in-place changes, malformed derivatives -------------------------------------------------

def test_changing_data_in_place_after_the_forward_pass_is_detected():
    w = ag.tensor([1.0, 2.0], requires_grad=True, name="w")
    y = ag.exp(w).sum()
    w.data -= 0.1                                            # e.g. an optimizer step
    with pytest.raises(ag.GraphError, match=r"exp: input 0 \(shape \(2,\), name 'w'\) was "
                                            "modified in place"):
        y.backward()


def test_changing_a_constant_input_in_place_is_detected_too():
    W = ag.tensor([[1.0, 2.0]], requires_grad=True)
    X = ag.tensor([[1.0], [1.0]])
    Z = (W @ X).sum()
    X.data = X.data * 2                                     # dW depends on X
    with pytest.raises(ag.GraphError, match="matmul: input 1"):
        Z.backward()


def test_changing_data_before_the_forward_pass_is_fine():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    w.data -= 1.0
    y = (w * w).sum()
    other = ag.tensor([5.0])
    other.data = other.data + 1                              # unrelated tensor changes
    y.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [0.0, 2.0])


class _Transposing(ag.Function):
    """A wrong primitive: its backward returns the gradient transposed."""

    def forward(self, a):
        return a * 2

    def backward(self, grad, *rest):
        return (grad.T * 2,)


@pytest.mark.parametrize("create_graph", [False, True])
def test_a_backward_returning_a_wrongly_shaped_gradient_is_refused(create_graph):
    x = ag.tensor(np.ones((2, 3)), requires_grad=True)
    y = _Transposing.apply(x)
    with pytest.raises(ag.GraphError, match=r"_transposing: backward returned a gradient of "
                                            r"shape \(3, 2\) for input 0 of shape \(2, 3\)"):
        y.backward(np.arange(6.0).reshape(2, 3), create_graph=create_graph)


def test_detect_anomaly_names_the_op_and_where_it_was_created():
    x = ag.tensor([0.0, 4.0], requires_grad=True)
    with ag.detect_anomaly(), np.errstate(divide="ignore"):
        y = ag.sqrt(x).sum()                                 # the line to be named
        with pytest.raises(ag.AnomalyError) as info:
            y.backward()
    message = str(info.value)
    assert "backward of 'sqrt' produced inf in the gradient of its input 0" in message
    assert "test_engine.py" in message and "ag.sqrt(x)" in message


def test_observer_sees_every_step_of_the_chain_rule():
    steps = []
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (ag.exp(x) * 3).sum()
    ag.backward([y], observer=lambda t, fn, g, raw, fitted: steps.append(fn.name))
    assert steps == ["sum", "mul", "exp"]
    np.testing.assert_allclose(x.grad.numpy(), 3 * np.exp([1.0, 2.0]))


def test_detach_and_requires_grad_switches():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    y = w * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and np.shares_memory(d.numpy(), y.numpy())
    (d * w).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 4.0])   # no gradient through d
    with pytest.raises(ag.GraphError, match="detach"):
        y.requires_grad = False
    assert ag.tensor([1.0]).requires_grad_().requires_grad


def test_float32_parameters_get_float32_gradients_through_a_layer():
    rng = np.random.default_rng(0)
    W = ag.tensor(rng.standard_normal((2, 3)), dtype=np.float32, requires_grad=True)
    b = ag.tensor(np.zeros((2, 1)), dtype=np.float32, requires_grad=True)
    X = ag.tensor(rng.standard_normal((3, 4)), dtype=np.float32)
    A = ag.tanh(W @ X + b)
    cost = ((A - 0.5) ** 2).mean() * 2.0
    assert cost.dtype == np.float32
    cost.backward()
    assert W.grad.dtype == np.float32 and b.grad.dtype == np.float32
    A64 = np.tanh(W.numpy().astype(np.float64) @ X.numpy().astype(np.float64))
    dZ = 2 * (A64 - 0.5) / A64.size * 2.0 * (1 - A64 ** 2)
    np.testing.assert_allclose(W.grad.numpy(), dZ @ X.numpy().T.astype(np.float64), rtol=1e-4,
                               atol=1e-6)


# --- found by the correctness review ---------------------------------------------------------

def test_a_root_given_twice_gets_both_seeds():
    x = ag.tensor(2.0, requires_grad=True)
    y = x * x
    ag.backward([y, y])
    assert x.grad.item() == 8.0                     # 2 · dy/dx = 2 · 2x
    y = x * x
    assert ag.grad([y, y], x).item() == 8.0


def test_an_explicit_tensor_grad_takes_the_outputs_dtype():
    x = ag.tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    x.backward(ag.tensor([1.0, 1.0]))               # a float64 seed for a float32 output
    assert x.grad.dtype == np.float32
    y = x * 2
    y.retain_grad()
    y.backward(ag.tensor([1.0, 1.0]))
    assert y.grad.dtype == np.float32 and x.grad.dtype == np.float32


def test_leaves_of_a_create_graph_backward_own_writable_gradients():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward(create_graph=True)
    assert a.grad is not b.grad
    assert a.grad.data.flags.writeable and b.grad.data.flags.writeable
    a.grad.data *= 0                                 # e.g. in-place clipping of one of them
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])


def test_integer_data_cannot_replace_the_data_of_a_parameter():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ag.DTypeError, match="must be floating-point, not int64"):
        x.data = np.array([1, 2])
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0])   # unchanged
