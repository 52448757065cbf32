"""Release-test fixtures: tiny busybox images that differ by one file, and private registries."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from imgforge.env.registry import LocalRegistry


@pytest.fixture
def tiny_image(docker, cleanup_images, tmp_path_factory) -> Callable[..., str]:
    """Build `imgforge-test/<name>` FROM busybox with `payload` in a file (and `layers` extra layers)."""

    def make(name: str, payload: str, layers: int = 0, layer_bytes: int = 0) -> str:
        ctx = tmp_path_factory.mktemp("ctx")
        (ctx / "payload.txt").write_text(payload)
        lines = ["FROM imgforge/busybox:1.35", "COPY payload.txt /payload.txt"]
        for n in range(layers):
            lines.append(f"RUN head -c {layer_bytes} /dev/urandom > /blob{n}.bin")
        (ctx / "Dockerfile").write_text("\n".join(lines) + "\n")
        ref = f"imgforge-test/{name}"
        cleanup_images.append(ref)
        docker.build(ctx, tags=[ref], load=True, progress=False)
        return ref

    return make


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def private_registry(docker, tmp_path: Path) -> Iterator[Callable[..., LocalRegistry]]:
    """Start registries of our own (never the shared :5000 one); all are stopped at the end."""
    started: list[LocalRegistry] = []

    def start(htpasswd: Path | None = None) -> LocalRegistry:
        reg = LocalRegistry(home=tmp_path / f"reg{len(started)}", port=free_port(), htpasswd=htpasswd)
        reg.up()
        started.append(reg)
        return reg

    yield start
    for reg in started:
        reg.down()
