"""The `manifest:` and `environments:` sections of imgforge.yaml, and the ManifestSpec they make with an image."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel

from imgforge.errors import UsageError
from imgforge.manifest.image import ImageConfig
from imgforge.manifest.spec import CpuMemory, ManifestSpec, Probe, Resources, default_liveness, default_readiness
from imgforge.settings import load_raw, load_section, settings_path

LABEL_VERSION = "org.opencontainers.image.version"
LABEL_REVISION = "org.opencontainers.image.revision"
LABEL_SOURCE = "org.opencontainers.image.source"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ManifestSettings(_Section):
    """`manifest:` — what the workload needs beyond the image; unset fields come from the image config."""

    name: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    port_name: str = "http"
    service_port: int | None = None
    uid: int | None = Field(default=None, ge=0)
    gid: int | None = Field(default=None, ge=0)
    command: list[str] = Field(default_factory=list)
    args: list[str] = Field(default_factory=list)
    liveness: Probe = default_liveness()
    readiness: Probe = default_readiness()
    startup: Probe | None = None
    resources: Resources = Resources()
    writable_paths: list[str] = Field(default_factory=lambda: ["/tmp"])
    env: dict[str, str] = Field(default_factory=dict)
    replicas: int = Field(default=1, ge=0)
    image_pull_secrets: list[str] = Field(default_factory=list)
    config_files: dict[str, str] = Field(default_factory=dict, description="ConfigMap key -> file, relative to the project")
    config_mount_path: str = "/etc/app"
    part_of: str | None = None
    component: str = "server"
    kubernetes_version: str = "1.30"


class CpuMemoryPatch(_Section):
    cpu: str | None = None
    memory: str | None = None


class ResourcesPatch(_Section):
    requests: CpuMemoryPatch | None = None
    limits: CpuMemoryPatch | None = None


class Overlay(_Section):
    """One environment's changes: replicas, resources (partial) and env (merged over the base env)."""

    replicas: int | None = Field(default=None, ge=0)
    resources: ResourcesPatch | None = None
    env: dict[str, str] = Field(default_factory=dict)


class Environments(RootModel[dict[str, Overlay]]):
    """`environments:` — name -> overlay."""


def load_settings(path: Path) -> tuple[ManifestSettings, dict[str, Overlay]]:
    """Both sections of the project's settings, validated (defaults when absent)."""
    manifest = load_section(path, "manifest", ManifestSettings)
    envs = load_section(path, "environments", Environments).root
    for name in envs:
        if not re.match(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name):
            raise UsageError(f"invalid settings: environments.{name}: an environment name must be lower-case letters, digits and '-'")
    return manifest, envs


def _project_name(path: Path) -> str:
    folder = settings_path(path).resolve().parent.name
    return re.sub(r"[^a-z0-9-]+", "-", folder.lower()).strip("-")[:63] or "app"


def project_defaults(path: Path) -> dict[str, Any]:
    """Defaults from the project's resolved recipe (port, user, health paths, resources, name, source, version).

    Empty when the settings name no recipe; the `manifest:` section overrides each of them.
    """
    if "recipe" not in load_raw(path):
        return {}
    from imgforge.project import load_project

    project = load_project(settings_path(path))
    recipe = project.recipe
    name = re.sub(r"[^a-z0-9-]+", "-", project.image_name.rsplit("/", 1)[-1].lower()).strip("-")[:63]
    res = recipe.resources
    return {
        "name": name or None, "port": recipe.runtime.port, "uid": recipe.runtime.user, "gid": recipe.runtime.group,
        "liveness": default_liveness(recipe.health.liveness), "readiness": default_readiness(recipe.health.readiness),
        "resources": Resources(requests=CpuMemory(cpu=res.requests.cpu, memory=res.requests.memory),
                               limits=CpuMemory(cpu=res.limits.cpu, memory=res.limits.memory)),
        "source": project.settings.image.source, "version": project.version(),
    }


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
    files = {}
    base = settings_path(path).resolve().parent
    for key, rel in s.config_files.items():
        try:
            files[key] = (base / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"reading config file manifest.config_files.{key} ({rel}): {exc}") from exc
    meta = meta or {}
    return ManifestSpec(
        name=pick("name") or _project_name(path), image=image,
        version=meta.get("version") or cfg.label(LABEL_VERSION) or recipe.get("version"),
        revision=meta.get("revision") or cfg.label(LABEL_REVISION),
        source=meta.get("source") or cfg.label(LABEL_SOURCE) or recipe.get("source"),
        part_of=s.part_of, component=s.component, port=port, port_name=s.port_name, uid=uid, gid=gid,
        command=tuple(s.command), args=tuple(s.args), liveness=pick("liveness"), readiness=pick("readiness"),
        startup=s.startup, resources=pick("resources"), writable_paths=tuple(s.writable_paths), env=s.env,
        replicas=s.replicas, image_pull_secrets=tuple(dict.fromkeys([*s.image_pull_secrets, *pull_secrets])),
        config_files=files, config_mount_path=s.config_mount_path, service_port=s.service_port,
    )


def apply_overlay(spec: ManifestSpec, overlay: Overlay) -> ManifestSpec:
    """`spec` with one environment's replicas, resources and env applied."""
    resources: dict[str, Any] = spec.resources.model_dump()
    if overlay.resources is not None:
        for part in ("requests", "limits"):
            patch = getattr(overlay.resources, part)
            if patch is not None:
                resources[part].update(patch.model_dump(exclude_none=True))
    return spec.model_copy(update={
        "replicas": overlay.replicas if overlay.replicas is not None else spec.replicas,
        "resources": Resources(requests=CpuMemory(**resources["requests"]), limits=CpuMemory(**resources["limits"])),
        "env": {**spec.env, **overlay.env},
    })
