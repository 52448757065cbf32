"""Reading a container's listening sockets to explain a refused probe (pure)."""

from __future__ import annotations

from imgforge.manifest.listeners import Listener, hint, parse

# datasette's `datasette` with no arguments: 127.0.0.1:8001 (/proc/net/tcp), and a Node server on :::3000 (tcp6).
TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F41 00000000:0000 0A 00000000:00000000 00:00000000 00000000 10001        0 1234 1
   1: 0100007F:1F41 0100007F:9C40 01 00000000:00000000 00:00000000 00000000 10001        0 1235 1
"""
TCP6 = """\
  sl  local_address                         remote_address                        st tx_queue rx_queue
   0: 00000000000000000000000000000000:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000
   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000
"""


def test_listening_sockets_are_read_from_both_tables():
    assert parse(TCP + TCP6) == [Listener("::", 3000), Listener("127.0.0.1", 8001), Listener("::1", 8080)]


def test_a_loopback_only_server_is_named():
    found = parse(TCP)
    assert hint(found, 8001) == ("the app listens on 127.0.0.1:8001 only, which the kubelet cannot reach: "
                                 "bind it to 0.0.0.0 (all interfaces)")


def test_a_server_on_another_port_is_named():
    assert hint(parse(TCP6), 8081) == ("the app listens on :3000, :8080, not :8081: set overrides.runtime.port "
                                       "(or start it on $PORT)")
    # Listening on every interface at the probed port: nothing to add.
    assert hint(parse(TCP6), 3000) is None
    assert hint([], 8080) is None
