"""Graph pictures, backward traces and gradient norms (autograd_lite.viz).

Structure tests read the DOT source; rendering tests run the real Graphviz ``dot`` and read
the SVG.  Rendering tests skip without ``dot`` only outside CI (with CI set they fail).
"""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.errors import GraphError
from autograd_lite.viz import (BackwardTrace, GraphvizNotFoundError, draw_graph,
                               gradient_norms, save_graph, trace_backward)
from autograd_lite.viz._format import array_text, number
from autograd_lite.viz._picture import STYLES

ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"


# --- models ----------------------------------------------------------------------------------

def logistic_example():
    """The course's first graph, one example: z = wᵀx + b, a = σ(z), L(a, y)."""
    w = ag.tensor([[0.5], [-0.25]], requires_grad=True, name="w")
    b = ag.tensor(0.1, requires_grad=True, name="b")
    x = ag.tensor([[1.0], [2.0]], name="x")
    y = ag.tensor([[1.0]], name="y")
    z = w.T @ x + b
    z.name = "z"
    a = ag.sigmoid(z)
    a.name = "a"
    L = -(y * ag.log(a) + (1 - y) * ag.log(1 - a))
    L.name = "L"
    return dict(w=w, b=b, x=x, y=y, z=z, a=a, L=L)


def logistic_batch(m=4):
    """Vectorized logistic regression, X of shape (n_x, m), b of shape (1, 1)."""
    rng = np.random.default_rng(0)
    w = ag.tensor(rng.normal(size=(2, 1)), requires_grad=True, name="w")
    b = ag.tensor([[0.3]], requires_grad=True, name="b")
    X = ag.tensor(rng.normal(size=(2, m)), name="X")
    Y = ag.tensor([[1.0, 0.0, 1.0, 0.0][:m] + [1.0] * max(0, m - 4)], name="Y")
    Z = w.T @ X + b
    Z.name = "Z"
    A = ag.sigmoid(Z)
    A.name = "A"
    J = -(Y * ag.log(A) + (1 - Y) * ag.log(1 - A)).mean()
    J.name = "J"
    return dict(w=w, b=b, X=X, Y=Y, Z=Z, A=A, J=J)


def deep_network(dims=(3, 5, 4, 3, 1), m=6, scale=0.01, seed=1, outer=None):
    """An L-layer network written by hand, each layer inside name_scope(f"layer{l}")."""
    rng = np.random.default_rng(seed)
    X = ag.tensor(rng.normal(size=(dims[0], m)), name="X")
    Y = ag.tensor((np.arange(m) % 3 > 0).reshape(1, m).astype(float), name="Y")
    params, A = {}, X
    for l in range(1, len(dims)):
        W = ag.tensor(rng.normal(size=(dims[l], dims[l - 1])) * scale, requires_grad=True,
                      name=f"layer{l}.W")
        b = ag.tensor(np.zeros((dims[l], 1)), requires_grad=True, name=f"layer{l}.b")
        params[W.name], params[b.name] = W, b
        with ag.name_scope(outer) if outer else _nothing():
            with ag.name_scope(f"layer{l}"):
                Z = W @ A + b
                A = ag.sigmoid(Z) if l == len(dims) - 1 else ag.relu(Z)
    L = -(Y * ag.log(A) + (1 - Y) * ag.log(1 - A)).mean()
    L.name = "L"
    return L, params


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# --- reading the DOT source ------------------------------------------------------------------

ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^\s\]]+)')


def _attrs(text):
    return {k: v[1:-1] if v.startswith('"') else v for k, v in ATTR.findall(text or "")}


class Dot:
    """Nodes (id -> attrs, 'lines' = label lines), edges and clusters of a DOT source."""

    def __init__(self, graph):
        self.source = graph.source
        self.nodes, self.edges, self.clusters = {}, [], {}
        stack = []
        for raw in self.source.splitlines():
            line = raw.strip()
            if line.startswith("subgraph cluster"):
                stack.append(line.split()[1])
                self.clusters[stack[-1]] = dict(nodes=[], parent=stack[-2] if len(stack) > 1
                                                else None)
            elif line == "}" and stack:
                stack.pop()
            elif stack and re.match(r"^\w+=", line) and "label=" in line:
                self.clusters[stack[-1]].update(_attrs(line))
            elif m := re.match(r"^(\w+) -> (\w+)(?: \[(.*)\])?$", line):
                self.edges.append((m[1], m[2], _attrs(m[3])))
            elif m := re.match(r"^(\w+) \[(.*)\]$", line):
                if m[1] in ("graph", "node", "edge"):
                    continue
                attrs = _attrs(m[2])
                attrs["lines"] = attrs["label"].split("\\n")
                self.nodes[m[1]] = attrs
                if stack:
                    self.clusters[stack[-1]]["nodes"].append(m[1])

    def ops(self):
        op = STYLES["op"]["fillcolor"]
        return {k: a for k, a in self.nodes.items() if a.get("fillcolor") == op}

    def tensors(self):
        return {k: a for k, a in self.nodes.items() if k not in self.ops() and k != "more"}

    def by_first_line(self, text):
        found = [k for k, a in self.nodes.items() if a["lines"][0] == text]
        assert len(found) == 1, f"{len(found)} nodes named {text!r}"
        return found[0]

    def edge_labels(self, head):
        return [a.get("label") for t, h, a in self.edges if h == head]


# --- structure: nodes, edges, labels -------------------------------------------------------

def test_logistic_graph_has_the_courses_nodes_and_edges():
    dot = Dot(draw_graph(logistic_example()["L"]))
    ops = Counter(a["lines"][0] for a in dot.ops().values())
    assert ops == Counter({"transpose": 1, "matmul": 1, "add": 2, "sigmoid": 1, "log": 2,
                           "mul": 2, "sub": 1, "neg": 1})
    names = sorted(a["lines"][0] for a in dot.tensors().values())
    assert names == sorted(["w", "b", "x", "y", "z", "a", "L", "1 − y"])  # a constant
    # one edge per (non-literal) op input, plus one op -> z, a, L
    assert len(dot.edges) == 16 + 3
    assert len(dot.nodes) == 11 + 8


def test_tensor_nodes_show_name_shape_and_dtype():
    dot = Dot(draw_graph(logistic_example()["L"]))
    assert dot.nodes[dot.by_first_line("b")]["lines"] == ["b", "() float64"]
    assert dot.nodes[dot.by_first_line("w")]["lines"] == ["w", "(2, 1) float64"]
    assert dot.nodes[dot.by_first_line("x")]["lines"] == ["x", "(2, 1) float64"]
    assert dot.nodes[dot.by_first_line("L")]["lines"] == ["L", "(1, 1) float64"]
    f32 = ag.tensor(np.ones((2, 3), np.float32), requires_grad=True, name="W32")
    dot = Dot(draw_graph(f32.sum()))
    assert dot.nodes[dot.by_first_line("W32")]["lines"][1] == "(2, 3) float32"


def test_parameters_data_and_results_look_different():
    dot = Dot(draw_graph(logistic_example()["L"]))
    fill = {name: dot.nodes[dot.by_first_line(name)]["fillcolor"]
            for name in ("w", "b", "x", "y", "z", "a", "L")}
    assert fill["w"] == fill["b"] == STYLES["param"]["fillcolor"]
    assert fill["x"] == fill["y"] == STYLES["data"]["fillcolor"]
    assert fill["z"] == fill["a"] == STYLES["computed"]["fillcolor"]
    assert fill["L"] == STYLES["root"]["fillcolor"]
    assert len({fill["w"], fill["x"], fill["z"], fill["L"], STYLES["op"]["fillcolor"]}) == 5
    assert "bold" in dot.nodes[dot.by_first_line("w")]["style"]


def test_edges_carry_shapes_and_show_broadcasting():
    model = logistic_batch(m=4)
    dot = Dot(draw_graph(model["J"]))
    matmul = next(k for k, a in dot.ops().items() if a["lines"][0] == "matmul")
    assert sorted(dot.edge_labels(matmul)) == ["(1, 2)", "(2, 4)"]
    add_z = next(t for t, h, _ in dot.edges if h == dot.by_first_line("Z"))
    assert sorted(dot.edge_labels(add_z)) == ["(1, 1) ⇒ broadcast to (1, 4)", "(1, 4)"]
    broadcast = [a for t, h, a in dot.edges if "broadcast" in a.get("label", "")]
    assert len(broadcast) == 1 and broadcast[0]["color"] != "black"
    # the mean's sum reduces (1, 4) -> (): a reduction, not a broadcast
    assert "(1, 4)" in dot.edge_labels(next(k for k, a in dot.ops().items()
                                            if a["lines"][0] == "sum"))


def test_literal_numbers_are_shown_inside_their_operation():
    dot = Dot(draw_graph(logistic_batch(m=4)["J"]))
    labels = {a["lines"][0]: a["lines"] for a in dot.ops().values()
              if a["lines"][0] in ("sub", "div")}
    assert labels["sub"][1] == "1 − A"          # 1 - A: the number and the named input
    assert labels["div"][1] == "· / 4"          # mean = sum / m
    assert not any(a["lines"][0] in ("1", "4", "() float64") for a in dot.nodes.values())


def test_a_constant_says_what_it_was_computed_from():
    Y = ag.tensor([[1.0, 0.0, 1.0]], name="Y")
    A = ag.tensor([[0.5, 0.5, 0.5]], requires_grad=True, name="A")
    half = ag.tensor([[2.0]])                       # unnamed, written by the user
    J = ((1 - Y) * A + (2 * (1 - Y)) * A + (-Y) * A + np.exp(Y) * A + half * A).sum()
    labels = [a["lines"][0] for a in Dot(draw_graph(J)).tensors().values()]
    for text in ("1 − Y", "2 × (1 − Y)", "−Y", "exp(Y)", "constant [[2.]]"):
        assert text in labels, (text, labels)
    assert "constant" not in labels
    J.backward()                                    # a released graph remembers it too
    labels = [a["lines"][0] for a in Dot(draw_graph(J)).tensors().values()]
    assert "1 − Y" in labels and "2 × (1 − Y)" in labels
    with ag.no_grad():                              # nothing is recorded for inference
        assert not hasattr(1 - Y, "_origin")


def test_unnamed_results_are_drawn_as_their_operation():
    w = ag.tensor([1.0, 2.0], requires_grad=True, name="w")
    y = ((w * 3.0).exp()).sum()                   # no names: only ops and the root
    dot = Dot(draw_graph(y))
    assert sorted(a["lines"][0] for a in dot.ops().values()) == ["exp", "mul", "sum"]
    assert sorted(a["lines"][0] for a in dot.tensors().values()) == ["() float64", "w"]
    mul = next(k for k, a in dot.ops().items() if a["lines"][0] == "mul")
    exp = next(k for k, a in dot.ops().items() if a["lines"][0] == "exp")
    assert (mul, exp, {"label": "(2,)", "weight": "4"}) in dot.edges
    dot = Dot(draw_graph(y, show_values=True, show_grads=True))
    root = dot.by_first_line("() float64")
    assert dot.nodes[root]["lines"] == ["() float64", "= " + number(np.exp([3.0, 6.0]).sum()),
                                        "grad = 1"]
    exp = next(a for a in dot.ops().values() if a["lines"][0] == "exp")
    assert exp["lines"][1:] == ["out = " + array_text(np.exp([3.0, 6.0])), "dout = [1., 1.]"]


def test_op_parameters_such_as_axis_are_shown():
    W = ag.tensor(np.ones((2, 3)), requires_grad=True, name="W")
    dot = Dot(draw_graph(W.sum(axis=1, keepdims=True)))
    assert dot.nodes[next(iter(dot.ops()))]["lines"] == ["sum", "axis=(1,), keepdims=True"]


def test_a_cnns_graph_reads_as_the_course_writes_it_no_internals():
    import nn
    model = nn.CNN((3, 16, 16), channels=(2,), pool=4, seed=0)
    X = np.random.RandomState(0).uniform(size=(3 * 16 * 16, 3))
    dot = Dot(draw_graph(model.cost(X, np.array([[1.0, 0.0, 1.0]]))))
    labels = {a["lines"][0]: a["lines"][1:] for a in dot.nodes.values()}
    assert labels["conv2d"][0] == "stride=1, padding=1"        # "same" padding of a 3×3 kernel
    assert labels["max_pool2d"][0] == "kernel=4, stride=4"
    assert "Geometry(" not in dot.source and "…" not in dot.source
    # the pictures the course's X becomes are named so, not by their last movement op
    assert labels["pictures"][0] == "(3, 3, 16, 16) float64"
    assert "transpose(·)" not in dot.source


def test_show_values_prints_small_tensors_and_summarises_large_ones():
    model = logistic_example()
    dot = Dot(draw_graph(model["L"], show_values=True))
    z = 0.5 * 1.0 - 0.25 * 2.0 + 0.1
    assert dot.nodes[dot.by_first_line("z")]["lines"][2] == f"= [[{z}]]"
    assert dot.nodes[dot.by_first_line("w")]["lines"][2:] == ["= [ 0.5 , -0.25]ᵀ"]
    big = ag.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True, name="big")
    dot = Dot(draw_graph(big * 1.0, show_values=True))
    assert dot.nodes[dot.by_first_line("big")]["lines"][2] == "= mean 5.5, min 0, max 11"
    assert array_text(np.array([np.nan, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0])) == \
        "mean 3.5, min 1, max 6, 1 × NaN"


def test_show_grads_computes_every_gradient_without_touching_grad():
    model = logistic_batch(m=4)
    w, b, X, Y, A, J = (model[k] for k in ("w", "b", "X", "Y", "A", "J"))
    dot = Dot(draw_graph(J, show_grads=True))
    m = 4
    dZ = (A.numpy() - Y.numpy()) / m                          # the course's formulas
    dw = (dZ @ X.numpy().T).T
    db = dZ.sum(keepdims=True)
    assert dot.nodes[dot.by_first_line("w")]["lines"][2:] == ["dw = " + array_text(dw)]
    assert dot.nodes[dot.by_first_line("b")]["lines"][2:] == ["db = " + array_text(db)]
    assert dot.nodes[dot.by_first_line("Z")]["lines"][2:] == ["dZ = " + array_text(dZ)]
    assert dot.nodes[dot.by_first_line("J")]["lines"][2:] == ["dJ = 1"]
    assert dot.nodes[dot.by_first_line("X")]["lines"][2:] == []     # data: no gradient
    assert w.grad is None and b.grad is None
    J.backward()                                   # the graph was not consumed
    np.testing.assert_allclose(w.grad.numpy(), dw)
    np.testing.assert_allclose(b.grad.numpy(), db)


def test_show_grads_after_a_retained_backward_leaves_grad_as_it_was():
    model = logistic_batch()
    model["J"].backward(retain_graph=True)
    before = model["w"].grad.numpy().copy()
    dot = Dot(draw_graph(model["J"], show_grads=True))
    assert dot.nodes[dot.by_first_line("w")]["lines"][2] == "dw = " + array_text(before)
    np.testing.assert_array_equal(model["w"].grad.numpy(), before)


def test_the_graph_is_drawn_the_same_after_backward():
    model = logistic_batch(m=4)
    J = model["J"]
    before = Dot(draw_graph(J))
    J.backward()
    after = Dot(draw_graph(J))
    assert [a["lines"] for a in after.nodes.values()] == \
        [a["lines"] for a in before.nodes.values()]            # ops, names, shapes, dtypes
    assert after.edges == before.edges                          # shapes on every edge
    with pytest.raises(GraphError, match="already released.*retain_graph=True"):
        J.backward()                                            # still one backward only


def test_after_backward_freed_values_are_drawn_as_freed_and_grads_come_from_grad():
    model = logistic_batch(m=4)
    w, b, Z, J = (model[k] for k in ("w", "b", "Z", "J"))
    del model["A"]                       # A is freed with the graph; Z is still held here
    J.backward()
    dot = Dot(draw_graph(J, show_values=True, show_grads=True))
    assert dot.nodes[dot.by_first_line("A")]["lines"][2:] == ["= freed by backward()"]
    assert "dashed" in dot.nodes[dot.by_first_line("A")]["style"]
    assert dot.nodes[dot.by_first_line("Z")]["lines"][2] == "= " + array_text(Z.numpy())
    assert dot.nodes[dot.by_first_line("J")]["lines"][2:] == ["= " + number(J.item())]
    assert dot.nodes[dot.by_first_line("w")]["lines"][3:] == \
        ["dw = " + array_text(w.grad.numpy())]
    assert dot.nodes[dot.by_first_line("b")]["lines"][3:] == \
        ["db = " + array_text(b.grad.numpy())]
    assert "after backward(): the parameters' .grad is shown" in dot.source


def test_trace_and_norms_after_backward_keep_the_steps_and_use_grad():
    L, params = deep_network(dims=(3, 4, 1), m=5, scale=0.5)
    before, norms = trace_backward(L), gradient_norms(L)
    L.backward()
    after = trace_backward(L)
    assert [(s.op, s.output, s.output_shape, s.rule, s.upstream, s.upstream_shape, s.sources)
            for s in after] == [(s.op, s.output, s.output_shape, s.rule, s.upstream,
                                 s.upstream_shape, s.sources) for s in before]
    for s_after, s_before in zip(after, before):
        assert [(g.name, g.shape, g.raw_shape, g.summed_axes, g.next_step)
                for g in s_after.gradients] == \
            [(g.name, g.shape, g.raw_shape, g.summed_axes, g.next_step)
             for g in s_before.gradients]
    assert [(n, s) for n, s, _ in after.parameters] == \
        [(n, s) for n, s, _ in before.parameters]
    assert [v for *_, v in after.parameters] == pytest.approx(
        [v for *_, v in before.parameters], rel=1e-12)
    assert "after backward(): the gradients between the steps were freed" in str(after)
    assert gradient_norms(L) == pytest.approx(norms, rel=1e-12)
    for p in params.values():
        p.grad = None
    with pytest.raises(GraphError, match=r"backward\(\) already ran.*retain_graph=True"):
        gradient_norms(L)
    assert "dw" not in draw_graph(ag.tensor(1.0, requires_grad=True, name="w")).source


def test_show_backward_puts_each_ops_rule_in_its_node():
    model = logistic_example()
    dot = Dot(draw_graph(model["L"], show_backward=True))
    sigmoid = next(a for a in dot.ops().values() if a["lines"][0] == "sigmoid")
    assert sigmoid["lines"][1] == "dz = da · a(1 − a)" == model["a"].grad_fn.rule
    matmul = next(a for a in dot.ops().values() if a["lines"][0] == "matmul")
    assert "dA = dZ · Bᵀ" in matmul["lines"] and "dB = Aᵀ · dZ" in matmul["lines"]
    assert any("dW = dZ · Xᵀ" in line for line in matmul["lines"])
    plain = Dot(draw_graph(model["L"]))
    assert all(len(a["lines"]) <= 2 for a in plain.ops().values())


def test_several_roots_and_a_constant_root():
    w = ag.tensor([1.0, -1.0], requires_grad=True, name="w")
    u, v = w * 2.0, w.exp()
    u.name, v.name = "u", "v"
    dot = Dot(draw_graph([u, v]))
    roots = [a["lines"][0] for a in dot.nodes.values()
             if a["fillcolor"] == STYLES["root"]["fillcolor"]]
    assert sorted(roots) == ["u", "v"] and len(dot.nodes) == 5
    caption = draw_graph([u, v], show_grads=True).source
    assert "gradients shown are those of the sum of the root's elements" in caption
    const = ag.tensor([1.0, 2.0], name="c") * 3.0
    assert "no gradients: nothing in this graph requires grad" in \
        draw_graph(const, show_grads=True).source


def test_names_from_a_mapping_or_a_model():
    W = ag.tensor(np.ones((1, 2)), requires_grad=True)
    b = ag.tensor(np.zeros((1, 1)), requires_grad=True)
    out = W @ ag.tensor(np.ones((2, 3))) + b

    class Model:
        def named_parameters(self):
            return [("layer2.W", W), ("layer2.b", b)]

    for names in ({"layer2.W": W, "layer2.b": b}, Model()):
        dot = Dot(draw_graph(out, names=names, show_grads=True))
        assert dot.nodes[dot.by_first_line("layer2.W")]["lines"][2].startswith("d(layer2.W) = ")
    with pytest.raises(TypeError, match="not a Tensor"):
        draw_graph(out, names={"W": 3.0})


def test_bad_arguments_are_refused_clearly():
    w = ag.tensor(1.0, requires_grad=True)
    with pytest.raises(TypeError, match="expected a Tensor"):
        draw_graph("loss")
    with pytest.raises(ValueError, match="max_nodes must be at least 1"):
        draw_graph(w * 2, max_nodes=0)
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(w * 2, rankdir="up")
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf"):
        save_graph(w * 2, "graph.jpeg")
    with pytest.raises(TypeError, match="already drawn"):
        save_graph(draw_graph(w * 2), "graph.gv", show_grads=True)


# --- big graphs: layer boxes and the node cap ----------------------------------------------

def test_four_layer_network_is_grouped_into_one_box_per_layer():
    L, params = deep_network()
    dot = Dot(draw_graph(L))
    assert len(dot.clusters) == 4
    by_label = {c["label"].split("\\n")[0]: c for c in dot.clusters.values()}
    assert sorted(by_label) == ["layer1", "layer2", "layer3", "layer4"]
    for l in range(1, 5):
        inside = [dot.nodes[n]["lines"][0] for n in by_label[f"layer{l}"]["nodes"]]
        act = "sigmoid" if l == 4 else "relu"
        assert sorted(inside) == sorted([f"layer{l}.W", f"layer{l}.b", "matmul", "add", act])
    outside = {n for c in dot.clusters.values() for n in c["nodes"]} ^ set(dot.nodes)
    assert sorted(dot.nodes[n]["lines"][0] for n in outside if dot.nodes[n]["lines"][0]
                  in ("X", "Y", "L")) == ["L", "X", "Y"]


def test_nested_scopes_give_nested_boxes():
    L, _ = deep_network(dims=(2, 3, 1), outer="model")
    dot = Dot(draw_graph(L))
    labels = {c["label"]: name for name, c in dot.clusters.items()}
    assert set(labels) == {"model", "layer1", "layer2"}
    assert dot.clusters[labels["layer1"]]["parent"] == labels["model"]
    assert dot.clusters[labels["model"]]["parent"] is None


def test_layer_boxes_show_gradient_norms_and_flag_vanishing_gradients():
    L, params = deep_network(scale=0.01)
    grads = ag.grad(L, list(params.values()), retain_graph=True)
    expected = {}
    for (name, t), g in zip(params.items(), grads):
        layer = name.split(".")[0]
        expected[layer] = expected.get(layer, 0.0) + float((g.numpy() ** 2).sum())
    expected = {k: np.sqrt(v) for k, v in expected.items()}
    norms = gradient_norms(L)
    assert list(norms) == ["layer1", "layer2", "layer3", "layer4"]
    for layer in norms:
        assert norms[layer] == pytest.approx(expected[layer], rel=1e-12)
    assert norms["layer1"] < 1e-4 * norms["layer4"]          # tiny weights: vanishing
    dot = Dot(draw_graph(L, show_grads=True))
    for c in dot.clusters.values():
        layer, norm_line = c["label"].split("\\n")
        assert norm_line.startswith(f"‖grad‖ = {number(norms[layer])}")
        assert ("⚠ vanishing?" in norm_line) == (norms[layer] < 1e-4 * norms["layer4"])
    assert any("vanishing?" in c["label"] for c in dot.clusters.values())
    assert all(p.grad is None for p in params.values())


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # made on purpose
def test_exploding_and_nan_gradients_are_marked():
    rng = np.random.default_rng(0)
    A = ag.tensor(rng.normal(size=(4, 8)), name="X")
    for l, (n, n_prev) in enumerate([(20, 4), (20, 20), (20, 20), (1, 20)], start=1):
        W = ag.tensor(rng.normal(size=(n, n_prev)) * 3.0, requires_grad=True,
                      name=f"layer{l}.W")                  # far too large: gradients explode
        with ag.name_scope(f"layer{l}"):
            A = W @ A if l == 4 else ag.relu(W @ A)
    norms = gradient_norms(A.sum())
    assert min(norms.values()) > 1e3
    dot = Dot(draw_graph(A.sum(), show_grads=True))
    assert sum("⚠ exploding?" in c["label"] for c in dot.clusters.values()) == 4
    assert all(c["color"] == "#d62728" for c in dot.clusters.values())

    x = ag.tensor([0.0, 4.0], requires_grad=True, name="x")
    y = ag.sqrt(x).sum()                                   # d sqrt(x)/dx = inf at 0
    dot = Dot(draw_graph(y, show_grads=True))
    node = dot.nodes[dot.by_first_line("x")]
    assert node["lines"][-1] == "⚠ grad has inf" and node["color"] == "#d62728"
    assert not any("⚠" in line for line in dot.nodes[dot.by_first_line("() float64")]["lines"])
    with np.errstate(invalid="ignore"):
        bad = ag.log(ag.tensor([-1.0, 1.0], requires_grad=True, name="v"))
    bad.name = "logv"
    dot = Dot(draw_graph(bad))
    assert dot.nodes[dot.by_first_line("logv")]["lines"][-1] == "⚠ value has NaN"


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # made on purpose
def test_nan_in_a_retained_backward_is_marked_without_show_grads():
    x = ag.tensor([0.0, 4.0], requires_grad=True, name="x")
    y = ag.sqrt(x).sum()
    y.backward(retain_graph=True)
    dot = Dot(draw_graph(y))
    assert dot.nodes[dot.by_first_line("x")]["lines"] == ["x", "(2,) float64",
                                                          "⚠ grad has inf"]


def test_max_nodes_collapses_the_far_end_into_one_note():
    x = ag.tensor(1.0, requires_grad=True, name="x")
    y = x
    for _ in range(30):
        y = ag.tanh(y)                                   # 30 ops, 1 leaf, 1 root (named)
    y.name = "y"
    full = Dot(draw_graph(y))
    assert len(full.nodes) == 32 and "more" not in full.nodes
    cut = Dot(draw_graph(y, max_nodes=10))
    assert len(cut.nodes) == 11                          # 10 drawn + the note
    assert cut.nodes["more"]["lines"][0] == "… 22 more nodes not drawn"
    assert "max_nodes=10" in cut.nodes["more"]["lines"][1]
    from_note = [h for t, h, _ in cut.edges if t == "more"]
    assert len(from_note) == 1 and cut.nodes[from_note[0]]["lines"][0] == "tanh"
    assert cut.by_first_line("y")                         # the root's side is kept


def test_big_network_stays_below_the_cap():
    L, _ = deep_network(dims=(4,) + (3,) * 20 + (1,))
    dot = Dot(draw_graph(L, max_nodes=40))
    assert len(dot.nodes) == 41 and "more" in dot.nodes


# --- trace_backward ------------------------------------------------------------------------

def test_trace_lists_each_chain_rule_step_in_backward_order():
    model = logistic_example()
    trace = trace_backward(model["L"])
    assert isinstance(trace, BackwardTrace) and len(trace) == 11
    assert [s.op for s in trace] == ["neg", "add", "mul", "log", "sub", "mul", "log",
                                     "sigmoid", "add", "matmul", "transpose"]
    sig = trace[7]
    assert (sig.output, sig.rule, sig.upstream, sig.upstream_shape) == \
        ("a", "dz = da · a(1 − a)", "da", (1, 1))
    assert sig.sources == [5, 7]                   # a feeds 1 - a and log(a)
    dz = 1 / (1 + np.exp(-0.1)) - 1.0                # a − y, z = 0.5·1 − 0.25·2 + 0.1
    assert [g.text() for g in sig.gradients] == \
        [f"dz  (1, 1)  = {array_text(np.array([[dz]]))}   → step 9"]
    assert trace[0].upstream_note() == "   (the seed: 1)"
    assert trace[2].gradients[0].text() == "1 − y: constant, no gradient"
    assert trace[5].gradients[0].text() == "y: constant, no gradient"
    assert trace[8].gradients[1].text() == \
        f"db  (1, 1) → reshaped to ()  = {dz:.4g}"                         # no broadcast
    text = str(trace)
    assert text.splitlines()[0].startswith("Backward trace of L (1, 1): 11 chain-rule steps")
    assert " 8. sigmoid → a (1, 1)" in text
    da = -1 / (1 + dz)                   # dL/da = −y/a + (1−y)/(1−a) = −1/a for y = 1
    assert f"    upstream  da  (1, 1)  = {array_text(np.array([[da]]))}   (the sum of the " \
        "gradients from steps 5, 7)" in text


def course_j():
    """The course's first computation graph, J = 3(a + bc) with a = 5, b = 3, c = 2: the
    one docs/make_pictures.py draws for the tutorial."""
    spec = importlib.util.spec_from_file_location("make_pictures",
                                                  ROOT / "docs" / "make_pictures.py")
    pictures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pictures)
    return pictures.course_j()


def test_trace_of_the_courses_j_shows_the_walk_through_values():
    # The course's walk-through: u = 6, v = 11, J = 33; dJ = 1, dv = 3, da = 3, du = 3,
    # db = dJ/du · c = 6, dc = dJ/du · b = 9.
    lines = str(trace_backward(course_j())).splitlines()
    assert lines[2:] == [
        " 1. mul → J ()  = 33",
        "    rule      dv = dJ · 3",                  # the rule in this step's names
        "    upstream  dJ  ()  = 1   (the seed: 1)",
        "    gives     dv  ()  = 3   → step 2",
        " 2. add → v ()  = 11",
        "    rule      da = dv,  du = dv",
        "    upstream  dv  ()  = 3",
        "    gives     da  ()  = 3",
        "              du  ()  = 3   → step 3",
        " 3. mul → u ()  = 6",
        "    rule      db = du · c,  dc = du · b",    # not "db = dout · a": b is an input
        "    upstream  du  ()  = 3",
        "    gives     db  ()  = 6",
        "              dc  ()  = 9",
        "",
        "Gradients of the parameters:",               # the course's order: da, db, dc
        "  da  ()         ‖da‖ = 3",
        "  db  ()         ‖db‖ = 6",
        "  dc  ()         ‖dc‖ = 9"]


def test_trace_lists_the_parameters_in_the_courses_order_before_and_after_backward():
    import nn
    # as the expression reads: J = 3(a + bc) gives a, b, c; A = σ(wᵀX + b) gives w, b
    # (the course's propagate returns dw, then db)
    w = ag.tensor([[1.0], [2.0]], requires_grad=True, name="w")
    b = ag.tensor(2.0, requires_grad=True, name="b")
    X = ag.tensor([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]], name="X")
    Y = ag.tensor([[1.0, 0.0, 1.0]], name="Y")
    A = ag.sigmoid(w.T @ X + b)
    J = -(Y * ag.log(A) + (1 - Y) * ag.log(1 - A)).mean()
    assert [name for name, _, _ in trace_backward(J).parameters] == ["dw", "db"]
    # a network: layer after layer from the input, as the course's grads dW1, db1, dW2, …
    model = nn.DeepNN([3, 4, 2, 1], seed=1)
    J = model.cost(np.ones((3, 2)), np.array([[1, 0]]))
    expected = [f"d(layer{l}.{p})" for l in (1, 2, 3) for p in "Wb"]
    assert [name for name, _, _ in trace_backward(J).parameters] == expected
    J.backward()                                  # released: the same order, from .grad
    assert [name for name, _, _ in trace_backward(J).parameters] == expected


def test_trace_summarises_large_tensors_with_mean_min_and_max():
    W = ag.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True, name="W")
    J = (W * W).sum() / 2                               # dJ/dW = W
    J.name = "J"
    step = next(s for s in trace_backward(J) if s.op == "mul")
    assert step.head() == "mul → (3, 4)  mean 42.2, min 0, max 121"   # Σ k² / 12 = 506 / 12
    # each of the two uses of W receives ½·W (together dJ/dW = W): mean 2.75, max 5.5
    assert step.gradients[0].text() == "dW  (3, 4)  mean 2.75, min 0, max 5.5"
    assert step.upstream_text() == "d[mul]  (3, 4)  mean 0.5, min 0.5, max 0.5"    # d(·/2)


def test_trace_shows_where_a_broadcast_gradient_was_summed():
    model = logistic_batch(m=4)
    trace = trace_backward(model["J"])
    step = next(s for s in trace if s.output == "Z")
    db = step.gradients[1]
    assert (db.name, db.raw_shape, db.shape, db.summed_axes) == ("db", (1, 4), (1, 1), (1,))
    A, Y = model["A"].numpy(), model["Y"].numpy()
    assert db.text() == ("db  (1, 4) → summed over axis 1 (the m = 4 examples) → (1, 1)  "
                         f"= {array_text(np.sum(A - Y, keepdims=True) / 4)}")
    names = [(n, s) for n, s, _ in trace.parameters]
    assert names == [("dw", (2, 1)), ("db", (1, 1))]
    dw = dict((n, v) for n, _, v in trace.parameters)["dw"]
    A, Y, X = (model[k].numpy() for k in ("A", "Y", "X"))
    assert dw == pytest.approx(np.linalg.norm((A - Y) @ X.T / 4))


def test_trace_keeps_the_graph_and_the_grads():
    model = logistic_batch()
    w = model["w"]
    w.grad = ag.tensor(np.full((2, 1), 7.0))
    trace_backward(model["J"])
    trace_backward(model["J"])                       # twice: the graph is still there
    np.testing.assert_array_equal(w.grad.numpy(), np.full((2, 1), 7.0))
    assert model["b"].grad is None
    model["J"].backward()
    assert model["b"].grad is not None


def test_trace_displays_in_a_notebook():
    trace = trace_backward(logistic_batch()["J"])
    page = trace._repr_html_()
    assert page.startswith("<table>") and page.count("<tr>") == len(trace) + 1
    assert "summed over axis 1 (the m = 4 examples)" in page
    assert "dz = da · a(1 − a)" in page
    with pytest.raises(TypeError, match="expected the loss Tensor"):
        trace_backward([1.0])


# --- gradient_norms ------------------------------------------------------------------------

def test_gradient_norms_from_the_loss_equal_those_from_grad_after_backward():
    L, params = deep_network()
    per_param = gradient_norms(L, per="parameter")
    L.backward()
    assert gradient_norms(params, per="parameter") == pytest.approx(per_param, rel=1e-12)
    assert gradient_norms(list(params.values())) == pytest.approx(gradient_norms(params))
    for name, t in params.items():
        assert per_param[name] == pytest.approx(np.linalg.norm(t.grad.numpy()), rel=1e-12)


def test_gradient_norms_before_backward_says_what_to_do():
    w = ag.tensor([1.0], requires_grad=True, name="w")
    with pytest.raises(GraphError, match=r"none of these parameters has a gradient yet \(w\)"):
        gradient_norms([w])
    with pytest.raises(ValueError, match="per must be"):
        gradient_norms([w], per="neuron")


# --- rendering with the real dot program ---------------------------------------------------

@pytest.fixture
def dot_program():
    """The path of `dot`; without it: fail in CI, skip elsewhere."""
    path = shutil.which("dot")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Graphviz `dot` is missing in CI: install it (sudo apt-get install "
                        "graphviz, or `make graphviz`)")
        pytest.skip("Graphviz `dot` is not installed")
    return path


def svg_texts(path):
    root = ET.parse(path).getroot()
    return [t.text for t in root.iter(f"{SVG}text")], root


def test_logistic_regression_renders_to_svg_with_shapes_kinds_and_rules(dot_program,
                                                                       tmp_path):
    model = logistic_example()
    path = save_graph(model["L"], tmp_path / "logreg.svg", show_backward=True)
    texts, root = svg_texts(path)
    for name in ("w", "x", "b", "z", "a", "L", "y"):
        assert name in texts
    assert texts.count("(2, 1) float64") == 2 and "() float64" in texts      # w, x; b
    assert "dz = da · a(1 − a)" in texts and "dA = dZ · Bᵀ" in texts
    assert "() ⇒ broadcast to (1, 1)" in texts
    fills = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            label = [t.text for t in g.iter(f"{SVG}text")][0]
            fills[label] = next(p.get("fill") for p in g if p.tag in (f"{SVG}polygon",
                                                                         f"{SVG}path"))
    assert fills["w"] == fills["b"] == STYLES["param"]["fillcolor"]
    assert fills["x"] == fills["y"] == STYLES["data"]["fillcolor"]
    assert fills["z"] != fills["w"] and fills["z"] != fills["x"]


def test_four_layer_network_renders_with_a_box_per_layer(dot_program, tmp_path):
    L, _ = deep_network()
    texts, root = svg_texts(save_graph(L, tmp_path / "deep.svg", show_grads=True))
    clusters = [g for g in root.iter(f"{SVG}g") if g.get("class") == "cluster"]
    assert len(clusters) == 4
    titles = sorted([t.text for t in c.iter(f"{SVG}text")][0] for c in clusters)
    assert titles == ["layer1", "layer2", "layer3", "layer4"]
    assert any(t and t.startswith("‖grad‖ = ") and "vanishing?" in t for t in texts)


def svg_size(path):
    """(width, height) in points of a rendered SVG."""
    root = ET.parse(path).getroot()
    return tuple(float(root.get(k).removesuffix("pt")) for k in ("width", "height"))


def test_direction_is_chosen_from_the_graphs_shape(dot_program, tmp_path):
    a, b = ag.tensor(5.0, requires_grad=True, name="a"), ag.tensor(3.0, name="b")
    small = a * b + 1.0                             # fits a page left to right: the course's way
    assert draw_graph(small).graph_attr["rankdir"] == "LR"
    w = ag.tensor(np.ones((3, 1)), requires_grad=True, name="w")
    h = w
    for k in range(12):                             # a long chain: 12 layers of 2 ops
        h = ag.tanh(h * 0.5)
        h.name = f"h{k + 1}"
    chain = h.sum()
    assert draw_graph(chain).graph_attr["rankdir"] == "TB"
    width, height = svg_size(save_graph(chain, tmp_path / "chain.svg"))
    assert height > 3 * width                       # a column to scroll, not a 4000-pt strip
    width, height = svg_size(save_graph(chain, tmp_path / "lr.svg", rankdir="LR"))
    assert width > 3 * height                       # what it would have been
    assert draw_graph(chain, rankdir="LR").graph_attr["rankdir"] == "LR"    # asked for


def test_demo_graph_is_readable_and_matches_the_graph_command(dot_program, tmp_path, capsys):
    from autograd_lite.cli import main

    run = tmp_path / "run"
    assert main(["train", "--dataset", "planar", "--model", "shallow", "--iterations", "50",
                 "--print-every", "0", "--no-progress", "--out", str(run)]) == 0
    width, height = svg_size(run / "graph.svg")
    assert width <= 1000 and 0.4 < width / height < 1.5, (width, height)   # was 4082 × 283
    assert main(["graph", "--model", str(run / "model.npz"), "-o",
                 str(tmp_path / "g.svg")]) == 0
    demo, _ = svg_texts(run / "graph.svg")
    command, _ = svg_texts(tmp_path / "g.svg")
    norms = [t for t in demo if t and t.startswith("‖grad‖")]
    assert len(norms) == 2 and norms == [t for t in command if t and t.startswith("‖grad‖")]
    assert not any("vanishing?" in t for t in norms)
    import nn
    model = nn.load(run / "model.npz")
    from autograd_lite.cli.batch import model_cost, pick_examples
    train_x, train_y = nn.datasets.planar_flower()
    X, Y, _ = pick_examples(train_x, train_y, 3)                 # real flower points
    assert Y.tolist() == [[1.0, 0.0, 1.0]]                                  # both classes
    expected = gradient_norms(model_cost(model, X, Y))
    assert [f"‖grad‖ = {number(expected[k])}" for k in ("layer1", "layer2")] == \
        [t.split("  ")[0] for t in norms[:2]]
    assert demo == command                                                  # the same picture


def test_png_and_pdf_are_real_files(dot_program, tmp_path):
    y = logistic_example()["L"]
    assert save_graph(y, tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert save_graph(draw_graph(y), tmp_path / "g.pdf").read_bytes()[:5] == b"%PDF-"


def test_without_dot_the_source_still_saves_and_rendering_says_how_to_install(
        tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None
    y = logistic_example()["L"]
    source = save_graph(y, tmp_path / "g.gv").read_text()
    assert source == draw_graph(y).source and source.startswith("digraph autograd_lite {")
    with pytest.raises(GraphvizNotFoundError,
                       match=r"needs the Graphviz program 'dot'.*sudo apt-get install graphviz"):
        save_graph(y, tmp_path / "g.svg")
    assert not (tmp_path / "g.svg").exists()
    bundle = draw_graph(y)._repr_mimebundle_()
    assert "sudo apt-get install graphviz" in bundle["text/plain"]
    assert "digraph autograd_lite" in bundle["text/plain"]


def test_the_picture_displays_inline_in_jupyter(dot_program):
    picture = draw_graph(logistic_example()["L"])
    bundle = picture._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    svg = picture._repr_svg_()                         # IPython's display hook for SVG
    assert isinstance(svg, str) and svg == bundle["image/svg+xml"]
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert {"w", "x", "b", "z", "a", "L", "sigmoid"} <= set(texts)


def test_without_dot_repr_svg_steps_aside_for_the_text(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))           # no dot here
    assert draw_graph(logistic_example()["L"])._repr_svg_() is None


def test_docs_pictures_are_regenerated_by_the_script(dot_program, tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "docs" / "make_pictures.py"),
                             "--out", str(tmp_path)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    made = sorted(p.name for p in tmp_path.iterdir())
    for stem in ("logistic_regression", "logistic_regression_backward", "two_layer",
                 "deep_layers"):
        assert f"{stem}.png" in made and f"{stem}.svg" in made
    texts, _ = svg_texts(tmp_path / "logistic_regression.svg")
    assert {"w", "x", "b", "z", "a", "L"} <= set(texts)
    # README: the picture of its own code block (X of 3 examples, root J, dw and db after
    # backward), with w = 0, b = 0: A = ½, dZ = A − Y, dw = X dZᵀ / 3, db = Σ dZ / 3
    texts, _ = svg_texts(tmp_path / "readme_logistic_regression.svg")
    X = np.array([[1.0, 2.0, -1.0], [0.5, -1.0, 2.0]])
    dZ = 0.5 - np.array([[1.0, 0.0, 1.0]])
    assert {"J", "X", "Y", "w", "b", "(2, 3) float64", "1 − Y"} <= set(texts)
    assert "dw = " + array_text(X @ dZ.T / 3) in texts
    assert "db = " + number(dZ.sum() / 3) in texts
    assert "L" not in texts and "x" not in texts
    assert "](docs/img/readme_logistic_regression.svg)" in (ROOT / "README.md").read_text()
    width, height = svg_size(tmp_path / "demo_graph.svg")       # make demo's graph.svg
    assert width <= 1000 and 0.4 < width / height < 1.5, (width, height)


def test_a_rule_names_a_transposed_gradient_too():
    # "da = doutᵀ": ᵀ is a letter to a regex, but the name ends before it
    w = ag.tensor(np.zeros((2, 1)), requires_grad=True, name="w")
    wt = w.T
    wt.name = "wT"
    (step,) = trace_backward((wt * 2.0).sum()).steps[2:3]
    assert step.op == "transpose" and step.rule == "dw = dwTᵀ"


def test_save_graph_creates_the_missing_folder_and_names_a_file_in_the_way(tmp_path):
    w = ag.tensor(2.0, requires_grad=True, name="w")
    path = save_graph(w * 3, tmp_path / "new" / "deeper" / "y.gv")
    assert path.read_text().startswith("digraph autograd_lite {")
    (tmp_path / "blocker").write_text("a file, not a folder")
    with pytest.raises(OSError) as info:
        save_graph(w * 3, tmp_path / "blocker" / "y.gv")
    assert str(info.value) == (f"save_graph: cannot create the folder {tmp_path / 'blocker'} "
                               f"for {tmp_path / 'blocker' / 'y.gv'}: {tmp_path / 'blocker'} "
                               "is a file, not a folder")
