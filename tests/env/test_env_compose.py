"""pytest-docker with Debian's docker-compose: a containerised registry, and the registry-image fallback."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import oras.client
import pytest

from imgforge.env import registry as registry_mod
from imgforge.env.registry import LocalRegistry, ping

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def docker_compose_command() -> str:
    # Debian ships compose v1 as a separate binary; the plugin form `docker compose` is absent.
    return "docker-compose"


@pytest.fixture(scope="session")
def docker_compose_file() -> str:
    return str(HERE / "compose-registry.yml")


@pytest.fixture(scope="session")
def docker_setup() -> list[str]:
    return ["up -d"]


@pytest.fixture(scope="session")
def compose_registry(docker, docker_services) -> str:
    """host:port of the compose registry, once it answers."""
    port = docker_services.port_for("registry", 5000)
    url = f"http://127.0.0.1:{port}"
    docker_services.wait_until_responsive(check=lambda: ping(url) == 200, timeout=30.0, pause=0.3)
    return f"127.0.0.1:{port}"


def test_push_to_compose_registry_and_read_back(docker, compose_registry, cleanup_images, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM imgforge/busybox:1.35\nRUN echo compose > /hello\n")
    ref = f"{compose_registry}/imgforge-test/compose:1"
    cleanup_images.append(ref)
    docker.build(tmp_path, tags=[ref], load=True)
    docker.image.push(ref, quiet=True)
    manifest = oras.client.OrasClient(hostname=compose_registry, insecure=True).get_manifest(ref)
    assert len(manifest["layers"]) == len(docker.image.inspect(ref).root_fs.layers)


def test_registry_image_fallback_when_no_binary(docker, tmp_path, monkeypatch):
    """Without the docker-registry binary, `registry up` runs the local registry image instead."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    real_which = shutil.which
    monkeypatch.setattr(
        registry_mod.shutil, "which", lambda name: None if name in ("docker-registry", "registry") else real_which(name)
    )
    reg = LocalRegistry(home=tmp_path / "reg", port=port)
    try:
        status = reg.up(timeout=30)
        assert status.answering and status.how == "container"
        assert ping(reg.url) == 200
    finally:
        assert reg.down() is True
    assert ping(reg.url) is None
