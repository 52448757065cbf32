"""A small distribution-API client: manifest HEAD/GET/PUT/DELETE, blob mount, tag and referrer listing.

All I/O goes through `RegistryClient._send`, which retries connection errors and 5xx answers with
exponential backoff, answers Basic and Bearer challenges with the resolved credentials, and turns
every failure into `RegistryUnavailable` naming the step and the HTTP status (never a credential).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from imgforge.errors import RegistryUnavailable
from imgforge.registry.auth import Credentials, credentials_for

MANIFEST_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def is_local(host: str) -> bool:
    """Loopback registries default to plain http."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name in LOCAL_HOSTS


@dataclass(frozen=True)
class Manifest:
    """A manifest's exact bytes, media type and digest (re-PUT verbatim, the digest stays)."""

    body: bytes
    media_type: str
    digest: str


class RegistryClient:
    """Talks to one registry host (`host:port`); `insecure` (or a loopback host) means plain http."""

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
    ) -> None:
        self.host = host
        self.scheme = "http" if insecure or is_local(host) else "https"
        self._credentials = credentials
        self._resolved = credentials is not None
        self.attempts = attempts
        self.backoff = backoff
        self.timeout = timeout
        self._sleep = sleep
        self._session: requests.Session | None = None
        self._auth_header: str | None = None

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def auth_scheme(self) -> str | None:
        """"basic" or "bearer" once the registry has challenged us, else None (anonymous so far)."""
        if self._auth_header is None:
            return None
        return self._auth_header.split(" ", 1)[0].lower()

    def credentials(self) -> Credentials | None:
        if not self._resolved:  # resolved lazily: no I/O in the constructor
            self._credentials = credentials_for(self.host)
            self._resolved = True
        return self._credentials

    # -- transport -----------------------------------------------------------------------------

    def _send(self, method: str, path: str, step: str, *, headers: Mapping[str, str] | None = None,
              data: bytes | None = None, ok: tuple[int, ...] = (200,)) -> requests.Response:
        if self._session is None:
            self._session = requests.Session()
        url = path if path.startswith("http") else f"{self.base}{path}"
        last = ""
        authed_for_challenge = False
        for attempt in range(self.attempts):
            hdrs = dict(headers or {})
            if self._auth_header:
                hdrs["Authorization"] = self._auth_header
            try:
                resp = self._session.request(method, url, headers=hdrs, data=data, timeout=self.timeout,
                                             allow_redirects=True)
            except requests.RequestException as exc:
                last = f"connection failed ({type(exc).__name__})"
                self._sleep(self.backoff * 2**attempt)
                continue
            if resp.status_code == 401 and not authed_for_challenge:
                authed_for_challenge = True
                self._answer_challenge(resp, step)
                continue
            if resp.status_code >= 500:
                last = f"registry answered {resp.status_code}"
                self._sleep(self.backoff * 2**attempt)
                continue
            if resp.status_code in ok:
                return resp
            raise RegistryUnavailable(f"{step}: registry {self.host} answered {resp.status_code}{_oci_error(resp)}")
        raise RegistryUnavailable(f"{step}: {last} after {self.attempts} attempts ({self.base})")

    def _answer_challenge(self, resp: requests.Response, step: str) -> None:
        challenge = resp.headers.get("WWW-Authenticate", "")
        creds = self.credentials()
        if creds is None:
            raise RegistryUnavailable(
                f"{step}: registry {self.host} answered 401 UNAUTHORIZED and no credentials are configured "
                f"(docker login {self.host}, or set IMGFORGE_REGISTRY_USER/IMGFORGE_REGISTRY_PASSWORD)"
            )
        if challenge.lower().startswith("bearer"):
            params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
            realm = params.pop("realm", "")
            try:
                token_resp = requests.get(realm, params=params, headers={"Authorization": creds.basic()},
                                          timeout=self.timeout)
            except requests.RequestException as exc:
                raise RegistryUnavailable(f"{step}: token service of {self.host} did not answer") from exc
            if token_resp.status_code != 200:
                raise RegistryUnavailable(f"{step}: token service of {self.host} answered {token_resp.status_code}")
            body = token_resp.json()
            self._auth_header = "Bearer " + str(body.get("token") or body.get("access_token") or "")
        else:
            self._auth_header = creds.basic()

    # -- verbs ---------------------------------------------------------------------------------

    def ping(self) -> None:
        """Check the registry answers and accepts our credentials."""
        self._send("GET", "/v2/", f"contacting registry {self.host}")

    def head_manifest(self, repo: str, ref: str) -> str | None:
        """The digest `ref` (tag or digest) resolves to, or None when it does not exist."""
        resp = self._send("HEAD", f"/v2/{repo}/manifests/{ref}", f"looking up {self.host}/{repo}:{ref}",
                          headers={"Accept": ", ".join(MANIFEST_TYPES)}, ok=(200, 404))
        return resp.headers.get("Docker-Content-Digest") if resp.status_code == 200 else None

    def get_manifest(self, repo: str, ref: str) -> Manifest:
        resp = self._send("GET", f"/v2/{repo}/manifests/{ref}", f"reading manifest {self.host}/{repo}@{ref}",
                          headers={"Accept": ", ".join(MANIFEST_TYPES)})
        media = resp.headers.get("Content-Type", "").split(";")[0]
        return Manifest(resp.content, media, resp.headers.get("Docker-Content-Digest", ""))

    def put_manifest(self, repo: str, ref: str, manifest: Manifest) -> str:
        """PUT the manifest under `ref` (a tag or its digest); returns the digest the registry computed."""
        resp = self._send("PUT", f"/v2/{repo}/manifests/{ref}", f"putting {self.host}/{repo}:{ref}",
                          headers={"Content-Type": manifest.media_type}, data=manifest.body, ok=(201,))
        return resp.headers.get("Docker-Content-Digest", manifest.digest)

    def put_referrer(self, repo: str, manifest: Manifest) -> tuple[str, bool]:
        """PUT a manifest with a `subject` by digest; True when the registry says it indexed the subject."""
        resp = self._send("PUT", f"/v2/{repo}/manifests/{manifest.digest}",
                          f"putting {self.host}/{repo}@{manifest.digest}",
                          headers={"Content-Type": manifest.media_type}, data=manifest.body, ok=(201,))
        return resp.headers.get("Docker-Content-Digest", manifest.digest), "OCI-Subject" in resp.headers

    def delete_manifest(self, repo: str, digest: str) -> bool:
        resp = self._send("DELETE", f"/v2/{repo}/manifests/{digest}", f"deleting {self.host}/{repo}@{digest}",
                          ok=(202, 404, 405))
        return resp.status_code == 202

    def blob_exists(self, repo: str, digest: str) -> bool:
        resp = self._send("HEAD", f"/v2/{repo}/blobs/{digest}", f"looking up blob {digest}", ok=(200, 404))
        return resp.status_code == 200

    def mount_blob(self, repo: str, digest: str, from_repo: str) -> None:
        """Cross-repository mount; the blob must already be in `from_repo` on the same registry."""
        if self.blob_exists(repo, digest):
            return
        self._send("POST", f"/v2/{repo}/blobs/uploads/?mount={digest}&from={from_repo}",
                   f"mounting blob {digest} into {self.host}/{repo}", ok=(201,))

    def list_tags(self, repo: str) -> list[str]:
        """Every tag of `repo` (following pagination); empty when the repository does not exist."""
        tags: list[str] = []
        path: str | None = f"/v2/{repo}/tags/list?n=1000"
        while path:
            resp = self._send("GET", path, f"listing tags of {self.host}/{repo}", ok=(200, 404))
            if resp.status_code == 404:
                return []
            tags.extend(resp.json().get("tags") or [])
            link = resp.headers.get("Link", "")
            match = re.match(r"<([^>]+)>", link)
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
        resp = self._send("GET", f"/v2/{repo}/referrers/{digest}", f"listing referrers of {repo}@{digest}",
                          headers={"Accept": "application/vnd.oci.image.index.v1+json"}, ok=(200, 404))
        if resp.status_code == 404 or "json" not in resp.headers.get("Content-Type", ""):
            return None
        return list(resp.json().get("manifests") or [])


def _oci_error(resp: requests.Response) -> str:
    try:
        errors = resp.json().get("errors") or []
    except ValueError:
        return ""
    if not errors:
        return ""
    first = errors[0]
    return f" {first.get('code', '')}: {first.get('message', '')}".rstrip(": ")
