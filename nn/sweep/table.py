"""The table of a sweep's runs: ``sweep.csv`` and ``sweep.json``, always written whole.

Each write goes to a temporary file in the sweep folder, which then replaces the table
(``os.replace``), so an interrupt or a crash leaves the old table or the new one, never
half of one.  ``sweep.json`` is what a rerun reads to skip the runs already done.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from nn.sweep.table import read_table, write_table
>>> folder = Path(tempfile.mkdtemp())
>>> rows = [dict(run="layers=4-ab", status="ok", layers=[4], learning_rate=1.2,
...              final_cost=0.25, error=None)]
>>> write_table(folder, rows, {"swept": ["layers"]})
>>> read_table(folder)["layers=4-ab"]["layers"]
[4]
>>> print((folder / "sweep.csv").read_text().strip())
run,status,layers,learning_rate,final_cost,error
layers=4-ab,ok,4,1.2,0.25,
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile

from ..errors import FileFormatError
from .space import format_value

TABLE_JSON, TABLE_CSV = "sweep.json", "sweep.csv"


def write_atomically(path, text):
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "t.txt"
    >>> write_atomically(path, "done\\n"); path.read_text()
    'done\\n'
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _csv_cell(value):
    # repr keeps every digit of a float, so the CSV holds the numbers the JSON holds
    return repr(value) if isinstance(value, float) else format_value(value)


def write_table(folder, rows, sweep):
    """Write the runs ``rows`` (dicts, one per run) and the sweep's description ``sweep``.

    The CSV has one column per key of the rows, in their first appearance's order; its
    floats are written in full (``repr``).
    """
    columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
    document = dict(sweep, runs=rows)
    # the CSV first: a reader that sees a new sweep.json also finds that run in the CSV
    write_atomically(folder / TABLE_CSV, buffer.getvalue())
    write_atomically(folder / TABLE_JSON, json.dumps(document, indent=2) + "\n")


def read_table(folder):
    """The runs of ``folder/sweep.json`` by name (``{}`` when there is no table yet).

    A table that cannot be read raises ``nn.FileFormatError`` naming it: a sweep does not
    overwrite results it cannot read.
    """
    path = folder / TABLE_JSON
    if not path.exists():
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return {row["run"]: row for row in document["runs"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise FileFormatError(f"sweep: {path} is not a sweep table ({exc}); move it away "
                              "or choose another folder") from None
