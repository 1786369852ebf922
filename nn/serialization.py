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
import math
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
    if not path.parent.is_dir():
        raise MissingFileError(f"save: cannot write {path}: the folder {path.parent} does not "
                               "exist")
    arrays = model.state_dict()
    for name, array in arrays.items():      # a diverged model is refused where it happens
        bad = int(np.size(array) - np.isfinite(array).sum())
        if bad:
            raise StateError(f"save: {name} contains {bad} NaN or inf value(s), so {path} "
                             "was not written; did training diverge?")
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
    """The arrays of the .npz file at ``path``, each entry checked before it is read.

    Damaged bytes can make zipfile and numpy fail in many ways (BadZipFile, a bad CRC,
    NotImplementedError for an unknown compression, an .npy header promising more data
    than there is, ...); every one of them becomes a FileFormatError naming the path.
    """
    with open(path, "rb") as f:
        if f.read(6) == b"\x93NUMPY":
            raise FileFormatError(f"load: {path} is a single .npy array, not a model file "
                                  "written by nn.save")
    try:
        with zipfile.ZipFile(path) as archive:
            arrays = {}
            for info in archive.infolist():
                key = info.filename[:-4] if info.filename.endswith(".npy") else None
                if key is None or key in arrays:
                    problem = "twice" if key else "an entry that is not an .npy array"
                    raise FileFormatError(f"load: {path} is not a model file written by "
                                          f"nn.save: it has {info.filename!r} {problem}")
                arrays[key] = _read_entry(path, archive, info, key)
            return arrays
    except FileFormatError:
        raise
    except Exception as exc:     # any failure to parse the bytes: see the docstring
        raise FileFormatError(f"load: {path} is not a model file written by nn.save, or it "
                              f"is damaged ({type(exc).__name__}: {exc})") from exc


def _read_entry(path, archive, info, key):
    """One .npy entry as an array of numbers; its header is checked against its size."""
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise FileFormatError(f"load: {path}: entry {key!r} has .npy version {version}")
        if dtype.hasobject:
            raise FileFormatError(f"load: {path} is not a model file written by nn.save: "
                                  f"its entry {key!r} holds pickled Python objects, which are "
                                  "never loaded")
        size = math.prod(shape) * dtype.itemsize
        if size > info.file_size:          # checked before reading: no huge allocation
            raise FileFormatError(f"load: {path}: entry {key!r} claims shape {shape} of "
                                  f"{dtype} but holds only {info.file_size} bytes")
        data = f.read(size + 1)            # to the end, so that zipfile checks the CRC
    if len(data) != size:
        raise FileFormatError(f"load: {path}: entry {key!r} should hold {size} bytes of data "
                              f"(shape {shape} of {dtype}) but holds {len(data)}; the file "
                              "is truncated or damaged")
    array = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")
    return array.copy()


def _architecture(path, arrays):
    """The metadata dict stored in the file, checked for the format's required keys."""
    if ARCHITECTURE_KEY not in arrays:
        raise FileFormatError(f"load: {path} has no {ARCHITECTURE_KEY!r} entry; it was not "
                              "written by nn.save")
    try:
        meta = json.loads(str(arrays.pop(ARCHITECTURE_KEY)))
    except (ValueError, RecursionError) as exc:
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
    from .cnn import CNN
    from .models import MODELS

    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"load: no model file at {path}")
    arrays = _read(path)
    meta = _architecture(path, arrays)
    config = dict(meta["architecture"])
    name = config.get("class")
    models = {**MODELS, "CNN": CNN}
    cls = models.get(name) if isinstance(name, str) else None
    if cls is None:
        raise FileFormatError(f"load: {path}: unknown model class {name!r}; "
                              f"known: {', '.join(models)}")
    if hasattr(cls, "expected_shapes"):          # a model whose layers are not all Linear
        _check_expected(path, config, cls, arrays)
    else:
        _check_shapes(path, config, cls._layer_dims_of(config), arrays)
    try:
        model = cls.from_config(config)
    except (ConfigError, TypeError, ValueError) as exc:
        raise FileFormatError(f"load: {path}: invalid architecture {config}: {exc}") from None
    try:
        model.load_state_dict(arrays)
    except StateError as exc:
        raise FileFormatError(f"load: {path}: {exc}") from None
    for name, p in model.named_parameters():
        bad = int(p.size - np.isfinite(p.data).sum())
        if bad:
            raise FileFormatError(f"load: {path}: {name} contains {bad} NaN or inf value(s)")
    return model


def _check_shapes(path, config, dims, arrays):
    """Compare every stored W[l], b[l] with the layer sizes the architecture declares, before
    the model is built: a damaged architecture must not make load allocate huge arrays."""
    if not isinstance(dims, list) or len(dims) < 2 or not all(
            isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in dims):
        raise FileFormatError(f"load: {path}: invalid architecture {config}: the layer sizes "
                              f"{dims!r} are not a list of at least two positive integers")
    for l in range(1, len(dims)):
        expected = {f"layer{l}.W": (dims[l], dims[l - 1]), f"layer{l}.b": (dims[l], 1)}
        for name, shape in expected.items():
            if name not in arrays:
                raise FileFormatError(f"load: {path}: missing {name}, which the layer "
                                      f"sizes {dims} of the architecture need")
            if arrays[name].shape != shape:
                raise FileFormatError(f"load: {path}: {name} has shape {arrays[name].shape}, "
                                      f"the model expects {shape}")


def _check_expected(path, config, cls, arrays):
    """Compare every stored parameter with the shape the architecture declares (CNN)."""
    try:
        expected = cls.expected_shapes(config)
    except (ConfigError, TypeError, ValueError) as exc:
        raise FileFormatError(f"load: {path}: invalid architecture {config}: {exc}") from None
    for name, shape in expected.items():
        if name not in arrays:
            raise FileFormatError(f"load: {path}: missing {name}, which the architecture "
                                  "needs")
        if arrays[name].shape != shape:
            raise FileFormatError(f"load: {path}: {name} has shape {arrays[name].shape}, "
                                  f"the model expects {shape}")
