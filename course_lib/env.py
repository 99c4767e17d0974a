"""Version guard, grading mode and the environment report.

Every notebook starts with ``course_lib.require("...")`` so that a notebook and an
installed course_lib that do not fit stop at the first cell with a clear message.

nbgrader sets ``NBGRADER_EXECUTION`` in the kernels it runs (autograde, validate);
``is_grading()`` reads it and ``budget()`` picks the tiny training setting then.
"""

from __future__ import annotations

import os
import platform
import sys

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

__all__ = ["CourseLibVersionError", "require", "is_grading", "budget", "report", "device"]


class CourseLibVersionError(RuntimeError):
    """The installed course_lib does not fit what a notebook needs."""


def require(spec: str) -> str:
    """Stop with a clear message unless the installed course_lib satisfies ``spec``.

    ``spec`` is a version specifier such as ``">=0.1,<0.2"``. Returns the installed version.
    """
    import course_lib

    if not isinstance(spec, str):
        raise TypeError(
            f"require() expects a version specifier string like '>=0.1,<0.2', got {spec!r}"
        )
    try:
        wanted = SpecifierSet(spec)
    except InvalidSpecifier:
        raise ValueError(
            f"require() expects a version specifier like '>=0.1,<0.2', got {spec!r}"
        ) from None
    installed = course_lib.__version__
    if Version(installed) not in wanted:
        raise CourseLibVersionError(
            f"This notebook needs course_lib {spec}, but course_lib {installed} is installed "
            f"(from {os.path.dirname(course_lib.__file__)}).\n"
            "Fix: pull the course repository so notebooks and course_lib match, then run "
            "`make lab` again (it reinstalls course_lib). Your own notebooks in work/ are kept; "
            "new versions of the lecture notebooks are in notebooks/."
        )
    return installed


def is_grading() -> bool:
    """True inside nbgrader's kernels (autograde, validate), False for students and nbval."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def budget(full: dict, grading: dict) -> dict:
    """Pick the training setting: ``full`` for students and CI, ``grading`` under nbgrader.

    The two dicts must have the same keys so that a cell reads the same names either way.
    """
    if not isinstance(full, dict) or not isinstance(grading, dict):
        raise TypeError("budget(full, grading) expects two dicts of settings")
    if set(full) != set(grading):
        raise ValueError(
            f"budget(): full and grading settings need the same keys, got {sorted(full)} "
            f"and {sorted(grading)}"
        )
    return dict(grading if is_grading() else full)


def device(prefer: str | None = None) -> str:
    """The device to train on: ``prefer`` if given, else CUDA, then Apple MPS, then CPU."""
    import torch

    if prefer is not None:
        if prefer not in {"cpu", "cuda", "mps"}:
            raise ValueError(f"device(): expected 'cpu', 'cuda' or 'mps', got {prefer!r}")
        return prefer
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def report() -> dict:
    """Versions, device and datasets of this environment, as a dict (printed by 00_start_here)."""
    import matplotlib
    import numpy
    import sklearn
    import torch
    import torchvision

    import course_lib
    from course_lib import data

    info = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "course_lib": course_lib.__version__,
        "numpy": numpy.__version__,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "scikit-learn": sklearn.__version__,
        "matplotlib": matplotlib.__version__,
        "device": device(),
        "torch threads": torch.get_num_threads(),
        "data directory": str(data.data_dir()),
    }
    for name, ok in data.available().items():
        info[f"dataset {name}"] = "available" if ok else "not present (optional)"
    return info
