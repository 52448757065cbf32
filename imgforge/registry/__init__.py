"""The registry sink: credentials and a retrying distribution-API client."""

from imgforge.registry.auth import Credentials, credentials_for
from imgforge.registry.client import Manifest, RegistryClient, is_local

__all__ = ["Credentials", "Manifest", "RegistryClient", "credentials_for", "is_local"]
