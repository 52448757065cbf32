"""A monorepo run: every sample through every stage, two at a time."""

from __future__ import annotations

import json
from pathlib import Path

from pipelinehelp import SAMPLES, imgforge, sample_copy

from imgforge.registry.client import RegistryClient


def test_all_samples_with_two_jobs(docker, registry, tmp_path: Path):
    names = sorted(p.name for p in SAMPLES.iterdir() if (p / "imgforge.yaml").is_file())
    assert len(names) >= 5
    projects = [sample_copy(n, tmp_path) for n in names]
    res = imgforge("pipeline", *projects, "--version", "1.0.0", "--jobs", "2", "--dist", tmp_path / "dist",
                   "--json", "--summary", tmp_path / "summary.md", timeout=1200)
    assert res.returncode == 0, res.stderr[-4000:]
    results = json.loads(res.stdout)
    assert [r["project"] for r in results] == [str(p) for p in projects]
    client = RegistryClient(registry.address)
    for r in results:
        assert r["ok"], (r["project"], [s for s in r["stages"] if s["status"] != "ok"])
        verify = next(s for s in r["stages"] if s["name"] == "verify")
        assert "ready in" in verify["detail"]
        assert client.tag_digests(r["image"], ["1.0.0"]) == {"1.0.0": r["digest"]}
    summary = (tmp_path / "summary.md").read_text()
    assert summary.count("✅") >= len(names) and "Image size" in summary
