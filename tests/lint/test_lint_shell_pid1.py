"""SH003/SH005 follow what the final stage's /bin/sh does with `sh -c`: BusyBox ash execs the last command of an
`&&`/`;` list, Debian's dash execs nothing (not even a lone command), other shells are judged as before.

The Dockerfiles are written for these tests; the integration test checks the two shells' behaviour in containers.
"""

from __future__ import annotations

import pytest
from python_on_whales import DockerClient

from imgforge.lint import lint, parse
from imgforge.lint.rules.shellform import ash_execs_last, base_shell


def _sh(text: str) -> dict[str, str]:
    return {f.rule: f.severity for f in lint(text, "Dockerfile") if f.rule in ("SH003", "SH005")}


@pytest.mark.parametrize(("dockerfile", "shell"), [
    ("FROM alpine:3.20\n", "busybox"),
    ("FROM busybox:1.36-musl\n", "busybox"),
    ("FROM python:3.12-alpine3.20\n", "busybox"),
    ("FROM example/alpine-armhf:edge\n", "busybox"),
    ("FROM alpine:3.20 AS base\nRUN true\nFROM base AS run\nRUN true\n", "busybox"),  # through a stage
    ("FROM debian:12-slim\n", "dash"),
    ("FROM ubuntu:24.04\n", "dash"),
    ("FROM node:22-bookworm-slim\n", "dash"),
    ("FROM python:3.12-slim\n", None),  # Debian inside, but not by name: unknown
    ("FROM registry.example.com/team/runtime:1\n", None),
    ("FROM alpine:3.20\nSHELL [\"/bin/bash\", \"-c\"]\n", None),
    ("FROM alpine:3.20 AS base\nFROM debian:12-slim\n", "dash"),  # only the final stage's own chain counts
])
def test_the_shell_is_known_from_the_base_name_only(dockerfile: str, shell: str | None) -> None:
    assert base_shell(parse(dockerfile + "CMD app\n", "Dockerfile")) == shell


@pytest.mark.parametrize(("script", "execs"), [
    ("nmbd --daemon && smbd --foreground", "smbd"),
    ("set -e; mkdir -p /run/app\nrelay --listen :7000", "relay"),
    ("envsubst < /etc/tpl > /etc/app.conf && relay --config /etc/app.conf 2>&1", "relay"),
    ("relay --listen :7000 && echo stopped", None),  # a command after the server keeps the shell
    ("relay --listen :7000 | tee /var/log/relay.log", None),
    ("prepare || relay --listen :7000", None),
    ("sidecar & relay --listen :7000", None),  # the background job would miss SIGTERM
    ("trap 'rm -f /run/app.pid' EXIT; relay --listen :7000", None),
    ("while true; do relay --listen :7000; done", None),
    ("prepare && wait", None),
])
def test_which_command_busybox_ash_becomes(script: str, execs: str | None) -> None:
    assert ash_execs_last(script) == execs


@pytest.mark.parametrize(("base", "cmd", "found"), [
    ("alpine:3.20", "CMD nmbd --daemon && smbd --foreground --no-process-group", {"SH005": "info"}),
    ("alpine:3.20", "CMD relay --listen :7000", {"SH005": "info"}),
    ("alpine:3.20", "CMD relay --listen :7000 && echo stopped", {"SH003": "warning"}),
    ("alpine:3.20", "CMD relay --listen :7000 | tee /tmp/log", {"SH003": "warning"}),
    ("debian:12-slim", "CMD relay --listen :7000", {"SH003": "warning"}),  # dash stays even for one command
    ("debian:12-slim", "CMD nmbd --daemon && smbd --foreground", {"SH003": "warning"}),
    ("debian:12-slim", "CMD exec relay --listen :7000", {}),
    # an explicit exec at the end of the list replaces the shell under any /bin/sh
    ("debian:12-slim", "CMD relay --check && exec relay --listen :7000", {}),
    ("python:3.12-slim", "CMD mkdir -p /run/relay; exec relay --listen :7000", {}),
    ("debian:12-slim", "CMD relay --check && exec >/tmp/log 2>&1", {"SH003": "warning"}),  # exec only redirects
    ("python:3.12-slim", "CMD relay --listen :7000", {"SH005": "info"}),  # unknown shell: as before
    ("python:3.12-slim", "CMD nmbd --daemon && smbd --foreground", {"SH003": "warning"}),
])
def test_shell_form_findings_follow_the_base_shell(base: str, cmd: str, found: dict[str, str]) -> None:
    assert _sh(f"FROM {base}\nCOPY relay /usr/local/bin/\nUSER 10001\n{cmd}\n") == found


def _pid1(docker: DockerClient, image: str, script: str) -> str:
    out = docker.run(image, ["sh", "-c", script], remove=True)
    return str(out).strip()


def test_the_shells_behave_as_the_rules_assume(docker: DockerClient, base_debian: str) -> None:
    busybox = "imgforge/busybox:1.35"
    if not docker.image.exists(busybox):
        pytest.fail(f"base image {busybox} is missing (run `imgforge bases build`)")
    comm = "cat /proc/1/comm"  # PID 1's name: `cat` when the shell replaced itself with the last command
    assert _pid1(docker, busybox, f"true && {comm}") == "cat"
    assert _pid1(docker, busybox, f"true; {comm}") == "cat"
    assert _pid1(docker, busybox, f"{comm} | cat") == "sh"
    assert _pid1(docker, busybox, f"trap 'true' TERM; {comm}") == "sh"
    assert _pid1(docker, base_debian, comm) == "sh"  # dash keeps the shell even for one command
    assert _pid1(docker, base_debian, f"true && {comm}") == "sh"
    assert _pid1(docker, base_debian, f"true && exec {comm}") == "cat"  # an explicit exec: under dash too
