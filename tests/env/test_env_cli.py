"""`imgforge doctor`, `registry`, `bases`: exit codes and one-line errors when a part is missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from imgforge.env.bases import CATALOG
from imgforge.env.doctor import engine_too_old


def imgforge(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "imgforge", *args], capture_output=True, text=True, env=full_env, timeout=600
    )


def assert_one_line_error(res: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert res.returncode == code, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr + res.stdout
    for word in words:
        assert word in res.stderr


def test_doctor_ok_after_setup(registry):
    res = imgforge("doctor", "--json")
    data = json.loads(res.stdout)
    assert res.returncode == 0, data
    assert {c["name"].split()[0] for c in data["checks"]} >= {"engine", "buildkit", "registry", "base", "disk"}
    assert all(c["ok"] for c in data["checks"])


def test_doctor_names_the_stopped_registry(docker):
    # A port nothing listens on stands for a stopped registry (the shared one keeps serving others).
    res = imgforge("doctor", env={"IMGFORGE_REGISTRY_PORT": "1"})
    assert res.returncode == 3
    assert "not ready: registry" in res.stderr
    assert "Traceback" not in res.stderr


def test_registry_status_exit_3_when_down(docker):
    res = imgforge("registry", "status", env={"IMGFORGE_REGISTRY_PORT": "1"})
    assert res.returncode == 3 and "does not answer" in res.stdout


@pytest.mark.parametrize(
    "args",
    [("bases", "build"), ("bases", "list"), ("doctor",)],
)
def test_no_engine_is_a_one_line_error(args):
    res = imgforge(*args, env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert res.returncode == 3, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr + res.stdout
    if args != ("doctor",):
        assert len(res.stderr.strip().splitlines()) == 1
        assert res.stderr.startswith("imgforge: ")


def test_bases_build_twice_builds_nothing(docker):
    res = imgforge("bases", "build")
    assert res.returncode == 0, res.stderr
    assert "nothing built" in res.stderr
    assert f"{len(CATALOG)} image(s)" in res.stderr


def test_unknown_base_is_a_usage_error(docker):
    res = imgforge("bases", "build", "imgforge/nope:1")
    assert res.returncode == 3 and "none of imgforge/nope:1" in res.stderr


def test_usage_error_exit_2():
    res = imgforge("no-such-command")
    assert res.returncode == 2


@pytest.mark.parametrize(("version", "old"), [("20.10.24+dfsg1", True), ("19.03.15", True), ("23.0.0", False),
                                              ("26.1.5+dfsg1", False), ("27.3.1", False), ("unknown", False)])
def test_an_engine_before_23_is_named_too_old(version: str, old: bool) -> None:
    # Generated Dockerfiles give the source step `RUN --network=none`, which BuildKit reads from engine 23 on.
    assert engine_too_old(version) is old

