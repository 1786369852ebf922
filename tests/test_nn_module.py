"""Module, Parameter and Sequential: registration, qualified names, scopes, state dicts."""
import numpy as np
import pytest

import autograd_lite as ag
import nn


def graph_functions(out):
    """Every Function recorded in the graph of ``out`` (before backward releases it)."""
    seen, stack, fns = set(), [out], []
    while stack:
        t = stack.pop()
        fn = t.grad_fn
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        fns.append(fn)
        stack.extend(fn.inputs)
    return fns


def test_parameter_is_a_trainable_tensor_with_its_own_copy():
    data = np.array([[1, 2]])
    p = nn.Parameter(data, name="W")
    assert isinstance(p, ag.Tensor)
    assert p.requires_grad and p.is_leaf and p.name == "W"
    assert p.dtype == np.float64                       # integers become float64
    data[0, 0] = 100
    assert p.data[0, 0] == 1.0
    assert nn.Parameter(np.ones(2, dtype=np.float32)).dtype == np.float32


def test_deep_network_parameters_are_named_by_course_layer():
    model = nn.DeepNN([5, 4, 3, 1], seed=0)
    names = [p.name for p in model.parameters()]
    assert names == ["layer1.W", "layer1.b", "layer2.W", "layer2.b", "layer3.W", "layer3.b"]
    assert [n for n, _ in model.named_parameters()] == names
    assert [p.shape for p in model.parameters()] == [(4, 5), (4, 1), (3, 4), (3, 1),
                                                     (1, 3), (1, 1)]


def test_names_are_qualified_when_a_model_is_nested():
    outer = nn.Module()
    outer.net = nn.DeepNN([2, 3, 1], seed=0)
    assert outer.net.layer1.W.name == "net.layer1.W"
    assert [n for n, _ in outer.named_parameters()][:2] == ["net.layer1.W", "net.layer1.b"]
    # the inner model's own view stays relative
    assert [n for n, _ in outer.net.named_parameters()][:2] == ["layer1.W", "layer1.b"]
    # called through its parent, a layer's ops are scoped by the full path, like its names
    A = outer.net(np.ones((2, 4)))
    assert A.grad_fn.scope == "net.layer2"
    # called directly, a module opens only its own name
    assert outer.net.layer1(np.ones((2, 4))).grad_fn.scope == "layer1"


def test_each_layer_records_its_operations_in_its_own_name_scope():
    model = nn.TwoLayerNet(2, 3, 1, seed=0)
    A2 = model(np.ones((2, 5)))
    scopes = {(fn.name, fn.scope) for fn in graph_functions(A2)}
    assert ("matmul", "layer1") in scopes and ("tanh", "layer1") in scopes
    assert ("matmul", "layer2") in scopes and ("sigmoid", "layer2") in scopes
    assert {scope for _, scope in scopes} == {"layer1", "layer2"}
    assert ag.current_scope() is None                  # nothing leaks out


def test_cost_is_recorded_in_the_cost_scope():
    model = nn.LogisticRegression(2)
    J = model.cost(np.ones((2, 3)), np.array([[1, 0, 1]]))
    assert J.grad_fn.scope == "cost"


def test_zero_grad_clears_every_gradient():
    model = nn.DeepNN([3, 2, 1], seed=0)
    model.cost(np.ones((3, 4)), np.ones((1, 4))).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_train_and_eval_switch_every_submodule():
    model = nn.DeepNN([3, 2, 1], seed=0)
    assert model.eval() is model
    assert [m.training for _, m in model.named_modules()] == [False, False, False]
    model.train()
    assert [m.training for _, m in model.named_modules()] == [True, True, True]


def test_state_dict_round_trip_copies_values():
    a, b = nn.DeepNN([4, 3, 1], seed=0), nn.DeepNN([4, 3, 1], seed=1)
    state = a.state_dict()
    assert list(state) == ["layer1.W", "layer1.b", "layer2.W", "layer2.b"]
    state["layer1.W"][0, 0] = 42.0                     # a copy: the model is unchanged
    assert a.layer1.W.data[0, 0] != 42.0
    b.load_state_dict(a.state_dict())
    for (_, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(pa.data, pb.data)
        assert pa.data is not pb.data


def test_load_state_dict_bumps_versions_so_old_graphs_refuse_backward():
    model = nn.DeepNN([2, 2, 1], seed=0)
    J = model.cost(np.ones((2, 3)), np.ones((1, 3)))
    model.load_state_dict(nn.DeepNN([2, 2, 1], seed=1).state_dict())
    with pytest.raises(ag.GraphError, match="modified in place"):
        J.backward()


@pytest.mark.parametrize("change, message", [
    (lambda s: s.pop("layer2.b"), "missing layer2.b"),
    (lambda s: s.update(extra=np.zeros(1)), "unexpected extra"),
    (lambda s: s.update({"layer1.W": np.zeros((3, 4))}), r"layer1.W has shape \(3, 4\).*\(3, 2\)"),
    (lambda s: s.update({"layer1.b": np.zeros((3, 1), np.float32)}), "layer1.b has dtype float32"),
])
def test_load_state_dict_names_what_does_not_fit(change, message):
    model = nn.DeepNN([2, 3, 1], seed=0)
    state = model.state_dict()
    change(state)
    before = model.layer1.W.data.copy()
    with pytest.raises(nn.StateError, match=message):
        model.load_state_dict(state)
    np.testing.assert_array_equal(model.layer1.W.data, before)   # nothing half-loaded


def test_module_without_super_init_gets_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.W = nn.Parameter([[1.0]])

    with pytest.raises(nn.NNError, match="super\\(\\).__init__"):
        Broken()


def test_reassigning_an_attribute_unregisters_it():
    m = nn.Module()
    m.W = nn.Parameter([1.0])
    m.W = None
    assert m.parameters() == []


def test_sequential_names_children_layer1_layer2_and_chains_them():
    seq = nn.Sequential(nn.Linear(3, 2, activation="relu", init="zeros"),
                        nn.Linear(2, 1, activation="sigmoid", init="zeros"))
    assert [p.name for p in seq.parameters()] == ["layer1.W", "layer1.b", "layer2.W",
                                                  "layer2.b"]
    assert len(seq) == 2 and seq[1] is seq.layer2 and list(seq) == [seq.layer1, seq.layer2]
    out = seq(np.ones((3, 4)))
    np.testing.assert_array_equal(out.numpy(), np.full((1, 4), 0.5))   # σ(0)


def test_repr_shows_the_layers():
    text = repr(nn.DeepNN([3, 2, 1], seed=0))
    assert "DeepNN(layer_dims=[3, 2, 1]" in text
    assert "(layer1): Linear(n_in=3, n_out=2, activation='relu')" in text
    assert "(layer2): Linear(n_in=2, n_out=1, activation='sigmoid')" in text


def test_add_module_rejects_bad_names_and_non_modules():
    m = nn.Module()
    with pytest.raises(nn.NNError, match="without dots"):
        m.add_module("a.b", nn.Identity())
    with pytest.raises(nn.NNError, match="must be a Module"):
        m.add_module("x", 3)
