"""Dockerfile linting: `lint(text, path, config) -> list[Finding]` and `lint_file(path) -> LintReport`.

Rules live in `imgforge.lint.rules`, one small function each; the parser reports `syntax` findings itself.
A batch never stops on one file: a file the linter fails on gets one INT001 finding, and a report holding one
makes `imgforge lint` exit with EXIT_INTERNAL (4), whatever --fail-on says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imgforge.errors import UsageError
from imgforge.lint import purpose as purposes
from imgforge.lint import shellcheck
from imgforge.lint.context import folder_contexts
from imgforge.lint.model import SEVERITY_RANK, Dockerfile, FailOn, Finding
from imgforge.lint.parser import parse
from imgforge.lint.rules import RULES, Rule
from imgforge.lint.rules.effects import run_effects
from imgforge.lint.rules.secret import assignments
from imgforge.lint.rules.shell import commands, script_words, top_commands
from imgforge.settings_peek import may_hold_section

if TYPE_CHECKING:
    from imgforge.lint.config import LintConfig, load_config

__all__ = ["EXIT_INTERNAL", "Finding", "LintConfig", "LintReport", "RULES", "Rule", "lint", "lint_file",
           "lint_files", "load_config", "parse"]

EXIT_INTERNAL = 4  # the linter itself failed on a file (a bug to report), distinct from findings (1) and usage (2)
_SETTINGS_FILES = ("imgforge.yaml", "pyproject.toml")


def __getattr__(name: str) -> Any:
    # Deferred: the settings model needs pydantic and YAML (~0.3 s of start-up) that most lint runs never use.
    if name in ("LintConfig", "load_config"):
        from imgforge.lint import config

        return getattr(config, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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


def _check(df: Dockerfile, disabled: tuple[str, ...]) -> list[Finding]:
    found: list[Finding] = list(df.findings)
    if df.stages:
        for rule in RULES.values():
            if rule.check is None or rule.id in disabled:
                continue
            for h in rule.check(df):
                found.append(Finding(df.path, h.line, h.end_line, rule.id, rule.category, h.severity or rule.severity,
                                     h.message, rule.fix))
    return found


def _finish(found: list[Finding], df: Dockerfile, text: str, config: LintConfig | None,
            purpose: purposes.Purpose) -> list[Finding]:
    """Findings after `# imgforge-ignore:` comments, the image's purpose (hygiene findings in a test image are
    info) and the config's disable/severity settings, sorted by line."""
    disable = config.disable if config is not None else ()
    severity = config.severity if config is not None else {}
    ignored = _suppressed(df, text.split("\n")) if "imgforge-ignore" in text else {}
    out: dict[tuple[str, int, str], Finding] = {}
    for f in purposes.apply(found, purpose, set(severity)):
        if f.rule in disable or f.rule in ignored.get(f.line, ()) or "ALL" in ignored.get(f.line, ()):
            continue
        if f.rule in severity:
            f = Finding(f.file, f.line, f.end_line, f.rule, f.category, severity[f.rule], f.message, f.fix)
        key = f.message[:7] if f.rule == shellcheck.RULE_ID else ""  # one per ShellCheck code and line
        out.setdefault((f.rule, f.line, key), f)
    return sorted(out.values(), key=lambda f: (f.line, f.rule))


def _internal(path: str, exc: BaseException) -> Finding:
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:  # the innermost frame says where the linter failed
        tb = tb.tb_next
    at = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}" if tb is not None else ""
    rule = RULES["INT001"]
    return Finding(path, 1, 1, rule.id, rule.category, rule.severity,
                   f"the linter failed on this file ({type(exc).__name__}{at}); other files were linted", rule.fix)


def _clear_caches() -> None:
    # Scoped to one call (a file, or a batch): the rules share the splits of a script, and a batch the splits of the
    # RUN scripts its files have in common (variants of one image repeat them); the caches are bounded (lru), and
    # a run starts from empty ones, so a benchmark's warm-up or earlier run does not do its work.
    script_words.cache_clear()
    commands.cache_clear()
    top_commands.cache_clear()
    run_effects.cache_clear()
    assignments.cache_clear()


def lint(text: str, path: str = "Dockerfile", config: LintConfig | None = None) -> list[Finding]:
    """All findings for Dockerfile `text` (sorted by line), after suppressions and severity overrides.

    Rules only, no ShellCheck (that is an external process: `lint_files` runs it once for a whole batch).
    """
    _clear_caches()
    df = parse(text, path)
    purpose = purposes.classify(df, (config.purpose if config is not None else None) or "auto")
    return _finish(_check(df, config.disable if config is not None else ()), df, text, config, purpose)


@dataclass(frozen=True)
class LintReport:
    """Findings for one or more files, with counts by severity and machine renderings."""

    findings: tuple[Finding, ...]
    files: tuple[str, ...]
    # What each file's image is for, as lint judged it (`test`, `dev`, `fixture`, `docs`, `base`, `service`, `tool`).
    purposes: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings per severity."""
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            counts[f.severity] += 1
        return counts

    @property
    def internal_error(self) -> bool:
        """True when the linter failed on some file (the CLI then exits with EXIT_INTERNAL)."""
        return any(f.rule == "INT001" for f in self.findings)

    def failed(self, fail_on: FailOn = "error") -> bool:
        """True when any finding is at or above `fail_on` (never: always False)."""
        return bool(self.failing(fail_on))

    def failing(self, fail_on: FailOn = "error") -> list[Finding]:
        """The findings at or above `fail_on`, in report order (never: none)."""
        if fail_on == "never":
            return []
        return [f for f in self.findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on]]

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


def _config_beside(folder: Path) -> LintConfig | None:
    """The settings in `folder`, or None (without loading the settings machinery) when it has no settings file."""
    if not any(may_hold_section(folder / name, "lint") for name in _SETTINGS_FILES):
        return None
    from imgforge.lint.config import load_config  # deferred with the settings model, see __getattr__

    return load_config(folder)


def lint_files(paths: list[Path], config: LintConfig | None = None, *, use_shellcheck: bool = True) -> LintReport:
    """Lint several Dockerfiles into one report; ShellCheck (when installed) runs once over all their RUN scripts.

    An unreadable path is a UsageError; a file the linter fails on gets an INT001 finding and the batch goes on.
    """
    findings: dict[str, list[Finding]] = {}
    parsed: list[tuple[Dockerfile, str]] = []
    configs: dict[Path, LintConfig | None] = {}
    settings: dict[str, LintConfig | None] = {}
    judged: dict[str, purposes.Purpose] = {}
    kinds: dict[str, str] = {}
    executable = shellcheck.find_shellcheck() if use_shellcheck else None
    run: shellcheck.Run | None = None
    _clear_caches()
    for path in paths:
        cfg = config
        if cfg is None:
            folder = path.parent
            if folder not in configs:
                configs[folder] = _config_beside(folder)
            cfg = configs[folder]
        text = read_dockerfile(path)
        name = str(path)
        settings[name] = cfg
        try:
            df = replace(parse(text, name), contexts=folder_contexts(path))  # stat-ed only if a rule asks
            judged[name] = purposes.classify(df, (cfg.purpose if cfg is not None else None) or "auto", on_disk=True)
            kinds[name] = purposes.report_kind(judged[name], df)
            findings[name] = _finish(_check(df, cfg.disable if cfg is not None else ()), df, text, cfg, judged[name])
            disabled = cfg.disable if cfg is not None else ()
            if executable is not None and df.stages and shellcheck.RULE_ID not in disabled:
                run = run or shellcheck.Run(executable)
                run.add(df, text)  # ShellCheck starts on these scripts while the next files are read
                parsed.append((df, text))
        except Exception as exc:  # one bad file must not abort the batch (RecursionError included)
            findings[name] = [_internal(name, exc)]
    if run is not None:
        by_file: dict[str, list[Finding]] = {}
        for f in run.findings():
            by_file.setdefault(f.file, []).append(f)
        for df, text in parsed:
            if df.path in by_file:
                findings[df.path] = _finish(findings[df.path] + by_file[df.path], df, text, settings[df.path],
                                            judged[df.path])
    ordered = [f for path in paths for f in findings.get(str(path), [])]
    return LintReport(tuple(ordered), tuple(str(p) for p in paths), kinds)
