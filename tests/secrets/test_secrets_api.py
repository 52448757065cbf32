"""The public API the image scanner relies on: shapes, redaction, fingerprints, binary handling, baseline."""

from __future__ import annotations

import json
import logging
import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imgforge import secrets
from imgforge.errors import UsageError
from imgforge.secrets import Baseline, SecretDetector, SecretMatch, default_detector, fingerprint, redact

# Obviously fake, format-valid values assembled at run time.
GITHUB = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5"
AWS_ID = "AKIA" + "Z5GMHYJKLMNOP7QR"


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector(strict=True)


def test_public_api_is_deliberate() -> None:
    assert sorted(secrets.__all__) == sorted(
        ["RULES", "Baseline", "Rule", "SecretDetector", "SecretMatch", "default_detector", "fingerprint",
         "looks_binary", "redact", "is_credential_name", "redact_build_args"]
    )  # fmt: skip


def test_match_fields_and_stable_fingerprint(detector: SecretDetector) -> None:
    text = f"x = 1\ntoken = '{GITHUB}'\n".encode()
    (match,) = detector.scan_bytes(text, "app/settings.py")
    assert match == SecretMatch(
        rule="github-token",
        description="GitHub token",
        line=2,
        redacted="ghp_************3hJ5",
        fingerprint=fingerprint("github-token", GITHUB),
    )
    assert match.fingerprint == __import__("hashlib").sha256(f"github-token:{GITHUB}".encode()).hexdigest()[:16]
    assert detector.scan_bytes(b"\n\n\n" + text, "other.py")[0].fingerprint == match.fingerprint


def test_secret_never_in_repr_str_or_json(detector: SecretDetector) -> None:
    text = f"AWS_ACCESS_KEY_ID={AWS_ID}\nDB_PASSWORD=Sup3r-S3cret-Pw!\n{GITHUB}\n".encode()
    found = detector.scan_bytes(text, ".env")
    assert {m.rule for m in found} == {"aws-access-key-id", "generic-secret", "github-token"}
    dumped = repr(found) + str(found) + json.dumps([m.__dict__ for m in found])
    for secret in (AWS_ID, "Sup3r-S3cret-Pw!", GITHUB):
        assert secret not in dumped
        assert secret[4:-4] not in dumped


@pytest.mark.parametrize(
    ("secret", "preview"),
    [
        ("AKIAIOSFODNN7EXAMPLE", "AKIA************MPLE"),
        ("0123456789abcdef", "012**********def"),
        ("hunter2", "h*****2"),
        ("abcd", "****"),
        ("", "*"),
    ],
)
def test_redact_keeps_at_most_four_and_four(secret: str, preview: str) -> None:
    assert redact(secret) == preview


def test_binary_content_is_skipped_fast(detector: SecretDetector) -> None:
    payload = f"token = '{GITHUB}'\n".encode()
    assert detector.scan_bytes(b"\x7fELF\x02\x01\x01\0\0" + payload, "bin/tool") == []
    assert detector.scan_bytes(bytes(range(1, 32)) * 40 + payload, "blob") == []
    assert detector.scan_bytes(b"", "empty") == []


def test_wants_path_skips_obvious_binaries(detector: SecretDetector) -> None:
    for path in ("usr/lib/libssl.so.3", "a/b.so", "x.png", "dist/pkg-1.0-py3-none-any.whl", "m.pyc", "f.tar.gz"):
        assert not detector.wants_path(path), path
    for path in ("root/.npmrc", "home/u/.ssh/id_rsa", "app/.env", "root/.docker/config.json", "app/main.py", "x"):
        assert detector.wants_path(path), path


def test_scan_value_env_label_and_buildkit_history(detector: SecretDetector) -> None:
    (env,) = detector.scan_value("Sup3r-S3cret-Pw!", "DB_PASSWORD")
    assert (env.rule, env.line) == ("generic-secret", 1)
    assert detector.scan_value("Sup3r-S3cret-Pw!", "GREETING") == []
    assert detector.scan_value("${DB_PASSWORD}", "DB_PASSWORD") == []
    history = f"RUN |2 GITHUB_TOKEN={GITHUB} API_KEY=q8Zt4Lw2Vn7Rk1Xp /bin/sh -c make build"
    assert sorted(m.rule for m in detector.scan_value(history)) == ["generic-secret", "github-token"]


def test_default_detector_is_shared() -> None:
    assert default_detector() is default_detector()


def test_baseline_round_trip_and_filter(tmp_path, detector: SecretDetector) -> None:
    found = detector.scan_bytes(f"{GITHUB}\n{AWS_ID}\n".encode(), "f.txt")
    assert len(found) == 2
    path = tmp_path / "baseline.json"
    Baseline.from_matches(found[:1]).save(path)
    assert json.loads(path.read_text()) == {"fingerprints": [found[0].fingerprint]}
    loaded = Baseline.load(path)
    assert loaded.filter(found) == found[1:]
    assert found[0] in loaded


def test_baseline_errors_name_the_file(tmp_path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text('{"fingerprints": "nope"}')
    with pytest.raises(UsageError, match=r"reading baseline .*b\.json: fingerprints"):
        Baseline.load(bad)
    with pytest.raises(UsageError, match="reading baseline"):
        Baseline.load(tmp_path / "missing.json")


def test_scan_value_history_lines(detector: SecretDetector) -> None:
    classic = "/bin/sh -c #(nop)  ENV DB_PASSWORD=Sup3r-S3cret-Pw!"
    assert [m.rule for m in detector.scan_value(classic)] == ["generic-secret"]
    assert [m.rule for m in detector.scan_value("ENV API_TOKEN=q8Zt4Lw2Vn7Rk1Xp")] == ["generic-secret"]
    assert detector.scan_value("RUN |1 NODE_VERSION=18.19.0 /bin/sh -c npm ci") == []
    assert detector.scan_value("RUN |1 NPM_TOKEN=${NPM_TOKEN} /bin/sh -c npm ci") == []
    assert detector.scan_value("A035C8C19219BA821ECEA86B64E628F8D684696D", "GPG_KEY") == []
    assert detector.scan_value("/run/secrets/db_password", "DB_PASSWORD_FILE") == []
    (label,) = detector.scan_value(
        "https://ci:Zq8Lm2Xv4Tn6@git.corp.internal/app.git", "org.opencontainers.image.source"
    )
    assert label.rule == "url-password" and "Zq8Lm2Xv4Tn6" not in repr(label)


def test_scan_value_prefers_the_specific_rule(detector: SecretDetector) -> None:
    assert [m.rule for m in detector.scan_value(GITHUB, "GITHUB_TOKEN")] == ["github-token"]


def test_scan_value_reports_line_one_and_survives_odd_text(detector: SecretDetector) -> None:
    heredoc = f"RUN <<EOF\nset -e\necho hi\nexport GH={GITHUB}\nEOF"
    assert [(m.rule, m.line) for m in detector.scan_value(heredoc, "created_by")] == [("github-token", 1)]
    assert detector.scan_value("\ud800 lone surrogate", "TOKEN\udcff") == []


def test_nothing_is_logged_with_secrets(detector: SecretDetector, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    detector.scan_bytes(f"token = '{GITHUB}'\nDB_PASSWORD=Sup3r-S3cret-Pw!\n".encode(), ".env")
    detector.scan_value("Sup3r-S3cret-Pw!", "DB_PASSWORD")
    assert GITHUB not in caplog.text and "Sup3r-S3cret-Pw!" not in caplog.text


STRICT = SecretDetector(strict=True)  # a rule's exception surfaces here instead of being swallowed
FRAGMENTS = [
    "password", "=", ": ", '"', "'", "`", "\n", " ", "AKIA", "ghp_", "xoxb-", "-----BEGIN RSA PRIVATE KEY-----",
    "-----END", "eyJ", ".", "://", "@", ":", "${", "}", "Zq8Lm2Xv4Tn6Rb1W", "0123456789abcdef", "\\n", "/", "+",
    '"auth"', "service_account", '"private_key"', "_authToken", "//r/:", "AccountKey=", "T3BlbkFJ", "sk-", "é",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=40),
    st.sampled_from(["a.py", ".env", ".npmrc", ".pypirc", ".netrc", "config.json", ""]),
)
def test_never_raises_on_crafted_text(parts: list[str], path: str) -> None:
    data = "".join(parts).encode("utf-8", "surrogatepass")
    for match in STRICT.scan_bytes(data, path) + STRICT.scan_value(data.decode("utf-8", "replace"), "TOKEN"):
        assert len(match.fingerprint) == 16 and match.line >= 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_never_raises_on_random_bytes(data: bytes) -> None:
    assert isinstance(default_detector().scan_bytes(data, "blob"), list)


def test_secret_at_the_end_of_a_large_noisy_file_is_found(detector: SecretDetector) -> None:
    printable = bytes(range(32, 127)) + b"\n" * 4
    noise = random.Random(5).randbytes(2_000_000).translate(bytes(printable[i % len(printable)] for i in range(256)))
    data = b'password = "x"\n' + noise * 4 + f"\ntoken = '{GITHUB}'\n".encode()  # 8 MB: the Set's DFA must not give up
    assert [m.rule for m in detector.scan_bytes(data, "big.txt")][-1:] == ["github-token"]


@pytest.mark.parametrize("path", ["app/settings.py", "app/.env", "app/config.json"])
def test_a_huge_value_costs_linear_time(detector: SecretDetector, path: str) -> None:
    """Values have no length limit, so no value check may backtrack: 256 kB once took minutes (48 s at 128 kB)."""
    value = "x1" * 128_000
    for text in (f'api_token = "{value}"\n', f'"apiToken": "{value}(",\n', f"API_TOKEN={value}\n"):
        start = time.process_time()
        detector.scan_bytes(text.encode(), path)
        assert time.process_time() - start < 5, text[:12]  # about 0.3 s; quadratic would be ~200 s


@pytest.mark.parametrize("comment", ["# gitleaks:allow", "// imgforge:allow", "# pragma: allowlist secret",
                                     "# pragma: whitelist secret", "# trufflehog:ignore"])
def test_an_allow_comment_on_the_line_marks_a_value_as_reviewed(comment: str) -> None:
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    detector = SecretDetector(strict=True)
    assert detector.scan_bytes(f'TOKEN = "{token}"\n'.encode(), "app/settings.py")
    assert detector.scan_bytes(f'TOKEN = "{token}"  {comment}\n'.encode(), "app/settings.py") == []


def test_nextline_allow_covers_only_the_next_line() -> None:
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    detector = SecretDetector(strict=True)
    text = f'# pragma: allowlist nextline secret\nA = "{token}"\nB = "{token[:-1]}X"\n'
    assert [m.line for m in detector.scan_bytes(text.encode(), "app/settings.py")] == [3]
    # An allow comment on another line, or far along a one-line (minified) file, allows nothing.
    assert detector.scan_bytes(f'x = 1  # gitleaks:allow\nA = "{token}"\n'.encode(), "app/settings.py")
    far = f'var a="{token}";' + "x" * 4096 + "/* gitleaks:allow */"
    assert detector.scan_bytes(far.encode(), "app/site.js")
