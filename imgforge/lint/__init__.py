"""Dockerfile linting: `lint(text, path, config) -> list[Finding]` and `lint_file(path) -> LintReport`.

Rules live in `imgforge.lint.rules`, one small function each; the parser reports `syntax` findings itself.
A batch never stops on one file: a file the linter fails on gets one INT001 finding, and a report holding one
makes `imgforge lint` exit with EXIT_INTERNAL (4), whatever --fail-on says.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imgforge.lint import lazy_re
from imgforge.errors import ImgforgeError, UsageError
from imgforge.lint import purpose as purposes
from imgforge.lint import shellcheck
from imgforge.lint.context import folder_contexts, forget_folders
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

_IGNORE = lazy_re.compile(r"imgforge-ignore:\s*([A-Za-z0-9_,\s-]+)|hadolint\s+ignore\s*=\s*([A-Za-z0-9_,\s-]+)")
_GLOBAL = lazy_re.compile(r"hadolint\s+global\s+ignore\s*=\s*([A-Za-z0-9_,\s-]+)")
MAX_BYTES = 64 * 1024 * 1024


def _suppressed(df: Dockerfile, lines: list[str]) -> dict[int, set[str]]:
    """Rule ids ignored per line (0: the whole file): `# imgforge-ignore: ID` (or hadolint's `# hadolint
    ignore=DL3008,SC2086`) on the line itself or in the comments just above; `# hadolint global ignore=...`."""
    out: dict[int, set[str]] = {}
    for text in df.comments.values():
        if (m := _GLOBAL.search(text)) is not None:
            out.setdefault(0, set()).update(_codes(m.group(1), hadolint=True))
    for ins in df.instructions:
        ids: set[str] = set()
        for k in range(ins.line - 1, min(ins.end_line, len(lines))):
            if "imgforge-ignore" in lines[k] or "hadolint" in lines[k]:
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
    if _GLOBAL.search(text):
        return set()  # file-wide, see _suppressed
    m = _IGNORE.search(text)
    if m is None:
        return set()
    return _codes(m.group(1), hadolint=False) if m.group(1) is not None else _codes(m.group(2), hadolint=True)


def _codes(text: str, hadolint: bool) -> set[str]:
    codes = {i.upper() for i in re.split(r"[\s,]+", text) if i}
    if not hadolint:
        return codes
    from imgforge.lint.hadolint import ours

    return ours(codes)


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


def _finish(found: list[Finding], df: Dockerfile | None, text: str, config: LintConfig | None,
            purpose: purposes.Purpose) -> list[Finding]:
    """Findings after `# imgforge-ignore:` comments, the image's purpose (hygiene findings in a test image are
    info) and the config's disable/severity settings, sorted by line. `df` may be None only when `text` has no
    `imgforge-ignore` comment."""
    disable = config.disable if config is not None else ()
    severity = config.severity if config is not None else {}
    ignored = _suppressed(df, text.split("\n")) if df is not None and (
        "imgforge-ignore" in text or "hadolint" in text) else {}
    everywhere = ignored.get(0, set())
    out: dict[tuple[str, int, str], Finding] = {}
    tested = purposes.test_stage(df) if df is not None else None
    for f in purposes.apply(found, purpose, set(severity), tested):
        here = ignored.get(f.line, set()) | everywhere
        # A ShellCheck finding is also known by its own code (SC2086), in settings and comments alike.
        code = f.message.split(":", 1)[0] if f.rule == shellcheck.RULE_ID else ""
        if f.rule in disable or f.rule in here or "ALL" in here or (code and (code in disable or code in here)):
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
    forget_folders()


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
    from imgforge.lint import hadolint  # light: no YAML until a settings file is read

    if not any(may_hold_section(folder / name, "lint") for name in _SETTINGS_FILES) and hadolint.find(folder) is None:
        return None
    from imgforge.lint.config import load_config  # deferred with the settings model, see __getattr__

    return load_config(folder)


@dataclass
class _Linted:
    """One file after the rules: its findings, and what ShellCheck's findings are merged with later."""

    name: str
    text: str
    findings: list[Finding]
    config: LintConfig | None
    purpose: purposes.Purpose | None = None
    kind: str | None = None
    df: Dockerfile | None = field(default=None, compare=False)  # kept in the process that parsed it, not sent


class _Part:
    """Lints paths one by one with the settings found beside each (or the given ones)."""

    def __init__(self, config: LintConfig | None) -> None:
        self.config = config
        self.configs: dict[Path, LintConfig | None] = {}
        # Files read and parsed ahead of their rules, for ShellCheck to start on: text, parse or what it raised.
        self.ahead: dict[Path, tuple[str, Dockerfile | Exception]] = {}

    def _config(self, path: Path) -> LintConfig | None:
        if self.config is not None:
            return self.config
        folder = path.parent
        if folder not in self.configs:
            self.configs[folder] = _config_beside(folder)
        return self.configs[folder]

    def read_ahead(self, path: Path) -> list[shellcheck.Script]:
        """Read and parse one file before its rules run (`lint` then reuses both), and give the RUN scripts
        ShellCheck is to check; unreadable: UsageError. A parse that fails is the file's INT001 in `lint`."""
        cfg = self._config(path)
        text = read_dockerfile(path)
        try:
            df = parse(text, str(path))
            wanted = df.stages and shellcheck.RULE_ID not in (cfg.disable if cfg is not None else ())
            found = shellcheck.scripts(df, text) if wanted else []
        except Exception as exc:  # one bad file must not abort the batch (RecursionError included)
            self.ahead[path] = (text, exc)
            return []
        self.ahead[path] = (text, df)
        return found

    def lint(self, path: Path) -> _Linted:
        """The rules' findings for one file (INT001 when the linter fails on it); unreadable: UsageError."""
        cfg = self._config(path)
        text, ahead = self.ahead.pop(path) if path in self.ahead else (read_dockerfile(path), None)
        name = str(path)
        try:
            if isinstance(ahead, Exception):
                raise ahead
            df = replace(parse(text, name) if ahead is None else ahead,
                         contexts=folder_contexts(path))  # stat-ed only if a rule asks
            purpose = purposes.classify(df, (cfg.purpose if cfg is not None else None) or "auto", on_disk=True)
            kind = purposes.report_kind(purpose, df)
            disabled = cfg.disable if cfg is not None else ()
            return _Linted(name, text, _finish(_check(df, disabled), df, text, cfg, purpose), cfg, purpose, kind, df)
        except Exception as exc:  # one bad file must not abort the batch (RecursionError included)
            return _Linted(name, text, [_internal(name, exc)], cfg)


_FORK_MIN = 32  # files per worker below which a second process is not worth its start (~5 ms)
_WARM = 8  # files linted before forking (see lint_files)
# The rules take about as long on a Dockerfile as ShellCheck on this many bytes of script (~1.4 ms against ~7 us a
# byte, held-out corpora 15-17 on a 2-core machine). A batch sending ShellCheck more text than that keeps every CPU
# busy without workers (ShellCheck runs one process per CPU beside this one), and a forked worker then only adds its
# own cost (~25% of the rules' CPU time: copied pages, cold caches, results pickled back) and no speed.
_RULES_PER_SCRIPT_BYTE = 200


def _fork(part: _Part, paths: list[Path]) -> tuple[int, int]:
    """Lint `paths` in a forked child that sends its results back pickled (nothing when any file is unreadable or
    a setting is invalid: the parent then lints that part itself and raises the error as a one-process run would).
    The child's process id and the pipe's read end."""
    import pickle  # deferred with the batch: a one-file run forks nothing

    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write)
        return pid, read
    try:  # the child: no return from here, no atexit handlers, no flush of the parent's buffers
        os.close(read)
        try:
            done: list[_Linted] | None = [part.lint(path) for path in paths]
        except ImgforgeError:
            done = None
        for item in done or ():
            item.df = None  # the parse tree stays here: the parent re-parses only for an `imgforge-ignore`
        with os.fdopen(write, "wb") as out:
            pickle.dump(done, out, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(0)


def _collect(pid: int, read: int) -> list[_Linted] | None:
    """A forked child's results, or None when it sent none (an error to raise here, or a child that died)."""
    import pickle

    try:
        with os.fdopen(read, "rb") as source:
            data = source.read()
        done = pickle.loads(data) if data else None
    except Exception:  # a short or broken stream (a child killed mid-write): OSError, EOFError, UnpicklingError...
        done = None
    finally:
        os.waitpid(pid, 0)
    return done if isinstance(done, list) else None


def _keep_busy(run: shellcheck.Run, reads: list[int]) -> None:
    """Start ShellCheck's next shares as its processes end until every worker is done linting (its results are
    ready to read) or nothing is left to start: a CPU a process frees while this one waits must not idle."""
    import select  # deferred with the batch

    while reads and run.start_queued():
        ready, _, _ = select.select(reads, [], [], 0.01)
        reads = [fd for fd in reads if fd not in ready]


def lint_files(paths: list[Path], config: LintConfig | None = None, *, use_shellcheck: bool = True,
               workers: int = 1) -> LintReport:
    """Lint several Dockerfiles into one report; ShellCheck (when installed) runs once over all their RUN scripts,
    started on them before the rules run (every file is read and parsed first).

    With `workers` > 1 (and fork), a large batch is split: forked children run the rules on the later parts while
    this process lints the first and runs ShellCheck, the same report in less time on several CPUs (the CLI's
    batch). An unreadable path is a UsageError; a file the linter fails on gets an INT001 finding and the batch
    goes on.
    """
    executable = shellcheck.find_shellcheck() if use_shellcheck else None
    part = _Part(config)
    _clear_caches()
    count = max(1, min(workers, os.cpu_count() or 1, len(paths) // _FORK_MIN)) if hasattr(os, "fork") else 1
    run: shellcheck.Run | None = None
    children: list[tuple[tuple[int, int], list[Path]]] = []
    linted: list[_Linted] = []
    try:
        if executable is not None:
            # ShellCheck is most of a varied batch's time: every file is read and parsed first (~5% of the rules'
            # time), so it works on all the scripts while the rules run, here and in the workers, which reuse the
            # parses (a forked child has them).
            for path in paths:
                found = part.read_ahead(path)
                if found:
                    run = run or shellcheck.Run(executable)
                    run.add_scripts(str(path), found)
            if run is not None:
                run.start_queued()
                if run.text_sent() >= len(paths) * _RULES_PER_SCRIPT_BYTE:
                    count = 1  # ShellCheck keeps the CPUs busy longer than the rules: a worker would add only its cost
        size = -(-len(paths) // count)
        slices = [paths[k:k + size] for k in range(0, len(paths), size)] or [[]]
        # The first files are linted before forking: what rules load on first use (the secret detector, ~70 ms; the
        # patterns compiled on first call) is then loaded once and shared, not once in every process.
        first = [part.lint(path) for path in slices[0][:_WARM]] if len(slices) > 1 else []
        children = [(_fork(part, piece), piece) for piece in slices[1:]]
        for path in itertools.chain.from_iterable(slices[1:]):
            part.ahead.pop(path, None)  # the workers have these parses: here they would only take memory
        for item in itertools.chain(first, map(part.lint, slices[0][len(first):])):
            linted.append(item)
            if run is not None:
                run.start_queued()  # a ShellCheck process that ended makes room for the next share
    except BaseException:
        import signal  # deferred with the error path

        for (pid, _), _ in children:  # their work is moot: stop them, and leave no zombie behind
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for child, _ in children:
            _collect(*child)
        if run is not None:
            run.close()
        raise
    if run is not None and children:
        _keep_busy(run, [read for (_, read), _ in children])
    results = [(_collect(*child), piece) for child, piece in children]
    for done, piece in results:
        linted.extend(done if done is not None else map(part.lint, piece))
    findings = {item.name: item.findings for item in linted}
    if run is not None:
        by_file: dict[str, list[Finding]] = {}
        for f in run.findings():
            by_file.setdefault(f.file, []).append(f)
        for item in linted:
            if item.name in by_file and item.purpose is not None:
                df = item.df if item.df is not None or "imgforge-ignore" not in item.text else parse(item.text,
                                                                                                         item.name)
                findings[item.name] = _finish(item.findings + by_file[item.name], df, item.text, item.config,
                                              item.purpose)
    ordered = [f for path in paths for f in findings.get(str(path), [])]
    return LintReport(tuple(ordered), tuple(str(p) for p in paths),
                      {item.name: item.kind for item in linted if item.kind is not None})
