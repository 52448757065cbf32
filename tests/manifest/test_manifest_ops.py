"""The operations layer: present when its condition holds, absent or switched off otherwise, valid everywhere."""

from __future__ import annotations

from typing import Any

import pytest

from imgforge.manifest import validate
from imgforge.manifest.emit import config_map_name, emit
from imgforge.manifest.spec import Autoscaler, ManifestSpec, Operations
from tests.manifest._specs import by_kind, fixed_spec


def _ops(spec: ManifestSpec, **changes: Any) -> ManifestSpec:
    return spec.model_copy(update={"operations": spec.operations.model_copy(update=changes)})


def _pod(objs: list[dict[str, Any]]) -> dict[str, Any]:
    return by_kind(objs, "Deployment")["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def test_network_policy_admits_only_the_container_port() -> None:
    spec = fixed_spec()
    policy = by_kind(emit(spec), "NetworkPolicy")
    assert policy["spec"]["podSelector"]["matchLabels"] == by_kind(emit(spec), "Service")["spec"]["selector"]
    assert policy["spec"]["policyTypes"] == ["Ingress"]  # egress open by default
    assert policy["spec"]["ingress"] == [{"ports": [{"port": 8080, "protocol": "TCP"}]}]
    closed = by_kind(emit(_ops(spec, egress_to=("10.0.0.0/8",))), "NetworkPolicy")["spec"]
    assert closed["policyTypes"] == ["Ingress", "Egress"]
    assert {"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]} in closed["egress"]
    assert {"port": 53, "protocol": "UDP"} in closed["egress"][0]["ports"]


def test_budget_and_spread_only_with_two_or_more_replicas() -> None:
    many = emit(fixed_spec(replicas=3))
    assert by_kind(many, "PodDisruptionBudget")["spec"] == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web"}}}
    assert [c["topologyKey"] for c in _pod(many)["topologySpreadConstraints"]] == [
        "kubernetes.io/hostname", "topology.kubernetes.io/zone"]
    one = emit(fixed_spec(replicas=1))
    assert "PodDisruptionBudget" not in [o["kind"] for o in one] and "topologySpreadConstraints" not in _pod(one)
    off = emit(_ops(fixed_spec(replicas=3), disruption_budget=False, topology_spread=False))
    assert "PodDisruptionBudget" not in [o["kind"] for o in off] and "topologySpreadConstraints" not in _pod(off)


def test_autoscaler_owns_replicas() -> None:
    objs = emit(_ops(fixed_spec(replicas=1), autoscaler=Autoscaler(min_replicas=2, max_replicas=8, cpu_percent=70)))
    hpa = by_kind(objs, "HorizontalPodAutoscaler")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 8)
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    assert "replicas" not in by_kind(objs, "Deployment")["spec"]
    assert "PodDisruptionBudget" in [o["kind"] for o in objs]
    assert validate.problems(objs, "1.30", {8080}) == []


def test_storage_service_account_and_shutdown() -> None:
    objs = emit(fixed_spec())
    pod = _pod(objs)
    res = pod["containers"][0]["resources"]
    assert (res["requests"]["ephemeral-storage"], res["limits"]["ephemeral-storage"]) == ("64Mi", "256Mi")
    assert all(v["emptyDir"] == {"sizeLimit": "64Mi"} for v in pod["volumes"] if "emptyDir" in v)
    assert by_kind(objs, "ServiceAccount")["automountServiceAccountToken"] is False
    assert pod["serviceAccountName"] == "web" and pod["automountServiceAccountToken"] is False
    assert pod["containers"][0]["lifecycle"] == {"preStop": {"sleep": {"seconds": 5}}}
    assert pod["terminationGracePeriodSeconds"] == 30  # 5 s preStop + 25 s for the app after SIGTERM
    old = _pod(emit(fixed_spec(), "deployment", "1.29"))
    assert "lifecycle" not in old["containers"][0]
    assert validate.problems(emit(fixed_spec(), "deployment", "1.29"), "1.29") == []
    bare = _pod(emit(_ops(fixed_spec(), ephemeral_storage=None, empty_dir_size=None, service_account=False)))
    assert "ephemeral-storage" not in bare["containers"][0]["resources"]["limits"] and "serviceAccountName" not in bare
    assert {"name": "tmp", "emptyDir": {}} in bare["volumes"]


def test_config_map_name_follows_its_content() -> None:
    a, b = fixed_spec(), fixed_spec(config_files={"web.conf": "workers = 3\n"})
    assert config_map_name(a) != config_map_name(b) and config_map_name(a).startswith("web-config-")
    volume = next(v for v in _pod(emit(a))["volumes"] if "configMap" in v)
    assert volume["configMap"]["name"] == by_kind(emit(a), "ConfigMap")["metadata"]["name"] == config_map_name(a)
    assert config_map_name(_ops(a, config_hash=False)) == "web-config"


@pytest.mark.parametrize("version", ["1.25", "1.30", "1.37"])
def test_every_option_on_is_schema_valid(version: str) -> None:
    spec = _ops(fixed_spec(), egress_to=("10.0.0.0/8", "fd00::/8"), autoscaler=Autoscaler())
    assert validate.problems(emit(spec, "deployment", version), version, {8080}) == []
    assert Operations().autoscaler is None
