"""From manifest to `docker run` options, and the kubelet probe schedule (with a fake prober, short periods)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from imgforge.errors import UsageError
from imgforge.manifest.emit import emit
from imgforge.manifest.plan import ProbeCheck, load_manifest, plan_from_objects
from imgforge.manifest.probes import start_probes
from imgforge.manifest.verify import VerifyReport, docker_run_options, recommend
from tests.manifest._specs import fixed_spec


def test_plan_reads_limits_user_mounts_and_probes() -> None:
    plan = plan_from_objects(emit(fixed_spec(command=("/bin/web",), args=("--serve",)), "deployment"))
    assert plan.workload == "Deployment/web"
    assert (plan.uid, plan.gid) == (10001, 10001)
    assert plan.memory_limit == 128 * 2**20 and plan.cpu_limit_millicores == 500
    assert plan.writable_paths == ("/tmp", "/var/cache/web") and plan.read_only_root
    assert plan.config_mounts == {"/etc/web": {"web.conf": "listen = 8080\nworkers = 2\n"}}
    by = {p.which: p for p in plan.probes}
    assert (by["liveness"].kind, by["liveness"].port, by["liveness"].path) == ("http", 8080, "/healthz")
    assert (by["startup"].kind, by["startup"].port, by["startup"].failure_threshold) == ("tcp", 8080, 30)
    assert plan.env == {"APP_MODE": "server", "LOG_LEVEL": "info"}


def test_docker_run_options_mirror_the_security_context() -> None:
    plan = plan_from_objects(emit(fixed_spec(command=("/bin/web", "-v")), "pod"))
    opts = docker_run_options(plan, Path("/w"))
    assert opts["read_only"] is True and opts["cap_drop"] == ["ALL"]
    assert opts["security_options"] == ["no-new-privileges"]
    assert opts["user"] == "10001:10001"
    assert opts["memory"] == opts["memory_swap"] == 128 * 2**20
    assert opts["cpus"] == 0.5
    assert opts["mounts"] == [["type=bind", "source=/w/empty/0", "target=/tmp"],
                              ["type=bind", "source=/w/empty/1", "target=/var/cache/web"],
                              ["type=bind", "source=/w/config/0", "target=/etc/web", "readonly"]]
    assert opts["entrypoint"] == "/bin/web"


def _probe(which: str, **kw: object) -> ProbeCheck:
    base = ProbeCheck(which=which, kind="http", port=8080, path="/", command=(), initial_delay=0.0,
                      period=0.05, timeout=0.05, failure_threshold=2, success_threshold=1)
    return replace(base, **kw)  # type: ignore[arg-type]


def _wait(cond, limit: float = 3.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + limit
    while not cond() and time.monotonic() < end:
        time.sleep(0.01)


def test_liveness_failures_in_a_row_would_restart() -> None:
    probes = (_probe("liveness"), _probe("readiness", path="/ready"))
    state, join = start_probes(probes, lambda p: (p.which == "readiness", "fake"), time.monotonic())
    _wait(lambda: state.restart_at is not None)
    join()
    assert state.restart_at is not None
    assert "failureThreshold 2" in (state.restart_reason or "")
    assert state.ready_at is not None
    fails = [r for r in state.results if r.which == "liveness"]
    assert [r.ok for r in fails] == [False, False]


def test_startup_probe_gates_liveness_and_readiness() -> None:
    calls: list[tuple[str, float]] = []
    started = time.monotonic()

    def run(p: ProbeCheck) -> tuple[bool, str]:
        calls.append((p.which, time.monotonic() - started))
        return (p.which != "startup" or time.monotonic() - started > 0.2), "fake"

    probes = (_probe("startup", failure_threshold=50), _probe("liveness"), _probe("readiness"))
    state, join = start_probes(probes, run, started)
    _wait(lambda: state.ready_at is not None)
    join()
    first_startup_ok = next(t for w, t in calls if w == "startup" and t > 0.2)
    assert all(t >= first_startup_ok for w, t in calls if w != "startup")
    assert state.restart_at is None and state.ready_at is not None and state.ready_at >= 0.2


def test_recommend_states_its_margin() -> None:
    report = VerifyReport(image="x", workload="Pod/x", container="c", passed=True, reasons=(), time_to_ready=0.1,
                          restart_at=None, probes=(), peak_memory_bytes=100 * 2**20, peak_cpu_percent=40.0,
                          memory_limit_bytes=None, oom_killed=False, exit_code=None)
    res = recommend(report, margin=0.25)
    assert (res.requests.memory, res.limits.memory) == ("125Mi", "150Mi")
    assert (res.requests.cpu, res.limits.cpu) == ("500m", "600m")


def test_initial_delay_counts_from_container_start() -> None:
    started = time.monotonic()
    calls: list[float] = []

    def run(p: ProbeCheck) -> tuple[bool, str]:
        calls.append(time.monotonic() - started)
        return True, "fake"

    state, join = start_probes((_probe("readiness", initial_delay=0.3),), run, started)
    _wait(lambda: state.ready_at is not None)
    join()
    assert calls and calls[0] >= 0.3
    assert state.ready_at is not None and 0.3 <= state.ready_at < 1.0


@pytest.mark.parametrize("mangle", [
    lambda c: c["ports"][0].update({"containerPort": "eighty"}),
    lambda c: c.update({"env": "LOG=info"}),
    lambda c: c.update({"livenessProbe": {"httpGet": {"port": "nope"}}}),
    lambda c: c["resources"]["limits"].update({"memory": ["64Mi"]}),
    lambda c: c.update({"volumeMounts": [{"name": "tmp"}]}),
])
def test_a_malformed_manifest_is_a_usage_error(mangle: Callable[[dict[str, Any]], None]) -> None:
    objs = emit(fixed_spec(), "pod")
    mangle(next(o for o in objs if o["kind"] == "Pod")["spec"]["containers"][0])
    with pytest.raises(UsageError, match="reading"):
        plan_from_objects(objs)


def test_a_deeply_nested_manifest_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 50000 + "]" * 50000 + "\n", encoding="utf-8")
    with pytest.raises(UsageError, match="reading manifest"):
        load_manifest(tmp_path / "deep.yaml")
