"""The one way imgforge speaks HTTP to a registry: scheme, ping, auth, retries, streaming, structured errors.

In the style of go-containerregistry's `transport`: every registry user (the registry image source,
digest pinning, the environment checks, push and artifacts) builds a `Transport` for a host and calls
`request()`. All network I/O goes through the single overridable `Transport.send()`, so a test swaps
the network for a handler with `memory.MockTransport` (httpx's idea) and every code path above stays real.

- Scheme: http for loopback hosts (localhost, 127.0.0.0/8, ::1) or when asked for `insecure`, else https.
- Auth: a 401 is answered once per request, with Basic credentials or a Bearer token from the realm
  (with the user's credentials when there are any, anonymously otherwise). Credentials come from
  `imgforge.registry.auth` (env, Docker config, credential helpers) and never appear in a message.
- Retries: connection errors, 429 and 5xx, with exponential backoff that honours `Retry-After`.
- Errors: `RegistryError(status, code, url_redacted, message)` for HTTP answers, `RegistryUnavailable`
  (with the redacted URL) when nothing answers.
"""

from __future__ import annotations

import email.utils
import io
import socket
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO, cast

import requests
import urllib3.exceptions

from imgforge.errors import RegistryError, RegistryUnavailable
from imgforge.hosts import is_loopback
from imgforge.registry.auth import Credentials, credentials_for
from imgforge.registry.wire import (
    ACCEPT_MANIFESTS,
    MANIFEST_TYPES,
    Challenge,
    Request,
    Response,
    oci_error,
    parse_challenge,
    redact_url,
)

__all__ = ["ACCEPT_MANIFESTS", "MANIFEST_TYPES", "Request", "Response", "Transport", "is_loopback", "oci_error",
           "parse_challenge", "redact_url", "scheme_for"]

MAX_WAIT = 60.0  # the longest single back-off, whatever Retry-After asks for
_LOGIN_HINT = "docker login {host}, or set IMGFORGE_REGISTRY_USER/IMGFORGE_REGISTRY_PASSWORD"


def scheme_for(host: str, insecure: bool = False) -> str:
    """The one scheme rule: plain http for loopback hosts or when `insecure`, https otherwise."""
    return "http" if insecure or is_loopback(host) else "https"


def _timed_out(exc: BaseException) -> bool:
    # urllib3's NewConnectionError (and so NameResolutionError) subclasses its timeout error without being one.
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return False
    return isinstance(exc, (TimeoutError, requests.Timeout, urllib3.exceptions.TimeoutError))


_REASONS: tuple[tuple[str, Callable[[BaseException], bool]], ...] = (
    ("the host name does not resolve",
     lambda e: isinstance(e, (socket.gaierror, urllib3.exceptions.NameResolutionError))),
    ("connection refused", lambda e: isinstance(e, ConnectionRefusedError)),
    ("TLS handshake failed", lambda e: isinstance(e, (requests.exceptions.SSLError, urllib3.exceptions.SSLError))),
    ("timed out", _timed_out),
)


def failure_reason(exc: BaseException) -> str:
    """What kept a request from reaching the registry, in words: DNS, a refused connection, TLS or a timeout."""
    chain: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and node not in chain:
        chain.append(node)
        if isinstance(node, urllib3.exceptions.MaxRetryError):
            node = node.reason
        elif node.args and isinstance(node.args[0], BaseException):
            node = node.args[0]  # requests wraps urllib3's error as its first argument
        else:
            node = node.__cause__ or node.__context__
    for words, matches in _REASONS:
        if any(matches(cause) for cause in chain):
            return words
    return type(exc).__name__


class _RawStream(io.RawIOBase):
    """A requests body read as a file; the connection's own failures become ConnectionError."""

    def __init__(self, resp: requests.Response) -> None:
        self._resp = resp

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            # Decoded only when the server set Content-Encoding itself (as Go's transport does for gzip).
            data = self._resp.raw.read(len(buffer), decode_content=True)
        except (urllib3.exceptions.HTTPError, requests.RequestException) as exc:
            raise ConnectionError(type(exc).__name__) from exc
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._resp.close()
        super().close()


class Transport:
    """Talks to one registry `host` (host:port); see the module docstring for scheme, auth and retries.

    `credentials=None` means "look them up when a registry first asks" (no I/O in the constructor);
    `anonymous=True` never sends any (a public pull, as a kubelet without a pull secret would do it).
    """

    def __init__(self, host: str, *, insecure: bool = False, credentials: Credentials | None = None,
                 anonymous: bool = False, attempts: int = 6, backoff: float = 0.25, timeout: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.host = host
        self.insecure = insecure
        self.scheme = scheme_for(host, insecure)
        self.anonymous = anonymous
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.timeout = timeout
        self._sleep = sleep
        self._credentials = credentials
        self._given = credentials is not None
        self._resolved = credentials is not None or anonymous
        self._auth: str | None = None
        self._session: requests.Session | None = None

    def __getstate__(self) -> dict[str, Any]:
        # Openers carry a transport into worker processes: no connection pool, no token, and credentials
        # that were looked up are looked up again there rather than pickled.
        state = dict(self.__dict__)
        state.update(_session=None, _auth=None)
        if not self._given:
            state.update(_credentials=None, _resolved=self.anonymous)
        return state

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def auth_scheme(self) -> str | None:
        """"basic" or "bearer" once the registry has challenged us, else None (anonymous so far)."""
        return self._auth.split(" ", 1)[0].lower() if self._auth else None

    def credentials(self) -> Credentials | None:
        """The credentials for this host (resolved once, lazily); None when anonymous or none are configured."""
        if not self._resolved:
            self._credentials = credentials_for(self.host)
            self._resolved = True
        return self._credentials

    # -- the one I/O method --------------------------------------------------------------------------

    def send(self, request: Request) -> Response:
        """Send one request and return the answer with its body unread; raise OSError when nothing answers."""
        if self._session is None:
            self._session = requests.Session()
            # A registry on this machine is never behind the host's HTTP proxy, whatever NO_PROXY says (requests
            # bypasses only hosts listed there): a corporate HTTPS_PROXY would otherwise take localhost:5000 away.
            # Loopback is plain http, so no CA bundle from the environment is lost.
            self._session.trust_env = not is_loopback(self.host)
        try:
            resp = self._session.request(request.method, request.url, headers=dict(request.headers),
                                         data=request.body, timeout=self.timeout, stream=True,
                                         allow_redirects=True)
        except requests.RequestException as exc:
            raise ConnectionError(failure_reason(exc)) from exc
        stream = cast(BinaryIO, io.BufferedReader(_RawStream(resp), 1 << 16))
        return Response(resp.status_code, resp.headers, stream, resp.url)

    # -- retries -------------------------------------------------------------------------------------

    def _wait(self, attempt: int, resp: Response | None) -> None:
        if attempt + 1 >= self.attempts:
            return  # no sleep after the last attempt
        delay = self.backoff * 2**attempt
        after = _retry_after(resp.headers.get("Retry-After", "")) if resp is not None else None
        self._sleep(min(MAX_WAIT, max(delay, after or 0.0)))

    def _retrying(self, request: Request, step: str, stream: bool) -> Response:
        """`send()` with retries on connection errors, 429 and 5xx; the body is read unless `stream`."""
        failure: Response | None = None
        reason = ""
        for attempt in range(self.attempts):
            try:
                resp = self.send(request)
                if resp.status == 429 or resp.status >= 500:
                    failure = resp
                    _ = resp.content  # read and release the connection; the body names the error
                    self._wait(attempt, resp)
                    continue
                if not stream:
                    _ = resp.content  # a reset mid-body is retried like a refused connection
                return resp
            except OSError as exc:
                failure, reason = None, str(exc.args[0]) if exc.args else type(exc).__name__
                self._wait(attempt, None)
        url = redact_url(request.url)
        if failure is not None:
            raise self._error(failure, step, url, f" after {self.attempts} attempts")
        raise RegistryUnavailable(f"{step}: registry {self.host} does not answer (connection failed: {reason}) "
                                  f"after {self.attempts} attempts ({url})", url=url)

    def _error(self, resp: Response, step: str, url: str, suffix: str = "") -> RegistryError:
        code, message = oci_error(resp.content)
        detail = f" {code}" if code else ""
        detail += f": {message}" if message else ""
        return RegistryError(resp.status, code, url,
                             f"{step}: registry answered {resp.status}{detail}{suffix} ({self.host})")

    # -- auth ----------------------------------------------------------------------------------------

    def _authenticate(self, header: str, step: str, url: str) -> None:
        """Answer a 401 challenge: set the Authorization header for the next attempt, or raise."""
        challenge = parse_challenge(header)
        creds = None if self.anonymous else self.credentials()
        if challenge.scheme == "bearer" and challenge.params.get("realm"):
            self._auth = "Bearer " + self._token(challenge, creds, step)
            return
        if creds is None:
            hint = "" if self.anonymous else f"; no credentials are configured ({_LOGIN_HINT.format(host=self.host)})"
            message = f"{step}: registry answered 401 UNAUTHORIZED: authentication required ({self.host}){hint}"
            raise RegistryError(401, "UNAUTHORIZED", url, message)
        self._auth = creds.basic()

    def _token(self, challenge: Challenge, creds: Credentials | None, step: str) -> str:
        params = {k: v for k, v in challenge.params.items() if k in ("service", "scope")}
        realm = challenge.params["realm"]
        if not realm.startswith(("http://", "https://")):
            raise RegistryError(401, "UNAUTHORIZED", redact_url(realm),
                                f"{step}: registry {self.host} names a token service that is not a URL")
        url = realm + ("&" if "?" in realm else "?") + urllib.parse.urlencode(params)
        headers = {"Authorization": creds.basic()} if creds is not None else {}
        resp = self._retrying(Request("GET", url, headers), f"{step}: token service", stream=False)
        if resp.status != 200:
            who = "the credentials" if creds is not None else "anonymous access"
            raise self._error(resp, f"{step}: token service of {self.host} refused {who}", redact_url(url))
        try:
            body = resp.json()
            token = body.get("token") or body.get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not token:
            raise RegistryError(resp.status, "", redact_url(url), f"{step}: token service of {self.host} sent no token")
        return str(token)

    # -- requests ------------------------------------------------------------------------------------

    def request(self, method: str, path: str, step: str, *, headers: Mapping[str, str] | None = None,
                body: bytes | None = None, ok: tuple[int, ...] = (200,), stream: bool = False) -> Response:
        """Send `method path` (relative to the registry, or an absolute URL), authenticated and retried.

        Returns the answer when its status is in `ok` (body unread when `stream`); raises RegistryError
        for any other answer and RegistryUnavailable when nothing answers. `step` prefixes every message.
        """
        url = path if path.startswith(("http://", "https://")) else self.base + path
        answered = False
        while True:
            hdrs = dict(headers or {})
            if self._auth and urllib.parse.urlsplit(url).netloc == self.host:  # never to another host
                hdrs["Authorization"] = self._auth
            resp = self._retrying(Request(method, url, hdrs, body), step, stream)
            if resp.status == 401 and not answered:
                answered = True
                challenge = resp.headers.get("WWW-Authenticate", "")
                resp.close()
                self._authenticate(challenge, step, redact_url(url))
                continue
            if resp.status in ok:
                return resp
            error = self._error(resp, step, redact_url(url))
            if resp.status == 401 and self.credentials() is None and not self.anonymous:
                error.args = (f"{error}; no credentials are configured ({_LOGIN_HINT.format(host=self.host)})",)
            raise error

    def ping(self) -> None:
        """Check that the registry answers and accepts our credentials (GET /v2/)."""
        self.request("GET", "/v2/", f"contacting registry {self.host}")

    def probe(self) -> int | None:
        """The status of one unauthenticated GET /v2/ (200, or 401 with auth on), None when nothing answers."""
        try:
            resp = self.send(Request("GET", self.base + "/v2/"))
            resp.close()
        except (OSError, ValueError):
            return None
        return resp.status

    def open_blob(self, repo: str, digest: str, step: str) -> BinaryIO:
        """A stream of blob `digest` of `repo`; a connection lost mid-blob resumes where it stopped."""
        path = f"/v2/{repo}/blobs/{digest}"
        first = self.request("GET", path, step, stream=True)
        return cast(BinaryIO, io.BufferedReader(_ResumingBlob(self, path, step, first), 1 << 16))


def _retry_after(value: str) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class _ResumingBlob(io.RawIOBase):
    """A blob body that re-requests the rest (`Range: bytes=N-`) when the connection drops mid-way."""

    def __init__(self, transport: Transport, path: str, step: str, first: Response) -> None:
        self._transport = transport
        self._path = path
        self._step = step
        self._resp = first
        self._offset = 0
        self._resumes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while True:
            try:
                data = self._resp.stream.read(len(buffer))
            except OSError as exc:
                self._resume(exc)
                continue
            buffer[: len(data)] = data
            self._offset += len(data)
            return len(data)

    def _resume(self, exc: OSError) -> None:
        self._resumes += 1
        if self._resumes >= self._transport.attempts:
            url = redact_url(self._transport.base + self._path)
            raise RegistryUnavailable(f"{self._step}: the connection dropped {self._resumes} times mid-blob "
                                      f"({type(exc).__name__})", url=url) from exc
        self._resp.close()
        self._transport._wait(self._resumes - 1, None)  # noqa: SLF001 - same module
        resp = self._transport.request("GET", self._path, self._step, headers={"Range": f"bytes={self._offset}-"},
                                       ok=(200, 206), stream=True)
        if resp.status == 200:  # the registry ignored Range: skip what we already have
            skip = self._offset
            while skip:
                chunk = resp.stream.read(min(skip, 1 << 16))
                if not chunk:
                    break
                skip -= len(chunk)
        self._resp = resp

    def close(self) -> None:
        self._resp.close()
        super().close()
