"""environment.yml (conda) holds the same dependency set as pyproject.toml (pip)."""

from pathlib import Path

import tomllib
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def normalized(specs):
    reqs = [Requirement(s) for s in specs]
    return {r.name.lower().replace("_", "-"): str(r.specifier) for r in reqs}


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_deps = normalized(project["dependencies"] + project["optional-dependencies"]["dev"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    conda_deps = normalized(d for d in pip_section if not d.startswith("-e"))
    assert conda_deps == pip_deps
    assert "-e ." in pip_section, "environment.yml must install course_lib itself"
    assert "python=3.11" in env["dependencies"]


def test_required_dependencies_are_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = set(normalized(project["dependencies"]))
    wanted = {
        "numpy",
        "torch",
        "torchvision",
        "matplotlib",
        "ipywidgets",
        "nbgrader",
        "jupyterlab",
        "nbval",
        "scikit-learn",
        "tqdm",
        "pytest",
    }
    assert wanted <= names, wanted - names


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make lab" in readme
    assert "make test" in ci
