"""Byte streams under a layer: sniffed decompression (gzip via ISA-L, zstd) and a size/ratio guard.

The guard turns a decompression bomb into a clear `UsageError` instead of an endless read.
"""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from typing import BinaryIO

from imgforge.errors import UsageError

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
CHUNK = 1 << 20


@dataclass(frozen=True)
class StreamLimits:
    """Bounds on one layer's uncompressed stream (configurable; defaults suit real images)."""

    max_bytes: int = 64 << 30
    max_ratio: float = 1000.0
    ratio_floor: int = 256 << 20  # ratios are only judged past this many bytes

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_ratio <= 1 or self.ratio_floor < 0:
            raise UsageError("scan limits: max_bytes and ratio_floor must be positive, max_ratio above 1")


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


def stream_errors() -> tuple[type[BaseException], ...]:
    """Exceptions a broken or hostile compressed tar stream can raise (translated by callers)."""
    import tarfile
    import zlib

    import zstandard
    from isal import isal_zlib

    return (tarfile.TarError, EOFError, OSError, zlib.error, isal_zlib.error, zstandard.ZstdError, ValueError)


@dataclass(frozen=True)
class FileSlice:
    """A picklable opener for `size` bytes at `offset` of a local file (a member of a tar archive)."""

    path: str
    offset: int
    size: int

    def __call__(self) -> BinaryIO:
        fh = open(self.path, "rb")  # noqa: SIM115 - the caller closes the returned stream
        fh.seek(self.offset)
        return _SliceReader(fh, self.size)  # type: ignore[return-value]


@dataclass(frozen=True)
class FileOpener:
    """A picklable opener for a whole local file (an OCI layout blob)."""

    path: str

    def __call__(self) -> BinaryIO:
        return open(self.path, "rb")  # noqa: SIM115 - the caller closes the returned stream


class _SliceReader(io.RawIOBase):
    def __init__(self, fh: BinaryIO, size: int) -> None:
        self.fh = fh
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        n = min(len(b), self.left)
        if n <= 0:
            return 0
        data = self.fh.read(n)
        b[: len(data)] = data
        self.left -= len(data)
        return len(data)

    def close(self) -> None:
        try:
            self.fh.close()
        finally:
            super().close()
