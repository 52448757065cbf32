"""Every hostile archive of issue 17 (items 3-8): a one-line error with exit 2, or the right result,
within 10 s and 300 MB, run as a real `imgforge scan` process."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from scanhelp import layer_tar

# The peak is read from VmHWM, which belongs to this process's own address space: ru_maxrss of RUSAGE_SELF
# carries the peak of the process that forked it (pytest, hundreds of MB late in a full run) across exec.
# Detection workers forked by the scan count through RUSAGE_CHILDREN.
CHILD = """
import resource, sys
from imgforge.cli import main
code = main(sys.argv[1:])
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
peak = max(hwm, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.stderr.write(f"\\nMAXRSS_KB {peak}\\n")
sys.exit(code)
"""
LIMIT_KB = 300 * 1024


def run_scan(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """`imgforge scan ARGS` in a fresh process (10 s at most); (exit code, stdout, stderr); memory checked."""
    proc = subprocess.run([sys.executable, "-c", CHILD, "scan", *args], capture_output=True, timeout=10,
                          env={**os.environ, **(env or {})})
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err[-3000:]
    rss = [int(line.split()[1]) for line in err.splitlines() if line.startswith("MAXRSS_KB")]
    assert rss and rss[0] < LIMIT_KB, rss
    err = "\n".join(line for line in err.splitlines() if line and not line.startswith("MAXRSS_KB"))
    return proc.returncode, out, err


def one_line_usage_error(code: int, err: str, *words: str) -> None:
    assert code == 2, err
    assert len(err.splitlines()) == 1 and err.startswith("imgforge:"), err
    for word in words:
        assert word in err, err


def archive(tmp: Path, layers: list[bytes], config: Any = None, manifest: Any = None,
            extra: dict[str, bytes] | None = None, name: str = "img.tar") -> Path:
    """A legacy `docker save` archive with a config and manifest that may be overridden by hostile JSON."""
    diff_ids = ["sha256:" + hashlib.sha256(d).hexdigest() for d in layers]
    if config is None:
        config = {"architecture": "amd64", "os": "linux", "config": {"Env": []},
                  "rootfs": {"type": "layers", "diff_ids": diff_ids},
                  "history": [{"created_by": f"RUN step {i}"} for i in range(len(layers))]}
    config_raw = config if isinstance(config, bytes) else json.dumps(config).encode()
    names = [f"{d[7:]}/layer.tar" for d in diff_ids]
    if manifest is None:
        manifest = [{"Config": "config.json", "RepoTags": ["t:1"], "Layers": names}]
    manifest_raw = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
    members = {"config.json": config_raw, **dict(zip(names, layers, strict=True)), "manifest.json": manifest_raw,
               **(extra or {})}
    path = tmp / name
    with tarfile.open(path, "w") as tf:
        for member, data in members.items():
            ti = tarfile.TarInfo(member)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    return path


def pax_member(name: str, data: bytes, **pax: str) -> bytes:
    """A layer with one member whose pax header carries raw (possibly hostile) values."""
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.pax_headers = dict(pax)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def pax_record(key: str, value: str) -> bytes:
    """One pax record `LEN key=value\\n`, where LEN counts itself."""
    body = f" {key}={value}\n"
    length = len(body) + 1
    while len(str(length)) + len(body) != length:
        length += 1
    return f"{length}{body}".encode()


def with_pax_size(declared: str, holds: int) -> bytes:
    """A layer whose only member claims `declared` bytes (pax) and really holds `holds` bytes, then ends."""
    body = pax_record("size", declared)  # written by hand: tarfile refuses to write an absurd size itself
    ext = tarfile.TarInfo("././@PaxHeader")
    ext.type, ext.size = tarfile.XHDTYPE, len(body)
    member = tarfile.TarInfo("big")
    return (ext.tobuf(tarfile.USTAR_FORMAT) + body + b"\0" * (-len(body) % 512)
            + member.tobuf(tarfile.USTAR_FORMAT) + b"a" * holds + b"\0" * (-holds % 512))


@pytest.mark.parametrize("declared, holds, words", [
    (str(2**62), 1 << 20, ["declares"]),  # issue: never ended
    (str(1 << 40), 1 << 20, ["declares"]),  # 1 TiB: 34 s of CPU before
    (str(60 << 30), 1 << 20, ["declares", "holds only"]),  # under the 64 GiB limit, beyond the file
    (str(2**63), 0, ["declares"]),
    ("-511", 0, ["pax size"]),  # negative sizes shrank total_bytes
    ("12abc", 0, ["pax size"]),
])
def test_absurd_declared_sizes(tmp_path: Path, declared: str, holds: int, words: list[str]) -> None:
    path = archive(tmp_path, [with_pax_size(declared, holds)])
    code, _, err = run_scan(str(path), "--json")
    one_line_usage_error(code, err, *words)


def test_declared_size_beyond_a_compressed_stream_ends_at_its_end(tmp_path: Path) -> None:
    import gzip

    layer = gzip.compress(with_pax_size(str(60 << 30), 1 << 20), 1)
    path = archive(tmp_path, [layer])
    code, _, err = run_scan(str(path), "--json")
    one_line_usage_error(code, err, "truncated")


@pytest.mark.parametrize("key, value", [("mtime", "1e999"), ("mtime", "1e30"), ("mtime", "nan"),
                                        ("uid", "-1"), ("uid", "1e400")])
def test_malformed_pax_values(tmp_path: Path, key: str, value: str) -> None:
    path = archive(tmp_path, [pax_member("f", b"x", **{key: value})])
    code, _, err = run_scan(str(path), "--json")
    one_line_usage_error(code, err, f"pax {key}")


def test_deep_paths_are_capped_and_cheap(tmp_path: Path) -> None:
    deep = layer_tar([("file", "/" + "/".join(["d"] * 40_000) + "/f", b"x")])  # 1.57 GB before
    code, _, err = run_scan(str(archive(tmp_path, [deep])), "--json")
    one_line_usage_error(code, err, "longer than")
    deeper = layer_tar([("file", "/" + "/".join(["d"] * 10_000) + "/f", b"x")])
    code, _, err = run_scan(str(archive(tmp_path, [deeper], name="deeper.tar")), "--json")
    one_line_usage_error(code, err, "deeper than")
    wide = layer_tar([("file", "/" + "/".join(["n" * 200] * 2_000) + "/f", b"x")])  # 834 MB before
    code, _, err = run_scan(str(archive(tmp_path, [wide], name="wide.tar")), "--json")
    one_line_usage_error(code, err, "longer than")


def test_deep_paths_under_the_cap_are_accounted_in_linear_memory(tmp_path: Path) -> None:
    parts = "/".join(["dir"] * 4000)
    lower = layer_tar([("file", f"/{parts}/f", b"x" * 10), ("file", f"/{parts}/g", b"y" * 5)])
    upper = layer_tar([("wh", f"/{parts}/f"), ("file", "/dir/x", b"z")])
    code, out, err = run_scan(str(archive(tmp_path, [lower, upper])), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["wasted_bytes"] == 10 and report["total_bytes"] == 16


def test_outer_archive_with_many_junk_members_is_refused_without_keeping_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tracemalloc

    import imgforge.image.archive as archive_source
    from imgforge.errors import UsageError
    from imgforge.scan import NoDetector, scan

    # The real cap is 100,000 members; a smaller one keeps the test quick on a busy CI machine.
    monkeypatch.setattr(archive_source, "MAX_MEMBERS", 2_000)
    junk = b"".join(tarfile.TarInfo(f"junk/{i}").tobuf(tarfile.USTAR_FORMAT) for i in range(1_900))
    ok = archive(tmp_path, [layer_tar([("file", "/a", b"x")])], extra={f"j{i}": b"" for i in range(1_900)})
    tracemalloc.start()
    try:
        scan(str(ok), detector=NoDetector())  # under the cap: junk members are read past, not indexed
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 << 20, peak
    path = tmp_path / "junk.tar"
    path.write_bytes(junk * 2 + b"\0" * 1024)
    with pytest.raises(UsageError, match="more than 2000 members"):
        scan(str(path), detector=NoDetector())


@pytest.mark.parametrize("part, doc", [
    ("manifest", b"[" * 100_000 + b"]" * 100_000),
    ("config", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
    ("manifest", {"Config": "config.json"}),  # an object where a list is expected
    ("manifest", [{"Config": {"x": 1}, "Layers": []}]),
    ("manifest", [{"Config": "config.json", "Layers": "layer.tar"}]),
    ("manifest", [{"Config": "config.json", "Layers": [], "LayerSources": []}]),
    ("config", {"config": "env"}),
    ("config", {"config": {"Env": "A=1"}}),
    ("config", {"config": {"Labels": ["a", "b"]}}),
    ("config", {"history": {"created_by": "x"}}),
    ("config", {"rootfs": {"diff_ids": "sha256:00"}}),
    ("config", "a string"),
])
def test_hostile_json_in_a_docker_save_archive(tmp_path: Path, part: str, doc: Any) -> None:
    raw = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    layers = [layer_tar([("file", "/a", b"x")])]
    path = archive(tmp_path, layers, config=raw) if part == "config" else archive(tmp_path, layers, manifest=raw)
    code, _, err = run_scan(str(path), "--json")
    one_line_usage_error(code, err, "reading")


def _oci(tmp: Path, index: Any = None, manifest: Any = None) -> Path:
    root = tmp / "layout"
    blobs = root / "blobs" / "sha256"
    blobs.mkdir(parents=True)

    def put(data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        (blobs / digest).write_bytes(data)
        return "sha256:" + digest

    layer = layer_tar([("file", "/a", b"x")])
    ldig = put(layer)
    cdig = put(json.dumps({"rootfs": {"diff_ids": [ldig]}, "history": [{"created_by": "COPY a"}]}).encode())
    doc = manifest if manifest is not None else {
        "schemaVersion": 2, "config": {"digest": cdig, "size": 10},
        "layers": [{"digest": ldig, "size": len(layer), "mediaType": "application/vnd.oci.image.layer.v1.tar"}]}
    mdig = put(doc if isinstance(doc, bytes) else json.dumps(doc).encode())
    idx = index if index is not None else {"schemaVersion": 2, "manifests": [{"digest": mdig, "size": 1}]}
    (root / "index.json").write_bytes(idx if isinstance(idx, bytes) else json.dumps(idx).encode())
    return root


@pytest.mark.parametrize("index, manifest", [
    (b'{"manifests":' * 50_000 + b"[]" + b"}" * 50_000, None),
    ({"manifests": "sha256:00"}, None),
    ({"manifests": [{"digest": 5}]}, None),
    ({"manifests": [{"digest": "sha256:00", "annotations": ["a"]}]}, None),
    ({"manifests": [{"digest": "sha256:00", "platform": "linux"}]}, None),
    (None, {"config": "x", "layers": []}),
    (None, {"config": {"digest": "sha256:00"}, "layers": {"digest": "x"}}),
    (None, {"config": {"digest": "sha256:00"}, "layers": [{"digest": "sha256:00", "size": "12"}]}),
    (None, {"config": {"digest": "sha256:00"}, "layers": [], "annotations": ["a"]}),
])
def test_hostile_json_in_an_oci_layout(tmp_path: Path, index: Any, manifest: Any) -> None:
    code, _, err = run_scan(str(_oci(tmp_path, index, manifest)), "--json")
    one_line_usage_error(code, err, "reading")


def test_a_layer_that_is_not_its_diff_id_is_refused_naming_it(tmp_path: Path) -> None:
    real, fake = layer_tar([("file", "/a", b"x")]), layer_tar([("file", "/a", b"EVIL")])
    config = {"rootfs": {"diff_ids": ["sha256:" + hashlib.sha256(real).hexdigest()]}, "history": []}
    path = archive(tmp_path, [real], config=config)
    data = path.read_bytes().replace(real, fake)  # same length: only the content differs
    path.write_bytes(data)
    code, _, err = run_scan(str(path), "--json")
    one_line_usage_error(code, err, "verifying layer 0", "diff_id")


@pytest.mark.parametrize("diff_ids, words", [
    (None, ["config lists 0 layers, manifest 2"]),  # nothing claimed: nothing could be verified
    ([], ["config lists 0 layers, manifest 2"]),
    (["first"], ["config lists 1 layers, manifest 2"]),
    (["first", "sha512:" + "0" * 128], ["verifying layer 1", "is not a sha256 digest"]),
    (["first", "md5:abc"], ["verifying layer 1", "is not a sha256 digest"]),
])
def test_layers_without_a_sha256_diff_id_are_refused(tmp_path: Path, diff_ids: list[str] | None,
                                                     words: list[str]) -> None:
    layers = [layer_tar([("file", "/a", b"x")]), layer_tar([("file", "/b", b"y")])]
    if diff_ids is not None:
        diff_ids = ["sha256:" + hashlib.sha256(layers[0]).hexdigest() if d == "first" else d for d in diff_ids]
    config = {"rootfs": {"diff_ids": diff_ids} if diff_ids is not None else {}, "history": []}
    code, _, err = run_scan(str(archive(tmp_path, layers, config=config)), "--json")
    one_line_usage_error(code, err, *words)


def test_a_blob_that_is_not_its_digest_is_refused_naming_it(tmp_path: Path) -> None:
    import gzip

    root = _oci(tmp_path)
    index = json.loads((root / "index.json").read_text())
    mpath = root / "blobs" / "sha256" / index["manifests"][0]["digest"][7:]
    manifest = json.loads(mpath.read_text())
    layer_blob = root / "blobs" / "sha256" / manifest["layers"][0]["digest"][7:]
    plain = layer_blob.read_bytes()
    manifest["layers"][0]["digest"] = "sha256:" + hashlib.sha256(b"other").hexdigest()
    (root / "blobs" / "sha256" / manifest["layers"][0]["digest"][7:]).write_bytes(gzip.compress(plain))
    mpath.write_text(json.dumps(manifest))
    code, _, err = run_scan(str(root), "--json")
    one_line_usage_error(code, err, "verifying layer 0", "digest")


ESC = "\x1b[31mRED\x1b[0m\x07"


def test_control_characters_are_escaped_in_text_and_markdown(tmp_path: Path) -> None:
    layer = layer_tar([("file", f"/app/{ESC}.txt", b"x" * 10), ("file", "/app/keep", b"k")])
    upper = layer_tar([("wh", f"/app/{ESC}.txt")])
    config = {"rootfs": {"diff_ids": ["sha256:" + hashlib.sha256(d).hexdigest() for d in (layer, upper)]},
              "history": [{"created_by": f"RUN echo {ESC}"}, {"created_by": "RUN rm"}]}
    path = archive(tmp_path, [layer, upper], config=config)
    for fmt in ("text", "markdown"):
        code, out, err = run_scan(str(path), "--format", fmt, env={"COLUMNS": "250"})
        assert code == 0, err
        assert "\x1b" not in out and "\x07" not in out, out
        assert "\\x1b[31mRED" in out, out


def test_undecodable_names_with_markdown_to_a_file_and_a_strict_stdout(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT, encoding="utf-8",
                      errors="surrogateescape") as tf:
        for name in ("caf\udce9.txt", "b\udcff\udcfe"):
            ti = tarfile.TarInfo(name)
            ti.size = 3
            tf.addfile(ti, io.BytesIO(b"abc"))
        wh = tarfile.TarInfo(".wh.caf\udce9.txt")
    layer = buf.getvalue()
    upper = layer_tar([("raw", wh, None)])
    path = archive(tmp_path, [layer, upper])
    out_md = tmp_path / "r.md"
    code, _, err = run_scan(str(path), "--format", "markdown", "-o", str(out_md))
    assert code == 0, err
    assert "caf\\xe9.txt" in out_md.read_text(encoding="utf-8")
    for fmt in ("text", "markdown", "json", "sarif"):
        code, out, err = run_scan(str(path), "--format", fmt, env={"PYTHONIOENCODING": "utf-8:strict"})
        assert code == 0, (fmt, err)
        assert "caf" in out


@pytest.mark.parametrize("target, words", [
    ("/dev/zero", ["not a regular file"]),  # read until memory ran out before
    ("fifo", ["not a regular file"]),
    ("folder", ["not a regular file"]),
    ("deep.json", ["not valid JSON"]),
    ("big.json", ["larger than"]),
])
def test_a_baseline_named_by_the_settings_is_a_small_regular_file(tmp_path: Path, target: str,
                                                                    words: list[str]) -> None:
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "deep.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with open(tmp_path / "big.json", "wb") as fh:
        fh.truncate((64 << 20) + 1)  # sparse: no disk or memory spent making it
    path = target if target.startswith("/") else str(tmp_path / target)
    (tmp_path / "imgforge.yaml").write_text(f"scan:\n  baseline: {path}\n", encoding="utf-8")
    image = archive(tmp_path, [layer_tar([("file", "/a", b"x")])])
    code, _, err = run_scan(str(image), "--json", "--project", str(tmp_path))
    one_line_usage_error(code, err, "reading baseline", *words)
