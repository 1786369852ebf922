"""``nn.sweep``: train one run per point of a grid (or of a random search), compare them.

Examples
--------
>>> import tempfile, nn
>>> result = nn.sweep({"layers": [1, 3], "iterations": 300, "learning_rate": 1.2},
...                   tempfile.mkdtemp(), dataset="planar", workers=1)
>>> [(row["layers"], row["status"]) for row in result.rows]
[([1], 'ok'), ([3], 'ok')]
>>> sorted(result.files)
['accuracy', 'costs', 'decision_boundaries', 'table']
"""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from .execute import default_workers, run_dask, run_local, run_serial
from .pictures import accuracy_figure, boundaries_figure, cost_curves_figure
from .space import (HYPERPARAMETERS, LogUniform, check_grid, grid_points, label,
                    random_points, run_name, swept)
from .table import TABLE_CSV, TABLE_JSON, read_table, write_table

RECORDED_COSTS = 200         # points of each run's cost curve kept in its metrics.json
RESULTS = ("final_cost", "train_accuracy", "test_accuracy", "seconds", "error")


@dataclass
class SweepResult:
    """What :func:`sweep` did: the sweep folder, one row per run, the swept names, files.

    Examples
    --------
    >>> r = SweepResult(Path("runs/x"), [dict(status="ok"), dict(status="failed")], [])
    >>> len(r.ok), len(r.failed), r
    (1, 1, SweepResult(2 runs in runs/x: 1 ok, 1 failed))
    """

    folder: Path
    rows: list
    swept: list
    files: dict = field(default_factory=dict)

    @property
    def ok(self):
        """The rows of the runs that finished."""
        return [row for row in self.rows if row["status"] == "ok"]

    @property
    def failed(self):
        """The rows of the runs that failed, each with its ``error``."""
        return [row for row in self.rows if row["status"] == "failed"]

    def __repr__(self):
        return (f"SweepResult({len(self.rows)} runs in {self.folder}: {len(self.ok)} ok, "
                f"{len(self.failed)} failed)")


def sweep(grid, out, *, dataset="planar", data_dir=None, search="grid", runs=None,
          sample_seed=0, workers=None, client=None, progress=None, retry_failed=False,
          on_start=None):
    """Train one of the course's models for every point of ``grid``; tabulate and draw them.

    Each run is an ordinary run folder ``out/<name>`` (model.npz, costs.png, graph,
    decision boundary, metrics.json, as ``autograd-lite train`` writes them), named by its
    swept values and a hash of its settings.  ``out`` also gets the table of all runs
    (``sweep.csv``, ``sweep.json``), ``costs.png`` (every run's cost curve),
    ``accuracy.png`` (train and test accuracy against the first swept hyperparameter) and,
    for 2-D data, ``decision_boundaries.png``.

    Parameters
    ----------
    grid : dict
        ``{hyperparameter: values}``; a list of values is swept, one value is fixed.  The
        hyperparameters: ``model`` (``logreg``, ``shallow``, ``deep``, ``cnn``), ``layers``
        (``4`` or ``[20, 7, 5]``), ``hidden``, ``init``, ``learning_rate``, ``iterations``,
        ``optimizer``, ``batch_size``, ``seed``.  The others are the course's defaults
        of the model, as for ``autograd-lite train``.  With ``search="random"``,
        ``learning_rate`` may be :func:`log_uniform` ``(low, high)``.
    out : str or Path
        The sweep folder.  Rerunning a sweep into it skips the runs already in its table.
    dataset : str
        ``planar``, ``xor``, ``moons``, ``circles`` or ``catvnoncat`` (from ``data_dir``).
    search : {"grid", "random"}
        Every combination, or ``runs`` points drawn with ``sample_seed``.
    workers : int, optional
        Worker processes (default: one per core); 1 trains in this process.
    client : dask.distributed.Client, optional
        Train on this Dask cluster instead; the data is sent once to each worker.
    progress : bool, optional
        A progress bar over the runs (default: when standard error is a terminal).
    retry_failed : bool
        Rerun the runs the table records as failed (by default a rerun skips them too).
    on_start : callable, optional
        ``on_start(runs, done, title)`` once every run is checked, before the first
        starts: the number of runs, how many a previous sweep did, the data's title.

    Returns
    -------
    SweepResult
        Its ``rows`` are the table: one dict per run, in the grid's order.

    A bad grid (an unknown hyperparameter, an empty list, a value of the wrong type, a
    combination the model refuses) raises ``nn.ConfigError`` before any run starts.  A run
    that fails (a cost that diverged) is a row with status ``failed`` and its ``error``;
    the other runs go on.  An interrupt (Ctrl-C) keeps the finished runs and the table.

    Examples
    --------
    >>> import tempfile, nn
    >>> result = nn.sweep({"learning_rate": [0.5, 1e4], "iterations": 50, "hidden": "relu"},
    ...                   tempfile.mkdtemp(), dataset="xor", workers=1)
    >>> [row["status"] for row in result.rows]
    ['ok', 'failed']
    >>> result.failed[0]["error"]                        # doctest: +ELLIPSIS
    'TrainingError: TwoLayerNet.fit: the cost became ... at iteration ...'
    """
    from autograd_lite.cli.data import DATASETS, load_dataset

    grid = check_grid(grid)
    if dataset not in DATASETS:
        raise ConfigError(f"sweep: unknown dataset {dataset!r}; choose one of "
                          f"{', '.join(DATASETS)}")
    names = swept(grid)
    points = _points(grid, search, runs, sample_seed)
    data = load_dataset(dataset, data_dir)
    plan = _plan(points, names, dataset, data_dir, data)        # checks every run first

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    description = dict(dataset=dataset, search=search, grid=_describe(grid), swept=names,
                       total_runs=len(plan))
    done = _done(read_table(folder), plan, folder, retry_failed)
    rows = dict(done)
    write_table(folder, _in_order(rows, plan), description)
    todo = [(name, s) for name, s in plan.items() if name not in done]
    if on_start is not None:
        on_start(len(plan), len(done), data.title)

    workers = default_workers() if workers is None else _workers(workers)
    parallel = client is not None or min(workers, len(todo)) > 1
    if parallel:          # the longest first, so that no worker is left alone with it at the end
        todo.sort(key=lambda run: -_work(run[1], data))
    if client is not None:
        finished = run_dask(todo, data, folder, client)
    elif parallel:
        finished = run_local(todo, data, folder, min(workers, len(todo)))
    else:
        finished = run_serial(todo, data, folder)
    bar = _progress_bar(len(plan), len(done), progress)
    try:
        for name, result in finished:
            rows[name] = _row(name, plan[name], result)
            write_table(folder, _in_order(rows, plan), description)
            bar.update(1)
            bar.set_postfix_str(f"{name}: {result['status']}")
    finally:
        bar.close()
        finished.close()                       # stops the workers after an interrupt
    result = SweepResult(folder, _in_order(rows, plan), names,
                         dict(table=[TABLE_CSV, TABLE_JSON]))
    result.files.update(draw(result, data))
    return result


def _points(grid, search, runs, sample_seed):
    if search == "grid":
        if runs is not None:
            raise ConfigError("sweep: runs is for search='random'; a grid search trains "
                              "every combination")
        return grid_points(grid)
    if search == "random":
        return random_points(grid, runs, sample_seed)
    raise ConfigError(f"sweep: search must be 'grid' or 'random', not {search!r}")


def _workers(workers):
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"sweep: workers must be a positive integer, not {workers!r}")
    return workers


def _plan(points, names, dataset, data_dir, data):
    """``{run name: settings}`` of every point, each checked as ``train`` checks its own."""
    from autograd_lite.cli.common import UsageError
    from autograd_lite.cli.train import check_memory, settings

    plan = {}
    for point in points:
        args = argparse.Namespace(
            dataset=dataset, data_dir=data_dir, model=point.get("model", "shallow"),
            layers=point.get("layers"), hidden=point.get("hidden"), init=point.get("init"),
            lr=point.get("learning_rate"), iterations=point.get("iterations"),
            batch_size=point.get("batch_size"), optimizer=point.get("optimizer"),
            seed=point.get("seed"), print_every=None)
        try:
            s = settings(args)
            check_memory(s, *data.train_x.shape)
        except UsageError as why:     # in the command line's words: --layers for layers
            raise ConfigError(f"sweep: the run {label(point, list(point))}: {why}") from None
        s["print_every"] = max(1, s["iterations"] // RECORDED_COSTS)
        identity = {key: s[key] for key in ("dataset", *HYPERPARAMETERS)}
        plan.setdefault(run_name(identity, names), s)
    return plan


def _work(s, data):
    """A guess at a run's time: its iterations, each costing a fixed overhead (about that
    of 50 parameters, for the flower's 400 examples) plus the work on its parameters."""
    n_x, m = data.train_x.shape
    dims = [n_x, *s["layers"], 1]
    parameters = sum(dims[l] * (dims[l - 1] + 1) for l in range(1, len(dims)))
    return s["iterations"] * (1 + parameters * m / (50 * 400))


def _describe(grid):
    return {name: ({"log_uniform": [values.low, values.high]}
                   if isinstance(values, LogUniform) else values)
            for name, values in grid.items()}


def _done(table, plan, folder, retry_failed):
    """The rows of the table whose runs need no rerun: finished (with their folder), or
    failed unless ``retry_failed``."""
    done = {}
    for name, row in table.items():
        if name not in plan:
            continue
        finished = row.get("status") == "ok" and (folder / name / "metrics.json").is_file()
        if finished or (row.get("status") == "failed" and not retry_failed):
            done[name] = row
    return done


def _row(name, s, result):
    settings = {key: s[key] for key in ("dataset", *HYPERPARAMETERS)}
    return dict(run=name, status=result["status"], **settings,
                **{key: result[key] for key in RESULTS})


def _in_order(rows, plan):
    return [rows[name] for name in plan if name in rows]


def _progress_bar(total, done, progress):
    from tqdm import tqdm          # text, also in a notebook (tqdm.auto wants ipywidgets there)

    return tqdm(total=total, initial=done, desc="sweep", unit="run", leave=False,
                disable=None if progress is None else not progress)


def draw(result, data):
    """Draw the pictures of a sweep's finished runs into its folder; return ``{what: file}``."""
    import nn

    folder, ok, names = result.folder, result.ok, result.swept
    files = {}
    if not ok:
        return files
    curves = []
    for row in ok:
        metrics = json.loads((folder / row["run"] / "metrics.json").read_text("utf-8"))
        curves.append((label(row, names) or row["run"], metrics["printed_costs"]))
    unit = "iteration" if ok[0]["batch_size"] is None else "epoch"
    cost_curves_figure(curves, unit=unit).savefig(folder / "costs.png", dpi=100)
    files["costs"] = "costs.png"
    if names:
        accuracy_figure(ok, names[0], names[1:]).savefig(folder / "accuracy.png", dpi=100)
        files["accuracy"] = "accuracy.png"
    if data.train_x.shape[0] == 2:
        panels = [(_panel_title(row, names), nn.load(folder / row["run"] / "model.npz"))
                  for row in ok]
        boundaries_figure(panels, data.train_x, data.train_y).savefig(
            folder / "decision_boundaries.png", dpi=80)
        files["decision_boundaries"] = "decision_boundaries.png"
    return files


def _panel_title(row, names):
    if names == ["layers"] and row["model"] == "shallow":      # the course's titles
        return f"Hidden layer of size {row['layers'][0]}"
    return label(row, names) or row["run"]
