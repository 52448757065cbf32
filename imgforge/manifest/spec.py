"""The input model of manifest emission: what one workload needs, independent of where it came from."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from imgforge.errors import UsageError

_CPU = re.compile(r"^(\d+(?:\.\d+)?)(m?)$")
_MEM = re.compile(r"^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|)$")
_MEM_FACTORS = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
                "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}


def cpu_millicores(quantity: str) -> int:
    """Kubernetes cpu quantity ("250m", "0.5", "2") in millicores."""
    match = _CPU.match(str(quantity).strip())
    if not match:
        raise UsageError(f"reading cpu quantity {quantity!r}: expected e.g. 250m, 0.5 or 2")
    value = float(match.group(1))
    return round(value if match.group(2) else value * 1000)


def memory_bytes(quantity: str) -> int:
    """Kubernetes memory quantity ("128Mi", "1G", "1048576") in bytes."""
    match = _MEM.match(str(quantity).strip())
    if not match:
        raise UsageError(f"reading memory quantity {quantity!r}: expected e.g. 64Mi, 1Gi or 500M")
    return round(float(match.group(1)) * _MEM_FACTORS[match.group(2)])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Probe(_Strict):
    """One probe: an HTTP GET path, a TCP connect or a command, and the kubelet's timing fields."""

    type: Literal["http", "tcp", "exec"] = "http"
    path: str | None = None
    port: int | str | None = Field(default=None, description="defaults to the container port")
    command: tuple[str, ...] = ()
    initial_delay_seconds: int = Field(default=0, ge=0)
    period_seconds: int = Field(default=10, ge=1)
    timeout_seconds: int = Field(default=1, ge=1)
    failure_threshold: int = Field(default=3, ge=1)
    success_threshold: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _handler_complete(self) -> Probe:
        if self.type == "http" and not (self.path or "").startswith("/"):
            raise ValueError("an http probe needs a path starting with '/'")
        if self.type == "exec" and not self.command:
            raise ValueError("an exec probe needs a command")
        return self


def default_liveness(path: str = "/healthz") -> Probe:
    """Liveness: patient (restarts are expensive), 3 failures 10 s apart."""
    return Probe(path=path, period_seconds=10, timeout_seconds=2, failure_threshold=3)


def default_readiness(path: str = "/readyz") -> Probe:
    """Readiness: quick to take a pod out of the Service, 2 failures 5 s apart."""
    return Probe(path=path, period_seconds=5, timeout_seconds=2, failure_threshold=2)


class CpuMemory(_Strict):
    """A cpu and memory pair, as Kubernetes quantities."""

    cpu: str
    memory: str

    @field_validator("cpu", mode="before")
    @classmethod
    def _cpu(cls, value: object) -> str:
        text = str(value)
        try:
            cpu_millicores(text)
        except UsageError as exc:
            raise ValueError(str(exc)) from exc
        return text

    @field_validator("memory", mode="before")
    @classmethod
    def _memory(cls, value: object) -> str:
        text = str(value)
        try:
            memory_bytes(text)
        except UsageError as exc:
            raise ValueError(str(exc)) from exc
        return text


class Resources(_Strict):
    """requests and limits for cpu and memory (both are always emitted)."""

    requests: CpuMemory = CpuMemory(cpu="100m", memory="64Mi")
    limits: CpuMemory = CpuMemory(cpu="500m", memory="128Mi")


class ManifestSpec(_Strict):
    """Everything `emit` needs for one workload; `image` should already be pinned by digest."""

    name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63)
    image: str
    version: str | None = None
    revision: str | None = None
    source: str | None = None
    part_of: str | None = None
    component: str = "server"
    port: int = Field(ge=1, le=65535)
    port_name: str = Field(default="http", pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=15)
    uid: int = Field(ge=0)
    gid: int | None = None
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    liveness: Probe
    readiness: Probe
    startup: Probe | None = None
    resources: Resources = Resources()
    writable_paths: tuple[str, ...] = ("/tmp",)
    env: dict[str, str] = Field(default_factory=dict)
    replicas: int = Field(default=1, ge=0)
    image_pull_secrets: tuple[str, ...] = ()
    config_files: dict[str, str] = Field(default_factory=dict, description="file name -> content (a ConfigMap)")
    config_mount_path: str = "/etc/app"
    service_port: int | None = None

    @model_validator(mode="after")
    def _kubelet_rules(self) -> ManifestSpec:
        # The API server rejects these, though the JSON schema lets them through.
        for which, probe in (("liveness", self.liveness), ("startup", self.startup)):
            if probe is not None and probe.success_threshold != 1:
                raise ValueError(f"{which} probe: success_threshold must be 1")
        return self

    @field_validator("writable_paths")
    @classmethod
    def _absolute(cls, paths: tuple[str, ...]) -> tuple[str, ...]:
        for p in paths:
            if not p.startswith("/"):
                raise ValueError(f"writable path {p!r} must be absolute")
        return paths
