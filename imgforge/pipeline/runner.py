"""Run the stages in order for one project, stop at the first failed gate, and say why.

Each stage is a function `(ctx) -> str` that reads and adds to the shared context and returns a
one-line detail; it raises ImgforgeError to fail. Several projects run concurrently (`run_many`).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from imgforge.errors import EXIT_GATE, EXIT_OK, ImgforgeError


@dataclass(frozen=True)
class PipelineOptions:
    """What the user asked of one pipeline run (shared by every project in a monorepo run)."""

    version: str | None = None
    registry: str | None = None  # host[:port]; None = the embedded local registry
    dist: Path = Path("dist")
    fail_on: str = "error"  # lint severity that fails the gate
    push: bool = True
    verify: bool = True
    latest: bool = False
    insecure: bool | None = None  # None: plain http for loopback registries only
    kind: str = "pod"


@dataclass
class StageResult:
    """How one stage went."""

    name: str
    status: str  # ok | failed | skipped
    seconds: float
    detail: str = ""
    exit_code: int = EXIT_OK


@dataclass
class PipelineResult:
    """How one project's run went, with links to everything it wrote."""

    project: str
    image: str = ""
    digest: str = ""
    tags: list[str] = field(default_factory=list)
    dist_dir: str = ""
    stages: list[StageResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(s.status != "failed" for s in self.stages)

    @property
    def exit_code(self) -> int:
        failed = [s for s in self.stages if s.status == "failed"]
        return failed[0].exit_code if failed else EXIT_OK

    @property
    def failed_stage(self) -> StageResult | None:
        return next((s for s in self.stages if s.status == "failed"), None)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        data["exit_code"] = self.exit_code
        return data


@dataclass
class Context:
    """What the stages share for one project."""

    project_dir: Path
    options: PipelineOptions
    say: Callable[[str], None]
    data: dict[str, Any] = field(default_factory=dict)
    result: PipelineResult = field(default_factory=lambda: PipelineResult(project=""))

    @property
    def out(self) -> Path:
        return Path(self.result.dist_dir)

    def write(self, name: str, content: str | bytes | dict[str, Any] | list[Any]) -> Path:
        """Write one output file under dist/<image>/ and return its path."""
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, (dict, list)):
            path.write_text(json.dumps(content, indent=2, default=str) + "\n")
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return path


Stage = Callable[[Context], str]


def _stages() -> list[tuple[str, Stage]]:
    from imgforge.pipeline import stages as s

    return [
        ("generate", s.generate),
        ("lint", s.lint),
        ("build", s.build),
        ("scan", s.scan),
        ("report", s.report),
        ("tag", s.tag),
        ("push", s.push),
        ("manifest", s.manifest),
        ("verify", s.verify),
        ("attach", s.attach),
    ]


def run_pipeline(
    project_dir: Path, options: PipelineOptions, say: Callable[[str], None] = lambda _m: None
) -> PipelineResult:
    """Run every stage for one project; never raises ImgforgeError (it becomes a failed stage)."""
    from imgforge.pipeline import stages as s

    started = time.monotonic()
    ctx = Context(project_dir=project_dir.resolve(), options=options, say=say)
    ctx.result.project = str(project_dir)
    failed = False
    for name, stage in _stages():
        if failed:
            ctx.result.stages.append(StageResult(name, "skipped", 0.0, "an earlier stage failed"))
            continue
        if not s.enabled(name, ctx):
            ctx.result.stages.append(StageResult(name, "skipped", 0.0, s.why_skipped(name, ctx)))
            continue
        say(f"{name}…")
        t0 = time.monotonic()
        try:
            detail = stage(ctx)
            ctx.result.stages.append(StageResult(name, "ok", time.monotonic() - t0, detail))
            say(f"{name}: {detail}")
        except ImgforgeError as err:
            ctx.result.stages.append(StageResult(name, "failed", time.monotonic() - t0, str(err), err.exit_code))
            say(f"{name} FAILED: {err}")
            failed = True
    ctx.result.seconds = time.monotonic() - started
    if ctx.result.dist_dir:
        s.write_pipeline_json(ctx)
    return ctx.result


def run_many(
    projects: list[Path],
    options: PipelineOptions,
    jobs: int = 1,
    say: Callable[[str, str], None] = lambda _p, _m: None,
) -> list[PipelineResult]:
    """Run the pipeline for several projects, `jobs` at a time; results in the order given."""
    lock = threading.Lock()

    def one(path: Path) -> PipelineResult:
        def tell(msg: str) -> None:
            with lock:
                say(str(path), msg)

        return run_pipeline(path, options, tell)

    if jobs <= 1 or len(projects) <= 1:
        return [one(p) for p in projects]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, projects))


def overall_exit(results: list[PipelineResult]) -> int:
    """The worst exit code: environment (3) > usage (2) > gate (1) > ok."""
    codes = [r.exit_code for r in results]
    for code in (3, 2, EXIT_GATE):
        if code in codes:
            return code
    return EXIT_OK
