"""The manifest:/environments: sections, recipe defaults, pinning, and the project-level manifest stage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imgforge.errors import UsageError
from imgforge.manifest.image import ImageConfig, RegistryAnswer, config_from_blob, exposed_ports, parse_config, pin
from imgforge.manifest.project import make_manifests, spec_from_project
from imgforge.manifest.settings import apply_overlay, load_settings, spec_from_settings
from imgforge.reference import Reference
from tests.manifest._specs import by_kind

DIGEST = "sha256:" + "a" * 64
CONFIG = ImageConfig(exposed_ports=frozenset({8080}), user="10001:10002",
                     labels={"org.opencontainers.image.version": "2.0.0",
                             "org.opencontainers.image.revision": "abc123"},
                     repo_digests=(f"127.0.0.1:5000/shop/web@{DIGEST}",))

SETTINGS = """\
# shop web
manifest:
  name: web
  liveness: {path: /healthz, period_seconds: 2}
  readiness: {path: /readyz}
  env: {LOG: info}
  config_files: {web.conf: conf/web.conf}
environments:
  dev: {replicas: 1}
  prod:
    replicas: 3
    resources: {limits: {memory: 512Mi}}
    env: {LOG: warn}
"""


class FakeSource:
    """Image facts without an engine or registry."""

    def __init__(self, config: ImageConfig | None, answer: RegistryAnswer) -> None:
        self.config, self.answer = config, answer

    def local_config(self, ref: str) -> ImageConfig | None:
        return self.config

    def registry_digest(self, ref: Reference) -> RegistryAnswer:
        return self.answer

    def registry_config(self, ref: Reference, digest: str) -> ImageConfig | None:
        return None


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "imgforge.yaml").write_text(SETTINGS, encoding="utf-8")
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "web.conf").write_text("workers = 2\n", encoding="utf-8")
    return tmp_path


def test_spec_takes_port_user_and_labels_from_the_image(project: Path) -> None:
    spec = spec_from_settings(project, f"r/web@{DIGEST}", CONFIG)
    assert (spec.port, spec.uid, spec.gid) == (8080, 10001, 10002)
    assert (spec.version, spec.revision) == ("2.0.0", "abc123")
    assert spec.config_files == {"web.conf": "workers = 2\n"}
    assert spec.liveness.period_seconds == 2


def test_overlays_change_replicas_resources_and_env(project: Path) -> None:
    spec = spec_from_settings(project, f"r/web@{DIGEST}", CONFIG)
    _, envs = load_settings(project)
    prod = apply_overlay(spec, envs["prod"])
    assert prod.replicas == 3
    assert prod.resources.limits.memory == "512Mi"
    assert prod.resources.requests == spec.resources.requests
    assert prod.env == {"LOG": "warn"}
    assert apply_overlay(spec, envs["dev"]).env == {"LOG": "info"}


def test_missing_port_and_user_are_named(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="manifest.port"):
        spec_from_settings(tmp_path, "x", ImageConfig(exposed_ports=frozenset({80, 443}), user="10001"))
    with pytest.raises(UsageError, match="manifest.uid"):
        spec_from_settings(tmp_path, "x", ImageConfig(exposed_ports=frozenset({80}), user="app"))


def test_unknown_key_names_file_line_and_path(tmp_path: Path) -> None:
    (tmp_path / "imgforge.yaml").write_text("manifest:\n  port: 80\n  replica: 2\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"imgforge.yaml:3: manifest.replica"):
        load_settings(tmp_path)


def test_pin_prefers_registry_then_repo_digests() -> None:
    other = "sha256:" + "b" * 64
    by_registry = pin("127.0.0.1:5000/shop/web:2.0.0", FakeSource(CONFIG, RegistryAnswer(other, False)))
    assert (by_registry.ref, by_registry.how) == (f"127.0.0.1:5000/shop/web@{other}", "registry")
    by_engine = pin("127.0.0.1:5000/shop/web:2.0.0", FakeSource(CONFIG, RegistryAnswer(None, False)))
    assert (by_engine.ref, by_engine.how) == (f"127.0.0.1:5000/shop/web@{DIGEST}", "engine RepoDigests")
    given = pin(f"shop/web@{DIGEST}", FakeSource(None, RegistryAnswer(None, False)))
    assert given.how == "given"
    with pytest.raises(UsageError, match="pinning shop/api:1 by digest"):
        pin("shop/api:1", FakeSource(CONFIG, RegistryAnswer(None, False)))


def test_parse_config_reads_exposed_tcp_ports() -> None:
    cfg = parse_config({"Config": {"ExposedPorts": {"8080/tcp": {}, "53/udp": {}}, "User": "10001"}, "RepoDigests": []})
    assert cfg.exposed_ports == frozenset({8080})
    assert cfg.uid() == 10001


def test_one_expose_rule_for_inspect_json_registry_blob_and_engine_model() -> None:
    declared = {"8080/tcp": {}, "53/udp": {}, "9000": {}, "x/tcp": {}}
    assert exposed_ports(declared) == exposed_ports(list(declared)) == frozenset({8080, 9000})
    blob = json.dumps({"config": {"ExposedPorts": declared}, "rootfs": {"type": "layers", "diff_ids": []}})
    assert config_from_blob(blob.encode(), "test").exposed_ports == frozenset({8080, 9000})
    assert parse_config({"Config": {"ExposedPorts": declared}}).exposed_ports == frozenset({8080, 9000})
    assert exposed_ports(None) == frozenset()


def test_make_manifests_per_environment(project: Path) -> None:
    source = FakeSource(CONFIG, RegistryAnswer(DIGEST, False))
    result = make_manifests(project, "127.0.0.1:5000/shop/web:2.0.0", "deployment", source=source)
    assert list(result.objects) == ["dev", "prod"]
    prod = result.objects["prod"]
    assert [o["kind"] for o in prod] == ["ServiceAccount", "ConfigMap", "Deployment", "Service", "NetworkPolicy",
                                         "PodDisruptionBudget"]
    dep = by_kind(prod, "Deployment")
    assert dep["spec"]["replicas"] == 3
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == f"127.0.0.1:5000/shop/web@{DIGEST}"
    with pytest.raises(UsageError, match="unknown environment 'qa'"):
        make_manifests(project, "127.0.0.1:5000/shop/web:2.0.0", environments=("qa",), source=source)


def test_registry_that_needs_auth_needs_a_pull_secret(project: Path) -> None:
    source = FakeSource(CONFIG, RegistryAnswer(None, True))
    with pytest.raises(UsageError, match="imagePullSecret"):
        make_manifests(project, "127.0.0.1:5000/shop/web:2.0.0", source=source)
    result = make_manifests(project, "127.0.0.1:5000/shop/web:2.0.0", pull_secrets=("regcred",), source=source)
    pod = by_kind(result.objects["dev"], "Deployment")["spec"]["template"]
    assert pod["spec"]["imagePullSecrets"] == [{"name": "regcred"}]


def test_recipe_defaults_fill_the_spec(tmp_path: Path) -> None:
    (tmp_path / "public").mkdir()
    (tmp_path / "imgforge.yaml").write_text(
        "recipe: static\nimage: {name: shop/site, source: https://git.example.org/site}\n"
        "manifest:\n  readiness: {path: /ready, period_seconds: 3}\n", encoding="utf-8")
    source = FakeSource(ImageConfig(), RegistryAnswer(DIGEST, False))
    spec = spec_from_project(tmp_path, "127.0.0.1:5000/shop/site:1.0.0", source)
    assert (spec.name, spec.port, spec.uid) == ("site", 8080, 10001)
    assert spec.liveness.path == "/healthz"
    assert spec.readiness.path == "/ready"
    assert spec.resources.limits.memory == "32Mi"
    assert spec.source == "https://git.example.org/site"


def test_an_image_named_with_a_leading_digit_gets_a_valid_kubernetes_name(tmp_path: Path) -> None:
    # gabrielecirulli/2048: the image realproj/2048 made the name '2048', refused only at verify, after the build.
    (tmp_path / "public").mkdir()
    (tmp_path / "imgforge.yaml").write_text("recipe: static\nimage: {name: games/2048}\n", encoding="utf-8")
    source = FakeSource(ImageConfig(), RegistryAnswer(DIGEST, False))
    spec = spec_from_project(tmp_path, "127.0.0.1:5000/games/2048:1.0.0", source)
    assert spec.name == "app-2048"
