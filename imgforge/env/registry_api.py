"""The few distribution-API calls the environment checks need (no auth, local registry)."""

from __future__ import annotations

import urllib.error
import urllib.request

MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)


def manifest_digest(url: str, repository: str, reference: str, timeout: float = 5.0) -> str | None:
    """The digest a tag points at (HEAD manifest), or None when it does not exist or nothing answers."""
    req = urllib.request.Request(
        f"{url}/v2/{repository}/manifests/{reference}", method="HEAD", headers={"Accept": MANIFEST_TYPES}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.headers.get("Docker-Content-Digest")
    except (urllib.error.URLError, OSError):
        return None
