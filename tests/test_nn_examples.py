"""The example scripts run as scripts, print the course's first cost and write their files."""
import os
import subprocess
import sys
from pathlib import Path

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


def run_failing(name, *args, cwd=None):
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRAD_LITE_DATA"}
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=120)
    assert done.stdout == "" or "Cost after" in done.stdout
    assert "Traceback" not in done.stderr
    return done.returncode, done.stderr.strip().splitlines()


@pytest.mark.parametrize("name, args, says", [
    ("planar_flower.py", ["--iterations", "0"],
     "argument --iterations: expected a positive integer, not '0'"),
    ("planar_flower.py", ["--learning-rate", "-1"],
     "argument --learning-rate: expected a positive number, not '-1'"),
    ("planar_flower.py", ["--hidden", "swish"], "argument --hidden: invalid choice: 'swish' "
                                                "(choose from 'relu', 'tanh', 'sigmoid', "
                                                "'leaky_relu', 'identity')"),
    ("logistic_regression_cats.py", ["--iterations", "x"],
     "argument --iterations: expected a positive integer, not 'x'"),
    ("deep_network_cats.py", ["--layers", "20", "0"],
     "argument --layers: expected a positive integer, not '0'"),
    ("deep_network_cats.py", ["--seed", "-1"],
     "argument --seed: expected an integer >= 0, not '-1'"),
], ids=["iterations", "learning-rate", "hidden", "iterations-text", "layers", "seed"])
def test_bad_arguments_are_one_line_and_exit_2_like_the_cli(tmp_path, name, args, says):
    code, lines = run_failing(name, *args, "--out", tmp_path / "out")
    assert code == 2 and lines == [f"{name}: error: {says} (see '{name} --help')"]
    assert not (tmp_path / "out").exists()


def test_a_missing_data_folder_is_one_line_naming_every_way(tmp_path):
    code, lines = run_failing("deep_network_cats.py", "--data-dir", tmp_path / "nope",
                              "--out", tmp_path / "out")
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith("deep_network_cats.py: error: load_catvnoncat: no data file "
                               f"at {tmp_path / 'nope' / 'train_catvnoncat.h5'}; ")
    for way in ("--data-dir DIR", "data_dir=DIR", "AUTOGRAD_LITE_DATA=DIR", "./shared/data"):
        assert way in lines[0]
    assert not (tmp_path / "out").exists()


def test_a_bad_output_folder_fails_before_training_and_a_failed_run_leaves_none(tmp_path):
    (tmp_path / "afile").write_text("")
    code, lines = run_failing("planar_flower.py", "--out", tmp_path / "afile" / "run")
    assert code == 1 and lines == [f"planar_flower.py: error: --out: cannot create the output "
                                   f"folder {tmp_path / 'afile' / 'run'}: "
                                   f"{tmp_path / 'afile'} is a file, not a folder"]
    code, lines = run_failing("planar_flower.py", "--learning-rate", "1e9", "--iterations", 5,
                              "--out", tmp_path / "new" / "run")
    assert code == 1 and lines[-1].startswith("planar_flower.py: error: TwoLayerNet.fit: the "
                                              "cost became inf at iteration 1")
    assert all(line.startswith("planar_flower.py: warning: ") for line in lines[:-1])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]
