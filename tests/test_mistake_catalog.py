"""Proof that the graded tests discriminate.

For every graded exercise of every lecture, the catalog in tests/catalog/<lecture>.py lists
plausible wrong implementations and several correct ones. This test runs the notebook's own
graded test cells (visible and hidden, read from solutions/) with the student's function
replaced by each implementation: every wrong one must fail at least one of them (naming the
expected cause where the catalog gives one) and every correct one must pass all of them.
"""

import contextlib
import importlib
import io
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
# lecture folder in solutions/ -> catalog module in tests/catalog/
CATALOGS = {"01_convolution": "tests.catalog.conv"}


def graded_lectures():
    return sorted(
        p.name
        for p in (ROOT / "solutions").iterdir()
        if any(
            c.metadata.get("nbgrader", {}).get("grade")
            for nb in p.glob("*.ipynb")
            for c in nbformat.read(nb, 4).cells
        )
    )


def test_every_graded_lecture_has_a_catalog():
    assert set(graded_lectures()) <= set(CATALOGS), "add a mistake catalog for each graded lecture"


def load(lecture):
    (path,) = (ROOT / "solutions" / lecture).glob("*.ipynb")
    cells = nbformat.read(path, 4).cells
    meta = [c.metadata.get("nbgrader", {}) for c in cells]
    answers = [c for c, m in zip(cells, meta) if m.get("solution") and not m.get("grade")]
    tests = [c for c, m in zip(cells, meta) if m.get("grade") and c.cell_type == "code"]
    return answers, tests


def graded_cells_of(name, tests):
    cells = [c.source for c in tests if re.search(rf"\bcheck_{name}\(\s*{name}\b", c.source)]
    assert len(cells) >= 2, f"{name}: expected a visible and a hidden test cell"
    assert any("BEGIN HIDDEN TESTS" in s for s in cells), f"{name}: no hidden tests"
    return cells


def cases():
    for lecture, module in CATALOGS.items():
        for ex in importlib.import_module(module).EXERCISES:
            for fn in ex.correct:
                yield pytest.param(
                    lecture, ex.name, fn, None, True, id=f"{ex.name}-correct-{fn.__name__}"
                )
            for wrong in ex.wrong:
                yield pytest.param(
                    lecture,
                    ex.name,
                    wrong.fn,
                    wrong.cause,
                    False,
                    id=f"{ex.name}-wrong-{wrong.fn.__name__}",
                )


def test_catalog_covers_every_exercise():
    for lecture, module in CATALOGS.items():
        catalog = {ex.name: ex for ex in importlib.import_module(module).EXERCISES}
        answers, tests = load(lecture)
        defined = {
            m.group(1) for c in answers for m in re.finditer(r"^def (\w+)\(", c.source, re.M)
        }
        assert defined == set(catalog), (
            f"{lecture}: exercises {sorted(defined)} vs catalog {sorted(catalog)}"
        )
        for name, ex in catalog.items():
            graded_cells_of(name, tests)
            assert len(ex.wrong) >= 3 and len(ex.correct) >= 2, f"{name}: catalog too small"


def run_test_cell(source, name, fn):
    namespace = {name: fn}
    with contextlib.redirect_stderr(io.StringIO()) as err:
        exec(compile(source, f"<test cell of {name}>", "exec"), namespace)
    assert err.getvalue() == "", (
        f"a test cell wrote to stderr (costs the student the cell): {err.getvalue()}"
    )


@pytest.mark.parametrize("lecture, name, fn, cause, correct", list(cases()))
def test_graded_cells_judge_implementation(lecture, name, fn, cause, correct):
    _, tests = load(lecture)
    failures = []
    for source in graded_cells_of(name, tests):
        try:
            run_test_cell(source, name, fn)
        except AssertionError as e:
            failures.append(str(e))
    if correct:
        assert not failures, f"correct {fn.__name__} was rejected: {failures[0]}"
    else:
        assert failures, f"wrong {fn.__name__} passed every visible and hidden test of {name}"
        if cause:
            assert any(cause in f for f in failures), (
                f"feedback should mention {cause!r}: {failures[0]}"
            )
