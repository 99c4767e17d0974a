"""Input validation shared by course_lib: wrong shapes or dtypes get a ValueError or TypeError
that names what was expected and what was given, never a bare NumPy broadcast error."""

from __future__ import annotations

import numbers

import numpy as np


def array(name: str, value, ndim: int | None = None, layout: str | None = None) -> np.ndarray:
    """Check that ``value`` is a real-valued ndarray with ``ndim`` dimensions.

    ``layout`` names the axes for the message, e.g. ``"(N, C, H, W)"``.
    """
    if not isinstance(value, np.ndarray):
        raise TypeError(
            f"{name} must be a NumPy array{' of shape ' + layout if layout else ''}, "
            f"got {type(value).__name__}"
        )
    if not (np.issubdtype(value.dtype, np.floating) or np.issubdtype(value.dtype, np.integer)):
        raise TypeError(f"{name} must hold real numbers (float or int), got dtype {value.dtype}")
    if ndim is not None and value.ndim != ndim:
        raise ValueError(
            f"{name} must have {ndim} dimensions{' ' + layout if layout else ''}, "
            f"got shape {value.shape}"
        )
    return value


def positive_int(name: str, value, minimum: int = 1) -> int:
    """Check that ``value`` is an integer >= ``minimum`` (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def same(name_a: str, a: int, name_b: str, b: int) -> None:
    """Check that two sizes agree, naming both."""
    if a != b:
        raise ValueError(f"{name_a} ({a}) must equal {name_b} ({b})")
