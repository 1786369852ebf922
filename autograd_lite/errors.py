"""The library's own exception types: each message names the operation and what is wrong."""


class AutogradError(Exception):
    """Base class of every error raised by autograd_lite itself."""


class ShapeError(AutogradError, ValueError):
    """Shapes that do not fit an operation (matmul, broadcasting, reshape, ...)."""


class DTypeError(AutogradError, TypeError):
    """A dtype that cannot do what was asked (e.g. a gradient of integer data)."""


class GraphError(AutogradError, RuntimeError):
    """Misuse of the graph: backward twice through a released graph, data changed in place."""


class AnomalyError(AutogradError, FloatingPointError):
    """A NaN or inf produced by a backward step while ``detect_anomaly()`` is on."""


class RankOneWarning(UserWarning):
    """A rank-1 array of shape (n,) was broadcast against a matrix (the course's pitfall)."""


class NumericalWarning(UserWarning):
    """A computation lost its numbers to rounding (e.g. log of a sigmoid that rounded to 0)."""


class CaptureError(GraphError):
    """A step given to ``ag.compile`` does something a replayed program could not repeat."""
