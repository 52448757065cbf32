"""The git questions `plan` asks: where the repository is, which files changed in a range, a file at a revision."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from imgforge.errors import UsageError


@dataclass(frozen=True)
class Range:
    """What `--since` names: compare `base` with `head` (None: the working tree, untracked files too)."""

    base: str
    head: str | None


def _git(cwd: Path, *args: str) -> str:
    try:
        res = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"planning: git {args[0]}: {exc}") from exc
    if res.returncode != 0:
        why = (res.stderr.strip().splitlines() or [f"exit {res.returncode}"])[-1]
        raise UsageError(f"planning: git {' '.join(args[:2])}: {why}")
    return res.stdout


def repo_root(cwd: Path) -> Path:
    """The top folder of the git work tree holding `cwd`."""
    return Path(_git(cwd, "rev-parse", "--show-toplevel").strip()).resolve()


def _commit(root: Path, rev: str) -> str:
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    except UsageError as err:
        raise UsageError(f"planning: --since {rev}: not a commit in {root}") from err


def resolve(root: Path, since: str) -> Range:
    """`REF` (against the working tree), `A..B` or `A...B` (from the merge base of A and B) as commits."""
    if "..." in since:
        left, right = since.split("...", 1)
        head = _commit(root, right or "HEAD")
        base = _git(root, "merge-base", _commit(root, left or "HEAD"), head).strip()
        return Range(base, head)
    if ".." in since:
        left, right = since.split("..", 1)
        return Range(_commit(root, left or "HEAD"), _commit(root, right or "HEAD"))
    return Range(_commit(root, since), None)


def _split(out: str) -> list[str]:
    return [p for p in out.split("\0") if p]


def changed_files(root: Path, rng: Range) -> list[str]:
    """Paths (relative to `root`) added, changed or deleted in the range; a rename counts as both paths."""
    args = ["diff", "--name-only", "--no-renames", "-z", rng.base]
    files = set(_split(_git(root, *args, *([rng.head] if rng.head else []))))
    if rng.head is None:
        files.update(_split(_git(root, "ls-files", "--others", "--exclude-standard", "-z")))
    return sorted(files)


def file_at(root: Path, rev: str | None, path: str) -> str | None:
    """The text of `path` at `rev` (None: the working tree); None when it does not exist there."""
    if rev is None:
        file = root / path
        return file.read_text(encoding="utf-8") if file.is_file() else None
    try:
        return _git(root, "show", f"{rev}:{path}")
    except UsageError:
        return None


def settings_files(root: Path, under: list[Path]) -> list[Path]:
    """Every `imgforge.yaml` git knows of (tracked or untracked, not ignored) under the given folders."""
    rels = [str(p.resolve().relative_to(root)) if p.resolve() != root else "." for p in under]
    out = _git(root, "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", *rels)
    found = {root / p for p in _split(out) if p == "imgforge.yaml" or p.endswith("/imgforge.yaml")}
    return sorted(f for f in found if f.is_file())
