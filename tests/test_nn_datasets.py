"""Data sets: the course's cat pictures and flower, and the small generated sets."""
import numpy as np
import pytest

import nn
from nn import datasets


def test_cat_data_in_course_layout(cat_data, data_dir):
    import h5py

    train_x, train_y, test_x, test_y, classes = cat_data
    assert train_x.shape == (12288, 209) and train_y.shape == (1, 209)
    assert test_x.shape == (12288, 50) and test_y.shape == (1, 50)
    assert classes == ("non-cat", "cat")
    assert train_x.dtype == np.float64 and 0 <= train_x.min() and train_x.max() <= 1
    # column j is picture j flattened (row-major over 64 × 64 × 3) and divided by 255
    with h5py.File(data_dir / "train_catvnoncat.h5", "r") as f:
        pictures, labels = f["train_set_x"][:], f["train_set_y"][:]
    np.testing.assert_array_equal(train_x[:, 7], pictures[7].ravel() / 255)
    np.testing.assert_array_equal(train_y[0], labels)
    assert int(train_y.sum()) == 72 and int(test_y.sum()) == 33       # cats in each set


def test_missing_cat_file_names_the_path(tmp_path):
    with pytest.raises(nn.MissingFileError, match=str(tmp_path / "train_catvnoncat.h5")):
        datasets.load_catvnoncat(tmp_path)


def test_unreadable_cat_file_names_the_path(tmp_path):
    (tmp_path / "train_catvnoncat.h5").write_bytes(b"not hdf5")
    with pytest.raises(nn.FileFormatError, match="cannot read .*train_catvnoncat.h5"):
        datasets.load_catvnoncat(tmp_path)


def fake_cat_files(folder, m=3):
    """Small files with the course's layout: m pictures of 4×4×3, labels 0, 1, 0, ..."""
    import h5py

    folder.mkdir(parents=True, exist_ok=True)
    for split in ("train", "test"):
        with h5py.File(folder / f"{split}_catvnoncat.h5", "w") as f:
            f[f"{split}_set_x"] = np.arange(m * 48, dtype=np.uint8).reshape(m, 4, 4, 3)
            f[f"{split}_set_y"] = np.arange(m) % 2
            f["list_classes"] = np.array([b"non-cat", b"cat"])
    return folder


def test_the_environment_variable_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(tmp_path))
    fake_cat_files(tmp_path / "shared" / "data")
    monkeypatch.chdir(tmp_path)
    assert datasets.data_dirs() == [tmp_path] and datasets.default_data_dir() == tmp_path
    with pytest.raises(nn.MissingFileError, match=f"looked in {tmp_path}. To use them"):
        datasets.load_catvnoncat()


@pytest.mark.parametrize("where", ["shared/data", "../shared/data"])
def test_after_a_non_editable_install_the_data_is_found_from_the_current_folder(
        monkeypatch, tmp_path, where):
    # installed: the package lives in site-packages, far from any checkout
    site = tmp_path / "venv" / "lib" / "python3" / "site-packages"
    monkeypatch.setattr(datasets, "_BESIDE_THE_CHECKOUT", site.parent.parent)
    monkeypatch.delenv("AUTOGRAD_LITE_DATA", raising=False)
    project = tmp_path / "project"
    project.mkdir()
    data = fake_cat_files((project / where).resolve())
    monkeypatch.chdir(project)
    assert datasets.default_data_dir().resolve() == data
    train_x, train_y, test_x, test_y, classes = datasets.load_catvnoncat()
    assert train_x.shape == (48, 3) and classes == ("non-cat", "cat")
    np.testing.assert_array_equal(train_x[:, 1], np.arange(48, 96) / 255)
    assert train_y.tolist() == [[0, 1, 0]]


def test_without_the_data_the_error_names_every_folder_and_every_way(monkeypatch, tmp_path):
    monkeypatch.setattr(datasets, "_BESIDE_THE_CHECKOUT", tmp_path / "lib")
    monkeypatch.delenv("AUTOGRAD_LITE_DATA", raising=False)
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path / "empty")
    with pytest.raises(nn.MissingFileError) as info:
        datasets.load_catvnoncat()
    message = str(info.value)
    for folder in (tmp_path / "empty" / "shared" / "data", tmp_path / "shared" / "data",
                   tmp_path / "lib" / "shared" / "data"):
        assert str(folder) in message
    for way in ("--data-dir DIR", "load_catvnoncat(data_dir=DIR)", "AUTOGRAD_LITE_DATA=DIR",
                "./shared/data"):
        assert way in message


def test_a_checkout_finds_the_data_beside_it(monkeypatch, tmp_path):
    monkeypatch.delenv("AUTOGRAD_LITE_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    repo = __import__("pathlib").Path(nn.__file__).resolve().parent.parent
    assert datasets.data_dirs()[-1] == repo.parent / "shared" / "data"


def test_an_installed_copy_finds_the_data_from_the_current_folder(tmp_path):
    """The real thing: the packages copied into a site-packages folder as `pip install .`
    does, run in a fresh interpreter from a project folder with shared/data."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(nn.__file__).resolve().parent.parent
    site = tmp_path / "site-packages"
    for package in ("nn", "autograd_lite"):
        shutil.copytree(repo / package, site / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    project = tmp_path / "project"
    fake_cat_files(project / "shared" / "data")
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRAD_LITE_DATA"}
    env["PYTHONPATH"] = str(site)
    code = ("import nn; print(nn.__file__); print(nn.datasets.load_catvnoncat().train_x.shape)")
    done = subprocess.run([sys.executable, "-c", code], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    where, shape = done.stdout.splitlines()
    assert where == str(site / "nn" / "__init__.py") and shape == "(48, 3)"
    done = subprocess.run([sys.executable, "-m", "autograd_lite", "train", "--dataset",
                           "catvnoncat", "--model", "logreg"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("autograd-lite: error: load_catvnoncat: the course's data "
                                  f"files were not found; looked in {tmp_path / 'shared' / 'data'}")
    assert "--data-dir DIR" in done.stderr and not (tmp_path / "runs").exists()


def course_load_planar_dataset():
    """The course's load_planar_dataset(), verbatim (it seeds numpy's global generator)."""
    np.random.seed(1)
    m = 400
    N = int(m / 2)
    D = 2
    X = np.zeros((m, D))
    Y = np.zeros((m, 1), dtype="uint8")
    a = 4
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def test_planar_flower_is_the_course_data_set():
    state = np.random.get_state()
    try:
        X_course, Y_course = course_load_planar_dataset()
    finally:
        np.random.set_state(state)
    X, Y = datasets.planar_flower(m=400, seed=1)
    np.testing.assert_array_equal(X, X_course)
    np.testing.assert_array_equal(Y, Y_course)          # the same labels, as floats:
    assert Y.dtype == np.float64 and Y_course.dtype == np.uint8
    # the course's uint8 labels wrap in 2Y − 1; float labels give the ±1 a learner expects
    assert sorted(set((2 * Y_course - 1).ravel().tolist())) == [1, 255]
    assert sorted(set((2 * Y - 1).ravel().tolist())) == [-1.0, 1.0]


def test_planar_flower_leaves_global_random_state_alone():
    before = np.random.get_state()[1].copy()
    datasets.planar_flower()
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_planar_flower_refuses_odd_m():
    with pytest.raises(nn.ConfigError, match="even"):
        datasets.planar_flower(m=5)


def test_xor_labels_follow_the_quadrants():
    X, Y = datasets.xor(m=500, seed=3)
    assert X.shape == (2, 500) and Y.shape == (1, 500)
    assert np.abs(X).max() <= 1
    np.testing.assert_array_equal(Y[0], (X[0] * X[1] < 0).astype(int))
    assert 0.4 < Y.mean() < 0.6


def test_circles_radii():
    X, Y = datasets.circles(m=400, noise=0.0, factor=0.3, seed=0)
    radius = np.hypot(X[0], X[1])
    np.testing.assert_allclose(radius[Y[0] == 0], 1.0)
    np.testing.assert_allclose(radius[Y[0] == 1], 0.3)
    assert Y.sum() == 200
    noisy, _ = datasets.circles(m=400, noise=0.1, seed=0)
    assert not np.allclose(np.hypot(*noisy), np.hypot(*datasets.circles(m=400, noise=0.0)[0]))


def test_moons_without_noise_lie_on_the_two_half_circles():
    X, Y = datasets.moons(m=200, noise=0.0)
    upper, lower = X[:, Y[0] == 0], X[:, Y[0] == 1]
    np.testing.assert_allclose(np.hypot(upper[0], upper[1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[0] - 1, lower[1] - 0.5), 1.0)
    assert (upper[1] >= 0).all() and (lower[1] <= 0.5).all()


@pytest.mark.parametrize("make", [datasets.xor, datasets.circles, datasets.moons])
def test_generated_sets_are_reproducible_by_seed(make):
    a, b, c = make(m=50, seed=4), make(m=50, seed=4), make(m=50, seed=5)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    with pytest.raises(nn.ConfigError, match="m must be a positive integer"):
        make(m=0)
