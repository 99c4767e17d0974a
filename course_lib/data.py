"""Datasets of the course, offline by default.

Two families of data are used in the lectures:

- ``load_digits``: scikit-learn's handwritten digits (1,797 images, 8x8). They ship with
  scikit-learn, so they load without any network, and with a fixed train/test split so that every
  student gets the same numbers. They can be upscaled to 16x16 or 28x28 for the convolution
  lectures.
- ``load_mnist``: MNIST or Fashion-MNIST (28x28) through torchvision. Nothing is downloaded unless
  you ask for it with ``download=True``; otherwise a missing dataset raises ``DatasetNotAvailable``
  whose message says exactly which files to place where (useful on machines without network).

All loaders return NumPy arrays: images ``X`` as float32 of shape ``(N, 1, H, W)`` with values in
``[0, 1]``, labels ``y`` as int64 of shape ``(N,)``.
"""

from __future__ import annotations

import functools
import numbers
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch
import torchvision
from sklearn.datasets import load_digits as _sklearn_digits
from sklearn.model_selection import train_test_split

from course_lib import _validate

__all__ = [
    "DIGITS_SIZES",
    "DatasetNotAvailable",
    "available",
    "data_dir",
    "load_digits",
    "load_mnist",
    "sample_image",
]

DIGITS_SIZES = (8, 16, 28)

_DIGITS_SPLITS = ("train", "test", "all")
_DIGITS_TEST_SIZE = 360  # 1,797 images -> 1,437 train / 360 test

_MNIST_CLASSES = {"mnist": torchvision.datasets.MNIST, "fashion": torchvision.datasets.FashionMNIST}
_MNIST_SPLITS = ("train", "test")
# The uncompressed files torchvision reads from <root>/<ClassName>/raw/ (it ignores the .gz).
_MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


class DatasetNotAvailable(FileNotFoundError):
    """A dataset is not on disk and was not (or could not be) downloaded."""


def data_dir() -> Path:
    """Cache directory for the downloadable datasets (MNIST, Fashion-MNIST).

    The environment variable ``COURSE_DATA_DIR`` if it is set, otherwise
    ``~/.cache/deep-learning-course``. The directory is not created here.

    Returns
    -------
    pathlib.Path
    """
    env = os.environ.get("COURSE_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "deep-learning-course"


# ---------------------------------------------------------------------------------------------
# scikit-learn digits
# ---------------------------------------------------------------------------------------------


def _check_choice(name: str, value, allowed: tuple) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")


def _check_digits_size(size) -> int:
    if isinstance(size, bool) or not isinstance(size, numbers.Integral):
        raise TypeError(f"size must be an int, one of {DIGITS_SIZES}, got {size!r}")
    if size not in DIGITS_SIZES:
        raise ValueError(f"size must be one of {DIGITS_SIZES}, got {size!r}")
    return int(size)


@functools.lru_cache(maxsize=16)  # 3 splits x 3 sizes fit
def _digits_cached(split: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    digits = _sklearn_digits()
    X = (digits.images / 16.0).astype(np.float32)[:, None, :, :]  # (1797, 1, 8, 8) in [0, 1]
    y = digits.target.astype(np.int64)  # (1797,)

    if split != "all":
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=_DIGITS_TEST_SIZE, random_state=0, stratify=y
        )
        X, y = (X_train, y_train) if split == "train" else (X_test, y_test)

    if size != 8:
        upscaled = torch.nn.functional.interpolate(
            torch.from_numpy(X), size=(size, size), mode="bilinear", align_corners=False
        )
        X = upscaled.clamp(0.0, 1.0).numpy()
    return np.ascontiguousarray(X), y


def load_digits(split: str = "train", size: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's handwritten digits, with a fixed stratified train/test split (no network).

    Parameters
    ----------
    split : {"train", "test", "all"}
        ``"train"``: 1,437 images, ``"test"``: 360 images, ``"all"``: the 1,797 images in
        scikit-learn's order. The split is stratified by class and always the same
        (``random_state=0``).
    size : {8, 16, 28}
        Side of the returned images: 8 is the original resolution, 16 and 28 are bilinear
        upscalings (clipped to ``[0, 1]``).

    Returns
    -------
    X : np.ndarray, float32, shape (N, 1, size, size)
        Pixel intensities in ``[0, 1]`` (the original 0..16 divided by 16).
    y : np.ndarray, int64, shape (N,)
        Digit labels 0..9.
    """
    _check_choice("split", split, _DIGITS_SPLITS)
    size = _check_digits_size(size)
    X, y = _digits_cached(split, size)
    return X.copy(), y.copy()  # copies: the caller may modify them without touching the cache


# ---------------------------------------------------------------------------------------------
# MNIST / Fashion-MNIST through torchvision
# ---------------------------------------------------------------------------------------------


def _raw_folder(root: Path, kind: str) -> Path:
    """The folder torchvision reads: ``<root>/MNIST/raw`` or ``<root>/FashionMNIST/raw``."""
    return root / _MNIST_CLASSES[kind].__name__ / "raw"


def _mnist_present(root: Path, kind: str) -> bool:
    raw = _raw_folder(root, kind)
    return all((raw / name).is_file() for name in _MNIST_FILES)


def _missing_message(root: Path, kind: str) -> str:
    name = "MNIST" if kind == "mnist" else "Fashion-MNIST"
    files = "\n".join(f"  {f}" for f in _MNIST_FILES)
    return (
        f"{name} is not available under {root}.\n"
        f"Place these four files (uncompressed: torchvision does not read the .gz archives, "
        f"gunzip them first) in the folder\n  {_raw_folder(root, kind)}{os.sep}\n{files}\n"
        f"The root folder is the argument root, else $COURSE_DATA_DIR, "
        f"else ~/.cache/deep-learning-course.\n"
        f"With network access, load_mnist(..., kind={kind!r}, download=True) fetches them."
    )


def _download(root: Path, kind: str) -> None:
    """Download into a temporary folder inside ``root``, then move the complete files in place.

    If anything fails, nothing is left in ``root``: the temporary folder is always removed.
    """
    cls = _MNIST_CLASSES[kind]
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=".download-"))
    try:
        try:
            cls(tmp, train=True, download=True)  # downloads and extracts all four files
        except (RuntimeError, OSError) as err:
            raise DatasetNotAvailable(
                f"{_missing_message(root, kind)}\nThe download failed: {err}"
            ) from err
        target = _raw_folder(root, kind)
        target.mkdir(parents=True, exist_ok=True)
        for name in _MNIST_FILES:
            os.replace(_raw_folder(tmp, kind) / name, target / name)  # atomic, file by file
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_mnist(
    split: str = "train",
    kind: str = "mnist",
    root: str | os.PathLike | None = None,
    download: bool = False,
    limit: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST or Fashion-MNIST through torchvision; downloads only when asked.

    Parameters
    ----------
    split : {"train", "test"}
        60,000 training or 10,000 test images.
    kind : {"mnist", "fashion"}
        Handwritten digits (MNIST) or clothing items (Fashion-MNIST).
    root : str or path-like, optional
        Folder holding ``MNIST/raw/`` or ``FashionMNIST/raw/``; defaults to ``data_dir()``.
    download : bool
        If the files are missing: ``False`` raises ``DatasetNotAvailable``, ``True`` downloads
        them (atomically: a failed download leaves nothing behind).
    limit : int, optional
        Keep only the first ``limit`` samples (all of them if ``limit`` exceeds the size).

    Returns
    -------
    X : np.ndarray, float32, shape (N, 1, 28, 28)
        Pixel intensities in ``[0, 1]`` (bytes divided by 255).
    y : np.ndarray, int64, shape (N,)
        Class labels 0..9.

    Raises
    ------
    DatasetNotAvailable
        The files are missing and ``download`` is False, or the download failed.
    """
    _check_choice("kind", kind, tuple(_MNIST_CLASSES))
    _check_choice("split", split, _MNIST_SPLITS)
    if limit is not None:
        limit = _validate.positive_int("limit", limit)
    root = data_dir() if root is None else Path(root)

    if not _mnist_present(root, kind):
        if not download:
            raise DatasetNotAvailable(_missing_message(root, kind))
        _download(root, kind)

    dataset = _MNIST_CLASSES[kind](root, train=(split == "train"), download=False)
    images, labels = dataset.data[:limit], dataset.targets[:limit]  # (N, 28, 28) uint8, (N,)
    X = (images.numpy().astype(np.float32) / 255.0)[:, None, :, :]
    y = labels.numpy().astype(np.int64)
    return X, y


def available() -> dict[str, bool]:
    """Which datasets can be loaded right now, without downloading anything.

    Returns
    -------
    dict
        ``{"digits": True, "mnist": bool, "fashion": bool}``; the last two say whether the four
        files are present under ``data_dir()``.
    """
    root = data_dir()
    return {
        "digits": True,
        "mnist": _mnist_present(root, "mnist"),
        "fashion": _mnist_present(root, "fashion"),
    }


@functools.lru_cache(maxsize=2)
def _sample_image_cached(step: int) -> np.ndarray:
    from sklearn.datasets import load_sample_image

    rgb = load_sample_image("china.jpg").astype(np.float32) / 255.0  # (427, 640, 3), bundled
    gray = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return gray[::step, ::step]


def sample_image(step: int = 4) -> np.ndarray:
    """A real grayscale photograph (H, W) in [0, 1], bundled with scikit-learn (no network).

    ``step`` keeps every step-th pixel: 4 gives 107 x 160, small enough for NumPy loops.
    """
    step = _validate.positive_int("step", step)
    return _sample_image_cached(step).copy()
