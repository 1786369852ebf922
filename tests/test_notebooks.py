"""The notebooks of docs/notebooks are stored with their outputs, and they reach the course.

Each notebook is stored as it ran (outputs included, so it can be read without running it).
Here every notebook runs again from top to bottom, and the numbers it prints are checked
against the course's published ones — written below from the course's assignments, never
read from a notebook — and against the stored copy.  They run in a kernel of this
interpreter (the project's .venv under ``make test``), not whatever ``python3`` kernel
Jupyter would find.
"""
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "docs" / "notebooks"
KERNEL = "autograd-lite-test"


def every_100(costs):
    return {100 * i: cost for i, cost in enumerate(costs)}


# The course's printed numbers ("Cost after iteration i: J" and the accuracies, in percent).
COURSE = {
    "week2_logistic_regression.ipynb": {
        "cat data": True,
        "costs": every_100([0.693147, 0.584508, 0.466949, 0.376007, 0.331463, 0.303273,
                            0.279880, 0.260042, 0.242941, 0.228004, 0.214820, 0.203078,
                            0.192544, 0.183033, 0.174399, 0.166521, 0.159305, 0.152667,
                            0.146542, 0.140872]),
        "train accuracy": 99.04306220095694, "test accuracy": 70.0,
    },
    "week3_planar_flower.ipynb": {
        "cat data": False,
        # iterations 8000 and 9000 are left out: the course's own runs differ there in the
        # fourth digit (0.219454 to 0.219504), the cost wobbles and rounding decides
        "costs": {0: 0.693048, 1000: 0.288083, 2000: 0.254385, 3000: 0.233864,
                  4000: 0.226792, 5000: 0.222644, 6000: 0.219731, 7000: 0.217504},
        # the course prints these two with %d
        "whole percent": {"logistic regression accuracy": 47, "accuracy": 90},
    },
    "week4_two_layer_model.ipynb": {
        "cat data": True,
        "costs": every_100([0.6930497356599888, 0.6464320953428849, 0.6325140647912677,
                            0.6015024920354665, 0.5601966311605747, 0.5158304772764729,
                            0.4754901313943325, 0.43391631512257495, 0.4007977536203887,
                            0.3580705011323798, 0.3394281538366412, 0.3052753636196264,
                            0.2749137728213018, 0.24681768210614854, 0.19850735037466116,
                            0.17448318112556643, 0.1708076297809689, 0.11306524562164734,
                            0.09629426845937152, 0.08342617959726863, 0.07439078704319081,
                            0.06630748132267933, 0.05919329501038171, 0.053361403485605585,
                            0.048554785628770226]),
        "train accuracy": 100.0, "test accuracy": 72.0,
    },
    "week4_deep_network.ipynb": {
        "cat data": True,
        "costs": every_100([0.771749, 0.672053, 0.648263, 0.611507, 0.567047, 0.540138,
                            0.527930, 0.465477, 0.369126, 0.391747, 0.315187, 0.272700,
                            0.237419, 0.199601, 0.189263, 0.161189, 0.148214, 0.137775,
                            0.129740, 0.121225, 0.113821, 0.107839, 0.102855, 0.100897,
                            0.092878]),
        "train accuracy": 98.5645933014, "test accuracy": 80.0,
        "mislabelled test pictures": 10,            # 20 % of the 50 test pictures
        "your own image": (1, "cat"),               # the first cat of the test set
    },
}
NAMES = sorted(COURSE)


def printed(nb):
    """What the notebook's code cells printed, as one text."""
    return "".join(output.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for output in cell.get("outputs", []) if output.output_type == "stream")


def numbers(nb):
    """The numbers a notebook printed, in the course's words."""
    text = printed(nb)
    found = {"costs": {int(i): float(j) for i, j in
                       re.findall(r"^Cost after iteration (\d+): ([\d.]+)$", text, re.M)}}
    for name, value in re.findall(r"^(train accuracy|test accuracy|logistic regression "
                                  r"accuracy|accuracy): ([\d.]+) %$", text, re.M):
        found[name] = float(value)
    for count in re.findall(r"^mislabelled test pictures: (\d+) of 50$", text, re.M):
        found["mislabelled test pictures"] = int(count)
    command = re.search(r'^my_image.png: probability ([\d.]+) -> y = (\d), a "([\w-]+)" '
                        r'picture$', text, re.M)
    python = re.search(r"^probability ([\d.]+) from the file, ([\d.]+) from the test set$",
                       text, re.M)
    if command and python:
        found["your own image"] = (command[1], python[1], python[2], int(command[2]), command[3])
    return found


def assert_the_courses_numbers(name, found):
    course = COURSE[name]
    assert set(course["costs"]) <= set(found["costs"]), f"{name}: a course cost is missing"
    for i, cost in course["costs"].items():
        assert found["costs"][i] == round(cost, 6), (name, i, found["costs"][i], cost)
    for key in ("train accuracy", "test accuracy"):
        if key in course:
            assert found[key] == round(course[key], 2), (name, key)
    for key, percent in course.get("whole percent", {}).items():
        assert int(found[key]) == percent, (name, key, found[key])
    if "mislabelled test pictures" in course:
        assert found["mislabelled test pictures"] == course["mislabelled test pictures"]
    if "your own image" in course:
        # the command line, load_picture and the test set's own column give one probability,
        # and the picture is a cat of the test set
        from_command, from_file, from_test_set, y, label = found["your own image"]
        assert from_command == from_file == from_test_set
        assert (y, label) == course["your own image"]


def code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def test_each_week_has_its_notebook():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_the_stored_notebook_shows_its_run_and_the_courses_numbers(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    cells = code_cells(nb)
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1)), \
        f"{name}: store it as one run from top to bottom (Restart Kernel and Run All Cells)"
    assert not [out for cell in cells for out in cell.outputs if out.output_type == "error"]
    assert sum(bool(cell.outputs) for cell in cells) >= len(cells) - 1   # all but the imports
    assert nb.metadata.kernelspec.name == "python3"       # what a learner's Jupyter has
    assert "widgets" not in nb.metadata
    assert not re.search(r"/(work|tmp|home|root)/", json.dumps([c.outputs for c in cells])), \
        f"{name}: an output shows a path of the machine it ran on"
    assert_the_courses_numbers(name, numbers(nb))


@pytest.mark.parametrize("name", NAMES)
def test_the_notebooks_use_only_public_api(name):
    source = "\n".join(cell.source for cell in code_cells(
        nbformat.read(NOTEBOOKS / name, as_version=4)))
    assert not re.findall(r"\w\._[a-z]\w*", source), f"{name} uses private names"


def test_week3_links_the_hidden_size_experiment():
    nb = nbformat.read(NOTEBOOKS / "week3_planar_flower.ipynb", as_version=4)
    text = "".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert "(experiments/week3_hidden_size.ipynb)" in text
    assert (NOTEBOOKS / "experiments" / "week3_hidden_size.ipynb").is_file()


def test_week2_explains_its_zigzag_with_the_numbers_it_prints():
    # gradient descent overshoots along a direction of curvature λ when α > 2/λ: the cost
    # rises only early, while the curvature is above 2/α = 400, and it falls below later
    text = printed(nbformat.read(NOTEBOOKS / "week2_logistic_regression.ipynb", as_version=4))
    rises, last = map(int, re.search(r"the cost rises at (\d+) of 1999 steps, the last after "
                                     r"iteration (\d+)", text).groups())
    start, limit, end = map(int, re.search(r"curvature at w = 0: (\d+), limit 2/α = (\d+), "
                                           r"after training: (\d+)", text).groups())
    assert limit == 400 and start > limit > end
    assert 0 < rises and last < 500


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory):
    """A kernel spec that starts this very interpreter (the .venv's python under make test).

    One BLAS thread per kernel: on a busy 2-core machine OpenBLAS's threads wait for each
    other and a notebook's training runs several times slower; the numbers are the same.
    """
    folder = tmp_path_factory.mktemp("kernels")
    spec = folder / KERNEL
    spec.mkdir()
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "autograd_lite tests", "language": "python",
        "env": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}}))
    return KernelSpecManager(kernel_dirs=[str(folder)], ensure_native_kernel=False)


# the week-4 notebooks train the course's full runs (2500 iterations on the pictures)
RUNS = [pytest.param(name, marks=[pytest.mark.slow] if name.startswith("week4") else [])
        for name in NAMES]


@pytest.mark.parametrize("name", RUNS)
def test_the_notebook_runs_again_and_prints_the_courses_numbers(name, kernel_specs, request,
                                                                monkeypatch, tmp_path):
    if COURSE[name]["cat data"]:
        data_dir = request.getfixturevalue("data_dir")      # skips, naming the path, without data
        monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(data_dir))
    stored = nbformat.read(NOTEBOOKS / name, as_version=4)
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    manager = KernelManager(kernel_name=KERNEL, kernel_spec_manager=kernel_specs)
    client = NotebookClient(nb, km=manager, timeout=300,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()                    # raises CellExecutionError with the cell's traceback
    assert manager.kernel_spec.argv[0] == sys.executable
    assert all(cell.execution_count is not None for cell in code_cells(nb))
    found = numbers(nb)
    assert_the_courses_numbers(name, found)
    assert {k: v for k, v in found.items() if k != "costs"} == \
        {k: v for k, v in numbers(stored).items() if k != "costs"}
    kinds = lambda book: [sorted(out.get("data", {})) for cell in code_cells(book)  # noqa: E731
                          for out in cell.outputs if out.output_type != "stream"]
    assert kinds(nb) == kinds(stored)           # the same pictures, graphs and tables


def test_make_notebooks_installs_jupyterlab_into_the_venv_and_opens_the_notebooks(tmp_path):
    import configparser
    import shutil
    import subprocess

    repo = NOTEBOOKS.parent.parent
    setup = configparser.ConfigParser()
    setup.read(repo / "setup.cfg")
    assert "jupyterlab" in setup["options.extras_require"]["notebooks"]
    if shutil.which("make") is None:
        pytest.skip("no make program")
    # a dry run with a venv that has nothing yet: the install step, then JupyterLab
    dry = subprocess.run(["make", "-n", "notebooks", f"VENV={tmp_path / 'venv'}",
                          "NOTEBOOK_ARGS=--no-browser"], cwd=repo, capture_output=True,
                         text=True, check=True).stdout
    install = dry.index("pip install -q --disable-pip-version-check -e '.[notebooks]'")
    lab = dry.index(f"{tmp_path / 'venv'}/bin/jupyter lab --notebook-dir=docs/notebooks")
    assert install < lab and "--no-browser" in dry[lab:]
    assert "URL printed below" in dry
