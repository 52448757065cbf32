"""Dockerfile linting: `lint(text, path, config) -> list[Finding]` and `lint_file(path) -> LintReport`.

Rules live in `imgforge.lint.rules`, one small function each; the parser reports `syntax` findings itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from imgforge.errors import UsageError
from imgforge.lint.config import FailOn, LintConfig, load_config
from imgforge.lint.model import SEVERITY_RANK, Dockerfile, Finding
from imgforge.lint.parser import parse
from imgforge.lint.rules import RULES, Rule
from imgforge.lint.rules.shell import commands

__all__ = ["Finding", "LintConfig", "LintReport", "RULES", "Rule", "lint", "lint_file", "lint_files",
           "load_config", "parse"]

_IGNORE = re.compile(r"imgforge-ignore:\s*([A-Za-z0-9_,\s-]+)")
MAX_BYTES = 64 * 1024 * 1024


def _suppressed(df: Dockerfile, lines: list[str]) -> dict[int, set[str]]:
    """Rule ids ignored per line: `# imgforge-ignore: ID` on the line itself or in the comments just above."""
    out: dict[int, set[str]] = {}
    for ins in df.instructions:
        ids: set[str] = set()
        for k in range(ins.line - 1, min(ins.end_line, len(lines))):
            if "imgforge-ignore" in lines[k]:
                ids |= _ids(lines[k])
        k = ins.line - 1
        while k >= 1 and k in df.comments:
            ids |= _ids(df.comments[k])
            k -= 1
        if ids:
            for n in range(ins.line, ins.end_line + 1):
                out.setdefault(n, set()).update(ids)
    return out


def _ids(text: str) -> set[str]:
    m = _IGNORE.search(text)
    return {i.upper() for i in re.split(r"[\s,]+", m.group(1)) if i} if m else set()


def lint(text: str, path: str = "Dockerfile", config: LintConfig | None = None) -> list[Finding]:
    """All findings for Dockerfile `text` (sorted by line), after suppressions and severity overrides."""
    config = config or LintConfig()
    commands.cache_clear()  # scoped to one file: the rules share splits, memory stays bounded across files
    df = parse(text, path)
    found: list[Finding] = list(df.findings)
    if df.stages:
        for rule in RULES.values():
            if rule.check is None or rule.id in config.disable:
                continue
            for h in rule.check(df):
                found.append(Finding(path, h.line, h.end_line, rule.id, rule.category, rule.severity, h.message,
                                     rule.fix))
    ignored = _suppressed(df, text.split("\n")) if "imgforge-ignore" in text else {}
    out: dict[tuple[str, int], Finding] = {}
    for f in found:
        if f.rule in config.disable or f.rule in ignored.get(f.line, ()) or "ALL" in ignored.get(f.line, ()):
            continue
        if f.rule in config.severity:
            f = Finding(f.file, f.line, f.end_line, f.rule, f.category, config.severity[f.rule], f.message, f.fix)
        out.setdefault((f.rule, f.line), f)
    return sorted(out.values(), key=lambda f: (f.line, f.rule))


@dataclass(frozen=True)
class LintReport:
    """Findings for one or more files, with counts by severity and machine renderings."""

    findings: tuple[Finding, ...]
    files: tuple[str, ...]

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings per severity."""
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            counts[f.severity] += 1
        return counts

    def failed(self, fail_on: FailOn = "error") -> bool:
        """True when any finding is at or above `fail_on` (never: always False)."""
        if fail_on == "never":
            return False
        return any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on] for f in self.findings)

    def to_json(self) -> dict[str, object]:
        """The JSON document: {"findings": [...], "counts": {...}, "files": [...]}."""
        from imgforge.lint.formats import to_json

        return to_json(self)

    def to_sarif(self) -> dict[str, object]:
        """A SARIF 2.1.0 log with rule metadata, for GitHub code scanning."""
        from imgforge.lint.formats import to_sarif

        return to_sarif(self)


def read_dockerfile(path: Path) -> str:
    """The text of a Dockerfile; unreadable or huge files are a UsageError (exit 2)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise UsageError(f"linting {path}: file is {size} bytes, more than the {MAX_BYTES} byte limit")
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise UsageError(f"linting {path}: is a directory, not a Dockerfile") from exc
    except OSError as exc:
        raise UsageError(f"linting {path}: {exc.strerror or exc}") from exc
    return data.decode("utf-8", errors="replace")


def lint_file(path: Path | str, config: LintConfig | None = None) -> LintReport:
    """Lint one Dockerfile from disk; config defaults to the settings found beside it."""
    return lint_files([Path(path)], config)


def lint_files(paths: list[Path], config: LintConfig | None = None) -> LintReport:
    """Lint several Dockerfiles into one report."""
    findings: list[Finding] = []
    configs: dict[Path, LintConfig] = {}
    for path in paths:
        cfg = config
        if cfg is None:
            folder = path.parent
            cfg = configs[folder] = configs.get(folder) or load_config(folder)
        findings += lint(read_dockerfile(path), str(path), cfg)
    return LintReport(tuple(findings), tuple(str(p) for p in paths))
