"""Whiteout, overwrite, hardlink and metadata-only accounting on layers built in memory."""

from __future__ import annotations

import io

import pytest
from scanhelp import docker_archive, layer_tar

from imgforge.scan import NoDetector, account, scan, scan_layer
from imgforge.scan.accounting import DELETED, METADATA, OPAQUED, OVERWRITTEN, REPLACED


def _scans(*layers: list[tuple]) -> list:
    return [scan_layer(io.BytesIO(layer_tar(specs)), f"layer {i}") for i, specs in enumerate(layers)]


def _wasted(acc) -> set[tuple[str, int, int, int, str]]:
    return {(w.path, w.added_in, w.removed_in, w.bytes, w.how) for w in acc.wasted}


def test_deleted_file_and_directory_and_opaque():
    acc = account(_scans(
        [("dir", "/a"), ("file", "/a/x", 100), ("dir", "/d"), ("file", "/d/1", 10), ("file", "/d/sub/2", 20),
         ("dir", "/o"), ("file", "/o/old", 7), ("file", "/keep", 5)],
        [("wh", "/a/x"), ("wh", "/d"), ("opq", "/o"), ("file", "/o/new", 3)],
    ))
    assert acc.total_bytes == 100 + 10 + 20 + 7 + 5 + 3
    assert acc.wasted_bytes == 137
    assert _wasted(acc) == {("/a/x", 0, 1, 100, DELETED), ("/d/1", 0, 1, 10, DELETED),
                            ("/d/sub/2", 0, 1, 20, DELETED), ("/o/old", 0, 1, 7, OPAQUED)}
    assert [(f.bytes, f.wasted_bytes, f.hidden_bytes) for f in acc.layers] == [(142, 137, 0), (3, 0, 137)]
    assert acc.efficiency == pytest.approx(1 - 137 / 145)


def test_overwrite_nearest_hider_and_same_layer_duplicates():
    acc = account(_scans(
        [("file", "/f", 50), ("file", "/dup", 9), ("file", "/dup", 4)],
        [("file", "/f", 60)],
        [("file", "/f", 70), ("wh", "/f")],
    ))
    got = _wasted(acc)
    assert ("/f", 0, 1, 50, OVERWRITTEN) in got
    assert ("/dup", 0, 0, 9, OVERWRITTEN) in got
    # The whiteout later in the same layer hides that layer's own /f too (last entry wins within a layer).
    assert ("/f", 1, 2, 60, DELETED) in got
    assert ("/f", 2, 2, 70, DELETED) in got
    assert acc.wasted_bytes == 50 + 9 + 60 + 70
    assert sum(f.wasted_bytes for f in acc.layers) == sum(f.hidden_bytes for f in acc.layers) == acc.wasted_bytes


def test_metadata_only_rewrite_is_named():
    acc = account(_scans(
        [("file", "/app/a", b"aaaa", 1000), ("file", "/app/b", b"bb", 1000)],
        [("file", "/app/a", b"aaaa", 1000), ("file", "/app/b", b"BBB", 2000)],  # chmod -R copies a; b really changed
    ))
    assert _wasted(acc) == {("/app/a", 0, 1, 4, METADATA), ("/app/b", 0, 1, 2, OVERWRITTEN)}


def test_file_replaced_by_directory_and_directory_by_file():
    acc = account(_scans(
        [("file", "/x", 11), ("dir", "/y"), ("file", "/y/in", 13)],
        [("dir", "/x"), ("file", "/y", 1)],
    ))
    assert _wasted(acc) == {("/x", 0, 1, 11, REPLACED), ("/y/in", 0, 1, 13, REPLACED)}


def test_hardlink_keeps_data_visible_until_every_name_is_gone():
    acc = account(_scans(
        [("file", "/data", 40), ("link", "/alias", "/data"), ("file", "/gone", 30), ("link", "/gone2", "/gone")],
        [("wh", "/data"), ("wh", "/gone"), ("wh", "/gone2")],
    ))
    assert _wasted(acc) == {("/gone", 0, 1, 30, DELETED)}
    assert acc.visible(0, 0) and not acc.visible(0, 2)


def test_directory_over_directory_hides_nothing_and_whiteout_only_hits_lower_layers():
    acc = account(_scans(
        [("dir", "/etc"), ("file", "/etc/a", 3)],
        [("dir", "/etc"), ("file", "/etc/b", 4), ("opq", "/etc"), ("file", "/etc/c", 5)],
    ))
    assert _wasted(acc) == {("/etc/a", 0, 1, 3, OPAQUED)}
    assert acc.wasted_bytes == 3


def test_scan_of_an_in_memory_archive_matches_the_accounting(tmp_path):
    layers = [layer_tar([("file", "/big", 1000), ("file", "/etc/conf", 10)]),
              layer_tar([("wh", "/big"), ("file", "/etc/conf", 12)])]
    path = tmp_path / "img.tar"
    path.write_bytes(docker_archive(layers, created_by=["COPY big /big # buildkit", "RUN rm /big # buildkit"]))
    report = scan(str(path), detector=NoDetector())
    doc = report.to_json()
    assert (doc["total_bytes"], doc["wasted_bytes"]) == (1022, 1010)
    assert [(b["path"], b["added_in"], b["removed_in"], b["bytes"]) for b in doc["bloat"]] == [
        ("/big", 0, 1, 1000), ("/etc/conf", 0, 1, 10)]
    assert doc["bloat"][0]["fix"].startswith("move it to a build stage")
    assert [(r["index"], r["created_by"], r["bytes"], r["wasted_bytes"], r["hidden_bytes"]) for r in doc["layers"]] == [
        (0, "COPY big /big # buildkit", 1010, 1010, 0), (1, "RUN rm /big # buildkit", 12, 0, 1010)]
