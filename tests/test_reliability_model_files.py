"""Reliability: model files are written atomically and read defensively.

* An interrupted ``nn.save`` leaves the previous file intact and no temporary file behind.
* ``nn.load`` refuses pickled objects (without unpickling them), truncated files, files of
  another architecture and parameters of the wrong shape or dtype — always with
  ``nn.FileFormatError`` naming the path.
* A seeded fuzz test feeds hundreds of damaged files to the loader: each one is either
  refused with FileFormatError or, when the damage hit bytes that do not matter, loads as
  exactly the saved model.  Nothing else (zipfile, numpy, json or Python errors) gets out.
"""
import io
import json
import os
import re
import stat
import time
import warnings
import weakref
import zipfile
from collections import Counter

import numpy as np
import pytest

import nn
from nn import serialization


@pytest.fixture
def model():
    model = nn.DeepNN([3, 4, 2, 1], hidden="tanh", init="xavier", seed=0)
    rng = np.random.default_rng(1)
    for p in model.parameters():                  # non-zero biases too
        p.data = rng.standard_normal(p.shape)
    return model


def _same(a, b):
    return type(a) is type(b) and a.config() == b.config() and all(
        pa.dtype == pb.dtype and np.array_equal(pa.data, pb.data)
        for pa, pb in zip(a.parameters(), b.parameters()))


def _npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _meta(**architecture):
    meta = {"format": serialization.FORMAT, "architecture": architecture}
    return np.array(json.dumps(meta))


# --- atomic save ------------------------------------------------------------------------------

def _interrupting_savez(exc, after_bytes=200):
    """np.savez that writes part of the file, then fails like a crash or a full disk."""
    real_savez = np.savez

    def savez(file, **arrays):
        full = io.BytesIO()
        real_savez(full, **arrays)
        file.write(full.getvalue()[:after_bytes])
        file.flush()
        raise exc
    return savez


@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), KeyboardInterrupt(),
                                 MemoryError()], ids=["disk-full", "ctrl-c", "memory"])
def test_an_interrupted_save_keeps_the_old_file_and_leaves_no_temporary(tmp_path, model,
                                                                         monkeypatch, exc):
    path = tmp_path / "model.npz"
    old = nn.LogisticRegression(3)
    nn.save(old, path)
    old_bytes = path.read_bytes()
    monkeypatch.setattr(serialization.np, "savez", _interrupting_savez(exc))
    with pytest.raises(type(exc)):
        nn.save(model, path)
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]
    assert _same(nn.load(path), old)


def test_an_interrupted_first_save_leaves_nothing_under_the_final_name(tmp_path, model,
                                                                       monkeypatch):
    path = tmp_path / "model.npz"
    monkeypatch.setattr(serialization.np, "savez", _interrupting_savez(OSError("I/O error")))
    with pytest.raises(OSError, match="I/O error"):
        nn.save(model, path)
    assert os.listdir(tmp_path) == []


def test_a_failure_to_sync_or_rename_keeps_the_old_file(tmp_path, model, monkeypatch):
    path = tmp_path / "model.npz"
    nn.save(nn.LogisticRegression(3), path)
    old_bytes = path.read_bytes()
    for name in ("fsync", "replace"):
        def fail(*args, name=name):
            raise OSError(f"{name} failed")
        with monkeypatch.context() as patch:
            patch.setattr(serialization.os, name, fail)
            with pytest.raises(OSError, match=f"{name} failed"):
                nn.save(model, path)
        assert path.read_bytes() == old_bytes
        assert os.listdir(tmp_path) == ["model.npz"]


def test_the_temporary_file_lives_beside_the_target_and_is_renamed_over_it(tmp_path, model,
                                                                         monkeypatch):
    # the same folder, hence the same file system, so that os.replace is atomic
    calls = []
    real_replace = os.replace

    def replace(src, dst):
        calls.append((os.path.dirname(src), os.path.basename(src), dst))
        real_replace(src, dst)

    monkeypatch.setattr(serialization.os, "replace", replace)
    nn.save(model, tmp_path / "m.npz")
    [(folder, name, dst)] = calls
    assert folder == str(tmp_path) and re.fullmatch(r"\.nn-save-[0-9a-f]{12}\.tmp", name)
    assert str(dst) == str(tmp_path / "m.npz")
    assert _same(nn.load(tmp_path / "m.npz"), model)


def test_a_model_with_nan_parameters_is_not_saved_and_the_old_file_stays(tmp_path, model):
    path = tmp_path / "m.npz"
    nn.save(model, path)
    old_bytes = path.read_bytes()
    W = model.layer2.W.data.copy()
    W[1, 0], W[0, 3] = np.nan, np.inf
    model.layer2.W.data = W
    with pytest.raises(nn.StateError, match=rf"save: layer2.W contains 2 NaN or inf value\(s\), "
                                            rf"so {path} was not written; did training diverge"):
        nn.save(model, path)
    assert path.read_bytes() == old_bytes and os.listdir(tmp_path) == ["m.npz"]


def test_a_file_with_nan_parameters_is_refused(tmp_path, model):
    arrays = model.state_dict()
    arrays["layer3.b"][0, 0] = np.nan
    arrays["__architecture__"] = _meta(**model.config())
    path = tmp_path / "m.npz"
    path.write_bytes(_npz_bytes(**arrays))
    with pytest.raises(nn.FileFormatError, match=f"load: {path}: layer3.b contains 1 NaN or "
                                                 "inf value"):
        nn.load(path)


def test_saving_into_a_missing_folder_names_the_folder(tmp_path, model):
    path = tmp_path / "no" / "such" / "model.npz"
    with pytest.raises(nn.MissingFileError, match=f"save: cannot write {path}: the folder "
                                                  f"{path.parent} does not exist"):
        nn.save(model, path)


# --- what save writes to: links, FIFOs, long names, errors ----------------------------------

def test_a_parameter_of_another_dtype_comes_back_with_that_dtype(tmp_path, model):
    model.layer2.W.data = model.layer2.W.data.astype(np.float32)
    model.layer3.b.data = model.layer3.b.data.astype(np.float16)
    nn.save(model, tmp_path / "m.npz")
    loaded = nn.load(tmp_path / "m.npz")
    assert [p.dtype.name for p in loaded.parameters()] == \
        ["float64", "float64", "float32", "float64", "float64", "float16"]
    assert _same(loaded, model)
    X = np.random.default_rng(2).standard_normal((3, 5))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_a_recorded_dtype_that_is_not_a_float_is_refused(tmp_path, model):
    arrays = model.state_dict()
    meta = {"format": serialization.FORMAT, "architecture": model.config(),
            "parameters": {"layer1.W": {"dtype": "int64"}}}
    arrays["__architecture__"] = np.array(json.dumps(meta))
    path = tmp_path / "m.npz"
    path.write_bytes(_npz_bytes(**arrays))
    with pytest.raises(nn.FileFormatError, match=f"load: {path}: layer1.W is recorded with "
                                                 "dtype 'int64'; parameters must be one of "
                                                 "float16, float32, float64"):
        nn.load(path)


def test_saving_to_a_symlink_writes_atomically_through_to_its_target(tmp_path, model):
    (tmp_path / "models").mkdir()
    target = tmp_path / "models" / "best.npz"
    nn.save(nn.LogisticRegression(3), target)
    link = tmp_path / "latest.npz"
    link.symlink_to(target)
    nn.save(model, link)
    assert link.is_symlink() and os.readlink(link) == str(target)     # the link stays
    assert _same(nn.load(target), model)
    assert sorted(os.listdir(tmp_path / "models")) == ["best.npz"]    # no temporary left
    dangling = tmp_path / "next.npz"
    dangling.symlink_to(tmp_path / "models" / "new.npz")               # not there yet
    nn.save(model, dangling)
    assert dangling.is_symlink() and _same(nn.load(tmp_path / "models" / "new.npz"), model)


def test_saving_over_a_file_keeps_its_permissions(tmp_path, model):
    path = tmp_path / "m.npz"
    nn.save(model, path)
    os.chmod(path, 0o640)
    nn.save(model, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_a_fifo_or_a_folder_is_refused_and_left_alone(tmp_path, model):
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    with pytest.raises(nn.FileFormatError, match=f"save: cannot write {fifo}: it is a FIFO "
                                                 r"\(named pipe\), not a regular file"):
        nn.save(model, fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    link = tmp_path / "link.npz"
    link.symlink_to(fifo)
    with pytest.raises(nn.FileFormatError, match=rf"it is a FIFO \(named pipe\) \(the link "
                                                 rf"leads to {fifo}\)"):
        nn.save(model, link)
    folder = tmp_path / "folder.npz"
    folder.mkdir()
    with pytest.raises(nn.FileFormatError, match=f"cannot write {folder}: it is a folder"):
        nn.save(model, folder)
    assert sorted(os.listdir(tmp_path)) == ["folder.npz", "link.npz", "pipe.npz"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and link.is_symlink()


def test_a_link_into_a_missing_folder_names_both(tmp_path, model):
    link = tmp_path / "m.npz"
    link.symlink_to(tmp_path / "gone" / "m.npz")
    with pytest.raises(nn.MissingFileError, match=rf"save: cannot write {link} \(the link "
                                                  rf"leads to .*\): the folder "
                                                  rf"{tmp_path / 'gone'} does not exist"):
        nn.save(model, link)


def test_a_250_byte_file_name_works(tmp_path, model):
    path = tmp_path / ("m" * 246 + ".npz")
    assert len(os.fsencode(path.name)) == 250
    nn.save(model, path)
    assert _same(nn.load(path), model) and os.listdir(tmp_path) == [path.name]


def test_os_errors_name_the_users_path_never_the_temporary(tmp_path, model, monkeypatch):
    path = tmp_path / "m.npz"
    real_open = open

    def refuse(file, mode="r", *args, **kwargs):
        if "x" in mode:                                  # the temporary file's creation
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refuse)
    with pytest.raises(PermissionError) as info:
        nn.save(model, path)
    monkeypatch.undo()
    assert info.value.filename == str(path) and info.value.errno == 13
    assert str(info.value) == f"[Errno 13] Permission denied: '{path}'"
    assert ".tmp" not in str(info.value) and os.listdir(tmp_path) == []

    def fail_rename(src, dst):                  # what os.replace raises for a long name
        raise OSError(36, "File name too long", src, None, dst)

    monkeypatch.setattr(serialization.os, "replace", fail_rename)
    with pytest.raises(OSError, match=re.escape(f"File name too long: '{path}'")) as info:
        nn.save(model, path)
    assert "nn-save" not in str(info.value) and os.listdir(tmp_path) == []


@pytest.mark.parametrize("batch_size", [None, 16], ids=["batch", "mini-batches"])
def test_a_kept_training_error_holds_neither_the_graph_nor_the_data(batch_size):
    model = nn.DeepNN([2, 8, 1], seed=0)
    refs = {}
    forward = model.forward

    def recording_forward(X):
        A = forward(X)
        refs["A[L] (and with it the graph)"] = weakref.ref(A)
        return A

    model.forward = recording_forward

    def data():
        X, Y = nn.datasets.xor(m=50, seed=0)
        refs["X"] = weakref.ref(X)
        return X, Y

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                 # the overflow warnings of lr = 1e9
        try:
            model.fit(*data(), iterations=50, learning_rate=1e9, batch_size=batch_size,
                      seed=0)
        except nn.TrainingError as exc:
            kept = exc
    assert not np.isfinite(kept.cost)
    assert kept.learning_rate == 1e9 and len(model.costs_) == kept.iteration
    assert kept.__context__ is None and kept.__cause__ is None
    alive = [name for name, ref in refs.items() if ref() is not None]
    assert alive == [], f"kept alive by the error (before any garbage collection): {alive}"
    assert f"at iteration {kept.iteration}" in str(kept)


# --- strict load ------------------------------------------------------------------------------

class _Payload:
    """An object whose unpickling would create a folder: proof that nothing was unpickled."""

    def __init__(self, folder):
        self.folder = folder

    def __reduce__(self):
        return os.mkdir, (self.folder,)


@pytest.mark.parametrize("key", ["__architecture__", "layer1.W", "extra"])
def test_pickled_objects_are_refused_without_being_unpickled(tmp_path, model, key):
    marker = tmp_path / "unpickled"
    arrays = dict(model.state_dict())
    arrays["__architecture__"] = _meta(**model.config())
    arrays[key] = np.array([_Payload(str(marker))], dtype=object)
    path = tmp_path / "evil.npz"
    path.write_bytes(_npz_bytes(**arrays))
    with pytest.raises(nn.FileFormatError) as info:
        nn.load(path)
    message = str(info.value)
    assert str(path) in message and f"'{key}'" in message and "pickled" in message
    assert not marker.exists()


def test_truncated_files_are_refused_at_every_length(tmp_path, model):
    good = tmp_path / "good.npz"
    nn.save(model, good)
    data = good.read_bytes()
    path = tmp_path / "cut.npz"
    for length in range(0, len(data), 37):
        path.write_bytes(data[:length])
        with pytest.raises(nn.FileFormatError) as info:
            nn.load(path)
        assert str(path) in str(info.value)


def test_a_file_with_its_end_cut_off_says_it_is_damaged(tmp_path, model):
    path = tmp_path / "m.npz"
    nn.save(model, path)
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(nn.FileFormatError, match=f"load: {path} is not a model file written "
                                                 "by nn.save, or it is damaged"):
        nn.load(path)


def test_changed_bytes_inside_a_parameter_are_caught_by_the_checksum(tmp_path, model):
    path = tmp_path / "m.npz"
    nn.save(model, path)
    data = bytearray(path.read_bytes())
    data[data.index(b"layer1.W.npy") + 200] ^= 0x01     # inside layer1.W's numbers
    path.write_bytes(bytes(data))
    with pytest.raises(nn.FileFormatError, match="CRC"):
        nn.load(path)


def test_a_file_of_another_architecture_is_refused(tmp_path, model):
    path = tmp_path / "m.npz"
    arrays = model.state_dict()
    arrays["__architecture__"] = _meta(**{**model.config(), "layer_dims": [3, 5, 2, 1]})
    path.write_bytes(_npz_bytes(**arrays))
    with pytest.raises(nn.FileFormatError, match=r"layer1.W has shape \(4, 3\), the model "
                                                 r"expects \(5, 3\)"):
        nn.load(path)


def test_a_file_saved_from_another_model_class_loads_as_that_class(tmp_path):
    shallow = nn.TwoLayerNet(3, 4, 1, seed=0)
    nn.save(shallow, tmp_path / "m.npz")
    loaded = nn.load(tmp_path / "m.npz")
    assert type(loaded) is nn.TwoLayerNet and _same(loaded, shallow)


@pytest.mark.parametrize("change, says", [
    (lambda a: a.update({"layer2.W": a["layer2.W"].astype(np.float32)}),
     "layer2.W has dtype float32, the model expects float64"),
    (lambda a: a.update({"layer2.b": a["layer2.b"].astype(np.int64)}),
     "layer2.b has dtype int64, the model expects float64"),
    (lambda a: a.update({"layer2.W": a["layer2.W"].T}),
     r"layer2.W has shape \(4, 2\), the model expects \(2, 4\)"),
    (lambda a: a.update({"layer3.b": a["layer3.b"].ravel()}),
     r"layer3.b has shape \(1,\), the model expects \(1, 1\)"),
    (lambda a: a.pop("layer3.W"), "missing layer3.W"),
    (lambda a: a.update({"layer4.W": np.zeros((1, 1))}), "unexpected layer4.W"),
    (lambda a: a.update({"__architecture__": np.array("[1, 2")}), "not valid JSON"),
    (lambda a: a.update({"__architecture__": np.array("[" * 100_000)}), "not valid JSON"),
    (lambda a: a.update({"__architecture__": np.array(3.0)}), "unknown file format 3.0"),
    (lambda a: a.update({"__architecture__": np.array(json.dumps(
        {"format": "autograd_lite.nn/1", "architecture": {"class": ["DeepNN"]}}))}),
     r"unknown model class \['DeepNN'\]"),
    (lambda a: a.update({"__architecture__": np.array(json.dumps(
        {"format": "autograd_lite.nn/1", "architecture": {
            "class": "DeepNN", "layer_dims": [3, 4, 2, 1], "dtype": "object"}}))}),
     "invalid architecture"),
    (lambda a: a.update({"__architecture__": np.array(json.dumps(
        {"format": "autograd_lite.nn/1", "architecture": {
            "class": "DeepNN", "layer_dims": [3, "4", 2, 1]}}))}),
     r"layer sizes \[3, '4', 2, 1\] are not a list of at least two positive integers"),
], ids=["dtype-float32", "dtype-int", "shape-transposed", "shape-rank-1-bias", "missing",
        "unexpected", "json-broken", "json-deep", "json-not-text", "class-not-a-name",
        "dtype-object", "layer-size-text"])
def test_wrong_shapes_dtypes_and_architectures_are_refused_naming_what(tmp_path, model,
                                                                       change, says):
    arrays = model.state_dict()
    arrays["__architecture__"] = _meta(**model.config())
    change(arrays)
    path = tmp_path / "m.npz"
    path.write_bytes(_npz_bytes(**arrays))
    with pytest.raises(nn.FileFormatError, match=says) as info:
        nn.load(path)
    assert str(path) in str(info.value)


def test_a_huge_declared_architecture_is_refused_before_anything_is_allocated(tmp_path, model):
    arrays = model.state_dict()
    arrays["__architecture__"] = _meta(**{**model.config(),
                                          "layer_dims": [3, 10 ** 9, 10 ** 9, 1]})
    path = tmp_path / "m.npz"
    path.write_bytes(_npz_bytes(**arrays))
    start = time.perf_counter()
    with pytest.raises(nn.FileFormatError, match=r"layer1.W has shape \(4, 3\), the model "
                                                 r"expects \(1000000000, 3\)"):
        nn.load(path)
    assert time.perf_counter() - start < 1.0


def test_an_npy_header_promising_more_data_than_there_is_is_refused_before_reading(tmp_path):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10 ** 12,)})
    path = tmp_path / "m.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("layer1.W.npy", header.getvalue() + b"\0" * 64)
    with pytest.raises(nn.FileFormatError, match=r"entry 'layer1.W' claims shape "
                                                 r"\(1000000000000,\) of float64"):
        nn.load(path)


@pytest.mark.parametrize("content, says", [
    (b"", "not a model file"),
    (b"hello, not a zip", "not a model file"),
    (b"\x93NUMPY\x01\x00", "single .npy array"),
])
def test_files_that_are_not_npz_are_refused(tmp_path, content, says):
    path = tmp_path / "m.npz"
    path.write_bytes(content)
    with pytest.raises(nn.FileFormatError, match=says):
        nn.load(path)


def test_a_zip_with_foreign_or_repeated_entries_is_refused(tmp_path, model):
    path = tmp_path / "m.npz"
    nn.save(model, path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("README.txt", "hello")
    with pytest.raises(nn.FileFormatError, match="'README.txt' an entry that is not an .npy"):
        nn.load(path)
    nn.save(model, path)
    with zipfile.ZipFile(path, "a") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("layer1.b.npy", archive.read("layer1.b.npy"))
    with pytest.raises(nn.FileFormatError, match="'layer1.b.npy' twice"):
        nn.load(path)


def test_a_folder_or_a_missing_path_is_a_missing_file(tmp_path):
    for path in (tmp_path, tmp_path / "absent.npz"):
        with pytest.raises(nn.MissingFileError, match=f"load: no model file at {path}"):
            nn.load(path)


# --- fuzz -------------------------------------------------------------------------------------

FUZZ_ITERATIONS = 1000


def _mutate(data, rng, insert):
    """One random damage: bit flips, a cut, random bytes inserted, a whole valid model file
    inserted, a chunk deleted, duplicated or zeroed."""
    data = bytearray(data)
    kind = int(rng.integers(7))
    n = len(data)
    if kind == 0:
        for _ in range(int(rng.integers(1, 9))):
            data[int(rng.integers(n))] ^= 1 << int(rng.integers(8))
    elif kind == 1:
        data = data[:int(rng.integers(n))]
    elif kind == 2:
        at = int(rng.integers(n + 1))
        data[at:at] = rng.bytes(int(rng.integers(1, 64)))
    elif kind == 3:
        at = int(rng.integers(n + 1))
        data[at:at] = insert
    elif kind == 4:
        at = int(rng.integers(n))
        del data[at:at + int(rng.integers(1, 256))]
    elif kind == 5:
        at = int(rng.integers(n))
        chunk = data[at:at + int(rng.integers(1, 256))]
        data[at:at] = chunk
    else:
        at = int(rng.integers(n))
        size = int(rng.integers(1, 64))
        data[at:at + size] = bytes(len(data[at:at + size]))
    return kind, bytes(data)


def test_fuzzed_model_files_give_only_the_librarys_error_or_the_exact_model(tmp_path, model):
    good_path = tmp_path / "good.npz"
    nn.save(model, good_path)
    good = good_path.read_bytes()
    other_path = tmp_path / "other.npz"
    nn.save(nn.TwoLayerNet(2, 3, 1, seed=0), other_path)
    insert = other_path.read_bytes()                 # a valid saved model, to be spliced in
    rng = np.random.default_rng(20240607)
    path = tmp_path / "fuzzed.npz"
    outcomes = Counter()
    for i in range(FUZZ_ITERATIONS):
        kind, data = _mutate(good, rng, insert)
        path.write_bytes(data)
        try:
            loaded = nn.load(path)
        except nn.FileFormatError as exc:
            assert str(path) in str(exc)
            outcomes[kind, "refused"] += 1
        except Exception as exc:                      # anything else is a failure
            raise AssertionError(f"iteration {i} (damage {kind}): {type(exc).__name__}: "
                                 f"{exc}") from exc
        else:
            # damage to bytes nothing reads (zip metadata, padding, a prefix): same model
            assert _same(loaded, model) or _same(loaded, nn.load(other_path)), \
                f"iteration {i} (damage {kind}) loaded a different model"
            outcomes[kind, "loaded"] += 1
    assert sum(outcomes.values()) == FUZZ_ITERATIONS
    refused = sum(v for (_, result), v in outcomes.items() if result == "refused")
    assert refused > 0.9 * FUZZ_ITERATIONS            # the damage really was damage
    assert all(outcomes[kind, "refused"] > 0 for kind in range(7))
