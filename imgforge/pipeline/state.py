"""The pipeline's data: the options, one frozen result per stage, and the state that collects them.

A stage is a function `(state, run) -> result`: it reads earlier results from the frozen
`PipelineState` and returns its own frozen result; the runner makes the next state with
`state.with_result(name, result)`. Nothing is shared through string keys.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

from imgforge.build import BuildResult
from imgforge.errors import EXIT_OK
from imgforge.lint import LintReport
from imgforge.lint.model import FailOn
from imgforge.manifest.project import Emitted
from imgforge.manifest.verify import VerifyReport
from imgforge.project import Project
from imgforge.push import PushResult
from imgforge.report.model import SizeReport
from imgforge.scan import ScanPolicy, ScanReport
from imgforge.tags import TagPlan

Kind = Literal["pod", "deployment"]


@dataclass(frozen=True)
class PipelineOptions:
    """What the user asked of one pipeline run (shared by every project in a monorepo run)."""

    version: str | None = None
    registry: str | None = None  # host[:port]; None = the embedded local registry
    dist: Path = Path("dist")
    fail_on: FailOn = "error"  # lint severity that fails the gate
    push: bool = True
    verify: bool = True
    latest: bool = False
    insecure: bool | None = None  # None: plain http for loopback registries only
    kind: Kind = "deployment"


@dataclass(frozen=True)
class Generated:
    """The loaded project, its version, and the Dockerfile the build uses."""

    project: Project
    version: str
    dockerfile: Path
    detail: str


@dataclass(frozen=True)
class Linted:
    """The lint report of the Dockerfile."""

    report: LintReport
    detail: str


@dataclass(frozen=True)
class Built:
    """The image built into the engine under a local name, and the git revision it came from."""

    local_image: str
    build: BuildResult
    revision: str | None
    detail: str


@dataclass(frozen=True)
class Scanned:
    """The scan report and the policy it was judged by."""

    report: ScanReport
    policy: ScanPolicy
    detail: str


@dataclass(frozen=True)
class Reported:
    """The size report (with the previous version's figures when the registry had them)."""

    size: SizeReport
    detail: str


@dataclass(frozen=True)
class Verified:
    """How the local image behaved under its manifest, before any tag exists."""

    report: VerifyReport
    detail: str


@dataclass(frozen=True)
class Tagged:
    """The tag plan against what the registry holds."""

    plan: TagPlan
    detail: str


@dataclass(frozen=True)
class Pushed:
    """The push outcome and the image pinned by digest."""

    result: PushResult
    pinned: str
    detail: str


@dataclass(frozen=True)
class Manifests:
    """The emitted, validated manifests and the files written under dist/."""

    emitted: Emitted
    files: tuple[str, ...]
    detail: str


@dataclass(frozen=True)
class Attached:
    """The artifact digest of the reports attached to the pushed image."""

    digest: str
    files: tuple[str, ...]
    detail: str


StageOutput = Generated | Linted | Built | Scanned | Reported | Verified | Tagged | Pushed | Manifests | Attached

_FIELD_OF: dict[type[Any], str] = {
    Generated: "generate", Linted: "lint", Built: "build", Scanned: "scan", Reported: "report",
    Verified: "verify", Tagged: "tag", Pushed: "push", Manifests: "manifest", Attached: "attach",
}


@dataclass(frozen=True)
class PipelineState:
    """Everything one project's run knows so far; each stage's result stays None until it ran."""

    project_dir: Path
    options: PipelineOptions
    generate: Generated | None = None
    lint: Linted | None = None
    build: Built | None = None
    scan: Scanned | None = None
    report: Reported | None = None
    verify: Verified | None = None
    tag: Tagged | None = None
    push: Pushed | None = None
    manifest: Manifests | None = None
    attach: Attached | None = None

    def with_result(self, result: StageOutput) -> PipelineState:
        """A new state with a stage's result added (the result's type names its field)."""
        changes: dict[str, Any] = {_FIELD_OF[type(result)]: result}
        return replace(self, **changes)

    @property
    def out(self) -> Path | None:
        """dist/<image>/, once the project is loaded."""
        if self.generate is None:
            return None
        return (self.options.dist / self.generate.project.image_name).resolve()


T = TypeVar("T")


def need(value: T | None, what: str) -> T:
    """An earlier stage's result; a missing one is a programming error in the stage order."""
    if value is None:
        raise RuntimeError(f"pipeline stage order: {what} has not run")  # never a user-facing failure
    return value


Status = Literal["ok", "failed", "skipped"]


@dataclass(frozen=True)
class StageResult:
    """How one stage went."""

    name: str
    status: Status
    seconds: float
    detail: str = ""
    exit_code: int = EXIT_OK


@dataclass(frozen=True)
class PipelineResult:
    """How one project's run went, with links to everything it wrote."""

    project: str
    image: str = ""
    digest: str = ""
    tags: tuple[str, ...] = ()
    dist_dir: str = ""
    stages: tuple[StageResult, ...] = field(default_factory=tuple)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(s.status != "failed" for s in self.stages)

    @property
    def exit_code(self) -> int:
        failed = self.failed_stage
        return failed.exit_code if failed is not None else EXIT_OK

    @property
    def failed_stage(self) -> StageResult | None:
        return next((s for s in self.stages if s.status == "failed"), None)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["tags"] = list(self.tags)
        data["stages"] = [asdict(s) for s in self.stages]
        data["ok"] = self.ok
        data["exit_code"] = self.exit_code
        return data
