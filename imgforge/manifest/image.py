"""What a manifest needs to know about its image: the digest it is pinned to, and its config (ports, user, labels).

The registry's answer is named for what it is: the digest, no such tag, authentication required, or
unreachable. A reference without a tag is refused unless `:latest` is written out.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from imgforge.env.engine import docker_command
from imgforge.errors import ImgforgeError, RegistryError, RegistryUnavailable, UsageError
from imgforge.image import model
from imgforge.image.registry import read_manifest
from imgforge.reference import Reference
from imgforge.registry.client import RegistryClient
from imgforge.registry.transport import Transport

Problem = Literal["", "no-such-tag", "auth-required", "unreachable"]


@dataclass(frozen=True)
class ImageConfig(model.ImageConfig):
    """The image config (the scan's model) plus what a manifest checks against: EXPOSE, USER, RepoDigests."""

    digest: str = ""
    env: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    history: tuple[model.HistoryEntry, ...] = ()
    diff_ids: tuple[str, ...] = ()
    exposed_ports: frozenset[int] = frozenset()
    user: str = ""
    repo_digests: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        given: object = self.labels
        if isinstance(given, dict):  # accept a mapping, keep the model's sorted pairs
            object.__setattr__(self, "labels", tuple(sorted((str(k), str(v)) for k, v in given.items())))

    def uid(self) -> int | None:
        """The numeric UID of USER, or None when USER is empty or a name."""
        head = self.user.split(":", 1)[0]
        return int(head) if head.isdigit() else None

    def gid(self) -> int | None:
        """The numeric GID of USER uid:gid, or None."""
        parts = self.user.split(":", 1)
        return int(parts[1]) if len(parts) == 2 and parts[1].isdigit() else None


@dataclass(frozen=True)
class RegistryAnswer:
    """The digest a registry gave for a tag, whether pulling needs credentials, and what went wrong if nothing."""

    digest: str | None
    needs_auth: bool
    problem: Problem = ""
    detail: str = ""


class ImageSource(Protocol):
    """Where image facts come from (the engine and a registry); tests may fake it."""

    def local_config(self, ref: str) -> ImageConfig | None: ...

    def registry_digest(self, ref: Reference) -> RegistryAnswer: ...

    def registry_config(self, ref: Reference, digest: str) -> ImageConfig | None: ...


def exposed_ports(declared: object) -> frozenset[int]:
    """The TCP ports of an image config's `ExposedPorts` ("8080/tcp", "8080" keys of a map, or a list of them); UDP
    and junk are skipped, and a string or number (a registry's config may hold any JSON there) exposes nothing.

    The one EXPOSE rule for every source: inspect JSON, a registry's config blob, python-on-whales' model.
    """
    ports = set()
    for key in declared if isinstance(declared, (dict, list, tuple, set, frozenset)) else ():
        number, _, proto = str(key).partition("/")
        if re.fullmatch(r"[0-9]{1,5}", number) and proto in ("", "tcp") and 0 < int(number) < 65536:
            ports.add(int(number))
    return frozenset(ports)


def parse_config(inspect: dict[str, Any]) -> ImageConfig:
    """ImageConfig from `docker image inspect` JSON (one element)."""
    config = inspect.get("Config") or {}
    return ImageConfig(
        digest=str(inspect.get("Id") or ""),
        env=tuple(str(e) for e in config.get("Env") or ()),
        labels=tuple(sorted((str(k), str(v)) for k, v in (config.get("Labels") or {}).items())),
        diff_ids=tuple(str(d) for d in (inspect.get("RootFS") or {}).get("Layers") or ()),
        exposed_ports=exposed_ports(config.get("ExposedPorts")),
        user=str(config.get("User") or ""),
        repo_digests=tuple(inspect.get("RepoDigests") or ()),
    )


def config_from_blob(raw: bytes, where: str) -> ImageConfig:
    """ImageConfig from a registry's config blob: the scan model's fields plus EXPOSE and USER."""
    base = model.ImageConfig.parse(raw, where)
    doc = json.loads(raw)
    config = doc.get("config") or {} if isinstance(doc, dict) else {}
    return ImageConfig(digest=base.digest, env=base.env, labels=base.labels, history=base.history,
                       diff_ids=base.diff_ids, os=base.os, architecture=base.architecture,
                       exposed_ports=exposed_ports(config.get("ExposedPorts")), user=str(config.get("User") or ""))


class EngineAndRegistry:
    """The real source: `docker image inspect` and the registry's answers through the transport."""

    def __init__(self, *, insecure: bool = False, attempts: int = 2) -> None:
        self.insecure = insecure
        self.attempts = attempts

    def local_config(self, ref: str) -> ImageConfig | None:
        # Raw `docker image inspect` on the selected engine: python-on-whales takes no timeout, and a missing, hung or
        # absent engine (or image) only means "no local facts"; parse_config reads the inspect JSON as written.
        try:
            out = subprocess.run(docker_command("image", "inspect", ref), capture_output=True, text=True,
                                 timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if out.returncode != 0:
            return None
        try:
            data = json.loads(out.stdout or "[]")
        except ValueError:
            return None
        return parse_config(data[0]) if data and isinstance(data[0], dict) else None

    def _client(self, host: str, *, anonymous: bool) -> RegistryClient:
        return RegistryClient(host, transport=Transport(host, insecure=self.insecure, anonymous=anonymous,
                                                        attempts=self.attempts, timeout=10.0))

    def registry_digest(self, ref: Reference) -> RegistryAnswer:
        """HEAD the tag anonymously (with an anonymous bearer token when offered); else with the user's login."""
        if ref.registry is None:
            return RegistryAnswer(None, False)
        tag = ref.tag or "latest"
        try:
            digest = self._client(ref.registry, anonymous=True).head_manifest(ref.repository, tag)
            return RegistryAnswer(digest, False, "" if digest else "no-such-tag")
        except RegistryError as err:
            if err.status not in (401, 403):
                return RegistryAnswer(None, False, "unreachable", str(err))
        except RegistryUnavailable as err:
            return RegistryAnswer(None, False, "unreachable", str(err))
        # Pulling needs credentials, so will the kubelet; resolve with the user's own login if there is one.
        try:
            digest = self._client(ref.registry, anonymous=False).head_manifest(ref.repository, tag)
        except RegistryError as err:
            if err.status in (401, 403):
                return RegistryAnswer(None, True, "auth-required", str(err))
            return RegistryAnswer(None, True, "unreachable", str(err))
        except RegistryUnavailable as err:
            return RegistryAnswer(None, True, "unreachable", str(err))
        return RegistryAnswer(digest, True, "" if digest else "no-such-tag")

    def registry_config(self, ref: Reference, digest: str) -> ImageConfig | None:
        """The config of the pinned image read from the registry, or None when it cannot be read."""
        if ref.registry is None:
            return None
        client = self._client(ref.registry, anonymous=False)
        step = f"reading the config of {ref.name}@{digest}"
        try:
            doc, _, _ = read_manifest(client, ref.with_digest(digest), step)
            raw = client.get_blob(ref.repository, str((doc.get("config") or {}).get("digest", "")))
            return config_from_blob(raw, step)
        except (ImgforgeError, ValueError, AttributeError):
            # Best effort: without the config the EXPOSE check is skipped, nothing else depends on it.
            return None


@dataclass(frozen=True)
class Pinned:
    """An image reference pinned by digest, how it was resolved, and the image's config when local."""

    ref: str
    how: str
    needs_auth: bool
    config: ImageConfig | None


def _unresolved(text: str, ref: Reference, answer: RegistryAnswer) -> ImgforgeError:
    step = f"pinning {text} by digest"
    host = ref.registry or ""
    if not ref.registry:
        return UsageError(f"{step}: it names no registry and the engine has no RepoDigest for it "
                          "(push it first, or pass repo@sha256:...)")
    if answer.problem == "unreachable":
        return RegistryUnavailable(f"{step}: registry {host} is unreachable ({answer.detail})", url=host)
    if answer.problem == "auth-required":
        return RegistryUnavailable(
            f"{step}: registry {host} requires authentication to pull {ref.repository}: log in to resolve the "
            f"digest (docker login {host}, or IMGFORGE_REGISTRY_USER/IMGFORGE_REGISTRY_PASSWORD), and give the "
            "cluster a pull secret (--pull-secret)", status=401, url=host,
        )
    return UsageError(f"{step}: registry {host} has no tag {ref.tag or 'latest'} in {ref.repository} and the "
                      "engine has no RepoDigest for it (push it first, or pass repo@sha256:...)")


def pin(text: str, source: ImageSource | None = None) -> Pinned:
    """Pin `text` by digest: kept when it has one, else the registry's answer, else the engine's RepoDigests."""
    src = source or EngineAndRegistry()
    ref = Reference.parse(text)
    if not ref.tag and not ref.digest:
        raise UsageError(f"pinning {text} by digest: the reference has no tag; name the version "
                         f"({text}:1.2.3), or write {text}:latest if you mean it")
    config = src.local_config(text)
    if ref.digest:
        return Pinned(f"{ref.name}@{ref.digest}", "given", False, config)
    answer = src.registry_digest(ref)
    if answer.digest:
        if config is None:
            config = src.registry_config(ref, answer.digest)
        return Pinned(f"{ref.name}@{answer.digest}", "registry", answer.needs_auth, config)
    for repo_digest in (config.repo_digests if config else ()):
        name, _, digest = repo_digest.partition("@")
        if name == ref.name or (ref.registry is None and name.endswith("/" + ref.repository)):
            return Pinned(f"{name}@{digest}", "engine RepoDigests", answer.needs_auth, config)
    raise _unresolved(text, ref, answer)
