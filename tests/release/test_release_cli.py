"""The release commands end to end through `python -m imgforge`: exit codes, JSON, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import bcrypt


def imgforge(*args: str, cwd: Path | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "CI": "true", **(env or {})}
    return subprocess.run([sys.executable, "-m", "imgforge", *args], capture_output=True, text=True,
                          env=full_env, timeout=300, cwd=cwd)


def test_build_push_tag_attach_through_the_cli(registry, unique_repo, cleanup_images, tmp_path: Path):
    name = unique_repo.split("/")[1]
    (tmp_path / "Dockerfile").write_text("FROM imgforge/busybox:1.35 AS base\nCOPY payload.txt /p\n")
    (tmp_path / "payload.txt").write_text("one")
    local = f"imgforge-test/{name}:cli"
    cleanup_images.append(local)
    target = f"{registry.address}/{unique_repo}"

    res = imgforge("build", str(tmp_path), "-t", local, "--version", "1.0.0", "--json", "--build-arg", "X=1")
    assert res.returncode == 0, res.stderr
    built = json.loads(res.stdout)
    assert built["image_id"].startswith("sha256:") and built["tags"] == [local]
    assert built["labels"]["org.opencontainers.image.version"] == "1.0.0"
    assert "#" in res.stderr  # plain progress streamed live in CI

    res = imgforge("push", local, "--to", target, "--version", "1.0.0", "--latest", "--json")
    assert res.returncode == 0, res.stderr
    pushed = json.loads(res.stdout)
    assert pushed["uploaded"] is True
    res = imgforge("push", local, "--to", target, "--version", "1.0.0", "--latest", "--json")
    assert res.returncode == 0 and json.loads(res.stdout)["uploaded"] is False

    res = imgforge("tag", target, "--bump", "patch", "--latest", "--dry-run", "--json")
    plan = json.loads(res.stdout)
    assert plan["version"] == "1.0.1"
    moves = {t["tag"]: t for t in plan["tags"]}
    assert moves["1.0"]["action"] == "move" and moves["1.0"]["current"] == pushed["digest"]
    assert moves["1.0"]["current_versions"] == ["1.0.0"]
    res = imgforge("push", local, "--to", target, "--bump", "minor", "--dry-run")
    assert res.returncode == 0 and "1.1.0" in res.stdout and f"{pushed['digest']} (1.0.0)" in res.stdout

    (tmp_path / "payload.txt").write_text("two")
    res = imgforge("build", str(tmp_path), "-t", local, "--progress", "quiet")
    assert res.returncode == 0, res.stderr
    res = imgforge("push", local, "--to", target, "--version", "1.0.0")
    assert res.returncode == 1 and "immutable" in res.stderr and pushed["digest"] in res.stderr
    assert "Traceback" not in res.stderr

    report = tmp_path / "report.json"
    report.write_text('{"ok": true}')
    ref = f"{target}@{pushed['digest']}"
    res = imgforge("attach", ref, str(report), "--json")
    assert res.returncode == 0, res.stderr
    art = json.loads(res.stdout)["artifact"]
    res = imgforge("artifacts", f"{target}:1.0.0", "--json")
    assert [a["digest"] for a in json.loads(res.stdout)] == [art]


def test_cli_errors_exit_codes_and_no_password(private_registry, registry, tmp_path: Path):
    htpasswd = tmp_path / "htpasswd"
    password = "very-secret-pw-31337"
    htpasswd.write_text(f"ci:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=5)).decode()}\n")
    reg = private_registry(htpasswd=htpasswd)
    empty = tmp_path / "cfg"
    empty.mkdir()
    env = {"DOCKER_CONFIG": str(empty), "IMGFORGE_REGISTRY_USER": "ci", "IMGFORGE_REGISTRY_PASSWORD": "x" + password}
    res = imgforge("push", "imgforge/busybox:1.35", "--to", f"{reg.address}/app", "--version", "1.0.0", env=env)
    assert res.returncode == 3, res.stderr
    assert "401" in res.stderr and reg.address in res.stderr
    assert password not in res.stderr + res.stdout and "Traceback" not in res.stderr

    (tmp_path / "Dockerfile").write_text("FROM imgforge/busybox:1.35\nRUN echo before\nRUN echo boom && exit 4\n")
    res = imgforge("build", str(tmp_path), "--progress", "quiet")
    assert res.returncode == 1
    assert f"{tmp_path / 'Dockerfile'}:3" in res.stderr and "boom" in res.stderr

    res = imgforge("build", str(tmp_path), "--build-arg", "GITHUB_TOKEN=abc")
    assert res.returncode == 2 and "GITHUB_TOKEN looks like a secret" in res.stderr
