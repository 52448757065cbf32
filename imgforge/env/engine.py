"""The Docker engine: is it there, which version, does BuildKit (buildx) work."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from python_on_whales import DockerClient
from python_on_whales.exceptions import DockerException

from imgforge.errors import EngineUnavailable


@dataclass(frozen=True)
class EngineInfo:
    """What the engine told us about itself."""

    server_version: str
    api_version: str
    storage_driver: str
    docker_root: str
    buildx_version: str | None


def client() -> DockerClient:
    """A python-on-whales client for the engine DOCKER_HOST (or the default socket) names."""
    return DockerClient()


def _first_line(exc: DockerException) -> str:
    text = (exc.stderr or exc.stdout or str(exc)).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no answer"


def require_engine(step: str = "contacting the Docker engine") -> DockerClient:
    """Return a client whose engine answers, or raise EngineUnavailable naming `step`."""
    if shutil.which("docker") is None:
        raise EngineUnavailable(f"{step}: the docker client is not installed (run `bash .ci/setup`)")
    docker = client()
    try:
        docker.system.info()
    except DockerException as exc:
        raise EngineUnavailable(f"{step}: {_first_line(exc)}") from exc
    return docker


def buildx_version() -> str | None:
    """The buildx plugin's version, or None when BuildKit builds are not available."""
    try:
        out = subprocess.run(
            ["docker", "buildx", "version"], capture_output=True, text=True, timeout=15, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    parts = out.stdout.split()
    return parts[1] if len(parts) > 1 else out.stdout.strip()


def engine_info() -> EngineInfo:
    """Ask the engine who it is; raise EngineUnavailable when it does not answer."""
    docker = require_engine()
    info = docker.system.info()
    version = docker.version()
    server = version.server
    return EngineInfo(
        server_version=(server.version if server else info.server_version) or "unknown",
        api_version=(server.api_version if server else "") or "",
        storage_driver=info.driver or "",
        docker_root=str(info.docker_root_dir or "/var/lib/docker"),
        buildx_version=buildx_version(),
    )
