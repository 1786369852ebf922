"""Hyperparameter sweeps: many runs of the course's models, in parallel, in one table.

``nn.sweep(grid, out)`` trains one run per point of the grid (or of a random search) and
writes an ordinary run folder for each under the sweep folder ``out``, a table of all runs
(``sweep.csv``, ``sweep.json``) and pictures that compare them.  See docs/sweep.md.

* :mod:`nn.sweep.space` — checking, expanding and sampling a grid; run names.
* :mod:`nn.sweep.execute` — training the runs here, on local workers, or on Dask.
* :mod:`nn.sweep.table` — the table, written atomically; read back to resume.
* :mod:`nn.sweep.pictures` — cost curves, accuracy, decision boundaries.
* :mod:`nn.sweep.run` — :func:`sweep` itself.

Examples
--------
>>> import tempfile, nn
>>> result = nn.sweep({"layers": [2, 4], "iterations": 200, "learning_rate": 1.2},
...                   tempfile.mkdtemp(), workers=1)
>>> result
SweepResult(2 runs in ...: 2 ok, 0 failed)
"""
from .run import SweepResult, sweep
from .space import HYPERPARAMETERS, LogUniform, log_uniform
from .table import read_table

__all__ = ["sweep", "SweepResult", "log_uniform", "LogUniform", "read_table",
           "HYPERPARAMETERS"]
