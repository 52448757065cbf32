"""Debian packages for Python dependencies that pip builds from source or that load a system library (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.generate import generate, load_project
from imgforge.generate.native import python_system_packages
from tests.generate._files import write


APP = "from flask import Flask\napp = Flask(__name__)\n"


def _stages(dockerfile: str) -> dict[str, str]:
    """Stage name -> its text."""
    parts = dockerfile.split("\nFROM ")
    return {part.split("\n", 1)[0].rsplit(" AS ", 1)[-1]: part for part in parts[1:]}


def test_psycopg2_from_source_gets_headers_in_the_builder_and_libpq_in_the_runtime(tmp_path: Path) -> None:
    # Modelled on Azure's Flask + PostgreSQL samples: a bare `psycopg2` in requirements.txt (it has no Linux
    # wheel, so pip builds it and stops at "pg_config executable not found" without libpq-dev).
    root = write(tmp_path, {"requirements.txt": "Flask\nFlask-SQLAlchemy\npsycopg2\ngunicorn\n", "app.py": APP,
                            "imgforge.yaml": "recipe: python\n"})
    stages = _stages(generate(load_project(root)).dockerfile)
    deps, runtime = stages["deps"], stages["runtime"]
    assert "apt-get install -y --no-install-recommends gcc libc6-dev libpq-dev make python3-dev" in deps
    assert deps.index("apt-get install") < deps.index("COPY requirements.txt")  # before the dependency layer
    assert "apt-get install -y --no-install-recommends libpq5" in runtime
    assert "gcc" not in runtime and "libpq-dev" not in runtime
    # apt reaches the network as the other installs do: the build network's secrets, sourced, never in a layer.
    assert "--mount=type=secret,id=imgforge-net" in deps.split("apt-get update")[0].rsplit("RUN ", 1)[1]


@pytest.mark.parametrize(("files", "build", "runtime"), [
    ({"requirements.txt": "psycopg2-binary==2.9.9\n"}, (), ()),
    ({"requirements.txt": "mysqlclient>=2.2\n"},
     ("default-libmysqlclient-dev", "gcc", "libc6-dev", "make", "pkg-config", "python3-dev"), ("libmariadb3",)),
    ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["psycopg>=3.1"]\n'}, (), ("libpq5",)),
    # psycopg[binary] brings its own libpq (psycopg-binary is in the lock).
    ({"uv.lock": 'version = 1\n\n[[package]]\nname = "psycopg"\n\n[[package]]\nname = "psycopg-binary"\n'}, (), ()),
    ({"requirements/prod.txt": "Django==5.1\nuWSGI==2.0.28\n"}, ("gcc", "libc6-dev", "make", "python3-dev"), ()),
    ({"Pipfile": '[packages]\nflask = "*"\n'}, (), ()),
])
def test_which_dependencies_need_what(tmp_path: Path, files: dict[str, str], build: tuple[str, ...],
                                      runtime: tuple[str, ...]) -> None:
    need = python_system_packages(write(tmp_path, files))
    assert (need.build, need.runtime) == (build, runtime)


def test_a_lock_package_without_a_wheel_for_the_python_gets_a_compiler(tmp_path: Path) -> None:
    lock = ('version = 1\nrequires-python = ">=3.10"\n\n[[package]]\nname = "uvloop"\nversion = "0.20.0"\n'
            'wheels = [{ url = "https://files.example/uvloop-0.20.0-cp312-cp312-manylinux_2_17_x86_64.whl", '
            'hash = "sha256:00" }]\n')
    root = write(tmp_path, {"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.12"\n',
                            "uv.lock": lock, "app.py": APP, "imgforge.yaml": "recipe: python\n"})
    files = generate(load_project(root))
    assert "gcc libc6-dev make python3-dev" in _stages(files.dockerfile)["deps"]
    assert any("the builder gets a compiler" in w for w in files.warnings)
