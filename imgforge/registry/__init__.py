"""The registry sink and transport: credentials, one HTTP transport, and the distribution-API verbs.

The names below are loaded on first use: `imgforge.registry.auth` is imported by the engine seam on every engine
path, and the transport's `requests` costs ~60 ms to import (python -X importtime) that scanning an archive and
every `--help` must not pay.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from imgforge.registry.auth import Credentials, credentials_for
    from imgforge.registry.client import Manifest, RegistryClient, is_local
    from imgforge.registry.memory import MockTransport
    from imgforge.registry.transport import Request, Response, Transport, scheme_for

_WHERE = {
    "Credentials": "auth", "credentials_for": "auth",
    "Manifest": "client", "RegistryClient": "client", "is_local": "client",
    "MockTransport": "memory",
    "Request": "transport", "Response": "transport", "Transport": "transport", "scheme_for": "transport",
}

__all__ = ["Credentials", "Manifest", "MockTransport", "RegistryClient", "Request", "Response", "Transport",
           "credentials_for", "is_local", "scheme_for"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
