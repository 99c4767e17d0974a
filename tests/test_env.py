"""The version guard, grading mode and environment report."""

import pytest

import course_lib
from course_lib import env


def test_require_accepts_the_installed_version():
    assert env.require(f"=={course_lib.__version__}") == course_lib.__version__


def test_require_stops_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(course_lib, "__version__", "0.0.1")
    with pytest.raises(env.CourseLibVersionError) as err:
        course_lib.require(">=0.1,<0.2")
    msg = str(err.value)
    assert ">=0.1,<0.2" in msg and "0.0.1" in msg and "make lab" in msg


def test_require_refuses_a_bad_spec():
    with pytest.raises(ValueError, match="version specifier"):
        env.require("zero point one")
    with pytest.raises(TypeError):
        env.require(0.1)


def test_grading_mode_follows_nbgrader(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert not env.is_grading()
    assert env.budget({"epochs": 8}, {"epochs": 1}) == {"epochs": 8}
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert env.is_grading()
    assert env.budget({"epochs": 8}, {"epochs": 1}) == {"epochs": 1}


def test_budget_needs_the_same_keys():
    with pytest.raises(ValueError, match="same keys"):
        env.budget({"epochs": 8}, {"steps": 1})


def test_device_and_report():
    assert env.device() in {"cpu", "cuda", "mps"}
    assert env.device("cpu") == "cpu"
    with pytest.raises(ValueError, match="'cpu', 'cuda' or 'mps'"):
        env.device("tpu")
    info = env.report()
    assert info["course_lib"] == course_lib.__version__
    assert info["dataset digits"] == "available"
    for key in ("python", "torch", "numpy", "device", "data directory"):
        assert key in info
