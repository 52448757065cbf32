"""What a running container listens on (its /proc/net/tcp tables), to say why a probe could not connect."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

_LISTEN = "0A"


@dataclass(frozen=True)
class Listener:
    """A listening TCP socket: its address and port."""

    address: str
    port: int

    @property
    def loopback(self) -> bool:
        return ipaddress.ip_address(self.address).is_loopback


def _address(hex_ip: str) -> str:
    """/proc/net/tcp's address (little-endian 32-bit words) as text."""
    raw = bytes.fromhex(hex_ip)
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    ip = ipaddress.ip_address(words)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ip)


def parse(text: str) -> list[Listener]:
    """The listening sockets of /proc/net/tcp and /proc/net/tcp6 text (other lines and states skipped)."""
    found = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[3] != _LISTEN or ":" not in fields[1]:
            continue
        hex_ip, _, hex_port = fields[1].partition(":")
        try:
            found.append(Listener(_address(hex_ip), int(hex_port, 16)))
        except ValueError:
            continue
    return sorted(set(found), key=lambda item: (item.port, item.address))


def hint(listeners: list[Listener], port: int) -> str | None:
    """Why a connection to `port` on the pod's address was refused, from what the app listens on, or None."""
    on_port = [item for item in listeners if item.port == port]
    if on_port and all(item.loopback for item in on_port):
        return (f"the app listens on {on_port[0].address}:{port} only, which the kubelet cannot reach: "
                "bind it to 0.0.0.0 (all interfaces)")
    others = sorted({item.port for item in listeners if item.port != port})
    if not on_port and others:
        shown = ", ".join(f":{p}" for p in others[:5])
        return f"the app listens on {shown}, not :{port}: set overrides.runtime.port (or start it on $PORT)"
    return None
