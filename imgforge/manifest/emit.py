"""`emit(spec, kind)`: a ManifestSpec turned into hardened Kubernetes objects (plain dicts, fixed key order)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Literal

import yaml

from imgforge.manifest import ops
from imgforge.manifest.spec import ManifestSpec, Probe

Kind = Literal["pod", "deployment"]
CONTAINER = "app"
DEFAULT_VERSION = "1.30"
MANAGED_BY = "imgforge"
_LABEL_VALUE_BAD = re.compile(r"[^A-Za-z0-9_.-]")
# OCI annotation keys, the same names as the image labels, so one grep links workload and image.
ANNOTATION_SOURCE = "org.opencontainers.image.source"
ANNOTATION_REVISION = "org.opencontainers.image.revision"
ANNOTATION_VERSION = "org.opencontainers.image.version"
ANNOTATION_IMAGE = "imgforge.dev/image"


def label_value(text: str) -> str:
    """`text` made a valid label value (63 chars of [A-Za-z0-9_.-], alphanumeric at both ends)."""
    return _LABEL_VALUE_BAD.sub("_", text)[:63].strip("_.-")


def volume_name(path: str) -> str:
    """A DNS-1123 volume name for a mount path: /var/run/app -> var-run-app."""
    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "root"
    return name[:63].rstrip("-")


def volume_names(spec: ManifestSpec) -> list[str]:
    """Unique volume names: one per writable path, then `config`; a clash (/var-run, /var/run) gets a suffix."""
    wanted = [volume_name(p) for p in spec.writable_paths] + (["config"] if spec.config_files else [])
    out: list[str] = []
    for name in wanted:
        unique, n = name, 2
        while unique in out:
            unique = f"{name[:59]}-{n}"
            n += 1
        out.append(unique)
    return out


def config_map_name(spec: ManifestSpec) -> str:
    """`<name>-config`, plus a hash of the content (a change rolls the Deployment) unless switched off."""
    if not spec.operations.config_hash:
        return f"{spec.name}-config"
    data = json.dumps(spec.config_files, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return f"{spec.name}-config-{hashlib.sha256(data).hexdigest()[:10]}"


def labels(spec: ManifestSpec) -> dict[str, str]:
    """The recommended app.kubernetes.io labels."""
    out = {
        "app.kubernetes.io/name": spec.name,
        "app.kubernetes.io/instance": spec.name,
    }
    if spec.version:
        out["app.kubernetes.io/version"] = label_value(spec.version)
    out["app.kubernetes.io/component"] = spec.component
    if spec.part_of:
        out["app.kubernetes.io/part-of"] = spec.part_of
    out["app.kubernetes.io/managed-by"] = MANAGED_BY
    return out


def selector(spec: ManifestSpec) -> dict[str, str]:
    """The stable subset of labels used as a selector (never the version)."""
    return {"app.kubernetes.io/name": spec.name, "app.kubernetes.io/instance": spec.name}


def annotations_of(spec: ManifestSpec) -> dict[str, str]:
    """Annotations linking the workload back to the image's source, revision and version."""
    out = {ANNOTATION_IMAGE: spec.image}
    if spec.source:
        out[ANNOTATION_SOURCE] = spec.source
    if spec.revision:
        out[ANNOTATION_REVISION] = spec.revision
    if spec.version:
        out[ANNOTATION_VERSION] = spec.version
    return out


def _metadata(spec: ManifestSpec, name: str | None = None) -> dict[str, Any]:
    return {"name": name or spec.name, "labels": labels(spec), "annotations": annotations_of(spec)}


def probe(spec: ManifestSpec, p: Probe) -> dict[str, Any]:
    """One probe object; the port is the container port's name when it is that port."""
    port: int | str = p.port if p.port is not None else spec.port
    if port == spec.port:
        port = spec.port_name
    if p.type == "http":
        handler: dict[str, Any] = {"httpGet": {"path": p.path, "port": port, "scheme": "HTTP"}}
    elif p.type == "tcp":
        handler = {"tcpSocket": {"port": port}}
    else:
        handler = {"exec": {"command": list(p.command)}}
    return {
        **handler,
        "initialDelaySeconds": p.initial_delay_seconds,
        "periodSeconds": p.period_seconds,
        "timeoutSeconds": p.timeout_seconds,
        "failureThreshold": p.failure_threshold,
        "successThreshold": p.success_threshold,
    }


def _security(spec: ManifestSpec) -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": spec.uid,
        "runAsGroup": spec.gid if spec.gid is not None else spec.uid,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _sleep_action(kubernetes_version: str) -> bool:
    # The preStop `sleep` action is on by default from Kubernetes 1.30 (PodLifecycleSleepAction, beta).
    major, minor = (int(x) for x in kubernetes_version.lstrip("v").split(".")[:2])
    return (major, minor) >= (1, 30)


def container(spec: ManifestSpec, kubernetes_version: str = DEFAULT_VERSION) -> dict[str, Any]:
    """The one application container."""
    # Always: the digest pins the bytes, so this only makes the kubelet check the pull secret on every start
    # (with IfNotPresent any pod on the node could run a private image another pod pulled).
    out: dict[str, Any] = {"name": CONTAINER, "image": spec.image, "imagePullPolicy": "Always"}
    if spec.command:
        out["command"] = list(spec.command)
    if spec.args:
        out["args"] = list(spec.args)
    out["ports"] = [{"name": spec.port_name, "containerPort": spec.port, "protocol": "TCP"}]
    if spec.env:
        out["env"] = [{"name": k, "value": spec.env[k]} for k in sorted(spec.env)]
    out["resources"] = {
        "requests": {"cpu": spec.resources.requests.cpu, "memory": spec.resources.requests.memory},
        "limits": {"cpu": spec.resources.limits.cpu, "memory": spec.resources.limits.memory},
    }
    storage = spec.operations.ephemeral_storage
    if storage is not None:
        out["resources"]["requests"]["ephemeral-storage"] = storage.request
        out["resources"]["limits"]["ephemeral-storage"] = storage.limit
    if spec.startup is not None:
        out["startupProbe"] = probe(spec, spec.startup)
    out["livenessProbe"] = probe(spec, spec.liveness)
    out["readinessProbe"] = probe(spec, spec.readiness)
    if spec.operations.pre_stop_seconds and _sleep_action(kubernetes_version):
        # The endpoints controller needs a moment to take the pod out of the Service before SIGTERM arrives.
        out["lifecycle"] = {"preStop": {"sleep": {"seconds": spec.operations.pre_stop_seconds}}}
    out["securityContext"] = _security(spec)
    names = volume_names(spec)
    # `names` ends with the config volume's name when there are config files: zip stops at the paths.
    mounts: list[dict[str, Any]] = [
        {"name": n, "mountPath": p} for n, p in zip(names, spec.writable_paths, strict=False)]
    if spec.config_files:
        mounts.append({"name": names[-1], "mountPath": spec.config_mount_path, "readOnly": True})
    out["volumeMounts"] = mounts
    return out


def pod_spec(spec: ManifestSpec, replicated: bool = False, kubernetes_version: str = DEFAULT_VERSION) -> dict[str, Any]:
    """The pod spec shared by a Pod and a Deployment's template (`replicated`: spread over nodes)."""
    uid = spec.uid
    out: dict[str, Any] = {}
    if spec.operations.service_account:
        out["serviceAccountName"] = spec.name
    out |= {
        "automountServiceAccountToken": False,
        # preStop, then SIGTERM and the app's own drain time; only then SIGKILL.
        "terminationGracePeriodSeconds": spec.operations.pre_stop_seconds + spec.operations.drain_seconds,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": uid,
            "runAsGroup": spec.gid if spec.gid is not None else uid,
            "fsGroup": spec.gid if spec.gid is not None else uid,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }
    if spec.image_pull_secrets:
        out["imagePullSecrets"] = [{"name": s} for s in spec.image_pull_secrets]
    if replicated and spec.operations.topology_spread:
        out["topologySpreadConstraints"] = ops.topology_spread(selector(spec))
    out["containers"] = [container(spec, kubernetes_version)]
    names = volume_names(spec)
    size = spec.operations.empty_dir_size
    empty: dict[str, Any] = {"sizeLimit": size} if size else {}
    volumes: list[dict[str, Any]] = [{"name": n, "emptyDir": dict(empty)} for n in names[:len(spec.writable_paths)]]
    if spec.config_files:
        volumes.append({"name": names[-1], "configMap": {"name": config_map_name(spec)}})
    out["volumes"] = volumes
    return out


def config_map(spec: ManifestSpec) -> dict[str, Any]:
    """The ConfigMap holding the settings' config files."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _metadata(spec, config_map_name(spec)),
        "data": {k: spec.config_files[k] for k in sorted(spec.config_files)},
    }


def service(spec: ManifestSpec) -> dict[str, Any]:
    """A ClusterIP Service in front of the named container port."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(spec),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(spec),
            "ports": [{"name": spec.port_name, "port": spec.service_port or spec.port,
                       "targetPort": spec.port_name, "protocol": "TCP"}],
        },
    }


def emit(
    spec: ManifestSpec, kind: Kind = "deployment", kubernetes_version: str = DEFAULT_VERSION
) -> list[dict[str, Any]]:
    """A Deployment with its Service, or a bare Pod; with the ConfigMap and the operations layer around it.

    `kubernetes_version` leaves out fields that version does not have (the preStop sleep before 1.30).
    """
    if kind not in ("pod", "deployment"):
        raise ValueError(f"unknown kind {kind!r}")
    o = spec.operations
    replicated = kind == "deployment" and ops.replicated(spec)
    before: list[dict[str, Any]] = []
    if o.service_account:
        before.append(ops.service_account(spec, _metadata(spec)))
    if spec.config_files:
        before.append(config_map(spec))
    after: list[dict[str, Any]] = []
    if o.network_policy:
        after.append(ops.network_policy(spec, _metadata(spec), selector(spec)))
    if kind == "pod":
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": _metadata(spec),
               "spec": pod_spec(spec, False, kubernetes_version)}
        return [*before, pod, *after]
    if replicated and o.disruption_budget:
        after.append(ops.disruption_budget(_metadata(spec), selector(spec)))
    if o.autoscaler is not None:
        after.append(ops.autoscaler(spec, _metadata(spec)))
    body: dict[str, Any] = {} if o.autoscaler is not None else {"replicas": spec.replicas}  # the HPA owns replicas
    body |= {
        "selector": {"matchLabels": selector(spec)},
        "template": {"metadata": {"labels": labels(spec), "annotations": annotations_of(spec)},
                     "spec": pod_spec(spec, replicated, kubernetes_version)},
    }
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _metadata(spec), "spec": body}
    return [*before, deployment, service(spec), *after]


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key, long strings kept whole."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        # Shared sub-objects (one selector in several places) are written out in full: no &anchors in manifests.
        return True


def _str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(objects: list[dict[str, Any]]) -> str:
    """Deterministic multi-document YAML (key order as emitted)."""
    return "".join(
        "---\n" + yaml.dump(o, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)
        for o in objects
    )
