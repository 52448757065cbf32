"""How a manifest's container would run: read from Pod/Deployment YAML into a RunPlan that `verify` executes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from imgforge.errors import UsageError
from imgforge.manifest.spec import cpu_millicores, memory_bytes
from imgforge.manifest.validate import object_name, pod_spec_of


@dataclass(frozen=True)
class ProbeCheck:
    """One probe as the kubelet runs it; `port` already resolved to a number."""

    which: str
    kind: str  # http | tcp | exec
    port: int | None
    path: str | None
    command: tuple[str, ...]
    initial_delay: float
    period: float
    timeout: float
    failure_threshold: int
    success_threshold: int

    def describe(self) -> str:
        if self.kind == "http":
            return f"GET :{self.port}{self.path}"
        if self.kind == "tcp":
            return f"TCP :{self.port}"
        return "exec " + " ".join(self.command)


@dataclass(frozen=True)
class RunPlan:
    """The container settings and probes that `verify` reproduces with `docker run`."""

    workload: str
    image: str
    uid: int | None
    gid: int | None
    memory_limit: int | None
    cpu_limit_millicores: int | None
    writable_paths: tuple[str, ...]
    read_only_root: bool
    env: dict[str, str] = field(default_factory=dict)
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    ports: tuple[int, ...] = ()
    probes: tuple[ProbeCheck, ...] = ()
    config_mounts: dict[str, dict[str, str]] = field(default_factory=dict)  # mount path -> file name -> content


def load_manifest(file: Path) -> list[dict[str, Any]]:
    """Every object of a (multi-document) manifest file."""
    try:
        docs = list(yaml.safe_load_all(file.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"reading manifest {file}: {exc}") from exc
    except RecursionError as exc:
        raise UsageError(f"reading manifest {file}: nested too deeply") from exc
    objs = [d for d in docs if d]
    if not all(isinstance(d, dict) for d in objs):
        raise UsageError(f"reading manifest {file}: every document must be a Kubernetes object (a mapping)")
    return objs


def _probe(which: str, raw: dict[str, Any], ports: dict[str, int], default_port: int | None) -> ProbeCheck:
    if "httpGet" in raw:
        kind, handler = "http", raw["httpGet"] or {}
    elif "tcpSocket" in raw:
        kind, handler = "tcp", raw["tcpSocket"] or {}
    elif "exec" in raw:
        kind, handler = "exec", raw["exec"] or {}
    else:
        raise UsageError(f"reading {which}Probe: only httpGet, tcpSocket and exec probes can be verified")
    port: int | None = None
    if kind != "exec":
        value = handler.get("port", default_port)
        if isinstance(value, str) and not value.isdigit():
            if value not in ports:
                raise UsageError(f"reading {which}Probe: port name {value!r} is not a declared container port")
            port = ports[value]
        elif value is not None:
            port = int(value)
    return ProbeCheck(
        which=which, kind=kind, port=port, path=handler.get("path", "/") if kind == "http" else None,
        command=tuple(str(c) for c in handler.get("command") or ()),
        initial_delay=float(raw.get("initialDelaySeconds", 0)), period=float(raw.get("periodSeconds", 10)),
        timeout=float(raw.get("timeoutSeconds", 1)), failure_threshold=int(raw.get("failureThreshold", 3)),
        success_threshold=int(raw.get("successThreshold", 1)),
    )


def plan_from_objects(objects: list[dict[str, Any]]) -> RunPlan:
    """The RunPlan of the first Pod or workload (and the ConfigMaps it mounts) in `objects`; UsageError when a
    field has the wrong shape (a hand-written manifest is external input)."""
    try:
        return _plan(objects)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UsageError(f"reading manifest: a field has the wrong type or is missing "
                         f"({exc.__class__.__name__}: {str(exc)[:200]})") from exc


def _items(node: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """`node[key]` as a list of mappings (empty when absent); TypeError naming the key otherwise."""
    value = node.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise TypeError(f"{key} must be a list of mappings")
    return value


def _plan(objects: list[dict[str, Any]]) -> RunPlan:
    workloads = [(o, pod_spec_of(o)) for o in objects]
    found = next(((o, p) for o, p in workloads if p is not None), None)
    if found is None:
        raise UsageError("reading manifest: it has no Pod, Deployment or other pod template")
    obj, (_, pod) = found
    containers = pod.get("containers") or []
    if not containers:
        raise UsageError(f"reading manifest: {object_name(obj)} has no containers")
    c = containers[0]
    pod_sc, sc = pod.get("securityContext") or {}, c.get("securityContext") or {}
    uid = sc.get("runAsUser", pod_sc.get("runAsUser"))
    gid = sc.get("runAsGroup", pod_sc.get("runAsGroup"))
    limits = (c.get("resources") or {}).get("limits") or {}
    named = {p["name"]: int(p["containerPort"]) for p in _items(c, "ports") if p.get("name")}
    numbers = tuple(int(p["containerPort"]) for p in _items(c, "ports"))
    default_port = numbers[0] if numbers else None
    volumes = {v.get("name"): v for v in _items(pod, "volumes")}
    maps = {o["metadata"]["name"]: o.get("data") or {} for o in objects if o.get("kind") == "ConfigMap"}
    writable, config_mounts = [], {}
    for m in _items(c, "volumeMounts"):
        vol = volumes.get(m.get("name")) or {}
        if "emptyDir" in vol:
            writable.append(m["mountPath"])
        elif "configMap" in vol:
            config_mounts[m["mountPath"]] = dict(maps.get(vol["configMap"].get("name"), {}))
    probes = tuple(
        _probe(which, c[f"{which}Probe"], named, default_port)
        for which in ("startup", "liveness", "readiness") if isinstance(c.get(f"{which}Probe"), dict)
    )
    return RunPlan(
        workload=object_name(obj), image=str(c.get("image", "")),
        uid=int(uid) if uid is not None else None, gid=int(gid) if gid is not None else None,
        memory_limit=memory_bytes(str(limits["memory"])) if "memory" in limits else None,
        cpu_limit_millicores=cpu_millicores(str(limits["cpu"])) if "cpu" in limits else None,
        writable_paths=tuple(writable), read_only_root=bool(sc.get("readOnlyRootFilesystem", False)),
        env={e["name"]: str(e.get("value", "")) for e in _items(c, "env") if "value" in e},
        command=tuple(c.get("command") or ()), args=tuple(c.get("args") or ()),
        ports=numbers, probes=probes, config_mounts=config_mounts,
    )
