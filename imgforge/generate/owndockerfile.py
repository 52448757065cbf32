"""For a project no recipe fits that brings its own Dockerfile: init's settings build it as written (recipe
`dockerfile`), with the manifest's port and probes read from it, as a platform that builds a repository's
Dockerfile does: the last stage's EXPOSE, and its HEALTHCHECK (Kubernetes ignores it) as the readiness probe: an
HTTP GET when it fetches a URL on the container's own port, else the same command run in the container, with the
HEALTHCHECK's timeout, retries and interval (at most 10 s)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imgforge.errors import UsageError
from imgforge.smallfile import read_regular

RECIPE = "dockerfile"
NAMES = ("Dockerfile", "Containerfile")
MAX_DOCKERFILE = 1 << 20
_PORT = re.compile(r"^(\d{1,5})(?:/tcp)?$", re.I)
# A HEALTHCHECK that fetches a URL on the container itself (curl, wget, a language's one-liner).
_URL = re.compile(r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::(\d{1,5}))?(/[^\s\"'\\|;&)]*)?")
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$")
# HEALTHCHECK option -> the probe field it sets (Docker's defaults: 30 s, 30 s, 3).
_TIMING = {"interval": "period_seconds", "timeout": "timeout_seconds", "retries": "failure_threshold"}


@dataclass(frozen=True)
class OwnDockerfile:
    """What init takes from the project's own Dockerfile: its name, the port it states and its health check."""

    name: str
    port: int | None = None
    port_why: str = ""
    health_why: str = ""  # `Dockerfile:12 HEALTHCHECK` when there is one to probe with
    health_path: str | None = None  # the URL path it fetches on the service's port
    health_command: tuple[str, ...] = ()  # else the command it runs
    health_timing: tuple[tuple[str, int], ...] = ()  # probe field -> value, from its options


def find_own(root: Path) -> str | None:
    """The name of the project's own Dockerfile at its root (Dockerfile, else Containerfile), else None."""
    return next((name for name in NAMES if (root / name).is_file() and not (root / name).is_symlink()), None)


def _port(word: str) -> int | None:
    match = _PORT.match(word)
    return int(match.group(1)) if match and 0 < int(match.group(1)) < 65536 else None


def _seconds(text: str) -> int | None:
    """`1m30s`, `5s`, `500ms` as whole seconds (at least 1), else None."""
    match = _DURATION.match(text.strip())
    if not match or not any(match.groups()):
        return None
    h, m, s, ms = (float(g) if g else 0.0 for g in match.groups())
    return max(1, round(h * 3600 + m * 60 + s + ms / 1000))


def _timing(flags: Any) -> tuple[tuple[str, int], ...]:
    out: list[tuple[str, int]] = []
    for flag in flags:
        field = _TIMING.get(flag.name)
        if field is None or flag.value is None:
            continue
        value = (int(flag.value) if flag.value.isdigit() else None) if flag.name == "retries" \
            else _seconds(flag.value)
        if value is not None:
            # A Docker health check polls every 30 s or more to stay cheap; readiness decides when a pod gets
            # traffic, so it polls at least every 10 s.
            out.append((field, min(value, {"failure_threshold": 1000, "period_seconds": 10}.get(field, 3600))))
    return tuple(out)


def _command(args: str) -> tuple[str, ...]:
    """The command of `CMD …` (JSON form as is, shell form under /bin/sh -c), else ()."""
    words = args.split(None, 1)
    if len(words) != 2 or words[0].upper() != "CMD":
        return ()
    body = words[1].strip()
    if body.startswith("["):
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if isinstance(parsed, list) and parsed and all(isinstance(w, str) for w in parsed):
            return tuple(parsed)
    return ("/bin/sh", "-c", body)


def read_own(root: Path, name: str) -> OwnDockerfile:
    """The port (the first TCP port the last stage EXPOSEs) and health check (its last HEALTHCHECK) of the project's
    Dockerfile `name`; a file that cannot be read or parsed states neither."""
    # Deferred: the Dockerfile parser is lint's, not needed by the rest of init.
    from imgforge.lint.parser import parse, substitute
    from imgforge.lint.rules.toolchain import env_at

    try:
        data = read_regular(root / name, name, MAX_DOCKERFILE)
        df = parse(data.decode("utf-8", "replace"), name)
    except (UsageError, RecursionError, ValueError):  # unreadable or too large: it states nothing
        return OwnDockerfile(name)
    stages = df.stages
    if not stages:
        return OwnDockerfile(name)
    port, port_why, check = None, "", None
    for ins in stages[-1].instructions:
        keyword = ins.keyword.upper()
        if keyword == "EXPOSE" and port is None:
            words = substitute(ins.args, env_at(df, ins)).split()  # `EXPOSE ${PORT}` with `ARG PORT=3000`
            port = next((p for w in words if (p := _port(w)) is not None), None)
            port_why = f"stated by {name}:{ins.line} EXPOSE" if port else ""
        elif keyword == "HEALTHCHECK":
            check = ins  # the last one counts, as for Docker; `HEALTHCHECK NONE` turns it off
    own = OwnDockerfile(name, port, port_why)
    command = _command(check.args) if check is not None else ()
    if check is None or not command:
        return own
    why, timing = f"{name}:{check.line} HEALTHCHECK", _timing(check.flags)
    # The URL as the check's shell sees it (jellyfin's `curl "${HEALTHCHECK_URL}"` with ENV HEALTHCHECK_URL=…).
    url = _URL.search(substitute(check.args, env_at(df, check)))
    url_port = int(url.group(1)) if url and url.group(1) else None
    if url and port is None and url_port is not None and 0 < url_port < 65536:
        port, port_why = url_port, f"stated by {why}"
    if url and url_port in (None, port):
        return OwnDockerfile(name, port, port_why, why, url.group(2) or "/", (), timing)
    return OwnDockerfile(name, port, port_why, why, None, command, timing)


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
    timing = dict(own.health_timing)
    if own.health_path is not None:
        probe: dict[str, object] = {"type": "http", "path": own.health_path, **timing}
        what = f"fetches {own.health_path}, as {own.health_why} does"
    elif own.health_command:
        probe = {"type": "exec", "command": list(own.health_command), **timing}
        what = f"runs {own.health_why}'s command"
    else:
        return [*lines, "manifest:", f"  # Kubernetes probes connect to the port ({own.name} has no HEALTHCHECK).",
                '  liveness: {type: "tcp"}', '  readiness: {type: "tcp"}']
    # One check cannot serve both probes (a slow app would be restarted instead of taken out of the Service):
    # readiness asks the app, liveness only that it still accepts connections.
    return [*lines, "manifest:", f"  # Readiness {what} (Kubernetes ignores HEALTHCHECK); liveness connects to the "
            "port.", '  liveness: {type: "tcp"}', f"  readiness: {json.dumps(probe)}"]
