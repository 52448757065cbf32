"""Property: `scan` over mutated archives ends quickly with a report or a UsageError, never a traceback or a hang."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scanhelp import docker_archive, layer_tar

from imgforge.errors import UsageError
from imgforge.image.archive import read_archive_stream
from imgforge.scan import NoDetector, scan, scan_layer
from imgforge.scan.layer import Limits

LAYER = layer_tar([("dir", "/app"), ("file", "/app/a.txt", b"token = 'x'\n" * 20), ("wh", "/app/old"),
                   ("link", "/app/h", "/app/a.txt"), ("file", "/" + "/".join(["p" * 30] * 8) + "/deep", b"y" * 700),
                   ("file", "/app/n.tar", layer_tar([("file", "/in", b"z")]))])
ARCHIVE = docker_archive([LAYER, layer_tar([("wh", "/app/a.txt"), ("opq", "/app")])])

mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 1 << 20), st.integers(0, 255)),
    st.tuples(st.just("cut"), st.integers(0, 1 << 20), st.just(0)),
    st.tuples(st.just("digits"), st.integers(0, 1 << 20), st.sampled_from(b"0123456789 -+e.\0\377")),
)


def mutate(data: bytes, edits: list[tuple[str, int, int]]) -> bytes:
    buf = bytearray(data)
    for kind, pos, value in edits:
        if not buf:
            break
        pos %= len(buf)
        if kind == "cut":
            del buf[pos:]
        else:
            buf[pos] = value
    return bytes(buf)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(mutation, min_size=1, max_size=6), compress=st.booleans())
def test_mutated_layers_give_a_scan_or_a_usage_error(edits: list[tuple[str, int, int]], compress: bool) -> None:
    data = mutate(gzip.compress(LAYER, 1) if compress else LAYER, edits)
    try:
        scan_layer(io.BytesIO(data), "layer 0", NoDetector(), Limits())
    except UsageError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_docker_save_archives_give_a_report_or_a_usage_error(tmp_path: Path,
                                                                      edits: list[tuple[str, int, int]]) -> None:
    path = tmp_path / "m.tar"
    path.write_bytes(mutate(ARCHIVE, edits))
    try:
        report = scan(str(path), detector=NoDetector())
    except UsageError as exc:
        assert "\n" not in str(exc)
    else:
        json.dumps(report.to_json())
        report.to_markdown()


@settings(max_examples=60, deadline=None)
@given(doc=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                            st.sampled_from(["Config", "Layers", "config", "Env", "Labels", "history", "rootfs",
                                             "diff_ids", "created_by", "LayerSources", "size", "RepoTags"]),
                            inner, max_size=4), max_leaves=12),
       part=st.sampled_from(["manifest.json", "config.json"]))
def test_arbitrary_json_in_manifest_and_config(doc: object, part: str) -> None:
    with tarfile.open(fileobj=io.BytesIO(ARCHIVE)) as good:
        members = {m.name: good.extractfile(m).read() for m in good.getmembers() if m.isreg()}  # type: ignore[union-attr]
    config_name = json.loads(members["manifest.json"])[0]["Config"]
    target = "manifest.json" if part == "manifest.json" else config_name
    members[target] = json.dumps(doc).encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in members.items():
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    try:
        read_archive_stream(io.BytesIO(buf.getvalue()), lambda name, fh: scan_layer(fh, name, NoDetector()), "s")
        with tempfile.NamedTemporaryFile(suffix=".tar") as fh:
            fh.write(buf.getvalue())
            fh.flush()
            scan(fh.name, detector=NoDetector())
    except UsageError as exc:
        assert "\n" not in str(exc)
