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
from imgforge.image.model import json_doc, json_type

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


def field(doc: dict[str, Any], key: str, kind: type, default: Any, what: str) -> Any:
    """`doc[key]` (or `default` when absent or null) checked to be a `kind`; a wrong JSON type is a UsageError."""
    value = doc.get(key)
    if value is None:
        return default
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise UsageError(f"reading {what}: {key!r} is a JSON {json_type(value)}, expected "
                         f"{json_type(kind() if kind is not int else 0)}")
    return value


def _size(doc: dict[str, Any], what: str) -> int | None:
    size: int | None = field(doc, "size", int, None, what)
    if size is not None and size < 0:
        raise UsageError(f"reading {what}: 'size' is negative")
    return size


def blob_path(digest: str) -> str:
    algo, _, hexpart = digest.partition(":")
    if not hexpart or "/" in hexpart or "/" in algo or ".." in hexpart:
        raise UsageError(f"reading image index: bad digest {digest!r}")
    return f"blobs/{algo}/{hexpart}"


def pick_manifest(manifests: list[Any], what: str, platform: tuple[str, str] = DEFAULT_PLATFORM) -> dict[str, Any]:
    """The manifest descriptor for `platform` from an index (else the first one that is not an attestation)."""
    if not isinstance(manifests, list):
        raise UsageError(f"reading {what}: 'manifests' is a JSON {json_type(manifests)}, expected array")
    usable = [m for m in manifests if isinstance(m, dict)
              and field(m, "annotations", dict, {}, what).get("vnd.docker.reference.type") != "attestation-manifest"]
    if not usable:
        raise UsageError(f"reading {what}: the index lists no image manifest")
    for m in usable:
        p = field(m, "platform", dict, {}, what)
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
    mwhat = f"manifest.json of {what}"
    config_name = field(entry, "Config", str, "", mwhat)
    layer_names = field(entry, "Layers", list, [], mwhat)
    if not config_name:
        raise UsageError(f"reading {what}: manifest.json has no Config or Layers")
    config = _need(read, posixpath.normpath(config_name), what)
    sources = field(entry, "LayerSources", dict, {}, mwhat)
    layers = []
    for name in layer_names:
        if not isinstance(name, str):
            raise UsageError(f"reading {mwhat}: a 'Layers' item is a JSON {json_type(name)}, expected string")
        member = posixpath.normpath(name)
        digest = ""
        if member.startswith("blobs/"):
            parts = member.split("/")
            digest = f"{parts[1]}:{parts[-1]}" if len(parts) == 3 else ""
        src = field(sources, digest, dict, {}, mwhat) if digest else {}
        layers.append(LayerRef(member, digest, str(field(src, "mediaType", str, "application/x-tar", mwhat)),
                               _size(src, mwhat)))
    tags = tuple(str(t) for t in field(entry, "RepoTags", list, [], mwhat))
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
        doc = json_doc(_need(read, blob_path(field(desc, "digest", str, "", what)), what), f"manifest of {what}")
    else:
        raise UsageError(f"reading {what}: indexes nest too deeply")
    config = _need(read, blob_path(field(field(doc, "config", dict, {}, what), "digest", str, "", what)), what)
    layers = tuple(
        LayerRef(blob_path(field(ld, "digest", str, "", what)), field(ld, "digest", str, "", what),
                 field(ld, "mediaType", str, "", what), _size(ld, what))
        for ld in field(doc, "layers", list, [], what) if isinstance(ld, dict)
    )
    annotations = {**(field(desc, "annotations", dict, {}, what) if desc else {}),
                   **field(doc, "annotations", dict, {}, what)}
    tag = annotations.get("org.opencontainers.image.ref.name")
    return Resolved(config, layers, tuple(sorted((str(k), str(v)) for k, v in annotations.items())),
                    field(desc, "digest", str, None, what) if desc else None, (str(tag),) if tag else ())
