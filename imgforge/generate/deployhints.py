"""The start command a hosting platform's settings file states, for a project that has no Procfile: Railway
(`railway.json` / `railway.toml` `deploy.startCommand`), Render (`render.yaml`, the web service's
`startCommand`), Nixpacks (`nixpacks.toml` `[start] cmd`), Fly.io (`fly.toml` `[processes]`, `[experimental]
cmd`) and DigitalOcean App Platform (`.do/app.yaml` / `.do/deploy.template.yaml`, a service's `run_command`); and the
CMD of a Dockerfile the project ships (`dockerfile_start`), which the generated one replaces.

Each is read without running anything; a file that does not parse is skipped (it is the platform's to judge).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from imgforge.generate.dockerignore import HEADER
from imgforge.generate.facts import dig, parse_json, parse_toml, read_text
from imgforge.lint.parser import parse


@dataclass(frozen=True)
class Hint:
    """A start command a platform file states, and where (`render.yaml services[0].startCommand`)."""

    command: str
    where: str


def _toml(root: Path, name: str) -> Any:
    try:
        return parse_toml(read_text(root / name))
    except ValueError:
        return {}


def _yaml(root: Path, name: str) -> Any:
    try:
        return yaml.safe_load(read_text(root / name)) or {}
    except (yaml.YAMLError, RecursionError):
        return {}


def _command(value: Any) -> str | None:
    """A command written as a string, or as an exec-form list (fly.toml's `cmd = ["gunicorn", …]`)."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return shlex.join(value)
    return None


def _here(folder: Any) -> bool:
    """Whether a service's folder setting (Render's rootDir, DigitalOcean's source_dir) is the project root: a
    monorepo's file also describes services built from other folders, whose commands are not this project's."""
    return folder is None or (isinstance(folder, str) and folder.strip().strip("/") in ("", "."))


def _railway(root: Path) -> Hint | None:
    try:
        railway_json = parse_json(read_text(root / "railway.json") or "{}")
    except ValueError:
        railway_json = {}
    for name, data in (("railway.json", railway_json), ("railway.toml", _toml(root, "railway.toml"))):
        command = _command(dig(data, "deploy", "startCommand"))
        if command:
            return Hint(command, f"{name} deploy.startCommand")
    return None


def _render(root: Path) -> Hint | None:
    services = dig(_yaml(root, "render.yaml"), "services")
    for i, service in enumerate(services if isinstance(services, list) else []):
        if isinstance(service, dict) and service.get("type") == "web" and _here(service.get("rootDir")):
            command = _command(service.get("startCommand"))
            if command:
                return Hint(command, f"render.yaml services[{i}].startCommand")
    return None


def _nixpacks(root: Path) -> Hint | None:
    command = _command(dig(_toml(root, "nixpacks.toml"), "start", "cmd"))
    return Hint(command, "nixpacks.toml [start] cmd") if command else None


def _fly(root: Path) -> Hint | None:
    data = _toml(root, "fly.toml")
    processes = dig(data, "processes")
    if isinstance(processes, dict):
        # The process the http service runs (fly launch names it "app"), else the only one.
        served = dig(data, "http_service", "processes")
        names = [n for n in (served if isinstance(served, list) else []) if isinstance(n, str)]
        name = next((n for n in [*names, "app", "web"] if n in processes), None)
        if name is None and len(processes) == 1:
            name = next(iter(processes))
        command = _command(processes.get(name)) if name else None
        if command:
            return Hint(command, f"fly.toml [processes] {name}")
    command = _command(dig(data, "experimental", "cmd"))
    return Hint(command, "fly.toml [experimental] cmd") if command else None


def _digitalocean(root: Path) -> Hint | None:
    for name in (".do/app.yaml", ".do/deploy.template.yaml"):
        data = _yaml(root, name)
        spec = data.get("spec", data) if isinstance(data, dict) else {}
        services = dig(spec, "services")
        for i, service in enumerate(services if isinstance(services, list) else []):
            here = isinstance(service, dict) and _here(service.get("source_dir"))
            command = _command(service.get("run_command")) if here and isinstance(service, dict) else None
            if command:
                return Hint(command, f"{name} services[{i}].run_command")
    return None


_READERS: tuple[Callable[[Path], Hint | None], ...] = (_railway, _render, _nixpacks, _fly, _digitalocean)


def platform_start(root: Path) -> Hint | None:
    """The first start command a platform settings file in `root` states, or None."""
    for reader in _READERS:
        found = reader(root)
        if found is not None:
            return found
    return None


# Programs that do not start the service themselves: shells, init shims and process managers run a script or
# another program the project's Dockerfile set up (`CMD ["./start.sh"]`, `ENTRYPOINT ["tini", "--"]`).
_WRAPPERS = {"sh", "bash", "ash", "dash", "zsh", "tini", "dumb-init", "supervisord", "supervisorctl", "gosu",
             "su-exec", "env", "nginx", "caddy", "sleep", "tail", "cat", "echo", "true"}


def dockerfile_start(root: Path) -> Hint | None:
    """The start command of the Dockerfile the project ships (its final stage's ENTRYPOINT and CMD, as Docker
    joins them), when that runs a program by name: glasnt/cloudrun-python-examples' `CMD exec gunicorn --bind
    :$PORT app:app` beside a bottle app whose own `run()` binds localhost. A command that runs a script or a
    path the Dockerfile made (`./start.sh`, `/docker-entrypoint.sh`), a shell or a process manager is not
    taken, nor a Dockerfile imgforge wrote."""
    text = read_text(root / "Dockerfile")
    if not text or text.startswith(HEADER):
        return None
    entry = parse(text).entry()
    ep, cmd = entry.get("ENTRYPOINT"), entry.get("CMD")
    if ep is not None and ep.json_args is None:
        command = ep.args.strip()  # a shell-form ENTRYPOINT ignores CMD
    elif ep is not None and ep.json_args is not None:
        # An exec-form ENTRYPOINT takes an exec-form CMD as its arguments (a shell-form one is not written so).
        tail = () if cmd is None else cmd.json_args
        command = _command([*ep.json_args, *tail]) or "" if tail is not None else ""
    elif cmd is not None:
        command = cmd.args.strip() if cmd.json_args is None else _command(list(cmd.json_args)) or ""
    else:
        return None
    # `CMD ["sh", "-c", "gunicorn … $PORT"]`: the command the shell is given.
    words = shlex.split(command) if command.startswith(("sh -c ", "bash -c ", "/bin/sh -c ", "/bin/bash -c ")) \
        else []
    command = words[2] if len(words) == 3 else command
    first = next((w for w in command.split() if w != "exec" and not re.match(r"[A-Za-z_]\w*=", w)), "")
    if not re.fullmatch(r"[A-Za-z][\w.+-]*", first) or first in _WRAPPERS:
        return None
    keywords = " and ".join(k for k in ("ENTRYPOINT", "CMD") if k in entry)
    return Hint(command, f"the project's Dockerfile {keywords}")
