"""Ask a Python package index's Simple API (PEP 691 JSON) which files a pinned release has.

`init` uses the answers to choose a Python every exact pin installs on from a wheel (or satisfies the
`Requires-Python` of). The index is pip's: `build.network.pip_index_url`, else the host's PIP_INDEX_URL / pip.conf
`index-url`, else PyPI; TLS trusts the build network's CA bundle (PIP_CERT, REQUESTS_CA_BUNDLE, pip.conf `cert`).
Answers are kept a week under the imgforge cache folder (`pyindex/`; IMGFORGE_CACHE_DIR, IMGFORGE_NO_CACHE=1 as
for ShellCheck results). Look-ups run on a few threads with a timeout; the first failure stops the rest and
raises IndexUnavailable (a 404 is an answer: the index does not have that package).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from imgforge.build.network import resolve
from imgforge.errors import EnvironmentProblem, ImgforgeError
from imgforge.lint.sc_cache import cache_dir

PYPI = "https://pypi.org/simple"
ACCEPT = "application/vnd.pypi.simple.v1+json"
KEEP_SECONDS = 7 * 24 * 3600  # a release gains wheels rarely after its first days; a week bounds staleness
TIMEOUT = 10.0
WORKERS = 8
_FOLDER = "pyindex"
_MAX_BODY = 64_000_000  # the biggest projects' pages (all files of all releases) are a few MB
# (url, timeout) -> the response body; raises urllib.error.HTTPError for an HTTP error, OSError otherwise.
Opener = Callable[[str, float], bytes]


class IndexUnavailable(EnvironmentProblem):
    """The package index did not answer, or not in PEP 691 JSON."""


@dataclass(frozen=True)
class IndexFile:
    """One file of a release, as the index lists it."""

    filename: str
    requires_python: str | None = None

    @property
    def wheel(self) -> bool:
        return self.filename.endswith(".whl")


@dataclass(frozen=True)
class PackageIndex:
    """Where to ask, how to open a URL, and where answers are kept (None: not kept)."""

    url: str
    opener: Opener
    cache: Path | None

    def shown(self) -> str:
        """The index URL as it may appear in a message: no credentials, no query."""
        parts = urllib.parse.urlsplit(self.url)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def _opener(ca_file: str | None) -> Opener:
    try:
        context = ssl.create_default_context(cafile=ca_file)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError: a bundle that holds no PEM certificate
        raise IndexUnavailable(f"reading the CA bundle {ca_file}: {exc}") from exc

    def open_url(url: str, timeout: float) -> bytes:
        parts = urllib.parse.urlsplit(url)
        headers = {"Accept": ACCEPT}
        if parts.username is not None:
            # urllib sends no userinfo itself: an index URL's login becomes a Basic header, and leaves the URL.
            login = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
            headers["Authorization"] = "Basic " + base64.b64encode(login.encode()).decode()
            host = parts.hostname or ""
            url = urllib.parse.urlunsplit(parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host))
        request = urllib.request.Request(url, headers=headers)
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310 - index URLs
            body: bytes = response.read(_MAX_BODY)
        return body

    return open_url


def index_for(project: Path, env: dict[str, str] | None = None) -> PackageIndex:
    """The index pip would ask when building `project`, opened through the build network's CA bundle."""
    env = dict(os.environ) if env is None else env
    net = resolve(project, env)
    ca = next((env[v] for v in ("PIP_CERT", "REQUESTS_CA_BUNDLE") if env.get(v) and Path(env[v]).is_file()), None)
    ca = ca or (str(net.ca_file) if net.ca_file else None)
    folder = cache_dir()
    return PackageIndex((net.pip_index_url or PYPI).rstrip("/"), _opener(ca),
                        folder / _FOLDER if folder is not None else None)


def _version_of(filename: str) -> Version | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        if filename.endswith((".tar.gz", ".zip")):
            return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return None


def parse_page(body: bytes, version: str) -> tuple[IndexFile, ...]:
    """The files of release `version` on a PEP 691 project page; ValueError when the page is not that JSON."""
    try:
        page = json.loads(body)
        wanted = Version(version)
    except (ValueError, RecursionError) as exc:
        raise ValueError("not PEP 691 JSON") from exc
    files = page.get("files") if isinstance(page, dict) else None
    if not isinstance(files, list):
        raise ValueError("not PEP 691 JSON (no files list)")
    found = []
    for entry in files:
        name = entry.get("filename") if isinstance(entry, dict) else None
        if isinstance(name, str) and _version_of(name) == wanted:
            needs = entry.get("requires-python")
            found.append(IndexFile(name, needs if isinstance(needs, str) and needs.strip() else None))
    return tuple(found)


def _cache_file(index: PackageIndex, name: str, version: str) -> Path | None:
    if index.cache is None:
        return None
    key = hashlib.sha256(f"{index.shown()}\0{name}\0{version}".encode()).hexdigest()[:40]
    return index.cache / key[:2] / f"{key}.json"


def _cached(path: Path | None) -> tuple[IndexFile, ...] | None | bool:
    """The kept answer (None: the index had no such package), or False when there is none fresh."""
    if path is None:
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if time.time() - float(data["at"]) > KEEP_SECONDS:
            return False
        if data["files"] is None:
            return None
        return tuple(IndexFile(str(f), str(r) if r else None) for f, r in data["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _keep(path: Path | None, files: tuple[IndexFile, ...] | None) -> None:
    if path is None:
        return
    data = {"at": time.time(), "files": None if files is None else [[f.filename, f.requires_python] for f in files]}
    # A cache that cannot be written is not used (as the ShellCheck cache); written atomically.
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        part.write_text(json.dumps(data), encoding="utf-8")
        part.replace(path)


def release_files(index: PackageIndex, name: str, version: str,
                  timeout: float = TIMEOUT) -> tuple[IndexFile, ...] | None:
    """The files of `name` `version` on the index (None when the index has no such package)."""
    project = canonicalize_name(name)
    kept = _cached(_cache_file(index, project, version))
    if kept is None or isinstance(kept, tuple):
        return kept
    url = f"{index.url}/{urllib.parse.quote(project)}/"
    try:
        files: tuple[IndexFile, ...] | None = parse_page(index.opener(url, timeout), version)
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise IndexUnavailable(f"asking {index.shown()} about {project}: HTTP {exc.code}") from exc
        files = None
    except ValueError as exc:
        raise IndexUnavailable(f"asking {index.shown()} about {project}: {exc}") from exc
    except OSError as exc:  # URLError, timeouts, TLS
        why = getattr(exc, "reason", None) or exc
        raise IndexUnavailable(f"asking {index.shown()} about {project}: {why}") from exc
    _keep(_cache_file(index, project, version), files)
    return files


def lookup(index: PackageIndex, pins: Sequence[tuple[str, str]], workers: int = WORKERS,
           timeout: float = TIMEOUT) -> dict[tuple[str, str], tuple[IndexFile, ...]]:
    """The files of every (name, version) the index has, asked on up to `workers` threads; the first failure
    stops the rest (those not started never start) and is raised as IndexUnavailable."""
    stop = threading.Event()

    def one(pin: tuple[str, str]) -> tuple[IndexFile, ...] | None:
        if stop.is_set():
            return None
        try:
            return release_files(index, pin[0], pin[1], timeout)
        except Exception:
            stop.set()
            raise

    unique = list(dict.fromkeys(pins))
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(unique))), thread_name_prefix="pyindex")
    try:
        futures: dict[Future[tuple[IndexFile, ...] | None], tuple[str, str]] = {
            pool.submit(one, pin): pin for pin in unique}
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        failed = next((f for f in done if f.exception() is not None), None)
        if failed is not None:
            error = failed.exception()
            if isinstance(error, ImgforgeError):
                raise error
            raise IndexUnavailable(f"asking the package index about {futures[failed][0]}: {error}") from error
    finally:
        # Running look-ups end by their own timeout; nothing waits for them once one has failed.
        pool.shutdown(wait=False, cancel_futures=True)
    return {pin: files for future, pin in futures.items() if (files := future.result()) is not None}
