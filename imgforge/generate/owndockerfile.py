"""For a project no recipe fits that brings its own Dockerfile: init's settings build it as written (recipe
`dockerfile`), with the manifest's port and probes read from it, as a platform that builds a repository's
Dockerfile does (the last stage's EXPOSE, and the URL a HEALTHCHECK fetches on the container itself)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from imgforge.errors import UsageError
from imgforge.smallfile import read_regular

RECIPE = "dockerfile"
NAMES = ("Dockerfile", "Containerfile")
_PORT = re.compile(r"^(\d{1,5})(?:/tcp)?$", re.I)
# A HEALTHCHECK that fetches a URL on the container itself (curl, wget, a language's one-liner).
_URL = re.compile(r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::(\d{1,5}))?(/[^\s\"'\\|;&)]*)?")
MAX_DOCKERFILE = 1 << 20


@dataclass(frozen=True)
class OwnDockerfile:
    """What init takes from the project's own Dockerfile: its name, the port and health path it states."""

    name: str
    port: int | None = None
    port_why: str = ""
    health_path: str | None = None
    health_why: str = ""
    health_port: int | None = None  # the HEALTHCHECK's URL names a port other than the service's


def find_own(root: Path) -> str | None:
    """The name of the project's own Dockerfile at its root (Dockerfile, else Containerfile), else None."""
    return next((name for name in NAMES if (root / name).is_file() and not (root / name).is_symlink()), None)


def _port(word: str) -> int | None:
    match = _PORT.match(word)
    return int(match.group(1)) if match and 0 < int(match.group(1)) < 65536 else None


def read_own(root: Path, name: str) -> OwnDockerfile:
    """The port (the first TCP port the last stage EXPOSEs) and health path (an HTTP URL on the container that its
    HEALTHCHECK fetches) of the project's Dockerfile `name`; a file that cannot be read or parsed states neither."""
    # Deferred: the Dockerfile parser is lint's, not needed by the rest of init.
    from imgforge.lint.parser import parse

    try:
        data = read_regular(root / name, name, MAX_DOCKERFILE)
        stages = parse(data.decode("utf-8", "replace"), name).stages
    except (UsageError, RecursionError, ValueError):  # unreadable or too large: it states nothing
        return OwnDockerfile(name)
    if not stages:
        return OwnDockerfile(name)
    port, port_why, path, path_why, url_port = None, "", None, "", None
    for ins in stages[-1].instructions:
        keyword = ins.keyword.upper()
        if keyword == "EXPOSE" and port is None:
            port = next((p for w in ins.args.split() if (p := _port(w)) is not None), None)
            port_why = f"stated by {name}:{ins.line} EXPOSE" if port else ""
        elif keyword == "HEALTHCHECK":
            url = _URL.search(ins.args)
            path, path_why = (url.group(2) or "/", f"{name}:{ins.line} HEALTHCHECK") if url else (None, "")
            url_port = int(url.group(1)) if url and url.group(1) else None
    if url_port is not None and not 0 < url_port < 65536:
        url_port = None
    if port is None and url_port is not None:
        port, port_why = url_port, f"stated by {path_why}"
    return OwnDockerfile(name, port, port_why, path, path_why, url_port if url_port != port else None)


def own_settings(own: OwnDockerfile, default_port: int) -> list[str]:
    """init's lines for a project built from its own Dockerfile: the file, its port and the probes."""
    lines = [f"# No recipe fits this project, and it has its own {own.name}: it is built as written (remove the",
             "# `dockerfile:` line and pass --recipe NAME to have imgforge generate one).",
             f"dockerfile: {own.name}"]
    if own.port is not None and own.port != default_port:
        lines += ["overrides:", "  runtime:", f"    # Port {own.port_why}; the manifest and verify use it.",
                  f"    port: {own.port}"]
    elif own.port is None:
        lines += [f"# {own.name} EXPOSEs no port: the manifest and verify use {default_port}; set",
                  "# overrides.runtime.port to the port the service listens on."]
    if own.health_path is not None:
        probe = json.dumps({"type": "http", "path": own.health_path}
                           | ({"port": own.health_port} if own.health_port else {}))
        # One endpoint cannot serve both probes (a slow app would be restarted instead of taken out of the Service):
        # readiness asks the app, liveness only that it still accepts connections.
        lines += ["manifest:", f"  # Readiness fetches {own.health_path}, as {own.health_why} does; liveness connects "
                  "to the port.", '  liveness: {type: "tcp"}', f"  readiness: {probe}"]
    else:
        lines += ["manifest:", f"  # Kubernetes probes connect to the port ({own.name} has no HEALTHCHECK fetching a "
                  "URL on the container).", '  liveness: {type: "tcp"}', '  readiness: {type: "tcp"}']
    return lines
