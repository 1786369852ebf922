"""``autograd-lite graph``: draw a model's computational graph for a small batch.

The graph is that of the model's cost J on ``--examples`` examples (3 by default) of the
data set the model was trained on (random ones for a model that records none; see
:mod:`autograd_lite.cli.batch`),
drawn with :func:`autograd_lite.viz.draw_graph`: one box per layer, the shape on every
edge, and ``d J / d node`` at every tensor that needs a gradient.

Examples
--------
>>> import os, tempfile
>>> from autograd_lite.cli import main
>>> path = os.path.join(tempfile.mkdtemp(), "shallow.gv")
>>> main(["graph", "--model", "shallow", "-o", path])           # doctest: +ELLIPSIS
wrote ...shallow.gv: the graph of the cost of TwoLayerNet [2, 4, 1] on 3 training examples of the planar flower (numbers 200, 0, 201)
0
>>> open(path).read().count("layer1.W") > 0
True
"""
from __future__ import annotations

import sys
from pathlib import Path

from .batch import example_batch, model_cost
from .common import (CLIError, add_examples_argument, add_model_argument, describe,
                     graph_path, output_folder, resolve_model, save_graph_or_source,
                     subcommand)


def add_options(p):
    """The options of ``graph``, added to its parser ``p``.

    Examples
    --------
    >>> from autograd_lite.cli import build_parser
    >>> build_parser().parse_args(["graph", "--model", "deep"]).examples
    3
    """
    add_model_argument(p)
    p.add_argument("-o", "--output", type=graph_path, default=Path("graph.svg"),
                   metavar="FILE", help="picture to write: .svg, .png, .pdf or .gv "
                                        "(default: graph.svg); its folder is created")
    p.add_argument("--show-backward", action="store_true",
                   help="write each operation's local derivative rule (dz = da * a(1 - a))")
    p.add_argument("--show-values", action="store_true", help="show the numbers of each tensor")
    p.add_argument("--no-grads", action="store_true",
                   help="leave out the gradients dJ/d(node) (shown by default)")
    add_examples_argument(p)
    p.add_argument("--rankdir", choices=("LR", "TB"), default=None,
                   help="left to right or top to bottom (default: chosen from the graph's "
                        "shape, top to bottom when left to right would not fit a page)")


def run(args):
    """Draw and save the graph; print where it went.

    Examples
    --------
    >>> import os, tempfile
    >>> from autograd_lite.cli import build_parser
    >>> path = os.path.join(tempfile.mkdtemp(), "logreg.gv")
    >>> run(build_parser().parse_args(["graph", "--model", "logreg", "-o", path]))
    ... # doctest: +ELLIPSIS
    wrote ...logreg.gv: the graph of the cost of LogisticRegression [4, 1] on 3 random examples (the model records no data set)
    0
    """
    model, _ = resolve_model(args.model)
    X, Y, examples = example_batch(model, args.model, m=args.examples)
    J = model_cost(model, X, Y)
    with output_folder(args.output.parent, "graph"):          # created like train --out
        try:
            written, note = save_graph_or_source(J, args.output, show_grads=not args.no_grads,
                                                 show_backward=args.show_backward,
                                                 show_values=args.show_values, rankdir=args.rankdir)
        except OSError as exc:
            raise CLIError(f"graph: cannot write {args.output}: {exc.strerror or exc}") \
                from None
    if note:
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {written}: the graph of the cost of {describe(model)} on {examples}")
    return 0


add_parser = subcommand(
    "graph", run, add_options,
    help="draw a model's computational graph for a small batch",
    description="Draw the graph of a model's cost J on a few examples of its data set.  Without "
                "Graphviz, the DOT source (.gv) is written instead of a picture.")
