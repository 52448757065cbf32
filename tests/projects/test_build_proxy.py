"""Behind an explicit HTTP proxy that wants a login, builder steps download through it, and neither the proxy's
credential nor its URL reaches a layer, the config, the history or the build log (real engine, real PyPI).

The proxy is this file's own: a CONNECT tunnel that answers 407 without the right Proxy-Authorization and
records every host it tunnels to. It listens on the host's loopback (the build must then run in the host's
network namespace) or on the engine's bridge gateway (the build keeps BuildKit's own bridge network).
"""

from __future__ import annotations

import base64
import os
import re
import select
import socket
import socketserver
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from imgforge.build import BuildOptions, build
from imgforge.cli import main
from tests.projects._layers import layer_entries

TOKEN = f"proxy-pass-{uuid.uuid4().hex}"
USER = "imgforge-proxy-user"


class _Tunnel(socketserver.BaseRequestHandler):
    """One CONNECT request: check the login, open the upstream connection, relay bytes both ways."""

    server: _Proxy

    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
        lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        method, target, _ = (lines[0].split(" ") + ["", ""])[:3]
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        wanted = "Basic " + base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()
        if method != "CONNECT":
            self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        if headers.get("proxy-authorization") != wanted:
            self.server.refused.append(target)
            self.request.sendall(b'HTTP/1.1 407 Proxy Authentication Required\r\n'
                                 b'Proxy-Authenticate: Basic realm="imgforge"\r\nContent-Length: 0\r\n\r\n')
            return
        host, _, port = target.rpartition(":")
        try:
            upstream = socket.create_connection((host, int(port)), timeout=20)
        except (OSError, ValueError):
            self.request.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        self.server.tunnelled.append(host)
        self.request.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        with upstream:
            ends = [self.request, upstream]
            while True:
                ready, _, _ = select.select(ends, [], [], 60)
                if not ready:
                    return
                for end in ready:
                    data = end.recv(65536)
                    if not data:
                        return
                    (upstream if end is self.request else self.request).sendall(data)


class _Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: str) -> None:
        super().__init__((address, 0), _Tunnel)
        self.tunnelled: list[str] = []
        self.refused: list[str] = []


@pytest.fixture
def proxy(request) -> Iterator[_Proxy]:
    # "gateway": the engine's bridge gateway address, which BuildKit's bridge namespace reaches.
    server = _Proxy(_bridge_gateway() if request.param == "gateway" else request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _bridge_gateway() -> str:
    out = subprocess.run(["docker", "network", "inspect", "bridge", "--format",
                          "{{range .IPAM.Config}}{{.Gateway}}{{end}}"], capture_output=True, text=True, check=True)
    return out.stdout.strip() or "172.17.0.1"


def _project(tmp_path: Path) -> Path:
    """A small Flask-less web project: one pure-Python dependency, fetched fresh (an empty pip cache mount)."""
    root = tmp_path / "proxied"
    root.mkdir()
    (root / "requirements.txt").write_text("itsdangerous==2.2.0\n")
    (root / "app.py").write_text(
        "import os\nfrom http.server import BaseHTTPRequestHandler, HTTPServer\nimport itsdangerous\n\n\n"
        "class Hello(BaseHTTPRequestHandler):\n    def do_GET(self):\n        self.send_response(200)\n"
        "        self.end_headers()\n        self.wfile.write(itsdangerous.__name__.encode())\n\n\n"
        "HTTPServer(('0.0.0.0', int(os.environ.get('PORT', '8080'))), Hello).serve_forever()\n")
    assert main(["init", str(root)]) == 0
    assert main(["generate", str(root)]) == 0
    # A fresh cache id: pip's HTTP cache from other builds would answer the index without asking the network.
    # (The build also runs without layer cache: BuildKit 0.13 reuses the install step across cache ids.)
    text = (root / "Dockerfile").read_text()
    fresh = uuid.uuid4().hex[:8]
    (root / "Dockerfile").write_text(re.sub(r"--mount=type=cache,target=(\S+)",
                                            lambda m: f"--mount=type=cache,id=proxy-{fresh}{m.group(1)},"
                                                      f"target={m.group(1)}", text))
    return root


@pytest.mark.parametrize("proxy", ["127.0.0.1", "gateway"], indirect=True, ids=["loopback", "bridge-gateway"])
def test_builder_steps_download_through_an_authenticating_proxy_and_keep_no_trace(
        docker, cleanup_images, tmp_path, proxy):
    address = proxy.server_address[0]
    url = f"http://{USER}:{TOKEN}@{address}:{proxy.server_address[1]}"
    root = _project(tmp_path)
    tag = f"imgforge-test/proxied:{uuid.uuid4().hex[:8]}"
    cleanup_images.append(tag)
    lines: list[str] = []
    env = {"HTTPS_PROXY": url, "HTTP_PROXY": url, "NO_PROXY": "localhost"}
    with mock.patch.dict(os.environ, env):
        build(root, root / "Dockerfile", BuildOptions(tags=(tag,), progress="plain", no_cache=True),
              on_line=lines.append)
    assert "pypi.org" in proxy.tunnelled, f"pip did not go through the proxy: {proxy.tunnelled} {proxy.refused}"
    assert not proxy.refused, "every CONNECT carried the login"
    out = docker.run(tag, ["python3", "-c", "import itsdangerous; print(itsdangerous.__name__)"], entrypoint="",
                     remove=True)
    assert "itsdangerous" in out
    needles = (TOKEN.encode(), f"{address}:{proxy.server_address[1]}".encode())
    for layer in layer_entries(tag, lambda _, data: [n for n in needles if n in data], files_only=True):
        for path, found in layer:
            assert not found, f"{path} holds the proxy's login or address"
    meta = [subprocess.run(cmd, capture_output=True, text=True, check=True).stdout for cmd in (
        ["docker", "image", "inspect", tag], ["docker", "history", "--no-trunc", tag])]
    assert "buildkit" in meta[1], "the history really lists the build steps"
    assert "_proxy" not in meta[0].lower(), "no proxy variable in the image config"
    for text in (*meta, *lines):
        assert TOKEN not in text
    assert any("pip --python" in line for line in lines), "the log really holds the install step"
