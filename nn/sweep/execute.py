"""Running the runs of a sweep: in this process, in a pool of local workers, or on Dask.

Every way trains a run with the same function, :func:`train_run`, so their results are
equal bitwise.  Each yields finished runs as they come, ``(name, row)``; a run that fails
(a diverging cost, a model too big) is a row with status ``failed`` and its error.

* :func:`run_serial` trains in this process, one run after the other.
* :func:`run_local` starts worker processes (``spawn``: a fresh interpreter each, with
  one BLAS thread, so that two runs never fight for the same cores).  The data is sent
  once to each worker, when it starts; each worker writes its own run folders.
* :func:`run_dask` sends the runs to a Dask cluster.  The data is scattered once to every
  worker (``broadcast=True``); workers send back the trained parameters, and this process
  writes the run folders (the workers may not see its disk).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from autograd_lite.cli.data import load_dataset
>>> from nn.sweep.execute import run_serial
>>> s = dict(dataset="xor", model="logreg", layers=[], hidden=None, init="zeros", seed=1,
...          learning_rate=0.005, iterations=3, batch_size=None, optimizer="gd",
...          print_every=1)
>>> [(name, row["status"]) for name, row in run_serial([("a", s)], load_dataset("xor"),
...                                                   Path(tempfile.mkdtemp()))]
[('a', 'ok')]
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import warnings

from ..errors import ConfigError

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def train_run(s, data, progress=False):
    """Build and fit the model of the settings ``s``: ``(model, costs, seconds)``.

    Examples
    --------
    >>> from autograd_lite.cli.data import load_dataset
    >>> s = dict(model="shallow", layers=[2], hidden="tanh", init="small", seed=2,
    ...          learning_rate=1.2, iterations=2, batch_size=None, optimizer="gd")
    >>> model, costs, seconds = train_run(s, load_dataset("planar"))
    >>> round(costs[0], 6)
    0.693116
    """
    from autograd_lite.cli.train import build_model, fit_model

    model = build_model(s, data.train_x.shape[0])
    costs, seconds = fit_model(model, s, data, progress=progress)
    return model, costs, seconds


def ok_row(metrics):
    """The table's row of a finished run, from the metrics its run folder holds.

    Examples
    --------
    >>> ok_row(dict(final_cost=0.2, train_accuracy=0.9, test_accuracy=0.8, seconds=1.5))
    {'status': 'ok', 'final_cost': 0.2, 'train_accuracy': 0.9, 'test_accuracy': 0.8, 'seconds': 1.5, 'error': None}
    """
    return dict(status="ok", final_cost=metrics["final_cost"],
                train_accuracy=metrics["train_accuracy"],
                test_accuracy=metrics["test_accuracy"], seconds=metrics["seconds"],
                error=None)


def failed_row(error):
    """The row of a run that failed: its error in one line.

    Examples
    --------
    >>> failed_row(FloatingPointError("the cost became inf"))["error"]
    'FloatingPointError: the cost became inf'
    """
    text = " ".join(str(error).split())
    return dict(status="failed", final_cost=None, train_accuracy=None, test_accuracy=None,
                seconds=None, error=f"{type(error).__name__}: {text}")


def train_and_write(name, s, data, folder):
    """Train one run and write its run folder ``folder/name``; return its row.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from autograd_lite.cli.data import load_dataset
    >>> s = dict(dataset="xor", model="logreg", layers=[], hidden=None, init="zeros", seed=1,
    ...          learning_rate=1e9, iterations=3, batch_size=None, optimizer="gd",
    ...          print_every=1)
    >>> train_and_write("boom", s, load_dataset("xor"), Path(tempfile.mkdtemp()))["status"]
    'failed'
    """
    try:
        with warnings.catch_warnings():   # a diverging run's warnings: its error says them
            warnings.simplefilter("ignore")
            return write_folder(folder / name, s, data, *train_run(s, data))
    except Exception as error:          # recorded in the table; the other runs go on
        return failed_row(error)


def write_folder(out, s, data, model, costs, seconds):
    """Write the run folder ``out`` as ``autograd-lite train`` does; return the run's row."""
    from autograd_lite.cli.train import write_run

    out.mkdir(parents=True, exist_ok=True)
    return ok_row(write_run(out, model, data, s, costs, seconds))


def run_serial(todo, data, folder):
    """Train the runs ``todo`` (``[(name, settings)]``) here, one after the other."""
    for name, s in todo:
        yield name, train_and_write(name, s, data, folder)


# --- local worker processes ---------------------------------------------------------------
_WORKER_DATA = None


def _start_worker(data):
    global _WORKER_DATA
    _WORKER_DATA = data


def _work(name, s, folder):
    return train_and_write(name, s, _WORKER_DATA, folder)


@contextlib.contextmanager
def one_blas_thread():
    """Processes started inside this block run BLAS (numpy's matrix products) on one thread.

    numpy reads these variables when it is imported, so they are set here, for the new
    interpreters to inherit, and put back afterwards.

    Examples
    --------
    >>> with one_blas_thread():
    ...     os.environ["OMP_NUM_THREADS"]
    '1'
    """
    saved = {name: os.environ.get(name) for name in BLAS_THREADS}
    os.environ.update({name: "1" for name in BLAS_THREADS})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def default_workers():
    """As many workers as this process may use cores.

    Examples
    --------
    >>> default_workers() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                       # not on Linux
        return os.cpu_count() or 1


def run_local(todo, data, folder, workers):
    """Train the runs on ``workers`` worker processes; yield them as they finish.

    Leaving early (an interrupt) cancels the runs not started; the workers are stopped.
    """
    context = multiprocessing.get_context("spawn")
    with one_blas_thread():
        pool = concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker, initargs=(data,))
        # the pool starts its processes as runs are submitted: all of them here
        futures = {pool.submit(_work, name, s, folder): name for name, s in todo}
    try:
        for future in concurrent.futures.as_completed(futures):
            yield futures[future], _result(future)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _result(future):
    try:
        return future.result()
    except concurrent.futures.process.BrokenProcessPool:
        raise ConfigError(
            "sweep: a worker process stopped before its run finished. In a script, call "
            "nn.sweep under 'if __name__ == \"__main__\":' (each worker imports the script "
            "again); else a worker ran out of memory: pass fewer workers, or workers=1 to "
            "train in this process") from None


# --- Dask -----------------------------------------------------------------------------------
def _train_remote(s, data):
    """On a Dask worker: train, and send back the parameters (not the compiled step)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model, costs, seconds = train_run(s, data)
        return "ok", (model.state_dict(), list(costs), seconds)
    except Exception as error:
        return "failed", failed_row(error)


def run_dask(todo, data, folder, client):
    """Train the runs on the Dask cluster of ``client``; write their run folders here."""
    from distributed import as_completed

    shared = client.scatter(data, broadcast=True)          # once per worker, not per run
    futures = {client.submit(_train_remote, s, shared, pure=False): (name, s)
               for name, s in todo}
    try:
        for future in as_completed(futures):
            name, s = futures[future]
            try:
                status, result = future.result()
            except Exception as error:                 # a worker lost, a pickling problem
                status, result = "failed", failed_row(error)
            if status == "ok":
                result = _write_remote(folder, name, s, data, *result)
            yield name, result
    finally:
        client.cancel(list(futures))


def _write_remote(folder, name, s, data, state, costs, seconds):
    """Here: the run folder of a run trained on a Dask worker, from its parameters."""
    from autograd_lite.cli.train import build_model

    from ..models import CostHistory

    try:
        model = build_model(s, data.train_x.shape[0])
        model.load_state_dict(state)
        history = CostHistory(costs, unit="iteration" if s["batch_size"] is None else "epoch")
        return write_folder(folder / name, s, data, model, history, seconds)
    except Exception as error:
        return failed_row(error)

