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
    course = {"logreg": ([], None, "zeros", 0.005, 2000, 100),
              "shallow": ([4], "tanh", "small", 1.2, 10000, 1000),
              "deep": ([20, 7, 5], "relu", "deep", 0.0075, 2500, 100)}
    for model, (layers, hidden, init, lr, iterations, every) in course.items():
        s = settings(build_parser().parse_args(["train", "--model", model]))
        assert (s["layers"], s["hidden"], s["init"], s["learning_rate"], s["iterations"]) \
            == (layers, hidden, init, lr, iterations)
        assert s["print_every"] == every and s["optimizer"] == "gd"     # the course's lines
        s = settings(build_parser().parse_args(["train", "--model", model, "--iterations", "50"]))
        assert s["print_every"] == 5                    # other iterations: ten lines
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
# the built-in week-3 model is drawn and checked on the flower's first examples of each class
# (the first 200 points are red, y = 0); the others record no data set
EXAMPLES = {"logreg": "3 random examples (the model records no data set)",
            "shallow": "3 training examples of the planar flower (numbers 200, 0, 201)",
            "deep": "3 random examples (the model records no data set)"}


@pytest.mark.parametrize("name, dims", [("logreg", [4, 1]), ("shallow", [2, 4, 1]),
                                         ("deep", [4, 5, 3, 1])])
def test_graph_of_a_builtin_model(tmp_path, capsys, name, dims):
    path = tmp_path / f"{name}.gv"
    code, out, _ = run(["graph", "--model", name, "-o", path, "--show-backward"], capsys)
    assert code == 0
    assert out.strip() == (f"wrote {path}: the graph of the cost of "
                           f"{'LogisticRegression' if name == 'logreg' else 'TwoLayerNet' if name == 'shallow' else 'DeepNN'} "
                           f"{dims} on {EXAMPLES[name]}")
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
    assert code == 0 and "DeepNN [12288, 20, 7, 5, 1] on 2 random examples (the model " \
        "records no data set)" in out
    svg = (tmp_path / "g.svg").read_text()
    assert "<svg" in svg and "(12288, 2)" in svg and "d(layer1.W)" not in svg


# --- gradcheck ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["logreg", "shallow", "deep"])
def test_gradcheck_of_the_builtin_models_passes(capsys, name):
    code, out, _ = run(["gradcheck", "--model", name], capsys)
    lines = out.splitlines()
    assert code == 0
    assert lines[0].endswith(f"on {EXAMPLES[name]} (epsilon 1e-07, threshold 2e-07)")
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
    (["train", "--model", "nope"], "invalid choice: 'nope'"),
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
    (["gradcheck", "--model", "nope"], "invalid choice: 'nope' (choose from logreg, shallow, "
                                       "deep, or give a model file or a run folder)"),
    (["gradcheck", "--model", "deep", "--threshold", "-1"], "positive number"),
    (["gradcheck", "--model", "deep", "--max-elements", "0"], "positive integer"),
    (["gradcheck", "--model", "deep", "--examples", "x"], "positive integer"),
    (["graph", "--model", "nope"], "argument --model: invalid choice: 'nope'"),
    (["graph", "--model", "deep", "--examples", "0"], "positive integer"),
    (["graph", "--model", "deep", "--rankdir", "up"], "invalid choice: 'up'"),
    (["predict", "--model", "m.npz", "--size", "64", "x.png"], "unrecognized arguments"),
    (["train", "--print-every", "-1"], "integer >= 0"),
    (["train", "--init", "ones"], "invalid choice: 'ones'"),
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
    first_cost = float(re.search(r"Cost after iteration 0: ([0-9.]+)", out).group(1)) \
        if "Cost after" in out else None
    # in the command's words: --lr, not learning_rate, costs_ or DeepNN.fit
    assert re.fullmatch(r"autograd-lite: error: train: the cost became inf at iteration 1 "
                        r"\(it was ([0-9.]+) at iteration 0\), so training stopped and "
                        r"nothing was written; try a smaller --lr \(it is 1e\+09\), e\.g\. "
                        r"--lr 1e\+08", lines[-1]), lines[-1]
    assert first_cost is None                                # --print-every 0
    for python_name in ("learning_rate", "costs_", "fit", "eps"):
        assert python_name not in lines[-1]
    # one warning, once, in options: no numpy RuntimeWarning, no nn.losses function to call
    assert lines[:-1] == [
        "autograd-lite: warning: NumericalWarning: the sigmoid output saturated (89 "
        "prediction(s) exactly 0 or 1 on the wrong side of their label), so the cost is inf: "
        "the learning rate is too large; try a smaller --lr (it is 1e+09)"]
    assert not (tmp_path / "model.npz").exists()


def test_a_broken_model_file_is_one_line_and_exit_1(tmp_path, capsys):
    broken = tmp_path / "model.npz"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    code, _, err = run(["graph", "--model", broken], capsys)
    assert_one_line_error(code, err, 1, str(broken))


def test_an_unwritable_run_folder_fails_before_training(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    code, out, err = run(["train", "--out", tmp_path / "file" / "run"], capsys)
    assert_one_line_error(code, err, 1, f"train: cannot create the run folder "
                                        f"{tmp_path / 'file' / 'run'}: {tmp_path / 'file'} "
                                        "is a file, not a folder")
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


def test_train_no_compile_runs_eagerly_to_the_same_costs(tmp_path, capsys):
    runs = []
    for flags in ([], ["--no-compile"]):
        out_dir = tmp_path / ("eager" if flags else "compiled")
        code, out, err = run(["train", "--dataset", "xor", "--model", "deep", "--layers", "8",
                              "--optimizer", "momentum", "--lr", 0.1, "--batch-size", 50,
                              "--iterations", 20, "--print-every", 5, "--out", out_dir,
                              *flags], capsys)
        assert code == 0, err
        runs.append((json.loads((out_dir / "metrics.json").read_text()), out))
    (compiled, out_c), (eager, out_e) = runs
    assert compiled["final_cost"] == eager["final_cost"]        # bitwise: replayed, not redone
    assert compiled["printed_costs"] == eager["printed_costs"]
    assert eager["command"].endswith("--no-compile")


# --- run folders, output folders and memory: checked before any work ----------------------
def _refuse_writes_in(folder, monkeypatch):
    """Make ``folder`` refuse new files.  chmod does it for a user; root ignores permissions,
    so for root the probe's file creation in that folder fails the way it would for a user."""
    os.chmod(folder, 0o555)
    if os.geteuid() == 0:
        import tempfile
        real = tempfile.NamedTemporaryFile

        def refuse(*args, dir=None, **kwargs):
            if dir is not None and Path(dir) == folder:
                raise PermissionError(13, "Permission denied", str(Path(dir) / ".probe"))
            return real(*args, dir=dir, **kwargs)

        monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)


def test_a_read_only_run_folder_fails_before_training(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "read-only"
    folder.mkdir()
    _refuse_writes_in(folder, monkeypatch)
    try:
        code, out, err = run(["train", "--dataset", "xor", "--iterations", 2000, "--out",
                              folder], capsys)
    finally:
        os.chmod(folder, 0o755)
    assert_one_line_error(code, err, 1, f"train: cannot write files in the run folder "
                                        f"{folder}: Permission denied")
    assert out == ""                                     # not one iteration was trained
    assert folder.is_dir() and list(folder.iterdir()) == []   # the user's folder stays


def test_the_write_probe_is_a_real_file_creation(tmp_path):
    from autograd_lite.cli.common import prepare_folder
    created = []
    import tempfile
    real = tempfile.NamedTemporaryFile

    def spy(*args, **kwargs):
        f = real(*args, **kwargs)
        created.append(Path(f.name))
        return f

    tempfile.NamedTemporaryFile, saved = spy, tempfile.NamedTemporaryFile
    try:
        assert prepare_folder(tmp_path / "a" / "b", "train") == [tmp_path / "a" / "b",
                                                                 tmp_path / "a"]
    finally:
        tempfile.NamedTemporaryFile = saved
    [probe] = created
    assert probe.parent == tmp_path / "a" / "b" and not probe.exists()


@pytest.mark.parametrize("argv", [
    ["--model", "deep", "--lr", "1e9", "--iterations", "50", "--print-every", "0"],  # diverges
    ["--layers", "1000000000000"],                                                   # too big
], ids=["diverged", "too-big"])
def test_a_failed_run_leaves_no_empty_run_folder(tmp_path, capsys, argv):
    code, _, err = run(["train", "--dataset", "xor", *argv, "--out",
                        tmp_path / "new" / "run"], capsys)
    assert code in (1, 2) and "autograd-lite: error: " in err
    assert list(tmp_path.iterdir()) == []                 # neither run nor new is left
    (tmp_path / "mine").mkdir()                           # a folder the user made stays
    code, _, _ = run(["train", "--dataset", "xor", *argv, "--out", tmp_path / "mine"], capsys)
    assert code in (1, 2) and [p.name for p in tmp_path.iterdir()] == ["mine"]


def test_huge_layers_are_one_line_and_exit_2_before_anything_is_allocated(tmp_path, capsys,
                                                                           monkeypatch):
    code, out, err = run(["train", "--layers", "1000000000000", "--out", tmp_path / "run"],
                         capsys)
    assert_one_line_error(code, err, 2, "--layers 1000000000000: the model [2, "
                                        "1000000000000, 1] is too big for this machine",
                          "choose smaller hidden layers", "PB")
    assert out == "" and not (tmp_path / "run").exists()
    # where the machine's memory is unknown, numpy's own MemoryError gives the same line
    from autograd_lite.cli import train
    monkeypatch.setattr(train, "_physical_memory", lambda: None)
    code, out, err = run(["train", "--layers", "1000000000000", "--out", tmp_path / "run"],
                         capsys)
    assert_one_line_error(code, err, 2, "--layers 1000000000000: the model [2, "
                                        "1000000000000, 1] is too big for this machine "
                                        "(building the model)")
    assert not (tmp_path / "run").exists()


def test_the_memory_estimate_counts_parameters_and_activations():
    from autograd_lite.cli.train import _bytes_needed
    # [2, 4, 1]: 4·3 + 1·5 = 17 parameters; 5 units; 400 examples
    assert _bytes_needed(dict(layers=[4], batch_size=None), 2, 400) == 8 * (4 * 17 + 6 * 5 * 400)
    assert _bytes_needed(dict(layers=[4], batch_size=32), 2, 400) == 8 * (4 * 17 + 6 * 5 * 32)


def test_predict_accepts_the_run_folder(tmp_path, capsys):
    picture_model(tmp_path, weight=0.0, bias=3.0)
    (tmp_path / "metrics.json").write_text(json.dumps({"classes": ["dog", "kitten"]}))
    Image.new("RGB", (64, 64), (10, 20, 30)).save(tmp_path / "x.png")
    by_folder = run(["predict", "--model", tmp_path, tmp_path / "x.png"], capsys)
    by_file = run(["predict", "--model", tmp_path / "model.npz", tmp_path / "x.png"], capsys)
    assert by_folder == by_file
    assert by_folder[0] == 0 and by_folder[1].strip().endswith('y = 1, a "kitten" picture')
    empty = tmp_path / "empty-run"
    empty.mkdir()
    code, _, err = run(["predict", "--model", empty, tmp_path / "x.png"], capsys)
    assert_one_line_error(code, err, 1, f"no model file at {empty / 'model.npz'}: the run "
                                        f"folder {empty} has no model.npz")


def test_graph_and_gradcheck_accept_the_run_folder(tmp_path, capsys):
    nn.save(nn.DeepNN([4, 3, 1], seed=0), tmp_path / "model.npz")
    code, out, _ = run(["graph", "--model", tmp_path, "-o", tmp_path / "g.gv"], capsys)
    assert code == 0 and "DeepNN [4, 3, 1]" in out
    code, out, _ = run(["gradcheck", "--model", tmp_path], capsys)
    assert code == 0 and "perfectly fine" in out


def test_graph_creates_the_output_folder_and_its_errors_name_the_command(tmp_path, capsys):
    path = tmp_path / "new" / "deeper" / "g.gv"
    code, out, err = run(["graph", "--model", "shallow", "-o", path], capsys)
    assert code == 0, err
    assert path.read_text().startswith("digraph") and out.startswith(f"wrote {path}")
    (tmp_path / "afile").write_text("")
    code, _, err = run(["graph", "--model", "shallow", "-o", tmp_path / "afile" / "g.gv"],
                       capsys)
    assert_one_line_error(code, err, 1, f"graph: cannot create the folder {tmp_path / 'afile'}"
                                        f": {tmp_path / 'afile'} is a file, not a folder")
    (tmp_path / "taken.gv").mkdir()                      # the picture's name is a folder
    code, _, err = run(["graph", "--model", "shallow", "-o", tmp_path / "taken.gv"], capsys)
    assert_one_line_error(code, err, 1, f"graph: cannot write {tmp_path / 'taken.gv'}: ")


# --- pictures -----------------------------------------------------------------------------
def _png_header(width, height):
    """A PNG whose header claims width × height RGB pixels (its data is empty)."""
    import struct
    import zlib

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


def test_a_16_bit_grayscale_picture_is_scaled_by_its_real_range(tmp_path):
    from autograd_lite.cli.predict import load_picture
    half = np.full((20, 30), 32768, dtype=np.uint16)
    Image.fromarray(half).save(tmp_path / "half.png")
    with Image.open(tmp_path / "half.png") as image:
        assert image.mode.startswith("I")                # Pillow reads it as 16-bit
    x = load_picture(tmp_path / "half.png", 8)
    assert x.shape == (192, 1)
    np.testing.assert_allclose(x, 32768 / 65535, rtol=1e-6)    # 50 % gray, not white
    ramp = np.tile(np.array([0, 65535], dtype=np.uint16).repeat(32), (64, 1))
    Image.fromarray(ramp).save(tmp_path / "black-white.png")
    pixels = load_picture(tmp_path / "black-white.png", 64).reshape(64, 64, 3)
    assert pixels[:, :16].max() == 0.0 and pixels[:, -16:].min() == 1.0


def test_a_decompression_bomb_header_is_one_line(tmp_path, capsys):
    picture_model(tmp_path, 0.0, 0.0)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_header(20000, 20000))
    code, out, err = run(["predict", "--model", tmp_path, bomb], capsys)
    assert_one_line_error(code, err, 1, f"predict: {bomb} is too large to read safely",
                          "400000000 pixels", "resize it first")
    assert out == ""
    big = tmp_path / "big.png"                          # over the limit, under twice it
    big.write_bytes(_png_header(10000, 10000))
    code, _, err = run(["predict", "--model", tmp_path, big], capsys)
    assert_one_line_error(code, err, 1, f"predict: {big} is too large to read safely")


def test_transparent_pixels_are_composited_onto_white_and_a_note_says_so(tmp_path, capsys):
    from autograd_lite.cli.predict import load_picture
    Image.new("RGBA", (16, 16), (255, 0, 0, 0)).save(tmp_path / "clear.png")   # hidden red
    Image.new("RGBA", (16, 16), (0, 0, 0, 102)).save(tmp_path / "veil.png")    # 40 % black
    Image.new("RGBA", (16, 16), (0, 0, 255, 255)).save(tmp_path / "solid.png")
    assert np.all(load_picture(tmp_path / "clear.png", 8) == 1.0)
    veil = load_picture(tmp_path / "veil.png", 8)
    np.testing.assert_allclose(veil, 153 / 255)          # 255 · (1 − 0.4) over white
    solid = load_picture(tmp_path / "solid.png", 8).reshape(8, 8, 3)
    assert np.all(solid == [0.0, 0.0, 1.0])
    err = capsys.readouterr().err.splitlines()
    assert err == [f"note: {tmp_path / name} has transparent pixels; they were composited "
                   "onto a white background" for name in ("clear.png", "veil.png")]


# --- a trained model is checked and drawn on its own data (issue 20, items 1, 4, 6) -------
@pytest.fixture(scope="module")
def xor_run(tmp_path_factory):
    """A shallow net trained on xor for 3000 iterations: confidently right on its data."""
    out = tmp_path_factory.mktemp("xor")
    assert main(["train", "--dataset", "xor", "--model", "shallow", "--iterations", "3000",
                 "--print-every", "0", "--no-progress", "--out", str(out)]) == 0
    return out


def test_gradcheck_of_a_trained_model_uses_its_data_and_passes(xor_run, capsys, recwarn):
    capsys.readouterr()
    code, out, err = run(["gradcheck", "--model", xor_run], capsys)
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[0] == ("gradient check of TwoLayerNet [2, 4, 1] on 3 training examples of xor "
                        "(numbers 0, 1, 2) (epsilon 1e-07, threshold 2e-07)")
    assert lines[2].startswith("Your backward propagation works perfectly fine! difference = ")
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_graph_of_a_trained_model_draws_the_same_examples_as_train(xor_run, capsys):
    from autograd_lite.cli.batch import example_batch
    from autograd_lite.cli.data import load_dataset

    X, Y, what = example_batch(nn.load(xor_run / "model.npz"), str(xor_run), m=3)
    data = load_dataset("xor")
    np.testing.assert_array_equal(X, data.train_x[:, [0, 1, 2]])
    np.testing.assert_array_equal(Y, data.train_y[:, [0, 1, 2]])
    assert Y.tolist() == [[1.0, 0.0, 1.0]]                      # both classes, in turn
    path = xor_run / "again.gv"
    code, out, _ = run(["graph", "--model", xor_run, "-o", path], capsys)
    assert code == 0 and out.strip().endswith("on 3 training examples of xor (numbers 0, 1, 2)")
    # the gradient norms written beside the parameters are those of train's graph
    trained = xor_run / ("graph.svg" if (xor_run / "graph.svg").exists() else "graph.gv")
    norms = re.findall(r"‖grad‖ = [0-9.e+-]+", path.read_text())
    assert norms and norms == re.findall(r"‖grad‖ = [0-9.e+-]+", trained.read_text())


def test_train_refuses_to_overwrite_a_run_without_force(xor_run, capsys):
    before = (xor_run / "metrics.json").read_text()
    code, _, err = run(["train", "--dataset", "xor", "--iterations", "3", "--out", xor_run],
                       capsys)
    assert_one_line_error(code, err, 2, f"train: the run folder {xor_run} already holds a run "
                                        "(model.npz, metrics.json); give --force to replace "
                                        "it, or another --out")
    assert (xor_run / "metrics.json").read_text() == before      # nothing was touched


def test_train_force_replaces_and_the_default_folder_gets_a_fresh_name(tmp_path, capsys,
                                                                     monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = ["train", "--dataset", "xor", "--model", "logreg", "--iterations", "2",
            "--print-every", "0"]
    assert run(argv, capsys)[0] == 0 and (tmp_path / "runs/xor-logreg/model.npz").exists()
    code, out, err = run(argv, capsys)
    assert code == 0 and err.strip() == (
        "note: runs/xor-logreg holds an earlier run, so this one goes to runs/xor-logreg-2 "
        "(--out chooses the folder, --force replaces)")
    assert out.strip().endswith("to runs/xor-logreg-2/")
    code, out, _ = run(argv + ["--out", "runs/xor-logreg", "--force", "--iterations", "3"],
                       capsys)
    assert code == 0
    assert json.loads((tmp_path / "runs/xor-logreg/metrics.json").read_text())["iterations"] == 3


# --- predict with a CNN whose pictures are not square RGB (issue 19) -----------------------
def test_predict_resizes_to_a_cnns_height_width_and_layout(tmp_path, capsys):
    model = nn.CNN((3, 8, 32), channels=(2,), pool=2, seed=0)
    nn.save(model, tmp_path / "model.npz")
    pixels = np.zeros((8, 32, 3), dtype=np.uint8)
    pixels[:, :16, 0] = 255                      # left half red, right half black
    pixels[2, 5] = (0, 255, 40)                  # and one odd pixel, to pin the layout
    Image.fromarray(pixels).save(tmp_path / "half.png")     # 32 wide, 8 high
    code, out, _ = run(["predict", "--model", tmp_path, tmp_path / "half.png"], capsys)
    expected = model.predict_proba(pixels.reshape(-1, 1) / 255.0)[0, 0]
    assert code == 0 and out.strip().split(": ", 1)[1].startswith(f"probability {expected:.4f}")


def test_predict_refuses_a_cnn_of_twelve_channels_in_one_line(tmp_path, capsys):
    nn.save(nn.CNN((12, 8, 8), channels=(2,), pool=2, seed=0), tmp_path / "model.npz")
    Image.new("RGB", (8, 8), "red").save(tmp_path / "red.png")
    code, _, err = run(["predict", "--model", tmp_path, tmp_path / "red.png"], capsys)
    assert_one_line_error(code, err, 1, "takes pictures of 12 channels (12×8×8); a picture "
                                        "file has 3 colours (or 1 gray)")


def test_predict_reads_gray_pictures_for_a_one_channel_cnn(tmp_path):
    from autograd_lite.cli.predict import load_picture
    Image.new("RGB", (10, 4), (30, 60, 90)).save(tmp_path / "c.png")
    column = load_picture(tmp_path / "c.png", (4, 10), channels=1)
    assert column.shape == (40, 1) and np.allclose(column, 60 / 255)


def test_cnn_predict_on_no_examples_is_empty():
    model = nn.CNN((3, 8, 8), channels=(2,), pool=2, seed=0)
    assert model.predict(np.zeros((192, 0))).shape == (1, 0)
    assert model.predict_proba(np.zeros((192, 0))).shape == (1, 0)


def test_graph_of_a_cnn_names_its_pictures_and_channels_not_its_flat_layer_dims(tmp_path, capsys):
    nn.save(nn.CNN((3, 16, 16), channels=(2,), pool=4, seed=0), tmp_path / "cnn.npz")
    code, out, err = run(["graph", "--model", tmp_path / "cnn.npz", "-o", tmp_path / "cnn.gv"],
                         capsys)
    assert code == 0 and err == ""
    assert out.strip() == (f"wrote {tmp_path / 'cnn.gv'}: the graph of the cost of CNN on "
                           "3×16×16 pictures, conv channels (2), 1 output on 3 random examples "
                           "(the model records no data set)")
    source = (tmp_path / "cnn.gv").read_text()
    assert "[768, 1]" not in out and "Geometry(" not in source and "transpose(·)" not in source


# --- the README shows what the code prints (issue 20, item 7) --------------------------------
def same_output(shown, printed):
    """Whether the README's ``shown`` block is ``printed``: lines equal, but for what depends
    on the machine — the time, and after iteration 7000 the last digits of the costs (1e-3)
    and of the accuracies (half a percent)."""
    number = re.compile(r"\d+\.\d+")
    shown_lines, printed_lines = shown.strip().splitlines(), printed.strip().splitlines()
    if len(shown_lines) != len(printed_lines):
        return False
    for a, b in zip(shown_lines, printed_lines):
        if number.sub("#", a) != number.sub("#", b):
            return False
        x, y = [float(v) for v in number.findall(a)], [float(v) for v in number.findall(b)]
        late = re.match(r"Cost after iteration (\d+)", a)
        if a.startswith("trained in"):
            continue
        if late and int(late[1]) <= 7000 or not (late or "accuracy" in a):
            if x != y:
                return False
        elif any(abs(u - v) > (1e-3 if late else 0.5) for u, v in zip(x, y)):
            return False
    return True


def test_same_output_allows_only_what_depends_on_the_machine():
    a = "Cost after iteration 7000: 0.217504\nCost after iteration 9000: 0.218632\n" \
        "train accuracy: 90.50 %\ntrained in 2.3 s; wrote x"
    assert same_output(a, a.replace("0.218632", "0.218565").replace("90.50", "90.75")
                       .replace("2.3", "6.1"))
    assert not same_output(a, a.replace("0.217504", "0.217505"))     # the course's digits
    assert not same_output(a, a.replace("0.218632", "0.228632"))
    assert not same_output(a, a.replace("wrote x", "wrote y"))


@pytest.mark.skipif(shutil.which("dot") is None, reason="make demo draws graph.svg with dot")
def test_the_readme_shows_what_make_demo_prints(tmp_path, monkeypatch, capsys):
    import shlex

    repo = Path(__file__).resolve().parent.parent
    readme = (repo / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"```text\n(autograd-lite train: the planar flower.*?)```", readme,
                      re.S)[1]
    makefile = (repo / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    command = re.search(r"^demo:.*\n\t\$\(PY\) -m autograd_lite (.*)$", makefile, re.M)[1]
    argv = shlex.split(command.replace("$(RUN)", "runs/demo"))
    assert argv[:1] == ["train"] and "--force" in argv
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(argv + ["--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert same_output(shown, printed), f"README.md shows:\n{shown}\nthe run printed:\n{printed}"


def test_predict_with_a_built_in_name_says_predict_takes_trained_models_only(tmp_path, capsys,
                                                                             monkeypatch):
    monkeypatch.chdir(tmp_path)
    Image.new("RGB", (64, 64)).save(tmp_path / "ok.png")
    code, _, err = run(["predict", "--model", "deep", "ok.png"], capsys)
    assert_one_line_error(code, err, 1)
    assert err.strip() == ("autograd-lite: error: predict: no model file at deep (give a model "
                           "written by 'autograd-lite train' or its run folder; 'deep' is a "
                           "built-in model of graph and gradcheck, untrained, which predict "
                           "does not take)")
    code, _, err = run(["predict", "--model", "runs/none", "ok.png"], capsys)
    assert err.strip() == ("autograd-lite: error: predict: no model file at runs/none (give a "
                           "model written by 'autograd-lite train' or its run folder)")
    assert "built-in" not in err


def test_predict_warns_in_one_line_about_a_tiny_picture(tmp_path, capsys):
    model = picture_model(tmp_path, 0.0, 0.0)
    Image.new("RGB", (3, 3), "orange").save(tmp_path / "tiny.png")
    Image.new("RGB", (16, 16), "orange").save(tmp_path / "small.png")     # 4× is still fine
    code, out, err = run(["predict", "--model", model, tmp_path / "tiny.png",
                          tmp_path / "small.png"], capsys)
    assert code == 0 and len(out.splitlines()) == 2
    assert err.splitlines() == [
        f"autograd-lite: warning: UserWarning: predict: {tmp_path / 'tiny.png'} is only 3×3 "
        "pixels; enlarged to the model's 64×64 it is a few blocks of colour, not a picture, so "
        "its prediction says little"]


def test_the_commands_register_themselves_through_one_definition():
    from autograd_lite.cli import common, gradcheck, graph, predict, train

    for module in (gradcheck, graph, predict, train):
        assert module.add_parser.__qualname__ == "subcommand.<locals>.add_parser", module
    parser = build_parser()
    for name in ("gradcheck", "graph", "predict", "train"):
        sub = parser._subparsers._group_actions[0].choices[name]
        assert sub.get_default("run") is getattr(sys.modules[f"autograd_lite.cli.{name}"], "run")
    # the batch option of graph and gradcheck is one definition too
    helps = {name: next(a.help for a in parser._subparsers._group_actions[0].choices[name]
                        ._actions if a.dest == "examples") for name in ("graph", "gradcheck")}
    assert helps["graph"] == helps["gradcheck"]
    assert common.add_examples_argument.__module__ == "autograd_lite.cli.common"
