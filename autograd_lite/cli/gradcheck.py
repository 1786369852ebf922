"""``autograd-lite gradcheck``: the course's gradient check over every parameter of a model.

Runs :func:`autograd_lite.course_gradient_check` on the model's cost for a few examples of
the data set it was trained on (random ones for a model that records none, see
:mod:`autograd_lite.cli.batch`): every parameter element is nudged by ±ε, and
``difference = ‖grad − gradapprox‖₂ / (‖grad‖₂ + ‖gradapprox‖₂)`` must stay below the
threshold (2e-7, the course's).  Above it, wider steps decide whether the backward pass
is wrong or the finite differences are.  Exit status 1 for a mistake; 0 when the check
passes, and also when it is inconclusive (it says so: the numerical side cannot decide).

Each element costs two forward passes, so models with more than ``--max-elements``
parameter elements (the cat network has 245,973) are refused unless ``--only`` picks some
parameters or the limit is raised.

Examples
--------
>>> from autograd_lite.cli import main
>>> main(["gradcheck", "--model", "shallow"])                   # doctest: +ELLIPSIS
gradient check of TwoLayerNet [2, 4, 1] on 3 training examples of the planar flower (numbers 200, 0, 201) (epsilon 1e-07, threshold 2e-07)
  layer1.W (4, 2), layer1.b (4, 1), layer2.W (1, 4), layer2.b (1, 1): 17 elements
Your backward propagation works perfectly fine! difference = ...
0
"""
from __future__ import annotations

from .batch import example_batch
from .common import (CLIError, UsageError, add_examples_argument, add_model_argument,
                     describe, positive_float, positive_int, resolve_model, subcommand)


def add_options(p):
    """The options of ``gradcheck``, added to its parser ``p``.

    Examples
    --------
    >>> from autograd_lite.cli import build_parser
    >>> build_parser().parse_args(["gradcheck", "--model", "deep"]).epsilon
    1e-07
    """
    add_model_argument(p)
    add_examples_argument(p)
    p.add_argument("--epsilon", type=positive_float, default=1e-7,
                   help="finite-difference step (default: 1e-7)")
    p.add_argument("--threshold", type=positive_float, default=2e-7,
                   help="largest accepted difference (default: 2e-7)")
    p.add_argument("--only", metavar="NAMES",
                   help="check only these parameters: names or layer prefixes separated by "
                        "commas, e.g. layer2,layer3.W")
    p.add_argument("--max-elements", type=positive_int, default=50_000, metavar="N",
                   help="refuse to check more parameter elements than this (default: 50000)")


def selected_parameters(model, only):
    """``{name: parameter}`` of ``model``, restricted to the names or prefixes in ``only``.

    Examples
    --------
    >>> import nn
    >>> model = nn.DeepNN([4, 5, 3, 1], seed=0)
    >>> list(selected_parameters(model, "layer2,layer3.b"))
    ['layer2.W', 'layer2.b', 'layer3.b']
    """
    params = dict(model.named_parameters())
    if not only:
        return params
    wanted = [w.strip() for w in only.split(",") if w.strip()]
    chosen = {name: p for name, p in params.items()
              if any(name == w or name.startswith(w + ".") for w in wanted)}
    unknown = [w for w in wanted
               if not any(name == w or name.startswith(w + ".") for name in params)]
    if unknown or not chosen:
        missing = ", ".join(unknown) or only
        raise UsageError(f"--only: no parameter called {missing}; the model has "
                         f"{', '.join(params)}")
    return chosen


def run(args):
    """Check, print the parameters and the course's verdict; 0 if it passes, else 1.

    Examples
    --------
    >>> from autograd_lite.cli import build_parser
    >>> run(build_parser().parse_args(["gradcheck", "--model", "deep", "--only", "layer3"]))
    ... # doctest: +ELLIPSIS
    gradient check of DeepNN [4, 5, 3, 1] on 3 random examples (the model records no data set) (epsilon 1e-07, threshold 2e-07)
      layer3.W (1, 3), layer3.b (1, 1): 4 elements
    Your backward propagation works perfectly fine! difference = ...
    0
    """
    import autograd_lite as ag

    model, _ = resolve_model(args.model)
    params = selected_parameters(model, args.only)
    size = sum(p.size for p in params.values())
    if size > args.max_elements:
        raise CLIError(f"gradcheck: {size:,} parameter elements to check, two forward passes "
                       f"each; that is more than --max-elements {args.max_elements:,}. Pick "
                       f"some with --only (the model has {', '.join(params)}) or raise "
                       "--max-elements")
    X, Y, examples = example_batch(model, args.model, m=args.examples)
    print(f"gradient check of {describe(model)} on {examples} "
          f"(epsilon {args.epsilon:g}, threshold {args.threshold:g})")
    print("  " + ", ".join(f"{name} {tuple(p.shape)}" for name, p in params.items())
          + f": {size} elements")
    check = ag.course_gradient_check(lambda: model.cost(X, Y), params, epsilon=args.epsilon,
                                     threshold=args.threshold)
    print(check)
    return 1 if check.verdict == "mistake" else 0


add_parser = subcommand(
    "gradcheck", run, add_options,
    help="the course's gradient check on every parameter of a model",
    description="Compare the engine's gradients of a model's cost with centred finite "
                "differences, over every parameter element, on a few examples of its data "
                "set.")
