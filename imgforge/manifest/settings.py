"""The `manifest:` and `environments:` sections of imgforge.yaml, and the ManifestSpec they make with an image.

Every problem, in a field or across fields, in the base or in an environment, is one line naming the file,
its line and the key path (UsageError, exit 2).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError

from imgforge.errors import UsageError
from imgforge.manifest.files import read_config_files
from imgforge.manifest.image import ImageConfig
from imgforge.manifest.spec import (
    ConfigKey, CpuMemory, CpuQuantity, EnvName, Id, LabelValue, ManifestSpec, MemoryQuantity, MountPath,
    Operations, Port, PortName, Probe, Resources, SecretName, ServiceName, default_liveness, default_readiness,
    spec_problems,
)
from imgforge.settings import line_of, load_raw, settings_path

LABEL_VERSION = "org.opencontainers.image.version"
LABEL_REVISION = "org.opencontainers.image.revision"
LABEL_SOURCE = "org.opencontainers.image.source"
M = TypeVar("M", bound=BaseModel)
_ENV_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ManifestSettings(_Section):
    """`manifest:` — what the workload needs beyond the image; unset fields come from the recipe or image config."""

    name: ServiceName | None = None
    port: Port | None = None
    port_name: PortName = "http"
    service_port: Port | None = None
    uid: Id | None = None
    gid: Id | None = None
    command: list[str] = Field(default_factory=list)
    args: list[str] = Field(default_factory=list)
    liveness: Probe | None = Field(default=None, description="default: the recipe's endpoint, else a TCP connect")
    readiness: Probe | None = Field(default=None, description="default: the recipe's endpoint, else a TCP connect")
    startup: Probe | None = None
    resources: Resources = Resources()
    writable_paths: list[MountPath] = Field(default_factory=lambda: ["/tmp"])
    env: dict[EnvName, str] = Field(default_factory=dict)
    replicas: int = Field(default=1, ge=0, le=10000)
    image_pull_secrets: list[SecretName] = Field(default_factory=list)
    config_files: dict[ConfigKey, str] = Field(default_factory=dict, description="ConfigMap key -> file in the project")
    config_mount_path: MountPath = "/etc/app"
    part_of: LabelValue | None = None
    component: LabelValue = "server"
    kubernetes_version: str = "1.30"
    operations: Operations = Operations()


class CpuMemoryPatch(_Section):
    cpu: CpuQuantity | None = None
    memory: MemoryQuantity | None = None


class ResourcesPatch(_Section):
    requests: CpuMemoryPatch | None = None
    limits: CpuMemoryPatch | None = None


class Overlay(_Section):
    """One environment's changes: replicas, resources (partial) and env (merged over the base env)."""

    replicas: int | None = Field(default=None, ge=0, le=10000)
    resources: ResourcesPatch | None = None
    env: dict[EnvName, str] = Field(default_factory=dict)


class Environments(RootModel[dict[str, Overlay]]):
    """`environments:` — name -> overlay."""


def _file(path: Path) -> Path:
    file = settings_path(path)
    if not path.exists() or (path.suffix in (".yaml", ".yml") and not file.exists()):
        raise UsageError(f"making the manifest: the project path {path} does not exist")
    return file


def _problems(exc: ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    # "[key]" marks an error in a mapping's key; the key itself is already in the location.
    return [(tuple(p for p in err["loc"] if p != "[key]"), str(err["msg"]).removeprefix("Value error, "))
            for err in exc.errors()]


def _section(path: Path, section: str, model: type[M]) -> M:
    data = load_raw(path)
    try:
        return model.model_validate(data.get(section) or {})
    except ValidationError as exc:
        file = settings_path(path)
        lines = []
        for loc, message in _problems(exc):
            full = (section, *loc)
            line = line_of(data, full)
            lines.append(f"{file}:{line}: " if line else f"{file}: ")
            lines[-1] += f"{'.'.join(str(p) for p in full)}: {message}"
        raise UsageError("invalid settings: " + "\n".join(lines)) from exc


def load_settings(path: Path) -> tuple[ManifestSettings, dict[str, Overlay]]:
    """Both sections of the project's settings, validated (defaults when absent); the path must exist."""
    file = _file(path)
    manifest = _section(path, "manifest", ManifestSettings)
    envs = _section(path, "environments", Environments).root
    for name in envs:
        if not _ENV_NAME.match(name) or len(name) > 63:
            line = line_of(load_raw(path), ("environments", name))
            raise UsageError(f"invalid settings: {file}:{line}: environments.{name}: an environment name must be "
                             "lower-case letters, digits and '-' (at most 63)")
    return manifest, envs


def _label(text: str) -> str:
    """`text` as a Kubernetes name (DNS-1035 label): `app-` in front of one that starts with a digit (2048)."""
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")[:63].strip("-")
    return name if re.match(r"^[a-z]", name) else f"app-{name}"[:63].rstrip("-")


def _project_name(path: Path) -> str:
    return _label(settings_path(path).resolve().parent.name)


def project_defaults(path: Path) -> dict[str, Any]:
    """Defaults from the project's resolved recipe (port, user, health paths, resources, name, source, version).

    Empty when the settings name no recipe; the `manifest:` section overrides each of them.
    """
    if "recipe" not in load_raw(path):
        return {}
    # Deferred: imgforge.project imports the recipe machinery, which manifest-only use never needs.
    from imgforge.project import load_project

    project = load_project(settings_path(path))
    recipe = project.recipe
    name = _label(project.image_name.rsplit("/", 1)[-1])
    res = recipe.resources
    return {
        "name": name or None, "port": recipe.runtime.port, "uid": recipe.runtime.user, "gid": recipe.runtime.group,
        "liveness": default_liveness(recipe.health.liveness), "readiness": default_readiness(recipe.health.readiness),
        "resources": Resources(requests=CpuMemory(cpu=res.requests.cpu, memory=res.requests.memory),
                               limits=CpuMemory(cpu=res.limits.cpu, memory=res.limits.memory)),
        "source": project.settings.image.source, "version": project.version(),
    }


def _has(data: Any, loc: tuple[Any, ...]) -> bool:
    node = data
    for part in loc:
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_list or (isinstance(node, dict) and part in node)):
            return False
        node = node[part]
    return True


def settings_problem(path: Path, spec_path: str | tuple[Any, ...], message: str, environment: str | None = None) -> str:
    """One line `file:line: key.path: reason` for a problem at `spec_path` of the spec (base or environment)."""
    file = settings_path(path)
    data = load_raw(path)
    parts = spec_path if isinstance(spec_path, tuple) else tuple(spec_path.split("."))
    candidates = ([("environments", environment, *parts)] if environment else []) + [("manifest", *parts)]
    loc = next((c for c in candidates if _has(data, c)), None)
    shown = ".".join(str(p) for p in parts)
    # Built for one environment, the problem is that environment's even when the key is set elsewhere
    # (a request raised in prod above the base's limit): name it, or three environments look alike.
    env_line = line_of(data, ("environments", environment)) if environment else None
    in_env = f"in environment {environment}, line {env_line}" if env_line else ""
    if loc is None:
        origin = "; ".join(x for x in ("the value comes from the recipe or the image", in_env) if x)
        return f"{file}: manifest.{shown}: {message} ({origin})"
    line = line_of(data, loc)
    where = f"{file}:{line}" if line else str(file)
    tail = f" ({in_env})" if in_env and loc[0] != "environments" else ""
    return f"{where}: {'.'.join(str(p) for p in loc)}: {message}{tail}"


def _raise(path: Path, found: list[tuple[str | tuple[Any, ...], str]], environment: str | None) -> None:
    if found:
        lines = [settings_problem(path, p, m, environment) for p, m in found]
        raise UsageError("invalid settings: " + "\n".join(lines))


def build_spec(path: Path, fields: dict[str, Any], environment: str | None = None) -> ManifestSpec:
    """A ManifestSpec from `fields`, every problem reported against the settings key that caused it."""
    try:
        spec = ManifestSpec.model_validate(fields, context={"defer_cross_rules": True})
    except ValidationError as exc:
        _raise(path, list(_problems(exc)), environment)
        raise  # unreachable: _raise raised for a non-empty list
    _raise(path, list(spec_problems(spec)), environment)
    return spec


def spec_from_settings(
    path: Path, image: str, config: ImageConfig | None, pull_secrets: tuple[str, ...] = (),
    meta: dict[str, str] | None = None,
) -> ManifestSpec:
    """A ManifestSpec from the `manifest:` section, the pinned image and its config; errors name the missing fact."""
    s, _ = load_settings(path)
    cfg = config or ImageConfig()
    recipe = project_defaults(path)

    def pick(key: str) -> Any:
        # Explicit manifest settings win over the recipe, which wins over the field's default.
        return getattr(s, key) if key in s.model_fields_set or recipe.get(key) is None else recipe[key]

    port = pick("port")
    if port is None:
        if len(cfg.exposed_ports) != 1:
            raise UsageError("making the manifest: set manifest.port (the image EXPOSEs "
                             f"{len(cfg.exposed_ports)} tcp ports, so none can be chosen)")
        port = next(iter(cfg.exposed_ports))
    uid = pick("uid")
    uid = uid if uid is not None else cfg.uid()
    if uid is None:
        raise UsageError("making the manifest: set manifest.uid, or give the image a numeric USER "
                         f"(its USER is {cfg.user or 'unset (root)'!r})")
    gid = pick("gid")
    gid = gid if gid is not None else cfg.gid()
    files = read_config_files(settings_path(path).resolve().parent, s.config_files)
    meta = meta or {}
    return build_spec(path, {
        "name": pick("name") or _project_name(path), "image": image,
        "version": meta.get("version") or cfg.label(LABEL_VERSION) or recipe.get("version"),
        "revision": meta.get("revision") or cfg.label(LABEL_REVISION),
        "source": meta.get("source") or cfg.label(LABEL_SOURCE) or recipe.get("source"),
        "part_of": s.part_of, "component": s.component, "port": port, "port_name": s.port_name, "uid": uid, "gid": gid,
        "command": tuple(s.command), "args": tuple(s.args),
        # No declared health endpoint: a TCP connect on the port is the one honest probe.
        "liveness": pick("liveness") or default_liveness(None),
        "readiness": pick("readiness") or default_readiness(None),
        "startup": s.startup, "resources": pick("resources"), "writable_paths": tuple(s.writable_paths), "env": s.env,
        "replicas": s.replicas, "image_pull_secrets": tuple(dict.fromkeys([*s.image_pull_secrets, *pull_secrets])),
        "config_files": files, "config_mount_path": s.config_mount_path, "service_port": s.service_port,
        "operations": s.operations,
    })


def apply_overlay(
    spec: ManifestSpec, overlay: Overlay, path: Path | None = None, environment: str = ""
) -> ManifestSpec:
    """`spec` with one environment's replicas, resources and env applied, validated like the base."""
    resources: dict[str, Any] = spec.resources.model_dump()
    if overlay.resources is not None:
        for part in ("requests", "limits"):
            patch = getattr(overlay.resources, part)
            if patch is not None:
                resources[part].update(patch.model_dump(exclude_none=True))
    fields = {
        **spec.model_dump(),
        "replicas": overlay.replicas if overlay.replicas is not None else spec.replicas,
        "resources": resources,
        "env": {**spec.env, **overlay.env},
    }
    if path is None:
        return ManifestSpec.model_validate(fields)
    return build_spec(path, fields, environment)
