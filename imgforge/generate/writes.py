"""Folders a Python service makes beside its code at start-up, read from its sources; Next.js's cache folder.

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
from imgforge.generate.nodestart import is_next_standalone, next_dist_dir, node_start, package_json

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


def node_written_folders(root: Path, standalone: bool = True) -> list[Written]:
    """Next.js (`next start`) writes its optimised images and fetched data under .next/cache (its distDir's) while
    it serves; the node recipe leaves the build's own cache there out of the image."""
    production = package_json(root).get("dependencies")
    if isinstance(production, dict) and "next" in production:
        start = node_start(root, standalone)
        # The standalone server's working folder is its own (server.js chdirs there).
        dist = next_dist_dir(root)
        where = f"{start.bundle}/{dist}/cache" if start and is_next_standalone(start.bundle) else f"{dist}/cache"
        return [Written(where, "Next.js writes its image and data caches there while it serves")]
    return []


# A Django settings file's SQLite database beside the code: `BASE_DIR / "db.sqlite3"` or
# `os.path.join(BASE_DIR, "db.sqlite3")`, with the sqlite3 engine in the same file (startproject's default).
_DJANGO_SQLITE = re.compile(
    r"""['"]NAME['"]\s*:\s*(?:BASE_DIR\s*/\s*|os\.path\.join\(\s*BASE_DIR\s*,\s*)['"]([A-Za-z0-9_.-]+)['"]""")
_SQLITE_ENGINE = "django.db.backends.sqlite3"


def django_sqlite(root: Path) -> Written | None:
    """The SQLite file a Django project's settings keep at its root, when the project does not ship it."""
    if not (root / "manage.py").is_file():
        return None
    for path in source_files(root, (".py",)):
        text = read_text(path)
        if _SQLITE_ENGINE not in text:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            m = _DJANGO_SQLITE.search(line)
            if m and not (root / m.group(1)).exists():
                return Written(m.group(1), f"{path.relative_to(root).as_posix()}:{number}")
    return None
