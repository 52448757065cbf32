"""More false-positive classes from hand-labelled findings on public Dockerfiles, each as a small reproduction
beside a near case that is still reported.

The Dockerfiles are written for these tests, modelled on patterns seen in public projects (dev-container images
that install through library scripts, patch images that upgrade inside `sudo bash -c`, config files copied to
fixed paths); none is copied.
"""

from __future__ import annotations

import pytest

from imgforge.lint import lint
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
