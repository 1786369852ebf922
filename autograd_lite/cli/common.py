"""What the commands share: errors with exit codes, argument types, models and graphs.

Examples
--------
>>> from autograd_lite.cli.common import layer_sizes, resolve_model
>>> layer_sizes("20,7,5")
[20, 7, 5]
>>> model, where = resolve_model("shallow")
>>> model.layer_dims, where
([2, 4, 1], 'the built-in shallow model')
"""
from __future__ import annotations

import argparse
import contextlib
import math
from pathlib import Path

import numpy as np

GRAPH_SUFFIXES = (".svg", ".png", ".pdf", ".gv", ".dot")


class CLIError(Exception):
    """A problem found while running a command; ``exit_code`` 1 (runtime) or 2 (usage)."""

    exit_code = 1


class UsageError(CLIError):
    """Arguments that do not fit together (exit status 2, like argparse's own errors)."""

    exit_code = 2


# --- argument types (argparse turns their ArgumentTypeError into a one-line usage error) ---
def positive_int(text):
    """An int ≥ 1, for ``--iterations``, ``--batch-size``, ...

    Examples
    --------
    >>> positive_int("10")
    10
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}")
    return value


def non_negative_int(text):
    """An int ≥ 0 (``--print-every 0`` prints no cost lines; seeds).

    Examples
    --------
    >>> non_negative_int("0")
    0
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, not {text!r}")
    return value


def seed(text):
    """A seed of the course's random stream, ``np.random.RandomState(seed)``: 0 ≤ seed < 2³².

    Examples
    --------
    >>> seed("2")
    2
    """
    value = non_negative_int(text)
    if value >= 2 ** 32:
        raise argparse.ArgumentTypeError(f"a seed must be below 2**32, not {text!r}")
    return value


def positive_float(text):
    """A finite float > 0, for ``--lr``, ``--epsilon``, ...

    Examples
    --------
    >>> positive_float("1.2")
    1.2
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, not {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number, not {text!r}")
    return value


def layer_sizes(text):
    """Hidden layer sizes written ``20,7,5`` (spaces allowed) as a list of ints.

    Examples
    --------
    >>> layer_sizes("4")
    [4]
    >>> layer_sizes("20, 7,5")
    [20, 7, 5]
    """
    parts = [part.strip() for part in text.split(",")]
    if not all(part.isdigit() and int(part) > 0 for part in parts):
        raise argparse.ArgumentTypeError(
            f"expected hidden layer sizes separated by commas, such as 20,7,5, not {text!r}")
    return [int(part) for part in parts]


def graph_path(text):
    """An output file for a graph: ``.svg``, ``.png``, ``.pdf`` (Graphviz) or ``.gv``/``.dot``.

    Examples
    --------
    >>> graph_path("net.svg").name
    'net.svg'
    """
    path = Path(text)
    if path.suffix.lower() not in GRAPH_SUFFIXES:
        raise argparse.ArgumentTypeError(
            f"cannot tell the format of {text!r}; end it with .svg, .png, .pdf or .gv")
    return path


# --- sub-commands -------------------------------------------------------------------------
def subcommand(name, run, add_options, help, description):
    """``add_parser(commands)`` for the sub-command ``name``, defined once for all of them.

    The returned function registers ``name`` on the ``commands`` sub-parsers with ``help``
    and ``description``, adds its options with ``add_options(parser)``, makes ``run(args)``
    the function that runs it, and returns its parser.

    Examples
    --------
    >>> import argparse
    >>> def options(p):
    ...     p.add_argument("--loud", action="store_true")
    >>> add_parser = subcommand("hello", run=print, add_options=options, help="say hello",
    ...                         description="Say hello.")
    >>> commands = argparse.ArgumentParser(prog="autograd-lite").add_subparsers()
    >>> parser = add_parser(commands)
    >>> parser.prog, parser.parse_args(["--loud"]).loud, parser.get_default("run") is print
    ('autograd-lite hello', True, True)
    """
    def add_parser(commands):
        parser = commands.add_parser(name, help=help, description=description)
        add_options(parser)
        parser.set_defaults(run=run)
        return parser

    add_parser.__doc__ = (f"Register ``{name}`` and its options on the ``commands`` "
                          "sub-parsers; return its parser (see ``common.subcommand``).")
    return add_parser


def add_examples_argument(parser):
    """``--examples M``, the batch of ``graph`` and ``gradcheck``: M examples of the model's
    data set (3 by default, as in the course).

    Examples
    --------
    >>> import argparse
    >>> add_examples_argument(argparse.ArgumentParser()).default
    3
    """
    return parser.add_argument(
        "--examples", type=positive_int, default=3, metavar="M",
        help="examples in the batch: training examples of both classes in turn when the "
             "model records its data set, else random ones (default: 3, as in the course)")


# --- models -------------------------------------------------------------------------------
def builtin_models():
    """Small models of the course by name, for ``graph`` and ``gradcheck`` without a file.

    ``logreg`` is week 2's logistic regression (4 inputs, zero-initialised), ``shallow``
    week 3's network (2 → 4 tanh → 1, the course's ``np.random.seed(2)``) and ``deep`` the
    network of the course's gradient-checking exercise (4 → 5 → 3 → 1, ReLU, seed 1).

    Examples
    --------
    >>> sorted(builtin_models())
    ['deep', 'logreg', 'shallow']
    """
    import nn

    return {
        "logreg": lambda: nn.LogisticRegression(4),
        "shallow": lambda: nn.TwoLayerNet(2, 4, 1, hidden="tanh",
                                          seed=nn.init.course_rng(2)),
        "deep": lambda: nn.DeepNN([4, 5, 3, 1], hidden="relu", seed=nn.init.course_rng(1)),
    }


def model_spec(text):
    """``--model`` of ``graph`` and ``gradcheck``: a built-in name, a model file or a run folder.

    A bare word that names neither a built-in model nor an existing file is a usage error
    (exit status 2, like any bad choice); a path (``runs/x/model.npz``) is looked up later.

    Examples
    --------
    >>> model_spec("deep"), model_spec("runs/cats")
    ('deep', 'runs/cats')
    """
    path = Path(text)
    if text in builtin_models() or path.exists() or len(path.parts) > 1 or path.suffix:
        return text
    raise argparse.ArgumentTypeError(
        f"invalid choice: {text!r} (choose from {', '.join(builtin_models())}, or give a "
        "model file or a run folder)")


def add_model_argument(parser):
    """The ``--model`` option shared by ``graph`` and ``gradcheck``: a file or a built-in name.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_model_argument(p).dest
    'model'
    """
    return parser.add_argument(
        "--model", required=True, metavar="MODEL", type=model_spec,
        help="a model file (RUN_DIR/model.npz), a run folder (RUN_DIR) or a built-in model: "
             + ", ".join(builtin_models()))


def model_file(spec, command=None):
    """The model file that ``spec`` names: ``spec`` itself, or ``spec/model.npz`` for a run folder.

    Raises ``nn.MissingFileError`` naming the path when there is no such file (and the
    ``command`` that asked, whose message then leaves out the built-in models).

    Examples
    --------
    >>> import os, tempfile
    >>> run = tempfile.mkdtemp()
    >>> open(os.path.join(run, "model.npz"), "w").close()
    >>> model_file(run).name
    'model.npz'
    """
    import nn

    path = Path(spec)
    if path.is_dir():
        if not (path / "model.npz").is_file():
            raise nn.MissingFileError(f"no model file at {path / 'model.npz'}: the run "
                                      f"folder {path} has no model.npz")
        return path / "model.npz"
    if not path.is_file():
        if command is None:                  # graph and gradcheck also take the built-ins
            raise nn.MissingFileError(f"no model file at {path} (a file written by "
                                      f"'autograd-lite train' or its run folder, or one of "
                                      f"the built-in models {', '.join(builtin_models())})")
        builtin = (f"; '{spec}' is a built-in model of graph and gradcheck, untrained, which "
                   f"{command} does not take") if str(spec) in builtin_models() else ""
        raise nn.MissingFileError(f"{command}: no model file at {path} (give a model "
                                  f"written by 'autograd-lite train' or its run folder"
                                  f"{builtin})")
    return path


def resolve_model(spec):
    """The model named by ``--model``: a file written by ``nn.save``, its run folder, or a
    built-in name.

    Returns ``(model, description)``.  A missing file raises ``nn.MissingFileError`` whose
    message also lists the built-in names.

    Examples
    --------
    >>> model, where = resolve_model("logreg")
    >>> type(model).__name__, where
    ('LogisticRegression', 'the built-in logreg model')
    """
    import nn

    builtins = builtin_models()
    if spec in builtins and not Path(spec).exists():
        return builtins[spec](), f"the built-in {spec} model"
    path = model_file(spec)
    return nn.load(path), str(path)


def prepare_folder(folder, command, what="folder"):
    """Create ``folder`` (with its parents) and check that files can be written in it.

    Returns the folders that were created, deepest first, for :func:`remove_if_empty`.
    A real file is written and removed, so that a read-only folder, a full disk or a
    folder that only root could write is found before any work is done.

    Examples
    --------
    >>> import os, tempfile
    >>> base = tempfile.mkdtemp()
    >>> [p.name for p in prepare_folder(Path(base, "a", "b"), "train")]
    ['b', 'a']
    """
    import tempfile

    folder = Path(folder)
    created = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocking = [p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()]
        why = f"{blocking[0]} is a file, not a folder" if blocking else exc.strerror or exc
        raise CLIError(f"{command}: cannot create the {what} {folder}: {why}") from None
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as exc:
        remove_if_empty(created)
        raise CLIError(f"{command}: cannot write files in the {what} {folder}: "
                       f"{exc.strerror or exc}") from None
    return created


@contextlib.contextmanager
def output_folder(folder, command, what="folder"):
    """``with output_folder(out, "train", "run folder"):`` — :func:`prepare_folder` before
    the work, and no empty folder of ours left behind if the work fails.

    Examples
    --------
    >>> import os, tempfile
    >>> base = Path(tempfile.mkdtemp())
    >>> try:
    ...     with output_folder(base / "run", "train"):
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     pass
    >>> os.listdir(base)
    []
    """
    created = prepare_folder(folder, command, what)
    try:
        yield Path(folder)
    except BaseException:
        remove_if_empty(created)
        raise


def remove_if_empty(folders):
    """Remove the ``folders`` (deepest first) that are still empty; leave the others.

    Examples
    --------
    >>> import os, tempfile
    >>> base = Path(tempfile.mkdtemp())
    >>> remove_if_empty(prepare_folder(base / "x" / "y", "train"))
    >>> os.listdir(base)
    []
    """
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:          # not empty, or gone: either way it is not ours to remove
            return


def describe(model):
    """``DeepNN [4, 5, 3, 1]``: the class and layer sizes of a model; for a CNN its pictures,
    channels and outputs.

    Examples
    --------
    >>> import nn
    >>> describe(nn.TwoLayerNet(2, 4, 1, seed=0))
    'TwoLayerNet [2, 4, 1]'
    >>> describe(nn.CNN((3, 64, 64), channels=(8, 16), seed=0))
    'CNN on 3×64×64 pictures, conv channels (8, 16), 1 output'
    """
    if getattr(model, "image_shape", None) is not None:
        C, H, W = model.image_shape
        n_y = model.layer_dims[-1]
        channels = ", ".join(map(str, model.channels))
        return (f"{type(model).__name__} on {C}×{H}×{W} pictures, conv channels ({channels}), "
                f"{n_y} output{'s' if n_y > 1 else ''}")
    return f"{type(model).__name__} {list(model.layer_dims)}"


def picture_side(model):
    """The side s of the s×s RGB pictures a model takes (n_x = 3·s², s ≥ 8), or None.

    Examples
    --------
    >>> import nn
    >>> picture_side(nn.LogisticRegression(64 * 64 * 3)), picture_side(nn.LogisticRegression(2))
    (64, None)
    """
    n_x = model.layer_dims[0]
    side = math.isqrt(n_x // 3)
    # below 8×8 a model is more likely one of plain features than of pictures
    return side if side >= 8 and 3 * side * side == n_x else None


def save_graph_or_source(root, path, **draw_kwargs):
    """Save the graph of ``root`` to ``path``; without Graphviz, save its ``.gv`` source.

    Returns ``(written path, note)``, where the note says why a ``.gv`` was written instead
    (None when ``path`` itself was written).

    Examples
    --------
    >>> import os, tempfile, autograd_lite as ag
    >>> w = ag.tensor(2.0, requires_grad=True, name="w")
    >>> written, note = save_graph_or_source(w * 3, os.path.join(tempfile.mkdtemp(), "g.gv"))
    >>> written.suffix, note
    ('.gv', None)
    """
    from autograd_lite.viz import GraphvizNotFoundError, draw_graph, save_graph

    path = Path(path)
    picture = draw_graph(root, **draw_kwargs)
    try:
        return save_graph(picture, path), None
    except GraphvizNotFoundError:
        source = save_graph(picture, path.with_suffix(".gv"))
        return source, (f"the Graphviz program 'dot' is not installed, so the graph was "
                        f"saved as DOT source {source} (install Graphviz, e.g. sudo "
                        "apt-get install graphviz, to get pictures)")
