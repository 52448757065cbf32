"""A bad key under any section of imgforge.yaml stops the pipeline before it writes, builds or pushes anything."""

from __future__ import annotations

import json
import subprocess
import urllib.request
import uuid
from pathlib import Path

import pytest
from pipelinehelp import imgforge, sample_copy

from imgforge.pipeline.checks import SECTION_CHECKS, check_settings
from imgforge.project import PROJECT_KEYS, load_project
from imgforge.settings import KNOWN_SECTIONS


BAD = {
    "manifest": ("manifest:\n  builders: 2\n", "manifest.builders"),
    "environments": ("environments:\n  prod: {replicaz: 3}\n", "environments.prod.replicaz"),
    "scan": ("scan:\n  max_sizee: 10MB\n", "scan.max_sizee"),
    "build": ("build:\n  buildr: default\n", "build.buildr"),
    "build.network": ("build:\n  network: {proxy: 1}\n", "build.network.proxy"),
    "report": ("report:\n  max_growht: 5\n", "report.max_growht"),
    "lint": ("lint:\n  disabled: [PIN003]\n", "lint.disabled"),
    "bases": ("bases:\n  registri: 127.0.0.1:5000\n", "bases.registri"),
}


def catalog(url: str) -> list[str]:
    with urllib.request.urlopen(f"{url}/v2/_catalog?n=1000", timeout=5) as resp:
        return list(json.load(resp)["repositories"])


def engine_tags() -> list[str]:
    """Every repository:tag in the engine, from one `docker image ls` (python-on-whales' Image.repo_tags runs one
    `docker image inspect` per image: seconds with a few hundred images, and racy when another run removes one)."""
    out = subprocess.run(["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"], capture_output=True,
                         text=True, check=True).stdout
    return out.splitlines()


@pytest.mark.parametrize("section", sorted(BAD))
def test_a_bad_key_stops_the_pipeline_before_anything_changes(docker, registry, tmp_path: Path, section: str) -> None:
    extra, key = BAD[section]
    repo = f"imgforge-test/settings-{section.replace('.', '-')}-{uuid.uuid4().hex[:8]}"
    project = sample_copy("python-web", tmp_path, repo=repo, extra_yaml=extra)
    before = {p.name: p.read_bytes() for p in project.iterdir()}
    dist = tmp_path / "dist"
    res = imgforge("pipeline", project, "--version", "1.0.0", "--registry", registry.address, "--dist", dist)
    assert res.returncode == 2, res.stdout[-2000:] + res.stderr[-2000:]
    assert "Traceback" not in res.stderr
    # One line names the file, its line and the key.
    lines = [line for line in res.stderr.splitlines() if key in line and "imgforge.yaml:" in line]
    assert lines, res.stderr
    assert "generate failed: invalid settings:" in res.stderr
    # Nothing changed: the project's files, no dist/, no image in the engine, no repository in the registry.
    assert {p.name: p.read_bytes() for p in project.iterdir()} == before
    assert not dist.exists()
    assert not [t for t in engine_tags() if repo in t]
    assert repo not in catalog(registry.url)


def test_every_section_a_stage_reads_is_checked_up_front() -> None:
    checked = {name for names in SECTION_CHECKS for name in names}
    assert checked | set(PROJECT_KEYS) == KNOWN_SECTIONS
    assert not checked & set(PROJECT_KEYS)


def test_good_sections_pass_the_up_front_check(tmp_path: Path) -> None:
    project = sample_copy("python-web", tmp_path, extra_yaml=(
        "manifest:\n  replicas: 2\nenvironments:\n  prod: {replicas: 3}\nscan:\n  max_size: 300MB\n"
        "build:\n  cache: false\nreport:\n  max_growth: 5\nlint:\n  disable: [PIN003]\n"
        "bases:\n  registry: 127.0.0.1:5000\n"))
    check_settings(load_project(project))  # raises on any problem
