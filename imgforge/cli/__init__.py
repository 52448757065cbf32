"""The `imgforge` command: a thin shell that parses arguments, calls the library, renders results."""

from __future__ import annotations

import importlib
import sys

import typer

from imgforge.cli._common import console_err, run_guarded

app = typer.Typer(
    name="imgforge",
    help="Build container images the way a platform engineer would: generate, lint, build, scan, push, manifest.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Each module registers its command(s) on `app` through a `register(app)` function.
COMMAND_MODULES = [
    "imgforge.cli.env_cmds",
    "imgforge.cli.release_cmds",
    "imgforge.cli.lint_cmd",
    "imgforge.cli.scan_cmd",
    "imgforge.cli.manifest_cmds",
    "imgforge.cli.project_cmds",
    "imgforge.cli.pipeline_cmds",
    "imgforge.cli.plan_cmd",
]


def _load() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (also used by the console script)."""
    _load()
    return run_guarded(app, argv if argv is not None else sys.argv[1:])


__all__ = ["app", "main", "console_err"]


def entrypoint() -> None:
    """Console-script entry point."""
    sys.exit(main())
