"""The engine seam: archive scans never contact the engine; pure logic takes a fake `ImageEngine`."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import imgforge.env.engine
import imgforge.image.daemon
import imgforge.scan.engine
from imgforge.env.engine import Engine, ImageFacts, client, default_pull_policy, must_pull
from imgforge.errors import UsageError
from imgforge.registry.auth import credentials_for
from imgforge.scan import NoDetector, scan

BASE_LABEL = "org.opencontainers.image.base.name"


def _layer(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _archive(path: Path, layers: list[bytes], labels: dict[str, str]) -> list[str]:
    """A `docker save` archive with these layers and config labels; returns the diff ids."""
    diff_ids = ["sha256:" + hashlib.sha256(data).hexdigest() for data in layers]
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": labels},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids},
                         "history": [{"created_by": f"COPY f{i} /"} for i in range(len(layers))]}).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    names = [f"{d[7:]}/layer.tar" for d in diff_ids]
    manifest = json.dumps([{"Config": config_name, "RepoTags": ["seam:1"], "Layers": names}]).encode()
    with tarfile.open(path, "w") as tf:
        for name, data in [(config_name, config), *zip(names, layers, strict=True), ("manifest.json", manifest)]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return diff_ids


class FakeEngine:
    """An `ImageEngine` that knows one base image."""

    def __init__(self, base: str, diff_ids: tuple[str, ...]) -> None:
        self.base, self.diff_ids = base, diff_ids
        self.asked: list[str] = []

    def has_image(self, ref: str) -> bool:
        return ref == self.base

    def image_facts(self, ref: str) -> ImageFacts | None:
        self.asked.append(ref)
        return ImageFacts(ref, 1, self.diff_ids, ()) if ref == self.base else None


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "app.tar"
    diff_ids = _archive(path, [_layer({"base.txt": b"b" * 100}), _layer({"app.txt": b"a" * 10})],
                        {BASE_LABEL: "imgforge/base:1"})
    return path, diff_ids


def test_archive_scan_never_contacts_the_engine(archive, monkeypatch) -> None:
    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("an archive scan contacted the engine")

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/imgforge-no-engine.sock")
    for module in (imgforge.env.engine, imgforge.scan.engine, imgforge.image.daemon):
        monkeypatch.setattr(module, "connect", refuse, raising=False)
    for module in (imgforge.env.engine, imgforge.image.daemon):
        monkeypatch.setattr(module, "client", refuse)
    report = scan(str(archive[0]), detector=NoDetector())
    assert report.total_bytes == 110 and len(report.layers) == 2
    assert report.base_layers is None  # the base label alone gives no boundary without an engine


def test_archive_scan_cli_with_no_engine(archive) -> None:
    env = {**os.environ, "DOCKER_HOST": "unix:///nonexistent/imgforge-no-engine.sock", "NO_COLOR": "1"}
    res = subprocess.run([sys.executable, "-m", "imgforge", "scan", str(archive[0]), "--json"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["total_bytes"] == 110


def test_base_boundary_from_a_given_engine(archive) -> None:
    path, diff_ids = archive
    engine = FakeEngine("imgforge/base:1", (diff_ids[0],))
    report = scan(str(path), detector=NoDetector(), engine=engine)
    assert engine.asked == ["imgforge/base:1"]
    assert report.base_layers == 1 and report.user is not None and report.user.total_bytes == 10


def test_a_base_that_is_not_a_prefix_gives_no_boundary(archive) -> None:
    engine = FakeEngine("imgforge/base:1", ("sha256:" + "0" * 64,))
    assert scan(str(archive[0]), detector=NoDetector(), engine=engine).base_layers is None


def test_pull_credentials_from_the_environment_go_in_a_private_config(monkeypatch) -> None:
    monkeypatch.setenv("IMGFORGE_REGISTRY_USER", "ci")
    monkeypatch.setenv("IMGFORGE_REGISTRY_PASSWORD", "s3cr3t-Pa55word")
    engine = Engine(client())
    creds = credentials_for("registry.example:5000")
    with engine.logged_in("registry.example:5000", creds) as docker:
        cmd = [str(p) for p in docker.client_config.docker_cmd]
        config_dir = Path(cmd[cmd.index("--config") + 1])
        config = config_dir / "config.json"
        assert oct(config.stat().st_mode & 0o777) == "0o600"
        assert "registry.example:5000" in json.loads(config.read_text())["auths"]
        assert not any("s3cr3t" in part for part in cmd)  # never on a command line
    assert not config_dir.exists()
    with engine.logged_in("registry.example:5000", None) as docker:
        assert docker is engine.docker  # the user's own Docker config and helpers apply


@pytest.mark.parametrize(("ref", "present", "policy", "pull"), [
    ("127.0.0.1:5000/app:1.0.0", False, "IfNotPresent", True),
    ("127.0.0.1:5000/app:1.0.0", True, "IfNotPresent", False),
    ("127.0.0.1:5000/app:1.0.0", True, "Always", True),
    ("127.0.0.1:5000/app:1.0.0", True, "Never", False),
    ("app:dev", True, "Always", False),  # nowhere to pull a local name from: run what the engine has
])
def test_the_kubelet_pull_rule(ref: str, present: bool, policy: str, pull: bool) -> None:
    assert must_pull(ref, present, policy, "verifying") is pull  # type: ignore[arg-type]


@pytest.mark.parametrize(("ref", "policy"), [("app:dev", "IfNotPresent"), ("127.0.0.1:5000/app:1.0.0", "Never")])
def test_a_missing_image_that_cannot_be_pulled_is_a_usage_error(ref: str, policy: str) -> None:
    with pytest.raises(UsageError, match=f"verifying {ref}: the engine has no such image"):
        must_pull(ref, False, policy, f"verifying {ref}")  # type: ignore[arg-type]


def test_the_kubelet_default_pull_policy() -> None:
    assert default_pull_policy("127.0.0.1:5000/app") == "Always"
    assert default_pull_policy("127.0.0.1:5000/app:latest") == "Always"
    assert default_pull_policy("127.0.0.1:5000/app:1.0.0") == "IfNotPresent"
    assert default_pull_policy("127.0.0.1:5000/app@sha256:" + "0" * 64) == "IfNotPresent"
