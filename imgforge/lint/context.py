"""The build context as the rules may see it: sizes of the files a COPY/ADD names, from `stat` alone, the
setting names of a small config file it names (an `.npmrc` copied in: does it hold a token?) and the programs a
small shell or Python script it names runs (does the entrypoint drop to a user?) and the local folders a go.mod it
names replaces modules with (is a copied folder a dependency?), never a value.

A rule never reads a context file's values, and a lookup never leaves the context folder: `..` is refused,
symbolic links are neither followed nor descended, and a folder walk stops after a bounded number of entries
(the size is then unknown). `lint(text)` has no context; `lint_files` offers the Dockerfile's folder and the
folders above it (`folder_contexts`).
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from imgforge.lint import lazy_re
from imgforge.errors import UsageError
from imgforge.smallfile import read_regular

_GLOB = frozenset("*?[")
WALK_LIMIT = 5000  # entries looked at per lookup; a bigger tree's size is reported as unknown
_SEPARATOR = lazy_re.compile(r"=|:(?=\s|$)")
_REFERENCE = lazy_re.compile(r"^(?:\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*)?$")  # empty, ${VAR}, $VAR
SETTINGS_LIMIT = 65536  # a config file larger than this is not read (its setting names are unknown)
_SHELL_SHEBANG = lazy_re.compile(r"^#!\s*\S*/(env\s+)?(ba|da|a|z|k)?sh\b")
_GIVEN = lazy_re.compile(r"^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$")  # `$CMD`, `${START}`, not `$@`
_ASSIGNED = lazy_re.compile(r"^[ \t]*(?:readonly[ \t]+|export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)="
                            r"(\"[\w./+-]+\"|'[\w./+-]+'|[\w./+-]+)[ \t]*$", re.M)  # `NAME=word` on a line of its own
_NAME = lazy_re.compile(r"^[A-Za-z_][A-Za-z0-9_.+-]*$")  # a program name, not an argument or an expansion
# Commands that run the command after their user operand as that user (`gosu redis redis-server`).
_USER_SWITCH = frozenset({"gosu", "su-exec"})
_PYTHON_SHEBANG = lazy_re.compile(r"^#!\s*\S*/(env\s+)?python[\d.]*\b")
# A Python start script's commands: `os.execv("/usr/sbin/unbound", ...)`, a command list (`cmd = ["/usr/sbin/nginx",
# "-g", ...]`, `subprocess.run([...])`) and `os.system("dovecot -c ...")`, each by its first word.
_PY_COMMAND = lazy_re.compile(r"""\bos\.exec\w*\(\s*["']([^"'\s]+)["']|\[\s*["']([^"'\s]+)["']\s*,|"""
                              r"""\bos\.system\(\s*f?["']([^"'\s]+)""")
# A Python script dropping root itself: `os.setuid(...)`, `os.setresuid(...)`, `os.setreuid(...)` or a
# `drop_privs*(...)` helper.
_PY_DROP = lazy_re.compile(r"\b(os\.set(res|re)?uid|drop_priv\w*)\s*\(")
# The pseudo-program a Python start script's own privilege drop is reported as (no argument leaves here).
PYTHON_DROP = "setuid()"
# Reported among a start script's programs when it installs Python packages as the container starts (the
# `EXTRA_PIP_PACKAGES` convention of workflow and data images): a source distribution then builds at run time.
STARTUP_PIP_INSTALL = "pip install"
_PIP = lazy_re.compile(r"^(pip[\d.]*|python[\d.]*|uv)$")


def _pip_install(cmd: tuple[str, ...]) -> bool:
    """True for `pip install ...`, `pip3 install`, `python -m pip install` and `uv pip install`."""
    words = [w for w in cmd if not w.startswith("-")]
    name = words[0].rsplit("/", 1)[-1] if words else ""
    if not _PIP.match(name):
        return False
    rest = words[1:]
    if name.startswith("python") or name == "uv":  # `python -m pip install`: `-m` was dropped with the options
        rest = rest[1:] if rest[:1] == ["pip"] else []
    return rest[:1] == ["install"]

# Files a repository's top folder holds even in an export without `.git` (`git archive`, a release tarball).
ROOT_MARKS = (".gitignore", ".gitattributes", ".github", ".gitlab-ci.yml", "LICENSE", "LICENSE.md", "LICENSE.txt",
               "COPYING")


@dataclass(frozen=True)
class FolderContext:
    """A build context on disk, answering `size(source)` for COPY/ADD operands (globs allowed)."""

    root: Path

    def holds(self, source: str) -> bool:
        """True when `source` names something in the context (a glob: at least one match)."""
        rel = _relative(source)
        try:
            return rel is not None and bool(self._expand(rel))
        except OSError:
            return False

    def size(self, source: str) -> int | None:
        """Bytes of the files `source` names (a folder: all files under it; a glob: all matches, 0 when none), or
        None when it does not exist, leaves the context, or is too big a tree to walk."""
        rel = _relative(source)
        if rel is None:
            return None
        try:
            matches = self._expand(rel)
            if matches is None:
                return None
            budget = [WALK_LIMIT]
            total = 0
            for path in matches:
                size = _tree_size(path, budget)
                if size is None:
                    return None
                total += size
            return total
        except OSError:
            return None

    def setting_names(self, source: str, *, literal_only: bool = False) -> frozenset[str] | None:
        """The names of a small `key=value` / `key: value` file's settings (`.npmrc`, `.yarnrc.yml`, `pip.conf`),
        lowercased, comments and section headers skipped; with `literal_only`, not those whose value is empty or
        only a `${VAR}` reference (npm and yarn fill it from the environment when they run). None when it is not
        one regular file in the context (no glob, no link) of at most SETTINGS_LIMIT bytes. Only names leave here:
        a value is never returned."""
        text = self._small_text(source)
        if text is None:
            return None
        names = set()
        for line in text.splitlines():
            line = line.strip()
            if not line or line[0] in "#;[":
                continue
            # `key=value` (.npmrc, pip.conf; `//host/:_authToken=…` keeps its colon) or `key: value` (YAML)
            found = _SEPARATOR.search(line)
            if literal_only and found and _REFERENCE.match(line[found.end():].strip().strip("\"'")):
                continue
            names.add(line[:found.start() if found else len(line)].strip().strip("\"'-").strip().lower())
        return frozenset(names)

    def script_programs(self, source: str) -> frozenset[str] | None:
        """The programs a small shell script runs (each simple command's program, and the one a `set --` line
        or an `exec` hands on), by basename; None when `source` is not one regular file in the context of at most
        SETTINGS_LIMIT bytes that reads as a shell script (a `#!` naming a shell, or a `.sh` name). A Python
        script (a `#!` naming python, or a `.py` name) gives the programs it execs, runs from a command list or
        `os.system`, and PYTHON_DROP when it drops root itself. Only program names leave here, never an argument."""
        python = self._python_text(source)
        if python is not None:
            found = {name for name in _python_programs(python) if _NAME.match(name)}
            return frozenset(found | ({PYTHON_DROP} if _PY_DROP.search(python) else set()))
        text = self._script_text(source)
        if text is None:
            return None
        from imgforge.lint.rules.shell import commands, operands, program  # the rules' shell model (lazy: heavy)

        found = set()
        # `entrypoint=lein` … `exec "${entrypoint}" "$@"`: a program named through a variable set once to a word
        named: dict[str, set[str]] = {}
        for m in _ASSIGNED.finditer(text):
            named.setdefault(m.group(1), set()).add(m.group(2).strip("\"'"))
        for cmd in commands(text):
            name = program(cmd)
            if name == "set":  # `set -- gosu redis "$@"`: the command the script execs last (not `set -o pipefail`)
                rest = operands(cmd[1:], frozenset()) if "--" in cmd[1:] else []
                name = rest[0].rsplit("/", 1)[-1] if rest else name
            given = _GIVEN.match(cmd[0]) if cmd else None
            if given is not None:
                values = named.get(given.group(1).strip("{}"), set())
                name = next(iter(values)).rsplit("/", 1)[-1] if len(values) == 1 else name
            if _NAME.match(name):
                found.add(name)
            if _pip_install(cmd):
                found.add(STARTUP_PIP_INSTALL)
            if name in _USER_SWITCH and len(cmd) > 2 and not cmd[1].startswith("-"):
                ran = cmd[2].rsplit("/", 1)[-1]  # `exec su-exec "$UID" pre-commit "$@"`: the program it runs too
                if _NAME.match(ran):
                    found.add(ran)
        return frozenset(found)

    def local_modules(self, source: str) -> frozenset[str] | None:
        """The local folders a small `go.mod` replaces modules with (`replace example.com/api => ./api`, and each
        line of a `replace (...)` block), normalised relative to the go.mod's folder; None when `source` is not one
        regular file in the context of at most SETTINGS_LIMIT bytes. Only folder paths leave here: a module's
        version is never returned."""
        text = self._small_text(source)
        if text is None:
            return None
        found = set()
        block = False
        for line in text.splitlines():
            line = line.split("//", 1)[0].strip()
            if line.startswith("replace") and line.rstrip().endswith("("):
                block = True
                continue
            if block and line == ")":
                block = False
                continue
            if not (block or line.startswith("replace ")) or "=>" not in line:
                continue
            target = line.split("=>", 1)[1].split()
            if len(target) == 1 and target[0].startswith(("./", "../")):  # a folder, not a module at a version
                folder = posixpath.normpath(target[0])
                if not folder.startswith(".."):
                    found.add(folder)
        return frozenset(found)

    def last_program(self, source: str) -> str | None:
        """The program of a small shell script's last top-level command (what it ends by running: `eval "$START"`),
        by basename, or `$` for a command held in a variable (`exec $CMD`, not the arguments `"$@"`); for a Python
        script, the last program it names; None as for `script_programs`, or when it has no command."""
        python = self._python_text(source)
        if python is not None:
            names = _python_programs(python)
            return names[-1] if names and _NAME.match(names[-1]) else None
        text = self._script_text(source)
        if text is None:
            return None
        from imgforge.lint.rules.shell import program, top_commands, without_substitutions  # (lazy: heavy)

        cmds = top_commands(without_substitutions(text))
        # `exec bash -c "exec varnishd ..."`: the program is the one the inner script ends with
        while cmds and program(cmds[-1]) in ("sh", "bash", "dash", "ash") and len(cmds[-1]) > 2 \
                and cmds[-1][1] == "-c":
            cmds = top_commands(without_substitutions(cmds[-1][2]))
        name = program(cmds[-1]) if cmds else ""
        if _GIVEN.match(name):
            return "$"  # a command held in a variable (`exec env ${PARSED}`): given at run time, never its value
        return name if _NAME.match(name) else None

    def _script_text(self, source: str) -> str | None:
        """The text of a small shell script in the context (a `#!` naming a shell, or a `.sh` name), else None."""
        text = self._small_text(source)
        if text is None:
            return None
        first = text.split("\n", 1)[0]
        if not (_SHELL_SHEBANG.match(first) or (not first.startswith("#!") and source.strip("\"'").endswith(".sh"))):
            return None
        return text

    def _python_text(self, source: str) -> str | None:
        """The text of a small Python script in the context (a `#!` naming python, or a `.py` name), else None."""
        text = self._small_text(source)
        if text is None:
            return None
        first = text.split("\n", 1)[0]
        if not (_PYTHON_SHEBANG.match(first) or (not first.startswith("#!") and source.strip("\"'").endswith(".py"))):
            return None
        return text

    def _small_text(self, source: str) -> str | None:
        """The text of the one regular file `source` names (no glob, no link, inside the context, at most
        SETTINGS_LIMIT bytes), for the methods above to take names from; None otherwise."""
        rel = _relative(source)
        if rel is None or _GLOB & set(rel):
            return None
        try:
            matches = self._expand(rel)
            if not matches:
                return None
            return read_regular(matches[0], "build context file", SETTINGS_LIMIT, follow_links=False).decode(
                "utf-8", "replace")
        except (OSError, UsageError):  # not one regular file (a link, a FIFO), or too big
            return None

    def _expand(self, rel: str) -> list[str] | None:
        """The paths `rel` names under the root, glob components matched one folder at a time (no links)."""
        paths = [str(self.root)]
        for part in ([] if rel == "." else rel.split("/")):
            if not _GLOB & set(part):
                paths = [os.path.join(p, part) for p in paths]
                continue
            found: list[str] = []
            for p in paths:
                if os.path.isdir(p) and not os.path.islink(p):
                    with os.scandir(p) as entries:
                        found += [e.path for e in entries if fnmatch.fnmatchcase(e.name, part)]
            paths = found
        if not _GLOB & set(rel):
            return paths if os.path.lexists(paths[0]) and self._inside(paths[0]) else None
        return [p for p in paths if os.path.lexists(p) and self._inside(p)]  # `*/x`: only folders holding x

    def _inside(self, path: str) -> bool:
        # The folder holding `path`, with links resolved, must lie in the context (a linked folder on the way out
        # is refused); the final entry itself is only ever lstat-ed.
        root = os.path.realpath(self.root)
        if os.path.normpath(path) == os.path.normpath(self.root):
            return True
        parent = os.path.realpath(os.path.dirname(path))
        return parent == root or parent.startswith(root + os.sep)


def _python_programs(text: str) -> list[str]:
    """The programs a Python script runs, in the order they appear, by basename."""
    return [next(g for g in m.groups() if g).rsplit("/", 1)[-1] for m in _PY_COMMAND.finditer(text)]


def _relative(source: str) -> str | None:
    """The operand as a normalised path inside the context (COPY reads `/x` as `x`), or None when it leaves it or
    holds a variable."""
    bare = source.strip("\"'").lstrip("/")
    rel = posixpath.normpath(bare) if bare else "."
    return None if rel == ".." or rel.startswith("../") or "$" in rel else rel


def _tree_size(path: str, budget: list[int]) -> int | None:
    """Bytes of a file, or of the regular files under a folder (links counted as themselves, not followed)."""
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        budget[0] -= 1
        return st.st_size if budget[0] >= 0 else None
    total = 0
    stack = [path]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for e in entries:
                budget[0] -= 1
                if budget[0] < 0:
                    return None
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                else:
                    total += e.stat(follow_symlinks=False).st_size
    return total


ANCESTORS = 2  # folders above the Dockerfile's offered as contexts (`docker build -f docker/Dockerfile .`)


def folder_contexts(dockerfile: Path) -> tuple[FolderContext, ...]:
    """The folders a Dockerfile on disk is likely built with, likeliest first: its own, then up to ANCESTORS
    folders above it (a Dockerfile kept in `docker/` or `.ci/` is often built from the repository root; a dev
    container's `"context": ".."`), never above a repository root (a folder holding `.git`). A rule takes the
    first that holds every file the Dockerfile copies (`Dockerfile.build_context`)."""
    return _contexts(os.path.dirname(os.path.realpath(dockerfile)))


@lru_cache(maxsize=256)
def _contexts(real_folder: str) -> tuple[FolderContext, ...]:
    """`folder_contexts` of the files in one folder (links resolved), looked up once per folder in a batch."""
    folder = Path(real_folder)
    found = [FolderContext(folder)]
    for _ in range(ANCESTORS):
        if os.path.lexists(folder / ".git") or folder.parent == folder:
            break
        folder = folder.parent
        found.append(FolderContext(folder))
    return tuple(found)


def forget_folders() -> None:
    """Drop the folders `folder_contexts` looked up: a new batch sees the tree as it is then."""
    _contexts.cache_clear()
