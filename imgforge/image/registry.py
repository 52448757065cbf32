"""The registry source: manifest, config and layer blobs over the distribution API (blobs streamed, never stored)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, BinaryIO

from imgforge.errors import RegistryUnavailable, UsageError
from imgforge.image.manifests import INDEX_TYPES, pick_manifest
from imgforge.image.model import Image, ImageConfig, Layer
from imgforge.reference import Reference

ACCEPT = ", ".join([
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
])
TIMEOUT = 60.0
MAX_DOC = 16 << 20


def base_url(registry: str) -> str:
    """http for loopback registries (the local one is plain http), https otherwise."""
    host = registry.rsplit(":", 1)[0] if registry.count(":") == 1 else registry
    plain = host in ("localhost", "::1", "[::1]") or host.startswith("127.")
    return f"{'http' if plain else 'https'}://{registry}"


def _basic(url: str) -> str | None:
    """HTTP Basic credentials for the registry of `url` (env or Docker config, as `imgforge.registry.auth` finds them)."""
    try:
        from imgforge.registry.auth import credentials_for
    except ImportError:
        return None
    creds = credentials_for(urllib.parse.urlsplit(url).netloc)
    return creds.basic() if creds is not None else None


def _authorization(challenge: str, url: str, timeout: float) -> str | None:
    """The `Authorization` header answering a 401 challenge (Basic, or a Bearer token from the realm)."""
    basic = _basic(url)
    if challenge.lower().startswith("basic"):
        return basic
    params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
    realm = params.pop("realm", None)
    if not challenge.lower().startswith("bearer") or not realm:
        return None
    req = urllib.request.Request(realm + "?" + urllib.parse.urlencode(params), headers={"Authorization": basic} if basic else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            doc = json.loads(resp.read(MAX_DOC))
    except (urllib.error.URLError, OSError, ValueError):
        return None
    token = doc.get("token") or doc.get("access_token")
    return f"Bearer {token}" if token else None


@dataclass(frozen=True)
class RegistryBlob:
    """A picklable opener for one blob (or manifest) URL of a registry."""

    url: str
    step: str
    accept: str = "*/*"

    def __call__(self) -> BinaryIO:
        return _get(self.url, self.step, self.accept)


def _get(url: str, step: str, accept: str) -> BinaryIO:
    headers = {"Accept": accept}
    for attempt in range(2):
        req = urllib.request.Request(url, headers=headers)
        try:
            return urllib.request.urlopen(req, timeout=TIMEOUT)  # type: ignore[no-any-return]
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate", "") if exc.headers else ""
            if exc.code == 401 and attempt == 0:
                answer = _authorization(challenge, url, TIMEOUT)
                if answer:
                    headers["Authorization"] = answer
                    continue
            code = _error_code(exc)
            if exc.code in (404, 400):
                raise UsageError(f"{step}: registry answered {exc.code}{code}") from exc
            raise RegistryUnavailable(f"{step}: registry answered {exc.code}{code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RegistryUnavailable(f"{step}: registry does not answer ({reason})") from exc
    raise RegistryUnavailable(f"{step}: registry refused the credentials")


def _error_code(exc: urllib.error.HTTPError) -> str:
    try:
        doc = json.loads(exc.read(65536) or b"{}")
        return " " + str(doc["errors"][0]["code"])
    except (ValueError, KeyError, IndexError, TypeError, OSError):
        return ""


def _doc(url: str, step: str, accept: str = ACCEPT) -> tuple[bytes, str]:
    with _get(url, step, accept) as resp:
        data = resp.read(MAX_DOC + 1)
        ctype = resp.headers.get("Content-Type", "") if hasattr(resp, "headers") else ""
    if len(data) > MAX_DOC:
        raise UsageError(f"{step}: document larger than {MAX_DOC} bytes")
    return data, ctype.split(";")[0].strip()


def _json(data: bytes, step: str) -> Any:
    try:
        return json.loads(data)
    except ValueError as exc:
        raise UsageError(f"{step}: the registry sent invalid JSON") from exc


def open_registry(text: str) -> Image:
    """Resolve `text` (registry/repo:tag or @digest) to an image whose layers stream from the registry."""
    ref = Reference.parse(text)
    if not ref.registry:
        raise UsageError(f"reading {text} from a registry: the reference names no registry host")
    root = f"{base_url(ref.registry)}/v2/{ref.repository}"
    step = f"reading {text} from the registry"
    data, ctype = _doc(f"{root}/manifests/{ref.digest or ref.tag or 'latest'}", step)
    doc = _json(data, step)
    annotations: dict[str, str] = {}
    digest = None
    if ctype in INDEX_TYPES or (isinstance(doc, dict) and "manifests" in doc and "layers" not in doc):
        desc = pick_manifest(doc.get("manifests") or [], step)
        annotations.update(desc.get("annotations") or {})
        digest = str(desc.get("digest", ""))
        doc = _json(_doc(f"{root}/manifests/{digest}", step)[0], step)
    if not isinstance(doc, dict) or "layers" not in doc:
        raise UsageError(f"{step}: the manifest is not an image manifest")
    annotations.update(doc.get("annotations") or {})
    config_digest = str((doc.get("config") or {}).get("digest", ""))
    config = ImageConfig.parse(_doc(f"{root}/blobs/{config_digest}", step, "*/*")[0], step)
    layers = []
    for i, ld in enumerate(doc.get("layers") or []):
        ldig = str(ld.get("digest", ""))
        diff_id = config.diff_ids[i] if i < len(config.diff_ids) else ldig
        opener = RegistryBlob(f"{root}/blobs/{ldig}", f"{step}: layer {i}")
        layers.append(Layer(i, diff_id, ldig, ld.get("size"), str(ld.get("mediaType", "")), opener))
    if config.diff_ids and len(config.diff_ids) != len(layers):
        raise UsageError(f"{step}: config lists {len(config.diff_ids)} layers, manifest {len(layers)}")
    return Image(text, "registry", config, tuple(layers), tuple(sorted(annotations.items())), digest)
