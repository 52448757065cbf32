"""Registries of our own: htpasswd auth from a Docker config or env, and a registry killed mid-push."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import threading
import time
from pathlib import Path

import bcrypt
import pytest

from imgforge.artifacts import attach, list_artifacts
from imgforge.errors import RegistryUnavailable
from imgforge.push import existing_tags, push_image
from imgforge.reference import Reference
from imgforge.registry import RegistryClient
from imgforge.tags import plan_tags

USER, PASSWORD = "ci-user", "s3cr3t-Pa55-xyzzy"


@pytest.fixture
def auth_registry(private_registry, tmp_path: Path):
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text(f"{USER}:{bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=5)).decode()}\n")
    return private_registry(htpasswd=htpasswd)


def _docker_config(tmp_path: Path, host: str, password: str) -> Path:
    cfg = tmp_path / "docker-config"
    cfg.mkdir(exist_ok=True)
    auth = base64.b64encode(f"{USER}:{password}".encode()).decode()
    (cfg / "config.json").write_text(json.dumps({"auths": {host: {"auth": auth}}}))
    return cfg


def test_auth_from_docker_config_env_and_clean_failure(auth_registry, tiny_image, unique_repo, tmp_path,
                                                       monkeypatch):
    image = tiny_image(unique_repo.split("/")[1], "auth")
    target = Reference.parse(f"{auth_registry.address}/{unique_repo}")
    monkeypatch.delenv("IMGFORGE_REGISTRY_USER", raising=False)
    monkeypatch.delenv("IMGFORGE_REGISTRY_PASSWORD", raising=False)

    # No credentials at all: a clean 401 naming the registry.
    empty = tmp_path / "empty-config"
    empty.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(empty))
    with pytest.raises(RegistryUnavailable) as info:
        push_image(image, target, plan_tags("1.0.0", {}), client=RegistryClient(auth_registry.address))
    assert "401" in str(info.value) and auth_registry.address in str(info.value)
    assert info.value.exit_code == 3

    # Wrong password: still clean, and the password is nowhere in the message.
    monkeypatch.setenv("DOCKER_CONFIG", str(_docker_config(tmp_path, auth_registry.address, "wrong-" + PASSWORD)))
    with pytest.raises(RegistryUnavailable) as info:
        push_image(image, target, plan_tags("1.0.0", {}), client=RegistryClient(auth_registry.address))
    assert "401" in str(info.value) and PASSWORD not in str(info.value)

    # Docker config with the right credentials: works, for our client and for the engine's upload.
    monkeypatch.setenv("DOCKER_CONFIG", str(_docker_config(tmp_path, auth_registry.address, PASSWORD)))
    client = RegistryClient(auth_registry.address)
    assert PASSWORD not in repr(client.credentials())
    result = push_image(image, target, plan_tags("1.0.0", {}), client=client)
    assert result.uploaded and existing_tags(client, unique_repo)["1.0.0"] == result.digest
    # Artifacts (oras blob uploads) use the same credentials.
    report = tmp_path / "report.json"
    report.write_text("{}")
    art = attach(result.reference, [report], client=client)
    assert [a.digest for a in list_artifacts(result.reference, client=client)] == [art]

    # Env credentials (engine gets a private temporary Docker config).
    monkeypatch.setenv("DOCKER_CONFIG", str(empty))
    monkeypatch.setenv("IMGFORGE_REGISTRY_USER", USER)
    monkeypatch.setenv("IMGFORGE_REGISTRY_PASSWORD", PASSWORD)
    other = Reference.parse(f"{auth_registry.address}/{unique_repo}-env")
    result = push_image(image, other, plan_tags("1.0.0", {}), client=RegistryClient(auth_registry.address))
    assert result.uploaded and result.digest.startswith("sha256:")
    assert list(empty.iterdir()) == []  # nothing written to the user's config


def test_registry_killed_mid_push_retry_completes(docker, private_registry, tiny_image, unique_repo):
    reg = private_registry()
    image = tiny_image(unique_repo.split("/")[1], "fault", layers=3, layer_bytes=24 * 1024 * 1024)
    target = Reference.parse(f"{reg.address}/{unique_repo}")
    uploads = reg.home / "data/docker/registry/v2/repositories/imgforge-staging"
    seen: list[str | None] = []
    stop = threading.Event()

    def watch() -> None:  # what a user pulling the version tag could see during the push
        watcher = RegistryClient(reg.address, attempts=1)
        while not stop.is_set():
            with contextlib.suppress(RegistryUnavailable):
                seen.append(watcher.head_manifest(unique_repo, "2.0.0"))
            time.sleep(0.02)

    def kill_during_upload() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(uploads.glob("**/_uploads/*")):
            time.sleep(0.01)
        os.killpg(int(reg.pid_file.read_text()), signal.SIGKILL)
        killed_at.append(time.monotonic())
        killed.set()
        time.sleep(1.0)
        reg.up()

    killed = threading.Event()
    killed_at: list[float] = []
    said: list[str] = []
    threads = [threading.Thread(target=watch), threading.Thread(target=kill_during_upload)]
    for t in threads:
        t.start()
    try:
        result = push_image(image, target, plan_tags("2.0.0", {}, latest=True),
                            client=RegistryClient(reg.address, backoff=0.5), backoff=0.5, say=said.append)
        pushed_at = time.monotonic()
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert killed.is_set() and killed_at[0] < pushed_at  # the registry really died mid-push
    final = RegistryClient(reg.address).head_manifest(unique_repo, "2.0.0")
    assert final == result.digest
    manifest = json.loads(RegistryClient(reg.address).get_manifest(unique_repo, result.digest).body)
    assert len(manifest["layers"]) == len(docker.image.inspect(image).root_fs.layers)
    assert manifest["config"]["digest"] == docker.image.inspect(image).id
    assert set(seen) <= {None, result.digest}
    print("\n".join(said))  # which layer retried it: the engine's own or ours (shown with -s)


def test_engine_upload_retried_until_the_registry_returns(docker, private_registry, tiny_image, unique_repo):
    from imgforge.push import _engine_push  # the retry loop around `docker push` itself

    reg = private_registry()
    image = tiny_image(unique_repo.split("/")[1] + "-down", "down")
    reg.down()
    restart = threading.Timer(1.2, reg.up)
    restart.start()
    said: list[str] = []
    staging_ref = f"{reg.address}/imgforge-staging/{unique_repo}:push-test"
    try:
        digest = _engine_push(docker, image, Reference.parse(f"{reg.address}/{unique_repo}"), staging_ref,
                              RegistryClient(reg.address), attempts=6, backoff=0.4, say=said.append)
    finally:
        restart.join()
        docker.image.remove(staging_ref)
    assert said and said[0].startswith("upload attempt 1 failed")
    assert RegistryClient(reg.address).head_manifest(f"imgforge-staging/{unique_repo}", "push-test") == digest
