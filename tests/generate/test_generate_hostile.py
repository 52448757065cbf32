"""Hostile project files and settings: `generate` gives the files or one UsageError, never a traceback (issue 17).

A pull request controls every file `generate` reads: imgforge.yaml, pyproject.toml, Pipfile(.lock), package.json,
tsconfig.json, .python-version, .nvmrc, runtime.txt, go.mod, Procfile. Wrong JSON/TOML types, deep nesting and
versions with thousands of digits must each be a one-line error or be ignored, as a missing file would be.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imgforge.errors import UsageError
from imgforge.generate import generate, load_project

DEEP_JSON = "[" * 100_000 + "]" * 100_000
DEEP_TOML = "a = " + "[" * 100_000 + "]" * 100_000 + "\n"
NINES = "9" * 5000

CASES: dict[str, tuple[str, dict[str, str]]] = {
    "pyproject project = 1": ("python", {"pyproject.toml": "project = 1\n"}),
    "pyproject tool = 'x'": ("python", {"pyproject.toml": 'tool = "x"\n'}),
    "poetry dependencies a list": ("python", {"pyproject.toml": "[tool.poetry]\ndependencies = [1]\n"}),
    "pyproject nested too deep": ("python", {"pyproject.toml": DEEP_TOML}),
    "requires-python of 5000 digits": ("python", {"pyproject.toml": f'[project]\nrequires-python = ">=3.{NINES}"\n'}),
    "poetry python of 5000 digits": ("python", {"pyproject.toml":
                                                f'[tool.poetry.dependencies]\npython = "^{NINES}"\n'}),
    "Pipfile.lock nested too deep": ("python", {"Pipfile.lock": DEEP_JSON}),
    "Pipfile.lock default a list of ints": ("python", {"Pipfile.lock": '{"default": [1, 2]}'}),
    "Pipfile packages = 1": ("python", {"Pipfile": "packages = 1\n"}),
    "package.json nested too deep": ("node", {"package.json": DEEP_JSON}),
    "package.json dependencies a string": ("spa", {"package.json": '{"dependencies": "x", "scripts": {"build": "b"}}',
                                                   "index.html": "<html></html>\n"}),
    "engines.node of 5000 digits": ("node", {"package.json": json.dumps({"engines": {"node": "^" + NINES}})}),
    "engines.node 1x2": ("node", {"package.json": json.dumps({"engines": {"node": "1x2"}})}),
    ".nvmrc of 5000 digits": ("node", {"package.json": "{}", ".nvmrc": NINES}),
    "tsconfig.json nested too deep": ("node", {"package.json": json.dumps(
        {"scripts": {"build": "tsc", "start": "ts-node src/index.ts"}}), "tsconfig.json": DEEP_JSON}),
    "go.mod go of 5000 digits": ("go", {"go.mod": f"module x\n\ngo 1.{NINES}\n", "main.go": "package main\n"}),
}


def _project(root: Path, recipe: str, files: dict[str, str], settings_text: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "imgforge.yaml").write_text(settings_text or f"recipe: {recipe}\n", encoding="utf-8")
    defaults = {"python": {"requirements.txt": "flask\n", "app.py": "app = Flask(__name__)\n"},
                "node": {"package.json": "{}", "server.js": "listen(3000)\n"},
                "spa": {"package.json": '{"scripts": {"build": "b"}}', "index.html": "<html></html>\n"},
                "go": {"go.mod": "module x\n\ngo 1.22\n", "main.go": "package main\n"},
                "go-node": {"go.mod": "module x\n\ngo 1.22\n", "main.go": "package main\n", "package.json": "{}",
                            "build.js": "x\n", "web/index.html": "x\n"},
                "static": {"public/index.html": "x\n"}, "c": {"main.c": "int main(void) { return 0; }\n"}}
    for name, text in {**defaults.get(recipe, {}), **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8", errors="surrogateescape")
    return root


def _generate(root: Path) -> str:
    """The generated Dockerfile, or the UsageError's message (checked to be a short, single line)."""
    try:
        return generate(load_project(root)).dockerfile
    except UsageError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message, message
        assert len(message) < 2000, message[:300]  # thousands of digits are not echoed back whole
        return message


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_project_file_is_a_result_or_one_line_error(tmp_path: Path, case: str) -> None:
    recipe, files = CASES[case]
    _generate(_project(tmp_path / "p", recipe, files))


def test_cli_exits_2_or_0_without_a_traceback(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", "python", {"pyproject.toml": "project = 1\n"})
    res = subprocess.run([sys.executable, "-m", "imgforge", "generate", str(root)], capture_output=True, text=True,
                         timeout=60, check=False)
    assert res.returncode in (0, 2) and "Traceback" not in res.stderr, res.stderr[-2000:]


# -- property: random documents in every file generate reads -------------------------------------------------

KEYS = ["project", "tool", "poetry", "dependencies", "python", "requires-python", "version", "name", "scripts",
        "start", "build", "devDependencies", "engines", "node", "main", "compilerOptions", "outDir", "rootDir",
        "default", "packages", "type", "x"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False),
                    st.sampled_from(["", "*", "x", "1x2", ">=3.9", "^20", "18.x", "lts/*", "flask", "gunicorn",
                                     "fastapi[standard]", "tsc", "node dist/index.js", "ts-node src/i.ts", "dist",
                                     "src", "vite", "9" * 60, ">=" + "9" * 60, "3.", "..", "\x1b[31m"]),
                    st.text(max_size=12))
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(KEYS), inner, max_size=4), max_leaves=14)


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "nan"
    if value is None:
        return '""'
    return json.dumps(value) if isinstance(value, str) else str(value)


def _toml(doc: Any) -> str:
    if not isinstance(doc, dict):
        return f"x = {_toml_value(doc)}\n"
    return "".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in doc.items() if v is not None)


# The key paths generate reads in each file; a document sets a random value at some prefix of some of them, so
# a wrong type turns up at every level a reader walks through.
PATHS = {
    "pyproject.toml": [("project", "requires-python"), ("project", "dependencies"), ("project", "version"),
                       ("tool", "poetry", "dependencies", "python"), ("tool", "poetry", "dependencies", "flask")],
    "Pipfile": [("packages", "flask"), ("requires", "python_version")],
    "Pipfile.lock": [("default", "flask"), ("default", "gunicorn")],
    "package.json": [("engines", "node"), ("scripts", "start"), ("scripts", "build"), ("dependencies", "express"),
                     ("devDependencies", "vite"), ("main",), ("version",)],
    "tsconfig.json": [("compilerOptions", "outDir"), ("compilerOptions", "rootDir")],
}
JSON_FILES = ["package.json", "Pipfile.lock", "tsconfig.json"]
scalars_or_lists = st.one_of(scalars, st.lists(scalars, max_size=3), documents)


def _shaped(name: str) -> st.SearchStrategy[Any]:
    edit = st.sampled_from(PATHS[name]).flatmap(
        lambda path: st.tuples(st.just(path), st.integers(1, len(path)), scalars_or_lists))

    def build(edits: list[tuple[tuple[str, ...], int, Any]]) -> Any:
        doc: dict[str, Any] = {}
        for path, cut, leaf in edits:
            node = doc
            keys = path[:cut]
            for key in keys[:-1]:
                if not isinstance(node.get(key), dict):
                    node[key] = {}
                node = node[key]
            node[keys[-1]] = leaf
        return doc

    return st.one_of(st.lists(edit, min_size=1, max_size=4).map(build), documents)


TEXT_FILES = [".python-version", ".nvmrc", ".node-version", "runtime.txt", "go.mod", "Procfile", "requirements.txt"]
texts = st.one_of(st.text(max_size=40), st.sampled_from(
    ["3.11\n", "python-3.13\n", "lts/iron\n", "module x\n\ngo 1.22\n", "module x\ngo 1.99\ntoolchain go1.99.1\n",
     "web: gunicorn app:app\n", "web: \x1b[31m$(rm -rf /)\n", "flask\ngunicorn\n", "-r other.txt\n", "9" * 80 + "\n"]))
recipes = st.sampled_from(["python", "node", "spa", "go", "go-node", "static", "c", "python", "node"])
# Half the settings are plain (so the project files are reached), half carry a random document in project keys.
settings_docs = st.one_of(st.fixed_dictionaries({"recipe": recipes}), st.fixed_dictionaries(
    {"recipe": recipes}, optional={"image": documents, "version": documents, "labels": documents,
                                   "overrides": documents, "dockerfile": documents}))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(settings_doc=settings_docs,
       json_files=st.fixed_dictionaries({}, optional={n: _shaped(n) for n in JSON_FILES}),
       toml_files=st.fixed_dictionaries({}, optional={n: _shaped(n) for n in ("pyproject.toml", "Pipfile")}),
       text_files=st.dictionaries(st.sampled_from(TEXT_FILES), texts, max_size=3))
def test_random_project_files_never_crash_generate(tmp_path_factory: pytest.TempPathFactory,
                                                   settings_doc: dict[str, Any], json_files: dict[str, Any],
                                                   toml_files: dict[str, Any], text_files: dict[str, str]) -> None:
    files = {**{k: json.dumps(v) for k, v in json_files.items()}, **{k: _toml(v) for k, v in toml_files.items()},
             **text_files}
    root = tmp_path_factory.mktemp("p")
    _generate(_project(root, settings_doc["recipe"], files, yaml.safe_dump(settings_doc)))


def test_control_characters_in_a_quoted_project_file_are_shown_not_obeyed(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", "python", {".python-version": "3.99\x1b[2J\x1b[31mEVIL\x07\n"})
    res = subprocess.run([sys.executable, "-m", "imgforge", "generate", str(root)], capture_output=True, text=True,
                         timeout=60, check=False)
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "\x1b" not in res.stderr and "\x07" not in res.stderr
    assert "3.99\\x1b[2J\\x1b[31mEVIL\\x07" in res.stderr


# -- settings that name a file: it stays inside the project (its text would be echoed, linted or built) ----------


@pytest.fixture
def host_secret(tmp_path: Path) -> Path:
    secret = tmp_path / "runner-secret.txt"
    secret.write_text("TOPSECRET-runner-value\n", encoding="utf-8")
    return secret


@pytest.mark.parametrize("setting", ["version: {source: file, file: %s}", "dockerfile: %s"])
@pytest.mark.parametrize("how", ["absolute", "dotdot", "symlink"])
def test_file_settings_never_read_a_host_file(tmp_path: Path, host_secret: Path, setting: str, how: str) -> None:
    from imgforge.push import project_version

    root = _project(tmp_path / "p", "static", {})
    rel = {"absolute": str(host_secret), "dotdot": f"../{host_secret.name}", "symlink": "link"}[how]
    (root / "link").symlink_to(host_secret)
    (root / "imgforge.yaml").write_text("recipe: static\n" + setting % rel + "\n", encoding="utf-8")
    project = load_project(root)
    calls = [project.version, lambda: project_version(root)] if "version" in setting else [project.own_dockerfile]
    for call in calls:
        with pytest.raises(UsageError) as info:
            call()
        message = str(info.value)
        assert "TOPSECRET" not in message and "\n" not in message
        assert any(w in message for w in ("relative to the project", "must not contain '..'", "leads outside")), message
    res = subprocess.run([sys.executable, "-m", "imgforge", "pipeline", str(root), "--version", "1.0.0", "--no-push",
                          "--dist", str(tmp_path / "dist")] if "dockerfile" in setting else
                         [sys.executable, "-m", "imgforge", "push", "x:1", "--to", "127.0.0.1:5000/audit17/v",
                          "--project", str(root), "--dry-run"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 2 and "TOPSECRET" not in res.stdout + res.stderr, res.stdout + res.stderr
    assert not list((tmp_path / "dist").rglob("Dockerfile")) if (tmp_path / "dist").exists() else True


def test_file_settings_inside_the_project_still_work(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", "static", {"VERSION": "1.2.3\n", "docker/Dockerfile.prod": "FROM x:1\n"})
    (root / "imgforge.yaml").write_text("recipe: static\nversion: {source: file, file: ./VERSION}\n"
                                        "dockerfile: docker/Dockerfile.prod\n", encoding="utf-8")
    project = load_project(root)
    assert project.version() == "1.2.3"
    assert project.own_dockerfile() == (root / "docker" / "Dockerfile.prod").resolve()
    (root / "VERSION").write_bytes(b"\xff\xfe")
    with pytest.raises(UsageError, match="is not UTF-8 text"):
        project.version()  # a UnicodeDecodeError traceback before
