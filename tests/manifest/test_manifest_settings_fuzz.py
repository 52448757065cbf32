"""Hypothesis: any imgforge.yaml of the manifest/environments shape gives a spec or one UsageError, not a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imgforge.errors import UsageError
from imgforge.manifest.emit import emit
from imgforge.manifest.image import ImageConfig
from imgforge.manifest.settings import apply_overlay, load_settings, spec_from_settings

IMAGE = "127.0.0.1:5000/fuzz/app@sha256:" + "f" * 64
KEYS = ["name", "port", "port_name", "service_port", "uid", "gid", "command", "args", "liveness", "readiness",
        "startup", "resources", "writable_paths", "env", "replicas", "image_pull_secrets", "config_files",
        "config_mount_path", "part_of", "component", "kubernetes_version", "operations", "typo"]
PROBE_KEYS = ["type", "path", "port", "command", "period_seconds", "success_threshold", "failure_threshold"]
OPS_KEYS = ["network_policy", "egress_to", "ephemeral_storage", "empty_dir_size", "autoscaler", "pre_stop_seconds"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
    st.sampled_from(["", "0", "64Mi", "12XB", "250m", "9" * 200, "/tmp", "tmp", "/tmp/x", "http", "web", "My App!",
                     "1e3", "-1", "tcp", "exec", "/healthz", "../x", "/etc/shadow", "10.0.0.0/8", "a" * 300]),
    st.text(max_size=20),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.one_of(st.sampled_from(PROBE_KEYS + OPS_KEYS + ["requests", "limits", "cpu", "memory"]), st.text(max_size=5)),
    inner, max_size=4), max_leaves=12)
manifest = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)
overlay = st.dictionaries(st.sampled_from(["replicas", "resources", "env", "typo"]), values, max_size=3)
documents = st.fixed_dictionaries({"manifest": manifest},
                                  optional={"environments": st.dictionaries(st.sampled_from(["dev", "prod", "Bad_Env"]),
                                                                            overlay, max_size=2)})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents)
def test_random_settings_never_crash(tmp_path: Path, document: dict[str, Any]) -> None:
    (tmp_path / "imgforge.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    (tmp_path / "tmp").write_text("x\n", encoding="utf-8")
    try:
        spec = spec_from_settings(tmp_path, IMAGE, ImageConfig(exposed_ports=frozenset({8080}), user="10001"))
        _, overlays = load_settings(tmp_path)
        for name, o in overlays.items():
            emit(apply_overlay(spec, o, tmp_path, name))
    except UsageError as exc:
        assert str(exc).strip() and "Traceback" not in str(exc)


# -- the image's config as a registry serves it (hostile registry or image) ------------------------------------

config_leaves = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=6),
                          st.sampled_from(["8080/tcp", "53/udp", "99999/tcp", "0/tcp", "²/tcp", "9" * 5000 + "/tcp",
                                           "10001", "root", "A=1"]))
config_docs = st.recursive(config_leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["config", "ExposedPorts", "User", "Env", "Labels", "rootfs", "diff_ids", "history",
                     "created_by", "8080/tcp", "9" * 5000 + "/tcp", "²/tcp"]), inner, max_size=4), max_leaves=12)


# Half the documents are shaped like a config, so that odd values reach the keys the manifest reads.
shaped_configs = st.fixed_dictionaries({"config": st.fixed_dictionaries(
    {}, optional={"ExposedPorts": config_docs, "User": config_docs, "Labels": config_docs, "Env": config_docs})})


@settings(max_examples=300, deadline=None)
@given(st.one_of(config_docs, shaped_configs))
def test_random_image_config_blobs_give_a_config_or_a_usage_error(doc: Any) -> None:
    import json

    from imgforge.manifest.image import config_from_blob

    try:
        config = config_from_blob(json.dumps(doc).encode(), "cfg")
    except UsageError as exc:
        assert "\n" not in str(exc)
    else:
        assert all(0 < p < 65536 for p in config.exposed_ports)


def test_exposed_ports_of_a_hostile_config_are_only_real_tcp_ports() -> None:
    import json

    from imgforge.manifest.image import config_from_blob

    def ports(exposed: Any) -> frozenset[int]:
        return config_from_blob(json.dumps({"config": {"ExposedPorts": exposed}}).encode(), "cfg").exposed_ports

    assert ports({"8080/tcp": {}, "53/udp": {}, "443": {}}) == {8080, 443}
    assert ports("8080/tcp") == ports(5) == frozenset()  # were {8, 0} and a TypeError
    assert ports(["8080/tcp"]) == {8080}
    assert ports({"9" * 5000 + "/tcp": {}, "²/tcp": {}, "0/tcp": {}, "70000/tcp": {}}) == frozenset()  # were tracebacks
