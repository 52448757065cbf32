"""The Dockerfile model the parser builds and the rules read, and the Finding they report."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, Protocol

Severity = Literal["error", "warning", "info"]
FailOn = Literal["error", "warning", "info", "never"]
SEVERITY_RANK: dict[str, int] = {"info": 1, "warning": 2, "error": 3}


def in_context(source: str) -> str:
    """A COPY/ADD source as BuildKit resolves it against the context root, which it cannot climb above: `../x`
    is `x` (a Dockerfile in a sub-folder naming `./../entrypoint.sh` of a context one folder up); URLs, heredocs
    and sources holding a variable are returned as written."""
    bare = source.strip("\"'")
    if "://" in bare or "$" in bare or bare.startswith("<<") or not bare.startswith(("../", "./../")):
        return source
    return posixpath.normpath("/" + bare).lstrip("/") or "."

@dataclass(frozen=True)
class Finding:
    """One problem at a line range of one file, with what to do about it."""

    file: str
    line: int
    end_line: int
    rule: str
    category: str
    severity: Severity
    message: str
    fix: str = ""


@dataclass(frozen=True)
class Flag:
    """An instruction flag such as `--mount=type=cache,target=/root/.cache` (value None when bare)."""

    name: str
    value: str | None


@dataclass(frozen=True)
class Heredoc:
    """A here-document attached to RUN/COPY/ADD; `body` excludes the terminator line."""

    name: str
    body: str
    line: int
    end_line: int


@dataclass(frozen=True)
class Instruction:
    """One logical instruction (continuations joined, heredocs attached) and its source line range."""

    keyword: str
    args: str
    flags: tuple[Flag, ...]
    line: int
    end_line: int
    stage: int
    json_args: tuple[str, ...] | None = None
    heredocs: tuple[Heredoc, ...] = ()

    def flag(self, name: str) -> str | None:
        """The value of the last `--name` flag ('' when bare), or None when absent."""
        value = None
        for f in self.flags:
            if f.name == name:
                value = f.value if f.value is not None else ""
        return value

    def mounts(self) -> tuple[dict[str, str], ...]:
        """The `--mount` options as key/value mappings (type defaults to bind)."""
        out = []
        for f in self.flags:
            if f.name == "mount" and f.value:
                opts = {"type": "bind"}
                for part in f.value.split(","):
                    key, _, val = part.partition("=")
                    opts[key.strip().lower()] = val.strip()
                out.append(opts)
        return tuple(out)

    def copy_sources(self) -> list[str]:
        """A COPY/ADD's source operands as written (every word but the destination)."""
        words = list(self.json_args) if self.json_args is not None else self.args.split()
        return words[:-1]

    def has_mount(self, kind: str) -> bool:
        """True when the instruction has a `--mount=type=<kind>`."""
        return any(m.get("type") == kind for m in self.mounts())

    @cached_property  # read by most rules, for every RUN
    def script(self) -> str:
        """The shell text a RUN executes: the command line plus heredoc bodies."""
        if self.json_args is not None:
            return " ".join(self.json_args)
        return "\n".join([self.args, *(h.body for h in self.heredocs)])


@dataclass(frozen=True)
class Stage:
    """A build stage: its FROM line, base image (after ARG substitution) and instructions."""

    index: int
    name: str | None
    image: str
    line: int
    instructions: tuple[Instruction, ...]
    platform: str | None = None
    base_stage: int | None = None

    @property
    def end_line(self) -> int:
        """The last line of the stage's last instruction."""
        return max([self.line, *(i.end_line for i in self.instructions)])


class BuildContext(Protocol):
    """The build context a Dockerfile may be built with, as far as rules may ask: sizes, setting names and a
    script's program names, never a file's values."""

    def holds(self, source: str) -> bool:
        """True when a COPY/ADD source operand names something in the context (a glob: at least one match)."""
        ...

    def size(self, source: str) -> int | None:
        """Bytes of the files a COPY/ADD source operand names (globs: all matches), or None when unknown."""
        ...

    def setting_names(self, source: str, *, literal_only: bool = False) -> frozenset[str] | None:
        """The setting names (`key` of each `key=value` line, lowercased) of a small config file a COPY/ADD source
        operand names (with `literal_only`, not those whose value is empty or a bare `${VAR}` reference), or None
        when unknown; its values are never read out."""
        ...

    def script_programs(self, source: str) -> frozenset[str] | None:
        """The program names a small shell script a COPY/ADD source operand names runs, or None when unknown."""
        ...

    def last_program(self, source: str) -> str | None:
        """The program of the last top-level command of a small shell script a COPY/ADD source operand names, or
        None when unknown."""
        ...

    def local_modules(self, source: str) -> frozenset[str] | None:
        """The folders (relative to the file, normalised) a small `go.mod` a COPY/ADD source operand names
        replaces modules with (`replace x => ./api`), or None when unknown."""
        ...


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile: directives, global ARGs, stages, comments and syntax findings."""

    path: str
    directives: dict[str, str]
    escape: str
    global_args: dict[str, str | None]
    stages: tuple[Stage, ...]
    instructions: tuple[Instruction, ...]
    comments: dict[int, str] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    # Candidate build contexts, likeliest first (none for text linted without a file on disk).
    contexts: tuple[BuildContext, ...] = field(default=(), compare=False)

    @property
    def final(self) -> Stage | None:
        """The stage the image is built from (the last one)."""
        return self.stages[-1] if self.stages else None

    def shipped(self) -> tuple[Stage, ...]:
        """The final stage and the stages it is built FROM: their layers end up in the image."""
        chain: list[Stage] = []
        stage = self.final
        while stage is not None and stage not in chain:
            chain.append(stage)
            stage = self.stages[stage.base_stage] if stage.base_stage is not None else None
        return tuple(reversed(chain))

    def entry(self) -> dict[str, Instruction]:
        """The ENTRYPOINT and CMD in effect (the last of each in what ships), by keyword; absent ones left out."""
        found: dict[str, Instruction] = {}
        for stage in self.shipped():
            for ins in stage.instructions:
                if ins.keyword in ("CMD", "ENTRYPOINT"):
                    found[ins.keyword] = ins
        return found

    def layered(self) -> tuple[Stage, ...]:
        """Stages whose layers some image inherits: the final stage and every stage used as a FROM base."""
        bases = {s.base_stage for s in self.stages}
        return tuple(s for s in self.stages if s is self.final or s.index in bases)

    def build_context(self) -> BuildContext | None:
        """The first candidate context that holds every plain COPY/ADD source of the file and at least one of its
        sources: as far as stat can tell, the folder the file is built from (None when no candidate fits)."""
        sources = [src for stage in self.stages for ins in stage.instructions
                   if ins.keyword in ("COPY", "ADD") and ins.flag("from") is None and not ins.heredocs
                   for src in map(in_context, ins.copy_sources())
                   if "://" not in src and "$" not in src and not src.startswith("<<")]
        plain = [s for s in sources if not any(ch in s for ch in "*?[")]
        for ctx in self.contexts:
            if all(ctx.holds(s) for s in plain) and (plain or any(ctx.holds(s) for s in sources)):
                return ctx
        return None

    def stage_by_ref(self, ref: str) -> Stage | None:
        """The stage a `--from` or FROM names, by name (case-insensitive) or index."""
        low = ref.lower()
        for s in self.stages:
            if s.name is not None and s.name.lower() == low:
                return s
        if ref.isdigit() and int(ref) < len(self.stages):
            return self.stages[int(ref)]
        return None
