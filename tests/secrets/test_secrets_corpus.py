"""Golden corpora: planted secrets are all found where they were planted; high-entropy non-secrets give nothing.

tests/data/secrets/planted/expected.json was written by the corpus generator from where each fake secret
was planted (not from the detector's output). tests/data/secrets/clean/ holds lockfiles, checksums, UUIDs,
minified JS, base64 images, source maps, certificates, PGP and SSH public keys and credential-handling code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imgforge.secrets import SecretDetector

DATA = Path(__file__).resolve().parents[1] / "data" / "secrets"
CLEAN = sorted(p for p in (DATA / "clean").rglob("*") if p.is_file())
PLANTED = DATA / "planted"


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector(strict=True)


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def test_clean_corpus_is_broad() -> None:
    names = {p.name for p in CLEAN}
    for expected in ("package-lock.json", "go.sum", "requirements.txt", "jquery.min.js", "server.crt",
                     "release-signing-key.asc", "authorized_keys", "ids.json", "login.html", "RECORD"):  # fmt: skip
        assert expected in names


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: _rel(p, DATA / "clean"))
def test_clean_file_has_no_findings(detector: SecretDetector, path: Path) -> None:
    found = detector.scan_bytes(path.read_bytes(), "/srv/" + _rel(path, DATA / "clean"))
    assert found == [], [(m.rule, m.line, m.redacted) for m in found]


def test_planted_corpus_found_exactly(detector: SecretDetector) -> None:
    expected = {tuple(item) for item in json.loads((PLANTED / "expected.json").read_text())}
    got = set()
    for path in PLANTED.rglob("*"):
        if path.is_file() and path.name != "expected.json":
            rel = _rel(path, PLANTED)
            got |= {(rel, m.rule, m.line) for m in detector.scan_bytes(path.read_bytes(), "/" + rel)}
    assert sorted(expected - got) == [], "missed planted secrets"
    assert sorted(got - expected) == [], "unexpected findings in the planted corpus"
    assert len({rule for _, rule, _ in expected}) >= 20  # every rule kind is planted somewhere


def test_planted_values_never_leak_into_findings(detector: SecretDetector) -> None:
    text = (PLANTED / ".env").read_text()
    values = [line.split("=", 1)[1] for line in text.splitlines() if "=" in line and not line.startswith("LOG")]
    shown = repr(detector.scan_bytes(text.encode(), "/app/.env"))
    for value in values:
        assert value not in shown and value[4:-4] not in shown
