"""The notebooks of docs/notebooks run from top to bottom, and are stored without outputs.

Each notebook asserts the course's numbers in its own cells, so executing it is the test: any
error (a failed assertion included) fails here with the cell's traceback.  They run in a kernel
of this interpreter (the project's .venv under ``make test``), not whatever ``python3`` kernel
Jupyter would find.
"""
import json
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "docs" / "notebooks"
# notebook -> whether it reads the course's cat data
EXPECTED = {"week2_logistic_regression.ipynb": True, "week3_planar_flower.ipynb": False,
            "week4_deep_network.ipynb": True}
KERNEL = "autograd-lite-test"


def test_the_three_weeks_have_their_notebook():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_is_stored_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                f"{name}: cell {cell.id} holds outputs; clear them before committing"
    assert "widgets" not in nb.metadata
    assert nb.metadata.kernelspec.name == "python3"       # what a learner's Jupyter has


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory):
    """A kernel spec that starts this very interpreter (the .venv's python under make test)."""
    folder = tmp_path_factory.mktemp("kernels")
    spec = folder / KERNEL
    spec.mkdir()
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "autograd_lite tests", "language": "python"}))
    return KernelSpecManager(kernel_dirs=[str(folder)], ensure_native_kernel=False)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_without_error(name, kernel_specs, request, monkeypatch, tmp_path):
    if EXPECTED[name]:
        data_dir = request.getfixturevalue("data_dir")      # skips, naming the path, without data
        monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(data_dir))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    manager = KernelManager(kernel_name=KERNEL, kernel_spec_manager=kernel_specs)
    client = NotebookClient(nb, km=manager, timeout=300,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()                    # raises CellExecutionError with the cell's traceback
    assert manager.kernel_spec.argv[0] == sys.executable
    ran = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in ran)
    errors = [out for cell in ran for out in cell.outputs if out.output_type == "error"]
    assert errors == []
