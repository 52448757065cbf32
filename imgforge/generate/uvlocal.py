"""The local packages a uv.lock installs from the project's own folders: workspace members and path dependencies
(`source = { editable = "packages/core" }`, `{ directory = … }`, `{ path = … }`), which `uv export` lists as
`-e ./packages/core` and the dependency stage must hold to install them (tdejager/test-uv-versions)."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from imgforge.generate.facts import read_text

_LOCAL = re.compile(r'^source\s*=\s*\{\s*(?:editable|directory|path)\s*=\s*"([^"]+)"', re.M)


def uv_local_sources(root: Path) -> list[str]:
    """The project-relative folders (with a trailing /) and files uv.lock installs from, the project itself and
    anything outside it left out, in lockfile order."""
    found: list[str] = []
    resolved = root.resolve()
    for rel in _LOCAL.findall(read_text(root / "uv.lock", limit=8_000_000)):
        path = PurePosixPath(rel)
        target = (root / rel).resolve()
        if path.is_absolute() or str(path) in (".", "") or not target.is_relative_to(resolved) or target == resolved:
            continue
        if not target.exists():
            continue
        name = target.relative_to(resolved).as_posix() + ("/" if target.is_dir() else "")
        if name not in found:
            found.append(name)
    return found
