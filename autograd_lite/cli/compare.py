"""``autograd-lite compare``: the cost curves and the metrics of finished runs, side by side.

Each RUN is a run folder written by ``train`` or ``sweep`` (it holds ``metrics.json``), or a
sweep folder (it holds ``sweep.json``), which stands for its finished runs.

Examples
--------
>>> import tempfile
>>> from autograd_lite.cli import main
>>> runs = tempfile.mkdtemp()
>>> for n in ("1", "4"):
...     _ = main(["train", "--layers", n, "--iterations", "20", "--print-every", "0",
...               "--out", f"{runs}/h{n}"])                  # doctest: +ELLIPSIS
autograd-lite train: ...
>>> main(["compare", f"{runs}/h1", f"{runs}/h4", "-o", f"{runs}/compare.png"])
...                                                          # doctest: +ELLIPSIS
run  model    layers  hidden  learning rate  iterations ... final cost  train %  test %  seconds
h1   shallow  1       tanh    1.2            20         ...
h4   shallow  4       tanh    1.2            20         ...
wrote .../compare.png
0
"""
from __future__ import annotations

import json
from pathlib import Path

from .common import CLIError

COLUMNS = (("run", "run"), ("model", "model"), ("layers", "layers"), ("hidden", "hidden"),
           ("learning_rate", "learning rate"), ("iterations", "iterations"),
           ("optimizer", "optimizer"), ("batch_size", "batch"), ("seed", "seed"),
           ("final_cost", "final cost"), ("train_accuracy", "train %"),
           ("test_accuracy", "test %"), ("seconds", "seconds"))


def add_parser(commands):
    """Register ``compare`` on the ``commands`` sub-parsers; return its parser.

    Examples
    --------
    >>> import argparse
    >>> parser = add_parser(argparse.ArgumentParser(prog="autograd-lite").add_subparsers())
    >>> parser.parse_args(["runs/a", "runs/b"]).runs
    [PosixPath('runs/a'), PosixPath('runs/b')]
    """
    p = commands.add_parser(
        "compare", help="draw the cost curves and print the metrics of finished runs",
        description="Draw the cost curves of run folders (written by train or sweep) on one "
                    "plot and print their settings and accuracies.  A sweep folder stands "
                    "for its finished runs.")
    p.add_argument("runs", nargs="+", type=Path, metavar="RUN",
                   help="a run folder (with metrics.json) or a sweep folder (with sweep.json)")
    p.add_argument("-o", "--output", type=Path, default=Path("compare.png"), metavar="FILE",
                   help="the picture of the cost curves (default: compare.png)")
    p.set_defaults(run=run)
    return p


def read_runs(paths):
    """``[(name, metrics)]`` of the runs that ``paths`` name (sweep folders expanded).

    Examples
    --------
    >>> read_runs([Path("nowhere")])
    Traceback (most recent call last):
    ...
    autograd_lite.cli.common.CLIError: compare: nowhere is not a run folder: it has no metrics.json (nor sweep.json)
    """
    runs = []
    for path in paths:
        if (path / "sweep.json").is_file():
            from nn.sweep import read_table

            folders = [path / name for name, row in read_table(path).items()
                       if row["status"] == "ok"]
        else:
            folders = [path]
        for folder in folders:
            metrics = folder / "metrics.json"
            if not metrics.is_file():
                raise CLIError(f"compare: {folder} is not a run folder: it has no "
                               "metrics.json (nor sweep.json)")
            try:
                runs.append((folder.name, json.loads(metrics.read_text(encoding="utf-8"))))
            except ValueError as exc:
                raise CLIError(f"compare: {metrics} is not valid JSON ({exc})") from None
    return runs


def cell(key, value):
    """A value as the printed table shows it: percents for accuracies, ``20,7,5`` for layers.

    Examples
    --------
    >>> cell("train_accuracy", 0.9075), cell("layers", [20, 7, 5]), cell("final_cost", None)
    ('90.75', '20,7,5', '-')
    """
    from nn.sweep.space import format_value

    if value is None or value == "":
        return "-"
    if key.endswith("accuracy"):
        return f"{100 * value:.2f}"
    if key == "final_cost":
        return f"{value:.6f}"
    return format_value(value)


def format_table(rows, columns=COLUMNS):
    """Rows (dicts) as aligned text, one line each under a header.

    Examples
    --------
    >>> print(format_table([dict(run="a", seed=2)], (("run", "run"), ("seed", "seed"))))
    run  seed
    a    2
    """
    cells = [[title for _, title in columns]]
    cells += [[cell(key, row.get(key)) for key, _ in columns] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    return "\n".join("  ".join(text.ljust(width) for text, width in zip(line, widths)).rstrip()
                     for line in cells)


def run(args):
    """Print the runs' metrics, draw their cost curves to ``args.output``."""
    from nn.sweep.pictures import cost_curves_figure

    runs = read_runs(args.runs)
    if not runs:
        raise CLIError("compare: no finished run in " + ", ".join(map(str, args.runs)))
    print(format_table([dict(metrics, run=name) for name, metrics in runs]))
    curves = [(name, metrics.get("printed_costs") or {"0": metrics["first_cost"]})
              for name, metrics in runs]
    units = {"iteration" if metrics.get("batch_size") is None else "epoch"
             for _, metrics in runs}
    unit = units.pop() if len(units) == 1 else "iteration (epoch for mini-batch runs)"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    cost_curves_figure(curves, title="Cost of each run", unit=unit).savefig(args.output,
                                                                          dpi=100)
    print(f"wrote {args.output}")
    return 0
