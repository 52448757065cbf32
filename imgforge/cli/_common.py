"""What every command shares: consoles, the error guard and output helpers.

External text (engine and build output, paths, image names, error messages) is never rendered as
rich markup: pass it through `plain()` (a `Text`, no markup or emoji) or `escape()`. The consoles
also turn emoji codes off, so a `:warning:` in a message stays as written.

Library imports in the command modules are deferred into each command: importing `imgforge.pipeline`
takes about 2.1 s against 0.2 s for the CLI shell (measured with `python -c "import ..."`), and
`imgforge --help` or `imgforge lint` must not pay for the whole pipeline.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from imgforge.errors import EXIT_USAGE, ImgforgeError


def _no_color() -> bool:
    return bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"


console = Console(no_color=_no_color(), highlight=False, soft_wrap=True, emoji=False)
console_err = Console(stderr=True, no_color=_no_color(), highlight=False, soft_wrap=True, emoji=False)


def plain(text: object, style: str = "") -> Text:
    """External text as a rich `Text`: printed as written, no markup or emoji codes interpreted."""
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
        console_err.print(f"[red]imgforge:[/red] {escape(str(err))}")
        return err.exit_code
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
