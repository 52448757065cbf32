"""The `--context` and `--builder` options of build, pipeline, verify and bases, and the selection they make."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

ContextOpt = Annotated[str | None, typer.Option(
    "--context", help="Docker context name or engine address (unix://, tcp://, ssh://) to use; default: "
    "build.context in imgforge.yaml, else DOCKER_HOST / DOCKER_CONTEXT.")]
BuilderOpt = Annotated[str | None, typer.Option(
    "--builder", help="buildx builder instance to build with; default: build.builder in imgforge.yaml, else the "
    "current builder.")]


@contextmanager
def selected(context: str | None, builder: str | None, project: Path | None = None) -> Iterator[None]:
    """Within the block every engine call reaches the chosen engine and builder (options over `project`'s
    `build:` settings)."""
    # Deferred: the engine module imports python-on-whales, which `imgforge --help` must not pay for.
    from imgforge.env.engine import Selection, use
    from imgforge.settings import build_settings

    chosen = Selection(context, builder)
    if project is not None and (project / "imgforge.yaml").is_file():
        settings = build_settings(project)
        chosen = chosen.over(Selection(settings.context, settings.builder))
    with use(chosen):
        yield
