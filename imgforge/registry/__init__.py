"""The registry sink and transport: credentials, one HTTP transport, and the distribution-API verbs."""

from imgforge.registry.auth import Credentials, credentials_for
from imgforge.registry.client import Manifest, RegistryClient, is_local
from imgforge.registry.memory import MockTransport
from imgforge.registry.transport import Request, Response, Transport, scheme_for

__all__ = ["Credentials", "Manifest", "MockTransport", "RegistryClient", "Request", "Response", "Transport",
           "credentials_for", "is_local", "scheme_for"]
