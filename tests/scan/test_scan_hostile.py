"""Hostile and broken archives: a clear UsageError or a correct report, never a traceback or a write to disk."""

from __future__ import annotations

import builtins
import gzip
import io
import sys
import tarfile
import tracemalloc
import zlib

import pytest
from scanhelp import docker_archive, gz, layer_tar

from imgforge.cli import main
from imgforge.errors import UsageError
from imgforge.image.streams import StreamLimits
from imgforge.scan import Limits, NoDetector, account, scan, scan_layer


@pytest.fixture
def no_writes(monkeypatch):
    """Fail the test if anything opens a file for writing while it runs."""
    real_open = builtins.open

    def guarded(file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wax+"):
            raise AssertionError(f"scan tried to write {file}")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)


def _raw(name: str, data: bytes | None = None, **attrs) -> tuple:
    ti = tarfile.TarInfo(name)
    for k, v in attrs.items():
        setattr(ti, k, v)
    if data is not None:
        ti.size = len(data)
    return ("raw", ti, data)


def test_traversal_and_absolute_names_are_read_inside_the_root(no_writes, tmp_path):
    data = layer_tar([_raw("../../../tmp/evil", b"pwn"), _raw("/etc/abs", b"abs"), _raw("a/../../b", b"b")])
    scan_ = scan_layer(io.BytesIO(data), "layer 0")
    assert scan_.paths == ("/tmp/evil", "/etc/abs", "/b")
    assert any("'..'" in n for n in scan_.notes)
    assert list(tmp_path.iterdir()) == []


def test_symlink_and_hardlink_tricks_give_a_correct_report(no_writes):
    layers = [
        layer_tar([_raw("app", type=tarfile.SYMTYPE, linkname="/"), ("file", "/app/evil", 9),
                   _raw("hl", type=tarfile.LNKTYPE, linkname="../../etc/shadow"),
                   _raw("self", type=tarfile.LNKTYPE, linkname="self"), ("file", "/real", 10),
                   _raw("loop", type=tarfile.SYMTYPE, linkname="loop")]),
        layer_tar([("wh", "/app")]),
    ]
    acc = account([scan_layer(io.BytesIO(d), f"layer {i}") for i, d in enumerate(layers)])
    # /app/evil is textually under the (symlink) /app that the next layer whites out: hidden, nothing followed.
    assert acc.total_bytes == 19
    assert {(w.path, w.bytes) for w in acc.wasted} == {("/app/evil", 9)}


@pytest.mark.parametrize("cut", [700, 1500, 3000])
def test_truncated_layer_is_a_usage_error(cut):
    data = layer_tar([("file", "/a", 2000), ("file", "/b", 2000)])
    with pytest.raises(UsageError, match="layer 0"):
        scan_layer(io.BytesIO(data[:cut]), "layer 0")


def test_corrupt_gzip_is_a_usage_error():
    data = bytearray(gz(layer_tar([("file", "/a", bytes(range(256)) * 400)])))
    data[40:60] = b"\xff" * 20
    with pytest.raises(UsageError, match="not a readable tar layer"):
        scan_layer(io.BytesIO(bytes(data)), "layer 0")


def test_truncated_gzip_is_a_usage_error():
    data = gz(layer_tar([("file", "/a", bytes(range(256)) * 400)]))
    with pytest.raises(UsageError):
        scan_layer(io.BytesIO(data[: len(data) // 2]), "layer 0")


def test_decompression_bomb_is_refused_by_ratio_and_by_size():
    bomb = gz(layer_tar([("file", "/zeros", b"\0" * (8 << 20))]))
    limits = Limits(stream=StreamLimits(max_ratio=50, ratio_floor=1 << 20))
    with pytest.raises(UsageError, match="decompression bomb"):
        scan_layer(io.BytesIO(bomb), "layer 0", limits=limits)
    with pytest.raises(UsageError, match="exceeds|declares"):  # the declared size alone is now refused
        scan_layer(io.BytesIO(bomb), "layer 0", limits=Limits(stream=StreamLimits(max_bytes=1 << 20)))


def test_zstd_layer_reads_like_gzip():
    import zstandard

    plain = layer_tar([("file", "/z", 1234), ("wh", "/gone")])
    z = zstandard.ZstdCompressor().compress(plain)
    a, b = scan_layer(io.BytesIO(z), "zstd"), scan_layer(io.BytesIO(gz(plain)), "gzip")
    expected = (("/z", "/gone"), bytes([0, 2]), [1234, 0])
    assert (a.paths, a.kinds, list(a.sizes)) == (b.paths, b.kinds, list(b.sizes)) == expected


class _ManyEmptyFiles(io.RawIOBase):
    """A tar stream of `n` empty files, generated on the fly (never held whole in memory)."""

    def __init__(self, n: int) -> None:
        self.n, self.i, self.buf, self.pos = n, 0, b"", 0

    def readable(self) -> bool:
        return True

    def readinto(self, b):
        if self.pos >= len(self.buf) and self.i <= self.n:
            self.pos = 0
            parts = []
            for _ in range(2048):
                if self.i == self.n:
                    parts.append(b"\0" * 1024)
                    self.i += 1
                    break
                parts.append(tarfile.TarInfo(f"d{self.i % 100}/f{self.i}").tobuf(tarfile.USTAR_FORMAT))
                self.i += 1
            self.buf = b"".join(parts)
        n = min(len(b), len(self.buf) - self.pos)
        b[:n] = self.buf[self.pos:self.pos + n]
        self.pos += n
        return n


def test_many_empty_files_keep_memory_compact():
    n = 20_000  # bench/scan.py --entries 1000000 runs a million through the same code and prints peak RSS
    result = scan_layer(io.BufferedReader(_ManyEmptyFiles(n)), "layer 0")
    kept = sys.getsizeof(result.paths) + sum(map(sys.getsizeof, result.paths)) + len(result.kinds) \
        + result.sizes.itemsize * len(result.sizes) * 2
    tracemalloc.start()
    try:
        acc = account([result, result])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(result.paths) == n and acc.total_bytes == 0 and acc.wasted_bytes == 0
    assert acc.hidden == {}  # empty versions (all overwritten here) cost nothing, so no state is kept for them
    # Compact: the entry table costs about 100 bytes per path (not a TarInfo of ~1 kB each), the accounting
    # walk about 200 bytes per path in its single claim dict.
    assert kept < 120 * n, kept
    assert peak < 250 * n, peak


def test_entry_limit_is_a_usage_error():
    with pytest.raises(UsageError, match="more than 1000 entries"):
        scan_layer(io.BufferedReader(_ManyEmptyFiles(5000)), "layer 0", limits=Limits(max_entries=1000))


@pytest.mark.parametrize("blob, message", [
    (b"not a tar at all" * 100, "not a tar archive"),
    (docker_archive([layer_tar([("file", "/a", 10)])])[:1500], ""),
])
def test_broken_archive_files_exit_2_without_traceback(tmp_path, capsys, blob, message):
    path = tmp_path / "broken.tar"
    path.write_bytes(blob)
    assert main(["scan", str(path), "--json"]) == 2
    err = capsys.readouterr().err
    assert "imgforge:" in err and "Traceback" not in err and message in err


def test_archive_with_a_missing_layer_names_it(tmp_path):
    good = docker_archive([layer_tar([("file", "/a", 10)])])
    with tarfile.open(fileobj=io.BytesIO(good)) as src:
        members = [(m, src.extractfile(m).read()) for m in src.getmembers() if not m.name.endswith("layer.tar")]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as dst:
        for m, data in members:
            dst.addfile(m, io.BytesIO(data))
    path = tmp_path / "missing.tar"
    path.write_bytes(buf.getvalue())
    with pytest.raises(UsageError, match="layer .*layer.tar is missing"):
        scan(str(path), detector=NoDetector())


def test_nested_archive_bomb_is_noted_not_fatal():
    inner = gzip.compress(layer_tar([("file", "/zero", b"\0" * (4 << 20))]), 9)

    class Finds(NoDetector):
        def wants_path(self, path):
            return True

    limits = Limits(max_nested_bytes=1 << 20)
    result = scan_layer(io.BytesIO(layer_tar([("file", "/app/bomb.tar.gz", inner)])), "layer 0", Finds(), limits)
    assert result.paths == ("/app/bomb.tar.gz",)
    assert any("not fully searched" in n for n in result.notes)
    assert zlib.crc32(inner)  # the bytes were in the layer; the scan went on


def test_layer_member_symlinked_out_of_the_archive_is_refused(tmp_path):
    from imgforge.image.archive import read_archive_stream

    good = docker_archive([layer_tar([("file", "/a", 10)])])
    buf = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(good)) as src, tarfile.open(fileobj=buf, mode="w") as dst:
        for m in src.getmembers():
            if m.name.endswith("layer.tar"):
                link = tarfile.TarInfo(m.name)
                link.type, link.linkname = tarfile.SYMTYPE, "../../../../etc/passwd"
                dst.addfile(link)
            else:
                dst.addfile(m, src.extractfile(m))
    path = tmp_path / "evil.tar"
    path.write_bytes(buf.getvalue())
    # Both readers: the indexed file reader and the one-pass stream reader (the daemon's).
    with pytest.raises(UsageError, match="missing"):
        scan(str(path), detector=NoDetector())
    with pytest.raises(UsageError, match="missing"):
        read_archive_stream(io.BytesIO(buf.getvalue()), lambda name, fh: scan_layer(fh, name), "stream")


def test_oversized_pax_header_is_refused_before_it_is_read_into_memory():
    ti = tarfile.TarInfo("a")
    ti.pax_headers = {"comment": "x" * (2 << 20)}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        tf.addfile(ti, io.BytesIO(b""))
    with pytest.raises(UsageError, match="extended header of"):
        scan_layer(io.BytesIO(buf.getvalue()), "layer 0")
