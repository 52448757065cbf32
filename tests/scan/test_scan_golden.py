"""Scan JSON stays byte-identical across reader and matcher changes: golden reports of deterministic archives.

The archives hold every file of tests/data/secrets (the planted and clean secret corpora; not the rest of
tests/data, whose new fixtures would change the report without any change of the scan),
nested archives, whiteouts, long names, binaries by name and by magic, text past the per-file scan limit
and many small credential-like files. The golden JSON in tests/data/scan/golden/ was written by the scan
as it stood before the hot-path rewrite (issue 18); rewrite it only for an intended change of findings:

    IMGFORGE_WRITE_GOLDEN=1 python -m pytest tests/scan/test_scan_golden.py
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import tarfile
import zipfile
from pathlib import Path

import pytest
from scanhelp import docker_archive, to_oci_layout

from imgforge.scan import ScanPolicy, scan
from imgforge.scan.engine import DefaultDetector

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = DATA / "scan" / "golden"
MTIME = 1_700_000_000
WORDS = ["def", "class", "return", "config", "token", "handler", "request", "password", "secret", "key", "value"]


def _layer(files: list[tuple[str, bytes]], extra: list[tarfile.TarInfo] | None = None,
           fmt: int = tarfile.PAX_FORMAT) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for name, data in files:
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime, ti.mode = len(data), MTIME, 0o644
            tf.addfile(ti, io.BytesIO(data))
        for ti in extra or []:
            ti.mtime = MTIME
            tf.addfile(ti)
    return buf.getvalue()


def _suite_files() -> list[tuple[str, bytes]]:
    files = sorted(p for p in (DATA / "secrets").rglob("*") if p.is_file())
    # not under a `fixtures/` folder: that would make them the project's test samples (secrets.paths.is_sample)
    return [("material/" + p.relative_to(DATA).as_posix(), p.read_bytes()) for p in files]


def _generated(rng: random.Random) -> list[tuple[str, bytes]]:
    """Credential-like assignments in many file kinds, some real-looking, most not; and plain source."""
    out = []
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    forms = ['{n} = "{v}"', "{n}={v}", "{n}: {v}", '"{n}": "{v}",', "export {n}='{v}'", "{n} := \"{v}\"",
             "<{n}>{v}</{n}>", "{n} => '{v}'", "set {n} {v}"]
    names = ["db_password", "api_key", "AUTH_TOKEN", "client_secret", "signing-key", "next_token", "password_field",
             "secret", "pwd", "github.token", "masterKey", "x"]
    values = ["changeme", "${DB_PASSWORD}", "os.environ['X']", "hunter2hunter2", "<your-key-here>",
              "0123456789abcdef0123456789abcdef"]
    for i in range(400):
        ext = [".py", ".env", ".yaml", ".js", ".go", ".ini", ".sh", ".xml", ".php", ".txt", ".json", ""][i % 12]
        lines = []
        for _ in range(rng.randrange(1, 40)):
            if rng.random() < 0.3:
                value = "".join(rng.choices(alphabet, k=rng.randrange(8, 40))) if rng.random() < 0.5 \
                    else rng.choice(values)
                lines.append(rng.choice(forms).format(n=rng.choice(names), v=value))
            else:
                lines.append(" ".join(rng.choices(WORDS, k=8)) + f" = {rng.randrange(10**6)}")
        out.append((f"app/gen/f{i}{ext}", ("\n".join(lines) + "\n").encode()))
    return out


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=1, mtime=0)  # a fixed mtime: the same bytes on every run


def _nested(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as zf:
        for name, data in files:
            zf.writestr(zipfile.ZipInfo(name, (2023, 1, 1, 0, 0, 0)), data)
    return [("app/bundle.tar.gz", gz(_layer(files))), ("app/lib/bundle.jar", zbuf.getvalue()),
            ("app/plain.tar", _layer(files[:5])), ("app/one.env.gz", gz(files[0][1]))]


def _archive(path: Path) -> None:
    rng = random.Random(18)
    suite = _suite_files()
    planted = [(n, d) for n, d in suite if "/secrets/planted/" in n]
    generated = _generated(rng)
    secret_line = b"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY9\n"
    big = b"".join(b"%d plain words, nothing assigned here at all\n" % i for i in range(400_000))
    binaries = [
        ("app/bin/tool", b"\x7fELF" + secret_line * 10),
        ("app/bin/nul.dat", b"x" * 100 + b"\0" + secret_line),
        ("app/img/logo.png", secret_line * 3),
        ("app/late.txt", b"a" * 9000 + b"\n" + secret_line),
        ("app/big.log", secret_line + big + secret_line),  # past max_scan_bytes: only the first is seen
        ("app/exact.txt", (secret_line * 200)[:8192]),
        ("app/" + "deep/" * 30 + "long-name-" + "n" * 120 + ".env", secret_line),
    ]
    link = tarfile.TarInfo("app/link.env")
    link.type, link.linkname = tarfile.SYMTYPE, "gen/f1.env"
    layers = [
        _layer(suite),
        _layer(generated + binaries, [link]),
        _layer(_nested(planted), fmt=tarfile.GNU_FORMAT),
        _layer([(f"app/gen/.wh.f{i}.py", b"") for i in range(0, 400, 24)]
               + [("material/secrets/.wh..wh..opq", b""), ("app/gen/f3.js", b"token = 'overwritten'\n")]),
    ]
    env = ["PATH=/usr/bin", "API_TOKEN=ghp_" + "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=36))]
    path.write_bytes(docker_archive(layers, env=env, created_by=[
        "COPY data /fixtures", "COPY app /app", "RUN --mount=x make bundles", "RUN rm -rf stuff"]))


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("golden")
    archive = root / "suite.tar"
    _archive(archive)
    out = {"archive": str(archive)}
    for kind in ("gzip", "zstd"):
        to_oci_layout(str(archive), str(root / kind), kind)
        out[kind] = str(root / kind)
    return out


def _json(source: str, jobs: int) -> str:
    """The CLI's JSON (`imgforge scan --format json`), with the temporary path and the source kind masked."""
    report = scan(source, detector=DefaultDetector(), policy=ScanPolicy(jobs=jobs))
    doc = report.to_json()
    doc["source"] = "<KIND>"  # archive or oci-layout: the rest of the report is the same for all three
    return (json.dumps(doc, indent=2) + "\n").replace(source, "<SOURCE>")


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("kind", ["archive", "gzip", "zstd"])
def test_scan_json_is_byte_identical_to_the_golden(sources: dict[str, str], kind: str, jobs: int) -> None:
    golden = GOLDEN / "suite.json"
    text = _json(sources[kind], jobs)
    if os.environ.get("IMGFORGE_WRITE_GOLDEN") and jobs == 1 and kind == "archive":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()


def test_golden_reports_carry_findings_of_every_kind() -> None:
    """The golden files are not vacuous: many findings, deleted ones, nested ones and config ones."""
    doc = json.loads((GOLDEN / "suite.json").read_text())
    secrets = doc["secrets"]
    assert len(secrets) >= 50
    assert len({s["rule"] for s in secrets}) >= 20
    assert any(s["deleted"] for s in secrets) and any(not s["deleted"] for s in secrets)
    assert any("!" in (s["path"] or "") for s in secrets)
    assert any(s["source"] != "file" for s in secrets)
    assert doc["wasted_bytes"] > 0
