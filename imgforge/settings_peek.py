"""A cheap look at a settings file, before the settings model (pydantic, yaml) is worth loading."""

from __future__ import annotations

from pathlib import Path


def may_hold_section(file: Path, section: str) -> bool:
    """Whether `file` exists and may hold the `section` settings: a top-level `section` key in imgforge.yaml, a
    `[tool.imgforge...]` table in pyproject.toml. Settings that say nothing about it skip pydantic and the settings
    model (~0.15 s of a one-file lint or a `scan ARCHIVE`); anything unclear counts as "may", for the full reader."""
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    except (OSError, UnicodeDecodeError):
        return True
    if file.suffix == ".toml":
        return "tool.imgforge" in text
    starts = (section, f"'{section}'", f'"{section}"', "{", "?", "<<")
    return any(line.lstrip().startswith(starts) for line in text.splitlines())
