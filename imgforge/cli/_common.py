"""What every command shares: consoles, the error guard and output helpers."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from imgforge.errors import EXIT_USAGE, ImgforgeError


def _no_color() -> bool:
    return bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"


console = Console(no_color=_no_color(), highlight=False, soft_wrap=True)
console_err = Console(stderr=True, no_color=_no_color(), highlight=False, soft_wrap=True)


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
