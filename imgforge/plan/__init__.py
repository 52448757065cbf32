"""`imgforge plan`: the projects a change touches, and a CI matrix that builds each on its own runner.

Library: `plan(paths, since) -> Plan`; `Plan.to_json()` holds the GitHub Actions `matrix` object.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imgforge.errors import UsageError
from imgforge.plan.affected import Inputs, Reason, project_inputs
from imgforge.plan.catalog import changed_bases
from imgforge.plan.dockerignore import DockerIgnore
from imgforge.plan.git import Range, changed_files, repo_root, resolve, settings_files
from imgforge.settings import SETTINGS_FILE


@dataclass(frozen=True)
class Affected:
    """One project to build, named by its folder (relative to where `plan` ran) and image, with the reasons."""

    path: str
    image: str
    reasons: tuple[Reason, ...]

    def to_json(self) -> dict[str, Any]:
        """`{"path", "image", "reasons": [{"kind", "what"}]}`."""
        return {"path": self.path, "image": self.image, "reasons": [r.to_json() for r in self.reasons]}


@dataclass(frozen=True)
class Plan:
    """The result: the range compared, the changed files, and the affected and unaffected projects."""

    since: str | None
    range: Range | None
    changed: tuple[str, ...]
    bases: tuple[str, ...]
    affected: tuple[Affected, ...]
    unaffected: tuple[str, ...]

    def matrix(self) -> dict[str, list[dict[str, str]]]:
        """The GitHub Actions `strategy.matrix` value: one entry per affected project."""
        return {"include": [{"project": a.path, "image": a.image} for a in self.affected]}

    def to_json(self) -> dict[str, Any]:
        """Everything, for machines; `matrix` is ready for `fromJSON` in a workflow."""
        return {
            "since": self.since,
            "base": self.range.base if self.range else None,
            "head": (self.range.head or "working tree") if self.range else None,
            "changed_files": len(self.changed),
            "changed_bases": list(self.bases),
            "projects": [a.to_json() for a in self.affected],
            "unaffected": list(self.unaffected),
            "count": len(self.affected),
            "matrix": self.matrix(),
        }


def _display(cwd: Path, folder: Path) -> str:
    rel = os.path.relpath(folder, cwd)
    return Path(rel).as_posix()


def _find(root: Path, cwd: Path, paths: Sequence[Path]) -> list[Path]:
    """Settings files named by `paths`: a project folder (or its imgforge.yaml), else every project below."""
    explicit: list[Path] = []
    search: list[Path] = []
    for given in paths:
        path = (cwd / given).resolve()
        if path.is_file() or (path / SETTINGS_FILE).is_file():
            explicit.append(path if path.is_file() else path / SETTINGS_FILE)
        elif path.is_dir():
            search.append(path)
        else:
            raise UsageError(f"planning: {given} is neither a project folder nor a folder")
        if path != root and root not in path.parents:
            raise UsageError(f"planning: {given} is outside the git repository {root}")
    found = explicit + (settings_files(root, search) if search else [])
    return sorted(set(found))


def _everything(changed: Sequence[str], all_on: Sequence[str]) -> str | None:
    """The first changed file that matches an `all_on` pattern (.dockerignore syntax), else None."""
    if not all_on:
        return None
    matcher = DockerIgnore("\n".join(all_on))
    return next((file for file in changed if matcher.excludes(file)), None)


def plan(paths: Sequence[Path], since: str | None, cwd: Path | None = None, all_on: Sequence[str] = ()) -> Plan:
    """The projects under `paths` that a change since `since` touches (every project when `since` is None,
    or when a changed file matches one of the `all_on` patterns, e.g. the build tooling itself)."""
    here = (cwd or Path.cwd()).resolve()
    root = repo_root(here)
    projects = [project_inputs(root, f) for f in _find(root, here, paths or [Path(".")])]
    rng = resolve(root, since) if since is not None else None
    changed = changed_files(root, rng) if rng is not None else []
    bases = changed_bases(root, rng, changed) if rng is not None else frozenset()
    trigger = _everything(changed, all_on)
    affected: list[Affected] = []
    unaffected: list[str] = []
    for inputs in projects:
        shown = _display(here, root / inputs.path)
        if rng is None:
            reasons = [Reason("all", "no --since: every project")]
        elif trigger is not None:
            reasons = [Reason("all", trigger)]
        else:
            reasons = inputs.reasons(changed, bases)
        if reasons:
            affected.append(Affected(shown, inputs.image, tuple(reasons)))
        else:
            unaffected.append(shown)
    return Plan(since, rng, tuple(changed), tuple(sorted(bases)), tuple(affected), tuple(unaffected))


__all__ = ["Affected", "DockerIgnore", "Inputs", "Plan", "Reason", "plan"]
