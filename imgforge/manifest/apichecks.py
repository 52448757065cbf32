"""What an API server refuses in an object although its JSON schema allows it: names, labels, ports, volumes,
mounts, env names, ConfigMap keys, probe thresholds and quantities. Runs on any manifest (emitted or hand-written).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from imgforge.manifest import rules

Found = tuple[str, str]  # (field path, reason)
_NAME_RULE: dict[str, Callable[[str], str | None]] = {"Service": rules.dns1035_label}


def _metadata(obj: dict[str, Any]) -> Iterator[Found]:
    meta = obj.get("metadata") or {}
    name = meta.get("name")
    if isinstance(name, str):
        problem = _NAME_RULE.get(str(obj.get("kind")), rules.dns1123_subdomain)(name)
        if problem:
            yield "metadata.name", problem
    selector = "spec.selector" if obj.get("kind") == "Service" else "spec.selector.matchLabels"
    for where in ("metadata.labels", "spec.template.metadata.labels", selector):
        node: Any = obj
        for part in where.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        for key, value in (node or {}).items() if isinstance(node, dict) else ():
            problem = rules.label_key(str(key)) or rules.label_value(str(value))
            if problem:
                yield f"{where}.{key}", problem


def _quantities(where: str, resources: dict[str, Any]) -> Iterator[Found]:
    # The API server's grammar only: zero or fractional bytes are policy questions, not invalid objects.
    parse: dict[str, Callable[[str], int]] = {
        "cpu": lambda q: rules.cpu_millicores(q, policy=False),
        "memory": lambda q: rules.bytes_of(q, policy=False),
        "ephemeral-storage": lambda q: rules.bytes_of(q, "ephemeral-storage", policy=False),
    }
    for part in ("requests", "limits"):
        for name, value in (resources.get(part) or {}).items():
            if name in parse:
                try:
                    parse[name](str(value))
                except ValueError as exc:
                    yield f"{where}.resources.{part}.{name}", str(exc)


def _container(where: str, c: dict[str, Any]) -> Iterator[Found]:
    names: set[str] = set()
    for i, port in enumerate(c.get("ports") or []):
        number, name = port.get("containerPort"), port.get("name")
        if isinstance(number, int) and rules.port_number(number):
            yield f"{where}.ports[{i}].containerPort", str(rules.port_number(number))
        if isinstance(name, str):
            problem = rules.port_name(name) or (f"port name {name!r} is used twice" if name in names else None)
            if problem:
                yield f"{where}.ports[{i}].name", problem
            names.add(name)
    for i, env in enumerate(c.get("env") or []):
        problem = rules.env_name(str(env.get("name", "")))
        if problem:
            yield f"{where}.env[{i}].name", problem
    for field in ("livenessProbe", "startupProbe"):
        probe = c.get(field)
        if isinstance(probe, dict) and probe.get("successThreshold", 1) != 1:
            yield f"{where}.{field}.successThreshold", f"must be 1 for a {field}"
    yield from _quantities(where, c.get("resources") or {})
    paths = [str(m.get("mountPath", "")) for m in c.get("volumeMounts") or []]
    for i, path in enumerate(paths):
        if path in paths[:i]:
            yield f"{where}.volumeMounts[{i}].mountPath", f"{path} is mounted twice"
    pair = rules.nested(sorted(set(paths)))
    if pair:
        yield f"{where}.volumeMounts", f"{pair[1]} lies under the mount {pair[0]}: one volume hides the other"


def api_problems(obj: dict[str, Any], pod: tuple[str, dict[str, Any]] | None) -> list[Found]:
    """The API-server-level problems of one object; `pod` is its pod spec and field path, when it has one."""
    found = list(_metadata(obj))
    if obj.get("kind") == "ConfigMap":
        for key in (obj.get("data") or {}):
            problem = rules.config_key(str(key))
            if problem:
                found.append((f"data.{key}", problem))
    if pod is None:
        return found
    base, spec = pod
    volumes = [str(v.get("name", "")) for v in spec.get("volumes") or []]
    for i, name in enumerate(volumes):
        problem = rules.dns1123_label(name) or (f"volume name {name!r} is used twice" if name in volumes[:i] else None)
        if problem:
            found.append((f"{base}.volumes[{i}].name", problem))
    for i, c in enumerate(spec.get("containers") or []):
        found.extend(_container(f"{base}.containers[{i}]", c))
    return found
