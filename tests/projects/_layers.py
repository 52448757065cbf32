"""The files of an engine image, layer by layer, from one `docker save` pass.

`open_image("docker:...")` reads metadata in one pass and re-runs `docker save` for every `layer.open()`: walking
all layers of a node image that way streams the whole image once per layer (a dozen times). The daemon source's
`scan_daemon` hands each layer over as the single stream passes, which reads the same bytes once.
"""

from __future__ import annotations

import tarfile
from collections.abc import Callable
from typing import BinaryIO, TypeVar

from imgforge.image.daemon import scan_daemon

R = TypeVar("R")


def layer_entries(ref: str, pick: Callable[[str, bytes], R], *,
                  files_only: bool = False) -> list[list[tuple[str, R]]]:
    """For each layer of `ref` in image order (base first): `(path, pick(path, data))` for each tar entry.

    Entries that are not regular files get `b""` as data (or are left out with `files_only`). `pick` sees every
    file's bytes; keep only what a test needs (a flag, a small file) so a whole image never sits in memory."""

    def on_layer(_member: str, stream: BinaryIO) -> list[tuple[str, R]]:
        rows: list[tuple[str, R]] = []
        with tarfile.open(fileobj=stream, mode="r|*") as tar:
            for member in tar:
                if files_only and not member.isfile():
                    continue
                data = tar.extractfile(member) if member.isfile() else None
                rows.append((member.name, pick(member.name, data.read() if data else b"")))
        return rows

    return list(scan_daemon(ref, on_layer).results)
