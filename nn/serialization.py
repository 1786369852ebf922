"""Save a trained model to one ``.npz`` file and load it back — no pickle anywhere.

The file holds one array per parameter (``layer1.W``, ``layer1.b``, …) and, under the key
``__architecture__``, a JSON text with the model's class, its constructor arguments and
the expected shape and dtype of every parameter.  Saving writes a temporary file in the
same directory and renames it over the target (``os.replace``), so a crash never leaves a
half-written model behind.  Loading uses ``np.load(..., allow_pickle=False)`` and checks
the architecture, names, shapes and dtypes; anything wrong raises
:class:`~nn.errors.FileFormatError` (or :class:`~nn.errors.MissingFileError`) naming the
path and the problem.

Examples
--------
>>> import os, tempfile, numpy as np, nn
>>> model = nn.DeepNN([3, 2, 1], seed=0)
>>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
>>> nn.save(model, path)
>>> same = nn.load(path)
>>> type(same).__name__, bool(np.array_equal(same.layer1.W.data, model.layer1.W.data))
('DeepNN', True)
"""
from __future__ import annotations

import json
import os
import secrets
import zipfile
from pathlib import Path

import numpy as np

from .errors import ConfigError, FileFormatError, MissingFileError, NNError, StateError

FORMAT = "autograd_lite.nn/1"
ARCHITECTURE_KEY = "__architecture__"


def save(model, path):
    """Write ``model`` (a :class:`~nn.models.Model`) to ``path`` atomically, as an .npz file.

    Parameters
    ----------
    model : Model
        Anything with ``config()`` and ``state_dict()``: LogisticRegression, TwoLayerNet,
        DeepNN.
    path : str or Path
        The file to write (used as given; no suffix is added).  Its directory must exist.

    Examples
    --------
    >>> import os, tempfile, nn
    >>> path = os.path.join(tempfile.mkdtemp(), "logreg.npz")
    >>> nn.save(nn.LogisticRegression(4), path)
    >>> sorted(__import__("numpy").load(path).files)
    ['__architecture__', 'layer1.W', 'layer1.b']
    """
    if not hasattr(model, "config") or not hasattr(model, "state_dict"):
        raise NNError(f"save: {type(model).__name__} has no config(); only nn models "
                      "(LogisticRegression, TwoLayerNet, DeepNN) can be saved this way")
    path = Path(path)
    arrays = model.state_dict()
    meta = {"format": FORMAT, "architecture": model.config(),
            "parameters": {name: {"shape": list(a.shape), "dtype": a.dtype.name}
                           for name, a in arrays.items()}}
    arrays[ARCHITECTURE_KEY] = np.array(json.dumps(meta))
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        with open(tmp, "xb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read(path):
    """The arrays of the .npz file at ``path`` (refusing pickled objects)."""
    try:
        loaded = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise FileFormatError(f"load: {path} is not a model file written by nn.save "
                              f"({exc})") from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise FileFormatError(f"load: {path} is a single .npy array, not a model file "
                              "written by nn.save")
    try:
        with loaded:
            return {key: loaded[key] for key in loaded.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise FileFormatError(f"load: {path} is not a model file written by nn.save "
                              f"({exc})") from None


def _architecture(path, arrays):
    """The metadata dict stored in the file, checked for the format's required keys."""
    if ARCHITECTURE_KEY not in arrays:
        raise FileFormatError(f"load: {path} has no {ARCHITECTURE_KEY!r} entry; it was not "
                              "written by nn.save")
    try:
        meta = json.loads(str(arrays.pop(ARCHITECTURE_KEY)))
    except ValueError as exc:
        raise FileFormatError(f"load: {path}: the architecture is not valid JSON ({exc})") \
            from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else meta
        raise FileFormatError(f"load: {path}: unknown file format {found!r}, expected "
                              f"{FORMAT!r}")
    if not isinstance(meta.get("architecture"), dict):
        raise FileFormatError(f"load: {path}: the architecture entry is missing")
    return meta


def load(path):
    """The model saved at ``path`` by :func:`save`, with its trained parameters.

    Raises :class:`~nn.errors.MissingFileError` if there is no such file and
    :class:`~nn.errors.FileFormatError` (naming the path and what is wrong) if it is not a
    model file, names an unknown model class or has a parameter of the wrong name, shape
    or dtype.

    Examples
    --------
    >>> import os, tempfile, nn
    >>> path = os.path.join(tempfile.mkdtemp(), "net.npz")
    >>> nn.save(nn.TwoLayerNet(2, 4, 1, seed=0), path)
    >>> nn.load(path).layer_dims
    [2, 4, 1]
    """
    from .models import MODELS

    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"load: no model file at {path}")
    arrays = _read(path)
    meta = _architecture(path, arrays)
    config = dict(meta["architecture"])
    cls = MODELS.get(config.get("class"))
    if cls is None:
        raise FileFormatError(f"load: {path}: unknown model class {config.get('class')!r}; "
                              f"known: {', '.join(MODELS)}")
    try:
        model = cls.from_config(config)
    except (ConfigError, TypeError) as exc:
        raise FileFormatError(f"load: {path}: invalid architecture {config}: {exc}") from None
    try:
        model.load_state_dict(arrays)
    except StateError as exc:
        raise FileFormatError(f"load: {path}: {exc}") from None
    return model
