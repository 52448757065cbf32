"""A yarn 2+ project's .yarnrc.yml: credentials stripped from what keys the install, the whole file (with the build
network's credentials) only in the yarnrc secret, and a broken file named in one line (pure)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import yaml

from imgforge.build import yarnrc
from imgforge.build.network import ENV_ID, YARNRC_ID, describe, resolve, secrets
from imgforge.cli import main
from imgforge.errors import UsageError
from imgforge.generate import generate, load_project

TOKENS = ("npm_TopLevelTok3n", "dXNlcjpwYXNzd29yZA==", "npm_ScopeTok3n", "npm_FlowTok3n", "npm_RegistryTok3n",
          "npm_SlashTok3n", "npm_FoldedTok3n", "pr0xyPa55")
# Every place yarn reads a credential from, in the quoting styles YAML allows, with comments around them.
RC = """\
# registry settings for CI
yarnPath: .yarn/releases/yarn-4.5.3.cjs
nodeLinker: node-modules   # the runtime image needs node_modules
npmRegistryServer: "https://npm.corp.example"
npmAuthToken: "npm_TopLevelTok3n"  # rotated weekly
npmAuthIdent: 'dXNlcjpwYXNzd29yZA=='
npmAlwaysAuth: true
httpProxy: http://ci:pr0xyPa55@proxy.corp.example:3128
httpsProxy: http://proxy.corp.example:3128
npmScopes:
  corp:
    npmRegistryServer: https://npm.corp.example
    npmAuthToken: npm_ScopeTok3n
  flow: {npmRegistryServer: "https://flow.example", npmAuthToken: npm_FlowTok3n}
npmRegistries:
  "https://npm.corp.example":
    npmAlwaysAuth: true
    npmAuthToken: >-
      npm_FoldedTok3n
  //registry.example:
    npmAuthToken: "npm_SlashTok3n"
  'https://other.example/':
    npmAuthToken: npm_RegistryTok3n
packageExtensions:
  "left-pad@*":
    dependencies:
      lodash: "1.10"
"""


def _project(tmp_path: Path, rc: str | None = RC, lock: bool = True) -> Path:
    root = tmp_path / "berry"
    root.mkdir(exist_ok=True)
    (root / "package.json").write_text(json.dumps({"name": "berry", "version": "1.0.0", "packageManager": "yarn@4.5.3",
                                                   "scripts": {"start": "node server.js"}}))
    (root / "server.js").write_text("require('http').createServer((q, s) => s.end('ok')).listen(8080);\n")
    if lock:
        (root / "yarn.lock").write_text("__metadata:\n  version: 8\n  cacheKey: 10c0\n")
    if rc is not None:
        (root / ".yarnrc.yml").write_text(rc)
    (root / "imgforge.yaml").write_text("recipe: node\n")
    return root


def test_every_credential_shape_is_stripped_and_every_setting_kept(tmp_path):
    data = yarnrc.read(_project(tmp_path) / ".yarnrc.yml")
    kept = yarnrc.without_credentials(data)
    text = yaml.safe_dump(kept)
    for token in TOKENS:
        assert token in json.dumps(data), f"{token} was in the file"
        assert token not in text, f"{token} survived the stripping"
    assert "npmAuthToken" not in text and "npmAuthIdent" not in text and "httpProxy" not in kept
    assert kept["yarnPath"] == ".yarn/releases/yarn-4.5.3.cjs" and kept["nodeLinker"] == "node-modules"
    assert kept["httpsProxy"] == "http://proxy.corp.example:3128", "a proxy URL without a login is a setting"
    assert kept["npmAlwaysAuth"] == "true" and kept["npmRegistries"]["https://npm.corp.example"] == {
        "npmAlwaysAuth": "true"}
    assert kept["npmScopes"] == {"corp": {"npmRegistryServer": "https://npm.corp.example"},
                                 "flow": {"npmRegistryServer": "https://flow.example"}}
    # Scalars stay as written (yarn reads them as strings): 1.10 is not the float 1.1.
    assert kept["packageExtensions"]["left-pad@*"]["dependencies"]["lodash"] == "1.10"


def test_the_settings_key_ignores_credentials_comments_and_order_but_not_a_setting(tmp_path):
    root = _project(tmp_path)
    key = yarnrc.settings_key(root)
    assert key is not None
    rotated = (RC.replace("npm_TopLevelTok3n", "npm_Next").replace("npm_ScopeTok3n", "npm_Other")
               .replace("nodeLinker: node-modules   # the runtime image needs node_modules\n", "")
               + "nodeLinker: 'node-modules'\n# moved to the end\n")
    (root / ".yarnrc.yml").write_text(rotated)
    assert yarnrc.settings_key(root) == key, "a rotated token or a comment must not reinstall"
    (root / ".yarnrc.yml").write_text(RC.replace("nodeLinker: node-modules", "nodeLinker: pnpm"))
    assert yarnrc.settings_key(root) != key, "an edited setting must reinstall"
    (root / ".yarnrc.yml").unlink()
    assert yarnrc.settings_key(root) is None


def test_generated_dockerfile_mounts_the_file_for_the_install_only_and_keys_it_without_the_token(tmp_path):
    root = _project(tmp_path)
    files = generate(load_project(root))
    dockerfile, ignore = files.dockerfile, files.dockerignore
    assert "**/.yarnrc.yml" in ignore.splitlines()
    code = [line for line in dockerfile.splitlines() if not line.lstrip().startswith("#")]
    # Besides the install's mount, only a workspace's production copy names it: to leave the mounted file out.
    named = [line.replace("--exclude=./.yarnrc.yml", "") for line in code if "id=imgforge-yarnrc" not in line]
    assert not [line for line in named if ".yarnrc.yml" in line]
    install = next(line for line in code if "id=imgforge-yarnrc" in line)
    assert f"--mount=type=secret,id={YARNRC_ID},target=/app/.yarnrc.yml" in install
    assert f"--mount=type=secret,id={YARNRC_ID},target=/prod/.yarnrc.yml" in install
    assert sum("id=imgforge-yarnrc" in line for line in code) == 1, "only the install step mounts it"
    assert f": yarnrc-settings={yarnrc.settings_key(root)}" in dockerfile
    assert not any(token in dockerfile for token in TOKENS)
    (root / ".yarnrc.yml").write_text(RC.replace("npm_TopLevelTok3n", "npm_Rotated"))
    assert generate(load_project(root)).dockerfile == dockerfile


def test_the_secret_holds_the_whole_file_with_the_networks_credentials(tmp_path):
    root = _project(tmp_path, RC.replace('"npm_TopLevelTok3n"', '"${CI_YARN_TOKEN}"'))
    home = tmp_path / "home"
    home.mkdir()
    (home / ".npmrc").write_text("registry=https://npm.corp.example/\n"
                                 "//npm.corp.example/:_authToken=host-token-for-corp\n"
                                 "//mirror.example/:_authToken=host-token-for-mirror\n")
    env = {"CI_YARN_TOKEN": "npm_FromTheEnvironment"}
    net = resolve(root, env, home)
    assert net.yarnrc is not None
    data = yaml.safe_load(net.yarnrc)
    assert data["npmAuthToken"] == "npm_FromTheEnvironment", "${VAR} in a credential is read when the build starts"
    assert data["nodeLinker"] == "node-modules" and data["yarnPath"] == ".yarn/releases/yarn-4.5.3.cjs"
    registries = data["npmRegistries"]
    # The project's own token for the corp registry beats the host's; a registry only the host knows is added.
    assert registries["https://npm.corp.example"]["npmAuthToken"] == "npm_FoldedTok3n"
    assert registries["//mirror.example"] == {"npmAuthToken": "host-token-for-mirror"}
    assert "host-token-for-corp" not in net.yarnrc
    assert data["npmRegistryServer"] == "https://npm.corp.example", "the project's registry over the host's"
    assert "npm_FromTheEnvironment" not in describe(net) and ".yarnrc.yml (" in describe(net)

    folder = tmp_path / "secrets"
    folder.mkdir()
    found = {s.id: s.src for s in secrets(net, folder)}
    assert found[YARNRC_ID] is not None and "npm_ScopeTok3n" in found[YARNRC_ID].read_text()
    assert stat.S_IMODE(found[YARNRC_ID].stat().st_mode) == 0o600
    env_file = found[ENV_ID]
    assert env_file is not None and "YARN_NPM_REGISTRY_SERVER" not in env_file.read_text(), (
        "a variable would beat the project's npmRegistryServer")


def test_imgforge_yaml_token_wins_and_a_project_without_yarnrc_still_gets_it(tmp_path):
    root = _project(tmp_path, rc=None)
    (root / "imgforge.yaml").write_text("recipe: node\nbuild:\n  network:\n    host: false\n"
                                        "    npm_registry: https://npm.ci.example/\n    npm_token_env: CI_NPM\n")
    net = resolve(root, {"CI_NPM": "npm_CiToken"}, tmp_path)
    assert net.yarnrc is not None
    assert yaml.safe_load(net.yarnrc) == {"npmRegistryServer": "https://npm.ci.example/",
                                          "npmRegistries": {"//npm.ci.example": {"npmAuthToken": "npm_CiToken"}}}
    (root / ".yarnrc.yml").write_text('npmRegistries:\n  "https://npm.ci.example":\n    npmAuthToken: npm_Project\n'
                                      "npmRegistryServer: https://elsewhere.example\n")
    data = yaml.safe_load(resolve(root, {"CI_NPM": "npm_CiToken"}, tmp_path).yarnrc or "")
    assert data["npmRegistries"] == {"https://npm.ci.example": {"npmAuthToken": "npm_CiToken"}}
    assert data["npmRegistryServer"] == "https://npm.ci.example/"


def test_a_project_without_yarn_gets_no_yarnrc_secret(tmp_path):
    root = _project(tmp_path, rc=None, lock=False)
    home = tmp_path / "home"
    home.mkdir()
    (home / ".npmrc").write_text("registry=https://npm.corp.example/\n")
    assert resolve(root, {}, home).yarnrc is None


@pytest.mark.parametrize("text", ["nodeLinker: node-modules\nnpmScopes:\n  corp: [unclosed\n",
                                  'npmAuthToken: "npm_Unterminated\n', "- a list\n- of things\n"])
def test_an_unparsable_yarnrc_is_one_line_naming_the_file(tmp_path, capsys, text):
    root = _project(tmp_path, text)
    with pytest.raises(UsageError) as caught:
        resolve(root, {}, tmp_path)
    message = str(caught.value)
    assert str(root / ".yarnrc.yml") in message and "\n" not in message
    assert "npm_Unterminated" not in message
    capsys.readouterr()
    assert main(["generate", str(root)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert ".yarnrc.yml" in err and "Traceback" not in err and "npm_Unterminated" not in err
