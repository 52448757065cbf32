"""`imgforge lint`: check Dockerfiles for layer order, multistage, bloat, cache, secret, pinning and user rules."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from imgforge.cli._common import console, exit_with, plain_stdout
from imgforge.errors import EXIT_GATE, UsageError


class Format(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


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
    from imgforge.lint import EXIT_INTERNAL, lint_files
    from imgforge.lint.formats import render
    from imgforge.lint.rules import RULES

    if list_rules:
        for r in RULES.values():
            console.print(f"{r.id:<7} {r.severity:<7} {r.category:<13} {r.title}", markup=False)
        return
    paths = files or [Path("Dockerfile")]
    for p in paths:
        if not p.exists():
            raise UsageError(f"linting {p}: no such file")
    cfg = None
    if config is not None:
        if not config.exists():
            raise UsageError(f"reading lint settings {config}: no such file")
        from imgforge.lint.config import load_config  # deferred: pydantic only when settings are given

        cfg = load_config(config)
    report = lint_files(paths, cfg, use_shellcheck=use_shellcheck)
    chosen = "json" if json_out else fmt.value
    # Text goes through rich only for a terminal: a file, a pipe, a pre-commit hook or an editor gets plain text
    # straight away (rich is ~15 ms of a one-file run, bench/lint.py).
    styled = chosen == "text" and output is None and not plain_stdout()
    text = render(report, chosen, markup=styled)
    if output is not None:
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"writing {output}: {exc.strerror or exc}") from exc
    elif styled:
        console.print(text)
    else:
        if chosen == "text":
            text = text.expandtabs(8)  # as rich prints it (the same for all but double-width characters before a tab)
        sys.stdout.write(text + ("\n" if text else ""))
        sys.stdout.flush()
    if report.internal_error:
        exit_with(EXIT_INTERNAL)
    threshold = fail_on.value if fail_on is not None else (cfg.fail_on if cfg and cfg.fail_on else "error")
    exit_with(EXIT_GATE if report.failed(threshold) else 0)


def register(app: typer.Typer) -> None:
    """Add `imgforge lint` to the CLI."""
    app.command("lint")(lint_command)
