"""Read-only images from where they live: engine, `docker save` archive, OCI layout folder, registry.

`open_image(text)` picks the source: an existing folder is an OCI layout, an existing file an archive;
`docker:`, `archive:`, `oci:` and `registry:` prefixes force one; otherwise the engine if it has the
image, else the registry the reference names.
"""

from __future__ import annotations

import os

from imgforge.errors import EngineUnavailable, UsageError
from imgforge.image.model import HistoryEntry, Image, ImageConfig, Layer, Opener

PREFIXES = ("docker:", "daemon:", "archive:", "oci:", "registry:")


def source_of(text: str) -> tuple[str, str]:
    """(kind, location) for `text`: kind is daemon, archive, oci-layout or registry."""
    for prefix in PREFIXES:
        if text.startswith(prefix):
            rest = text[len(prefix):].removeprefix("//")
            kind = {"docker:": "daemon", "daemon:": "daemon", "oci:": "oci-layout"}.get(prefix, prefix[:-1])
            return kind, rest
    if os.path.isdir(text):
        return "oci-layout", text
    if os.path.isfile(text):
        return "archive", text
    from imgforge.image import daemon
    from imgforge.reference import Reference

    ref = Reference.parse(text)
    present = daemon.exists(text)
    if present:
        return "daemon", text
    if ref.registry:
        return "registry", text
    if present is None:
        raise EngineUnavailable(f"opening {text}: not a file or folder, and no Docker engine answers to look it up")
    raise UsageError(f"opening {text}: not a file, a folder, an image in the engine, or a registry reference")


def open_image(text: str, *, insecure: bool = False) -> Image:
    """Open the image `text` names (see the module docstring); `insecure`: plain http to a registry."""
    kind, where = source_of(text)
    if kind == "archive":
        from imgforge.image.archive import open_archive

        return open_archive(where)
    if kind == "oci-layout":
        from imgforge.image.layout import open_layout

        return open_layout(where)
    if kind == "registry":
        from imgforge.image.registry import open_registry

        return open_registry(where, insecure=insecure)
    from imgforge.image.daemon import open_daemon

    return open_daemon(where)


__all__ = ["HistoryEntry", "Image", "ImageConfig", "Layer", "Opener", "open_image", "source_of"]
