"""Machinery shared by every check: calling the student's function safely, tracing what it
calls (anti-cheat, vectorization), and comparing against an oracle with feedback that names
the case, the first wrong index, the max error and the likely cause.

Checks raise AssertionError with a teaching message, print nothing to stderr and return None,
as nbgrader test cells need.
"""

from __future__ import annotations

import contextlib
import io
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

#: What a graded NumPy exercise may not call: the oracles and the course's own answers.
FORBIDDEN_MODULES = (
    "torch",
    "torchvision",
    "course_lib.reference",
    "course_lib.checks",
    "scipy.signal",
    "scipy.ndimage",
)


@dataclass
class Case:
    """One test case: a short name and the parameters that reproduce it."""

    name: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"case '{self.name}' ({inner})"


@dataclass
class Trace:
    """What a traced call did: forbidden calls seen and lines of the student's code run."""

    forbidden: list = field(default_factory=list)
    lines: int = 0


def _module_of_c_call(func) -> str:
    mod = getattr(func, "__module__", None)
    if not mod:
        owner = getattr(func, "__self__", None)
        mod = type(owner).__module__ if owner is not None else ""
    return mod or ""


def _is_forbidden(module: str, forbidden: tuple) -> bool:
    return any(module == m or module.startswith(m + ".") for m in forbidden)


def expect_callable(fn, name: str) -> None:
    if not callable(fn):
        raise TypeError(f"the check expects your function {name} itself, got {type(fn).__name__}")


def call(fn: Callable, *args, trace: Trace | None = None, forbidden=FORBIDDEN_MODULES):
    """Call the student's ``fn`` on copies of ``args``.

    Warnings, stderr output and floating-point warnings of the student's code are swallowed
    (anything on stderr would cost the student the whole test cell under nbgrader).
    With ``trace``, records calls into ``forbidden`` modules and counts the lines executed
    in code that shares ``fn``'s module globals (the student's own code).
    """
    args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    own_globals = getattr(fn, "__globals__", None)

    def local_tracer(frame, event, arg):
        if event == "line":
            trace.lines += 1
        return local_tracer

    def global_tracer(frame, event, arg):
        module = frame.f_globals.get("__name__", "")
        if _is_forbidden(module, forbidden):
            trace.forbidden.append(f"{module}.{frame.f_code.co_name}")
            return None
        if own_globals is not None and frame.f_globals is own_globals:
            return local_tracer
        return None

    def profiler(frame, event, arg):
        if event == "c_call":
            module = _module_of_c_call(arg)
            if _is_forbidden(module, forbidden):
                trace.forbidden.append(f"{module}.{getattr(arg, '__name__', repr(arg))}")

    with contextlib.ExitStack() as stack:
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        stack.enter_context(np.errstate(all="ignore"))
        stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        if trace is None:
            return fn(*args)
        old_trace, old_prof = sys.gettrace(), sys.getprofile()
        sys.settrace(global_tracer)
        sys.setprofile(profiler)
        try:
            return fn(*args)
        finally:
            sys.settrace(old_trace)
            sys.setprofile(old_prof)


def assert_no_forbidden(trace: Trace, fname: str) -> None:
    if trace.forbidden:
        seen = ", ".join(list(dict.fromkeys(trace.forbidden))[:3])
        raise AssertionError(
            f"{fname} calls {seen} while it runs. This exercise is to implement the operation "
            "yourself with NumPy: PyTorch's op is the oracle the check compares against and "
            "course_lib.reference is the instructor's answer, so neither may be used here."
        )


def as_array(value, what: str, case: Case) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value
    kind = type(value).__name__
    hint = " (did you forget to return it?)" if value is None else ""
    raise AssertionError(f"{case}: {what} should be a NumPy array, got {kind}{hint}")


def unpack(result, names: tuple, fname: str, case: Case) -> tuple:
    """Check that ``result`` is a tuple of ``len(names)`` items and return it."""
    if not isinstance(result, tuple) or len(result) != len(names):
        got = f"a tuple of {len(result)}" if isinstance(result, tuple) else type(result).__name__
        raise AssertionError(
            f"{case}: {fname} should return a tuple ({', '.join(names)}), got {got}"
        )
    return result


def first_wrong(got: np.ndarray, expected: np.ndarray, atol: float, rtol: float):
    bad = ~np.isclose(got, expected, atol=atol, rtol=rtol)
    bad |= ~np.isfinite(got)
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    return idx, int(bad.sum())


def compare(
    what: str,
    got,
    expected: np.ndarray,
    case: Case,
    *,
    causes: Mapping[str, Callable[[], object]] | None = None,
    shape_causes: list[tuple[tuple, str]] | None = None,
    atol: float = 1e-6,
    rtol: float = 1e-5,
) -> None:
    """Assert that ``got`` equals the oracle's ``expected``, or explain how it differs.

    causes: likely cause -> function returning what that mistake would produce; the first one
    that ``got`` matches is named in the message. shape_causes: (wrong shape, likely cause)
    pairs; every cause whose shape ``got`` has is named.
    """
    got = as_array(got, what, case)
    if got.shape != expected.shape:
        msg = f"{case}: {what} has shape {got.shape}, expected {expected.shape}."
        named = dict.fromkeys(c for s, c in shape_causes or () if tuple(s) == got.shape)
        if named:
            msg += f" Likely cause: {'; or '.join(named)}."
        raise AssertionError(msg)
    if not (np.issubdtype(got.dtype, np.floating) or np.issubdtype(got.dtype, np.integer)):
        raise AssertionError(f"{case}: {what} should hold real numbers, got dtype {got.dtype}")
    scale = max(1.0, float(np.max(np.abs(expected))) if expected.size else 1.0)
    if np.all(np.isfinite(got)) and np.allclose(got, expected, atol=atol * scale, rtol=rtol):
        return
    idx, n_bad = first_wrong(got, expected, atol * scale, rtol)
    err = float(np.max(np.abs(np.nan_to_num(got.astype(float), nan=np.inf) - expected)))
    msg = (
        f"{case}: {what} is wrong at {n_bad} of {got.size} entries. First wrong index {idx}: "
        f"got {got[idx]:.6g}, expected {expected[idx]:.6g}; max abs error {err:.3g}."
    )
    cause = likely_cause(got, causes or {}, atol * scale, rtol)
    if cause:
        msg += f" Likely cause: {cause}."
    raise AssertionError(msg)


def likely_cause(got: np.ndarray, causes: Mapping[str, Callable[[], object]], atol, rtol):
    for cause, make in causes.items():
        try:
            candidate = np.asarray(make())
        except Exception:  # a diagnosis that does not apply to this case
            continue
        if candidate.shape == got.shape and np.allclose(got, candidate, atol=atol, rtol=rtol):
            return cause
    return None


def central_difference(f: Callable[[np.ndarray], float], x: np.ndarray, idx, eps=1e-6) -> float:
    """d f / d x[idx] by central differences (float64)."""
    xp, xm = x.copy(), x.copy()
    xp[idx] += eps
    xm[idx] -= eps
    return (f(xp) - f(xm)) / (2 * eps)


def student_or_reference(student_fn, reference_fn, check, name: str | None = None):
    """Return the student's function if it passes ``check``, else the reference, saying which.

    Later cells of a lecture call this, so a student who could not finish an exercise can
    still run the rest of the lecture.
    """
    name = (
        name
        or getattr(student_fn, "__name__", None)
        or getattr(reference_fn, "__name__", "function")
    )
    try:
        check(student_fn)
    except Exception as err:  # NotImplementedError of the stub, AssertionError of a wrong one
        kind = (
            "not implemented yet"
            if isinstance(err, NotImplementedError)
            else "not passing its checks yet"
        )
        print(f"{name}: using course_lib.reference ({name} is {kind}).")
        return reference_fn
    print(f"{name}: using your implementation.")
    return student_fn
