"""API-server rules on objects (emitted or hand-written): what schemas let through and an API server refuses."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from imgforge.manifest import rules, validate
from imgforge.manifest.emit import emit
from tests.manifest._specs import by_kind, fixed_spec

C = "spec.template.spec.containers[0]"


def _objects() -> list[dict[str, Any]]:
    return copy.deepcopy(emit(fixed_spec()))


def _c(objs: list[dict[str, Any]]) -> dict[str, Any]:
    container: dict[str, Any] = by_kind(objs, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    return container


MUTATIONS: dict[str, tuple[Callable[[list[dict[str, Any]]], None], str, str]] = {
    "label value": (lambda o: by_kind(o, "Deployment")["metadata"]["labels"].update({"tier": "web server"}),
                    "metadata.labels.tier", "label value 'web server'"),
    "label key prefix": (lambda o: by_kind(o, "Deployment")["metadata"]["labels"].update({"Example.com/tier": "web"}),
                         "metadata.labels.Example.com/tier", "the prefix must be a DNS subdomain"),
    "label key name": (lambda o: by_kind(o, "Service")["metadata"]["labels"].update({"example.com/": "web"}),
                       "metadata.labels.example.com/", "the name must be 1-63"),
    "service name": (lambda o: by_kind(o, "Service")["metadata"].update({"name": "1web"}),
                     "metadata.name", "start with a letter"),
    "port name": (lambda o: _c(o)["ports"][0].update({"name": "http-metrics-api"}), f"{C}.ports[0].name",
                  "longer than 15"),
    "port number": (lambda o: _c(o)["ports"][0].update({"containerPort": 70000}), f"{C}.ports[0].containerPort",
                    "outside 1-65535"),
    "env name": (lambda o: _c(o)["env"].append({"name": "", "value": "x"}), f"{C}.env[2].name",
                 "environment variable name ''"),
    "startup success": (lambda o: _c(o)["startupProbe"].update({"successThreshold": 2}),
                        f"{C}.startupProbe.successThreshold", "must be 1"),
    "quantity": (lambda o: _c(o)["resources"]["limits"].update({"memory": "12XB"}), f"{C}.resources.limits.memory",
                 "'12XB' is not valid"),
    "nested mount": (lambda o: _c(o)["volumeMounts"].__setitem__(1, {"name": "var-cache-web", "mountPath": "/tmp/x"}),
                     f"{C}.volumeMounts", "/tmp/x lies under the mount /tmp"),
    "duplicate volume": (lambda o: by_kind(o, "Deployment")["spec"]["template"]["spec"]["volumes"][1].update(
        {"name": "tmp"}), "spec.template.spec.volumes[1].name", "volume name 'tmp' is used twice"),
    "config key": (lambda o: by_kind(o, "ConfigMap")["data"].update({"bad key/x": "1"}), "data.bad key/x",
                   "ConfigMap key 'bad key/x'"),
}


def test_emitted_objects_meet_the_api_rules() -> None:
    assert [p for o in _objects() for p in validate.own_problems(o) if p.rule == "api-server"] == []


@pytest.mark.parametrize("case", list(MUTATIONS))
def test_each_api_rule_catches_its_case(case: str) -> None:
    mutate, path, reason = MUTATIONS[case]
    objs = _objects()
    mutate(objs)
    found = [p for o in objs for p in validate.own_problems(o) if p.rule == "api-server"]
    assert [(p.path, reason in p.message) for p in found] == [(path, True)], found


def test_api_grammar_is_wider_than_our_policy() -> None:
    assert rules.cpu_millicores(".5") == 500 and rules.bytes_of("129e6") == 129_000_000
    assert rules.cpu_millicores("0", policy=False) == 0 and rules.bytes_of("1500m", policy=False) == 2
    with pytest.raises(ValueError, match="must be above 0"):
        rules.cpu_millicores("0")
    with pytest.raises(ValueError, match="at most 18 digits"):
        rules.bytes_of("9" * 19)
