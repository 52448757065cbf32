"""checkov (its Kubernetes framework) over every emitted manifest: every sample, every environment, both kinds.

checkov pins `packaging<24` while pytest needs `>=24`, so it lives in a venv of its own beside the project's
(`.venv-checkov`, made by .ci/setup) and runs once over one folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from imgforge.manifest.emit import to_yaml
from imgforge.manifest.image import ImageConfig
from imgforge.manifest.project import file_name, make_manifests

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "127.0.0.1:5000/samples/app@sha256:" + "e" * 64
# Each skip names why it does not apply to what imgforge emits (README, "Manifests and verify").
SKIPPED = {
    "CKV_K8S_21": "the namespace is chosen at apply time (kubectl -n, or a kustomize overlay's `namespace:`)",
}
FULL = """\
manifest:
  name: shop-api
  port: 9000
  uid: 10001
  gid: 10002
  startup: {type: tcp, period_seconds: 2, failure_threshold: 30}
  liveness: {path: /livez}
  readiness: {path: /readyz}
  writable_paths: [/tmp, /var/cache/api]
  env: {LOG_LEVEL: info}
  config_files: {api.conf: api.conf}
  config_mount_path: /etc/api
  part_of: shop
  operations:
    egress_to: [10.0.0.0/8]
    autoscaler: {min_replicas: 2, max_replicas: 6}
environments:
  dev: {replicas: 1}
  prod: {replicas: 3, resources: {limits: {memory: 256Mi}}}
"""


def checkov() -> str:
    """The checkov command: $IMGFORGE_CHECKOV, the venv beside this interpreter's, or checkov on the PATH."""
    for candidate in (os.environ.get("IMGFORGE_CHECKOV"), str(ROOT / ".venv-checkov" / "bin" / "checkov"),
                      str(Path(sys.prefix).parent / ".venv-checkov" / "bin" / "checkov"), shutil.which("checkov")):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail("checkov is not installed: run `bash .ci/setup` (it makes .venv-checkov)")


class _NoImage:
    """No engine or registry: the image is pinned by digest, its facts come from the recipe and settings."""

    def local_config(self, ref: str) -> ImageConfig | None:
        return None


def _write(folder: Path, objects: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for obj in objects:
        (folder / file_name(obj)).write_text(to_yaml([obj]), encoding="utf-8")


def test_checkov_passes_every_emitted_manifest(tmp_path: Path) -> None:
    full = tmp_path / "full-project"
    full.mkdir()
    (full / "imgforge.yaml").write_text(FULL, encoding="utf-8")
    (full / "api.conf").write_text("threads = 4\n", encoding="utf-8")
    projects = [*sorted(p for p in (ROOT / "samples").iterdir() if (p / "imgforge.yaml").is_file()), full]
    out = tmp_path / "manifests"
    count = 0
    for project in projects:
        for kind in ("deployment", "pod"):
            emitted = make_manifests(project, IMAGE, kind, source=_NoImage())  # type: ignore[arg-type]
            for env, objects in emitted.objects.items():
                _write(out / project.name / kind / (env or "base"), objects)
                count += len(objects)
    assert len(projects) >= 6 and count >= 50
    res = subprocess.run([checkov(), "-d", str(out), "--framework", "kubernetes", "-o", "json", "--quiet",
                          "--skip-check", ",".join(SKIPPED)], capture_output=True, text=True, timeout=600, check=False)
    reports = json.loads(res.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [(c["check_id"], c["check_name"], c["file_path"]) for r in reports for c in r["results"]["failed_checks"]]
    summary = {k: sum(r["summary"][k] for r in reports) for k in ("passed", "failed", "resource_count")}
    assert failed == [], failed
    assert summary["passed"] >= 10 * summary["resource_count"] // 2, summary
    assert summary["resource_count"] >= count, summary  # checkov also counts each container as a resource
    print(f"checkov: {summary['passed']} passed, {summary['failed']} failed over {count} objects; "
          f"skipped {sorted(SKIPPED)}")
