"""Run the stages in order for one project, stop at the first failed gate, and say why.

The runner folds the stage functions of `stages.STAGES` over a frozen `PipelineState`; an
ImgforgeError becomes a failed stage. Several projects run concurrently (`run_many`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

from imgforge.errors import EXIT_ENVIRONMENT, EXIT_GATE, EXIT_OK, EXIT_USAGE, ImgforgeError
from imgforge.pipeline.links import pipeline_json
from imgforge.pipeline.services import Services, write
from imgforge.pipeline.stages import STAGES
from imgforge.pipeline.state import PipelineOptions, PipelineResult, PipelineState, StageResult
from imgforge.settings import load_raw, pinned, settings_path


def run_pipeline(
    project_dir: Path, options: PipelineOptions, say: Callable[[str], None] = lambda _m: None
) -> PipelineResult:
    """Run every stage for one project; never raises ImgforgeError (it becomes a failed stage)."""
    started = time.monotonic()
    state = PipelineState(project_dir=project_dir.resolve(), options=options)
    run = Services(say=say, registry_option=options.registry, insecure=bool(options.insecure))
    stages: list[StageResult] = []
    failed = False
    with ExitStack() as scope:
        for stage in STAGES:
            if failed:
                stages.append(StageResult(stage.name, "skipped", 0.0, "an earlier stage failed"))
                continue
            why = stage.skipped_because(state)
            if why is not None:
                stages.append(StageResult(stage.name, "skipped", 0.0, why))
                continue
            say(f"{stage.name}…")
            t0 = time.monotonic()
            try:
                if stage.name == "generate":
                    # imgforge.yaml is read once per run: every later reader gets this document.
                    file = settings_path(state.project_dir)
                    scope.enter_context(pinned(file, load_raw(file)))
                result = stage.run(state, run)
            except ImgforgeError as err:
                stages.append(StageResult(stage.name, "failed", time.monotonic() - t0, str(err), err.exit_code))
                say(f"{stage.name} FAILED: {err}")
                failed = True
                continue
            state = state.with_result(result)
            stages.append(StageResult(stage.name, "ok", time.monotonic() - t0, result.detail))
            say(f"{stage.name}: {result.detail}")
    out = state.out
    pushed = state.push
    outcome = PipelineResult(
        project=str(project_dir),
        image=state.generate.project.image_name if state.generate is not None else "",
        digest=pushed.result.digest if pushed is not None else "",
        tags=tuple(f"{pushed.result.repository}:{t.tag}" for t in pushed.result.tags) if pushed is not None else (),
        dist_dir=str(out) if out is not None else "",
        stages=tuple(stages),
        seconds=time.monotonic() - started,
    )
    if out is not None:
        write(out, "pipeline.json", pipeline_json(state, outcome))
    return outcome


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
    for code in (EXIT_ENVIRONMENT, EXIT_USAGE, EXIT_GATE):
        if code in codes:
            return code
    return EXIT_OK
