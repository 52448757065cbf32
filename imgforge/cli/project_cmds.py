"""Project commands: init (detect the stack, write imgforge.yaml) and generate (Dockerfile, .dockerignore)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from imgforge.cli._common import err, exit_with, print_json
from imgforge.errors import EXIT_GATE

PathArg = Annotated[Path, typer.Argument(help="Project folder (default: current folder).")]
RecipesOpt = Annotated[Path | None, typer.Option("--recipes",
                                                 help="An extra folder of recipes (adds to/replaces built-ins).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def init(
    path: PathArg = Path("."),
    recipe: Annotated[str | None, typer.Option("--recipe",
                                               help="Recipe name (default: detected from the files).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Image repository name (default: folder name).")] = None,
    version_source: Annotated[str | None, typer.Option(
        "--version-source", help="file (VERSION), git or fixed (default: whichever the project has).")] = None,
    port: Annotated[int | None, typer.Option("--port",
                                             help="Port the service listens on (overrides the recipe).")] = None,
    recipes: RecipesOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the settings instead of writing them.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing imgforge.yaml.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Detect the project's stack and write imgforge.yaml (non-interactive).

    Example: imgforge init samples/python-web --name demo/python-web --dry-run
    """
    from imgforge.generate.init import plan_init, write_init

    plan = plan_init(
        path,
        recipe=recipe,
        name=name,
        version_source=version_source,
        port=port,
        extra_dirs=[recipes] if recipes else [],
    )
    if not dry_run:
        write_init(plan, force=force)
    if json_out:
        print_json({"path": str(plan.path), "recipe": plan.recipe, "written": not dry_run, "text": plan.text})
    elif dry_run:
        sys.stdout.write(plan.text)
    else:
        err(f"wrote {plan.path} (recipe {plan.recipe}); next: imgforge generate {path}")


def generate_cmd(
    path: PathArg = Path("."),
    recipes: RecipesOpt = None,
    stdout: Annotated[bool, typer.Option("--stdout", help="Print the Dockerfile instead of writing files.")] = False,
    check: Annotated[bool, typer.Option("--check",
                                        help="Write nothing; exit 1 when the files are out of date.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Write Dockerfile and .dockerignore from imgforge.yaml and its recipe (same input, same bytes).

    Nothing of the project's is overwritten: beside a Dockerfile of its own, the generated one is Dockerfile.imgforge.

    Example: imgforge generate samples/kuard-go --check
    """
    from imgforge.generate import generate, load_project, stale_files, write_files

    project = load_project(path, recipes_dir=recipes)
    files = generate(project)
    if stdout:
        sys.stdout.write(files.dockerfile)
        return
    for warning in files.warnings:
        err(f"warning: {warning}")
    if files.names.dockerfile != "Dockerfile":
        err(f"the project's own Dockerfile is kept: the generated one is {files.names.dockerfile} "
            "(`dockerfile: Dockerfile` in imgforge.yaml builds yours instead)")
    changed = stale_files(project, files) if check else write_files(project, files)
    if json_out:
        print_json(
            {"project": str(project.root), "recipe": project.recipe.name, "stale" if check else "written": changed}
        )
    elif check:
        err(f"out of date: {', '.join(changed)}" if changed else "generated files are up to date")
    else:
        err(f"wrote {', '.join(changed)}" if changed else "nothing to write: files are up to date")
    exit_with(EXIT_GATE if check and changed else 0)


def register(app: typer.Typer) -> None:
    """Attach these commands to the top-level app."""
    app.command("init")(init)
    app.command("generate")(generate_cmd)
