"""Render a project's recipe as a multistage Dockerfile, ordered so the least-changing layers come first.

Order in a builder: base, system packages, dependency manifests only, dependency install (cache
mounts), outputs of earlier stages, sources, build. The runtime stage holds only artifacts and runs as a
numeric non-root user.
No `# syntax=` line: it makes BuildKit pull a frontend image, and the built-in frontend of every engine from
Docker 23 on understands `RUN --mount` and `RUN --network`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.utils import canonicalize_name

from imgforge.build import yarnrc
from imgforge.build.network import RUN_SETUP, mounts, npmrc_settings_key, yarnrc_mounts
from imgforge.build.registry_cache import BASES_ARG, BASES_PREFIX
from imgforge.errors import UsageError
from imgforge.generate.dockerignore import HEADER
from imgforge.generate.facts import dig, parse_json, parse_toml, read_text
from imgforge.generate.pipfixes import before_install
from imgforge.generate.poetrypkg import without_package
from imgforge.generate.uvlocal import uv_local_sources
from imgforge.generate.writes import django_sqlite
from imgforge.project import Project
from imgforge.recipes.model import Artifact, Builder, Recipe, Variant
from imgforge.settings import BasesSettings

HEALTH_TIMING = "--interval=10s --timeout=3s --start-period=5s --retries=3"
_GLOB = set("*?[")


def _q(value: str) -> str:
    """A double-quoted Dockerfile value; `$` is escaped so it is taken literally."""
    return json.dumps(value).replace("$", "\\$")


def _env_value(value: str) -> str:
    # Plain values stay bare for readability; others are double-quoted (Docker still expands $VAR there).
    if value and all(c.isalnum() or c in "/._-:,+=@%" for c in value):
        return value
    return json.dumps(value)


def _apt(packages: list[str]) -> list[str]:
    pkgs = " ".join(sorted(set(packages)))
    return [
        "# System packages change least, so they come first; update, install and clean up in one layer",
        "# so no apt lists, package caches (pkgcache.bin: 77 MB after an update) or .deb files are left in the",
        "# image. The build network's proxy reaches apt as a secret.",
        f"RUN {mounts()}\\",
        f"    {RUN_SETUP}apt-get update \\",
        f"    && apt-get install -y --no-install-recommends {pkgs} \\",
        "    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*",
    ]


_NODE_TOOL = re.compile(r"\b(npm|pnpm|yarn|corepack)\b")


def _mounts(targets: list[str]) -> str:
    return "".join(f"--mount=type=cache,target={t} " for t in targets)


def _networked(cache: list[str], command: str, extra: str = "") -> str:
    """A RUN that may reach package indexes: CA, index settings and the project's .npmrc come only through
    secret mounts."""
    return f"RUN {_mounts(cache)}{mounts()}{extra}\\\n    {RUN_SETUP}{_wrap(command)}"


def _wrap(command: str) -> str:
    # One `&&` step per line; Docker joins continuation lines before the shell sees them, quotes included.
    return command.replace(" && ", " \\\n    && ")


def _exists(root: Path, pattern: str) -> bool:
    if _GLOB & set(pattern):
        return any(root.glob(pattern))
    return (root / pattern).exists()


def _has_key(root: Path, pattern: str) -> bool:
    """`file#a.b`: the JSON or TOML file sets key a.b to something non-empty (unreadable files set nothing)."""
    name, _, dotted = pattern.partition("#")
    try:
        text = (root / name).read_text(encoding="utf-8")
        data: Any = parse_toml(text) if name.endswith(".toml") else parse_json(text)
    except (OSError, ValueError):  # UnicodeDecodeError is a ValueError
        return False
    for key in dotted.split("."):
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return bool(data)


def runs(root: Path, builder: Builder) -> bool:
    """Whether the builder stage has work in this project (its `when` holds, or it has none)."""
    return not builder.when or any(_holds(root, w) for w in builder.when)


def _holds(root: Path, pattern: str) -> bool:
    if pattern == "pyproject.toml#build-system" and without_package(root):
        # Poetry, Hatch or PDM used for the dependencies only declares its backend all the same; nothing to build.
        return False
    return _has_key(root, pattern) if "#" in pattern else _exists(root, pattern)


def _copy_sources(root: Path, builder: Builder, recipe: Recipe) -> list[str]:
    deps = builder.dependencies
    has_deps = deps.install or deps.manifests or deps.optional_manifests or deps.variants
    first = "after the dependencies" if has_deps else "before the build"
    if not builder.sources:
        return []
    lines = [f"# Sources {first}: editing them rebuilds only from this line on."]
    for src in builder.sources:
        if not _exists(root, src):
            raise UsageError(f"generating {root}: recipe {recipe.name!r} builder {builder.name!r} copies {src}, "
                             f"which is not in the project (override builders.sources)")
        if src in (".", "./"):
            lines.append("COPY . .")
        elif _GLOB & set(src):
            parent = PurePosixPath(src).parent
            lines.append(f"COPY {src} ./{'' if str(parent) == '.' else str(parent) + '/'}")
        elif (root / src).is_dir():
            lines.append(f"COPY {src} ./{src.strip('/')}/")
        else:
            lines.append(f"COPY {src} ./{src}")
    return lines


def variant(root: Path, builder: Builder) -> Variant | None:
    """The first dependency variant whose `when` files the project has (None: the builder's own install)."""
    for choice in builder.dependencies.variants:
        if not choice.when or any(_exists(root, w) for w in choice.when):
            return choice
    return None


def _install(root: Path, builder: Builder) -> str | None:
    chosen = variant(root, builder)
    return chosen.install if chosen is not None else builder.dependencies.install


def _copy_manifests(root: Path, builder: Builder) -> list[str]:
    deps = builder.dependencies
    chosen = variant(root, builder)
    extra = [m for m in (chosen.manifests if chosen else []) if _exists(root, m)]
    if chosen is not None and "uv.lock" in chosen.when:
        extra += uv_local_sources(root)  # workspace members and path dependencies the export installs
    present = list(deps.manifests) + [m for m in deps.optional_manifests if (root / m).is_file()]
    present += [m for m in extra if m not in present]
    if not present:
        return []
    top = [m for m in present if "/" not in m]
    nested = [m for m in present if "/" in m]
    lines = ["# Dependency manifests alone, so the install below stays cached until they change."]
    if top:
        lines.append(f"COPY {' '.join(top)} ./")
    lines += [f"COPY {m} ./{m.rstrip('/')}{'/' if (root / m).is_dir() else ''}" for m in nested]
    if chosen is not None and chosen.warning:
        lines.insert(0, f"# WARNING: {chosen.warning}")
    return lines


# Build backends that read the project's version from git (names as PEP 503 normalises them); each takes one of
# SCM_VERSION_ENV instead (setuptools-scm's variable also serves hatch-vcs, which runs it).
_SCM_BACKENDS = frozenset({"setuptools-scm", "hatch-vcs", "poetry-dynamic-versioning"})
SCM_VERSION_ENV = ("SETUPTOOLS_SCM_PRETEND_VERSION", "PDM_BUILD_SCM_VERSION", "POETRY_DYNAMIC_VERSIONING_BYPASS")


def scm_versioning(root: Path) -> str | None:
    """The tool that gives the project its version from git (pyproject's build requirements, or PDM's scm version
    source), or None."""
    try:
        data = parse_toml(read_text(root / "pyproject.toml"))
    except ValueError:
        return None
    requires = dig(data, "build-system", "requires")
    for req in requires if isinstance(requires, list) else []:
        name = canonicalize_name(re.split(r"[\s<>=!~;\[]", req.strip(), maxsplit=1)[0]) if isinstance(req, str) else ""
        if name in _SCM_BACKENDS:
            return name
    if dig(data, "tool", "pdm", "version", "source") == "scm":
        return "pdm-backend's scm source"
    return None


def _default_version(project: Project) -> str:
    """The VERSION build arg's default: a fixed version (a version file or tag would make the Dockerfile stale at
    each release), else one that marks a build outside the pipeline."""
    ver = project.settings.version
    return (ver.value if ver.source == "fixed" else None) or "0.0.0-dev"


def _builder(root: Path, builder: Builder, recipe: Recipe, default_version: str) -> list[str]:
    lines = [
        f"# Builder stage {builder.name!r}: holds the toolchain; only what the runtime stage copies ships.",
        f"FROM {builder.image} AS {builder.name}",
        f"WORKDIR {builder.workdir}",
    ]
    if builder.env:
        lines.append("# Toolchain settings, set before the steps that read them.")
        lines.append("ENV " + " ".join(f"{k}={_env_value(v)}" for k, v in builder.env.items()))
    if builder.system_packages:
        lines += _apt(builder.system_packages)
    lines += _copy_manifests(root, builder)
    deps = builder.dependencies
    install = _install(root, builder)
    if install:
        why = "Dependencies before sources" + (
            "; package caches live in BuildKit cache mounts, never in the layer." if deps.cache else "."
        )
        lines += before_install(root, variant(root, builder), install)
        lines.append(f"# {why} Index settings and CA arrive as secret mounts only.")
        key = npmrc_settings_key(root) if _NODE_TOOL.search(install) else None
        if key:
            lines.append("# So does the project's .npmrc; the digest of its settings makes a changed one reinstall.")
            install = f": npmrc-settings={key} && {install}"
        chosen = variant(root, builder)
        targets = tuple(str(PurePosixPath(builder.workdir) / t) for t in (chosen.yarnrc if chosen else []))
        yarn_key = yarnrc.settings_key(root) if targets else None
        if yarn_key:
            lines.append("# The project's .yarnrc.yml is mounted where yarn reads it, for this step only; the digest "
                         "of its settings (credentials left out) makes a changed one reinstall.")
            install = f": yarnrc-settings={yarn_key} && {install}"
        lines.append(_networked(deps.cache, install, yarnrc_mounts(targets)))
    # Earlier stages' outputs before the sources: an edit of the sources leaves these copies cached.
    for art in builder.inputs:
        if not runs(root, recipe.builder(art.stage)):
            continue
        lines += [f"# Output of stage {art.stage!r}, needed by the build below.",
                  f"COPY --from={art.stage} {_src(recipe, art)} {art.to}"]
    lines += _copy_sources(root, builder, recipe)
    if builder.build and (tool := scm_versioning(root)):
        lines += [f"# The project takes its version from git ({tool}), and .git is not in the build context: the "
                  "image's version stands in (a new one rebuilds only this stage's last step).",
                  f"ARG VERSION={default_version}",
                  "ENV " + " ".join(f"{name}=${{VERSION}}" for name in SCM_VERSION_ENV)]
    if builder.build:
        why = "Build last; the compiler cache lives in a cache mount." if builder.build_cache else "Build last."
        lines += [f"# {why}", _networked(builder.build_cache, builder.build)]
    return lines


def _src(recipe: Recipe, art: Artifact) -> str:
    if art.source.startswith("/"):
        return art.source
    return str(PurePosixPath(recipe.builder(art.stage).workdir) / art.source)


def _healthcheck(recipe: Recipe) -> list[str]:
    url_path = recipe.health.liveness
    port = recipe.runtime.port
    client = recipe.health.client
    if client == "none":
        return ["# No HEALTHCHECK: the runtime has no HTTP client; the orchestrator probes the endpoints."]
    if recipe.health.probe == "tcp":
        return _tcp_healthcheck(client, port)
    if client == "wget":
        cmd = ["/bin/sh", "-c", f"wget -q -O /dev/null http://127.0.0.1:${{PORT:-{port}}}{url_path} || exit 1"]
    elif client == "python":
        code = ("import os, urllib.request; "
                f"urllib.request.urlopen('http://127.0.0.1:%s{url_path}' % os.environ.get('PORT', '{port}'), "
                "timeout=2)")
        cmd = ["python3", "-c", code]
    else:
        code = (f"require('http').get('http://127.0.0.1:' + (process.env.PORT || {port}) + '{url_path}', "
                "(r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))")
        cmd = [client, "-e", code]  # node, or bun (whose node:http runs the same code)
    return [
        f"# Liveness probe with the runtime's own {client}, so no extra tool is installed for it.",
        f"HEALTHCHECK {HEALTH_TIMING} CMD {json.dumps(cmd)}",
    ]


def _tcp_healthcheck(client: str, port: int) -> list[str]:
    if client == "wget":
        # busybox nc has no -z: with stdin at EOF it connects, then exits at once (1 when refused).
        cmd = ["/bin/sh", "-c", f"nc -w 2 127.0.0.1 ${{PORT:-{port}}} </dev/null || exit 1"]
    elif client == "python":
        code = f"import os, socket; socket.create_connection(('127.0.0.1', int(os.environ.get('PORT', '{port}'))), 2)"
        cmd = ["python3", "-c", code]
    else:
        code = (f"require('net').connect(+(process.env.PORT || {port}), '127.0.0.1')"
                ".on('connect', () => process.exit(0)).on('error', () => process.exit(1))")
        cmd = [client, "-e", code]  # node, or bun (whose node:net runs the same code)
    return [
        "# The project declares no health endpoint: the probe only connects to PORT, with the runtime's own "
        f"{client}.",
        f"HEALTHCHECK {HEALTH_TIMING} CMD {json.dumps(cmd)}",
    ]


def _context_then(art: Artifact, context: str, then: str) -> list[str]:
    """Project files copied from a bind mount and finished in the same step: one layer, one step per source edit."""
    # A COPY then a RUN would cost a second step and layer on every source edit; cp -a keeps modes and times as
    # COPY does. The mount point is /mnt, an empty folder of every Debian base: a new one would stay in the layer.
    # The step needs no network (the runtime stage has no package manager), so it gets none: nothing in the
    # sources can fetch at build time, and BuildKit skips the bridge it sets up for every other RUN (~0.2 s of
    # each source edit's rebuild).
    return [f"# Stage {art.stage!r} has no work in this project: its files ({context}) are copied and finished "
            "in one step, without network, so a source edit reruns only this line.",
            f"RUN --network=none --mount=type=bind,source={context},target=/mnt \\\n"
            f"    mkdir -p {art.to} && cp -a --no-preserve=ownership /mnt/. {art.to}/"
            f"{_wrap(' && ' + then)}"]


def _runtime(project: Project) -> list[str]:
    recipe = project.recipe
    run = recipe.runtime
    lines = [
        "# Runtime stage: only the artifacts below, no toolchain.",
        f"FROM {run.image} AS runtime",
        f"WORKDIR {run.workdir}",
    ]
    if run.system_packages:
        lines += _apt(run.system_packages)
    env = {**run.env, "PORT": str(run.port)}
    lines.append("# PORT tells the service where to listen; EXPOSE below declares the same port.")
    lines.append("ENV " + " ".join(f"{k}={_env_value(v)}" for k, v in env.items()))
    lines.append("# Artifacts stay owned by root, so the service cannot rewrite its own code.")
    group = run.group if run.group is not None else run.user
    database = django_sqlite(project.root) if "python" in run.image else None
    link = f"ln -s /tmp/{database.folder} {run.workdir.rstrip('/')}/{database.folder}" if database else None
    if database:
        lines.append(f"# Django's settings keep SQLite at {run.workdir.rstrip('/')}/{database.folder} ({database.why}) "
                     "under the read-only root filesystem: it is a link into /tmp, the emptyDir (SQLite follows it, "
                     "and writes its journal there; empty at each start: set DATABASES to a database server to keep "
                     "data).")
    for art in run.artifacts:
        owner = f"--chown={run.user}:{group} " if art.writable else ""
        if art.writable:
            lines.append(f"# {art.to} is the one folder the service may write to.")
        if runs(project.root, recipe.builder(art.stage)):
            lines.append(f"COPY {owner}--from={art.stage} {_src(recipe, art)} {art.to}")
        elif art.context is not None and art.context_then:
            then = f"{art.context_then} && {link}" if link and art.to == run.workdir else art.context_then
            link = None if then != art.context_then else link
            lines += _context_then(art, art.context, then)
        elif art.context is not None:
            lines += [f"# Stage {art.stage!r} has no work in this project: its files ({art.context}) are copied as "
                      "they are, so a source edit reruns no step.",
                      f"COPY {owner}{art.context} {art.to}"]
    if link:  # the sources came by COPY (a package project's build stage): the link is its own step
        lines.append(f"RUN {link}")
    lines += [
        "# Numeric non-root user: Kubernetes runAsNonRoot can check it, and no passwd entry is needed.",
        f"USER {run.user}:{group}",
        f"EXPOSE {run.port}",
    ]
    lines += _healthcheck(recipe)
    lines.append("ENTRYPOINT " + json.dumps(run.entrypoint))
    if run.cmd:
        lines.append("CMD " + json.dumps(run.cmd))
    labels = {**project.labels(),
              "org.opencontainers.image.version": "${VERSION}",
              "org.opencontainers.image.revision": "${REVISION}"}
    lines += [
        "# Version and revision are build args declared last, so a new version invalidates no cached layer.",
        f"ARG VERSION={_default_version(project)}",
        "ARG REVISION=unknown",
    ]
    items = [f"{k}={_q(v) if not v.startswith('${') else json.dumps(v)}" for k, v in labels.items()]
    lines.append("LABEL " + " \\\n      ".join(items))
    return lines


def render_dockerfile(project: Project) -> str:
    """The Dockerfile text for `project` (same project files in, same bytes out)."""
    recipe = project.recipe
    out = [
        f"{HEADER} from recipe {recipe.name!r}; edit imgforge.yaml, not this file.",
        "",
    ]
    registry = project.section("bases", BasesSettings).registry
    images = [b.image for b in recipe.builders] + [recipe.runtime.image]
    if registry and any(i.startswith(BASES_PREFIX) for i in images):
        out += ["# Catalog bases from the registry that `imgforge bases build --push` fills (bases.registry), pinned",
                f"# by digest; --build-arg {BASES_ARG}=HOST/PATH takes them from a mirror with the same digests.",
                f"ARG {BASES_ARG}={registry}", ""]
    for builder in recipe.builders:
        if runs(project.root, builder):
            out += _builder(project.root, builder, recipe, _default_version(project)) + [""]
    out += _runtime(project)
    return "\n".join(out) + "\n"
