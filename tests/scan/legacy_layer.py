# mypy: ignore-errors
# (a verbatim copy of earlier code, kept as the reference; typing it anew would change it)
"""The tarfile-based layer reader as it was before the struct reader: the reference the new reader must match.

A frozen copy of the old `imgforge/scan/layer.py` (and the stream guard it used); only tests import it.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
import zipfile
from array import array
from typing import Any, BinaryIO

from imgforge.errors import UsageError
from imgforge.image.streams import StreamLimits, stream_errors
from imgforge.scan.detect import Detector, Match
from imgforge.scan.layer import LayerScan, Limits

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
CHUNK = 1 << 20


MAX_EXTENDED_HEADER = 1 << 20  # pax/GNU long-name headers are read whole by tarfile: bound them


class ExtendedHeaderTooLarge(tarfile.TarError):
    """A pax or GNU long-name header larger than any real one (tarfile would read it into memory)."""


class BoundedTarInfo(tarfile.TarInfo):
    """A TarInfo that refuses oversized extended headers before tarfile reads them whole."""

    def _proc_member(self, tf: tarfile.TarFile) -> tarfile.TarInfo:  # type: ignore[override]
        if self.type in (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE, tarfile.GNUTYPE_LONGNAME,
                         tarfile.GNUTYPE_LONGLINK) and self.size > MAX_EXTENDED_HEADER:
            raise ExtendedHeaderTooLarge(f"extended header of {self.size} bytes (limit {MAX_EXTENDED_HEADER})")
        return super()._proc_member(tf)  # type: ignore[misc,no-any-return]


class _Counting(io.RawIOBase):
    """Counts the bytes read from a raw (compressed) stream."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        return n

    def close(self) -> None:
        try:
            self.raw.close()
        finally:
            super().close()


class GuardedReader(io.RawIOBase):
    """A decompressed stream that refuses to grow past the limits of `StreamLimits`."""

    def __init__(self, inner: BinaryIO, compressed: _Counting | None, limits: StreamLimits, what: str) -> None:
        self.inner = inner
        self.compressed = compressed
        self.limits = limits
        self.what = what
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        data = self.inner.read(size if size is not None and size >= 0 else CHUNK)
        self._account(len(data))
        return data

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def _account(self, n: int) -> None:
        self.count += n
        lim = self.limits
        if self.count > lim.max_bytes:
            raise UsageError(f"reading {self.what}: uncompressed stream exceeds {lim.max_bytes} bytes (limit)")
        if self.compressed is not None and self.count > lim.ratio_floor:
            ratio = self.count / max(self.compressed.count, 1)
            if ratio > lim.max_ratio:
                raise UsageError(
                    f"reading {self.what}: refusing a decompression bomb "
                    f"(expands more than {lim.max_ratio:g}x past {lim.ratio_floor} bytes)"
                )

    def close(self) -> None:
        try:
            self.inner.close()
        finally:
            super().close()


def open_uncompressed(raw: BinaryIO, what: str, limits: StreamLimits | None = None) -> GuardedReader:
    """Sniff gzip/zstd/plain on `raw` and return the guarded uncompressed stream."""
    limits = limits or StreamLimits()
    counting = _Counting(raw)
    buffered = io.BufferedReader(counting, CHUNK)
    head = buffered.peek(4)[:4]
    if head.startswith(GZIP_MAGIC):
        from isal import igzip

        return GuardedReader(igzip.IGzipFile(fileobj=buffered, mode="rb"), counting, limits, what)  # type: ignore[arg-type]
    if head.startswith(ZSTD_MAGIC):
        import zstandard

        reader = zstandard.ZstdDecompressor(max_window_size=1 << 31).stream_reader(buffered, read_across_frames=True)
        return GuardedReader(reader, counting, limits, what)  # type: ignore[arg-type]
    return GuardedReader(buffered, None, limits, what)  # type: ignore[arg-type]



FILE, DIR, WHITEOUT, OPAQUE, HARDLINK, SYMLINK, OTHER = range(7)
WH_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".gz", ".zip", ".jar", ".war", ".ear", ".whl")
SNIFF = 8192


def normalize(name: str) -> tuple[str, bool]:
    """The absolute in-image path of a member name, and whether the name tried to leave the root."""
    escaped = name.startswith("/") or ".." in name.split("/")
    path = posixpath.normpath("/" + name)
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    return path, escaped


def _as_match(entry: int, path: str, m: Any) -> Match:
    return Match(entry, path, str(m.rule), str(getattr(m, "description", "")), getattr(m, "line", None),
                 str(m.redacted), str(m.fingerprint))


def is_archive(path: str) -> bool:
    return path.lower().endswith(ARCHIVE_SUFFIXES)


class _Content:
    """Searches file contents (and archives inside them, to a bounded depth) with a detector."""

    def __init__(self, detector: Detector, limits: Limits) -> None:
        self.detector = detector
        self.limits = limits
        self.notes: list[str] = []

    def file(self, fh: BinaryIO, path: str, size: int, depth: int = 0) -> list[tuple[str, Any]]:
        """(path, match) pairs; matches inside an archive carry `archive!/member` paths."""
        if is_archive(path):
            if depth >= self.limits.nested_depth or size > self.limits.max_nested_bytes:
                return []
            return self.archive(fh.read(self.limits.max_nested_bytes), path, depth + 1)
        if not self.detector.wants_path(path):
            return []
        head = fh.read(SNIFF)
        if b"\0" in head:
            if not self.detector.wants_binary(head, size):
                return []  # binary: nothing a text rule can match
            return [(path, m) for m in self.detector.scan_bytes(head + fh.read(), path)]  # a key store, maybe
        data = head + fh.read(max(self.limits.max_scan_bytes - len(head), 0)) if len(head) == SNIFF else head
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
                            found += self.file(fh, f"{path}!/{info.filename}", info.file_size, depth)  # type: ignore[arg-type]
                return found
            limits = StreamLimits(self.limits.max_nested_bytes, self.limits.stream.max_ratio, 0)
            stream = open_uncompressed(io.BytesIO(data), f"nested archive {path}", limits)
            head = stream.read(512)
            if len(head) < 512 or head[257:262] != b"ustar":
                if path.lower().endswith(".gz") and not path.lower().endswith((".tar.gz", ".tgz")):
                    inner = path[:-3]
                    rest = head + stream.read(self.limits.max_nested_bytes)
                    return self.file(io.BytesIO(rest), inner, len(rest), depth)  # type: ignore[arg-type]
                return []
            with tarfile.open(fileobj=_Chain(head, stream), mode="r|") as tf:
                for ti in tf:
                    tf.members = []
                    if ti.isreg() and ti.size:
                        fh = tf.extractfile(ti)
                        if fh is not None:
                            found += self.file(fh, f"{path}!{normalize(ti.name)[0]}", ti.size, depth)  # type: ignore[arg-type]
        except UsageError as exc:
            self.notes.append(f"nested archive {path} not fully searched: {exc}")
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, *stream_errors()) as exc:
            self.notes.append(f"nested archive {path} not fully searched: {type(exc).__name__}")
        return found


class _Chain(io.RawIOBase):
    def __init__(self, head: bytes, rest: Any) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self.head:
            n = min(len(b), len(self.head))
            b[:n], self.head = self.head[:n], self.head[n:]
            return n
        data = self.rest.read(len(b))
        b[: len(data)] = data
        return len(data)


def scan_layer(raw: BinaryIO, what: str, detector: Detector | None = None, limits: Limits | None = None) -> LayerScan:
    """Read the (compressed or plain) tar stream `raw` once; hostile or broken input raises UsageError."""
    limits = limits or Limits()
    paths: list[str] = []
    kinds = bytearray()
    sizes = array("q")
    mtimes = array("q")
    links: list[tuple[int, str]] = []
    matches: list[Match] = []
    escaped = 0
    content = _Content(detector, limits) if detector is not None else None
    stream = open_uncompressed(raw, what, limits.stream)
    try:
        with tarfile.open(fileobj=stream, mode="r|", bufsize=64 << 10, tarinfo=BoundedTarInfo) as tf:
            while True:
                ti = tf.next()
                tf.members = []  # headers already seen are never needed again: memory stays flat
                if ti is None:
                    _check_end(stream, tf.offset, what)
                    break
                path, bad = normalize(ti.name)
                escaped += bad
                if path == "/":
                    continue
                base = posixpath.basename(path)
                size = 0
                if base.startswith(WH_PREFIX):
                    parent = posixpath.dirname(path)
                    if base == OPAQUE_MARKER:
                        kind, path = OPAQUE, parent
                    elif base.startswith(WH_PREFIX + WH_PREFIX):
                        continue  # aufs bookkeeping (.wh..wh.plnk and friends), not a file
                    else:
                        kind, path = WHITEOUT, posixpath.join(parent, base[len(WH_PREFIX):])
                elif ti.isreg():
                    kind, size = FILE, ti.size
                elif ti.isdir():
                    kind = DIR
                elif ti.islnk():
                    kind = HARDLINK
                    links.append((len(paths), normalize(ti.linkname)[0]))
                elif ti.issym():
                    kind = SYMLINK
                else:
                    kind = OTHER
                if len(paths) >= limits.max_entries:
                    raise UsageError(f"reading {what}: more than {limits.max_entries} entries (limit)")
                if content is not None and kind == FILE and size:
                    fh = tf.extractfile(ti)
                    if fh is not None:
                        matches += [_as_match(len(paths), where, m) for where, m in content.file(fh, path, size)]  # type: ignore[arg-type]
                paths.append(path)
                kinds.append(kind)
                sizes.append(size)
                mtimes.append(int(ti.mtime))
    except UsageError:
        raise
    except stream_errors() as exc:
        raise UsageError(f"reading {what}: not a readable tar layer ({type(exc).__name__}: {_short(exc)})") from exc
    notes = list(content.notes if content else [])
    if escaped:
        notes.append(f"{escaped} member name(s) were absolute or used '..'; read as paths inside the image root")
    return LayerScan(tuple(paths), bytes(kinds), sizes, mtimes, tuple(links), tuple(matches), stream.count,
                     tuple(notes))


def _check_end(stream: BinaryIO, offset: int, what: str) -> None:
    """tarfile ends quietly on a cut-off header; a layer that stops inside one is truncated, say so."""
    while stream.read(1 << 20):
        pass
    if offset < stream.count < offset + 512:  # type: ignore[attr-defined]
        raise UsageError(f"reading {what}: the layer is truncated (it ends inside an entry header)")


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else "no detail"
    return text[:200]
