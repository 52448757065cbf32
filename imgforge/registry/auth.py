"""Registry credentials: from IMGFORGE_REGISTRY_USER/PASSWORD, or the Docker config (auths, helpers).

Credentials never come from argv, and their repr never shows the password.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from imgforge.errors import UsageError

ENV_USER = "IMGFORGE_REGISTRY_USER"
ENV_PASSWORD = "IMGFORGE_REGISTRY_PASSWORD"  # noqa: S105 - the variable's name, not a secret


@dataclass(frozen=True)
class Credentials:
    """A user and password (or identity token) for one registry; `source` says where they came from."""

    username: str
    password: str = field(repr=False)
    source: str = "env"

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password=<hidden>, source={self.source!r})"

    def basic(self) -> str:
        """The value of an HTTP Basic `Authorization` header."""
        return "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()


def docker_config_dir(env: Mapping[str, str] | None = None) -> Path:
    """$DOCKER_CONFIG, else ~/.docker."""
    env = os.environ if env is None else env
    return Path(env.get("DOCKER_CONFIG") or Path.home() / ".docker")


def _host_keys(host: str) -> list[str]:
    keys = [host, f"http://{host}", f"https://{host}", f"https://{host}/v1/", f"http://{host}/v2/", f"https://{host}/v2/"]
    if host == "docker.io":
        keys.append("https://index.docker.io/v1/")
    return keys


def _from_helper(helper: str, host: str) -> Credentials | None:
    try:
        out = subprocess.run(  # noqa: S603 - helper name from the user's own config
            [f"docker-credential-{helper}", "get"], input=host, capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    try:
        data = json.loads(out.stdout)
    except ValueError:
        return None
    user, secret = data.get("Username") or "", data.get("Secret") or ""
    return Credentials(user, secret, f"credential helper {helper}") if secret else None


def credentials_for(host: str, env: Mapping[str, str] | None = None) -> Credentials | None:
    """The credentials for registry `host` (host:port), or None: env first, then the Docker config."""
    env = os.environ if env is None else env
    user, password = env.get(ENV_USER), env.get(ENV_PASSWORD)
    if user and password:
        return Credentials(user, password, "env")
    config_file = docker_config_dir(env) / "config.json"
    if not config_file.is_file():
        return None
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"reading Docker config {config_file}: {type(exc).__name__}") from exc
    helpers = config.get("credHelpers") or {}
    if host in helpers:
        return _from_helper(str(helpers[host]), host)
    auths = config.get("auths") or {}
    for key in _host_keys(host):
        entry = auths.get(key)
        if not isinstance(entry, dict):
            continue
        if entry.get("identitytoken"):
            return Credentials("<token>", str(entry["identitytoken"]), f"{config_file} (identity token)")
        if entry.get("auth"):
            try:
                decoded = base64.b64decode(entry["auth"]).decode()
            except (ValueError, UnicodeDecodeError) as exc:
                raise UsageError(
                    f"reading Docker config {config_file}: auths.{key}.auth is not base64 user:pass"
                ) from exc
            name, _, secret = decoded.partition(":")
            return Credentials(name, secret, str(config_file))
        if entry.get("username") and entry.get("password"):
            return Credentials(str(entry["username"]), str(entry["password"]), str(config_file))
    store = config.get("credsStore")
    return _from_helper(str(store), host) if store else None


def docker_config_json(host: str, creds: Credentials) -> str:
    """A minimal Docker config.json granting `creds` for `host` (for a private, temporary DOCKER_CONFIG)."""
    auth = base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode()
    return json.dumps({"auths": {host: {"auth": auth}}})
