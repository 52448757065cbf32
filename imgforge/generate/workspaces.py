"""A Node workspace (npm or yarn `workspaces`, pnpm-workspace.yaml) whose server lives in a member package
(apps/web): which member the image runs, installed with the workspace's lockfile at the root, as Railpack and
Nixpacks build a monorepo."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from imgforge.generate.facts import Start, read_text
from imgforge.generate.nodestart import SERVER_PACKAGES, _deps, _dev_server, _scripts, node_start, package_json

# Member folder names that say "the deployable app", most likely first (turborepo's apps/web, apps/api).
_PREFERRED = ("web", "app", "frontend", "site", "www", "server", "api", "backend")


@dataclass(frozen=True)
class WorkspaceApp:
    """The member package the image runs, every member's folder (their manifests feed the install), the start
    command relative to the member's folder, and why this member."""

    folder: str
    members: tuple[str, ...]
    start: Start
    why: str


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
        if pattern.startswith(("!", "/")) or ".." in pattern:
            continue
        for path in root.glob(pattern.rstrip("/")):
            rel = path.relative_to(root).as_posix()
            if rel != "." and "node_modules" not in rel.split("/") and (path / "package.json").is_file():
                folders.add(rel)
    return tuple(sorted(folders))


def _deployable(folder: Path) -> bool:
    """A member that runs a server: a start script that is not a dev server, or a server framework."""
    pkg = package_json(folder)
    scripts = _scripts(pkg)
    start = scripts.get("start", "")
    return bool(start and not _dev_server(start, scripts)) or bool(SERVER_PACKAGES & _deps(pkg))


def workspace_app(root: Path) -> WorkspaceApp | None:
    """The member package a workspace root with no server of its own runs, or None."""
    folders = members(root)
    if not folders or node_start(root) is not None:
        return None
    apps = [f for f in folders if _deployable(root / f)]
    started = [(f, s) for f in apps if (s := node_start(root / f, standalone=False)) is not None]
    if not started:
        return None
    rank = {name: i for i, name in enumerate(_PREFERRED)}
    folder, start = min(started, key=lambda fs: (rank.get(Path(fs[0]).name, len(rank)), fs[0]))
    others = [f for f, _ in started if f != folder]
    why = f"the workspace's server package is {folder}" + (
        f" (of {', '.join([folder, *others])}; the first by name: web, app, frontend, site, server, api)"
        if others else "")
    return WorkspaceApp(folder, folders, _hoisted(root, folder, start), why)


def _hoisted(root: Path, folder: str, start: Start) -> Start:
    """`start` with a dependency's executable found where the installer puts it: pnpm links one into the member's
    own node_modules/.bin; npm and yarn hoist it to the root's."""
    if (root / "pnpm-lock.yaml").is_file():
        return start
    up = os.path.relpath(root, root / folder)
    words = tuple(f"{up}/{w[2:]}" if w.startswith("./node_modules/.bin/") else w for w in start.entrypoint)
    return Start(words, start.why, start.bundle)
