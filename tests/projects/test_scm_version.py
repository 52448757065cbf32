"""A package versioned from git (setuptools-scm, as many published Python projects are) builds without .git in
the context: the generated build stage hands it the pipeline's version, which the installed package then reports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from imgforge.generate import generate, load_project
from imgforge.generate.dockerfile import scm_versioning

PYPROJECT = """\
[build-system]
requires = ["setuptools>=64", "setuptools-scm>=8"]
build-backend = "setuptools.build_meta"

[project]
name = "tally"
dynamic = ["version"]
requires-python = ">=3.11"

[project.scripts]
tally-serve = "tally.server:main"

[tool.setuptools_scm]
"""
SERVER = """\
import http.server
import os
from importlib.metadata import version


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = version("tally").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
"""


def _project(root: Path) -> Path:
    (root / "src" / "tally").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "src" / "tally" / "__init__.py").write_text("")
    (root / "src" / "tally" / "server.py").write_text(SERVER)
    return root


@pytest.mark.parametrize(("requires", "extra", "tool"), [
    ('["setuptools>=64", "setuptools-scm>=8"]', "", "setuptools-scm"),
    ('["hatchling", "hatch-vcs"]', "", "hatch-vcs"),
    ('["poetry-core>=1", "poetry-dynamic-versioning>=1,<2"]', "", "poetry-dynamic-versioning"),
    ('["pdm-backend"]', '\n[tool.pdm.version]\nsource = "scm"\n', "pdm-backend's scm source"),
    ('["setuptools>=64"]', "", None),
])
def test_git_versioned_backends_are_recognised(tmp_path, requires, extra, tool):
    (tmp_path / "pyproject.toml").write_text(f'[build-system]\nrequires = {requires}\n{extra}')
    assert scm_versioning(tmp_path) == tool


def test_the_build_stage_takes_the_version_and_the_runtime_stage_is_untouched(tmp_path):
    root = _project(tmp_path)
    (root / "imgforge.yaml").write_text("recipe: python\nversion: {source: fixed, value: 3.1.0}\n"
                                       "overrides: {runtime: {entrypoint: [tally-serve]}}\n")
    lines = generate(load_project(root)).dockerfile.splitlines()
    build = lines.index("FROM imgforge/python-dev:3.13 AS build")
    runtime = next(i for i, ln in enumerate(lines) if ln.endswith(" AS runtime"))
    env = "ENV SETUPTOOLS_SCM_PRETEND_VERSION=${VERSION} PDM_BUILD_SCM_VERSION=${VERSION} " \
          "POETRY_DYNAMIC_VERSIONING_BYPASS=${VERSION}"
    assert lines.index(env) in range(build, runtime) and lines.index("ARG VERSION=3.1.0") < lines.index(env)
    assert not [ln for ln in lines[runtime:] if "SCM" in ln]


def test_pipeline_builds_a_git_versioned_package_with_its_version(docker, registry, tmp_path):
    root = _project(tmp_path / "tally")
    git = ["git", "-C", str(root), "-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "tally"], ["tag", "v2.7.1"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    name = f"imgforge-test/tally-{os.getpid()}"
    for args in (["init", ".", "--name", name], ["pipeline", ".", "--dist", str(tmp_path / "dist")]):
        ran = subprocess.run([sys.executable, "-m", "imgforge", *args], cwd=root, env=env, capture_output=True,
                             text=True, timeout=900)
        assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    image = f"imgforge-pipeline/{name}:2.7.1"
    try:
        shown = docker.run(image, ["-c", "from importlib.metadata import version; print(version('tally'))"],
                           entrypoint="python3", remove=True)
        assert str(shown).strip() == "2.7.1"
    finally:
        docker.image.remove(image, force=True)
