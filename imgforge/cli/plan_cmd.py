"""`imgforge plan`: the projects a change touches, as JSON with a GitHub Actions matrix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from imgforge.cli._common import console_err, print_json
from imgforge.errors import UsageError


PathsArg = Annotated[
    list[Path] | None, typer.Argument(help="Project folders, or folders to search for projects (default: .).")
]
SinceOpt = Annotated[str | None, typer.Option(
    "--since", help="REF (against the working tree), A..B, or A...B (from the merge base); without it, every project.")]
OutputOpt = Annotated[
    Path | None, typer.Option("--github-output", help="Append matrix= and count= here ($GITHUB_OUTPUT).")
]
AllOnOpt = Annotated[list[str] | None, typer.Option(
    "--all-on", help="Every project is affected when a changed file matches this pattern (.dockerignore syntax).")]


def plan_cmd(
    paths: PathsArg = None, since: SinceOpt = None, all_on: AllOnOpt = None, github_output: OutputOpt = None
) -> None:
    """Print the projects affected by a change since REF, with a GitHub Actions `matrix` object.

    A project is affected when a changed file is in its build context (after .dockerignore), is its
    imgforge.yaml, VERSION file, Dockerfile or recipe, or when a base image it builds from was redefined.

    Example: imgforge plan services --since origin/main...HEAD
    Example: imgforge plan samples --since "$BASE_SHA" --all-on 'imgforge/**' --github-output "$GITHUB_OUTPUT"
    """
    # Deferred: the recipe models (pydantic) would slow every other command's start-up.
    from imgforge.plan import plan

    result = plan(paths or [Path(".")], since, all_on=all_on or ())
    data = result.to_json()
    print_json(data)
    if github_output is not None:
        try:
            with open(github_output, "a", encoding="utf-8") as fh:
                fh.write(f"matrix={json.dumps(data['matrix'], separators=(',', ':'))}\ncount={data['count']}\n")
        except OSError as exc:
            raise UsageError(f"writing --github-output {github_output}: {exc}") from exc
    total = data["count"] + len(data["unaffected"])
    console_err.print(f"plan: {data['count']} of {total} projects affected" + (f" since {since}" if since else ""),
                      markup=False)


def register(app: typer.Typer) -> None:
    """Attach the command to the top-level app."""
    app.command("plan")(plan_cmd)
