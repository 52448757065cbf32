"""The `docker save` archive source (legacy `<id>/layer.tar` and OCI-style `blobs/`), from a file or a stream.

A file is indexed once (headers only) and each layer becomes a picklable `FileSlice` opener.
A stream (the daemon's `docker save` output) is read in one pass: layers are handed to a callback
as they pass by, in archive order, and matched to the manifest that arrives at the end.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, Generic, TypeVar

from imgforge.errors import UsageError
from imgforge.image.manifests import Resolved, resolve
from imgforge.image.model import Image, ImageConfig, Layer
from imgforge.image.streams import BoundedTarInfo, FileSlice, stream_errors

T = TypeVar("T")
SMALL_DOC = 16 << 20  # JSON documents (manifests, configs) are kept in memory up to this size
_DOC_NAMES = {"manifest.json", "index.json", "repositories", "oci-layout", "VERSION", "json"}


def _norm(name: str) -> str:
    return posixpath.normpath("/" + name).lstrip("/")


def build_image(resolved: Resolved, openers: Callable[[str], Callable[[], BinaryIO]], name: str,
                source: str, what: str) -> Image:
    """Assemble an `Image` from resolved manifest data and a member -> opener lookup."""
    config = ImageConfig.parse(resolved.config, what)
    if config.diff_ids and len(config.diff_ids) != len(resolved.layers):
        raise UsageError(f"reading {what}: config lists {len(config.diff_ids)} layers, manifest {len(resolved.layers)}")
    layers = []
    for i, ref in enumerate(resolved.layers):
        diff_id = config.diff_ids[i] if i < len(config.diff_ids) else ref.digest
        layers.append(Layer(i, diff_id, ref.digest or diff_id, ref.size, ref.media_type, openers(ref.member)))
    return Image(name, source, config, tuple(layers), resolved.annotations, resolved.manifest_digest)


def open_archive(path: str) -> Image:
    """Index a `docker save` archive file and return its image (layers open lazily as file slices)."""
    what = f"archive {path}"
    members: dict[str, tarfile.TarInfo] = {}
    try:
        with tarfile.open(path, mode="r:", tarinfo=BoundedTarInfo) as tf:
            for ti in tf:
                members[_norm(ti.name)] = ti
            tf.members = []

            def read(name: str) -> bytes | None:
                ti = _follow(members, name)
                if ti is None or not ti.isreg():
                    return None
                if ti.size > SMALL_DOC:
                    raise UsageError(f"reading {what}: {name} is too large for a manifest ({ti.size} bytes)")
                fh = tf.extractfile(ti)
                return fh.read() if fh else None

            resolved = resolve(read, what)
    except tarfile.ReadError as exc:
        raise UsageError(f"reading {what}: not a tar archive or truncated ({exc})") from exc
    except UsageError:
        raise
    except stream_errors() as exc:
        raise UsageError(f"reading {what}: {type(exc).__name__}: {exc}") from exc

    def opener(member: str) -> Callable[[], BinaryIO]:
        ti = _follow(members, member)
        if ti is None or not ti.isreg():
            raise UsageError(f"reading {what}: layer {member} is missing")
        return FileSlice(path, ti.offset_data, ti.size)

    return build_image(resolved, opener, path, "archive", what)


def _follow(members: dict[str, tarfile.TarInfo], name: str) -> tarfile.TarInfo | None:
    """The member called `name`, following symlinks (docker save links identical layer.tar files)."""
    ti = members.get(name)
    for _ in range(8):
        if ti is None or not (ti.issym() or ti.islnk()):
            return ti
        target = ti.linkname if ti.islnk() else posixpath.join(posixpath.dirname(name), ti.linkname)
        name = _norm(target)
        ti = members.get(name)
    return None


@dataclass(frozen=True)
class StreamResult(Generic[T]):
    """What one pass over a `docker save` stream gave: the image (openers unusable) and per-layer results."""

    resolved: Resolved
    results: tuple[T, ...]


def read_archive_stream(stream: BinaryIO, on_layer: Callable[[str, BinaryIO], T], what: str) -> StreamResult[T]:
    """One pass over a `docker save` tar stream; `on_layer(member, fileobj)` runs on each layer as it passes."""
    docs: dict[str, bytes] = {}
    done: dict[str, T] = {}
    links: dict[str, str] = {}
    try:
        with tarfile.open(fileobj=stream, mode="r|", bufsize=64 << 10, tarinfo=BoundedTarInfo) as tf:
            while True:
                ti = tf.next()
                tf.members = []  # a stream never needs old headers; keeps memory flat
                if ti is None:
                    break
                name = _norm(ti.name)
                if ti.issym() or ti.islnk():
                    target = ti.linkname if ti.islnk() else posixpath.join(posixpath.dirname(name), ti.linkname)
                    links[name] = _norm(target)
                    continue
                if not ti.isreg():
                    continue
                fh = tf.extractfile(ti)
                if fh is None:
                    continue
                base = posixpath.basename(name)
                if base in _DOC_NAMES or name.endswith(".json"):
                    if ti.size <= SMALL_DOC:
                        docs[name] = fh.read()
                    continue
                if name.endswith("/layer.tar") or name.endswith("/layer.tar.gz"):
                    done[name] = on_layer(name, fh)
                    continue
                if name.startswith("blobs/"):
                    head = fh.read(512)
                    if head.lstrip()[:1] == b"{" and ti.size <= SMALL_DOC:
                        docs[name] = head + fh.read()
                    else:
                        done[name] = on_layer(name, _Prefixed(head, fh))  # type: ignore[arg-type]
    except UsageError:
        raise
    except stream_errors() as exc:
        raise UsageError(f"reading {what}: the archive stream is broken ({type(exc).__name__}: {exc})") from exc

    def read(name: str) -> bytes | None:
        for _ in range(8):
            if name in docs:
                return docs[name]
            if name not in links:
                return None
            name = links[name]
        return None

    resolved = resolve(read, what)
    results = []
    for ref in resolved.layers:
        member = ref.member
        for _ in range(8):
            if member in done or member not in links:
                break
            member = links[member]
        if member not in done:
            raise UsageError(f"reading {what}: layer {ref.member} is missing from the archive")
        results.append(done[member])
    return StreamResult(resolved, tuple(results))


class _Prefixed(io.RawIOBase):
    """Bytes already read (`head`) followed by the rest of a stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self.head = head
        self.rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.head:
            n = min(len(b), len(self.head))
            b[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.rest.read(len(b))
        b[: len(data)] = data
        return len(data)
