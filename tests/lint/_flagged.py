"""The lines a rule flags at warning or error (info left out), for the false-positive class tests."""

from __future__ import annotations

from pathlib import Path

from imgforge.lint import lint, lint_file


def lines(text: str, rule: str, path: str = "Dockerfile") -> list[int]:
    """Lines of `text` where `rule` reports at warning or error."""
    return [f.line for f in lint(text, path) if f.rule == rule and f.severity != "info"]


def file_lines(path: Path, rule: str) -> list[int]:
    """The same for a Dockerfile on disk (the rules that read its build context see it)."""
    return [f.line for f in lint_file(path).findings if f.rule == rule and f.severity != "info"]
