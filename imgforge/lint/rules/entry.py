"""entry: the script a container starts with, where the build context holds it, and the programs it runs."""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Callable
from typing import TypeVar

from imgforge.lint.model import BuildContext, Dockerfile, in_context

_T = TypeVar("_T")

INIT_WRAPPERS = {"tini", "dumb-init", "--", "-g", "-s", "catatonit", "s6-svscan"}
_SHELLS = {"sh", "bash", "dash", "ash"}


def _words(df: Dockerfile, kind: str) -> list[str]:
    given = df.entry().get(kind)
    if given is None:
        return []
    words = list(given.json_args) if given.json_args is not None else given.args.split()
    return [w for w in words if w not in INIT_WRAPPERS and w.rsplit("/", 1)[-1] not in INIT_WRAPPERS]


def start_words(df: Dockerfile) -> list[str]:
    """The words of the ENTRYPOINT (else the CMD) in effect, init wrappers (`tini --`) left out; an ENTRYPOINT of
    wrappers only (`["tini", "-g", "--"]`) is followed by the CMD it runs."""
    words = _words(df, "ENTRYPOINT")
    if not words:
        words = _words(df, "CMD")
    return words


def entry_script(df: Dockerfile) -> str | None:
    """The path (as the image sees it) of the script the container starts with, past init wrappers and a shell
    running it (`["/bin/ash", "/entrypoint.sh"]`), or None when it does not start with a file."""
    words = start_words(df)
    if words and words[0].rsplit("/", 1)[-1] in _SHELLS and len(words) > 1 and not words[1].startswith("-"):
        words = words[1:]
    return words[0] if words and "$" not in words[0] else None


def copied_from(df: Dockerfile, path: str) -> list[str]:
    """The context sources a plain COPY/ADD of the shipped stages puts at `path` (a bare name or a relative path:
    matched by its name), last first; a folder source yields the file of that name inside it, and a glob source
    (`scripts/start*`) the file of that name beside its pattern."""
    name = path.rsplit("/", 1)[-1]
    found: list[str] = []
    for stage in df.shipped():
        workdir = "/"
        for ins in stage.instructions:
            if ins.keyword == "WORKDIR":
                workdir = posixpath.join(workdir, ins.args.strip().strip("\"'"))
            if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None or ins.heredocs:
                continue
            words = [in_context(w) for w in ins.copy_sources()]
            dest = (list(ins.json_args) if ins.json_args is not None else ins.args.split())[-1:]
            if not words or not dest:
                continue
            target = posixpath.join(workdir, dest[0])
            into_folder = dest[0].endswith("/") or len(words) > 1
            at_path = posixpath.normpath(posixpath.join(target, name)) == path or not path.startswith("/")
            for src in words:
                base = src.rstrip("/").rsplit("/", 1)[-1]
                placed = posixpath.normpath(posixpath.join(target, base) if into_folder else target)
                if any(ch in base for ch in "*?["):
                    if into_folder and at_path and fnmatch.fnmatchcase(name, base):
                        found.append(posixpath.join(posixpath.dirname(src), name))
                elif placed == path or (not path.startswith("/") and placed.rsplit("/", 1)[-1] == name):
                    found.append(src)
                elif (src.endswith("/") or "." not in base) and at_path:
                    found.append(posixpath.join(src, name))  # a folder of scripts holding it
    return found[::-1]


def start_script_programs(df: Dockerfile) -> frozenset[str] | None:
    """The programs the container's start script runs, read from the build context (None when it does not start
    with a script the context holds)."""
    return _read_start_script(df, lambda ctx, src: ctx.script_programs(src))


def start_script_ends_with(df: Dockerfile) -> str | None:
    """The program the container's start script ends by running (its last top-level command), read from the
    build context (None when it does not start with a script the context holds)."""
    return _read_start_script(df, lambda ctx, src: ctx.last_program(src))


def _read_start_script(df: Dockerfile, read: Callable[[BuildContext, str], _T | None]) -> _T | None:
    """`read` of the first build-context file the start script was copied from that gives an answer."""
    path = entry_script(df)
    ctx = df.build_context() if path is not None else None
    if path is None or ctx is None:
        return None
    for src in copied_from(df, path):
        answer = read(ctx, src)
        if answer is not None:
            return answer
    return None
