"""`imgforge init .` + `imgforge pipeline .` on each realistic project, unedited: verify passes and the version
tags are in the registry (real engine and registry)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from imgforge.registry.client import RegistryClient

DATA = Path(__file__).resolve().parent / "data"
# Django declares no health endpoint: verify probes its port over tcp.
# quart-poetry: Poetry without a lockfile, src layout, a dev-server script (Quart runs under hypercorn);
# aiohttp-setuppy: dependencies only in setup.py, a module that runs its server under __main__;
# fastapi-pdm: a PDM application (pdm.lock, not a package); go-cmd: standard library only, the server in
# cmd/greeter beside another command; node22-hono: `.nvmrc` 22 and engines >=22 (Object.groupBy), Hono and bcrypt
# (built by node-gyp against the tarball's headers) from package-lock.json, on the official Node 22 bases.
PROJECTS = ["django-procfile", "express-api", "fastapi-uv", "flask-gunicorn", "go-vendor", "vite-spa", "quart-poetry",
            "aiohttp-setuppy", "fastapi-pdm", "go-cmd", "node22-hono"]
# project -> what `node --version` in its image starts with
NODE_VERSION = {"express-api": "v20.", "node22-hono": "v22."}


def imgforge(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "imgforge", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=1200)


@pytest.mark.parametrize("name", PROJECTS)
def test_init_then_pipeline_unedited(docker, registry, cleanup_images, tmp_path, name):
    root = shutil.copytree(DATA / name, tmp_path / name)
    repo = f"imgforge-test/{name}-{uuid.uuid4().hex[:8]}"
    init = imgforge("init", ".", "--name", repo, cwd=root)
    assert init.returncode == 0, init.stderr
    res = imgforge("pipeline", ".", "--dist", tmp_path / "dist", "--json", cwd=root)
    assert res.returncode == 0, res.stderr[-3000:]
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
