"""Every docstring example of the nn package runs and shows what it says."""
import doctest
import importlib
import inspect
import pkgutil

import pytest

import nn

MODULES = ["nn"] + [f"nn.{info.name}" for info in pkgutil.iter_modules(nn.__path__)]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed"


def public_objects():
    """(qualified name, object) of every public class and function defined in nn."""
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module_name:
                continue
            if inspect.isclass(obj) or inspect.isfunction(obj):
                yield f"{module_name}.{name}", obj


def test_every_public_class_and_function_has_a_docstring_with_an_example():
    missing = [name for name, obj in public_objects()
               if not (inspect.isclass(obj) and issubclass(obj, Exception))   # one line is enough
               and ">>>" not in (obj.__doc__ or "")]
    assert missing == []


def test_every_error_type_has_a_docstring():
    errors = [obj for _, obj in public_objects()
              if inspect.isclass(obj) and issubclass(obj, Exception)]
    assert len(errors) == 8 and all(obj.__doc__ for obj in errors)
