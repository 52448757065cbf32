"""Byte streams under a layer: sniffed decompression (gzip via ISA-L, zstd) and a size/ratio guard.

The guard turns a decompression bomb into a clear `UsageError` instead of an endless read.
"""

from __future__ import annotations

import hashlib
import io
import os
import queue
import tarfile
import threading
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Protocol, cast

import zstandard
from isal import igzip, isal_zlib

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


def usable_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Digester:
    """sha256 of a byte stream, computed in a helper thread so that it overlaps the parse on a second core.

    hashlib releases the GIL on large updates; the queue is bounded so a slow hasher holds at most 16 chunks.
    With a single usable core the thread would only add hand-offs, so the hash is updated in line.
    """

    def __init__(self) -> None:
        self.hash = hashlib.sha256()
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=16)
        self.thread: threading.Thread | None = None
        self.value: str | None = None
        self.inline = usable_cores() < 2

    def update(self, data: bytes) -> None:
        if self.inline:
            self.hash.update(data)
            return
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="layer-digest", daemon=True)
            self.thread.start()
        self.chunks.put(data)

    def _run(self) -> None:
        while (data := self.chunks.get()) is not None:
            self.hash.update(data)

    def hexdigest(self) -> str:
        """`sha256:<hex>` of everything passed to `update` (stops the helper thread)."""
        if self.value is None:
            self.stop()
            self.value = "sha256:" + self.hash.hexdigest()
        return self.value

    def stop(self) -> None:
        if self.thread is not None:
            self.chunks.put(None)
            self.thread.join()
            self.thread = None


class _Counting(io.RawIOBase):
    """Counts (and optionally hashes) the bytes read from a raw (compressed) stream."""

    def __init__(self, raw: BinaryIO, digest: bool) -> None:
        self.raw = raw
        self.count = 0
        self.digester = Digester() if digest else None

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self.raw.read(size if size is not None and size >= 0 else CHUNK)
        self.count += len(data)
        if self.digester is not None and data:
            self.digester.update(data)
        return data

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            if self.digester is not None:
                self.digester.stop()
        finally:
            super().close()  # `raw` belongs to the caller, who closes it


class Readable(Protocol):
    """Anything with `read(n) -> bytes`."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class Prefixed(io.RawIOBase):
    """Bytes already read (`head`) followed by the rest of a stream (the one stream wrapper of its kind)."""

    def __init__(self, head: bytes, rest: Readable, length: int | None = None) -> None:
        self.head = head
        self.rest = rest
        self.length = length  # how many bytes head and rest hold together, when known

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self.head:
            n = len(self.head) if size is None or size < 0 else min(size, len(self.head))
            data, self.head = self.head[:n], self.head[n:]
            return data
        return self.rest.read(size if size is not None and size >= 0 else CHUNK)

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


class GuardedReader(io.RawIOBase):
    """A decompressed stream that refuses to grow past the limits of `StreamLimits` and hashes what it reads.

    `length` is how many bytes the stream holds when that is known (plain file slices), else None.
    """

    def __init__(self, inner: Readable, counting: _Counting, compressed: bool, limits: StreamLimits, what: str,
                 length: int | None = None) -> None:
        self.inner = inner
        self.raw = counting
        self.raw_digester = counting.digester
        # The raw stream is hashed as it is read; a compressed one's output gets a digester of its own.
        self.digester = Digester() if compressed and counting.digester is not None else None
        self.compressed = counting if compressed else None
        self.limits = limits
        self.what = what
        self.count = 0
        self.length = length

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self.inner.read(size if size is not None and size >= 0 else CHUNK)
        self._account(len(data))
        if self.digester is not None and data:
            self.digester.update(data)
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

    def digests(self) -> tuple[str, str]:
        """(sha256 of the uncompressed stream, sha256 of the raw stream) of everything read; ("", "") unhashed."""
        raw = self.raw_digester
        if raw is None:
            return "", ""
        plain = raw.hexdigest()
        return (self.digester.hexdigest() if self.digester is not None else plain), plain

    def close(self) -> None:
        try:
            if self.digester is not None:
                self.digester.stop()
            self.raw.close()
            self.inner.close()
        finally:
            super().close()


def _length(raw: BinaryIO) -> int | None:
    """How many bytes `raw` still holds, when that is known without reading it."""
    if isinstance(raw, io.BytesIO):
        return raw.getbuffer().nbytes - raw.tell()
    length = getattr(raw, "length", None)
    return length if isinstance(length, int) else None


def open_uncompressed(raw: BinaryIO, what: str, limits: StreamLimits | None = None,
                      digest: bool = False) -> GuardedReader:
    """Sniff gzip/zstd/plain on `raw` and return the guarded uncompressed stream (hashed when `digest`)."""
    limits = limits or StreamLimits()
    length = _length(raw)
    counting = _Counting(raw, digest)
    first = counting.read(CHUNK)
    head = Prefixed(first, counting)
    if first.startswith(GZIP_MAGIC):
        inner: Readable = igzip.IGzipFile(fileobj=head, mode="rb")  # type: ignore[no-untyped-call]
    elif first.startswith(ZSTD_MAGIC):
        decompressor = zstandard.ZstdDecompressor(max_window_size=1 << 31)
        inner = decompressor.stream_reader(head, read_across_frames=True)  # type: ignore[arg-type]
    else:
        return GuardedReader(head, counting, False, limits, what, length)
    return GuardedReader(inner, counting, True, limits, what)


def stream_errors() -> tuple[type[BaseException], ...]:
    """Exceptions a broken or hostile compressed tar stream can raise (translated by callers)."""
    isal_error = cast(type[BaseException], isal_zlib.error)  # typed as an instance in isal's stubs
    return (tarfile.TarError, EOFError, OSError, zlib.error, isal_error, zstandard.ZstdError, ValueError)


@dataclass(frozen=True)
class FileSlice:
    """A picklable opener for `size` bytes at `offset` of a local file (a member of a tar archive)."""

    path: str
    offset: int
    size: int

    def __call__(self) -> BinaryIO:
        fh = open(self.path, "rb", buffering=0)  # noqa: SIM115 - the caller closes the returned stream
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
        self.length = size

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        n = self.left if size is None or size < 0 else min(size, self.left)
        data = self.fh.read(n) if n > 0 else b""
        self.left -= len(data)
        return data

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
