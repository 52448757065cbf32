"""The build network: what is detected from the host and imgforge.yaml, and that it only leaves as secrets (pure)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from imgforge.build.network import CA_ID, ENV_ID, NPM_ID, PIP_ID, RUN_SETUP, BuildNetwork, describe, resolve, secrets
from imgforge.errors import UsageError
from imgforge.generate import generate, load_project

TOKEN = "s3cr3t-index-token-4711"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / ".config/pip").mkdir(parents=True)
    (home / ".config/pip/pip.conf").write_text(
        f"[global]\nindex-url = https://user:{TOKEN}@pypi.corp.example/simple\n"
        "extra-index-url = file:///opt/wheels https://mirror.example/simple\ncert = /nowhere.pem\n")
    (home / ".npmrc").write_text("registry=https://npm.corp.example/\n//npm.corp.example/:_authToken=${NPM_TOKEN}\n"
                                 "fund=false\nprefix=/home/me/.npm-global\n")
    return home


def project(tmp_path: Path, network: str = "") -> Path:
    root = tmp_path / "proj"
    root.mkdir(exist_ok=True)
    (root / "imgforge.yaml").write_text("recipe: python\n" + (f"build:\n  network:\n{network}" if network else ""))
    (root / "app.py").write_text("")
    return root


def test_host_ca_pip_conf_and_npmrc_are_detected(tmp_path, home):
    ca = tmp_path / "corp-ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    env = {"PIP_CERT": str(ca), "NPM_TOKEN": TOKEN, "GOPROXY": "https://goproxy.corp.example"}
    net = resolve(project(tmp_path), env, home)
    assert net.ca_file == ca
    assert net.pip_index_url == f"https://user:{TOKEN}@pypi.corp.example/simple"
    assert net.pip_extra_index_urls == ("https://mirror.example/simple",), "host-only file:// indexes are dropped"
    assert net.npm_registry == "https://npm.corp.example/"
    assert net.npmrc_lines == (f"//npm.corp.example/:_authToken={TOKEN}",), "only registry and auth keys travel"
    assert dict(net.go) == {"GOPROXY": "https://goproxy.corp.example"}
    assert TOKEN not in describe(net) and "pypi.corp.example" in describe(net)


def test_settings_win_and_host_can_be_ignored(tmp_path, home):
    root = project(tmp_path, "    host: false\n    pip_index_url: https://ci:${CI_PIP_TOKEN}@pkgs.example/simple\n"
                             "    npm_registry: https://npm.example/\n    npm_token_env: CI_NPM_TOKEN\n"
                             "    goproxy: https://proxy.example,direct\n")
    net = resolve(root, {"CI_PIP_TOKEN": TOKEN, "CI_NPM_TOKEN": "npm-tok", "PIP_CERT": "/etc/hostname"}, home)
    assert net.ca_file is None and net.pip_extra_index_urls == ()
    assert net.pip_index_url == f"https://ci:{TOKEN}@pkgs.example/simple"
    assert net.npmrc_lines == ("//npm.example/:_authToken=npm-tok",)
    assert dict(net.go)["GOPROXY"] == "https://proxy.example,direct"


def test_missing_variable_and_bad_key_are_usage_errors_naming_the_setting(tmp_path, home):
    root = project(tmp_path, "    pip_index_url: https://${NOPE}@x/simple\n")
    with pytest.raises(UsageError, match=r"build.network: \$\{NOPE\} is not set"):
        resolve(root, {}, home)
    root = project(tmp_path, "    pip_index: https://x/simple\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:4: build.network.pip_index: Extra inputs"):
        resolve(root, {}, home)


def test_secret_files_are_private_and_the_env_file_only_points_at_mounts(tmp_path, home):
    ca = tmp_path / "ca.pem"
    ca.write_text("pem")
    net = resolve(project(tmp_path), {"SSL_CERT_FILE": str(ca), "NPM_TOKEN": TOKEN}, home)
    out = tmp_path / "secrets"
    out.mkdir()
    found = {s.id: s for s in secrets(net, out)}
    assert set(found) == {ENV_ID, CA_ID, PIP_ID, NPM_ID}
    assert found[CA_ID].src == ca, "the CA bundle is mounted from where it is, not copied"
    for sid in (ENV_ID, PIP_ID, NPM_ID):
        src = found[sid].src
        assert src is not None and stat.S_IMODE(os.stat(src).st_mode) == 0o600
    env_text = (out / "env.sh").read_text()
    assert "export PIP_CERT=/run/secrets/imgforge-ca" in env_text
    assert "export NODE_EXTRA_CA_CERTS=/run/secrets/imgforge-ca" in env_text
    assert "export PIP_CONFIG_FILE=/run/secrets/imgforge-pip" in env_text
    assert TOKEN in (out / "npmrc").read_text()
    # Nothing to pass: no secret at all, so a plain build sees no mount.
    assert secrets(resolve(project(tmp_path, "    host: false\n"), {}, home), out) == ()


def test_every_builder_run_mounts_the_network_and_nothing_else_carries_it(tmp_path):
    root = project(tmp_path)
    (root / "requirements.txt").write_text("flask\n")
    text = generate(load_project(root)).dockerfile
    builder, runtime = text.split(" AS runtime", 1)
    runs = [line for line in builder.splitlines() if line.startswith("RUN ")]
    assert runs and all("--mount=type=secret,id=imgforge-net" in r for r in runs)
    assert text.count(RUN_SETUP) == len(runs)
    # The runtime's own step (copy the sources, compile them) downloads nothing: no network, no secret.
    assert "--mount=type=secret" not in runtime
    for word in ("PIP_CERT", "PIP_INDEX_URL", "SSL_CERT_FILE", "ARG PIP", "NPM_CONFIG_REGISTRY", "ca-certificates.crt"):
        assert word not in text


def test_a_projects_npmrc_travels_whole_between_host_and_settings(tmp_path, home):
    # The host file keeps only registry and auth keys (its prefix= names a host folder); the project's file
    # travels whole, since its settings are the install's (npm: project config over user config).
    root = project(tmp_path, "    npm_token_env: CI_NPM_TOKEN\n")
    (root / ".npmrc").write_text(
        "# comment\nlegacy-peer-deps=true\nauto-install-peers\nnode-linker = hoisted\n"
        "registry=https://npm.project.example/\n@acme:registry=https://npm.acme.example/\n"
        "//npm.acme.example/:_authToken=${ACME_TOKEN}\n//npm.corp.example/:_authToken=project-token\n"
        "//npm.project.example/:_authToken=project-token\nca[]=one\nca[]=two\n")
    env = {"NPM_TOKEN": TOKEN, "ACME_TOKEN": "acme-4711", "CI_NPM_TOKEN": "ci-token"}
    net = resolve(root, env, home)
    assert net.npm_registry == "https://npm.project.example/", "the project's registry over the host's"
    assert net.npmrc_lines == (
        "//npm.corp.example/:_authToken=project-token",  # project over host, in the host's place
        "legacy-peer-deps=true", "auto-install-peers=true", "node-linker=hoisted",
        "@acme:registry=https://npm.acme.example/", "//npm.acme.example/:_authToken=acme-4711",
        "//npm.project.example/:_authToken=ci-token",  # imgforge.yaml over the project
        "ca[]=one", "ca[]=two",
    )
    assert "acme-4711" not in describe(net) and "ci-token" not in describe(net)
    # Settings' registry over the project's; an unset variable stays as npm leaves it.
    root = project(tmp_path, "    npm_registry: https://npm.settings.example/\n")
    net = resolve(root, {}, home)
    assert net.npm_registry == "https://npm.settings.example/"
    assert "//npm.acme.example/:_authToken=${ACME_TOKEN}" in net.npmrc_lines
    out = tmp_path / "secrets"
    out.mkdir()
    secrets(net, out)
    text = (out / "npmrc").read_text()
    assert text.startswith("registry=https://npm.settings.example/\n") and "node-linker=hoisted\n" in text
    assert "export NPM_CONFIG_USERCONFIG=/run/secrets/imgforge-npmrc" in (out / "env.sh").read_text()


def test_a_projects_npmrc_is_read_without_the_host(tmp_path, home):
    root = project(tmp_path, "    host: false\n")
    (root / ".npmrc").write_text("engine-strict=true\n")
    net = resolve(root, {}, home)
    assert net.npmrc_lines == ("engine-strict=true",) and net.npm_registry is None
    (root / ".npmrc").unlink()
    assert resolve(root, {}, home).empty


def test_host_proxy_variables_travel_only_as_exports_in_the_env_secret(tmp_path, home):
    proxy = f"http://corp-user:{TOKEN}@proxy.corp.example:3128"
    env = {"https_proxy": proxy, "HTTPS_PROXY": "http://ignored.example:1", "HTTP_PROXY": proxy,
           "no_proxy": "localhost, .corp.example,"}
    net = resolve(project(tmp_path), env, home)
    assert net.https_proxy == proxy, "the lower-case variable first, as curl and requests read them"
    assert net.http_proxy == proxy and net.no_proxy == ("localhost", ".corp.example")
    assert not net.host_network, "a proxy on another host is reached from BuildKit's own network"
    out = tmp_path / "secrets"
    out.mkdir()
    secrets(net, out)
    exports = dict(line.removeprefix("export ").split("=", 1) for line in (out / "env.sh").read_text().splitlines())
    for name in ("HTTPS_PROXY", "https_proxy", "YARN_HTTPS_PROXY", "HTTP_PROXY", "http_proxy", "YARN_HTTP_PROXY"):
        assert exports[name] == proxy
    assert exports["NO_PROXY"] == exports["no_proxy"] == "localhost,.corp.example"
    assert "YARN_PROXY" not in exports, "yarn 2+ refuses YARN_* settings it does not know"
    assert "proxy proxy.corp.example:3128" in describe(net) and TOKEN not in describe(net)


def test_all_proxy_and_pip_conf_proxy_fill_in_when_the_environment_names_none(tmp_path, home):
    net = resolve(project(tmp_path), {"ALL_PROXY": "http://every.example:8080"}, home)
    assert net.http_proxy == net.https_proxy == "http://every.example:8080"
    with (home / ".config/pip/pip.conf").open("a") as conf:
        conf.write("proxy = http://pip-proxy.example:3128\n")
    net = resolve(project(tmp_path), {}, home)
    assert net.http_proxy == net.https_proxy == "http://pip-proxy.example:3128"
    assert resolve(project(tmp_path, "    host: false\n"), {"HTTPS_PROXY": "http://x.example:1"}, home).empty


def test_settings_proxy_wins_and_a_loopback_proxy_asks_for_the_host_network(tmp_path, home):
    root = project(tmp_path, "    proxy: http://${PX_USER}:${PX_PASS}@127.0.0.1:3128\n"
                             "    no_proxy: [pypi.internal.example]\n")
    net = resolve(root, {"PX_USER": "me", "PX_PASS": TOKEN, "HTTPS_PROXY": "http://other.example:1"}, home)
    assert net.https_proxy == net.http_proxy == f"http://me:{TOKEN}@127.0.0.1:3128"
    assert net.no_proxy == ("pypi.internal.example",)
    assert net.host_network
    assert "host network (the proxy listens on loopback)" in describe(net) and TOKEN not in describe(net)
    with pytest.raises(UsageError, match=r"build.network: \$\{PX_USER\} is not set"):
        resolve(root, {}, home)


@pytest.mark.parametrize(("url", "loopback"), [
    ("http://localhost:3128", True), ("http://u:p@127.0.0.2:8080", True), ("http://[::1]:3128", True),
    ("localhost:3128", True), ("http://10.0.0.1:3128", False),
    ("http://proxy.corp.example:3128", False), ("http://[bad", False), ("socks5://127.0.0.1:1080", True),
])
def test_loopback_proxies_are_recognised(url, loopback):
    assert BuildNetwork(https_proxy=url).host_network is loopback


def test_network_mode_setting_overrides_the_loopback_rule(tmp_path, home):
    loopback = {"HTTPS_PROXY": "http://127.0.0.1:3128"}
    assert resolve(project(tmp_path), loopback, home).host_network
    assert not resolve(project(tmp_path, "    mode: bridge\n"), loopback, home).host_network
    net = resolve(project(tmp_path, "    host: false\n    mode: host\n"), {}, home)
    assert net.host_network and net.empty, "the namespace is no secret: nothing to mount"
    assert describe(net) == "host network"
    with pytest.raises(UsageError, match=r"imgforge.yaml:4: build.network.mode: Input should be 'auto', 'bridge'"):
        resolve(project(tmp_path, "    mode: none\n"), {}, home)
