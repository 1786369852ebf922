"""docs/ops.md must be what docs/make_ops.py writes, and list every primitive with its rule."""
import importlib.util
import pkgutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def load_make_ops():
    spec = importlib.util.spec_from_file_location("make_ops", REPO / "docs" / "make_ops.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_op_table_is_up_to_date():
    committed = (REPO / "docs" / "ops.md").read_text(encoding="utf-8")
    assert committed == load_make_ops().render(), \
        "docs/ops.md is out of date: run make docs-ops (.venv/bin/python docs/make_ops.py)"


def test_every_primitive_is_listed_with_a_rule():
    import autograd_lite.ops as ops
    from autograd_lite.function import Function

    text = (REPO / "docs" / "ops.md").read_text(encoding="utf-8")
    count = 0
    for info in pkgutil.iter_modules(ops.__path__):
        module = importlib.import_module(f"autograd_lite.ops.{info.name}")
        for cls in vars(module).values():
            if (isinstance(cls, type) and issubclass(cls, Function)
                    and cls.__module__ == module.__name__ and cls.forward is not
                    Function.forward):
                assert cls.rule, f"{cls.__name__} has no rule"
                rule = cls.rule.replace("|", "\\|")
                assert f"| `{cls.name}` | {rule} |" in text, cls.name
                count += 1
    assert count >= 70
    for name in ("sin", "prod", "cumprod", "norm", "sort", "erf", "remainder", "floor"):
        assert f"| `{name}` |" in text
