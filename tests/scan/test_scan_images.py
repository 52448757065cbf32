"""Scan real images built by the engine with planted secrets and bloat; every figure checked exactly.

Expected figures come from the test's own reading of the `docker save` archive (tests/scan/scanhelp.py),
a bottom-up overlay model that shares no code with imgforge's top-down accounting.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import subprocess
import tarfile
import uuid
from pathlib import Path

import pytest
from scanhelp import detector, fake_tokens, read_docker_save, reference_overlay, to_oci_layout

from imgforge.cli import main
from imgforge.env.engine import Engine
from imgforge.scan import ScanPolicy, evaluate, scan

BASE_DOCKERFILE = """\
FROM imgforge/busybox:1.35
COPY base-creds.txt /etc/base-creds.txt
"""

APP_DOCKERFILE = """\
ARG BASE
FROM ${BASE}
ARG BASE
LABEL org.opencontainers.image.base.name=${BASE}
ARG BUILD_TOKEN
COPY secret.env /app/secret.env
COPY big.bin /app/big.bin
COPY cfg.txt /app/cfg.txt
RUN mkdir -p /app/cache/sub && head -c 200000 /dev/urandom > /app/cache/a \\
    && head -c 100000 /dev/urandom > /app/cache/sub/b
RUN mkdir -p /app/opq && head -c 50000 /dev/urandom > /app/opq/old
COPY bundle.tar /app/bundle.tar
COPY data/ /app/data/
RUN rm -f /app/secret.env /app/big.bin && rm -rf /app/cache
RUN rm -rf /app/opq && mkdir /app/opq && echo fresh > /app/opq/new
COPY cfg2.txt /app/cfg.txt
RUN chmod -R 600 /app/data
ENV API_TOKEN={env_token}
RUN echo built > /app/built.txt
COPY noise.txt /app/noise.txt
"""


def _noise() -> bytes:
    """High-entropy text that is not a secret: digests, UUIDs, integrity strings, base64 image data."""
    rng = random.Random(7)
    lines = [f"sha256:{hashlib.sha256(str(i).encode()).hexdigest()}  layer-{i}.tar" for i in range(20)]
    lines += [f"id = {uuid.UUID(int=rng.getrandbits(128))}" for _ in range(10)]
    lines += [f'"integrity": "sha512-{hashlib.sha512(str(i).encode()).hexdigest()}"' for i in range(5)]
    lines += [f"commit {hashlib.sha1(str(i).encode()).hexdigest()}" for i in range(5)]
    return ("\n".join(lines) + "\n").encode()


def _tar_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in files.items():
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture(scope="module")
def planted(docker, registry, tmp_path_factory, cleanup_images):
    """Build base + app images with planted secrets and bloat; save the app; push it to the local registry."""
    tag = uuid.uuid4().hex[:10]
    t = {k: fake_tokens(f"planted-{k}") for k in ("base", "deleted", "over", "env", "arg", "nested")}
    ctx = tmp_path_factory.mktemp("scanctx")
    (ctx / "base-creds.txt").write_text(f"aws_access_key_id = {t['base']['aws']}\n")
    (ctx / "secret.env").write_text(f"AWS_ACCESS_KEY_ID={t['deleted']['aws']}\n")
    (ctx / "big.bin").write_bytes(random.Random(1).randbytes(300_000))
    (ctx / "cfg.txt").write_text(f"github_token = {t['over']['github']}\n")
    (ctx / "cfg2.txt").write_text("github_token = read-from-vault\n")
    # A PKCS#12 bundle with a private key (binary: no text rule can see it), made with the real openssl CLI.
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "c.pem",
                    "-subj", "/CN=planted", "-days", "1"], cwd=ctx, check=True, capture_output=True)
    subprocess.run(["openssl", "pkcs12", "-export", "-inkey", "k.pem", "-in", "c.pem", "-passout", "pass:changeit",
                    "-out", "server.p12"], cwd=ctx, check=True, capture_output=True)
    (ctx / "bundle.tar").write_bytes(_tar_bytes({"creds/token.txt": f"token: {t['nested']['github']}\n".encode(),
                                                 "certs/server.p12": (ctx / "server.p12").read_bytes(),
                                                 "readme.md": b"nothing here\n"}))
    (ctx / "data").mkdir()
    for i in range(3):
        (ctx / "data" / f"d{i}.json").write_text(json.dumps({"i": i, "pad": "p" * (1000 * (i + 1))}))
    (ctx / "noise.txt").write_bytes(_noise())
    (ctx / "Dockerfile.base").write_text(BASE_DOCKERFILE)
    dockerfile = ctx / "Dockerfile"
    dockerfile.write_text(APP_DOCKERFILE.replace("{env_token}", t["env"]["github"]))
    base_ref, app_ref = f"imgforge-test/scanbase:{tag}", f"imgforge-test/scanapp:{tag}"
    cleanup_images.extend([base_ref, app_ref])
    docker.build(str(ctx), file=str(ctx / "Dockerfile.base"), tags=[base_ref], load=True)
    docker.build(str(ctx), file=str(dockerfile), tags=[app_ref], load=True,
                 build_args={"BASE": base_ref, "BUILD_TOKEN": t["arg"]["aws"]})
    archive = str(ctx / "app.tar")
    docker.image.save(app_ref, output=archive)
    remote = f"{registry.address}/{'test/scan-' + tag}:1"
    docker.image.tag(app_ref, remote)
    cleanup_images.append(remote)
    docker.image.push(remote, quiet=True)
    base_layers = len(docker.image.inspect(base_ref).root_fs.layers)
    return {"tokens": t, "app": app_ref, "archive": archive, "remote": remote, "ctx": ctx,
            "dockerfile": str(dockerfile), "base_layers": base_layers}


@pytest.fixture(scope="module")
def report(planted):
    return scan(planted["archive"], detector=detector(), dockerfile=planted["dockerfile"],
                policy=ScanPolicy(base_layers=planted["base_layers"]))


def test_every_figure_matches_the_independent_reading(planted, report):
    config, layers, diff_ids = read_docker_save(planted["archive"])
    ref = reference_overlay(layers)
    doc = report.to_json()
    assert doc["total_bytes"] == ref.total
    assert doc["wasted_bytes"] == ref.wasted
    assert doc["efficiency"] == pytest.approx(1 - ref.wasted / ref.total, abs=0)
    assert [r["digest"] for r in doc["layers"]] == diff_ids
    assert [r["bytes"] for r in doc["layers"]] == [sum(s for k, _, s in ops if k == "file") for ops in layers]
    own = [0] * len(layers)
    hides = [0] * len(layers)
    for _, added, removed, size in ref.removed:
        own[added] += size
        hides[removed] += size
    assert [r["wasted_bytes"] for r in doc["layers"]] == own
    assert [r["hidden_bytes"] for r in doc["layers"]] == hides
    assert sorted((b["path"], b["added_in"], b["removed_in"], b["bytes"]) for b in doc["bloat"]) == sorted(ref.removed)
    history = [h["created_by"] for h in config["history"] if not h.get("empty_layer")]
    arg = planted["tokens"]["arg"]["aws"]
    for row, raw in zip(doc["layers"], history, strict=True):
        if arg in raw:  # RUN lines carry the build arg: printed with the value redacted, the rest intact
            head, tail = raw.split(arg)
            assert row["created_by"].startswith(head) and row["created_by"].endswith(tail)
            assert arg[4:-4] not in row["created_by"]
        else:
            assert row["created_by"] == raw


def test_planted_bloat_is_named_with_a_fix(report):
    by_path = {b.path: b for b in report.bloat}
    assert by_path["/app/big.bin"].how == "deleted" and by_path["/app/big.bin"].bytes == 300_000
    assert by_path["/app/big.bin"].fix.startswith("move it to a build stage")
    assert {p for p in by_path if p.startswith("/app/cache/")} == {"/app/cache/a", "/app/cache/sub/b"}
    assert by_path["/app/cache/a"].fix.startswith("merge the RUNs")
    assert by_path["/app/opq/old"].how == "opaque" and by_path["/app/opq/old"].bytes == 50_000
    assert by_path["/app/cfg.txt"].how == "overwritten"
    assert {by_path[f"/app/data/d{i}.json"].how for i in range(3)} == {"metadata-only"}
    assert "COPY --chmod" in by_path["/app/data/d0.json"].fix


def test_layers_map_to_dockerfile_lines_and_base_boundary(planted, report):
    rows = report.layers
    base = planted["base_layers"]
    assert [r.base for r in rows] == [i < base for i in range(len(rows))]
    own = [r for r in rows if not r.base]
    text = Path(planted["dockerfile"]).read_text().splitlines()
    for r in own:
        assert r.dockerfile_line is not None, r.created_by
        keyword = text[r.dockerfile_line - 1].split()[0]
        assert r.created_by.startswith((keyword, "/bin/sh")), (r.created_by, keyword)
    assert report.user is not None
    assert report.user.total_bytes == sum(r.bytes for r in own)
    assert report.user.wasted_bytes == report.wasted_bytes  # all planted bloat is above the base


def test_planted_secrets_are_all_found_with_deleted_flags(planted, report):
    found = {(s.source, s.path or s.name, s.layer, s.deleted) for s in report.secrets}
    base = planted["base_layers"]
    assert ("file", "/etc/base-creds.txt", base - 1, False) in found
    assert ("file", "/app/secret.env", base, True) in found
    assert ("file", "/app/cfg.txt", base + 2, True) in found
    assert ("file", "/app/bundle.tar!/creds/token.txt", base + 5, False) in found
    assert ("file", "/app/bundle.tar!/certs/server.p12", base + 5, False) in found
    assert ("env", "API_TOKEN", None, False) in found
    assert any(src == "history" for src, *_ in found)  # the build arg, recorded in RUN history lines
    assert not [s for s in report.secrets if s.path == "/app/noise.txt"]
    env = next(s for s in report.secrets if s.source == "env")
    assert env.dockerfile_line == Path(planted["dockerfile"]).read_text().splitlines().index(
        next(line for line in Path(planted["dockerfile"]).read_text().splitlines() if line.startswith("ENV"))) + 1


def test_secret_values_never_appear_in_any_output(planted, report, tmp_path, capsys):
    outputs = [json.dumps(report.to_json()), json.dumps(report.to_sarif()), report.to_markdown()]
    for fmt in ("text", "json", "sarif", "markdown"):
        code = main(["scan", planted["archive"], "--format", fmt, "--dockerfile", planted["dockerfile"],
                     "--fail-on-secrets"])
        assert code == 1
        captured = capsys.readouterr()
        outputs += [captured.out, captured.err]
    values = [v for tokens in planted["tokens"].values() for v in tokens.values()]
    for out in outputs:
        for value in values:
            assert value not in out
            assert value[4:] not in out


def test_engine_archive_registry_and_layouts_give_identical_reports(planted, report, tmp_path):
    det = detector()
    policy = ScanPolicy(base_layers=planted["base_layers"])

    def same(r):
        doc = r.to_json()
        doc.pop("image"), doc.pop("source")
        return doc

    expected = same(report)
    layout_gz, layout_zst = tmp_path / "gz", tmp_path / "zst"
    to_oci_layout(planted["archive"], str(layout_gz), "gzip")
    to_oci_layout(planted["archive"], str(layout_zst), "zstd")
    oci_tar = tmp_path / "oci.tar"
    with tarfile.open(oci_tar, "w") as tf:
        for name in os.listdir(layout_gz):
            tf.add(layout_gz / name, arcname=name)
    sources = {"docker:" + planted["app"]: "daemon", "registry:" + planted["remote"]: "registry",
               str(layout_gz): "oci-layout", str(layout_zst): "oci-layout", str(oci_tar): "archive"}
    for source, kind in sources.items():
        r = scan(source, detector=det, dockerfile=planted["dockerfile"], policy=policy)
        assert r.source == kind
        assert same(r) == expected, source


def test_gates_and_cli_exit_codes(planted, report, tmp_path, capsys):
    assert evaluate(report, ScanPolicy()) == []
    failed = evaluate(report, ScanPolicy(fail_on_secrets=True, max_wasted_bytes="100kB", min_efficiency=0.99,
                                         max_size="1MB"))
    assert [f.split(":")[0] for f in failed] == ["secrets", "wasted bytes", "efficiency", "size"]
    assert main(["scan", planted["archive"], "--json", "--max-size", "100MB", "--min-efficiency", "0.1"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["total_bytes"] == report.total_bytes and doc["gates"] == []
    (tmp_path / "imgforge.yaml").write_text("scan:\n  max_wasted_bytes: 10kB\n")
    assert main(["scan", planted["archive"], "--json", "--project", str(tmp_path)]) == 1
    assert "wasted bytes" in capsys.readouterr().err
    # A baseline of every current fingerprint accepts them all: the secrets gate passes again.
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"fingerprints": sorted({s.fingerprint for s in report.secrets})}))
    assert main(["scan", planted["archive"], "--json", "--fail-on-secrets", "--baseline", str(baseline)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["secrets"] == [] and doc["suppressed"] == len(report.secrets)
    (tmp_path / "imgforge.yaml").write_text("scan:\n  max_wasted: 10kB\n")
    assert main(["scan", planted["archive"], "--project", str(tmp_path)]) == 2
    assert "imgforge.yaml:2" in capsys.readouterr().err


def test_sarif_points_at_dockerfile_lines(planted, report):
    sarif = report.to_sarif()
    results = sarif["runs"][0]["results"]
    secrets = [r for r in results if r["level"] == "error"]
    assert len(secrets) == len(report.secrets)
    located = [r for r in secrets if "physicalLocation" in r["locations"][0]]
    assert located and all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == planted["dockerfile"]
                           for r in located)
    assert any(r["ruleId"] == "imgforge.bloat" for r in results)


def test_high_entropy_non_secrets_yield_no_findings(docker, tmp_path, cleanup_images):
    (tmp_path / "noise.txt").write_bytes(_noise())
    sha = hashlib.sha256(b"x").hexdigest()
    (tmp_path / "Dockerfile").write_text(f"FROM scratch\nCOPY noise.txt /noise.txt\nLABEL build.sha={sha}\n")
    ref = f"imgforge-test/scannoise:{uuid.uuid4().hex[:8]}"
    cleanup_images.append(ref)
    docker.build(str(tmp_path), tags=[ref], load=True)
    r = scan(ref, detector=detector())
    assert r.secrets == () and r.total_bytes == len(_noise()) and r.wasted_bytes == 0


def test_base_boundary_from_the_base_name_label(planted, report, docker):
    # An archive scan asks the engine about the base only when it is handed one (never on its own).
    r = scan(planted["archive"], detector=detector(), engine=Engine(docker))
    assert r.base_layers == planted["base_layers"]
    assert r.user == report.user


def test_a_refused_layer_mid_stream_stops_docker_save_cleanly(planted):
    from imgforge.errors import UsageError
    from imgforge.image.streams import StreamLimits
    from imgforge.scan import Limits

    with pytest.raises(UsageError, match="exceeds 100000 bytes"):
        scan("docker:" + planted["app"], detector=detector(), limits=Limits(stream=StreamLimits(max_bytes=100_000)))


def test_struct_reader_gives_the_old_readers_json_on_every_source(planted, tmp_path, monkeypatch):
    """Byte-identical JSON from the new tar reader and the frozen tarfile reader (tests/scan/legacy_layer.py)."""
    from legacy_layer import scan_layer as legacy_scan_layer

    import imgforge.scan.engine as engine

    layout = tmp_path / "zst"
    to_oci_layout(planted["archive"], str(layout), "zstd")
    det = detector()
    policy = ScanPolicy(base_layers=planted["base_layers"])
    sources = [planted["archive"], str(layout), "docker:" + planted["app"]]

    def reports() -> list[str]:
        return [json.dumps(scan(s, detector=det, dockerfile=planted["dockerfile"], policy=policy).to_json())
                for s in sources]

    new = reports()
    # The legacy reader collects its own matches: the scan's shared batcher (batcher, key) is left empty.
    monkeypatch.setattr(engine, "scan_layer", lambda raw, what, det, limits, *shared: legacy_scan_layer(
        raw, what, det, limits))
    assert reports() == new
