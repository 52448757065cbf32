"""Two real engines: engine A builds and pushes with inline cache; engine B, with an empty image store, builds the
next version through the registry (bases pulled by digest) and takes every unchanged step from cache."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from imgforge.build.registry_cache import RegistryCache, builder_stages, buildx_command, cached_steps, pin_bases
from imgforge.env.registry import LocalRegistry
from imgforge.env.second_engine import SecondEngine
from imgforge.registry.client import RegistryClient

SAMPLE = Path(__file__).parent / "data" / "deps-heavy"
ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

pytestmark = pytest.mark.integration


def _build(cmd: list[str], env: dict[str, str] | None = None) -> str:
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900, check=False)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stderr


@pytest.fixture
def repo(registry: LocalRegistry) -> Iterator[str]:
    """A repository of our own in the local registry, emptied afterwards."""
    name = f"test/scale-{uuid.uuid4().hex[:10]}/app"
    yield f"{registry.address}/{name}"
    # The first engine keeps nothing of ours: the pipeline's local image and the cache stage images.
    listed = subprocess.run(["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"], capture_output=True,
                            text=True, check=False).stdout.split()
    ours = [ref for ref in listed if ref.startswith((f"{registry.address}/{name}:", f"imgforge-pipeline/{name}:"))]
    if ours:
        subprocess.run(["docker", "image", "rm", *ours], capture_output=True, check=False)
    client = RegistryClient(registry.address)
    for digest in set(client.tag_digests(name).values()):
        client.delete_manifest(name, digest)


def test_engine_b_builds_the_next_version_from_engine_a_cache(
    engine_b: SecondEngine, repo: str, registry: LocalRegistry, tmp_path: Path
) -> None:
    host = registry.address
    client = RegistryClient(host)
    if client.head_manifest("imgforge/python-dev", "3.11") is None:
        message = "the base catalog is not in the registry (run `imgforge bases build --push`)"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    ctx = tmp_path / "ctx"
    shutil.copytree(SAMPLE, ctx)
    dockerfile = pin_bases((ctx / "Dockerfile").read_text(), host)
    assert f"FROM {host}/imgforge/python-dev:3.11@sha256:" in dockerfile
    (ctx / "Dockerfile").write_text(dockerfile)
    cache = RegistryCache(repo)
    stages = builder_stages(dockerfile)
    assert stages == ["build"]

    # Engine A: each builder stage and then the image, every one pushed with its inline cache.
    for stage in stages:
        _build(buildx_command(ctx, cache.stage_ref(stage), target=stage))
    _build(buildx_command(ctx, f"{repo}:1", cache_from=cache.cache_from(stages)))
    subprocess.run(["docker", "image", "rm", f"{repo}:1", *(cache.stage_ref(s) for s in stages)],
                   capture_output=True, check=False)

    # Engine B: nothing in its store; the next version (a source edit) through the registry only.
    assert subprocess.run(["docker", "images", "-q"], env=engine_b.env(), capture_output=True,
                          text=True, check=True).stdout.strip() == ""
    (ctx / "app.py").write_text((ctx / "app.py").read_text().replace('VERSION = "1"', 'VERSION = "2"'))
    log = _build(buildx_command(ctx, f"{repo}:2", cache_from=cache.cache_from(stages, previous=["1"])),
                 env=engine_b.env())
    steps = cached_steps(log)
    install = next(s for s in steps if s.startswith("[build 4/5] RUN"))
    assert steps[install], f"the dependency install ran again on engine B: {steps}"
    assert steps["[runtime 3/4] COPY --from=build /opt/venv /opt/venv"]
    assert not steps["[build 5/5] COPY . ."], "the edited sources were copied anew"
    root = subprocess.run(["docker", "info", "--format", "{{.DockerRootDir}}"], env=engine_b.env(),
                          capture_output=True, text=True, check=True).stdout.strip()
    assert root == str(engine_b.state / "data"), "the second build ran on engine B"

    # The unchanged layers are the same blobs; only the sources layer differs.
    name = repo.split("/", 1)[1]
    old = [layer["digest"] for layer in json.loads(client.get_manifest(name, "1").body)["layers"]]
    new = [layer["digest"] for layer in json.loads(client.get_manifest(name, "2").body)["layers"]]
    assert len(old) == len(new) >= 3
    assert new[:-1] == old[:-1]
    assert new[-1] != old[-1]


def _imgforge(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("DOCKER_HOST", None)
    return subprocess.run([sys.executable, "-m", "imgforge", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=900, check=False)


@pytest.fixture
def context_b(engine_b: SecondEngine) -> Iterator[str]:
    """A Docker context named for engine B (removed afterwards)."""
    name = f"scale-b-{uuid.uuid4().hex[:8]}"
    subprocess.run(["docker", "context", "create", name, "--docker", f"host={engine_b.host}"],
                   capture_output=True, check=True)
    yield name
    subprocess.run(["docker", "context", "rm", "-f", name], capture_output=True, check=False)


def test_pipeline_with_context_b_builds_the_next_version_on_b_from_the_registry_cache(
    engine_b: SecondEngine, context_b: str, repo: str, registry: LocalRegistry, tmp_path: Path
) -> None:
    host = registry.address
    if RegistryClient(host).head_manifest("imgforge/python", "3.13") is None:
        message = "the base catalog is not in the registry (run `imgforge bases build --push`)"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    name = repo.split("/", 1)[1]
    project = tmp_path / "svc"
    shutil.copytree(ROOT / "samples" / "python-web", project)
    settings = project / "imgforge.yaml"
    settings.write_text(settings.read_text().replace("imgforge-samples/python-web", name)
                        + f"bases: {{registry: '{host}'}}\n")
    dist = tmp_path / "dist"

    # Version 1 on the first engine: pushed with inline cache, its builder stages as cache images.
    first = _imgforge("pipeline", ".", "--version", "1.0.0", "--registry", host, "--dist", str(dist),
                      "--no-verify", "--json", cwd=project)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    client = RegistryClient(host)
    # One cache image per builder stage the generated Dockerfile has (python-web: only `deps`; no build step).
    stages = re.findall(r"^FROM \S+ AS (\S+)$", (dist / name / "Dockerfile").read_text(), re.M)
    builders = {f"cache-{stage}" for stage in stages if stage != "runtime"}
    assert builders and {"1.0.0", *builders} <= set(client.list_tags(name))

    # Version 2, after a source edit, on engine B (a Docker context): built, scanned, verified and pushed there.
    (project / "app.py").write_text((project / "app.py").read_text() + "\n# v2\n")
    res = _imgforge("pipeline", ".", "--version", "1.0.1", "--context", context_b, "--registry", host,
                    "--dist", str(dist), "--json", cwd=project)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    stages = {s["name"]: s["status"] for s in json.loads(res.stdout)[0]["stages"]}
    assert stages["verify"] == stages["push"] == stages["scan"] == "ok", stages

    # Bases came from the registry by digest, and the build ran on B, not on the first engine.
    froms = [ln for ln in (project / "Dockerfile").read_text().splitlines() if ln.startswith("FROM ")]
    assert froms and all(ln.startswith("FROM ${IMGFORGE_BASES}/imgforge/") and "@sha256:" in ln for ln in froms)
    local = f"imgforge-pipeline/{name}:1.0.1"
    on_b = subprocess.run(["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"], env=engine_b.env(),
                          capture_output=True, text=True, check=True).stdout.split()
    assert local in on_b, "built on engine B"
    assert subprocess.run(["docker", "image", "inspect", local], capture_output=True, check=False).returncode != 0
    verified = json.loads((dist / name / "verify.json").read_text())
    assert verified["passed"], verified

    # B's empty store took the dependency stage from the registry: every step after its FROM came from cache.
    built = {s["stage"]: s for s in json.loads((dist / name / "build.json").read_text())["stages"]}
    assert built["deps"]["cached"] >= built["deps"]["steps"] - 1, built["deps"]
    # Pushing wrote inline cache: the pushed image's config carries BuildKit's cache metadata.
    manifest = json.loads(client.get_manifest(name, "1.0.1").body)
    config = json.loads(client.get_blob(name, manifest["config"]["digest"]))
    assert "moby.buildkit.cache.v0" in config, "no inline cache in the pushed image"
