"""Helpers that drive nbgrader's real commands and gradebook in a temporary course directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from course_lib.release import nbgrader

ROOT = Path(__file__).resolve().parents[1]


def make_course(tmp: Path) -> Path:
    """A fresh course directory: the project's nbgrader_config.py and solutions/."""
    course = tmp / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    return course


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def solved(release_nb, source_nb, replace: dict[str, str] | None = None):
    """What a student who solved everything hands in: the release notebook with each answer
    cell filled from the instructor's solution (``replace``: grade_id -> other source)."""
    answers = {
        grade_id(c): c.source
        for c in source_nb.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    answers.update(replace or {})
    nb = nbformat.from_dict(release_nb)
    for cell in nb.cells:
        if grade_id(cell) in answers and cell.metadata["nbgrader"].get("solution"):
            cell.source = answers[grade_id(cell)]
    return nb


def submit(course: Path, student: str, assignment: str, nb) -> None:
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")


def run(course: Path, *args: str, timeout: int = 900):
    result = nbgrader(*args, course_dir=course, check=False, timeout=timeout)
    assert result.returncode == 0, (
        f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    )
    return result
