"""Python dependencies that run a system program or load a system library at import get it in the runtime only
(pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.generate import generate, load_project
from imgforge.generate.native import python_system_packages
from tests.generate._files import write


# Modelled on coderamp-labs/gitingest: GitPython among pyproject's dependencies (not in requirements.txt), which
# raises 'Bad git executable' at import without git.
@pytest.mark.parametrize(("files", "runtime"), [
    ({"pyproject.toml": '[project]\nname = "ingest"\ndependencies = ["GitPython>=3.1"]\n',
      "requirements.txt": "fastapi\n"}, ("git",)),
    ({"requirements.txt": "python-magic==0.4.27\nflask\n"}, ("libmagic1",)),
    ({"Pipfile": '[packages]\ngitpython = "*"\npython_magic = "*"\n'}, ("git", "libmagic1")),
    ({"requirements.txt": "flask\n"}, ()),
])
def test_runtime_programs_of_python_dependencies(tmp_path: Path, files: dict[str, str],
                                                 runtime: tuple[str, ...]) -> None:
    found = python_system_packages(write(tmp_path, files))
    assert found.runtime == runtime
    assert found.build == ()


def test_git_reaches_the_runtime_stage_and_not_the_builder(tmp_path: Path) -> None:
    root = write(tmp_path, {"requirements.txt": "GitPython==3.1.43\n", "app.py": "import git\n",
                            "imgforge.yaml": "recipe: python\n"})
    dockerfile = generate(load_project(root)).dockerfile
    deps, runtime = dockerfile.split(" AS runtime", 1)
    assert "apt-get install -y --no-install-recommends git" in runtime
    assert "apt-get" not in deps
