"""Fetch a catalog base's pinned npm registry tarball on the host, verified before it joins a build context.

The version's metadata (the registry's packument for that version) must name the pinned sha512 integrity, and the
downloaded bytes must hash to it; anything else is refused in one line and nothing is kept. Verified tarballs stay
in the state folder, so rebuilding a base downloads nothing; a kept copy is hashed again before every use.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from imgforge.env.paths import state_dir
from imgforge.errors import EnvironmentProblem

if TYPE_CHECKING:  # bases imports this module to build from its pins
    from imgforge.env.bases import Pin

DEFAULT_REGISTRY = "https://registry.npmjs.org"
_CHUNK = 1 << 20
# url -> a readable response (a context manager); tests pass a fake.
Opener = Callable[[str], IO[bytes]]


def registry() -> str:
    """$IMGFORGE_NPM_REGISTRY (a mirror of the npm registry), else the public registry."""
    return (os.environ.get("IMGFORGE_NPM_REGISTRY") or DEFAULT_REGISTRY).rstrip("/")


def cache_dir() -> Path:
    """Where verified tarballs are kept between builds."""
    return state_dir() / "npm-tarballs"


def _open(url: str) -> IO[bytes]:
    # The system's CA store (SSL_CERT_FILE when set): the host's TLS-intercepting proxy is trusted there.
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    response: IO[bytes] = urllib.request.urlopen(request, timeout=60, context=ssl.create_default_context())  # noqa: S310 - https registry URLs only
    return response


def _shown(url: str) -> str:
    """`url` without credentials or query, as it may appear in a message."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{parts.path}"


def integrity_of(path: Path) -> str:
    """The npm `sha512-<base64>` integrity of a file."""
    digest = hashlib.sha512()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return "sha512-" + base64.b64encode(digest.digest()).decode()


def _tarball_url(pin: Pin, where: str, opener: Opener) -> str:
    """dist.tarball of the pinned version, after checking that the registry names the pinned integrity."""
    url = f"{where}/{urllib.parse.quote(pin.name, safe='@')}/{urllib.parse.quote(pin.version)}"
    try:
        with opener(url) as response:
            meta = json.loads(response.read())
        dist = meta["dist"]
        named, tarball = str(dist["integrity"]), str(dist["tarball"])
    except (OSError, urllib.error.URLError) as exc:
        raise EnvironmentProblem(f"fetching {pin.name}@{pin.version}: {_shown(url)}: {exc}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise EnvironmentProblem(f"fetching {pin.name}@{pin.version}: {_shown(url)} has no dist.integrity and "
                                 "dist.tarball") from exc
    if named != pin.integrity:
        raise EnvironmentProblem(f"fetching {pin.name}@{pin.version}: refused: the registry names integrity "
                                 f"{named[:24]}..., the catalog pins {pin.integrity[:24]}...")
    if urllib.parse.urlsplit(tarball).scheme not in ("https", urllib.parse.urlsplit(where).scheme):
        raise EnvironmentProblem(f"fetching {pin.name}@{pin.version}: refused: tarball URL {_shown(tarball)} "
                                 "is not https")
    return tarball


def _download(pin: Pin, url: str, dest: Path, opener: Opener) -> None:
    """`url` into `dest` when its bytes hash to the pin's integrity; nothing is left behind otherwise."""
    partial = dest.with_name(dest.name + ".partial")
    digest = hashlib.sha512()
    try:
        with opener(url) as response, partial.open("wb") as out:
            while chunk := response.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except (OSError, urllib.error.URLError) as exc:
        partial.unlink(missing_ok=True)
        raise EnvironmentProblem(f"fetching {pin.name}@{pin.version}: {_shown(url)}: {exc}") from exc
    got = "sha512-" + base64.b64encode(digest.digest()).decode()
    if got != pin.integrity:
        partial.unlink(missing_ok=True)
        raise EnvironmentProblem(f"fetching {pin.name}@{pin.version}: refused: {_shown(url)} hashes to "
                                 f"{got[:24]}..., not the pinned {pin.integrity[:24]}...")
    partial.replace(dest)


def fetch(pin: Pin, context: Path, *, cache: Path | None = None, opener: Opener = _open,
          where: str | None = None, say: Callable[[str], None] = lambda _msg: None) -> Path:
    """`pin`'s verified tarball at `context / pin.filename`: the kept copy when it still verifies, else downloaded."""
    cache = cache if cache is not None else cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    kept = cache / pin.filename
    if kept.is_file() and integrity_of(kept) != pin.integrity:
        kept.unlink()  # a damaged or stale copy is fetched again, never used
    if not kept.is_file():
        say(f"fetching {pin.name}@{pin.version} from the npm registry")
        source = where or registry()
        _download(pin, _tarball_url(pin, source, opener), kept, opener)
    target = context / pin.filename
    try:
        os.link(kept, target)
    except OSError:  # another filesystem: copy
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        shutil.copyfile(kept, target)
    return target
