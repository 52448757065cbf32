"""Image references (`registry/repo:tag@digest`), parsed the way the Docker CLI reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from imgforge.errors import UsageError

DOCKER_HUB = "docker.io"
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_REPO = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")


@dataclass(frozen=True)
class Reference:
    """A parsed image reference; `registry` is None for Docker Hub short names."""

    registry: str | None
    repository: str
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, text: str) -> Reference:
        """Parse `text`; raise UsageError naming it when it is not a valid reference."""
        rest = text.strip()
        digest = None
        if "@" in rest:
            rest, digest = rest.split("@", 1)
            if not _DIGEST.match(digest):
                raise UsageError(f"parsing image reference {text!r}: bad digest {digest!r}")
        registry = None
        first, sep, remainder = rest.partition("/")
        if sep and ("." in first or ":" in first or first == "localhost"):
            registry, rest = first, remainder
        tag = None
        name, colon, maybe_tag = rest.rpartition(":")
        if colon and "/" not in maybe_tag:
            rest, tag = name, maybe_tag
            if not _TAG.match(tag):
                raise UsageError(f"parsing image reference {text!r}: bad tag {tag!r}")
        if not rest or not _REPO.match(rest):
            raise UsageError(f"parsing image reference {text!r}: bad repository name {rest!r}")
        return cls(registry, rest, tag, digest)

    @property
    def name(self) -> str:
        """registry/repository (or just repository for Docker Hub short names)."""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    def with_tag(self, tag: str) -> Reference:
        return replace(self, tag=tag, digest=None)

    def with_digest(self, digest: str) -> Reference:
        return replace(self, tag=None, digest=digest)

    def __str__(self) -> str:
        out = self.name
        if self.tag:
            out += f":{self.tag}"
        if self.digest:
            out += f"@{self.digest}"
        return out
