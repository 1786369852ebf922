"""Text for pictures and traces: shapes, short array summaries, DOT-safe labels."""
from __future__ import annotations

import numpy as np

SMALL = 6            # a tensor with at most this many numbers shows them all


def shape_text(shape) -> str:
    """``(2, 1)``, ``(3,)``; a 0-d tensor gives ``()``."""
    return str(tuple(int(n) for n in shape))


def number(x, digits: int = 4) -> str:
    """A number in at most ``digits`` significant digits."""
    return f"{x + 0.0:.{digits}g}"          # + 0.0: no "-0"


def nonfinite(array: np.ndarray) -> str:
    """'NaN', 'inf', 'NaN, inf' or '' for the special values found in ``array``."""
    if not np.issubdtype(array.dtype, np.inexact):
        return ""
    found = [word for word, test in (("NaN", np.isnan), ("inf", np.isinf)) if test(array).any()]
    return ", ".join(found)


def array_text(array: np.ndarray, small: int = SMALL) -> str:
    """All numbers of a small array, else ``mean …, min …, max …`` of the finite ones."""
    array = np.asarray(array)
    if array.size == 0:
        return "empty"
    if array.ndim == 0:
        return number(array.item())
    if array.size <= small:
        if np.issubdtype(array.dtype, np.floating):
            array = array + 0.0           # shows -0.0 as 0
        column = array.ndim == 2 and array.shape[1] == 1 and array.shape[0] > 1
        text = np.array2string(array.ravel() if column else array, precision=4,
                               separator=", ", max_line_width=48)
        return text + "ᵀ" if column else text     # a column (n, 1) printed as a row
    values = array.astype(np.float64) if array.dtype == bool else array
    finite = values[np.isfinite(values)] if np.issubdtype(values.dtype, np.inexact) else values
    if finite.size == 0:
        return f"all {nonfinite(array)}"
    text = (f"mean {number(finite.mean(), 3)}, min {number(finite.min(), 3)}, "
            f"max {number(finite.max(), 3)}")
    bad = array.size - finite.size
    return text + (f", {bad} × {nonfinite(array)}" if bad else "")


def value_text(array) -> str:
    """``= 3`` / ``= [1., 2.]`` for a small array, ``mean …, min …, max …`` for a large one;
    '' when there is nothing to show (a value freed by backward)."""
    if array is None:
        return ""
    array = np.asarray(array)
    text = array_text(array)
    return text if array.size > SMALL else "= " + text


SYMBOLS = {"add": "+", "sub": "−", "mul": "×", "div": "/", "pow": "^"}


def origin_text(origin) -> str:
    """``1 − Y`` for a constant recorded as ``("sub", (1.0, "Y"))`` (see ``Function.apply``)."""
    op, parts = origin

    def part(p, nested=False):
        if p is None:
            return "·"
        if isinstance(p, tuple):
            text = origin_text(p)
            return f"({text})" if nested and p[0] in SYMBOLS else text
        return p if isinstance(p, str) else number(p)

    if op in SYMBOLS and len(parts) == 2:
        return f"{part(parts[0], True)} {SYMBOLS[op]} {part(parts[1], True)}"
    if op == "neg" and len(parts) == 1:
        return "−" + part(parts[0], True)
    return f"{op}({', '.join(part(p) for p in parts)})"


# fields of an op's settings that are left out of a picture at their usual value
USUAL = {"dilation": 1, "groups": 1, "padding": 0}
SQUARE = ("kernel",)        # (4, 4) reads as 4, as the course writes f = 4


def _same(value):
    """``1`` for ``(1, 1)`` or ``((1, 1), (1, 1))``: a pair of equal entries as one."""
    if isinstance(value, tuple) and value:
        parts = [_same(v) for v in value]
        if all(p == parts[0] for p in parts):
            return parts[0]
        return tuple(parts)
    return value


def params_text(params) -> str:
    """An op's settings for its box: ``axes=(1, 0)``; ``stride=1, padding=1`` for a
    convolution's geometry (a named tuple of settings is spelled out field by field).

    Examples
    --------
    >>> from typing import NamedTuple
    >>> class Geometry(NamedTuple):
    ...     stride: tuple
    ...     padding: tuple
    ...     dilation: tuple
    ...     groups: int = 1
    >>> params_text({"geometry": Geometry((1, 1), ((1, 1), (1, 1)), (1, 1)), "bias": True})
    'bias=True, stride=1, padding=1'
    >>> params_text({"kernel": (4, 4), "geometry": Geometry((4, 4), ((0, 0), (0, 0)), (1, 1))})
    'kernel=4, stride=4'
    """
    parts, settings = [], []
    for key, value in params.items():
        if value is None or value is False or isinstance(value, np.ndarray):
            continue
        if hasattr(value, "_fields"):                  # a named tuple of settings: after
            for field in value._fields:
                setting = _same(getattr(value, field))
                if USUAL.get(field, object()) != setting:
                    settings.append(f"{field}={setting}")
        else:
            parts.append(f"{key}={_same(value) if key in SQUARE else value}")
    return ", ".join(parts + settings)


def grad_name(name: str) -> str:
    """The course's name for a gradient: ``dw``, ``d(layer1.W)``, ``d[matmul]``."""
    return "d" + name if name.isidentifier() or name.startswith("[") else f"d({name})"


def dot_label(lines) -> str:
    """Join text lines into one DOT label (backslashes escaped, lines centred)."""
    out = []
    for line in lines:
        out.extend(str(line).split("\n"))
    return "\\n".join(part.replace("\\", "\\\\") for part in out)
