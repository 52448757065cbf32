"""What a manifest needs to know about its image: the digest it is pinned to, and its config (ports, user, labels)."""

from __future__ import annotations

import ipaddress
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from imgforge.env.registry_api import MANIFEST_TYPES
from imgforge.errors import RegistryUnavailable, UsageError
from imgforge.reference import Reference


@dataclass(frozen=True)
class ImageConfig:
    """The parts of an image's config a manifest checks against."""

    exposed_ports: frozenset[int] = frozenset()
    user: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    repo_digests: tuple[str, ...] = ()

    def uid(self) -> int | None:
        """The numeric UID of USER, or None when USER is empty or a name."""
        head = self.user.split(":", 1)[0]
        return int(head) if head.isdigit() else None

    def gid(self) -> int | None:
        """The numeric GID of USER uid:gid, or None."""
        parts = self.user.split(":", 1)
        return int(parts[1]) if len(parts) == 2 and parts[1].isdigit() else None


def _head(url: str, token: str | None, ref: Reference) -> tuple[int, Any]:
    """(status, headers) of a manifest HEAD; status 0 when nothing answers."""
    headers = {"Accept": MANIFEST_TYPES}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, method="HEAD", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - http(s) URL built by us
            return resp.status, resp.headers
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            raise RegistryUnavailable(f"resolving {ref} to a digest: registry answered {exc.code}") from exc
        return exc.code, exc.headers
    except (urllib.error.URLError, OSError):
        return 0, {}


def _anonymous_token(challenge: str) -> str | None:
    """An anonymous token from a `Bearer realm=...` challenge (public images on token registries)."""
    import json
    import re
    import urllib.parse

    params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
    realm = params.pop("realm", "")
    if not realm.startswith(("http://", "https://")):
        return None
    try:
        with urllib.request.urlopen(realm + "?" + urllib.parse.urlencode(params), timeout=10) as resp:  # noqa: S310
            doc = json.loads(resp.read(1 << 20))
    except (urllib.error.URLError, OSError, ValueError):
        return None
    token = doc.get("token") or doc.get("access_token") if isinstance(doc, dict) else None
    return str(token) if token else None


@dataclass(frozen=True)
class RegistryAnswer:
    """The digest a registry gave for a tag, and whether it asked for credentials."""

    digest: str | None
    needs_auth: bool


class ImageSource(Protocol):
    """Where image facts come from (the engine and a registry); tests may fake it."""

    def local_config(self, ref: str) -> ImageConfig | None: ...

    def registry_digest(self, ref: Reference) -> RegistryAnswer: ...

    def registry_config(self, ref: Reference, digest: str) -> ImageConfig | None: ...


def parse_config(inspect: dict[str, Any]) -> ImageConfig:
    """ImageConfig from `docker image inspect` JSON (one element)."""
    config = inspect.get("Config") or {}
    ports = set()
    for key in (config.get("ExposedPorts") or {}):
        number, _, proto = str(key).partition("/")
        if number.isdigit() and proto in ("", "tcp"):
            ports.add(int(number))
    return ImageConfig(
        exposed_ports=frozenset(ports),
        user=str(config.get("User") or ""),
        labels=dict(config.get("Labels") or {}),
        repo_digests=tuple(inspect.get("RepoDigests") or ()),
    )


def _scheme(host: str) -> str:
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0][1:]
    if name == "localhost":
        return "http"
    try:
        return "http" if ipaddress.ip_address(name).is_loopback else "https"
    except ValueError:
        return "https"


class EngineAndRegistry:
    """The real source: `docker image inspect` and a distribution-API HEAD."""

    def local_config(self, ref: str) -> ImageConfig | None:
        import json
        import subprocess

        try:
            out = subprocess.run(["docker", "image", "inspect", ref], capture_output=True, text=True,
                                 timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if out.returncode != 0:
            return None
        data = json.loads(out.stdout or "[]")
        return parse_config(data[0]) if data else None

    def registry_digest(self, ref: Reference) -> RegistryAnswer:
        """HEAD the tag anonymously (with an anonymous bearer token when offered); else with the user's login."""
        if ref.registry is None:
            return RegistryAnswer(None, False)
        url = f"{_scheme(ref.registry)}://{ref.registry}/v2/{ref.repository}/manifests/{ref.tag or 'latest'}"
        status, headers = _head(url, None, ref)
        if status == 401 and headers.get("WWW-Authenticate", "").lower().startswith("bearer"):
            token = _anonymous_token(headers["WWW-Authenticate"])
            if token:
                status, headers = _head(url, token, ref)
        if status == 200:
            return RegistryAnswer(headers.get("Docker-Content-Digest"), False)
        if status in (401, 403):
            # Pulling needs credentials, so will the kubelet; resolve with the user's own login if there is one.
            from imgforge.registry.client import RegistryClient

            try:
                digest = RegistryClient(ref.registry, attempts=2).head_manifest(ref.repository, ref.tag or "latest")
            except RegistryUnavailable:
                digest = None
            return RegistryAnswer(digest, True)
        return RegistryAnswer(None, False)

    def registry_config(self, ref: Reference, digest: str) -> ImageConfig | None:
        """The config of the pinned image read from the registry (anonymous), or None when it cannot be read."""
        import json

        from imgforge.errors import ImgforgeError
        from imgforge.image.manifests import pick_manifest
        from imgforge.image.registry import ACCEPT, RegistryBlob, base_url

        if ref.registry is None:
            return None
        root = f"{base_url(ref.registry)}/v2/{ref.repository}"
        step = f"reading the config of {ref.name}@{digest}"
        try:
            with RegistryBlob(f"{root}/manifests/{digest}", step, ACCEPT)() as resp:
                doc = json.load(resp)
            if "manifests" in doc and "layers" not in doc:
                chosen = pick_manifest(doc["manifests"], step)
                with RegistryBlob(f"{root}/manifests/{chosen['digest']}", step, ACCEPT)() as resp:
                    doc = json.load(resp)
            with RegistryBlob(f"{root}/blobs/{doc['config']['digest']}", step)() as resp:
                config = json.load(resp)
        except (ImgforgeError, OSError, ValueError, KeyError, TypeError):
            # Best effort: without the config the EXPOSE check is skipped, nothing else depends on it.
            return None
        return parse_config({"Config": config.get("config") or {}, "RepoDigests": []})


@dataclass(frozen=True)
class Pinned:
    """An image reference pinned by digest, how it was resolved, and the image's config when local."""

    ref: str
    how: str
    needs_auth: bool
    config: ImageConfig | None


def pin(text: str, source: ImageSource | None = None) -> Pinned:
    """Pin `text` by digest: kept when it has one, else the registry's answer, else the engine's RepoDigests."""
    src = source or EngineAndRegistry()
    ref = Reference.parse(text)
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
    where = "the registry has no such tag" if ref.registry else "it names no registry"
    raise UsageError(f"pinning {text} by digest: {where} and the engine has no RepoDigest for it "
                     "(push it first, or pass repo@sha256:...)")
