"""Build args named like credentials never reach a report, even when no rule recognises their value."""

from __future__ import annotations

import random
import string
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from imgforge.secrets import default_detector, is_credential_name, redact_build_args

DOCKERFILE = """\
ARG BASE
FROM ${BASE}
ARG NPM_TOKEN
ARG DEPLOY_PASSWORD
ARG MODE=release
RUN echo "$MODE" > /built.txt
"""


def _plain_value(seed: int) -> str:
    """Lowercase letters only: the generic rule takes it for a word, so only the name gives it away."""
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(18))


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("RUN |3 BASE=debian NPM_TOKEN=abc MODE=prod /bin/sh -c npm ci",
         "RUN |3 BASE=debian NPM_TOKEN=<redacted> MODE=prod /bin/sh -c npm ci"),
        ("|2 GH_PAT=abc DB_PASSWORD=x y /bin/sh -c make",
         "|2 GH_PAT=<redacted> DB_PASSWORD=<redacted> /bin/sh -c make"),
        ("RUN |1 API_KEY=with two spaces /bin/sh -c x", "RUN |1 API_KEY=<redacted> /bin/sh -c x"),
        ("RUN |1 SIGNING_KEY=abc npm publish", "RUN |1 SIGNING_KEY=<redacted> npm publish"),
        ("RUN |1 MODE=release /bin/sh -c make", "RUN |1 MODE=release /bin/sh -c make"),
        ("RUN /bin/sh -c echo TOKEN=abc", "RUN /bin/sh -c echo TOKEN=abc"),  # not a build-arg list
        ("RUN |1 NPM_TOKEN= /bin/sh -c x", "RUN |1 NPM_TOKEN= /bin/sh -c x"),  # empty: nothing to hide
    ],
)
def test_redact_build_args(line: str, shown: str) -> None:
    assert redact_build_args(line) == shown


def test_credential_names() -> None:
    assert all(map(is_credential_name, ["NPM_TOKEN", "db_pass", "GH_PAT", "SSH_KEY_B64", "BASIC_AUTH", "AwsSecret"]))
    assert not any(map(is_credential_name, ["MODE", "BASE", "VERSION", "TOKEN_COUNT", "PASSWORD_LENGTH"]))


@pytest.fixture(scope="module")
def built(docker, base_debian, tmp_path_factory, cleanup_images) -> tuple[str, list[str]]:
    """An image built for real with two credential-named build args whose values no rule recognises."""
    values = [_plain_value(1), _plain_value(2)]
    for name, value in zip(("NPM_TOKEN", "DEPLOY_PASSWORD"), values, strict=True):
        assert default_detector().scan_value(f"RUN |1 {name}={value} /bin/sh -c x") == []  # no rule matches it
    ctx = tmp_path_factory.mktemp("buildargs")
    (ctx / "Dockerfile").write_text(DOCKERFILE)
    ref = f"imgforge-test/secrets-buildargs:{uuid.uuid4().hex[:10]}"
    cleanup_images.append(ref)
    docker.build(str(ctx), tags=[ref], load=True,
                 build_args={"BASE": base_debian, "NPM_TOKEN": values[0], "DEPLOY_PASSWORD": values[1]})
    history = subprocess.run(["docker", "history", "--no-trunc", "--format", "{{.CreatedBy}}", ref],
                             capture_output=True, text=True, check=True).stdout
    assert all(value in history for value in values)  # the engine really recorded them
    return ref, values


@pytest.mark.parametrize("fmt", ["json", "sarif", "markdown", "text"])
def test_no_output_format_shows_credential_build_args(built: tuple[str, list[str]], fmt: str) -> None:
    ref, values = built
    run = subprocess.run([sys.executable, "-m", "imgforge", "scan", ref, "--format", fmt],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    output = run.stdout + run.stderr
    assert "MODE=release" in output or fmt == "sarif"  # the RUN line itself is printed, other args intact
    assert not [value for value in values if value in output]
    if fmt != "sarif":  # SARIF lists findings only, not layers
        assert "NPM_TOKEN=<redacted>" in output


def test_size_report_hides_credential_build_args(built: tuple[str, list[str]], tmp_path: Path) -> None:
    """`imgforge report` writes html, markdown and json from the scan: the layer rows show the redacted RUN line."""
    ref, values = built
    run = subprocess.run([sys.executable, "-m", "imgforge", "report", ref, "--out", str(tmp_path), "--format", "json"],
                         capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    written = {name: (tmp_path / name).read_text() for name in ("report.html", "report.md", "report.json")}
    assert written["report.html"] and written["report.md"]
    assert not [value for value in values for text in (run.stdout, run.stderr, *written.values()) if value in text]
    assert "NPM_TOKEN=<redacted>" in written["report.json"]
