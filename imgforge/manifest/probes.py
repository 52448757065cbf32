"""Probes run the kubelet's way: HTTP GET (200-399), TCP connect, exec; and the schedule that decides ready/restart."""

from __future__ import annotations

import http.client
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from imgforge.manifest.plan import ProbeCheck


@dataclass(frozen=True)
class ProbeResult:
    """One probe execution: which probe, seconds since the container started, outcome and why."""

    which: str
    at: float
    ok: bool
    detail: str


class Prober(Protocol):
    """Executes one probe against the running container; returns (ok, detail)."""

    def __call__(self, probe: ProbeCheck, /) -> tuple[bool, str]: ...


def http_get(host: str, port: int, path: str, timeout: float) -> tuple[bool, str]:
    """GET like the kubelet: success is a status in 200-399 within `timeout` seconds."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"User-Agent": "kube-probe/imgforge", "Accept": "*/*"})
        status = conn.getresponse().status
    except ConnectionRefusedError:
        return False, f"GET :{port}{path}: connection refused"
    except TimeoutError:
        return False, f"GET :{port}{path}: no answer within {timeout:g}s"
    except (OSError, http.client.HTTPException) as exc:
        return False, f"GET :{port}{path}: {exc.__class__.__name__}: {exc}"
    finally:
        conn.close()
    return 200 <= status < 400, f"GET :{port}{path}: HTTP {status}"


def tcp_connect(host: str, port: int, timeout: float) -> tuple[bool, str]:
    """A TCP connect within `timeout` seconds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True, f"TCP :{port}: connected"
    except ConnectionRefusedError:
        return False, f"TCP :{port}: connection refused"
    except TimeoutError:
        return False, f"TCP :{port}: no answer within {timeout:g}s"
    except OSError as exc:
        return False, f"TCP :{port}: {exc}"


def docker_exec(container: str, command: tuple[str, ...], timeout: float,
                docker: Sequence[str] = ("docker",)) -> tuple[bool, str]:
    """`docker exec` in the container (`docker`: the command reaching its engine); success is exit 0 in time."""
    shown = " ".join(command)
    # Raw `docker exec`: python-on-whales' `container.execute()` takes no timeout, and a probe is its timeout.
    try:
        out = subprocess.run([*docker, "exec", container, *command], capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return False, f"exec {shown}: no exit within {timeout:g}s"
    except OSError as exc:
        return False, f"exec {shown}: {exc}"
    return out.returncode == 0, f"exec {shown}: exit {out.returncode}"


def container_prober(container: str, ip: str, docker: Sequence[str] = ("docker",)) -> Prober:
    """Probes from the host against the container's bridge IP (exec inside the container, on `docker`'s engine)."""

    def run(probe: ProbeCheck) -> tuple[bool, str]:
        if probe.kind == "http":
            return http_get(ip, probe.port or 80, probe.path or "/", probe.timeout)
        if probe.kind == "tcp":
            return tcp_connect(ip, probe.port or 80, probe.timeout)
        return docker_exec(container, probe.command, probe.timeout, docker)

    return run


@dataclass
class Schedule:
    """Shared state of the probe loops; `stop` ends them all."""

    started: float
    stop: threading.Event
    results: list[ProbeResult]
    lock: threading.Lock
    startup_done: threading.Event
    ready_at: float | None = None
    restart_at: float | None = None
    restart_reason: str | None = None

    def now(self) -> float:
        return time.monotonic() - self.started


def _loop(probe: ProbeCheck, run: Prober, state: Schedule, has_startup: bool) -> None:
    if probe.which != "startup" and has_startup:
        while not state.startup_done.wait(0.05):
            if state.stop.is_set():
                return
    # initialDelaySeconds counts from the container's start, also for probes gated by a startup probe.
    due = max(state.now(), probe.initial_delay)
    failures = successes = 0
    while not state.stop.wait(max(0.0, due - state.now())):
        due += probe.period
        ok, detail = run(probe)
        at = state.now()
        with state.lock:
            state.results.append(ProbeResult(probe.which, round(at, 2), ok, detail))
        failures, successes = (0, successes + 1) if ok else (failures + 1, 0)
        if probe.which == "startup" and successes >= probe.success_threshold:
            state.startup_done.set()
            return
        if probe.which == "readiness" and ok and successes >= probe.success_threshold and state.ready_at is None:
            state.ready_at = at
        if probe.which in ("liveness", "startup") and failures >= probe.failure_threshold:
            with state.lock:
                if state.restart_at is None:
                    state.restart_at = at
                    state.restart_reason = (f"{probe.which} probe failed {failures} times in a row "
                                            f"(failureThreshold {probe.failure_threshold}): {detail}")
            state.stop.set()
            return


def start_probes(probes: tuple[ProbeCheck, ...], run: Prober, started: float) -> tuple[Schedule, Callable[[], None]]:
    """Start one thread per probe on the kubelet's schedule; returns the state and a join function."""
    state = Schedule(started, threading.Event(), [], threading.Lock(), threading.Event())
    has_startup = any(p.which == "startup" for p in probes)
    if not has_startup:
        state.startup_done.set()
    threads = [threading.Thread(target=_loop, args=(p, run, state, has_startup), daemon=True) for p in probes]
    for t in threads:
        t.start()

    def join() -> None:
        state.stop.set()
        for t in threads:
            t.join(timeout=max((p.timeout for p in probes), default=1) + 5)

    return state, join
