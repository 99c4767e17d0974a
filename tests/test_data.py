"""Tests of course_lib.data: the digits split and upscaling, and MNIST loading without network
(small IDX files written here, downloads simulated or pointed at an unreachable address)."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision
from torchvision.datasets.utils import extract_archive

from course_lib import data

N_DIGITS = 1797
N_TEST = 360
MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
FOLDER = {"mnist": "MNIST", "fashion": "FashionMNIST"}


# ---------------------------------------------------------------------------------------------
# digits
# ---------------------------------------------------------------------------------------------


def _rows(X: np.ndarray) -> list[bytes]:
    return [row.tobytes() for row in X.reshape(len(X), -1)]


@pytest.mark.parametrize("split", ["train", "test", "all"])
def test_digits_shapes_dtypes_range(split):
    X, y = data.load_digits(split)
    assert X.dtype == np.float32 and y.dtype == np.int64
    assert X.ndim == 4 and X.shape[1:] == (1, 8, 8)
    assert y.shape == (len(X),)
    assert X.min() >= 0.0 and X.max() <= 1.0
    assert X.max() == 1.0  # the original 16 maps to exactly 1
    assert set(np.unique(y)) == set(range(10))


def test_digits_split_sizes_add_up():
    n_train = len(data.load_digits("train")[0])
    n_test = len(data.load_digits("test")[0])
    n_all = len(data.load_digits("all")[0])
    assert (n_train, n_test, n_all) == (N_DIGITS - N_TEST, N_TEST, N_DIGITS)
    assert n_train + n_test == n_all


def test_digits_split_is_stratified():
    _, y_all = data.load_digits("all")
    _, y_test = data.load_digits("test")
    for c in range(10):
        expected = N_TEST * np.sum(y_all == c) / N_DIGITS
        assert abs(np.sum(y_test == c) - expected) <= 1, f"class {c}"


def test_digits_split_is_fixed_and_a_partition():
    first = data.load_digits("train"), data.load_digits("test")
    data._digits_cached.cache_clear()  # recompute from scratch, not from the cache
    second = data.load_digits("train"), data.load_digits("test")
    for (X1, y1), (X2, y2) in zip(first, second, strict=True):
        assert np.array_equal(X1, X2) and np.array_equal(y1, y2)

    (X_train, y_train), (X_test, y_test) = first
    X_all, y_all = data.load_digits("all")
    label_of = dict(zip(_rows(X_all), y_all, strict=True))
    assert len(label_of) == N_DIGITS  # the 1,797 images are distinct, so rows identify them
    train_rows, test_rows = _rows(X_train), _rows(X_test)
    assert set(train_rows).isdisjoint(test_rows)
    assert set(train_rows) | set(test_rows) == set(label_of)
    assert [label_of[r] for r in train_rows] == list(y_train)
    assert [label_of[r] for r in test_rows] == list(y_test)


@pytest.mark.parametrize("size", [16, 28])
@pytest.mark.parametrize("split", ["train", "test"])
def test_digits_upscaled_keep_the_image(split, size):
    X8, y8 = data.load_digits(split, size=8)
    X, y = data.load_digits(split, size=size)
    assert X.shape == (len(X8), 1, size, size) and X.dtype == np.float32
    assert np.array_equal(y, y8)
    assert X.min() >= 0.0 and X.max() <= 1.0
    back = torch.nn.functional.adaptive_avg_pool2d(torch.from_numpy(X), 8).numpy()
    corr = np.corrcoef(back.ravel(), X8.ravel())[0, 1]
    assert corr > 0.9
    # per image too: every downscaled image still resembles its original
    per_image = [np.corrcoef(b.ravel(), o.ravel())[0, 1] for b, o in zip(back, X8, strict=True)]
    assert min(per_image) > 0.8


def test_digits_returns_copies():
    X, y = data.load_digits("train", size=16)
    X_before, y_before = X.copy(), y.copy()
    X[:] = -5.0
    y[:] = 99
    X2, y2 = data.load_digits("train", size=16)
    assert np.array_equal(X2, X_before) and np.array_equal(y2, y_before)


def test_digits_bad_split():
    with pytest.raises(ValueError) as info:
        data.load_digits("validation")
    message = str(info.value)
    for word in ("train", "test", "all", "validation"):
        assert word in message


@pytest.mark.parametrize("size", [10, 0, 32])
def test_digits_bad_size_value(size):
    with pytest.raises(ValueError) as info:
        data.load_digits("train", size=size)
    message = str(info.value)
    assert all(str(s) in message for s in data.DIGITS_SIZES)
    assert f"got {size}" in message


@pytest.mark.parametrize("size", [True, 16.0, "16", None])
def test_digits_bad_size_type(size):
    with pytest.raises(TypeError) as info:
        data.load_digits("train", size=size)
    message = str(info.value)
    assert all(str(s) in message for s in data.DIGITS_SIZES)
    assert repr(size) in message


def test_digits_accepts_numpy_int_size():
    X, _ = data.load_digits("test", size=np.int64(16))
    assert X.shape[2:] == (16, 16)


# ---------------------------------------------------------------------------------------------
# MNIST on small IDX files written here
# ---------------------------------------------------------------------------------------------


def _idx_bytes(array: np.ndarray) -> bytes:
    """IDX format: big-endian magic (2051 images, 2049 labels), the dimensions, uint8 data."""
    magic = {3: 2051, 1: 2049}[array.ndim]
    header = struct.pack(f">I{array.ndim}I", magic, *array.shape)
    return header + array.astype(np.uint8).tobytes()


def _fake_dataset(seed: int) -> dict[str, bytes]:
    """Contents of the four files: 7 train and 5 test random images with random labels."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for prefix, n in (("train", 7), ("t10k", 5)):
        arrays[f"{prefix}-images-idx3-ubyte"] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        arrays[f"{prefix}-labels-idx1-ubyte"] = rng.integers(0, 10, n, dtype=np.uint8)
    return arrays


def _write_raw(root: Path, kind: str, arrays: dict, names=MNIST_FILES) -> Path:
    raw = root / FOLDER[kind] / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in names:
        (raw / name).write_bytes(_idx_bytes(arrays[name]))
    return raw


def _expected(arrays: dict, split: str):
    prefix = "train" if split == "train" else "t10k"
    images = arrays[f"{prefix}-images-idx3-ubyte"]
    labels = arrays[f"{prefix}-labels-idx1-ubyte"]
    return images[:, None].astype(np.float64) / 255.0, labels.astype(np.int64)


def _files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("kind", ["mnist", "fashion"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_mnist_loads_the_written_files(tmp_path, kind, split):
    arrays = _fake_dataset(seed=len(kind) + len(split))
    _write_raw(tmp_path, kind, arrays)
    X, y = data.load_mnist(split, kind=kind, root=tmp_path)
    X_expected, y_expected = _expected(arrays, split)
    assert X.dtype == np.float32 and y.dtype == np.int64
    assert X.shape == X_expected.shape and X.shape[1:] == (1, 28, 28)
    np.testing.assert_allclose(X, X_expected, rtol=0, atol=1e-7)
    assert np.array_equal(y, y_expected)
    assert X.min() >= 0.0 and X.max() <= 1.0


def test_mnist_limit(tmp_path):
    arrays = _fake_dataset(seed=1)
    _write_raw(tmp_path, "mnist", arrays)
    X_expected, y_expected = _expected(arrays, "train")
    X, y = data.load_mnist("train", root=tmp_path, limit=3)
    assert X.shape == (3, 1, 28, 28) and y.shape == (3,)
    np.testing.assert_allclose(X, X_expected[:3], rtol=0, atol=1e-7)
    assert np.array_equal(y, y_expected[:3])
    X, _ = data.load_mnist("train", root=tmp_path, limit=1000)
    assert len(X) == len(X_expected)


def test_mnist_kinds_are_separate_folders(tmp_path):
    _write_raw(tmp_path, "mnist", _fake_dataset(seed=2))
    with pytest.raises(data.DatasetNotAvailable):
        data.load_mnist("train", kind="fashion", root=tmp_path)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"kind": "kmnist"}, ValueError, ["mnist", "fashion", "kmnist"]),
        ({"split": "valid"}, ValueError, ["train", "test", "valid"]),
        ({"split": "all"}, ValueError, ["train", "test", "all"]),
        ({"limit": 0}, ValueError, ["limit", "0"]),
        ({"limit": True}, TypeError, ["limit", "True"]),
        ({"limit": 2.5}, TypeError, ["limit", "2.5"]),
    ],
)
def test_mnist_bad_arguments(tmp_path, kwargs, error, words):
    _write_raw(tmp_path, "mnist", _fake_dataset(seed=3))
    with pytest.raises(error) as info:
        data.load_mnist(root=tmp_path, **kwargs)
    for word in words:
        assert word in str(info.value)


def test_available_reflects_presence(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert data.available() == {"digits": True, "mnist": False, "fashion": False}
    arrays = _fake_dataset(seed=4)
    _write_raw(tmp_path, "fashion", arrays, names=MNIST_FILES[:3])  # one file missing
    assert data.available() == {"digits": True, "mnist": False, "fashion": False}
    _write_raw(tmp_path, "mnist", arrays)
    assert data.available() == {"digits": True, "mnist": True, "fashion": False}
    _write_raw(tmp_path, "fashion", arrays)
    assert data.available() == {"digits": True, "mnist": True, "fashion": True}
    # root defaults to data_dir()
    X, _ = data.load_mnist("test", kind="fashion")
    assert len(X) == len(arrays["t10k-labels-idx1-ubyte"])


# ---------------------------------------------------------------------------------------------
# offline behaviour and atomic downloads
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["mnist", "fashion"])
def test_missing_without_download_explains_what_to_place(tmp_path, kind):
    with pytest.raises(data.DatasetNotAvailable) as info:
        data.load_mnist("train", kind=kind, root=tmp_path)
    assert isinstance(info.value, FileNotFoundError)
    message = str(info.value)
    assert str(tmp_path / FOLDER[kind] / "raw") in message
    for name in MNIST_FILES:
        assert name in message
    assert "COURSE_DATA_DIR" in message and "download=True" in message
    assert _files_under(tmp_path) == []


def test_gz_only_is_not_enough(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name, array in _fake_dataset(seed=5).items():
        (raw / f"{name}.gz").write_bytes(gzip.compress(_idx_bytes(array)))
    assert not data._mnist_present(tmp_path, "mnist")
    with pytest.raises(data.DatasetNotAvailable, match="gunzip"):
        data.load_mnist(root=tmp_path)


@pytest.mark.parametrize("kind", ["mnist", "fashion"])
def test_unreachable_mirror_leaves_nothing(tmp_path, monkeypatch, kind):
    for cls in (torchvision.datasets.MNIST, torchvision.datasets.FashionMNIST):
        monkeypatch.setattr(cls, "mirrors", ["http://127.0.0.1:9/"])
    root = tmp_path / "data"
    with pytest.raises(data.DatasetNotAvailable) as info:
        data.load_mnist("train", kind=kind, root=root, download=True)
    err = info.value
    assert err.__cause__ is not None and str(err.__cause__) in str(err)
    assert str(root / FOLDER[kind] / "raw") in str(err)
    assert list(root.rglob("*")) == []  # no files, no temporary or half-made folders


def _install_fake_download(monkeypatch, arrays, fail_at=None):
    """Replace the function MNIST.download calls for each file; record the folders it gets.

    Writes the .gz archive and extracts it, as torchvision does. With ``fail_at`` set, that
    file is written only halfway and the "connection" then breaks.
    """
    folders = []

    def fake(url, download_root, filename, md5=None, **kwargs):
        folders.append(Path(download_root))
        name = filename.removesuffix(".gz")
        archive = Path(download_root) / filename
        archive.parent.mkdir(parents=True, exist_ok=True)
        payload = gzip.compress(_idx_bytes(arrays[name]))
        if name == fail_at:
            archive.write_bytes(payload[: len(payload) // 2])
            raise RuntimeError("connection reset by peer (simulated)")
        archive.write_bytes(payload)
        extract_archive(str(archive), str(download_root))

    monkeypatch.setattr(torchvision.datasets.mnist, "download_and_extract_archive", fake)
    return folders


@pytest.mark.parametrize("fail_at", MNIST_FILES)
def test_download_failing_midway_leaves_nothing(tmp_path, monkeypatch, fail_at):
    folders = _install_fake_download(monkeypatch, _fake_dataset(seed=6), fail_at=fail_at)
    root = tmp_path / "data"
    with pytest.raises(data.DatasetNotAvailable) as info:
        data.load_mnist("train", root=root, download=True)
    assert "simulated" in str(info.value)
    assert folders, "the fake download was not called"
    assert _files_under(root) == []
    assert list(root.iterdir()) == []


@pytest.mark.parametrize("kind", ["mnist", "fashion"])
def test_download_success_moves_complete_files(tmp_path, monkeypatch, kind):
    arrays = _fake_dataset(seed=7)
    folders = _install_fake_download(monkeypatch, arrays)
    root = tmp_path / "data"
    X, y = data.load_mnist("test", kind=kind, root=root, download=True)

    X_expected, y_expected = _expected(arrays, "test")
    np.testing.assert_allclose(X, X_expected, rtol=0, atol=1e-7)
    assert np.array_equal(y, y_expected)
    # torchvision was pointed at a temporary folder inside root, not at root itself
    assert folders and all(f.is_relative_to(root) for f in folders)
    assert all(f.relative_to(root).parts[0].startswith(".download-") for f in folders)
    raw = root / FOLDER[kind] / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(MNIST_FILES)
    assert [p.name for p in root.iterdir()] == [FOLDER[kind]]  # no .download-* left
    assert data._mnist_present(root, kind)

    # now offline: loads from the placed files without calling the download again
    monkeypatch.setattr(torchvision.datasets.mnist, "download_and_extract_archive", None)
    X_train, _ = data.load_mnist("train", kind=kind, root=root, download=True)
    assert len(X_train) == len(arrays["train-labels-idx1-ubyte"])


# ---------------------------------------------------------------------------------------------
# data_dir
# ---------------------------------------------------------------------------------------------


def test_data_dir_honours_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "somewhere"))
    assert data.data_dir() == tmp_path / "somewhere"
    assert not (tmp_path / "somewhere").exists()  # not created


def test_data_dir_default_is_under_home(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    path = data.data_dir()
    assert path.is_relative_to(Path.home()) and Path.home() == tmp_path
    assert path == tmp_path / ".cache" / "deep-learning-course"
    assert not path.exists()
