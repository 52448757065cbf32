"""Digest resolution against loopback fake registries: open, token-for-anonymous (public), and login-only."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from imgforge.errors import RegistryUnavailable, UsageError
from imgforge.manifest.image import EngineAndRegistry, ImageConfig, RegistryAnswer, pin
from imgforge.reference import Reference

DIGEST = "sha256:" + "d" * 64


def _server(mode: str) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, code: int, headers: dict[str, str], body: bytes = b"") -> None:
            self.send_response(code)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path.startswith("/token"):
                self._answer(200, {"Content-Type": "application/json"}, b'{"token": "anon-123"}')
            else:
                self._answer(404, {})

        def do_HEAD(self) -> None:
            port = self.server.server_address[1]
            if mode == "missing":
                self._answer(404, {"Content-Type": "application/json"})
            elif mode == "open" or (mode == "token" and self.headers.get("Authorization") == "Bearer anon-123"):
                self._answer(200, {"Docker-Content-Digest": DIGEST})
            elif mode == "token":
                realm = f'Bearer realm="http://127.0.0.1:{port}/token",service="fake",scope="repository:shop/web:pull"'
                self._answer(401, {"WWW-Authenticate": realm})
            else:
                self._answer(401, {"WWW-Authenticate": 'Basic realm="fake"'})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def registry_host(request: pytest.FixtureRequest) -> Iterator[str]:
    server = _server(request.param)
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("registry_host", ["open"], indirect=True)
def test_open_registry_gives_the_digest(registry_host: str) -> None:
    answer = EngineAndRegistry().registry_digest(Reference.parse(f"{registry_host}/shop/web:1.0.0"))
    assert (answer.digest, answer.needs_auth) == (DIGEST, False)


@pytest.mark.parametrize("registry_host", ["token"], indirect=True)
def test_anonymous_token_means_no_pull_secret(registry_host: str) -> None:
    answer = EngineAndRegistry().registry_digest(Reference.parse(f"{registry_host}/shop/web:1.0.0"))
    assert (answer.digest, answer.needs_auth) == (DIGEST, False)


@pytest.mark.parametrize("registry_host", ["basic"], indirect=True)
def test_login_only_registry_needs_a_pull_secret(registry_host: str, no_registry_credentials: None) -> None:
    answer = EngineAndRegistry().registry_digest(Reference.parse(f"{registry_host}/shop/web:1.0.0"))
    assert answer.needs_auth is True
    assert answer.digest is None


class NoEngine(EngineAndRegistry):
    """The real registry side, without asking the engine (no local image, no RepoDigests)."""

    def local_config(self, ref: str) -> ImageConfig | None:
        return None


@pytest.mark.parametrize("registry_host", ["basic"], indirect=True)
def test_answers_are_named_auth_required(registry_host: str, no_registry_credentials: None) -> None:
    with pytest.raises(RegistryUnavailable, match="requires authentication.*docker login.*--pull-secret") as info:
        pin(f"{registry_host}/shop/web:1.0.0", NoEngine())
    assert info.value.exit_code == 3


@pytest.mark.parametrize("registry_host", ["missing"], indirect=True)
def test_answers_are_named_no_such_tag(registry_host: str) -> None:
    answer = NoEngine().registry_digest(Reference.parse(f"{registry_host}/shop/web:9.9.9"))
    assert (answer.digest, answer.problem) == (None, "no-such-tag")
    with pytest.raises(UsageError, match="has no tag 9.9.9 in shop/web"):
        pin(f"{registry_host}/shop/web:9.9.9", NoEngine())


def test_answers_are_named_unreachable() -> None:
    with pytest.raises(RegistryUnavailable, match="127.0.0.1:9 is unreachable .*does not answer.*connection refused"):
        pin("127.0.0.1:9/shop/web:1.0.0", NoEngine())


def test_a_name_that_does_not_resolve_is_unreachable_not_a_missing_tag() -> None:
    # .invalid never resolves (RFC 2606): the real resolver answers, no network is reached.
    with pytest.raises(RegistryUnavailable, match="no-such-registry.invalid:5000 is unreachable .*the host name does "
                       "not resolve") as info:
        pin("no-such-registry.invalid:5000/shop/web:1.0.0", NoEngine())
    assert info.value.exit_code == 3 and "no tag" not in str(info.value)


class Answers:
    def local_config(self, ref: str) -> ImageConfig | None:
        return None

    def registry_digest(self, ref: Reference) -> RegistryAnswer:
        return RegistryAnswer(DIGEST, False)

    def registry_config(self, ref: Reference, digest: str) -> ImageConfig | None:
        return None


def test_a_reference_without_a_tag_is_refused_unless_latest_is_written() -> None:
    with pytest.raises(UsageError, match="has no tag.*:latest"):
        pin("127.0.0.1:5000/shop/web", Answers())
    assert pin("127.0.0.1:5000/shop/web:latest", Answers()).ref == f"127.0.0.1:5000/shop/web@{DIGEST}"
