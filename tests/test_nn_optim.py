"""Optimizers: course 2's update rules, in place under no_grad, with version bumps."""
import warnings

import numpy as np
import pytest

import autograd_lite as ag
import nn
from nn import optim

GRADS = [np.array([[0.5, -1.0]]), np.array([[0.25, 2.0]]), np.array([[-1.5, 0.1]])]


def run(opt_factory, grads=GRADS, w0=(1.0, -2.0)):
    """Apply ``grads`` one by one through backward of Σ g·w; return the successive w."""
    w = nn.Parameter([list(w0)])
    opt = opt_factory([w])
    history = []
    for g in grads:
        opt.zero_grad()
        (w * g).sum().backward()          # dw = g
        opt.step()
        history.append(w.data.copy())
    return history


def test_gradient_descent_rule():
    w = np.array([[1.0, -2.0]])
    for g, got in zip(GRADS, run(lambda ps: optim.GradientDescent(ps, 0.1))):
        w = w - 0.1 * g
        np.testing.assert_allclose(got, w, rtol=1e-15)


def test_momentum_rule():
    w, v = np.array([[1.0, -2.0]]), np.zeros((1, 2))
    for g, got in zip(GRADS, run(lambda ps: optim.Momentum(ps, 0.1, beta=0.8))):
        v = 0.8 * v + 0.2 * g
        w = w - 0.1 * v
        np.testing.assert_allclose(got, w, rtol=1e-14)


def test_adam_rule():
    w, v, s = np.array([[1.0, -2.0]]), np.zeros((1, 2)), np.zeros((1, 2))
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    for t, (g, got) in enumerate(zip(GRADS, run(lambda ps: optim.Adam(ps, lr))), start=1):
        v = b1 * v + (1 - b1) * g
        s = b2 * s + (1 - b2) * g ** 2
        v_hat, s_hat = v / (1 - b1 ** t), s / (1 - b2 ** t)
        w = w - lr * v_hat / (np.sqrt(s_hat) + eps)
        np.testing.assert_allclose(got, w, rtol=1e-13)


def test_updates_are_in_place_and_bump_the_version():
    w = nn.Parameter([[1.0, 2.0]])
    array = w.data
    J = (w * w).sum()
    J.backward(retain_graph=True)
    optim.GradientDescent([w], 0.1).step()
    assert w.data is array                          # no new array per step
    with pytest.raises(ag.GraphError, match="modified in place"):
        J.backward()                                # the graph saw the old w


def test_step_records_nothing_even_inside_enable_grad():
    w = nn.Parameter([[1.0]])
    (w * 2).sum().backward()
    with ag.enable_grad():
        optim.GradientDescent([w], 0.5).step()
    assert w.is_leaf and w.grad_fn is None
    np.testing.assert_allclose(w.data, [[0.0]])


def test_parameters_without_gradient_are_left_alone():
    a, b = nn.Parameter([1.0]), nn.Parameter([5.0])
    (a * 3).sum().backward()
    optim.Adam([a, b], 0.1).step()
    assert b.data.tolist() == [5.0]


def _loop_momentum(opt):
    """Momentum's rule as a loop over the parameters: the reference for the bits."""
    for p, v in zip(opt.parameters, opt.v):
        if p.grad is not None:
            v *= opt.beta
            v += p.grad * (1.0 - opt.beta)
            p -= v * opt.learning_rate


def _loop_adam(opt):
    """Adam's rule as a loop over the parameters: the reference for the bits."""
    opt._t += 1.0
    b1, b2, eps = opt.beta1, opt.beta2, opt.epsilon
    correct1, correct2 = 1.0 - b1 ** opt._t, 1.0 - b2 ** opt._t
    lr = opt.learning_rate / correct1
    for p, v, s in zip(opt.parameters, opt.v, opt.s):
        if p.grad is not None:
            g = p.grad
            v *= b1
            v += g * (1.0 - b1)
            s *= b2
            s += g * g * (1.0 - b2)
            p -= v / (ag.sqrt(s / correct2) + eps) * lr


@pytest.mark.parametrize("make, loop", [
    (lambda ps: optim.Momentum(ps, 0.3, beta=0.8), _loop_momentum),
    (lambda ps: optim.Adam(ps, 0.05), _loop_adam)])
@pytest.mark.parametrize("compiled", [False, True])
def test_momentum_and_adam_update_all_parameters_as_a_loop_over_them_would(make, loop,
                                                                           compiled):
    # the optimizers update all parameters together (one event each in a compiled step):
    # every array must get the bits of a per-parameter loop, also with a parameter that
    # has no gradient (unused) and across steps
    X = np.random.RandomState(0).randn(3, 5)

    def run(step_fn):
        rng = np.random.RandomState(1)
        W, b, unused = (nn.Parameter(rng.randn(*shape)) for shape in ((2, 3), (2, 1), (4, 1)))
        opt = make([W, b, unused])

        def step(X):
            opt.zero_grad()
            J = ag.tanh(W @ X + b).sum()
            J.backward()
            with ag.no_grad():
                step_fn(opt)
            return J

        if compiled:
            step = ag.compile(step)
        costs = [step(X).item() for _ in range(5)]
        return costs, [p.data.tobytes() for p in (W, b, unused)], \
            [t.data.tobytes() for t in opt.v + getattr(opt, "s", [])]

    assert run(lambda opt: opt._update()) == run(loop)


@pytest.mark.parametrize("rate", [0, -0.1, float("nan"), float("inf"), "0.1", True])
def test_non_positive_learning_rate_is_refused(rate):
    with pytest.raises(nn.ConfigError, match="learning_rate must be a positive finite number"):
        optim.GradientDescent([nn.Parameter([1.0])], rate)


def test_bad_betas_and_empty_parameter_list():
    with pytest.raises(nn.ConfigError, match=r"beta must be a number in \[0, 1\)"):
        optim.Momentum([nn.Parameter([1.0])], 0.1, beta=1.0)
    with pytest.raises(nn.ConfigError, match="no parameters"):
        optim.Adam([], 0.1)
    with pytest.raises(nn.ConfigError, match="requires_grad=True"):
        optim.GradientDescent([ag.tensor([1.0])], 0.1)


def test_get_optimizer_by_name_and_options():
    params = [nn.Parameter([1.0])]
    assert isinstance(optim.get_optimizer("gd", params, 0.1), optim.GradientDescent)
    assert optim.get_optimizer("momentum", params, 0.1, beta=0.5).beta == 0.5
    with pytest.raises(nn.ConfigError, match="unknown optimizer 'rmsprop'.*gd.*momentum.*adam"):
        optim.get_optimizer("rmsprop", params, 0.1)
    with pytest.raises(nn.ConfigError, match="optimizer 'adam'.*beta"):
        optim.get_optimizer("adam", params, 0.1, beta=0.5)


def test_a_hand_written_update_that_replaces_the_parameter_is_explained_when_grad_is_none():
    w = ag.tensor([[1.0], [2.0]], requires_grad=True, name="w")
    (w * w).sum().backward()
    w = w - 0.1 * w.grad               # the course's update, but it makes a new tensor
    (w * w).sum().backward()
    with pytest.warns(UserWarning) as caught:
        assert w.grad is None
    assert str(caught[0].message) == (
        "the .grad of this tensor of shape (2, 1) is None: it is not a leaf tensor but the "
        "result of sub, and backward() keeps the gradients of leaf tensors only (the "
        "parameters, made with requires_grad=True). If it came from `w = w - learning_rate * "
        "w.grad`, which replaces the parameter by a new tensor, update it in place instead: "
        "`with ag.no_grad(): w -= learning_rate * w.grad`")
    w.name = "w"                        # a named result is named in the message
    with pytest.warns(UserWarning, match=r"^w\.grad is None: w is not a leaf tensor but the "
                                         r"result of sub, "):
        w.grad
    # a leaf without a gradient yet says nothing: its .grad is simply not there yet
    leaf = ag.tensor([1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert leaf.grad is None
