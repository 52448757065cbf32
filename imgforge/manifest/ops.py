"""The operations layer beside the workload: ServiceAccount, NetworkPolicy, PodDisruptionBudget, autoscaler."""

from __future__ import annotations

from typing import Any

from imgforge.manifest.spec import ManifestSpec

DNS_PORT = 53


def replicated(spec: ManifestSpec) -> bool:
    """True when two or more pods may run at once (replicas, or the autoscaler's ceiling): spread and budget apply."""
    scaler = spec.operations.autoscaler
    return (scaler.max_replicas if scaler is not None else spec.replicas) >= 2


def service_account(spec: ManifestSpec, metadata: dict[str, Any]) -> dict[str, Any]:
    """A ServiceAccount of the workload's own, with no API token mounted (the app does not talk to the API)."""
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata, "automountServiceAccountToken": False}


def network_policy(spec: ManifestSpec, metadata: dict[str, Any], selector: dict[str, str]) -> dict[str, Any]:
    """Ingress only to the container port; egress open, or only to `egress_to` networks and DNS."""
    body: dict[str, Any] = {
        "podSelector": {"matchLabels": selector},
        "policyTypes": ["Ingress"],
        "ingress": [{"ports": [{"port": spec.port, "protocol": "TCP"}]}],
    }
    allowed = spec.operations.egress_to
    if allowed is not None:
        body["policyTypes"].append("Egress")
        rules: list[dict[str, Any]] = [{"ports": [{"port": DNS_PORT, "protocol": "UDP"},
                                                  {"port": DNS_PORT, "protocol": "TCP"}]}]
        if allowed:
            rules.append({"to": [{"ipBlock": {"cidr": cidr}} for cidr in allowed]})
        body["egress"] = rules
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": metadata, "spec": body}


def disruption_budget(metadata: dict[str, Any], selector: dict[str, str]) -> dict[str, Any]:
    """At most one pod down for voluntary disruptions (drains, upgrades); maxUnavailable never blocks a drain."""
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": metadata,
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector}}}


def autoscaler(spec: ManifestSpec, metadata: dict[str, Any]) -> dict[str, Any]:
    """An autoscaling/v2 HorizontalPodAutoscaler on average cpu utilisation of the Deployment."""
    scaler = spec.operations.autoscaler
    assert scaler is not None
    return {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": metadata,
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": spec.name},
            "minReplicas": scaler.min_replicas, "maxReplicas": scaler.max_replicas,
            "metrics": [{"type": "Resource", "resource": {
                "name": "cpu", "target": {"type": "Utilization", "averageUtilization": scaler.cpu_percent}}}],
        },
    }


def topology_spread(selector: dict[str, str]) -> list[dict[str, Any]]:
    """Spread pods over nodes (and zones where there are any), preferring over refusing to schedule."""
    return [
        {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway",
         "labelSelector": {"matchLabels": selector}}
        for key in ("kubernetes.io/hostname", "topology.kubernetes.io/zone")
    ]
