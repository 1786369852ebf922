"""Timing on a noisy machine: interleaved repeats, medians and minimums; machine facts.

``pin_threads`` must run before numpy is imported (BLAS reads its thread count at load
time); ``bench/run.py`` calls it first thing.
"""
from __future__ import annotations

import ctypes
import gc
import glob
import os
import platform
import statistics
import sys
import time

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                    "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def pin_threads(n):
    """Set every BLAS/OpenMP thread variable to ``n`` (call before importing numpy)."""
    if "numpy" in sys.modules:
        raise RuntimeError("pin_threads: numpy is already imported; its BLAS ignores the "
                           "thread variables now")
    for name in THREAD_VARIABLES:
        os.environ[name] = str(n)


def blas_threads():
    """The thread count numpy's OpenBLAS reports at run time, or None if it cannot be asked."""
    import numpy as np

    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs",
                                  "*openblas*"))
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for symbol in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
                       "openblas_get_num_threads"):
            fn = getattr(lib, symbol, None)
            if fn is not None:
                fn.restype = ctypes.c_int
                return int(fn())
    return None


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info():
    """CPU, cores, load, python, numpy and its BLAS — what a reader needs to compare runs."""
    import numpy as np

    blas = {}
    try:
        config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = {k: config.get(k) for k in ("name", "version", "openblas configuration")
                if config.get(k)}
    except Exception:          # older numpy: no dict mode
        pass
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": affinity,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas,
        "blas_threads": blas_threads(),
        "thread_variables": {k: os.environ.get(k) for k in THREAD_VARIABLES},
    }


def summarize(times):
    """Median, minimum and all samples (seconds)."""
    return {"median": statistics.median(times), "min": min(times), "samples": list(times)}


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def interleaved(prepares, repeats, log=print, clock="cpu"):
    """Time every implementation ``repeats`` times, interleaved: A B C, B C A, C A B, ...

    ``prepares`` maps a name to ``prepare()`` -> ``run``; ``prepare`` (untimed) builds the
    model afresh, ``run()`` is timed and returns a dict.  If that dict holds a callable under
    "after", it is called once the clock has stopped and its dict merged in (accuracies).
    A "phases" dict of inner timings is summarized too.

    Both the process CPU time and the wall-clock time are recorded; ``clock`` says which
    one the ratios use ("time").  With one thread, CPU time is the work done by this
    process: it leaves out the time other processes held the core, the main noise on a
    shared machine.

    Returns ``{name: {"time": summary, "cpu": ..., "wall": ..., "result": dict of the first
    run, "phases": ...}}`` and checks that every repeat gave the same final cost.
    """
    names = list(prepares)
    out = {name: {"cpu": [], "wall": [], "phases": {}} for name in names}
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            run = prepares[name]()
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            result = run()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            after = result.pop("after", None)
            if after is not None:
                result.update(after())
            entry = out[name]
            entry["cpu"].append(cpu)
            entry["wall"].append(wall)
            for phase, seconds in result.pop("phases", {}).items():
                entry["phases"].setdefault(phase, []).append(seconds)
            if "result" not in entry:
                entry["result"] = result
            elif result["final_cost"] != entry["result"]["final_cost"]:
                entry.setdefault("nondeterministic", []).append(result["final_cost"])
        log(f"    round {r + 1}/{repeats}: " + ", ".join(
            f"{name} {out[name][clock][-1] * 1e3:.0f} ms" for name in names))
    for name in names:
        entry = out[name]
        entry["cpu"], entry["wall"] = summarize(entry["cpu"]), summarize(entry["wall"])
        entry["time"] = entry[clock]
        entry["phases"] = {p: summarize(t) for p, t in entry["phases"].items()}
    return out


def relative_difference(a, b):
    """|a − b| / |b| (0 when both are 0)."""
    if a == b:
        return 0.0
    return abs(a - b) / abs(b) if b else float("inf")
