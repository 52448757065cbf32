"""The `version:` section `init` writes: where the image's version comes from, and why."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from imgforge.errors import UsageError
from imgforge.generate.facts import dig, parse_toml, read_text
from imgforge.generate.nodestart import package_json


def _declared_version(root: Path) -> str | None:
    version = package_json(root).get("version")
    if not isinstance(version, str):
        try:
            version = dig(parse_toml(read_text(root / "pyproject.toml")), "project", "version")
        except ValueError:
            version = None
    return version if isinstance(version, str) and re.match(r"^\d+\.\d+\.\d+$", version) else None


def _git_tagged(root: Path) -> bool:
    try:
        res = subprocess.run(["git", "-C", str(root), "tag", "--list", "v[0-9]*"], capture_output=True, text=True,
                             check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return res.returncode == 0 and bool(res.stdout.strip())


def version_section(root: Path, source: str | None) -> tuple[dict[str, str], str]:
    """The `version:` section and a comment: the given source, else VERSION, a vX.Y.Z tag, the declared version."""
    if source is not None:
        if source not in ("file", "git", "fixed"):
            raise UsageError(f"init: --version-source {source!r}: use file, git or fixed")
        if source == "file":
            return {"source": "file", "file": "VERSION"}, ""
        if source == "fixed":
            return {"source": "fixed", "value": _declared_version(root) or "0.1.0"}, ""
        return {"source": "git"}, ""
    if (root / "VERSION").is_file():
        return {"source": "file", "file": "VERSION"}, "the VERSION file"
    if _git_tagged(root):
        return {"source": "git"}, "the latest vX.Y.Z git tag"
    declared = _declared_version(root)
    if declared:
        return {"source": "fixed", "value": declared}, ("the version the project declares; bump it here too, "
                                                         "or tag vX.Y.Z and use source: git")
    return {"source": "fixed", "value": "0.1.0"}, ("no VERSION file, tag or declared version; change it at "
                                                   "each release")
