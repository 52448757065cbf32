"""The manifest stage: Kubernetes YAML pinned by digest, hardened, probed, limited, validated offline; and verify.

    spec.py       ManifestSpec (the input model) and Kubernetes quantities
    emit.py       emit(spec, kind) -> list[dict], to_yaml (deterministic)
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
