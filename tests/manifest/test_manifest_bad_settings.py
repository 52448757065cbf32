"""Every bad setting of issues 14 and 17 is one line naming file, line, key path and reason (UsageError, exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from imgforge.errors import EXIT_USAGE, UsageError
from imgforge.manifest.emit import emit
from imgforge.manifest.image import ImageConfig
from imgforge.manifest.settings import apply_overlay, load_settings, spec_from_settings

IMAGE = "127.0.0.1:5000/shop/web@sha256:" + "c" * 64
CONFIG = ImageConfig(exposed_ports=frozenset({8080}), user="10001")
BASE = "manifest:\n  name: web\n  port: 8080\n  uid: 10001\n"


def _spec_for(project: Path, text: str, env: str | None = None) -> None:
    (project / "imgforge.yaml").write_text(text, encoding="utf-8")
    spec = spec_from_settings(project, IMAGE, CONFIG)
    if env is not None:
        _, overlays = load_settings(project)
        apply_overlay(spec, overlays[env], project, env)


CASES = {
    # issue 14: tracebacks before
    "overlay quantity 12XB": (BASE + "environments:\n  prod:\n    resources: {limits: {memory: 12XB}}\n",
                              "imgforge.yaml:7: environments.prod.resources.limits.memory: memory quantity '12XB'"),
    "name Kuard_Go": ("manifest:\n  name: Kuard_Go\n", "imgforge.yaml:2: manifest.name: 'Kuard_Go' must be lower-case"),
    "port name of 16": (BASE + "  port_name: http-metrics-api\n", "imgforge.yaml:5: manifest.port_name: port name "
                        "'http-metrics-api' is longer than 15"),
    "relative writable path": (BASE + "  writable_paths: [tmp]\n",
                               "imgforge.yaml:5: manifest.writable_paths.0: path 'tmp' must be absolute"),
    "liveness success 2": (BASE + "  liveness: {type: tcp, success_threshold: 2}\n",
                           "imgforge.yaml:5: manifest.liveness.success_threshold: must be 1 for a liveness probe"),
    "startup success 2": (BASE + "  startup:\n    type: tcp\n    success_threshold: 2\n",
                          "imgforge.yaml:7: manifest.startup.success_threshold: must be 1 for a startup probe"),
    # issue 14: printed as valid before
    "service port 70000": (BASE + "  service_port: 70000\n",
                           "imgforge.yaml:5: manifest.service_port: Input should be less"),
    "label My App!": (BASE + "  part_of: My App!\n", "imgforge.yaml:5: manifest.part_of: label value 'My App!'"),
    "label web server": (BASE + "  component: web server\n",
                         "imgforge.yaml:5: manifest.component: label value 'web server'"),
    "ConfigMap key": (BASE + "  config_files: {bad key/x: a.conf}\n",
                      "imgforge.yaml:5: manifest.config_files.bad key/x: ConfigMap key 'bad key/x'"),
    "config mount on /tmp": (BASE + "  config_files: {a.conf: a.conf}\n  config_mount_path: /tmp\n",
                             "imgforge.yaml:6: manifest.config_mount_path: /tmp and the writable path /tmp overlap"),
    "duplicate writable paths": (BASE + "  writable_paths: [/tmp, /tmp]\n",
                                 "imgforge.yaml:5: manifest.writable_paths: /tmp is listed twice"),
    "nested writable paths": (BASE + "  writable_paths: [/var/cache, /var/cache/app]\n",
                              "manifest.writable_paths: /var/cache/app lies under /var/cache"),
    # issue 14: accepted without a word before
    "gid 0": (BASE + "  gid: 0\n", "imgforge.yaml:5: manifest.gid: GID 0 is the root group"),
    "resources 0": (BASE + "  resources: {requests: {cpu: '0', memory: 64Mi}, limits: {cpu: 500m, memory: 128Mi}}\n",
                    "imgforge.yaml:5: manifest.resources.requests.cpu: cpu quantity '0' must be above 0"),
    # issue 14: exit 1 before, settings errors now
    "limits below requests": (BASE + "  resources:\n    requests: {cpu: 100m, memory: 256Mi}\n"
                              "    limits: {cpu: 500m, memory: 128Mi}\n",
                              "imgforge.yaml:7: manifest.resources.limits.memory: limit 128Mi is below the request "
                              "256Mi"),
    "overlay limits below requests": (BASE + "environments:\n  prod:\n    resources: {requests: {memory: 1Gi}}\n",
                                      "imgforge.yaml: manifest.resources.limits.memory: limit 128Mi is below the "
                                      "request 1Gi (the value comes from the recipe or the image; in environment prod, "
                                      "line 6)"),
    "overlay request above the base's limit": (BASE + "  resources:\n    requests: {cpu: 100m, memory: 64Mi}\n"
                                               "    limits: {cpu: 500m, memory: 128Mi}\n"
                                               "environments:\n  dev: {}\n  prod:\n"
                                               "    resources: {requests: {memory: 1Gi}}\n",
                                               "imgforge.yaml:7: manifest.resources.limits.memory: limit 128Mi is "
                                               "below the request 1Gi (in environment prod, line 10)"),
    "uid 0": ("manifest:\n  name: web\n  port: 8080\n  uid: 0\n", "imgforge.yaml:4: manifest.uid: UID 0 is root"),
    "probe on another port": (BASE + "  readiness: {path: /ready, port: 9090}\n",
                              "imgforge.yaml:5: manifest.readiness.port: probe port 9090 is not the container port"),
    "liveness = readiness": (BASE + "  liveness: {path: /health}\n  readiness: {path: /health}\n",
                             "imgforge.yaml:6: manifest.readiness: liveness and readiness probes check the same "
                             "endpoint"),
    # issue 17, item 9
    "cpu of 300 digits": (BASE + "  resources: {requests: {cpu: '" + "9" * 300 + "', memory: 64Mi}, "
                          "limits: {cpu: 500m, memory: 128Mi}}\n", "manifest.resources.requests.cpu: cpu quantity"),
    "memory of 300 digits": (BASE + "environments:\n  prod: {resources: {limits: {memory: '" + "9" * 300 + "'}}}\n",
                             "imgforge.yaml:6: environments.prod.resources.limits.memory: memory quantity"),
    "env var named ''": (BASE + "  env: {'': x}\n", "imgforge.yaml:5: manifest.env.: environment variable name ''"),
    "env var with space": (BASE + "environments:\n  dev: {env: {'A B': x}}\n",
                           "environments.dev.env.A B: environment variable name 'A B'"),
    "duplicate YAML key": (BASE + "  port: 9090\n", "imgforge.yaml:5: duplicate key 'port' (first on line 3)"),
    "non-string key": (BASE + "  env: {1: x}\n", "imgforge.yaml:5: key 1 is a int; settings keys are strings"),
    "deep nesting": ("manifest: " + "[" * 1000 + "]" * 1000 + "\n", "imgforge.yaml:1: nested deeper than 64 levels"),
    "port name without a letter": (BASE + "  port_name: '8080'\n", "port name '8080' must contain a letter"),
    "pull secret name": (BASE + "  image_pull_secrets: [Reg_Cred]\n", "manifest.image_pull_secrets.0: 'Reg_Cred'"),
    "ephemeral limit below request": (BASE + "  operations: {ephemeral_storage: {request: 1Gi, limit: 64Mi}}\n",
                                      "manifest.operations.ephemeral_storage.limit: limit 64Mi is below the "
                                      "request 1Gi"),
    "egress not a network": (BASE + "  operations: {egress_to: [internet]}\n",
                             "manifest.operations.egress_to.0: 'internet' is not an IP network"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_setting_is_one_line_with_file_line_and_key(tmp_path: Path, case: str) -> None:
    text, expected = CASES[case]
    (tmp_path / "a.conf").write_text("x = 1\n", encoding="utf-8")
    env = "prod" if "prod:" in text else "dev" if "dev:" in text else None
    with pytest.raises(UsageError) as info:
        _spec_for(tmp_path, text, env)
    message = str(info.value)
    assert expected in message
    assert len(message.splitlines()) == 1, message
    assert info.value.exit_code == EXIT_USAGE


def test_mistyped_project_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="the project path .*/nope does not exist"):
        load_settings(tmp_path / "nope")


def test_several_problems_are_one_line_each(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as info:
        _spec_for(tmp_path, BASE + "  gid: 0\n  writable_paths: [/tmp, /tmp]\n")
    lines = str(info.value).splitlines()
    assert len(lines) == 2 and "manifest.gid" in lines[0] and "manifest.writable_paths" in lines[1]


def test_values_from_the_image_are_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "imgforge.yaml").write_text("manifest:\n  name: web\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"manifest.uid: UID 0 is root.*\(the value comes from the recipe or the "):
        spec_from_settings(tmp_path, IMAGE, ImageConfig(exposed_ports=frozenset({8080}), user="0"))


def test_clashing_volume_names_get_a_suffix(tmp_path: Path) -> None:
    (tmp_path / "imgforge.yaml").write_text(BASE + "  writable_paths: [/var/run, /var-run]\n", encoding="utf-8")
    objs = emit(spec_from_settings(tmp_path, IMAGE, CONFIG))
    pod = next(o for o in objs if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    assert [v["name"] for v in pod["volumes"]] == ["var-run", "var-run-2"]


def test_merge_keys_may_be_overridden(tmp_path: Path) -> None:
    text = (BASE + "  resources:\n    requests: &r {cpu: 100m, memory: 64Mi}\n"
            "    limits:\n      <<: *r\n      cpu: 200m\n")
    (tmp_path / "imgforge.yaml").write_text(text, encoding="utf-8")
    spec = spec_from_settings(tmp_path, IMAGE, CONFIG)
    assert (spec.resources.limits.cpu, spec.resources.limits.memory) == ("200m", "64Mi")


def _imgforge(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "imgforge", *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def test_cli_exits_2_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "imgforge.yaml").write_text(CASES["overlay quantity 12XB"][0], encoding="utf-8")
    res = _imgforge("manifest", str(tmp_path), "--image", IMAGE)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and "imgforge.yaml:7: environments.prod.resources.limits.memory" in res.stderr
    res = _imgforge("manifest", str(tmp_path / "typo"), "--image", IMAGE)
    assert res.returncode == 2 and "does not exist" in res.stderr and res.stdout == ""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "conf").mkdir(parents=True)
    (root / "conf" / "app.conf").write_text("workers = 2\n", encoding="utf-8")
    (tmp_path / "outside.conf").write_text("runner secret\n", encoding="utf-8")
    return root


def _config_file(project: Path, rel: str) -> str:
    (project / "imgforge.yaml").write_text(BASE + f"  config_files: {{app.conf: '{rel}'}}\n", encoding="utf-8")
    with pytest.raises(UsageError) as info:
        spec_from_settings(project, IMAGE, CONFIG)
    assert "runner secret" not in str(info.value)
    return str(info.value)


@pytest.mark.parametrize("rel", ["/etc/shadow", "/proc/self/environ", "/dev/zero"])
def test_config_files_refuse_host_paths(project: Path, rel: str) -> None:
    expected = f"manifest.config_files.app.conf ({rel}): must be a path relative to the project"
    assert expected in _config_file(project, rel)


def test_config_files_refuse_dotdot_and_links_out(project: Path) -> None:
    assert "must not contain '..'" in _config_file(project, "../outside.conf")
    assert "must not contain '..'" in _config_file(project, "conf/../../outside.conf")
    (project / "leak.conf").symlink_to(project.parent / "outside.conf")
    assert "a symbolic link leads outside the project" in _config_file(project, "leak.conf")
    (project / "zero").symlink_to("/dev/zero")
    assert "a symbolic link leads outside the project" in _config_file(project, "zero")


def test_config_files_refuse_what_is_not_a_small_text_file(project: Path) -> None:
    os.mkfifo(project / "pipe")
    assert "is not a regular file" in _config_file(project, "pipe")
    assert "is not a regular file" in _config_file(project, "conf")
    (project / "big.conf").write_bytes(b"x" * (1024 * 1024 + 1))
    assert "the ConfigMap's files may total 1048576" in _config_file(project, "big.conf")
    (project / "bin.conf").write_bytes(b"\xff\xfe")
    assert "is not UTF-8 text" in _config_file(project, "bin.conf")
    assert "cannot be read" in _config_file(project, "missing.conf")


def test_config_files_inside_the_project_are_read(project: Path) -> None:
    (project / "linked.conf").symlink_to(project / "conf" / "app.conf")
    (project / "imgforge.yaml").write_text(BASE + "  config_files: {app.conf: conf/app.conf, b.conf: ./linked.conf}\n",
                                           encoding="utf-8")
    spec = spec_from_settings(project, IMAGE, CONFIG)
    assert spec.config_files == {"app.conf": "workers = 2\n", "b.conf": "workers = 2\n"}
