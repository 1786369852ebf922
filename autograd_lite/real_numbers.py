"""What a tensor holds: real numbers (bool, integers, floats), and the error for anything else.

Complex data would silently lose its imaginary part in gradients; text, Python objects and
dates have no arithmetic.  They are refused with a DTypeError naming the operation.
"""
from __future__ import annotations

import sys

from .errors import DTypeError

NUMBER_KINDS = "biuf"      # numpy dtype kinds: bool, signed and unsigned integer, float


def not_numbers(where, array, data):
    """The DTypeError for data a tensor cannot hold: complex, strings, Python objects, dates."""
    if array.dtype.kind == "c":
        return DTypeError(
            f"{where}: complex data (dtype {array.dtype}, shape {array.shape}) is not supported: "
            "autograd_lite differentiates real-valued functions only. Use the real part "
            "(np.real(x)), or the real and imaginary parts as two real tensors")
    what = "Python objects" if array.dtype == object else f"dtype {array.dtype}"
    return DTypeError(
        f"{where}: cannot make a tensor of {what} (from {type(data).__name__}, shape "
        f"{array.shape}); tensors hold numbers (bool, integer or float): convert the data "
        "first, e.g. np.asarray(x, dtype=float)")


# Operators whose method name differs from the operation's name in the library.
_OPERATOR_NAMES = {"truediv": "div", "rtruediv": "div", "radd": "add", "rsub": "sub",
                   "rmul": "mul", "rpow": "pow", "rmatmul": "matmul"}


def calling_operation() -> str:
    """The name of the operation that got a bad operand, read from the call stack (only on
    the error path): ``x * "a"`` -> 'mul', ``ag.where(c, x, "a")`` -> 'where'.  Private
    helpers (``_other``, ``_pair``) and comprehensions in between are skipped."""
    frame = sys._getframe(2)                      # the caller of operand()
    name = frame.f_code.co_name
    while frame.f_back is not None and (name.startswith("<") or (
            name.startswith("_") and not name.startswith("__"))):
        frame = frame.f_back
        name = frame.f_code.co_name
    name = name.strip("_")
    return _OPERATOR_NAMES.get(name, name)
