"""Which builder stages each realistic project gets (pure: init + generate, no engine)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from imgforge.generate import generate, load_project
from imgforge.generate.init import plan_init, write_init

DATA = Path(__file__).resolve().parent / "data"

# project -> (stages the Dockerfile has, the runtime's copy of the sources)
# (Python sources without a build stage are copied from a bind mount and compiled in one runtime step.)
BIND_COPY = "RUN --network=none --mount=type=bind,source=.,target=/mnt \\"
STAGES = {
    "flask-gunicorn": (["deps", "runtime"], BIND_COPY),
    "fastapi-uv": (["deps", "build", "runtime"], "COPY --from=build /app /app"),
    "django-procfile": (["deps", "runtime"], BIND_COPY),
    "express-api": (["deps", "runtime"], "COPY . /app"),
    "node22-hono": (["deps", "runtime"], "COPY . /app"),
    "vite-spa": (["deps", "build", "server", "runtime"], "COPY --from=build /www /www"),
    "starlette-hatch-railway": (["deps", "runtime"], BIND_COPY),
    "flask-extras-procfile": (["deps", "build", "runtime"], "COPY --from=build /app /app"),
}


def _dockerfile(tmp_path: Path, name: str, settings_extra: str = "") -> str:
    root = shutil.copytree(DATA / name, tmp_path / name)
    write_init(plan_init(root))
    if settings_extra:  # added under init's own `overrides:`
        settings = root / "imgforge.yaml"
        settings.write_text(settings.read_text().replace("overrides:\n", "overrides:\n" + settings_extra, 1))
    return generate(load_project(root)).dockerfile


@pytest.mark.parametrize("name", sorted(STAGES))
def test_a_build_stage_only_where_the_project_has_a_build(tmp_path, name):
    text = _dockerfile(tmp_path, name)
    stages, sources = STAGES[name]
    assert [line.split(" AS ")[1] for line in text.splitlines() if line.startswith("FROM ")] == stages
    assert sources in text.splitlines()


@pytest.mark.parametrize(("name", "node"), [("node22-hono", "22"), ("express-api", "22")])
def test_node_line_follows_the_declaration(tmp_path, name, node):
    # .nvmrc `22` (engines >=22) gets the official Node 22 bases, and so does a project declaring nothing.
    lines = _dockerfile(tmp_path, name).splitlines()
    assert f"FROM imgforge/node-dev:{node} AS deps" in lines and f"FROM imgforge/node:{node} AS runtime" in lines


def test_an_override_with_its_own_build_command_keeps_the_stage(tmp_path):
    extra = "  builders:\n    - name: build\n      build: python3 -m compileall -q /app\n"
    text = _dockerfile(tmp_path, "flask-gunicorn", extra)
    assert "FROM imgforge/python-dev:3.13 AS build" in text and "COPY --from=build /app /app" in text


def test_spa_server_layer_comes_before_the_site(tmp_path):
    lines = _dockerfile(tmp_path, "vite-spa").splitlines()
    server = lines.index("COPY --from=server /spa-server /usr/local/bin/spa-server")
    assert server < lines.index("COPY --from=build /www /www")
