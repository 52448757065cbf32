"""`verify`: run an image the way the kubelet would under a manifest, execute its probes, measure, judge."""

from __future__ import annotations

import contextlib
import datetime
import math
import re
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from python_on_whales import DockerClient
from python_on_whales.exceptions import DockerException

from imgforge.errors import EngineUnavailable, UsageError
from imgforge.manifest import listeners
from imgforge.manifest.envlog import ANSI, missing_env
from imgforge.manifest.plan import RunPlan
from imgforge.manifest.probes import ProbeResult, container_prober, start_probes
from imgforge.manifest.spec import CpuMemory, Resources

MiB = 1024 * 1024


@dataclass(frozen=True)
class VerifyReport:
    """What happened while the probes ran, and the verdict."""

    image: str
    workload: str
    container: str
    passed: bool
    reasons: tuple[str, ...]
    time_to_ready: float | None
    restart_at: float | None
    probes: tuple[ProbeResult, ...]
    peak_memory_bytes: int | None
    peak_cpu_percent: float | None
    memory_limit_bytes: int | None
    oom_killed: bool
    exit_code: int | None
    log_tail: str = ""
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def docker_run_options(plan: RunPlan, work: Path) -> dict[str, Any]:
    """python-on-whales `run` options reproducing the manifest's limits and security context.

    emptyDirs are host folders (mode 0777) under `work`, as the kubelet makes them; Docker's tmpfs ignores
    `mode` on some paths (/var/run) and defaults to noexec. ConfigMaps are read-only binds of files there.
    """
    opts: dict[str, Any] = {
        "detach": True,
        "read_only": plan.read_only_root,
        "cap_drop": ["ALL"],
        "security_options": ["no-new-privileges"],
        "envs": dict(plan.env),
        "labels": {"imgforge.verify": "1"},
        "name": f"imgforge-verify-{uuid.uuid4().hex[:10]}",
    }
    if plan.uid is not None:
        opts["user"] = f"{plan.uid}:{plan.gid if plan.gid is not None else plan.uid}"
    if plan.memory_limit is not None:
        # Kubernetes nodes run without swap: the limit is the whole budget.
        opts["memory"] = plan.memory_limit
        opts["memory_swap"] = plan.memory_limit
    if plan.cpu_limit_millicores is not None:
        opts["cpus"] = plan.cpu_limit_millicores / 1000
    if plan.command:
        opts["entrypoint"] = plan.command[0]
    mounts = [["type=bind", f"source={work / 'empty' / str(i)}", f"target={path}"]
              for i, path in enumerate(plan.writable_paths)]
    mounts += [["type=bind", f"source={work / 'config' / str(i)}", f"target={path}", "readonly"]
               for i, path in enumerate(sorted(plan.config_mounts))]
    if mounts:
        opts["mounts"] = mounts
    return opts


def _run_command(plan: RunPlan) -> list[str]:
    # Kubernetes `command` replaces ENTRYPOINT and `args` replaces CMD.
    return [*plan.command[1:], *plan.args]


def prepare_volumes(plan: RunPlan, work: Path) -> None:
    """Make the emptyDir folders (0777) and ConfigMap folders (read-only files) under `work`."""
    work.chmod(0o755)
    for i in range(len(plan.writable_paths)):
        folder = work / "empty" / str(i)
        folder.mkdir(parents=True)
        folder.chmod(0o777)
        folder.parent.chmod(0o755)
    for i, path in enumerate(sorted(plan.config_mounts)):
        folder = work / "config" / str(i)
        folder.mkdir(parents=True)
        folder.parent.chmod(0o755)
        for name, content in plan.config_mounts[path].items():
            (folder / name).write_text(content, encoding="utf-8")
        folder.chmod(0o755)
        for f in folder.iterdir():
            f.chmod(0o644)


def _cgroup_peak(container_id: str) -> int | None:
    """The kernel's own memory high-water mark for the container, when the cgroup is readable."""
    for candidate in (
        f"/sys/fs/cgroup/memory/docker/{container_id}/memory.max_usage_in_bytes",
        f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/memory.peak",
        f"/sys/fs/cgroup/docker/{container_id}/memory.peak",
    ):
        try:
            return int(Path(candidate).read_text().strip())
        except (OSError, ValueError):
            continue
    return None


def _had_oom_event(docker: DockerClient, container_id: str, elapsed: float) -> bool:
    """Whether the engine recorded an OOM kill in the container that exited: `State.OOMKilled` misses some.

    The engine (20.10) sets the flag on the OOM event and clears it again when the exit event is
    handled after it (2 runs in 12 here when a child is killed and the shell exits on its own). The
    event stays in the engine's log, a few milliseconds late at worst: listen one second past now.
    """
    until = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1)
    try:
        events = docker.system.events(since=datetime.timedelta(seconds=elapsed + 30), until=until,
                                      filters={"container": container_id, "event": "oom"})
        return sum(1 for _ in events) > 0
    except DockerException:
        return False


class _Sampler:
    """Samples `docker stats` in the background and keeps the peaks."""

    def __init__(self, docker: DockerClient, container_id: str) -> None:
        self.docker, self.container_id = docker, container_id
        self.peak_memory: int | None = None
        self.peak_cpu: float | None = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                stats = self.docker.stats([self.container_id])
            except DockerException:
                return
            for s in stats:
                if s.memory_used:
                    self.peak_memory = max(self.peak_memory or 0, int(s.memory_used))
                if s.cpu_percentage is not None:
                    self.peak_cpu = max(self.peak_cpu or 0.0, float(s.cpu_percentage))
            self.stop.wait(0.2)


def _ip_of(container: Any) -> str | None:
    nets = container.network_settings.networks or {}
    for net in nets.values():
        if net.ip_address:
            return str(net.ip_address)
    return None


_SECRET_NAME = re.compile(r"PASS|SECRET|TOKEN|KEY|CRED|AUTH", re.IGNORECASE)


def _redact(text: str, plan: RunPlan) -> str:
    """Hide the values of credential-like env vars (an app may print its environment) in what we report."""
    values = [v for k, v in plan.env.items() if _SECRET_NAME.search(k) and len(v) >= 3]
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, "***")
    return text


def _exit_reason(code: int | None, was_ready: bool, logs: str, plan: RunPlan) -> str:
    text = f"the container exited with code {code}" + ("" if was_ready else " before it was ready")
    logs = ANSI.sub("", logs)  # envalid, pino-pretty and chalk colour what they print even without a terminal
    if "read-only file system" in logs.lower():
        allowed = ", ".join(plan.writable_paths) or "none"
        text += (f": it writes outside its emptyDir paths ({allowed}) under the read-only root filesystem"
                 " - add the path to manifest.writable_paths")
    elif plan.read_only_root and _SQLITE.search(logs):
        # SQLite writes a journal beside its file, so the folder must be writable, not just the file.
        allowed = ", ".join(plan.writable_paths) or "none"
        text += (f": it keeps an SQLite database outside its emptyDir paths ({allowed}) under the read-only root "
                 "filesystem - put the database file in one of them (its folder must be writable), or point the "
                 "app at a database server (DATABASE_URL in manifest.env where the app reads it)")
    elif _PKG_RESOURCES.search(logs):
        # gunicorn < 21 (and older Flask and Django extensions) import it; setuptools 82 no longer ships it, and
        # their `setuptools>=3.0` requirement lets pip take the newest.
        text += (": it imports pkg_resources, which setuptools 82 and later no longer ship - add setuptools<82 to "
                 "the project's requirements, or upgrade the package that imports it (gunicorn 21+ does not)")
    elif _OLD_PSYCOPG2.search(logs):
        # Built from its sdist (no wheel for the catalog's Pythons), an old psycopg2 compiles but cannot start.
        text += (": psycopg2 2.9.1 and older (psycopg2-binary too) does not run on Python 3.11 and later - pin "
                 "psycopg2-binary>=2.9.3 in the project's requirements (the project's own fix), or set an image "
                 "with Python 3.10 or older as runtime.image and builders[].image")
    elif gone := _GONE_NAME.search(logs):
        # Flask 1.x under the Jinja2 3.1 and itsdangerous 2.1 that its open-ended requirements let pip take.
        name, module = gone.groups()
        text += (f": the installed {module} has no {name} any more - a dependency the project does not pin was "
                 f"resolved to a release newer than its code (or an old pin's) expects; pin {module} to the release "
                 "the project was made with in its requirements (the project's own fix)")
    if names := missing_env(logs):
        unset = [n for n in names if n not in plan.env]
        listed = ", ".join(unset[:8]) + (f" and {len(unset) - 8} more" if len(unset) > 8 else "")
        if unset:
            text += (f": it needs environment variables the manifest does not set ({listed}) - set them under "
                     "manifest.env in imgforge.yaml (per environment under environments.NAME.env); the project's "
                     "own configuration requires them with no default, so only you can give their values")
    line = telling_line(logs)
    if line:
        text += f" ({line[0]}: {line[1][:200]})"
    if not was_ready and (code == 0 or _USAGE.search(logs)):
        # A server does not end by itself: the command ran a program that printed its usage or finished its work.
        text += (": the start command ended by itself (a program run without the arguments that make it serve?) "
                 "- set overrides.runtime.entrypoint in imgforge.yaml to the command that runs the server")
    return text


# An application server that answers on its port though the app failed to import: uWSGI goes on in "full dynamic
# mode" and its port answers every probe (glasnt/cloudrun-python-examples' hug app, whose falcon imports `cgi`).
_NO_APP = re.compile(r"\*\*\* no app loaded\. going in full dynamic mode \*\*\*")


def loaded_no_app(logs: str) -> str | None:
    """Why a server that listens serves nothing, when its log says it loaded no app (with the error line that says
    why), else None."""
    if not _NO_APP.search(ANSI.sub("", logs)):
        return None
    line = telling_line(logs)
    cause = f" ({line[0]}: {line[1][:200]})" if line and line[0] == "error in the log" else ""
    return (f"uWSGI loaded no app and serves nothing though its port answers{cause} - the app failed to import; "
            "fix the error above")


_USAGE = re.compile(r"^\s*usage:", re.I | re.M)
_PKG_RESOURCES = re.compile(r"No module named '?pkg_resources'?")
# psycopg2 2.9.1 and older under Python 3.11+ (testdrivenio/django-on-docker's 2.9.1 pin, flask-on-docker's 2.8.6);
# 2.9.3 built from its sdist runs.
_OLD_PSYCOPG2 = re.compile(r"SystemError: initialization of _psycopg raised unreported exception")
# `from jinja2 import escape` against a Jinja2 that removed it: the module lives in the venv (a dependency).
_GONE_NAME = re.compile(r"ImportError: cannot import name '(\w+)' from '([\w.]+)' \(/opt/venv/")
_SQLITE = re.compile(r"unable to open database file|attempt to write a readonly database", re.I)


# An error's own line: `Error: Cannot find module …`, `ModuleNotFoundError: …`, `panic: …`, `FATAL …`, and Bun's
# `error: encryptionKey is required …`.
_ERROR_LINE = re.compile(r"^\s*(?:[\w.]*(?:Error|Exception)\b|panic:|fatal\b|FATAL\b|Uncaught\b|error: )")
# What a runtime prints after the error: Node's version trailer (`Node.js v20.19.2`), Bun's (`Bun v1.4.5 (Linux x64)`).
_TRAILER = re.compile(r"^\s*(?:Node\.js v\d|Bun v\d[\w.+-]* \()")


def telling_line(logs: str) -> tuple[str, str] | None:
    """The log line that says why a container stopped, and what it is: the last error line before a runtime's
    trailer (a crashed Node prints its version last), else the last line."""
    lines = [line for line in ANSI.sub("", logs).strip().splitlines() if line.strip()]
    while lines and _TRAILER.match(lines[-1]):
        lines.pop()
    if not lines:
        return None
    errors = [line for line in lines if _ERROR_LINE.match(line)]
    return ("error in the log", errors[-1].strip()) if errors else ("last log line", lines[-1].strip())


def verify(docker: DockerClient, image: str, plan: RunPlan, timeout: float = 60.0, settle: float = 2.0) -> VerifyReport:
    """Run `image` under `plan`, probe until ready (+`settle` s), restart-worthy failure, exit or `timeout`."""
    reasons: list[str] = []
    # The app may leave files a non-root caller cannot delete in its emptyDirs; leftovers are harmless.
    with tempfile.TemporaryDirectory(prefix="imgforge-verify-", ignore_cleanup_errors=True) as tmp:
        prepare_volumes(plan, Path(tmp))
        opts = docker_run_options(plan, Path(tmp))
        try:
            container = docker.run(image, _run_command(plan), **opts)
        except DockerException as exc:
            text = (exc.stderr or str(exc)).strip().splitlines()
            raise EngineUnavailable(f"verifying {image}: docker run failed: {text[-1] if text else exc}") from exc
        started = time.monotonic()
        try:
            return _observe(docker, image, plan, container, started, timeout, settle, reasons)
        finally:
            with contextlib.suppress(DockerException):
                container.remove(force=True)


def _observe(docker: DockerClient, image: str, plan: RunPlan, container: Any, started: float,
             timeout: float, settle: float, reasons: list[str]) -> VerifyReport:
    sampler = _Sampler(docker, container.id)
    sampler.thread.start()
    container.reload()
    ip = _ip_of(container)
    if ip is None and container.state.running:
        raise UsageError(f"verifying {image}: the container has no IP address on a bridge network")
    # A container that already exited gets no probes: the exit is the finding.
    probes = plan.probes if ip is not None else ()
    # exec probes reach the container's engine (the selected one, maybe remote) through the same flags.
    prober = container_prober(container.id, ip or "", [str(p) for p in docker.client_config.docker_cmd])
    state, join = start_probes(probes, prober, started)
    exited = False
    ready_deadline: float | None = None
    has_readiness = any(p.which == "readiness" for p in plan.probes)
    while not state.stop.is_set():
        now = state.now()
        if state.ready_at is not None and ready_deadline is None:
            ready_deadline = now + settle
        if ready_deadline is not None and now >= ready_deadline:
            break
        if not has_readiness and now >= settle:
            break
        if now >= timeout:
            reasons.append(f"not ready within {timeout:g}s")
            break
        container.reload()
        if not container.state.running:
            exited = True
            break
        time.sleep(0.25)
    join()
    sampler.stop.set()
    container.reload()
    unreached = state.ready_at is None or state.restart_at is not None
    why_refused = _listen_hint(docker, container.id, plan) if unreached and container.state.running else None
    peak_cgroup = _cgroup_peak(container.id)
    sampler.thread.join(timeout=2.5)  # a slow `docker stats` must not hold the verdict back
    state_info = container.state
    exit_code = None if state_info.running else state_info.exit_code
    oom = bool(state_info.oom_killed) or (exit_code not in (None, 0)
                                          and _had_oom_event(docker, container.id, time.monotonic() - started))
    try:
        raw = docker.container.logs(container.id, tail=20)  # a str unless streamed
        logs = _redact(raw if isinstance(raw, str) else "", plan)
    except DockerException:
        logs = ""
    limit = f"{plan.memory_limit // MiB}Mi" if plan.memory_limit else "no limit"
    if oom:
        reasons.insert(0, f"OOM-killed: the app needed more memory than its limit ({limit})")
    elif exit_code == 137:
        reasons.insert(0, f"killed by SIGKILL (exit 137), likely the OOM killer (memory limit {limit})")
    elif exited:
        reasons.insert(0, _exit_reason(exit_code, state.ready_at is not None, logs, plan))
    elif no_app := loaded_no_app(logs):
        reasons.insert(0, no_app)
    if state.restart_at is not None:
        when = "before it was ready" if state.ready_at is None else "after it was ready"
        reasons.append(f"the kubelet would have restarted the container at {state.restart_at:.1f}s {when}: "
                       f"{state.restart_reason}")
    if has_readiness and state.ready_at is None and not reasons:
        reasons.append("never became ready")
    if why_refused and reasons:
        reasons.append(why_refused)
    peaks = [v for v in (peak_cgroup, sampler.peak_memory) if v]
    return VerifyReport(
        image=image, workload=plan.workload, container=container.name, passed=not reasons, reasons=tuple(reasons),
        time_to_ready=round(state.ready_at, 2) if state.ready_at is not None else None,
        restart_at=round(state.restart_at, 2) if state.restart_at is not None else None,
        probes=tuple(state.results), peak_memory_bytes=max(peaks) if peaks else None,
        peak_cpu_percent=round(sampler.peak_cpu, 2) if sampler.peak_cpu is not None else None,
        memory_limit_bytes=plan.memory_limit, oom_killed=oom, exit_code=exit_code, log_tail=logs.strip()[-2000:],
        settings={"user": f"{plan.uid}", "read_only": plan.read_only_root, "empty_dirs": list(plan.writable_paths),
                  "memory": plan.memory_limit, "cpus": (plan.cpu_limit_millicores or 0) / 1000 or None,
                  "cap_drop": "ALL", "no_new_privileges": True},
    )


def _listen_hint(docker: DockerClient, container_id: str, plan: RunPlan) -> str | None:
    """What the running app listens on, when that explains its unanswered probes (None when it does not, or the
    image has no `cat` to read /proc/net/tcp with)."""
    ports = sorted({p.port for p in plan.probes if p.kind in ("tcp", "http") and p.port is not None})
    if not ports:
        return None
    tables = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):  # tcp6 is missing where IPv6 is off
        with contextlib.suppress(DockerException):
            text = docker.container.execute(container_id, ["cat", table])
            tables.append(text if isinstance(text, str) else "")
    return listeners.hint(listeners.parse("\n".join(tables)), ports[0]) if tables else None


def digest_note(docker: DockerClient, image: str, plan: RunPlan) -> str | None:
    """A warning when `image` is not the image the manifest pins (its digest is not among the RepoDigests)."""
    _, _, digest = plan.image.partition("@")
    if not digest:
        return f"the manifest's image {plan.image} is not pinned by digest"
    try:
        repo_digests = docker.image.inspect(image).repo_digests or []
    except DockerException:
        return None
    if any(d.endswith("@" + digest) for d in repo_digests):
        return None
    return f"{image} is not the image the manifest pins ({digest[:19]}...); verifying {image} anyway"


def recommend(report: VerifyReport, margin: float = 0.25) -> Resources:
    """requests = peak x (1+margin), limits = peak x (1+2*margin); floors 16Mi/10m requests, 32Mi/100m limits."""
    if report.peak_memory_bytes is None:
        raise UsageError("recommending resources: no memory was measured (did the container run?)")
    mem = report.peak_memory_bytes
    cpu_m = (report.peak_cpu_percent or 0.0) * 10  # 100% of one core = 1000m
    req_mem = max(16, math.ceil(mem * (1 + margin) / MiB))
    lim_mem = max(32, req_mem, math.ceil(mem * (1 + 2 * margin) / MiB))
    req_cpu = max(10, math.ceil(cpu_m * (1 + margin)))
    lim_cpu = max(100, req_cpu, math.ceil(cpu_m * (1 + 2 * margin)))
    return Resources(requests=CpuMemory(cpu=f"{req_cpu}m", memory=f"{req_mem}Mi"),
                     limits=CpuMemory(cpu=f"{lim_cpu}m", memory=f"{lim_mem}Mi"))
