"""More false-positive classes from hand-labelled findings on public Dockerfiles, each as a small reproduction
beside a near case that is still reported.

The Dockerfiles are written for these tests, modelled on patterns seen in public projects (dev-container images
that install through library scripts, patch images that upgrade inside `sudo bash -c`, config files copied to
fixed paths); none is copied.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from imgforge.lint import LintConfig, lint, lint_files
from imgforge.lint.context import FolderContext
from imgforge.lint.rules.shell import commands, inline_script, runs_script, top_commands


def _rules(text: str) -> list[str]:
    return [f.rule for f in lint(text, "Dockerfile") if f.severity != "info"]


# --- the shell model: strings handed to a shell are scripts too ------------------------------------------------

@pytest.mark.parametrize(("cmd", "script"), [
    (("bash", "-c", "make all"), "make all"),
    (("sh", "-ec", "apk add curl"), "apk add curl"),
    (("bash", "-o", "pipefail", "-c", "curl x | tar -x"), "curl x | tar -x"),
    (("su", "builder", "-c", "npm ci"), "npm ci"),
    (("bash", "setup.sh"), None),  # a script file, not a string
    (("bash", "-c"), None),
    (("python3", "-c", "print(1)"), None),
])
def test_inline_script_is_the_string_after_dash_c(cmd: tuple[str, ...], script: str | None) -> None:
    assert inline_script(cmd) == script


def test_commands_include_those_of_a_quoted_shell_string_after_the_shell() -> None:
    script = "sudo apt-get update && sudo -u ops bash -c \"apt-get upgrade -y && rm -rf /var/lib/apt/lists/*\""
    assert commands(script) == (("apt-get", "update"),
                                ("bash", "-c", "apt-get upgrade -y && rm -rf /var/lib/apt/lists/*"),
                                ("apt-get", "upgrade", "-y"), ("rm", "-rf", "/var/lib/apt/lists/*"))
    assert top_commands(script) == commands(script)[:2]


@pytest.mark.parametrize(("cmd", "expected"), [
    (("bash", "/tmp/scripts/setup-sshd.sh"), True),
    (("sh", "./install.sh", "--quiet"), True),
    (("/tmp/setup.sh",), True),
    (("./configure-repos",), True),
    ((".", "/opt/toolkit/env.sh"), True),
    ((".", "/etc/os-release"), False),  # reads variables, installs nothing
    (("bash", "-c", "echo hi"), False),
    (("echo", "setup.sh"), False),
    (("./configure", "--prefix=/usr"), False),  # sets up a source build, installs no packages
])
def test_runs_script(cmd: tuple[str, ...], expected: bool) -> None:
    assert runs_script(cmd) is expected


# --- PC002: an update is not alone when the same RUN goes on to use the index ----------------------------------

@pytest.mark.parametrize("run", [
    "RUN apk update && apk upgrade --no-cache openssl",
    "RUN apt-get update && apt-get dist-upgrade -y && rm -rf /var/lib/apt/lists/*",
    "RUN apt-get update && sudo bash -c \"apt-get upgrade -y tzdata\"",
    "RUN apk update && sh -c 'apk add --no-cache git'",
    "RUN apt-get update \\\n    && bash /tmp/scripts/setup-sshd.sh \\\n    && rm -rf /tmp/scripts",
    "RUN apt-get update && sh ./install.sh",
    "RUN apt-get update && /tmp/setup.sh",
])
def test_update_followed_by_an_upgrade_a_shell_string_or_a_script_is_not_alone(run: str) -> None:
    text = f"FROM debian:12-slim\nCOPY scripts/ /tmp/scripts/\n{run}\nUSER 10001\nCMD [\"sh\"]\n"
    assert "PC002" not in _rules(text)


@pytest.mark.parametrize("run", [
    "RUN apt-get update",
    "RUN apt-get update && echo done > /tmp/updated.sh",  # names a script, runs none
    "RUN apt-get update && . /etc/os-release && echo $VERSION_ID",
    "RUN bash -c 'apt-get update'",
    "RUN sudo sh -c 'apk update'",
    "RUN bash /tmp/scripts/prepare.sh && apt-get update",  # the script runs before the update, not after
])
def test_an_update_with_nothing_after_it_is_still_reported(run: str) -> None:
    text = f"FROM debian:12-slim\nCOPY scripts/ /tmp/scripts/\n{run}\nUSER 10001\nCMD [\"sh\"]\n"
    assert "PC002" in _rules(text)


# --- LO002: one config or legal file put at a fixed path is not the source tree --------------------------------

_PACKAGES = "RUN apt-get update && apt-get install -y --no-install-recommends openssh-server && " \
            "rm -rf /var/lib/apt/lists/*\n"


@pytest.mark.parametrize("copy", [
    "COPY LICENSE /licenses/apache-2.0.txt",  # a certification requirement: the licence at a fixed place
    "COPY NOTICE /usr/src/app/",
    "COPY ./ci-ssh-config /root/.ssh/config",
    "COPY netrc /home/runner/.netrc",
    "COPY ssh /root/.ssh/",
    "COPY third-party-notices /licenses/",
])
def test_one_config_or_licence_file_copied_before_packages_is_not_the_source_tree(copy: str) -> None:
    text = f"FROM debian:12-slim\nWORKDIR /usr/src/app\n{copy}\n{_PACKAGES}USER 10001\nCMD [\"sshd\", \"-D\"]\n"
    assert not {"LO002", "LO003"} & {f.rule for f in lint(text)}


@pytest.mark.parametrize("copy", [
    "COPY . .",
    "COPY . /srv/app",
    "COPY src /usr/src/app",  # a folder of the project, whatever its name
    "COPY backend /opt/backend-1.4",  # a dotted version is not a file extension
    "COPY web /home/app/site",  # an app living under a home folder
    "COPY *.py ./",
])
def test_the_source_tree_copied_before_packages_is_still_reported(copy: str) -> None:
    text = f"FROM debian:12-slim\nWORKDIR /usr/src/app\n{copy}\n{_PACKAGES}USER 10001\nCMD [\"sshd\", \"-D\"]\n"
    assert "LO002" in _rules(text)


# --- MS002: an image that clones source it does not build, and starts through its own script, builds at start ---

_TOOLS = ("FROM debian:12-slim\n"
          "RUN apt-get update && apt-get install -y --no-install-recommends build-essential git kmod libelf-dev "
          "&& rm -rf /var/lib/apt/lists/*\n")
_CLONES = ("RUN set -x \\\n"
           "    && git clone --depth 1 --branch v1.2 https://git.example.org/tunnel-module.git /usr/src/tunnel \\\n"
           "    && git clone --depth 1 https://git.example.org/tunnel-tools.git /opt/tunnel-tools \\\n"
           "    && ( cd /opt/tunnel-tools/src && make -j4 && make install && make clean )\n")
_START = "COPY build-and-load.sh /usr/local/bin/\nENTRYPOINT [\"/usr/local/bin/build-and-load.sh\"]\n"


def test_module_installer_that_builds_cloned_source_at_start_is_not_reported() -> None:
    # the module tree is kept unbuilt for the entrypoint, which compiles it against the host's kernel headers
    assert not {"MS001", "MS002"} & set(_rules(_TOOLS + _CLONES + _START + "CMD [\"--help\"]\n"))


@pytest.mark.parametrize("text", [
    # every cloned tree is built here: nothing is left for the start script to build
    _TOOLS + _CLONES + "RUN make -C /usr/src/tunnel\n" + _START,
    _TOOLS + _CLONES.replace("( cd /opt/tunnel-tools/src", "( cd /usr/src/tunnel && make && cd /opt/tunnel-tools/src")
    + _START,
    # the unbuilt tree is deleted, so the script cannot build it
    _TOOLS + _CLONES + "RUN rm -rf /usr/src/tunnel\n" + _START,
    # a service: what it would compile, it could have compiled at build time
    _TOOLS + _CLONES + "EXPOSE 51820\n" + _START,
    # the program is the built tool itself, not a script of the image's own
    _TOOLS + _CLONES + "ENTRYPOINT [\"/usr/local/bin/tunnelctl\"]\n",
])
def test_single_stage_build_without_a_start_time_build_is_still_reported(text: str) -> None:
    assert "MS002" in _rules(text)


# --- BL001: deleting small copied files later is tidiness, not bloat; big or unknown ones stay warnings ----------

def _bl001(dockerfile: Path, config: LintConfig | None = None) -> list[tuple[int, str]]:
    return [(f.line, f.severity) for f in lint_files([dockerfile], config, use_shellcheck=False).findings
            if f.rule == "BL001"]


def _write(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        out.truncate(size)  # sparse: stat says `size`, the disk holds next to nothing


_CONDA = ("FROM mambaorg/micromamba:1.5-bookworm\n"
          "COPY environment.yml* .devcontainer/placeholder.txt /tmp/env-tmp/\n"
          "RUN if [ -f /tmp/env-tmp/environment.yml ]; then micromamba install -y -f /tmp/env-tmp/environment.yml; fi "
          "\\\n    && rm -rf /tmp/env-tmp\n"
          "USER 10001\nCMD [\"bash\"]\n")


def test_small_files_copied_from_a_dev_container_context_and_deleted_later_are_info(tmp_path: Path) -> None:
    # built with "context": "..", as dev containers often are: the sources live in the folder above
    _write(tmp_path / ".devcontainer" / "placeholder.txt", 0)
    _write(tmp_path / "environment.yml", 900)
    (tmp_path / ".devcontainer" / "Dockerfile").write_text(_CONDA, encoding="utf-8")
    assert _bl001(tmp_path / ".devcontainer" / "Dockerfile") == [(3, "info")]


def test_copied_files_of_a_megabyte_or_more_deleted_later_stay_warnings(tmp_path: Path) -> None:
    _write(tmp_path / ".devcontainer" / "placeholder.txt", 0)
    _write(tmp_path / "environment.yml", 3 * 1024 * 1024)
    (tmp_path / ".devcontainer" / "Dockerfile").write_text(_CONDA, encoding="utf-8")
    # judged as a shipped image: in a dev container (the default for this path) hygiene findings are info anyway
    service = LintConfig(purpose="service")
    assert _bl001(tmp_path / ".devcontainer" / "Dockerfile", service) == [(3, "warning")]


def test_without_the_build_context_the_size_is_unknown_and_it_stays_a_warning(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(_CONDA, encoding="utf-8")  # no sources beside it
    assert _bl001(tmp_path / "Dockerfile") == [(3, "warning")]
    assert [f.severity for f in lint(_CONDA) if f.rule == "BL001"] == ["warning"]  # text only: no context


@pytest.mark.parametrize("text", [
    # a download: its size is unknown, and usually large
    "FROM debian:12-slim\nRUN curl -fsSLo /tmp/sdk.run https://example.org/sdk.run && sh /tmp/sdk.run\n"
    "RUN rm -f /tmp/sdk.run\nUSER 10001\nCMD [\"bash\"]\n",
    # an ADD of a URL
    "FROM debian:12-slim\nADD https://example.org/tools.tgz /tmp/pkgs/\nRUN tar -xzf /tmp/pkgs/tools.tgz -C /opt\n"
    "RUN rm -rf /tmp/pkgs\nUSER 10001\nCMD [\"bash\"]\n",
    # a local archive ADD unpacks: the archive's size understates what lands in the layer
    "FROM debian:12-slim\nCOPY fluxbox.conf /etc/\nADD bundle.tar.gz /tmp/bundle/\nRUN cp -r /tmp/bundle/bin /opt\n"
    "RUN rm -rf /tmp/bundle\nUSER 10001\nCMD [\"bash\"]\n",
])
def test_downloads_urls_and_unpacked_archives_stay_warnings_even_with_a_context(tmp_path: Path, text: str) -> None:
    _write(tmp_path / "bundle.tar.gz", 10)
    _write(tmp_path / "fluxbox.conf", 10)
    (tmp_path / "Dockerfile").write_text(text, encoding="utf-8")
    assert [sev for _line, sev in _bl001(tmp_path / "Dockerfile")] == ["warning"]


def test_folder_context_sizes_files_folders_and_globs(tmp_path: Path) -> None:
    _write(tmp_path / "menu" / "a", 100)
    _write(tmp_path / "menu" / "deep" / "b", 50)
    _write(tmp_path / "run.sh", 7)
    ctx = FolderContext(tmp_path)
    assert (ctx.size("menu"), ctx.size("./menu/"), ctx.size("menu/*"), ctx.size("*.sh")) == (150, 150, 150, 7)
    assert ctx.size("missing.txt") is None and not ctx.holds("missing.txt")
    assert ctx.size("*.yml") == 0 and not ctx.holds("*.yml")  # a glob that matches nothing copies nothing


def test_folder_context_never_leaves_its_folder(tmp_path: Path) -> None:
    context, outside = tmp_path / "ctx", tmp_path / "outside"
    _write(outside / "big.bin", 5 * 1024 * 1024)
    _write(context / "ok.txt", 3)
    os.symlink(outside, context / "linked")
    os.symlink(outside / "big.bin", context / "big-link.bin")
    ctx = FolderContext(context)
    assert ctx.size("../outside/big.bin") is None
    assert ctx.size("linked/big.bin") is None  # through a linked folder: refused
    assert ctx.size("linked") == len(os.fsencode(str(outside)))  # the link itself, not followed
    big_link = ctx.size("big-link.bin")
    assert big_link is not None and big_link < 1024  # a link is as big as its target's name
    assert ctx.size("$HOME/x") is None


def test_folder_context_gives_up_on_trees_too_big_to_walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("imgforge.lint.context.WALK_LIMIT", 3)
    for k in range(5):
        _write(tmp_path / "tree" / f"f{k}", 1)
    assert FolderContext(tmp_path).size("tree") is None
