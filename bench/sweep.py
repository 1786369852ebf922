"""The course's hidden-size sweep (week 3) on 2 worker processes against 1: a wall-time ratio.

The sweep is the course's experiment: the planar flower, n_h in 1, 2, 3, 4, 5, 20, 50, tanh,
α = 1.2, 5000 iterations each, ``np.random.seed(2)``.  Each round runs it with
``workers=1`` (in this process) and ``workers=2`` (two spawned workers, one BLAS thread
each), interleaved; the ratio is of the median wall times (CPU time would miss the
workers).  Both must give the course's published accuracies.
"""
from __future__ import annotations

import statistics
import tempfile

import nn

from .harness import interleaved
from .workloads import check, target

SIZES = [1, 2, 3, 4, 5, 20, 50]
# the course's printed "Accuracy for n_h hidden units"
COURSE = {1: 67.5, 2: 67.25, 3: 90.75, 4: 90.5, 5: 91.25, 20: 90.0, 50: 90.25}


def hidden_size_grid(iterations=5000):
    """The grid of the course's hidden-size experiment."""
    return {"layers": SIZES, "iterations": iterations, "learning_rate": 1.2,
            "hidden": "tanh", "seed": 2}


def _prepare(workers, iterations):
    def prepare():
        folder = tempfile.mkdtemp(prefix="bench-sweep-")

        def run():
            result = nn.sweep(hidden_size_grid(iterations), folder, workers=workers,
                              progress=False)
            accuracies = {row["layers"][0]: 100 * row["train_accuracy"] for row in result.rows}
            return {"final_cost": sum(row["final_cost"] for row in result.rows),
                    "accuracies": accuracies}
        return run
    return prepare


def run_sweep(iterations=5000, repeats=3, log=print):
    """Time the sweep on 1 and 2 workers; check the accuracies against the course's."""
    timings = interleaved({"1 worker": _prepare(1, iterations),
                           "2 workers": _prepare(2, iterations)}, repeats, log=log,
                          clock="wall")
    ratio = timings["2 workers"]["time"]["median"] / timings["1 worker"]["time"]["median"]
    rounds = [a / b for a, b in zip(timings["2 workers"]["time"]["samples"],
                                    timings["1 worker"]["time"]["samples"])]
    text = f"{ratio:.2f} (rounds {min(rounds):.2f}–{max(rounds):.2f})"
    log(f"    sweep: 2 workers / 1 worker = {text}")
    checks = []
    for name, entry in timings.items():
        accuracies = entry["result"]["accuracies"]
        if iterations == 5000:
            checks.append(check(f"hidden-size accuracies, {name}", accuracies == COURSE,
                                ", ".join(f"{n}: {a:g} %" for n, a in accuracies.items())))
    checks.append(check("1 worker = 2 workers, bitwise",
                        timings["1 worker"]["result"] == timings["2 workers"]["result"],
                        "the sum of the final costs and every accuracy"))
    return {"name": "sweep", "baseline": "1 worker", "timings": timings, "checks": checks,
            "targets": [target("sweep", "hidden-size sweep, 2 workers / 1 worker (wall)",
                               ratio, 0.75, ratio <= 0.75, text, "≤ 0.75")],
            "config": {"iterations": iterations * len(SIZES), "repeats": repeats,
                       "median_seconds": {name: statistics.median(e["wall"]["samples"])
                                          for name, e in timings.items()}}}
