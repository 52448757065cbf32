"""Our own checks (kube-score/kube-linter spirit) and the schema check each catch their bad case."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from imgforge.errors import GateFailed, UsageError
from imgforge.manifest import validate
from imgforge.manifest.emit import emit
from imgforge.manifest.spec import CpuMemory, Probe, Resources, cpu_millicores, memory_bytes
from tests.manifest._specs import by_kind, fixed_spec


def _deployment() -> dict[str, Any]:
    return copy.deepcopy(by_kind(emit(fixed_spec(config_files={}), "deployment"), "Deployment"))


def _container(obj: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = obj["spec"]["template"]["spec"]["containers"][0]
    return container


def _rules(obj: dict[str, Any], exposed: set[int] | None = None) -> set[str]:
    return {p.rule for p in validate.problems([obj], "1.30", exposed)}


C = "spec.template.spec.containers[0]"


def test_clean_deployment_has_no_problems() -> None:
    assert _rules(_deployment(), {8080}) == set()


def test_tag_instead_of_digest() -> None:
    obj = _deployment()
    _container(obj)["image"] = "127.0.0.1:5000/team/web:1.4.2"
    found = validate.own_problems(obj)
    assert [(p.rule, p.path) for p in found] == [("digest-pinned", f"{C}.image")]


def test_probe_port_not_declared() -> None:
    obj = _deployment()
    _container(obj)["livenessProbe"]["httpGet"]["port"] = 9090
    found = validate.own_problems(obj)
    assert [(p.rule, p.path) for p in found] == [("probe-port-declared", f"{C}.livenessProbe")]
    assert "9090" in found[0].message


def test_named_probe_port_not_declared() -> None:
    obj = _deployment()
    _container(obj)["readinessProbe"]["httpGet"]["port"] = "metrics"
    assert "probe-port-declared" in _rules(obj)


def test_probe_port_not_exposed_by_image() -> None:
    found = validate.own_problems(_deployment(), exposed_ports={9000})
    assert {p.rule for p in found} == {"probe-port-exposed"}
    assert "exposes: 9000" in found[0].message


def test_liveness_equals_readiness() -> None:
    obj = _deployment()
    _container(obj)["readinessProbe"]["httpGet"]["path"] = "/healthz"
    found = validate.own_problems(obj)
    assert [(p.rule, p.path) for p in found] == [("liveness-not-readiness", f"{C}.livenessProbe")]


@pytest.mark.parametrize("resource", ["cpu", "memory"])
def test_limit_below_request(resource: str) -> None:
    obj = _deployment()
    _container(obj)["resources"]["limits"][resource] = {"cpu": "50m", "memory": "32Mi"}[resource]
    found = validate.own_problems(obj)
    assert [(p.rule, p.path) for p in found] == [("limits-ge-requests", f"{C}.resources.limits.{resource}")]


def test_missing_requests() -> None:
    obj = _deployment()
    del _container(obj)["resources"]["requests"]
    found = {p.path for p in validate.own_problems(obj)}
    assert found == {f"{C}.resources.requests.cpu", f"{C}.resources.requests.memory"}


def test_low_uid_and_gid() -> None:
    found = validate.own_problems(by_kind(emit(fixed_spec(uid=1000, gid=10001, config_files={}), "pod"), "Pod"))
    assert [(p.rule, p.path) for p in found] == [("uid-ge-10000", "spec.containers[0].securityContext.runAsUser")]
    found = validate.own_problems(by_kind(emit(fixed_spec(gid=1000, config_files={}), "pod"), "Pod"))
    assert [(p.rule, p.path) for p in found] == [("gid-ge-10000", "spec.containers[0].securityContext.runAsGroup")]


def test_missing_probe_and_weak_security_context() -> None:
    obj = _deployment()
    c = _container(obj)
    del c["readinessProbe"]
    c["securityContext"]["readOnlyRootFilesystem"] = False
    c["securityContext"]["capabilities"] = {"drop": ["NET_RAW"]}
    assert _rules(obj) == {"probes-present", "hardened"}


def test_schema_catches_wrong_type_with_field_path() -> None:
    obj = _deployment()
    _container(obj)["ports"][0]["containerPort"] = "eighty"
    found = validate.schema_problems(obj, "1.30")
    assert len(found) == 1
    assert found[0].path == f"{C}.ports[0].containerPort"
    assert found[0].rule == "schema-1.30"


def test_schema_is_strict_about_unknown_fields() -> None:
    obj = _deployment()
    _container(obj)["livenesProbe"] = {}
    assert validate.schema_problems(obj, "1.30")


def test_check_raises_gate_failed_naming_object_and_field() -> None:
    obj = _deployment()
    _container(obj)["image"] = "web:latest"
    with pytest.raises(GateFailed) as info:
        validate.check([obj])
    assert "Deployment/web" in str(info.value)
    assert f"{C}.image" in str(info.value)


def test_unbundled_kubernetes_version_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="not bundled"):
        validate.schema_problems(_deployment(), "1.9")
    assert "1.30" in validate.supported_versions()


def test_quantities() -> None:
    assert cpu_millicores("250m") == 250
    assert cpu_millicores("0.5") == 500
    assert cpu_millicores("2") == 2000
    assert memory_bytes("64Mi") == 64 * 2**20
    assert memory_bytes("1G") == 10**9
    with pytest.raises(UsageError):
        memory_bytes("64MB")
    with pytest.raises(ValueError):
        Resources(requests=CpuMemory(cpu="fast", memory="64Mi"))


def test_liveness_success_threshold_must_be_one() -> None:
    with pytest.raises(ValueError, match="liveness.success_threshold: must be 1"):
        fixed_spec(liveness=Probe(path="/healthz", success_threshold=2))
