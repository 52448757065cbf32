"""Renderings of a LintReport: text (grouped by file), JSON, SARIF 2.1.0 and GitHub workflow annotations."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields
from itertools import groupby
from pathlib import Path, PurePath
from typing import TYPE_CHECKING
from urllib.parse import quote

from imgforge.lint.model import Finding
from imgforge.lint.rules import RULES

if TYPE_CHECKING:
    from imgforge.lint import LintReport

FORMATS = ("text", "json", "sarif", "github")
_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_RICH_STRIPPED = dict.fromkeys([7, 8, 11, 12, 13])  # rich.control.STRIP_CONTROL_CODES


def to_text(report: LintReport, *, markup: bool = True) -> str:
    """Grouped by file, with a summary line: rich markup (print it with a rich Console), or plain text."""
    escape: Callable[[str], str] = _strip_control
    if markup:
        # Deferred: only a terminal needs markup, and rich is ~15 ms of a one-file `imgforge lint` (bench/lint.py).
        from rich.markup import escape

    def styled(style: str, text: str) -> str:
        return f"[{style}]{escape(text)}[/{style}]" if markup else escape(text)

    out: list[str] = []
    for file, group in groupby(report.findings, key=lambda f: f.file):
        out.append(styled("bold", file))
        for f in group:
            out.append(f"  {f.line:>4}  {styled(_STYLE[f.severity], f'{f.severity:<7}')} {f.rule:<7} "
                       f"{styled('dim', f.category)}  {escape(f.message)}")
            if f.fix:
                out.append(f"{'':14}{styled('dim', f'fix: {f.fix}')}")
    c = report.counts
    files = len(report.files)
    out.append(f"{files} file{'s' if files != 1 else ''}: {c['error']} error(s), {c['warning']} warning(s), "
               f"{c['info']} info")
    return "\n".join(out)


def _strip_control(text: str) -> str:
    """`text` without the control codes rich drops when it prints (bell, backspace, vertical tab, form feed, CR)."""
    return text.translate(_RICH_STRIPPED)


def to_json(report: LintReport) -> dict[str, object]:
    """{"findings": [{file, line, end_line, rule, category, severity, message, fix}], "counts", "files",
    "purposes": {file: what its image is for}}."""
    # Field by field: dataclasses.asdict deep-copies each value, ~8x the time (a tenth of a second for a corpus).
    names = [field.name for field in fields(Finding)]
    return {"findings": [{name: getattr(f, name) for name in names} for f in report.findings],
            "counts": report.counts, "files": list(report.files), "purposes": dict(report.purposes)}


def _rule_meta(rule_id: str) -> dict[str, object]:
    r = RULES[rule_id]
    return {
        "id": r.id,
        "name": "".join(w.capitalize() for w in r.title.replace("/", " ").split() if w.isalnum()) or r.id,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": f"{r.title} ({r.category})."},
        "help": {"text": f"Fix: {r.fix}", "markdown": f"**Fix:** {r.fix}"},
        "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
        "properties": {"category": r.category, "tags": [r.category, "dockerfile"]},
    }


def _uri(file: str) -> str:
    path = PurePath(file)
    if path.is_absolute():
        return Path(file).as_uri()
    text = path.as_posix()
    while text.startswith("./"):
        text = text[2:]
    return quote(text)


def to_sarif(report: LintReport) -> dict[str, object]:
    """A SARIF 2.1.0 log: one run, every rule's metadata, one result per finding."""
    ids = list(RULES)
    index = {rid: k for k, rid in enumerate(ids)}
    results = []
    for f in report.findings:
        results.append({
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.message}. Fix: {f.fix}" if f.fix else f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(f.file)},
                "region": {"startLine": max(f.line, 1), "endLine": max(f.end_line, f.line, 1)},
            }}],
            "properties": {"category": f.category},
        })
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "imgforge-lint", "semanticVersion": "0.1.0",
                                "rules": [_rule_meta(r) for r in ids]}},
            "results": results,
        }],
    }


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def to_github(report: LintReport) -> str:
    """GitHub Actions workflow commands, one `::error file=...,line=...::message` per finding."""
    kind = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for f in report.findings:
        lines.append(f"::{kind[f.severity]} file={_gh_escape(f.file, True)},line={f.line},endLine={f.end_line},"
                     f"title={_gh_escape(f.rule + ' ' + f.category, True)}::{_gh_escape(f.message)}")
    return "\n".join(lines)


def render(report: LintReport, fmt: str, *, markup: bool = True) -> str:
    """The report in one of FORMATS as a string (text with rich markup unless `markup` is False)."""
    if fmt == "json":
        return json.dumps(to_json(report), indent=2)
    if fmt == "sarif":
        return json.dumps(to_sarif(report), indent=2)
    if fmt == "github":
        return to_github(report)
    return to_text(report, markup=markup)
