"""Offline validation: the Kubernetes JSON schema of a chosen version, plus our own kube-score-like checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from imgforge.errors import GateFailed, UsageError
from imgforge.manifest.apichecks import api_problems
from imgforge.manifest.spec import cpu_millicores, memory_bytes

DEFAULT_K8S_VERSION = "1.30"
MIN_UID = 10000
_DIGEST_PINNED = re.compile(r"@sha256:[0-9a-f]{64}$")
_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?$")


@dataclass(frozen=True)
class Problem:
    """One failed check: which object, which field path, what is wrong, and which rule."""

    obj: str
    path: str
    message: str
    rule: str

    def __str__(self) -> str:
        return f"{self.obj}: {self.path}: {self.message} [{self.rule}]"


def supported_versions() -> list[str]:
    """The Kubernetes versions (major.minor) whose schemas kubernetes-validate bundles."""
    from kubernetes_validate.utils import all_versions

    seen = [".".join(v.split(".")[:2]) for v in all_versions()]
    return list(dict.fromkeys(seen))


def k8s_version(version: str) -> str:
    """`version` as major.minor when kubernetes-validate bundles its schema; UsageError otherwise."""
    match = _VERSION.match(version.strip())
    supported = supported_versions()
    if not match or f"{match.group(1)}.{match.group(2)}" not in supported:
        raise UsageError(f"validating manifests: Kubernetes version {version!r} is not bundled "
                         f"(choose one of {', '.join(supported)})")
    return f"{match.group(1)}.{match.group(2)}"


def object_name(obj: dict[str, Any]) -> str:
    """`Kind/name`, as kubectl prints it."""
    return f"{obj.get('kind', '?')}/{(obj.get('metadata') or {}).get('name', '?')}"


def schema_problems(obj: dict[str, Any], version: str = DEFAULT_K8S_VERSION) -> list[Problem]:
    """Validate one object against the (strict) Kubernetes schema of `version`."""
    import kubernetes_validate
    from kubernetes_validate.utils import SchemaNotFoundError

    wanted = k8s_version(version)
    try:
        kubernetes_validate.validate(obj, wanted, strict=True)
    except kubernetes_validate.ValidationError as exc:
        path = _path_text(exc.path) or "(object)"
        return [Problem(object_name(obj), path, exc.message, f"schema-{wanted}")]
    except SchemaNotFoundError as exc:
        return [Problem(object_name(obj), "apiVersion", exc.message, f"schema-{wanted}")]
    return []


def _path_text(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def pod_spec_of(obj: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The pod spec inside a Pod or workload object and its field path, or None for other kinds."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "Pod":
        return "spec", spec
    template = spec.get("template")
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        return "spec.template.spec", template["spec"]
    return None


def _handler(probe: dict[str, Any]) -> tuple[str, Any]:
    for key in ("httpGet", "tcpSocket", "exec", "grpc"):
        if key in probe:
            return key, probe[key]
    return "none", None


def _probe_port(probe: dict[str, Any]) -> int | str | None:
    kind, handler = _handler(probe)
    if kind in ("httpGet", "tcpSocket", "grpc") and isinstance(handler, dict):
        return handler.get("port")
    return None


def _container_problems(
    obj: str, where: str, c: dict[str, Any], pod_uid: int | None, pod_gid: int | None, exposed: set[int] | None
) -> Iterator[Problem]:
    image = str(c.get("image", ""))
    if not _DIGEST_PINNED.search(image):
        yield Problem(obj, f"{where}.image", f"image {image!r} is not pinned by digest (repo@sha256:...)",
                      "digest-pinned")
    ports = {p.get("containerPort"): p.get("name") for p in c.get("ports") or []}
    names = {name: num for num, name in ports.items() if name}
    for field in ("livenessProbe", "readinessProbe"):
        if field not in c:
            yield Problem(obj, f"{where}.{field}", "missing", "probes-present")
    for field in ("startupProbe", "livenessProbe", "readinessProbe"):
        probe = c.get(field)
        if not isinstance(probe, dict):
            continue
        port = _probe_port(probe)
        if port is None:
            continue
        number = names.get(port) if isinstance(port, str) else port
        if number is None or number not in ports:
            yield Problem(obj, f"{where}.{field}", f"probe port {port!r} is not a declared container port",
                          "probe-port-declared")
        elif exposed is not None and number not in exposed:
            shown = ", ".join(str(p) for p in sorted(exposed)) or "none"
            yield Problem(obj, f"{where}.{field}",
                          f"probe port {number} is not EXPOSEd by the image (exposes: {shown})", "probe-port-exposed")
    live, ready = c.get("livenessProbe"), c.get("readinessProbe")
    # Two TCP connects to one port are the only probes a port-only app has; their patience tells them apart.
    if (isinstance(live, dict) and isinstance(ready, dict) and _handler(live) == _handler(ready)
            and _handler(live)[0] != "tcpSocket"):
        yield Problem(obj, f"{where}.livenessProbe", "liveness and readiness probes check the same endpoint",
                      "liveness-not-readiness")
    res = c.get("resources") or {}
    for resource, parse in (("cpu", cpu_millicores), ("memory", memory_bytes)):
        req = (res.get("requests") or {}).get(resource)
        lim = (res.get("limits") or {}).get(resource)
        if req is None:
            yield Problem(obj, f"{where}.resources.requests.{resource}", "missing", "resources-set")
        if lim is None:
            yield Problem(obj, f"{where}.resources.limits.{resource}", "missing", "resources-set")
        if req is not None and lim is not None:
            try:
                if parse(str(lim)) < parse(str(req)):
                    yield Problem(obj, f"{where}.resources.limits.{resource}", f"limit {lim} is below request {req}",
                                  "limits-ge-requests")
            except UsageError as exc:
                yield Problem(obj, f"{where}.resources", str(exc), "resources-set")
    sc = c.get("securityContext") or {}
    uid = sc.get("runAsUser", pod_uid)
    if uid is None or int(uid) < MIN_UID:
        yield Problem(obj, f"{where}.securityContext.runAsUser",
                      f"UID {uid} is below {MIN_UID} (may collide with host users)", "uid-ge-10000")
    gid = sc.get("runAsGroup", pod_gid)
    if gid is not None and int(gid) < MIN_UID:
        yield Problem(obj, f"{where}.securityContext.runAsGroup",
                      f"GID {gid} is below {MIN_UID} (may collide with host groups)", "gid-ge-10000")
    for key, want in (("readOnlyRootFilesystem", True), ("allowPrivilegeEscalation", False)):
        if sc.get(key) is not want:
            yield Problem(obj, f"{where}.securityContext.{key}", f"must be {str(want).lower()}", "hardened")
    if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
        yield Problem(obj, f"{where}.securityContext.capabilities.drop", "must drop ALL", "hardened")


def own_problems(obj: dict[str, Any], exposed_ports: set[int] | None = None) -> list[Problem]:
    """API-server rules and our checks on one object; `exposed_ports` (the image config's) enables the EXPOSE check."""
    found = pod_spec_of(obj)
    name = object_name(obj)
    problems = [Problem(name, path, message, "api-server") for path, message in api_problems(obj, found)]
    if found is None:
        return problems
    base, pod = found
    pod_sc = pod.get("securityContext") or {}
    if pod_sc.get("runAsNonRoot") is not True:
        problems.append(Problem(name, f"{base}.securityContext.runAsNonRoot", "must be true", "hardened"))
    for i, c in enumerate(pod.get("containers") or []):
        where = f"{base}.containers[{i}]"
        problems.extend(_container_problems(name, where, c, pod_sc.get("runAsUser"), pod_sc.get("runAsGroup"),
                                            exposed_ports))
    return problems


def problems(objects: list[dict[str, Any]], version: str = DEFAULT_K8S_VERSION,
             exposed_ports: set[int] | None = None) -> list[Problem]:
    """Schema and own problems of every object, in order."""
    out: list[Problem] = []
    for obj in objects:
        out.extend(schema_problems(obj, version))
        out.extend(own_problems(obj, exposed_ports))
    return out


def check(objects: list[dict[str, Any]], version: str = DEFAULT_K8S_VERSION,
          exposed_ports: set[int] | None = None) -> None:
    """Raise GateFailed listing every problem (object and field path) when there is any."""
    found = problems(objects, version, exposed_ports)
    if found:
        raise GateFailed(f"validating manifests against Kubernetes {version}: "
                         + "; ".join(str(p) for p in found))
