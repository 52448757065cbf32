"""The few facts imgforge reads from git, each None outside a repository or when git is missing."""

from __future__ import annotations

import subprocess
from pathlib import Path

from imgforge.settings import SETTINGS_FILE
from imgforge.tags import versions_in


def git(path: Path, *args: str) -> str | None:
    """Stripped stdout of `git -C path ARGS`, or None when it fails or prints nothing."""
    try:
        res = subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (res.stdout.strip() or None) if res.returncode == 0 else None


def head_sha(path: Path) -> str | None:
    """The commit HEAD points at."""
    return git(path, "rev-parse", "HEAD")


def last_change(path: Path, fmt: str) -> str | None:
    """`git log -1 --format=FMT -- .` in `path`: the last commit that touched it."""
    return git(path, "log", "-1", f"--format={fmt}", "--", ".")


def latest_version(path: Path) -> str | None:
    """The one version-from-git rule: the highest `vX.Y.Z` semver tag merged into HEAD, without its `v`.

    None outside git or without such a tag. Used by `Project.version` and `push.project_version` alike.
    """
    merged = (git(path, "tag", "--merged", "HEAD", "--list", "v[0-9]*") or "").split()
    found = versions_in(tag[1:] for tag in merged)
    return str(max(found.values())) if found else None


def project_sha(path: Path) -> str | None:
    """HEAD of the project's own repository: only when `path` holds an imgforge.yaml inside a git work tree.

    A `sha-<hex>` tag must name the commit the image was built from, never that of whatever repository
    the current directory happens to be in; outside git (or without a project there) there is none.
    """
    if not (path / SETTINGS_FILE).is_file():
        return None
    return head_sha(path)
