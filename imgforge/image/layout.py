"""The OCI image layout source: a folder with `index.json` and `blobs/<algo>/<hex>` (or an unpacked `docker save`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import BinaryIO

from imgforge.errors import UsageError
from imgforge.image.archive import SMALL_DOC, build_image
from imgforge.image.manifests import resolve
from imgforge.image.model import Image
from imgforge.image.streams import FileOpener


def _inside(root: str, name: str) -> str:
    """`root/name`, refusing names that leave the folder (hostile manifests)."""
    path = os.path.realpath(os.path.join(root, name))
    if not path.startswith(os.path.realpath(root) + os.sep):
        raise UsageError(f"reading OCI layout {root}: {name!r} points outside the layout")
    return path


def open_layout(root: str) -> Image:
    """Read an OCI image layout folder; layers open lazily as files."""
    what = f"OCI layout {root}"

    def read(name: str) -> bytes | None:
        path = _inside(root, name)
        if not os.path.isfile(path):
            return None
        if os.path.getsize(path) > SMALL_DOC:
            raise UsageError(f"reading {what}: {name} is too large for a manifest")
        with open(path, "rb") as fh:
            return fh.read()

    resolved = resolve(read, what)

    def opener(member: str) -> Callable[[], BinaryIO]:
        path = _inside(root, member)
        if not os.path.isfile(path):
            raise UsageError(f"reading {what}: layer blob {member} is missing")
        return FileOpener(path)

    return build_image(resolved, opener, root, "oci-layout", what)
