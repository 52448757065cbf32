"""The whole pipeline against the real engine and registry: outputs, gates, re-runs, monorepo."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from pipelinehelp import imgforge, sample_copy

from imgforge.registry.client import RegistryClient

def catalog(url: str) -> list[str]:
    with urllib.request.urlopen(f"{url}/v2/_catalog?n=1000", timeout=5) as resp:
        return list(json.load(resp)["repositories"])


# Verify runs before any tag exists (issue 11: a broken image never gets a tag).
STAGES = ["generate", "lint", "build", "scan", "report", "verify", "tag", "push", "manifest", "attach"]


def test_full_pipeline_on_a_sample(docker, registry, tmp_path: Path):
    project = sample_copy("python-web", tmp_path)
    dist = tmp_path / "dist"
    res = imgforge("pipeline", project, "--version", "1.2.3", "--dist", dist, "--json")
    assert res.returncode == 0, res.stderr[-3000:]
    [result] = json.loads(res.stdout)
    assert [s["name"] for s in result["stages"]] == STAGES
    assert all(s["status"] == "ok" for s in result["stages"]), result["stages"]
    repo = result["image"]
    out = dist / repo
    for name in ("Dockerfile", "lint.sarif", "scan.json", "scan.sarif", "report.html", "report.md", "report.json",
                 "pipeline.json", "manifests/deployment.yaml", "verify.json"):
        assert (out / name).is_file(), name
    # Tags and digest really are in the registry.
    client = RegistryClient(registry.address)
    digests = client.tag_digests(repo, ["1.2.3", "1.2", "1"])
    assert set(digests.values()) == {result["digest"]}
    # The pipeline's default kind is a Deployment (issue 14).
    workload = (out / "manifests/deployment.yaml").read_text()
    assert f"@{result['digest']}" in workload
    # pipeline.json links Dockerfile lines to layers and bytes.
    links = json.loads((out / "pipeline.json").read_text())
    assert links["digest"] == result["digest"] and "manifests/deployment.yaml" in links["manifests"]
    assert links["push"]["digest"] == result["digest"] and links["tag_plan"]["version"] == "1.2.3"
    assert any(entry["layers"] for entry in links["lines"])
    scanned = json.loads((out / "scan.json").read_text())["total_bytes"]
    assert sum(layer["bytes"] for layer in links["layers"]) == scanned

    # Same commit, same version again: nothing uploaded, still exit 0.
    again = imgforge("pipeline", project, "--version", "1.2.3", "--dist", dist, "--no-verify", "--json")
    assert again.returncode == 0, again.stderr[-2000:]
    push = next(s for s in json.loads(again.stdout)[0]["stages"] if s["name"] == "push")
    assert "nothing uploaded" in push["detail"]

    # A changed app under the same version is refused, and the tag keeps its digest.
    (project / "app.py").write_text((project / "app.py").read_text() + "\n# changed\n")
    changed = imgforge("pipeline", project, "--version", "1.2.3", "--dist", dist, "--no-verify")
    assert changed.returncode == 1
    assert "immutable" in changed.stderr
    assert client.tag_digests(repo, ["1.2.3"])["1.2.3"] == result["digest"]

    # The next version compares itself with 1.2.3 through the attached scan report.
    nxt = imgforge("pipeline", project, "--version", "1.2.4", "--dist", dist, "--no-verify", "--json")
    assert nxt.returncode == 0, nxt.stderr[-2000:]
    size = json.loads((out / "report.json").read_text())
    assert size["previous_image"].endswith(f"{repo}:1.2.3")
    assert size["total_delta"] is not None and size["total_delta"] > 0


def test_planted_secret_stops_before_push(docker, registry, tmp_path: Path):
    project = sample_copy("python-web", tmp_path)
    fake_key = "AKIA" + "Q3ZR7TWX4PLNB2KD"  # format-valid, not a real credential
    (project / "settings.py").write_text(f'AWS_ACCESS_KEY_ID = "{fake_key}"\n')
    repo = next(line.split(": ", 1)[1] for line in (project / "imgforge.yaml").read_text().splitlines()
                if line.strip().startswith("name: "))
    res = imgforge("pipeline", project, "--version", "1.0.0", "--dist", tmp_path / "dist")
    assert res.returncode == 1, res.stderr[-2000:]
    assert "scan gate" in res.stderr and "secret" in res.stderr
    assert fake_key not in res.stdout + res.stderr
    assert fake_key not in "".join(p.read_text(errors="replace") for p in (tmp_path / "dist").rglob("*") if p.is_file())
    # Nothing new in the registry: the repository does not exist.
    client = RegistryClient(registry.address)
    assert client.tag_digests(repo, ["1.0.0"]) == {}
    assert repo not in catalog(registry.url)


def test_lint_gate_stops_before_build(docker, tmp_path: Path):
    project = sample_copy("python-web", tmp_path, extra_yaml="dockerfile: Dockerfile.bad\n")
    (project / "Dockerfile.bad").write_text(
        "FROM imgforge/python:3.11\nENV AWS_SECRET_ACCESS_KEY=q8Zr3Vt1Yx9Lk2Pm7Ns4Bw6Hj0Gd5Fc1Ae8Ui3Oy\n"
        "COPY . /app\nCMD [\"python3\", \"/app/app.py\"]\n"
    )
    res = imgforge("pipeline", project, "--version", "1.0.0", "--dist", tmp_path / "dist", "--json")
    assert res.returncode == 1
    [result] = json.loads(res.stdout)
    status = {s["name"]: s["status"] for s in result["stages"]}
    assert status["lint"] == "failed" and status["build"] == "skipped"
    assert "q8Zr3Vt1Yx9Lk2Pm7Ns4Bw6Hj0Gd5Fc1Ae8Ui3Oy" not in res.stdout + res.stderr


def test_bad_settings_exit_2(tmp_path: Path):
    project = sample_copy("python-web", tmp_path, extra_yaml="scan:\n  max_sizee: 10MB\n")
    res = imgforge("pipeline", project, "--version", "1.0.0", "--dist", tmp_path / "dist")
    assert res.returncode == 2, res.stderr
    assert "imgforge.yaml" in res.stderr and "max_sizee" in res.stderr and "Traceback" not in res.stderr


def test_bad_version_exit_2(tmp_path: Path):
    project = sample_copy("python-web", tmp_path)
    res = imgforge("pipeline", project, "--version", "one.two", "--dist", tmp_path / "dist")
    assert res.returncode == 2 and "Traceback" not in res.stderr
