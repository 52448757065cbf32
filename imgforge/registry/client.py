"""The distribution-API verbs imgforge uses: manifest HEAD/GET/PUT/DELETE, blobs, tags and referrers.

Every call goes through one `Transport` (scheme, auth, retries, structured errors); this module only
knows the API's paths and answers.
"""

from __future__ import annotations

import hashlib
import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from imgforge.registry.auth import Credentials
from imgforge.registry.transport import ACCEPT_MANIFESTS, Transport, is_loopback


def is_local(host: str) -> bool:
    """Loopback registries default to plain http (the transport's scheme rule)."""
    return is_loopback(host)


@dataclass(frozen=True)
class Manifest:
    """A manifest's exact bytes, media type and digest (re-PUT verbatim, the digest stays)."""

    body: bytes
    media_type: str
    digest: str


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class RegistryClient:
    """Talks to one registry host (`host:port`) through a `Transport`; `insecure` (or loopback) means http."""

    def __init__(
        self,
        host: str,
        *,
        insecure: bool = False,
        credentials: Credentials | None = None,
        attempts: int = 6,
        backoff: float = 0.25,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: Transport | None = None,
    ) -> None:
        self.transport = transport or Transport(host, insecure=insecure, credentials=credentials, attempts=attempts,
                                                backoff=backoff, timeout=timeout, sleep=sleep)
        self.host = self.transport.host

    @property
    def scheme(self) -> str:
        return self.transport.scheme

    @property
    def base(self) -> str:
        return self.transport.base

    @property
    def auth_scheme(self) -> str | None:
        """"basic" or "bearer" once the registry has challenged us, else None (anonymous so far)."""
        return self.transport.auth_scheme

    def credentials(self) -> Credentials | None:
        return self.transport.credentials()

    # -- verbs ---------------------------------------------------------------------------------

    def ping(self) -> None:
        """Check the registry answers and accepts our credentials."""
        self.transport.ping()

    def head_manifest(self, repo: str, ref: str) -> str | None:
        """The digest `ref` (tag or digest) resolves to, or None when it does not exist."""
        resp = self.transport.request("HEAD", f"/v2/{repo}/manifests/{ref}", f"looking up {self.host}/{repo}:{ref}",
                                      headers={"Accept": ACCEPT_MANIFESTS}, ok=(200, 404))
        return resp.headers.get("Docker-Content-Digest") if resp.status == 200 else None

    def get_manifest(self, repo: str, ref: str) -> Manifest:
        step = f"reading manifest {self.host}/{repo}{'@' if ':' in ref else ':'}{ref}"
        resp = self.transport.request("GET", f"/v2/{repo}/manifests/{ref}", step,
                                      headers={"Accept": ACCEPT_MANIFESTS})
        body = resp.content
        return Manifest(body, resp.media_type, resp.headers.get("Docker-Content-Digest") or sha256_digest(body))

    def put_manifest(self, repo: str, ref: str, manifest: Manifest) -> str:
        """PUT the manifest under `ref` (a tag or its digest); returns the digest the registry computed."""
        resp = self.transport.request("PUT", f"/v2/{repo}/manifests/{ref}", f"putting {self.host}/{repo}:{ref}",
                                      headers={"Content-Type": manifest.media_type}, body=manifest.body, ok=(201,))
        return resp.headers.get("Docker-Content-Digest", manifest.digest)

    def put_referrer(self, repo: str, manifest: Manifest) -> tuple[str, bool]:
        """PUT a manifest with a `subject` by digest; True when the registry says it indexed the subject."""
        resp = self.transport.request("PUT", f"/v2/{repo}/manifests/{manifest.digest}",
                                      f"putting {self.host}/{repo}@{manifest.digest}",
                                      headers={"Content-Type": manifest.media_type}, body=manifest.body, ok=(201,))
        return resp.headers.get("Docker-Content-Digest", manifest.digest), "OCI-Subject" in resp.headers

    def delete_manifest(self, repo: str, digest: str) -> bool:
        resp = self.transport.request("DELETE", f"/v2/{repo}/manifests/{digest}",
                                      f"deleting {self.host}/{repo}@{digest}", ok=(202, 404, 405))
        return resp.status == 202

    def blob_exists(self, repo: str, digest: str) -> bool:
        resp = self.transport.request("HEAD", f"/v2/{repo}/blobs/{digest}", f"looking up blob {digest}", ok=(200, 404))
        return resp.status == 200

    def open_blob(self, repo: str, digest: str) -> BinaryIO:
        """A stream of a blob (resumed if the connection drops mid-way)."""
        return self.transport.open_blob(repo, digest, f"reading blob {self.host}/{repo}@{digest}")

    def get_blob(self, repo: str, digest: str) -> bytes:
        """A small blob's bytes (configs, artifact files)."""
        with self.open_blob(repo, digest) as stream:
            return stream.read()

    def upload_blob(self, repo: str, data: bytes) -> str:
        """Upload `data` as a blob of `repo` (monolithic POST + PUT, skipped when present); returns its digest."""
        digest = sha256_digest(data)
        if self.blob_exists(repo, digest):
            return digest
        step = f"uploading blob {digest} to {self.host}/{repo}"
        started = self.transport.request("POST", f"/v2/{repo}/blobs/uploads/", step, ok=(202,))
        location = urllib.parse.urljoin(self.base + "/", started.headers.get("Location", ""))
        sep = "&" if "?" in location else "?"
        self.transport.request("PUT", f"{location}{sep}digest={urllib.parse.quote(digest)}", step,
                               headers={"Content-Type": "application/octet-stream"}, body=data, ok=(201,))
        return digest

    def mount_blob(self, repo: str, digest: str, from_repo: str) -> None:
        """Cross-repository mount; the blob must already be in `from_repo` on the same registry."""
        if self.blob_exists(repo, digest):
            return
        self.transport.request("POST", f"/v2/{repo}/blobs/uploads/?mount={digest}&from={from_repo}",
                               f"mounting blob {digest} into {self.host}/{repo}", ok=(201,))

    def list_tags(self, repo: str) -> list[str]:
        """Every tag of `repo` (following pagination); empty when the repository does not exist."""
        tags: list[str] = []
        path: str | None = f"/v2/{repo}/tags/list?n=1000"
        while path:
            resp = self.transport.request("GET", path, f"listing tags of {self.host}/{repo}", ok=(200, 404))
            if resp.status == 404:
                return []
            tags.extend(str(t) for t in (resp.json().get("tags") or []))
            match = re.match(r"<([^>]+)>", resp.headers.get("Link", ""))
            path = match.group(1) if match else None
        return tags

    def tag_digests(self, repo: str, tags: list[str] | None = None) -> dict[str, str]:
        """tag -> digest for `tags` (default: all tags of `repo`)."""
        result = {}
        for tag in self.list_tags(repo) if tags is None else tags:
            digest = self.head_manifest(repo, tag)
            if digest:
                result[tag] = digest
        return result

    def referrers(self, repo: str, digest: str) -> list[dict[str, Any]] | None:
        """The OCI 1.1 referrers of `digest`, or None when the registry has no referrers API."""
        resp = self.transport.request("GET", f"/v2/{repo}/referrers/{digest}", f"listing referrers of {repo}@{digest}",
                                      headers={"Accept": "application/vnd.oci.image.index.v1+json"}, ok=(200, 404))
        if resp.status == 404 or "json" not in resp.headers.get("Content-Type", ""):
            return None
        return list(resp.json().get("manifests") or [])
