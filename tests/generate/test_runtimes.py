"""Runtime versions from the project's declarations: the newest catalog version that satisfies all (pure)."""

from __future__ import annotations

import json

import pytest

from imgforge.cli import main
from imgforge.errors import UsageError
from imgforge.generate import generate, load_project
from imgforge.env.bases import NODE_UPSTREAM
from imgforge.generate.runtimes import DEFAULT, FULL, available, choose
from imgforge.generate.wheels import compiled_packages
from imgforge.generate.semver import satisfies
from tests.generate._files import write


def test_catalog_offers_two_versions_of_each_toolchain():
    assert available("python") == ["3.11", "3.13"]
    assert available("node") == ["18", "20", "22", "24"]
    assert available("go") == ["1.19", "1.24"]
    assert available("gcc") == ["12", "14"]


@pytest.mark.parametrize(("files", "expected"), [
    ({}, "3.13"),
    ({".python-version": "3.11.9\n"}, "3.11"),
    ({"runtime.txt": "python-3.11.4\n"}, "3.11"),
    ({"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.9,<3.12"\n'}, "3.11"),
    ({"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.12"\n'}, "3.13"),
    ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\n'}, "3.13"),
    ({"pyproject.toml": '[tool.poetry.dependencies]\npython = ">=3.10,<3.12"\n'}, "3.11"),
    ({"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.13.2"\n'}, "3.13"),  # Debian has 3.13.5
    ({"Pipfile": '[packages]\nflask = "*"\n\n[requires]\npython_version = "3.11"\n'}, "3.11"),
    ({"Pipfile.lock": json.dumps({"_meta": {"requires": {"python_full_version": "3.11.2"}}, "default": {}})}, "3.11"),
])
def test_python_version_from_declarations(tmp_path, files, expected):
    assert choose("python", write(tmp_path, files)) == expected


@pytest.mark.parametrize(("files", "expected"), [
    ({"package.json": "{}"}, "22"),
    ({"package.json": json.dumps({"engines": {"node": ">=18 <20"}})}, "18"),
    ({"package.json": json.dumps({"engines": {"node": "^20.19.0 || >=22.12.0"}})}, "22"),
    ({"package.json": json.dumps({"engines": {"node": "^20.19.0"}})}, "20"),
    ({"package.json": json.dumps({"engines": {"node": "18.x"}})}, "18"),
    ({".nvmrc": "v18.19.0\n", "package.json": "{}"}, "18"),
    ({".node-version": "lts/iron\n", "package.json": "{}"}, "20"),
    ({".nvmrc": "lts/*\n", "package.json": "{}"}, "22"),
    # Node 24 only for projects that rule 22 out; no declaration gets 22, and 20 (Debian's) goes to those that ask.
    ({".nvmrc": "22\n", "package.json": "{}"}, "22"),
    ({".nvmrc": "v22\n", "package.json": "{}"}, "22"),
    ({".nvmrc": "lts/jod\n", "package.json": "{}"}, "22"),
    ({".node-version": "lts/krypton\n", "package.json": "{}"}, "24"),
    ({".node-version": "24\n", "package.json": "{}"}, "24"),
    ({"package.json": json.dumps({"engines": {"node": ">=22"}})}, "22"),
    ({"package.json": json.dumps({"engines": {"node": ">=23"}})}, "24"),
    ({"package.json": json.dumps({"engines": {"node": "^22.12.0"}})}, "22"),
    ({"package.json": json.dumps({"engines": {"node": "22.x || 24.x"}})}, "22"),
    ({"package.json": json.dumps({"engines": {"node": ">=18"}})}, "22"),
    ({"package.json": json.dumps({"engines": {"node": "^20 || ^22 || >=24"}})}, "22"),
    ({"package.json": json.dumps({"engines": {"node": "20.x"}})}, "20"),
    ({".nvmrc": "22\n", "package.json": json.dumps({"engines": {"node": ">=20"}})}, "22"),
    # A release in a version file (`v20.11.1`, as most projects pin) is its major line: the catalog holds one
    # patch release per line, as `.python-version` 3.11.4 is read as 3.11.
    ({".nvmrc": "v20.11.1\n", "package.json": "{}"}, "20"),
    ({".node-version": "22.12.0\n", "package.json": "{}"}, "22"),
    ({".nvmrc": "24.1\n", "package.json": "{}"}, "24"),
    ({".nvmrc": "v18.20.4\n", "package.json": json.dumps({"engines": {"node": ">=18"}})}, "18"),
])
def test_node_version_from_declarations(tmp_path, files, expected):
    assert choose("node", write(tmp_path, files)) == expected


@pytest.mark.parametrize(("gomod", "expected"), [
    ("module x\n\ngo 1.19\n", "1.24"),
    ("module x\n\ngo 1.22\n\ntoolchain go1.23.4\n", "1.24"),
    ("module x\n", "1.24"),
])
def test_go_version_is_a_minimum(tmp_path, gomod, expected):
    assert choose("go", write(tmp_path, {"go.mod": gomod})) == expected


def test_unsatisfiable_declaration_names_wanted_catalog_and_override(tmp_path):
    root = write(tmp_path, {".python-version": "3.12\n"})
    with pytest.raises(UsageError) as err:
        choose("python", root)
    text = str(err.value)
    assert ".python-version wants 3.12" in text and "3.11, 3.13" in text and "overrides.runtime.image" in text
    assert "\n" not in text


def test_a_release_of_a_line_the_catalog_lacks_names_it(tmp_path):
    root = write(tmp_path, {".nvmrc": "v16.20.2\n", "package.json": "{}"})
    with pytest.raises(UsageError) as err:
        choose("node", root)
    assert ".nvmrc wants 16.20.2" in str(err.value) and "18, 20, 22, 24" in str(err.value)


def test_cli_generate_exits_2_on_an_unsatisfiable_engine(tmp_path, capsys):
    write(tmp_path, {"package.json": json.dumps({"engines": {"node": ">=26"}}), "server.js": "",
                     "imgforge.yaml": "recipe: node\n"})
    assert main(["generate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "engines.node wants >=26" in err and "18, 20, 22, 24" in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_node_default_is_in_the_catalog_and_lines_from_it_on_are_pinned_upstream():
    assert DEFAULT["node"] in available("node")
    upstream = [v for v in available("node") if int(v) >= int(DEFAULT["node"])]
    assert upstream == sorted(NODE_UPSTREAM) == ["22", "24"]
    # A range is judged on the pinned patch release, not on the line's .0.
    assert FULL["22"] == NODE_UPSTREAM["22"][0].version and FULL["24"].startswith("24.")


def test_chosen_versions_reach_builder_and_runtime_images(tmp_path):
    write(tmp_path, {".nvmrc": "18\n", "package.json": "{}", "server.js": "", "imgforge.yaml": "recipe: node\n"})
    text = generate(load_project(tmp_path)).dockerfile
    assert "FROM imgforge/node-dev:18 AS deps" in text and "FROM imgforge/node:18 AS runtime" in text
    assert "{node}" not in text


def test_an_override_image_without_placeholder_skips_selection(tmp_path):
    write(tmp_path, {".python-version": "3.12\n", "app.py": "",
                     "imgforge.yaml": "recipe: python\noverrides:\n  runtime: {image: 'python:3.12-slim'}\n"
                                      "  builders:\n    - {name: deps, image: 'python:3.12'}\n"
                                      "    - {name: build, image: 'python:3.12'}\n"})
    text = generate(load_project(tmp_path)).dockerfile
    assert "FROM python:3.12 AS deps" in text and "FROM python:3.12-slim AS runtime" in text


@pytest.mark.parametrize(("version", "spec", "ok"), [
    ("20.19.2", "^20.19.0 || >=22.12.0", True), ("18.19.0", "^20.19.0 || >=22.12.0", False),
    ("18.19.0", ">=16", True), ("20.19.2", "<20", False), ("18.19.0", "~18.19", True), ("18.19.0", "~18.17", False),
    ("18.19.0", "16 - 18", True), ("20.19.2", "16 - 18", False), ("20.19.2", "*", True),
    ("20.19.2", "20.x", True), ("20.19.2", ">= 18", True), ("20.19.2", "not a range", False),
])
def test_npm_ranges(version, spec, ok):
    assert satisfies(version, spec) is ok


def _uv_lock(*packages: tuple[str, str, list[str]]) -> str:
    """A uv.lock naming each package's wheel files (url basenames are what counts)."""
    out = ['version = 1\nrequires-python = ">=3.10"\n']
    for name, version, wheels in packages:
        files = ", ".join(f'{{ url = "https://files.example/{w}", hash = "sha256:00" }}' for w in wheels)
        out.append(f'[[package]]\nname = "{name}"\nversion = "{version}"\nwheels = [{files}]\n')
    return "\n".join(out)


# A lock made before 3.13 had wheels (astral-sh/uv-fastapi-example pins uvloop 0.20.0: cp38 to cp312 only).
_OLD = ("uvloop", "0.20.0", ["uvloop-0.20.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                             "uvloop-0.20.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                             "uvloop-0.20.0-cp313-cp313-win_amd64.whl"])


@pytest.mark.parametrize(("packages", "expected"), [
    ([_OLD], "3.11"),
    # Pure wheels, abi3 wheels from an older CPython, another OS's package and musllinux-only builds are no reason.
    ([("flask", "3.0.0", ["flask-3.0.0-py3-none-any.whl"]),
      ("cryptography", "43.0.0", ["cryptography-43.0.0-cp39-abi3-manylinux_2_28_x86_64.whl"]),
      ("pywin32", "306", ["pywin32-306-cp311-cp311-win_amd64.whl"]),
      ("uvloop", "0.21.0", ["uvloop-0.21.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"])], "3.13"),
    ([("zstd", "1.5", ["zstd-1.5-cp311-cp311-musllinux_1_1_x86_64.whl",
                       "zstd-1.5-cp313-cp313-manylinux_2_17_x86_64.whl"])], "3.13"),
    # A 3.13 wheel that pip on the catalog's 3.13 image would not take either: it needs a newer glibc than trixie's
    # 2.41, it is for the free-threaded build, or it is for another machine. The judge is the one pins.py uses.
    ([("fastjson", "2.0", ["fastjson-2.0-cp311-cp311-manylinux_2_17_x86_64.whl",
                           "fastjson-2.0-cp313-cp313-manylinux_2_42_x86_64.whl"])], "3.11"),
    ([("fastjson", "2.0", ["fastjson-2.0-cp311-cp311-manylinux_2_17_x86_64.whl",
                           "fastjson-2.0-cp313-cp313t-manylinux_2_17_x86_64.whl"])], "3.11"),
    ([("fastjson", "2.0", ["fastjson-2.0-cp311-cp311-manylinux_2_17_x86_64.whl",
                           "fastjson-2.0-cp313-cp313-manylinux_2_17_aarch64.whl"])], "3.11"),
    # No version has every wheel: the one the fewest packages lack (a 2022 pin stops at cp310, two 2023 pins
    # at cp311), and the older of a tie (its sdist compiles with the older compiler).
    ([("oldzone", "0.2", ["oldzone-0.2-cp310-cp310-manylinux_2_17_x86_64.whl"]), _OLD,
      ("msgpack", "1.0.5", ["msgpack-1.0.5-cp311-cp311-manylinux_2_17_x86_64.whl"])], "3.11"),
    ([("oldzone", "0.2", ["oldzone-0.2-cp310-cp310-manylinux_2_17_x86_64.whl"])], "3.11"),
])
def test_python_version_the_lockfile_has_wheels_for_comes_first(tmp_path, packages, expected):
    write(tmp_path, {"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.10"\n',
                     "uv.lock": _uv_lock(*packages)})
    assert choose("python", tmp_path) == expected


def test_no_version_with_wheels_keeps_the_declared_choice_and_warns(tmp_path):
    poetry = ('[[package]]\nname = "uvloop"\nversion = "0.20.0"\nfiles = [\n'
              '    {file = "uvloop-0.20.0-cp312-cp312-manylinux_2_17_x86_64.whl", hash = "sha256:00"},\n'
              '    {file = "uvloop-0.20.0.tar.gz", hash = "sha256:01"},\n]\n')
    write(tmp_path, {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.12"\n', "poetry.lock": poetry,
                     "app.py": "", "imgforge.yaml": "recipe: python\n"})
    assert choose("python", tmp_path) == "3.13"
    files = generate(load_project(tmp_path))
    assert "FROM imgforge/python:3.13 AS runtime" in files.dockerfile
    [warning] = files.warnings
    assert "uvloop 0.20.0 (cp312) have no wheel for Python 3.13" in warning
    # With a wheel for 3.13 nothing is said.
    (tmp_path / "poetry.lock").write_text(poetry.replace("cp312-cp312", "cp313-cp313"))
    assert generate(load_project(tmp_path)).warnings == ()


def test_poetry_1_1_lock_lists_its_files_under_metadata(tmp_path):
    # lock-version 1.1 (nsidnev/fastapi-realworld-example-app): the files of each package sit under
    # [metadata.files] by package name, and development packages carry category = "dev" (never installed).
    lock = ('[[package]]\nname = "psycopg2-binary"\nversion = "2.9.3"\ncategory = "main"\n\n'
            '[[package]]\nname = "coverage"\nversion = "6.4.4"\ncategory = "dev"\n\n'
            '[metadata]\nlock-version = "1.1"\npython-versions = "^3.9"\n\n[metadata.files]\n'
            'psycopg2-binary = [\n    {file = "psycopg2_binary-2.9.3-cp311-cp311-manylinux_2_17_x86_64.whl", '
            'hash = "sha256:00"},\n    {file = "psycopg2-binary-2.9.3.tar.gz", hash = "sha256:01"},\n]\n'
            'coverage = [\n    {file = "coverage-6.4.4-cp310-cp310-manylinux_2_17_x86_64.whl", '
            'hash = "sha256:02"},\n]\n')
    write(tmp_path, {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.9"\n', "poetry.lock": lock})
    assert [(p.name, p.span()) for p in compiled_packages(tmp_path)] == [("psycopg2-binary", "cp311")]
    assert choose("python", tmp_path) == "3.11"


def test_pipfile_python_version_the_catalog_lacks_is_one_clear_error(tmp_path):
    # gothinkster/flask-realworld-example-app: Pipfile.lock requires python_version 3.7; imgforge took 3.13 and pip
    # failed compiling cffi 1.11 three minutes into the build.
    lock = {"_meta": {"requires": {"python_version": "3.7"}}, "default": {"cffi": {"version": "==1.11.5"}}}
    root = write(tmp_path, {"Pipfile.lock": json.dumps(lock), "Pipfile": "[packages]\ncffi = \"*\"\n"})
    with pytest.raises(UsageError, match=r"Pipfile.lock _meta.requires.python_version wants 3.7, but the imgforge "
                       r"catalog has 3.11, 3.13"):
        choose("python", root)


# asdf's .tool-versions and mise's [tools] (edwinhern/express-typescript-2024 has `nodejs 23.11.0` and `pnpm …`).
@pytest.mark.parametrize(("name", "files", "expected"), [
    ("node", {".tool-versions": "nodejs 20.18.1\npnpm 10.8.1\n", "package.json": "{}"}, "20"),
    ("node", {".tool-versions": "# pinned\nnode 24.1.0 # the LTS\n", "package.json": "{}"}, "24"),
    ("node", {".tool-versions": "nodejs latest\n", "package.json": "{}"}, "22"),  # open: the default
    ("python", {".tool-versions": "python 3.11.9 3.13.1\n"}, "3.11"),  # the first version is the one asdf uses
    ("go", {".tool-versions": "golang 1.21.5\n", "go.mod": "module x\n"}, "1.24"),  # a minimum, as go.mod's
    ("node", {"mise.toml": '[tools]\nnode = "18"\n', "package.json": "{}"}, "18"),
    ("node", {".mise.toml": '[tools]\nnode = ["20", "22"]\n', "package.json": "{}"}, "20"),
    ("python", {".config/mise.toml": '[tools]\npython = {version = "3.11"}\n'}, "3.11"),
    ("node", {"mise.toml": '[tools]\nnode = "lts"\n', "package.json": "{}"}, "22"),
])
def test_asdf_and_mise_versions_are_declarations(tmp_path, name, files, expected):
    assert choose(name, write(tmp_path, files)) == expected


def test_a_tool_versions_line_the_catalog_lacks_names_the_file(tmp_path):
    root = write(tmp_path, {".tool-versions": "nodejs 23.11.0\npnpm 10.8.1\n", "package.json": "{}"})
    with pytest.raises(UsageError) as err:
        choose("node", root)
    assert ".tool-versions nodejs wants 23.11.0" in str(err.value) and "18, 20, 22, 24" in str(err.value)
    (root / "mise.toml").write_text("[tools\nnode = 1\n")
    with pytest.raises(UsageError, match=r"mise\.toml"):
        choose("node", root)
