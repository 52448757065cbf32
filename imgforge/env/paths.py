"""Where imgforge keeps its local state (registry storage, pid files, logs)."""

from __future__ import annotations

import os
from pathlib import Path

from imgforge.errors import EnvironmentProblem


def state_dir() -> Path:
    """The state folder: $IMGFORGE_STATE, else `.state` in a source checkout, else $XDG_STATE_HOME/imgforge."""
    env = os.environ.get("IMGFORGE_STATE")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "imgforge").is_dir():
        return checkout / ".state"
    xdg = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(xdg) / "imgforge"


def debian_mirror() -> str:
    """$IMGFORGE_DEBIAN_MIRROR, else the Debian mirror URI this machine's apt uses (never hard-coded)."""
    if os.environ.get("IMGFORGE_DEBIAN_MIRROR"):
        return os.environ["IMGFORGE_DEBIAN_MIRROR"]
    for src in (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list")):
        try:
            text = src.read_text()
        except OSError:
            continue
        for line in text.splitlines():
            parts = line.split()
            if line.startswith("URIs:") and len(parts) > 1:
                return parts[1]
            if line.startswith("deb ") and len(parts) > 2:
                return parts[2] if parts[1].startswith("[") else parts[1]
    raise EnvironmentProblem("finding a Debian mirror: no URI in /etc/apt/sources.list(.d)")
