"""`--format kustomize`: base/ + overlays/<env>/ that build to exactly each environment's own objects."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from imgforge.manifest.emit import emit
from imgforge.manifest.image import ImageConfig
from imgforge.manifest.kustomize import apply_patch, json_patch, kustomize_tree, render
from imgforge.manifest.project import BASE, make_manifests
from imgforge.manifest.settings import apply_overlay, load_settings, spec_from_settings

IMAGE = "127.0.0.1:5000/shop/web@sha256:" + "d" * 64
Environments = tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]  # base objects, objects per environment
SETTINGS = """\
manifest:
  name: web
  port: 8080
  uid: 10001
  env: {LOG: info}
  config_files: {web.conf: web.conf}
environments:
  dev: {}
  staging: {env: {LOG: debug, FEATURE_X: "on"}}
  prod:
    replicas: 4
    resources: {requests: {cpu: 250m}, limits: {memory: 512Mi}}
"""


class _Given:
    """Image facts for a digest-pinned reference: no engine or registry is asked."""

    def local_config(self, ref: str) -> ImageConfig | None:
        return ImageConfig(exposed_ports=frozenset({8080}), user="10001")


def _by_key(objs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["kind"], o["metadata"]["name"]): o for o in objs}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kustomize")
    (root / "imgforge.yaml").write_text(SETTINGS, encoding="utf-8")
    (root / "web.conf").write_text("workers = 2\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def environments(project: Path) -> Environments:
    spec = spec_from_settings(project, IMAGE, ImageConfig(exposed_ports=frozenset({8080}), user="10001"))
    _, overlays = load_settings(project)
    envs = {name: emit(apply_overlay(spec, o, project, name)) for name, o in overlays.items()}
    return emit(spec), envs


def test_overlays_render_to_each_environment(environments: Environments) -> None:
    base, envs = environments
    files = kustomize_tree(base, envs)
    for name, objs in envs.items():
        assert _by_key(render(files, f"overlays/{name}")) == _by_key(objs), name
    assert "overlays/prod/poddisruptionbudget-web.yaml" in files  # replicas >= 2 only in prod
    assert "base/poddisruptionbudget-web.yaml" not in files
    assert "patches" not in yaml.safe_load(files["overlays/dev/kustomization.yaml"])  # dev is the base
    prod = yaml.safe_load(files["overlays/prod/deployment-web-patch.yaml"])
    assert {"op": "replace", "path": "/spec/replicas", "value": 4} in prod


def test_json_patch_round_trips_with_escaped_keys() -> None:
    old = {"metadata": {"labels": {"app.kubernetes.io/name": "a", "gone": "x"}}, "list": [1, 2], "n": 1}
    new = {"metadata": {"labels": {"app.kubernetes.io/name": "b", "new~key": "y"}}, "list": [1, 2, 3], "n": 1.0}
    ops = json_patch(old, new)
    assert {"op": "replace", "path": "/metadata/labels/app.kubernetes.io~1name", "value": "b"} in ops
    assert apply_patch(old, ops) == new


@pytest.mark.skipif(not shutil.which("kubectl"), reason="kubectl (with its built-in kustomize) is not installed; "
                    "test_overlays_render_to_each_environment checks the same with the Python renderer")
def test_real_kustomize_builds_each_overlay(tmp_path: Path, environments: Environments) -> None:
    base, envs = environments
    for rel, text in kustomize_tree(base, envs).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    for name, objs in envs.items():
        out = subprocess.run(["kubectl", "kustomize", str(tmp_path / "overlays" / name)], capture_output=True,
                             text=True, timeout=120, check=False)
        assert out.returncode == 0, out.stderr
        built = [d for d in yaml.safe_load_all(out.stdout) if d]
        assert _by_key(built) == _by_key(objs), name


def test_cli_writes_the_tree_and_needs_out(project: Path, tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    cmd = [sys.executable, "-m", "imgforge", "manifest", str(project), "--image", IMAGE, "--format", "kustomize"]
    res = subprocess.run([*cmd, "--out", str(tmp_path / "k8s")], capture_output=True, text=True, env=env,
                         timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    files = {p.relative_to(tmp_path / "k8s").as_posix(): p.read_text(encoding="utf-8")
             for p in (tmp_path / "k8s").rglob("*.yaml")}
    assert {"base/kustomization.yaml", "overlays/dev/kustomization.yaml",
            "overlays/prod/kustomization.yaml"} <= set(files)
    emitted = make_manifests(project, IMAGE, source=_Given())  # type: ignore[arg-type]
    assert _by_key(render(files, "overlays/staging")) == _by_key(emitted.objects["staging"])
    assert BASE not in emitted.objects
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert res.returncode == 2 and "name it with --out DIR" in res.stderr
