"""Folders a Python service makes beside its code at start-up, read from its sources.

Under the manifest's read-only root filesystem only emptyDirs are writable, so a service that makes `logs/` in its
working folder (`os.mkdir('logs')` before a `RotatingFileHandler('logs/app.log')`) stops at start. `init` names
each such folder in `manifest.writable_paths`, and an emptyDir is mounted there. A folder the project ships with
files in it is left alone: an emptyDir would hide them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from imgforge.generate.facts import read_text, source_files

_FOLDER = r"""['"]([A-Za-z0-9_-][A-Za-z0-9_.-]*)(?:/[A-Za-z0-9_.-]+)*/?['"]"""
_MAKES = (
    re.compile(rf"\bos\.(?:mkdir|makedirs)\(\s*{_FOLDER}"),
    re.compile(rf"\bPath\(\s*{_FOLDER}\s*\)\.mkdir\("),
    # A log file handler on a relative path: the folder must be writable even when the project ships it.
    re.compile(r"""FileHandler\(\s*['"]([A-Za-z0-9_-][A-Za-z0-9_.-]*)/[^'"/]+['"]"""),
)
_KEPT = {".gitkeep", ".keep", ".gitignore"}


@dataclass(frozen=True)
class Written:
    """A folder under the working directory the service writes, and the source line that says so."""

    folder: str
    why: str


def _ships_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() and p.name not in _KEPT for p in folder.rglob("*"))


def written_folders(root: Path) -> list[Written]:
    """Top-level folders of the project the sources make at run time (first source line for each), sorted."""
    found: dict[str, Written] = {}
    for path in source_files(root, (".py",)):
        for number, line in enumerate(read_text(path).splitlines(), 1):
            for pattern in _MAKES:
                for m in pattern.finditer(line):
                    name = m.group(1)
                    if name in found or name in (".", "..") or _ships_files(root / name):
                        continue
                    where = f"{path.relative_to(root).as_posix()}:{number}"
                    found[name] = Written(name, f"{where}: {line.strip()[:80]}")
    return [found[k] for k in sorted(found)]
