"""The one distribution-API call the base catalog needs: a tag's digest, through the registry transport."""

from __future__ import annotations

import urllib.parse

from imgforge.errors import RegistryUnavailable
from imgforge.registry.client import RegistryClient
from imgforge.registry.transport import Transport


def manifest_digest(url: str, repository: str, reference: str, timeout: float = 5.0) -> str | None:
    """The digest a tag points at (HEAD manifest), or None when it does not exist or nothing answers."""
    parts = urllib.parse.urlsplit(url)
    transport = Transport(parts.netloc, insecure=parts.scheme == "http", attempts=1, timeout=timeout)
    try:
        return RegistryClient(parts.netloc, transport=transport).head_manifest(repository, reference)
    except RegistryUnavailable:
        return None
