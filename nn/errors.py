"""The nn package's exception types; each message names what is wrong (shape, name, path)."""
from autograd_lite.errors import AutogradError, ShapeError


class NNError(AutogradError):
    """Base class of every error raised by the nn package."""


class ConfigError(NNError, ValueError):
    """An unknown name (activation, initializer, optimizer, loss) or a bad hyperparameter."""


class DataError(NNError, ValueError):
    """Data that cannot be used as given, e.g. labels outside [0, 1] for a sigmoid output."""


class NNShapeError(DataError, ShapeError):
    """Data whose shape does not follow the course's layout or does not fit the model."""


class StateError(NNError, ValueError):
    """A state dict (saved parameters) that does not fit the module it is loaded into."""


class FileFormatError(NNError, ValueError):
    """A model or data file that exists but whose content cannot be used; names the path."""


class MissingFileError(NNError, FileNotFoundError):
    """A model or data file that does not exist; names the path."""


class TrainingError(NNError, FloatingPointError):
    """Training that cannot go on, e.g. a cost that became NaN or inf (names the iteration)."""


def lookup(table, name, kind):
    """``table[name]``, or a :class:`ConfigError` naming the unknown ``kind`` and the choices.

    Examples
    --------
    >>> lookup({"gd": 1}, "gd", "optimizer")
    1
    >>> lookup({"gd": 1}, "sgd", "optimizer")
    Traceback (most recent call last):
    ...
    nn.errors.ConfigError: unknown optimizer 'sgd'; choose one of gd
    """
    try:
        return table[name]
    except (KeyError, TypeError):
        raise ConfigError(f"unknown {kind} {name!r}; choose one of {', '.join(table)}") from None
