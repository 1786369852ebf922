"""The example scripts run as scripts, print the course's first cost and write their files."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import nn

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name, *args, data_dir=None):
    env = dict(os.environ)
    if data_dir is not None:
        env["AUTOGRAD_LITE_DATA"] = str(data_dir)
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def assert_png(path):
    with Image.open(path) as image:
        assert image.format == "PNG" and min(image.size) > 100


def test_logistic_regression_example(tmp_path, data_dir):
    lines = run_example("logistic_regression_cats.py", "--iterations", 101, "--out", tmp_path,
                        data_dir=data_dir)
    # the course's week-2 numbers after 0 and 100 iterations
    assert lines[:2] == ["Cost after iteration 0: 0.693147",
                         "Cost after iteration 100: 0.584508"]
    assert lines[2].startswith("train accuracy: ") and lines[3].startswith("test accuracy: ")
    assert_png(tmp_path / "costs.png")
    model = nn.load(tmp_path / "model.npz")
    assert isinstance(model, nn.LogisticRegression) and model.layer_dims == [12288, 1]


def test_deep_network_example(tmp_path, data_dir):
    lines = run_example("deep_network_cats.py", "--iterations", 2, "--print-every", 1,
                        "--out", tmp_path, data_dir=data_dir)
    assert lines[0] == "Cost after iteration 0: 0.771749"        # the course's week-4 start
    assert_png(tmp_path / "costs.png")
    assert nn.load(tmp_path / "model.npz").layer_dims == [12288, 20, 7, 5, 1]


def test_planar_flower_example(tmp_path):
    lines = run_example("planar_flower.py", "--iterations", 1001, "--out", tmp_path)
    assert lines[:2] == ["Cost after iteration 0: 0.693048",      # the course's week-3 table
                         "Cost after iteration 1000: 0.288083"]
    accuracy = float(lines[-2].removeprefix("accuracy: ").removesuffix(" %"))
    assert accuracy >= 85
    for picture in ("costs.png", "decision_boundary.png"):
        assert_png(tmp_path / picture)
    X, Y = nn.datasets.planar_flower()
    assert nn.load(tmp_path / "model.npz").score(X, Y) == pytest.approx(accuracy / 100)


def test_examples_refuse_bad_iterations(tmp_path):
    done = subprocess.run([sys.executable, str(EXAMPLES / "planar_flower.py"),
                           "--iterations", "0", "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "iterations must be a positive integer, not 0" in done.stderr
    assert not np.any([p.suffix == ".png" for p in tmp_path.iterdir()])
