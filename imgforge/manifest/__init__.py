"""The manifest stage: Kubernetes YAML pinned by digest, hardened, probed, limited, validated offline; and verify.

    rules.py      the API server's rules for names, labels, ports, quantities, keys and paths
    spec.py       ManifestSpec (the input model, field rules), Operations, spec_problems (rules across fields)
    emit.py       emit(spec, kind, version) -> list[dict], to_yaml (deterministic)
    ops.py        the operations layer: ServiceAccount, NetworkPolicy, PodDisruptionBudget, autoscaler, spread
    kustomize.py  base/ + overlays/<env>/ with JSON patches, and a renderer to check them
    files.py      config_files read from regular files inside the project only
    validate.py   the Kubernetes JSON schema of a chosen version + our own checks -> GateFailed
    image.py      pinning a reference by digest; the image config (EXPOSE, USER, labels)
    settings.py   the `manifest:` and `environments:` sections of imgforge.yaml, recipe defaults
    project.py    make_manifests / spec_from_project: the stage over a project
    plan.py       a manifest read back into a RunPlan; probes.py and verify.py run it under Docker
    writeback.py  `verify --recommend` writes manifest.resources back
"""

from __future__ import annotations

from imgforge.manifest.emit import emit, to_yaml
from imgforge.manifest.project import make_manifests, spec_from_project
from imgforge.manifest.spec import CpuMemory, ManifestSpec, Probe, Resources
from imgforge.manifest.validate import check, problems

__all__ = [
    "CpuMemory", "ManifestSpec", "Probe", "Resources", "check", "emit", "make_manifests", "problems",
    "spec_from_project", "to_yaml",
]
