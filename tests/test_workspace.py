"""`make lab` copies the release into the student's work/ and never overwrites their files."""

import subprocess
import sys

import pytest

from course_lib.workspace import sync


def test_first_sync_copies_everything(tmp_path):
    (tmp_path / "rel" / "01").mkdir(parents=True)
    (tmp_path / "rel" / "01" / "a.ipynb").write_text("release a")
    (tmp_path / "rel" / "01" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "rel" / "01" / ".ipynb_checkpoints" / "x.ipynb").write_text("junk")
    result = sync(tmp_path / "rel", tmp_path / "work")
    assert result == {"added": ["01/a.ipynb"], "kept": []}
    assert (tmp_path / "work" / "01" / "a.ipynb").read_text() == "release a"
    assert not (tmp_path / "work" / "01" / ".ipynb_checkpoints").exists()


def test_update_never_overwrites_student_work(tmp_path):
    rel, work = tmp_path / "rel", tmp_path / "work"
    (rel / "01").mkdir(parents=True)
    (rel / "01" / "a.ipynb").write_text("release a v1")
    sync(rel, work)
    (work / "01" / "a.ipynb").write_text("my answers")
    (rel / "01" / "a.ipynb").write_text("release a v2")  # the course is updated...
    (rel / "02").mkdir()
    (rel / "02" / "b.ipynb").write_text("release b")  # ...and a new lecture appears
    result = sync(rel, work)
    assert result == {"added": ["02/b.ipynb"], "kept": ["01/a.ipynb"]}
    assert (work / "01" / "a.ipynb").read_text() == "my answers"
    assert (work / "02" / "b.ipynb").read_text() == "release b"
    assert not list(work.rglob("*.part"))


def test_missing_release_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="notebooks/"):
        sync(tmp_path / "nope", tmp_path / "work")


def test_command_line(tmp_path):
    (tmp_path / "rel").mkdir()
    (tmp_path / "rel" / "a.ipynb").write_text("x")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "course_lib.workspace",
            "sync",
            str(tmp_path / "rel"),
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "1 new files added" in out.stdout and out.stderr == ""
