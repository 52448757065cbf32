"""A Poetry project that uses Poetry only for its lock (no package to build) gets no build stage."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.generate import generate, load_project
from imgforge.generate.init import plan_init
from imgforge.generate.poetrypkg import poetry_without_package

BACKEND = '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
LOCK = "# lock written by hand for the test\n[metadata]\nlock-version = \"2.0\"\npython-versions = \"^3.10\"\n"
APP = "from flask import Flask\n\napp = Flask(__name__)\n"


def _project(root: Path, tool: str, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(tool + BACKEND)
    (root / "poetry.lock").write_text(LOCK)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "imgforge.yaml").write_text(plan_init(root).text)
    return root


NAMED = '[tool.poetry]\nname = "Tiny-Web.App"\nversion = "0.1.0"\n\n[tool.poetry.dependencies]\npython = "^3.10"\n'


@pytest.mark.parametrize(("tool", "files", "expected"), [
    (NAMED, {"app.py": APP}, True),                                      # nothing named tiny_web_app
    (NAMED.replace('version', 'package-mode = false\nversion'), {"tiny_web_app/__init__.py": ""}, True),
    (NAMED, {"tiny_web_app/__init__.py": ""}, False),
    (NAMED, {"src/tiny_web_app/__init__.py": ""}, False),
    (NAMED, {"tiny_web_app.py": APP}, False),
    (NAMED.replace('version', 'packages = [{include = "web"}]\nversion'), {"web/__init__.py": ""}, False),
])
def test_poetry_projects_with_and_without_a_package(tmp_path: Path, tool: str, files: dict[str, str],
                                                   expected: bool) -> None:
    assert poetry_without_package(_project(tmp_path, tool, files)) is expected


def test_another_backend_is_never_taken_for_poetry(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[build-system]\nrequires = ["hatchling"]\n'
                                             'build-backend = "hatchling.build"\n')
    assert not poetry_without_package(tmp_path)


def test_the_lock_only_project_is_copied_straight_and_the_package_is_built(tmp_path: Path) -> None:
    lock_only = _project(tmp_path / "a", NAMED, {"app.py": APP})
    package = _project(tmp_path / "b", NAMED, {"app.py": APP, "tiny_web_app/__init__.py": ""})
    assert " AS build\n" not in generate(load_project(lock_only)).dockerfile
    assert " AS build\n" in generate(load_project(package)).dockerfile
