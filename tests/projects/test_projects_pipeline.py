"""`imgforge init .` + `imgforge pipeline .` on each realistic project, unedited: verify passes and the version
tags are in the registry (real engine and registry)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from imgforge.registry.client import RegistryClient

DATA = Path(__file__).resolve().parent / "data"
# Django declares no health endpoint: verify probes its port over tcp.
# quart-poetry: Poetry without a lockfile, src layout, a dev-server script (Quart runs under hypercorn);
# aiohttp-setuppy: dependencies only in setup.py, a module that runs its server under __main__;
# fastapi-pdm: a PDM application (pdm.lock, not a package); go-cmd: standard library only, the server in
# cmd/greeter beside another command, reading its page template from web/templates at start (init copies it
# beside the binary); node22-hono: `.nvmrc` 22 and engines >=22 (Object.groupBy), Hono and bcrypt
# (built by node-gyp against the tarball's headers) from package-lock.json, on the official Node 22 bases;
# node-workspace: npm workspaces, the server in apps/web with a member of its own (packages/greet, built first) and a
# build whose output it requires at start, installed from the root lockfile (the image holds that member's
# production closure only); next-standalone: a Next.js 14 app on `next start`, run as Next's standalone server.
# starlette-hatch-railway: hatchling with nothing to build, railway.json's hypercorn; flask-extras-procfile: the
# Procfile's gevent worker only in a pyproject extra, flask only in pyproject beside requirements.txt;
# fastapi-src-static: a src/ package with an argparse script and static files outside the wheel;
# django-reqs-folder: requirements/base, local and production files and no requirements.txt;
# bun-hono: Hono from bun.lock, packageManager bun@1.3.14 and only a `bun run --watch` dev script (Hono's template),
# run by bun on the Bun 1.3 base, listening on PORT through Bun.serve's default;
# aiohttp-uv-workspace: an aiohttp app factory no framework rule finds, started by its own Dockerfile's
# `CMD exec uv run gunicorn … aiohttp.GunicornWebWorker` (uv run taken off), importing a uv workspace member
# (packages/greetings, hatchling) that the deps stage builds from uv.lock's editable source.
PROJECTS = ["django-procfile", "express-api", "fastapi-uv", "flask-gunicorn", "go-vendor", "vite-spa", "quart-poetry",
            "aiohttp-setuppy", "fastapi-pdm", "go-cmd", "node22-hono", "node-workspace", "next-standalone",
            "starlette-hatch-railway", "flask-extras-procfile", "fastapi-src-static", "django-reqs-folder", "bun-hono",
            "aiohttp-uv-workspace"]
# project -> what `node --version` in its image starts with
NODE_VERSION = {"express-api": "v22.", "node22-hono": "v22."}
# project -> what `bun --version` in its image starts with
BUN_VERSION = {"bun-hono": "1.3."}
# project -> a script `node -e` runs in its image, and what it prints: the standalone server's traced files ship,
# the production node_modules do not (every package of it, 651 MB for a Next test project before).
IN_IMAGE = {"next-standalone": ("const f = require('fs'); console.log(f.existsSync('/app/node_modules'), "
                                "f.existsSync('/app/.next/standalone/server.js'), "
                                "f.existsSync('/app/.next/standalone/.next/static'))", "false true true"),
            # The member's production closure alone: its workspace package (bakery-greet) and build output, not its
            # devDependency (is-number) or its test/ folder.
            "node-workspace": ("const f = require('fs'); let dev = true; try { require.resolve('is-number') } "
                               "catch { dev = false }; console.log(dev, f.existsSync('/app/apps/web/test'), "
                               "f.existsSync('/app/apps/web/generated/menu.json'), "
                               "require('bakery-greet').greet('x').trim())", "false false true fresh bread for x")}


def imgforge(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "imgforge", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=1200)


@dataclass(frozen=True)
class Ran:
    """One project copy, the repository its `init` named, and its `init` and `pipeline` runs (none when init failed)."""

    root: Path
    repo: str
    init: subprocess.CompletedProcess[str]
    pipeline: subprocess.CompletedProcess[str] | None


def init_then_pipeline(root: Path, dist: Path) -> Ran:
    repo = f"imgforge-test/{root.name}-{uuid.uuid4().hex[:8]}"
    init = imgforge("init", ".", "--name", repo, cwd=root)
    if init.returncode != 0:
        return Ran(root, repo, init, None)
    return Ran(root, repo, init, imgforge("pipeline", ".", "--dist", dist, "--json", cwd=root))


@pytest.fixture(scope="module")
def pipelines(request, docker, registry, tmp_path_factory) -> dict[str, Future[Ran]]:
    """Every selected project's init + pipeline, three at a time: each is a separate `imgforge` process whose
    build mostly waits on PyPI, npm or the Go proxy, so together they take little longer than the slowest."""
    names = [item.callspec.params["name"] for item in request.session.items
             if item.path == Path(__file__) and hasattr(item, "callspec")]
    work = tmp_path_factory.mktemp("pipelines")
    with ThreadPoolExecutor(3) as pool:
        runs = {name: pool.submit(init_then_pipeline, shutil.copytree(DATA / name, work / name), work / f"{name}-dist")
                for name in dict.fromkeys(names)}
    return runs


@pytest.mark.parametrize("name", PROJECTS)
def test_init_then_pipeline_unedited(docker, registry, cleanup_images, pipelines, name):
    ran = pipelines[name].result()
    root, repo, init, res = ran.root, ran.repo, ran.init, ran.pipeline
    assert init.returncode == 0, init.stderr
    assert res is not None and res.returncode == 0, res.stderr[-3000:] if res else None
    [result] = json.loads(res.stdout)
    stages = {s["name"]: s["status"] for s in result["stages"]}
    assert stages.get("verify") == "ok", result["stages"]
    version = next(line.split(":", 1)[1].strip() for line in (root / "imgforge.yaml").read_text().splitlines()
                   if line.strip().startswith("value:"))
    tags = RegistryClient(registry.address).tag_digests(repo, [version])
    assert tags.get(version) == result["digest"]
    if name in NODE_VERSION:
        pushed = f"{registry.address}/{repo}:{version}"
        cleanup_images.append(pushed)
        found = docker.run(pushed, ["node", "--version"], entrypoint="", remove=True)
        assert str(found).startswith(NODE_VERSION[name]), found
    if name in BUN_VERSION:
        pushed = f"{registry.address}/{repo}:{version}"
        cleanup_images.append(pushed)
        found = docker.run(pushed, ["bun", "--version"], entrypoint="", remove=True)
        assert str(found).startswith(BUN_VERSION[name]), found
        # devDependencies stay in the builder: the runtime's node_modules has hono and not @types/bun.
        listed = docker.run(pushed, ["ls", "/app/node_modules"], entrypoint="", remove=True)
        assert "hono" in str(listed).split() and "@types" not in str(listed).split(), listed
    if name in IN_IMAGE:
        pushed = f"{registry.address}/{repo}:{version}"
        cleanup_images.append(pushed)
        script, expected = IN_IMAGE[name]
        found = docker.run(pushed, ["node", "-e", script], entrypoint="", remove=True)
        assert str(found).strip() == expected, found
