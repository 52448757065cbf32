"""The `manifest` stage over a project: pin the image, read the settings, apply each environment, emit, validate."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imgforge.errors import UsageError
from imgforge.manifest import validate
from imgforge.manifest.emit import Kind, emit
from imgforge.manifest.image import ImageSource, Pinned, pin
from imgforge.manifest.settings import apply_overlay, load_settings, spec_from_settings
from imgforge.manifest.spec import ManifestSpec

BASE = ""  # the name of the result without an environment overlay


@dataclass(frozen=True)
class Emitted:
    """Validated objects per environment ("" when the project defines none, or none was asked for)."""

    pinned: Pinned
    kubernetes_version: str
    objects: dict[str, list[dict[str, Any]]]
    base: list[dict[str, Any]] = field(default_factory=list)  # the objects without any environment's overlay


def make_manifests(
    path: Path, image: str, kind: Kind = "deployment", environments: tuple[str, ...] | None = None,
    pull_secrets: tuple[str, ...] = (), meta: dict[str, str] | None = None,
    kubernetes_version: str | None = None, source: ImageSource | None = None,
) -> Emitted:
    """Emit and validate; `environments=None` means every environment in the settings (or the base)."""
    settings, overlays = load_settings(path)
    version = validate.k8s_version(kubernetes_version or settings.kubernetes_version)
    pinned = pin(image, source)
    secrets = tuple(dict.fromkeys([*settings.image_pull_secrets, *pull_secrets]))
    if pinned.needs_auth and not secrets:
        raise UsageError(f"making the manifest for {image}: the registry needs credentials, so the pod needs "
                         "an imagePullSecret: name it in manifest.image_pull_secrets or pass --pull-secret")
    spec = spec_from_settings(path, pinned.ref, pinned.config, pull_secrets, meta)
    exposed = set(pinned.config.exposed_ports) if pinned.config else None
    names = environments if environments is not None else tuple(overlays) or (BASE,)
    base = emit(spec, kind, version)
    validate.check(base, version, exposed)
    out: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        if name == BASE:
            out[name] = base
            continue
        if name in overlays:
            env_spec = apply_overlay(spec, overlays[name], path, name)
        else:
            known = ", ".join(overlays) or "none defined"
            raise UsageError(f"making the manifest: unknown environment {name!r} (environments: {known})")
        objs = emit(env_spec, kind, version)
        validate.check(objs, version, exposed)
        out[name] = objs
    return Emitted(pinned, version, out, base)


def spec_from_project(path: Path, image: str, source: ImageSource | None = None) -> ManifestSpec:
    """The ManifestSpec of a project (recipe defaults, `manifest:` settings) for `image`, pinned by digest."""
    pinned = pin(image, source)
    return spec_from_settings(path, pinned.ref, pinned.config)


def file_name(obj: dict[str, Any]) -> str:
    """`deployment.yaml`, `service.yaml`, ...: one file per object kind."""
    return f"{str(obj.get('kind', 'object')).lower()}.yaml"
