"""The `docker save` archive source (legacy `<id>/layer.tar` and OCI-style `blobs/`), from a file or a stream.

A file is indexed once (headers only) and each layer becomes a picklable `FileSlice` opener.
A stream (the daemon's `docker save` output) is read in one pass: layers are handed to a callback
as they pass by, in archive order, and matched to the manifest that arrives at the end.
Both read the archive with the one tar reader of `imgforge.image.tarstream`; only the members an
image is made of are indexed, and the member count is capped, so junk members cost no memory.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, Generic, NamedTuple, TypeVar

from imgforge.errors import UsageError
from imgforge.image.manifests import Resolved, resolve
from imgforge.image.model import Image, ImageConfig, Layer
from imgforge.image.streams import FileSlice, Prefixed, stream_errors
from imgforge.image.tarstream import Member, TarReader

T = TypeVar("T")
SMALL_DOC = 16 << 20  # JSON documents (manifests, configs) are kept in memory up to this size
MAX_MEMBERS = 100_000  # a docker save archive has a handful of members per layer (at most 127 layers)
_DOC_NAMES = {"manifest.json", "index.json", "repositories", "oci-layout", "VERSION", "json"}


class _Entry(NamedTuple):
    type: int
    offset: int
    size: int
    link: str  # normalized target of a symlink or hardlink, else ""


def _norm(name: str) -> str:
    return posixpath.normpath("/" + name).lstrip("/")


def _wanted(name: str) -> bool:
    """Whether a member can be part of an image: a document, a legacy layer or a blob."""
    return (name.startswith("blobs/") or name.endswith(("/layer.tar", "/layer.tar.gz", ".json"))
            or posixpath.basename(name) in _DOC_NAMES)


def _link(name: str, m: Member) -> str:
    if m.islnk():
        return _norm(m.linkname)
    if m.issym():
        return _norm(posixpath.join(posixpath.dirname(name), m.linkname))
    return ""


def _count(n: int, what: str) -> None:
    if n > MAX_MEMBERS:
        raise UsageError(f"reading {what}: more than {MAX_MEMBERS} members (not a docker save archive)")


def build_image(resolved: Resolved, openers: Callable[[str], Callable[[], BinaryIO]], name: str,
                source: str, what: str) -> Image:
    """Assemble an `Image` from resolved manifest data and a member -> opener lookup."""
    config = ImageConfig.parse(resolved.config, what)
    # Every layer needs its diff_id (none at all too: nothing could be verified), as containerd requires.
    if len(config.diff_ids) != len(resolved.layers):
        raise UsageError(f"reading {what}: config lists {len(config.diff_ids)} layers, manifest {len(resolved.layers)}")
    layers = []
    for i, ref in enumerate(resolved.layers):
        diff_id = config.diff_ids[i]
        layers.append(Layer(i, diff_id, ref.digest or diff_id, ref.size, ref.media_type, openers(ref.member)))
    return Image(name, source, config, tuple(layers), resolved.annotations, resolved.manifest_digest)


def open_archive(path: str) -> Image:
    """Index a `docker save` archive file and return its image (layers open lazily as file slices)."""
    what = f"archive {path}"
    members: dict[str, _Entry] = {}
    try:
        with open(path, "rb", buffering=0) as fh:
            tar = TarReader(fh.read, what, available=os.fstat(fh.fileno()).st_size, seek=fh.seek)
            count = 0
            while (m := tar.next()) is not None:
                count += 1
                _count(count, what)
                name = _norm(m.name)
                if _wanted(name):
                    members[name] = _Entry(m.type, m.offset, m.size, _link(name, m))

            def read(name: str) -> bytes | None:
                entry = _follow(members, name)
                if entry is None or entry.type not in b"07\0":
                    return None
                if entry.size > SMALL_DOC:
                    raise UsageError(f"reading {what}: {name} is too large for a manifest ({entry.size} bytes)")
                fh.seek(entry.offset)
                data = fh.read(entry.size)
                return data if len(data) == entry.size else None

            resolved = resolve(read, what)
    except UsageError:
        raise
    except stream_errors() as exc:
        raise UsageError(f"reading {what}: {type(exc).__name__}: {exc}") from exc

    def opener(member: str) -> Callable[[], BinaryIO]:
        entry = _follow(members, member)
        if entry is None or entry.type not in b"07\0":
            raise UsageError(f"reading {what}: layer {member} is missing")
        return FileSlice(path, entry.offset, entry.size)

    return build_image(resolved, opener, path, "archive", what)


def _follow(members: dict[str, _Entry], name: str) -> _Entry | None:
    """The member called `name`, following links (docker save links identical layer.tar files)."""
    entry = members.get(name)
    for _ in range(8):
        if entry is None or not entry.link:
            return entry
        entry = members.get(entry.link)
    return None


@dataclass(frozen=True)
class StreamResult(Generic[T]):
    """What one pass over a `docker save` stream gave: the image (openers unusable) and per-layer results."""

    resolved: Resolved
    results: tuple[T, ...]


class MemberReader:
    """The data of the current member of a tar stream, as a readable stream (closing it is a no-op)."""

    def __init__(self, tar: TarReader) -> None:
        self.tar = tar
        self.length = tar.left

    def read(self, size: int = -1) -> bytes:
        return self.tar.read(self.tar.left if size < 0 else size)

    def close(self) -> None:
        """The outer stream stays open: the next member follows."""

    def __enter__(self) -> MemberReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_archive_stream(stream: BinaryIO, on_layer: Callable[[str, BinaryIO], T], what: str) -> StreamResult[T]:
    """One pass over a `docker save` tar stream; `on_layer(member, fileobj)` runs on each layer as it passes."""
    docs: dict[str, bytes] = {}
    done: dict[str, T] = {}
    links: dict[str, str] = {}
    try:
        tar = TarReader(stream.read, what)
        count = 0
        while (m := tar.next()) is not None:
            count += 1
            _count(count, what)
            name = _norm(m.name)
            if not _wanted(name):
                continue
            link = _link(name, m)
            if link:
                links[name] = link
                continue
            if not m.isreg():
                continue
            base = posixpath.basename(name)
            if base in _DOC_NAMES or name.endswith(".json"):
                if m.size <= SMALL_DOC:
                    docs[name] = tar.read(m.size)
                continue
            if name.endswith(("/layer.tar", "/layer.tar.gz")):
                done[name] = on_layer(name, MemberReader(tar))  # type: ignore[arg-type]
                continue
            head = tar.read(512)
            if head.lstrip()[:1] == b"{" and m.size <= SMALL_DOC:
                docs[name] = head + tar.read(m.size)
            else:
                rest = MemberReader(tar)
                done[name] = on_layer(name, Prefixed(head, rest, len(head) + rest.length))  # type: ignore[arg-type]
        tar.drain()
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
