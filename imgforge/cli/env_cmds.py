"""Environment commands: doctor, registry up|down|status, bases build|list."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from imgforge.cli._common import (
    Group,
    InsecureOpt,
    console,
    console_err,
    err,
    exit_with,
    out,
    plain,
    print_json,
)
from imgforge.cli._engine import BuilderOpt, ContextOpt, selected
from imgforge.errors import EXIT_ENVIRONMENT

registry_app = typer.Typer(
    help="Start, stop or report the embedded local registry (127.0.0.1:5000).", no_args_is_help=True, cls=Group
)
bases_app = typer.Typer(
    help="The local base-image catalog, made from Debian packages (no pulls).", no_args_is_help=True, cls=Group
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


TargetOpt = Annotated[
    str | None,
    typer.Option("--registry", metavar="HOST[/REPO]",
                 help="Registry (and repository) whose tag immutability to report (default: the local one; "
                      "the repository defaults to the image name in ./imgforge.yaml)."),
]


def doctor(json_out: JsonOpt = False, engine_context: ContextOpt = None, builder: BuilderOpt = None,
           target: TargetOpt = None, insecure: InsecureOpt = False) -> None:
    """Check engine, BuildKit and builder, registry, base images and disk; exit 0 only when the pipeline can run.

    Also reports, as information that never fails the doctor, whether the target registry enforces tag
    immutability itself (Harbor rules; ECR and others: where to look).

    Example: imgforge doctor --registry harbor.example.com/library/app --json
    """
    from imgforge.env.doctor import run_checks
    from imgforge.env.immutability import parse_target

    if target is not None and not parse_target(target)[1]:  # bad input is exit 2 before any check runs
        target = _with_project_repository(target)
    with selected(engine_context, builder, Path(".")):
        checks, immutability = run_checks(target=target, insecure=insecure)
    ok = all(c.ok for c in checks)
    if json_out:
        print_json({"ok": ok, "checks": [asdict(c) for c in checks], "tag_immutability": asdict(immutability)})
    else:
        table = Table(title="imgforge doctor", show_lines=False)
        table.add_column("check")
        table.add_column("ok")
        table.add_column("detail")
        table.add_column("fix")
        for c in checks:
            verdict = plain("info") if c.info else plain("yes", "green") if c.ok else plain("NO", "red")
            table.add_row(plain(c.name), verdict, plain(c.detail), plain(c.fix))
        console.print(table)
        if not ok:
            bad = ", ".join(c.name for c in checks if not c.ok)
            err(f"imgforge doctor: not ready: {bad}")
    exit_with(0 if ok else EXIT_ENVIRONMENT)


def _with_project_repository(host: str) -> str:
    """`host/<image name>` when ./imgforge.yaml names the image, as `pipeline --registry host` pushes there.

    A project that does not load leaves `host` as given: doctor diagnoses, the pipeline reports the settings error.
    """
    from imgforge.errors import ImgforgeError
    from imgforge.project import load_project

    if not Path("imgforge.yaml").is_file():
        return host
    try:
        return f"{host}/{load_project(Path('.')).image_name}"
    except ImgforgeError:
        return host


@registry_app.command("up")
def registry_up(json_out: JsonOpt = False) -> None:
    """Start the local registry unless it already answers (recovers from stale state).

    Example: imgforge registry up
    """
    from imgforge.env.registry import default_registry

    status = default_registry().up()
    if json_out:
        print_json(asdict(status))
    else:
        err(f"registry {status.url} is up ({status.how}, storage {status.storage})")


@registry_app.command("down")
def registry_down() -> None:
    """Stop the local registry started by `imgforge registry up`.

    Example: imgforge registry down
    """
    from imgforge.env.registry import default_registry

    stopped = default_registry().down()
    err("registry stopped" if stopped else "registry was not running (nothing to stop)")


@registry_app.command("status")
def registry_status(json_out: JsonOpt = False) -> None:
    """Report whether the local registry answers; exit 3 when it does not.

    Example: imgforge registry status --json
    """
    from imgforge.env.registry import default_registry

    status = default_registry().status()
    if json_out:
        print_json(asdict(status))
    else:
        state = "answers" if status.answering else "does not answer"
        out(
            f"{status.url} {state} ({status.how}; pid {status.pid}; storage {status.storage}; "
            f"{status.repositories} repositories)"
        )
    exit_with(0 if status.answering else EXIT_ENVIRONMENT)


@bases_app.command("build")
def bases_build(
    only: Annotated[list[str] | None, typer.Argument(help="Catalog images to make (default: all).")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Make them again even when present.")] = False,
    push: Annotated[bool, typer.Option("--push", help="Also push the catalog to the local registry.")] = False,
    engine_context: ContextOpt = None,
    builder: BuilderOpt = None,
) -> None:
    """Make the base-image catalog from Debian packages; skips images that exist.

    Example: imgforge bases build --push
    """
    from imgforge.env import bases
    from imgforge.env.engine import connect
    from imgforge.env.registry import default_registry

    with selected(engine_context, builder, Path(".")):
        engine = connect("building base images")
    docker = engine.docker
    with console_err.status("bases") as status:

        def say(msg: str) -> None:
            status.update(plain(msg))
            err(f"  {msg}")

        built, skipped = bases.build_catalog(docker, only=only or None, rebuild=rebuild, say=say,
                                             builder=engine.selection.builder)
        if built:
            err(f"built {len(built)}: {', '.join(built)}")
        if skipped:
            err(f"already present, nothing to build: {len(skipped)} image(s)" + ("" if built else " - nothing built"))
        if push:
            reg = default_registry()
            if not reg.answering():
                reg.up()
            pushed, same = bases.push_catalog(docker, reg.address, say=say)
            err(f"pushed {len(pushed)} to {reg.address}; {len(same)} already there")


@bases_app.command("list")
def bases_list(json_out: JsonOpt = False, engine_context: ContextOpt = None) -> None:
    """List the catalog and which images the engine has.

    Example: imgforge bases list
    """
    from imgforge.env import bases
    from imgforge.env.engine import require_engine

    with selected(engine_context, None, Path(".")):
        docker = require_engine("listing base images")
    rows = [{"ref": b.ref, "family": b.family, "version": b.tag, "debian": b.suite,
             "present": bases.present(docker, b.ref), "description": b.description} for b in bases.CATALOG]
    if json_out:
        print_json(rows)
        return
    table = Table(title="base-image catalog")
    for col in ("image", "runtime", "version", "debian", "present", "what"):
        table.add_column(col)
    for r in rows:
        table.add_row(plain(str(r["ref"])), str(r["family"] or "-"), str(r["version"]), str(r["debian"]),
                      "yes" if r["present"] else "no", plain(str(r["description"])))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Attach these commands to the top-level app."""
    app.command("doctor")(doctor)
    app.add_typer(registry_app, name="registry")
    app.add_typer(bases_app, name="bases")
