"""Save a trained model to one ``.npz`` file and load it back — no pickle anywhere.

The file holds one array per parameter (``layer1.W``, ``layer1.b``, …) and, under the key
``__architecture__``, a JSON text with the model's class, its constructor arguments and
the expected shape and dtype of every parameter.  Saving writes a temporary file in the
target's folder and renames it over the target (``os.replace``), so a crash never leaves a
half-written model behind; a symbolic link is written through to its target, and anything
but a regular file at the path (a folder, FIFO or device) is refused.  Loading uses
``np.load(..., allow_pickle=False)`` and checks the architecture, names, shapes and dtypes;
anything wrong raises :class:`~nn.errors.FileFormatError` (or
:class:`~nn.errors.MissingFileError`) naming the path and the problem.

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
import stat
import zipfile
from pathlib import Path

import numpy as np

from .errors import ConfigError, FileFormatError, MissingFileError, NNError, StateError

FORMAT = "autograd_lite.nn/1"
ARCHITECTURE_KEY = "__architecture__"


def save(model, path):
    """Write ``model`` (a :class:`~nn.models.Model`) to ``path`` atomically, as an .npz file.

    The file is first written under a short hidden name in the target's folder, then
    renamed over the target, so a crash never leaves half a model behind.  A symbolic link
    is written through to the file it points at (like ``np.save`` and ``torch.save``, but
    atomically); a folder, FIFO, device or socket at ``path`` is refused.  A parameter
    whose dtype differs from the model's (``W.data = W.data.astype(np.float32)``) keeps
    that dtype through :func:`load`.  Errors name ``path``, never the temporary file.

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
    target = _regular_target(path)
    arrays = model.state_dict()
    for name, array in arrays.items():      # a diverged model is refused where it happens
        if array.dtype.name not in FLOAT_DTYPES:
            raise StateError(f"save: {name} has dtype {array.dtype}, so {path} was not "
                             f"written; parameters must be one of {', '.join(FLOAT_DTYPES)}")
        bad = int(np.size(array) - np.isfinite(array).sum())
        if bad:
            raise StateError(f"save: {name} contains {bad} NaN or inf value(s), so {path} "
                             "was not written; did training diverge?")
    meta = {"format": FORMAT, "architecture": model.config(),
            "parameters": {name: {"shape": list(a.shape), "dtype": a.dtype.name}
                           for name, a in arrays.items()}}
    arrays[ARCHITECTURE_KEY] = np.array(json.dumps(meta))
    _write_atomically(path, target, arrays)


FLOAT_DTYPES = ("float16", "float32", "float64")
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def _regular_target(path):
    """The file that saving to ``path`` replaces: ``path`` itself, or the end of its symlinks.

    Refuses a missing folder and anything but a regular file (or nothing) at the target."""
    if not path.parent.is_dir():
        raise MissingFileError(f"save: cannot write {path}: the folder {path.parent} does not "
                               "exist")
    target = Path(os.path.realpath(path))
    via = f" (the link leads to {target})" if path.is_symlink() else ""
    if not target.parent.is_dir():
        raise MissingFileError(f"save: cannot write {path}{via}: the folder {target.parent} "
                               "does not exist")
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    for test, kind in _KINDS:
        if test(mode):
            raise FileFormatError(f"save: cannot write {path}: it is {kind}{via}, not a "
                                  "regular file; give the name of a model file such as "
                                  "model.npz")
    return target


def _write_atomically(path, target, arrays):
    """np.savez into a short hidden temporary beside ``target``, then rename it over ``target``.

    The temporary's name is short (``.nn-save-<12 hex>.tmp``), so that a file name near
    the system's limit of 255 bytes still works; OSErrors are raised again naming ``path``."""
    tmp = target.parent / f".nn-save-{secrets.token_hex(6)}.tmp"
    try:
        with open(tmp, "xb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        if target.exists():                  # keep the permissions of the file replaced
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno is not None:
            raise type(exc)(exc.errno, exc.strerror, str(path)) from None
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
    params = dict(model.named_parameters())
    for name, dtype in _saved_dtypes(path, meta, params).items():
        params[name].data = params[name].data.astype(dtype)     # as it was when saved
    try:
        model.load_state_dict(arrays)
    except StateError as exc:
        raise FileFormatError(f"load: {path}: {exc}") from None
    for name, p in model.named_parameters():
        bad = int(p.size - np.isfinite(p.data).sum())
        if bad:
            raise FileFormatError(f"load: {path}: {name} contains {bad} NaN or inf value(s)")
    return model


def _saved_dtypes(path, meta, params):
    """``{name: dtype}`` of the parameters saved in a float dtype other than the model's."""
    saved = meta.get("parameters", {})
    if not isinstance(saved, dict):
        raise FileFormatError(f"load: {path}: the parameters entry is not a table")
    dtypes = {}
    for name, p in params.items():
        entry = saved.get(name)
        dtype = entry.get("dtype") if isinstance(entry, dict) else None
        if dtype is None or dtype == p.dtype.name:
            continue
        if dtype not in FLOAT_DTYPES:
            raise FileFormatError(f"load: {path}: {name} is recorded with dtype {dtype!r}; "
                                  f"parameters must be one of {', '.join(FLOAT_DTYPES)}")
        dtypes[name] = np.dtype(dtype)
    return dtypes


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
