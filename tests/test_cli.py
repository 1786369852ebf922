"""The autograd-lite command: train writes its run folder, predict/graph/gradcheck print what
they should, and every bad argument or library error is one line and a non-zero exit."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import nn
from autograd_lite.cli import build_parser, main
from autograd_lite.cli.train import settings

REPO = Path(__file__).resolve().parent.parent
HAS_DOT = shutil.which("dot") is not None


def run(argv, capsys):
    """main(argv) in this process: (exit status, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_process(*args, env=None):
    """``python -m autograd_lite ARGS`` in a fresh process."""
    return subprocess.run([sys.executable, "-m", "autograd_lite", *map(str, args)],
                          capture_output=True, text=True, timeout=300, cwd=REPO,
                          env=env or dict(os.environ, OPENBLAS_NUM_THREADS="1"))


def assert_one_line_error(code, err, expected_code, *fragments):
    assert code == expected_code
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("autograd-lite: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


def assert_png(path):
    with Image.open(path) as image:
        assert image.format == "PNG" and min(image.size) > 100


# --- train --------------------------------------------------------------------------------
def test_train_writes_the_run_folder_with_the_courses_numbers(tmp_path, capsys):
    code, out, err = run(["train", "--dataset", "planar", "--model", "shallow", "--layers", 4,
                          "--hidden", "tanh", "--lr", 1.2, "--iterations", 1001,
                          "--print-every", 500, "--seed", 2, "--out", tmp_path], capsys)
    assert code == 0, err
    lines = out.splitlines()
    # the course's week-3 table: np.random.seed(2) for W, 4 tanh units, alpha 1.2
    assert "Cost after iteration 0: 0.693048" in lines
    assert "Cost after iteration 1000: 0.288083" in lines
    assert lines.count("Cost after iteration 500: 0.304722") == 1
    assert "Cost after iteration 1000: 0.288083" == lines[lines.index(
        "Cost after iteration 500: 0.304722") + 1]

    files = {"model.npz", "costs.png", "decision_boundary.png", "metrics.json",
             "graph.svg" if HAS_DOT else "graph.gv"}
    assert {p.name for p in tmp_path.iterdir()} == files
    assert_png(tmp_path / "costs.png")
    assert_png(tmp_path / "decision_boundary.png")
    if HAS_DOT:
        assert "<svg" in (tmp_path / "graph.svg").read_text()

    metrics = json.loads((tmp_path / "metrics.json").read_text())
    model = nn.load(tmp_path / "model.npz")
    X, Y = nn.datasets.planar_flower(m=400, seed=1)
    X_test, Y_test = nn.datasets.planar_flower(m=400, seed=2)
    assert metrics["train_accuracy"] == model.score(X, Y)
    assert metrics["test_accuracy"] == model.score(X_test, Y_test)
    assert metrics["train_accuracy"] > 0.85
    assert f"train accuracy: {100 * metrics['train_accuracy']:.2f} %" in lines
    assert f"test accuracy: {100 * metrics['test_accuracy']:.2f} %" in lines
    assert metrics["layer_dims"] == [2, 4, 1] and metrics["hidden"] == "tanh"
    assert metrics["learning_rate"] == 1.2 and metrics["iterations"] == 1001
    assert round(metrics["first_cost"], 6) == 0.693048
    assert round(metrics["printed_costs"]["1000"], 6) == 0.288083
    assert set(metrics["printed_costs"]) == {"0", "500", "1000"}
    assert metrics["files"]["graph"] == ("graph.svg" if HAS_DOT else "graph.gv")
    assert metrics["train_examples"] == metrics["test_examples"] == 400
    assert metrics["command"] == (f"autograd-lite train --dataset planar --model shallow "
                                  f"--layers 4 --hidden tanh --lr 1.2 --iterations 1001 "
                                  f"--print-every 500 --seed 2 --out {tmp_path}")


def test_train_defaults_are_the_courses(tmp_path):
    course = {"logreg": ([], None, "zeros", 0.005, 2000),
              "shallow": ([4], "tanh", "small", 1.2, 10000),
              "deep": ([20, 7, 5], "relu", "deep", 0.0075, 2500)}
    for model, (layers, hidden, init, lr, iterations) in course.items():
        s = settings(build_parser().parse_args(["train", "--model", model]))
        assert (s["layers"], s["hidden"], s["init"], s["learning_rate"], s["iterations"]) \
            == (layers, hidden, init, lr, iterations)
        assert s["print_every"] == iterations // 10 and s["optimizer"] == "gd"
    assert settings(build_parser().parse_args(["train"]))["seed"] == 2   # np.random.seed(2)


def test_the_makefile_demo_runs_the_courses_week_3_model():
    makefile = (REPO / "Makefile").read_text()
    recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    command = " ".join(recipe.replace("\\\n", " ").split("\n")[1:])
    argv = command.split("autograd_lite", 1)[1].split()
    argv = [a for a in argv if a != "$(RUN)"]
    args = build_parser().parse_args(argv[:argv.index("--out")] + argv[argv.index("--out") + 1:])
    s = settings(args)
    assert (s["dataset"], s["model"], s["layers"], s["hidden"], s["init"], s["seed"]) == \
        ("planar", "shallow", [4], "tanh", "small", 2)
    assert (s["learning_rate"], s["iterations"], s["optimizer"], s["batch_size"]) == \
        (1.2, 10000, "gd", None)


def test_train_deep_with_adam_and_mini_batches(tmp_path, capsys):
    code, out, err = run(["train", "--dataset", "xor", "--model", "deep", "--layers", "8,4",
                          "--hidden", "tanh", "--init", "xavier", "--optimizer", "adam",
                          "--lr", 0.05, "--batch-size", 32, "--iterations", 30,
                          "--print-every", 0, "--out", tmp_path], capsys)
    assert code == 0, err
    assert "Cost after" not in out                      # --print-every 0: no cost lines
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["layer_dims"] == [2, 8, 4, 1] and metrics["batch_size"] == 32
    assert metrics["optimizer"] == "adam" and metrics["printed_costs"] == {}
    model = nn.load(tmp_path / "model.npz")
    assert isinstance(model, nn.DeepNN) and model.hidden == "tanh"
    X, Y = nn.datasets.xor(m=200, seed=0)
    assert metrics["train_accuracy"] == model.score(X, Y) > 0.8
    assert metrics["final_cost"] < metrics["first_cost"]


@pytest.mark.parametrize("dataset", ["moons", "circles"])
def test_train_logreg_on_the_other_2d_sets(tmp_path, capsys, dataset):
    code, out, err = run(["train", "--dataset", dataset, "--model", "logreg", "--iterations",
                          5, "--out", tmp_path], capsys)
    assert code == 0, err
    assert out.splitlines()[2] == "Cost after iteration 0: 0.693147"   # zero weights: log 2
    assert (tmp_path / "decision_boundary.png").is_file()


def test_train_on_the_cats(tmp_path, capsys, data_dir):
    code, out, err = run(["train", "--dataset", "catvnoncat", "--data-dir", data_dir,
                          "--model", "deep", "--iterations", 2, "--print-every", 1,
                          "--out", tmp_path], capsys)
    assert code == 0, err
    assert "Cost after iteration 0: 0.771749" in out.splitlines()   # the course's week 4
    files = {p.name for p in tmp_path.iterdir()}
    assert "decision_boundary.png" not in files and "model.npz" in files
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["layer_dims"] == [12288, 20, 7, 5, 1]
    assert metrics["classes"] == ["non-cat", "cat"]
    assert (metrics["train_examples"], metrics["test_examples"]) == (209, 50)


def test_train_writes_the_dot_source_without_graphviz(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))              # no `dot` anywhere
    code, out, err = run(["train", "--dataset", "xor", "--iterations", 2, "--out",
                          tmp_path / "run"], capsys)
    assert code == 0
    assert "graph.gv" in err and "Graphviz" in err
    source = (tmp_path / "run" / "graph.gv").read_text()
    assert source.startswith("digraph") and "layer1.W" in source
    assert not (tmp_path / "run" / "graph.svg").exists()
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["files"]["graph"] == "graph.gv"


# --- predict ------------------------------------------------------------------------------
def picture_model(folder, weight, bias):
    """A logistic regression on 64×64 pictures with every weight ``weight``."""
    model = nn.LogisticRegression(64 * 64 * 3)
    model.layer1.W.data[...] = weight
    model.layer1.b.data[...] = bias
    path = Path(folder) / "model.npz"
    nn.save(model, path)
    return path


def test_predict_prints_the_probability_and_the_class(tmp_path, capsys):
    model = picture_model(tmp_path, weight=1e-3, bias=-5.0)
    Image.new("RGB", (200, 120), (255, 255, 255)).save(tmp_path / "white.png")
    Image.new("RGB", (31, 47), (0, 0, 0)).save(tmp_path / "black.jpg")
    code, out, err = run(["predict", "--model", model, tmp_path / "white.png",
                          tmp_path / "black.jpg"], capsys)
    assert code == 0, err
    white, black = out.splitlines()
    # white: every x = 1, so z = 12288 · 1e-3 − 5 = 7.288; black: z = −5
    match = re.fullmatch(r'(.+): probability ([0-9.]+) -> y = (\d), a "(.+)" picture', white)
    assert match.group(1) == str(tmp_path / "white.png")
    p = float(match.group(2))
    assert 0 <= p <= 1 and p == pytest.approx(1 / (1 + np.exp(-7.288)), abs=1e-4)
    assert (match.group(3), match.group(4)) == ("1", "cat")
    p_black = float(re.search(r"probability ([0-9.]+)", black).group(1))
    assert p_black == pytest.approx(1 / (1 + np.exp(5.0)), abs=1e-4)
    assert black.endswith('y = 0, a "non-cat" picture')


def test_predict_reads_the_class_names_of_the_run(tmp_path, capsys):
    model = picture_model(tmp_path, weight=0.0, bias=3.0)
    (tmp_path / "metrics.json").write_text(json.dumps({"classes": ["dog", "kitten"]}))
    Image.new("L", (64, 64), 128).save(tmp_path / "grey.bmp")          # grey scale: made RGB
    code, out, _ = run(["predict", "--model", model, tmp_path / "grey.bmp"], capsys)
    assert code == 0 and out.strip().endswith('y = 1, a "kitten" picture')


def test_predict_with_a_model_trained_on_the_cats(tmp_path, capsys, data_dir):
    assert run(["train", "--dataset", "catvnoncat", "--data-dir", data_dir, "--model", "logreg",
                "--iterations", 3, "--out", tmp_path], capsys)[0] == 0
    Image.new("RGB", (64, 64), (200, 150, 90)).save(tmp_path / "mine.png")
    code, out, _ = run(["predict", "--model", tmp_path / "model.npz", tmp_path / "mine.png"],
                       capsys)
    p = float(re.search(r"probability ([0-9.]+)", out).group(1))
    model = nn.load(tmp_path / "model.npz")
    x = np.full((64, 64, 3), (200, 150, 90), dtype=float).reshape(-1, 1) / 255
    assert code == 0 and p == pytest.approx(model.predict_proba(x).item(), abs=1e-4)


@pytest.mark.parametrize("case, fragment", [
    ("missing image", "no picture file at"),
    ("not an image", "cannot read"),
    ("not a picture model", "not a model of pictures"),
    ("missing model", "no model file at"),
])
def test_predict_errors(tmp_path, capsys, case, fragment):
    model = picture_model(tmp_path, 0.0, 0.0)
    image = tmp_path / "ok.png"
    Image.new("RGB", (64, 64)).save(image)
    if case == "missing image":
        image = tmp_path / "nope.png"
    elif case == "not an image":
        image = tmp_path / "text.png"
        image.write_text("not a picture")
    elif case == "not a picture model":
        model = tmp_path / "flat.npz"
        nn.save(nn.TwoLayerNet(2, 4, 1, seed=0), model)
    else:
        model = tmp_path / "nope.npz"
    code, _, err = run(["predict", "--model", model, image], capsys)
    assert_one_line_error(code, err, 1, fragment)


# --- graph --------------------------------------------------------------------------------
@pytest.mark.parametrize("name, dims", [("logreg", [4, 1]), ("shallow", [2, 4, 1]),
                                         ("deep", [4, 5, 3, 1])])
def test_graph_of_a_builtin_model(tmp_path, capsys, name, dims):
    path = tmp_path / f"{name}.gv"
    code, out, _ = run(["graph", "--model", name, "-o", path, "--show-backward"], capsys)
    assert code == 0
    assert out.strip() == (f"wrote {path}: the graph of the cost of "
                           f"{'LogisticRegression' if name == 'logreg' else 'TwoLayerNet' if name == 'shallow' else 'DeepNN'} "
                           f"{dims} on 3 random examples")
    source = path.read_text()
    for l in range(1, len(dims)):
        assert f"layer{l}.W" in source and f"layer{l}.b" in source
    assert "dz = da · a(1 − a)" in source                # --show-backward: sigmoid's rule
    assert "d(layer1.W)" in source                       # gradients shown by default


@pytest.mark.skipif(not HAS_DOT, reason="needs the Graphviz program dot")
def test_graph_of_a_saved_model_as_svg(tmp_path, capsys):
    model_path = tmp_path / "model.npz"
    nn.save(nn.DeepNN([12288, 20, 7, 5, 1], seed=0), model_path)
    code, out, _ = run(["graph", "--model", model_path, "-o", tmp_path / "g.svg",
                        "--examples", 2, "--no-grads"], capsys)
    assert code == 0 and "DeepNN [12288, 20, 7, 5, 1] on 2 random examples" in out
    svg = (tmp_path / "g.svg").read_text()
    assert "<svg" in svg and "(12288, 2)" in svg and "d(layer1.W)" not in svg


# --- gradcheck ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["logreg", "shallow", "deep"])
def test_gradcheck_of_the_builtin_models_passes(capsys, name):
    code, out, _ = run(["gradcheck", "--model", name], capsys)
    lines = out.splitlines()
    assert code == 0
    assert lines[0].endswith("on 3 random examples (epsilon 1e-07, threshold 2e-07)")
    assert lines[2].startswith("Your backward propagation works perfectly fine! difference = ")
    assert float(lines[2].rsplit("= ", 1)[1]) < 2e-7


def test_gradcheck_of_a_saved_model_and_of_some_parameters(tmp_path, capsys):
    path = tmp_path / "model.npz"
    nn.save(nn.DeepNN([6, 3, 2, 1], hidden="tanh", seed=0), path)
    code, out, _ = run(["gradcheck", "--model", path], capsys)
    assert code == 0 and ": 32 elements" in out.splitlines()[1]     # 18+3 + 6+2 + 2+1
    code, out, _ = run(["gradcheck", "--model", path, "--only", "layer3,layer1.b"], capsys)
    assert code == 0
    assert out.splitlines()[1] == "  layer1.b (3, 1), layer3.W (1, 2), layer3.b (1, 1): 6 elements"


def test_gradcheck_finds_a_wrong_derivative(capsys, monkeypatch):
    from autograd_lite.ops.activation import Tanh
    monkeypatch.setattr(Tanh, "backward", lambda self, grad, out, z: (grad * (1 - out),))
    code, out, _ = run(["gradcheck", "--model", "shallow"], capsys)
    assert code == 1
    assert "There is a mistake in the backward propagation!" in out
    assert "the derivative of 'tanh' disagrees" in out


def test_gradcheck_refuses_a_huge_check(tmp_path, capsys):
    path = tmp_path / "big.npz"
    nn.save(nn.DeepNN([12288, 20, 1], seed=0), path)
    code, _, err = run(["gradcheck", "--model", path], capsys)
    assert_one_line_error(code, err, 1, "245,801 parameter elements", "--only")
    code, out, _ = run(["gradcheck", "--model", path, "--only", "layer2"], capsys)
    assert code == 0 and "perfectly fine" in out


# --- errors: one line, exit 2 for usage, 1 for runtime ------------------------------------
@pytest.mark.parametrize("argv, fragment", [
    ([], "COMMAND"),
    (["fly"], "invalid choice: 'fly'"),
    (["train", "--model", "rnn"], "invalid choice: 'rnn'"),
    (["train", "--dataset", "mnist"], "invalid choice: 'mnist'"),
    (["train", "--layers", "20,x,5"], "such as 20,7,5"),
    (["train", "--layers", "0"], "such as 20,7,5"),
    (["train", "--lr", "-0.1"], "positive number"),
    (["train", "--lr", "nan"], "positive number"),
    (["train", "--iterations", "0"], "positive integer"),
    (["train", "--iterations", "1.5"], "positive integer"),
    (["train", "--batch-size", "-2"], "positive integer"),
    (["train", "--seed", "-1"], "integer >= 0"),
    (["train", "--seed", str(2 ** 32)], "below 2**32"),
    (["train", "--optimizer", "sgd"], "invalid choice: 'sgd'"),
    (["train", "--hidden", "swish"], "invalid choice: 'swish'"),
    (["train", "--model", "logreg", "--layers", "3"], "no hidden layer"),
    (["train", "--model", "logreg", "--hidden", "relu"], "no hidden layer"),
    (["train", "--model", "shallow", "--layers", "4,3"], "one hidden layer"),
    (["train", "--epochs", "3"], "unrecognized arguments: --epochs 3"),
    (["train", "--dataset", "xor", "--data-dir", "data"], "--data-dir only applies"),
    (["predict", "image.png"], "--model"),
    (["predict", "--model", "m.npz"], "IMAGE"),
    (["graph"], "--model"),
    (["graph", "--model", "deep", "-o", "graph.jpg"], "end it with .svg, .png, .pdf or .gv"),
    (["gradcheck", "--model", "deep", "--only", "layer7"], "no parameter called layer7"),
    (["gradcheck", "--model", "deep", "--epsilon", "0"], "positive number"),
])
def test_bad_arguments_are_one_line_and_exit_2(capsys, argv, fragment):
    code, out, err = run(argv, capsys)
    assert_one_line_error(code, err, 2, fragment)
    assert out == ""


@pytest.mark.parametrize("argv, fragment", [
    (["graph", "--model", "runs/none/model.npz"], "no model file at runs/none/model.npz"),
    (["gradcheck", "--model", "mdoel.npz"], "built-in models logreg, shallow, deep"),
    (["train", "--dataset", "catvnoncat", "--data-dir", "/no/such/dir"],
     "no data file at /no/such/dir/train_catvnoncat.h5"),
])
def test_runtime_errors_are_one_line_and_exit_1(capsys, argv, fragment):
    code, _, err = run(argv, capsys)
    assert_one_line_error(code, err, 1, fragment)


def test_a_diverging_run_stops_with_one_line_and_its_warnings_are_one_line_too(tmp_path, capsys):
    code, out, err = run(["train", "--dataset", "xor", "--model", "deep", "--lr", 1e9,
                          "--iterations", 50, "--print-every", 0, "--out", tmp_path], capsys)
    assert code == 1 and "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines[-1].startswith("autograd-lite: error: DeepNN.fit: the cost became inf")
    assert all(line.startswith("autograd-lite: warning: ") for line in lines[:-1])
    assert any("NumericalWarning: binary_cross_entropy" in line for line in lines[:-1])
    assert not (tmp_path / "model.npz").exists()


def test_a_broken_model_file_is_one_line_and_exit_1(tmp_path, capsys):
    broken = tmp_path / "model.npz"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    code, _, err = run(["graph", "--model", broken], capsys)
    assert_one_line_error(code, err, 1, str(broken))


def test_an_unwritable_run_folder_fails_before_training(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    code, out, err = run(["train", "--out", tmp_path / "file" / "run"], capsys)
    assert_one_line_error(code, err, 1, "cannot create the run folder")
    assert "Cost after" not in out


def test_traceback_flag_shows_the_library_error(capsys):
    with pytest.raises(nn.MissingFileError):
        main(["--traceback", "graph", "--model", "nope.npz"])


# --- as a program -------------------------------------------------------------------------
def test_python_dash_m_and_the_console_script(tmp_path):
    done = run_process("--version")
    assert done.returncode == 0 and done.stdout.strip() == "autograd-lite 0.1.0"
    done = run_process("train", "--model", "rnn")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("autograd-lite: error: argument --model: invalid choice")
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    done = run_process("predict", "--model", tmp_path / "missing.npz", "x.png")
    assert done.returncode == 1 and "Traceback" not in done.stderr

    script = Path(sys.executable).parent / "autograd-lite"
    if not script.exists():
        pytest.skip("the console script is not installed (pip install -e .)")
    done = subprocess.run([str(script), "gradcheck", "--model", "shallow"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "perfectly fine" in done.stdout


def test_every_command_has_help(capsys):
    for command in ("train", "predict", "graph", "gradcheck"):
        code, out, _ = run([command, "--help"], capsys)
        assert code == 0 and out.startswith(f"usage: autograd-lite {command}")
