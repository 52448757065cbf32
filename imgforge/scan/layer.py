"""Read one layer's tar stream in a single pass: a compact entry table plus secret matches in file contents.

Entries are kept as parallel arrays (paths, kinds, sizes, mtimes) so a layer with a million files stays
small; whiteouts are recorded by the path they hide. Nothing is ever written to disk, so `../` and
absolute member names are harmless: they are read as if inside the root (and noted).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO

from imgforge.errors import UsageError
from imgforge.image.streams import Prefixed, StreamLimits, open_uncompressed, stream_errors
from imgforge.image.tarstream import BLOCK, REGULAR, TarLimits, TarReader
from imgforge.scan.detect import Batcher, Detector, Match, as_match

FILE, DIR, WHITEOUT, OPAQUE, HARDLINK, SYMLINK, OTHER = range(7)
WH_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".gz", ".zip", ".jar", ".war", ".ear", ".whl")
SNIFF = 8192
# Leading bytes of formats that are never text (ELF, PNG, JPEG, gzip, zstd, xz, Java class, wasm).
BINARY_MAGIC = (b"\x7fELF", b"\x89PNG", b"\xff\xd8\xff", b"\x1f\x8b", b"\x28\xb5\x2f\xfd", b"\xfd7zXZ",
                b"\xca\xfe\xba\xbe", b"\0asm")


@dataclass(frozen=True)
class Limits:
    """Bounds of a scan: per-layer stream limits, entry count, bytes read per file, nested archives."""

    stream: StreamLimits = field(default_factory=StreamLimits)
    max_entries: int = 5_000_000
    max_scan_bytes: int = 16 << 20  # content beyond this prefix of a file is not searched
    max_nested_bytes: int = 64 << 20  # nested archives larger than this (packed or unpacked) are skipped
    nested_depth: int = 2
    jobs: int = 1  # processes matching secrets in text files (bounded by the usable cores)
    verify: bool = True  # hash every layer as it is read (checked against diff_ids and digests)


@dataclass(frozen=True, eq=False)
class LayerScan:
    """One layer read: entry table (parallel arrays), hardlink targets, secret matches and notes."""

    paths: tuple[str, ...]
    kinds: bytes
    sizes: array  # type: ignore[type-arg]
    mtimes: array  # type: ignore[type-arg]
    links: tuple[tuple[int, str], ...]
    matches: tuple[Match, ...]
    uncompressed_bytes: int
    notes: tuple[str, ...]
    diff_id: str = ""  # sha256 of the uncompressed tar as read ("" when not hashed)
    digest: str = ""  # sha256 of the raw (compressed) stream as read


def normalize(name: str) -> tuple[str, bool]:
    """The absolute in-image path of a member name, and whether the name tried to leave the root."""
    if ".." not in name and "//" not in name and "/." not in name and name[:1] not in "/." and name[-1:] != "/":
        return "/" + name, False  # already normal (most names): what normpath would return, without its cost
    escaped = name.startswith("/") or ".." in name.split("/")
    path = posixpath.normpath("/" + name)
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    return path, escaped


def is_archive(path: str) -> bool:
    return path.lower().endswith(ARCHIVE_SUFFIXES)


class _Content:
    """Searches file contents (and archives inside them, to a bounded depth) with a detector."""

    def __init__(self, detector: Detector, limits: Limits, batcher: Batcher | None = None, key: int = 0) -> None:
        self.detector = detector
        self.limits = limits
        self.notes: list[str] = []
        self.own = batcher is None  # else the caller's, shared by several layers: it collects their matches
        self.batcher = Batcher(detector, limits.jobs) if batcher is None else batcher
        self.key = key  # added to entry numbers given to a shared batcher (see `scan_layer`)

    def file(self, tar: TarReader, path: str, size: int, depth: int = 0, entry: int = -1) -> list[tuple[str, Any]]:
        """(path, match) pairs for the current member of `tar`; matches in an archive read `archive!/member`.

        A top-level text file (`entry` >= 0) goes to the batcher instead; its matches come from `finish`.
        """
        if is_archive(path):
            if depth >= self.limits.nested_depth or size > self.limits.max_nested_bytes:
                return []
            return self.archive(tar.read(self.limits.max_nested_bytes), path, depth + 1)
        if not self.detector.wants_path(path):
            return []
        head = tar.peek(SNIFF)
        if b"\0" in head or head.startswith(BINARY_MAGIC):
            if not self.detector.wants_binary(head, size):
                return []  # binary: nothing a text rule can match, and its bytes are skipped without a copy
            return [(path, m) for m in self.detector.scan_bytes(tar.read(size), path)]  # a key store, maybe
        data = tar.read(self.limits.max_scan_bytes if len(head) == SNIFF else SNIFF)
        if entry >= 0:
            self.batcher.add(self.key + entry, path, data)
            return []
        return [(path, m) for m in self.detector.scan_bytes(data, path)]

    def archive(self, data: bytes, path: str, depth: int) -> list[tuple[str, Any]]:
        """Search the members of an archive held in memory; a broken one is noted, never fatal."""
        found: list[tuple[str, Any]] = []
        try:
            if data[:4] == b"PK\x03\x04":
                with zipfile.ZipFile(io.BytesIO(data)) as zf:
                    for info in zf.infolist():
                        if info.is_dir() or info.file_size > self.limits.max_nested_bytes:
                            continue
                        with zf.open(info) as fh:
                            inner = fh.read(self.limits.max_nested_bytes)
                        name = f"{path}!/{info.filename}"
                        found += self.file(_whole(inner, name), name, info.file_size, depth)
                return found
            limits = StreamLimits(self.limits.max_nested_bytes, self.limits.stream.max_ratio, 0)
            stream = open_uncompressed(io.BytesIO(data), f"nested archive {path}", limits)
            head = stream.read(BLOCK)
            if len(head) < BLOCK or head[257:262] != b"ustar":
                if path.lower().endswith(".gz") and not path.lower().endswith((".tar.gz", ".tgz")):
                    inner_path = path[:-3]
                    rest = head + stream.read(self.limits.max_nested_bytes)
                    return self.file(_whole(rest, inner_path), inner_path, len(rest), depth)
                return []
            tar = TarReader(Prefixed(head, stream).read, f"nested archive {path}", _tar_limits(self.limits))
            while (member := tar.next()) is not None:
                if member.isreg() and member.size:
                    found += self.file(tar, f"{path}!{normalize(member.name)[0]}", member.size, depth)
        except UsageError as exc:
            self.notes.append(f"nested archive {path} not fully searched: {exc}")
        except _NESTED_ERRORS as exc:
            self.notes.append(f"nested archive {path} not fully searched: {type(exc).__name__}")
        return found


_NESTED_ERRORS: tuple[type[BaseException], ...] = (zipfile.BadZipFile, NotImplementedError, RuntimeError,
                                                   *stream_errors())


def _whole(data: bytes, name: str) -> TarReader:
    """A reader positioned on one member holding `data` (content already in memory)."""
    tar = TarReader(io.BytesIO(data).read, name)
    tar.left = len(data)
    return tar


def _tar_limits(limits: Limits) -> TarLimits:
    return TarLimits(max_member=limits.stream.max_bytes)


# Entry numbers of layer k reach a shared batcher as k * LAYER_KEY + entry (entries per layer stay below it).
LAYER_KEY = 1 << 32


def scan_layer(raw: BinaryIO, what: str, detector: Detector | None = None, limits: Limits | None = None,
               batcher: Batcher | None = None, key: int = 0) -> LayerScan:
    """Read the (compressed or plain) tar stream `raw` once; hostile or broken input raises UsageError.

    With a shared `batcher`, the matches of text files sent to it are left out of the result: the caller
    collects them from the batcher (their entries offset by `key`) and merges them with `with_matches`.
    """
    limits = limits or Limits()
    paths: list[str] = []
    kinds = bytearray()
    sizes = array("q")
    mtimes = array("q")
    links: list[tuple[int, str]] = []
    matches: list[Match] = []
    escaped = 0
    content = _Content(detector, limits, batcher, key) if detector is not None else None
    stream = open_uncompressed(raw, what, limits.stream, digest=limits.verify)
    tar = TarReader(stream.read, what, _tar_limits(limits), stream.length)
    try:
        while (member := tar.next()) is not None:
            path, bad = normalize(member.name)
            escaped += bad
            if path == "/":
                continue
            base = path[path.rfind("/") + 1:]
            size = 0
            kind = member.type
            if base.startswith(WH_PREFIX):
                parent = posixpath.dirname(path)
                if base == OPAQUE_MARKER:
                    kind, path = OPAQUE, parent
                elif base.startswith(WH_PREFIX + WH_PREFIX):
                    continue  # aufs bookkeeping (.wh..wh.plnk and friends), not a file
                else:
                    kind, path = WHITEOUT, posixpath.join(parent, base[len(WH_PREFIX):])
            elif kind in REGULAR:
                kind, size = FILE, member.size
            else:
                kind = _KINDS.get(kind, OTHER)
                if kind == HARDLINK:
                    links.append((len(paths), normalize(member.linkname)[0]))
            if len(paths) >= limits.max_entries:
                raise UsageError(f"reading {what}: more than {limits.max_entries} entries (limit)")
            if content is not None and kind == FILE and size:
                entry = len(paths)
                matches += [as_match(entry, where, m) for where, m in content.file(tar, path, size, 0, entry)]
            paths.append(path)
            kinds.append(kind)
            sizes.append(size)
            mtimes.append(member.mtime)
        tar.drain()
        diff_id, digest = stream.digests()
        if content is not None and content.own:
            matches += content.batcher.finish()
            matches.sort(key=lambda m: m.entry)  # stable: a file's own matches keep the detector's order
    except UsageError:
        raise
    except stream_errors() as exc:
        raise UsageError(f"reading {what}: not a readable tar layer ({type(exc).__name__}: {_short(exc)})") from exc
    finally:
        stream.close()
        if content is not None and content.own:
            content.batcher.close()
    notes = list(content.notes if content else [])
    if escaped:
        notes.append(f"{escaped} member name(s) were absolute or used '..'; read as paths inside the image root")
    return LayerScan(tuple(paths), bytes(kinds), sizes, mtimes, tuple(links), tuple(matches), stream.count,
                     tuple(notes), diff_id, digest)


_KINDS = {0x35: DIR, 0x31: HARDLINK, 0x32: SYMLINK}


def with_matches(scans: Sequence[LayerScan], batched: Sequence[Match],
                 keys: Sequence[int] | None = None) -> list[LayerScan]:
    """The scans of layers read with one shared batcher, each with its batched matches merged in entry order.

    Scan i was read with key `keys[i] * LAYER_KEY` (default: i); a key may repeat (one layer read, used twice).
    """
    keys = range(len(scans)) if keys is None else keys
    extra: dict[int, list[Match]] = {}
    for m in batched:
        layer, entry = divmod(m.entry, LAYER_KEY)
        extra.setdefault(layer, []).append(replace(m, entry=entry))
    out = []
    for scan, more in zip(scans, [extra.get(k, []) for k in keys], strict=True):
        # stable: a file's own matches keep the detector's order (each file's come from one place)
        merged = sorted([*scan.matches, *more], key=lambda m: m.entry)
        out.append(replace(scan, matches=tuple(merged)) if more else scan)
    return out


def verify(layers: Sequence[tuple[str, str, str]], scans: Sequence[LayerScan]) -> None:
    """Check each layer read against its claimed identity: `(what, diff_id, digest)` per layer, bottom first.

    The uncompressed stream must hash to the config's diff_id; a compressed blob must hash to its
    manifest digest. Only sha256 identities can be checked: another algorithm is refused, not left unchecked
    (go-containerregistry refuses it too).
    """
    for (what, diff_id, digest), scan in zip(layers, scans, strict=True):
        if not scan.diff_id:
            continue
        for kind, claimed in (("diff_id", diff_id), ("digest", digest)):
            if claimed and not claimed.startswith("sha256:"):
                raise UsageError(f"verifying {what}: its {kind} {claimed[:80]!r} is not a sha256 digest, the only "
                                 "algorithm imgforge verifies")
        if diff_id.startswith("sha256:") and scan.diff_id != diff_id:
            raise UsageError(f"verifying {what}: its content hashes to {scan.diff_id}, not the diff_id {diff_id} "
                             "the config lists (the archive or registry served other bytes)")
        if digest.startswith("sha256:") and digest != diff_id and scan.digest != digest:
            raise UsageError(f"verifying {what}: its blob hashes to {scan.digest}, not the digest {digest} "
                             "the manifest lists (the archive or registry served other bytes)")


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else "no detail"
    return text[:200]
