"""The transport on its own: the scheme rule, challenge and error parsing, retries, auth, resumed blobs."""

from __future__ import annotations

import pickle
import socket
from collections.abc import Iterator

import pytest

from imgforge.errors import RegistryError, RegistryUnavailable
from imgforge.registry import Credentials, MockTransport, RegistryClient, Request, Response, Transport
from imgforge.registry.memory import TOKEN, MemoryRegistry
from imgforge.registry.transport import oci_error, parse_challenge, redact_url, scheme_for

HOSTS = [
    ("127.0.0.1:5000", "http"), ("127.0.0.2:5000", "http"), ("127.255.0.9", "http"), ("[::1]:5000", "http"),
    ("[::1]", "http"), ("::1", "http"), ("localhost:5000", "http"), ("LOCALHOST", "http"),
    ("registry.example", "https"), ("registry.example:5000", "https"), ("10.1.2.3:5000", "https"),
    ("[2001:db8::1]:5000", "https"), ("localhost.example.org", "https"),
]


@pytest.mark.parametrize(("host", "scheme"), HOSTS)
def test_one_scheme_rule(host: str, scheme: str) -> None:
    assert scheme_for(host) == scheme
    assert scheme_for(host, insecure=True) == "http"
    assert Transport(host).base == f"{scheme}://{host}"


def test_challenge_parser_reads_quoted_and_bare_values() -> None:
    got = parse_challenge('Bearer realm="https://auth.example/token",service="reg.example",'
                          'scope="repository:a/b:pull,push",error=insufficient_scope')
    assert got.scheme == "bearer"
    assert got.params == {"realm": "https://auth.example/token", "service": "reg.example",
                          "scope": "repository:a/b:pull,push", "error": "insufficient_scope"}
    assert parse_challenge('Basic realm="x"').scheme == "basic"


def test_oci_error_and_redaction() -> None:
    assert oci_error(b'{"errors":[{"code":"DENIED","message":"no"}]}') == ("DENIED", "no")
    assert oci_error(b"<html>") == ("", "") and oci_error(b'{"errors": "x"}') == ("", "")
    url = redact_url("https://user:pw@reg.example/v2/a/blobs/uploads/u?_state=SECRET&digest=sha256:ab")
    assert "SECRET" not in url and "pw" not in url and "digest=sha256:ab" in url


def _client(reg: MemoryRegistry, **kw: object) -> tuple[RegistryClient, list[float]]:
    sleeps: list[float] = []
    transport = MockTransport(reg, host=reg.host, sleep=sleeps.append, **kw)
    return RegistryClient(reg.host, transport=transport), sleeps


def test_429_honours_retry_after_and_5xx_backs_off() -> None:
    reg = MemoryRegistry()
    digest = reg.add_image("app", "1", [b"layer"])
    reg.fail(r"HEAD /v2/app/manifests/1", 429, headers={"Retry-After": "7"})
    reg.fail(r"HEAD /v2/app/manifests/1", 503, times=2)
    client, sleeps = _client(reg, backoff=0.5)
    assert client.head_manifest("app", "1") == digest
    assert sleeps == [7.0, 1.0, 2.0]  # Retry-After beats the backoff of 0.5 s; then 2**n


def test_gives_up_with_structured_error() -> None:
    reg = MemoryRegistry()
    reg.fail(r"GET /v2/app/manifests/1", 502, times=10)
    client, sleeps = _client(reg, attempts=3)
    with pytest.raises(RegistryError) as info:
        client.get_manifest("app", "1")
    assert (info.value.status, info.value.url_redacted) == (502, "https://registry.test/v2/app/manifests/1")
    assert "answered 502 after 3 attempts" in str(info.value) and len(sleeps) == 2
    assert info.value.exit_code == 3 and isinstance(info.value, RegistryUnavailable)


def test_connection_errors_are_retried_then_named() -> None:
    calls: list[Request] = []

    def refuse(request: Request) -> Response:
        calls.append(request)
        raise ConnectionRefusedError("connection refused")

    transport = MockTransport(refuse, host="reg.example", attempts=4)
    with pytest.raises(RegistryUnavailable, match="does not answer .*connection refused.* after 4 attempts"):
        transport.ping()
    assert len(calls) == 4


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        yield server.getsockname()[1]


def test_failures_below_http_are_named_for_what_they_are(silent_port: int) -> None:
    cases = [(f"127.0.0.1:{silent_port}", "timed out"), ("127.0.0.1:9", "connection refused"),
             ("no-such-registry.invalid:5000", "the host name does not resolve")]
    for host, reason in cases:
        with pytest.raises(RegistryUnavailable, match=f"does not answer \\(connection failed: {reason}\\)"):
            Transport(host, insecure=True, attempts=1, timeout=0.5).ping()


def test_404_is_a_registry_error_with_the_oci_code() -> None:
    client, _ = _client(MemoryRegistry())
    with pytest.raises(RegistryError) as info:
        client.get_manifest("app", "nope")
    assert (info.value.status, info.value.code) == (404, "MANIFEST_UNKNOWN")


def test_401_then_token_with_credentials_and_never_the_password_in_errors() -> None:
    reg = MemoryRegistry(auth="bearer", password="pw-that-must-not-leak")
    digest = reg.add_image("app", "1", [b"layer"])
    client, _ = _client(reg, credentials=Credentials("ci", "pw-that-must-not-leak"))
    assert client.head_manifest("app", "1") == digest
    token_calls = [r for r in reg.seen if r.url.split("?")[0].endswith("/token")]
    assert len(token_calls) == 1 and token_calls[0].headers["Authorization"].startswith("Basic ")
    assert reg.seen[-1].headers["Authorization"] == f"Bearer {TOKEN}"
    assert client.auth_scheme == "bearer"

    wrong, _ = _client(MemoryRegistry(auth="bearer"), credentials=Credentials("ci", "wrong-secret-xyz"))
    with pytest.raises(RegistryError) as info:
        wrong.head_manifest("app", "1")
    assert info.value.status == 401 and "wrong-secret-xyz" not in str(info.value)


def test_basic_without_credentials_says_how_to_log_in(no_registry_credentials: None) -> None:
    client, _ = _client(MemoryRegistry(auth="basic"))
    with pytest.raises(RegistryError, match="401 UNAUTHORIZED.*docker login registry.test"):
        client.ping()


def test_blob_stream_resumes_after_a_reset_mid_blob() -> None:
    reg = MemoryRegistry()
    data = bytes(range(256)) * 4096  # 1 MiB
    digest = reg.add_blob("app", data)
    reg.fail(r"GET /v2/app/blobs/", 200, reset_after=300_000)
    reg.fail(r"GET /v2/app/blobs/", 200, reset_after=100_000)
    client, sleeps = _client(reg)
    assert client.get_blob("app", digest) == data
    ranges = [r.headers.get("Range") for r in reg.seen if "/blobs/" in r.url]
    # Resumed from what had arrived (at most the 300,000 good bytes; buffering may hold some back).
    assert ranges[0] is None and len(ranges) == 3
    assert 0 < int(ranges[1].removeprefix("bytes=").rstrip("-")) <= 300_000
    assert len(sleeps) == 2


def test_blob_stream_gives_up_after_attempts() -> None:
    reg = MemoryRegistry()
    digest = reg.add_blob("app", b"x" * 100_000)
    reg.fail(r"GET /v2/app/blobs/", 200, reset_after=10, times=10)
    client, _ = _client(reg, attempts=3)
    with pytest.raises(RegistryUnavailable, match="dropped 3 times mid-blob"):
        client.get_blob("app", digest)


def test_transport_pickles_without_connections_tokens_or_looked_up_credentials() -> None:
    transport = Transport("reg.example:5000", insecure=True, attempts=2)
    transport._auth = "Bearer secret-token"  # as after a challenge
    transport._credentials, transport._resolved = Credentials("u", "looked-up-secret"), True
    clone = pickle.loads(pickle.dumps(transport))
    assert (clone.host, clone.scheme, clone.attempts) == ("reg.example:5000", "http", 2)
    assert clone._auth is None and clone._credentials is None and not clone._resolved
    assert b"looked-up-secret" not in pickle.dumps(transport)


def test_authorization_never_goes_to_another_host() -> None:
    reg = MemoryRegistry(auth="basic")
    reg.add_image("app", "1", [b"layer"])
    client, _ = _client(reg, credentials=Credentials("ci", "pw"))
    client.head_manifest("app", "1")
    assert reg.seen[-1].headers.get("Authorization", "").startswith("Basic ")
    with pytest.raises(RegistryError):  # the double answers 401 to anyone without the login
        client.transport.request("GET", "https://storage.example/blob?sig=x", "reading elsewhere", ok=(200, 404))
    elsewhere = [r for r in reg.seen if r.url.startswith("https://storage.example/")]
    assert elsewhere and not any("Authorization" in r.headers for r in elsewhere)


def test_a_loopback_registry_is_reached_directly_whatever_the_hosts_proxy(monkeypatch) -> None:
    import http.server
    import threading

    class V2(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), V2)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # A corporate proxy setting with no NO_PROXY for this machine; nothing listens on port 9.
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, "http://127.0.0.1:9")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        Transport(f"127.0.0.1:{server.server_address[1]}", attempts=1, timeout=2).ping()
    finally:
        server.shutdown()
        server.server_close()
