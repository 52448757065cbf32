"""Guess a project's stack from its files, using each recipe's `detect` rules."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from imgforge.errors import UsageError
from imgforge.generate.bunstart import bun_app
from imgforge.generate.nodestart import frontend_only, node_app
from imgforge.generate.workspaces import frontend_member, members
from imgforge.recipes import load_all
from imgforge.recipes.model import Recipe



def _site(root: Path) -> bool:
    """A front-end-only project, or a workspace whose only deployable member is one (its members' index.html
    files do not make a workspace with a server member a site)."""
    if members(root):
        return frontend_member(root) is not None or (
            frontend_only(root) and any((root / p).is_file() for p in ("index.html", "public/index.html",
                                                                       "src/index.html")))
    return frontend_only(root)


# Tests of a project's contents a recipe's `detect.check` can ask for.
CHECKS = {"frontend-only": _site, "node-app": node_app, "bun-app": bun_app}


def _matches(root: Path, pattern: str) -> bool:
    return any(root.glob(pattern))


def matching(path: Path, extra_dirs: Sequence[Path] = ()) -> list[Recipe]:
    """Recipes whose detect rules match the project at `path`, best first."""
    root = Path(path)
    found = []
    for recipe in load_all(extra_dirs):
        rule = recipe.detect
        if not rule.all and not rule.any:
            continue
        if not all(_matches(root, p) for p in rule.all) or (rule.any and not any(_matches(root, p) for p in rule.any)):
            continue
        if rule.check is None or CHECKS[rule.check](root):
            found.append(recipe)
    return sorted(found, key=lambda r: (-r.detect.priority, r.name))


def detect_stack(path: Path, extra_dirs: Sequence[Path] = ()) -> str:
    """The name of the best-matching recipe for the project at `path`."""
    root = Path(path)
    if not root.is_dir():
        raise UsageError(f"detecting the stack: {root} is not a folder")
    found = matching(root, extra_dirs)
    if not found:
        inside = _project_below(root, extra_dirs)
        hint = f"; {inside}/ holds a project a recipe matches: imgforge init {root / inside}" if inside else ""
        raise UsageError(f"detecting the stack of {root}: no recipe matches its files (pass --recipe NAME){hint}")
    return found[0].name


def _project_below(root: Path, extra_dirs: Sequence[Path]) -> str | None:
    """The one folder right under `root` that a recipe matches (a repository whose app is in src/ or app/, built
    by a compose file from there), else None."""
    folders = []
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return None
    for child in children[:50]:
        if matching(child, extra_dirs):
            folders.append(child.name)
    return folders[0] if len(folders) == 1 else None
