"""Write docs/api.md, the API reference of autograd_lite and nn, from the docstrings.

    .venv/bin/python docs/make_api.py            # rewrite docs/api.md
    .venv/bin/python docs/make_api.py --check    # exit 1 if docs/api.md is out of date

Every public name is listed: the names a package exports (``__all__``, or the public names
of its ``__init__``) and the public functions, classes and constants of the modules in
``MODULES``.  Docstrings are numpydoc; their sections become Markdown (parameters as
lists, examples as ``pycon`` blocks, which the doctests of the test suite run from the
source).  tests/test_docs.py fails when the committed docs/api.md differs from what this
script writes.
"""
from __future__ import annotations

import argparse
import inspect
import re
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "docs" / "api.md"

# (module, how the reader refers to it, one line about it); in this order on the page.
MODULES = [
    ("autograd_lite", "ag", "the engine: tensors, operations, backward, gradient checking, "
                            "graph drawing (`import autograd_lite as ag`)"),
    ("autograd_lite.viz", "ag.viz", "pictures and traces of the graph"),
    ("autograd_lite.gradcheck", "ag.gradcheck", "the reports of the gradient checks"),
    ("autograd_lite.testing", "ag.testing",
     "hypothesis strategies and assertions for your own property tests"),
    ("autograd_lite.cli", "ag.cli", "the `autograd-lite` command"),
    ("nn", "nn", "the course's networks (`import nn`)"),
    ("nn.functional", "nn.functional", "activations and the linear step as functions"),
    ("nn.init", "nn.init", "initializers and the course's random stream"),
    ("nn.losses", "nn.losses", "costs"),
    ("nn.optim", "nn.optim", "optimizers"),
    ("nn.models", "nn.models", "the course's models and their constants"),
    ("nn.datasets", "nn.datasets", "the course's data and small 2-D sets"),
]

SECTIONS = {"Parameters", "Returns", "Yields", "Raises", "Attributes", "Other Parameters",
            "Examples", "Notes", "See Also", "References", "Warns", "Warnings", "Methods"}
LIST_SECTIONS = {"Parameters", "Returns", "Yields", "Raises", "Attributes", "Other Parameters",
                 "Warns"}


# --- which names ----------------------------------------------------------------------------
def public_names(module):
    """The public names of ``module``: ``__all__``, else what it defines or imports itself.

    For a package's ``__init__`` every public non-module name counts (they are its
    interface); for other modules, only what the module itself defines, plus constants.
    """
    if hasattr(module, "__all__"):
        names = list(module.__all__)
    else:
        names = [n for n in vars(module) if not n.startswith("_")]
    is_package = hasattr(module, "__path__")
    chosen = []
    for name in names:
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType) or name == "annotations":
            continue
        if inspect.isclass(obj) or inspect.isfunction(obj) or callable(obj):
            defined_here = getattr(obj, "__module__", None) == module.__name__
            if is_package or hasattr(module, "__all__") or defined_here:
                chosen.append(name)
        elif name.isupper() and not hasattr(module, "__all__") or name in getattr(
                module, "__all__", ()):
            chosen.append(name)
    return chosen


# --- docstring to Markdown ------------------------------------------------------------------
ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|obj|exc):`~?([^`]+)`")


def inline(text):
    """RST inline markup to Markdown: ``x`` -> `x`, :func:`~a.b` -> `b`."""
    text = ROLE.sub(lambda m: f"`{m.group(1).split('.')[-1] if '~' in m.group(0) else m.group(1)}`",
                    text)
    return text.replace("``", "`")


def split_sections(doc):
    """[(section title or None, lines)] of a cleaned docstring."""
    lines = doc.splitlines()
    sections, title, body = [], None, []
    i = 0
    while i < len(lines):
        line = lines[i]
        underline = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and set(underline.strip()) in ({"-"}, {"="}) \
                and len(underline.strip()) >= len(line.strip()):
            if line.strip() in SECTIONS:
                sections.append((title, body))
                title, body = line.strip(), []
            else:                            # a heading of the text itself: bold, no rule
                body += [f"**{line.strip()}**", ""]
            i += 2
            continue
        body.append(line)
        i += 1
    sections.append((title, body))
    return sections


def fence(lines, lang="text"):
    lines = list(lines)
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return [f"```{lang}", *lines, "```"] if lines else []


def prose(lines):
    """Free text: paragraphs and lists kept, literal blocks and RST tables fenced."""
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("==="):                 # an RST table: three rules
            block, rules = [], 0
            while i < len(lines) and rules < 3 and lines[i].strip():
                rules += lines[i].strip().startswith("===")
                block.append(lines[i])
                i += 1
            out += rst_table(_dedent(block)) + [""]
            continue
        if line.startswith("    ") and (not out or out[-1] == "" or out[-1].endswith(":")):
            block = []                                       # an indented literal block
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
                block.append(lines[i])
                i += 1
            if out and out[-1] != "":
                out.append("")
            out += fence(_dedent(block)) + [""]
            continue
        text = line.rstrip()
        out.append(inline(text[:-1] if text.endswith("::") else text))
        i += 1
    return out


def rst_table(lines):
    """An RST simple table (``===`` rules) as a Markdown table; rows may wrap."""
    rule = lines[0]
    starts = [m.start() for m in re.finditer(r"=+", rule)]
    rows, header_done = [], False
    for line in lines[1:]:
        if line.strip().startswith("==="):
            header_done = header_done or bool(rows)
            continue
        cells = [line[a:b].strip() for a, b in zip(starts, starts[1:] + [None])]
        if rows and not cells[0] and (header_done or len(rows) > 1):
            rows[-1] = [f"{old} {new}".strip() for old, new in zip(rows[-1], cells)]
        else:
            rows.append(cells)
    if not rows:
        return fence(lines)
    out = ["| " + " | ".join(inline(c) for c in rows[0]) + " |",
           "|" + "---|" * len(starts)]
    out += ["| " + " | ".join(inline(c) for c in row) + " |" for row in rows[1:]]
    return out


def _dedent(lines):
    indents = [len(l) - len(l.lstrip()) for l in lines if l.strip()]
    cut = min(indents) if indents else 0
    return [l[cut:] for l in lines]


def definition_list(lines):
    """numpydoc ``name : type`` entries with indented descriptions -> a Markdown list."""
    items, current = [], None
    for line in lines:
        if not line.strip():
            continue
        if not line.startswith(" "):
            name, _, kind = line.partition(" : ")
            current = [f"**{inline(name.strip())}**" + (f" ({inline(kind.strip())})"
                                                         if kind else "")]
            items.append(current)
        elif current is not None:
            current.append(inline(line.strip()))
    out = []
    for item in items:
        head, rest = item[0], " ".join(item[1:])
        out.append(f"- {head}" + (f": {rest}" if rest else ""))
    return out


def render_doc(doc):
    """A numpydoc docstring as Markdown lines."""
    if not doc:
        return ["*(no docstring)*"]
    out = []
    for title, lines in split_sections(inspect.cleandoc(doc)):
        if title is None:
            out += prose(lines)
        elif title == "Examples":
            out += ["", "Examples:", ""] + fence(lines, "pycon")
        elif title in LIST_SECTIONS:
            out += ["", f"{title}:", ""] + definition_list(lines)
        else:
            out += ["", f"{title}:", ""] + prose(_dedent(lines))
    return _squeeze(out)


def _squeeze(lines):
    """Drop runs of blank lines and blank lines at the ends."""
    out = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out


# --- objects --------------------------------------------------------------------------------
TYPE_REPR = re.compile(r"<class '([\w.]+)'>")


def signature(obj, name):
    """``name(a, b=1)`` without annotations; classes show their constructor."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return name
    params = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
    sig = sig.replace(parameters=params, return_annotation=inspect.Signature.empty)
    return f"{name}{TYPE_REPR.sub(lambda m: m.group(1), str(sig))}"


def _unbound(text):
    """``f(self, a)`` / ``f(cls, a)`` -> ``f(a)``: how a method is called."""
    return re.sub(r"\((?:self|cls)(?:, |\))", lambda m: "(" if m.group(0).endswith(" ") else "()",
                  text, count=1)


def members(cls):
    """Public methods and properties defined by ``cls`` itself: [(name, object)]."""
    found = []
    for name, obj in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(obj, (staticmethod, classmethod)):
            obj = obj.__func__
        if inspect.isfunction(obj) or isinstance(obj, property):
            found.append((name, obj))
    return found


def render_class(cls, qualname):
    bases = [b for b in cls.__bases__ if b is not object]
    out = []
    if bases:
        out += [f"Subclass of {', '.join(f'`{b.__module__}.{b.__qualname__}`' for b in bases)}.",
                ""]
    out += render_doc(cls.__doc__)
    documented, bare = [], []
    for name, obj in members(cls):
        (documented if obj.__doc__ else bare).append((name, obj))
    for name, obj in documented:
        if isinstance(obj, property):
            head = f"`{qualname}.{name}` (property)"
        else:
            head = f"`{_unbound(signature(obj, qualname + '.' + name))}`"
        out += ["", f"#### {head}", ""] + render_doc(obj.__doc__)
    if bare:
        out += ["", "Also: " + ", ".join(
            f"`{name}`" if isinstance(obj, property) else
            f"`{_unbound(signature(obj, name))}`"
            for name, obj in bare) + "."]
    return out


def render_object(obj, name, qualname):
    if inspect.isclass(obj):
        head = f"class `{signature(obj, qualname)}`"
        body = render_class(obj, qualname)
    elif callable(obj):
        head = f"`{signature(obj, qualname)}`"
        body = render_doc(obj.__doc__)
    else:
        text = repr(obj)
        head = f"`{qualname}`"
        if len(text) <= 90 and " at 0x" not in text:
            body = [f"`{qualname} = {text}`"]
        else:                        # a registry: its keys are what the reader needs
            body = [f"`{qualname}`: a {type(obj).__name__} of {len(obj)} entries: "
                    f"{', '.join(f'`{key!r}`' for key in list(obj))}."]
    return [f'<a id="{qualname}"></a>', "", f"### {head}", ""] + body


def render():
    """The whole page as one string."""
    import importlib

    seen = {}          # id(object) -> qualified name where it was documented first
    toc, body = [], []
    for module_name, short, about in MODULES:
        module = importlib.import_module(module_name)
        names = public_names(module)
        # "module-ag.gradcheck": a module's anchor never clashes with a function's
        # ("ag.gradcheck", the function of the same name)
        body += ["", f'<a id="module-{short}"></a>', "", f"## `{module_name}` — {about}", ""]
        body += render_doc(module.__doc__) + [""]
        entries = []
        for name in names:
            obj = getattr(module, name)
            qualname = f"{short}.{name}"
            key = id(obj)
            if (inspect.isclass(obj) or callable(obj)) and key in seen:
                body += [f"- `{qualname}`: the same as [`{seen[key]}`](#{seen[key]})", ""]
                entries.append(f"[{name}](#{seen[key]})")
                continue
            if inspect.isclass(obj) or callable(obj):
                seen[key] = qualname
            body += render_object(obj, name, qualname) + [""]
            entries.append(f"[{name}](#{qualname})")
        toc.append(f"- [`{module_name}`](#module-{short}): " + ", ".join(entries))
    head = ["# API reference", "",
            "Generated from the docstrings by `docs/make_api.py`; do not edit by hand "
            "(`.venv/bin/python docs/make_api.py` rewrites it, and the test suite fails when "
            "it is out of date).  The examples (`>>>`) are run by the doctests of the test "
            "suite.  For explanations, start at the [docs index](index.md).", ""]
    return "\n".join(_squeeze(head + toc + body)) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if docs/api.md is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date: run .venv/bin/python docs/make_api.py")
            return 1
        print(f"{OUT} is up to date")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
