"""``autograd-lite sweep``: train a model for every combination of hyperparameters.

Every option of a hyperparameter takes one value (fixed) or several (swept); ``--lr
LOW:HIGH`` is a range for ``--search random``, sampled log-uniformly.  The runs go to
worker processes (one per core), or to a Dask cluster with ``--scheduler``.  See
``nn.sweep`` and docs/sweep.md.

Examples
--------
>>> import tempfile
>>> from autograd_lite.cli import main
>>> out = tempfile.mkdtemp()
>>> main(["sweep", "--layers", "1", "3", "--iterations", "50", "--workers", "1",
...       "--out", out])                                       # doctest: +ELLIPSIS
autograd-lite sweep: 2 runs of shallow on the planar flower, 1 worker, into ...
run ...
layers=1-...  ok      shallow  1       tanh    1.2            50 ...
layers=3-...  ok      shallow  3       tanh    1.2            50 ...
wrote sweep.csv, sweep.json, costs.png, accuracy.png, decision_boundaries.png to .../
0
"""
from __future__ import annotations

import sys
from pathlib import Path

from .common import CLIError, layer_sizes, positive_float, positive_int, seed
from .compare import COLUMNS, format_table
from .data import DATASETS

EXTRA = "pip install autograd_lite[cluster]"


def learning_rate(text):
    """``--lr``: a positive number, or ``LOW:HIGH``, a range sampled log-uniformly.

    Examples
    --------
    >>> learning_rate("1.2"), learning_rate("1e-4:1")
    (1.2, log_uniform(0.0001, 1))
    """
    import argparse

    import nn

    if ":" not in text:
        return positive_float(text)
    low, _, high = text.partition(":")
    try:
        return nn.log_uniform(positive_float(low), positive_float(high))
    except (argparse.ArgumentTypeError, nn.ConfigError):
        raise argparse.ArgumentTypeError(
            f"expected a range LOW:HIGH of positive numbers with LOW < HIGH, such as "
            f"1e-4:1, not {text!r}") from None


def add_parser(commands):
    """Register ``sweep`` and its options on the ``commands`` sub-parsers; return its parser.

    Examples
    --------
    >>> import argparse
    >>> parser = add_parser(argparse.ArgumentParser(prog="autograd-lite").add_subparsers())
    >>> parser.parse_args(["--layers", "1", "20,7,5"]).layers
    [[1], [20, 7, 5]]
    """
    import nn
    from nn.sweep.space import MODELS, OPTIMIZERS

    p = commands.add_parser(
        "sweep", help="train one run per combination of hyperparameters, compare them",
        description="Train one of the course's models for every combination of the given "
                    "values (or for --runs random ones), one run folder each, and write a "
                    "table (sweep.csv, sweep.json) and pictures of all runs.  Rerunning "
                    "skips the runs already done; Ctrl-C keeps them.")
    p.add_argument("--dataset", choices=list(DATASETS), default="planar",
                   help="data set (default: planar)")
    p.add_argument("--data-dir", type=Path, metavar="DIR",
                   help="folder with the cat .h5 files (as for train)")
    p.add_argument("--model", nargs="+", choices=MODELS, metavar="MODEL",
                   help=f"{', '.join(MODELS)} (default: shallow)")
    p.add_argument("--layers", nargs="+", type=layer_sizes, metavar="N,N,...",
                   help="hidden sizes, one value per run: --layers 1 2 4 (shallow), "
                        "--layers 20,7,5 8,4 (deep)")
    p.add_argument("--hidden", nargs="+", choices=nn.models.HIDDEN, metavar="ACT",
                   help=f"hidden activation: {', '.join(nn.models.HIDDEN)}")
    p.add_argument("--init", nargs="+", choices=sorted(nn.init.INITIALIZERS), metavar="INIT")
    p.add_argument("--lr", "--learning-rate", dest="lr", nargs="+", type=learning_rate,
                   metavar="ALPHA", help="learning rates, or LOW:HIGH with --search random")
    p.add_argument("--iterations", nargs="+", type=positive_int, metavar="N")
    p.add_argument("--optimizer", nargs="+", choices=OPTIMIZERS, metavar="OPT",
                   help=", ".join(OPTIMIZERS))
    p.add_argument("--batch-size", nargs="+", type=positive_int, metavar="N")
    p.add_argument("--seed", nargs="+", type=seed, metavar="N",
                   help="the course's np.random.seed(N) of each run")
    p.add_argument("--search", choices=("grid", "random"), default="grid",
                   help="every combination (default), or --runs random ones")
    p.add_argument("--runs", type=positive_int, metavar="N", help="runs of a random search")
    p.add_argument("--sample-seed", type=seed, default=0, metavar="N",
                   help="the seed that draws a random search's runs (default 0)")
    p.add_argument("--workers", type=positive_int, metavar="N",
                   help="worker processes (default: one per core; 1: in this process)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help=f"run on this Dask cluster instead (needs {EXTRA})")
    p.add_argument("--retry-failed", action="store_true",
                   help="rerun the runs the table records as failed")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--out", type=Path, metavar="SWEEP_DIR",
                   help="sweep folder (default: runs/sweep-<dataset>)")
    p.set_defaults(run=run)
    return p


def grid_of(args):
    """The grid of ``nn.sweep`` from the options given.

    Examples
    --------
    >>> from autograd_lite.cli import build_parser
    >>> grid_of(build_parser().parse_args(["sweep", "--layers", "1", "2", "--lr", "1.2"]))
    {'layers': [[1], [2]], 'learning_rate': [1.2]}
    """
    options = dict(model=args.model, layers=args.layers, hidden=args.hidden, init=args.init,
                   learning_rate=args.lr, iterations=args.iterations,
                   optimizer=args.optimizer, batch_size=args.batch_size, seed=args.seed)
    grid = {name: values for name, values in options.items() if values is not None}
    if "learning_rate" in grid and len(grid["learning_rate"]) == 1 \
            and not isinstance(grid["learning_rate"][0], float):
        grid["learning_rate"] = grid["learning_rate"][0]            # a range LOW:HIGH
    return grid


def connect(address):
    """A Dask client of the scheduler at ``address``; a one-line error without Dask.

    Examples
    --------
    >>> connect("tcp://127.0.0.1:1")                  # doctest: +SKIP
    """
    try:
        from distributed import Client
    except ImportError:
        raise CLIError(f"sweep: --scheduler needs Dask, which is not installed: {EXTRA}") \
            from None
    try:
        return Client(address, timeout=10)
    except (OSError, TimeoutError) as exc:
        raise CLIError(f"sweep: cannot reach the Dask scheduler {address}: {exc}") from None


def run(args):
    """Run the sweep, print its table, say where everything was written."""
    import nn
    from nn.sweep.execute import default_workers

    out = args.out or Path("runs") / f"sweep-{args.dataset}"
    grid = grid_of(args)
    client = connect(args.scheduler) if args.scheduler else None
    workers = args.workers or default_workers()
    where = (f"the Dask cluster at {args.scheduler}" if client else
             f"{workers} worker" + ("s" if workers > 1 else ""))
    models = ", ".join(args.model or ["shallow"])

    def announce(total, done, title):
        print(f"autograd-lite sweep: {total} runs of {models} on {title}, {where}, into "
              f"{out}/" + (f" ({done} done before)" if done else ""), flush=True)

    try:
        result = nn.sweep(grid, out, dataset=args.dataset, data_dir=args.data_dir,
                          search=args.search, runs=args.runs, sample_seed=args.sample_seed,
                          workers=args.workers, client=client,
                          progress=False if args.no_progress else None,
                          retry_failed=args.retry_failed, on_start=announce)
    except KeyboardInterrupt:
        print(f"sweep: interrupted; the finished runs are kept in {out}/sweep.csv; run the "
              "same command again to go on", file=sys.stderr)
        raise
    finally:
        if client is not None:
            client.close()
    print(format_table(result.rows, (("run", "run"), ("status", "status"), *COLUMNS[1:])))
    for row in result.failed:
        print(f"failed: {row['run']}: {row['error']}")
    files = [*result.files.pop("table"), *(f for f in result.files.values())]
    print(f"wrote {', '.join(files)} to {out}/")
    return 0

