"""False-positive classes from the held-out sample h10 (public repositories the rules were not tuned on): a build
tool image whose ENTRYPOINT is a set-up script and whose CMD is the tool, a cross-compile image under a `builders/`
folder, a rolling variant whose Dockerfile sits in a `docker/` folder below its channel, a Gitpod workspace image,
and pip options whose value is not a package (`--group`, `--root-user-action`).

Every Dockerfile here is written for these tests, modelled on patterns seen in public projects; none is copied.
Each class is tested both ways: the false positive is gone and a nearby true positive is still reported.
"""

from __future__ import annotations

import pytest

from imgforge.lint import lint


def _rules(text: str, path: str = "Dockerfile") -> list[str]:
    return [f.rule for f in lint(text, path) if f.severity != "info"]


def _messages(text: str, rule: str, path: str = "Dockerfile") -> list[str]:
    return [f.message for f in lint(text, path) if f.rule == rule and f.severity != "info"]


# MS001: the image is the build tool; its entrypoint script prepares a settings folder, then runs the CMD

_TOOL_IMAGE = """FROM gradle:8.10-jdk21 AS upstream
FROM eclipse-temurin:21-jdk-jammy
COPY --from=upstream /opt/gradle /opt/gradle
COPY tool-entrypoint.sh /usr/local/bin/tool-entrypoint.sh
RUN ln -s /opt/gradle/bin/gradle /usr/bin/gradle
USER 1000
ENTRYPOINT {entry}
CMD {cmd}
"""


@pytest.mark.parametrize(("entry", "cmd"), [
    ('["/usr/local/bin/tool-entrypoint.sh"]', '["gradle"]'),
    ('["docker-entrypoint.sh"]', '["gradle", "--version"]'),
    ('["/sbin/tini", "--", "/usr/local/bin/tool-entrypoint.sh"]', '["mvn", "-v"]'),
])
def test_a_build_tool_image_behind_an_entrypoint_script_keeps_its_jdk(entry: str, cmd: str) -> None:
    assert "MS001" not in _rules(_TOOL_IMAGE.format(entry=entry, cmd=cmd))


@pytest.mark.parametrize(("entry", "cmd"), [
    ('["/usr/local/bin/tool-entrypoint.sh"]', '["java", "-jar", "/srv/app.jar"]'),  # an app served on a JDK
    ('["/usr/local/bin/tool-entrypoint.sh"]', '["--help"]'),  # the script is the program; nothing names a tool
    ('["/usr/local/bin/report-generator.sh"]', '["gradle"]'),  # not an entrypoint script: it is the program
])
def test_an_app_on_a_jdk_behind_an_entrypoint_script_is_still_reported(entry: str, cmd: str) -> None:
    assert "MS001" in _rules(_TOOL_IMAGE.format(entry=entry, cmd=cmd))


# MS002: `builders/<target>/Dockerfile` holds a cross-compile image whose entrypoint runs the build

_BUILDER = """FROM ubuntu:24.04
RUN apt-get update && apt-get install -y --no-install-recommends gcc make git ca-certificates \\
    && rm -rf /var/lib/apt/lists/*
WORKDIR /emu
RUN git clone --depth 1 https://example.org/emulator.git . && ./configure --static && make emu-arm
COPY compile-all /usr/local/bin/compile-all
ENTRYPOINT ["/usr/local/bin/runner", "emu", "/usr/local/bin/compile-all"]
"""


@pytest.mark.parametrize("path", ["builders/linux.armhf/Dockerfile", "toolchains/riscv64/Dockerfile"])
def test_a_builder_image_in_a_builders_folder_keeps_its_toolchain(path: str) -> None:
    assert "MS002" not in _rules(_BUILDER, path)


@pytest.mark.parametrize("path", ["services/linux.armhf/Dockerfile", "builds/Dockerfile"])
def test_the_same_build_in_an_app_folder_is_still_reported(path: str) -> None:
    assert "MS002" in _rules(_BUILDER, path)


# PIN001/PIN002: `release/unstable/<distro>/docker/Dockerfile`, the channel two folders above a wrapper folder

_ROLLING = 'FROM {base}\nRUN echo build\nUSER 10001\nCMD ["/usr/local/bin/app"]\n'


@pytest.mark.parametrize("path", ["release/unstable/rollingdistro/docker/Dockerfile",
                                  "channels/nightly/alpine/dockerfiles/Dockerfile"])
def test_a_rolling_variant_behind_a_docker_folder_may_follow_latest(path: str) -> None:
    rules = _rules(_ROLLING.format(base="rollingdistro:latest"), path)
    assert "PIN002" not in rules


@pytest.mark.parametrize("path", ["release/stable/rollingdistro/docker/Dockerfile",
                                  "unstable/release/stable/rollingdistro/docker/Dockerfile"])
def test_a_stable_variant_behind_a_docker_folder_is_still_reported(path: str) -> None:
    assert "PIN002" in _rules(_ROLLING.format(base="rollingdistro:latest"), path)


# purpose: a Gitpod workspace image is a dev environment

_WORKSPACE = "FROM mcr.example.com/shell:latest\nRUN apt-get update && apt-get install -y make\n"


@pytest.mark.parametrize("path", ["tools/.gitpod.Dockerfile", ".gitpod.Dockerfile", ".gitpod/Dockerfile"])
def test_a_gitpod_workspace_image_is_a_dev_image(path: str) -> None:
    assert not {"PIN002", "PC001"} & set(_rules(_WORKSPACE, path))


def test_the_same_file_as_the_app_image_is_still_reported() -> None:
    assert {"PIN002", "PC001"} <= set(_rules(_WORKSPACE, "tools/Dockerfile"))


# PIN006: option values taken for packages

_PY = "FROM python:3.12-slim\n{run}\nUSER 10001\nCMD [\"python\", \"-m\", \"svc\"]\n"


def test_a_dependency_group_is_not_a_package() -> None:
    run = "RUN python -m pip install --no-cache-dir --prefix=/install --group server"
    assert "PIN006" not in _rules(_PY.format(run=run))


def test_the_root_user_action_value_is_not_named_as_a_package() -> None:
    run = "RUN pip install --no-cache-dir --root-user-action ignore webtool"
    assert _messages(_PY.format(run=run), "PIN006") == [
        "pip install webtool without versions: the next build can get a new major version"]


def test_an_unpinned_package_beside_those_options_is_still_reported() -> None:
    run = "RUN pip install --no-cache-dir --python /opt/venv/bin/python webtool"
    assert "PIN006" in _rules(_PY.format(run=run))


# SYN001: a Cottle-style template (the generator .NET image repositories use): a leading `{{ set ... }}` block
# before `# escape=``, blocks nested in blocks, a fragment meant for insertion into a backtick-escaped file

_COTTLE = """{{
    set flavour to VARIABLES["flavour"] ^
    set patched to flavour != "base"
        && OS = "ltsc2022"
}}# escape=`

FROM mcr.example.com/windows/servercore:{{OS}}

ENV {{if OS = "ltsc2022":`
    }}TOOL_HOME=C:\\\\tool

RUN `
{{if patched
:    # fetch the patch {{flavour}}
    curl -fSLo patch.msu {{VARIABLES[cat("patch|", OS)]}} `
    && expand patch.msu patch -F:* `
^else
:    {{if OS = "ltsc2019":&& }}echo nothing to patch `
}}
    && del /F /Q patch.msu

RUN `
    curl -fSLo tool.zip https://example.org/tool.zip `
    && {{InsertTemplate("Dockerfile.unpack", [], "    ")}}
    `
    && del tool.zip
"""

_FRAGMENT = """{{
    set wrap(s) to:{{return cat("'", s, "'")}} ^
    set names to map(["a", "b"], wrap)
}}# Unpack every archive
RUN powershell -Command "`
    foreach ($n in @@({{join(names, ", ")}})) { `
        Expand-Archive \\"$n.zip\\" -DestinationPath C:\\\\tool; `
    } `
    Remove-Item -Force *.zip"
"""


@pytest.mark.parametrize("text", [_COTTLE, _FRAGMENT])
def test_a_cottle_template_gets_one_template_note_and_no_syntax_errors(text: str) -> None:
    findings = lint(text, "eng/dockerfile-templates/runtime/Dockerfile")
    assert [f.rule for f in findings if f.rule.startswith("SYN")] == ["SYN014"]


def test_a_real_syntax_error_in_a_template_is_still_reported() -> None:
    text = _COTTLE.replace("RUN `\n    curl", "RUNN `\n    curl")
    assert "SYN001" in [f.rule for f in lint(text, "eng/dockerfile-templates/runtime/Dockerfile")]


def test_a_backslash_template_keeps_its_escape() -> None:
    text = '{{ set x to 1 }}\nFROM debian:{{ x }}\nRUN apt-get update \\\n    && echo `date`\nBOGUS line\n'
    assert "SYN001" in [f.rule for f in lint(text, "Dockerfile")]


# SH003: a Windows image's shell form runs under cmd or its SHELL (PowerShell), and Windows has no SIGTERM to lose

_WINDOWS_ENTRY = """FROM mcr.example.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
RUN Invoke-WebRequest https://example.org/watcher.zip -OutFile w.zip ; Expand-Archive w.zip ; Remove-Item w.zip
USER ContainerUser
CMD Start-Sleep 3 ; ./watcher.exe service agentd
"""


def test_a_windows_shell_form_cmd_is_not_a_pid1_signal_problem() -> None:
    assert "SH003" not in _rules(_WINDOWS_ENTRY)


def test_the_same_cmd_on_linux_is_still_reported() -> None:
    text = 'FROM debian:12-slim\nUSER 1000\nCMD sleep 3 ; ./watcher service agentd\n'
    assert "SH003" in _rules(text)
