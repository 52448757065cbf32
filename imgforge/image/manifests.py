"""Resolve which config and layer blobs make an image, from `docker save` or OCI index/manifest JSON.

Pure functions over a `read(name) -> bytes | None` lookup, shared by the archive, OCI-layout
and daemon sources (the registry source speaks the same media types over HTTP).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from imgforge.errors import UsageError
from imgforge.image.model import json_doc

INDEX_TYPES = {
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
}
DEFAULT_PLATFORM = ("linux", "amd64")


@dataclass(frozen=True)
class LayerRef:
    """Where a layer's bytes live inside the container (member name or blob path) and what they are."""

    member: str
    digest: str
    media_type: str
    size: int | None


@dataclass(frozen=True)
class Resolved:
    """The config bytes, layer blob locations and annotations of one image."""

    config: bytes
    layers: tuple[LayerRef, ...]
    annotations: tuple[tuple[str, str], ...]
    manifest_digest: str | None
    tags: tuple[str, ...]


def blob_path(digest: str) -> str:
    algo, _, hexpart = digest.partition(":")
    if not hexpart or "/" in hexpart or "/" in algo or ".." in hexpart:
        raise UsageError(f"reading image index: bad digest {digest!r}")
    return f"blobs/{algo}/{hexpart}"


def pick_manifest(manifests: list[Any], what: str, platform: tuple[str, str] = DEFAULT_PLATFORM) -> dict[str, Any]:
    """The manifest descriptor for `platform` from an index (else the first one that is not an attestation)."""
    usable = [m for m in manifests if isinstance(m, dict)
              and (m.get("annotations") or {}).get("vnd.docker.reference.type") != "attestation-manifest"]
    if not usable:
        raise UsageError(f"reading {what}: the index lists no image manifest")
    for m in usable:
        p = m.get("platform") or {}
        if (p.get("os"), p.get("architecture")) == platform:
            return m
    return usable[0]


def resolve(read: Callable[[str], bytes | None], what: str) -> Resolved:
    """Resolve a `docker save` (manifest.json) or OCI (index.json) container through `read`."""
    raw = read("manifest.json")
    if raw is not None:
        return _resolve_docker(raw, read, what)
    raw = read("index.json")
    if raw is not None:
        return _resolve_oci(raw, read, what)
    raise UsageError(f"reading {what}: neither manifest.json nor index.json found (not an image archive or layout)")


def _need(read: Callable[[str], bytes | None], name: str, what: str) -> bytes:
    data = read(name)
    if data is None:
        raise UsageError(f"reading {what}: {name} is missing")
    return data


def _resolve_docker(raw: bytes, read: Callable[[str], bytes | None], what: str) -> Resolved:
    doc = json_doc(raw, f"manifest.json of {what}")
    if not isinstance(doc, list) or not doc or not isinstance(doc[0], dict):
        raise UsageError(f"reading {what}: manifest.json lists no image")
    entry = doc[0]
    config_name = str(entry.get("Config") or "")
    layer_names = entry.get("Layers") or []
    if not config_name or not isinstance(layer_names, list):
        raise UsageError(f"reading {what}: manifest.json has no Config or Layers")
    config = _need(read, posixpath.normpath(config_name), what)
    sources = entry.get("LayerSources") or {}
    layers = []
    for name in layer_names:
        member = posixpath.normpath(str(name))
        digest = ""
        if member.startswith("blobs/"):
            parts = member.split("/")
            digest = f"{parts[1]}:{parts[-1]}" if len(parts) == 3 else ""
        src = sources.get(digest) or {}
        layers.append(LayerRef(member, digest, str(src.get("mediaType", "application/x-tar")), src.get("size")))
    tags = tuple(str(t) for t in (entry.get("RepoTags") or ()))
    return Resolved(config, tuple(layers), (), None, tags)


def _resolve_oci(raw: bytes, read: Callable[[str], bytes | None], what: str) -> Resolved:
    doc: Any = json_doc(raw, f"index.json of {what}")
    desc: dict[str, Any] = {}
    for _ in range(4):  # index -> (nested index ->) manifest; bounded so a loop in hostile JSON ends
        if not isinstance(doc, dict):
            raise UsageError(f"reading {what}: an index or manifest is not a JSON object")
        if "layers" in doc and "config" in doc:
            break
        desc = pick_manifest(doc.get("manifests") or [], what)
        doc = json_doc(_need(read, blob_path(str(desc.get("digest", ""))), what), f"manifest of {what}")
    else:
        raise UsageError(f"reading {what}: indexes nest too deeply")
    config = _need(read, blob_path(str((doc.get("config") or {}).get("digest", ""))), what)
    layers = tuple(
        LayerRef(blob_path(str(ld.get("digest", ""))), str(ld.get("digest", "")),
                 str(ld.get("mediaType", "")), ld.get("size"))
        for ld in (doc.get("layers") or []) if isinstance(ld, dict)
    )
    annotations = {**((desc.get("annotations") or {}) if desc else {}), **(doc.get("annotations") or {})}
    tag = annotations.get("org.opencontainers.image.ref.name")
    return Resolved(config, layers, tuple(sorted((str(k), str(v)) for k, v in annotations.items())),
                    desc.get("digest") if desc else None, (tag,) if tag else ())
