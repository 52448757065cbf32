"""The input model of manifest emission: what one workload needs, independent of where it came from.

Field rules (names, ports, quantities, keys) are annotated types shared with the settings models, so a
bad value in imgforge.yaml is reported at its line; rules across fields are `spec_problems`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from imgforge.errors import UsageError
from imgforge.manifest import rules


def cpu_millicores(quantity: str) -> int:
    """Kubernetes cpu quantity ("250m", "0.5", "2") in millicores; UsageError when it is not one."""
    try:
        return rules.cpu_millicores(str(quantity))
    except ValueError as exc:
        raise UsageError(f"reading {exc}") from exc


def memory_bytes(quantity: str) -> int:
    """Kubernetes memory quantity ("128Mi", "1G", "1048576") in bytes; UsageError when it is not one."""
    try:
        return rules.bytes_of(str(quantity))
    except ValueError as exc:
        raise UsageError(f"reading {exc}") from exc


def _invalid(reason: str) -> PydanticCustomError:
    # A custom error carries the reason alone (no "Value error, " prefix) into the one-line settings message.
    return PydanticCustomError("imgforge_rule", "{reason}", {"reason": reason})


def _rule(check: Callable[[str], str | None]) -> AfterValidator:
    def run(value: str) -> str:
        problem = check(value)
        if problem:
            raise _invalid(problem)
        return value

    return AfterValidator(run)


def _quantity(parse: Callable[[str], int]) -> BeforeValidator:
    def run(value: object) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _invalid("a quantity must be a string such as 250m or 64Mi")
        text = str(value)
        try:
            parse(text)
        except ValueError as exc:
            raise _invalid(str(exc)) from exc
        return text

    return BeforeValidator(run)


def _storage(text: str) -> int:
    return rules.bytes_of(text, "storage")


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=False))
    except ValueError as exc:
        raise _invalid(f"{value!r} is not an IP network such as 10.0.0.0/8") from exc


ServiceName = Annotated[str, _rule(rules.dns1035_label)]
PortName = Annotated[str, _rule(rules.port_name)]
SecretName = Annotated[str, _rule(rules.dns1123_subdomain)]
LabelValue = Annotated[str, _rule(rules.label_value)]
EnvName = Annotated[str, _rule(rules.env_name)]
ConfigKey = Annotated[str, _rule(rules.config_key)]
MountPath = Annotated[str, _rule(rules.mount_path)]
Port = Annotated[int, Field(ge=1, le=65535)]
Id = Annotated[int, Field(ge=0, le=rules.MAX_ID)]
CpuQuantity = Annotated[str, _quantity(rules.cpu_millicores)]
MemoryQuantity = Annotated[str, _quantity(rules.bytes_of)]
StorageQuantity = Annotated[str, _quantity(_storage)]
Cidr = Annotated[str, AfterValidator(_cidr)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Probe(_Strict):
    """One probe: an HTTP GET path, a TCP connect or a command, and the kubelet's timing fields."""

    type: Literal["http", "tcp", "exec"] = "http"
    path: str | None = None
    port: Port | PortName | None = Field(default=None, description="defaults to the container port")
    command: tuple[str, ...] = ()
    initial_delay_seconds: int = Field(default=0, ge=0, le=3600)
    period_seconds: int = Field(default=10, ge=1, le=3600)
    timeout_seconds: int = Field(default=1, ge=1, le=3600)
    failure_threshold: int = Field(default=3, ge=1, le=1000)
    success_threshold: int = Field(default=1, ge=1, le=1000)

    @model_validator(mode="after")
    def _handler_complete(self) -> Probe:
        if self.type == "http" and not (self.path or "").startswith("/"):
            raise ValueError("an http probe needs a path starting with '/'")
        if self.type == "exec" and not self.command:
            raise ValueError("an exec probe needs a command")
        return self


def default_liveness(path: str | None = "/healthz") -> Probe:
    """Liveness: patient (restarts are expensive), 3 failures 10 s apart; a TCP connect when `path` is None."""
    if path is None:
        return Probe(type="tcp", period_seconds=10, timeout_seconds=2, failure_threshold=3)
    return Probe(path=path, period_seconds=10, timeout_seconds=2, failure_threshold=3)


def default_readiness(path: str | None = "/readyz") -> Probe:
    """Readiness: quick to take a pod out of the Service, 2 failures 5 s apart; a TCP connect when `path` is None."""
    if path is None:
        return Probe(type="tcp", period_seconds=5, timeout_seconds=2, failure_threshold=2)
    return Probe(path=path, period_seconds=5, timeout_seconds=2, failure_threshold=2)


class CpuMemory(_Strict):
    """A cpu and memory pair, as Kubernetes quantities."""

    cpu: CpuQuantity
    memory: MemoryQuantity


class Resources(_Strict):
    """requests and limits for cpu and memory (both are always emitted)."""

    requests: CpuMemory = CpuMemory(cpu="100m", memory="64Mi")
    limits: CpuMemory = CpuMemory(cpu="500m", memory="128Mi")


class Storage(_Strict):
    """ephemeral-storage request and limit (logs, emptyDirs and the writable layer count against it)."""

    request: StorageQuantity = "64Mi"
    limit: StorageQuantity = "256Mi"


class Autoscaler(_Strict):
    """A HorizontalPodAutoscaler on cpu utilisation (of the cpu request)."""

    min_replicas: int = Field(default=2, ge=1, le=10000)
    max_replicas: int = Field(default=5, ge=1, le=10000)
    cpu_percent: int = Field(default=80, ge=1, le=1000)


class Operations(_Strict):
    """The objects and fields a cluster admin expects beside the workload; each can be switched off."""

    network_policy: bool = Field(default=True, description="ingress only to the service port")
    egress_to: tuple[Cidr, ...] | None = Field(default=None, description="None: egress open; else these networks + DNS")
    disruption_budget: bool = Field(default=True, description="a PodDisruptionBudget when replicas >= 2")
    topology_spread: bool = Field(default=True, description="spread over nodes when replicas >= 2")
    service_account: bool = Field(default=True, description="a ServiceAccount of its own, no token mounted")
    config_hash: bool = Field(default=True, description="ConfigMap named with a hash of its content")
    ephemeral_storage: Storage | None = Storage()
    empty_dir_size: StorageQuantity | None = Field(default="64Mi", description="sizeLimit of each emptyDir")
    pre_stop_seconds: int = Field(default=5, ge=0, le=300, description="sleep before SIGTERM so endpoints drain")
    drain_seconds: int = Field(default=25, ge=1, le=3600, description="time the app gets after SIGTERM")
    autoscaler: Autoscaler | None = None


class ManifestSpec(_Strict):
    """Everything `emit` needs for one workload; `image` should already be pinned by digest."""

    name: ServiceName
    image: str
    version: str | None = None
    revision: str | None = None
    source: str | None = None
    part_of: LabelValue | None = None
    component: LabelValue = "server"
    port: Port
    port_name: PortName = "http"
    uid: Id
    gid: Id | None = None
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    liveness: Probe
    readiness: Probe
    startup: Probe | None = None
    resources: Resources = Resources()
    writable_paths: tuple[MountPath, ...] = ("/tmp",)
    env: dict[EnvName, str] = Field(default_factory=dict)
    replicas: int = Field(default=1, ge=0, le=10000)
    image_pull_secrets: tuple[SecretName, ...] = ()
    config_files: dict[ConfigKey, str] = Field(default_factory=dict, description="file name -> content (a ConfigMap)")
    config_mount_path: MountPath = "/etc/app"
    service_port: Port | None = None
    operations: Operations = Operations()

    @model_validator(mode="after")
    def _cross_rules(self, info: ValidationInfo) -> ManifestSpec:
        # Settings ask for the problems themselves (to name each key's line); direct callers get them here.
        if not (info.context or {}).get("defer_cross_rules"):
            found = spec_problems(self)
            if found:
                raise ValueError("; ".join(f"{path}: {message}" for path, message in found))
        return self


def _same_endpoint(spec: ManifestSpec, a: Probe, b: Probe) -> bool:
    def port(p: Probe) -> int | str:
        return spec.port if p.port is None or p.port == spec.port_name else p.port

    if a.type != b.type or a.type == "tcp":
        # TCP has one endpoint per port; liveness then differs from readiness by its patience, not its target.
        return False
    if a.type == "http":
        return (a.path, port(a)) == (b.path, port(b))
    return a.command == b.command


def _mount_problems(spec: ManifestSpec) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    paths = list(spec.writable_paths)
    seen: set[str] = set()
    for p in paths:
        if p in seen:
            out.append(("writable_paths", f"{p} is listed twice"))
        seen.add(p)
    pair = rules.nested(sorted(seen))
    if pair:
        out.append(("writable_paths", f"{pair[1]} lies under {pair[0]}: one emptyDir would hide the other"))
    if spec.config_files:
        for p in sorted(seen):
            pair = rules.nested([p, spec.config_mount_path])
            if pair:
                out.append(("config_mount_path", f"{spec.config_mount_path} and the writable path {p} overlap "
                            f"({pair[1]} lies under {pair[0]}): choose a config_mount_path outside the emptyDirs"))
    return out


def _resource_problems(spec: ManifestSpec) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for resource, parse in (("cpu", rules.cpu_millicores), ("memory", rules.bytes_of)):
        req, lim = getattr(spec.resources.requests, resource), getattr(spec.resources.limits, resource)
        if parse(lim) < parse(req):
            out.append((f"resources.limits.{resource}", f"limit {lim} is below the request {req}"))
    ops = spec.operations
    if ops.ephemeral_storage is not None:
        req_b, lim_b = _storage(ops.ephemeral_storage.request), _storage(ops.ephemeral_storage.limit)
        if lim_b < req_b:
            out.append(("operations.ephemeral_storage.limit",
                        f"limit {ops.ephemeral_storage.limit} is below the request {ops.ephemeral_storage.request}"))
        if ops.empty_dir_size is not None and _storage(ops.empty_dir_size) * len(spec.writable_paths) > lim_b:
            out.append(("operations.empty_dir_size", f"{len(spec.writable_paths)} emptyDir(s) of {ops.empty_dir_size} "
                        f"exceed the ephemeral-storage limit {ops.ephemeral_storage.limit}"))
    if ops.autoscaler is not None and ops.autoscaler.max_replicas < ops.autoscaler.min_replicas:
        out.append(("operations.autoscaler.max_replicas", "max_replicas is below min_replicas"))
    return out


def spec_problems(spec: ManifestSpec) -> list[tuple[str, str]]:
    """Rules across fields that the API server (or the restricted profile) enforces: (key path, reason) each."""
    out: list[tuple[str, str]] = []
    if spec.uid == 0:
        out.append(("uid", "UID 0 is root; the restricted profile needs a non-root UID (10000 or above)"))
    if spec.gid == 0:
        out.append(("gid", "GID 0 is the root group, which owns many system files; choose another group"))
    probes = (("liveness", spec.liveness), ("readiness", spec.readiness), ("startup", spec.startup))
    for which, probe in probes:
        if probe is None:
            continue
        if which != "readiness" and probe.success_threshold != 1:
            out.append((f"{which}.success_threshold", f"must be 1 for a {which} probe"))
        if probe.type != "exec" and probe.port not in (None, spec.port, spec.port_name):
            out.append((f"{which}.port", f"probe port {probe.port!r} is not the container port "
                        f"({spec.port}, named {spec.port_name!r})"))
    if _same_endpoint(spec, spec.liveness, spec.readiness):
        out.append(("readiness", "liveness and readiness probes check the same endpoint; a slow app would be "
                    "restarted instead of taken out of the Service"))
    out.extend(_mount_problems(spec))
    out.extend(_resource_problems(spec))
    return out
