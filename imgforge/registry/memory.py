"""Test doubles shipped as library code: `MockTransport` and an in-memory registry to put behind it.

Like go-containerregistry's `registry.New()`, the registry serves the distribution API subset imgforge
uses: manifests by tag and digest, blobs (with `Range`), monolithic uploads, cross-repository mounts,
tag listing, optional Basic or Bearer auth, and scripted faults (any status, `Retry-After`, a
connection reset mid-body).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from imgforge.registry.transport import Transport
from imgforge.registry.wire import Request, Response

Auth = Literal["none", "basic", "bearer"]
TOKEN = "memory-token"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


class _Resetting(io.RawIOBase):
    """A body that delivers `good` bytes, then fails as a dropped connection would."""

    def __init__(self, data: bytes, good: int) -> None:
        self._data = data[:good]
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._pos >= len(self._data):
            raise ConnectionResetError("connection reset by peer")
        chunk = self._data[self._pos: self._pos + len(buffer)]
        buffer[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


@dataclass
class Fault:
    """The answer to give instead of the real one, `times` times, to requests whose "METHOD path" matches."""

    pattern: str
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    reset_after: int | None = None  # serve the real body but drop the connection after this many bytes


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class MemoryRegistry:
    """`MemoryRegistry()(request) -> Response`: pass it to `MockTransport`."""

    def __init__(self, host: str = "registry.test", auth: Auth = "none", user: str = "ci",
                 password: str = "pw") -> None:  # noqa: S107 - a test double's default
        self.host = host
        self.auth = auth
        self._basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.blobs: dict[str, bytes] = {}
        self.manifests: dict[str, tuple[bytes, str]] = {}  # digest -> (body, media type)
        self.tags: dict[str, dict[str, str]] = {}  # repo -> tag -> digest
        self.repo_blobs: dict[str, set[str]] = {}
        self.faults: list[Fault] = []
        self.seen: list[Request] = []
        self.on_request: Callable[[Request], None] | None = None
        self._uploads: dict[str, str] = {}

    # -- setup --------------------------------------------------------------------------------------

    def fail(self, pattern: str, status: int = 500, *, times: int = 1, headers: dict[str, str] | None = None,
             reset_after: int | None = None) -> None:
        """Answer the next `times` requests matching regex `pattern` ("METHOD /path") with a fault."""
        self.faults.append(Fault(pattern, status, dict(headers or {}), times, reset_after))

    def add_blob(self, repo: str, data: bytes) -> str:
        digest = digest_of(data)
        self.blobs[digest] = data
        self.repo_blobs.setdefault(repo, set()).add(digest)
        return digest

    def add_manifest(self, repo: str, body: bytes, media_type: str, tag: str | None = None) -> str:
        digest = digest_of(body)
        self.manifests[digest] = (body, media_type)
        self.tags.setdefault(repo, {})
        if tag:
            self.tags[repo][tag] = digest
        return digest

    def add_image(self, repo: str, tag: str | None, layers: list[bytes], config: bytes = b"") -> str:
        """An image manifest over `layers` (tar bytes) with a config listing their diff ids."""
        diff_ids = [digest_of(layer) for layer in layers]
        config = config or json.dumps({"architecture": "amd64", "os": "linux", "config": {"User": "10001"},
                                       "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
        manifest = {
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": self.add_blob(repo, config),
                       "size": len(config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": self.add_blob(repo, layer),
                        "size": len(layer)} for layer in layers],
        }
        return self.add_manifest(repo, json.dumps(manifest).encode(), OCI_MANIFEST, tag)

    # -- the handler --------------------------------------------------------------------------------

    def __call__(self, request: Request) -> Response:
        self.seen.append(request)
        if self.on_request is not None:
            self.on_request(request)
        parts = urllib.parse.urlsplit(request.url)
        line = f"{request.method} {parts.path}"
        for fault in self.faults:
            if fault.times > 0 and re.search(fault.pattern, line):
                fault.times -= 1
                if fault.reset_after is None:
                    return Response(fault.status, fault.headers, b"", request.url)
                real = self._route(request, parts)
                return Response(real.status, real.headers, _reader(real.content, fault.reset_after), request.url)
        resp = self._route(request, parts)
        resp.headers.setdefault("Docker-Distribution-Api-Version", "registry/2.0")  # as distribution sends it
        return resp

    def _denied(self, request: Request, parts: urllib.parse.SplitResult) -> Response | None:
        given = request.headers.get("Authorization", "")
        if self.auth == "none" or parts.path == "/token":
            return None
        if self.auth == "basic" and given != self._basic:
            return _error(401, "UNAUTHORIZED", {"WWW-Authenticate": 'Basic realm="memory"'})
        if self.auth == "bearer" and given != f"Bearer {TOKEN}":
            realm = f'Bearer realm="http://{self.host}/token",service="memory",scope="repository:x:pull"'
            return _error(401, "UNAUTHORIZED", {"WWW-Authenticate": realm})
        return None

    def _route(self, request: Request, parts: urllib.parse.SplitResult) -> Response:
        denied = self._denied(request, parts)
        if denied is not None:
            return denied
        path, method = parts.path, request.method
        if path == "/token":
            if request.headers.get("Authorization") != self._basic:
                return _error(401, "UNAUTHORIZED")
            return Response(200, {"Content-Type": "application/json"}, json.dumps({"token": TOKEN}).encode())
        if path in ("/v2/", "/v2"):
            return Response(200, {}, b"{}")
        match = re.fullmatch(r"/v2/(.+)/(manifests|blobs|tags)/(.*)", path)
        if not match:
            return _error(404, "NAME_UNKNOWN")
        repo, kind, ref = match.groups()
        query = dict(urllib.parse.parse_qsl(parts.query))
        if kind == "tags":
            if repo not in self.tags:
                return _error(404, "NAME_UNKNOWN")
            return Response(200, {"Content-Type": "application/json"},
                            json.dumps({"name": repo, "tags": sorted(self.tags[repo])}).encode())
        if kind == "manifests":
            return self._manifest(request, repo, ref)
        return self._blob(method, repo, ref, query, request)

    def _manifest(self, request: Request, repo: str, ref: str) -> Response:
        method = request.method
        if method == "PUT":
            media = request.headers.get("Content-Type", OCI_MANIFEST)
            put = self.add_manifest(repo, request.body or b"", media, None if ref.startswith("sha256:") else ref)
            return Response(201, {"Docker-Content-Digest": put})
        digest = ref if ref.startswith("sha256:") else self.tags.get(repo, {}).get(ref)
        if digest is None or digest not in self.manifests:
            return _error(404, "MANIFEST_UNKNOWN")
        if method == "DELETE":
            for tags in self.tags.values():
                for tag in [t for t, d in tags.items() if d == digest]:
                    del tags[tag]
            return Response(202)
        data, media = self.manifests[digest]
        headers = {"Docker-Content-Digest": digest, "Content-Type": media, "Content-Length": str(len(data))}
        return Response(200, headers, b"" if method == "HEAD" else data)

    def _blob(self, method: str, repo: str, ref: str, query: dict[str, str], request: Request) -> Response:
        if ref.startswith("uploads"):
            return self._upload(method, repo, ref, query, request.body)
        if ref not in self.blobs or ref not in self.repo_blobs.get(repo, set()):
            return _error(404, "BLOB_UNKNOWN")
        data = self.blobs[ref]
        start = 0
        found = re.fullmatch(r"bytes=(\d+)-", request.headers.get("Range", ""))
        if found:
            start = int(found.group(1))
        status = 206 if found else 200
        headers = {"Docker-Content-Digest": ref, "Content-Length": str(len(data) - start)}
        return Response(status, headers, b"" if method == "HEAD" else data[start:])

    def _upload(self, method: str, repo: str, ref: str, query: dict[str, str], body: bytes | None) -> Response:
        if method == "POST":
            mount, source = query.get("mount"), query.get("from", "")
            if mount and mount in self.repo_blobs.get(source, set()):
                self.repo_blobs.setdefault(repo, set()).add(mount)
                return Response(201, {"Docker-Content-Digest": mount})
            session = f"s{len(self._uploads)}"
            self._uploads[session] = repo
            return Response(202, {"Location": f"/v2/{repo}/blobs/uploads/{session}?_state=secret-state"})
        session = ref.removeprefix("uploads/")
        if method != "PUT" or self._uploads.pop(session, None) != repo:
            return _error(404, "BLOB_UPLOAD_UNKNOWN")
        data = body or b""
        if digest_of(data) != query.get("digest"):
            return _error(400, "DIGEST_INVALID")
        return Response(201, {"Docker-Content-Digest": self.add_blob(repo, data)})


def _reader(data: bytes, good: int) -> io.BufferedReader:
    return io.BufferedReader(_Resetting(data, good))


def _error(status: int, code: str, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"errors": [{"code": code, "message": code.lower().replace("_", " ")}]}).encode()
    return Response(status, {"Content-Type": "application/json", **(headers or {})}, body)


class MockTransport(Transport):
    """A transport whose `send()` is `handler(request)`: no network, everything above it real (for tests)."""

    def __init__(self, handler: Callable[[Request], Response], host: str = "registry.test", **kwargs: Any) -> None:
        kwargs.setdefault("sleep", lambda _s: None)
        super().__init__(host, **kwargs)
        self.handler = handler

    def send(self, request: Request) -> Response:
        return self.handler(request)
