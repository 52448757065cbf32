"""False-positive classes from a fourth hand-labelled public sample (s3, drawn from repositories the earlier
samples did not touch): branch-named and curl-only bases, caches kept out by tmpfs mounts or an image's clean-up
script, public keys with a `.key` name, and docker-in-docker images.

Every Dockerfile here is written for these tests, modelled on patterns seen in public projects; none is copied.
Each class is tested both ways: the false positive is gone and a nearby true positive is still reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.lint import lint, lint_files


def _rules(text: str) -> list[str]:
    return [f.rule for f in lint(text, "Dockerfile") if f.severity != "info"]


_SERVE = 'EXPOSE 8080\nCMD ["/usr/local/bin/webapp", "--listen", ":8080"]\n'


# MS001: which base tags name a toolchain


@pytest.mark.parametrize("base", [
    "acme/desktop-core:develop",  # a branch tag, not the -devel flavour
    "acme/desktop-core:development-2024",
    "buildpack-deps:bookworm-curl",  # curl, wget and CA certificates only
    "buildpack-deps:scm",  # adds git and friends, still no compiler
])
def test_branch_tags_and_curl_only_bases_are_no_toolchain(base: str) -> None:
    assert "MS001" not in _rules(f"FROM {base}\nCOPY webapp /usr/local/bin/\n{_SERVE}")


@pytest.mark.parametrize("base", [
    "nvidia/cuda:12.4.1-devel-ubuntu22.04",  # the devel flavour: compilers and headers
    "acme/toolbox:devel",
    "buildpack-deps:bookworm",  # the full variant: gcc, make, -dev headers
])
def test_devel_flavours_and_full_buildpack_deps_still_ship_a_toolchain(base: str) -> None:
    assert "MS001" in _rules(f"FROM {base}\nCOPY webapp /usr/local/bin/\n{_SERVE}")


# PC001/PC005: a tmpfs mount keeps what the RUN writes there out of the layer, as a cache mount does


def test_tmpfs_mounted_apt_state_leaves_no_lists_in_the_layer() -> None:
    text = ("FROM debian:12-slim\nRUN --mount=type=tmpfs,target=/var/lib/apt --mount=type=tmpfs,target=/var/log \\\n"
            "    apt-get update && apt-get install -y --no-install-recommends imagemagick\n" + _SERVE)
    assert "PC001" not in _rules(text)
    # a tmpfs over the logs alone does not cover the lists
    assert "PC001" in _rules(text.replace("--mount=type=tmpfs,target=/var/lib/apt ", ""))


def test_tmpfs_mounted_npm_cache_is_not_reported() -> None:
    text = "FROM node:22-slim\nRUN --mount=type=tmpfs,target=/root/.npm npm install -g pnpm@9\n" + _SERVE
    assert "PC005" not in _rules(text)
    assert "PC005" in _rules(text.replace("--mount=type=tmpfs,target=/root/.npm ", ""))


# PC001/PC003/PC007: an image's own clean-up script ending the RUN empties the package caches


@pytest.mark.parametrize("cleanup", ["/usr/local/bin/image-cleanup", "/tmp/clean-layer.sh", "./cleanup.sh"])
def test_a_cleanup_script_after_the_install_counts_as_cleaning(cleanup: str) -> None:
    apk = f"FROM alpine:3.20\nRUN apk add --update-cache imagemagick \\\n    && {cleanup}\n" + _SERVE
    apt = f"FROM debian:12-slim\nRUN apt-get update && apt-get install -y ghostscript && {cleanup}\n" + _SERVE
    dnf = f"FROM fedora:40\nRUN dnf install -y ghostscript && {cleanup}\n" + _SERVE
    assert "PC003" not in _rules(apk)
    assert "PC001" not in _rules(apt)
    assert "PC007" not in _rules(dnf)


def test_a_cleanup_script_before_the_install_cleans_nothing_it_fetched() -> None:
    text = "FROM alpine:3.20\nRUN /usr/local/bin/image-cleanup && apk add --update-cache imagemagick\n" + _SERVE
    assert "PC003" in _rules(text)
    # nor does `make clean`: the program is make, not a clean-up script
    assert "PC003" in _rules("FROM alpine:3.20\nRUN apk add gcc && make clean\n" + _SERVE)


# SEC003: keys whose name or destination says they are the public half


@pytest.mark.parametrize("line", [
    "ADD vendor_public_keys.key /tmp/vendor_public_keys.key",
    "ADD deb-repo.gpg.key /usr/share/keyrings/deb-repo.asc",  # an apt repository's signing key
    "COPY Release.key /tmp/",
    "COPY project-2025.key /opt/app/project-key.pub",  # named public where it lands
    "COPY upstream.key /etc/apt/keyrings/upstream.key",  # keyrings hold public keys only
])
def test_public_keys_named_key_are_not_secret_files(line: str) -> None:
    assert "SEC003" not in _rules(f"FROM debian:12-slim\n{line}\n{_SERVE}")


@pytest.mark.parametrize("line", [
    "COPY server.key /etc/ssl/private/server.key",
    "COPY private-repo.key /etc/apt/keyrings/",  # says private: the destination does not clear it
    "COPY cosign.key /keys/",
    "COPY .npmrc /root/.npmrc",
])
def test_private_keys_and_credential_files_are_still_reported(line: str) -> None:
    assert "SEC003" in _rules(f"FROM debian:12-slim\n{line}\n{_SERVE}")


# USR001: docker-in-docker images run their engine as root on purpose


def test_an_image_that_installs_a_docker_engine_may_run_as_root() -> None:
    text = ("FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends docker-ce git \\\n"
            "    && rm -rf /var/lib/apt/lists/*\nVOLUME /var/lib/docker\nCOPY runner.sh /usr/local/bin/\n"
            'ENTRYPOINT ["runner.sh"]\nCMD ["start-daemon"]\n')
    assert "USR001" not in _rules(text)


def test_an_image_with_only_the_docker_client_is_still_reported() -> None:
    text = ("FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends docker-ce-cli \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n" + _SERVE)
    assert "USR001" in _rules(text)


# PC004: where pip writes its cache, and installs that download nothing


def test_pip_cache_dir_from_an_arg_under_a_cache_mount_is_not_reported() -> None:
    text = ("FROM python:3.12-slim\nARG PIP_CACHE_DIR=/var/tmp/pipcache\n"
            "RUN --mount=type=cache,target=${PIP_CACHE_DIR} pip install -r requirements.txt\n" + _SERVE)
    assert "PC004" not in _rules(text)
    # the same ARG without the mount: the cache lands in the layer, only in another folder
    assert "PC004" in _rules(text.replace("--mount=type=cache,target=${PIP_CACHE_DIR} ", ""))
    # a mount elsewhere does not cover it
    assert "PC004" in _rules(text.replace("target=${PIP_CACHE_DIR}", "target=/root/.cache"))


def test_pip_cache_dir_option_under_a_cache_mount_is_not_reported() -> None:
    text = ("FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/var/tmp/pipcache pip install --cache-dir=/var/tmp/pipcache flask==3.0.3\n"
            + _SERVE)
    assert "PC004" not in _rules(text)


def test_install_from_local_wheels_only_fetches_nothing() -> None:
    text = ("FROM python:3.12-slim\nCOPY --from=wheels /wheels /wheels\n"
            "RUN pip install --no-index --find-links=/wheels -r requirements.txt\n" + _SERVE)
    assert "PC004" not in _rules(text)
    assert "PC004" in _rules(text.replace("--no-index ", ""))


# USR001: clamd switches to its service user by its own config


def test_clamd_behind_a_wrapper_script_is_not_reported() -> None:
    text = ("FROM alpine:3.20\nRUN apk add --no-cache clamav-daemon tini\nCOPY clamd.sh /clamd.sh\n"
            'HEALTHCHECK CMD ["clamdscan", "--ping", "1"]\nCMD ["/sbin/tini", "--", "/clamd.sh"]\n')
    assert "USR001" not in _rules(text)
    # a scanner service of another name behind the same kind of script is still reported
    assert "USR001" in _rules(text.replace("clamd.sh", "scanner.sh"))


# SEC003: an .npmrc or .yarnrc.yml copied in that holds only settings (held-out sample s4, at error level)

_NPM_APP = """FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev
COPY . .
USER node
CMD ["node", "server.js"]
"""


def _sec003(folder: Path, npmrc: str | None, name: str = ".npmrc") -> list[int]:
    (folder / "package.json").write_text("{}\n", encoding="utf-8")
    (folder / "package-lock.json").write_text("{}\n", encoding="utf-8")
    if npmrc is not None:
        (folder / name).write_text(npmrc, encoding="utf-8")
    (folder / "Dockerfile").write_text(_NPM_APP.replace(".npmrc", name), encoding="utf-8")
    return [f.line for f in lint_files([folder / "Dockerfile"], use_shellcheck=False).findings if f.rule == "SEC003"]


@pytest.mark.parametrize("npmrc", [
    "legacy-peer-deps=true\nengine-strict = true\n; comment\n# _authToken in a comment\n",
    "registry=https://npm.corp.example/\n@acme:registry=https://npm.corp.example/\nstrict-ssl=false\n",
])
def test_an_npmrc_of_settings_only_is_no_secret_file(tmp_path: Path, npmrc: str) -> None:
    assert _sec003(tmp_path, npmrc) == []


# A token setting whose value is only a reference (npm fills `${NPM_TOKEN}` from the environment when it runs) holds
# no credential (nectar-cs/js-common, labelled fp in sample s8sec); a build that gets the token as a build arg for
# it is SEC002's finding.
@pytest.mark.parametrize(("npmrc", "name"), [
    ("//npm.corp.example/:_authToken=${NPM_TOKEN}\n", ".npmrc"),
    ("//npm.corp.example/:_authToken=$NPM_TOKEN\nalways-auth=true\n", ".npmrc"),
    ('npmScopes:\n  acme:\n    npmAuthToken: "${NPM_TOKEN}"\n', ".yarnrc.yml"),
])
def test_an_npmrc_whose_token_is_a_variable_reference_is_no_secret_file(tmp_path: Path, npmrc: str, name: str) -> None:
    assert _sec003(tmp_path, npmrc, name) == []


def test_a_build_arg_feeding_that_reference_is_still_reported(tmp_path: Path) -> None:
    _sec003(tmp_path, "//npm.corp.example/:_authToken=${NPM_TOKEN}\n")
    text = _NPM_APP.replace("WORKDIR /app\n", "WORKDIR /app\nARG NPM_TOKEN\n")
    (tmp_path / "Dockerfile").write_text(text, encoding="utf-8")
    rules = {f.rule for f in lint_files([tmp_path / "Dockerfile"], use_shellcheck=False).findings}
    assert "SEC002" in rules and "SEC003" not in rules


@pytest.mark.parametrize(("npmrc", "name"), [
    ("//npm.corp.example/:_authToken=npm_tok3n${SUFFIX}\n", ".npmrc"),  # a literal part: not only a reference
    ("registry=https://npm.corp.example/\n_auth=dXNlcjpwYXNz\n", ".npmrc"),
    ("//registry.npmjs.org/:_password=cGFzcw==\nusername=ci\n", ".npmrc"),
    ("npmScopes:\n  acme:\n    npmAuthToken: abc123\n", ".yarnrc.yml"),
    ("npmRegistries:\n  //npm.corp.example:\n    npmAuthIdent: \"ci:pw\"\n", ".yarnrc.yml"),
])
def test_an_npmrc_with_a_credential_setting_is_still_an_error(tmp_path: Path, npmrc: str, name: str) -> None:
    assert _sec003(tmp_path, npmrc, name) == [3]


def test_an_npmrc_not_in_the_context_is_still_reported(tmp_path: Path) -> None:
    # no file on disk to look at (or linted as text): the name alone decides, as before
    assert _sec003(tmp_path, None) == [3]
    assert [f.line for f in lint(_NPM_APP, "Dockerfile") if f.rule == "SEC003"] == [3]


def test_only_setting_names_are_read(tmp_path: Path) -> None:
    from imgforge.lint.context import FolderContext

    (tmp_path / ".npmrc").write_text("//h/:_authToken=s3cr3t-value\nfund=false\nkey: v=1\n", encoding="utf-8")
    names = FolderContext(tmp_path).setting_names(".npmrc")
    assert names == frozenset({"//h/:_authtoken", "fund", "key"})
    assert FolderContext(tmp_path).setting_names("*.npmrc") is None  # globs and missing files: unknown
    assert FolderContext(tmp_path).setting_names("../.npmrc") is None


def test_a_yarnrc_of_settings_only_is_no_secret_file(tmp_path: Path) -> None:
    settings = "nodeLinker: node-modules\nyarnPath: .yarn/releases/yarn-4.5.3.cjs\nnpmRegistryServer: https://npm.example\n"
    assert _sec003(tmp_path, settings, ".yarnrc.yml") == []


def test_a_dockerfile_kept_in_a_subfolder_is_judged_with_the_repository_root_as_context(tmp_path: Path) -> None:
    # `docker build -f docker/Dockerfile .`: the root holds what it copies, its own folder does not
    (tmp_path / "docker").mkdir()
    _sec003(tmp_path, "auto-install-peers=true\n")
    (tmp_path / "Dockerfile").rename(tmp_path / "docker" / "Dockerfile")
    found = lint_files([tmp_path / "docker" / "Dockerfile"], use_shellcheck=False).findings
    assert [f.line for f in found if f.rule == "SEC003"] == []


def test_contexts_stop_at_the_repository_root(tmp_path: Path) -> None:
    from imgforge.lint.context import folder_contexts

    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "deploy" / "docker").mkdir(parents=True)
    roots = [c.root for c in folder_contexts(tmp_path / "repo" / "deploy" / "docker" / "Dockerfile")]
    assert roots == [tmp_path / "repo" / "deploy" / "docker", tmp_path / "repo" / "deploy", tmp_path / "repo"]
    assert [c.root for c in folder_contexts(tmp_path / "repo" / "Dockerfile")] == [tmp_path / "repo"]
