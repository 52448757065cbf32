"""A yarn 2+ project's `.yarnrc.yml`: its settings without credentials, and the whole file for the build secret.

Yarn berry reads registry credentials from the same file as the settings every yarn run needs (`yarnPath`,
`nodeLinker`, `npmScopes`…): `npmAuthToken` and `npmAuthIdent` (its only secret settings) at the top level or
under `npmScopes.<scope>` / `npmRegistries."<url>"`. Generate keeps the file out of the build context; the build
mounts it whole, with the build network's registry credentials added, as a secret where yarn looks for it
during the install, and a digest of its settings without credentials keys the install step.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from imgforge.errors import UsageError

FILENAME = ".yarnrc.yml"
_SECRET_KEYS = frozenset({"npmAuthToken", "npmAuthIdent"})
# A URL whose user-info holds a password (`https://ci:s3cret@npm.corp.example/`, an httpProxy with a login).
_URL_LOGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s]*:[^/@\s]*@", re.I)
# Yarn expands ${NAME}, ${NAME:-fallback} and ${NAME-fallback} in a value when it reads the file.
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}")


def read(file: Path) -> dict[str, Any] | None:
    """The settings of a `.yarnrc.yml` (None when there is no file), every scalar a string, as yarn reads them."""
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"reading {file}: {exc}") from exc
    try:
        # BaseLoader keeps every scalar a string (`1.10`, `off`, `0755` stay what was written), as yarn's own
        # parser does (js-yaml's failsafe schema); yarn converts each value by its setting's type.
        data = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds no objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "unreadable"
        raise UsageError(f"reading {file}: not valid YAML{where} ({problem}); yarn cannot read it either") from None
    if data is None or data == "":
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"reading {file}: expected a mapping of settings, found {type(data).__name__}")
    return data


def _is_secret(key: object, value: object) -> bool:
    return key in _SECRET_KEYS or (isinstance(value, str) and bool(_URL_LOGIN.match(value.strip())))


def without_credentials(data: Any) -> Any:
    """`data` with every credential left out: npmAuthToken/npmAuthIdent at any depth, and URLs carrying a login."""
    if isinstance(data, dict):
        return {k: without_credentials(v) for k, v in data.items() if not _is_secret(k, v)}
    if isinstance(data, list):
        return [without_credentials(v) for v in data if not _is_secret(None, v)]
    return data


def settings_key(project: Path) -> str | None:
    """A digest of the project's `.yarnrc.yml` settings, credentials left out (None without the file)."""
    data = read(project / FILENAME)
    if data is None:
        return None
    # Unexpanded and sorted: no variable's value is hashed, and reordering or re-commenting the file keeps it.
    text = json.dumps(without_credentials(data), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _expand(value: str, env: Mapping[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name, op, fallback = match.group(1), match.group(2), match.group(3)
        if name in env and (env[name] or op != ":-"):
            return env[name]
        return fallback if op else match.group(0)

    return _VAR.sub(one, value)


def _expand_credentials(data: Any, env: Mapping[str, str]) -> Any:
    # The build has none of the host's variables: a `${NPM_TOKEN}` credential is read here, as for .npmrc.
    if isinstance(data, dict):
        return {k: _expand(v, env) if k in _SECRET_KEYS and isinstance(v, str) else _expand_credentials(v, env)
                for k, v in data.items()}
    if isinstance(data, list):
        return [_expand_credentials(v, env) for v in data]
    return data


def _bare(registry: str) -> str:
    """A registry as yarn matches `npmRegistries` keys: no protocol, no trailing slash."""
    return re.sub(r"^[a-z]+:", "", registry.strip(), flags=re.I).rstrip("/")


def _auth(npmrc_lines: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """`//host/path/:_authToken=…` and `:_auth=…` lines of an .npmrc as yarn's `npmRegistries` entries."""
    found: dict[str, dict[str, str]] = {}
    for line in npmrc_lines:
        key, _, value = line.partition("=")
        match = re.match(r"^(//.+?)/?:(_authToken|_auth)$", key)
        if match and value:
            name = "npmAuthToken" if match.group(2) == "_authToken" else "npmAuthIdent"
            found.setdefault(match.group(1), {})[name] = value
    return found


def _has_credentials(entry: object) -> bool:
    return isinstance(entry, dict) and any(entry.get(k) for k in _SECRET_KEYS)


def merged(project: Mapping[str, Any] | None, env: Mapping[str, str], *, host_registry: str | None = None,
           host_auth: tuple[str, ...] = (), registry: str | None = None, auth: tuple[str, ...] = ()) -> str | None:
    """The `.yarnrc.yml` a build's yarn reads: the project's settings (credentials expanded from `env`) over the
    host's registry and credentials, under imgforge.yaml's (`registry`, `auth` as .npmrc lines); None when empty."""
    data: dict[str, Any] = dict(_expand_credentials(dict(project or {}), env))
    if registry:
        data["npmRegistryServer"] = registry
    elif host_registry and "npmRegistryServer" not in data:
        data["npmRegistryServer"] = host_registry
    registries = data.get("npmRegistries")
    registries = dict(registries) if isinstance(registries, dict) else {}
    server = _bare(str(data.get("npmRegistryServer") or "https://registry.yarnpkg.com"))
    for lines, wins in ((host_auth, False), (auth, True)):
        for where, creds in _auth(lines).items():
            # A project's own token (top level for its registry, or an entry for this one) beats the host's.
            if not wins and ((where == server and _has_credentials(data)) or any(
                    _bare(k) == where and _has_credentials(v) for k, v in registries.items())):
                continue
            key = next((k for k in registries if _bare(k) == where), where)
            entry = registries.get(key)
            registries[key] = {**(entry if isinstance(entry, dict) else {}), **creds}
    if registries:
        data["npmRegistries"] = registries
    if not data:
        return None
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)


def describe(text: str | None) -> str | None:
    """`.yarnrc.yml` and how many credentials it carries, for the build log (never a value)."""
    if text is None:
        return None
    data = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds no objects

    def count(node: Any) -> int:
        if isinstance(node, dict):
            return sum(1 if _is_secret(k, v) else count(v) for k, v in node.items())
        if isinstance(node, list):
            return sum(count(v) for v in node)
        return 0

    found = count(data)
    return f".yarnrc.yml ({found} credential{'s' if found != 1 else ''})" if found else ".yarnrc.yml"
