"""A Node or Bun workspace (npm, yarn or bun `workspaces`, pnpm-workspace.yaml) whose server lives in a member
package (apps/web): which member the image runs, installed with the workspace's lockfile at the root, as Railpack and
Nixpacks build a monorepo, and which workspace packages it needs at run time; or, with no server member, the
front-end member served as a static site."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from imgforge.generate import bunstart
from imgforge.generate.facts import Start, procfile_web, read_text
from imgforge.generate.nodestart import (
    SERVER_PACKAGES,
    _deps,
    _dev_server,
    _next_start,
    scripts_of,
    frontend_only,
    next_dist_dir,
    next_standalone,
    node_start,
    package_json,
)

# Member folder names that say "the deployable app", most likely first (turborepo's apps/web, apps/api).
_PREFERRED = ("web", "app", "frontend", "site", "www", "server", "api", "backend")


@dataclass(frozen=True)
class WorkspaceApp:
    """The member package the image runs, every member's folder (their manifests feed the install), the start
    command relative to the member's folder, and why this member; `name` is its package name, `closure` the member
    and the workspace packages it needs at run time (its production dependencies, followed), `standalone` whether a
    Next.js member runs as Next's standalone server."""

    folder: str
    members: tuple[str, ...]
    start: Start
    why: str
    name: str = ""
    closure: tuple[str, ...] = ()
    standalone: bool = False
    manifests: tuple[str, ...] = ()
    dist: str = ".next"  # a Next.js member's build folder (next.config distDir)
    feeders: tuple[str, ...] = ()  # other members whose build writes into a closure folder (a client into api/public)


@dataclass(frozen=True)
class WorkspaceSite:
    """The front-end-only member a workspace with no server serves as a static site, and the package.json files
    its install reads."""

    folder: str
    manifests: tuple[str, ...]


def manifests(root: Path, folders: tuple[str, ...]) -> tuple[str, ...]:
    """The root's package.json (when there is one: pnpm-workspace.yaml alone makes a workspace) and each member's."""
    return ("package.json",) * (root / "package.json").is_file() + tuple(f"{f}/package.json" for f in folders)


def _patterns(root: Path) -> list[str]:
    workspaces = package_json(root).get("workspaces")
    if isinstance(workspaces, dict):
        workspaces = workspaces.get("packages")
    found = [p for p in workspaces if isinstance(p, str)] if isinstance(workspaces, list) else []
    try:
        pnpm = yaml.safe_load(read_text(root / "pnpm-workspace.yaml") or "{}")
    except yaml.YAMLError:
        pnpm = None
    packages = pnpm.get("packages") if isinstance(pnpm, dict) else None
    found += [p for p in packages if isinstance(p, str)] if isinstance(packages, list) else []
    return found


def members(root: Path) -> tuple[str, ...]:
    """The workspace's member folders (relative, sorted), from its globs; none for a single-package project."""
    folders: set[str] = set()
    for pattern in _patterns(root):
        # "." (alexanderop/nuxt-starter's pnpm-workspace.yaml `packages: [.]`, written for pnpm's settings) is
        # the root itself, no member; pathlib cannot glob it.
        if pattern.startswith(("!", "/")) or ".." in pattern or os.path.normpath(pattern) == ".":
            continue
        for path in root.glob(pattern.rstrip("/")):
            rel = path.relative_to(root).as_posix()
            if rel != "." and "node_modules" not in rel.split("/") and (path / "package.json").is_file():
                folders.add(rel)
    return tuple(sorted(folders))


# Server frameworks that run on Bun alone (not in nodestart.SERVER_PACKAGES, which Node runs).
_BUN_SERVERS = frozenset({"elysia", "@elysiajs/node"})


def _deployable(folder: Path, bun: bool) -> bool:
    """A member that runs a server: a start script that is not a dev server, or a server framework."""
    pkg = package_json(folder)
    scripts = scripts_of(pkg)
    start = scripts.get("start", "")
    servers = SERVER_PACKAGES | _BUN_SERVERS if bun else SERVER_PACKAGES
    return bool(start and not _dev_server(start, scripts)) or bool(servers & _deps(pkg))


def _start_of(folder: Path, bun: bool) -> Start | None:
    """A member's start command: read as a Bun project's (run with bun) or a Node one's (Next.js on `next start`)."""
    return bunstart.bun_start(folder) if bun else node_start(folder, standalone=False)


# Process runners a workspace root's start script runs its members' scripts with (`concurrently "yarn server"
# "yarn client"`, `turbo run start`): the root is then no server of its own.
_RUNNERS = frozenset({"concurrently", "npm-run-all", "run-p", "run-s", "turbo", "lerna", "nx"})


def _root_server(root: Path, bun: bool) -> bool:
    """Whether the workspace root runs a server of its own (not its members' scripts through a process runner). A
    Bun root's index.ts or `module` (what `bun init` writes at the top of every new workspace) is none: only its
    Procfile or start script."""
    if bun and not (procfile_web(root) or scripts_of(package_json(root)).get("start")):
        return False
    start = bunstart.bun_start(root) if bun else node_start(root)
    return start is not None and not any(Path(w).name in _RUNNERS for w in start.entrypoint[:2])


def workspace_app(root: Path, bun: bool = False) -> WorkspaceApp | None:
    """The member package a workspace root with no server of its own runs, or None; `bun`: a Bun workspace, whose
    members run with bun."""
    folders = members(root)
    if not folders or _root_server(root, bun):
        return None
    apps = [f for f in folders if _deployable(root / f, bun)]
    started = [(f, s) for f in apps if (s := _start_of(root / f, bun)) is not None]
    if not started:
        return None
    rank = {name: i for i, name in enumerate(_PREFERRED)}
    folder, start = min(started, key=lambda fs: (rank.get(Path(fs[0]).name, len(rank)), fs[0]))
    others = [f for f, _ in started if f != folder]
    why = f"the workspace's server package is {folder}" + (
        f" (of {', '.join([folder, *others])}; the first by name: web, app, frontend, site, server, api)"
        if others else "")
    standalone = not bun and _next_start(start.entrypoint) and next_standalone(root / folder,
                                                                             package_json(root / folder))
    if standalone:
        built = f"{folder}/{next_dist_dir(root / folder)}/standalone"
        start = Start(("/usr/bin/env", "HOSTNAME=0.0.0.0", "node", "server.js"),
                      f"Next.js's standalone server, which its build writes to {built} (the image holds it alone: it "
                      "bundles what the pages use; HOSTNAME=0.0.0.0: it listens on the container's hostname otherwise)")
    else:
        start = _hoisted(root, folder, start)
    name = package_json(root / folder).get("name")
    kept = closure(root, folder, folders)
    return WorkspaceApp(folder, folders, start, why, name if isinstance(name, str) and name else folder,
                        kept, bool(standalone), manifests(root, folders), next_dist_dir(root / folder),
                        feeders(root, kept, folders))


def frontend_member(root: Path) -> WorkspaceSite | None:
    """The front-end-only member (a Vite or CRA app: a build script and no server) of a workspace none of whose
    members runs a server, by the same name order; None otherwise."""
    folders = members(root)
    if not folders or _root_server(root, False) or workspace_app(root) is not None:
        return None
    sites = [f for f in folders if frontend_only(root / f)]
    rank = {name: i for i, name in enumerate(_PREFERRED)}
    if not sites:
        return None
    return WorkspaceSite(min(sites, key=lambda f: (rank.get(Path(f).name, len(rank)), f)), manifests(root, folders))


def closure(root: Path, folder: str, folders: tuple[str, ...]) -> tuple[str, ...]:
    """`folder` and the member folders its production dependencies name (`"ui": "workspace:*"`), followed: what
    of the workspace's sources the runtime needs beside its installed packages."""
    named = {n: f for f in folders if isinstance(n := package_json(root / f).get("name"), str)}
    found, todo = [folder], [folder]
    while todo:
        pkg = package_json(root / todo.pop())
        for key in ("dependencies", "optionalDependencies"):
            table = pkg.get(key)
            for dep in table if isinstance(table, dict) else ():
                if (f := named.get(dep)) is not None and f not in found:
                    found.append(f)
                    todo.append(f)
    return tuple(found)


# An output-folder option with its path: vite's `outDir: '../api/public'` (also inside path.resolve(__dirname, …)),
# tsc's --outDir, esbuild's and bun's --outdir, babel's --out-dir, Angular's --output-path, CRA's BUILD_PATH=.
_OUT_OPTION = re.compile(r"""(?:\boutDir\s*:\s*(?:[\w.]+\(\s*__dirname\s*,\s*)?|--out-?dir[= ]|--outDir[= ]|"""
                         r"""--output-path[= ]|\bBUILD_PATH=)['"]?(\.\.?/[^'"\s,)]+)""")
_BUILD_CONFIGS = ("vite.config.js", "vite.config.ts", "vite.config.mjs", "vite.config.mts", "angular.json")


def feeders(root: Path, kept: tuple[str, ...], folders: tuple[str, ...]) -> tuple[str, ...]:
    """The members outside `kept` whose build writes into a kept folder (a Vite client whose outDir is
    ../api/public, served by the api member): the image's build runs them too, or that folder stays empty."""
    found = []
    for folder in folders:
        if folder in kept:
            continue
        texts = [scripts_of(package_json(root / folder)).get("build", "")]
        texts += [read_text(root / folder / name) for name in _BUILD_CONFIGS]
        for match in (m for text in texts for m in _OUT_OPTION.finditer(text)):
            target = os.path.normpath(os.path.join(folder, match.group(1)))
            if any(target == k or target.startswith(f"{k}/") for k in kept):
                found.append(folder)
                break
    return tuple(found)


def _hoisted(root: Path, folder: str, start: Start) -> Start:
    """`start` with a dependency's executable found where the installer puts it: pnpm links one into the member's
    own node_modules/.bin; npm and yarn hoist it to the root's."""
    if (root / "pnpm-lock.yaml").is_file():
        return start
    up = os.path.relpath(root, root / folder)
    words = tuple(f"{up}/{w[2:]}" if w.startswith("./node_modules/.bin/") else w for w in start.entrypoint)
    return Start(words, start.why, start.bundle)
