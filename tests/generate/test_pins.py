"""The Python from exact pins: pins read as pip installs them, the index asked (a fake), the newest version chosen."""

from __future__ import annotations

import json
import threading
import urllib.error
from pathlib import Path

import pytest
import yaml

from imgforge.errors import UsageError
from imgforge.build.pyindex import IndexFile, IndexUnavailable, PackageIndex, lookup, parse_page
from imgforge.generate import generate, load_project
from imgforge.generate import pins as pins_module
from imgforge.generate.init import plan_init
from imgforge.generate.pins import Pin, blocker, exact_pins, installs
from tests.generate._files import write

# psycopg2-binary 2.9.5's Linux wheels stop at CPython 3.11 (as on PyPI).
PSYCOPG = [f"psycopg2_binary-2.9.5-cp3{m}-cp3{m}-manylinux_2_17_x86_64.manylinux2014_x86_64.whl" for m in (9, 10, 11)]
PAGES: dict[str, list[tuple[str, str | None]]] = {
    "psycopg2-binary": [("psycopg2-binary-2.9.5.tar.gz", ">=3.6"), *((w, ">=3.6") for w in PSYCOPG),
                        ("psycopg2_binary-2.9.10-cp313-cp313-manylinux_2_17_x86_64.whl", ">=3.8")],
    "django": [("django-4.2.1-py3-none-any.whl", ">=3.8"), ("django-4.2.1.tar.gz", ">=3.8")],
    "oldlib": [("oldlib-1.0-py3-none-any.whl", ">=3.7,<3.12"), ("oldlib-1.0.tar.gz", ">=3.7,<3.12")],
    "gunicorn": [("gunicorn-20.1.0-py3-none-any.whl", ">=3.5"), ("gunicorn-20.1.0.tar.gz", ">=3.5")],
    # A 2022 release whose Linux wheels stop at CPython 3.10 (backports.zoneinfo 0.2.1 stops at 3.8).
    "oldzone": [("oldzone-0.2.1.tar.gz", ">=3.6"),
                *((f"oldzone-0.2.1-cp3{m}-cp3{m}-manylinux_2_17_x86_64.whl", ">=3.6") for m in (8, 9, 10))],
    # A 2023 release with cp311 wheels and none for 3.13 (msgpack 1.0.5).
    "msgpack": [("msgpack-1.0.5.tar.gz", None), ("msgpack-1.0.5-cp311-cp311-manylinux_2_17_x86_64.whl", None)],
}


def page(name: str) -> bytes:
    files = [{"filename": f, "requires-python": r, "url": f"https://files.example/{f}"} for f, r in PAGES[name]]
    return json.dumps({"meta": {"api-version": "1.1"}, "name": name, "files": files}).encode()


class FakeIndex:
    """An index of PAGES that counts what it was asked; names in `broken` answer HTTP 503."""

    def __init__(self, broken: tuple[str, ...] = ()) -> None:
        self.asked: list[str] = []
        self.broken = broken
        self.lock = threading.Lock()

    def __call__(self, url: str, timeout: float) -> bytes:
        name = url.rstrip("/").rsplit("/", 1)[-1]
        with self.lock:
            self.asked.append(name)
        if name in self.broken:
            raise urllib.error.HTTPError(url, 503, "unavailable", {}, None)  # type: ignore[arg-type]
        if name not in PAGES:
            raise urllib.error.HTTPError(url, 404, "not found", {}, None)  # type: ignore[arg-type]
        return page(name)

    def index(self, cache: Path | None = None) -> PackageIndex:
        return PackageIndex("https://user:secret@index.example/simple", self, cache)


@pytest.fixture(autouse=True)
def _x86_64(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pins_module, "arch", lambda: "x86_64")


def test_requirements_pins_follow_includes_and_drop_hashes_and_ranges(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "requirements.txt": "-r requirements/base.txt\nDjango==4.2.1  # web\nflask>=2\npsycopg[binary]==3.1.8 \\\n"
                            "    --hash=sha256:abc\noldlib==1.0 ; python_version < \"3.12\"\n",
        "requirements/base.txt": "gunicorn==20.1.0\n# pinned==9\n",
        "requirements-dev.txt": "pytest==8.0.0\n"})
    found = {(p.name, p.version, p.where, p.marker) for p in exact_pins(root)}
    assert found == {("gunicorn", "20.1.0", "requirements/base.txt", None),
                     ("Django", "4.2.1", "requirements.txt", None), ("psycopg", "3.1.8", "requirements.txt", None),
                     ("oldlib", "1.0", "requirements.txt", 'python_version < "3.12"')}
    marked = next(p for p in exact_pins(root) if p.name == "oldlib")
    assert marked.applies("3.11") and not marked.applies("3.13")


def test_lock_pins_skip_development_and_non_index_packages(tmp_path: Path) -> None:
    poetry = write(tmp_path / "poetry", {"poetry.lock": (
        '[[package]]\nname = "django"\nversion = "4.2.1"\ngroups = ["main"]\n\n'
        '[[package]]\nname = "pytest"\nversion = "8.0.0"\ngroups = ["dev"]\n\n'
        '[[package]]\nname = "mylib"\nversion = "0.1"\ngroups = ["main"]\n'
        '[package.source]\ntype = "git"\nurl = "https://example/mylib.git"\n')})
    assert [(p.name, p.version) for p in exact_pins(poetry)] == [("django", "4.2.1")]
    uv = write(tmp_path / "uv", {"uv.lock": (
        '[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\n\n'
        '[[package]]\nname = "gunicorn"\nversion = "20.1.0"\nsource = { registry = "https://pypi.org/simple" }\n')})
    assert [(p.name, p.version) for p in exact_pins(uv)] == [("gunicorn", "20.1.0")]
    pipenv = write(tmp_path / "pipenv", {"Pipfile.lock": json.dumps(
        {"default": {"django": {"version": "==4.2.1"}, "local": {"path": "."}}, "develop": {"pytest": {}}})})
    assert [(p.name, p.version) for p in exact_pins(pipenv)] == [("django", "4.2.1")]


def files_of(name: str, version: str) -> list[IndexFile]:
    return list(parse_page(page(name), version))


@pytest.mark.parametrize(("name", "version", "python", "expected"), [
    ("psycopg2-binary", "2.9.5", "3.13", "psycopg2-binary 2.9.5 has no cp313 wheel"),
    ("psycopg2-binary", "2.9.5", "3.11", None),
    ("psycopg2-binary", "2.9.10", "3.13", None),
    ("oldlib", "1.0", "3.13", "oldlib 1.0 requires Python >=3.7,<3.12"),
    ("oldlib", "1.0", "3.11", None),
    ("django", "4.2.1", "3.13", None),
])
def test_blocker_names_the_missing_wheel_or_the_python_bound(name: str, version: str, python: str,
                                                              expected: str | None) -> None:
    assert blocker(Pin(name, version, "requirements.txt"), files_of(name, version), python) == expected


@pytest.mark.parametrize(("wheel", "python", "glibc", "expected"), [
    ("x-1-cp37-abi3-manylinux_2_17_x86_64.whl", "3.13", 41, True),  # abi3 from 3.7 on
    ("x-1-cp313-abi3-manylinux_2_17_x86_64.whl", "3.11", 36, False),  # abi3 from 3.13 on only
    ("x-1-cp311-cp311-manylinux_2_39_x86_64.whl", "3.11", 36, False),  # needs a newer glibc than bookworm's
    ("x-1-cp313-cp313-manylinux_2_39_x86_64.whl", "3.13", 41, True),  # trixie has 2.41
    ("x-1-cp311-cp311-manylinux1_x86_64.whl", "3.11", 36, True),
    ("x-1-cp311-cp311-manylinux_2_17_aarch64.whl", "3.11", 36, False),  # another machine
    ("x-1-cp311-cp311-musllinux_1_1_x86_64.whl", "3.11", 36, False),  # Alpine's libc
    ("x-1-cp313-cp313t-manylinux_2_17_x86_64.whl", "3.13", 41, False),  # free-threaded build
])
def test_wheel_tags_fit_as_pip_on_the_catalog_image_reads_them(wheel: str, python: str, glibc: int,
                                                               expected: bool) -> None:
    assert installs([IndexFile(wheel)], python, glibc, "x86_64") is expected


def test_an_sdist_only_release_installs_but_not_beside_compiled_wheels() -> None:
    assert installs([IndexFile("pure-1.0.tar.gz")], "3.13", 41, "x86_64")
    compiled = [IndexFile("c-1.0.tar.gz"), IndexFile("c-1.0-cp311-cp311-manylinux_2_17_x86_64.whl")]
    assert not installs(compiled, "3.13", 41, "x86_64")


def test_lookup_keeps_answers_and_treats_404_as_absent(tmp_path: Path) -> None:
    fake = FakeIndex()
    index = fake.index(tmp_path / "cache")
    wanted = [("django", "4.2.1"), ("psycopg2-binary", "2.9.5"), ("private-lib", "1.0")]
    first = lookup(index, wanted)
    assert set(first) == {("django", "4.2.1"), ("psycopg2-binary", "2.9.5")}
    assert sorted(fake.asked) == ["django", "private-lib", "psycopg2-binary"]
    fake.asked.clear()
    assert lookup(index, wanted) == first  # from the cache, 404 included
    assert fake.asked == []


def test_the_first_failure_stops_the_rest_and_names_no_credential(tmp_path: Path) -> None:
    fake = FakeIndex(broken=("django",))
    with pytest.raises(IndexUnavailable) as caught:
        lookup(fake.index(), [("django", "4.2.1"), ("gunicorn", "20.1.0"), ("oldlib", "1.0")], workers=1)
    assert fake.asked == ["django"]  # one thread: the pins after the failure are never asked
    assert "HTTP 503" in str(caught.value) and "index.example" in str(caught.value)
    assert "secret" not in str(caught.value) and "user" not in str(caught.value)


def test_init_writes_the_python_every_pin_suits_and_why(tmp_path: Path) -> None:
    root = write(tmp_path / "shop", {"requirements.txt": "Django==4.2.1\npsycopg2-binary==2.9.5\ngunicorn==20.1.0\n",
                                     "app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    plan = plan_init(root, index=FakeIndex().index())
    assert "# Python 3.11, not 3.13: psycopg2-binary 2.9.5 has no cp313 wheel" in plan.text
    settings = yaml.safe_load(plan.text)
    assert settings["overrides"]["runtime"]["image"] == "imgforge/python:3.11"
    assert {b["name"]: b["image"] for b in settings["overrides"]["builders"]} == {
        "deps": "imgforge/python-dev:3.11", "build": "imgforge/python-dev:3.11"}
    # What init wrote generates unedited, on 3.11 in every stage.
    (root / "imgforge.yaml").write_text(plan.text)
    froms = [line.split()[1] for line in generate(load_project(root)).dockerfile.splitlines()
             if line.startswith("FROM ")]
    assert froms and all(ref.endswith(":3.11") for ref in froms), froms


def test_init_leaves_the_newest_python_when_every_pin_suits_it(tmp_path: Path) -> None:
    root = write(tmp_path / "blog", {"requirements.txt": "Django==4.2.1\ngunicorn==20.1.0\n",
                                     "app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    settings = yaml.safe_load(plan_init(root, index=FakeIndex().index()).text)
    assert "image" not in settings.get("overrides", {}).get("runtime", {})
    assert "builders" not in settings.get("overrides", {})


def test_a_declared_python_wins_and_no_index_is_asked(tmp_path: Path) -> None:
    root = write(tmp_path / "shop", {"requirements.txt": "psycopg2-binary==2.9.5\n", ".python-version": "3.13\n",
                                     "app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    fake = FakeIndex()
    plan = plan_init(root, index=fake.index())
    assert fake.asked == [] and "imgforge/python:3.11" not in plan.text


def test_an_index_that_fails_leaves_a_one_line_note_and_the_old_choice(tmp_path: Path) -> None:
    root = write(tmp_path / "shop", {"requirements.txt": "Django==4.2.1\npsycopg2-binary==2.9.5\n",
                                     "app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    plan = plan_init(root, index=FakeIndex(broken=("django", "psycopg2-binary")).index())
    notes = [line for line in plan.text.splitlines() if line.startswith("# Python:")]
    assert len(notes) == 1 and "HTTP 503" in notes[0] and "Python 3.13 from the declarations" in notes[0]
    assert "imgforge/python:3.11" not in plan.text and "secret" not in plan.text


@pytest.mark.parametrize(("files", "expected"), [
    ({"runtime.txt": "python-3.10.2\n"}, "3.11"),  # the next newer line
    ({".python-version": "3.14\n"}, "3.13"),  # nothing newer: the newest older one
    ({"runtime.txt": "python-3.12.0\n"}, "3.13"),  # as near either way: the newer
    ({"runtime.txt": "python-3.12.0\n", "requirements.txt": "psycopg2-binary==2.9.5\n"}, "3.11"),  # its wheels end
])
def test_a_version_file_naming_a_line_the_catalog_has_not_gets_the_nearest(tmp_path: Path, files: dict[str, str],
                                                                          expected: str) -> None:
    root = write(tmp_path / "app", {"app.py": "from flask import Flask\napp = Flask(__name__)\n", **files})
    plan = plan_init(root, index=FakeIndex().index())
    settings = yaml.safe_load(plan.text)
    assert settings["overrides"]["runtime"]["image"] == f"imgforge/python:{expected}"
    assert "a line the catalog has not (3.11, 3.13)" in plan.text
    (root / "imgforge.yaml").write_text(plan.text)
    assert f"imgforge/python:{expected}" in generate(load_project(root)).dockerfile


def test_two_version_files_that_disagree_keep_the_declarations_error(tmp_path: Path) -> None:
    root = write(tmp_path / "app", {"app.py": "from flask import Flask\napp = Flask(__name__)\n",
                                    "runtime.txt": "python-3.10.2\n", ".python-version": "3.12\n"})
    plan = plan_init(root, index=FakeIndex().index())
    assert "imgforge/python:" not in plan.text
    (root / "imgforge.yaml").write_text(plan.text)
    with pytest.raises(UsageError, match="runtime.txt wants python-3.10.2"):
        generate(load_project(root))


def test_a_ca_bundle_that_is_not_pem_is_a_note_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate\n")
    monkeypatch.delenv("IMGFORGE_NO_INDEX")
    monkeypatch.setenv("PIP_CERT", str(bundle))
    root = write(tmp_path / "shop", {"requirements.txt": "Django==4.2.1\npsycopg2-binary==2.9.5\n",
                                     "app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    notes = [line for line in plan_init(root).text.splitlines() if line.startswith("# Python:")]
    assert len(notes) == 1 and f"reading the CA bundle {bundle}" in notes[0]


def test_when_no_python_suits_every_pin_init_writes_the_one_with_the_fewest_blockers(tmp_path: Path) -> None:
    # A Channels app pinned in 2023 with one 2022 pin: 3.11 lacks a wheel of one pin, 3.13 of three.
    root = write(tmp_path / "chat", {
        "requirements.txt": "Django==4.2.1\noldzone==0.2.1\nmsgpack==1.0.5\npsycopg2-binary==2.9.5\n",
        "app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    plan = plan_init(root, index=FakeIndex().index())
    settings = yaml.safe_load(plan.text)
    assert settings["overrides"]["runtime"]["image"] == "imgforge/python:3.11"
    [why] = [line.strip() for line in plan.text.splitlines() if line.strip().startswith("# Python 3.11, not 3.13")]
    assert "3.13: oldzone 0.2.1 has no cp313 wheel, msgpack 1.0.5 has no cp313 wheel, psycopg2-binary" in why
    assert "3.11: oldzone 0.2.1 has no cp311 wheel); 3.11 has the fewest that do not" in why


def test_a_tie_of_blockers_goes_to_the_oldest_and_says_why(tmp_path: Path) -> None:
    # oldzone builds from its sdist on both: the older Python and compiler are what its C was written for.
    root = write(tmp_path / "chat", {"requirements.txt": "Django==4.2.1\noldzone==0.2.1\n",
                                     "app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    plan = plan_init(root, index=FakeIndex().index())
    assert yaml.safe_load(plan.text)["overrides"]["runtime"]["image"] == "imgforge/python:3.11"
    [why] = [line.strip() for line in plan.text.splitlines() if line.strip().startswith("# Python 3.11, not 3.13")]
    assert why.endswith("(3.13: oldzone 0.2.1 has no cp313 wheel; 3.11: oldzone 0.2.1 has no cp311 wheel); 3.11 "
                        "has the fewest that do not, the oldest of a tie (old sdists compile with its older "
                        "compiler) (the package index's files of the exact pins).")
