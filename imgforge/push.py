"""Push an image and its tag set so that no partial or wrong version tag is ever visible.

Order (why): the engine uploads the image with `docker push` to a *staging* repository
(`imgforge-staging/<repo>:push-<id>`), because `docker push` needs a tag and a temporary tag in the
target repository would be visible to users. That yields the manifest digest. Then, before the target
repository is touched at all, every exact version tag is checked: pointing at another digest means
`ImmutableTagError` and the target stays unchanged. Only then are the blobs mounted cross-repository,
the manifest PUT by digest (still untagged), and finally the tags written (`publish`):

1. each version tag is re-checked immediately before its PUT and never overwritten when it points
   elsewhere;
2. after a short settle time every version tag is read back: one that is not this digest means a
   concurrent push of another image won the race, and this push fails naming the winner;
3. only then do the floating tags move, and they are read back too.

A registry has no compare-and-swap on tags, so two writers whose check and PUT interleave within the
settle time are told apart by the read-back, not prevented; strict immutability needs the registry's
own enforcement (Harbor or ECR tag immutability). The staging manifest is deleted afterwards (its
blobs stay linked from the target). When the engine already knows the image's digest and the target
holds it, nothing is uploaded at all.

`RegistryClient(insecure=...)` governs imgforge's own HTTP calls; the engine's upload follows dockerd's
`insecure-registries` (loopback registries are insecure by default there too).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_on_whales import DockerClient
from python_on_whales.exceptions import DockerException

from imgforge.env.engine import client as engine_client
from imgforge.env.engine import with_config
from imgforge.errors import ImmutableTagError, RegistryError, RegistryUnavailable, UsageError
from imgforge.gitinfo import latest_version
from imgforge.project import VersionSettings, version_of
from imgforge.reference import Reference
from imgforge.registry.auth import ENV_PASSWORD, docker_config_json
from imgforge.registry.client import Manifest, RegistryClient
from imgforge.settings import load_section, settings_path
from imgforge.tags import TagMove, TagPlan

STAGING_PREFIX = "imgforge-staging"
_AUTH_WORDS = ("unauthorized", "authentication required", "no basic auth", "denied")
# Failures no retry can fix: fail at once instead of backing off for half a minute.
_FATAL_WORDS = ("server gave http response to https client", "x509", "certificate", "no such host",
                "invalid reference format", "does not exist locally", "tag does not exist")


@dataclass(frozen=True)
class TagOutcome:
    """What happened to one tag and where it pointed before.

    `created`, `moved` (floating tags only) or `unchanged`; `superseded` when a floating tag was moved
    again by a concurrent push after ours (`after` says where it points now).
    """

    tag: str
    action: str
    before: str | None
    after: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"tag": self.tag, "action": self.action, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class PushResult:
    """The pushed digest, whether anything was uploaded, and every tag's outcome."""

    repository: str
    digest: str
    uploaded: bool
    tags: tuple[TagOutcome, ...]

    @property
    def reference(self) -> str:
        return f"{self.repository}@{self.digest}"

    def to_json(self) -> dict[str, Any]:
        """The one JSON shape of a push (CLI `--json` and pipeline.json alike)."""
        return {"repository": self.repository, "digest": self.digest, "reference": self.reference,
                "uploaded": self.uploaded, "tags": [t.to_json() for t in self.tags]}


def staging_repository(repo: str) -> str:
    return f"{STAGING_PREFIX}/{repo}"


def existing_tags(client: RegistryClient, repo: str) -> dict[str, str]:
    """tag -> digest of everything in `repo` (what `plan_tags` wants as `existing`)."""
    return client.tag_digests(repo)


def push_image(
    image: str,
    target: Reference,
    plan: TagPlan,
    *,
    client: RegistryClient,
    docker: DockerClient | None = None,
    attempts: int = 5,
    backoff: float = 1.0,
    settle: float = 0.5,
    say: Callable[[str], None] = lambda _msg: None,
) -> PushResult:
    """Push local `image` to `target` (registry/repo) under every tag of `plan`; see the module doc for the order."""
    if not target.registry:
        raise UsageError(f"pushing {image}: the target {target} names no registry (e.g. 127.0.0.1:5000/app)")
    repo, where = target.repository, f"{target.name}:{plan.exact.tag}"
    docker = docker or engine_client()
    image_id = _image_id(docker, image)
    local = _content(docker, image)
    staging = staging_repository(repo)
    staging_ref = f"{target.registry}/{staging}:push-{uuid.uuid4().hex[:12]}"
    uploaded, source, digest = False, repo, None
    try:
        client.ping()
        # An existing version tag is compared by config digest (= the local image id), so an identical
        # image costs no upload and a different one is refused before anything is uploaded.
        digest = _existing_same_image(client, target, plan, image_id, local)
        uploaded = digest is None
        if digest is None:
            say(f"uploading {image} via {target.registry}/{staging}")
            digest = _engine_push(docker, image, target, staging_ref, client, attempts, backoff, say)
            source = staging
            _check_immutable(client, target, plan, digest, image_id)  # someone may have pushed meanwhile
        else:
            say(f"{target.name}@{digest} is already in the registry: nothing to upload")
        outcomes = land(client, target, plan, source, digest, settle=settle, say=say)
    except RegistryUnavailable as err:
        raise err.within(f"pushing {where}") from err
    finally:
        if uploaded:
            _drop_staging(docker, client, staging, staging_ref, digest)
    return PushResult(repository=target.name, digest=digest, uploaded=uploaded, tags=tuple(outcomes))


def land(client: RegistryClient, target: Reference, plan: TagPlan, source: str, digest: str, *,
         settle: float = 0.5, say: Callable[[str], None] = lambda _msg: None,
         sleep: Callable[[float], None] = time.sleep) -> tuple[TagOutcome, ...]:
    """Bring manifest `digest` from repository `source` (staging, or the target itself) into the target, then tag it."""
    repo = target.repository
    manifest = client.get_manifest(source, digest)
    if source != repo:
        for blob in _blobs(manifest.body):
            client.mount_blob(repo, blob, source)
        client.put_manifest(repo, digest, manifest)
    return publish(client, target, plan, Manifest(manifest.body, manifest.media_type, digest), settle=settle,
                   say=say, sleep=sleep)


def publish(client: RegistryClient, target: Reference, plan: TagPlan, manifest: Manifest, *, settle: float = 0.5,
            say: Callable[[str], None] = lambda _msg: None,
            sleep: Callable[[float], None] = time.sleep) -> tuple[TagOutcome, ...]:
    """Write the tags of `plan` for `manifest` (already in the repository by digest); see the module doc."""
    repo, digest = target.repository, manifest.digest
    exact = [m for m in plan.tags if m.immutable]
    outcomes: dict[str, TagOutcome] = {}
    wrote = False
    for move in exact:
        before = client.head_manifest(repo, move.tag)  # immediately before the PUT
        if before not in (None, digest):
            raise ImmutableTagError(
                f"pushing {target.name}:{move.tag}: version tags are immutable; the registry has {before}, "
                f"this image is {digest} (pushed concurrently by another writer, or bump the version)"
            )
        if before == digest:
            outcomes[move.tag] = TagOutcome(move.tag, "unchanged", before, digest)
            continue
        client.put_manifest(repo, move.tag, manifest)
        wrote = True
        outcomes[move.tag] = TagOutcome(move.tag, "created", None, digest)
    if wrote and settle > 0:
        sleep(settle)  # a concurrent writer whose check preceded our PUT lands its own PUT meanwhile
    for move in exact:
        now = client.head_manifest(repo, move.tag)
        if now != digest:
            raise ImmutableTagError(
                f"pushing {target.name}:{move.tag}: lost a race with a concurrent push: the version tag now "
                f"points at {now} (the winner), not at this image {digest}; no floating tag was moved"
            )
        say(f"{target.name}:{move.tag} -> {digest}")
    floating = [m for m in plan.tags if not m.immutable]
    for move in floating:
        outcomes[move.tag] = _move_floating(client, target, move, manifest)
        say(f"{target.name}:{move.tag} -> {digest}")
    for move in floating:  # read back: a concurrent push may have moved it again
        now = client.head_manifest(repo, move.tag)
        if now != digest:
            old = outcomes[move.tag]
            outcomes[move.tag] = TagOutcome(move.tag, "superseded", old.before, now)
    return tuple(outcomes[m.tag] for m in plan.tags)


def _move_floating(client: RegistryClient, target: Reference, move: TagMove, manifest: Manifest) -> TagOutcome:
    before = client.head_manifest(target.repository, move.tag)
    if before == manifest.digest:
        return TagOutcome(move.tag, "unchanged", before, before)
    client.put_manifest(target.repository, move.tag, manifest)
    return TagOutcome(move.tag, "moved" if before else "created", before, manifest.digest)


def _blobs(body: bytes) -> list[str]:
    data = json.loads(body)
    if "manifests" in data:
        raise UsageError("pushing a multi-platform index is not supported by imgforge push yet")
    return [data["config"]["digest"], *(layer["digest"] for layer in data.get("layers") or [])]


def _image_id(docker: DockerClient, image: str) -> str:
    try:
        return str(docker.image.inspect(image).id)
    except DockerException as exc:
        raise UsageError(f"pushing {image}: no such local image") from exc


def _config_digest(body: bytes) -> str | None:
    config = json.loads(body).get("config") or {}
    return config.get("digest")


# What makes two images the same one when their config digests differ: BuildKit's inline cache record
# (`moby.buildkit.cache.v0` in the config) differs between a fresh and a fully cached build of the same content.
_CONFIG_KEYS = ("Env", "Entrypoint", "Cmd", "User", "WorkingDir", "Labels", "ExposedPorts")


def _content(docker: DockerClient, image: str) -> dict[str, Any]:
    """The local image's layers and run configuration, in the registry config's shape."""
    # The inspect JSON as the engine wrote it (python-on-whales' model renames and retypes its keys).
    cmd = [str(part) for part in docker.client_config.docker_cmd] + ["image", "inspect", image]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
        raw = (json.loads(res.stdout or "[]") or [{}])[0]
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return {}
    config = raw.get("Config") or {}
    return {"diff_ids": list((raw.get("RootFS") or {}).get("Layers") or []),
            **{key: config.get(key) or None for key in _CONFIG_KEYS}}


def _same_content(client: RegistryClient, repo: str, manifest: bytes, local: dict[str, Any]) -> bool:
    config_digest = _config_digest(manifest)
    if not local or not config_digest:
        return False
    doc = json.loads(client.get_blob(repo, config_digest))
    config = doc.get("config") or {}
    remote = {"diff_ids": list((doc.get("rootfs") or {}).get("diff_ids") or []),
              **{key: config.get(key) or None for key in _CONFIG_KEYS}}
    return remote == local


def _existing_same_image(client: RegistryClient, target: Reference, plan: TagPlan, image_id: str,
                         local: dict[str, Any] | None = None) -> str | None:
    """The digest an existing exact tag holds when it is this very image (the same config, or the same layers
    and run configuration with another build-cache record); ImmutableTagError when it is not."""
    found = None
    for move in plan.tags:
        if not move.immutable:
            continue
        now = client.head_manifest(target.repository, move.tag)
        if now is None:
            continue
        body = client.get_manifest(target.repository, now).body
        if _config_digest(body) != image_id and not _same_content(client, target.repository, body, local or {}):
            raise ImmutableTagError(
                f"pushing {target.name}:{move.tag}: version tags are immutable; the registry has {now}, "
                f"this image is {image_id} (image id; bump the version)"
            )
        found = now
    return found


def _check_immutable(client: RegistryClient, target: Reference, plan: TagPlan, digest: str, image_id: str) -> None:
    for move in plan.tags:
        now = client.head_manifest(target.repository, move.tag) if move.immutable else None
        if now and now != digest:
            raise ImmutableTagError(
                f"pushing {target.name}:{move.tag}: version tags are immutable; the registry has {now}, "
                f"this image is {digest} (image id {image_id}; bump the version)"
            )


@contextmanager
def _engine_client(docker: DockerClient, registry: str, client: RegistryClient) -> Iterator[DockerClient]:
    """The engine client, with a private DOCKER_CONFIG when credentials come from the environment."""
    creds = client.credentials()
    if creds is None or creds.source != "env":
        yield docker  # the docker CLI reads the same Docker config / helpers itself
        return
    with tempfile.TemporaryDirectory(prefix="imgforge-auth-") as tmp:
        cfg = Path(tmp) / "config.json"
        cfg.touch(mode=0o600)
        cfg.write_text(docker_config_json(registry, creds))
        yield with_config(docker, Path(tmp))


def _engine_push(docker: DockerClient, image: str, target: Reference, staging_ref: str, client: RegistryClient,
                 attempts: int, backoff: float, say: Callable[[str], None]) -> str:
    docker.image.tag(image, staging_ref)
    last = ""
    with _engine_client(docker, str(target.registry), client) as engine:
        for attempt in range(attempts):
            try:
                engine.image.push(staging_ref, quiet=True)
                break
            except DockerException as exc:
                text = (exc.stderr or exc.stdout or "").strip()
                last = text.splitlines()[-1] if text else f"exit {exc.return_code}"
                lowered = text.lower()
                # The engine's own upload reports only text; our transport has already pinged with the
                # same credentials, so this is rare (e.g. a push-only permission missing).
                if any(word in lowered for word in _AUTH_WORDS):
                    status, code = (403, "DENIED") if "denied" in lowered else (401, "UNAUTHORIZED")
                    raise RegistryError(
                        status, code, f"{client.base}/v2/",
                        f"registry {target.registry} refused the upload ({status} {code}: {_redact(last)})",
                    ) from exc
                if any(word in lowered for word in _FATAL_WORDS):
                    raise RegistryUnavailable(f"uploading to {target.registry}: {_redact(last)}") from exc
                say(f"upload attempt {attempt + 1} failed ({_redact(last)}); retrying in {backoff * 2**attempt:.1f}s")
                time.sleep(backoff * 2**attempt)
        else:
            raise RegistryUnavailable(f"uploading failed after {attempts} attempts: {_redact(last)}")
    name = staging_ref.rsplit(":", 1)[0]
    for entry in docker.image.inspect(staging_ref).repo_digests or []:
        if entry.startswith(f"{name}@"):
            return entry.split("@", 1)[1]
    raise RegistryUnavailable(f"uploading {image}: the engine reported no digest for {staging_ref}")


def _drop_staging(docker: DockerClient, client: RegistryClient, staging: str, staging_ref: str,
                  digest: str | None) -> None:
    """Best effort: the staging manifest and the local staging tag go away; blobs stay linked from the target."""
    with suppress(RegistryUnavailable):
        if digest:
            client.delete_manifest(staging, digest)
    with suppress(DockerException):
        docker.image.remove(staging_ref, force=False)


def _redact(text: str) -> str:
    # The docker CLI never prints the password, but env-provided values are scrubbed anyway.
    value = os.environ.get(ENV_PASSWORD)
    return text.replace(value, "<hidden>") if value else text


latest_git_version = latest_version  # the one version-from-git rule lives in imgforge.gitinfo


def project_version(path: Path) -> str | None:
    """The version `imgforge.yaml` names (`version:` fixed, file or git), else the latest `vX.Y.Z` git tag."""
    return version_of(load_section(path, "version", VersionSettings), settings_path(path).parent)
