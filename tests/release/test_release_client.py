"""RegistryClient over a scripted local HTTP server: retries on 5xx and refused connections, auth challenges."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from imgforge.errors import RegistryUnavailable
from imgforge.registry import Credentials, RegistryClient, is_local
from imgforge.registry.auth import credentials_for

DIGEST = "sha256:" + "a" * 64


class Scripted(BaseHTTPRequestHandler):
    """Answers from `self.server.script` (a list of status codes, consumed in order; then 200)."""

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        server = self.server  # type: ignore[assignment]
        server.seen.append((self.command, self.path, self.headers.get("Authorization")))  # type: ignore[attr-defined]
        status = server.script.pop(0) if server.script else 200  # type: ignore[attr-defined]
        self.send_response(status)
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
        self.send_header("Docker-Content-Digest", DIGEST)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_PUT = _answer


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    srv.script, srv.seen = [], []  # type: ignore[attr-defined]
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _client(srv: ThreadingHTTPServer, **kw: object) -> tuple[RegistryClient, list[float]]:
    sleeps: list[float] = []
    host = f"127.0.0.1:{srv.server_address[1]}"
    return RegistryClient(host, sleep=sleeps.append, **kw), sleeps  # type: ignore[arg-type]


def test_retries_5xx_with_backoff(server):
    server.script.extend([503, 502])
    client, sleeps = _client(server, credentials=None, backoff=0.1)
    assert client.head_manifest("app", "1.0.0") == DIGEST
    assert sleeps == [0.1, 0.2]
    assert len(server.seen) == 3


def test_gives_up_after_attempts(server):
    server.script.extend([500] * 10)
    client, sleeps = _client(server, credentials=None, attempts=3)
    with pytest.raises(RegistryUnavailable, match="answered 500 after 3 attempts"):
        client.head_manifest("app", "1.0.0")
    assert len(sleeps) == 2  # no pointless sleep after the last attempt


def test_refused_connection_is_retried_then_environment_error():
    sleeps: list[float] = []
    client = RegistryClient("127.0.0.1:9", credentials=None, attempts=3, sleep=sleeps.append)
    with pytest.raises(RegistryUnavailable) as info:
        client.ping()
    assert "connection failed" in str(info.value) and info.value.exit_code == 3
    assert len(sleeps) == 2


def test_basic_challenge_answered_and_password_never_in_errors(server):
    creds = Credentials("ci", "pw-that-must-not-leak")
    server.script.extend([401, 401])
    client, _ = _client(server, credentials=creds)
    with pytest.raises(RegistryUnavailable) as info:
        client.head_manifest("app", "1.0.0")
    assert "401" in str(info.value) and "pw-that-must-not-leak" not in str(info.value)
    assert server.seen[1][2] == "Basic " + base64.b64encode(b"ci:pw-that-must-not-leak").decode()
    assert "pw-that-must-not-leak" not in repr(creds)


def test_credentials_from_env_then_docker_config(tmp_path):
    env = {"IMGFORGE_REGISTRY_USER": "u", "IMGFORGE_REGISTRY_PASSWORD": "p", "DOCKER_CONFIG": str(tmp_path)}
    assert credentials_for("r:5000", env) == Credentials("u", "p", "env")
    auth = base64.b64encode(b"cfg:secret").decode()
    (tmp_path / "config.json").write_text(f'{{"auths": {{"http://r:5000": {{"auth": "{auth}"}}}}}}')
    found = credentials_for("r:5000", {"DOCKER_CONFIG": str(tmp_path)})
    assert found is not None and (found.username, found.password) == ("cfg", "secret")
    assert credentials_for("other:5000", {"DOCKER_CONFIG": str(tmp_path)}) is None


def test_plain_http_only_for_loopback_or_insecure():
    assert is_local("127.0.0.1:5000") and is_local("localhost:5001") and not is_local("registry.example:5000")
    assert RegistryClient("registry.example").scheme == "https"
    assert RegistryClient("registry.example", insecure=True).scheme == "http"
