"""shell: how RUN, CMD, ENTRYPOINT and ADD behave at build and run time (hadolint's DL4006, DL3003, DL3025, DL3020)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imgforge.lint import lazy_re
from imgforge.lint.model import Dockerfile, Instruction
from imgforge.lint.rules.base import Hit, hit, rule, runs
from imgforge.lint.rules.layer_order import copy_operands
from imgforge.lint.rules.shell import program, simple_command, top_commands, words_and_operators
from imgforge.lint.rules.user import windows_image

_PIPE = lazy_re.compile(r"(?<![|\\])\|(?![|&])")
_PIPEFAIL = lazy_re.compile(r"(set\s+(-[a-zA-Z]*\s+)*-[a-zA-Z]*o\s+pipefail|set\s+-o\s+pipefail|pipefail)")
_ARCHIVE = lazy_re.compile(r"\.(tar|tgz|tbz2?|txz|tzst|tar\.(gz|bz2|xz|zst|lz|lzma|Z))$", re.I)


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
        # a `cd` inside `su app -c "cd ~ && ..."` is the inner shell's own: WORKDIR would not replace it
        cd = next((c for c in top_commands(ins.script) if program(c) == "cd"), None)
        if cd is not None:
            where = cd[1][:60] if len(cd) > 1 else "~"
            yield hit(ins, f"`cd {where}` lasts only for this RUN; when later steps work there too, WORKDIR says so "
                           "once")


def _shell_form_entries(df: Dockerfile) -> Iterator[Instruction]:
    final = df.final
    if final is None or windows_image(df):
        return  # Windows runs the shell form under cmd or the SHELL given, and stops containers without SIGTERM
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
        if re.match(r"^exec\s", ins.args.strip()) or _execs_last(ins.args):
            continue  # `exec app`, `setup && exec app`: the shell replaces itself, the app gets the signals
        yield ins


def _single_command(ins: Instruction) -> bool:
    """One simple command (`app --port $PORT`): bash, upstream dash and busybox sh exec it in place of themselves."""
    return len(top_commands(ins.args)) == 1 and not re.search(r"[;&|<>`]|\$\(", _unquoted(ins.args))


# Which /bin/sh a base image has, known from its name alone: Alpine and BusyBox images have BusyBox ash; Debian and
# Ubuntu images (by name or by a Debian/Ubuntu codename in the tag, as python:3.12-slim-bookworm) have dash.
_BUSYBOX_NAME = lazy_re.compile(r"(^|[-_.:/])(alpine|busybox)", re.I)
_DASH_NAME = lazy_re.compile(r"(^|[-_.:/])(debian|ubuntu|jessie|stretch|buster|bullseye|bookworm|trixie|xenial|bionic|"
                             r"focal|jammy|noble)([-_.:]|\d|$)", re.I)


def base_shell(df: Dockerfile) -> str | None:
    """`busybox` or `dash` when the final stage's /bin/sh is known from its base's name (through stages it is
    built FROM); None for other bases and for stages that set SHELL."""
    stage = df.final
    seen: set[int] = set()
    while stage is not None and stage.index not in seen:
        seen.add(stage.index)
        if any(ins.keyword == "SHELL" for ins in stage.instructions):
            return None
        if stage.base_stage is None:
            break
        stage = df.stages[stage.base_stage]
    if stage is None:
        return None
    name = stage.image.split("@")[0].rsplit("/", 1)[-1]
    busybox, dash = bool(_BUSYBOX_NAME.search(name)), bool(_DASH_NAME.search(name))
    return "busybox" if busybox and not dash else "dash" if dash and not busybox else None


# Builtins run by the shell itself: as the last command they keep it alive (and `trap` anywhere makes ash stay).
_SHELL_ITSELF = {"trap", "wait", "eval", ".", "source", "read", "exit", "return", ":", "true", "false", "cd", "export",
                 "set", "unset", "shift", "echo", "printf", "test", "[", "ulimit", "umask", "alias"}
_COMPOUND = {"if", "then", "else", "elif", "fi", "while", "until", "do", "done", "for", "case", "esac", "{", "}", "!",
             "function", "select"}


def _plain_list(script: str) -> list[list[str]] | None:
    """The words of each command of `script` when it is a plain list joined by `&&` or `;`, else None."""
    tokens = words_and_operators(script)
    while tokens and tokens[-1] == ";":
        tokens.pop()
    lists: list[list[str]] = [[]]
    for k, tok in enumerate(tokens):
        if tok == "&" and k and tokens[k - 1].endswith((">", "<")):
            lists[-1].append(tok)  # the `&` of a `2>&1` redirection
        elif tok in ("&&", ";"):
            lists.append([])
        elif tok in ("||", "|", "&", "|&", ";;", "(", ")"):
            return None
        else:
            lists[-1].append(tok)
    if not tokens or any(not w or w[0] in _COMPOUND for w in lists):
        return None
    return lists


def ash_execs_last(script: str) -> str | None:
    """The program BusyBox ash replaces itself with when it runs `script` under `sh -c`, or None if it stays.

    Checked with busybox 1.35: ash execs the last command of a list joined by `&&` or `;` (redirections and
    assignments are fine); it stays for a pipeline, `||`, `&`, a compound command, or once `trap` has run. Only
    the plain list shape is accepted here, so anything else keeps the shell-stays verdict."""
    lists = _plain_list(script)
    cmds = [simple_command(w) for w in lists or ()]
    if not cmds or not cmds[-1] or any(program(c) == "trap" for c in cmds):
        return None
    last = program(cmds[-1])
    return None if last in _SHELL_ITSELF else last


def _execs_last(script: str) -> bool:
    """`setup && exec app`: a list that ends by exec-ing its program, which then replaces the shell under any sh."""
    last = (_plain_list(script) or [[]])[-1]
    # `exec -a name app` is bash-only, and `exec >log` only redirects the shell's own output: neither counts.
    return len(last) > 1 and last[0] == "exec" and not re.match(r"-|\d*[<>&]", last[1])


def _stays_pid1(ins: Instruction, shell: str | None) -> bool:
    """Whether /bin/sh stays PID 1 (and swallows SIGTERM) while this shell-form CMD/ENTRYPOINT runs."""
    if shell == "busybox":
        return ash_execs_last(ins.args) is None
    if shell == "dash":
        return True  # Debian's dash never execs a `-c` command, not even a lone one (dash 0.5.12, Debian 12 and 13)
    return not _single_command(ins)


@rule("SH003", "shell", "warning", "CMD or ENTRYPOINT in shell form runs a shell script",
      'Use the exec form, CMD ["app", "--flag"] (or a script that ends in `exec app`), so the app is PID 1 and '
      "receives SIGTERM.")
def shell_form_entry(df: Dockerfile) -> Iterator[Hit]:
    shell = base_shell(df)
    for ins in _shell_form_entries(df):
        if not _stays_pid1(ins, shell):
            continue
        if shell == "dash" and _single_command(ins):
            yield hit(ins, f"{ins.keyword} in shell form runs under /bin/sh -c, and Debian's dash does not exec even "
                           "a lone command: the shell stays PID 1 and does not pass SIGTERM on, so `docker stop` "
                           "waits and then kills the process")
        else:
            yield hit(ins, f"{ins.keyword} in shell form runs several commands under /bin/sh -c: the shell stays "
                           "PID 1 and does not pass SIGTERM on, so `docker stop` waits and then kills the process")


# Info, not warning: bash, upstream dash and BusyBox ash exec a lone command (ash even the last of an `&&` list), so
# the app does get the signals. Debian's dash does not, but on a base not known to be Debian the shell is unknown.
@rule("SH005", "shell", "info", "CMD or ENTRYPOINT in shell form runs one command",
      'Prefer the exec form, CMD ["app", "--flag"], or `exec app ...` when it needs variable expansion.')
def shell_form_single(df: Dockerfile) -> Iterator[Hit]:
    shell = base_shell(df)
    for ins in _shell_form_entries(df):
        if _stays_pid1(ins, shell):
            continue
        if shell == "busybox" and not _single_command(ins):
            yield hit(ins, f"{ins.keyword} in shell form: BusyBox sh, this base's /bin/sh, execs the last command "
                           f"(`{ash_execs_last(ins.args)}`), so it is PID 1 and gets SIGTERM; `exec` before it says so "
                           "under any /bin/sh")
        else:
            yield hit(ins, f"{ins.keyword} in shell form runs one command under /bin/sh -c: bash and BusyBox sh exec "
                           "it, but Debian's dash stays PID 1 and swallows SIGTERM; the exec form says what runs")


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
