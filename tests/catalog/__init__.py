"""Mistake catalogs: one module per lecture, each with a list ``EXERCISES``.

An exercise is named by the function the student writes in the lecture notebook; its test
cells are the graded cells of that notebook that call ``check_<name>``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Wrong:
    """A plausible wrong implementation and, if the feedback should name it, a piece of the
    likely cause the failing check must mention (None: any AssertionError will do)."""

    fn: Callable
    cause: str | None = None


@dataclass
class Exercise:
    name: str
    correct: list = field(default_factory=list)
    wrong: list = field(default_factory=list)
