"""OCI artifacts (scan report, manifests, Dockerfile) attached to an image digest, and listing them.

Blobs go up through the registry transport (the same auth, scheme and retries as push). The artifact
manifest carries the OCI 1.1 `subject` and `artifactType` and is PUT by digest, so it has no tag of
its own. A registry that processes `subject` answers the PUT with an `OCI-Subject` header and lists
the artifact under its referrers API. One that does not (distribution 2.8) gets the fallback of the
OCI 1.1 spec: an image index under the tag `sha256-<hex>` of the subject, listing every referrer;
imgforge updates it (read, append, PUT) after each attach. That update is not atomic: two attaches to
the same image at the same moment can lose one entry (the OCI spec accepts this for the fallback);
the artifact itself stays pullable by digest.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imgforge.errors import RegistryUnavailable, UsageError
from imgforge.reference import Reference
from imgforge.registry.client import Manifest, RegistryClient, sha256_digest

REPORTS_TYPE = "application/vnd.imgforge.reports.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
EMPTY_CONFIG = "application/vnd.oci.empty.v1+json"
TITLE = "org.opencontainers.image.title"


@dataclass(frozen=True)
class Artifact:
    """One artifact referring to an image: its manifest digest, type, size and annotations."""

    digest: str
    artifact_type: str
    size: int
    annotations: dict[str, str] = field(default_factory=dict)
    files: tuple[str, ...] = ()


def fallback_tag(digest: str) -> str:
    """The referrers tag of the OCI 1.1 fallback scheme: `sha256:abc` -> `sha256-abc`."""
    return digest.replace(":", "-", 1)


def _client_for(ref: Reference, client: RegistryClient | None, insecure: bool) -> RegistryClient:
    if not ref.registry:
        raise UsageError(f"attaching to {ref}: the reference names no registry (e.g. 127.0.0.1:5000/app@sha256:...)")
    return client or RegistryClient(ref.registry, insecure=insecure)


def _subject(ref: Reference, client: RegistryClient) -> tuple[str, Manifest]:
    digest = ref.digest or (client.head_manifest(ref.repository, ref.tag or "latest"))
    if not digest:
        raise UsageError(f"attaching to {ref}: no such image in the registry")
    return digest, client.get_manifest(ref.repository, digest)


def attach(image: str, files: Sequence[Path], artifact_type: str = REPORTS_TYPE, *,
           client: RegistryClient | None = None, insecure: bool = False,
           annotations: dict[str, str] | None = None) -> str:
    """Push `files` as one artifact referring to `image` (best given by digest); returns its digest."""
    ref = Reference.parse(image)
    client = _client_for(ref, client, insecure)
    if not files:
        raise UsageError(f"attaching to {image}: no files given")
    contents = []
    for path in files:
        if not path.is_file():
            raise UsageError(f"attaching {path} to {image}: no such file")
        try:
            contents.append(path.read_bytes())
        except OSError as exc:
            raise UsageError(f"attaching {path} to {image}: cannot read it ({type(exc).__name__})") from exc
    step = f"attaching {len(files)} file(s) to {ref.name}"
    try:
        digest, subject = _subject(ref, client)
        layers = []
        for path, data in zip(files, contents, strict=True):
            media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            blob = client.upload_blob(ref.repository, data)
            layers.append({"mediaType": media, "digest": blob, "size": len(data), "annotations": {TITLE: path.name}})
        config = {"mediaType": EMPTY_CONFIG, "digest": client.upload_blob(ref.repository, b"{}"), "size": 2}
        manifest: dict[str, Any] = {
            "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": artifact_type, "config": config,
            "layers": layers,
            "subject": {"mediaType": subject.media_type, "digest": digest, "size": len(subject.body)},
            "annotations": dict(annotations or {}),
        }
        body = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
        art = Manifest(body, OCI_MANIFEST, sha256_digest(body))
        resp_digest, subject_header = client.put_referrer(ref.repository, art)
        if not subject_header:
            _update_fallback_index(client, ref.repository, digest, art, artifact_type, manifest["annotations"])
    except RegistryUnavailable as err:
        raise err.within(step) from err
    return resp_digest


def _update_fallback_index(client: RegistryClient, repo: str, subject: str, art: Manifest, artifact_type: str,
                           annotations: dict[str, str]) -> None:
    tag = fallback_tag(subject)
    index: dict[str, Any] = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}
    if client.head_manifest(repo, tag):
        index = json.loads(client.get_manifest(repo, tag).body)
    entries = [m for m in index.get("manifests") or [] if m.get("digest") != art.digest]
    entry: dict[str, Any] = {"mediaType": art.media_type, "digest": art.digest, "size": len(art.body),
                             "artifactType": artifact_type}
    if annotations:
        entry["annotations"] = annotations
    index["manifests"] = [*entries, entry]
    body = json.dumps(index, separators=(",", ":")).encode()
    client.put_manifest(repo, tag, Manifest(body, OCI_INDEX, sha256_digest(body)))


def list_artifacts(image: str, *, artifact_type: str | None = None, client: RegistryClient | None = None,
                   insecure: bool = False) -> list[Artifact]:
    """Artifacts referring to `image`: the referrers API where the registry has one, else the fallback tag."""
    ref = Reference.parse(image)
    client = _client_for(ref, client, insecure)
    try:
        digest = ref.digest or client.head_manifest(ref.repository, ref.tag or "latest")
        if not digest:
            raise UsageError(f"listing artifacts of {image}: no such image in the registry")
        found = client.referrers(ref.repository, digest)
        if found is None:
            tag = fallback_tag(digest)
            found = (json.loads(client.get_manifest(ref.repository, tag).body).get("manifests") or []
                     if client.head_manifest(ref.repository, tag) else [])
        out = []
        for desc in found:
            kind = str(desc.get("artifactType") or "")
            if artifact_type and kind != artifact_type:
                continue
            body = json.loads(client.get_manifest(ref.repository, desc["digest"]).body)
            titles = tuple(str((layer.get("annotations") or {}).get(TITLE, layer["digest"]))
                           for layer in body.get("layers") or [])
            out.append(Artifact(desc["digest"], kind, int(desc.get("size", 0)),
                                dict(desc.get("annotations") or {}), titles))
    except RegistryUnavailable as err:
        raise err.within(f"listing artifacts of {image}") from err
    return out


def fetch_file(image: str, artifact: Artifact, name: str, *, client: RegistryClient | None = None,
               insecure: bool = False) -> bytes:
    """The bytes of the file titled `name` in `artifact` (one of `list_artifacts(image)`)."""
    ref = Reference.parse(image)
    client = _client_for(ref, client, insecure)
    body = json.loads(client.get_manifest(ref.repository, artifact.digest).body)
    layer = next((layer for layer in body.get("layers") or []
                  if (layer.get("annotations") or {}).get(TITLE) == name), None)
    if layer is None:
        raise UsageError(f"fetching {name} from artifact {artifact.digest} of {image}: no such file")
    try:
        return client.get_blob(ref.repository, str(layer["digest"]))
    except RegistryUnavailable as err:
        raise err.within(f"fetching {name} from artifact {artifact.digest} of {image}") from err
