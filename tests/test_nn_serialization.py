"""save/load: one .npz, no pickle, atomic writes, clear errors naming the path."""
import json
import os

import numpy as np
import pytest

import nn
from nn import serialization


@pytest.fixture
def trained():
    X, Y = nn.datasets.moons(m=60, seed=0)
    model = nn.DeepNN([2, 5, 3, 1], hidden="tanh", init="xavier", seed=0)
    model.fit(X, Y, iterations=50, learning_rate=0.5)
    return model, X


@pytest.mark.parametrize("make", [
    lambda: nn.LogisticRegression(4),
    lambda: nn.TwoLayerNet(4, 3, 2, hidden="relu", seed=0),
    lambda: nn.DeepNN([4, 3, 3], hidden="leaky_relu", output="softmax", seed=0),
    lambda: nn.DeepNN([4, 2, 1], seed=0, dtype=np.float32),
])
def test_round_trip_keeps_class_architecture_and_values(tmp_path, make):
    model = make()
    for p in model.parameters():             # non-trivial values everywhere
        p.data = np.random.default_rng(1).standard_normal(p.shape).astype(p.dtype)
    path = tmp_path / "model.npz"
    nn.save(model, path)
    loaded = nn.load(path)
    assert type(loaded) is type(model)
    assert loaded.config() == model.config()
    for (name, a), (name_b, b) in zip(model.named_parameters(), loaded.named_parameters()):
        assert name == name_b and b.name == name
        assert b.dtype == a.dtype
        np.testing.assert_array_equal(b.data, a.data)


def test_loaded_model_predicts_the_same(tmp_path, trained):
    model, X = trained
    nn.save(model, tmp_path / "m.npz")
    np.testing.assert_array_equal(nn.load(tmp_path / "m.npz").predict_proba(X),
                                  model.predict_proba(X))


def test_file_is_a_plain_npz_with_json_architecture(tmp_path, trained):
    model, _ = trained
    nn.save(model, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        assert sorted(npz.files) == ["__architecture__", "layer1.W", "layer1.b", "layer2.W",
                                     "layer2.b", "layer3.W", "layer3.b"]
        meta = json.loads(str(npz["__architecture__"]))
    assert meta["format"] == "autograd_lite.nn/1"
    assert meta["architecture"] == {"class": "DeepNN", "layer_dims": [2, 5, 3, 1],
                                    "hidden": "tanh", "output": "sigmoid", "dtype": "float64"}
    assert meta["parameters"]["layer1.W"] == {"shape": [5, 2], "dtype": "float64"}


def test_save_replaces_atomically_and_leaves_no_temporary_file(tmp_path, trained,
                                                               monkeypatch):
    model, _ = trained
    path = tmp_path / "m.npz"
    nn.save(nn.LogisticRegression(3), path)
    original = path.read_bytes()

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(serialization.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        nn.save(model, path)
    assert path.read_bytes() == original                 # the old model is intact
    assert os.listdir(tmp_path) == ["m.npz"]             # and no temporary file is left
    monkeypatch.undo()
    nn.save(model, path)
    assert os.listdir(tmp_path) == ["m.npz"]
    assert type(nn.load(path)) is nn.DeepNN


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nope.npz"
    with pytest.raises(nn.MissingFileError, match=str(path)) as info:
        nn.load(path)
    assert isinstance(info.value, FileNotFoundError)


def write_npz(path, **arrays):
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


def architecture(**overrides):
    meta = {"format": "autograd_lite.nn/1",
            "architecture": {"class": "DeepNN", "layer_dims": [2, 3, 1], "hidden": "relu",
                             "output": "sigmoid", "dtype": "float64"}}
    meta.update(overrides)
    return np.array(json.dumps(meta))


GOOD = {"layer1.W": np.zeros((3, 2)), "layer1.b": np.zeros((3, 1)),
        "layer2.W": np.zeros((1, 3)), "layer2.b": np.zeros((1, 1))}


@pytest.mark.parametrize("arrays, message", [
    ({**GOOD}, "no '__architecture__' entry"),
    ({**GOOD, "__architecture__": np.array("{not json")}, "not valid JSON"),
    ({**GOOD, "__architecture__": architecture(format="other/9")}, "unknown file format"),
    ({**GOOD, "__architecture__": architecture(
        architecture={"class": "ResNet", "layer_dims": [2, 1]})},
     "unknown model class 'ResNet'; known: LogisticRegression, TwoLayerNet, DeepNN"),
    ({**GOOD, "__architecture__": architecture(
        architecture={"class": "DeepNN", "layer_dims": [2, 3, 1], "hidden": "cube"})},
     "invalid architecture.*cube"),
    ({**GOOD, "__architecture__": architecture(
        architecture={"class": "DeepNN", "layer_dims": [2, 3, 1], "colour": "red"})},
     "invalid architecture.*colour"),
    ({**GOOD, "layer2.W": np.zeros((3, 1)), "__architecture__": architecture()},
     r"layer2.W has shape \(3, 1\), the model expects \(1, 3\)"),
    ({**GOOD, "layer1.b": np.zeros((3, 1), np.float32), "__architecture__": architecture()},
     "layer1.b has dtype float32, the model expects float64"),
    ({k: v for k, v in GOOD.items() if k != "layer2.b"} | {"__architecture__": architecture()},
     "missing layer2.b"),
    ({**GOOD, "layer3.W": np.zeros(1), "__architecture__": architecture()},
     "unexpected layer3.W"),
])
def test_invalid_files_raise_naming_path_and_problem(tmp_path, arrays, message):
    path = write_npz(tmp_path / "bad.npz", **arrays)
    with pytest.raises(nn.FileFormatError, match=message) as info:
        nn.load(path)
    assert str(path) in str(info.value)


def test_pickled_objects_are_refused(tmp_path):
    path = write_npz(tmp_path / "evil.npz", **GOOD, __architecture__=architecture(),
                     extra=np.array([{"a": 1}], dtype=object))
    with pytest.raises(nn.FileFormatError, match="not a model file.*pickle"):
        nn.load(path)


@pytest.mark.parametrize("content", [b"hello, not a zip", b""])
def test_files_that_are_not_npz_are_refused(tmp_path, content):
    path = tmp_path / "junk.npz"
    path.write_bytes(content)
    with pytest.raises(nn.FileFormatError, match=f"{path}.*not a model file"):
        nn.load(path)


def test_a_single_npy_array_is_refused(tmp_path):
    path = tmp_path / "one.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(nn.FileFormatError, match="single .npy array"):
        nn.load(path)


def test_only_models_can_be_saved(tmp_path):
    with pytest.raises(nn.NNError, match="Linear has no config"):
        nn.save(nn.Linear(2, 1), tmp_path / "layer.npz")


def test_errors_are_autograd_errors():
    from autograd_lite.errors import AutogradError
    for cls in (nn.NNError, nn.ConfigError, nn.FileFormatError, nn.MissingFileError,
                nn.NNShapeError, nn.StateError, nn.DataError):
        assert issubclass(cls, AutogradError)
