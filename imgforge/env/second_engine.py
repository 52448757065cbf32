"""A second Docker engine on this machine, for tests and benchmarks of work spread over several engines.

It has its own socket, data root, exec root, pid file, containerd and bridge, and it never touches the
host's iptables, `docker0` or the first engine: it runs in the host network namespace (so it reaches the
registry on 127.0.0.1 like the first engine does) with `--iptables=false` and a bridge of its own.
Never start a second engine with `--bridge=none` in the host namespace: that deletes the first one's docker0.
Build steps that need the network use `--network host` (BuildKit allows it by default), since the own
bridge has no NAT.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from imgforge.errors import EnvironmentProblem

# Subnets for the own bridge are taken from here, skipping any a host interface already has.
BRIDGE_POOL = ipaddress.IPv4Network("10.213.0.0/16")


@dataclass(frozen=True)
class SecondEngine:
    """A running second engine: where it answers, where it keeps its state, and its process."""

    name: str
    state: Path
    bridge: str
    pid: int

    @property
    def host(self) -> str:
        """The value of DOCKER_HOST (or `docker -H`) that reaches this engine."""
        return f"unix://{self.state / 'docker.sock'}"

    @property
    def log(self) -> Path:
        """The engine's own log."""
        return self.state / "dockerd.log"

    def env(self) -> dict[str, str]:
        """The process environment with DOCKER_HOST set to this engine (and no context overriding it)."""
        env = {k: v for k, v in os.environ.items() if k != "DOCKER_CONTEXT"}
        env["DOCKER_HOST"] = self.host
        return env


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=False, timeout=60)


def _free_subnet() -> ipaddress.IPv4Network:
    used = []
    for line in _run("ip", "-4", "-o", "addr", "show").stdout.splitlines():
        parts = line.split()
        if "inet" in parts:
            used.append(ipaddress.ip_network(parts[parts.index("inet") + 1], strict=False))
    for subnet in BRIDGE_POOL.subnets(new_prefix=24):
        if not any(subnet.overlaps(u) for u in used):
            return subnet
    raise EnvironmentProblem(f"starting a second engine: no free /24 left in {BRIDGE_POOL}")


def _make_bridge(name: str) -> None:
    subnet = _free_subnet()
    steps = [
        ("ip", "link", "add", "name", name, "type", "bridge"),
        ("ip", "addr", "add", f"{subnet.network_address + 1}/{subnet.prefixlen}", "dev", name),
        ("ip", "link", "set", name, "up"),
    ]
    for step in steps:
        res = _run(*step)
        if res.returncode != 0:
            _run("ip", "link", "del", name)
            raise EnvironmentProblem(f"starting a second engine: {' '.join(step)}: {res.stderr.strip()}")


def _answers(host: str) -> bool:
    # Raw `docker version`: python-on-whales takes no timeout, and a dockerd that is still starting may hang a call.
    return _run("docker", "-H", host, "version", "--format", "{{.Server.Version}}").returncode == 0


def _tail(log: Path) -> str:
    try:
        lines = [ln for ln in log.read_text(errors="replace").splitlines() if "level=error" in ln or "failed" in ln]
    except OSError:
        return "no log"
    return " | ".join(lines[-2:]) or "no error in its log"


def start(
    base: Path | None = None, timeout: float = 60.0, insecure: tuple[str, ...] = ("127.0.0.1:5000",)
) -> SecondEngine:
    """Start a second dockerd beside the first; raise EnvironmentProblem (and clean up) when it does not answer."""
    if shutil.which("dockerd") is None:
        raise EnvironmentProblem("starting a second engine: dockerd is not installed")
    short = uuid.uuid4().hex[:8]
    # Short paths: containerd's socket lives under the exec root and unix socket paths stop at 108 bytes.
    state = Path(tempfile.mkdtemp(prefix=f"ifeng-{short}-", dir=base))
    name, bridge = f"engine-{short}", f"ifeng{short[:6]}"
    config = state / "daemon.json"
    # An empty config of its own: the first engine's /etc/docker/daemon.json must not apply here.
    config.write_text(json.dumps({}))
    _make_bridge(bridge)
    cmd = [
        "dockerd", "--host", f"unix://{state / 'docker.sock'}", "--data-root", str(state / "data"),
        "--exec-root", str(state / "exec"), "--pidfile", str(state / "docker.pid"), "--config-file", str(config),
        "--bridge", bridge, "--iptables=false", "--ip-masq=false", "--ip-forward=false",
        "--cgroup-parent", f"/imgforge-{name}", "--storage-driver", "overlay2",
        *[f"--insecure-registry={reg}" for reg in insecure],
    ]
    with open(state / "dockerd.log", "wb") as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    engine = SecondEngine(name=name, state=state, bridge=bridge, pid=proc.pid)
    deadline = time.monotonic() + timeout
    while not _answers(engine.host):
        if proc.poll() is not None or time.monotonic() > deadline:
            why = _tail(engine.log)
            stop(engine)
            raise EnvironmentProblem(f"starting second engine {name}: it did not answer on {engine.host}: {why}")
        time.sleep(0.3)
    return engine


def _own_processes(engine: SecondEngine) -> list[int]:
    """Pids of processes whose command line names this engine's state folder (its containerd and shims)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(engine.state) in cmdline:
            pids.append(int(entry.name))
    return pids


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        with suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.2)
    return False


def _unmount_under(folder: Path) -> None:
    mounts = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if point == str(folder) or point.startswith(f"{folder}/"):
            mounts.append(point)
    for point in sorted(mounts, key=len, reverse=True):
        _run("umount", "-l", point)


def stop(engine: SecondEngine) -> None:
    """Stop the engine and everything it started, unmount and remove its state and delete its bridge."""
    for pid in [engine.pid, *(p for p in _own_processes(engine) if p != engine.pid)]:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        if not _wait_gone(pid, 30.0):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _wait_gone(pid, 5.0)
    _unmount_under(engine.state)
    shutil.rmtree(engine.state, ignore_errors=True)
    _run("ip", "link", "del", engine.bridge)


@contextmanager
def second_engine(base: Path | None = None) -> Iterator[SecondEngine]:
    """A second engine for the duration of a `with` block."""
    engine = start(base)
    try:
        yield engine
    finally:
        stop(engine)
