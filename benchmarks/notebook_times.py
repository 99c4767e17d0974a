"""Wall time of each solution notebook at default settings (as a student runs it), and of
autograding one submission per lecture with nbgrader (the grading setting).

Quality bars (issue 2): a solution notebook runs in <= 120 s on the 2-core machine; autograding
one student's notebook takes <= 30 s.

    .venv/bin/python benchmarks/notebook_times.py [lecture ...]
"""

import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_lib.release import lectures  # noqa: E402
from tests.nbgrader_course import make_course, run, solved, submit  # noqa: E402


def run_notebook(path):
    nb = nbformat.read(path, 4)
    os.environ.pop("NBGRADER_EXECUTION", None)
    t0 = time.perf_counter()
    NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return time.perf_counter() - t0


def autograde_one(lecture):
    with tempfile.TemporaryDirectory() as tmp:
        course = make_course(Path(tmp))
        run(course, "generate_assignment", lecture, "--force")
        release = nbformat.read(course / "notebooks" / lecture / f"{lecture}.ipynb", 4)
        source = nbformat.read(course / "solutions" / lecture / f"{lecture}.ipynb", 4)
        submit(course, "student", lecture, solved(release, source))
        t0 = time.perf_counter()
        run(course, "autograde", lecture, "--force")
        return time.perf_counter() - t0


def main():
    os.environ["JUPYTER_PREFER_ENV_PATH"] = "1"
    names = sys.argv[1:] or lectures(ROOT)
    print(f"{'lecture':24s} {'run (s)':>8s} {'autograde (s)':>14s}")
    for name in names:
        (path,) = (ROOT / "solutions" / name).glob("*.ipynb")
        print(f"{name:24s} {run_notebook(path):8.1f} {autograde_one(name):14.1f}", flush=True)
    print("bars: run <= 120 s, autograde <= 30 s (autograde includes nbgrader's own start-up)")


if __name__ == "__main__":
    main()
