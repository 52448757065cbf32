"""The environment checks' registry calls (the local registry's ping, a tag's digest), through the transport."""

from __future__ import annotations

import urllib.parse

from imgforge.errors import RegistryUnavailable
from imgforge.registry.client import RegistryClient
from imgforge.registry.transport import Transport


def env_transport(where: str, timeout: float, *, insecure: bool = False) -> Transport:
    """A one-attempt transport to `where`: `host[:port]` (the transport's scheme rule) or a URL.

    A URL's `http://` asks for plain http, as `insecure` does; any other address follows the one rule
    (http for loopback hosts, https otherwise), like every other registry user.
    """
    if "://" in where:
        parts = urllib.parse.urlsplit(where)
        return Transport(parts.netloc, insecure=insecure or parts.scheme == "http", attempts=1, timeout=timeout)
    return Transport(where, insecure=insecure, attempts=1, timeout=timeout)


def manifest_digest(where: str, repository: str, reference: str, timeout: float = 5.0, *,
                    insecure: bool = False) -> str | None:
    """The digest a tag points at (HEAD manifest), or None when it does not exist or nothing answers."""
    transport = env_transport(where, timeout, insecure=insecure)
    try:
        return RegistryClient(transport.host, transport=transport).head_manifest(repository, reference)
    except RegistryUnavailable:
        return None
