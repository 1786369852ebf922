"""``autograd-lite train``: train one of the course's models and keep everything in a run folder.

The run folder receives ``model.npz`` (``nn.save``), ``costs.png``, ``graph.svg`` (the
model's graph on the three examples ``autograd-lite graph`` draws; ``graph.gv`` without
Graphviz),
``decision_boundary.png`` for 2-D data, and ``metrics.json``.

Every default is the course's: ``--model shallow`` is week 3's network (4 tanh units,
α = 1.2, 10000 iterations, ``np.random.seed(2)``), ``--model deep`` week 4's
``[n_x, 20, 7, 5, 1]`` ReLU network (α = 0.0075, 2500 iterations, seed 1) and ``--model
logreg`` week 2's logistic regression (α = 0.005, 2000 iterations, zero weights).
``--model cnn`` (cat pictures only) is ``nn.CNN``: 8 and 16 3×3 filters (``--layers``), 4×4
max-pools, He weights, 30 epochs of Adam (α = 0.002) on batches of 32; see docs/cnn.md.

Examples
--------
>>> import json, tempfile
>>> from autograd_lite.cli import main
>>> out = tempfile.mkdtemp()
>>> main(["train", "--dataset", "xor", "--model", "shallow", "--iterations", "3",
...       "--print-every", "0", "--out", out])                    # doctest: +ELLIPSIS
autograd-lite train: xor, 2 features, 200 training and 200 test examples
...
0
>>> sorted(json.load(open(out + "/metrics.json"))["files"])
['costs', 'decision_boundary', 'graph', 'metrics', 'model']
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from .batch import model_cost, pick_examples
from .common import (CLIError, UsageError, layer_sizes, non_negative_int, output_folder,
                     positive_float, positive_int, save_graph_or_source, seed, subcommand)
from .data import DATASETS, load_dataset

MODELS = ("logreg", "shallow", "deep", "cnn")
# The course's architecture and initialisation of each model; the seed is np.random.seed(·);
# print_every: the course's cost lines, for its number of iterations.
DEFAULTS = {
    "logreg": dict(layers=[], hidden=None, init="zeros", seed=1, print_every=100),
    "shallow": dict(layers=[4], hidden="tanh", init="small", seed=2, print_every=1000),
    "deep": dict(layers=[20, 7, 5], hidden="relu", init="deep", seed=1, print_every=100),
    # --layers are the filters of each conv layer (3×3, "same", then a 4×4 max-pool)
    "cnn": dict(layers=[8, 16], hidden="relu", init="he", seed=1, optimizer="adam",
                batch_size=32, pool=4),
}
GRAPH_EXAMPLES = 3           # examples in the drawn graph: small enough to read its shapes


def add_options(p):
    """The options of ``train``, added to its parser ``p``.

    Examples
    --------
    >>> from autograd_lite.cli import build_parser
    >>> build_parser().parse_args(["train", "--lr", "0.5"]).lr
    0.5
    """
    import nn

    p.add_argument("--dataset", choices=list(DATASETS), default="planar",
                   help="data set (default: planar, the course's week-3 flower)")
    p.add_argument("--data-dir", type=Path, metavar="DIR",
                   help="folder with the cat .h5 files (default: $AUTOGRAD_LITE_DATA, else "
                        "the first of ./shared/data, ../shared/data and shared/data beside "
                        "the checkout that holds them)")
    p.add_argument("--model", choices=MODELS, default="shallow",
                   help="logreg (week 2), shallow (week 3), deep (week 4) or cnn (a "
                        "convolutional network, pictures only); default shallow")
    p.add_argument("--layers", type=layer_sizes, metavar="N,N,...",
                   help="hidden layer sizes: one for shallow (default 4), several for deep "
                        "(default 20,7,5)")
    p.add_argument("--hidden", choices=nn.models.HIDDEN,
                   help="activation of the hidden layers (default: tanh for shallow, relu "
                        "for deep)")
    p.add_argument("--init", choices=sorted(nn.init.INITIALIZERS),
                   help="initializer of W (default: zeros for logreg, small for shallow, "
                        "deep for deep)")
    p.add_argument("--lr", "--learning-rate", dest="lr", type=positive_float, metavar="ALPHA",
                   help="learning rate (default: the course's, 0.005 / 1.2 / 0.0075)")
    p.add_argument("--iterations", type=positive_int, metavar="N",
                   help="gradient steps, or epochs with --batch-size (default: the course's, "
                        "2000 / 10000 / 2500)")
    p.add_argument("--batch-size", type=positive_int, metavar="N",
                   help="mini-batches of N examples (default: the whole batch, like the course)")
    p.add_argument("--optimizer", choices=("gd", "momentum", "adam"),
                   help="update rule (default: gd, plain gradient descent; adam for cnn)")
    p.add_argument("--seed", type=seed, metavar="N",
                   help="the course's np.random.seed(N) for W and the mini-batches (default: "
                        "2 for shallow, 1 otherwise)")
    p.add_argument("--print-every", type=non_negative_int, metavar="N",
                   help="print 'Cost after iteration i' every N iterations (default: the "
                        "course's, every 100 for logreg and deep and 1000 for shallow, at "
                        "their default --iterations; else ten lines; 0: none)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (it is shown on a terminal for 500+ iterations)")
    p.add_argument("--no-compile", action="store_true",
                   help="run every training step eagerly (default: the step is captured once "
                        "with ag.compile and replayed; the costs are the same, bitwise)")
    p.add_argument("--out", type=Path, metavar="RUN_DIR",
                   help="run folder (default: runs/<dataset>-<model>, or runs/<dataset>-"
                        "<model>-2, -3, ... when that one holds a run)")
    p.add_argument("--force", action="store_true",
                   help="replace the run already in --out (default: refuse)")


def settings(args):
    """The run's settings: the command line's values, the course's defaults for the rest.

    Examples
    --------
    >>> from autograd_lite.cli import build_parser
    >>> args = build_parser().parse_args(["train", "--model", "deep", "--layers", "8,4"])
    >>> s = settings(args)
    >>> s["layers"], s["hidden"], s["seed"], s["learning_rate"], s["iterations"]
    ([8, 4], 'relu', 1, 0.0075, 2500)
    """
    import nn

    default = DEFAULTS[args.model]
    cls = {"logreg": nn.LogisticRegression, "shallow": nn.TwoLayerNet, "deep": nn.DeepNN,
           "cnn": nn.CNN}
    cls = cls[args.model]
    if args.data_dir is not None and args.dataset != "catvnoncat":
        raise UsageError(f"--data-dir only applies to --dataset catvnoncat; {args.dataset} "
                         "is generated, not read from files")
    if args.model == "logreg" and (args.layers or args.hidden):
        raise UsageError("--model logreg has no hidden layer: leave out --layers and --hidden "
                         "(or use --model shallow / deep)")
    if args.model == "shallow" and args.layers is not None and len(args.layers) != 1:
        raise UsageError(f"--model shallow has one hidden layer: give one size such as "
                         f"--layers 4, not {len(args.layers)}; use --model deep for several")
    if args.model == "cnn" and args.dataset != "catvnoncat":
        raise UsageError(f"--model cnn needs pictures: use --dataset catvnoncat, not "
                         f"{args.dataset}")
    iterations = args.iterations or cls.default_iterations
    every = args.print_every
    if every is None:          # the course's lines for its iterations, else ten lines
        every = (default["print_every"] if iterations == cls.default_iterations
                 and "print_every" in default else max(1, iterations // 10))
    return dict(
        dataset=args.dataset, model=args.model,
        layers=args.layers if args.layers is not None else default["layers"],
        hidden=args.hidden or default["hidden"],
        init=args.init or default["init"],
        seed=args.seed if args.seed is not None else default["seed"],
        learning_rate=args.lr or cls.default_learning_rate,
        iterations=iterations, batch_size=args.batch_size or default.get("batch_size"),
        optimizer=args.optimizer or default.get("optimizer", "gd"),
        print_every=every or None)


def build_model(s, n_x):
    """The model of settings ``s`` for ``n_x`` input features.

    Examples
    --------
    >>> build_model(dict(model="deep", layers=[8, 4], hidden="relu", init="deep", seed=1),
    ...             n_x=2).layer_dims
    [2, 8, 4, 1]
    """
    import nn

    rng = nn.init.course_rng(s["seed"])
    if s["model"] == "logreg":
        return nn.LogisticRegression(n_x, init=s["init"], seed=rng)
    if s["model"] == "cnn":             # the course's X columns are 64×64×3 pictures
        return nn.CNN((3, 64, 64), channels=s["layers"], pool=DEFAULTS["cnn"]["pool"],
                      hidden=s["hidden"], init=s["init"], seed=rng)
    if s["model"] == "shallow":
        return nn.TwoLayerNet(n_x, s["layers"][0], 1, hidden=s["hidden"], init=s["init"],
                              seed=rng)
    return nn.DeepNN([n_x, *s["layers"], 1], hidden=s["hidden"], init=s["init"], seed=rng)


def run(args):
    """Train, print the course's cost lines and the accuracies, write the run folder.

    The run folder is created, and checked to be writable, before training; a run that
    fails leaves no empty run folder behind.

    Examples
    --------
    >>> import tempfile
    >>> from autograd_lite.cli import build_parser
    >>> args = build_parser().parse_args(["train", "--dataset", "moons", "--model", "logreg",
    ...                                   "--iterations", "2", "--out", tempfile.mkdtemp()])
    >>> run(args)                                            # doctest: +ELLIPSIS
    autograd-lite train: two moons, 2 features, 200 training and 200 test examples
    model: LogisticRegression [2, 1], init zeros, seed 1; 2 iterations of gd, learning rate 0.005
    Cost after iteration 0: 0.693147
    Cost after iteration 1: 0.692...
    ...
    0
    """
    s = settings(args)
    data = load_dataset(s["dataset"], args.data_dir)
    check_memory(s, *data.train_x.shape)
    out = run_folder(args.out, f"{s['dataset']}-{s['model']}", args.force)
    with output_folder(out, "train", "run folder"):    # a bad --out fails before training
        return _train(args, s, data, out)


RUN_FILES = ("model.npz", "metrics.json")       # a folder holding either holds a run


def holds_run(folder):
    """Whether ``folder`` holds the model or the metrics of an earlier run."""
    return any((Path(folder) / name).exists() for name in RUN_FILES)


def run_folder(out, default_name, force=False):
    """The run folder to write: ``out`` unless it holds a run (refused without ``force``);
    by default ``runs/<default_name>``, or the first ``runs/<default_name>-N`` that is free.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "model.npz").touch()
    >>> run_folder(folder, "xor-shallow", force=True) == folder
    True
    >>> run_folder(folder, "xor-shallow")                # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd_lite.cli.common.UsageError: train: the run folder ... already holds a run ...
    """
    if out is not None:
        if holds_run(out) and not force:
            found = ", ".join(name for name in RUN_FILES if (Path(out) / name).exists())
            raise UsageError(f"train: the run folder {out} already holds a run ({found}); "
                             "give --force to replace it, or another --out")
        return Path(out)
    base = Path("runs") / default_name
    candidates = [base] + [base.with_name(f"{default_name}-{n}") for n in range(2, 10_000)]
    chosen = next(c for c in candidates if force or not holds_run(c))
    if chosen != base:
        print(f"note: {base} holds an earlier run, so this one goes to {chosen} (--out "
              "chooses the folder, --force replaces)", file=sys.stderr)
    return chosen


def _train(args, s, data, out):
    """Build, train, report and write the run: the body of :func:`run`."""
    import nn

    n_x = data.train_x.shape[0]
    try:
        model = build_model(s, n_x)
    except MemoryError:
        raise _too_big(s, n_x, "building the model") from None

    print(f"autograd-lite train: {data.title}, {n_x} features, {data.train_x.shape[1]} "
          f"training and {data.test_x.shape[1]} test examples")
    hidden = f", hidden {s['hidden']}" if s["hidden"] else ""
    print(f"model: {type(model).__name__} {model.layer_dims}{hidden}, init {s['init']}, "
          f"seed {s['seed']}; {s['iterations']} iterations of {s['optimizer']}, "
          f"learning rate {s['learning_rate']:g}"
          + (f", batches of {s['batch_size']}" if s["batch_size"] else ""))
    sys.stdout.flush()

    try:
        with warnings_in_options(s):
            costs, seconds = fit_model(model, s, data, print_every=s["print_every"],
                                       progress=False if args.no_progress else None,
                                       compile=not args.no_compile)
    except nn.TrainingError as exc:
        raise _diverged(exc, model.costs_) from None
    except MemoryError:
        raise _too_big(s, n_x, "training") from None
    argv = getattr(args, "argv", None)             # set by main(); None when run() is called
    metrics = write_run(out, model, data, s, costs, seconds,
                        command=shlex.join(["autograd-lite", *argv]) if argv else None,
                        data_dir=getattr(args, "data_dir", None))
    print(f"train accuracy: {100 * metrics['train_accuracy']:.2f} %")
    print(f"test accuracy: {100 * metrics['test_accuracy']:.2f} %")
    print(f"trained in {seconds:.1f} s; wrote {', '.join(metrics['files'].values())} to {out}/")
    return 0


def fit_model(model, s, data, print_every=None, progress=None, compile=True):
    """Fit ``model`` on the training split of ``data`` with the settings ``s``.

    Returns ``(costs, seconds)``; a diverging run raises ``nn.TrainingError`` (``fit``'s).

    Examples
    --------
    >>> from autograd_lite.cli.data import load_dataset
    >>> s = dict(model="logreg", layers=[], hidden=None, init="zeros", seed=1, iterations=2,
    ...          learning_rate=0.005, optimizer="gd", batch_size=None)
    >>> costs, seconds = fit_model(build_model(s, 2), s, load_dataset("xor"))
    >>> len(costs)
    2
    """
    start = time.perf_counter()
    costs = model.fit(data.train_x, data.train_y, iterations=s["iterations"],
                      learning_rate=s["learning_rate"], optimizer=s["optimizer"],
                      batch_size=s["batch_size"], print_every=print_every,
                      progress=progress, seed=s["seed"], compile=compile)
    return costs, time.perf_counter() - start


def write_run(out, model, data, s, costs, seconds, command=None, data_dir=None):
    """Write the run folder ``out`` of a trained model; return its metrics (metrics.json).

    ``out`` receives model.npz, costs.png, graph.svg, decision_boundary.png (2-D data) and
    metrics.json: the settings ``s``, the accuracies on both splits, the costs at every
    ``s["print_every"]`` iterations (``printed_costs``) and the ``seconds`` of training.

    Examples
    --------
    >>> import tempfile
    >>> from autograd_lite.cli.data import load_dataset
    >>> s = dict(dataset="xor", model="logreg", layers=[], hidden=None, init="zeros", seed=1,
    ...          iterations=2, learning_rate=0.005, optimizer="gd", batch_size=None,
    ...          print_every=1)
    >>> data, model = load_dataset("xor"), build_model(s, 2)
    >>> costs, seconds = fit_model(model, s, data)
    >>> metrics = write_run(Path(tempfile.mkdtemp()), model, data, s, costs, seconds)
    >>> sorted(metrics["printed_costs"]), sorted(metrics["files"])[:2]
    (['0', '1'], ['costs', 'decision_boundary'])
    """
    train_accuracy = model.score(data.train_x, data.train_y)
    test_accuracy = model.score(data.test_x, data.test_y)
    files = _write_run(out, model, data, s, costs)
    metrics = dict(s, command=command,
                   layer_dims=model.layer_dims, output=model.output,
                   train_examples=int(data.train_x.shape[1]),
                   test_examples=int(data.test_x.shape[1]),
                   train_accuracy=train_accuracy, test_accuracy=test_accuracy,
                   first_cost=costs[0], final_cost=costs[-1],
                   printed_costs={str(i): c for i, c in enumerate(costs)
                                  if s["print_every"] and (i % s["print_every"] == 0
                                                           or i == len(costs) - 1)},
                   classes=list(data.classes) if data.classes else None,
                   data_dir=str(data_dir) if data_dir else None,
                   seconds=round(seconds, 3), files=files)
    metrics["files"]["metrics"] = "metrics.json"
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics


@contextlib.contextmanager
def warnings_in_options(s):
    """Training's warnings, each once and in the command's words (options, not functions).

    numpy's own warnings of an overflowing run (``divide by zero encountered in log``) are
    not shown: a cost that becomes inf or nan stops the run with its own error line.  A
    saturated sigmoid (the library's ``NumericalWarning`` pointing to
    ``binary_cross_entropy_with_logits``) becomes a line about ``--lr``.

    Examples
    --------
    >>> import warnings, autograd_lite as ag
    >>> warnings.showwarning = lambda message, *rest, **kw: print(message)
    >>> with warnings_in_options(dict(learning_rate=1e9)):
    ...     warnings.warn("binary_cross_entropy: 2 prediction(s) are exactly 0 or 1 on the "
    ...                   "wrong side of their label ...: the sigmoid output saturated",
    ...                   ag.NumericalWarning)
    the sigmoid output saturated (2 prediction(s) exactly 0 or 1 on the wrong side of their label), so the cost is inf: the learning rate is too large; try a smaller --lr (it is 1e+09)
    >>> warnings.showwarning = warnings._showwarning_orig
    """
    import autograd_lite as ag

    try:
        with warnings.catch_warnings(record=True) as caught, np.errstate(
                divide="ignore", over="ignore", invalid="ignore"):
            warnings.simplefilter("always")
            yield
    finally:
        shown = set()
        for w in caught:
            message = str(w.message)
            if issubclass(w.category, ag.NumericalWarning) and "saturated" in message:
                count = re.search(r"(\d+) prediction\(s\)", message)
                message = (f"the sigmoid output saturated ({count.group(1) if count else 'some'}"
                           " prediction(s) exactly 0 or 1 on the wrong side of their label), "
                           "so the cost is inf: the learning rate is too large; try a "
                           f"smaller --lr (it is {s['learning_rate']:g})")
            if message not in shown:
                shown.add(message)
                warnings.showwarning(message, w.category, w.filename, w.lineno)


def check_memory(s, n_x, m):
    """Refuse (exit status 2) layer sizes whose training would not fit in this machine's memory.

    The estimate counts 8 bytes for each parameter four times (W, its gradient, and two
    optimizer states) and for each unit six times per example of a batch (Z, A, dZ, dA and
    temporaries); the limit is the physical memory.

    Examples
    --------
    >>> check_memory(dict(layers=[20, 7, 5], batch_size=None), n_x=12288, m=209)
    >>> check_memory(dict(layers=[10 ** 12], batch_size=None), n_x=2, m=400)
    Traceback (most recent call last):
    ...
    autograd_lite.cli.common.UsageError: --layers 1000000000000: ...
    """
    needed = _bytes_needed(s, n_x, m)
    available = _physical_memory()
    if available and needed > available:
        raise _too_big(s, n_x, f"training it takes about {_size(needed)}, more than this "
                               f"machine's {_size(available)} of memory")


def _bytes_needed(s, n_x, m):
    dims = [n_x, *s["layers"], 1]
    parameters = sum(dims[l] * (dims[l - 1] + 1) for l in range(1, len(dims)))
    batch = min(m, s["batch_size"] or m)
    return 8 * (4 * parameters + 6 * sum(dims[1:]) * batch)


def _physical_memory():
    """Bytes of RAM, or None where the system does not say (then nothing is refused early)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _size(n_bytes):
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if n_bytes < 1024 or unit == "PB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024


def _too_big(s, n_x, what):
    """The usage error for hidden layers too big for this machine."""
    layers = ",".join(map(str, s["layers"])) or "(none)"
    dims = [n_x, *s["layers"], 1]
    return UsageError(f"--layers {layers}: the model {dims} is too big for this machine "
                      f"({what}); choose smaller hidden layers"
                      + (" or a smaller --batch-size" if s["batch_size"] else ""))


def _diverged(exc, costs):
    """The error for a diverging run, in the command's words (--lr), not Python's."""
    rate = exc.learning_rate
    before = f" (it was {costs[-1]:.6g} at iteration {exc.iteration - 1})" if costs else ""
    return CLIError(f"train: the cost became {exc.cost} at iteration {exc.iteration}{before}, "
                    "so training stopped and nothing was written; try a smaller --lr (it is "
                    f"{rate:g}), e.g. --lr {rate / 10:g}")


def _write_run(out, model, data, s, costs):
    """Write model, cost plot, graph and (2-D data) decision boundary; return {what: file}."""
    import nn

    files = {}
    nn.save(model, out / "model.npz")
    files["model"] = "model.npz"
    nn.plot_costs(costs, out / "costs.png", learning_rate=s["learning_rate"])
    files["costs"] = "costs.png"
    # The batch `autograd-lite graph --model RUN_DIR` draws (real examples of both classes),
    # so the two pictures show the same gradient norms and flags.
    X, Y, _ = pick_examples(data.train_x, data.train_y, GRAPH_EXAMPLES)
    J = model_cost(model, X, Y)
    graph, note = save_graph_or_source(J, out / "graph.svg", show_grads=True)
    if note:
        print(f"note: {note}", file=sys.stderr)
    files["graph"] = graph.name
    if data.train_x.shape[0] == 2:
        title = (f"Decision boundary, hidden layer of size {s['layers'][0]}"
                 if s["model"] == "shallow" else f"Decision boundary, {type(model).__name__}")
        nn.plot_decision_boundary(model, data.train_x, data.train_y,
                                  out / "decision_boundary.png", title=title)
        files["decision_boundary"] = "decision_boundary.png"
    return files


add_parser = subcommand(
    "train", run, add_options,
    help="train a model; write model, cost plot, graph and metrics to a folder",
    description="Train one of the course's models and write model.npz, costs.png, "
                "graph.svg (graph.gv without Graphviz), decision_boundary.png (2-D "
                "data) and metrics.json to the run folder.  Defaults are the course's.")
