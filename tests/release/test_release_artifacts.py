"""Artifacts: attach a report to a pushed image, list it, pull it back with oras byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import oras.provider

from imgforge.artifacts import REPORTS_TYPE, attach, fallback_tag, list_artifacts
from imgforge.push import push_image
from imgforge.reference import Reference
from imgforge.registry import RegistryClient
from imgforge.tags import plan_tags


def test_attach_list_and_pull_back(registry, unique_repo, tiny_image, tmp_path: Path):
    client = RegistryClient(registry.address)
    image = tiny_image(unique_repo.split("/")[1], "artifacts")
    pushed = push_image(image, Reference.parse(f"{registry.address}/{unique_repo}"), plan_tags("0.1.0", {}),
                        client=client)
    report = tmp_path / "scan-report.json"
    report.write_text(json.dumps({"findings": [], "image": pushed.reference}, indent=2))
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM imgforge/busybox:1.35\n")

    digest = attach(pushed.reference, [report, dockerfile], REPORTS_TYPE)
    # distribution 2.8 has no referrers API: the fallback tag scheme holds the index.
    assert client.referrers(unique_repo, pushed.digest) is None
    assert client.head_manifest(unique_repo, fallback_tag(pushed.digest))

    again = attach(pushed.reference, [report], "application/vnd.imgforge.other.v1+json")
    listed = list_artifacts(f"{registry.address}/{unique_repo}:0.1.0")
    assert [(a.digest, a.artifact_type) for a in listed] == [
        (digest, REPORTS_TYPE), (again, "application/vnd.imgforge.other.v1+json")]
    assert listed[0].files == ("scan-report.json", "Dockerfile")
    assert [a.digest for a in list_artifacts(pushed.reference, artifact_type=REPORTS_TYPE)] == [digest]

    out = tmp_path / "pulled"
    oras_registry = oras.provider.Registry(hostname=registry.address, insecure=True)
    files = oras_registry.pull(target=f"{registry.address}/{unique_repo}@{digest}", outdir=str(out))
    pulled = {Path(f).name: Path(f).read_bytes() for f in files}
    assert pulled["scan-report.json"] == report.read_bytes()
    assert pulled["Dockerfile"] == dockerfile.read_bytes()
    manifest = oras_registry.get_manifest(f"{registry.address}/{unique_repo}@{digest}")
    assert manifest["subject"]["digest"] == pushed.digest
    assert manifest["artifactType"] == REPORTS_TYPE
    # The image's own tags are untouched.
    assert client.head_manifest(unique_repo, "0.1.0") == pushed.digest
