"""What every command shares: consoles, the error guard and output helpers.

External text (engine and build output, paths, image names, error messages) is never rendered as
rich markup: pass it through `plain()` (a `Text`, no markup or emoji) or `escape()`. The consoles
also turn emoji codes off, so a `:warning:` in a message stays as written.

Library imports in the command modules are deferred into each command: importing `imgforge.pipeline`
takes about 2.1 s against 0.2 s for the CLI shell (measured with `python -c "import ..."`), and
`imgforge --help` or `imgforge lint` must not pay for the whole pipeline.

The consoles and the error line live in `_console.py` (no typer), re-exported here.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from imgforge.cli._console import console, console_err, escape, plain_stdout, report_error
from imgforge.errors import EXIT_USAGE, ImgforgeError

if TYPE_CHECKING:
    from rich.text import Text
    from typer._click import Context, HelpFormatter


# Every command that talks to a registry takes it: the transport's one scheme rule, asked for plain http.
InsecureOpt = Annotated[bool, typer.Option("--insecure", help="Plain http (default for localhost/127.0.0.1).")]


class Group(TyperGroup):
    """imgforge's command groups: help lists each command's whole first sentence (click cuts it at the width)."""

    def get_help_option(self, ctx: Context) -> Any:
        # typer 0.29 coerces an unset flag's None through a pydantic TypeAdapter, importing pydantic (~0.1 s) for
        # every command; an unset `--help` of a group is False instead, which needs no coercion.
        option = super().get_help_option(ctx)
        if option is not None:
            option.default = False
        return option

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        rows = [(name, command.get_short_help_str(limit=1000)) for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def plain(text: object, style: str = "") -> Text:
    """External text as a rich `Text`: printed as written, no markup or emoji codes interpreted."""
    from rich.text import Text  # deferred with the consoles

    return Text(str(text), style=style)


def out(text: str) -> None:
    """Print external text on stdout as written (no markup, no emoji)."""
    console.print(plain(text))


def err(text: str) -> None:
    """Print external text on stderr as written (no markup, no emoji)."""
    console_err.print(plain(text))


def run_guarded(app: typer.Typer, argv: list[str]) -> int:
    """Run a Typer app; turn ImgforgeError into `imgforge: what failed: why` and its exit code."""
    try:
        # Standalone mode: Typer prints usage errors itself and exits 2, as documented.
        app(args=argv, prog_name="imgforge")
    except SystemExit as ex:
        code = ex.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_USAGE)
    except ImgforgeError as err:
        return report_error(err)
    except KeyboardInterrupt:
        console_err.print("imgforge: interrupted")
        return 130
    return 0


def print_json(data: Any) -> None:
    """Write JSON to stdout, unstyled, for machines."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()


def exit_with(code: int) -> None:
    """End the command with an exit code (0 returns normally)."""
    if code:
        raise typer.Exit(code)


__all__ = ["Group", "InsecureOpt", "console", "console_err", "err", "escape", "exit_with", "out", "plain",
           "plain_stdout", "print_json", "run_guarded"]
