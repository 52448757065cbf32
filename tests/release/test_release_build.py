"""build() against the real engine: labels, secrets, stage timings, and a failure naming its line."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from imgforge.build import BuildError, BuildOptions, Secret, build, created_timestamp, oci_labels

DOCKERFILE = """\
FROM imgforge/busybox:1.35 AS build
RUN --mount=type=secret,id=tok test "$(wc -c < /run/secrets/tok)" -eq {length} && echo ok > /ok
RUN --mount=type=secret,id=envtok test -s /run/secrets/envtok && echo ok > /ok2

FROM imgforge/busybox:1.35
ARG FLAVOUR=plain
COPY --from=build /ok /ok2 /
RUN echo "$FLAVOUR" > /flavour
"""
SECRET = "hunter2-not-in-history"


def test_build_labels_secrets_and_timings(docker, cleanup_images, unique_repo, tmp_path: Path, monkeypatch):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE.format(length=len(SECRET)))
    (tmp_path / "tok.txt").write_text(SECRET)
    monkeypatch.setenv("ENV_TOK", SECRET)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # also handed to BuildKit as a build arg
    tag = f"imgforge-test/{unique_repo.split('/')[1]}:build"
    cleanup_images.append(tag)
    created = created_timestamp(tmp_path, os.environ)
    labels = oci_labels(title="demo", version="1.0.0", revision="abc", source="https://example.invalid/x",
                        created=created)
    options = BuildOptions(tags=(tag,), build_args={"FLAVOUR": "spicy"}, labels=labels,
                           secrets=(Secret("tok", src=tmp_path / "tok.txt"), Secret("envtok", env="ENV_TOK")))
    lines: list[str] = []
    first = build(tmp_path, tmp_path / "Dockerfile", options, docker=docker, on_line=lines.append)
    second = build(tmp_path, tmp_path / "Dockerfile", options, docker=docker)

    image = docker.image.inspect(tag)
    assert first.image_id == image.id
    assert image.config.labels["org.opencontainers.image.created"] == "2023-11-14T22:13:20Z"
    assert docker.image.inspect(second.image_id).config.labels == image.config.labels
    assert docker.run(tag, ["cat", "/flavour", "/ok", "/ok2"], remove=True).split() == ["spicy", "ok", "ok"]
    stages = {s.stage for s in first.stages}
    assert {"build", "stage-1"} <= stages
    assert sum(s.cached for s in second.stages) == 4  # every RUN and COPY came from cache the second time
    again = build(tmp_path, tmp_path / "Dockerfile", replace(options, no_cache=True), docker=docker)
    assert sum(s.cached for s in again.stages) <= 1  # no_cache: every RUN and COPY ran again (a FROM may say CACHED)
    history = subprocess.run(["docker", "history", "--no-trunc", tag], capture_output=True, text=True,
                             check=True).stdout
    assert "FLAVOUR" in history
    assert SECRET not in history and SECRET not in "\n".join(lines)
    assert first.to_json()["image_id"] == first.image_id


def test_failed_build_names_line_and_output(docker, tmp_path: Path):
    (tmp_path / "Dockerfile").write_text(
        "FROM imgforge/busybox:1.35\nRUN echo preparing\nRUN echo out-1; echo err-2 >&2; \\\n    exit 7\n")
    with pytest.raises(BuildError) as info:
        build(tmp_path, tmp_path / "Dockerfile", BuildOptions(), docker=docker)
    message = str(info.value)
    assert f"{tmp_path / 'Dockerfile'}:3" in message
    assert "exit code: 7" in message and "out-1" in message and "err-2" in message
    assert info.value.failure is not None and info.value.failure.step == "3/3"
    assert info.value.exit_code == 1


def test_failed_long_step_is_named_short_with_its_output(docker, tmp_path: Path):
    # A generated install step (mount flags, the build-network preamble, a dozen commands) filled the error's first
    # line twice over, ~2,000 characters, before the output that says why (nsidnev/fastapi-realworld-example-app).
    steps = " && ".join(f"echo step-{i}-of-a-long-install-command" for i in range(12))
    (tmp_path / "Dockerfile").write_text(
        "FROM imgforge/busybox:1.35\n"
        f"RUN --mount=type=cache,target=/root/.cache --mount=type=tmpfs,target=/tmp {steps} && "
        "echo 'pg_config executable not found' >&2 && exit 3\n")
    with pytest.raises(BuildError) as info:
        build(tmp_path, tmp_path / "Dockerfile", BuildOptions(), docker=docker)
    first, *rest = str(info.value).splitlines()
    assert "exit code: 3" in first and "--mount=" not in first and len(first) < 500, first
    assert "RUN echo step-0-of-a-long-install-command" in first and "…" in first
    assert any("pg_config executable not found" in line for line in rest)
