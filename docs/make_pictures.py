"""Regenerate the pictures of the docs (PNG and SVG) into docs/img/.

    make docs-pictures                      # or: .venv/bin/python docs/make_pictures.py
    .venv/bin/python docs/make_pictures.py --out /tmp/pictures

* docs/visualization.md: graphs of models written with the engine alone (each layer inside
  ``ag.name_scope``), so they do not depend on the nn package.
* docs/tutorial.md: the course's ``J = 3(a + bc)``, the activation functions and their
  derivatives, the cost for three learning rates, and the graph of the L-layer network.
* README.md: what ``make demo`` leaves in its run folder (it runs the same command), and
  the logistic-regression picture, made by running the README's own code block.

Needs the Graphviz program ``dot``.
"""
from __future__ import annotations

import argparse
import re
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


def course_j():
    """The course's first computation graph: J = 3(a + bc) with a = 5, b = 3, c = 2."""
    a = ag.tensor(5.0, requires_grad=True, name="a")
    b = ag.tensor(3.0, requires_grad=True, name="b")
    c = ag.tensor(2.0, requires_grad=True, name="c")
    u = b * c
    v = a + u
    J = 3 * v
    u.name, v.name, J.name = "u", "v", "J"
    return J


def tutorial_graphs():
    """{file stem: graphviz.Digraph} of the graphs of docs/tutorial.md."""
    import nn
    from autograd_lite.cli.batch import model_cost, random_batch

    deep = nn.DeepNN([4, 5, 3, 1], hidden="relu", seed=nn.init.course_rng(1))
    return {
        "tutorial_J": draw_graph(course_j(), show_grads=True, show_values=True),
        "tutorial_deep": draw_graph(model_cost(deep, *random_batch(deep)), show_grads=True,
                                    rankdir="TB"),
    }


def _figure(figsize):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def activations_plot(path):
    """g(z) and g'(z) of the four activations, the derivatives computed by the engine."""
    z = np.linspace(-4, 4, 401)
    fig = _figure((10, 2.8))
    for k, (name, g) in enumerate([("sigmoid", ag.sigmoid), ("tanh", ag.tanh),
                                   ("relu", ag.relu), ("leaky_relu", ag.leaky_relu)]):
        Z = ag.tensor(z, requires_grad=True)
        A = g(Z)
        dZ, = ag.grad(A.sum(), [Z])
        ax = fig.add_subplot(1, 4, k + 1)
        ax.plot(z, A.numpy(), label="g(z)")
        ax.plot(z, dZ.numpy(), "--", label="g'(z)")
        ax.set_title(name)
        ax.grid(True, alpha=0.3)
        if k == 0:
            ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def learning_rates_plot(path):
    """The cost of week 3's network on the flower for three learning rates."""
    import nn

    X, Y = nn.datasets.planar_flower()
    fig = _figure((6, 4))
    ax = fig.add_subplot()
    for rate in (0.01, 0.1, 1.2):
        model = nn.TwoLayerNet(2, 4, 1, hidden="tanh", seed=nn.init.course_rng(2))
        ax.plot(model.fit(X, Y, iterations=1000, learning_rate=rate), label=f"α = {rate}")
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost J")
    ax.set_title("Learning rate is a hyperparameter")
    ax.legend()
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def demo_run(out):
    """Run `make demo`'s command and keep its plots and graph as demo_*.png / demo_graph.svg."""
    import contextlib
    import io
    import shutil
    import tempfile

    from autograd_lite.cli import main as cli

    with tempfile.TemporaryDirectory() as run:
        with contextlib.redirect_stdout(io.StringIO()):
            code = cli(["train", "--dataset", "planar", "--model", "shallow", "--layers", "4",
                        "--hidden", "tanh", "--lr", "1.2", "--iterations", "10000",
                        "--seed", "2", "--no-progress", "--out", run])
        if code != 0:
            raise SystemExit(f"autograd-lite train failed with status {code}")
        written = []
        for name in ("costs.png", "decision_boundary.png", "graph.svg"):
            written.append(Path(shutil.copyfile(Path(run) / name, out / f"demo_{name}")))
    return written


README_MARK = 'ag.save_graph(J, "graph.svg"'     # the README block that draws its picture


def readme_block(readme=ROOT / "README.md"):
    """The source of the README's ```python block that writes graph.svg."""
    blocks = re.findall(r"^```python\n(.*?)^```", readme.read_text(encoding="utf-8"),
                        flags=re.S | re.M)
    found = [b for b in blocks if README_MARK in b]
    if len(found) != 1:
        raise SystemExit(f"README.md: expected one python block with {README_MARK!r}, "
                         f"found {len(found)}")
    return found[0]


def readme_picture(out):
    """Run the README's logistic-regression block as written; keep the graph.svg it writes."""
    import os
    import shutil
    import tempfile

    here = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            exec(compile(readme_block(), "README.md", "exec"), {"__name__": "__readme__"})
        finally:
            os.chdir(here)
        return Path(shutil.copyfile(Path(folder) / "graph.svg",
                                    out / "readme_logistic_regression.svg"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img",
                        help="directory for the pictures (default: docs/img)")
    out = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    for stem, picture in {**pictures(), **tutorial_graphs()}.items():
        for suffix in (".svg", ".png"):
            if suffix == ".png":
                picture.attr(dpi="110")
            path = save_graph(picture, out / (stem + suffix))
            print(f"wrote {path}")
    for path in (readme_picture(out), activations_plot(out / "activations.png"),
                 learning_rates_plot(out / "learning_rates.png"), *demo_run(out)):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
