"""Every sample, generated then built with BuildKit, runs as non-root and answers both health endpoints;
a one-line source edit rebuilds only from the source copy on (real engine)."""

from __future__ import annotations

import re
import shutil
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from imgforge.generate import generate, load_project, stale_files

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted(p.name for p in (REPO / "samples").iterdir() if (p / "imgforge.yaml").is_file())
RUN = uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def sample_image(docker, cleanup_images) -> Callable[[str], str]:
    """Build a sample's generated Dockerfile once per session; return its tag."""
    built: dict[str, str] = {}

    def build(name: str) -> str:
        if name not in built:
            root = REPO / "samples" / name
            project = load_project(root)
            assert stale_files(project, generate(project)) == []
            tag = f"imgforge-test/sample-{name}:{RUN}"
            cleanup_images.append(tag)
            docker.build(root, file=root / "Dockerfile", tags=[tag], load=True, progress=False)
            built[name] = tag
        return built[name]

    return build


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback only
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _poll(url: str, deadline: float) -> int:
    code = 0
    while time.monotonic() < deadline:
        code = _get(url)
        if code == 200:
            return code
        time.sleep(0.2)
    return code


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_runs_as_non_root_and_answers_health(docker, sample_image, name):
    tag = sample_image(name)
    project = load_project(REPO / "samples" / name)
    port = project.recipe.runtime.port
    image = docker.image.inspect(tag)
    user = image.config.user or ""
    assert re.fullmatch(r"\d+(:\d+)?", user) and int(user.split(":")[0]) >= 10000, user
    assert f"{port}/tcp" in (image.config.exposed_ports or {})
    container = docker.run(tag, detach=True, publish=[(f"127.0.0.1::{port}",)], name=f"imgforge-test-{name}-{RUN}")
    try:
        bound = docker.container.inspect(container).network_settings.ports[f"{port}/tcp"][0]["HostPort"]
        base = f"http://127.0.0.1:{bound}"
        deadline = time.monotonic() + 20
        health = project.recipe.health
        assert _poll(base + health.liveness, deadline) == 200, docker.container.logs(container)
        assert _poll(base + health.readiness, deadline) == 200, docker.container.logs(container)
        assert docker.container.execute(container, ["id", "-u"]).strip() == user.split(":")[0]
    finally:
        docker.container.remove(container, force=True)


STEP = re.compile(r"^#(\d+) \[(\S+) +\d+/\d+\] (.*)$")


def _steps(log: list[str]) -> dict[str, tuple[str, bool]]:
    """`stage: instruction` -> cached?, from BuildKit's plain progress output."""
    names: dict[str, str] = {}
    cached: set[str] = set()
    for line in log:
        m = STEP.match(line.strip())
        if m:
            names[m.group(1)] = f"{m.group(2)}: {m.group(3)}"
        elif line.strip().endswith(" CACHED"):
            cached.add(line.strip().split()[0].lstrip("#"))
    return {name: (num, num in cached) for num, name in names.items()}


def test_source_edit_reuses_every_layer_before_the_source_copy(docker, sample_image, tmp_path, cleanup_images):
    sample_image("python-web")  # warm the cache the way a developer's machine is warm
    root = shutil.copytree(REPO / "samples" / "python-web", tmp_path / "python-web")
    before, after = f"imgforge-test/rebuild-a:{RUN}", f"imgforge-test/rebuild-b:{RUN}"
    cleanup_images.extend([before, after])
    docker.build(root, file=root / "Dockerfile", tags=[before], load=True, progress=False)
    app = root / "app.py"
    # A never-seen edit: the cache is content-addressed, so an edit made before would be a cache hit.
    app.write_text(app.read_text().replace("hello from python-web", f"hello from python-web {uuid.uuid4().hex}"))
    log = list(docker.build(root, file=root / "Dockerfile", tags=[after], load=True, progress="plain",
                            stream_logs=True))
    steps = _steps(log)
    # python-web is not a package: no build stage, its sources go straight to the runtime, where one step copies
    # them (from a bind mount) and compiles their bytecode.
    expect_cached = ["deps: WORKDIR /app", "deps: COPY requirements.txt ./", "runtime: WORKDIR /app",
                     "runtime: COPY --from=deps /opt/imgforge-deps/ /",
                     "runtime: COPY --chown=10001:10001 --from=deps /app/instance /app/instance"]
    expect_rebuilt = [next(k for k in steps if k.startswith("runtime: RUN --network=none --mount=type=bind"))]
    install = next(k for k in steps if k.startswith("deps: RUN --mount=type=cache"))
    for key in [*expect_cached, install]:
        assert steps[key][1], f"{key} was not CACHED:\n" + "\n".join(log[-40:])
    for key in expect_rebuilt:
        assert not steps[key][1], f"{key} should have been rebuilt"
    old = docker.image.inspect(before).root_fs.layers
    new = docker.image.inspect(after).root_fs.layers
    assert len(old) == len(new)
    # Only the application copy changes digest; base, venv and instance/ layers are shared.
    assert sum(a != b for a, b in zip(old, new, strict=True)) == 1


def test_c_recipe_dynamic_variant_by_override(docker, tmp_path, cleanup_images):
    root = shutil.copytree(REPO / "samples" / "c-web", tmp_path / "c-dyn")
    (root / "imgforge.yaml").write_text(
        "recipe: c\noverrides:\n  builders:\n    - name: build\n      image: imgforge/gcc:12\n"
        "      env: {LDFLAGS: ''}\n      build: make\n"
        "  runtime: {image: 'imgforge/base-debian:bookworm'}\n  health: {client: none}\n"
    )
    project = load_project(root)
    (root / "Dockerfile").write_text(generate(project).dockerfile)
    tag = f"imgforge-test/c-dynamic:{RUN}"
    cleanup_images.append(tag)
    docker.build(root, file=root / "Dockerfile", tags=[tag], load=True, progress=False)
    # A dynamic executable names its loader (PT_INTERP); the static sample build does not.
    out = docker.run(tag, ["/bin/sh", "-c", "grep -c ld-linux /app/app; id -u"], entrypoint="", remove=True)
    matches, uid = out.split()
    assert int(matches) >= 1 and uid == "10001"
    container = docker.run(tag, detach=True, publish=[("127.0.0.1::8080",)])
    try:
        bound = docker.container.inspect(container).network_settings.ports["8080/tcp"][0]["HostPort"]
        assert _poll(f"http://127.0.0.1:{bound}/healthz", time.monotonic() + 15) == 200
    finally:
        docker.container.remove(container, force=True)
