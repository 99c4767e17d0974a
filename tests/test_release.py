"""notebooks/ is what nbgrader generates from solutions/, and every notebook is guarded by the
course_lib version it needs."""

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

import course_lib
from course_lib.release import generate, lectures

ROOT = Path(__file__).resolve().parents[1]


def comparable(path):
    """A notebook as nbgrader wrote it, without outputs (the release has none anyway)."""
    nb = nbformat.read(path, 4)
    return nbformat.writes(nb)


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    course = tmp_path_factory.mktemp("release")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    generate(course)
    return course / "notebooks"


def test_notebooks_match_a_fresh_generation(fresh_release):
    committed = sorted(
        p.relative_to(ROOT / "notebooks") for p in (ROOT / "notebooks").rglob("*") if p.is_file()
    )
    generated = sorted(
        p.relative_to(fresh_release) for p in fresh_release.rglob("*") if p.is_file()
    )
    assert committed == generated, (
        "notebooks/ and a fresh generation hold different files: run `make release`"
    )
    for rel in generated:
        if rel.suffix == ".ipynb":
            assert comparable(ROOT / "notebooks" / rel) == comparable(fresh_release / rel), (
                f"notebooks/{rel} differs from what solutions/ generates: run `make release` "
                "(never edit notebooks/ by hand)"
            )


def test_every_lecture_is_released():
    assert lectures(ROOT) == sorted(p.name for p in (ROOT / "notebooks").iterdir() if p.is_dir())


def all_notebooks():
    return sorted((ROOT / "solutions").glob("*/*.ipynb")) + sorted(
        (ROOT / "notebooks").glob("*/*.ipynb")
    )


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_first_code_cell_requires_a_fitting_course_lib(path):
    first = next(c for c in nbformat.read(path, 4).cells if c.cell_type == "code")
    match = re.search(r"course_lib\.require\(\"([^\"]+)\"\)", first.source)
    assert match, f"{path.name}: the first code cell must call course_lib.require(...)"
    assert Version(course_lib.__version__) in SpecifierSet(match.group(1)), (
        f"{path.name} needs course_lib {match.group(1)}, the package is {course_lib.__version__}"
    )


@pytest.mark.parametrize(
    "path", sorted((ROOT / "notebooks").glob("*/*.ipynb")), ids=lambda p: p.parent.name
)
def test_student_notebooks_hold_no_solutions_or_hidden_tests(path):
    text = path.read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "hidden=True"):
        assert marker not in text, f"{path} leaks '{marker}'"


@pytest.mark.parametrize(
    "path", sorted((ROOT / "solutions").glob("*/*.ipynb")), ids=lambda p: p.parent.name
)
def test_grade_cells_are_well_formed(path):
    """The nbgrader traps that silently cost points (see shared notes)."""
    ids = []
    for cell in nbformat.read(path, 4).cells:
        meta = cell.metadata.get("nbgrader")
        if not meta:
            continue
        ids.append(meta["grade_id"])
        assert meta.get("schema_version") == 3
        assert re.fullmatch(r"[a-zA-Z0-9_\-]+", meta["grade_id"])
        if meta.get("grade") and cell.cell_type == "code":
            assert meta.get("locked") and meta.get("points", 0) > 0, meta["grade_id"]
            last = [
                ln
                for ln in cell.source.splitlines()
                if ln.strip() and not ln.strip().startswith("#")
            ][-1]
            assert re.match(r"^(check_\w+\(.*\)|assert .*)$", last), (
                f"{meta['grade_id']}: a test cell must end in a check call or an assert "
                f"(nbgrader reads a last expression's value as the score), got {last!r}"
            )
        if meta.get("solution") and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
