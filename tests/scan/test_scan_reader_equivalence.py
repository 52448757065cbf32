"""The struct tar reader gives exactly what the old tarfile reader gave, on every kind of member the suite uses.

`legacy_layer.scan_layer` is a frozen copy of the reader before the rewrite; results are compared field by field.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from typing import Any

import pytest
import zstandard
from legacy_layer import scan_layer as legacy_scan_layer
from scanhelp import detector, docker_archive, fake_tokens, layer_tar

from imgforge.scan import NoDetector, scan, scan_layer
from imgforge.scan.layer import LayerScan, Limits

TOKENS = fake_tokens("equivalence")


def _raw(name: str, data: bytes | None = None, fmt_type: bytes = tarfile.REGTYPE, **attrs: Any) -> tuple[Any, ...]:
    ti = tarfile.TarInfo(name)
    ti.type = fmt_type
    for k, v in attrs.items():
        setattr(ti, k, v)
    if data is not None:
        ti.size = len(data)
    return ("raw", ti, data)


def _gnu(specs: list[tuple[str, bytes]]) -> bytes:
    """A GNU-format layer (long names as ././@LongLink members)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for name, data in specs:
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime = len(data), 1_600_000_000
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def _ustar_prefix() -> bytes:
    """A USTAR layer whose names use the 155-byte prefix field."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        ti = tarfile.TarInfo("p" * 120 + "/" + "n" * 90)
        ti.size = 4
        tf.addfile(ti, io.BytesIO(b"data"))
    return buf.getvalue()


def _v7_dir() -> bytes:
    ti = tarfile.TarInfo("olddir/")
    ti.type = tarfile.AREGTYPE
    return ti.tobuf(tarfile.USTAR_FORMAT) + b"\0" * 1024


NESTED = layer_tar([("file", "/creds/token.txt", f"token: {TOKENS['github']}\n".encode())])
LAYERS = {
    "plain": layer_tar([("dir", "/app"), ("file", "/app/a.txt", b"hello\n"), ("file", "/app/empty", b""),
                        ("sym", "/app/l", "a.txt"), ("link", "/app/h", "/app/a.txt"), ("wh", "/app/gone"),
                        ("opq", "/app/o"), ("file", "/bin/x", b"\x7fELF\0\0" + bytes(9000))]),
    "secrets": layer_tar([("file", "/etc/cfg.env", f"AWS_ACCESS_KEY_ID={TOKENS['aws']}\n".encode()),
                          ("file", "/app/t.py", f"github_token = '{TOKENS['github']}'\n".encode() * 3),
                          ("file", "/app/big.txt", b"word " * 400_000 + f"token={TOKENS['github']}".encode())]),
    "nested": layer_tar([("file", "/app/bundle.tar", NESTED), ("file", "/app/bundle.tar.gz", gzip.compress(NESTED)),
                         ("file", "/app/note.txt.gz", gzip.compress(f"token: {TOKENS['github']}\n".encode()))]),
    "pax-long": layer_tar([("file", "/" + "/".join(["deep"] * 60) + "/f.txt", b"x" * 700),
                           ("file", "/ünïcode/名前.txt", b"y"), _raw("a/b", b"z" * 1000, mtime=1_700_000_000.75)]),
    "gnu-long": _gnu([("g/" + "x" * 150 + "/file", b"abc"), ("short", b"")]),
    "ustar-prefix": _ustar_prefix(),
    "v7-dir": _v7_dir(),
    "traversal": layer_tar([_raw("../../../tmp/evil", b"pwn"), _raw("/etc/abs", b"abs"), _raw("./", None,
                            tarfile.DIRTYPE)]),
    "devices": layer_tar([_raw("dev/null", None, tarfile.CHRTYPE), _raw("fifo", None, tarfile.FIFOTYPE),
                          ("file", "/after", b"ok")]),
    "undecodable": _gnu([("caf\udce9.txt", b"x")]),
}


def _fields(s: LayerScan) -> tuple[Any, ...]:
    return (s.paths, s.kinds, list(s.sizes), list(s.mtimes), s.links, s.matches, s.uncompressed_bytes, s.notes)


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("compress", ["none", "gzip", "zstd"])
def test_new_reader_matches_the_old_one(name: str, compress: str) -> None:
    data = LAYERS[name]
    if compress == "gzip":
        data = gzip.compress(data, 1)
    elif compress == "zstd":
        data = zstandard.ZstdCompressor().compress(data)
    det = detector()
    old = legacy_scan_layer(io.BytesIO(data), "layer 0", det, Limits())
    new = scan_layer(io.BytesIO(data), "layer 0", det, Limits())
    assert _fields(new) == _fields(old)
    assert new.diff_id.startswith("sha256:") and new.digest.startswith("sha256:")


def test_detection_workers_give_the_same_matches_in_the_same_order(monkeypatch: pytest.MonkeyPatch) -> None:
    import imgforge.scan.detect as detect

    monkeypatch.setattr(detect, "BATCH", 64)  # many small batches through the worker pool
    monkeypatch.setattr(detect, "usable_cores", lambda: 2)
    specs = [("file", f"/app/f{i}.env", f"AWS_ACCESS_KEY_ID={TOKENS['aws']}\nx=1\n".encode()) for i in range(40)]
    data = layer_tar(specs)
    from imgforge.scan.engine import DefaultDetector

    one = scan_layer(io.BytesIO(data), "layer 0", DefaultDetector(), Limits(jobs=1))
    two = scan_layer(io.BytesIO(data), "layer 0", DefaultDetector(), Limits(jobs=2))
    detect.close_pools()
    assert len(one.matches) == 40 and one.matches == two.matches


def test_whole_scan_json_is_identical_with_the_old_reader(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "img.tar"
    path.write_bytes(docker_archive([LAYERS["plain"], LAYERS["secrets"], LAYERS["nested"]]))
    new = scan(str(path), detector=detector()).to_json()
    import imgforge.scan.engine as engine

    # The legacy reader collects its own matches: the scan's shared batcher (batcher, key) is left empty.
    monkeypatch.setattr(engine, "scan_layer", lambda raw, what, det, limits, *shared: legacy_scan_layer(
        raw, what, det, limits))
    old = scan(str(path), detector=detector()).to_json()
    assert new == old and new["secrets"]


def test_no_detector_reads_the_same_entries() -> None:
    data = LAYERS["plain"]
    assert _fields(scan_layer(io.BytesIO(data), "l", NoDetector())) == _fields(
        legacy_scan_layer(io.BytesIO(data), "l", NoDetector()))
