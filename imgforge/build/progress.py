"""BuildKit plain-progress parsing: per-stage timing, the failing step, its output tail and Dockerfile line.

BuildKit 0.8 (embedded in Docker 20.10) does not print `Dockerfile:12` on failure, so the failing
step `[stage x/y]` is mapped back to its Dockerfile line by counting instructions per stage, the way
BuildKit numbers them (FROM an image is step 1 of its stage; FROM an earlier stage is no step).
Newer BuildKit's `Dockerfile:N` wins when present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from imgforge.build.hints import install_hint
from imgforge.lint.parser import parse

_VERTEX = re.compile(r"^#(\d+) \[(?:(?P<stage>[^\]\s]+) )?(?P<x>\d+)/(?P<y>\d+)\] (?P<cmd>.*)$")
_NAMED = re.compile(r"^#(\d+) \[(?P<what>[^\]]+)\]")
_DONE = re.compile(r"^#(\d+) DONE (\d+(?:\.\d+)?)s")
_CACHED = re.compile(r"^#(\d+) CACHED")
_ERROR = re.compile(r"^#(\d+) ERROR: (.*)$")
_OUTPUT = re.compile(r"^#(\d+) \d+\.\d+ (.*)$")
_FILE_LINE = re.compile(r"^(?:\S*/)?Dockerfile[\w.-]*:(\d+)\s*$")


@dataclass(frozen=True)
class StageTiming:
    """Seconds spent in one stage, and how many of its steps ran or came from cache."""

    stage: str
    seconds: float
    steps: int
    cached: int


@dataclass(frozen=True)
class StepFailure:
    """The failing step: stage, `x/y`, its command, the error and the last lines of its output."""

    stage: str
    step: str
    command: str
    error: str
    output_tail: tuple[str, ...]
    dockerfile_line: int | None = None
    hint: str | None = None  # what to change, read from the whole output


@dataclass
class ProgressLog:
    """Fed line by line while the build runs; read `timings()` and `failure()` afterwards."""

    vertices: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # id -> (stage, x/y, cmd)
    seconds: dict[int, float] = field(default_factory=dict)
    cached: set[int] = field(default_factory=set)
    output: dict[int, list[str]] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    file_line: int | None = None
    final_error: str = ""

    def feed(self, line: str) -> str | None:
        """Record one progress line; returns a short description when a new step starts."""
        line = line.rstrip("\n")
        if m := _VERTEX.match(line):
            vid = int(m.group(1))
            if vid not in self.vertices:
                self.vertices[vid] = (m.group("stage") or "", f"{m.group('x')}/{m.group('y')}", m.group("cmd"))
                return line.split(" ", 1)[1]
        elif m := _DONE.match(line):
            self.seconds[int(m.group(1))] = float(m.group(2))
        elif m := _CACHED.match(line):
            self.cached.add(int(m.group(1)))
        elif m := _ERROR.match(line):
            self.errors[int(m.group(1))] = m.group(2)
        elif m := _OUTPUT.match(line):
            self.output.setdefault(int(m.group(1)), []).append(m.group(2))
        elif m := _FILE_LINE.match(line.strip()):
            self.file_line = int(m.group(1))
        elif line.startswith(("ERROR:", "error:")):
            self.final_error = line.split(":", 1)[1].strip()
        elif _NAMED.match(line):
            pass
        return None

    def timings(self) -> list[StageTiming]:
        order: dict[str, list[int]] = {}
        for vid, (stage, _, _) in sorted(self.vertices.items()):
            order.setdefault(stage or "main", []).append(vid)
        return [
            StageTiming(stage, round(sum(self.seconds.get(v, 0.0) for v in vids), 3), len(vids),
                        sum(1 for v in vids if v in self.cached))
            for stage, vids in order.items()
        ]

    def failure(self, dockerfile_text: str | None = None, tail: int = 20) -> StepFailure | None:
        failed = [v for v in self.errors if v in self.vertices]
        if not failed:
            return None
        vid = failed[-1]
        stage, step, cmd = self.vertices[vid]
        line = self.file_line
        if line is None and dockerfile_text is not None:
            line = locate_step(dockerfile_text, stage, int(step.split("/")[0]))
        output = self.output.get(vid, [])
        return StepFailure(stage or "main", step, cmd, self.errors[vid], tuple(output[-tail:]), line,
                           install_hint(output))


def locate_step(text: str, stage: str, index: int) -> int | None:
    """The Dockerfile line of step `index` (1 = FROM) of `stage` (name, `stage-N`, or "" for one stage)."""
    stages: list[tuple[str | None, list[int]]] = []
    for st in parse(text, "Dockerfile").stages:
        # A stage built on an earlier stage has no FROM vertex: its steps start at the next instruction.
        lines = [i.line for i in st.instructions if st.base_stage is None or i.keyword.upper() != "FROM"]
        stages.append((st.name, lines))
    for n, (name, lines) in enumerate(stages):
        if stage in ("", "main") and len(stages) > 1:
            continue
        if stage in ("", "main") or stage == f"stage-{n}" or (name and name.lower() == stage.lower()):
            return lines[index - 1] if 0 < index <= len(lines) else None
    return None
