"""Regenerate the student notebooks (notebooks/) from the instructor notebooks (solutions/).

``make release`` runs ``python -m course_lib.release``: nbgrader's own
``generate_assignment --force`` for every lecture folder of solutions/. Never edit notebooks/
by hand; tests/test_release.py fails when notebooks/ differs from a fresh generation.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path


def lectures(course_dir: str | os.PathLike = ".") -> list[str]:
    """Assignment names: the folders of solutions/ that hold notebooks, in order."""
    src = Path(course_dir) / "solutions"
    return sorted(p.name for p in src.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def nbgrader(*args: str, course_dir: str | os.PathLike = ".", check: bool = True, timeout=None):
    """Run an nbgrader command in ``course_dir`` with this environment's tools on PATH."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["JUPYTER_PREFER_ENV_PATH"] = "1"  # the course's kernel, not a user-wide "python3" one
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course_dir,
        env=env,
        check=check,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def generate(course_dir: str | os.PathLike = ".", names: list[str] | None = None) -> list[str]:
    """Generate the release version of each lecture; returns the names generated."""
    names = names or lectures(course_dir)
    for name in names:
        result = nbgrader(
            "generate_assignment", name, "--force", course_dir=course_dir, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"nbgrader generate_assignment {name} failed:\n{result.stdout}\n{result.stderr}"
            )
    return names


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_lib.release",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("names", nargs="*", help="lectures to release (default: all)")
    parser.add_argument("--course-dir", default=".")
    args = parser.parse_args(argv)
    for name in generate(args.course_dir, args.names or None):
        print(f"released {name}: solutions/{name} -> notebooks/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
