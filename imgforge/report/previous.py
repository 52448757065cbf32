"""The previous version of an image: the highest earlier stable version tag in the same repository."""

from __future__ import annotations

from collections.abc import Iterable

from imgforge.errors import ImgforgeError, UsageError
from imgforge.reference import Reference
from imgforge.registry.client import RegistryClient
from imgforge.tags import parse_version, versions_in


def previous_tag(tags: Iterable[str], version: str) -> str | None:
    """Among `tags`, the highest stable version tag below `version` (prereleases never count)."""
    current = parse_version(version)
    older = {t: v for t, v in versions_in(tags).items() if v < current and not v.prerelease}
    return max(older, key=lambda t: older[t]) if older else None


def previous_version(image: str, client: RegistryClient | None = None, *, insecure: bool = False) -> str | None:
    """For `host/repo:X.Y.Z`, `host/repo:<previous tag>`; None when there is none or the registry cannot say."""
    try:
        ref = Reference.parse(image)
    except UsageError:
        return None
    if not ref.registry or not ref.tag:
        return None
    try:
        tags = (client or RegistryClient(ref.registry, insecure=insecure)).list_tags(ref.repository)
        tag = previous_tag(tags, ref.tag)
    except ImgforgeError:
        return None
    return str(ref.with_tag(tag)) if tag else None
