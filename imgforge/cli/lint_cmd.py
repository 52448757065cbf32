"""`imgforge lint`: check Dockerfiles for layer order, multistage, bloat, cache, secret, pinning and user rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from imgforge.cli._common import exit_with
from imgforge.cli.lint_run import FailOn, Format, LintArgs, run_lint


def lint_command(
    files: Annotated[list[Path] | None, typer.Argument(help="Dockerfiles to lint (default: ./Dockerfile).")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="text, json, sarif or github.")] = Format.text,
    json_out: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    fail_on: Annotated[FailOn | None, typer.Option(
        "--fail-on", help="Exit 1 when a finding is at or above this severity (default: error).")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="imgforge.yaml (or project folder) with a `lint:` section; default: beside each file.",
    )] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    list_rules: Annotated[bool, typer.Option("--list-rules", help="Print every rule and exit.")] = False,
    use_shellcheck: Annotated[bool, typer.Option(
        "--shellcheck/--no-shellcheck", help="Run ShellCheck over RUN scripts when it is installed (SH100).",
    )] = True,
) -> None:
    """Lint Dockerfiles. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage error (e.g. unreadable
    file), 4 the linter failed on some file (an INT001 finding; the other files were still linted).

    Example: imgforge lint Dockerfile --format sarif -o lint.sarif --fail-on warning
    """
    exit_with(run_lint(LintArgs(tuple(files or ()), fmt, json_out, fail_on, config, output, list_rules,
                                use_shellcheck)))


def register(app: typer.Typer) -> None:
    """Add `imgforge lint` to the CLI."""
    app.command("lint")(lint_command)
