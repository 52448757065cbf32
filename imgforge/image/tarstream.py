"""One tar reader for every tar the scan meets (layers, the `docker save` archive, nested archives).

Headers are parsed with `struct` over large buffered reads; no `TarInfo` is made. Pax and GNU long
names are supported. Hostile input is bounded: every loop is bounded by bytes declared *and* bytes
read, declared sizes must be sane and deliverable, extended headers and name lengths are capped, and
malformed numbers (pax `size=-511`, `mtime=1e999`) are a one-line `UsageError`.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from imgforge.errors import UsageError

BLOCK = 512
CHUNK = 1 << 20
REGULAR = frozenset(b"07\0S")  # tarfile's REGULAR_TYPES (S: old GNU sparse, refused below)
_NO_DATA = frozenset(b"123456")  # links, devices, directories, fifos: tarfile skips no data for them
_HEADER = struct.Struct("100s8s8s8s12s12s8sc100s6s2s32s32s8s8s155s")
_ZERO = bytes(BLOCK)


@dataclass(frozen=True)
class TarLimits:
    """Bounds on one tar stream: member size, extended header and name size, path depth."""

    max_member: int = 64 << 30
    max_extended: int = 1 << 20  # a pax or GNU long-name header is read whole: real ones are tiny
    max_name: int = 64 << 10  # PATH_MAX is 4 KiB; 64 KiB leaves room and bounds per-name work
    max_depth: int = 4096


class Member(NamedTuple):
    """One tar member: name (surrogate-escaped UTF-8), type byte, data size, mtime, link target, data offset."""

    name: str
    type: int
    size: int
    mtime: int
    linkname: str
    offset: int

    def isreg(self) -> bool:
        return self.type in REGULAR

    def isdir(self) -> bool:
        return self.type == 0x35

    def islnk(self) -> bool:
        return self.type == 0x31

    def issym(self) -> bool:
        return self.type == 0x32


def _byte_sum(block: bytes) -> int:
    """The sum of a 512-byte block's bytes, by adler32 over each half (exact: a half sums to less than 65521)."""
    view = memoryview(block)
    return (zlib.adler32(view[:256]) & 0xFFFF) + (zlib.adler32(view[256:]) & 0xFFFF) - 2


def _text(raw: bytes) -> str:
    end = raw.find(b"\0")
    return (raw if end < 0 else raw[:end]).decode("utf-8", "surrogateescape")


class TarReader:
    """Reads members of a tar stream in one pass; `read(n)` gives bytes of the current member's data.

    `source(n)` returns up to n bytes (b"" at the end). `available` (when known) is how many bytes the
    stream can still deliver, so a member declaring more is refused at once rather than at EOF.
    """

    def __init__(self, source: Callable[[int], bytes], what: str, limits: TarLimits | None = None,
                 available: int | None = None, seek: Callable[[int], object] | None = None) -> None:
        self.source = source
        self.seek = seek  # a seekable source skips member data instead of reading it
        self.what = what
        self.limits = limits or TarLimits()
        self.available = available
        self.buf = b""
        self.pos = 0
        self.offset = 0  # stream offset of buf[pos]
        self.left = 0  # data bytes of the current member not yet consumed
        self.pad = 0  # padding after the current member's data
        self.globals: dict[str, str] = {}
        self.ended = False

    def fail(self, why: str) -> UsageError:
        return UsageError(f"reading {self.what}: {why}")

    def _fill(self, need: int) -> bool:
        """Make `need` bytes available at buf[pos:]; False if the stream ends first."""
        have = len(self.buf) - self.pos
        if have >= need:
            return True
        parts = [self.buf[self.pos:]] if have else []
        while have < need:
            data = self.source(max(CHUNK, need - have))
            if not data:
                break
            parts.append(data)
            have += len(data)
        self.buf = parts[0] if len(parts) == 1 else b"".join(parts)
        self.pos = 0
        return have >= need

    def _take(self, n: int) -> bytes:
        """Exactly n bytes (n small: headers, extended headers) or a truncation error."""
        if not self._fill(n):
            raise self.fail("the tar stream is truncated")
        data = self.buf[self.pos:self.pos + n]
        self.pos += n
        self.offset += n
        return data

    def skip(self, n: int) -> None:
        """Consume n bytes without copying the ones already buffered; error if the stream ends first."""
        have = len(self.buf) - self.pos
        if n <= have:
            self.pos += n
            self.offset += n
            return
        self.offset += have
        n -= have
        self.buf, self.pos = b"", 0
        if self.seek is not None:
            if self.available is not None and self.offset + n > self.available:
                raise self.fail("the tar stream is truncated (a member's data ends early)")
            self.offset += n
            self.seek(self.offset)
            return
        while n > 0:
            data = self.source(min(n, CHUNK))
            if not data:
                raise self.fail("the tar stream is truncated (a member's data ends early)")
            if len(data) > n:  # a source may hand back more than asked: keep the rest
                self.buf, self.pos = data, n
                self.offset += n
                return
            n -= len(data)
            self.offset += len(data)

    def read(self, n: int) -> bytes:
        """Up to n bytes of the current member's data (fewer only at its end)."""
        n = min(n, self.left)
        if n <= 0:
            return b""
        have = len(self.buf) - self.pos
        if n <= have:
            data = self.buf[self.pos:self.pos + n]
            self.pos += n
        else:
            parts = [self.buf[self.pos:]] if have else []
            got = have
            self.buf, self.pos = b"", 0
            while got < n:
                chunk = self.source(max(n - got, CHUNK))
                if not chunk:
                    raise self.fail("the tar stream is truncated (a member's data ends early)")
                if got + len(chunk) > n:
                    keep = n - got
                    parts.append(chunk[:keep])
                    self.buf, self.pos = chunk, keep
                    got = n
                    break
                parts.append(chunk)
                got += len(chunk)
            data = b"".join(parts)
        self.offset += n
        self.left -= n
        return data

    def peek(self, n: int) -> bytes:
        """Up to n bytes from the start of what is left of the current member, without consuming them."""
        n = min(n, self.left)
        self._fill(n)
        return self.buf[self.pos:self.pos + n]

    def next(self) -> Member | None:
        """The next member (the previous one's data skipped), or None at the end of the archive."""
        self.skip(self.left + self.pad)
        self.left = self.pad = 0
        if self.ended:
            return None
        pax: dict[str, str] = {}
        longname: str | None = None
        longlink: str | None = None
        for _ in range(16):  # extended headers before one member: real archives have one or two
            start = self.offset
            if not self._fill(BLOCK):
                if len(self.buf) - self.pos == 0:
                    self.ended = True
                    return None
                raise self.fail(f"the tar stream is truncated (it ends inside a header at offset {start})")
            block = self.buf[self.pos:self.pos + BLOCK]
            if block == _ZERO:
                self.pos += BLOCK
                self.offset += BLOCK
                self.ended = True
                return None
            fields = _HEADER.unpack_from(block)
            self._checksum(block, fields[6], start)
            self.pos += BLOCK
            self.offset += BLOCK
            kind = fields[7][0]
            size = self._number(fields[4], "size", start)
            if "size" in pax:
                size = self._pax_int(pax["size"], "size")
            if size < 0 or size > self.limits.max_member:
                raise self.fail(f"member at offset {start} declares {size} bytes (limit {self.limits.max_member})")
            if kind in (0x78, 0x67, 0x58, 0x4C, 0x4B):  # x, g, X (Solaris), L, K: read whole, so bounded
                if size > self.limits.max_extended:
                    raise self.fail(f"extended header of {size} bytes at offset {start} "
                                    f"(limit {self.limits.max_extended})")
                body = self._take(size)
                self.skip(-size % BLOCK)
                if kind == 0x4C:
                    longname = _text(body)
                elif kind == 0x4B:
                    longlink = _text(body)
                elif kind == 0x67:
                    self.globals.update(self._pax(body, start))
                else:
                    pax.update(self._pax(body, start))
                continue
            if kind == 0x53:
                raise self.fail(f"old GNU sparse member at offset {start} is not supported")
            name = _text(fields[0])
            if kind == 0 and name.endswith("/"):
                kind = 0x35  # V7 tar writes a directory as a regular file named with a trailing slash
            prefix = _text(fields[15]) if fields[9][:5] == b"ustar" else ""
            if prefix:
                name = prefix + "/" + name
            linkname = _text(fields[8])
            mtime = self._number(fields[5], "mtime", start)
            if pax:
                merged = {**self.globals, **pax}
                name = merged.get("path", name)
                linkname = merged.get("linkpath", linkname)
                if "mtime" in merged:
                    mtime = self._pax_time(merged["mtime"])
                for key in ("uid", "gid"):
                    if key in merged:
                        self._pax_int(merged[key], key)
            name = longname if longname is not None else name
            linkname = longlink if longlink is not None else linkname
            if len(name) > self.limits.max_name or len(linkname) > self.limits.max_name:
                raise self.fail(f"member name at offset {start} is longer than {self.limits.max_name} characters")
            if name.count("/") > self.limits.max_depth:
                raise self.fail(f"member name at offset {start} is nested deeper than {self.limits.max_depth} "
                                "directories")
            if kind in _NO_DATA:
                size = 0
            elif self.available is not None and self.offset + size > self.available:
                raise self.fail(f"member {name[:200]!r} declares {size} bytes but the stream holds only "
                                f"{max(self.available - self.offset, 0)} more")
            self.left, self.pad = size, -size % BLOCK
            return Member(name, kind, size, mtime, linkname, self.offset)
        raise self.fail("more than 16 extended headers in a row")

    def drain(self) -> None:
        """Read the stream to its end (tar padding, trailing blocks) so that every byte was seen."""
        self.skip(self.left + self.pad)
        self.left = self.pad = 0
        self.buf, self.pos = b"", 0
        while True:
            data = self.source(CHUNK)
            if not data:
                return
            self.offset += len(data)

    def _checksum(self, block: bytes, field: bytes, start: int) -> None:
        try:
            want = int(field.split(b"\0", 1)[0].strip() or b"0", 8)
        except ValueError:
            raise self.fail(f"not a tar archive: no valid header at offset {start} (bad checksum field)") from None
        unsigned = 256 + _byte_sum(block) - sum(block[148:156])  # the checksum field counts as 8 spaces
        if want != unsigned:
            signed = 256 + sum(struct.unpack_from("148b", block)) + sum(struct.unpack_from("356b", block, 156))
            if want != signed:
                raise self.fail(f"not a tar archive: no valid header at offset {start} (bad checksum)")

    def _number(self, field: bytes, what: str, start: int) -> int:
        if field[:1] == b"\x80":  # GNU base-256 (0xff: a negative number, in two's complement)
            return int.from_bytes(field[1:], "big")
        if field[:1] == b"\xff":
            return int.from_bytes(field, "big", signed=True)
        try:
            text = field.split(b"\0", 1)[0].strip()
            return int(text, 8) if text else 0
        except ValueError:
            raise self.fail(f"header at offset {start} has a malformed {what} field") from None

    def _pax_int(self, text: str, key: str) -> int:
        if not text.isascii() or not text.isdigit() or len(text) > 20:
            raise self.fail(f"pax {key}={text[:40]!r} is not a valid number")
        return int(text)

    def _pax_time(self, text: str) -> int:
        try:
            value = float(text)
        except ValueError:
            raise self.fail(f"pax mtime={text[:40]!r} is not a number") from None
        if not math.isfinite(value) or abs(value) >= 2**62:
            raise self.fail(f"pax mtime={text[:40]!r} is out of range")
        return int(value)

    def _pax(self, body: bytes, start: int) -> dict[str, str]:
        """Records `LEN key=value\\n` of a pax header; malformed records are an error."""
        out: dict[str, str] = {}
        pos = 0
        while pos < len(body) and body[pos] != 0:
            space = body.find(b" ", pos, pos + 24)
            try:
                length = int(body[pos:space]) if space > pos else -1
            except ValueError:
                length = -1
            if length <= 0 or pos + length > len(body) or body[pos + length - 1] != 0x0A:
                raise self.fail(f"malformed pax header at offset {start}")
            record = body[space + 1:pos + length - 1]
            key, eq, value = record.partition(b"=")
            if not eq:
                raise self.fail(f"malformed pax header at offset {start}")
            out[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
            pos += length
        return out
