"""docs/notebooks/experiments/week3_hidden_size.ipynb runs, and shows the course's accuracies.

The notebook is stored with its outputs (the course's figure); executing it again must print
the same accuracies as the stored copy, which are the course's published ones.
(It sits in a folder of its own: tests/test_notebooks.py checks the weekly notebooks.)
"""
import json
import re
import sys
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOK = (Path(__file__).resolve().parent.parent / "docs" / "notebooks" / "experiments"
            / "week3_hidden_size.ipynb")
COURSE = {1: 67.5, 2: 67.25, 3: 90.75, 4: 90.5, 5: 91.25, 20: 90.0, 50: 90.25}


def accuracies(nb):
    """{n_h: accuracy} as the notebook's outputs print them."""
    text = "".join(output.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for output in cell.get("outputs", []))
    return {int(n): float(a) for n, a in
            re.findall(r"Accuracy for (\d+) hidden units: ([\d.]+) %", text)}


def test_the_stored_notebook_shows_the_courses_accuracies_and_figure():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert accuracies(nb) == COURSE
    images = [output for cell in nb.cells for output in cell.get("outputs", [])
              if "image/png" in output.get("data", {})]
    assert len(images) == 3                       # boundaries, accuracy, cost curves


def test_the_notebook_runs_and_prints_the_stored_numbers(tmp_path):
    spec = tmp_path / "kernels" / "sweep-notebook"
    spec.mkdir(parents=True)                      # a kernel of this interpreter (.venv's)
    spec.joinpath("kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "sweep notebook", "language": "python"}))
    specs = KernelSpecManager(kernel_dirs=[str(spec.parent)], ensure_native_kernel=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    stored = accuracies(nb)
    NotebookClient(nb, km=KernelManager(kernel_name="sweep-notebook", kernel_spec_manager=specs),
                   timeout=600, resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert accuracies(nb) == stored == COURSE
