"""The build network: CA bundle, package indexes and proxy reach builder stages only as BuildKit secret mounts.

Where they come from: the host (`SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`, `PIP_CERT`, `NODE_EXTRA_CA_CERTS`,
pip.conf, .npmrc, `GOPROXY`, `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`), the project's own .npmrc and .yarnrc.yml
(every line; generate keeps both out of the build context) and `build.network:` in imgforge.yaml, which wins
over both. What a build gets: up to four secrets — the CA bundle, a pip.conf, an .npmrc, and a shell file of
`export`s pointing the tools at them and at the proxy — mounted by every builder `RUN` of a generated Dockerfile
(`RUN_SETUP`), and a `.yarnrc.yml` mounted where yarn 2+ reads it by the install steps that run yarn
(`yarnrc_mounts`). Nothing of it is written to a layer, an `ENV`, or a build arg, and no value reaches a message
(`describe` names hosts only). A proxy on the host's loopback is reachable only from the host's network
namespace: such a build runs with `--network host` (`host_network`).
"""

from __future__ import annotations

import configparser
import hashlib
import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from imgforge.build import yarnrc
from imgforge.build.options import Secret
from imgforge.errors import UsageError
from imgforge.hosts import is_loopback
from imgforge.settings import load_raw, settings_path, validation_error

CA_ID = "imgforge-ca"
PIP_ID = "imgforge-pip"
NPM_ID = "imgforge-npmrc"
ENV_ID = "imgforge-net"
YARNRC_ID = "imgforge-yarnrc"
SECRET_IDS = (ENV_ID, CA_ID, PIP_ID, NPM_ID)
_MOUNTED = "/run/secrets"
# Sourced at the start of every builder RUN: the exports live only in the secret file, so only in that RUN.
RUN_SETUP = f"[ ! -f {_MOUNTED}/{ENV_ID} ] || . {_MOUNTED}/{ENV_ID}; "
_CA_VARS = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CERT", "NODE_EXTRA_CA_CERTS", "CURL_CA_BUNDLE")
# Every tool's own name for "trust this bundle" (pip, requests, uv, node, npm, yarn 1 and berry, curl, git, go).
_CA_EXPORTS = (*_CA_VARS, "NPM_CONFIG_CAFILE", "YARN_CAFILE", "YARN_HTTPS_CA_FILE_PATH", "GIT_SSL_CAINFO")
_GO_VARS = ("GOPROXY", "GONOSUMDB", "GONOSUMCHECK", "GOPRIVATE", "GOSUMDB", "GOINSECURE")
_NPM_AUTH = re.compile(r"(^|:)(_authToken|_auth|_password|password|username|email|certfile|keyfile)$")
_NPM_KEYS = re.compile(r"^(registry|@[\w.-]+:registry|//.+:(_authToken|_auth|username|_password|always-auth)"
                       r"|always-auth|strict-ssl)$")
# Where each tool looks for a proxy: curl reads only lower-case http_proxy, yarn 2+ only its own httpsProxy
# (yarn 1 takes YARN_HTTPS_PROXY too); pip, uv, npm, pnpm, corepack, git and go read the rest.
_PROXY_EXPORTS = {"http": ("HTTP_PROXY", "http_proxy", "YARN_HTTP_PROXY"),
                  "https": ("HTTPS_PROXY", "https_proxy", "YARN_HTTPS_PROXY"), "no": ("NO_PROXY", "no_proxy")}


class NetworkSettings(BaseModel):
    """`build.network:` in imgforge.yaml; `${VAR}` in a value is read from the environment at build time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: bool = Field(default=True, description="Also take CA and indexes from the host's settings.")
    ca_file: str | None = Field(default=None, description="CA bundle (PEM), relative to the project.")
    pip_index_url: str | None = None
    pip_extra_index_urls: list[str] = Field(default_factory=list)
    pip_trusted_hosts: list[str] = Field(default_factory=list)
    npm_registry: str | None = None
    npm_token_env: str | None = Field(default=None, description="Variable holding the npm registry's auth token.")
    goproxy: str | None = None
    proxy: str | None = Field(default=None, description="HTTP(S) proxy URL for builder steps (both schemes).")
    no_proxy: list[str] = Field(default_factory=list, description="Hosts the builder steps reach directly.")
    mode: Literal["auto", "bridge", "host"] = Field(
        default="auto", description="Network namespace of build steps: BuildKit's own per step (bridge), the "
                                    "host's (host), or host only where a loopback proxy needs it (auto).")


@dataclass(frozen=True)
class BuildNetwork:
    """What the builder stages need to reach their package indexes (values may hold credentials)."""

    ca_file: Path | None = None
    pip_index_url: str | None = None
    pip_extra_index_urls: tuple[str, ...] = ()
    pip_trusted_hosts: tuple[str, ...] = ()
    npm_registry: str | None = None
    npmrc_lines: tuple[str, ...] = ()
    yarnrc: str | None = None
    go: tuple[tuple[str, str], ...] = ()
    http_proxy: str | None = None
    https_proxy: str | None = None
    no_proxy: tuple[str, ...] = ()
    mode: Literal["auto", "bridge", "host"] = "auto"

    @property
    def empty(self) -> bool:
        """Nothing for the builder steps to receive (the namespace they run in is not a secret)."""
        return replace(self, mode="auto") == BuildNetwork()

    @property
    def host_network(self) -> bool:
        """Whether builder steps run in the host's network namespace: asked for, or (auto) a proxy on the host's
        loopback, which they reach only from there."""
        if self.mode != "auto":
            return self.mode == "host"
        return any(_loopback(url) for url in (self.http_proxy, self.https_proxy) if url)


def _loopback(url: str) -> bool:
    try:
        return is_loopback(urlsplit(url if "://" in url else f"http://{url}").hostname or "")
    except ValueError:
        return False


def _web(url: str) -> bool:
    # file:// indexes and find-links name host folders that do not exist inside a build.
    return url.startswith(("http://", "https://"))


def _pip_files(env: Mapping[str, str], home: Path) -> list[Path]:
    files = [Path("/etc/pip.conf"), home / ".pip/pip.conf", home / ".config/pip/pip.conf"]
    if env.get("PIP_CONFIG_FILE"):
        files.append(Path(env["PIP_CONFIG_FILE"]))
    return files


def _pip_config(env: Mapping[str, str], home: Path) -> dict[str, str]:
    """index-url, extra-index-url, trusted-host and cert from pip's config files, later files winning."""
    found: dict[str, str] = {}
    for file in _pip_files(env, home):
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(file, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError, OSError):
            continue  # an unreadable pip.conf is pip's problem, not a reason to fail the build
        for section in ("global", "install"):
            if parser.has_section(section):
                for key in ("index-url", "extra-index-url", "trusted-host", "cert", "proxy"):
                    if parser.has_option(section, key):
                        found[key] = parser.get(section, key)
    return found


def _read_npmrc(file: Path, env: Mapping[str, str]) -> list[tuple[str, str]]:
    """The key=value lines of an .npmrc (a bare key is `true`, as npm reads it), `${VAR}` expanded."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    pairs = []
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        key = key.strip()
        if not key or key.startswith(("#", ";", "[")):
            continue
        # npm expands ${VAR} when it reads .npmrc; the build has no such variable, so expand here.
        value = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: env.get(m.group(1), m.group(0)), value)
        pairs.append((key, value.strip() if sep else "true"))
    return pairs


def _npmrc(env: Mapping[str, str], home: Path) -> list[tuple[str, str]]:
    return _read_npmrc(Path(env.get("NPM_CONFIG_USERCONFIG") or env.get("npm_config_userconfig")
                            or home / ".npmrc"), env)


def npmrc_settings_key(project: Path) -> str | None:
    """A digest of the settings in the project's .npmrc, credentials left out (None without settings)."""
    # BuildKit's cache key holds no secret's content: generate writes this into the install step, so a changed
    # setting reinstalls while a rotated token does not. Unexpanded, so no variable's value is hashed.
    pairs = [f"{k}={v}" for k, v in _read_npmrc(project / ".npmrc", {}) if not _NPM_AUTH.search(k)]
    return hashlib.sha256("\n".join(pairs).encode()).hexdigest()[:16] if pairs else None


def _merge_npmrc(*layers: tuple[str, ...]) -> tuple[str, ...]:
    """`key=value` lines of several .npmrc layers, lowest precedence first: a key takes the highest layer's
    value(s) (a `key[]` list whole, as npm replaces a list), in first-seen order; one line per key, so no tool's
    reading of duplicate keys matters."""
    winner: dict[str, tuple[str, ...]] = {}
    for layer in layers:
        mine: dict[str, list[str]] = {}
        for line in layer:
            key, _, _ = line.partition("=")
            mine.setdefault(key, []).append(line)
        for key, lines in mine.items():
            winner[key] = tuple(lines) if key.endswith("[]") else (lines[-1],)
    return tuple(line for lines in winner.values() for line in lines)


def _host(env: Mapping[str, str], home: Path) -> BuildNetwork:
    pip = _pip_config(env, home)
    npm = _npmrc(env, home)
    ca = next((env[v] for v in _CA_VARS if env.get(v) and Path(env[v]).is_file()), None)
    ca = ca or next((p for p in (pip.get("cert"), dict(npm).get("cafile")) if p and Path(p).is_file()), None)
    index = env.get("PIP_INDEX_URL") or pip.get("index-url")
    extra = (env.get("PIP_EXTRA_INDEX_URL") or pip.get("extra-index-url") or "").split()
    trusted = (env.get("PIP_TRUSTED_HOST") or pip.get("trusted-host") or "").split()
    registry = env.get("NPM_CONFIG_REGISTRY") or env.get("npm_config_registry") or dict(npm).get("registry")
    # Each tool's own lookup order: the lower-case variable first (curl, requests), ALL_PROXY for both schemes;
    # pip.conf's `proxy` and .npmrc's `https-proxy`/`proxy` when the environment names none.
    every = env.get("all_proxy") or env.get("ALL_PROXY")
    https = (env.get("https_proxy") or env.get("HTTPS_PROXY") or every or pip.get("proxy")
             or dict(npm).get("https-proxy") or dict(npm).get("proxy"))
    http = env.get("http_proxy") or env.get("HTTP_PROXY") or every or pip.get("proxy") or dict(npm).get("proxy")
    no_proxy = env.get("no_proxy") or env.get("NO_PROXY") or dict(npm).get("noproxy") or ""
    return BuildNetwork(
        ca_file=Path(ca) if ca else None,
        pip_index_url=index if index and _web(index) else None,
        pip_extra_index_urls=tuple(u for u in extra if _web(u)),
        pip_trusted_hosts=tuple(trusted),
        npm_registry=registry if registry and _web(registry) else None,
        npmrc_lines=tuple(f"{k}={v}" for k, v in npm if _NPM_KEYS.match(k) and k != "registry"),
        go=tuple((v, env[v]) for v in _GO_VARS if env.get(v)),
        http_proxy=http or None,
        https_proxy=https or None,
        no_proxy=tuple(h.strip() for h in no_proxy.split(",") if h.strip()),
    )


def _expand(value: str, env: Mapping[str, str], where: str) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise UsageError(f"reading {where}: ${{{name}}} is not set in the environment")
        return env[name]

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", one, value)


def load_settings(project: Path) -> NetworkSettings:
    """`build.network:` of the project's imgforge.yaml (defaults when absent or when there is no file)."""
    raw = load_raw(project) if settings_path(project).is_file() else {}
    build = raw.get("build") or {}
    data = build.get("network") if isinstance(build, Mapping) else None
    try:
        return NetworkSettings.model_validate(data or {})
    except ValidationError as exc:
        raise validation_error(exc, raw, str(settings_path(project)), ("build", "network")) from exc


def resolve(project: Path, env: Mapping[str, str] | None = None, home: Path | None = None) -> BuildNetwork:
    """The build network for `project`: the host's settings (unless `host: false`) under the project's .npmrc
    under `build.network:`."""
    env = os.environ if env is None else env
    conf = load_settings(project)
    base = _host(env, home or Path.home()) if conf.host else BuildNetwork()
    where = f"{settings_path(project)}: build.network"
    ca = base.ca_file
    if conf.ca_file:
        ca = (project if project.is_dir() else project.parent) / _expand(conf.ca_file, env, where)
        if not ca.is_file():
            raise UsageError(f"reading {where}.ca_file: {ca} is not a file")
    # The project's own .npmrc, every line (npm, pnpm and yarn read project settings such as legacy-peer-deps
    # or node-linker there): it reaches the build only inside the npmrc secret, never in the context.
    project_npm = _read_npmrc((project if project.is_dir() else project.parent) / ".npmrc", env)
    project_registry = dict(project_npm).get("registry")
    registry = base.npm_registry
    if project_registry and _web(project_registry):
        registry = project_registry
    if conf.npm_registry:
        registry = _expand(conf.npm_registry, env, where)
    settings_lines: tuple[str, ...] = ()
    if conf.npm_token_env:
        if conf.npm_token_env not in env:
            raise UsageError(f"reading {where}.npm_token_env: ${conf.npm_token_env} is not set in the environment")
        host = urlsplit(registry or "https://registry.npmjs.org/")
        settings_lines = (f"//{host.netloc}{host.path.rstrip('/')}/:_authToken={env[conf.npm_token_env]}",)
    # npm's own order: project config over user config; imgforge.yaml over both.
    npm_lines = _merge_npmrc(base.npmrc_lines, tuple(f"{k}={v}" for k, v in project_npm if k != "registry"),
                             settings_lines)
    # yarn 2+ reads no .npmrc: a yarn project gets its .yarnrc.yml, whole, with the host's and imgforge.yaml's
    # registry and credentials in yarn's own keys (imgforge.yaml > project > host, as for npm).
    folder = project if project.is_dir() else project.parent
    yarn_text = None
    if (folder / yarnrc.FILENAME).is_file() or (folder / "yarn.lock").is_file():
        yarn_text = yarnrc.merged(
            yarnrc.read(folder / yarnrc.FILENAME), env, host_registry=base.npm_registry, host_auth=base.npmrc_lines,
            registry=_expand(conf.npm_registry, env, where) if conf.npm_registry else None, auth=settings_lines)
    go = dict(base.go)
    if conf.goproxy:
        go["GOPROXY"] = _expand(conf.goproxy, env, where)
    proxy = _expand(conf.proxy, env, where) if conf.proxy else None
    return BuildNetwork(
        ca_file=ca,
        pip_index_url=_expand(conf.pip_index_url, env, where) if conf.pip_index_url else base.pip_index_url,
        pip_extra_index_urls=tuple(_expand(u, env, where) for u in conf.pip_extra_index_urls)
        or base.pip_extra_index_urls,
        pip_trusted_hosts=tuple(conf.pip_trusted_hosts) or base.pip_trusted_hosts,
        npm_registry=registry,
        npmrc_lines=npm_lines,
        yarnrc=yarn_text,
        go=tuple(sorted(go.items())),
        http_proxy=proxy or base.http_proxy,
        https_proxy=proxy or base.https_proxy,
        no_proxy=tuple(conf.no_proxy) or base.no_proxy,
        mode=conf.mode,
    )


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    # Created private: these files may hold index credentials.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    return path


def secrets(net: BuildNetwork, folder: Path) -> tuple[Secret, ...]:
    """Write the network's secret files into `folder` (private, deleted with it) and name them as build secrets."""
    if net.empty:
        return ()
    exports: dict[str, str] = {}
    found: list[Secret] = []
    if net.ca_file is not None:
        found.append(Secret(CA_ID, src=net.ca_file))
        exports.update(dict.fromkeys(_CA_EXPORTS, f"{_MOUNTED}/{CA_ID}"))
    if net.pip_index_url or net.pip_extra_index_urls or net.pip_trusted_hosts:
        lines = ["[global]"]
        if net.pip_index_url:
            lines.append(f"index-url = {net.pip_index_url}")
            exports["UV_DEFAULT_INDEX"] = net.pip_index_url
        if net.pip_extra_index_urls:
            lines.append(f"extra-index-url = {' '.join(net.pip_extra_index_urls)}")
            exports["UV_INDEX"] = " ".join(net.pip_extra_index_urls)
        if net.pip_trusted_hosts:
            lines.append(f"trusted-host = {' '.join(net.pip_trusted_hosts)}")
        found.append(Secret(PIP_ID, src=_write(folder, "pip.conf", "\n".join(lines) + "\n")))
        exports["PIP_CONFIG_FILE"] = f"{_MOUNTED}/{PIP_ID}"
    if net.npm_registry or net.npmrc_lines:
        lines = ([f"registry={net.npm_registry}"] if net.npm_registry else []) + list(net.npmrc_lines)
        found.append(Secret(NPM_ID, src=_write(folder, "npmrc", "\n".join(lines) + "\n")))
        exports["NPM_CONFIG_USERCONFIG"] = f"{_MOUNTED}/{NPM_ID}"
        if net.npm_registry:
            # Not YARN_NPM_REGISTRY_SERVER: a variable beats every .yarnrc.yml, the project's included; yarn 2+
            # gets the registry in the yarnrc secret, under the project's own choice.
            exports.update({"COREPACK_NPM_REGISTRY": net.npm_registry, "YARN_REGISTRY": net.npm_registry})
    if net.yarnrc is not None:
        found.append(Secret(YARNRC_ID, src=_write(folder, "yarnrc.yml", net.yarnrc)))
    exports.update(dict(net.go))
    for scheme, url in (("http", net.http_proxy), ("https", net.https_proxy), ("no", ",".join(net.no_proxy))):
        if url:
            exports.update(dict.fromkeys(_PROXY_EXPORTS[scheme], url))
    script = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in exports.items())
    found.insert(0, Secret(ENV_ID, src=_write(folder, "env.sh", script)))
    return tuple(found)


def build_secrets(context: Path, folder: Path) -> tuple[Secret, ...]:
    """The secrets a build of `context` gets from its build network (written into `folder`)."""
    return secrets(resolve(context), folder)


def _hostname(url: str) -> str:
    try:
        return urlsplit(url).hostname or "?"
    except ValueError:
        return "?"


def _hostport(url: str) -> str:
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        return f"{parts.hostname or '?'}:{parts.port}" if parts.port else parts.hostname or "?"
    except ValueError:
        return "?"


def describe(net: BuildNetwork) -> str:
    """One line naming what a build receives: file names and index hosts, never a credential."""
    parts = []
    if net.ca_file is not None:
        parts.append(f"CA bundle {net.ca_file}")
    pip = [u for u in (net.pip_index_url, *net.pip_extra_index_urls) if u]
    if pip:
        parts.append("pip indexes " + ", ".join(_hostname(u) for u in pip))
    if net.npm_registry:
        parts.append(f"npm registry {_hostname(net.npm_registry)}")
    if net.npmrc_lines:
        parts.append(f"{len(net.npmrc_lines)} .npmrc setting(s)")
    yarn = yarnrc.describe(net.yarnrc)
    if yarn:
        parts.append(yarn)
    if net.go:
        parts.append("go " + ", ".join(k for k, _ in net.go))
    proxies = sorted({_hostport(u) for u in (net.http_proxy, net.https_proxy) if u})
    if proxies:
        parts.append("proxy " + ", ".join(proxies))
    if net.host_network:
        parts.append("host network" + (" (the proxy listens on loopback)" if net.mode == "auto" else ""))
    return "; ".join(parts) or "nothing (direct access)"


def mounts() -> str:
    """The `--mount` flags of a builder RUN that may reach the network (absent secrets are skipped)."""
    return "".join(f"--mount=type=secret,id={sid} " for sid in SECRET_IDS)


def yarnrc_mounts(targets: tuple[str, ...]) -> str:
    """`--mount` flags putting the yarnrc secret at each of `targets`, where yarn 2+ looks for `.yarnrc.yml`."""
    # Yarn takes no path to its rc file, only its name in the folders above the working one, so the file is
    # mounted into the project folder. The mount is gone when the RUN ends (BuildKit removes the stub it made):
    # the layer has no .yarnrc.yml at all. Absent secret (a build without imgforge): nothing is mounted.
    return "".join(f"--mount=type=secret,id={YARNRC_ID},target={t} " for t in targets)
