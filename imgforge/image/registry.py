"""The registry source: manifest, config and layer blobs over the distribution API (blobs streamed, never stored)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, BinaryIO

from imgforge.errors import RegistryError, RegistryUnavailable, UsageError
from imgforge.image.manifests import INDEX_TYPES, pick_manifest
from imgforge.image.model import Image, ImageConfig, Layer
from imgforge.reference import Reference
from imgforge.registry.client import RegistryClient
from imgforge.registry.transport import Transport

MAX_DOC = 16 << 20


@dataclass(frozen=True)
class RegistryBlob:
    """A picklable opener for one blob: the transport travels without its connections or tokens."""

    transport: Transport
    repository: str
    digest: str
    step: str

    def __call__(self) -> BinaryIO:
        try:
            return self.transport.open_blob(self.repository, self.digest, self.step)
        except RegistryError as err:
            if err.status in (400, 404):  # the reference or the digest is wrong, not the registry
                raise UsageError(str(err)) from err
            raise


def _json(data: bytes, step: str) -> Any:
    if len(data) > MAX_DOC:
        raise UsageError(f"{step}: document larger than {MAX_DOC} bytes")
    try:
        return json.loads(data)
    except ValueError as exc:
        raise UsageError(f"{step}: the registry sent invalid JSON") from exc


def read_manifest(client: RegistryClient, ref: Reference,
                  step: str) -> tuple[dict[str, Any], dict[str, str], str | None]:
    """The image manifest `ref` names (an index resolved to the default platform), annotations, platform digest."""
    try:
        first = client.get_manifest(ref.repository, ref.digest or ref.tag or "latest")
        doc = _json(first.body, step)
        annotations: dict[str, str] = {}
        digest = None
        if first.media_type in INDEX_TYPES or (isinstance(doc, dict) and "manifests" in doc and "layers" not in doc):
            desc = pick_manifest(doc.get("manifests") or [], step)
            annotations.update(desc.get("annotations") or {})
            digest = str(desc.get("digest", ""))
            doc = _json(client.get_manifest(ref.repository, digest).body, step)
    except RegistryUnavailable as err:
        if err.status in (400, 404):
            raise UsageError(f"{step}: {err}") from err
        raise err.within(step) from err
    if not isinstance(doc, dict) or "layers" not in doc:
        raise UsageError(f"{step}: the manifest is not an image manifest")
    annotations.update(doc.get("annotations") or {})
    return doc, annotations, digest


def open_registry(text: str, *, insecure: bool = False, transport: Transport | None = None) -> Image:
    """Resolve `text` (registry/repo:tag or @digest) to an image whose layers stream from the registry."""
    ref = Reference.parse(text)
    if not ref.registry:
        raise UsageError(f"reading {text} from a registry: the reference names no registry host")
    transport = transport or Transport(ref.registry, insecure=insecure)
    client = RegistryClient(ref.registry, transport=transport)
    step = f"reading {text} from the registry"
    doc, annotations, digest = read_manifest(client, ref, step)
    config_digest = str((doc.get("config") or {}).get("digest", ""))
    with RegistryBlob(transport, ref.repository, config_digest, f"{step}: config")() as stream:
        raw = stream.read(MAX_DOC + 1)
    if len(raw) > MAX_DOC:
        raise UsageError(f"{step}: config larger than {MAX_DOC} bytes")
    config = ImageConfig.parse(raw, step)
    layers = []
    for i, ld in enumerate(doc.get("layers") or []):
        ldig = str(ld.get("digest", ""))
        diff_id = config.diff_ids[i] if i < len(config.diff_ids) else ldig
        opener = RegistryBlob(transport, ref.repository, ldig, f"{step}: layer {i}")
        layers.append(Layer(i, diff_id, ldig, ld.get("size"), str(ld.get("mediaType", "")), opener))
    if len(config.diff_ids) != len(layers):  # each layer needs its diff_id to be verified
        raise UsageError(f"{step}: config lists {len(config.diff_ids)} layers, manifest {len(layers)}")
    return Image(text, "registry", config, tuple(layers), tuple(sorted(annotations.items())), digest)
