"""shell: how RUN, CMD, ENTRYPOINT and ADD behave at build and run time (hadolint's DL4006, DL3003, DL3025, DL3020)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imgforge.lint.model import Dockerfile, Instruction
from imgforge.lint.rules.base import Hit, hit, rule, runs
from imgforge.lint.rules.layer_order import copy_operands
from imgforge.lint.rules.shell import commands, program

_PIPE = re.compile(r"(?<![|\\])\|(?![|&])")
_PIPEFAIL = re.compile(r"(set\s+(-[a-zA-Z]*\s+)*-[a-zA-Z]*o\s+pipefail|set\s+-o\s+pipefail|pipefail)")
_ARCHIVE = re.compile(r"\.(tar|tgz|tbz2?|txz|tzst|tar\.(gz|bz2|xz|zst|lz|lzma|Z))$", re.I)


def _unquoted(script: str) -> str:
    return re.sub(r"'[^']*'|\"(\\.|[^\"\\])*\"", "''", script)


def _shell_sets_pipefail(df: Dockerfile, ins: Instruction) -> bool:
    stage = df.stages[ins.stage]
    return any(o.keyword == "SHELL" and o.line < ins.line and "pipefail" in o.args for o in stage.instructions)


@rule("SH001", "shell", "info", "Pipe in RUN without pipefail",
      "Start the RUN with `set -o pipefail &&` or set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]`, so a "
      "failing command before `|` fails the build.")
def pipefail(df: Dockerfile) -> Iterator[Hit]:
    for ins in runs(df):
        if ins.json_args is not None or "|" not in ins.script or not _PIPE.search(_unquoted(ins.script)):
            continue
        if not _PIPEFAIL.search(ins.script) and not _shell_sets_pipefail(df, ins):
            yield hit(ins, "a pipe hides the exit status of every command but the last: if the left side fails "
                           "(a download, say), the build goes on")


@rule("SH002", "shell", "info", "cd in RUN to change directory",
      "Use WORKDIR for a directory later instructions work in; `cd` only lasts for its RUN.")
def cd_in_run(df: Dockerfile) -> Iterator[Hit]:
    for ins in runs(df):
        cd = next((c for c in commands(ins.script) if program(c) == "cd"), None)
        if cd is not None:
            where = cd[1][:60] if len(cd) > 1 else "~"
            yield hit(ins, f"`cd {where}` lasts only for this RUN; when later steps work there too, WORKDIR says so "
                           "once")


def _shell_form_entries(df: Dockerfile) -> Iterator[Instruction]:
    final = df.final
    if final is None:
        return
    last: dict[str, Instruction] = {}
    for ins in final.instructions:
        if ins.keyword in ("CMD", "ENTRYPOINT"):
            last[ins.keyword] = ins
    entry = last.get("ENTRYPOINT")
    for ins in last.values():
        if ins.json_args is not None or not ins.args.strip() or ins.args.lstrip().startswith("["):
            continue
        if ins.keyword == "CMD" and entry is not None and entry.json_args is not None:
            continue  # the CMD is an argument list for an exec-form ENTRYPOINT; it is split, not run by sh
        if re.match(r"^exec\s", ins.args.strip()):
            continue  # `exec app`: the shell replaces itself, the app gets the signals
        yield ins


def _single_command(ins: Instruction) -> bool:
    """One simple command (`app --port $PORT`): bash, dash 0.5.11+ and busybox sh exec it in place of themselves."""
    return len(commands(ins.args)) == 1 and not re.search(r"[;&|<>`]|\$\(", _unquoted(ins.args))


@rule("SH003", "shell", "warning", "CMD or ENTRYPOINT in shell form runs a shell script",
      'Use the exec form, CMD ["app", "--flag"] (or a script that ends in `exec app`), so the app is PID 1 and '
      "receives SIGTERM.")
def shell_form_entry(df: Dockerfile) -> Iterator[Hit]:
    for ins in _shell_form_entries(df):
        if not _single_command(ins):
            yield hit(ins, f"{ins.keyword} in shell form runs several commands under /bin/sh -c: the shell stays "
                           "PID 1 and does not pass SIGTERM on, so `docker stop` waits and then kills the process")


# Info, not warning: current shells (bash, dash 0.5.11+, busybox sh) exec a lone command, so the app does get the
# signals; older dash (Debian 10 and before) keeps the shell as PID 1. Half the hand-labelled warnings of this
# shape on public files were of that debatable kind.
@rule("SH005", "shell", "info", "CMD or ENTRYPOINT in shell form runs one command",
      'Prefer the exec form, CMD ["app", "--flag"], or `exec app ...` when it needs variable expansion.')
def shell_form_single(df: Dockerfile) -> Iterator[Hit]:
    for ins in _shell_form_entries(df):
        if _single_command(ins):
            yield hit(ins, f"{ins.keyword} in shell form runs one command under /bin/sh -c: most shells exec it, but "
                           "older dash stays PID 1 and swallows SIGTERM; the exec form says what runs")


@rule("SH004", "shell", "info", "ADD for local files",
      "Use COPY for files from the build context; keep ADD for URLs and for archives you want unpacked.")
def add_local(df: Dockerfile) -> Iterator[Hit]:
    for ins in df.instructions:
        if ins.keyword != "ADD" or ins.heredocs:
            continue
        srcs, _dest = copy_operands(ins)
        local = [s for s in srcs if "://" not in s and not s.startswith("git@") and not _ARCHIVE.search(s)
                 and "$" not in s]
        if srcs and len(local) == len(srcs):
            yield hit(ins, f"ADD {local[0][:60]} copies a local file: ADD also fetches URLs and unpacks archives, "
                           "so COPY says what happens")
