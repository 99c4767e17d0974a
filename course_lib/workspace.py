"""The student's own working copy of the notebooks.

``make lab`` runs ``python -m course_lib.workspace sync notebooks work``: every file of the
released notebooks/ that is not yet in work/ is copied there; a file that already exists in
work/ is never touched, so pulling a new version of the course cannot destroy a student's work.
New versions of a lecture you already started stay readable in notebooks/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

SKIP = {".ipynb_checkpoints", "__pycache__"}


def sync(release: str | os.PathLike, work: str | os.PathLike) -> dict[str, list[str]]:
    """Copy what ``work`` lacks from ``release``; never overwrite. Returns {"added", "kept"}."""
    release, work = Path(release), Path(work)
    if not release.is_dir():
        raise FileNotFoundError(
            f"release folder {release} does not exist (expected the course's notebooks/)"
        )
    added, kept = [], []
    for src in sorted(release.rglob("*")):
        rel = src.relative_to(release)
        if src.is_dir() or SKIP & set(rel.parts):
            continue
        dst = work / rel
        if dst.exists():
            kept.append(str(rel))
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        # copy to a temporary file beside the target, then rename: never a half-written notebook
        fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.", suffix=".part")
        os.close(fd)
        try:
            shutil.copy2(src, tmp)
            os.replace(tmp, dst)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        added.append(str(rel))
    return {"added": added, "kept": kept}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_lib.workspace",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sync", help="copy new notebooks into your working copy, never overwriting")
    p.add_argument("release", nargs="?", default="notebooks")
    p.add_argument("work", nargs="?", default="work")
    args = parser.parse_args(argv)
    result = sync(args.release, args.work)
    print(
        f"work copy: {args.work}/ ({len(result['added'])} new files added, "
        f"{len(result['kept'])} of your files kept as they are)"
    )
    for rel in result["added"]:
        print(f"  + {rel}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
