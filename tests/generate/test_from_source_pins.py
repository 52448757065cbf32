"""Pins that no catalog Python has a wheel of are built from their sdists: init gives the dependency builder a
compiler and the headers they compile against, the runtime the libraries the built modules load (pure, a fake
index)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from imgforge.generate import generate, load_project
from imgforge.generate.init import plan_init, write_init
from imgforge.generate.native import COMPILER, built_from_source
from tests.generate._files import write
from tests.generate.test_pins import PAGES, FakeIndex

# A 2021 psycopg2-binary whose Linux wheels stop at CPython 3.10 (as 2.9.3 on PyPI): every catalog Python builds
# it from its sdist, against libpq's headers.
OLD_PG = [("psycopg2-binary-2.9.3.tar.gz", ">=3.6"),
          *((f"psycopg2_binary-2.9.3-cp3{m}-cp3{m}-manylinux_2_17_x86_64.whl", ">=3.6") for m in range(6, 11))]
APP = "from flask import Flask\napp = Flask(__name__)\n"


@pytest.fixture()
def index(monkeypatch: pytest.MonkeyPatch) -> FakeIndex:
    monkeypatch.setitem(PAGES, "psycopg2-binary", OLD_PG)
    return FakeIndex()


def _stages(dockerfile: str) -> dict[str, str]:
    parts = dockerfile.split("\nFROM ")
    return {part.split("\n", 1)[0].rsplit(" AS ", 1)[-1]: part for part in parts[1:]}


def test_an_old_psycopg2_binary_pin_gets_libpq_headers_in_the_builder_and_libpq_in_the_runtime(
        tmp_path: Path, index: FakeIndex) -> None:
    # Modelled on Flask-on-Docker tutorials of 2021: Flask, Flask-SQLAlchemy, gunicorn and psycopg2-binary pinned.
    root = write(tmp_path / "orders", {"requirements.txt": "Django==4.2.1\npsycopg2-binary==2.9.3\n", "app.py": APP})
    plan = plan_init(root, index=index.index())
    overrides = yaml.safe_load(plan.text)["overrides"]
    # Every catalog Python builds it: the oldest, whose gcc 12 compiles 2021's C (gcc 14 refuses it).
    assert overrides["runtime"]["image"] == "imgforge/python:3.11"
    assert overrides["runtime"]["system_packages"] == ["libpq5"]
    [deps] = [b for b in overrides["builders"] if b["name"] == "deps"]
    assert deps["system_packages"] == sorted([*COMPILER, "libpq-dev"])
    assert "# No wheel of psycopg2-binary fits Python 3.11: pip builds it from its sdist" in plan.text
    write_init(plan)
    stages = _stages(generate(load_project(root)).dockerfile)
    assert "--no-install-recommends gcc libc6-dev libpq-dev make python3-dev" in stages["deps"]
    assert "--no-install-recommends libpq5" in stages["runtime"]
    assert "libpq-dev" not in stages["runtime"]
    # apt's package caches go with its lists: they are 77 MB after an update.
    assert "&& rm -rf /var/lib/apt/lists/* /var/cache/apt/*" in stages["runtime"]


def test_pins_with_wheels_or_that_exclude_the_python_get_no_system_packages(tmp_path: Path, index: FakeIndex) -> None:
    # oldlib 1.0 requires Python <3.12: pip cannot install it on 3.13 at all, so nothing is built from source.
    for requirements in ("Django==4.2.1\ngunicorn==20.1.0\n", "Django==4.2.1\noldlib==1.0\n"):
        root = write(tmp_path / str(len(requirements)), {"requirements.txt": requirements, "app.py": APP})
        assert "system_packages" not in plan_init(root, index=index.index()).text


def test_a_pin_built_from_source_without_a_library_of_its_own_gets_the_compiler_only() -> None:
    need = built_from_source(["oldzone", "Psycopg2_Binary"])
    assert need.build == tuple(sorted([*COMPILER, "libpq-dev"])) and need.runtime == ("libpq5",)
    assert built_from_source(["msgpack"]).build == tuple(sorted(COMPILER))
    assert built_from_source(["msgpack"]).runtime == ()
    assert built_from_source([]).build == ()
    # Pillow's setup stops without zlib's and libjpeg's headers; the built module loads libjpeg (zlib is in Debian).
    pillow = built_from_source(["Pillow"])
    assert {"libjpeg-dev", "zlib1g-dev"} <= set(pillow.build) and pillow.runtime == ("libjpeg62-turbo",)
    # cffi compiles against libffi's headers; the runtime's Python already loads libffi.
    assert "libffi-dev" in built_from_source(["cffi"]).build and built_from_source(["cffi"]).runtime == ()


def test_a_locked_psycopg2_binary_without_a_wheel_for_the_python_gets_libpq(tmp_path: Path) -> None:
    # A lock of late 2021: the locked psycopg2-binary has wheels up to cp310 only (the test lists two).
    wheels = ", ".join(f'{{ url = "https://files.example/psycopg2_binary-2.9.3-cp3{m}-cp3{m}-manylinux1_x86_64.whl", '
                       'hash = "sha256:00" }' for m in (8, 9))
    lock = ('version = 1\nrequires-python = ">=3.11"\n\n[[package]]\nname = "psycopg2-binary"\nversion = "2.9.3"\n'
            f'source = {{ registry = "https://pypi.org/simple" }}\nwheels = [{wheels}]\n')
    root = write(tmp_path, {"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.11"\n'
                            'dependencies = ["psycopg2-binary==2.9.3"]\n',
                            "uv.lock": lock, "app.py": APP, "imgforge.yaml": "recipe: python\n"})
    stages = _stages(generate(load_project(root)).dockerfile)
    assert "--no-install-recommends gcc libc6-dev libpq-dev make python3-dev" in stages["deps"]
    assert "--no-install-recommends libpq5" in stages["runtime"]
