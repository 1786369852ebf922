"""The docstring examples of nn.sweep's modules run and show what they say.

(tests/test_nn_doctests.py collects the top-level modules of nn; these are one level down.)
"""
import doctest
import importlib
import pkgutil

import pytest

import nn  # noqa: F401  (nn.sweep is the function; its modules are imported by name)

PACKAGE = importlib.import_module("nn.sweep")
MODULES = [f"nn.sweep.{info.name}" for info in pkgutil.iter_modules(PACKAGE.__path__)]


def test_every_module_of_the_package_is_collected():
    assert MODULES == ["nn.sweep.execute", "nn.sweep.pictures", "nn.sweep.run",
                       "nn.sweep.space", "nn.sweep.table"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0, \
        f"{result.failed} of {result.attempted} examples failed"
