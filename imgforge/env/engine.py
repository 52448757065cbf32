"""The Docker engine seam: one python-on-whales client, made once by `connect()` and passed in.

Everything imgforge asks of the engine goes through `Engine`. Pure logic takes the narrow
`ImageEngine` Protocol instead, so tests can fake it. One raw `docker` subprocess remains, where
python-on-whales lacks the command in the form needed: a streamed `docker image save` (its
`image.save()` iterator splits the tar into lines); `Engine.save_command` builds it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from imgforge.errors import EngineUnavailable, RegistryUnavailable, UsageError
from imgforge.reference import Reference
from imgforge.registry.auth import Credentials, credentials_for, docker_config_json

if TYPE_CHECKING:
    from python_on_whales import DockerClient
    from python_on_whales.exceptions import DockerException


@dataclass(frozen=True)
class EngineInfo:
    """What the engine told us about itself."""

    server_version: str
    api_version: str
    storage_driver: str
    docker_root: str
    buildx_version: str | None


@dataclass(frozen=True)
class ImageFacts:
    """What the engine knows of one local image: id, size, layer diff ids and registry digests."""

    id: str
    size: int
    diff_ids: tuple[str, ...]
    repo_digests: tuple[str, ...]


class ImageEngine(Protocol):
    """The questions pure logic asks the engine about images (fake it in tests)."""

    def has_image(self, ref: str) -> bool: ...

    def image_facts(self, ref: str) -> ImageFacts | None: ...


def client(config: Path | None = None) -> DockerClient:
    """The one place a python-on-whales client is made (DOCKER_HOST or the default socket; `config` = DOCKER_CONFIG)."""
    # deferred: python-on-whales costs ~0.17 s to import (python -X importtime); scanning an archive or a registry
    # image, linting and every --help import this module without talking to the engine.
    from python_on_whales import DockerClient

    return DockerClient(config=str(config)) if config is not None else DockerClient()


def _docker_error() -> type[DockerException]:
    """python-on-whales' error class, for `except` clauses: evaluated only once a call failed, i.e. after `client()`."""
    from python_on_whales.exceptions import DockerException  # deferred with `client()`; already loaded by then

    return DockerException


def _last_line(exc: DockerException) -> str:
    text = (exc.stderr or exc.stdout or str(exc)).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no answer"


@dataclass(frozen=True)
class Engine:
    """A connected engine: image questions, pull, tag, the `docker save` command, and the raw client."""

    docker: DockerClient

    def has_image(self, ref: str) -> bool:
        """Whether the engine has `ref` (a tag, id or repo@digest)."""
        try:
            return bool(self.docker.image.exists(ref))
        except _docker_error() as exc:
            raise EngineUnavailable(f"looking up {ref} in the engine: {_last_line(exc)}") from exc

    def image_facts(self, ref: str) -> ImageFacts | None:
        """The engine's facts about `ref`, or None when it has no such image."""
        if not self.has_image(ref):
            return None
        try:
            img = self.docker.image.inspect(ref)
        except _docker_error() as exc:
            raise EngineUnavailable(f"inspecting {ref}: {_last_line(exc)}") from exc
        return ImageFacts(id=str(img.id), size=int(img.size or 0), diff_ids=tuple(img.root_fs.layers or ()),
                          repo_digests=tuple(img.repo_digests or ()))

    def tag(self, source: str, target: str) -> None:
        """Give local image `source` the name `target`."""
        try:
            self.docker.image.tag(source, target)
        except _docker_error() as exc:
            raise UsageError(f"tagging {source} as {target}: {_last_line(exc)}") from exc

    def pull(self, ref: str) -> None:
        """Pull `ref` as the kubelet would: with the registry's credentials (env or Docker config)."""
        step = f"pulling {ref}"
        parsed = Reference.parse(ref)
        creds = credentials_for(parsed.registry) if parsed.registry else None
        with self.logged_in(parsed.registry, creds) as docker:
            try:
                docker.image.pull(ref, quiet=True)
            except _docker_error() as exc:
                why = _last_line(exc)
                lowered = why.lower()
                if "not found" in lowered or "manifest unknown" in lowered:
                    raise UsageError(f"{step}: the registry has no such image ({why})") from exc
                raise RegistryUnavailable(f"{step}: {why}") from exc

    @contextmanager
    def logged_in(self, registry: str | None, creds: Credentials | None) -> Iterator[DockerClient]:
        """The client, with a private DOCKER_CONFIG when credentials come from the environment.

        The docker CLI reads the user's own Docker config and helpers itself; env credentials are
        handed over in a temporary config file (mode 0600), never on a command line.
        """
        if registry is None or creds is None or creds.source != "env":
            yield self.docker
            return
        with tempfile.TemporaryDirectory(prefix="imgforge-auth-") as tmp:
            cfg = Path(tmp) / "config.json"
            cfg.touch(mode=0o600)
            cfg.write_text(docker_config_json(registry, creds))
            yield client(Path(tmp))

    def save_command(self, ref: str) -> list[str]:
        """`docker image save REF` with this client's host, context and TLS flags.

        Raw subprocess: python-on-whales' `image.save()` iterator splits the tar into lines, so the
        caller reads the pipe directly in large chunks.
        """
        return [str(part) for part in self.docker.client_config.docker_cmd] + ["image", "save", ref]

    def info(self) -> EngineInfo:
        """Ask the engine who it is."""
        try:
            info = self.docker.system.info()
            version = self.docker.version()
        except _docker_error() as exc:
            raise EngineUnavailable(f"asking the engine for its version: {_last_line(exc)}") from exc
        server = version.server
        return EngineInfo(
            server_version=(server.version if server else info.server_version) or "unknown",
            api_version=(server.api_version if server else "") or "",
            storage_driver=info.driver or "",
            docker_root=str(info.docker_root_dir or "/var/lib/docker"),
            buildx_version=buildx_version(self),
        )


PullPolicy = Literal["Always", "IfNotPresent", "Never"]


def default_pull_policy(ref: str) -> PullPolicy:
    """The kubelet's default: Always for `:latest` or an untagged, undigested reference, else IfNotPresent."""
    parsed = Reference.parse(ref)
    return "Always" if not parsed.digest and parsed.tag in (None, "latest") else "IfNotPresent"


def must_pull(ref: str, present: bool, policy: PullPolicy, step: str) -> bool:
    """Whether the kubelet would pull `ref` before starting it; UsageError (naming `step`) where it cannot start it."""
    if policy == "Never" or Reference.parse(ref).registry is None:
        if not present:
            why = "imagePullPolicy is Never" if policy == "Never" else "the reference names no registry to pull from"
            raise UsageError(f"{step}: the engine has no such image, and {why} (build it, or give REGISTRY/REPO:TAG)")
        return False
    return policy == "Always" or not present


def connect(step: str = "contacting the Docker engine") -> Engine:
    """An `Engine` whose daemon answers, or EngineUnavailable naming `step`."""
    if shutil.which("docker") is None:
        raise EngineUnavailable(f"{step}: the docker client is not installed (run `bash .ci/setup`)")
    docker = client()
    try:
        docker.system.info()
    except _docker_error() as exc:
        raise EngineUnavailable(f"{step}: {_last_line(exc)}") from exc
    return Engine(docker)


def require_engine(step: str = "contacting the Docker engine") -> DockerClient:
    """The raw client of `connect(step)`, for code that drives python-on-whales directly."""
    return connect(step).docker


def buildx_version(engine: Engine) -> str | None:
    """The buildx plugin's version, or None when BuildKit builds are not available."""
    try:
        out = engine.docker.buildx.version()
    except _docker_error():
        return None
    parts = out.split()
    return parts[1] if len(parts) > 1 else out.strip() or None


def engine_info(engine: Engine | None = None) -> EngineInfo:
    """Ask the engine who it is; raise EngineUnavailable when it does not answer."""
    return (engine or connect()).info()
