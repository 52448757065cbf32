"""hadolint's codes and settings, read as ours: a team moving from hadolint keeps its `# hadolint ignore=DL3008`
comments and its `.hadolint.yaml` (`ignored`, `override`, `failure-threshold`).

A DL code means the rules of ours that say the same thing (EQUIVALENT, also what bench/lint_corpus.py compares);
an SC code is a ShellCheck code, which our SH100 findings carry. A DL code with no equivalent here is ignored: it
names a check we do not make.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from imgforge.errors import UsageError

# hadolint code -> our rules that say the same thing (a match: same file, hadolint's line inside our range).
EQUIVALENT: dict[str, frozenset[str]] = {code: frozenset(ids) for code, ids in {
    "DL3002": {"USR001"}, "DL3006": {"PIN001", "SYN013"}, "DL3007": {"PIN002"}, "DL3009": {"PC001", "PC002"},
    "DL3015": {"BL003"}, "DL3019": {"PC003"}, "DL3042": {"PC004"}, "DL3060": {"PC006"},
    "DL3032": {"PC007"}, "DL3036": {"PC007"}, "DL3040": {"PC007"}, "DL3046": {"BL004"},
    "DL3064": {"SEC001", "SEC002"}, "DL3066": {"USR002"}, "DL3022": {"SYN010"}, "DL3023": {"SYN010"},
    "DL3024": {"SYN009"}, "DL3061": {"SYN005"}, "DL3011": {"SYN012"},
    "DL3008": {"PIN004"}, "DL3018": {"PIN005"}, "DL3013": {"PIN006"}, "DL3016": {"PIN007"},
    "DL4006": {"SH001"}, "DL3003": {"SH002"}, "DL3025": {"SH003", "SH005"}, "DL3020": {"SH004"},
}.items()}
SHELLCHECK_CODE = re.compile(r"SC\d{4}")
FILES = (".hadolint.yaml", ".hadolint.yml")
_SEVERITY = {"error": "error", "warning": "warning", "info": "info", "style": "info"}
_THRESHOLD = {**_SEVERITY, "ignore": "never", "none": "never"}


def ours(codes: list[str] | set[str] | tuple[str, ...]) -> set[str]:
    """Our rule ids (and ShellCheck codes, kept as they are) for hadolint's `codes`; unknown DL codes drop out."""
    out: set[str] = set()
    for code in codes:
        code = code.strip().upper()
        if SHELLCHECK_CODE.fullmatch(code):
            out.add(code)
        else:
            out |= EQUIVALENT.get(code, frozenset())
    return out


def find(folder: Path) -> Path | None:
    """The hadolint settings file in `folder`, if any."""
    for name in FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def settings(path: Path) -> dict[str, Any]:
    """A `.hadolint.yaml` as LintConfig fields (`disable`, `severity`, `fail_on`); keys we do not act on (trusted
    registries, label schemas) are left alone. Bad input: one UsageError naming the file and key."""
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        where = getattr(exc, "problem_mark", None)
        at = f":{where.line + 1}" if where is not None else ""
        raise UsageError(f"reading {path}{at}: {getattr(exc, 'problem', None) or exc}") from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise UsageError(f"invalid settings: {path}: expected a mapping at the top level")
    out: dict[str, Any] = {}
    ignored = raw.get("ignored", [])
    if not isinstance(ignored, list) or not all(isinstance(c, str) for c in ignored):
        raise UsageError(f"invalid settings: {path}: ignored: expected a list of codes")
    if ignored:
        out["disable"] = tuple(sorted(ours(ignored)))
    override = raw.get("override", {}) or {}
    if not isinstance(override, dict):
        raise UsageError(f"invalid settings: {path}: override: expected a mapping of severity to codes")
    severity: dict[str, str] = {}
    for level, codes in override.items():
        if level not in _SEVERITY or not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise UsageError(f"invalid settings: {path}: override.{level}: expected error, warning, info or style "
                             "with a list of codes")
        for rule in ours(codes):
            if not SHELLCHECK_CODE.fullmatch(rule):
                severity[rule] = _SEVERITY[level]
    if severity:
        out["severity"] = severity
    threshold = raw.get("failure-threshold")
    if threshold is not None:
        if not isinstance(threshold, str) or threshold not in _THRESHOLD:
            raise UsageError(f"invalid settings: {path}: failure-threshold: {threshold!r} is not one of "
                             f"{', '.join(_THRESHOLD)}")
        out["fail_on"] = _THRESHOLD[threshold]
    return out
