"""A Hatch or PDM application (a build backend declared, nothing for it to build) gets no build stage (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.generate import generate, load_project
from imgforge.generate.init import plan_init
from imgforge.generate.poetrypkg import hatch_without_package, pdm_without_package, without_package
from tests.generate._files import write

HATCH = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
PROJECT = '[project]\nname = "Notes.Web-Service"\nversion = "0.2.0"\ndependencies = ["starlette", "uvicorn"]\n'
APP = "from starlette.applications import Starlette\n\napp = Starlette()\n"


# Modelled on litestar-org/litestar-hello-world: app.py beside a [project] named otherwise, hatchling declared.
@pytest.mark.parametrize(("extra", "files", "expected"), [
    ("", {"app.py": APP}, True),
    ("", {"notes_web_service/__init__.py": APP}, False),
    ("", {"src/notes_web_service/__init__.py": APP}, False),
    ("", {"notes_web_service.py": APP}, False),
    ('[tool.hatch.build.targets.wheel]\npackages = ["web"]\n', {"web/__init__.py": APP}, False),
    ('[tool.hatch.build]\ninclude = ["app.py"]\n', {"app.py": APP}, False),
    ('[tool.hatch.build.targets.wheel]\nbypass-selection = true\n', {"app.py": APP}, False),
])
def test_hatch_projects_with_and_without_a_package(tmp_path: Path, extra: str, files: dict[str, str],
                                                   expected: bool) -> None:
    root = write(tmp_path, {"pyproject.toml": PROJECT + extra + HATCH, **files})
    assert hatch_without_package(root) is expected
    assert without_package(root) is expected


@pytest.mark.parametrize(("tool", "expected"), [
    ("[tool.pdm]\ndistribution = false\n", True),
    ('[tool.pdm]\npackage-type = "application"\n', True),
    ("[tool.pdm]\ndistribution = true\n", False),
    ("", False),
])
def test_pdm_applications(tmp_path: Path, tool: str, expected: bool) -> None:
    backend = '[build-system]\nrequires = ["pdm-backend"]\nbuild-backend = "pdm.backend"\n'
    root = write(tmp_path, {"pyproject.toml": PROJECT + tool + backend, "app.py": APP})
    assert pdm_without_package(root) is expected


def test_another_backend_or_no_name_is_left_to_build(tmp_path: Path) -> None:
    setuptools = '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
    assert not without_package(write(tmp_path / "a", {"pyproject.toml": PROJECT + setuptools, "app.py": APP}))
    assert not without_package(write(tmp_path / "b", {"pyproject.toml": HATCH, "app.py": APP}))
    assert not without_package(write(tmp_path / "c", {"pyproject.toml": "[project\nbroken", "app.py": APP}))


def test_a_hatch_application_gets_no_build_stage_and_its_sources_straight(tmp_path: Path) -> None:
    root = write(tmp_path, {"pyproject.toml": PROJECT + HATCH, "app.py": APP})
    (root / "imgforge.yaml").write_text(plan_init(root).text)
    dockerfile = generate(load_project(root)).dockerfile
    assert " AS build" not in dockerfile
    assert "RUN --network=none --mount=type=bind,source=.,target=/mnt" in dockerfile
    package = write(tmp_path / "pkg", {"pyproject.toml": PROJECT + HATCH, "notes_web_service/__init__.py": APP})
    (package / "imgforge.yaml").write_text(plan_init(package).text)
    assert " AS build" in generate(load_project(package)).dockerfile
