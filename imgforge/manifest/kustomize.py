"""Kustomize output: one `base/` plus `overlays/<env>/` holding only what each environment changes.

Objects every environment shares go to the base; an environment's differences are RFC 6902 JSON patches
(exact, so `kubectl kustomize overlays/<env>` gives the same objects as that environment's own output);
objects only some environments have (a PodDisruptionBudget when replicas >= 2) go to those overlays.
`render` applies an overlay in Python, the way kustomize does, for checking without kustomize.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from imgforge.errors import UsageError
from imgforge.manifest.emit import to_yaml

KUSTOMIZATION = "kustomization.yaml"
_HEAD = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
Key = tuple[str, str]


def _key(obj: dict[str, Any]) -> Key:
    return str(obj.get("kind")), str((obj.get("metadata") or {}).get("name"))


def _file(obj: dict[str, Any], suffix: str = "") -> str:
    kind, name = _key(obj)
    return f"{kind.lower()}-{name}{suffix}.yaml"


def _pointer(path: list[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def json_patch(old: Any, new: Any, path: list[str | int] | None = None) -> list[dict[str, Any]]:
    """RFC 6902 operations turning `old` into `new` (lists of another length are replaced whole)."""
    path = path or []
    if isinstance(old, dict) and isinstance(new, dict):
        ops: list[dict[str, Any]] = []
        for k in old:
            if k not in new:
                ops.append({"op": "remove", "path": _pointer([*path, k])})
        for k, v in new.items():
            if k not in old:
                ops.append({"op": "add", "path": _pointer([*path, k]), "value": v})
            else:
                ops.extend(json_patch(old[k], v, [*path, k]))
        return ops
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [op for i, (a, b) in enumerate(zip(old, new, strict=True)) for op in json_patch(a, b, [*path, i])]
    if old == new and type(old) is type(new):
        return []
    return [{"op": "replace", "path": _pointer(path), "value": new}]


def _target(obj: dict[str, Any]) -> dict[str, str]:
    group, _, version = str(obj["apiVersion"]).rpartition("/")
    kind, name = _key(obj)
    return {"group": group, "version": version, "kind": kind, "name": name}


def kustomize_tree(base: list[dict[str, Any]], environments: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """Files (relative path -> text) of `base/` and `overlays/<env>/` reproducing each environment's objects."""
    env_keys = [{_key(o) for o in objs} for objs in environments.values()]
    shared = [o for o in base if all(_key(o) in keys for keys in env_keys)]
    files = {f"base/{_file(o)}": to_yaml([o]) for o in shared}
    files[f"base/{KUSTOMIZATION}"] = to_yaml([{**_HEAD, "resources": [_file(o) for o in shared]}])
    by_key = {_key(o): o for o in shared}
    for env, objs in environments.items():
        folder = f"overlays/{env}"
        resources: list[str] = ["../../base"]
        patches: list[dict[str, Any]] = []
        for obj in objs:
            if _key(obj) not in by_key:
                files[f"{folder}/{_file(obj)}"] = to_yaml([obj])
                resources.append(_file(obj))
                continue
            ops = json_patch(by_key[_key(obj)], obj)
            if ops:
                name = _file(obj, "-patch")
                files[f"{folder}/{name}"] = yaml.safe_dump(ops, sort_keys=False, width=1000)
                patches.append({"path": name, "target": _target(obj)})
        kustomization: dict[str, Any] = {**_HEAD, "resources": resources}
        if patches:
            kustomization["patches"] = patches
        files[f"{folder}/{KUSTOMIZATION}"] = to_yaml([kustomization])
    return files


def _parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def apply_patch(obj: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
    """`obj` with RFC 6902 add, replace and remove operations applied (a new object)."""
    out = copy.deepcopy(obj)
    for op in ops:
        *parents, last = _parts(op["path"])
        node: Any = out
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        index: Any = int(last) if isinstance(node, list) else last
        if op["op"] == "remove":
            del node[index]
        elif op["op"] in ("add", "replace"):
            node[index] = copy.deepcopy(op["value"])
        else:
            raise UsageError(f"applying a patch: operation {op['op']!r} is not supported")
    return out


def _docs(text: str) -> list[Any]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


def render(files: dict[str, str], folder: str) -> list[dict[str, Any]]:
    """The objects `kustomize build <folder>` gives for a tree made by `kustomize_tree` (resources and patches)."""
    kustomization = _docs(files[f"{folder}/{KUSTOMIZATION}"])[0]
    objects: list[dict[str, Any]] = []
    for resource in kustomization.get("resources", []):
        if resource.endswith(".yaml"):
            objects.extend(_docs(files[f"{folder}/{resource}"]))
        else:
            parts = [*folder.split("/"), *resource.split("/")]
            stack: list[str] = []
            for part in parts:
                if part == "..":
                    stack.pop()
                elif part not in ("", "."):
                    stack.append(part)
            objects.extend(render(files, "/".join(stack)))
    for patch in kustomization.get("patches", []):
        target = patch["target"]
        ops = _docs(files[f"{folder}/{patch['path']}"])[0]
        objects = [apply_patch(o, ops) if _key(o) == (target["kind"], target["name"]) else o for o in objects]
    return objects
