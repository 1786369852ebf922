"""The ``autograd-lite`` command: train the course's models, draw and check them, predict.

Installed as a console script (``autograd-lite``) and runnable as ``python -m autograd_lite``.

=============  ======================================================================
command        what it does
=============  ======================================================================
``train``      trains a model on a data set; writes ``model.npz``, ``costs.png``,
               ``graph.svg`` (``graph.gv`` without Graphviz), ``decision_boundary.png``
               (2-D data) and ``metrics.json`` to a run folder
``predict``    the course's "try your own image": probability and class of pictures
``graph``      draws a model's computational graph for a small batch
``gradcheck``  the course's gradient check over every parameter of a model
=============  ======================================================================

Bad arguments and library errors print one line, ``autograd-lite: error: <message>``, and
exit with status 2 (usage) or 1 (runtime); see :mod:`autograd_lite.cli.main`.

Examples
--------
>>> from autograd_lite.cli import main
>>> main(["gradcheck", "--model", "deep"])          # doctest: +ELLIPSIS
gradient check of DeepNN [4, 5, 3, 1] on 3 random examples ...
Your backward propagation works perfectly fine! difference = ...
0
"""
from .main import ArgumentParser, build_parser, main, run_script

__all__ = ["main", "build_parser", "ArgumentParser", "run_script"]
