"""The command line's entry point: the parser and the error handling of every command.

Errors never show a traceback.  They print one line to standard error (warnings too,
as ``autograd-lite: warning: <category>: <message>``)::

    autograd-lite: error: <message>

and exit with status 2 for a usage error (bad or conflicting arguments, an unknown name or
a bad hyperparameter, ``nn.ConfigError``) and 1 for anything that goes wrong while running
(a missing or broken file, data that does not fit the model, any other
``autograd_lite.AutogradError``, an ``OSError``).  ``--traceback`` shows the traceback
instead, for bug reports.

Examples
--------
>>> main(["train", "--model", "nope"])
2
>>> main(["--version"])                                   # doctest: +ELLIPSIS
autograd-lite 0...
0
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from . import compare, gradcheck, graph, predict, sweep, train
from .common import CLIError, UsageError

PROG = "autograd-lite"
COMMANDS = (train, predict, graph, gradcheck, sweep, compare)


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad argument raises :class:`UsageError` instead of printing usage.

    Examples
    --------
    >>> parser = ArgumentParser(prog="demo")
    >>> _ = parser.add_argument("--n", type=int)
    >>> try:
    ...     parser.parse_args(["--n", "x"])
    ... except UsageError as error:
    ...     print(error)
    argument --n: invalid int value: 'x' (see 'demo --help')
    """

    def error(self, message):
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser():
    """The ``autograd-lite`` parser with its four commands.

    Examples
    --------
    >>> args = build_parser().parse_args(["graph", "--model", "deep", "-o", "deep.svg"])
    >>> args.command, args.model, str(args.output)
    ('graph', 'deep', 'deep.svg')
    """
    from autograd_lite import __version__

    parser = ArgumentParser(
        prog=PROG,
        description="Train, draw, check and try the course's networks, built on the "
                    "autograd_lite engine.",
        epilog=f"'{PROG} COMMAND --help' lists each command's options.  Example: {PROG} "
               "train --dataset planar --model shallow --out runs/flower")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--traceback", action="store_true",
                        help="show the full traceback of an error (for bug reports)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                     parser_class=ArgumentParser)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def _error(message, code, prog=PROG):
    text = " ".join(str(message).split()) or "unknown error"     # one line, always
    print(f"{prog}: error: {text}", file=sys.stderr)
    return code


def _warning_printer(prog):
    """Warnings as one line each, like errors: ``<prog>: warning: <category>: <message>``."""
    def show(message, category, filename, lineno, file=None, line=None):
        text = " ".join(str(message).split())
        print(f"{prog}: warning: {category.__name__}: {text}", file=file or sys.stderr)
    return show


def main(argv=None):
    """Run ``autograd-lite`` with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name.

    Returns
    -------
    int
        0 on success, 1 for a runtime error or a failed gradient check, 2 for a usage error.

    Examples
    --------
    >>> main(["gradcheck", "--model", "logreg"])              # doctest: +ELLIPSIS
    gradient check of LogisticRegression [4, 1] on 3 random examples ...
    Your backward propagation works perfectly fine! difference = ...
    0
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        return _error(exc, exc.exit_code)
    except SystemExit as exc:                 # --help and --version
        return exc.code or 0
    args.argv = argv
    return run_reporting_errors(lambda: args.run(args), PROG, traceback=args.traceback)


def run_reporting_errors(call, prog, traceback=False):
    """``call()`` with the command line's error handling; returns the exit status.

    A usage error (:class:`UsageError`, ``nn.ConfigError``) prints one line and gives 2;
    a runtime error (a missing or broken file, any ``AutogradError``, an ``OSError``)
    one line and 1; Ctrl-C 130.  Warnings print one line each.  ``call``'s result is the
    status when it is an int, else 0.  The example scripts use it too
    (``sys.exit(run_script(main))``).

    Examples
    --------
    >>> import nn
    >>> def train():
    ...     raise nn.ConfigError("fit: iterations must be a positive integer, not 0")
    >>> run_reporting_errors(train, "demo.py")
    2
    """
    import nn
    from autograd_lite.errors import AutogradError

    try:
        with warnings.catch_warnings():
            warnings.showwarning = _warning_printer(prog)
            result = call()
    except Exception as exc:
        if traceback:
            raise
        if isinstance(exc, CLIError):
            return _error(exc, exc.exit_code, prog)
        if isinstance(exc, nn.ConfigError):
            return _error(exc, UsageError.exit_code, prog)
        if isinstance(exc, OSError) and exc.filename and exc.strerror:
            return _error(f"{exc.filename}: {exc.strerror}", CLIError.exit_code, prog)
        if isinstance(exc, (AutogradError, OSError)):
            return _error(exc, CLIError.exit_code, prog)
        raise
    except KeyboardInterrupt:
        return _error("interrupted", 130, prog)
    return result if isinstance(result, int) and not isinstance(result, bool) else 0


def run_script(script_main, argv=None):
    """Run an example script's ``main(argv)`` like a command: one line per error, no traceback.

    Examples
    --------
    >>> def script_main(argv):
    ...     parser = ArgumentParser(prog="demo.py")
    ...     _ = parser.add_argument("--iterations", type=int)
    ...     parser.parse_args(argv)
    >>> run_script(script_main, ["--iterations", "x"])
    2
    """
    prog = Path(sys.argv[0]).name or PROG
    return run_reporting_errors(lambda: script_main(argv), prog)
