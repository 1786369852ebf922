"""The docs cannot rot: every ```python block of README.md and docs/*.md runs.

Each file's blocks run in order, in one namespace per file, in a fresh temporary working
directory (so files the docs write land there).  A block marked ```python no-run is skipped;
those are kept for what cannot run here (a reader's own picture) and are counted below.
The API reference docs/api.md must be what docs/make_api.py writes from the docstrings
(its examples are run by the doctests, from the source), and every local link and picture
must exist.
"""
import importlib.util
import re
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md"] + sorted((REPO / "docs").glob("*.md"))
HAS_DOT = shutil.which("dot") is not None

# Pages whose blocks take long (nn.md trains the course's deep network, 2500 iterations).
SLOW = {"nn.md"}
# Pages that render pictures with Graphviz's dot (the others only need the DOT text).
NEEDS_DOT = {"README.md", "visualization.md", "tutorial.md"}
# Languages a block may be marked with; python is run, the rest is shown as written.
LANGUAGES = {"python", "bash", "text", "json", "pycon"}
MAX_NO_RUN = 3


def code_blocks(path):
    """[(info string, first line number, source)] of the fenced blocks of a Markdown file."""
    blocks, info, start, lines = [], None, 0, []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if info is None:
            if line.startswith("```"):
                info, start, lines = line[3:].strip(), number + 1, []
        elif line.startswith("```"):
            blocks.append((info, start, "\n".join(lines) + "\n"))
            info = None
        else:
            lines.append(line)
    assert info is None, f"{path.name}: a code block opened at line {start - 1} is not closed"
    return blocks


def python_blocks(path):
    return [(start, source) for info, start, source in code_blocks(path)
            if info.split() == ["python"]]


def needs_cat_data(path):
    return "load_catvnoncat" in "".join(source for _, source in python_blocks(path))


def page_params():
    for page in PAGES:
        if not python_blocks(page):           # index.md, api.md (its examples are doctests)
            continue
        marks = [pytest.mark.slow] if page.name in SLOW else []
        yield pytest.param(page, marks=marks, id=page.name)


@pytest.mark.parametrize("page", list(page_params()))
def test_the_code_blocks_of_a_page_run(page, tmp_path, monkeypatch, request):
    blocks = python_blocks(page)
    if page.name in NEEDS_DOT and not HAS_DOT:
        pytest.skip(f"{page.name} renders pictures: needs the Graphviz program dot")
    if needs_cat_data(page):
        request.getfixturevalue("data_dir")           # skips when the cat data is missing
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = {"__name__": "__docs__"}
    for start, source in blocks:
        code = compile(source, f"{page.relative_to(REPO)}, block at line {start}", "exec")
        try:
            exec(code, namespace)
        except Exception as exc:
            raise AssertionError(f"{page.name}: the block at line {start} failed: "
                                 f"{type(exc).__name__}: {exc}") from exc


def test_every_block_has_a_known_language_and_no_run_blocks_are_rare():
    no_run = []
    for page in PAGES:
        for info, start, _ in code_blocks(page):
            words = info.split()
            where = f"{page.name}:{start - 1}"
            assert words, f"{where}: give the block a language (```python, ```bash, ```text)"
            assert words[0] in LANGUAGES, f"{where}: unknown block language {words[0]!r}"
            if words[0] == "pycon":             # doctest style: only generated from docstrings
                assert page.name == "api.md", f"{where}: write ```python with asserts"
            if words[0] == "python" and words[1:]:
                assert words[1:] == ["no-run"], f"{where}: unknown marker {words[1:]}"
                no_run.append(where)
    assert len(no_run) <= MAX_NO_RUN, f"too many ```python no-run blocks: {no_run}"


def test_the_pages_that_matter_have_code_that_runs():
    for name in ("README.md", "docs/tutorial.md", "docs/backprop_to_autodiff.md",
                 "docs/gradient_checking.md", "docs/visualization.md", "docs/nn.md"):
        assert len(python_blocks(REPO / name)) >= 1, name


LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchors(page):
    """The link targets of a page: GitHub's slugs of its headings and its <a id="...">."""
    text = page.read_text(encoding="utf-8")
    found = set(re.findall(r'<a id="([^"]+)">', text))
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


def test_local_links_pictures_and_anchors_exist():
    broken = []
    for page in PAGES:
        text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
        text = re.sub(r"`[^`\n]*`", "", text)                     # code is not a link
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            linked = page if not path else page.parent / path
            if not linked.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []


def load_make_api():
    spec = importlib.util.spec_from_file_location("make_api", REPO / "docs" / "make_api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_api_reference_is_up_to_date():
    make_api = load_make_api()
    committed = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    assert committed == make_api.render(), \
        "docs/api.md is out of date: run .venv/bin/python docs/make_api.py"


def test_the_api_reference_lists_every_public_name():
    import importlib

    import autograd_lite
    import nn

    make_api = load_make_api()
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    for module_name, short, _ in make_api.MODULES:
        module = importlib.import_module(module_name)
        for name in make_api.public_names(module):
            assert f"[{name}](#" in text, f"{module_name}.{name} is not in docs/api.md"
    # the interface of both packages, whatever public_names decides
    for package, short in ((autograd_lite, "ag"), (nn, "nn")):
        for name in getattr(package, "__all__", None) or [
                n for n in vars(package) if not n.startswith("_")]:
            if not isinstance(getattr(package, name), type(autograd_lite)):
                assert f"{short}.{name}" in text or f"[{name}](#" in text, name


def shown_matches(shown, printed):
    """Whether ``printed`` is the output a page shows; a line " ..." stands for any lines."""
    parts = [r"(?:.*\n)*?" if line == " ..." else re.escape(line) + r"\n"
             for line in shown.rstrip("\n").split("\n")]
    return re.fullmatch("".join(parts), printed.rstrip("\n") + "\n") is not None


@pytest.mark.skipif(not HAS_DOT, reason="visualization.md renders pictures: needs dot")
def test_the_backward_traces_shown_in_visualization_md_are_what_the_code_prints(
        tmp_path, monkeypatch):
    import contextlib
    import io

    monkeypatch.chdir(tmp_path)
    page = REPO / "docs" / "visualization.md"
    namespace, printed, checked = {"__name__": "__docs__"}, "", 0
    for info, start, source in code_blocks(page):
        if info.split() == ["python"]:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(source, f"visualization.md, block at line {start}", "exec"),
                     namespace)
            printed = out.getvalue()
        elif info == "text" and source.startswith("Backward trace of"):
            assert shown_matches(source, printed), \
                f"visualization.md:{start - 1}: the trace shown is not what the code prints"
            checked += 1
    assert checked == 2


def test_shown_matches_reads_an_ellipsis_as_any_lines():
    assert shown_matches("a\n ...\nd\n", "a\nb\nc\nd\n")
    assert shown_matches("a\nb\n", "a\nb")
    assert not shown_matches("a\nc\n", "a\nb\n")
    assert not shown_matches("a\n ...\nd\n", "a\nb\n")


def test_the_api_reference_has_no_anchor_twice():
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    ids = re.findall(r'<a id="([^"]+)"></a>', text)
    assert ids and [i for i in set(ids) if ids.count(i) > 1] == []
    # the module autograd_lite.gradcheck and the function ag.gradcheck each have their own
    assert "module-ag.gradcheck" in ids and "ag.gradcheck" in ids


def test_the_benchmarks_name_the_data_folder_relative_to_the_project(data_dir):
    import os

    from bench.workloads import cat_data

    _, source = cat_data(log=lambda line: None)
    folder = source.removeprefix("cat/non-cat pictures from ")
    assert not os.path.isabs(folder), source          # what docs/performance.md shows
    assert (REPO / folder).resolve() == Path(data_dir).resolve()
