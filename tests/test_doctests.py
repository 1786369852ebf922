"""The examples in the docstrings of every autograd_lite module run and print what they show."""
import doctest
import importlib
import pkgutil

import pytest

import autograd_lite

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS

def module_names():
    names = [autograd_lite.__name__]
    for info in pkgutil.walk_packages(autograd_lite.__path__, autograd_lite.__name__ + "."):
        if not info.name.endswith("__main__"):          # importing it would run the program
            names.append(info.name)
    return sorted(names)


def params():
    for name in module_names():
        yield pytest.param(name, id=name)


def test_the_core_modules_are_collected():
    names = module_names()
    for expected in ("autograd_lite.tensor", "autograd_lite.function", "autograd_lite.engine",
                     "autograd_lite.gradcheck", "autograd_lite.testing",
                     "autograd_lite.ops.elementwise", "autograd_lite.ops.activation",
                     "autograd_lite.ops.reduce", "autograd_lite.ops.movement",
                     "autograd_lite.ops.linalg"):
        assert expected in names


@pytest.mark.parametrize("name", list(params()))
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
