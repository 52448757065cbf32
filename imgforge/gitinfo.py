"""The few facts imgforge reads from git, each None outside a repository or when git is missing."""

from __future__ import annotations

import subprocess
from pathlib import Path


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
