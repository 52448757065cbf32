"""The embedded registry: start, stop, status, recovery from stale state (own port, own storage)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import pytest

from imgforge.env.registry import LocalRegistry, ping


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def own_registry(tmp_path, docker):
    reg = LocalRegistry(home=tmp_path / "reg", port=free_port())
    yield reg
    reg.down()


def test_up_status_down(own_registry):
    status = own_registry.up()
    assert status.answering and status.how == "process" and status.pid
    assert ping(own_registry.url) == 200
    assert own_registry.status().repositories == 0
    assert own_registry.down() is True
    assert ping(own_registry.url) is None
    assert own_registry.status().how == "stopped"
    assert own_registry.down() is False


def test_up_is_idempotent(own_registry):
    first = own_registry.up()
    second = own_registry.up()
    assert first.pid == second.pid


def test_recovers_from_stale_pid_file(own_registry):
    own_registry.home.mkdir(parents=True)
    # A pid that surely is not running: a finished child's.
    dead = subprocess.Popen(["true"])
    dead.wait()
    own_registry.pid_file.write_text(str(dead.pid))
    status = own_registry.up()
    assert status.answering and status.pid != dead.pid


def test_recovers_after_kill_minus_9(own_registry):
    pid = own_registry.up().pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while ping(own_registry.url) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    status = own_registry.up()
    assert status.answering and status.pid != pid


def test_garbage_pid_file(own_registry):
    own_registry.home.mkdir(parents=True)
    own_registry.pid_file.write_text("not a pid\n")
    assert own_registry.up().answering
