"""A requirements/ folder per environment without a requirements.txt: the production file is installed and its
pins read (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.generate import generate, load_project
from imgforge.generate.pins import exact_pins
from tests.generate._files import write

APP = "from flask import Flask\napp = Flask(__name__)\n"


# Modelled on cookiecutter-django's requirements/ (base, local, production) and flasky's (common, prod).
@pytest.mark.parametrize(("files", "installed", "pins"), [
    ({"requirements/base.txt": "Flask==3.1.0\n", "requirements/local.txt": "-r base.txt\npytest==8.3.4\n",
      "requirements/production.txt": "-r base.txt\ngunicorn==23.0.0\n"},
     "requirements/production.txt", {"flask", "gunicorn"}),
    ({"requirements/common.txt": "Flask==3.1.0\n", "requirements/prod.txt": "-r common.txt\nwaitress==3.0.2\n",
      "requirements/dev.txt": "-r common.txt\nblack==24.10.0\n"}, "requirements/prod.txt", {"flask", "waitress"}),
    ({"requirements/base.txt": "Flask==3.1.0\n", "requirements/test.txt": "-r base.txt\npytest==8.3.4\n"},
     "requirements/base.txt", {"flask"}),
])
def test_the_production_file_of_a_requirements_folder(tmp_path: Path, files: dict[str, str], installed: str,
                                                      pins: set[str]) -> None:
    root = write(tmp_path, {**files, "app.py": APP, "imgforge.yaml": "recipe: python\n"})
    assert {p.name.lower() for p in exact_pins(root)} == pins
    dockerfile = generate(load_project(root)).dockerfile
    assert "COPY requirements/ ./requirements/" in dockerfile
    script = dockerfile.split("for f in ", 1)[1].split("done", 1)[0]
    candidates = [w for w in script.split() if w.startswith("requirements/")]
    # The shell loop takes the first file present, which is the one the pins were read from.
    assert next(c for c in candidates if (root / c).is_file()) == installed
    assert '--requirement "$f"' in dockerfile


def test_a_folder_of_tooling_requirements_alone_is_not_installed(tmp_path: Path) -> None:
    # A library's requirements/docs.txt and dev.txt beside pyproject's dependencies: pyproject is installed.
    root = write(tmp_path, {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["flask"]\n',
                            "requirements/docs.txt": "sphinx\n", "requirements/dev.txt": "pytest\n", "app.py": APP,
                            "imgforge.yaml": "recipe: python\n"})
    dockerfile = generate(load_project(root)).dockerfile
    assert "for f in requirements/" not in dockerfile
    assert exact_pins(root) == []


def test_a_root_requirements_file_still_comes_first(tmp_path: Path) -> None:
    root = write(tmp_path, {"requirements.txt": "-r requirements/prod.txt\n", "requirements/prod.txt": "Flask==3.1.0\n",
                            "app.py": APP, "imgforge.yaml": "recipe: python\n"})
    dockerfile = generate(load_project(root)).dockerfile
    assert "--requirement requirements.txt" in dockerfile and "for f in requirements/" not in dockerfile
    assert [p.name.lower() for p in exact_pins(root)] == ["flask"]
