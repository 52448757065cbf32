"""Private keys in binary files (PKCS#12, JKS/JCEKS, DER keys): made here with the real `openssl` CLI, or written
byte by byte for Java's formats (no JDK on the machine), then judged by the detector as `imgforge scan` sees them."""

from __future__ import annotations

import io
import struct
import subprocess
import zipfile
import sys
from pathlib import Path

import pytest

from imgforge.secrets import SecretDetector, default_detector, keystores

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scan"))  # reuse the scan tests' archive builder
from scanhelp import layer_tar  # noqa: E402

from imgforge.scan.layer import Limits, scan_layer  # noqa: E402


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Keys, certificates and bundles in every binary shape, from one RSA and one EC key."""
    d = tmp_path_factory.mktemp("keys")
    _openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem", cwd=d)
    _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem", cwd=d)
    _openssl("genpkey", "-algorithm", "ED25519", "-out", "ed.pem", cwd=d)
    _openssl("req", "-x509", "-new", "-key", "rsa.pem", "-subj", "/CN=svc.example.internal", "-days", "2",
             "-out", "cert.pem", cwd=d)
    _openssl("pkey", "-in", "rsa.pem", "-outform", "DER", "-out", "rsa-pkcs8.der", cwd=d)
    _openssl("rsa", "-in", "rsa.pem", "-traditional", "-outform", "DER", "-out", "rsa-pkcs1.der", cwd=d)
    _openssl("ec", "-in", "ec.pem", "-outform", "DER", "-out", "ec-sec1.der", cwd=d)
    _openssl("pkey", "-in", "ed.pem", "-outform", "DER", "-out", "ed.der", cwd=d)
    _openssl("pkcs8", "-topk8", "-in", "ec.pem", "-v2", "aes256", "-passout", "pass:s3cret-pass", "-outform", "DER",
             "-out", "ec-encrypted.der", cwd=d)
    _openssl("pkey", "-in", "rsa.pem", "-pubout", "-outform", "DER", "-out", "rsa-public.der", cwd=d)
    _openssl("x509", "-in", "cert.pem", "-outform", "DER", "-out", "cert.der", cwd=d)
    _openssl("pkcs12", "-export", "-inkey", "rsa.pem", "-in", "cert.pem", "-passout", "pass:changeit",
             "-out", "server.p12", cwd=d)
    _openssl("pkcs12", "-export", "-nokeys", "-in", "cert.pem", "-passout", "pass:changeit",
             "-out", "truststore.p12", cwd=d)
    return {p.name: p.read_bytes() for p in d.iterdir() if not p.name.endswith(".pem")}


def _utf(text: str) -> bytes:
    return struct.pack(">H", len(text)) + text.encode()


def _java_store(entries: list[int], magic: bytes = b"\xfe\xed\xfe\xed") -> bytes:
    """A JKS (or JCEKS) store, version 2: entry tag 1 holds a private key, 2 a trusted certificate, 3 a secret key."""
    out = magic + struct.pack(">II", 2, len(entries))
    for n, tag in enumerate(entries):
        out += struct.pack(">I", tag) + _utf(f"entry-{n}") + struct.pack(">Q", 1_700_000_000_000)
        if tag == 2:
            out += _utf("X.509") + struct.pack(">I", 5) + b"\x30\x03\x02\x01\x05"
        else:
            out += struct.pack(">I", 8) + bytes(range(8)) + struct.pack(">I", 0)
    return out + bytes(20)  # the store's SHA-1 digest


@pytest.mark.parametrize(("name", "rule"), [
    ("rsa-pkcs8.der", "der-private-key"),
    ("rsa-pkcs1.der", "der-private-key"),
    ("ec-sec1.der", "der-private-key"),
    ("ed.der", "der-private-key"),
    ("ec-encrypted.der", "der-private-key"),
    ("server.p12", "pkcs12-private-key"),
])
def test_binary_keys_are_found_without_showing_a_byte(made: dict[str, bytes], name: str, rule: str) -> None:
    data = made[name]
    detector = SecretDetector(strict=True)
    assert detector.wants_binary(data[:8192], len(data))
    (match,) = detector.scan_bytes(data, f"/srv/app/{name}")
    assert match.rule == rule
    assert match.redacted == f"<binary, {len(data):,} bytes>"
    assert match.fingerprint == detector.scan_bytes(data, "/other/place")[0].fingerprint  # stable


@pytest.mark.parametrize("name", ["rsa-public.der", "cert.der", "truststore.p12"])
def test_public_material_is_not_a_finding(made: dict[str, bytes], name: str) -> None:
    assert SecretDetector(strict=True).scan_bytes(made[name], f"/srv/app/{name}") == []


def test_java_stores_count_only_with_a_key_entry() -> None:
    detector = SecretDetector(strict=True)
    assert [m.rule for m in detector.scan_bytes(_java_store([2, 1]), "/app/keystore.jks")] == \
        ["java-keystore-private-key"]
    assert detector.scan_bytes(_java_store([3], magic=b"\xce\xce\xce\xce"), "/app/app.jceks")
    assert detector.scan_bytes(_java_store([2, 2, 2]), "/usr/lib/jvm/java-17/lib/security/cacerts") == []


@pytest.mark.parametrize("cut", [5, 13, 40, -25])
def test_truncated_or_damaged_files_are_not_findings_and_never_raise(made: dict[str, bytes], cut: int) -> None:
    detector = SecretDetector(strict=True)
    for name in ("server.p12", "rsa-pkcs8.der", "ec-sec1.der"):
        assert detector.scan_bytes(made[name][:cut], "/app/x") == []  # DER must span the file exactly
    store = _java_store([2, 2, 1])
    key_entry = store.index(struct.pack(">I", 1) + _utf("entry-2"))
    assert detector.scan_bytes(store[:min(key_entry, cut % len(store))], "/app/x") == []  # cut before the key
    assert keystores.find_key(b"\x30\x84\xff\xff\xff\xff" + bytes(50)) is None  # a length past the end


def test_test_keys_inside_libraries_and_test_folders_are_left_alone(made: dict[str, bytes]) -> None:
    detector = default_detector()
    for path in ("/usr/local/lib/python3.13/site-packages/tornado/test/test.p12",
                 "/app/node_modules/ssl-root-cas/server.p12", "/app/src/test/resources/keystore.p12"):
        assert detector.scan_bytes(made["server.p12"], path) == []


def test_a_layer_scan_reads_a_key_store_it_would_otherwise_skip(made: dict[str, bytes]) -> None:
    big = b"\x30\x82" + bytes(2 << 20)  # DER-like but over the size bound: never read whole
    layer = layer_tar([("file", "/app/certs/server.p12", made["server.p12"]),
                       ("file", "/app/certs/ca.der", made["cert.der"]),
                       ("file", "/app/data/blob.bin.dat", big)])
    result = scan_layer(io.BytesIO(layer), "layer 0", default_detector(), Limits())
    assert [(m.path, m.rule) for m in result.matches] == [("/app/certs/server.p12", "pkcs12-private-key")]


def test_a_key_store_packed_in_a_java_web_archive_is_found(made: dict[str, bytes]) -> None:
    war = io.BytesIO()
    with zipfile.ZipFile(war, "w") as zf:
        zf.writestr("WEB-INF/web.xml", "<web-app/>\n")
        zf.writestr("WEB-INF/classes/keystore.p12", made["server.p12"])
    layer = layer_tar([("file", "/usr/local/tomcat/webapps/shop.war", war.getvalue())])
    result = scan_layer(io.BytesIO(layer), "layer 0", default_detector(), Limits())
    assert [(m.path, m.rule) for m in result.matches] == [
        ("/usr/local/tomcat/webapps/shop.war!/WEB-INF/classes/keystore.p12", "pkcs12-private-key")]
