"""verify against the real engine: a tiny busybox httpd app, good and deliberately broken, probed like the kubelet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from python_on_whales import DockerClient

from imgforge.env.registry import LocalRegistry
from imgforge.manifest.emit import emit
from imgforge.manifest.plan import plan_from_objects
from imgforge.manifest.spec import CpuMemory, ManifestSpec, Probe, Resources, default_liveness, default_readiness
from imgforge.manifest.verify import VerifyReport, verify
from tests.manifest._specs import by_kind

APP = Path(__file__).resolve().parents[1] / "data" / "manifest" / "app"
FAST: dict[str, Any] = {"period_seconds": 1, "timeout_seconds": 1}


def imgforge(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "imgforge", *args], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.fixture(scope="module")
def app_image(docker: DockerClient, cleanup_images: list[str]) -> str:
    """The test app (busybox httpd serving /healthz and /readyz as files, USER 10001, EXPOSE 8080)."""
    if not docker.image.exists("imgforge/busybox:1.35"):
        pytest.fail("base image imgforge/busybox:1.35 is missing (run `imgforge bases build`)")
    tag = f"imgforge-test/manifest-app:{uuid.uuid4().hex[:8]}"
    cleanup_images.append(tag)
    docker.build(APP, tags=[tag], load=True)
    return tag


def spec(**changes: object) -> ManifestSpec:
    base: dict[str, object] = {
        "name": "app", "image": "imgforge-test/app@sha256:" + "0" * 64, "port": 8080, "uid": 10001,
        "liveness": Probe(path="/healthz", failure_threshold=2, **FAST),
        "readiness": Probe(path="/readyz", failure_threshold=2, **FAST),
    }
    base.update(changes)
    return ManifestSpec(**base)  # type: ignore[arg-type]


def run(docker: DockerClient, image: str, s: ManifestSpec, timeout: float = 15) -> VerifyReport:
    report = verify(docker, image, plan_from_objects(emit(s, "pod")), timeout=timeout, settle=1.0)
    assert not docker.container.exists(report.container), "verify must remove its container"
    return report


def test_good_app_passes(docker: DockerClient, app_image: str) -> None:
    report = run(docker, app_image, spec())
    assert report.passed, report.reasons
    assert report.time_to_ready is not None and report.time_to_ready < 5
    assert report.peak_memory_bytes and report.peak_memory_bytes < 64 * 2**20
    assert {r.which for r in report.probes} == {"liveness", "readiness"}
    assert all(r.ok for r in report.probes)


def test_probe_path_that_404s_fails(docker: DockerClient, app_image: str) -> None:
    report = run(docker, app_image, spec(liveness=Probe(path="/livez", failure_threshold=2, **FAST)))
    assert not report.passed
    assert report.restart_at is not None
    assert "liveness" in report.reasons[0] and "GET :8080/livez: HTTP 404" in report.reasons[0]


def test_wrong_port_fails(docker: DockerClient, app_image: str) -> None:
    s = spec(port=9090, liveness=Probe(path="/healthz", failure_threshold=2, **FAST),
             readiness=Probe(path="/readyz", failure_threshold=2, **FAST))
    report = run(docker, app_image, s)
    assert not report.passed
    assert "GET :9090/healthz: connection refused" in report.reasons[0]
    # What the app listens on says why (read from the running container's /proc/net/tcp).
    assert "the app listens on :8080, not :9090" in report.reasons[-1], report.reasons


def test_a_server_bound_to_loopback_is_named(docker: DockerClient, app_image: str) -> None:
    # simonw/datasette's `datasette` serves on 127.0.0.1:8001: the probes were only 'connection refused'.
    s = spec(command=("httpd", "-f", "-p", "127.0.0.1:8080", "-h", "/www"))
    report = run(docker, app_image, s)
    assert not report.passed
    assert report.reasons[-1] == ("the app listens on 127.0.0.1:8080 only, which the kubelet cannot reach: "
                                  "bind it to 0.0.0.0 (all interfaces)"), report.reasons


def test_write_outside_empty_dirs_under_read_only_root_fails(docker: DockerClient, app_image: str) -> None:
    report = run(docker, app_image, spec(env={"PID_FILE": "/var/run/app.pid"}))
    assert not report.passed
    assert report.exit_code == 1 and not report.oom_killed
    assert "read-only root filesystem" in report.reasons[0]
    assert "cannot write /var/run/app.pid" in report.reasons[0]
    # The same app passes once its path is an emptyDir.
    fixed = run(docker, app_image, spec(env={"PID_FILE": "/var/run/app.pid"}, writable_paths=("/tmp", "/var/run")))
    assert fixed.passed, fixed.reasons


def test_memory_limit_below_allocation_is_reported_as_oom(docker: DockerClient, app_image: str) -> None:
    limits = Resources(requests=CpuMemory(cpu="100m", memory="16Mi"), limits=CpuMemory(cpu="500m", memory="24Mi"))
    # At half a CPU the allocation can take over a second: probes that give up later keep the liveness verdict
    # (restart at ~1 s, a right answer too) from coming before the OOM kill this test is about.
    patient = {"liveness": Probe(path="/healthz", failure_threshold=10, **FAST),
               "readiness": Probe(path="/readyz", failure_threshold=10, **FAST)}
    report = run(docker, app_image, spec(env={"ALLOC_MB": "64"}, resources=limits, **patient))
    assert not report.passed
    assert report.oom_killed
    assert report.reasons[0] == "OOM-killed: the app needed more memory than its limit (24Mi)"


def test_liveness_kills_slow_starter_but_startup_probe_saves_it(docker: DockerClient, app_image: str) -> None:
    slow = spec(env={"START_DELAY": "8"}, liveness=Probe(path="/healthz", period_seconds=1, failure_threshold=2))
    report = run(docker, app_image, slow)
    assert not report.passed
    assert report.time_to_ready is None
    assert report.restart_at is not None and report.restart_at < 3
    assert "would have restarted the container" in report.reasons[0] and "before it was ready" in report.reasons[0]
    assert "liveness probe failed 2 times in a row" in report.reasons[0]
    # A shorter start keeps the test fast; the startup probe allows up to 10 s.
    startup = Probe(type="tcp", period_seconds=1, failure_threshold=10)
    saved = run(docker, app_image, slow.model_copy(update={"startup": startup, "env": {"START_DELAY": "3"}}))
    assert saved.passed, saved.reasons
    assert saved.time_to_ready is not None and saved.time_to_ready >= 3


def test_credentials_from_env_never_reach_the_report(docker: DockerClient, app_image: str) -> None:
    secret = "s3cr3t-" + uuid.uuid4().hex
    report = run(docker, app_image, spec(env={"DEBUG_ENV": "1", "API_TOKEN": secret, "PID_FILE": "/var/run/x"}))
    assert not report.passed
    assert "API_TOKEN=***" in report.log_tail
    assert secret not in json.dumps(report.to_dict())


def test_cli_manifest_then_verify_then_recommend(
    docker: DockerClient, registry: LocalRegistry, app_image: str, unique_repo: str, cleanup_images: list[str],
    tmp_path: Path,
) -> None:
    pushed = f"{registry.address}/{unique_repo}:1.0.0"
    docker.image.tag(app_image, pushed)
    cleanup_images.append(pushed)
    docker.image.push(pushed, quiet=True)
    (tmp_path / "imgforge.yaml").write_text(
        "# project\nmanifest:\n  name: app\n"
        "  liveness: {path: /healthz, period_seconds: 1, failure_threshold: 2}\n"
        "  readiness: {path: /readyz, period_seconds: 1}\n"
        "environments:\n  dev: {replicas: 1}\n  prod: {replicas: 3, env: {LOG: warn}}\n", encoding="utf-8")
    out = tmp_path / "k8s"
    res = imgforge("manifest", str(tmp_path), "--image", pushed, "--kind", "deployment", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.yaml")) == [
        "dev/deployment.yaml", "dev/networkpolicy.yaml", "dev/service.yaml", "dev/serviceaccount.yaml",
        "prod/deployment.yaml", "prod/networkpolicy.yaml", "prod/poddisruptionbudget.yaml", "prod/service.yaml",
        "prod/serviceaccount.yaml"]
    dep = yaml.safe_load((out / "prod" / "deployment.yaml").read_text(encoding="utf-8"))
    image = dep["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image.startswith(f"{registry.address}/{unique_repo}@sha256:")
    assert dep["spec"]["replicas"] == 3

    # Only in the registry now: the EXPOSE check reads the config from there.
    docker.image.remove(pushed)
    (tmp_path / "bad.yaml").write_text("manifest:\n  port: 9090\n", encoding="utf-8")
    res = imgforge("manifest", str(tmp_path / "bad.yaml"), "--image", pushed)
    assert res.returncode == 1, res.stderr
    assert "probe port 9090 is not EXPOSEd by the image (exposes: 8080)" in res.stderr
    assert "Deployment/" in res.stderr and "spec.template.spec.containers[0].livenessProbe" in res.stderr

    res = imgforge("verify", app_image, "--manifest", str(out / "prod" / "deployment.yaml"), "--settle", "1",
                   "--recommend", "--settings", str(tmp_path))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "time to ready:" in res.stdout and "verdict: PASS" in res.stdout
    settings = yaml.safe_load((tmp_path / "imgforge.yaml").read_text(encoding="utf-8"))
    assert settings["manifest"]["resources"]["requests"]["memory"].endswith("Mi")
    assert settings["environments"]["prod"] == {"replicas": 3, "env": {"LOG": "warn"}}
    assert (tmp_path / "imgforge.yaml").read_text(encoding="utf-8").startswith("# project\n")


def test_cli_verify_failure_exits_1_with_reason(docker: DockerClient, app_image: str, tmp_path: Path) -> None:
    manifest = tmp_path / "pod.yaml"
    wrong = spec(liveness=Probe(path="/livez", failure_threshold=2, **FAST))
    manifest.write_text(yaml.safe_dump(by_kind(emit(wrong, "pod"), "Pod")))
    res = imgforge("verify", app_image, "--manifest", str(manifest), "--settle", "1", "--json")
    assert res.returncode == 1
    data = json.loads(res.stdout)
    assert data["passed"] is False and data["restart_at"] is not None
    assert "HTTP 404" in res.stderr and "Traceback" not in res.stderr
    assert "is not the image the manifest pins" in res.stderr


def test_tcp_and_exec_probes_and_config_map_mount(docker: DockerClient, app_image: str) -> None:
    s = spec(liveness=Probe(type="tcp", failure_threshold=2, **FAST),
             readiness=Probe(type="exec", command=("cat", "/etc/app/app.conf"), failure_threshold=2, **FAST),
             config_files={"app.conf": "mode = test\n"})
    report = verify(docker, app_image, plan_from_objects(emit(s, "deployment")), timeout=15, settle=1.0)
    assert report.passed, report.reasons
    details = {r.detail for r in report.probes}
    assert "TCP :8080: connected" in details and "exec cat /etc/app/app.conf: exit 0" in details
    broken = s.model_copy(update={"readiness": Probe(type="exec", command=("cat", "/etc/app/missing.conf"), **FAST)})
    report = verify(docker, app_image, plan_from_objects(emit(broken, "deployment")), timeout=4, settle=1.0)
    assert not report.passed and report.reasons == ("not ready within 4s",)
    # No declared health endpoint: the default probes are TCP connects, run for real as well.
    tcp = spec(liveness=default_liveness(None), readiness=default_readiness(None))
    report = verify(docker, app_image, plan_from_objects(emit(tcp)), timeout=15, settle=1.0)
    assert report.passed, report.reasons
    assert {r.which for r in report.probes} == {"liveness", "readiness"}
    assert all(r.detail == "TCP :8080: connected" for r in report.probes)


def test_cli_verify_unknown_image_is_a_usage_error(docker: DockerClient, tmp_path: Path) -> None:
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(yaml.safe_dump(by_kind(emit(spec(), "pod"), "Pod")))
    res = imgforge("verify", "imgforge-test/no-such-image:0", "--manifest", str(manifest))
    assert res.returncode == 2
    assert "verifying imgforge-test/no-such-image:0: the engine has no such image" in res.stderr
