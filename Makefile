# The two commands of the README, and the benchmarks. Each sets itself up from nothing:
# a project-local .venv with `pip install -e .[dev]`, and Graphviz where it can be installed.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
RUN    ?= runs/demo

.PHONY: demo test test-fast bench docs-pictures docs-api docs-ops graphviz clean notebooks

$(STAMP): setup.cfg pyproject.toml .ci/bootstrap.sh
	VENV=$(VENV) bash .ci/bootstrap.sh
	touch $(STAMP)

graphviz:
	@bash .ci/install-graphviz.sh

demo: $(STAMP) graphviz
	$(PY) -m autograd_lite train --dataset planar --model shallow --layers 4 --hidden tanh \
	    --lr 1.2 --iterations 10000 --print-every 1000 --seed 2 --out $(RUN) --force

test: $(STAMP) graphviz
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow"

# JupyterLab in the project's .venv (the `notebooks` extra), opened on docs/notebooks; its
# python3 kernel is the .venv's. On a machine without a browser (or over ssh):
#   make notebooks NOTEBOOK_ARGS=--no-browser      and open the URL it prints
NB_STAMP      := $(VENV)/.notebooks-installed
NOTEBOOK_ARGS ?=
# Jupyter refuses to run as root without --allow-root
ROOT_ARG      := $(if $(filter 0,$(shell id -u)),--allow-root)

$(NB_STAMP): $(STAMP) setup.cfg
	$(PY) -m pip install -q --disable-pip-version-check -e '.[notebooks]'
	touch $(NB_STAMP)

notebooks: $(NB_STAMP)
	@echo "JupyterLab on docs/notebooks: open the http://127.0.0.1:8888/lab?token=... URL printed below (Ctrl-C stops it)"
	$(VENV)/bin/jupyter lab --notebook-dir=docs/notebooks $(ROOT_ARG) $(NOTEBOOK_ARGS)

bench: $(STAMP)
	$(PY) bench/run.py

# The same, with the optional PyTorch baseline installed first (best effort: never fails the bench).
.PHONY: bench-torch
bench-torch: $(STAMP)
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q torch==2.13.0 \
	    || echo "bench-torch: torch==2.13.0 could not be installed; running without PyTorch"
	$(PY) bench/run.py

docs-pictures: $(STAMP) graphviz
	$(PY) docs/make_pictures.py

docs-api: $(STAMP)
	$(PY) docs/make_api.py

# docs/ops.md, every op and its derivative, from the ops' rule strings
docs-ops: $(STAMP)
	$(PY) docs/make_ops.py

clean:
	rm -rf $(VENV) runs .pytest_cache .hypothesis *.egg-info
