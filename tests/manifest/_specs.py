"""Fixed specs shared by the manifest tests."""

from __future__ import annotations

from typing import Any

from imgforge.manifest.spec import CpuMemory, ManifestSpec, Probe, Resources

DIGEST = "sha256:" + "3" * 64
IMAGE = f"127.0.0.1:5000/team/web@{DIGEST}"


def fixed_spec(**changes: object) -> ManifestSpec:
    """The spec behind the golden files; `changes` replace fields."""
    base: dict[str, object] = {
        "name": "web", "image": IMAGE, "version": "1.4.2", "revision": "0f1e2d3c", "source": "https://git.example.org/team/web",
        "part_of": "shop", "port": 8080, "uid": 10001,
        "liveness": Probe(path="/healthz", period_seconds=10, failure_threshold=3),
        "readiness": Probe(path="/readyz", period_seconds=5, failure_threshold=2),
        "startup": Probe(type="tcp", period_seconds=2, failure_threshold=30),
        "resources": Resources(requests=CpuMemory(cpu="100m", memory="64Mi"),
                               limits=CpuMemory(cpu="500m", memory="128Mi")),
        "writable_paths": ("/tmp", "/var/cache/web"), "env": {"LOG_LEVEL": "info", "APP_MODE": "server"},
        "replicas": 2, "image_pull_secrets": ("regcred",), "config_files": {"web.conf": "listen = 8080\nworkers = 2\n"},
        "config_mount_path": "/etc/web",
    }
    base.update(changes)
    return ManifestSpec(**base)  # type: ignore[arg-type]


def by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """The one object of `kind` among `objects`."""
    found = [o for o in objects if o["kind"] == kind]
    assert len(found) == 1, [o["kind"] for o in objects]
    return found[0]
