"""The whole nbgrader flow on Lecture 1 in a temporary course directory, with nbgrader's real
commands and gradebook: generate, submit three students, autograde, feedback, export."""

import csv

import nbformat
import pytest
from nbgrader.api import Gradebook

from tests.nbgrader_course import make_course, run, solved, submit

LECTURE = "01_convolution"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("roundtrip"))
    run(course, "generate_assignment", LECTURE, "--force")
    release = nbformat.read(course / "notebooks" / LECTURE / f"{LECTURE}.ipynb", 4)
    source = nbformat.read(course / "solutions" / LECTURE / f"{LECTURE}.ipynb", 4)

    flipped = next(
        c.source
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "conv2d_forward_loops"
    )
    assert "* w[f])" in flipped
    flipped = flipped.replace("* w[f])", "* w[f, :, ::-1, ::-1])")

    submit(course, "alice", LECTURE, solved(release, source))  # everything right
    submit(course, "bob", LECTURE, release)  # handed in untouched
    submit(course, "carol", LECTURE, solved(release, source, {"conv2d_forward_loops": flipped}))
    run(course, "autograde", LECTURE, "--force")
    run(course, "generate_feedback", LECTURE, "--force")
    run(course, "export", "--to", str(course / "grades.csv"))
    return course


def scores(course, student):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission(LECTURE, student)
        grades = {g.name: (g.score, g.max_score) for nb in sub.notebooks for g in nb.grades}
        return sub.score, sub.max_score, sub.needs_manual_grade, grades


def test_solution_scores_full_marks(graded):
    score, max_score, manual, grades = scores(graded, "alice")
    assert max_score == 22
    assert score == max_score, {k: v for k, v in grades.items() if v[0] != v[1]}
    assert not manual


def test_untouched_notebook_scores_zero_without_crashing(graded):
    score, max_score, manual, grades = scores(graded, "bob")
    assert max_score == 22 and score == 0
    assert not manual  # every test cell ran and failed: no kernel crash, nothing for a person
    assert all(s == 0 for s, _ in grades.values())


def test_wrong_implementation_gets_partial_marks(graded):
    score, max_score, manual, grades = scores(graded, "carol")
    assert 0 < score < max_score
    assert grades["test_conv2d_forward_loops"][0] == 0
    assert grades["test_conv2d_forward_loops_hidden"][0] == 0
    assert grades["test_conv2d_forward"][0] == grades["test_conv2d_forward"][1]
    assert score == max_score - 4


def test_feedback_names_the_failing_case_and_cause(graded):
    html = (graded / "feedback" / "carol" / LECTURE / f"{LECTURE}.html").read_text()
    assert "case &#39;batch and channels&#39;" in html or "case 'batch and channels'" in html
    assert "kernel is flipped" in html
    good = (graded / "feedback" / "alice" / LECTURE / f"{LECTURE}.html").read_text()
    assert "AssertionError" not in good


def test_export_lists_every_student(graded):
    with open(graded / "grades.csv") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert set(rows) == {"alice", "bob", "carol"}
    assert float(rows["alice"]["score"]) == 22
    assert float(rows["bob"]["score"]) == 0
    assert float(rows["carol"]["score"]) == 18
