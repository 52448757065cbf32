"""emit(): golden YAML for a fixed spec, schema-valid for every bundled Kubernetes version, deterministic."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from imgforge.manifest import validate
from imgforge.manifest.emit import emit, to_yaml, volume_name
from imgforge.manifest.spec import Probe
from tests.manifest._specs import IMAGE, by_kind, fixed_spec

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "manifest" / "golden"


@pytest.mark.parametrize("kind", ["pod", "deployment"])
def test_emit_matches_golden_yaml(kind: str) -> None:
    text = to_yaml(emit(fixed_spec(), kind))  # type: ignore[arg-type]
    golden = GOLDEN / f"{kind}.yaml"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("version", ["1.25", "1.30", "1.37"])
@pytest.mark.parametrize("kind", ["pod", "deployment"])
def test_emitted_objects_pass_schema_and_own_checks(kind: str, version: str) -> None:
    objs = emit(fixed_spec(), kind, version)  # type: ignore[arg-type]
    assert validate.problems(objs, version, exposed_ports={8080}) == []


def test_golden_files_are_the_objects_we_validate() -> None:
    docs = list(yaml.safe_load_all((GOLDEN / "deployment.yaml").read_text(encoding="utf-8")))
    assert [d["kind"] for d in docs] == ["ServiceAccount", "ConfigMap", "Deployment", "Service", "NetworkPolicy",
                                         "PodDisruptionBudget"]
    assert validate.problems(docs, "1.30") == []


def test_output_is_deterministic_whatever_the_env_order() -> None:
    a = fixed_spec(env={"A": "1", "B": "2"})
    b = fixed_spec(env={"B": "2", "A": "1"})
    assert to_yaml(emit(a, "deployment")) == to_yaml(emit(b, "deployment"))


def test_pod_is_hardened_pinned_and_probed() -> None:
    objs = emit(fixed_spec(), "pod")
    assert [o["kind"] for o in objs] == ["ServiceAccount", "ConfigMap", "Pod", "NetworkPolicy"]
    pod = by_kind(objs, "Pod")
    c = pod["spec"]["containers"][0]
    assert c["image"] == IMAGE
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert c["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert c["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert c["securityContext"]["runAsUser"] == 10001
    assert c["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert c["startupProbe"]["tcpSocket"] == {"port": "http"}
    mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
    assert mounts == {"/tmp": "tmp", "/var/cache/web": "var-cache-web", "/etc/web": "config"}
    assert {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}} in pod["spec"]["volumes"]
    assert pod["spec"]["imagePullSecrets"] == [{"name": "regcred"}]
    assert pod["metadata"]["annotations"]["org.opencontainers.image.revision"] == "0f1e2d3c"
    assert pod["metadata"]["labels"]["app.kubernetes.io/version"] == "1.4.2"


def test_deployment_service_targets_the_named_port_and_selector_excludes_version() -> None:
    objs = emit(fixed_spec(), "deployment")
    dep, svc = by_kind(objs, "Deployment"), by_kind(objs, "Service")
    selector = dep["spec"]["selector"]["matchLabels"]
    assert "app.kubernetes.io/version" not in selector
    assert svc["spec"]["selector"] == selector
    assert svc["spec"]["ports"][0]["targetPort"] == "http"
    assert dep["spec"]["replicas"] == 2


def test_no_config_map_without_config_files_and_operations_switch_off() -> None:
    spec = fixed_spec(config_files={}, replicas=1)
    assert [o["kind"] for o in emit(spec, "deployment")] == ["ServiceAccount", "Deployment", "Service", "NetworkPolicy"]
    off = spec.operations.model_copy(update={"network_policy": False, "service_account": False})
    assert [o["kind"] for o in emit(spec.model_copy(update={"operations": off}))] == ["Deployment", "Service"]


def test_probe_on_another_port_is_refused() -> None:
    with pytest.raises(ValueError, match="liveness.port: probe port 9000 is not the container port"):
        fixed_spec(liveness=Probe(path="/live", port=9000))


def test_label_values_are_made_valid() -> None:
    pod = by_kind(emit(fixed_spec(version="1.4.2+build.7", config_files={}), "pod"), "Pod")
    assert pod["metadata"]["labels"]["app.kubernetes.io/version"] == "1.4.2_build.7"
    assert pod["metadata"]["annotations"]["org.opencontainers.image.version"] == "1.4.2+build.7"
    assert validate.schema_problems(pod) == []


def test_volume_names() -> None:
    assert volume_name("/var/run/app") == "var-run-app"
    assert volume_name("/tmp") == "tmp"
