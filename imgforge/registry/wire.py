"""The registry protocol's small data: requests and answers as `send()` sees them, the manifest media
types, the `WWW-Authenticate` parser, the OCI error extractor and URL redaction (no I/O here)."""

from __future__ import annotations

import io
import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from requests.structures import CaseInsensitiveDict

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
ACCEPT_MANIFESTS = ", ".join(MANIFEST_TYPES)
_KEEP_QUERY = frozenset({"digest", "mount", "from", "n", "last", "service", "scope"})


def redact_url(url: str) -> str:
    """`url` without user info and with query values other than harmless ones (digest, mount...) hidden."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    shown = "&".join(f"{k}={v if k in _KEEP_QUERY else '<redacted>'}" for k, v in query)
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, shown, ""))


@dataclass(frozen=True)
class Challenge:
    """A parsed `WWW-Authenticate` header: the scheme (lower case) and its parameters."""

    scheme: str
    params: Mapping[str, str] = field(default_factory=dict)


def parse_challenge(header: str) -> Challenge:
    """Parse `Bearer realm="...",service="...",scope="..."` (or `Basic realm=...`)."""
    scheme, _, rest = header.strip().partition(" ")
    params = {k.lower(): (quoted if quoted or not bare else bare)
              for k, quoted, bare in re.findall(r'(\w+)=(?:"([^"]*)"|([^\s,"]+))', rest)}
    return Challenge(scheme.lower(), params)


def oci_error(body: bytes) -> tuple[str, str]:
    """(code, message) of the first entry of an OCI error body, ("", "") when there is none."""
    try:
        errors = json.loads(body or b"{}").get("errors")
        first = errors[0] if isinstance(errors, list) and errors else {}
    except (ValueError, AttributeError):
        return "", ""
    if not isinstance(first, dict):
        return "", ""
    return str(first.get("code") or ""), str(first.get("message") or "")[:200]


@dataclass(frozen=True)
class Request:
    """One HTTP request as `send()` sees it (the URL is absolute)."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None


class Response:
    """One HTTP answer: status, case-insensitive headers and a body stream (read it, or `content`)."""

    def __init__(self, status: int, headers: Mapping[str, str] | None = None, body: bytes | BinaryIO = b"",
                 url: str = "") -> None:
        self.status = status
        self.headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(dict(headers or {}))
        self.stream: BinaryIO = io.BytesIO(body) if isinstance(body, bytes) else body
        self.url = url
        self._content: bytes | None = None

    @property
    def content(self) -> bytes:
        """The whole body (read once)."""
        if self._content is None:
            self._content = self.stream.read()
            self.close()
        return self._content

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def media_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip()

    def close(self) -> None:
        self.stream.close()
