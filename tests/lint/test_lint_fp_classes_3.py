"""False-positive classes from the hand-labelled public sample, third round: daemons behind wrapper scripts and
`python -m`, overridable bases, placeholder references and template files.

Every Dockerfile here is written for these tests, modelled on patterns seen in public projects; none is copied.
Each class is tested both ways: the false positive is gone and a nearby true positive is still reported.
"""

from __future__ import annotations

import pytest

from imgforge.lint import lint


def _rules(text: str) -> list[str]:
    return [f.rule for f in lint(text, "Dockerfile") if f.severity != "info"]


# USR001: the program that runs the service, seen through what only starts it

_SSH_BOX = ("FROM alpine:3.20\nRUN apk add --no-cache openssh-server git\nCOPY boot.sh /boot.sh\nEXPOSE 22\n"
            'ENTRYPOINT ["/boot.sh"]\n')


def test_daemon_given_as_cmd_to_an_entrypoint_script_is_judged_by_the_daemon() -> None:
    # no user is created, so only the CMD's program (sshd separates privileges itself) can clear the image
    assert "USR001" not in _rules(_SSH_BOX + 'CMD ["/usr/sbin/sshd", "-D", "-e"]\n')


@pytest.mark.parametrize("cmd", [
    'CMD ["/srv/gitweb-server", "--listen", ":22"]',  # an ordinary server behind the same script
    'CMD ["--port", "22"]',  # options for the script: the script itself is the program
])
def test_entrypoint_script_with_an_ordinary_cmd_is_still_reported(cmd: str) -> None:
    assert "USR001" in _rules(_SSH_BOX + cmd + "\n")


@pytest.mark.parametrize("cmd", [
    "CMD sockd -f /etc/sockd.conf -N 4",  # dante: `user.unprivileged` in its config
    'CMD ["danted", "-f", "/etc/danted.conf"]',
    'CMD ["stunnel", "/etc/stunnel/tunnel.conf"]',  # `setuid = stunnel` in its config
    'CMD ["netdata", "-D"]',  # `run as user = netdata`
])
def test_daemons_that_switch_user_from_their_config_are_not_reported(cmd: str) -> None:
    text = f"FROM debian:12-slim\nCOPY proxy.conf /etc/\nEXPOSE 1080\n{cmd}\n"
    assert "USR001" not in _rules(text)


def test_a_proxy_that_needs_a_command_line_user_is_still_reported() -> None:
    # privoxy keeps root unless told `--user`; tor unless its torrc says `User`: neither is assumed
    for cmd in ('CMD ["privoxy", "--no-daemon", "/etc/privoxy/config"]', 'CMD ["tor", "-f", "/etc/tor/torrc"]'):
        assert "USR001" in _rules(f"FROM debian:12-slim\nEXPOSE 8118\n{cmd}\n")
    assert "USR001" not in _rules('FROM debian:12-slim\nEXPOSE 8118\nCMD ["privoxy", "--user", "privoxy"]\n')


@pytest.mark.parametrize("cmd", [
    "CMD python -m glances -w -C /etc/glances/glances.conf",
    'CMD ["python3", "-u", "-m", "glances", "-w"]',
    'ENTRYPOINT ["glances"]\nCMD ["-w"]',
])
def test_host_monitor_started_as_a_python_module_is_not_reported(cmd: str) -> None:
    text = f"FROM python:3.12-slim\nRUN pip install --no-cache-dir glances==4.1.2\nEXPOSE 61208\n{cmd}\n"
    assert "USR001" not in _rules(text)


@pytest.mark.parametrize("cmd", [
    "CMD python -m http.server 8000",  # a module, but an ordinary server
    'CMD ["python3", "app.py", "-m", "glances"]',  # `-m` after the script is the script's own option
    'CMD ["python3", "-u", "app.py"]',  # python's -u is unbuffered output, not a user to switch to
    'CMD ["node_exporter", "--web.listen-address=:9100"]',  # reads /proc and /sys as any user
])
def test_ordinary_python_modules_and_exporters_are_still_reported(cmd: str) -> None:
    text = f"FROM python:3.12-slim\nCOPY app.py /srv/\nEXPOSE 8000\n{cmd}\n"
    assert "USR001" in _rules(text)
