"""nn.sweep and `autograd-lite sweep` / `compare`: runs, table, resume, failures, interrupts,
and the same numbers, bitwise, in this process, on local workers and on a Dask cluster."""
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import nn
from nn.sweep import execute
from autograd_lite.cli import main
from nn.sweep.space import check_grid, random_points

REPO = Path(__file__).resolve().parent.parent
TINY = {"layers": [1, 3], "iterations": 40, "learning_rate": 1.2}


def read_csv(folder):
    with open(folder / "sweep.csv", newline="") as file:
        return list(csv.DictReader(file))


def read_json(folder):
    return json.loads((folder / "sweep.json").read_text())["runs"]


def assert_consistent(folder):
    """The two tables hold the same runs, and each finished run has its run folder."""
    rows, lines = read_json(folder), read_csv(folder)
    assert [row["run"] for row in rows] == [line["run"] for line in lines]
    for row, line in zip(rows, lines):
        assert line["status"] == row["status"]
        if row["status"] == "ok":
            assert float(line["final_cost"]) == row["final_cost"]      # repr: every digit
            assert (folder / row["run"] / "metrics.json").is_file()
    assert not [p for p in folder.iterdir() if p.name.startswith(".sweep")]   # no temp file
    return rows


def count_runs(monkeypatch):
    """Count the runs trained in this process (workers=1)."""
    trained = []
    original = execute.train_and_write

    def counting(name, s, data, folder):
        trained.append(name)
        return original(name, s, data, folder)
    monkeypatch.setattr(execute, "train_and_write", counting)
    return trained


def test_a_sweep_writes_a_run_folder_per_run_a_table_and_pictures(tmp_path):
    result = nn.sweep(TINY, tmp_path, dataset="planar", workers=1)
    rows = assert_consistent(tmp_path)
    assert rows == result.rows and [row["layers"] for row in rows] == [[1], [3]]
    assert result.swept == ["layers"]
    for row in rows:
        metrics = json.loads((tmp_path / row["run"] / "metrics.json").read_text())
        assert metrics["layers"] == row["layers"] and metrics["seed"] == row["seed"] == 2
        assert metrics["final_cost"] == row["final_cost"]
        assert metrics["train_accuracy"] == row["train_accuracy"]
        assert sorted(metrics["files"]) == ["costs", "decision_boundary", "graph", "metrics",
                                            "model"]
        # the run is the one `train` would make with the same settings
        model = nn.TwoLayerNet(2, row["layers"][0], 1, hidden="tanh", seed=2)
        X, Y = nn.datasets.planar_flower()
        costs = model.fit(X, Y, iterations=40, learning_rate=1.2, progress=False)
        assert costs[-1] == row["final_cost"] and model.score(X, Y) == row["train_accuracy"]
        saved = nn.load(tmp_path / row["run"] / "model.npz").state_dict()
        assert all(np.array_equal(saved[k], v) for k, v in model.state_dict().items())
    for picture in ("costs.png", "accuracy.png", "decision_boundaries.png"):
        assert (tmp_path / picture).stat().st_size > 10_000


def test_a_rerun_skips_the_finished_runs_and_trains_only_the_new_ones(tmp_path, monkeypatch):
    first = nn.sweep(TINY, tmp_path, workers=1)
    trained = count_runs(monkeypatch)
    again = nn.sweep(TINY, tmp_path, workers=1)
    assert trained == [] and again.rows == first.rows
    more = nn.sweep(dict(TINY, layers=[1, 2, 3]), tmp_path, workers=1)
    assert trained == [more.rows[1]["run"]]
    assert [more.rows[0], more.rows[2]] == first.rows
    # a run whose folder lost its metrics is not finished: it is trained again
    (tmp_path / first.rows[0]["run"] / "metrics.json").unlink()
    nn.sweep(dict(TINY, layers=[1, 2, 3]), tmp_path, workers=1)
    assert trained[1:] == [first.rows[0]["run"]]
    assert_consistent(tmp_path)


def test_a_diverging_run_is_recorded_as_failed_and_the_others_go_on(tmp_path, monkeypatch):
    grid = {"learning_rate": [0.5, 1e4, 1.0], "iterations": 60, "hidden": "relu"}
    result = nn.sweep(grid, tmp_path, dataset="xor", workers=1)
    assert [row["status"] for row in result.rows] == ["ok", "failed", "ok"]
    failed = result.failed[0]
    assert failed["learning_rate"] == 1e4 and failed["final_cost"] is None
    assert failed["error"].startswith("TrainingError: TwoLayerNet.fit: the cost became")
    assert "at iteration" in failed["error"] and "\n" not in failed["error"]
    assert not (tmp_path / failed["run"]).exists()
    assert read_csv(tmp_path)[1]["error"] == failed["error"]
    trained = count_runs(monkeypatch)
    nn.sweep(grid, tmp_path, dataset="xor", workers=1)                 # failed: skipped
    assert trained == []
    nn.sweep(grid, tmp_path, dataset="xor", workers=1, retry_failed=True)
    assert trained == [failed["run"]]


def test_an_interrupt_keeps_the_finished_runs_and_a_consistent_table(tmp_path, monkeypatch):
    grid = dict(TINY, layers=[1, 2, 3, 4])
    original = execute.train_and_write

    def interrupted(name, s, data, folder):
        if s["layers"] == [3]:
            raise KeyboardInterrupt
        return original(name, s, data, folder)
    monkeypatch.setattr(execute, "train_and_write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        nn.sweep(grid, tmp_path, workers=1)
    rows = assert_consistent(tmp_path)
    assert [row["layers"] for row in rows] == [[1], [2]]
    assert all(row["status"] == "ok" for row in rows)
    monkeypatch.setattr(execute, "train_and_write", original)
    trained = count_runs(monkeypatch)
    result = nn.sweep(grid, tmp_path, workers=1)
    assert [row["layers"] for row in result.rows] == [[1], [2], [3], [4]]
    assert len(trained) == 2 and result.rows[:2] == rows


def test_ctrl_c_on_the_command_line_stops_the_workers_and_keeps_the_table(tmp_path):
    out = tmp_path / "sweep"
    command = [sys.executable, "-m", "autograd_lite", "sweep", "--layers", "1", "2", "3", "4",
               "5", "6", "--iterations", "1500", "--workers", "2", "--no-progress",
               "--out", str(out)]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if (out / "sweep.json").is_file() and read_json(out):
                break
            time.sleep(0.1)
        assert process.poll() is None, process.communicate()
        os.killpg(process.pid, signal.SIGINT)           # a terminal's Ctrl-C: the whole group
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130, stderr
    assert "interrupted; the finished runs are kept in" in stderr
    assert "Traceback" not in stderr
    rows = assert_consistent(out)
    assert 1 <= len(rows) < 6 and all(row["status"] == "ok" for row in rows)
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"({len(rows)} done before)" in done.stdout
    final = {row["run"]: row for row in read_json(out)}
    assert len(final) == 6 and all(final[row["run"]] == row for row in rows)   # kept as they were


# gd and adam, whole batch and shuffled mini-batches, finished and failed runs
GRID = {"layers": [5], "optimizer": ["gd", "adam"], "batch_size": [None, 64],
        "learning_rate": [0.05, 1e5], "iterations": 25, "hidden": "relu"}


def _results(folder, result):
    rows = [{k: v for k, v in row.items() if k != "seconds"} for row in result.rows]
    params = [nn.load(folder / row["run"] / "model.npz").state_dict() for row in result.ok]
    costs = [json.loads((folder / row["run"] / "metrics.json").read_text())["printed_costs"]
             for row in result.ok]
    return rows, params, costs


def _assert_bitwise(a, b):
    assert a[0] == b[0]                      # settings, costs, accuracies, errors: all equal
    assert a[2] == b[2]
    for pa, pb in zip(a[1], b[1]):
        assert pa.keys() == pb.keys() and all(np.array_equal(pa[k], pb[k]) for k in pa)


def test_local_workers_and_a_dask_cluster_give_the_serial_results_bitwise(tmp_path,
                                                                        monkeypatch):
    distributed = pytest.importorskip("distributed")
    serial = _results(tmp_path / "serial", nn.sweep(GRID, tmp_path / "serial", workers=1))
    assert {row["status"] for row in serial[0]} == {"ok", "failed"}   # both kinds compared
    pool = _results(tmp_path / "pool", nn.sweep(GRID, tmp_path / "pool", workers=2))
    _assert_bitwise(serial, pool)
    scattered = []
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        original = client.scatter

        def scatter(data, **kwargs):
            scattered.append(kwargs)
            return original(data, **kwargs)
        monkeypatch.setattr(client, "scatter", scatter)
        dask = _results(tmp_path / "dask", nn.sweep(GRID, tmp_path / "dask", client=client))
    _assert_bitwise(serial, dask)
    assert scattered == [{"broadcast": True}]       # the data: once to each worker, not per run


def test_a_bad_grid_is_refused_before_any_run_starts(tmp_path, monkeypatch):
    def never(*args):
        raise AssertionError("a run started")
    monkeypatch.setattr(execute, "train_run", never)
    for grid in ({"n_h": [1, 2]}, {"layers": []}, {"learning_rate": ["fast"]},
                 {"model": ["logreg"], "hidden": ["tanh"]}, {"model": "cnn"}):
        with pytest.raises(nn.ConfigError) as caught:
            nn.sweep(grid, tmp_path / "out", workers=1)
        assert "\n" not in str(caught.value) and str(caught.value).startswith("sweep: ")
    assert not (tmp_path / "out").exists()
    with pytest.raises(nn.ConfigError, match="workers must be a positive integer"):
        nn.sweep(TINY, tmp_path / "out", workers=0)
    with pytest.raises(nn.ConfigError, match="unknown dataset 'iris'"):
        nn.sweep(TINY, tmp_path / "out", dataset="iris")


def test_a_random_search_draws_its_learning_rates_and_records_them(tmp_path):
    grid = {"learning_rate": nn.log_uniform(0.01, 2.0), "layers": [2, 4], "iterations": 20}
    result = nn.sweep(grid, tmp_path, search="random", runs=3, sample_seed=7, workers=1)
    rates = [row["learning_rate"] for row in result.rows]
    assert len(set(rates)) == 3 and all(0.01 <= r <= 2.0 for r in rates)
    assert rates == [p["learning_rate"] for p in random_points(check_grid(grid), 3, 7)]
    assert result.swept == ["layers", "learning_rate"]
    assert json.loads((tmp_path / "sweep.json").read_text())["grid"]["learning_rate"] == \
        {"log_uniform": [0.01, 2.0]}


def test_the_command_line_sweep_and_compare(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(["sweep", "--dataset", "moons", "--layers", "2", "4", "--lr", "0.5",
                 "--iterations", "30", "--workers", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("autograd-lite sweep: 2 runs of shallow on two moons, 1 "
                              "worker, into ")
    rows = read_json(out)
    assert [row["layers"] for row in rows] == [[2], [4]] and rows[0]["dataset"] == "moons"
    assert f"{100 * rows[1]['train_accuracy']:.2f}" in printed
    assert main(["compare", str(out), "-o", str(tmp_path / "c.png")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["run", "model", "layers"]
    assert [line.split()[0] for line in lines[1:3]] == [row["run"] for row in rows]
    assert lines[-1] == f"wrote {tmp_path / 'c.png'}" and (tmp_path / "c.png").is_file()


def test_command_line_mistakes_are_one_line(tmp_path, capsys, monkeypatch):
    assert main(["sweep", "--layers", "0", "--out", str(tmp_path / "a")]) == 2
    assert main(["sweep", "--lr", "1e-3:1", "--out", str(tmp_path / "a")]) == 2
    assert main(["sweep", "--lr", "1:0.1", "--search", "random", "--runs", "2"]) == 2
    assert main(["compare", str(tmp_path / "nothing")]) == 1
    monkeypatch.setitem(sys.modules, "distributed", None)        # Dask not installed
    assert main(["sweep", "--scheduler", "tcp://127.0.0.1:8786",
                 "--out", str(tmp_path / "a")]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 5 and all(e.startswith("autograd-lite: error: ") for e in errors)
    assert "needs search='random'" in errors[1] and "LOW:HIGH" in errors[2]
    assert errors[4].endswith("--scheduler needs Dask, which is not installed: pip install "
                              "autograd_lite[cluster]")
    assert not (tmp_path / "a").exists()
