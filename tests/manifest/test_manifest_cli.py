"""`imgforge manifest` as a command: YAML per environment, --json, exit codes; no engine needed (digest given)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

IMAGE = "127.0.0.1:5000/shop/web@sha256:" + "c" * 64
SETTINGS = """\
manifest:
  name: web
  port: 8080
  uid: 10001
environments:
  dev: {replicas: 1}
  prod: {replicas: 4, resources: {requests: {cpu: 250m}}}
"""


def imgforge(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "imgforge", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_prints_each_environment_as_valid_yaml(tmp_path: Path) -> None:
    (tmp_path / "imgforge.yaml").write_text(SETTINGS, encoding="utf-8")
    res = imgforge("manifest", str(tmp_path), "--image", IMAGE)  # no --kind: a Deployment is the default
    assert res.returncode == 0, res.stderr
    docs = [d for d in yaml.safe_load_all(res.stdout) if d]
    assert "Pod" not in [d["kind"] for d in docs]
    workloads = [(d["kind"], d["spec"].get("replicas")) for d in docs if d["kind"] in ("Deployment", "Service")]
    assert workloads == [("Deployment", 1), ("Service", None), ("Deployment", 4), ("Service", None)]
    assert [d["kind"] for d in docs].count("PodDisruptionBudget") == 1  # prod only: replicas >= 2
    assert "# environment: prod" in res.stdout
    assert "valid against Kubernetes 1.30" in res.stderr


def test_json_names_environments_and_the_pin(tmp_path: Path) -> None:
    (tmp_path / "imgforge.yaml").write_text(SETTINGS, encoding="utf-8")
    res = imgforge("manifest", str(tmp_path), "--image", IMAGE, "--env", "prod", "--json",
                   "--kubernetes-version", "1.28")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert (data["image"], data["pinned_by"], data["kubernetes_version"]) == (IMAGE, "given", "1.28")
    pod = next(o for o in data["environments"]["prod"] if o["kind"] == "Deployment")["spec"]["template"]
    assert pod["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "250m"


def test_failed_check_exits_1_and_bad_settings_exit_2(tmp_path: Path) -> None:
    (tmp_path / "imgforge.yaml").write_text(SETTINGS.replace("uid: 10001", "uid: 1000"), encoding="utf-8")
    res = imgforge("manifest", str(tmp_path), "--image", IMAGE)
    assert res.returncode == 1
    assert "UID 1000 is below 10000" in res.stderr and "Traceback" not in res.stderr
    (tmp_path / "imgforge.yaml").write_text("manifest:\n  prot: 80\n", encoding="utf-8")
    res = imgforge("manifest", str(tmp_path), "--image", IMAGE)
    assert res.returncode == 2
    assert "imgforge.yaml:2: manifest.prot" in res.stderr
