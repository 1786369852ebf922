"""Regenerate the pictures of docs/visualization.md (PNG and SVG) into docs/img/.

    make docs-pictures                      # or: .venv/bin/python docs/make_pictures.py
    .venv/bin/python docs/make_pictures.py --out /tmp/pictures

The models are written with the engine alone (each layer inside ``ag.name_scope``), so the
pictures do not depend on the nn package.  Needs the Graphviz program ``dot``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import autograd_lite as ag  # noqa: E402
from autograd_lite.viz import draw_graph, save_graph  # noqa: E402


def logistic_regression():
    """The course's first graph, one example: z = wᵀx + b, a = σ(z), L(a, y)."""
    w = ag.tensor([[0.5], [-0.25]], requires_grad=True, name="w")
    b = ag.tensor(0.1, requires_grad=True, name="b")
    x = ag.tensor([[1.0], [2.0]], name="x")
    y = ag.tensor([[1.0]], name="y")
    z = w.T @ x + b
    a = ag.sigmoid(z)
    with ag.name_scope("L(a, y)"):
        L = -(y * ag.log(a) + (1 - y) * ag.log(1 - a))
    z.name, a.name, L.name = "z", "a", "L"
    return L


def layer(l, W, b, A_prev, g):
    """One layer, Z = W A_prev + b, A = g(Z), recorded inside name_scope(f"layer{l}")."""
    with ag.name_scope(f"layer{l}"):
        Z = W @ A_prev + b
        A = g(Z)
    Z.name, A.name = f"Z{l}", f"A{l}"
    return A


def network(layer_dims, m, activations, scale, seed):
    """An L-layer network on m random examples; returns its cross-entropy cost J."""
    rng = np.random.default_rng(seed)
    X = ag.tensor(rng.normal(size=(layer_dims[0], m)), name="X")
    Y = ag.tensor((rng.random((1, m)) > 0.5).astype(float), name="Y")
    A = X
    for l, g in enumerate(activations, start=1):
        W = ag.tensor(rng.normal(size=(layer_dims[l], layer_dims[l - 1])) * scale,
                      requires_grad=True, name=f"layer{l}.W")
        b = ag.tensor(np.zeros((layer_dims[l], 1)), requires_grad=True, name=f"layer{l}.b")
        A = layer(l, W, b, A, g)
    with ag.name_scope("cost"):
        J = -(Y * ag.log(A) + (1 - Y) * ag.log(1 - A)).mean()
    J.name = "J"
    return J


def pictures():
    """{file stem: graphviz.Digraph} of every picture on the docs page."""
    two_layer = network([2, 4, 1], m=3, activations=[ag.tanh, ag.sigmoid], scale=0.5, seed=1)
    deep = network([4, 5, 4, 3, 1], m=8, activations=[ag.relu] * 3 + [ag.sigmoid],
                   scale=0.01, seed=1)
    return {
        "logistic_regression": draw_graph(logistic_regression()),
        "logistic_regression_backward": draw_graph(logistic_regression(), show_grads=True,
                                                   show_backward=True),
        "two_layer": draw_graph(two_layer, show_grads=True, rankdir="TB"),
        "deep_layers": draw_graph(deep, show_grads=True, rankdir="TB"),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img",
                        help="directory for the pictures (default: docs/img)")
    out = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    for stem, picture in pictures().items():
        for suffix in (".svg", ".png"):
            if suffix == ".png":
                picture.attr(dpi="110")
            path = save_graph(picture, out / (stem + suffix))
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
