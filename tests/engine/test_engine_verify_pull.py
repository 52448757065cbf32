"""`imgforge verify REF` pulls a registry-only image first, as the kubelet would (real engine and registry)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import yaml

from imgforge.manifest.emit import emit
from imgforge.manifest.spec import ManifestSpec, Probe

APP = Path(__file__).resolve().parents[1] / "data" / "manifest" / "app"
FAST = {"period_seconds": 1, "timeout_seconds": 1}


def test_verify_pulls_a_registry_only_reference(docker, registry, tmp_path: Path) -> None:
    remote = f"{registry.address}/imgforge-test/pull-{uuid.uuid4().hex[:10]}:1.0.0"
    docker.build(APP, tags=[remote], load=True)
    try:
        docker.image.push(remote, quiet=True)
    finally:
        docker.image.remove(remote, force=True)  # the engine no longer has it: only the registry does
    assert not docker.image.exists(remote)
    spec = ManifestSpec(name="app", image=remote, port=8080, uid=10001,
                        liveness=Probe(path="/healthz", failure_threshold=2, **FAST),
                        readiness=Probe(path="/readyz", failure_threshold=2, **FAST))
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text(yaml.safe_dump_all(emit(spec, "deployment")))
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    try:
        res = subprocess.run([sys.executable, "-m", "imgforge", "verify", remote, "--manifest", str(manifest),
                              "--timeout", "20", "--settle", "1"], capture_output=True, text=True, env=env, timeout=300)
        assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
        assert f"pulling {remote}" in res.stderr and "PASS" in res.stdout
        assert docker.image.exists(remote)
    finally:
        docker.image.remove(remote, force=True)
